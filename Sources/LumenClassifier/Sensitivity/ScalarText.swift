// Scalar-level view of a prompt shared by every detector: offsets are indices into `v`, which are
// Unicode-scalar offsets, the unit `Finding.start`/`end` use.

/// The prompt as an array of Unicode scalar values plus cheap character-class helpers.
struct ScalarText {
    let v: [UInt32]
    /// No scalar above 0x7F: the detectors for Han text have nothing to look at.
    let isASCII: Bool
    /// Some ':' (0x3A): connection strings and IPv6 addresses need one.
    let hasColon: Bool
    /// Which East Asian scripts occur (`ScalarText.han`, `.kana`, `.postalMark`), noted while
    /// decoding, so that the Chinese and Japanese detectors skip other text without a pass of their own.
    let scripts: UInt8
    static let han: UInt8 = 1
    static let kana: UInt8 = 2
    static let postalMark: UInt8 = 4
    var hasHan: Bool { scripts & Self.han != 0 }
    var hasKana: Bool { scripts & Self.kana != 0 }
    var hasPostalMark: Bool { scripts & Self.postalMark != 0 }

    /// The script flags of one scalar of three or four UTF-8 bytes.
    @inline(__always) private static func scriptFlags(_ v: UInt32) -> UInt8 {
        if v < 0x3000 { return 0 }
        if Chars.isHan(v) { return han }
        if v >= 0x3041 && v <= 0x30FF && v != 0x30FB { return kana }
        return v == 0x3012 ? postalMark : 0
    }
    /// Among the ASCII scalars: the letters, and those that are neither letters nor spaces, counted
    /// while decoding for the language and token estimate.
    let asciiLetters: Int
    let asciiOthers: Int
    var count: Int { v.count }

    /// Per ASCII scalar: 1 letter, 2 neither letter nor space, 4 ':'.
    private static let asciiClasses: [UInt8] = (0..<128).map { c in
        let c = UInt32(c)
        if Chars.isASCIILetter(c) { return 1 }
        if Chars.isSpace(c) { return 0 }
        return c == 0x3A ? 2 | 4 : 2
    }

    private static let high: UInt64 = 0x8080_8080_8080_8080

    /// `byte` in each of the eight lanes of a word.
    @inline(__always) private static func lanes(_ byte: UInt64) -> UInt64 { byte &* 0x0101_0101_0101_0101 }

    /// The high bit of each lane whose byte is zero (lanes below 0x80 only).
    @inline(__always) private static func zeroLanes(_ x: UInt64) -> UInt64 {
        let low = lanes(0x7F)
        return ~(((x & low) &+ low) | x) & high
    }

    private init(v: [UInt32], isASCII: Bool, hasColon: Bool, scripts: UInt8, asciiLetters: Int, asciiOthers: Int) {
        self.v = v
        self.isASCII = isASCII
        self.hasColon = hasColon
        self.scripts = scripts
        self.asciiLetters = asciiLetters
        self.asciiOthers = asciiOthers
    }

    /// The same text with other non-ASCII scalars in the same places (`TraditionalChinese`).
    func replacingScalars(_ scalars: [UInt32]) -> ScalarText {
        precondition(scalars.count == v.count)
        return ScalarText(v: scalars, isASCII: isASCII, hasColon: hasColon, scripts: scripts, asciiLetters: asciiLetters, asciiOthers: asciiOthers)
    }

    init(_ text: String) {
        var isASCII = true
        var hasColon = false
        var scripts: UInt8 = 0
        var letters = 0
        var others = 0
        var classes: UInt8 = 0
        let asciiClasses = Self.asciiClasses
        // A native string's UTF-8 is contiguous and valid: decode it directly (much faster than
        // iterating `unicodeScalars`, which was a visible share of the profile).
        let decoded: [UInt32]? = text.utf8.withContiguousStorageIfAvailable { bytes in
            [UInt32](unsafeUninitializedCapacity: bytes.count) { buffer, initialized in
                var i = 0
                var n = 0
                let end = bytes.count
                let base = UnsafeRawPointer(bytes.baseAddress)
                while i < end {
                    // Eight ASCII bytes at once: widened, letters and spaces counted by byte-wise
                    // arithmetic (exact for bytes below 0x80; no carry crosses a byte).
                    if i + 8 <= end, let base {
                        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                        if word & Self.high == 0 {
                            for k in 0..<8 { buffer[n + k] = UInt32(truncatingIfNeeded: word >> UInt64(8 * k)) & 0xFF }
                            let lower = word | Self.lanes(0x20)
                            let letterLanes = (lower &+ Self.lanes(0x80 - 0x61)) & ~(lower &+ Self.lanes(0x80 - 0x7B)) & Self.high
                            let spaceLanes =
                                Self.zeroLanes(word ^ Self.lanes(0x20)) | Self.zeroLanes(word ^ Self.lanes(0x09))
                                | Self.zeroLanes(word ^ Self.lanes(0x0A)) | Self.zeroLanes(word ^ Self.lanes(0x0D))
                            let lettersHere = letterLanes.nonzeroBitCount
                            letters &+= lettersHere
                            others &+= 8 - lettersHere - spaceLanes.nonzeroBitCount
                            if Self.zeroLanes(word ^ Self.lanes(0x3A)) != 0 { classes |= 4 }
                            i += 8
                            n += 8
                            continue
                        }
                    }
                    let b0 = UInt32(bytes[i])
                    if b0 < 0x80 {
                        let k = asciiClasses[Int(b0)]
                        letters &+= Int(k & 1)
                        others &+= Int((k >> 1) & 1)
                        classes |= k
                        buffer[n] = b0
                        i += 1
                    } else if b0 < 0xE0 {
                        buffer[n] = (b0 & 0x1F) << 6 | (UInt32(bytes[i + 1]) & 0x3F)
                        i += 2
                    } else if b0 < 0xF0 {
                        let v = (b0 & 0x0F) << 12 | (UInt32(bytes[i + 1]) & 0x3F) << 6 | (UInt32(bytes[i + 2]) & 0x3F)
                        buffer[n] = v
                        scripts |= Self.scriptFlags(v)
                        i += 3
                    } else {
                        let v =
                            (b0 & 0x07) << 18 | (UInt32(bytes[i + 1]) & 0x3F) << 12 | (UInt32(bytes[i + 2]) & 0x3F) << 6
                            | (UInt32(bytes[i + 3]) & 0x3F)
                        buffer[n] = v
                        scripts |= Self.scriptFlags(v)
                        i += 4
                    }
                    n += 1
                }
                initialized = n
                isASCII = n == end
            }
        }
        if let decoded {
            v = decoded
            hasColon = classes & 4 != 0
        } else {
            v = text.unicodeScalars.map(\.value)
            isASCII = v.allSatisfy { $0 < 0x80 }
            hasColon = v.contains(0x3A)
            letters = v.count { Chars.isASCIILetter($0) }
            others = v.count { $0 < 0x80 && !Chars.isASCIILetter($0) && !Chars.isSpace($0) }
            scripts = v.reduce(0) { $0 | Self.scriptFlags($1) }
        }
        self.isASCII = isASCII
        self.hasColon = hasColon
        self.scripts = scripts
        asciiLetters = letters
        asciiOthers = others
    }

    @inline(__always) subscript(i: Int) -> UInt32 { i >= 0 && i < v.count ? v[i] : 0 }

    /// A table cell `a..<b` without the spaces, quotes, '*' (Markdown emphasis) and carriage return
    /// around its text.
    func trimmedCell(_ a: Int, _ b: Int) -> (Int, Int) {
        func padding(_ c: UInt32) -> Bool { c == 0x20 || c == 0x22 || c == 0x27 || c == 0x2A || c == 0x0D }
        var a = a
        var b = b
        while a < b && padding(v[a]) { a += 1 }
        while b > a && padding(v[b - 1]) { b -= 1 }
        return (a, b)
    }

    @inline(__always) func isDigit(_ i: Int) -> Bool {
        let c = self[i]
        return c >= 0x30 && c <= 0x39
    }
    @inline(__always) func isASCIILetter(_ i: Int) -> Bool { Chars.isASCIILetter(self[i]) }
    @inline(__always) func isASCIIAlnum(_ i: Int) -> Bool {
        let c = self[i]
        return Chars.isASCIILetter(c) || (c >= 0x30 && c <= 0x39)
    }
    @inline(__always) func isHan(_ i: Int) -> Bool { Chars.isHan(self[i]) }
    @inline(__always) func isLetter(_ i: Int) -> Bool { Chars.isLetter(self[i]) }
    @inline(__always) func isSpace(_ i: Int) -> Bool { Chars.isSpace(self[i]) }

    /// Case-insensitive (ASCII) match of `word` at `i`.
    func matches(_ word: [UInt32], at i: Int) -> Bool {
        guard i >= 0, i + word.count <= v.count else { return false }
        for k in 0..<word.count where Chars.lowerASCII(v[i + k]) != word[k] { return false }
        return true
    }

    /// Whether any of `words` occurs in the `window` scalars before `position`.
    /// Whether one of `words` starts within `window` scalars before `position`, looking back no
    /// further than a record separator (U+001E), which the router puts between separate strings.
    func hasContext(_ words: ContextWords, before position: Int, window: Int) -> Bool {
        var from = max(0, position - window)
        guard from < position else { return false }
        var k = position - 1
        while k >= from {
            if v[k] == 0x1E {
                from = k + 1
                break
            }
            k -= 1
        }
        guard from < position else { return false }
        for i in from..<position {
            let c = Chars.lowerASCII(v[i])
            if c < 0x80 && !Chars.isASCIILetter(c) { continue }
            // An English context word starts a word ("tel", not the "tel" in "RateLimit").
            if c < 0x80 && i > 0 && Chars.isASCIILetter(v[i - 1]) { continue }
            var candidates = words.candidates(c)
            while candidates != 0 {
                let index = candidates.trailingZeroBitCount
                candidates &= candidates - 1
                if i + words.count(index) <= position && words.matches(index, self, at: i) { return true }
            }
        }
        return false
    }

    func string(_ start: Int, _ end: Int) -> String {
        var s = String.UnicodeScalarView()
        for i in start..<end { if let u = Unicode.Scalar(v[i]) { s.append(u) } }
        return String(s)
    }
}

/// A short list of context words (lower-cased scalars) indexed by first scalar, so that a scan asks
/// only the words that can start at a position instead of looping over the whole list there.
struct ContextWords: Sendable {
    private let scalars: [UInt32]
    private let offsets: [Int]
    private let lengths: [Int]
    /// For each ASCII first scalar, a bit per word starting with it (bit k = word k, list order).
    private let byFirst: [UInt64]
    /// Words whose first scalar is not ASCII: (first scalar, bit).
    private let nonASCII: [(UInt32, UInt64)]
    /// The first two scalars of every word (`pair`; a word of one scalar: it and `anyNext`).
    private let starts: Set<UInt64>
    /// The same for ASCII pairs as bits: row `c` (two words of 64 bits) has bit `next` set when a word
    /// starts with `c` and `next`, all of it when a word is `c` alone. One load instead of two hashes
    /// at every word start the anchor pass tries.
    private let asciiStarts: [UInt64]
    private static let anyNext: UInt32 = 0xFFFF_FFFF
    @inline(__always) private static func pair(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// The ASCII scalars a word starts with, lower case (a trigger table lists them and their capitals).
    var asciiFirsts: [Int] { byFirst.indices.filter { byFirst[$0] != 0 } }

    init(_ words: [String]) {
        let lists = words.map(Chars.scalars)
        precondition(lists.count <= 64 && lists.allSatisfy { !$0.isEmpty })
        var scalars: [UInt32] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        var byFirst = [UInt64](repeating: 0, count: 128)
        var nonASCII: [(UInt32, UInt64)] = []
        for (index, word) in lists.enumerated() {
            offsets.append(scalars.count)
            lengths.append(word.count)
            scalars += word
            if word[0] < 0x80 { byFirst[Int(word[0])] |= 1 << UInt64(index) } else { nonASCII.append((word[0], 1 << UInt64(index))) }
        }
        self.scalars = scalars
        self.offsets = offsets
        self.lengths = lengths
        self.byFirst = byFirst
        self.nonASCII = nonASCII
        starts = Set(lists.map { Self.pair($0[0], $0.count > 1 ? $0[1] : Self.anyNext) })
        var bits = [UInt64](repeating: 0, count: 256)
        for word in lists where word[0] < 0x80 {
            let row = Int(word[0]) * 2
            if word.count == 1 {
                bits[row] = ~0
                bits[row + 1] = ~0
            } else if word[1] < 0x80 {
                bits[row + Int(word[1] >> 6)] |= 1 << (word[1] & 63)
            }
        }
        asciiStarts = bits
    }

    /// Whether some word starts with `c` and then `next` (both already lower-cased): a cheap test
    /// before `candidates` and `matches`, derived from the words so that it never disagrees with them.
    @inline(__always) func mayStart(_ c: UInt32, _ next: UInt32) -> Bool {
        if c < 0x80 && next < 0x80 { return asciiStarts[Int(c) * 2 + Int(next >> 6)] & (1 << (next & 63)) != 0 }
        return starts.contains(Self.pair(c, next)) || starts.contains(Self.pair(c, Self.anyNext))
    }

    /// The words that start with `c` (already lower-cased), as a bit set in list order.
    @inline(__always) func candidates(_ c: UInt32) -> UInt64 {
        if c < 0x80 { return byFirst[Int(c)] }
        var bits: UInt64 = 0
        for (first, bit) in nonASCII where first == c { bits |= bit }
        return bits
    }

    @inline(__always) func count(_ index: Int) -> Int { lengths[index] }

    /// Case-insensitive (ASCII) match of word `index` at `i` (like `ScalarText.matches`).
    @inline(__always) func matches(_ index: Int, _ t: ScalarText, at i: Int) -> Bool {
        let length = lengths[index]
        let offset = offsets[index]
        guard i >= 0, i + length <= t.count else { return false }
        for k in 0..<length where Chars.lowerASCII(t.v[i + k]) != scalars[offset + k] { return false }
        return true
    }
}

/// Character classes on raw scalar values (no allocation).
enum Chars {
    @inline(__always) static func isASCIILetter(_ c: UInt32) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isHexDigit(_ c: UInt32) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
    /// The value of a hex digit (the caller checked `isHexDigit`).
    @inline(__always) static func hexValue(_ c: UInt32) -> UInt32 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
    @inline(__always) static func isUpperASCII(_ c: UInt32) -> Bool { c >= 0x41 && c <= 0x5A }
    @inline(__always) static func lowerASCII(_ c: UInt32) -> UInt32 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
    @inline(__always) static func isSpace(_ c: UInt32) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0xA0 || c == 0x3000
    }
    @inline(__always) static func isHan(_ c: UInt32) -> Bool {
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF)
    }
    /// Kana and Hangul: CJK scripts that are not Chinese.
    @inline(__always) static func isOtherCJK(_ c: UInt32) -> Bool {
        (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF)
    }
    /// Letters of alphabetic scripts (Latin, Greek, Cyrillic, …); Han is handled apart.
    @inline(__always) static func isLetter(_ c: UInt32) -> Bool {
        if c < 0x80 { return isASCIILetter(c) }
        if c < 0xC0 { return c == 0xAA || c == 0xB5 || c == 0xBA }
        if c == 0xD7 || c == 0xF7 { return false }
        if c < 0x2000 { return true }
        if isHan(c) || isOtherCJK(c) { return false }
        // Punctuation around Chinese text, without a property lookup: general punctuation (“”…—),
        // CJK marks and brackets (、。《》「」【】) and fullwidth punctuation and digits (，：；！？（）０-９).
        if c <= 0x206F || (c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3020) || (c >= 0xFF01 && c <= 0xFF20) { return false }
        guard let scalar = Unicode.Scalar(c) else { return false }
        return scalar.properties.isAlphabetic
    }
    @inline(__always) static func isUpper(_ c: UInt32) -> Bool {
        if c < 0x80 { return isUpperASCII(c) }
        guard let scalar = Unicode.Scalar(c) else { return false }
        return scalar.properties.isUppercase
    }
    /// Cheap lower-casing good enough for hashing words: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic.
    @inline(__always) static func foldCase(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return lowerASCII(c) }
        if c >= 0xC0 && c <= 0xDE && c != 0xD7 { return c + 0x20 }
        if c >= 0x100 && c <= 0x17F {
            // Turkish İ and dotless ı fold to i (so "KASIM", "Kasım" and "kasım" are one word).
            if c == 0x130 || c == 0x131 { return 0x69 }
            // Ĺ…ň and Ź…ž pair an odd capital with the even letter after it ("Ł" 0x141, "ł" 0x142);
            // the rest of the block pairs an even capital with the odd letter after it.
            if (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) { return c & 1 == 1 ? c + 1 : c }
            return c | 1
        }
        if c >= 0x391 && c <= 0x3A9 { return c + 0x20 }
        if c >= 0x410 && c <= 0x42F { return c + 0x20 }
        return c
    }

    static func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map { foldCase($0.value) } }

    /// FNV-1a over case-folded scalars: the key of every word lexicon.
    @inline(__always) static func hash(_ v: [UInt32], _ start: Int, _ end: Int) -> UInt64 {
        var h = hashSeed
        for i in start..<end { h = hashStep(h, v[i]) }
        return h
    }

    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// One scalar of `hash`, for callers that hash while they scan.
    @inline(__always) static func hashStep(_ h: UInt64, _ c: UInt32) -> UInt64 { (h ^ UInt64(foldCase(c))) &* 0x100_0000_01b3 }

    static func hash(_ s: String) -> UInt64 {
        let v = s.unicodeScalars.map(\.value)
        return hash(v, 0, v.count)
    }

    /// Combines two word hashes into the key of a two-word phrase.
    @inline(__always) static func pair(_ a: UInt64, _ b: UInt64) -> UInt64 { (a &* 31) ^ (b &+ 0x9e37_79b9_7f4a_7c15) }

    static func hashSet(_ words: String) -> WordSet {
        WordSet(words.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { hash(String($0)) })
    }
}

/// A run of letters (a word) or digits (a number) in Latin-like text.
struct Word {
    var start: Int
    var end: Int
    var hash: UInt64
    var isNumber: Bool
    /// First letter upper-case.
    var isCapitalized: Bool
    var isAllCaps: Bool
    var hasNonASCII: Bool
    /// A newline between the previous word and this one.
    var newlineBefore: Bool
    /// The scalar right before the word, skipping spaces (0 at the start).
    var previous: UInt32
    /// The scalar right after the word (0 at the end).
    var next: UInt32
    var length: Int { end - start }

    /// A possessive "s" that `ScalarText.words` split off after an apostrophe ("King's", "Femi’s").
    func isPossessiveS(_ t: ScalarText) -> Bool {
        length == 1 && t.v[start] | 0x20 == 0x73 && start > 0 && (t.v[start - 1] == 0x27 || t.v[start - 1] == 0x2019)
    }

    /// Ends in "ing", any case ("Planning", "MEETING").
    func endsWithIng(_ t: ScalarText) -> Bool {
        length >= 3 && t.v[end - 3] | 0x20 == 0x69 && t.v[end - 2] | 0x20 == 0x6E && t.v[end - 1] | 0x20 == 0x67
    }

    /// An upper-case letter after the first ("OOMKilled", "McDonald").
    func hasInnerCapital(_ t: ScalarText) -> Bool {
        guard length > 1 else { return false }
        for k in (start + 1)..<end where Chars.isUpper(t.v[k]) { return true }
        return false
    }
}

extension ScalarText {
    /// Splits into letter runs and digit runs (an inner apostrophe or hyphen stays inside a word; a
    /// possessive "'s" or "’s" does not).
    func words() -> [Word] {
        var out: [Word] = []
        out.reserveCapacity(count / 5 + 1)
        var i = 0
        var newline = true
        var prev: UInt32 = 0
        while i < count {
            let c = v[i]
            if c == 0x0A {
                newline = true
                i += 1
                continue
            }
            // Han (most of a Chinese text) is no word: skip it without the letter tests.
            if c >= 0x4E00 && c <= 0x9FFF {
                prev = c
                i += 1
                continue
            }
            // The hash (`Chars.hash` of the word) is computed in the same pass as the word's extent.
            if Chars.isDigit(c) {
                let s = i
                var h = Chars.hashSeed
                while i < count && Chars.isDigit(v[i]) {
                    h = Chars.hashStep(h, v[i])
                    i += 1
                }
                out.append(
                    Word(
                        start: s, end: i, hash: h, isNumber: true, isCapitalized: false, isAllCaps: false,
                        hasNonASCII: false, newlineBefore: newline, previous: prev, next: self[i]))
                newline = false
                prev = v[i - 1]
                continue
            }
            if Chars.isLetter(c) {
                let s = i
                var upper = 0
                var letters = 0
                var nonASCII = false
                var h = Chars.hashSeed
                while i < count {
                    let d = v[i]
                    if d < 0x80 {
                        // ASCII letter, the common case: the same counts and `Chars.hashStep` in fewer steps.
                        let lower = d | 0x20
                        if lower >= 0x61 && lower <= 0x7A {
                            letters += 1
                            if d < 0x61 { upper += 1 }
                            h = (h ^ UInt64(lower)) &* 0x100_0000_01b3
                            i += 1
                            continue
                        }
                    } else if Chars.isLetter(d) {
                        letters += 1
                        nonASCII = true
                        if Chars.isUpper(d) { upper += 1 }
                        h = Chars.hashStep(h, d)
                        i += 1
                        continue
                    }
                    if (d == 0x27 || d == 0x2D || d == 0x2019) && Chars.isLetter(self[i + 1])
                        && !((d == 0x27 || d == 0x2019) && (self[i + 1] | 0x20) == 0x73 && !Chars.isLetter(self[i + 2]))
                    {
                        h = Chars.hashStep(h, d)
                        i += 1
                    } else {
                        break
                    }
                }
                out.append(
                    Word(
                        start: s, end: i, hash: h, isNumber: false, isCapitalized: Chars.isUpper(c),
                        isAllCaps: upper == letters && letters > 1, hasNonASCII: nonASCII, newlineBefore: newline,
                        previous: prev, next: self[i]))
                newline = false
                prev = v[i - 1]
                continue
            }
            if !Chars.isSpace(c) { prev = c }
            if Chars.isHan(c) || Chars.isOtherCJK(c) { prev = c }
            i += 1
        }
        return out
    }
}

/// An open-addressing set of word hashes: the FNV hash is already uniform, so no re-hashing
/// (Swift's `Set` runs SipHash on every lookup, which dominated the profile).
struct WordSet: Sendable {
    private var table: [UInt64]
    private let mask: Int

    init(_ hashes: some Sequence<UInt64>) {
        let unique = Array(Set(hashes))
        var size = 16
        while size < unique.count * 3 { size <<= 1 }
        var table = [UInt64](repeating: 0, count: size)
        let mask = size - 1
        for h in unique where h != 0 {
            var k = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while table[k] != 0 { k = (k + 1) & mask }
            table[k] = h
        }
        self.table = table
        self.mask = mask
    }

    @inline(__always) func contains(_ h: UInt64) -> Bool {
        var k = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let e = table[k]
            if e == h { return true }
            if e == 0 { return false }
            k = (k + 1) & mask
        }
    }
}

/// An open-addressing map from word hashes to values, for the same reason as `WordSet`: no SipHash
/// per lookup. Built once from a dictionary; lookups only.
struct WordMap<Value: Sendable>: Sendable {
    private var keys: [UInt64]
    /// Index into `values` per slot, -1 for an empty slot.
    private var slots: [Int32]
    private var values: [Value]
    private let mask: Int

    init(_ dictionary: [UInt64: Value]) {
        var size = 16
        while size < dictionary.count * 3 { size <<= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var slots = [Int32](repeating: -1, count: size)
        var values: [Value] = []
        values.reserveCapacity(dictionary.count)
        let mask = size - 1
        for (h, value) in dictionary {
            var k = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slots[k] >= 0 { k = (k + 1) & mask }
            keys[k] = h
            slots[k] = Int32(values.count)
            values.append(value)
        }
        self.keys = keys
        self.slots = slots
        self.values = values
        self.mask = mask
    }

    @inline(__always) subscript(_ h: UInt64) -> Value? {
        var k = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let slot = slots[k]
            if slot < 0 { return nil }
            if keys[k] == h { return values[Int(slot)] }
            k = (k + 1) & mask
        }
    }
}
