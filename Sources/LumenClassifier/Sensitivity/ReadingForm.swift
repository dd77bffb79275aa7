/// A text as the detectors read it: invisible format characters (soft hyphen, zero-width space
/// and joiners, word joiner, byte-order mark, bidirectional marks) left out, full-width letters,
/// digits and the signs of addresses and numbers ("＠", "１２３", "＋", "－", "＿") folded to ASCII.
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
        // Most text has nothing to fold: ASCII, or no scalar from the blocks below.
        // Most text has nothing to fold (ASCII, or Chinese with its own punctuation): found without
        // building anything.
        guard original.utf8.contains(where: { $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF || $0 == 0xE1 }),
            original.unicodeScalars.contains(where: { Self.isInvisible($0.value) || Self.folds($0.value) })
        else {
            text = original
            origin = nil
            return
        }
        var scalars = String.UnicodeScalarView()
        var origin: [Int] = []
        var changed = false
        for (offset, scalar) in original.unicodeScalars.enumerated() {
            let v = scalar.value
            if Self.isInvisible(v) {
                changed = true
                continue
            }
            var out = scalar
            if Self.folds(v) {
                out = Unicode.Scalar(v - 0xFF01 + 0x21)!
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

    /// Format characters a reader does not see (and that break a word for a detector).
    static func isInvisible(_ v: UInt32) -> Bool {
        v == 0x00AD || (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2060...0x2064).contains(v)
            || v == 0xFEFF || v == 0x180E
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
