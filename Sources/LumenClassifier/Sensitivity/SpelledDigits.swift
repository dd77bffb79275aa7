// Numbers spelled out digit by digit in English, as people dictate them and speech-to-text writes
// them: "my number is four one five, eight six seven, two two nine one", "SSN five three six two two
// eight seven one four", "oh two oh seven, double four five six…". A model reads them as the number;
// so do the detectors: a run of seven digit words or more (only spaces, commas, dashes, dots or
// slashes between them; "double" and "triple" repeat the next one) is read as its digits, after
// the words before it, by the same identifier detectors as written digits, and what they find there
// covers the words. A count ("one two three four five six seven") is no number.

enum SpelledDigits {
    /// The digit words' hashes, by digit ("oh" is a zero too): compared in turn, which is cheaper than
    /// a dictionary's hashing at every word of a prompt.
    private static let digitWords: [(hash: UInt64, digit: UInt32)] = [
        ("zero", 0), ("oh", 0), ("one", 1), ("two", 2), ("three", 3), ("four", 4), ("five", 5), ("six", 6), ("seven", 7), ("eight", 8),
        ("nine", 9),
    ].map { (Chars.hash($0.0), UInt32($0.1)) }

    @inline(__always) private static func digit(_ x: Word, _ table: [(hash: UInt64, digit: UInt32)]) -> UInt32? {
        guard !x.isNumber, x.end - x.start >= 2, x.end - x.start <= 5 else { return nil }
        for entry in table where entry.hash == x.hash { return entry.digit }
        return nil
    }

    private static let double = Chars.hash("double")
    private static let triple = Chars.hash("triple")

    /// What may stand between two digit words of one number: up to three of space, ',', '-', '.', '/'
    /// on one line.
    private static func joins(_ t: ScalarText, _ from: Int, _ to: Int) -> Bool {
        guard to - from >= 1, to - from <= 3 else { return false }
        return (from..<to).allSatisfy { k in
            let c = t.v[k]
            return c == 0x20 || c == 0x2C || c == 0x2D || c == 0x2E || c == 0x2F
        }
    }

    /// The digits of a word: a digit word's one, or those of digit words joined by hyphens
    /// ("four-one-five-…", one word to `ScalarText.words`); nil for any other word.
    private static func digits(of x: Word, _ t: ScalarText, _ table: [(hash: UInt64, digit: UInt32)]) -> [UInt32]? {
        if let d = digit(x, table) { return [d] }
        // A digit word is two to five letters long: the first hyphen is at the third to sixth letter.
        guard !x.isNumber, x.end - x.start >= 6, (x.start + 2...x.start + 5).contains(where: { t.v[$0] == 0x2D }) else { return nil }
        var out: [UInt32] = []
        var repeats = 1
        var part = x.start
        for k in x.start...x.end where k == x.end || t.v[k] == 0x2D {
            let h = Chars.hash(t.v, part, k)
            if h == double || h == triple {
                repeats = h == double ? 2 : 3
            } else if k - part >= 2, k - part <= 5, let entry = table.first(where: { $0.hash == h }) {
                for _ in 0..<repeats { out.append(entry.digit) }
                repeats = 1
            } else {
                return nil
            }
            part = k + 1
        }
        return out.count >= 2 && repeats == 1 ? out : nil
    }

    /// The first letters of the digit words and of "double" and "triple" (z o t f s e n d), as bits of
    /// their offset from 'a'.
    private static let initials: UInt32 = [0x7A, 0x6F, 0x74, 0x66, 0x73, 0x65, 0x6E, 0x64].reduce(0) { $0 | 1 << ($1 - 0x61) }

    /// A run of digit words that is no dictated number: a count up or down ("one two three…", "nine
    /// eight seven…"), one digit said again ("oh oh oh…" in a song), a block said again ("five six seven
    /// eight, five six seven eight", "nine one one, nine one one"), or a list (a comma between every
    /// two words: "six, three, nine, one, four, eight, two", where a dictated number groups its digits).
    /// `commas`: for each gap between two words of the run, whether a comma is in it.
    private static func isCountOrList(_ digits: [UInt32], commas: [Bool]) -> Bool {
        let pairs = zip(digits, digits.dropFirst())
        // A keypad's "… eight nine zero" counts on.
        if pairs.allSatisfy({ $1 == ($0 + 1) % 10 }) || pairs.allSatisfy({ $1 + 1 == $0 }) { return true }
        for block in 1...4 where digits.count >= 2 * block {
            if digits.indices.allSatisfy({ digits[$0] == digits[$0 % block] }) { return true }
        }
        // Words of one number are joined by a space or a dash somewhere; a list has a comma everywhere.
        if !commas.isEmpty && !commas.contains(false) { return true }
        // Groups said apart by commas: a number's are of three or four ("five five five, one two three
        // four"); pairs are plays, scores or a draw ("four two, seven nine, three one").
        var group = 1
        var longest = 1
        for comma in commas {
            group = comma ? 1 : group + 1
            longest = max(longest, group)
        }
        return commas.contains(true) && longest <= 2
    }

    private static let callerCues = [
        "call me", "call us", "reach me", "text me", "ring me", "number is", "phone is", "phone number", "mobile is", "cell is",
    ]

    private static func hasCallerCue(_ context: String) -> Bool {
        let lower = context.lowercased()
        return callerCues.contains { lower.contains($0) }
    }

    /// The findings of identifiers spelled in `w` (words of `t`).
    static func scan(_ t: ScalarText, _ w: [Word], into out: inout [Finding]) {
        let table = digitWords
        let double = Self.double
        let triple = Self.triple
        let initials = Self.initials
        var i = 0
        while i < w.count {
            // Most words start with another letter: one bit test each.
            let first = t.v[w[i].start] | 0x20
            guard !w[i].isNumber, first >= 0x61, first <= 0x7A, initials & 1 << (first - 0x61) != 0,
                digit(w[i], table) != nil || ((w[i].hash == double || w[i].hash == triple) && i + 1 < w.count)
                    || (w[i].end - w[i].start >= 6 && digits(of: w[i], t, table) != nil)
            else {
                i += 1
                continue
            }
            // The run: its digits and, for each digit, the word it was read from.
            var digits: [UInt32] = []
            var from: [Int] = []
            var e = i
            while e < w.count, !w[e].isNumber, e == i || joins(t, w[e - 1].end, w[e].start) {
                if let ds = Self.digits(of: w[e], t, table) {
                    digits += ds
                    from += Array(repeating: e, count: ds.count)
                    e += 1
                } else if w[e].hash == double || w[e].hash == triple, e + 1 < w.count, !w[e + 1].isNumber,
                    joins(t, w[e].end, w[e + 1].start), let d = digit(w[e + 1], table)
                {
                    for _ in 0..<(w[e].hash == double ? 2 : 3) {
                        digits.append(d)
                        from.append(e)
                    }
                    from[from.count - 1] = e + 1
                    e += 2
                } else {
                    break
                }
            }
            defer { i = max(e, i + 1) }
            guard digits.count >= 7 else { continue }
            let commas = (i + 1..<e).map { k in (w[k - 1].end..<w[k].start).contains { t.v[$0] == 0x2C } }
            guard !isCountOrList(digits, commas: commas) else { continue }
            // The words before the run in its sentence (its context: "my number is", "SSN"), then its digits.
            var contextStart = w[i].start
            while contextStart > 0, w[i].start - contextStart < 48 {
                let c = t.v[contextStart - 1]
                if c == 0x0A || ((c == 0x2E || c == 0x21 || c == 0x3F) && t[contextStart] == 0x20) { break }
                contextStart -= 1
            }
            let context = t.string(contextStart, w[i].start)
            var synthetic = context.unicodeScalars
            let prefix = synthetic.count
            for d in digits { synthetic.append(Unicode.Scalar(0x30 + d)!) }
            let read = ScalarText(String(synthetic))
            // A short phone number (seven to nine digits) said in one breath needs a caller's words before
            // it ("call me at five five five one two three four"); after "tell me", "cells", "fax" such a
            // run is a sequence of some other kind ("the sum of the digits six three nine one four …").
            let flat = !commas.contains(true)
            let callerCue = flat && digits.count < 10 && hasCallerCue(context)
            for f in SensitivityScanner.secretsAndIdentifiers(read) where f.type.isStructuredIdentifier && f.end > prefix {
                if f.type == .phone && flat && digits.count < 10 && !callerCue { continue }
                let first = from[max(f.start, prefix) - prefix]
                let last = from[min(f.end, read.count) - prefix - 1]
                out.append(Finding(type: f.type, start: w[first].start, end: w[last].end, score: f.score))
            }
        }
    }
}
