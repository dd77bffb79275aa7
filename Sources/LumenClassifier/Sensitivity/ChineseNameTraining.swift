// Trains `ChineseNameModel` (`lumen train names`): character statistics from general Chinese (a
// character table and common words, data/zh-*.tsv) and from labelled sentences (person spans and
// decoy spans: titles, organisations, companies, positions…), then one logistic regression per
// candidate kind over the candidates of the labelled sentences (a Chinese-style or transliterated
// candidate is positive when it is exactly a labelled name, a Latin run when it overlaps one). A
// negative candidate that overlaps a decoy weighs `decoyWeight` times as much as one in ordinary text:
// what a name must be told apart from is mostly a title, an organisation or a place, and those are
// the false findings that cost most. Deterministic: the same inputs in the same order give the same model.

/// General-Chinese counts for one character (data/zh-name-chars.tsv).
package struct ChineseCharStats: Sendable, Hashable {
    package var char: Unicode.Scalar
    /// Frequency in ordinary text.
    package var background: Double
    /// Count inside given names.
    package var given: Double
    /// Count inside transliterated foreign names.
    package var translit: Double
    /// Count as the first character of a three-character name.
    package var surname: Double

    package init(char: Unicode.Scalar, background: Double, given: Double, translit: Double, surname: Double) {
        self.char = char
        self.background = background
        self.given = given
        self.translit = translit
        self.surname = surname
    }
}

/// One labelled sentence for name training: person spans and decoy spans, offsets in scalars.
package struct NameTrainingExample: Sendable, Hashable {
    package var id: String
    package var text: String
    package var names: [Range<Int>]
    package var decoys: [Range<Int>]

    package init(id: String, text: String, names: [Range<Int>], decoys: [Range<Int>]) {
        self.id = id
        self.text = text
        self.names = names
        self.decoys = decoys
    }
}

/// The fixed hold-out of the name data: a sentence is held out when its id is (`SensitivitySplit`)
/// or when one of its names is: a name string is held out by a hash of the string, so a name that
/// proves recall on held-out sentences was never seen in training, under any id.
package enum NameSplit {
    /// FNV-1a-64 of the name's UTF-8 bytes, buckets 0-2 of 10.
    package static func isHeldOut(name: String) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h % 10 < 3
    }

    /// Whether any of `names` (the texts of a sentence's person spans) is held out.
    package static func hasHeldOutName(_ names: [String]) -> Bool { names.contains(where: isHeldOut(name:)) }
}

/// Trains `ChineseNameModel`.
package struct ChineseNameTrainer: Sendable {
    package var l2: Double
    package var iterations: Int
    package var chineseThreshold: Double
    package var translitThreshold: Double
    package var latinThreshold: Double
    /// The weight of a negative candidate that overlaps a decoy (title, organisation, position…).
    package var decoyWeight: Double
    /// A common word's value: log(frequency / minWordFrequency) + 1 (words below it are dropped).
    package var minWordFrequency: Double

    package init(
        l2: Double = 1, iterations: Int = 30, chineseThreshold: Double = 0.0076, translitThreshold: Double = 0.021,
        latinThreshold: Double = 0.024, decoyWeight: Double = 8, minWordFrequency: Double = 300
    ) {
        self.l2 = l2
        self.iterations = iterations
        self.chineseThreshold = chineseThreshold
        self.translitThreshold = translitThreshold
        self.latinThreshold = latinThreshold
        self.decoyWeight = decoyWeight
        self.minWordFrequency = minWordFrequency
    }

    /// Surnames beyond `Lexicon.chineseSurnames` (the frequency-ranked list) that the table may score.
    static let extraSurnames =
        "萧傅洪阎赖薄楚燕狄晋祖凤逯相楼寿练鄂荆桓廉朴丘鹿阴幸伏宣闻谈郦蔺匡言都仝敬郜衣银危帅揭阚强冼"
        + "渠蔚惠郁晁鞠芮储汲邴糜宓郗钭厉戎束韶蓟邰胥逄濮扈郏茹庾暨阙訾蒯竺隗佴禹习冀屠"

    private struct Counts {
        var counts: [UInt32: Double] = [:]
        var total: Double = 0
        mutating func add(_ c: UInt32, _ k: Double = 1) {
            counts[c, default: 0] += k
            total += k
        }
        subscript(_ c: UInt32) -> Double { counts[c] ?? 0 }
    }

    private struct PairCounts {
        var counts: [String: Double] = [:]
        var total: Double = 0
        mutating func add(_ s: String, _ k: Double = 1) {
            counts[s, default: 0] += k
            total += k
        }
        subscript(_ s: String) -> Double { counts[s] ?? 0 }
    }

    package func train(
        chars: [ChineseCharStats], words: [(String, Double)], examples: [NameTrainingExample]
    ) throws(ChineseNameModelError) -> ChineseNameModel {
        guard !examples.isEmpty else { throw ChineseNameModelError(message: "no training sentences") }
        guard !chars.isEmpty else { throw ChineseNameModelError(message: "no character statistics") }
        let start: UInt32 = 0  // the start/end of a sentence, in the context counts
        let surnameSet = Set(Lexicon.chineseSurnames).union(Self.extraSurnames.unicodeScalars.map(\.value))
        var background = Counts()
        var given = Counts()
        var translit = Counts()
        var surname = Counts()
        for s in chars {
            let c = s.char.value
            background.add(c, s.background)
            given.add(c, s.given)
            translit.add(c, s.translit)
            if surnameSet.contains(c) { surname.add(c, s.surname) }
        }
        // Context and span counts from the labelled sentences.
        var all = Counts()
        var all2 = PairCounts()
        var nameBefore = Counts()
        var nameAfter = Counts()
        var decoyBefore = Counts()
        var decoyAfter = Counts()
        var nameBefore2 = PairCounts()
        var nameAfter2 = PairCounts()
        var decoyBefore2 = PairCounts()
        var decoyAfter2 = PairCounts()
        var nameChars = Counts()
        var decoyChars = Counts()
        var decoyLast = Counts()
        var seen = Set<UInt32>()
        for example in examples {
            let v = example.text.unicodeScalars.map(\.value)
            func at(_ k: Int) -> UInt32 { k < 0 || k >= v.count ? start : v[k] }
            func pair(_ k: Int) -> String? {
                guard k >= 0, k + 2 <= v.count, Chars.isHan(v[k]) || Chars.isHan(v[k + 1]) else { return nil }
                return String(String.UnicodeScalarView(v[k..<k + 2].compactMap(Unicode.Scalar.init)))
            }
            for c in v {
                all.add(c)
                seen.insert(c)
            }
            all.add(start, 2)
            for k in 0..<max(0, v.count - 1) { if let p = pair(k) { all2.add(p) } }
            for r in example.names where r.lowerBound >= 0 && r.upperBound <= v.count && !r.isEmpty {
                let name = Array(v[r])
                nameBefore.add(at(r.lowerBound - 1))
                nameAfter.add(at(r.upperBound))
                if let p = pair(r.lowerBound - 2) { nameBefore2.add(p) }
                if let p = pair(r.upperBound) { nameAfter2.add(p) }
                for c in name { nameChars.add(c) }
                let han = name.allSatisfy(Chars.isHan)
                if han && (2...3).contains(name.count) && surnameSet.contains(name[0]) {
                    surname.add(name[0], 3)
                } else if name.contains(where: Chars.isHan) {
                    for c in name where Chars.isHan(c) { translit.add(c, 3) }
                }
            }
            for r in example.decoys where r.lowerBound >= 0 && r.upperBound <= v.count && !r.isEmpty {
                decoyBefore.add(at(r.lowerBound - 1))
                decoyAfter.add(at(r.upperBound))
                if let p = pair(r.lowerBound - 2) { decoyBefore2.add(p) }
                if let p = pair(r.upperBound) { decoyAfter2.add(p) }
                for c in v[r] { decoyChars.add(c) }
                decoyLast.add(v[r.upperBound - 1])
            }
        }
        // Rows: every character of the statistics or the sentences (BMP, not the start marker), by code point.
        var rowChars = Set(chars.map(\.char.value)).union(seen)
        rowChars.remove(start)
        let sorted = rowChars.filter { $0 < 0x10000 && Unicode.Scalar($0) != nil }.sorted()
        func ln(_ x: Double) -> Double { Elementary.ln(x) }
        func ratio(_ a: Double, _ na: Double, _ b: Double, _ nb: Double, _ sa: Double, _ sb: Double, _ va: Double, _ vb: Double) -> Double {
            ln((a + sa) / (na + sa * va)) - ln((b + sb) / (nb + sb * vb))
        }
        // Per-row values (row 0: a scalar without counts, row 1: the start/end marker).
        var tables: [String: String] = [:]
        func table(_ value: (UInt32?) -> Double?) -> String {
            var s = ""
            s.unicodeScalars.reserveCapacity(sorted.count + 2)
            for c in [nil, start] + sorted.map(Optional.some) {
                if let x = value(c) { s.append(ChineseNameModel.Code.encode(x)) } else { s.append(".") }
            }
            return s
        }
        let markerless: (UInt32?) -> UInt32? = { $0 == start ? nil : $0 }
        tables["surname"] = table { c in
            guard let c = markerless(c), surnameSet.contains(c) else { return nil }
            return ratio(surname[c], surname.total, background[c], background.total, 0.5, 1, 20000, 20000)
        }
        tables["given"] = table { c in
            guard let c = markerless(c), Chars.isHan(c) else { return -8 }
            return ratio(given[c], given.total, background[c], background.total, 0.5, 1, 20000, 20000)
        }
        tables["translit"] = table { c in
            guard let c = markerless(c), Chars.isHan(c), translit[c] >= 3 else { return nil }
            // Kept for every character seen in transliterations: a positive value marks a transliteration
            // character; the others may join a name only next to a separator ('·').
            return ratio(translit[c], translit.total, background[c], background.total, 0.5, 1, 20000, 20000)
        }
        tables["nameVsDecoy"] = table { c in
            let c = c ?? 0xFFFF_FFFF
            return ratio(nameChars[c], nameChars.total, decoyChars[c], decoyChars.total, 0.5, 0.5, 5000, 5000)
        }
        func context(_ counts: Counts, against other: Counts, _ c: UInt32?) -> Double {
            let c = c ?? 0xFFFF_FFFF
            return ratio(counts[c], counts.total, other[c], other.total, 0.5, 0.5, 50, 50)
        }
        tables["before"] = table { context(nameBefore, against: all, $0) }
        tables["after"] = table { context(nameAfter, against: all, $0) }
        tables["decoyBefore"] = table { context(nameBefore, against: decoyBefore, $0) }
        tables["decoyAfter"] = table { context(nameAfter, against: decoyAfter, $0) }
        tables["decoyEnd"] = table { context(decoyLast, against: all, $0) }
        // Maps: two-character contexts seen at least twice, and the common words.
        func map(_ entries: [(String, Double)]) -> String {
            var s = ""
            for (key, value) in entries.sorted(by: { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) { $0.value < $1.value } }) {
                s += key
                s.append(ChineseNameModel.Code.encode(value))
            }
            return s
        }
        func pairs(_ counts: PairCounts, against other: PairCounts) -> [(String, Double)] {
            counts.counts.compactMap { key, k in
                guard k + other[key] >= 2, key.unicodeScalars.allSatisfy({ $0.value >= 0x80 }) else { return nil }
                return (key, ratio(k, counts.total, other[key], other.total, 0.5, 0.5, 50, 50))
            }
        }
        var maps: [String: String] = [:]
        maps["before2"] = map(pairs(nameBefore2, against: all2).filter { nameBefore2[$0.0] >= 2 })
        maps["after2"] = map(pairs(nameAfter2, against: all2).filter { nameAfter2[$0.0] >= 2 })
        maps["decoyBefore2"] = map(pairs(nameBefore2, against: decoyBefore2))
        maps["decoyAfter2"] = map(pairs(nameAfter2, against: decoyAfter2))
        var common: [String: Double] = [:]
        for (w, f) in words
        where f >= minWordFrequency && (2...3).contains(w.unicodeScalars.count) && w.unicodeScalars.allSatisfy({ Chars.isHan($0.value) }) {
            common[w] = max(common[w] ?? 0, ln(f / minWordFrequency) + 1)
        }
        maps["words"] = map(common.map { ($0.key, $0.value) })

        var model = ChineseNameModel(
            version: 2, chars: String(String.UnicodeScalarView(sorted.compactMap(Unicode.Scalar.init))), tables: tables, maps: maps,
            features: ChineseNameFeatures.names,
            chineseWeights: [Double](repeating: 0, count: ChineseNameFeatures.count), chineseBias: 0, chineseThreshold: chineseThreshold,
            translitWeights: [Double](repeating: 0, count: ChineseNameFeatures.count), translitBias: 0, translitThreshold: translitThreshold,
            latinWeights: [Double](repeating: 0, count: ChineseNameFeatures.count), latinBias: 0, latinThreshold: latinThreshold)
        try model.validate()

        // Candidates of the labelled sentences, with the features the scanner computes from the quantised tables.
        let scanner = ChineseNameScanner(model)
        let kinds = ChineseNameScanner.Kind.allCases.count
        var rows = [[[Double]]](repeating: [], count: kinds)
        var labels = [[Double]](repeating: [], count: kinds)
        var weights = [[Double]](repeating: [], count: kinds)
        var x = [Double](repeating: 0, count: ChineseNameFeatures.count)
        for example in examples {
            let t = ScalarText(example.text)
            let gold = Set(example.names.map { $0.lowerBound * 1_000_003 + $0.upperBound })
            let title = ChineseNameScanner.titleMask(t)
            scanner.forEachCandidate(t) { s, e, kind, surnameLength in
                scanner.features(t, s, e, kind, surnameLength: surnameLength, inTitle: title?[s] ?? false, into: &x)
                let positive = kind == .latin ? example.names.contains { $0.lowerBound < e && s < $0.upperBound } : gold.contains(s * 1_000_003 + e)
                let onDecoy = !positive && example.decoys.contains { $0.lowerBound < e && s < $0.upperBound }
                rows[kind.rawValue].append(x)
                labels[kind.rawValue].append(positive ? 1 : 0)
                weights[kind.rawValue].append(onDecoy ? decoyWeight : 1)
            }
        }
        let chinese = try fit(rows[0], labels[0], weights[0])
        let foreign = try fit(rows[1], labels[1], weights[1])
        model.chineseWeights = chinese.weights
        model.chineseBias = chinese.bias
        model.translitWeights = foreign.weights
        model.translitBias = foreign.bias
        // Latin runs: only when the sentences have some (a kind without examples never fires).
        if labels[2].contains(1) && labels[2].contains(0) {
            let latin = try fit(rows[2], labels[2], weights[2])
            model.latinWeights = latin.weights
            model.latinBias = latin.bias
        } else {
            model.latinBias = -40
        }
        return model
    }

    /// Weighted, L2-regularised logistic regression on standardised features by Newton's method; returns raw weights.
    private func fit(
        _ rows: [[Double]], _ labels: [Double], _ sampleWeights: [Double]
    ) throws(ChineseNameModelError) -> (weights: [Double], bias: Double) {
        guard !rows.isEmpty, labels.contains(1), labels.contains(0) else {
            throw ChineseNameModelError(message: "a candidate kind needs positive and negative examples")
        }
        let d = rows[0].count
        let n = Double(rows.count)
        var means = [Double](repeating: 0, count: d)
        var scales = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { means[j] += r[j] } }
        for j in 0..<d { means[j] /= n }
        for r in rows { for j in 0..<d { scales[j] += (r[j] - means[j]) * (r[j] - means[j]) } }
        for j in 0..<d { scales[j] = scales[j] > 0 ? Elementary.sqrt(scales[j] / n) : 1 }
        let z = rows.map { r in (0..<d).map { (r[$0] - means[$0]) / scales[$0] } + [1] }
        var w = [Double](repeating: 0, count: d + 1)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: d + 1)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d + 1)
            for ((row, y), sw) in zip(zip(z, labels), sampleWeights) {
                var s = 0.0
                for j in 0...d { s += w[j] * row[j] }
                let p = 1 / (1 + Elementary.exp(-s))
                let q = sw * p * (1 - p)
                for j in 0...d {
                    gradient[j] += sw * (p - y) * row[j]
                    let qj = q * row[j]
                    for k in j...d { hessian[j][k] += qj * row[k] }
                }
            }
            for j in 0...d { for k in 0..<j { hessian[j][k] = hessian[k][j] } }
            for j in 0..<d {
                gradient[j] += l2 * w[j]
                hessian[j][j] += l2
            }
            let step = try Self.solve(hessian, gradient)
            for j in 0...d { w[j] -= step[j] }
        }
        var raw = [Double](repeating: 0, count: d)
        var bias = w[d]
        for j in 0..<d {
            raw[j] = w[j] / scales[j]
            bias -= w[j] * means[j] / scales[j]
        }
        return (raw, bias)
    }

    /// Gaussian elimination with partial pivoting.
    private static func solve(_ a: [[Double]], _ b: [Double]) throws(ChineseNameModelError) -> [Double] {
        var m = a
        var r = b
        let n = r.count
        for col in 0..<n {
            var pivot = col
            for row in col..<n where abs(m[row][col]) > abs(m[pivot][col]) { pivot = row }
            guard abs(m[pivot][col]) > 1e-12 else { throw ChineseNameModelError(message: "singular system while training") }
            m.swapAt(col, pivot)
            r.swapAt(col, pivot)
            for row in (col + 1)..<n {
                let f = m[row][col] / m[col][col]
                if f == 0 { continue }
                for k in col..<n { m[row][k] -= f * m[col][k] }
                r[row] -= f * r[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = r[row]
            for k in (row + 1)..<n { s -= m[row][k] * x[k] }
            x[row] = s / m[row][row]
        }
        return x
    }
}

/// ln, exp and sqrt without Foundation (the classifier target imports nothing), deterministic.
enum Elementary {
    static let ln2 = 0.6931471805599453

    static func ln(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : .nan }
        let m = x.significand  // [1, 2)
        let e = Double(x.exponent)
        let y = (m - 1) / (m + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var k = 1.0
        while k < 60 {
            sum += term / k
            term *= y2
            k += 2
        }
        return e * ln2 + 2 * sum
    }

    static func exp(_ x: Double) -> Double {
        if x > 700 { return .infinity }
        if x < -700 { return 0 }
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0
        var sum = 1.0
        for n in 1..<25 {
            term *= r / Double(n)
            sum += term
        }
        return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
    }

    static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}

extension ChineseNameTrainer {
    /// Parses data/zh-name-chars.tsv: `char background given translit surname`, '#' lines are comments.
    package static func parseCharStats(_ text: String) throws(ChineseNameModelError) -> [ChineseCharStats] {
        var out: [ChineseCharStats] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0].unicodeScalars.count == 1, let char = fields[0].unicodeScalars.first,
                let b = Double(fields[1]), let g = Double(fields[2]), let t = Double(fields[3]), let s = Double(fields[4])
            else {
                throw ChineseNameModelError(message: "character table line \(number + 1): expected char and four counts")
            }
            out.append(ChineseCharStats(char: char, background: b, given: g, translit: t, surname: s))
        }
        return out
    }

    /// Parses data/zh-common-words.tsv: `word frequency`, '#' lines are comments.
    package static func parseWords(_ text: String) throws(ChineseNameModelError) -> [(String, Double)] {
        var out: [(String, Double)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let f = Double(fields[1]) else {
                throw ChineseNameModelError(message: "word list line \(number + 1): expected word and frequency")
            }
            out.append((String(fields[0]), f))
        }
        return out
    }
}
