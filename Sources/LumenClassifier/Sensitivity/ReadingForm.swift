/// A text as the detectors read it: invisible format characters (soft hyphen, zero-width space
/// and joiners, word joiner, byte-order mark, bidirectional marks) left out, full-width letters,
/// digits and the signs of addresses and numbers ("＠", "１２３", "＋", "－", "．", "＿") folded to ASCII,
/// no-break and other typographic spaces read as spaces, hyphens and en dashes as '-', decimal
/// digits of other scripts read as ASCII digits, Cyrillic or Greek look-alikes read as Latin inside
/// a word that has Latin letters or digits, and escapes read as what they stand for (`\u0040`, also
/// escaped again as `\\u0040`; HTML's `&#64;`, `&#x40;`, `&commat;`), and Chinese numerals that
/// spell a number digit by digit ("一三八一二三四五六七八", seven or more) read as its digits.
/// Full-width punctuation stays: Chinese text is written with it ("姓名：", "，"), and its detectors
/// read it so. A reader (a model, a person) sees
/// "john.doe\u{200B}@acme.com" or "ＡＫＩＡ…" as the address or the key it is; the detectors read
/// it the same way. Offsets found in the reading form map back to the original text, so a span
/// covers the original characters (the invisible ones inside it included) and redaction replaces
/// exactly what leaves.
struct ReadingForm {
    /// The text to scan.
    let text: String
    /// For each scalar of `text`, its offset in the original; nil when the original reads as it is.
    private let origin: [Int]?
    /// For each scalar of `text`, the offset after it in the original (after a whole `\u5f20` escape).
    private let ends: [Int]?

    init(_ original: String) {
        // Most text has nothing to fold (ASCII, or Chinese with its own punctuation): found without
        // building anything.
        let (special, escapes, cjk) = Self.scanBytes(original.utf8)
        guard
            escapes
                || (special
                    && original.unicodeScalars.contains(where: {
                        Self.isInvisible($0.value) || Self.folds($0.value) || Self.isSpaceLike($0.value) || Self.isDash($0.value)
                            || Self.lookalike($0.value) != nil || Self.otherDigit($0.value) != nil
                    }))
                || ((special || cjk) && Self.hasNumeralRun(original.unicodeScalars))
        else {
            text = original
            origin = nil
            ends = nil
            return
        }
        let source = Array(original.unicodeScalars)
        // Cyrillic and Greek letters that look like Latin ones are read as Latin inside a word that
        // also has Latin letters or digits ("АКІАQ3EG…" is a key to anyone reading it); a word of
        // Russian or Greek alone is left as it is.
        var lookalikes = [Bool](repeating: false, count: source.count)
        var i = 0
        while i < source.count {
            guard Self.isWordScalar(source[i].value) else {
                i += 1
                continue
            }
            var e = i
            var latin = false
            var disguised = false
            while e < source.count, Self.isWordScalar(source[e].value) {
                let v = source[e].value
                if v < 0x80 || Self.folds(v) { latin = latin || (v != 0x5F && v != 0x2D) }
                if Self.lookalike(v) != nil { disguised = true }
                e += 1
            }
            if latin && disguised { for k in i..<e { lookalikes[k] = true } }
            i = e
        }
        let numerals = special || cjk ? Self.numeralRuns(source) : nil
        var scalars = String.UnicodeScalarView()
        var origin: [Int] = []
        var ends: [Int] = []
        var changed = false
        var offset = 0
        while offset < source.count {
            let scalar = source[offset]
            let v = scalar.value
            // "\u5f20\u4f1f" in a JSON string or a string literal reads as "张伟" to a model (also
            // escaped again, "\\u5f20", as JSON in a JSON string has it); "&#64;" or "&commat;" in
            // HTML as "@" to a browser.
            if escapes && (v == 0x5C || v == 0x26),
                let (decoded, width) = v == 0x5C ? Self.unicodeEscape(source, at: offset) : Self.characterReference(source, at: offset)
            {
                scalars.append(decoded)
                origin.append(offset)
                ends.append(offset + width)
                changed = true
                offset += width
                continue
            }
            defer { offset += 1 }
            if Self.isInvisible(v) {
                changed = true
                continue
            }
            var out = scalar
            if Self.folds(v) {
                out = Unicode.Scalar(v - 0xFF01 + 0x21)!
                changed = true
            } else if Self.isSpaceLike(v) {
                out = " "
                changed = true
            } else if Self.isDash(v) {
                out = "-"
                changed = true
            } else if lookalikes[offset], let latin = Self.lookalike(v) {
                out = latin
                changed = true
            } else if let digit = Self.otherDigit(v) {
                out = digit
                changed = true
            } else if let numerals, numerals[offset], let digit = Self.chineseNumeral(v) {
                out = Unicode.Scalar(0x30 + digit)!
                changed = true
            } else if let numerals, numerals[offset], v == 0x3000 {
                out = " "  // an ideographic space between a spelled number's groups
                changed = true
            }
            scalars.append(out)
            origin.append(offset)
            ends.append(offset + 1)
        }
        guard changed else {
            text = original
            self.origin = nil
            self.ends = nil
            return
        }
        text = String(scalars)
        self.origin = origin
        self.ends = ends
    }

    /// One pass over the bytes: whether one may start a scalar to fold or leave out (an ASCII
    /// control byte, or the UTF-8 lead byte of a block with such scalars), and whether a `\u` escape with four hex digits
    /// or an HTML character reference occurs. Eight bytes at a time where they hold no '\\' or '&' and are ASCII (most of a prompt) or
    /// a special byte was already seen.
    static func scanBytes(_ utf8: String.UTF8View) -> (special: Bool, escape: Bool, cjk: Bool) {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (Bool, Bool, Bool) {
            let raw = UnsafeRawBufferPointer(bytes)
            let n = bytes.count
            var special = false
            var escape = false
            // A lead byte of U+3000–U+9FFF (CJK, where Chinese numerals are): noted until a special byte is seen,
            // after which every scalar is looked at anyway.
            var cjk = false
            var i = 0
            while i < n {
                if i + 8 <= n {
                    let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let x = word ^ 0x5C5C_5C5C_5C5C_5C5C
                    let y = word ^ 0x2626_2626_2626_2626
                    let escapeByte =
                        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
                        || (y &- 0x0101_0101_0101_0101) & ~y & 0x8080_8080_8080_8080 != 0
                    // A control byte (below 0x20, or DEL): looked at one by one (tab and line breaks are not special).
                    let del = word ^ 0x7F7F_7F7F_7F7F_7F7F
                    let control =
                        (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 != 0
                        || (del &- 0x0101_0101_0101_0101) & ~del & 0x8080_8080_8080_8080 != 0
                    // Without '\\' or '&', a word is skipped when it is ASCII without controls or a special byte was seen.
                    if !escapeByte && (special || (word & 0x8080_8080_8080_8080 == 0 && !control)) {
                        i += 8
                        continue
                    }
                }
                let b = bytes[i]
                // Lead bytes of the scalars `isInvisible`, `folds`, `isSpaceLike`, `lookalike` and `otherDigit` read.
                if b == 0xC2 || b == 0xE2 || b == 0xEF || b == 0xE1 || (0xCE...0xD1).contains(b) || b == 0xCD || b == 0xD8
                    || b == 0xE3 || b == 0xF3 || b == 0xD9 || b == 0xDB || b == 0xDF || b == 0xE0 || b == 0xEA || b == 0xF0
                    || (b < 0x80 && isInvisible(UInt32(b)))
                {
                    special = true
                } else if b >= 0xE3 && b <= 0xE9 {
                    cjk = true
                }
                if b == 0x5C, !escape, i + 6 <= n, bytes[i + 1] == 0x75, (i + 2..<i + 6).allSatisfy({ Chars.isHexDigit(UInt32(bytes[$0])) }) {
                    escape = true
                } else if b == 0x26, !escape, startsReference(bytes, i) {
                    escape = true
                }
                if special && escape { break }
                i += 1
            }
            return (special, escape, cjk)
        }
        if let found = utf8.withContiguousStorageIfAvailable(scan) { return found }
        return Array(utf8).withUnsafeBufferPointer(scan)
    }

    /// The scalar a `\uXXXX` escape at `k` stands for (a surrogate pair of two escapes makes one),
    /// and how many scalars it spans; nil for no escape, a lone surrogate or a control character.
    private static func unicodeEscape(_ s: [Unicode.Scalar], at k: Int) -> (Unicode.Scalar, Int)? {
        // One escape at `at`: its value and width (one backslash or a run of up to eight).
        func hex4(_ at: Int) -> (UInt32, Int)? {
            var u = at
            while u < s.count, s[u].value == 0x5C, u - at < 8 { u += 1 }
            guard u > at, u + 5 <= s.count, s[u].value == 0x75 else { return nil }
            var v: UInt32 = 0
            for i in (u + 1)..<(u + 5) {
                let c = s[i].value
                guard Chars.isHexDigit(c) else { return nil }
                v = v << 4 | Chars.hexValue(c)
            }
            return (v, u + 5 - at)
        }
        guard let (high, width) = hex4(k) else { return nil }
        if (0xD800...0xDBFF).contains(high) {
            guard let (low, lowWidth) = hex4(k + width), (0xDC00...0xDFFF).contains(low),
                let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            else { return nil }
            return (scalar, width + lowWidth)
        }
        guard high >= 0x20, let scalar = Unicode.Scalar(high) else { return nil }
        return (scalar, width)
    }

    /// The scalar an HTML character reference at `k` stands for ("&#64;", "&#x40;", and the named
    /// ones an address or a number is hidden with: "&commat;", "&period;", "&hyphen;", "&dash;",
    /// "&lowbar;", "&plus;", "&nbsp;"), and how many scalars it spans; nil otherwise.
    private static func characterReference(_ s: [Unicode.Scalar], at k: Int) -> (Unicode.Scalar, Int)? {
        guard k + 3 < s.count, s[k].value == 0x26 else { return nil }
        if s[k + 1].value == 0x23 {
            let hex = s[k + 2].value | 0x20 == 0x78
            var i = k + (hex ? 3 : 2)
            var v: UInt32 = 0
            let first = i
            // (Leading zeros and a missing ';' are read as a browser reads them: "&#0064;", "&#64".)
            while i < s.count, i - first < 12 {
                let c = s[i].value
                if hex ? Chars.isHexDigit(c) : (c >= 0x30 && c <= 0x39) {
                    v = v * (hex ? 16 : 10) + Chars.hexValue(c)
                    if v > 0x10FFFF { return nil }
                    i += 1
                } else {
                    break
                }
            }
            guard i > first, v >= 0x20, v != 0x7F, let scalar = Unicode.Scalar(v) else { return nil }
            return (scalar, i - k + (i < s.count && s[i].value == 0x3B ? 1 : 0))
        }
        for (name, scalar) in namedReferences where k + name.count + 2 <= s.count && s[k + name.count + 1].value == 0x3B {
            if zip(name.unicodeScalars, s[(k + 1)...]).allSatisfy({ $0 == $1 }) { return (scalar, name.unicodeScalars.count + 2) }
        }
        return nil
    }

    private static let namedReferences: [(String, Unicode.Scalar)] = [
        ("commat", "@"), ("period", "."), ("hyphen", "-"), ("dash", "-"), ("lowbar", "_"), ("plus", "+"), ("nbsp", " "),
    ]

    /// Whether the bytes at `i` start an HTML character reference `characterReference` reads.
    private static func startsReference(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i + 3 < bytes.count, bytes[i] == 0x26 else { return false }
        if bytes[i + 1] == 0x23 { return true }
        return namedReferences.contains { name, _ in
            let utf8 = name.utf8
            return i + utf8.count + 2 <= bytes.count && bytes[i + utf8.count + 1] == 0x3B && zip(utf8, bytes[(i + 1)...]).allSatisfy { $0 == $1 }
        }
    }

    /// Letters and digits of any script, '_', '-', and the invisible characters inside a word.
    private static func isWordScalar(_ v: UInt32) -> Bool {
        if v < 0x80 { return Chars.isASCIILetter(v) || (v >= 0x30 && v <= 0x39) || v == 0x5F || v == 0x2D }
        return isInvisible(v) || folds(v) || (0x0370...0x04FF).contains(v)
    }

    /// The ASCII digit that a decimal digit of another script stands for ("٠٧٨-٠٥-١١٢٠" is an SSN
    /// to a reader: Arabic-Indic, Persian, Devanagari, Bengali, Thai, Myanmar, mathematical digits…),
    /// or nil. Full-width digits are folded with the other full-width forms.
    static func otherDigit(_ v: UInt32) -> Unicode.Scalar? {
        // Only the blocks that have decimal digits are looked up (not CJK, Hangul or emoji).
        guard v >= 0x660, v <= 0x1FBF9, !(0x2000...0xA61F).contains(v), !(0xAC00...0x1049F).contains(v), !(0x1E960...0x1FBEF).contains(v),
            let scalar = Unicode.Scalar(v),
            scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue, value >= 0, value <= 9
        else { return nil }
        return Unicode.Scalar(0x30 + UInt32(value))
    }

    /// The digit a Chinese numeral stands for when a number is spelled digit by digit (the common
    /// numerals, 〇 and 零, the spoken 幺 for one, and the financial forms 壹 贰 叁 … in simplified and
    /// traditional writing), or nil.
    static func chineseNumeral(_ v: UInt32) -> UInt32? {
        switch v {
        case 0x3007, 0x96F6: 0  // 〇 零
        case 0x4E00, 0x58F9, 0x5E7A: 1  // 一 壹 幺
        case 0x4E8C, 0x8D30, 0x8CB3: 2  // 二 贰 貳
        case 0x4E09, 0x53C1, 0x53C3: 3  // 三 叁 參
        case 0x56DB, 0x8086: 4  // 四 肆
        case 0x4E94, 0x4F0D: 5  // 五 伍
        case 0x516D, 0x9646, 0x9678: 6  // 六 陆 陸
        case 0x4E03, 0x67D2: 7  // 七 柒
        case 0x516B, 0x634C: 8  // 八 捌
        case 0x4E5D, 0x7396: 9  // 九 玖
        default: nil
        }
    }

    /// For each scalar, whether it is part of a number spelled digit by digit in Chinese numerals: a run of
    /// seven digits or more, four of them numerals at least (digits may be mixed in,
    /// "138一二三四五六七八"; "…0123一直" is a number and the word "always"), read as the reading form
    /// reads it: invisible characters inside, and one space, dash or ideographic space between two
    /// digits ("一三八 一二三四 五六七八", "幺三九–八七六五"), with full-width and other scripts' digits
    /// counted as digits. Prose has no such run (its numbers are written with 十, 百, 万: "一百二十三",
    /// and its idioms are four long: "七七八八"); a table of the digits in order ("〇一二三四五六七八九",
    /// "零壹贰叁肆伍陆柒捌玖" in code that converts numbers) is none either, nor a countdown
    /// ("九八七六五四三二一"), nor groups of one or two digits (a lottery draw "〇三 一二 一五 二一…", a
    /// date "二〇二四 一二 三一" has a year of four). Nil when the text has none.
    static func numeralRuns<S: RandomAccessCollection>(_ s: S) -> [Bool]? where S.Element == Unicode.Scalar, S.Index == Int {
        var marks: [Bool]?
        runs(s) { i, e in
            if marks == nil { marks = [Bool](repeating: false, count: s.count) }
            for k in i..<e { marks![k] = true }
        }
        return marks
    }

    /// Whether `scalars` has a run `numeralRuns` marks (one pass, nothing built).
    static func hasNumeralRun(_ scalars: String.UnicodeScalarView) -> Bool {
        var found = false
        var buffer: [Unicode.Scalar] = []
        // Only the stretches around numerals are looked at: most text has none.
        var k = scalars.startIndex
        while k < scalars.endIndex, !found {
            guard chineseNumeral(scalars[k].value) != nil else {
                k = scalars.index(after: k)
                continue
            }
            // The stretch of run scalars around it, from its start to its end.
            var a = k
            while a > scalars.startIndex, isRunScalar(scalars[scalars.index(before: a)].value) { a = scalars.index(before: a) }
            var b = k
            while b < scalars.endIndex, isRunScalar(scalars[b].value) { b = scalars.index(after: b) }
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: scalars[a..<b])
            runs(buffer) { _, _ in found = true }
            k = b
        }
        return found
    }

    /// A scalar a run may hold: a numeral, a digit, a separator, an invisible character.
    private static func isRunScalar(_ v: UInt32) -> Bool {
        chineseNumeral(v) != nil || digitValue(v) != nil || isRunSeparator(v) || isInvisible(v)
    }

    private static func isRunSeparator(_ v: UInt32) -> Bool { v == 0x20 || v == 0x2D || v == 0x3000 || isSpaceLike(v) || isDash(v) }

    /// The value of an ASCII, full-width or other script's decimal digit.
    private static func digitValue(_ v: UInt32) -> UInt32? {
        if Chars.isDigit(v) { return v - 0x30 }
        if v >= 0xFF10 && v <= 0xFF19 { return v - 0xFF10 }
        return otherDigit(v).map { $0.value - 0x30 }
    }

    /// Calls `found` with the start and end of each run of `numeralRuns`.
    private static func runs<S: RandomAccessCollection>(_ s: S, _ found: (Int, Int) -> Void) where S.Element == Unicode.Scalar, S.Index == Int {
        var i = s.startIndex
        while i < s.endIndex {
            guard chineseNumeral(s[i].value) != nil || digitValue(s[i].value) != nil else {
                i += 1
                continue
            }
            var e = i
            var last = i  // after the last digit
            var numerals = 0
            var count = 0
            var ascending = true
            var descending = true
            var previous: UInt32?
            var separated = false
            var group = 0
            var longestGroup = 0
            var groups = 0
            while e < s.endIndex {
                let v = s[e].value
                let numeral = chineseNumeral(v)
                if let d = numeral ?? digitValue(v) {
                    if numeral != nil { numerals += 1 }
                    if let p = previous, d != p + 1 { ascending = false }
                    if let p = previous, d + 1 != p { descending = false }
                    previous = d
                    count += 1
                    if group == 0 { groups += 1 }
                    group += 1
                    longestGroup = max(longestGroup, group)
                    separated = false
                    e += 1
                    last = e
                } else if isInvisible(v) {
                    e += 1
                } else if isRunSeparator(v) && !separated {
                    // One separator between two digits.
                    separated = true
                    group = 0
                    e += 1
                } else {
                    break
                }
            }
            let dateOrDraw = groups > 1 && longestGroup <= 2 || (groups == 3 && longestGroup == 4 && count == 8)
            if numerals >= 4 && count >= 7 && !(ascending && count <= 10) && !descending && !dateOrDraw { found(i, last) }
            i = max(last, i + 1)
        }
    }

    /// The Latin letter a Cyrillic or Greek one is written like (the confusables a key or an address
    /// is disguised with), or nil.
    static func lookalike(_ v: UInt32) -> Unicode.Scalar? {
        switch v {
        case 0x0410, 0x0391: "A"
        case 0x0412, 0x0392: "B"
        case 0x0421: "C"
        case 0x0415, 0x0395: "E"
        case 0x041D, 0x0397: "H"
        case 0x0406, 0x0399: "I"
        case 0x0408: "J"
        case 0x041A, 0x039A: "K"
        case 0x041C, 0x039C: "M"
        case 0x039D: "N"
        case 0x041E, 0x039F: "O"
        case 0x0420, 0x03A1: "P"
        case 0x0405: "S"
        case 0x0422, 0x03A4: "T"
        case 0x0425, 0x03A7: "X"
        case 0x03A5: "Y"
        case 0x0396: "Z"
        case 0x0430: "a"
        case 0x0441: "c"
        case 0x0435: "e"
        case 0x0456: "i"
        case 0x0458: "j"
        case 0x043E, 0x03BF: "o"
        case 0x0440: "p"
        case 0x0455: "s"
        case 0x0445: "x"
        case 0x0443: "y"
        default: nil
        }
    }

    /// Characters a reader does not see (and that break a word for a detector): format characters,
    /// control characters (NUL, DEL, C1) other than tab, line breaks, page breaks and the
    /// information separators U+001C–U+001F (the screen joins a request's strings with U+001E, where
    /// a detector's look-back stops), variation selectors, tag characters, the combining grapheme
    /// joiner and the Hangul fillers.
    static func isInvisible(_ v: UInt32) -> Bool {
        if v < 0xA0 { return (v < 0x1C && !(0x09...0x0D).contains(v)) || v >= 0x7F }
        return v == 0x00AD || v == 0x034F || v == 0x061C || v == 0x115F || v == 0x1160 || v == 0x17B4 || v == 0x17B5
            || (0x180B...0x180F).contains(v) || (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v)
            || (0x2060...0x206F).contains(v) || v == 0x3164 || (0xFE00...0xFE0F).contains(v) || v == 0xFEFF || v == 0xFFA0
            || (0xE0000...0xE007F).contains(v) || (0xE0100...0xE01EF).contains(v)
    }

    /// Spaces a reader sees as a space: no-break, figure, thin, en and em spaces ("4111\u{00A0}1111…",
    /// copied from a web page).
    static func isSpaceLike(_ v: UInt32) -> Bool {
        v == 0x00A0 || (0x2000...0x200A).contains(v) || v == 0x202F || v == 0x205F || v == 0x2800
    }

    /// Full-width digits, letters, '＠', '＋', '－', '．' and '＿'.
    static func folds(_ v: UInt32) -> Bool {
        (0xFF10...0xFF19).contains(v) || (0xFF20...0xFF3A).contains(v) || (0xFF41...0xFF5A).contains(v) || v == 0xFF0B || v == 0xFF0D
            || v == 0xFF0E || v == 0xFF3F
    }

    /// Hyphens and dashes a number's groups are written with as often as with '-' (a word processor
    /// turns "536-22-8714" into "536–22–8714"): hyphen, non-breaking hyphen, figure dash, en dash,
    /// minus sign, small hyphen-minus. Not the em dash, which stands between words.
    static func isDash(_ v: UInt32) -> Bool {
        (0x2010...0x2013).contains(v) || v == 0x2212 || v == 0xFE63
    }

    /// The original offsets of a span `start..<end` of the reading form.
    func original(start: Int, end: Int) -> (start: Int, end: Int) {
        guard let origin, let ends, !origin.isEmpty else { return (start, end) }
        let s = origin[min(start, origin.count - 1)]
        let e = end > start ? ends[min(end - 1, ends.count - 1)] : s
        return (s, e)
    }

    func original(_ finding: Finding) -> Finding {
        var mapped = finding
        (mapped.start, mapped.end) = original(start: finding.start, end: finding.end)
        return mapped
    }

    var isIdentity: Bool { origin == nil }
}
