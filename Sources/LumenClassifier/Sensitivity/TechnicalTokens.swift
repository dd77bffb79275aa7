// Software identifiers in prompts: UUIDs, hashes and digests (git SHAs, sha256:…), version strings,
// build and invoice numbers glued to letters, cloud resource ids (vpc-…, i-…, arn:…), provider object
// ids (cus_…, pi_…), ISO timestamps, hex literals and colours, file paths with line numbers, dotted and
// CamelCase code names (KeyError, System.Linq), URLs, ISBN/DOI/arXiv ids. They are found as whole
// tokens (a token: a run of ASCII letters, digits and the connectors _-.:/\#+=~%@ without spaces) and
// keep personal-data findings off them: a person, street address, phone number, date of birth or SSN
// that overlaps one is dropped. E-mail addresses, IBANs, cards, IP addresses, passport numbers (found
// only after "passport") and secrets are never dropped (an e-mail in a stack trace is still an e-mail).
//
// Separately, every finding is widened to whole ASCII tokens: no finding starts or ends inside a run
// of ASCII letters and digits, so a placeholder never splits "550e8400" or a word.

enum TechnicalTokens {
    @inline(__always) private static func isConnector(_ c: UInt32) -> Bool {
        c == 0x5F || c == 0x2D || c == 0x2E || c == 0x3A || c == 0x2F || c == 0x5C || c == 0x23 || c == 0x2B || c == 0x3D
            || c == 0x7E || c == 0x25 || c == 0x40
    }

    @inline(__always) private static func isTokenScalar(_ c: UInt32) -> Bool {
        c < 0x80 && (Chars.isASCIILetter(c) || Chars.isDigit(c) || isConnector(c))
    }

    @inline(__always) private static func isHexLetter(_ c: UInt32) -> Bool {
        let l = c | 0x20
        return l >= 0x61 && l <= 0x66
    }

    /// The technical tokens of `t`, as sorted, disjoint ranges.
    static func spans(_ t: ScalarText) -> [Range<Int>] { spans(t, near: [0..<t.count]) }

    /// The technical parts of the tokens that overlap any of `ranges`, in text order (those `spans`
    /// finds there): each token is read once, however many ranges it meets.
    static func spans(_ t: ScalarText, near ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        // Tokens before `read` have been read; it is always at a token's start or past a non-token scalar.
        var read = 0
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where r.upperBound > read {
            var i = max(r.lowerBound, read)
            // Back to the start of the token holding the range's first scalar.
            while i > read && isTokenScalar(t.v[i - 1]) { i -= 1 }
            while i < r.upperBound && i < t.count {
                guard isTokenScalar(t.v[i]) else {
                    i += 1
                    continue
                }
                let (e, part) = token(t, from: i)
                if let part { out.append(part) }
                i = e
            }
            read = i
        }
        return out
    }

    /// The token starting at `i` (a token scalar after a non-token one): its end, and its technical part.
    @inline(__always) private static func token(_ t: ScalarText, from i: Int) -> (Int, Range<Int>?) {
        var e = i
        while e < t.count && isTokenScalar(t.v[e]) { e += 1 }
        // Trailing and leading connectors (sentence punctuation, "key=") are not part of the token.
        var s = i
        var f = e
        while s < f && isConnector(t.v[s]) && t.v[s] != 0x2F && t.v[s] != 0x5C && t.v[s] != 0x23 { s += 1 }
        while f > s && isConnector(t.v[f - 1]) && t.v[f - 1] != 0x2F { f -= 1 }
        return (e, f > s ? technicalPart(t, s, f) : nil)
    }

    /// The technical part of the token t[s..<f] (nil when it is an ordinary word, number or e-mail).
    private static func technicalPart(_ t: ScalarText, _ s: Int, _ f: Int) -> Range<Int>? {
        var letters = 0
        var digits = 0
        var innerUpper = false
        var lowerRun = 0
        var humps = 0
        var upperRun = 0
        var underscore = false
        var slash = false
        var colon = false
        var dot = false
        var dash = false
        var at = false
        var other = false
        var dots = 0
        var dashes = 0
        var shortSegment = false
        var segment = 0
        for k in s..<f {
            let c = t.v[k]
            if Chars.isASCIILetter(c) {
                letters += 1
                if Chars.isUpperASCII(c) {
                    // CamelCase ("ValueError", "getUserId"); not "McDonald", "DeShawn", "MacKenzie".
                    if lowerRun >= 3 || (lowerRun > 0 && humps >= 1) || (lowerRun == 2 && codeWord(t, k, f)) { innerUpper = true }
                    if lowerRun > 0 { humps += 1 }
                    upperRun += 1
                    lowerRun = 0
                } else {
                    // "OOMKilled", "HTTPServer": an acronym run before a word.
                    if upperRun >= 3 { innerUpper = true }
                    upperRun = 0
                    lowerRun += 1
                }
                segment += 1
            } else if Chars.isDigit(c) {
                digits += 1
                segment += 1
                lowerRun = 0
                upperRun = 0
            } else {
                switch c {
                case 0x5F: underscore = true
                case 0x2F, 0x5C: slash = true
                case 0x3A: colon = true
                case 0x2E:
                    dot = true
                    dots += 1
                    if segment < 2 { shortSegment = true }
                case 0x2D:
                    dash = true
                    dashes += 1
                case 0x40: at = true
                default: other = true
                }
                segment = 0
                lowerRun = 0
                upperRun = 0
            }
        }
        // An e-mail address is personal data, not an identifier.
        if at && dot && !slash && !colon { return nil }
        // A phone extension ("4508x769") is the only letter in a phone number.
        if letters == 1 && !underscore && !slash, let x = (s..<f).first(where: { t.isASCIILetter($0) }), t.v[x] | 0x20 == 0x78,
            t.isDigit(x - 1), t.isDigit(x + 1)
        {
            return nil
        }
        let connector = underscore || slash || colon || dot || dash || at || other
        // A phone number with its kind attached ("1693-Office", "58-Fax") is a phone number.
        if letters > 0 && digits > 0 && dash && !underscore && !slash && !colon && !dot && !at && !other,
            let d = (s..<f).last(where: { t.v[$0] == 0x2D }), t.isDigit(d - 1),
            (d + 1..<f).allSatisfy({ t.isASCIILetter($0) }), Lexicon.phoneTypeWords.contains(Chars.hash(t.v, d + 1, f)),
            (s..<d).allSatisfy({ t.isDigit($0) || t.v[$0] == 0x2D })
        {
            return nil
        }
        // "mobile=13917264580", "phone:+8613917264580", "dob=1984-02-09" in a log line: a personal
        // field and its value, not an identifier.
        if letters > 0 && digits >= 7, isPersonalField(t, s, f) { return nil }
        if letters > 0 && digits > 0 {
            // A UK postcode's outward code before its inward code ("LS18 5JX", "SW1A 1AA") is an address;
            // an ordinal ("1st", "22nd", "14th") is a word.
            if !connector && f - s <= 4 {
                if ukOutwardCode(t, s, f) { return nil }
                if letters == 2 && t.isDigit(f - 3) && isOrdinalSuffix(t.v[f - 2], t.v[f - 1]) { return nil }
            }
            // A house number with its letter before a capitalised word ("221B Baker Street"; also "70B
            // Instruct", which then is a word, as "70 Instruct" is: only an address with a street's word
            // after it is found there).
            if !connector && letters == 1 && f - s <= 5 && Addresses.isHouseLetter(t.v[f - 1]) && t[f] == 0x20 && Chars.isUpperASCII(t[f + 1]) {
                return nil
            }
            // Hashes, ids, versions, timestamps, build tags; short mixed runs ("v2", "x86", "3D") are words.
            return f - s >= 4 || connector ? s..<f : nil
        }
        if letters > 0 {
            // snake_case, paths, CamelCase, dotted names ("System.Linq", "example.com"), scheme-like ids ("arn:aws:iam").
            if underscore || slash { return !underscore && Names.isSlashedName(t, s, f) ? nil : s..<f }
            // Header and trailer names: "Co-Authored-By:", "Signed-off-by:", "X-Request-Id:" (not
            // "Stratford-upon-Avon").
            if dashes >= 2 && !dot && !colon && !at && !other && f < t.count && t.v[f] == 0x3A { return s..<f }
            // CamelCase, unless it is a first name and a surname written together ("JohnCarpenter").
            if innerUpper { return !connector && Names.isJoinedFullName(t, s, f) ? nil : s..<f }
            if dot && !shortSegment && segment >= 2 { return s..<f }
            if colon && isSchemeLike(t, s, f) { return s..<f }
            return nil
        }
        // Digits with connectors: only shapes no phone or card has — times with dates, dotted versions.
        if colon && dash && f - s >= 16 { return s..<f }
        // Four or more dotted pairs from a leading zero are a national phone number ("01.84.17.61.18").
        // So is a North American number written with dots ("415.555.0142").
        // A dotted date ("1986.02.14", "12.05.1979") is a date, not a version.
        if dots == 2 && !dash && !colon && Identifiers.parseDate(t, at: s) == f { return nil }
        if dots >= 2 && !dash && !colon && dots != 3 && !dottedPairs(t, s, f) && !dottedNANP(t, s, f) { return s..<f }
        return nil
    }

    /// Field names whose value is a phone number or a date of birth (the key's last word).
    private static let personalFields = Chars.hashSet(
        "phone mobile tel telephone cellphone msisdn fax whatsapp dob birthday birthdate ssn")

    /// t[s..<f] is `key=value` or `key:value`: a key of letters, "_" and "-" whose last word is a
    /// personal field, and a value of digits, "+", "-", "." and "/".
    private static func isPersonalField(_ t: ScalarText, _ s: Int, _ f: Int) -> Bool {
        var q = s
        while q < f && (Chars.isASCIILetter(t.v[q]) || t.v[q] == 0x5F || t.v[q] == 0x2D) { q += 1 }
        guard q > s, q < f - 1, t.v[q] == 0x3D || t.v[q] == 0x3A,
            (q + 1..<f).allSatisfy({ t.isDigit($0) || t.v[$0] == 0x2B || t.v[$0] == 0x2D || t.v[$0] == 0x2E || t.v[$0] == 0x2F })
        else { return false }
        var w = q
        while w > s && Chars.isASCIILetter(t.v[w - 1]) { w -= 1 }
        return personalFields.contains(Chars.hash(t.v, w, q))
    }

    /// t[s..<f] is one or two capitals, a digit, and a digit or a capital, followed by a space and an
    /// inward code (a digit and two capitals): "LS18 5JX", "OX11 7QP", "EC1V 9HX".
    private static func ukOutwardCode(_ t: ScalarText, _ s: Int, _ f: Int) -> Bool {
        var k = s
        while k < f && k - s < 2 && Chars.isUpperASCII(t.v[k]) { k += 1 }
        guard k > s, k < f, t.isDigit(k) else { return false }
        k += 1
        if k < f && (t.isDigit(k) || Chars.isUpperASCII(t.v[k])) { k += 1 }
        guard k == f, t[f] == 0x20, t.isDigit(f + 1), Chars.isUpperASCII(t[f + 2]), Chars.isUpperASCII(t[f + 3]) else { return false }
        return !t.isASCIIAlnum(f + 4)
    }

    /// "st", "nd", "rd" or "th", in either case.
    private static func isOrdinalSuffix(_ a: UInt32, _ b: UInt32) -> Bool {
        switch (a | 0x20, b | 0x20) {
        case (0x73, 0x74), (0x6E, 0x64), (0x72, 0x64), (0x74, 0x68): true
        default: false
        }
    }

    /// "415.555.0142": three, three and four digits, the area code not starting with 0 or 1.
    private static func dottedNANP(_ t: ScalarText, _ s: Int, _ f: Int) -> Bool {
        guard f - s == 12, t.v[s] >= 0x32, t.v[s + 3] == 0x2E, t.v[s + 7] == 0x2E else { return false }
        return (s..<f).allSatisfy { $0 == s + 3 || $0 == s + 7 || t.isDigit($0) }
    }

    /// "06.12.34.56.78": groups of exactly two digits, at least four of them, the first starting with 0.
    private static func dottedPairs(_ t: ScalarText, _ s: Int, _ f: Int) -> Bool {
        guard t.v[s] == 0x30 else { return false }
        var groups = 0
        var run = 0
        for k in s..<f {
            if t.isDigit(k) {
                run += 1
                continue
            }
            guard run == 2 else { return false }
            groups += 1
            run = 0
        }
        return run == 2 && groups + 1 >= 4
    }

    private static let codeWords = ["Error", "Exception", "Id", "Key", "Type", "Name", "Code", "Config", "Handler", "Service", "Event", "Time"]
        .map { $0.unicodeScalars.map(\.value) }

    /// A code word starts at `k` ("KeyError": "Error" after "Key").
    private static func codeWord(_ t: ScalarText, _ k: Int, _ f: Int) -> Bool {
        codeWords.contains { w in k + w.count <= f && (0..<w.count).allSatisfy { t.v[k + $0] == w[$0] } }
    }

    private static func isSchemeLike(_ t: ScalarText, _ s: Int, _ f: Int) -> Bool {
        // "arn:aws:iam", "urn:isbn", "sha256:", "doi:10": a lowercase word, a colon and more token.
        var k = s
        while k < f && Chars.isASCIILetter(t.v[k]) { k += 1 }
        return k > s && k < f - 1 && t.v[k] == 0x3A
    }

    /// Types a technical token overrides.
    @inline(__always) static func isOverridable(_ type: FindingType) -> Bool {
        type == .person || type == .streetAddress || type == .phone || type == .dateOfBirth || type == .usSSN
    }

    /// Drops personal-data findings that overlap a technical token (not those read in the decoded
    /// text of a base64 run, `decoded`), drops loopback, unspecified and private-network IP addresses,
    /// and widens every finding to whole ASCII tokens.
    static func apply(_ t: ScalarText, _ findings: inout [Finding], decoded: [Range<Int>] = []) {
        guard !findings.isEmpty else { return }
        // An SSN written with dots and named as one ("SSN 078.05.1120", scored 0.95) is one, however
        // version-like its dots.
        func namedDottedSSN(_ f: Finding) -> Bool { f.type == .usSSN && f.score >= 0.95 && t[f.start + 3] == 0x2E }
        // Nor is one with dashes in a file's name ("W2_536-22-8714.pdf", "scan 536-22-8714.png"):
        // the name of a scan says whose it is.
        func fileNamedSSN(_ f: Finding) -> Bool {
            guard f.type == .usSSN, t[f.start + 3] == 0x2D, t[f.end] == 0x2E, t.isASCIILetter(f.end + 1) else { return false }
            var k = f.end + 1
            while t.isASCIILetter(k) || t.isDigit(k) { k += 1 }
            return k - f.end - 1 <= 5 && !(isTokenScalar(t[k]) && (t[k] != 0x2E || isTokenScalar(t[k + 1])))  // "….pdf." ends a sentence
        }
        // Nor an international number that is a field's value ("TEL;TYPE=cell:+1-415-867-2291" in a
        // vCard, "to=+14158672291" in a query): after ':' or '=', a '+' and ten digits or more.
        func fieldPhone(_ f: Finding) -> Bool {
            guard f.type == .phone, t[f.start] == 0x2B, t[f.start - 1] == 0x3A || t[f.start - 1] == 0x3D else { return false }
            return (f.start..<f.end).filter { t.isDigit($0) }.count >= 10
        }
        // A set: a text of thousands of encoded values made the search per finding quadratic.
        let decoded = Set(decoded)
        func mayBeDropped(_ f: Finding) -> Bool {
            isOverridable(f.type) && !namedDottedSSN(f) && !fileNamedSSN(f) && !fieldPhone(f) && !decoded.contains(f.start..<f.end)
        }
        // The technical tokens where a finding may be dropped, each read once (finding each one's again
        // per finding was quadratic in a long token: "aB3aB3…" of 60 KB took a minute), and only those:
        // reading every token of a prose prompt cost a tenth of its classification.
        let near = spans(t, near: findings.filter(mayBeDropped).map { $0.start..<$0.end })
        func overlapsTechnical(_ s: Int, _ e: Int) -> Bool {
            // The first span that ends after s: it overlaps when it starts before e.
            var low = 0
            var high = near.count
            while low < high {
                let mid = (low + high) / 2
                if near[mid].upperBound <= s { low = mid + 1 } else { high = mid }
            }
            return low < near.count && near[low].lowerBound < e
        }
        findings.removeAll { mayBeDropped($0) && overlapsTechnical($0.start, $0.end) }
        // In technical text a person needs more than one capitalised word: a lone label or first name
        // ("Ruby: NoMethodError", "Gradle: Could not resolve") is a product or a header.
        func lone(_ f: Finding) -> Bool {
            f.type == .person && f.score < 0.7 && (f.start..<f.end).allSatisfy { t.v[$0] < 0x80 && !Chars.isSpace(t.v[$0]) }
        }
        if findings.contains(where: lone), spans(t).count >= 2 { findings.removeAll(where: lone) }
        findings.removeAll { $0.type == .ipAddress && isInternalIP(t, $0.start, $0.end) }
        for k in findings.indices {
            var f = findings[k]
            // Not into a URL escape's hex digits ("mailto%3Aana%40…": the address starts at "ana").
            while f.start > 0 && t.isASCIIAlnum(f.start - 1) && t.isASCIIAlnum(f.start) && !(f.start >= 3 && t.v[f.start - 3] == 0x25) {
                f.start -= 1
            }
            while f.end < t.count && t.isASCIIAlnum(f.end) && t.isASCIIAlnum(f.end - 1) { f.end += 1 }
            findings[k] = f
        }
    }

    /// 127/8, 0.0.0.0, 10/8, 172.16/12, 192.168/16, 169.254/16 and ::1: hosts on the machine
    /// or an internal network, not a person.
    static func isInternalIP(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var parts: [Int] = []
        var value = 0
        var digits = 0
        for k in s..<e {
            let c = t.v[k]
            if Chars.isDigit(c) {
                value = value * 10 + Int(c - 0x30)
                digits += 1
            } else if c == 0x2E {
                parts.append(value)
                value = 0
                digits = 0
            } else {
                // IPv6
                let text = t.string(s, e).lowercased()
                return text == "::1"
            }
        }
        if digits > 0 { parts.append(value) }
        guard parts.count == 4 else { return false }
        switch parts[0] {
        case 0, 10, 127: return true
        case 172: return (16...31).contains(parts[1])
        case 192: return parts[1] == 168
        case 169: return parts[1] == 254
        default: return false
        }
    }
}
