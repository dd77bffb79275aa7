// E-mail addresses written so that harvesters miss them and people (and models) do not: "jane dot
// doe at gmail dot com", "jane.doe [at] gmail [dot] com", "jane(at)fastmail(dot)fm", "info {at}
// example.org", "jane<at>corp.io", "john_at_example.com", "jdoe AT gmail.com", and defanged ones, "jdoe@evil-domain[.]com". Read at each "at": a local part before it,
// labels after it joined by dots written as '.', "dot", "[dot]", "(dot)" or "{dot}", the last one a
// top-level domain. A bare " at " needs a written-out dot in the domain ("look at example.com" is
// no address), no small word on either side ("look at the dot com bubble"), and a local part of an
// address's making (a handle, not a word of the sentence) or a word such as "email" before it ("sign
// up today at masterclass dot com" is an advertisement).

enum SpelledEmails {
    private static let at = Chars.hash("at")
    private static let dot = Chars.scalars("dot")
    private static let stopWords = Lexicon.stopWords
    /// Words before an address that say one follows.
    private static let emailCues = Chars.hashSet("email e-mail mail contact reach write address emails mailed send sent cc forward message")
    /// Common top-level domains (an obfuscated address ends in one); those that are English words
    /// ("at", "in", "it", "no", "us", "be", "my", "id") are left out: "the particle at rest dot at".
    private static let topLevel = Chars.hashSet(
        """
        com org net edu gov mil int io co ai app dev me fm tv info biz xyz online site tech email mail uk de fr cn jp ru br au ca nl se
        fi dk es pl ch nz za mx kr tw hk sg ie pt gr cz hu ro tr il ar cl ua vn th ph eu asia
        """)

    @inline(__always) private static func isLabelScalar(_ c: UInt32) -> Bool { Chars.isASCIILetter(c) || Chars.isDigit(c) || c == 0x2D }

    /// A written dot starting at `k`: '.', "dot" between spaces, or "[dot]", "(dot)", "{dot}" with
    /// or without spaces around. Its end (past one space after it) and whether it was written out.
    private static func dotMarker(_ t: ScalarText, _ k: Int) -> (end: Int, spelled: Bool)? {
        if t[k] == 0x2E { return (k + 1, false) }
        var p = k
        if t[p] == 0x20 { p += 1 }
        let bracket = closing(t[p])
        if bracket != 0 { p += 1 }
        guard (0..<3).allSatisfy({ Chars.lowerASCII(t[p + $0]) == dot[$0] }) else { return nil }
        p += 3
        if bracket != 0 {
            guard t[p] == bracket else { return nil }
            p += 1
        } else if !(p > k && t[k] == 0x20 && t[p] == 0x20) {
            return nil  // "dot" as a word of its own, between spaces
        }
        if t[p] == 0x20 { p += 1 }
        return (p, true)
    }

    /// A written dot ending at `end` (the scalar before it is a local-part scalar): its start.
    private static func dotMarkerBefore(_ t: ScalarText, _ end: Int) -> Int? {
        // The marker starts up to seven scalars back (" [dot] "): the longest whose end is `end` (its
        // space before included).
        for start in max(0, end - 7)..<end where t[start] == 0x20 || closing(t[start]) != 0 {
            if let (e, spelled) = dotMarker(t, start), spelled, e == end { return start }
        }
        return nil
    }

    /// The findings of obfuscated addresses in `t` (words `w`).
    static func scan(_ t: ScalarText, _ w: [Word], into out: inout [Finding]) {
        let at = Self.at
        for (index, x) in w.enumerated() where x.end - x.start == 2 && x.hash == at && !x.isNumber {
            let before = t[x.start - 1]
            let after = t[x.end]
            let bracketed = closing(before) != 0 && after == closing(before)
            // "john_at_example.com": an "at" between underscores, then a domain, as forms that refuse an
            // '@' and handles are written ("created_at_utc" has no domain after it).
            // Not in code: a local part that is a member ("user.email_at_signup…") or an address that is
            // called or assigned ("price_at_close.info(", "= user_at_signup.email"): `read` checks the end.
            let underscored = before == 0x5F && after == 0x5F && !inCode(t, w, index)
            guard bracketed || underscored || (before == 0x20 && after == 0x20) else { continue }
            // "jdoe AT gmail.com": a capital "AT" in a text of other case is written to be read so.
            let capital = x.isAllCaps && index > 0 && !w[index - 1].isAllCaps
            // A bare "at": the words before the address may say one follows ("email me at …").
            let cued = w[max(0, index - 6)..<index].contains { emailCues.contains($0.hash) }
            read(t, markerStart: x.start - 1, markerEnd: x.end + 1, strong: bracketed || capital || underscored, cued: cued, into: &out)
        }
    }

    /// Whether the identifier around an underscored "at" (word `index`) reads as code: a dot, '=' or '('
    /// right before its first part or right after its last ("obj.user_at_signup.email", "x = price_at_close.info(").
    private static func inCode(_ t: ScalarText, _ w: [Word], _ index: Int) -> Bool {
        var s = w[index].start - 1
        while s > 0 && Identifiers.isLocalChar(t.v[s - 1]) && t.v[s - 1] != 0x2E { s -= 1 }
        var e = w[index].end + 1
        while e < t.count && (Chars.isASCIILetter(t.v[e]) || Chars.isDigit(t.v[e]) || t.v[e] == 0x2E || t.v[e] == 0x2D || t.v[e] == 0x5F) { e += 1 }
        let before = t[s - 1]
        let after = t[e]
        return before == 0x2E || before == 0x3D || after == 0x28 || after == 0x3D || (before == 0x20 && t[s - 2] == 0x3D)
    }

    /// Defanged addresses, as threat reports and abuse desks write them so that nothing links or
    /// mails: "jdoe@evil-domain[.]com", "jdoe[@]gmail[.]com", "jdoe(@)gmail(.)com". Read at each
    /// word a bracketed dot follows.
    static func scanDefanged(_ t: ScalarText, _ w: [Word], into out: inout [Finding]) {
        var after = 0
        for x in w where x.end >= after && (x.next == 0x5B || x.next == 0x28) && t[x.end + 1] == 0x2E && t[x.end + 2] == closing(x.next) {
            // Back over the domain's labels and dots to its '@' ("@", "[@]", "(@)").
            var k = x.end
            var at = -1
            while k > 0, x.end - k < 256 {
                let c = t.v[k - 1]
                if isLabelScalar(c) || c == 0x2E || c == 0x5B || c == 0x5D || c == 0x28 || c == 0x29 {
                    if c == 0x5D || c == 0x29, t[k - 2] == 0x40, closing(t[k - 3]) == c {
                        at = k - 3
                        break
                    }
                    k -= 1
                } else if c == 0x40 {
                    at = k - 1
                    break
                } else {
                    break
                }
            }
            guard at > 0 else { continue }
            let markerEnd = t[at] == 0x40 ? at + 1 : at + 3
            // The local part before it.
            var s = at
            while s > 0, Identifiers.isLocalChar(t.v[s - 1]), at - s < 64 { s -= 1 }
            guard s < at, Chars.isASCIILetter(t.v[at - 1]) || Chars.isDigit(t.v[at - 1]) else { continue }
            // Forward over labels and dots (plain or bracketed) to the last label, a top-level domain.
            var e = markerEnd
            var last = e..<e
            var defanged = false
            while e < t.count {
                let l = e
                while e < t.count, isLabelScalar(t.v[e]), e - l < 63 { e += 1 }
                guard e > l else { break }
                last = l..<e
                if t[e] == 0x2E, isLabelScalar(t[e + 1]) {
                    e += 1
                } else if t[e] == 0x5B || t[e] == 0x28, t[e + 1] == 0x2E, t[e + 2] == closing(t[e]), isLabelScalar(t[e + 3]) {
                    defanged = true
                    e += 3
                } else {
                    break
                }
            }
            guard defanged || t[at] != 0x40, !last.isEmpty, topLevel.contains(Chars.hash(t.v, last.lowerBound, last.upperBound)) else { continue }
            out.append(Finding(type: .email, start: s, end: last.upperBound, score: 0.9))
            after = last.upperBound
        }
    }

    /// The bracket that closes `open` ('[', '(', '{' or '<'), or 0.
    @inline(__always) private static func closing(_ open: UInt32) -> UInt32 {
        open == 0x5B ? 0x5D : open == 0x28 ? 0x29 : open == 0x7B ? 0x7D : open == 0x3C ? 0x3E : 0
    }

    /// The address around the "at" written at t[markerStart..<markerEnd], if any.
    /// `strong`: a bracketed or capital "at"; `cued`: words before it say an address follows.
    private static func read(_ t: ScalarText, markerStart: Int, markerEnd: Int, strong: Bool, cued: Bool, into out: inout [Finding]) {
        // The domain: labels joined by dots, the last a top-level domain.
        var k = markerEnd
        if t[k] == 0x20 { k += 1 }
        var labels: [Range<Int>] = []
        var spelledDots = 0
        while labels.count < 8 {
            let s = k
            while k < t.count, isLabelScalar(t.v[k]), k - s < 63 { k += 1 }
            guard k > s else { break }
            labels.append(s..<k)
            guard let (e, spelled) = dotMarker(t, k), isLabelScalar(t[e]) else { break }
            if spelled { spelledDots += 1 }
            k = e
        }
        guard labels.count >= 2, let last = labels.last, topLevel.contains(Chars.hash(t.v, last.lowerBound, last.upperBound)),
            strong || spelledDots > 0, !stopWords.contains(Chars.hash(t.v, labels[0].lowerBound, labels[0].upperBound))
        else { return }
        // The local part: a run of address scalars before the marker, and parts before it joined by
        // written dots ("jane dot doe").
        var s = markerStart
        if t[s - 1] == 0x20 { s -= 1 }
        let localEnd = s
        var parts = 0
        while parts < 4 {
            let e = s
            while s > 0, Identifiers.isLocalChar(t.v[s - 1]), e - s < 64 { s -= 1 }
            guard s < e else { break }
            parts += 1
            guard let marker = dotMarkerBefore(t, s), marker > 0, Identifiers.isLocalChar(t.v[marker - 1]) else { break }
            s = marker
        }
        guard parts > 0, s < localEnd, !stopWords.contains(Chars.hash(t.v, s, min(localEnd, s + 64)))
        else { return }
        // A local part ends in a letter or a digit ("et al. at MIT dot edu" is a citation), is two
        // scalars or more and starts a word ("I'm at work dot com" has no "m").
        guard Chars.isASCIILetter(t.v[localEnd - 1]) || Chars.isDigit(t.v[localEnd - 1]), localEnd - s >= 2, t[s - 1] != 0x27, t[s - 1] != 0x2019
        else { return }
        if !strong && !cued {
            // After a bare "at" and with no cue before it, a word of the sentence is no mailbox ("sign up
            // today at …", "worked at …", "and later at Yahoo dot com"); a handle is ("jdoe at company dot
            // de"), and so is a local part of an address's making (parts joined by a dot, a digit, '_',
            // '+' or '-').
            let structured = parts > 1 || (s..<localEnd).contains { !Chars.isASCIILetter(t.v[$0]) }
            guard structured || !EnglishWords.common.contains(Chars.hash(t.v, s, localEnd)) else { return }
        }
        // Nothing glued on either side ("x-at" is no local part's end; a word right after is no TLD's).
        guard !Chars.isASCIILetter(t[k]) else { return }
        out.append(Finding(type: .email, start: s, end: last.upperBound, score: strong ? 0.9 : 0.85))
    }
}
