/// A text as the detectors read it: invisible format characters (soft hyphen, zero-width space
/// and joiners, word joiner, byte-order mark, bidirectional marks) left out, full-width letters,
/// digits and the signs of addresses and numbers ("＠", "１２３", "＋", "－", "＿") folded to ASCII,
/// no-break and other typographic spaces read as spaces, and Cyrillic or Greek look-alikes read as Latin inside a word that has Latin letters or digits.
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

    init(_ original: String) {
        // Most text has nothing to fold (ASCII, or Chinese with its own punctuation): found without
        // building anything.
        guard original.utf8.contains(where: { $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF || $0 == 0xE1 || (0xCE...0xD1).contains($0) }),
            original.unicodeScalars.contains(where: {
                Self.isInvisible($0.value) || Self.folds($0.value) || Self.isSpaceLike($0.value) || Self.lookalike($0.value) != nil
            })
        else {
            text = original
            origin = nil
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
        var scalars = String.UnicodeScalarView()
        var origin: [Int] = []
        var changed = false
        for (offset, scalar) in source.enumerated() {
            let v = scalar.value
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
            } else if lookalikes[offset], let latin = Self.lookalike(v) {
                out = latin
                changed = true
            }
            scalars.append(out)
            origin.append(offset)
        }
        guard changed else {
            text = original
            self.origin = nil
            return
        }
        text = String(scalars)
        self.origin = origin
    }

    /// Letters and digits of any script, '_', '-', and the invisible characters inside a word.
    private static func isWordScalar(_ v: UInt32) -> Bool {
        if v < 0x80 { return Chars.isASCIILetter(v) || (v >= 0x30 && v <= 0x39) || v == 0x5F || v == 0x2D }
        return isInvisible(v) || folds(v) || (0x0370...0x04FF).contains(v)
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

    /// Format characters a reader does not see (and that break a word for a detector).
    static func isInvisible(_ v: UInt32) -> Bool {
        v == 0x00AD || (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2060...0x2064).contains(v)
            || v == 0xFEFF || v == 0x180E
    }

    /// Spaces a reader sees as a space: no-break, figure, thin, en and em spaces ("4111\u{00A0}1111…",
    /// copied from a web page).
    static func isSpaceLike(_ v: UInt32) -> Bool {
        v == 0x00A0 || (0x2000...0x200A).contains(v) || v == 0x202F || v == 0x205F
    }

    /// Full-width digits, letters, '＠', '＋', '－' and '＿'.
    static func folds(_ v: UInt32) -> Bool {
        (0xFF10...0xFF19).contains(v) || (0xFF20...0xFF3A).contains(v) || (0xFF41...0xFF5A).contains(v) || v == 0xFF0B || v == 0xFF0D
            || v == 0xFF3F
    }

    /// The original offsets of a span `start..<end` of the reading form.
    func original(start: Int, end: Int) -> (start: Int, end: Int) {
        guard let origin, !origin.isEmpty else { return (start, end) }
        let s = origin[min(start, origin.count - 1)]
        let e = end > start ? origin[min(end - 1, origin.count - 1)] + 1 : s
        return (s, e)
    }

    func original(_ finding: Finding) -> Finding {
        var mapped = finding
        (mapped.start, mapped.end) = original(start: finding.start, end: finding.end)
        return mapped
    }

    var isIdentity: Bool { origin == nil }
}
