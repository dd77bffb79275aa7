/// General, topic-free signals of how hard a prompt is, computed in one pass over its Unicode scalars.
///
/// No subject names or topic words: only length, structure (answer options, lines, questions),
/// maths and code density, CJK share, long "domain" words, and small closed lists of English and
/// Chinese function words that mark multi-step reasoning, constraints, simple tasks and question type.
public enum DifficultyFeatures {
    /// Feature names, in the order `extract` returns them (the model stores them to check it matches).
    public static let names: [String] = [
        "log_length",
        "log_words",
        "log_lines",
        "log_stem_length",
        "option_lines",
        "option_share",
        "digit_ratio",
        "log_digits",
        "math_ratio",
        "log_math",
        "code_ratio",
        "code_words",
        "cjk_ratio",
        "upper_ratio",
        "long_word_ratio",
        "mean_word_length",
        "reasoning_words",
        "constraint_words",
        "simple_words",
        "log_questions",
        "open_question",
        "fact_question",
    ]

    /// The number of features.
    public static var count: Int { names.count }

    /// Feature vector of `text` (see `names`). Pure and allocation-light: one pass, no regex.
    public static func extract(_ text: String) -> [Double] {
        var scan = Scan(table: DifficultyLexicon.table)
        var text = text
        text.withUTF8 { scan.run($0) }
        scan.finish()
        return scan.vector()
    }
}

/// Word classes looked up by a hash of the lower-cased ASCII word.
enum WordClass: UInt8 {
    case reasoning = 1
    case constraint = 2
    case simple = 3
    case code = 4
    case openQuestion = 5
    case factQuestion = 6
}

/// A tiny open-addressing table from word hash to class: faster than `Set<String>` and no allocation per word.
struct WordTable: Sendable {
    private let keys: [UInt64]
    private let values: [UInt8]
    private let mask: Int

    init(_ entries: [(String, WordClass)]) {
        var size = 16
        while size < entries.count * 4 { size <<= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var values = [UInt8](repeating: 0, count: size)
        for (word, kind) in entries {
            var hash = WordHash()
            for byte in word.utf8 { hash.add(byte) }
            var slot = Int(truncatingIfNeeded: hash.value) & (size - 1)
            while keys[slot] != 0 && keys[slot] != hash.value { slot = (slot + 1) & (size - 1) }
            keys[slot] = hash.value
            values[slot] = kind.rawValue
        }
        self.keys = keys
        self.values = values
        self.mask = size - 1
    }

    @inline(__always)
    func lookup(_ hash: UInt64) -> UInt8 {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let key = keys[slot]
            if key == hash { return values[slot] }
            if key == 0 { return 0 }
            slot = (slot + 1) & mask
        }
    }
}

/// FNV-1a over lower-cased ASCII letters (never 0 for a non-empty word in practice; 0 marks empty slots).
struct WordHash {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }
}

enum DifficultyLexicon {
    static let table = WordTable(
        words(.reasoning, """
            prove proof derive derivation explain why justify analyze analyse analysis compare contrast evaluate \
            design implement optimize optimise refactor debug architect reason reasoning step steps first then \
            finally therefore hence thus calculate compute solve estimate determine infer deduce show demonstrate \
            algorithm complexity tradeoff tradeoffs critique argue assess plan
            """)
            + words(.constraint, """
                must exactly only without least most except not never each every all ensure require required \
                constraint constraints unless cannot avoid limit within maximum minimum precisely strictly
                """)
            + words(.simple, """
                hi hello hey thanks thank please translate rewrite rephrase summarize summarise synonym spell \
                spelling capital define definition joke greet fix typo list name shorten simplify paraphrase \
                grammar correct
                """)
            + words(.code, """
                def import include const var void func struct int float bool null nil lambda printf println elif \
                async await sql python java javascript typescript rust golang bash regex json yaml api http \
                compile compiler runtime pointer function method variable array
                """)
            + words(.openQuestion, "how why explain describe discuss elaborate")
            + words(.factQuestion, "what who when where which whom whose")
    )

    private static func words(_ kind: WordClass, _ list: String) -> [(String, WordClass)] {
        list.split(separator: " ").map { (String($0), kind) }
    }

    /// Chinese two-character cues, keyed by the scalar pair (first << 32 | second).
    static let cjkPairs: [UInt64: WordClass] = {
        func pairs(_ kind: WordClass, _ list: String) -> [(UInt64, WordClass)] {
            list.split(separator: " ").compactMap { word in
                let scalars = Array(word.unicodeScalars)
                guard scalars.count == 2 else { return nil }
                return ((UInt64(scalars[0].value) << 32) | UInt64(scalars[1].value), kind)
            }
        }
        let all =
            pairs(.reasoning, "证明 推导 解释 分析 比较 评估 设计 实现 优化 步骤 首先 然后 最后 因此 计算 求解 推理 算法 论证 规划")
            + pairs(.constraint, "必须 只能 不能 不得 至少 至多 每个 所有 除了 确保 要求 限制 严格")
            + pairs(.simple, "你好 谢谢 翻译 改写 总结 概括 同义 拼写 首都 定义 笑话 列出 简化")
            + pairs(.code, "代码 函数 程序 编程 编译 变量 接口 数据")
            + pairs(.openQuestion, "为什 如何 怎么 怎样 描述 讨论")
            + pairs(.factQuestion, "什么 哪个 哪些 谁是 何时 哪里 多少")
        return Dictionary(all, uniquingKeysWith: { first, _ in first })
    }()
}

/// Running counts for one pass over a prompt.
private struct Scan {
    let table: WordTable
    var scalars = 0
    var lines = 1
    var digits = 0
    var math = 0
    var codeChars = 0
    var cjk = 0
    var upper = 0
    var questions = 0

    var words = 0
    var longWords = 0
    var wordLetters = 0
    var reasoningWords = 0
    var constraintWords = 0
    var simpleWords = 0
    var codeWords = 0
    var firstWordClass: UInt8 = 0
    var sawFirstWord = false

    // Current line, for answer-option detection ("A. ...", "B) ...", "(C) ...").
    var lineStart = 0  // scalar offset of the line's first scalar
    var lineIsOption = false
    var optionLines = 0
    var optionChars = 0
    var stemChars = 0
    var seenOption = false

    init(table: WordTable) { self.table = table }

    /// Decodes the (valid) UTF-8 of a Swift string and counts as it goes.
    ///
    /// A run of ASCII letters is consumed by a tight inner loop (hash, length and upper-case count in
    /// locals), and the scalar offset is derived from the byte offset (`extra` counts the bytes beyond
    /// the first of each multi-byte scalar), so the common path touches no running counter per byte.
    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = bytes.count
        var extra = 0
        // The last non-ASCII scalar and the byte offset right after it, for the Chinese pair cues.
        var previous: UInt32 = 0
        var previousEnd = -1
        lineIsOption = Scan.isOptionPrefix(bytes, 0)
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a {
                    var hash = WordHash()
                    var up = 0
                    let start = i
                    var c = b
                    while true {
                        hash.add(c | 0x20)
                        if c <= 0x5a { up += 1 }
                        i += 1
                        guard i < n else { break }
                        c = bytes[i]
                        guard (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a else { break }
                    }
                    upper += up
                    endWord(length: i - start, hash: hash.value)
                    continue
                }
                switch b {
                case 0x30...0x39: digits += 1
                case 0x2b, 0x2a, 0x2f, 0x3d, 0x5e, 0x3c, 0x3e, 0x25, 0x7c: math += 1  // + * / = ^ < > % |
                case 0x7b, 0x7d, 0x3b, 0x5b, 0x5d, 0x60, 0x5c, 0x23, 0x24, 0x26, 0x7e: codeChars += 1  // { } ; [ ] ` \ # $ & ~
                case 0x3f: questions += 1
                case 0x0a:
                    endLine(lineLength: i - extra - lineStart)
                    lineStart = i - extra + 1
                    lineIsOption = Scan.isOptionPrefix(bytes, i + 1)
                default: break
                }
                i += 1
                continue
            }
            let b0 = UInt32(b)
            let scalarStart = i
            let v: UInt32
            if b0 & 0xe0 == 0xc0, i + 1 < n {
                v = (b0 & 0x1f) << 6 | (UInt32(bytes[i + 1]) & 0x3f)
                i += 2
                extra += 1
            } else if b0 & 0xf0 == 0xe0, i + 2 < n {
                v = (b0 & 0x0f) << 12 | (UInt32(bytes[i + 1]) & 0x3f) << 6 | (UInt32(bytes[i + 2]) & 0x3f)
                i += 3
                extra += 2
            } else if b0 & 0xf8 == 0xf0, i + 3 < n {
                v =
                    (b0 & 0x07) << 18 | (UInt32(bytes[i + 1]) & 0x3f) << 12 | (UInt32(bytes[i + 2]) & 0x3f) << 6
                    | (UInt32(bytes[i + 3]) & 0x3f)
                i += 4
                extra += 3
            } else {
                v = 0xfffd
                i += 1
            }
            consumeNonASCII(v, previous: previousEnd == scalarStart ? previous : 0)
            previous = v
            previousEnd = i
        }
        scalars = n - extra
    }

    /// Whether the line starting at byte `i` opens with an answer-option marker ("A. ", "B)\t", "(C)").
    /// The markers are ASCII, so the first three bytes decide (a non-ASCII or newline byte never matches).
    private static func isOptionPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i + 2 < bytes.count else { return false }
        let a = bytes[i], b = bytes[i + 1], c = bytes[i + 2]
        let isLetter: (UInt8) -> Bool = { $0 >= 0x41 && $0 <= 0x48 }  // A–H
        if isLetter(a) && (b == 0x2e || b == 0x29) && (c == 0x20 || c == 0x09) { return true }
        return a == 0x28 && isLetter(b) && c == 0x29
    }

    private mutating func consumeNonASCII(_ v: UInt32, previous: UInt32) {
        if (0x4e00...0x9fff).contains(v) || (0x3400...0x4dbf).contains(v) {
            cjk += 1
            if let kind = DifficultyLexicon.cjkPairs[(UInt64(previous) << 32) | UInt64(v)] {
                count(kind.rawValue)
            }
        } else if v == 0xff1f {
            questions += 1  // ？
        } else if (0x2200...0x22ff).contains(v) || (0x0391...0x03c9).contains(v) || v == 0x00b2 || v == 0x00b3
            || v == 0x00d7 || v == 0x00f7 || v == 0x221a
        {
            math += 1  // maths operators, Greek letters, ², ³, ×, ÷
        }
    }

    mutating func finish() {
        endLine(lineLength: scalars - lineStart)
    }

    private mutating func count(_ kind: UInt8) {
        switch kind {
        case WordClass.reasoning.rawValue: reasoningWords += 1
        case WordClass.constraint.rawValue: constraintWords += 1
        case WordClass.simple.rawValue: simpleWords += 1
        case WordClass.code.rawValue: codeWords += 1
        default: break
        }
        if !sawFirstWord {
            sawFirstWord = true
            firstWordClass = kind
        }
    }

    private mutating func endWord(length: Int, hash: UInt64) {
        words += 1
        wordLetters += length
        if length >= 10 { longWords += 1 }
        let kind = length <= 12 ? table.lookup(hash) : 0
        if !sawFirstWord {
            sawFirstWord = true
            firstWordClass = kind
        }
        if kind != 0 { count(kind) }
    }

    private mutating func endLine(lineLength: Int) {
        if lineIsOption {
            optionLines += 1
            optionChars += lineLength
            seenOption = true
        } else if !seenOption {
            stemChars += lineLength
        }
        lines += 1
    }

    func vector() -> [Double] {
        let n = Double(max(scalars, 1))
        let w = Double(max(words, 1))
        let stem = seenOption ? stemChars : scalars
        func log1p(_ x: Int) -> Double { logOnePlus(Double(x)) }
        return [
            log1p(scalars),
            log1p(words),
            log1p(lines - 1),
            log1p(stem),
            Double(min(optionLines, 8)) / 4,
            Double(optionChars) / n,
            Double(digits) / n,
            log1p(digits),
            Double(math) / n,
            log1p(math),
            Double(codeChars) / n,
            log1p(codeWords),
            Double(cjk) / n,
            Double(upper) / Double(max(wordLetters, 1)),
            Double(longWords) / w,
            words > 0 ? Double(wordLetters) / w : 0,
            log1p(reasoningWords),
            log1p(constraintWords),
            log1p(simpleWords),
            log1p(questions),
            firstWordClass == WordClass.openQuestion.rawValue || firstWordClass == WordClass.reasoning.rawValue ? 1 : 0,
            firstWordClass == WordClass.factQuestion.rawValue || firstWordClass == WordClass.simple.rawValue ? 1 : 0,
        ]
    }
}

/// Natural log of 1 + x for x ≥ 0, without Foundation (the classifier module imports nothing).
@inline(__always)
func logOnePlus(_ x: Double) -> Double {
    naturalLog(1 + x)
}

/// Natural logarithm for positive finite x: exponent split plus an atanh series (error < 1e-12).
func naturalLog(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return x == 0 ? -.infinity : .nan }
    let ln2 = 0.693_147_180_559_945_3
    var m = x.significand  // in [1, 2)
    var e = Double(x.exponent)
    if m > 1.414_213_562_373_095 {
        m /= 2
        e += 1
    }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var term = s, sum = 0.0
    var k = 1.0
    while k < 40 {
        sum += term / k
        term *= s2
        k += 2
        if abs(term) < 1e-17 { break }
    }
    return 2 * sum + e * ln2
}

/// e^x, without Foundation: range reduction by ln 2 and a Taylor series.
func naturalExp(_ x: Double) -> Double {
    if x > 709 { return .infinity }
    if x < -745 { return 0 }
    let ln2 = 0.693_147_180_559_945_3
    let k = (x / ln2).rounded()
    let r = x - k * ln2
    var term = 1.0, sum = 1.0
    for n in 1..<20 {
        term *= r / Double(n)
        sum += term
    }
    return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
}
