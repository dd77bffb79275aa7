// Chinese person names from character statistics (trained by `lumen train names`, see
// ChineseNameTraining.swift). Three kinds of candidate span are scored by logistic regression:
// - Chinese-style: a surname (or compound surname) and one or two given-name characters;
// - transliterated: a run of characters typical of transliterated foreign names ("罗比尼奥",
//   "克里斯托弗·诺兰"), separators '·' allowed inside;
// - Latin: a run of Latin letters and digits next to Chinese text (gamer handles, English names in
//   a Chinese sentence: "人皇Sky", "导演JohnCarpenter").
// Features are per-character log-ratios (surname, given-name and transliteration characters against
// ordinary text; the characters before and after a name against ordinary text and against titles and
// organisations; characters that end titles and organisations, right after the span), whether the
// span or its edges are common words, title brackets (《…》), and for Latin runs their shape and the
// census name lexicons. The best-scoring candidates above a per-kind threshold win, without overlap;
// a candidate a little below its threshold is a name too when a list coordinates it with one (X、Y和Z).

/// The trained Chinese person-name model: quantised per-character tables, context tables and the
/// logistic-regression weights of the two candidate kinds. Stored as JSON (models/names.json) and
/// compiled in as `ChineseNameModel.builtIn`.
package struct ChineseNameModel: Sendable, Hashable, Codable {
    package var version: Int
    /// The characters with a row of their own, in row order from row 2 (row 0: any other scalar,
    /// row 1: the start or end of the text).
    package var chars: String
    /// Per table (`ChineseNameModel.tableNames`): one code character per row, row 0 first (see `Code`).
    package var tables: [String: String]
    /// Per map (`ChineseNameModel.mapNames`): keys (two or three Han characters) each followed by its code character.
    package var maps: [String: String]
    /// Feature names, `ChineseNameFeatures.names`, for both kinds.
    package var features: [String]
    /// Raw weights (standardisation folded in) and bias of the Chinese-style candidates.
    package var chineseWeights: [Double]
    package var chineseBias: Double
    /// A candidate is kept when its probability is at least this.
    package var chineseThreshold: Double
    package var translitWeights: [Double]
    package var translitBias: Double
    package var translitThreshold: Double
    package var latinWeights: [Double]
    package var latinBias: Double
    package var latinThreshold: Double

    package init(
        version: Int, chars: String, tables: [String: String], maps: [String: String], features: [String],
        chineseWeights: [Double], chineseBias: Double, chineseThreshold: Double,
        translitWeights: [Double], translitBias: Double, translitThreshold: Double,
        latinWeights: [Double], latinBias: Double, latinThreshold: Double
    ) {
        self.version = version
        self.chars = chars
        self.tables = tables
        self.maps = maps
        self.features = features
        self.chineseWeights = chineseWeights
        self.chineseBias = chineseBias
        self.chineseThreshold = chineseThreshold
        self.translitWeights = translitWeights
        self.translitBias = translitBias
        self.translitThreshold = translitThreshold
        self.latinWeights = latinWeights
        self.latinBias = latinBias
        self.latinThreshold = latinThreshold
    }

    package static let tableNames = ["surname", "given", "translit", "nameVsDecoy", "before", "after", "decoyBefore", "decoyAfter", "decoyEnd"]
    package static let mapNames = ["before2", "after2", "decoyBefore2", "decoyAfter2", "words"]

    /// Checks the shape: every table has one code per row, weights match the features.
    package func validate() throws(ChineseNameModelError) {
        let rows = chars.unicodeScalars.count + 2
        for name in Self.tableNames {
            guard let table = tables[name] else { throw ChineseNameModelError(message: "missing table \(name)") }
            guard table.utf8.count == rows else {
                throw ChineseNameModelError(message: "table \(name) has \(table.utf8.count) codes for \(rows) rows")
            }
            guard table.utf8.allSatisfy({ Code.value($0) != nil || $0 == Code.absent }) else {
                throw ChineseNameModelError(message: "table \(name) has a bad code")
            }
        }
        for name in Self.mapNames where maps[name] == nil { throw ChineseNameModelError(message: "missing map \(name)") }
        guard features.count == ChineseNameFeatures.count, chineseWeights.count == features.count, translitWeights.count == features.count,
            latinWeights.count == features.count
        else {
            throw ChineseNameModelError(message: "expected \(ChineseNameFeatures.count) features and weights")
        }
        guard chars.unicodeScalars.allSatisfy({ $0.value < 0x10000 && $0.value > 0 }) else {
            throw ChineseNameModelError(message: "row characters must be in the Basic Multilingual Plane")
        }
    }

    /// One code character per quantised value: 64 levels of 0.25 from −8 to 7.75, and '.' for "absent".
    package enum Code {
        static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/".utf8)
        static let absent = UInt8(ascii: ".")
        private static let decode: [Int8] = {
            var table = [Int8](repeating: -1, count: 128)
            for (k, c) in alphabet.enumerated() { table[Int(c)] = Int8(k) }
            return table
        }()

        /// The value of a code byte, nil for '.' or a byte outside the alphabet.
        static func value(_ byte: UInt8) -> Float? {
            guard byte < 128, decode[Int(byte)] >= 0 else { return nil }
            return Float(Int(decode[Int(byte)]) - 32) / 4
        }

        /// The code of `x`, clamped to [−8, 7.75] and rounded to a quarter.
        package static func encode(_ x: Double) -> Character {
            let level = Int((min(max(x, -8), 7.75) * 4).rounded()) + 32
            return Character(Unicode.Scalar(alphabet[min(max(level, 0), 63)]))
        }

        /// What `encode(x)` decodes to.
        package static func quantise(_ x: Double) -> Double { Double(Int((min(max(x, -8), 7.75) * 4).rounded())) / 4 }
    }
}

/// A malformed name model.
package struct ChineseNameModelError: Error, Sendable, Hashable {
    package var message: String
    package init(message: String) { self.message = message }
}

/// The features of a candidate: the first ones are shared by all kinds, `kind_1`…`kind_5` are those of
/// Chinese-style and transliterated candidates, the `latin_` ones those of Latin runs (zero for the others).
package enum ChineseNameFeatures {
    package static let names = [
        "before", "after", "before2", "after2", "prev_boundary", "next_boundary",
        "decoy_before", "decoy_after", "decoy_before2", "decoy_after2", "name_vs_decoy",
        "prev_han", "next_han", "prev_translit", "next_translit", "next_given",
        "word", "word_across_start", "word_across_end", "word_given", "in_title",
        // How much the next Han characters (up to six) and the span's own last character look like the
        // end of a title or an organisation ("…兄弟公司", "…寺", "…队").
        "decoy_end_ahead", "decoy_end_last",
        // Chinese-style: surname, first and second given-name character, one given-name character only,
        // the surname and first given-name character as a common word ("马上" in "马上就");
        // transliterated: mean and minimum transliteration value, log of the length, a separator inside.
        "kind_1", "kind_2", "kind_3", "kind_4", "kind_5",
        // Latin runs: a census first name, a census surname, a first name + surname ("DustinBrowder",
        // "jonathanglazer"), capitalised, an inner capital, all capitals, all lower case, a digit, log of
        // the length, inside brackets, Han right before, Han right after, at most two letters.
        "latin_first", "latin_surname", "latin_full", "latin_capitalised", "latin_camel",
        "latin_caps", "latin_lower", "latin_digit", "latin_length", "latin_brackets", "latin_han_before",
        "latin_han_after", "latin_short",
    ]
    package static let count = names.count
    /// Where the kind features start.
    static let kindStart = 23
    static let latinStart = 28
}

/// The model decoded for scanning: per-scalar row lookup and flat per-row values. A class: it is
/// built once and passed around, and a copy of a struct with this many arrays retains each of them.
final class ChineseNameScanner: Sendable {
    struct Row: Sendable {
        var surname: Float = 0
        var given: Float = 0
        var translit: Float = 0
        var nameVsDecoy: Float = 0
        var before: Float = 0
        var after: Float = 0
        var decoyBefore: Float = 0
        var decoyAfter: Float = 0
        var decoyEnd: Float = 0
        var isSurname = false
        /// A transliteration character (value above `translitFloor`).
        var isTranslit = false
        /// Seen in transliterations at all: may join a name next to a separator.
        var inTranslit = false
    }

    enum Kind: Int, Sendable, CaseIterable {
        case chinese = 0
        case translit = 1
        case latin = 2
    }

    /// A scored span.
    struct Candidate: Sendable {
        var start: Int
        var end: Int
        var kind: Kind
        var logit: Double
        /// A Latin run backed by the census lexicons (a first name, or a capitalised first name and surname).
        var lexical = false
    }

    /// Row per BMP scalar (0 for scalars without a row).
    private let index: [UInt16]
    private let rows: [Row]
    private let before2: WordMap<Float>, after2: WordMap<Float>, decoyBefore2: WordMap<Float>, decoyAfter2: WordMap<Float>
    private let words: WordMap<Float>
    /// Per kind (`Kind.rawValue`): raw weights, bias and the logit from which a candidate is kept.
    private let weights: [[Double]]
    private let biases: [Double]
    let cuts: [Double]
    /// Census first names and surnames (lower case), and words that are never names, for Latin runs.
    private let firstNames = Chars.hashSet(NameLexicon.firstNames)
    private let surnames = Chars.hashSet(NameLexicon.surnames)
    private let stopWords = Lexicon.stopWords
    private let notNames = Lexicon.notNames
    private let softwareWords = Lexicon.softwareWords
    private let englishWords = EnglishWords.common

    /// Compound surnames: first scalar → second scalars.
    private static let compounds: [UInt32: [UInt32]] = {
        var out: [UInt32: [UInt32]] = [:]
        for s in Lexicon.chineseCompoundSurnames { out[s[0], default: []].append(s[1]) }
        return out
    }()
    private static let compoundFirst = ScalarBitmap(Set(Lexicon.chineseCompoundSurnames.map { $0[0] }))

    /// The surname value of a compound surname (its first character's own row is not used).
    static let compoundSurname: Float = 6

    /// The transliteration value (log-ratio against ordinary text) from which a character may run in a
    /// transliterated candidate ("金" in "阿特金森", "雪" in "山姆费雪" are a little more common in ordinary text).
    static let translitFloor: Float = -1

    /// The word value (log(frequency / 300) + 1) from which a two-character word is never a name.
    static let frequentWord = 1.0

    /// Whether t[s..<e] is a two-character word the dictionary tags as a name that is an ordinary word
    /// as often ("李子", "张开", "叶子", "阳光", "许可"; `ChineseTaggedWords`), or a figure of history
    /// ("曹操", "乾隆"): not when its second character is common in given names ("李娜", "李俊",
    /// "张宁"), both characters are transliteration characters ("马丁", "布朗": a foreign name), or a
    /// surname character stands before it (it is then a three-character name's given name: "褚向东").
    /// Only two characters: a third after such a word is a name's as often ("张大千", "金石开").
    func isTaggedOrdinaryWord(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 2, e <= t.count, Self.taggedWords.contains(Self.key(t, s, e)) else { return false }
        if s > 0 && Chars.isHan(t.v[s - 1]) && row(t.v[s - 1]).isSurname && !Self.beforeNames.contains(t.v[s - 1]) { return false }
        let first = row(t.v[s])
        let second = row(t.v[s + 1])
        return second.given < Self.givenNameLevel && !(first.translit >= Self.givenNameLevel && second.translit >= Self.givenNameLevel)
    }

    /// Words a name follows: 跟 和 与 同 及 给 对 向 被 把 让 叫 请 找 问 为 是 在 的 了 说 也 都 就 又 还 从.
    static let beforeNames = ScalarBitmap("跟和与同及给对向被把让叫请找问为是在的了说也都就又还从".unicodeScalars.map(\.value))

    /// The given-name (and transliteration) value from which a character reads as part of a name.
    static let givenNameLevel: Float = 2

    /// The keys of `ChineseTaggedWords.words`.
    static let taggedWords = keys(ChineseTaggedWords.words)

    /// The keys of `ChineseTaggedWords.rarerWords`.
    static let rarerWords = keys(ChineseTaggedWords.rarerWords)

    private static func keys(_ list: String) -> Set<UInt64> {
        Set(
            list.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { word in
                let t = ScalarText(String(word))
                return key(t, 0, t.count)
            })
    }

    /// Whether t[s..<e] is an ordinary word that is no name however its characters read: a frequent
    /// word, or one the dictionary tags as a name that is an ordinary word as often
    /// (`isTaggedOrdinaryWord`).
    func isOrdinaryWord(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        e - s == 2 && (Double(word(t, s, e)) >= Self.frequentWord || isTaggedOrdinaryWord(t, s, e))
    }

    /// Whether t[s..<e] is a two- or three-character word of ordinary text a little rarer than the
    /// frequent ones ("白菜", "房东", "文档", "高傲", "向日葵"; `ChineseTaggedWords.rarerWords`).
    func isRarerWord(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        (e - s == 2 || e - s == 3) && e <= t.count && Self.rarerWords.contains(Self.key(t, s, e))
    }

    /// Separators inside a transliterated name: · • ・ ． - ‧ ⋅ ∙ (a switch: no hashing, no lazy global).
    @inline(__always) static func isSeparator(_ c: UInt32) -> Bool {
        switch c {
        case 0xB7, 0x2022, 0x30FB, 0xFF0E, 0x2D, 0x2027, 0x22C5, 0x2219: true
        default: false
        }
    }

    init(_ model: ChineseNameModel) {
        let chars = Array(model.chars.unicodeScalars.map(\.value))
        var index = [UInt16](repeating: 0, count: 0x10000)
        for (k, c) in chars.enumerated() where c < 0x10000 { index[Int(c)] = UInt16(k + 2) }
        index[0] = 1
        self.index = index
        var rows = [Row](repeating: Row(), count: chars.count + 2)
        func fill(_ name: String, _ set: (inout Row, Float?) -> Void) {
            let codes = Array((model.tables[name] ?? "").utf8)
            for r in rows.indices where r < codes.count { set(&rows[r], ChineseNameModel.Code.value(codes[r])) }
        }
        fill("surname") { row, v in
            row.surname = v ?? 0
            row.isSurname = v != nil
        }
        fill("given") { row, v in row.given = v ?? 0 }
        fill("translit") { row, v in
            row.translit = v ?? 0
            row.isTranslit = v.map { $0 > Self.translitFloor } ?? false
            row.inTranslit = v != nil
        }
        fill("nameVsDecoy") { row, v in row.nameVsDecoy = v ?? 0 }
        fill("before") { row, v in row.before = v ?? 0 }
        fill("after") { row, v in row.after = v ?? 0 }
        fill("decoyBefore") { row, v in row.decoyBefore = v ?? 0 }
        fill("decoyAfter") { row, v in row.decoyAfter = v ?? 0 }
        fill("decoyEnd") { row, v in row.decoyEnd = v ?? 0 }
        self.rows = rows
        func map(_ name: String) -> WordMap<Float> {
            var out: [UInt64: Float] = [:]
            var key = Self.keySeed
            var length = 0
            for scalar in (model.maps[name] ?? "").unicodeScalars {
                let c = scalar.value
                if c < 0x80 {
                    if length >= 2, let v = ChineseNameModel.Code.value(UInt8(c)) { out[key] = v }
                    key = Self.keySeed
                    length = 0
                } else {
                    key = Self.keyStep(key, c)
                    length += 1
                }
            }
            return WordMap(out)
        }
        before2 = map("before2")
        after2 = map("after2")
        decoyBefore2 = map("decoyBefore2")
        decoyAfter2 = map("decoyAfter2")
        words = map("words")
        weights = [model.chineseWeights, model.translitWeights, model.latinWeights]
        biases = [model.chineseBias, model.translitBias, model.latinBias]
        cuts = [model.chineseThreshold, model.translitThreshold, model.latinThreshold].map(Self.logit)
    }

    static func logit(_ p: Double) -> Double {
        let q = min(max(p, 1e-9), 1 - 1e-9)
        return Elementary.ln(q / (1 - q))
    }

    static let keySeed: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) static func keyStep(_ h: UInt64, _ c: UInt32) -> UInt64 { (h ^ UInt64(c)) &* 0x100_0000_01b3 }

    /// The map key of t[s..<e] (FNV-1a over the scalars).
    @inline(__always) static func key(_ t: ScalarText, _ s: Int, _ e: Int) -> UInt64 {
        var h = keySeed
        for k in s..<e { h = keyStep(h, t.v[k]) }
        return h
    }

    @inline(__always) func row(_ c: UInt32) -> Row { rows[c < 0x10000 ? Int(index[Int(c)]) : 0] }

    /// The row of the scalar at `i`, row 1 outside the text.
    @inline(__always) private func row(_ t: ScalarText, _ i: Int) -> Row { i < 0 || i >= t.count ? rows[1] : row(t.v[i]) }

    /// How common t[s..<e] is as a word: log(frequency / 300) + 1, 0 when it is none (or outside the text).
    @inline(__always) func word(_ t: ScalarText, _ s: Int, _ e: Int) -> Float {
        guard s >= 0, e <= t.count else { return 0 }
        return words[Self.key(t, s, e)] ?? 0
    }

    private static func isBoundary(_ t: ScalarText, _ i: Int) -> Bool {
        guard i >= 0 && i < t.count else { return true }
        let c = t.v[i]
        if c < 0x80 { return !(Chars.isASCIILetter(c) || Chars.isDigit(c)) }
        if Chars.isHan(c) || Chars.isOtherCJK(c) { return false }
        // CJK and general punctuation, full-width forms: boundaries without a property lookup.
        if (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || (c >= 0x2000 && c <= 0x206F) {
            return true
        }
        return !Chars.isLetter(c)
    }

    /// Which scalars lie inside 《…》 (nil when the text has neither '《' nor '》'). A '》' without a '《'
    /// before it closes a title the text starts in ("巫妖王之怒》打落下马": a cut quotation).
    static func titleMask(_ t: ScalarText) -> [Bool]? {
        guard let first = t.v.firstIndex(where: { $0 == 0x300A || $0 == 0x300B }) else { return nil }
        var mask = [Bool](repeating: false, count: t.count)
        var depth = t.v[first] == 0x300B ? 1 : 0
        for k in 0..<t.count {
            let c = t.v[k]
            if c == 0x300A { depth += 1 } else if c == 0x300B { depth = max(0, depth - 1) } else { mask[k] = depth > 0 }
        }
        return mask
    }

    /// The features of t[i..<j] as a candidate of `kind` (`x` has `ChineseNameFeatures.count` slots).
    /// `surnameLength` is 1 or 2 for Chinese-style candidates.
    func features(_ t: ScalarText, _ i: Int, _ j: Int, _ kind: Kind, surnameLength: Int, inTitle: Bool, into x: inout [Double]) {
        let p = row(t, i - 1)
        let n = row(t, j)
        let prevHan = i > 0 && Chars.isHan(t.v[i - 1])
        let nextHan = j < t.count && Chars.isHan(t.v[j])
        x[0] = Double(p.before)
        x[1] = Double(n.after)
        let b2 = i >= 2 ? Self.key(t, i - 2, i) : 0
        let a2 = j + 2 <= t.count ? Self.key(t, j, j + 2) : 0
        x[2] = i >= 2 ? Double(before2[b2] ?? 0) : 0
        x[3] = j + 2 <= t.count ? Double(after2[a2] ?? 0) : 0
        x[4] = Self.isBoundary(t, i - 1) ? 1 : 0
        x[5] = Self.isBoundary(t, j) ? 1 : 0
        x[6] = Double(p.decoyBefore)
        x[7] = Double(n.decoyAfter)
        x[8] = i >= 2 ? Double(decoyBefore2[b2] ?? 0) : 0
        x[9] = j + 2 <= t.count ? Double(decoyAfter2[a2] ?? 0) : 0
        var nd: Float = 0
        for k in i..<j { nd += row(t.v[k]).nameVsDecoy }
        x[10] = Double(nd) / Double(j - i)
        x[11] = prevHan ? 1 : 0
        x[12] = nextHan ? 1 : 0
        x[13] = prevHan && p.isTranslit ? 1 : 0
        x[14] = nextHan && n.isTranslit ? 1 : 0
        x[15] = nextHan ? Double(n.given) : 0
        let latin = kind == .latin
        x[16] = latin ? 0 : Double(word(t, i, j))
        x[17] = i > 0 && !latin ? Double(word(t, i - 1, i + 1)) : 0
        x[18] = j < t.count && !latin ? Double(word(t, j - 1, j + 1)) : 0
        x[19] = kind == .chinese && j - i - surnameLength == 2 ? Double(word(t, i + surnameLength, j)) : 0
        x[20] = inTitle ? 1 : 0
        var ahead: Float = -8
        var k = j
        while k < t.count && k - j < 6 && Chars.isHan(t.v[k]) {
            ahead = max(ahead, row(t.v[k]).decoyEnd)
            k += 1
        }
        x[21] = k > j ? Double(ahead) : 0
        x[22] = Double(row(t.v[j - 1]).decoyEnd)
        let f = ChineseNameFeatures.kindStart
        for m in f..<x.count { x[m] = 0 }
        switch kind {
        case .chinese:
            x[f] = surnameLength == 2 ? Double(Self.compoundSurname) : Double(row(t.v[i]).surname)
            x[f + 1] = Double(row(t.v[i + surnameLength]).given)
            x[f + 2] = j - i - surnameLength == 2 ? Double(row(t.v[j - 1]).given) : 0
            x[f + 3] = j - i - surnameLength == 1 ? 1 : 0
            x[f + 4] = j - i - surnameLength == 2 ? Double(word(t, i, i + surnameLength + 1)) : 0
        case .translit:
            var sum: Float = 0
            var low: Float = 100
            var han = 0
            var separator = false
            for k in i..<j {
                let c = t.v[k]
                if Chars.isHan(c) {
                    let v = row(c).translit
                    sum += v
                    low = min(low, v)
                    han += 1
                } else {
                    separator = true
                }
            }
            x[f] = Double(sum) / Double(max(han, 1))
            x[f + 1] = Double(low)
            x[f + 2] = Elementary.ln(Double(max(han, 1)))
            x[f + 3] = separator ? 1 : 0
        case .latin:
            latinFeatures(t, i, j, into: &x)
        }
    }

    @inline(__always) private static func isAlphanumeric(_ c: UInt32) -> Bool { Chars.isASCIILetter(c) || Chars.isDigit(c) }
    @inline(__always) private static func isLowerASCII(_ c: UInt32) -> Bool { c >= 0x61 && c <= 0x7A }

    /// The parts of a Latin run: split at separators, at a lower-case letter followed by a capital, and
    /// between letters and digits ("DustinBrowder", "Min-Liang Tan", "War3").
    struct LatinParts {
        var count = 0
        var first = 0..<0
        var last = 0..<0
        var upper = 0, lower = 0, digits = 0
        var camel = false
        /// Some part is a stop word, a word that is never a name, or a software word ("Exit Code", "Nginx"),
        /// or the run is a common English word in lower case ("review").
        var ordinary = false
    }

    private func latinParts(_ t: ScalarText, _ i: Int, _ j: Int) -> LatinParts {
        var p = LatinParts()
        var start = -1
        func close(_ end: Int) {
            guard start >= 0 else { return }
            let h = Chars.hash(t.v, start, end)
            if stopWords.contains(h) || notNames.contains(h) || softwareWords.contains(h) { p.ordinary = true }
            if p.count == 1 { p.first = start..<end }
            p.last = start..<end
            start = -1
        }
        for k in i..<j {
            let c = t.v[k]
            guard Self.isAlphanumeric(c) else {
                close(k)
                continue
            }
            if Chars.isDigit(c) { p.digits += 1 } else if Chars.isUpperASCII(c) { p.upper += 1 } else { p.lower += 1 }
            let prev = k > i ? t.v[k - 1] : 0
            let lowerToUpper = Self.isLowerASCII(prev) && Chars.isUpperASCII(c)
            if lowerToUpper { p.camel = true }
            if start < 0 || lowerToUpper || Chars.isDigit(prev) != Chars.isDigit(c) {
                close(k)
                start = k
                p.count += 1
            }
        }
        close(j)
        // A lower-case English word ("请帮我 review 一下"): a word, not a handle.
        if p.count == 1 && p.upper == 0 && p.digits == 0 && englishWords.contains(Chars.hash(t.v, i, j)) { p.ordinary = true }
        return p
    }

    /// The Latin-run features (`latin_…`) of t[i..<j].
    private func latinFeatures(_ t: ScalarText, _ i: Int, _ j: Int, into x: inout [Double]) {
        let f = ChineseNameFeatures.latinStart
        let p = latinParts(t, i, j)
        let whole = Chars.hash(t.v, i, j)
        let letters = p.upper + p.lower
        x[f] = firstNames.contains(whole) ? 1 : 0
        x[f + 1] = surnames.contains(whole) ? 1 : 0
        var full = false
        if p.count >= 2 {
            let last = Chars.hash(t.v, p.last.lowerBound, p.last.upperBound)
            full =
                firstNames.contains(Chars.hash(t.v, p.first.lowerBound, p.first.upperBound)) && (surnames.contains(last) || firstNames.contains(last))
        } else if p.digits == 0 && letters == j - i && j - i >= 6 {
            // "jonathanglazer": a first name then a surname, written together.
            var prefix = Chars.hashSeed
            for k in i..<(j - 3) {
                prefix = Chars.hashStep(prefix, t.v[k])
                if k + 1 - i >= 3 && firstNames.contains(prefix) && surnames.contains(Chars.hash(t.v, k + 1, j)) {
                    full = true
                    break
                }
            }
        }
        x[f + 2] = full ? 1 : 0
        x[f + 3] = Chars.isUpperASCII(t.v[i]) && p.lower > 0 ? 1 : 0
        x[f + 4] = p.camel ? 1 : 0
        x[f + 5] = letters >= 2 && p.lower == 0 ? 1 : 0
        x[f + 6] = letters > 0 && p.upper == 0 ? 1 : 0
        x[f + 7] = p.digits > 0 ? 1 : 0
        x[f + 8] = Elementary.ln(Double(j - i))
        x[f + 9] = (t[i - 1] == 0x28 || t[i - 1] == 0xFF08) && (t[j] == 0x29 || t[j] == 0xFF09) ? 1 : 0
        x[f + 10] = i > 0 && Chars.isHan(t.v[i - 1]) ? 1 : 0
        x[f + 11] = j < t.count && Chars.isHan(t.v[j]) ? 1 : 0
        x[f + 12] = letters <= 2 ? 1 : 0
    }

    /// Visits every candidate span (the same ones in training and scanning).
    func forEachCandidate(_ t: ScalarText, _ visit: (_ start: Int, _ end: Int, _ kind: Kind, _ surnameLength: Int) -> Void) {
        let n = t.count
        let compoundFirst = Self.compoundFirst
        var i = 0
        var hasHan = false
        while i < n {
            let c = t.v[i]
            guard c >= 0x3400, Chars.isHan(c) else {
                i += 1
                continue
            }
            hasHan = true
            let r = row(c)
            var surnameLength = 0
            if i + 1 < n, compoundFirst.contains(c), let seconds = Self.compounds[c], seconds.contains(t.v[i + 1]) {
                surnameLength = 2
            } else if r.isSurname {
                surnameLength = 1
            }
            if surnameLength > 0 {
                for given in 1...2 {
                    let j = i + surnameLength + given
                    guard j <= n, Chars.isHan(t.v[j - 1]), given == 1 || Chars.isHan(t.v[j - 2]) else { break }
                    visit(i, j, .chinese, surnameLength)
                }
            }
            // Transliterations: a run of transliteration characters; next to a separator ("伊丽莎白·泰勒")
            // any character seen in transliterations may join.
            if r.isTranslit || (r.inTranslit && separatorAhead(t, from: i + 1)) {
                var j = i + 1
                var separated = false
                while j < n && j - i < 14 {
                    let d = t.v[j]
                    if Chars.isHan(d) && (row(d).isTranslit || (row(d).inTranslit && (separated || separatorAhead(t, from: j + 1)))) {
                        j += 1
                        visit(i, j, .translit, 0)
                    } else if Self.isSeparator(d) && j + 1 < n && Chars.isHan(t.v[j + 1]) && row(t.v[j + 1]).inTranslit {
                        separated = true
                        j += 1
                    } else {
                        break
                    }
                }
            }
            i += 1
        }
        if hasHan { forEachLatinRun(t, visit) }
    }

    /// Latin runs next to Chinese text: letters and digits, with '.', '-', '_', '\'' or a space before a
    /// capital inside ("Min-LiangTan", "Steve Niles"); not part of an e-mail, a URL or a path, at most 30
    /// scalars, not a title's original after it (《朱诺》（juno）), and no part of them an ordinary or software
    /// word ("Exit Code", "Nginx", "vs").
    private func forEachLatinRun(_ t: ScalarText, _ visit: (_ start: Int, _ end: Int, _ kind: Kind, _ surnameLength: Int) -> Void) {
        let n = t.count
        var i = 0
        while i < n {
            guard Chars.isASCIILetter(t.v[i]), i == 0 || !Self.continuesToken(t.v[i - 1]) else {
                i += 1
                continue
            }
            var j = i + 1
            while j < n {
                let d = t.v[j]
                if Self.isAlphanumeric(d) {
                    j += 1
                    continue
                }
                if (d == 0x2E || d == 0x2D || d == 0x5F || d == 0x27) && j + 1 < n && Self.isAlphanumeric(t.v[j + 1]) {
                    j += 1
                    continue
                }
                if d == 0x20 && j + 1 < n && Chars.isUpperASCII(t.v[j + 1]) && Chars.isASCIILetter(t.v[j - 1]) {
                    j += 1
                    continue
                }
                break
            }
            let technical = j < n && (t.v[j] == 0x40 || t.v[j] == 0x2F || t.v[j] == 0x3A)
            let touches = t[i - 1] >= 0x80 || t[j] >= 0x80 || (t[i - 1] == 0x20 && t[i - 2] >= 0x80) || (t[j] == 0x20 && t[j + 1] >= 0x80)
            // The original title after a translated one: 《朱诺》（juno）.
            let titleGloss = (t[i - 1] == 0xFF08 || t[i - 1] == 0x28) && t[i - 2] == 0x300B
            // (A lone letter is no name: "x 会议", "A 方案".)
            if !technical && !titleGloss && j - i >= 2 && j - i <= 30 && touches && !latinParts(t, i, j).ordinary { visit(i, j, .latin, 0) }
            i = j
        }
    }

    /// Scalars after which a letter continues a token rather than starting a run: letters, digits, ._-'@/:#&
    @inline(__always) private static func continuesToken(_ c: UInt32) -> Bool {
        isAlphanumeric(c) || c == 0x2E || c == 0x5F || c == 0x2D || c == 0x27 || c == 0x40 || c == 0x2F || c == 0x3A || c == 0x23 || c == 0x26
    }

    /// Chinese words of software development (代码, 报错, 部署, 数据库…), first scalar → the words.
    private static let developerWords: [UInt32: [[UInt32]]] = {
        let words = """
            代码 函数 组件 报错 配置 部署 接口 编译 框架 线程 进程 跨平台 算法 调试 前端 后端 编程 变量 语法 底层 插件 脚本 内存 缓存
            集群 容器 镜像 日志 异常 索引 依赖 源码 参数 返回值 调用 数组 字符串 命令行 终端 代码库 分支 并发 异步 端口 数据库 服务器 报文
            重构 单元测试 语句 注释 类名 方法名 实例化 序列化 正则 编码 解码 运行时 栈 堆栈 指针 内核 驱动 中间件 微服务 开源 仓库
            """
        var out: [UInt32: [[UInt32]]] = [:]
        for w in words.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let v = w.unicodeScalars.map(\.value)
            out[v[0], default: []].append(v)
        }
        return out
    }()

    /// Whether the text reads as a developer's: another Latin run in it is an ordinary, English or
    /// software word ("Kafka consumer 一直 rebalance"), or it has a Chinese word of software development.
    private func looksTechnical(_ t: ScalarText) -> Bool {
        let n = t.count
        var i = 0
        while i < n {
            let c = t.v[i]
            if Chars.isASCIILetter(c) && (i == 0 || !Self.continuesToken(t.v[i - 1])) {
                var j = i + 1
                while j < n && Self.isAlphanumeric(t.v[j]) { j += 1 }
                if latinParts(t, i, j).ordinary { return true }
                i = j
                continue
            }
            if c >= 0x4E00, let words = Self.developerWords[c] {
                for w in words where i + w.count <= n && (0..<w.count).allSatisfy({ t.v[i + $0] == w[$0] }) { return true }
            }
            i += 1
        }
        return false
    }

    /// A separator within the next few Han characters seen in transliterations.
    private func separatorAhead(_ t: ScalarText, from start: Int) -> Bool {
        var k = start
        while k < t.count && k - start < 6 {
            let c = t.v[k]
            if Self.isSeparator(c) { return k + 1 < t.count && Chars.isHan(t.v[k + 1]) }
            guard Chars.isHan(c), row(c).inTranslit else { return false }
            k += 1
        }
        return false
    }

    /// How far below its kind's threshold a candidate may score and still be a name when it is
    /// coordinated with a name found ("戈麦斯、卡考和希策尔斯佩格": a list of names).
    static let coordinatedMargin = 2.0

    /// 、和与及 between the items of a list.
    @inline(__always) static func isCoordinator(_ c: UInt32) -> Bool { c == 0x3001 || c == 0x548C || c == 0x4E0E || c == 0x53CA }

    /// The candidates above their kind's threshold, best first, without overlap, in text order; then
    /// candidates a little below it that are coordinated with a chosen one (in up to three rounds, so
    /// that a list is followed from a name it contains).
    func scan(_ t: ScalarText) -> [Candidate] {
        let title = Self.titleMask(t)
        var kept: [Candidate] = []
        var near: [Candidate] = []
        var x = [Double](repeating: 0, count: ChineseNameFeatures.count)
        forEachCandidate(t) { s, e, kind, surnameLength in
            // A frequent word ("谢谢", "高度") is not read as a two-character name, nor is a reduplicated
            // word ("谢谢", "刚刚", "常常").
            if e - s == 2 && kind != .latin && t.v[s] == t.v[s + 1] { return }
            // Feature 16 of a Chinese candidate is its frequency as a word: test it before the rest (a
            // transliteration's too: "马路" is no foreign name).
            if e - s == 2 && kind != .latin && Double(word(t, s, e)) >= Self.frequentWord { return }
            // Nor does a name start inside a frequent word: its surname character ends the word before
            // it ("抑郁症" is no "郁症", "夸张地" no "张地"), unless what precedes is a word of its own
            // ("县长于有斌", "秘书长于秀苏": "长于" is a word too) or a word that names follow ("跟上官婉清":
            // "跟上" is a word too).
            if kind == .chinese && s > 0 && Chars.isHan(t.v[s - 1]) && !Self.beforeNames.contains(t.v[s - 1])
                && Double(word(t, s - 1, s + 1)) >= Self.frequentWord && Double(word(t, s - 2, s)) < Self.frequentWord
                && Double(word(t, s - 3, s)) < Self.frequentWord
            {
                return
            }
            features(t, s, e, kind, surnameLength: surnameLength, inTitle: title?[s] ?? false, into: &x)
            let logit = score(x, kind)
            let cut = cuts[kind.rawValue]
            // A census first name, or a capitalised first name and surname ("JohnCarpenter", not "rebalance").
            let l = ChineseNameFeatures.latinStart
            let lexical = kind == .latin && (x[l] > 0 || (x[l + 2] > 0 && x[l + 3] > 0))
            if logit >= cut {
                kept.append(Candidate(start: s, end: e, kind: kind, logit: logit, lexical: lexical))
            } else if logit >= cut - Self.coordinatedMargin && (Self.isCoordinator(t[s - 1]) || Self.isCoordinator(t[e])) {
                near.append(Candidate(start: s, end: e, kind: kind, logit: logit, lexical: lexical))
            }
        }
        // In technical text a Latin run is a product, a tool or an identifier ("Flutter", "zset",
        // "Transformer"), unless the name lexicons back it.
        if kept.contains(where: { $0.kind == .latin && !$0.lexical }) && looksTechnical(t) {
            kept.removeAll { $0.kind == .latin && !$0.lexical }
            near.removeAll { $0.kind == .latin && !$0.lexical }
        }
        guard !kept.isEmpty else { return [] }
        kept.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.start < $1.start }
        // Which scalars a chosen name covers, and where chosen names start and end: a candidate is
        // checked against its own few scalars, not against every name chosen so far (that was
        // quadratic: a text of 40,000 "张伟" took a minute).
        var covered = [Bool](repeating: false, count: t.count)
        var starts = Set<Int>()
        var ends = Set<Int>()
        var chosen: [Candidate] = []
        func choose(_ c: Candidate) {
            chosen.append(c)
            for k in c.start..<c.end { covered[k] = true }
            starts.insert(c.start)
            ends.insert(c.end)
        }
        func free(_ c: Candidate) -> Bool { !(c.start..<c.end).contains { covered[$0] } }
        for c in kept where free(c) { choose(c) }
        if !near.isEmpty {
            near.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.start < $1.start }
            for _ in 0..<3 {
                var added = false
                for d in near where free(d) {
                    // Right after a chosen name and a coordinator, or right before a coordinator and one.
                    let coordinated =
                        (d.start >= 1 && ends.contains(d.start - 1) && Self.isCoordinator(t.v[d.start - 1]))
                        || (d.end < t.count && starts.contains(d.end + 1) && Self.isCoordinator(t.v[d.end]))
                    if coordinated {
                        choose(d)
                        added = true
                    }
                }
                if !added { break }
            }
        }
        chosen.sort { $0.start < $1.start }
        return chosen
    }

    /// The logit of a candidate: the shared features and those of its kind (the others are zero).
    @inline(__always) func score(_ x: [Double], _ kind: Kind) -> Double {
        let w = weights[kind.rawValue]
        var z = biases[kind.rawValue]
        for k in 0..<ChineseNameFeatures.kindStart { z += w[k] * x[k] }
        let own = kind == .latin ? ChineseNameFeatures.latinStart..<x.count : ChineseNameFeatures.kindStart..<ChineseNameFeatures.latinStart
        for k in own { z += w[k] * x[k] }
        return z
    }
}

extension ChineseNameModel {
    /// The model as a Swift source file defining `ChineseNameModel.builtIn` (long strings wrapped with
    /// line-continuation backslashes, so the file stays readable and fast to compile).
    package func swiftSource() -> String {
        func literal(_ s: String, indent: String) -> String {
            var lines: [String] = []
            var line = ""
            var count = 0
            for scalar in s.unicodeScalars {
                let v = scalar.value
                if scalar == "\\" || scalar == "\"" {
                    line += "\\"
                    line.unicodeScalars.append(scalar)
                } else if v <= 0x20 || v == 0x7F || v == 0x85 || v == 0x2028 || v == 0x2029 {
                    line += "\\u{" + String(v, radix: 16) + "}"
                } else {
                    line.unicodeScalars.append(scalar)
                }
                count += 1
                if count == 100 {
                    lines.append(line)
                    line = ""
                    count = 0
                }
            }
            if !line.isEmpty || lines.isEmpty { lines.append(line) }
            return "\"\"\"\n" + lines.map { indent + $0 }.joined(separator: "\\\n") + "\n" + indent + "\"\"\""
        }
        func list(_ values: [Double]) -> String { "[" + values.map(\.description).joined(separator: ", ") + "]" }
        func dict(_ d: [String: String]) -> String {
            "[\n" + d.keys.sorted().map { "            \"\($0)\": " + literal(d[$0]!, indent: "                ") + "," }.joined(separator: "\n")
                + "\n        ]"
        }
        return """
            // Generated by `lumen train names --swift-out`; do not edit. Same model as models/names.json.

            extension ChineseNameModel {
                /// The trained model compiled into Lumen (no file I/O at run time).
                package static let builtIn = ChineseNameModel(
                    version: \(version),
                    chars: \(literal(chars, indent: "            ")),
                    tables: \(dict(tables)),
                    maps: \(dict(maps)),
                    features: [\(features.map { "\"\($0)\"" }.joined(separator: ", "))],
                    chineseWeights: \(list(chineseWeights)),
                    chineseBias: \(chineseBias.description),
                    chineseThreshold: \(chineseThreshold.description),
                    translitWeights: \(list(translitWeights)),
                    translitBias: \(translitBias.description),
                    translitThreshold: \(translitThreshold.description),
                    latinWeights: \(list(latinWeights)),
                    latinBias: \(latinBias.description),
                    latinThreshold: \(latinThreshold.description)
                )
            }

            """
    }
}
