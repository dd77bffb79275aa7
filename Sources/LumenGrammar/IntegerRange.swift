/// GBNF for the decimal integers in a range, written without leading zeros.
enum IntegerRange {
    /// Longest magnitude an open range admits (as the shared integer rule: 16 digits).
    static let maxDigits = 16

    /// An expression matching the decimal numerals of `from…through` (`through` nil: no upper bound
    /// below 16 digits). `from` must not exceed `through`.
    static func expression(from low: UInt64, through high: UInt64?) -> String {
        let lowDigits = digits(low)
        let highDigits = high.map(digits)
        let longest = highDigits?.count ?? max(maxDigits, lowDigits.count)
        var alternatives: [String] = []
        for length in lowDigits.count...longest {
            let a = length == lowDigits.count ? lowDigits : [1] + [Int](repeating: 0, count: length - 1)
            let b = length == highDigits?.count ? highDigits! : [Int](repeating: 9, count: length)
            guard a.lexicographicallyPrecedes(b) || a == b else { continue }
            alternatives.append(sameLength(a, b))
        }
        return alternatives.map { "( \($0) )" }.joined(separator: " | ")
    }

    static func digits(_ value: UInt64) -> [Int] {
        String(value).map { Int(String($0))! }
    }

    /// Numerals of exactly `a.count` digits between `a` and `b` (inclusive, same length, a ≤ b).
    private static func sameLength(_ a: [Int], _ b: [Int]) -> String {
        if a.count == 1 { return digitClass(a[0], b[0]) }
        let restA = Array(a.dropFirst())
        let restB = Array(b.dropFirst())
        if a[0] == b[0] { return "\"\(a[0])\" ( \(sameLength(restA, restB)) )" }
        var parts = ["\"\(a[0])\" ( \(atLeast(restA)) )"]
        if a[0] + 1 <= b[0] - 1 { parts.append("\(digitClass(a[0] + 1, b[0] - 1)) [0-9]{\(a.count - 1)}") }
        parts.append("\"\(b[0])\" ( \(atMost(restB)) )")
        return parts.joined(separator: " | ")
    }

    /// Digit strings of `s.count` digits (leading zeros allowed) that are ≥ `s`.
    private static func atLeast(_ s: [Int]) -> String {
        if s.allSatisfy({ $0 == 0 }) { return "[0-9]{\(s.count)}" }
        if s.count == 1 { return digitClass(s[0], 9) }
        var parts = ["\"\(s[0])\" ( \(atLeast(Array(s.dropFirst()))) )"]
        if s[0] < 9 { parts.append("\(digitClass(s[0] + 1, 9)) [0-9]{\(s.count - 1)}") }
        return parts.joined(separator: " | ")
    }

    /// Digit strings of `s.count` digits (leading zeros allowed) that are ≤ `s`.
    private static func atMost(_ s: [Int]) -> String {
        if s.allSatisfy({ $0 == 9 }) { return "[0-9]{\(s.count)}" }
        if s.count == 1 { return digitClass(0, s[0]) }
        var parts = ["\"\(s[0])\" ( \(atMost(Array(s.dropFirst()))) )"]
        if s[0] > 0 { parts.append("\(digitClass(0, s[0] - 1)) [0-9]{\(s.count - 1)}") }
        return parts.joined(separator: " | ")
    }

    private static func digitClass(_ low: Int, _ high: Int) -> String {
        low == high ? "\"\(low)\"" : "[\(low)-\(high)]"
    }
}
