// Structured identifiers: email, phone, card, IBAN, SSN, Chinese resident ID, IP, passport, date of
// birth. Each detector starts from a cheap anchor ('@', a digit run, two letters + two digits) and
// validates locally, so the whole pass stays linear in the prompt length.

enum Identifiers {
    // MARK: Email

    static func isLocalChar(_ c: UInt32) -> Bool {
        Chars.isASCIILetter(c) || Chars.isDigit(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D
    }

    private static func isDomainChar(_ c: UInt32) -> Bool { Chars.isASCIILetter(c) || Chars.isDigit(c) || c == 0x2E || c == 0x2D }

    /// At an '@': the address around it.
    /// Also at a URL-encoded '@' ("%40", in query strings and form bodies: "email=ana.lima%40gmail.com"),
    /// where the local part is read without escapes ("mailto%3Aana%40…": the local part is "ana").
    @inline(__always) static func emailStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let encoded = t.v[i] == 0x25
        guard encoded ? t[i + 1] == 0x34 && t[i + 2] == 0x30 : t.v[i] == 0x40 else { return i + 1 }
        var s = i
        while s > 0 && i - s < 64 && isLocalChar(t.v[s - 1]) && !(encoded && t.v[s - 1] == 0x25) { s -= 1 }
        // Past an escape's two hex digits ("%3Aana": "ana").
        if encoded, s > 0, t.v[s - 1] == 0x25 { s = min(s + 2, i) }
        while s < i && t.v[s] == 0x2E { s += 1 }
        // "postgres://app@db:5432": the user of a URL, not an e-mail address.
        if s >= 2 && t.v[s - 1] == 0x2F && t.v[s - 2] == 0x2F { return i + 1 }
        let domain = encoded ? i + 3 : i + 1
        var e = domain
        while e < t.count && e - domain < 254 && isDomainChar(t.v[e]) { e += 1 }
        while e > domain && (t.v[e - 1] == 0x2E || t.v[e - 1] == 0x2D) { e -= 1 }
        // The domain needs a dot and a top-level label of two or more letters.
        var lastDot = -1
        for k in domain..<max(e, domain) where t.v[k] == 0x2E { lastDot = k }
        if s < i, lastDot > domain, e - lastDot - 1 >= 2, (lastDot + 1..<e).allSatisfy({ t.isASCIILetter($0) }), t[domain] != 0x2E {
            // A no-reply mailbox (a git trailer's "noreply@anthropic.com", "no-reply@github.com")
            // reaches no person: found, weakly.
            let unattended = Lexicon.unattendedMailboxes.contains(Chars.hash(t.v, s, i))
            out.append(Finding(type: .email, start: s, end: e, score: unattended ? 0.3 : 0.95))
            return e
        }
        return i + 1
    }

    // MARK: IBAN (ISO 13616, mod-97)

    /// At two letters followed by two digits (the country code and check digits; `i + 4 < count`).
    @inline(__always) static func ibanStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        // Digits are rarer than letters in prose: test them first.
        guard t.isDigit(i + 2), t.isDigit(i + 3), t.isASCIILetter(i), t.isASCIILetter(i + 1), !t.isASCIIAlnum(i - 1) else { return i + 1 }
        // Collect alphanumerics, allowing single spaces between groups.
        var chars: [UInt32] = []
        var ends: [Int] = []
        var k = i
        while k < t.count && chars.count < 34 {
            if t.isASCIIAlnum(k) {
                chars.append(Chars.lowerASCII(t.v[k]) >= 0x61 ? Chars.lowerASCII(t.v[k]) - 0x20 : t.v[k])
                k += 1
                ends.append(k)
            } else if t.v[k] == 0x20 && t.isASCIIAlnum(k + 1) && t.isASCIIAlnum(k - 1) {
                k += 1
            } else {
                break
            }
        }
        if chars.count >= 15 {
            for n in stride(from: chars.count, through: 15, by: -1) {
                let end = ends[n - 1]
                if t.isASCIIAlnum(end) { continue }
                if mod97(Array(chars[0..<n])) {
                    out.append(Finding(type: .iban, start: i, end: end, score: 0.95))
                    return end
                }
            }
        }
        return i + 1
    }

    /// ISO 7064 mod 97-10 over an upper-cased IBAN candidate.
    static func mod97(_ chars: [UInt32]) -> Bool {
        guard chars.count >= 5 else { return false }
        let rotated = Array(chars[4...]) + Array(chars[0..<4])
        var remainder = 0
        for c in rotated {
            if Chars.isDigit(c) {
                remainder = (remainder * 10 + Int(c - 0x30)) % 97
            } else if c >= 0x41 && c <= 0x5A {
                remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
            } else {
                return false
            }
        }
        return remainder == 1
    }

    // MARK: Digit chains: cards, CN IDs, SSNs, IPv4, phones

    struct Chain {
        var start: Int
        var end: Int
        var groups: [Int] = []  // digit count per group
        var separators: [UInt32] = []  // separator scalar between groups (first of a run)
        var digits: [UInt8] = []
        var plus = false
        var parens = false
        var hasExtension = false
        var trailingCheckX = false
        /// A dash between spaces joined two groups ("415 - 867"): how a number is read out or a range
        /// typeset, so the kind of number must be named nearby.
        var spacedDash = false
        /// The distinct values in `separators`, as bits (see `separatorBit`).
        var separatorBits: UInt8 = 0

        init(start: Int) {
            self.start = start
            self.end = start
        }

        /// Starts a new chain at `start`, keeping the arrays' storage (one chain per digit run would
        /// otherwise allocate three arrays).
        mutating func reset(start: Int) {
            self.start = start
            end = start
            groups.removeAll(keepingCapacity: true)
            separators.removeAll(keepingCapacity: true)
            digits.removeAll(keepingCapacity: true)
            plus = false
            parens = false
            hasExtension = false
            trailingCheckX = false
            spacedDash = false
            separatorBits = 0
        }

        /// The numbers the first `count` groups spell.
        func groupValues(_ count: Int) -> [Int] {
            var values: [Int] = []
            var offset = 0
            for g in groups.prefix(count) {
                values.append(digits[offset..<offset + g].reduce(0) { $0 * 10 + Int($1) })
                offset += g
            }
            return values
        }

        /// Whether the group sizes are exactly the given ones (an array literal would allocate per comparison).
        func hasGroups(_ a: Int, _ b: Int = -1, _ c: Int = -1, _ d: Int = -1) -> Bool {
            let n = d >= 0 ? 4 : c >= 0 ? 3 : b >= 0 ? 2 : 1
            guard groups.count == n, groups[0] == a else { return false }
            return (n < 2 || groups[1] == b) && (n < 3 || groups[2] == c) && (n < 4 || groups[3] == d)
        }
    }

    /// Separators are ' ', '-', '.' or ')' (see `readChain`); anything else would share the last bit.
    private static let space: UInt8 = 1, dash: UInt8 = 2, dot: UInt8 = 4, paren: UInt8 = 8

    @inline(__always) private static func separatorBit(_ c: UInt32) -> UInt8 {
        switch c {
        case 0x20: space
        case 0x2D: dash
        case 0x2E: dot
        case 0x29: paren
        default: 16
        }
    }

    private static func isChainSeparator(_ c: UInt32) -> Bool { c == 0x20 || c == 0x2D || c == 0x2E }

    /// At a digit, or a '+' or '(' before one: the phone, card, SSN or ID number starting there.
    /// `chain` is scratch space, reused between steps.
    @inline(__always) static func digitChainStep(_ t: ScalarText, _ start: Int, _ chain: inout Chain, _ out: inout [Finding]) -> Int {
        var i = start
        guard t.isDigit(i) || (t.v[i] == 0x2B && t.isDigit(i + 1)) || (t.v[i] == 0x28 && t.isDigit(i + 1)) else { return i + 1 }
        // Digits glued to ASCII letters (hashes, keys, IBANs) are not identifiers here.
        if t.isASCIILetter(i - 1) || t.isDigit(i - 1)
            || (t.v[i] != 0x2B && t.v[i] != 0x28 && (t[i - 1] == 0x2E || t[i - 1] == 0x2D) && t.isDigit(i - 2))
        {
            while i < t.count && (t.isDigit(i) || t.v[i] == 0x2B || t.v[i] == 0x28) { i += 1 }
            return i
        }
        // "(419-276-3308)": a bracket around the whole number, not around an area code.
        if t.v[i] == 0x28 {
            var k = i + 1
            while t.isDigit(k) && k - i <= 5 { k += 1 }
            if t[k] != 0x29 { i += 1 }
        }
        if let end = markedNumber(t, from: i, into: &out) { return end }
        readChain(t, from: i, into: &chain)
        classifyChain(t, chain, into: &out)
        return max(chain.end, i + 1)
    }

    /// An SSN, a card or a phone number whose groups are joined by '/', '_', ',' or '|' (the same
    /// one throughout): "536/22/8714", "536_22_8714", "4539/1726/3849/1059", "4539|1726|3849|1059",
    /// "415/867/2291". Only these shapes: other numbers so joined are dates, fractions, paths and
    /// lists. Its end, or nil (nothing found).
    private static func markedNumber(_ t: ScalarText, from start: Int, into out: inout [Finding]) -> Int? {
        guard t.isDigit(start) else { return nil }
        var k = start
        var groups: [Int] = []
        var mark: UInt32 = 0
        while groups.count < 4 {
            let g = k
            while t.isDigit(k) && k - g < 5 { k += 1 }
            groups.append(k - g)
            let c = t[k]
            guard !t.isDigit(k), c == 0x2F || c == 0x5F || c == 0x2C || c == 0x7C, mark == 0 || c == mark, t.isDigit(k + 1) else { break }
            if groups.count == 1 && (k - g < 3 || k - g > 4) { return nil }  // no shape starts so (most chains end here)
            mark = c
            k += 1
        }
        guard mark != 0, !t.isDigit(k), !t.isASCIILetter(k), !(t[k] == mark && t.isDigit(k + 1)) else { return nil }
        var digits: [UInt8] = []
        for p in start..<k where t.isDigit(p) { digits.append(UInt8(t.v[p] - 0x30)) }
        let context = { (words: ContextWords, window: Int) in t.hasContext(words, before: start, window: window) }
        // (An SSN or a phone number so joined only where one is named: "section 123/45/6789", "ratio
        // 415/867/2291" and "build 415_867_2291" are not; a Luhn-valid card's sixteen digits are.)
        if groups == [3, 2, 4] && mark != 0x2C && mark != 0x7C && ssnValid(digits) && context(Lexicon.ssnContext, 40) {
            out.append(Finding(type: .usSSN, start: start, end: k, score: 0.95))
        } else if groups == [4, 4, 4, 4] && luhn(digits) {
            out.append(Finding(type: .creditCard, start: start, end: k, score: context(Lexicon.cardContext, 60) ? 0.97 : 0.9))
        } else if groups == [3, 3, 4] && (mark == 0x2F || mark == 0x5F) && context(Lexicon.phoneContext, 30) {
            out.append(Finding(type: .phone, start: start, end: k, score: 0.9))
        } else {
            return nil
        }
        return k
    }

    private static func readChain(_ t: ScalarText, from start: Int, into c: inout Chain) {
        c.reset(start: start)
        var k = start
        if t.v[k] == 0x2B {
            c.plus = true
            k += 1
        }
        var lastSep: UInt32 = 0
        var counted = 0
        while k < t.count {
            var paren = false
            if t.v[k] == 0x28 && t.isDigit(k + 1) {
                paren = true
                k += 1
            }
            let g = k
            while k < t.count && t.isDigit(k) && k - g < 19 {
                c.digits.append(UInt8(t.v[k] - 0x30))
                k += 1
            }
            if k == g { break }
            if paren {
                guard t[k] == 0x29 else {
                    c.end = k
                    c.groups.append(c.digits.count - counted)
                    return
                }
                k += 1
                c.parens = true
            }
            if !c.groups.isEmpty {
                c.separators.append(lastSep)
                c.separatorBits |= separatorBit(lastSep)
            }
            c.groups.append(c.digits.count - counted)
            counted = c.digits.count
            c.end = k
            // An 11-digit Chinese mobile number is whole: what follows it ("13817092265 3桌", the next
            // number in a list) is not part of it.
            if c.groups.count == 1 && !c.plus && !c.parens && counted == 11 && c.digits[0] == 1 && c.digits[1] >= 3 { break }
            // No identifier is longer than 19 digits: stop (this also keeps "1-1-1-…" linear).
            if c.digits.count > 24 || c.groups.count > 12 { break }
            // Separator run: at most two scalars from " -.", or a dash between spaces ("415 - 867 -
            // 2291", as a number is read out or typed by hand), or directly an opening parenthesis.
            var s = k
            var sep: UInt32 = 0
            if t[k] == 0x20 && t[k + 1] == 0x2D && t[k + 2] == 0x20 {
                sep = 0x2D
                s = k + 3
                c.spacedDash = true
            } else {
                while s < t.count && s - k < 2 && isChainSeparator(t.v[s]) {
                    if sep == 0 || t.v[s] != 0x20 { sep = t.v[s] }
                    s += 1
                }
            }
            if sep == 0 && paren && t.isDigit(s) { sep = 0x29 }
            if t.isDigit(s) || (t[s] == 0x28 && t.isDigit(s + 1)) {
                if s == k && !paren { break }
                lastSep = sep == 0 ? 0x20 : sep
                k = s
                continue
            }
            break
        }
        // Extension: "x123" or "ext. 123".
        if t[c.end] == 0x78 && t.isDigit(c.end + 1) {
            var e = c.end + 1
            while t.isDigit(e) { e += 1 }
            if !t.isASCIILetter(e) {
                c.end = e
                c.hasExtension = true
            }
        }
        // The Chinese ID's final check character.
        if (t[c.end] == 0x58 || t[c.end] == 0x78) && c.digits.count == 17 && !t.isASCIIAlnum(c.end + 1) { c.trailingCheckX = true }
    }

    private static func classifyChain(_ t: ScalarText, _ c: Chain, into out: inout [Finding]) {
        let n = c.digits.count
        let single = c.groups.count == 1
        let separators = c.separatorBits
        let spacesOrDashes = separators & ~(space | dash) == 0
        if t.isASCIILetter(c.end) && !c.trailingCheckX { return }

        // Chinese resident ID: 17 digits + check digit (digit or X), birth date valid; written whole or
        // grouped as region, birth date and the rest ("110101 19900307 123X", "110101 1990 0307 123X").
        let idGroups = single || c.hasGroups(6, 8, 4) || c.hasGroups(6, 8, 3) || c.hasGroups(6, 4, 4, 4) || c.hasGroups(6, 4, 4, 3)
        if idGroups && spacesOrDashes && !c.plus && !c.parens && (n == 18 || (n == 17 && c.trailingCheckX)) {
            let check: Int = n == 18 ? Int(c.digits[17]) : 10
            if cnIDValid(Array(c.digits[0..<17]), check: check) {
                out.append(Finding(type: .chineseResidentID, start: c.start, end: n == 18 ? c.end : c.end + 1, score: 0.97))
                return
            }
        }
        // The first-generation Chinese resident ID (15 digits: region, birth date YYMMDD, sequence; no
        // check digit), still on old cards and records: only where an ID card is named.
        if single && n == 15 && !c.plus && !c.parens && oldCNID(c.digits) && t.hasContext(cnIDContext, before: c.start, window: 30) {
            out.append(Finding(type: .chineseResidentID, start: c.start, end: c.end, score: 0.9))
            return
        }
        // Chinese mobile: 1[3-9] + 9 digits, optionally +86.
        let mobileShape = single || c.hasGroups(3, 4, 4) || (c.plus && (c.hasGroups(2, 11) || c.hasGroups(2, 3, 4, 4) || c.hasGroups(13)))
        if !c.parens && n >= 11 && n <= 13 && mobileShape && spacesOrDashes {
            var d = c.digits[...]
            if c.plus && n == 13 && d.starts(with: [8, 6]) { d = d.dropFirst(2) }
            // "13812345678 iterations": a count.
            if d.count == 11 && d.first == 1 && d[d.startIndex + 1] >= 3 && !t.isDigit(c.end)
                && !(single && wordAfter(t, c.end, in: Lexicon.measureUnits))
            {
                // "Job id 13419707773": an id that happens to have the shape, unless a phone word says otherwise.
                if single && !c.plus && t.hasContext(Lexicon.identifierContext, before: c.start, window: 10)
                    && !t.hasContext(Lexicon.phoneContext, before: c.start, window: 30)
                {
                    return
                }
                out.append(Finding(type: .phone, start: c.start, end: c.end, score: 0.9))
                return
            }
        }
        // IPv4: four dot-separated groups of 1-3 digits, each <= 255.
        if c.groups.count >= 4 && c.separators.prefix(3).allSatisfy({ $0 == 0x2E }) && c.groups.prefix(4).allSatisfy({ $0 <= 3 }) {
            let values = c.groupValues(4)
            if values.allSatisfy({ $0 <= 255 }) && !c.plus && !c.parens {
                // End of the fourth group.
                var end = c.start
                var groupsSeen = 0
                while end < t.count && groupsSeen < 4 {
                    if t.isDigit(end) {
                        while t.isDigit(end) { end += 1 }
                        groupsSeen += 1
                    } else {
                        end += 1
                    }
                }
                if !(t[end] == 0x2E && t.isDigit(end + 1)) {
                    out.append(Finding(type: .ipAddress, start: c.start, end: end, score: 0.9))
                    return
                }
            }
        }
        // US SSN: 3-2-4 with dashes or spaces, or 9 digits (or 3.2.4 with dots) next to "SSN"/"social security".
        let ssnShape = c.hasGroups(3, 2, 4) && separators.nonzeroBitCount == 1 && spacesOrDashes
        let dotted = c.hasGroups(3, 2, 4) && separators == dot
        // The context only matters for an SSN shape or nine bare digits: skip the look-back otherwise.
        let ssnContext =
            !c.plus && !c.parens && (ssnShape || dotted || (single && n == 9)) && t.hasContext(Lexicon.ssnContext, before: c.start, window: 40)
        if !c.plus && !c.parens && (ssnShape && !c.spacedDash || (ssnShape || (single && n == 9) || dotted) && ssnContext) {
            if ssnValid(c.digits) {
                out.append(Finding(type: .usSSN, start: c.start, end: c.end, score: ssnContext ? 0.95 : 0.85))
            }
            if ssnShape || dotted { return }
        }
        // The first five digits of an SSN, named as such ("my SSN starts with 536-22", the rest given
        // in a later turn): five of its nine digits.
        if c.hasGroups(3, 2) && separators == dash && !c.plus && !c.parens && !t.isDigit(c.end + 1)
            && t.hasContext(Lexicon.ssnContext, before: c.start, window: 40) && ssnValid(c.digits + [0, 0, 0, 1])
            && namesTheStart(t, before: c.start)
        {
            out.append(Finding(type: .usSSN, start: c.start, end: c.end, score: 0.85))
            return
        }
        // Payment cards: 12-19 digits, Luhn-valid, in groups separated by spaces or dashes (or dots
        // between groups of four: "4111.1111.1111.1111").
        let dottedFours = separators == dot && n == 16 && c.hasGroups(4, 4, 4, 4)
        if !c.plus && !c.parens && n >= 12 && n <= 19 && (spacesOrDashes || dottedFours) && !c.hasExtension && luhn(c.digits) {
            let cardContext = t.hasContext(Lexicon.cardContext, before: c.start, window: 60)
            // Card groupings: fours (the last may be shorter), Amex 4-6-5, Diners 4-6-4. Other
            // groupings are ids (a process id and a hex run in a temp path, "13246-12345678").
            let fours = c.groups.count >= 3 && c.groups.dropLast().allSatisfy { $0 == 4 } && (1...4).contains(c.groups.last ?? 0)
            let shapeOK = single || fours || c.hasGroups(4, 6, 5) || c.hasGroups(4, 6, 4)
            // Card numbers start with 2–6 (Mastercard's 2-series, Amex and Diners 3, Visa 4,
            // Mastercard and Maestro 5, Discover and UnionPay 6); a long id that passes Luhn by
            // chance ("Tweet id 1758531924205421572") mostly starts otherwise.
            let issuerOK = cardContext || (2...6).contains(c.digits[0])
            if shapeOK && issuerOK && (n >= 13 || cardContext) {
                out.append(Finding(type: .creditCard, start: c.start, end: c.end, score: cardContext ? 0.97 : 0.9))
                return
            }
        }
        // Phone numbers: 7-15 digits; several groups, a "+", parentheses, or a phone word nearby.
        if n >= 7 && n <= 15 {
            if looksLikeDate(c) { return }
            if separators & dot != 0 && c.groups.count < 3 { return }
            // Dotted groups of one digit are versions ("10.0.2.1"), not phone numbers ("+1.415.555.0142" is).
            if separators & dot != 0 && c.groups.contains(where: { $0 < 2 }) && !c.plus { return }
            // Two dashed groups of one length (three to five digits), the second the larger, are a range
            // ("30000-32767" ports, "2019–2024" years, "pp. 1234–1240", "4500 – 6000 USD").
            if separators == dash && c.groups.count == 2 && c.groups[0] == c.groups[1] && (3...5).contains(c.groups[0])
                && c.groupValues(2)[0] < c.groupValues(2)[1] && !t.hasContext(Lexicon.phoneContext, before: c.start, window: 30)
            {
                return
            }
            // A number read out or typeset with spaced dashes is a phone number only where one is named.
            if c.spacedDash && !c.plus && !t.hasContext(Lexicon.phoneContext, before: c.start, window: 30) { return }
            // Dashed round numbers or a run of neighbours are a range or ports ("1000-2000-3000", "5432-5433-5434").
            if separators == dash && c.groups.count >= 3 && !t.hasContext(Lexicon.phoneContext, before: c.start, window: 30) && isNumberSequence(c) {
                return
            }
            // A run of two-digit pairs is a hex dump or a table ("36 00 00 00 00"), unless it starts like a
            // national number ("06 12 34 56 78").
            if c.groups.count >= 5 && c.groups.allSatisfy({ $0 == 2 }) && (c.digits[0] != 0 || zeroPairs(c) >= 2) { return }
            // A phone number does not end in a one-digit group ("30 14 28 2 *" is a cron schedule).
            if c.groups.count >= 3 && c.groups.last == 1 && !c.plus && !c.parens { return }
            // An id after "id", "job", "run", "build", "order", "订单" (no phone word nearby) is no phone number.
            if t.hasContext(Lexicon.identifierContext, before: c.start, window: 10)
                && !t.hasContext(Lexicon.phoneContext, before: c.start, window: 30)
            {
                return
            }
            if t.hasContext(Lexicon.isbnContext, before: c.start, window: 16) { return }
            if wordAfter(t, c.end, in: Lexicon.measureUnits) { return }
            let phoneContext = t.hasContext(Lexicon.phoneContext, before: c.start, window: 30)
            if t.hasContext(Lexicon.postcodeContext, before: c.start, window: 12) { return }
            let dashed = separators == dash && n >= 9 && c.groups.allSatisfy { $0 <= 8 }
            // Two space-separated groups ("502 5971": a status and a size) are not enough without a phone word.
            let grouped =
                c.groups.count >= 2 && (c.groups.allSatisfy { $0 <= 5 } || dashed) && (c.groups.first ?? 0) <= 5
                && !(c.groups.count == 2 && separators == space && !phoneWordAfter(t, c.end) && !localNumberInProse(t, c))
            // An Indian mobile number as it is written and said: five and five digits, the first 6-9.
            let indianMobile = c.hasGroups(5, 5) && separators == space && c.digits[0] >= 6 && phoneWordAfter(t, c.end)
            // A UK mobile number as written: "07845 221903".
            let ukMobile = c.hasGroups(5, 6) && separators == space && c.digits[0] == 0 && c.digits[1] == 7
            if c.plus || c.parens || grouped || indianMobile || ukMobile || phoneContext {
                let score = (phoneContext ? 0.9 : 0.7) + (c.plus ? 0.05 : 0)
                // A bare space-separated chain directly followed by a word may be an address number.
                let onlySpaces = separators == space
                out.append(Finding(type: .phone, start: c.start, end: c.end, score: onlySpaces && !phoneContext ? 0.55 : score))
            }
        }
    }

    /// Whether the 50 scalars before `start` say a value's beginning follows ("starts with", "begins",
    /// "first five").
    private static func namesTheStart(_ t: ScalarText, before start: Int) -> Bool {
        var window = ""
        for k in max(0, start - 50)..<start { window.unicodeScalars.append(Unicode.Scalar(Chars.lowerASCII(t.v[k])) ?? " ") }
        return window.contains("start") || window.contains("begin") || window.contains("first")
    }

    /// Groups of one length that are all round ("100-200-300") or each within 10 of the one before
    /// ("5432-5433-5434").
    private static func isNumberSequence(_ c: Chain) -> Bool {
        guard let size = c.groups.first, c.groups.allSatisfy({ $0 == size }) else { return false }
        let values = c.groupValues(c.groups.count)
        if size >= 2 && values.allSatisfy({ $0 % 100 == 0 }) { return true }
        return zip(values, values.dropFirst()).allSatisfy { abs($1 - $0) <= 10 }
    }

    /// "781 1704 office", "555 0134 (home)": a phone-type word right after a number.
    private static func phoneWordAfter(_ t: ScalarText, _ end: Int) -> Bool {
        wordAfter(t, end, in: Lexicon.phoneTypeWords)
    }

    /// "my registered 668 5702.": a 3-4 local number after a word, closing its sentence or line
    /// (a log's "HTTP/1.1\" 502 5971" follows a quote; "502 5971 bytes" goes on).
    private static func localNumberInProse(_ t: ScalarText, _ c: Chain) -> Bool {
        guard c.groups.count == 2, c.groups[0] == 3, c.groups[1] == 4, c.digits[0] >= 2,
            c.start >= 2, t.v[c.start - 1] == 0x20, Chars.isASCIILetter(t.v[c.start - 2])
        else { return false }
        guard c.end < t.count else { return true }
        let next = t.v[c.end]
        return next == 0x2E || next == 0x2C || next == 0x3F || next == 0x21 || next == 0x0A || next == 0x3B
    }

    /// Whether the word right after `end` (past up to two spaces or an opening parenthesis) is one of `words`.
    private static func wordAfter(_ t: ScalarText, _ end: Int, in words: WordSet) -> Bool {
        var k = end
        while k < t.count && k - end < 3 && (t.v[k] == 0x20 || t.v[k] == 0x28) { k += 1 }
        var e = k
        while e < t.count && Chars.isASCIILetter(t.v[e]) { e += 1 }
        guard e > k, e == t.count || !Chars.isDigit(t.v[e]) else { return false }
        return words.contains(Chars.hash(t.v, k, e))
    }

    /// How many two-digit groups are "00".
    private static func zeroPairs(_ c: Chain) -> Int {
        var count = 0
        var offset = 0
        for g in c.groups {
            if g == 2 && c.digits[offset] == 0 && c.digits[offset + 1] == 0 { count += 1 }
            offset += g
        }
        return count
    }

    private static func looksLikeDate(_ c: Chain) -> Bool {
        guard c.groups.count >= 3 else { return false }
        let g = c.groups
        if g[0] == 4 && g[1] <= 2 && g[2] <= 2 && c.separators[0] != 0x20 { return true }
        if g[0] <= 2 && g[1] <= 2 && g[2] == 4 && c.separators[0] != 0x20 && c.separators[0] == c.separators[1] { return true }
        return false
    }

    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var x = Int(d)
            if i % 2 == 1 {
                x *= 2
                if x > 9 { x -= 9 }
            }
            sum += x
        }
        return sum % 10 == 0
    }

    /// SSA rules: area not 000, 666 or 900-999; group not 00; serial not 0000.
    static func ssnValid(_ d: [UInt8]) -> Bool {
        guard d.count == 9 else { return false }
        let area = Int(d[0]) * 100 + Int(d[1]) * 10 + Int(d[2])
        let group = Int(d[3]) * 10 + Int(d[4])
        let serial = Int(d[5]) * 1000 + Int(d[6]) * 100 + Int(d[7]) * 10 + Int(d[8])
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// GB 11643-1999: weighted mod-11 check, and a real birth date in digits 7-14.
    /// Words naming a Chinese ID card, before a 15-digit first-generation number.
    static let cnIDContext = ContextWords(["身份证", "身份證", "身分证", "身分證", "id card", "identity card", "resident id", "shenfenzheng"])

    /// Provinces' codes (the first two digits of a region code).
    private static let provinceCodes: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ]

    /// A first-generation ID's 15 digits: a province's code, then a valid birth date in the 1900s.
    static func oldCNID(_ d: [UInt8]) -> Bool {
        guard d.count == 15, provinceCodes.contains(Int(d[0]) * 10 + Int(d[1])) else { return false }
        let year = 1900 + Int(d[6]) * 10 + Int(d[7])
        return validDate(year: year, month: Int(d[8]) * 10 + Int(d[9]), day: Int(d[10]) * 10 + Int(d[11]))
    }

    static func cnIDValid(_ d: [UInt8], check: Int) -> Bool {
        guard d.count == 17 else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for k in 0..<17 { sum += Int(d[k]) * weights[k] }
        let expected = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2][sum % 11]
        guard expected == check else { return false }
        let year = d[6..<10].reduce(0) { $0 * 10 + Int($1) }
        let month = Int(d[10]) * 10 + Int(d[11])
        let day = Int(d[12]) * 10 + Int(d[13])
        return year >= 1900 && year <= 2100 && validDate(year: year, month: month, day: day)
    }

    static func validDate(year: Int, month: Int, day: Int) -> Bool {
        guard month >= 1 && month <= 12 && day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    // MARK: IPv6

    static func scanIPv6(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasColon else { return }
        var i = 0
        while i < t.count {
            guard t.v[i] == 0x3A || Chars.isHexDigit(t.v[i]) else {
                i += 1
                continue
            }
            if i > 0 && (t.isASCIIAlnum(i - 1) || t.v[i - 1] == 0x3A) {
                i += 1
                continue
            }
            var e = i
            var colons = 0
            while e < t.count && (Chars.isHexDigit(t.v[e]) || t.v[e] == 0x3A || (t.v[e] == 0x2E && t.isDigit(e + 1))) && e - i < 45 {
                if t.v[e] == 0x3A { colons += 1 }
                e += 1
            }
            if colons >= 2 && !t.isASCIILetter(e) && ipv6Valid(Array(t.v[i..<e])) {
                out.append(Finding(type: .ipAddress, start: i, end: e, score: 0.9))
                i = e
                continue
            }
            i = max(e, i + 1)
        }
    }

    static func ipv6Valid(_ v: [UInt32]) -> Bool {
        var parts: [[UInt32]] = [[]]
        for c in v { if c == 0x3A { parts.append([]) } else { parts[parts.count - 1].append(c) } }
        var doubleColon = 0
        var groups = 0
        var k = 0
        while k < parts.count {
            let p = parts[k]
            if p.isEmpty {
                // "::" yields empty parts; leading/trailing "::" yield two.
                if k + 1 < parts.count && parts[k + 1].isEmpty {
                    doubleColon += 1
                    k += 2
                    continue
                }
                if k == 0 || k == parts.count - 1 { return false }
                doubleColon += 1
                k += 1
                continue
            }
            if p.contains(0x2E) {
                guard k == parts.count - 1 else { return false }
                let octets = p.split(separator: 0x2E)
                guard octets.count == 4,
                    octets.allSatisfy({ $0.count <= 3 && $0.allSatisfy(Chars.isDigit) && $0.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 255 })
                else { return false }
                groups += 2
            } else {
                guard p.count <= 4 && p.allSatisfy(Chars.isHexDigit) else { return false }
                groups += 1
            }
            k += 1
        }
        if doubleColon > 1 { return false }
        return doubleColon == 1 ? groups < 8 && groups >= 1 : groups == 8
    }

    // MARK: Passport numbers (context-gated)

    /// At a word for a passport ("passport", "passeport", "Reisepass", "护照", "パスポート", "여권"…): a
    /// passport-like number shortly after.
    @inline(__always) static func passportStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let c = Chars.lowerASCII(t.v[i])
        var anchorEnd = -1
        if c < 0x80 && t.isASCIILetter(i - 1) { return i + 1 }
        let words = Lexicon.passportWords
        // The second scalar first: "pa…", "re…", "hộ…", "护照…".
        guard words.mayStart(c, Chars.lowerASCII(t[i + 1])) else { return i + 1 }
        var candidates = words.candidates(c)
        while candidates != 0 {
            let index = candidates.trailingZeroBitCount
            candidates &= candidates - 1
            if words.matches(index, t, at: i) {
                anchorEnd = i + words.count(index)
                break
            }
        }
        guard anchorEnd >= 0 else { return i + 1 }
        // A 6-9 character alphanumeric token with at least 5 digits (and at most 3 letters: "PAA482913")
        // or a German passport number within 30 scalars; then more of them in a list ("E73019264、E80126643", "X, Y and Z").
        var k = anchorEnd
        var limit = anchorEnd + 30
        while k < min(t.count, limit) {
            if t.isASCIIAlnum(k) && !t.isASCIIAlnum(k - 1) {
                var e = k
                var digits = 0
                while t.isASCIIAlnum(e) {
                    if t.isDigit(e) { digits += 1 }
                    e += 1
                }
                let len = e - k
                // Or Germany's shape: nine of C F G H J K L M N P R T V W X Y Z and digits, a letter of
                // C F G H J K first ("CTX8J3WMZ"; not a booking reference or "IPHONE15").
                if len >= 6 && len <= 9 && (digits >= 5 && len - digits <= 3 || germanPassport(t, k, e)) {
                    out.append(Finding(type: .passport, start: k, end: e, score: 0.85))
                    var next = e
                    while next < t.count && next - e < 6
                        && (t.v[next] == 0x20 || t.v[next] == 0x2C || t.v[next] == 0x3001 || t.v[next] == 0xFF0C
                            || t.v[next] == 0x548C || t.v[next] == 0x2F || t.matches(andWord, at: next))
                    {
                        next += t.matches(andWord, at: next) ? 3 : 1
                    }
                    guard next > e, t.isASCIIAlnum(next) else { break }
                    limit = next + 1
                    k = next
                    continue
                }
                k = e
            } else {
                k += 1
            }
        }
        return anchorEnd
    }
    private static let andWord = Chars.scalars("and")

    /// Nine scalars of Germany's passport alphabet (no vowels, B, D, Q or S), the first one of C F G H J K.
    private static func germanPassport(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 9, germanFirst.contains(t.v[s]) else { return false }
        var digits = 0
        for k in s..<e {
            if t.isDigit(k) { digits += 1 } else if !germanLetters.contains(t.v[k]) { return false }
        }
        return digits >= 2 && digits <= 7
    }
    private static let germanFirst = ScalarBitmap(Set("CFGHJK".unicodeScalars.map(\.value)))
    private static let germanLetters = ScalarBitmap(Set("CFGHJKLMNPRTVWXYZ".unicodeScalars.map(\.value)))

    // MARK: Dates of birth (context-gated)

    /// At a date-of-birth cue ("born", "DOB", "出生", "geb.", "né le"…): a date shortly after, or
    /// one right before 出生 ("1975年4月18日出生").
    @inline(__always) static func dateOfBirthStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let dobContext = Lexicon.dobContext
        var anchorEnd = -1
        let c = Chars.lowerASCII(t.v[i])
        // Most words that start with a cue's letter are no cue: a look at the second scalar first.
        guard dobContext.mayStart(c, Chars.lowerASCII(t[i + 1])) else { return i + 1 }
        // An English cue never starts inside a word.
        if c < 0x80 && t.isASCIILetter(i - 1) { return i + 1 }
        var candidates = dobContext.candidates(c)
        while candidates != 0 {
            let index = candidates.trailingZeroBitCount
            candidates &= candidates - 1
            guard dobContext.matches(index, t, at: i) else { continue }
            if Chars.isASCIILetter(c) && t.isASCIILetter(i - 1) { continue }
            anchorEnd = i + dobContext.count(index)
            break
        }
        guard anchorEnd >= 0 else { return i + 1 }
        // A table's column headed by the cue: the dates in that column, row by row (the scan goes on
        // after the table, so that a table of many cues is read once).
        if let tableEnd = tableColumnDates(t, header: i, anchorEnd, into: &out) { return tableEnd }
        // "1975年4月18日出生", "1990年3月生": the date just before the cue.
        if t.v[i] == 0x51FA || t.v[i] == 0x751F, let start = dateEnding(t, at: i) {
            out.append(Finding(type: .dateOfBirth, start: start, end: i - (t.v[i - 1] == 0x20 ? 1 : 0), score: 0.85))
            return anchorEnd
        }
        var k = anchorEnd
        while k < min(t.count, anchorEnd + 25) {
            if t.isDigit(k) && !t.isDigit(k - 1), let end = parseDate(t, at: k) ?? parseDayFirstDate(t, at: k) ?? parseYearMonth(t, at: k) {
                out.append(Finding(type: .dateOfBirth, start: k, end: end, score: 0.85))
                break
            }
            if t.isASCIILetter(k) && !t.isASCIILetter(k - 1), let (start, end) = parseWordDate(t, at: k) {
                out.append(Finding(type: .dateOfBirth, start: start, end: end, score: 0.85))
                break
            }
            k += 1
        }
        return anchorEnd
    }

    /// When the cue at `s..<e` heads a column of a Markdown, tab-separated or comma-separated table
    /// ("| 姓名 | 出生日期 |", "name,dob,phone"): the dates of birth in that column of the rows below
    /// (to the first blank line or line without the separator), and the end of the table.
    private static func tableColumnDates(_ t: ScalarText, header s: Int, _ e: Int, into out: inout [Finding]) -> Int? {
        // First, in constant time: the cue fills a cell (a separator or the line's edge on both
        // sides, within 16 scalars after it and past spaces, quotes or '*' before it).
        func isEdge(_ c: UInt32) -> Bool { c == 0x7C || c == 0x09 || c == 0x2C || c == 0x0A || c == 0 }
        var before = s - 1
        while before >= 0 && (t.v[before] == 0x20 || t.v[before] == 0x22 || t.v[before] == 0x27 || t.v[before] == 0x2A) { before -= 1 }
        guard isEdge(t[before]) else { return nil }
        var after = e
        while after < t.count && after - e < 16 && !isEdge(t.v[after]) { after += 1 }
        guard isEdge(t[after]) else { return nil }
        // A table's header line is short: one longer than 500 scalars is not read as one (each cue on
        // a line reads the line, so this bounds the work per cue).
        var lineStart = s
        while lineStart > 0 && t.v[lineStart - 1] != 0x0A && s - lineStart < 500 { lineStart -= 1 }
        var lineEnd = e
        while lineEnd < t.count && t.v[lineEnd] != 0x0A && lineEnd - e < 500 { lineEnd += 1 }
        guard lineStart == 0 || t.v[lineStart - 1] == 0x0A, lineEnd == t.count || t.v[lineEnd] == 0x0A else { return nil }
        let line = lineStart..<lineEnd
        let separator: UInt32
        if line.contains(where: { t.v[$0] == 0x7C }) {
            separator = 0x7C  // |
        } else if line.contains(where: { t.v[$0] == 0x09 }) {
            separator = 0x09
        } else if line.filter({ t.v[$0] == 0x2C }).count >= 2 {
            separator = 0x2C
        } else {
            return nil
        }
        /// The bounds of the cell that holds `k` on the line `range`, and its index.
        func cell(containing k: Int, in range: Range<Int>) -> (Int, Int, Int) {
            var start = range.lowerBound
            var index = 0
            for j in range where t.v[j] == separator {
                if j >= k { return (start, j, index) }
                start = j + 1
                index += 1
            }
            return (start, range.upperBound, index)
        }
        /// The bounds of cell `index` on the line `range` (nil when it has fewer cells).
        func cell(_ index: Int, in range: Range<Int>) -> (Int, Int)? {
            var start = range.lowerBound
            var n = 0
            for j in range where t.v[j] == separator {
                if n == index { return (start, j) }
                start = j + 1
                n += 1
            }
            return n == index ? (start, range.upperBound) : nil
        }
        // The cue is the header cell's text (a unit or a format may follow: "DOB (MM/DD/YYYY)").
        let (a, b, column) = cell(containing: s, in: line)
        let (ha, hb) = t.trimmedCell(a, b)
        // A header line holds labels, not values: no digit in the cue's cell, none on a CSV header
        // ("Ingrid Hoffmeister, geb. 03.11.1952, wohnhaft …" is a sentence).
        guard ha == s, hb - e <= 14, !(e..<hb).contains(where: { t.isDigit($0) }),
            separator != 0x2C || !line.contains(where: { t.isDigit($0) })
        else { return nil }
        var rowStart = lineEnd + 1
        while rowStart < t.count {
            var rowEnd = rowStart
            while rowEnd < t.count && t.v[rowEnd] != 0x0A { rowEnd += 1 }
            let row = rowStart..<rowEnd
            guard row.contains(where: { t.v[$0] == separator }) else { break }
            if let (ca, cb) = cell(column, in: row) {
                let (da, db) = t.trimmedCell(ca, cb)
                if da < db, t.isDigit(da), let end = parseDate(t, at: da) ?? parseDayFirstDate(t, at: da) ?? parseYearMonth(t, at: da), end == db {
                    out.append(Finding(type: .dateOfBirth, start: da, end: db, score: 0.85))
                }
            }
            rowStart = rowEnd + 1
        }
        return max(e, min(rowStart, t.count))
    }

    /// The start of a date that ends at `i` (one space allowed between), within 12 scalars.
    private static func dateEnding(_ t: ScalarText, at i: Int) -> Int? {
        let end = t[i - 1] == 0x20 ? i - 1 : i
        for s in max(0, end - 12)..<end where t.isDigit(s) && !t.isDigit(s - 1) {
            if let e = parseDate(t, at: s), e == end { return s }
        }
        return nil
    }

    /// "1998年3月" (a birth month, after 出生年月 or before 出生).
    static func parseYearMonth(_ t: ScalarText, at start: Int) -> Int? {
        var k = start
        guard let year = number(t, &k, max: 4), k - start == 4, year >= 1900, t[k] == 0x5E74 else { return nil }  // 年
        k += 1
        guard let month = number(t, &k, max: 2), month >= 1, month <= 12, t[k] == 0x6708 else { return nil }  // 月
        return k + 1
    }

    /// "11 March 1958", "12. Mai 1979", "3 février 1984", "3 de febrero de 1984", "1st June 1990", "9th of Feb 1941".
    static func parseDayFirstDate(_ t: ScalarText, at start: Int) -> Int? {
        var k = start
        guard let day = number(t, &k, max: 2) else { return nil }
        if t[k] == 0x2E { k += 1 }
        skipOrdinalSuffix(t, &k)
        func skipSpaceAndDe() {
            while t[k] == 0x20 { k += 1 }
            // "de " (Spanish, Portuguese), "of " ("9th of Feb 1941").
            if t[k] | 0x20 == 0x64 && t[k + 1] == 0x65 || t[k] | 0x20 == 0x6F && t[k + 1] == 0x66, t[k + 2] == 0x20 { k += 3 }
            while t[k] == 0x20 { k += 1 }
        }
        skipSpaceAndDe()
        let m = k
        while k < t.count && Chars.isLetter(t.v[k]) { k += 1 }
        guard k > m, let month = Lexicon.dobMonths[Chars.hash(t.v, m, k)] else { return nil }
        if t[k] == 0x2E { k += 1 }
        if t[k] == 0x2C { k += 1 }
        skipSpaceAndDe()
        let y = k
        guard let year = number(t, &k, max: 4), k - y == 4, year >= 1900, validDate(year: year, month: month, day: day) else { return nil }
        return k
    }

    private static func number(_ t: ScalarText, _ k: inout Int, max: Int) -> Int? {
        let s = k
        var value = 0
        while t.isDigit(k) && k - s < max {
            value = value * 10 + Int(t.v[k] - 0x30)
            k += 1
        }
        return k > s && !t.isDigit(k) ? value : nil
    }

    /// yyyy-mm-dd, yyyy/mm/dd, m/d/yyyy, d.m.yyyy, yyyy年m月d日; returns the end offset when valid.
    static func parseDate(_ t: ScalarText, at start: Int) -> Int? {
        var k = start
        guard let a = number(t, &k, max: 4) else { return nil }
        // "1995년 3월 8일" (a space may follow each unit).
        if t[k] == 0xB144 {  // 년
            k += 1
            while t[k] == 0x20 { k += 1 }
            guard let m = number(t, &k, max: 2), t[k] == 0xC6D4 else { return nil }  // 월
            k += 1
            while t[k] == 0x20 { k += 1 }
            guard let d = number(t, &k, max: 2), validDate(year: a, month: m, day: d), t[k] == 0xC77C else { return nil }  // 일
            return k + 1
        }
        let sep = t[k]
        if sep == 0x5E74 {  // 年
            k += 1
            guard let m = number(t, &k, max: 2), t[k] == 0x6708 else { return nil }  // 月
            k += 1
            guard let d = number(t, &k, max: 2), validDate(year: a, month: m, day: d) else { return nil }
            if t[k] == 0x65E5 || t[k] == 0x53F7 { k += 1 }  // 日 号
            return k
        }
        guard sep == 0x2F || sep == 0x2D || sep == 0x2E else { return nil }
        k += 1
        guard let b = number(t, &k, max: 2), t[k] == sep else { return nil }
        k += 1
        let yearStart = k
        guard let c = number(t, &k, max: 4) else { return nil }
        if k - start > 4 && a >= 1000 {
            return validDate(year: a, month: b, day: c) ? k : nil
        }
        guard k - yearStart == 4 || k - yearStart == 2 else { return nil }
        let year = k - yearStart == 2 ? 1900 + c : c
        return validDate(year: year, month: a, day: b) || validDate(year: year, month: b, day: a) ? k : nil
    }

    /// "March 5, 1990" or "5 March 1990".
    static func parseWordDate(_ t: ScalarText, at start: Int) -> (Int, Int)? {
        var e = start
        while e < t.count && Chars.isLetter(t.v[e]) { e += 1 }
        guard let month = Lexicon.dobMonths[Chars.hash(t.v, start, e)] else { return nil }
        var k = e
        if t[k] == 0x2E { k += 1 }
        while t[k] == 0x20 { k += 1 }
        guard let day = number(t, &k, max: 2) else {
            return nil
        }
        skipOrdinalSuffix(t, &k)  // "June 3rd, 2020"
        if t[k] == 0x2C { k += 1 }
        while t[k] == 0x20 { k += 1 }
        guard let year = number(t, &k, max: 4), year >= 1900, validDate(year: year, month: month, day: day) else { return nil }
        // A leading day ("5 March 1990") is read from the digit by `parseDayFirstDate`.
        return (start, k)
    }

    /// Past "st", "nd", "rd", "th" or "er" right after a day ("3rd", "1er"), when no letter follows.
    private static func skipOrdinalSuffix(_ t: ScalarText, _ k: inout Int) {
        for suffix in ordinalSuffixes where t.matches(suffix, at: k) && !Chars.isLetter(t[k + 2]) {
            k += 2
            return
        }
    }
    private static let ordinalSuffixes = ["st", "nd", "rd", "th", "er"].map(Chars.scalars)
}
