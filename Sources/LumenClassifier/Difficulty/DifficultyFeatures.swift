/// Topic-free signals of how much a prompt needs the strong model, computed in one pass over its UTF-8.
///
/// Three groups (see `names`):
/// - **structure** for every prompt: length in words (a Han character counts as a word), lines,
///   numbers, questions, and whether the request is put as a question (`question_form`: its last
///   character other than white space is a question mark, and it asks for no translation or
///   rewrite). Length is not one global effect: whether a longer prompt is harder depends on the
///   kind of task. `open_length` is the length of an open-ended request (instructions, chat,
///   creative writing, rewriting), where a longer prompt mostly spells out more of what is wanted and
///   is no harder; it is zero for a demanding prompt (maths, reasoning, code, extraction, an
///   answer-option question) in proportion to how demanding it looks. Demanding prompts get their
///   length effects from the interactions (`math_x_length`, `reasoning_x_length`, `code_x_length`,
///   `mcq_length`), where more text means more to work through;
/// - **task categories** (`TaskProfile`): maths, reasoning, code, constraints, extraction versus
///   chat, rewriting, translation, creative writing, look-ups, from closed English and Chinese cue
///   lists (`DifficultyLexicon`) and structure (code lines, equations, prices), and their interplay
///   with length and numbers;
/// - **answer-option questions** (`mcq*`, zero unless the prompt has two or more lettered options,
///   "A. …" on lines of their own or "(A) … (B) …" inline): an intercept, the stem, option and character-class signals that rank multiple-choice
///   questions, and a gated copy of every feature above. The model learns there what is peculiar
///   to such questions (MMLU, the largest labelled source) without moving the weights that apply
///   to free-form requests. On such a question `lines`, `questions` and `math_x_numbers` themselves
///   are zero (its lines are options, its numbers data to read): they count only through their
///   gated copies, where `mcq_math_x_numbers` counts the stem's numbers in digits.
///
/// Besides, `other_script`: the share of letters in scripts other than Latin and Han.
///
/// No subject names or topic words anywhere.
package enum DifficultyFeatures {
    /// Feature names, in the order `extract` returns them (a model stores them to check it matches).
    package static let names: [String] = freeForm + answerOptions + gated.map { "mcq_" + $0 }

    /// The features of every prompt.
    static let freeForm = [
        "open_length",
        "question_form",
        "lines",
        "numbers",
        "questions",
        "math",
        "reasoning",
        "code",
        "constraints",
        "extraction",
        "chat",
        "rewriting",
        "translation",
        "creative",
        "lookup",
        "constraint_count",
        "math_x_length",
        "math_x_numbers",
        "reasoning_x_length",
        "code_x_length",
        "easy_x_length",
        "constrained_easy",
        "context_question",
        "other_script",
    ]

    /// The free-form features that have a gated copy for answer-option questions: all but the
    /// first `ungated`, `open_length` and `question_form`, which are zero on them (an answer-option
    /// question ends with its options, never with its question).
    static let gated = Array(freeForm.dropFirst(ungated))

    /// How many features open `freeForm` without a gated copy (a test checks which).
    static let ungated = 2

    /// Answer-option questions only (zero otherwise); followed by a copy of `gated` gated the same way.
    static let answerOptions = [
        "mcq",
        "mcq_length",
        "mcq_stem",
        "mcq_statements",
        "mcq_option_share",
        "mcq_digit_ratio",
        "mcq_symbol_ratio",
        "mcq_upper_ratio",
        "mcq_long_words",
        "mcq_word_length",
    ]

    /// Indexes of the free-form features that are zero on an answer-option question (their gated
    /// copies carry them): `lines`, `questions`, `math_x_numbers`.
    static let layoutIndexes = ["lines", "questions", "math_x_numbers"].map { freeForm.firstIndex(of: $0)! }

    /// The number of features.
    package static var count: Int { names.count }

    /// The log-length (log(1 + words, numbers and Han characters)) that `easy_x_length`,
    /// `context_question` and `mcq_length` are centred on: about 55 words.
    static let lengthCentre = 4.0

    /// The log-length the maths, reasoning and code × length interactions are centred on: about 15
    /// words, a short question of the kind ("What is the area of the triangle with vertices …?").
    /// Centred there, the category weight itself is the effect on a short task of that kind, and
    /// length adds to it as the task grows (more quantities, steps or requirements); centred on a
    /// long prompt, a short maths question or puzzle would lose most of its category's effect.
    static let demandCentre = logOnePlus(15)

    /// The smallest log-length `open_length` uses: log(1 + 8).
    static let lengthFloor = logOnePlus(8)

    /// Feature vector of `text` (see `names`). Pure; one pass, no regex, one allocation (the result).
    package static func extract(_ text: String) -> [Double] {
        DifficultyScan.run(text).vector()
    }
}

/// Running counts for one pass over a prompt.
struct DifficultyScan {
    // Sizes.
    var scalars = 0
    var words = 0
    var numbers = 0
    /// Letters of scripts other than Latin and Han (see `scan`).
    var otherLetters = 0
    /// Quantities written as words ("three", "half", "twice"; `DifficultyLexicon.numberWords`).
    var numberWords = 0
    /// Runs of Chinese numerals ("三", "二十五"; not 一, which is in too many words).
    var hanNumerals = 0
    var digits = 0
    var cjk = 0
    var lines = 1
    var questions = 0
    /// The text's last character other than white space is a question mark (? or ？).
    var endsWithQuestion = false
    var upper = 0
    var longWords = 0
    var wordLetters = 0

    // Structure evidence.
    var mathChars = 0
    var equations = 0
    var quantities = 0  // $12, 30%
    var codeChars = 0
    var fences = 0
    var codeLines = 0
    var indentedLines = 0
    var calls = 0

    // The two previous tokens of the current phrase run (0: none), for two- and three-word cues.
    var prev1: UInt64 = 0
    var prev2: UInt64 = 0

    // Cue evidence per category (`TaskCategory.index`; lane 10, `DifficultyLexicon.amountLane`, for
    // amount questions, 11 and 12 for scripts and what they are for), and constraint cues of weight ≥ 2.
    var evidence = SIMD16<Int32>()
    var constraintHits = 0
    // Evidence from weak cues (weight 1) per category: "if", "then", "which" for reasoning; "write",
    // "letter", "story" for creative writing.
    var weak = SIMD16<Int32>()
    // Evidence from typical cues (weight 2) per lane (the maths and amount lanes are read).
    var typical = SIMD16<Int32>()

    // Scripts (`DifficultyLexicon.scriptLane`): where the last script cue and the last screen word
    // were (`units` then; -1: none), where "for", "of", "about" or "on" just after a script cue was,
    // and whether a screen word was next to one ("video script", "a script for the opening scene").
    var scriptAt = -1
    var screenAt = -1
    var scriptForAt = -1
    var spokenScript = false

    // Answer options ("A. …", "B) …", "(C) …") and the stem before them.
    var lineStart = 0
    var lineIsOption = false
    var optionLines = 0
    var optionChars = 0
    var stemUnits = 0
    var stemNumbers = 0
    var seenOption = false
    // Options inline, after a question or a label of choice on the stem's line ("… largest? (A) Mars (B) Jupiter",
    // "Answer Choices: (A) 21 (B) 27"): how many markers in sequence from A, the units at the last, and
    // the stem and scalar offset at the first.
    var inlineOptions = 0
    var inlineMarkerUnits = 0
    var inlineStemUnits = 0
    var inlineStemNumbers = 0
    var inlineStemQuestions = 0
    var inlineStart = 0

    // Where a supplied text may start: the units before the first colon and at the end of the first
    // line with words (-1: none).
    var colonUnits = -1
    var firstLineUnits = -1
    // The cue evidence from typical and decisive cues (weights 2 and 3) at those points: what the
    // instruction before a supplied text asks.
    var askedAtColon = SIMD16<Int32>()
    var askedAtFirstLine = SIMD16<Int32>()

    // Markers of a question that combines several statements ("I and II only", "Statement 1 |
    // Statement 2", "Scenario 1", ①②③): each option then asks for several judgements at once.
    var statementMarks = 0
    /// Inside a URL: from its "://" or "www." to the next blank or non-ASCII scalar.
    var inURL = false

    static func run(_ text: String) -> DifficultyScan {
        var scan = DifficultyScan()
        var text = text
        text.withUTF8 { bytes in
            scan.scan(bytes)
            scan.endsWithQuestion = endsWithQuestionMark(bytes)
        }
        scan.endLine(lineLength: scan.scalars - scan.lineStart)
        scan.adoptInlineOptions()
        return scan
    }

    /// An option marker in the middle of a line ("(B)" or "B)" after a blank, before a blank or the end)
    /// at byte `i` of `bytes`, scalar offset `offset`. It counts when it continues the sequence A, B, C…
    /// and reads as an answer option, not as an item of an enumeration or a labelled part of a task:
    /// "A" follows a question asking for one thing or a label of choice (`opensOptions`); each later
    /// marker follows an option of one to eight words that does not end with a comma, a semicolon, "and"
    /// or "or" ("shall (A) pay all fees, (B) keep records, and (C)…", "Let X be… (A) Compute E[X]. (B)…"
    /// and "要求 A) 读取 B) 计算" are no options).
    @inline(__always)
    private mutating func inlineMarker(_ letter: UInt8, _ bytes: UnsafeBufferPointer<UInt8>, at i: Int, offset: Int, letterScanned: Bool) {
        let before = letterScanned ? units - 1 : units  // the units before the marker's letter
        if letter == 0x41 {
            inlineOptions = Self.opensOptions(bytes, before: i) ? 1 : 0
            inlineStemUnits = before
            inlineStemNumbers = numbers
            inlineStemQuestions = questions
            inlineStart = offset
        } else if inlineOptions > 0 && inlineOptions < 8 && letter == 0x41 + UInt8(inlineOptions) {
            let words = before - inlineMarkerUnits  // the option's words, past its letter
            inlineOptions = words >= 1 && words <= 8 && !Self.endsEnumerationItem(bytes, before: i) ? inlineOptions + 1 : 0
        } else {
            return
        }
        inlineMarkerUnits = before + 1
    }

    /// The last byte before `i` other than blanks.
    @inline(__always)
    private static func lastNonBlank(_ bytes: UnsafeBufferPointer<UInt8>, before i: Int) -> Int {
        var j = i - 1
        while j >= 0 && isBlank(bytes[j]) { j -= 1 }
        return j
    }

    /// Words of choice that label inline options ("Answer Choices:", "Options:", "Choose one:").
    private static let choiceWords: Set<UInt64> = Set(
        "answer answers choice choices option options choose select pick".split(separator: " ").map { CueHash.word($0) })
    /// Words that open a question asking for one thing ("Which planet…?", "How many moons…?").
    private static let oneAnswerOpeners: Set<UInt64> = Set("which what who whom whose where when".split(separator: " ").map { CueHash.word($0) })
    private static let howMuch: Set<UInt64> = Set("many much".split(separator: " ").map { CueHash.word($0) })
    private static let how = CueHash.word("how")
    /// Words of a question about several things, not a choice of one ("What are the differences between
    /// these…? (A)…", "What would happen in each scenario? (A)…").
    private static let severalWords: Set<UInt64> = Set(
        "each difference differences between compare".split(separator: " ").map { CueHash.word($0) })

    /// Whether what comes before byte `i` opens answer options: a question asking for one thing ("Which
    /// planet is largest?", "哪一个？"; not a request, "Could you do these for my app? A) …"), or a label of
    /// choice of up to three words before a colon ("Answer Choices:", "Options:"; not "Please compare
    /// these options:").
    private static func opensOptions(_ bytes: UnsafeBufferPointer<UInt8>, before i: Int) -> Bool {
        let j = lastNonBlank(bytes, before: i)
        guard j >= 0 else { return false }
        if bytes[j] == 0x3F { return asksForOne(bytes, before: j) }
        if j >= 2 && bytes[j - 2] == 0xef && bytes[j - 1] == 0xbc {
            if bytes[j] == 0x9f { return asksForOneInChinese(bytes, before: j - 2) }  // ？
            if bytes[j] == 0x9a { return labelsChoice(bytes, before: j - 2) }  // ：
        }
        return bytes[j] == 0x3A && labelsChoice(bytes, before: j)
    }

    /// The words of the clause that ends at byte `j`, last first: letters only, a clause ending at . ! ? :
    /// or a line break; empty when it has more than `limit`.
    private static func wordsBefore(_ bytes: UnsafeBufferPointer<UInt8>, _ j: Int, limit: Int) -> [UInt64] {
        var words: [UInt64] = []
        var end = j
        while true {
            while end > 0 && !isLetter(bytes[end - 1]) {
                let c = bytes[end - 1]
                if c == 0x0a || c == 0x2e || c == 0x21 || c == 0x3f || c == 0x3a { return words }
                end -= 1
            }
            var start = end
            while start > 0 && isLetter(bytes[start - 1]) { start -= 1 }
            guard start < end else { return words }
            guard words.count < limit else { return [] }
            words.append(CueHash.letters(bytes[start..<end]))
            end = start
        }
    }

    /// A label of choice: one to three words before a colon, one of them a word of choice.
    private static func labelsChoice(_ bytes: UnsafeBufferPointer<UInt8>, before j: Int) -> Bool {
        wordsBefore(bytes, j, limit: 3).contains { choiceWords.contains($0) }
    }

    /// A question that asks for one thing: it opens with which, what, who, where, when or "how many/much",
    /// and asks about no several things (each, differences, between, compare).
    private static func asksForOne(_ bytes: UnsafeBufferPointer<UInt8>, before j: Int) -> Bool {
        let words = wordsBefore(bytes, j, limit: 40)
        guard let opener = words.last, !words.contains(where: { severalWords.contains($0) }) else { return false }
        if opener == how { return words.count >= 2 && howMuch.contains(words[words.count - 2]) }
        return oneAnswerOpeners.contains(opener)
    }

    /// A Chinese question that asks for one thing: 哪, 什么, 谁, 多少 or 几 in it (back to the sentence's
    /// start or a line break, 120 bytes at most).
    private static func asksForOneInChinese(_ bytes: UnsafeBufferPointer<UInt8>, before j: Int) -> Bool {
        var k = j - 1
        while k >= 2 && j - k < 120 {
            let (a, b, c) = (bytes[k - 2], bytes[k - 1], bytes[k])
            if c == 0x0a || (a == 0xe3 && b == 0x80 && c == 0x82) { return false }  // a line break, 。
            if (a == 0xe5 && b == 0x93 && c == 0xaa) || (a == 0xe4 && b == 0xbb && c == 0x80) || (a == 0xe8 && b == 0xb0 && c == 0x81)
                || (a == 0xe5 && b == 0xa4 && c == 0x9a) || (a == 0xe5 && b == 0x87 && c == 0xa0)
            {
                return true  // 哪 什 谁 多 几
            }
            k -= 1
        }
        return false
    }

    /// Whether the option before byte `i` ends as an item of an enumeration does: a comma, a semicolon,
    /// "and" or "or".
    private static func endsEnumerationItem(_ bytes: UnsafeBufferPointer<UInt8>, before i: Int) -> Bool {
        let j = lastNonBlank(bytes, before: i)
        guard j >= 0 else { return false }
        let c = bytes[j]
        if c == 0x2C || c == 0x3B { return true }
        func word(_ w: [UInt8]) -> Bool {
            let start = j - w.count + 1
            guard start >= 0, start == 0 || !isLetter(bytes[start - 1]) else { return false }
            return w.indices.allSatisfy { bytes[start + $0] | 0x20 == w[$0] }
        }
        return word([0x61, 0x6e, 0x64]) || word([0x6f, 0x72])  // and, or
    }

    /// Options written inline count as option lines when the prompt has no option lines of its own,
    /// there are three or more ("options (A) and (B) of the contract" are not), and they end it: no
    /// question after the first marker, and the last option eight words at most (and "Answer:"). The
    /// text before the first marker is the stem.
    private mutating func adoptInlineOptions() {
        guard optionLines < 2, inlineOptions >= 3, questions == inlineStemQuestions, units - inlineMarkerUnits <= 9 else { return }
        optionLines = inlineOptions
        optionChars = scalars - inlineStart
        seenOption = true
        stemUnits = inlineStemUnits
        stemNumbers = inlineStemNumbers
    }

    /// Whether the last character of `bytes` other than white space (ASCII, no-break, ideographic or zero-width
    /// space) is "?" or "？" (U+FF1F, EF BC 9F).
    static func endsWithQuestionMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var end = bytes.count
        while end > 0 {
            let b = bytes[end - 1]
            if b == 0x20 || (0x09...0x0d).contains(b) {
                end -= 1
            } else if end >= 2, b == 0xa0, bytes[end - 2] == 0xc2 {
                end -= 2  // U+00A0
            } else if end >= 3, bytes[end - 3] == 0xe3, bytes[end - 2] == 0x80, b == 0x80 {
                end -= 3  // U+3000
            } else if end >= 3, bytes[end - 3] == 0xe2, bytes[end - 2] == 0x80, b == 0x8b {
                end -= 3  // U+200B
            } else {
                break
            }
        }
        if end >= 1, bytes[end - 1] == 0x3f { return true }
        return end >= 3 && bytes[end - 3] == 0xef && bytes[end - 2] == 0xbc && bytes[end - 1] == 0x9f
    }

    /// Keys of the words that say what a script is for, right after it: "a script for / of / about / on …".
    private static let introducesSubject: Set<UInt64> = Set(["for", "of", "about", "on"].map { CueHash.word($0[...]) })

    /// Keys of "II", "III" (upper case only, checked separately), "statement" and "scenario" (before a number).
    private static let romanTwo = CueHash.word("ii")
    private static let www = CueHash.word("www")
    private static let romanThree = CueHash.word("iii")
    private static let statement = CueHash.word("statement")
    private static let scenario = CueHash.word("scenario")

    @inline(__always)
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a }
    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    /// Measure words and units after a Chinese numeral: 个人天只辆本次岁年月号米元块斤克桶杯张条件位名页倍成种双台道头匹棵朵周层家包盒瓶公小角毛吨升亩点时秒步场局轮遍份套片粒颗枚句段首篇封支把.
    private static let measureWords: ScalarBitmap = {
        var bitmap = ScalarBitmap()
        for c in "个人天只辆本次岁年月号米元块斤克桶杯张条件位名页倍成种双台道头匹棵朵周层家包盒瓶公小角毛吨升亩点时秒步场局轮遍份套片粒颗枚句段首篇封支把".unicodeScalars { bitmap.insert(c.value) }
        return bitmap
    }()

    @inline(__always)
    private static func isMeasureWord(_ v: UInt32) -> Bool { measureWords.contains(v) }

    /// 百, 千, 万 on their own (百度, 千岛湖, 万里长城).
    @inline(__always)
    private static func isBareMagnitude(_ v: UInt32) -> Bool { v == 0x767E || v == 0x5343 || v == 0x4E07 }

    @inline(__always)
    private static func isHanNumeral(_ v: UInt32) -> Bool {
        switch v {
        case 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E07, 0x4E24: true  // 二三四五六七八九十百千万两
        default: false
        }
    }
    @inline(__always)
    private static func isAlnum(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }
    /// An option letter, A–H.
    @inline(__always)
    private static func isOptionLetter(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x48 }
    /// A space or tab.
    @inline(__always)
    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    @inline(__always)
    private mutating func add(_ value: UInt8) {
        let lane = Int(value & 0x0f) - 1
        guard lane >= 0 else { return }
        // A look-up is a short question: its cues count only in the first six words or twelve Han
        // characters ("who is…?", not "a dragon who is afraid").
        if lane == TaskCategory.lookup.index && words + cjk / 2 > 6 { return }
        let weight = Int32((value >> 4) & 0x03)
        evidence[lane] &+= weight
        if lane == DifficultyLexicon.scriptLane {
            scriptAt = units
            if screenAt >= 0 && units - screenAt <= 4 { spokenScript = true }  // "video script", "面试模拟脚本"
        } else if lane == DifficultyLexicon.screenLane || lane == TaskCategory.creative.index {
            // "a script for the opening scene", "a script for my best man speech"
            if scriptForAt >= 0 && units - scriptForAt <= 6 { spokenScript = true }
            if lane == DifficultyLexicon.screenLane { screenAt = units }
        }
        if lane == TaskCategory.constraints.index && weight >= 2 { constraintHits += 1 }
        if weight == 1 { weak[lane] &+= 1 }
        if weight == 2 { typical[lane] &+= 2 }
    }

    /// Looks a word (or number) up alone and, when it can end a phrase, with the one or two before it.
    @inline(__always)
    private mutating func token(_ hash: UInt64, _ table: CueTable) {
        if scriptAt >= 0 && units - scriptAt == 1 && Self.introducesSubject.contains(hash) { scriptForAt = units }
        let value = table.lookup(hash)
        if value != 0 {
            if value & 0x3f == DifficultyLexicon.mathWeakCue, DifficultyLexicon.numberWords.contains(hash) { numberWords += 1 }
            add(value)
            if value & CueTable.endsBigram != 0, prev1 != 0 { add(table.lookup(CueHash.pair(prev1, hash))) }
            if value & CueTable.endsTrigram != 0, prev2 != 0 {
                add(table.lookup(CueHash.pair(CueHash.pair(prev2, prev1), hash)))
            }
        }
        prev2 = prev1
        prev1 = hash
    }

    /// Decodes the (valid) UTF-8 of a Swift string and counts as it goes. Scalar offsets are derived
    /// from byte offsets (`extra` counts the bytes beyond the first of each multi-byte scalar).
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        let table = DifficultyLexicon.table
        let cjkLast = DifficultyLexicon.cjkLast
        var i = 0
        let n = bytes.count
        var extra = 0
        // The three previous Han scalars of the current run (0: none).
        var han1: UInt32 = 0
        var han2: UInt32 = 0
        var han3: UInt32 = 0
        // End of the last word (byte offset) and its length, for call detection ("print(").
        var wordEnd = -1
        var wordLength = 0
        // Last non-space byte of the current line, and whether the line so far is only spaces.
        var lastInLine: UInt8 = 0
        var indent = 0
        var lineBlank = true
        lineIsOption = Self.isOptionPrefix(bytes, 0)

        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                han1 = 0
                han2 = 0
                han3 = 0
                if Self.isLetter(b) {
                    var hash = CueHash.seed
                    var up = 0
                    let start = i
                    var c = b
                    while true {
                        hash = (hash ^ UInt64(c | 0x20)) &* CueHash.prime
                        if c <= 0x5a { up += 1 }
                        i += 1
                        guard i < n else { break }
                        c = bytes[i]
                        guard Self.isLetter(c) else { break }
                    }
                    let length = i - start
                    upper += up
                    words += 1
                    wordLetters += length
                    if length >= 10 { longWords += 1 }
                    wordEnd = i
                    wordLength = length
                    lastInLine = c
                    lineBlank = false
                    if length <= 3, hash == Self.romanTwo || hash == Self.romanThree, up == length { statementMarks += 1 }
                    if length == 3, hash == Self.www, i < n, c == 0x2e { inURL = true }
                    if length <= 16 {
                        token(hash, table)
                    } else {
                        prev2 = prev1
                        prev1 = hash
                    }
                    continue
                }
                if Self.isDigit(b) {
                    let start = i
                    i += 1
                    while i < n {
                        let c = bytes[i]
                        if Self.isDigit(c) {
                            i += 1
                        } else if (c == 0x2e || c == 0x2c) && i + 1 < n && Self.isDigit(bytes[i + 1]) {
                            i += 2  // 3.5, 1,000
                        } else {
                            break
                        }
                    }
                    digits += i - start
                    numbers += 1
                    if start > 0 && bytes[start - 1] == 0x24 { quantities += 1 }  // $12
                    if i < n && bytes[i] == 0x25 { quantities += 1 }  // 30%
                    lastInLine = bytes[i - 1]
                    lineBlank = false
                    if prev1 == Self.statement || prev1 == Self.scenario { statementMarks += 1 }
                    token(CueHash.number, table)
                    if i < n && bytes[i] == 0x2b { i += 1 }  // "300+ words" stays one phrase
                    continue
                }
                switch b {
                case 0x20, 0x09, 0x0d:
                    inURL = false
                    if lineBlank { indent += b == 0x09 ? 4 : 1 }
                    i += 1
                    continue
                case 0x2d, 0x27:  // - ' keep a phrase together (step-by-step, don't)
                    break
                case 0x0a:
                    inURL = false
                    endLine(lineLength: i - extra - lineStart)
                    if lastInLine == 0x3b || lastInLine == 0x7b || lastInLine == 0x7d { codeLines += 1 }
                    if indent >= 4 && !lineBlank { indentedLines += 1 }
                    lineStart = i - extra + 1
                    lineIsOption = Self.isOptionPrefix(bytes, i + 1)
                    lastInLine = 0
                    indent = 0
                    lineBlank = true
                    prev1 = 0
                    prev2 = 0
                    i += 1
                    continue
                case 0x2b, 0x2a, 0x2f, 0x3d, 0x5e, 0x3c, 0x3e, 0x25, 0x7c:  // + * / = ^ < > % |
                    mathChars += 1
                    // A bar is a table's or a grid's ("| Name | Age |", a Sudoku's "|1|  |5|"), and a URL's
                    // slashes are its path's ("https://doi.org/10.48550/arXiv.1706"). A slash between words
                    // stays: a rate as often as a choice ("km/h", "dollars/hour"; "and/or").
                    if b != 0x7c, b != 0x2f || !inURL,
                        Self.isOperand(bytes, before: i) && Self.isOperand(bytes, after: i)
                    {
                        equations += 1
                    }
                    prev1 = 0
                    prev2 = 0
                case 0x7b, 0x7d, 0x3b, 0x5b, 0x5d, 0x60, 0x5c, 0x23, 0x26, 0x7e, 0x5f:  // { } ; [ ] ` \ # & ~ _
                    codeChars += 1
                    if b == 0x60, i + 2 < n, bytes[i + 1] == 0x60, bytes[i + 2] == 0x60 {
                        fences += 1
                        i += 3
                        lastInLine = 0x60
                        lineBlank = false
                        continue
                    }
                    prev1 = 0
                    prev2 = 0
                case 0x28:  // (
                    if wordEnd == i && wordLength >= 2 { calls += 1 }
                    if i > 0, i + 2 < n, bytes[i + 2] == 0x29, Self.isOptionLetter(bytes[i + 1]), Self.isBlank(bytes[i - 1]),
                        i + 3 == n || Self.isBlank(bytes[i + 3])
                    {
                        inlineMarker(bytes[i + 1], bytes, at: i, offset: i - extra, letterScanned: false)  // " (B) "
                    }
                    prev1 = 0
                    prev2 = 0
                case 0x29:  // )
                    if i >= 2, i + 1 < n, Self.isOptionLetter(bytes[i - 1]), Self.isBlank(bytes[i - 2]), Self.isBlank(bytes[i + 1]) {
                        inlineMarker(bytes[i - 1], bytes, at: i - 1, offset: i - extra - 1, letterScanned: true)  // " B) "
                    }
                    prev1 = 0
                    prev2 = 0
                case 0x3f:  // ?
                    questions += 1
                    prev1 = 0
                    prev2 = 0
                case 0x3a:  // : before a space, a line break or a quote ("Rewrite this: …"; not 10:30, https://)
                    if i + 2 < n && bytes[i + 1] == 0x2f && bytes[i + 2] == 0x2f { inURL = true }
                    if colonUnits < 0,
                        i + 1 >= n || bytes[i + 1] == 0x20 || bytes[i + 1] == 0x0a || bytes[i + 1] == 0x0d || bytes[i + 1] == 0x22
                            || bytes[i + 1] == 0x27 || bytes[i + 1] == 0x09
                    {
                        markColon()
                    }
                    prev1 = 0
                    prev2 = 0
                default:
                    prev1 = 0
                    prev2 = 0
                }
                lastInLine = b
                lineBlank = false
                i += 1
                continue
            }
            // Multi-byte scalar.
            let b0 = UInt32(b)
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
            lineBlank = false
            lastInLine = 0x80
            prev1 = 0
            prev2 = 0
            inURL = false  // a URL is ASCII: "https://x.cn/a链接里的/…" ends at the first other scalar
            if (0x4e00...0x9fff).contains(v) || (0x3400...0x4dbf).contains(v) {
                cjk += 1
                // A run of Chinese numerals before a measure word or unit ("三个", "二十五元", "两天"): a
                // quantity. Not a numeral in a name (四川, 三峡, 百度, 万里长城) or a word (十分, 千万).
                if Self.isHanNumeral(han1) && !Self.isHanNumeral(v) && Self.isMeasureWord(v)
                    && !(Self.isBareMagnitude(han1) && !Self.isHanNumeral(han2))
                {
                    hanNumerals += 1
                }
                if cjkLast.contains(v) {
                    add(table.lookup(CueHash.han(v)))
                    if han1 != 0 {
                        add(table.lookup(CueHash.han(han1, v)))
                        if han2 != 0 {
                            add(table.lookup(CueHash.han(han2, han1, v)))
                            if han3 != 0 { add(table.lookup(CueHash.han(han3, han2, han1, v))) }
                        }
                    }
                }
                han3 = han2
                han2 = han1
                han1 = v
                continue
            }
            han1 = 0
            han2 = 0
            han3 = 0
            // Letters of scripts other than Latin and Han: Cyrillic, Hebrew, Arabic, Devanagari and
            // other Indic scripts, Thai, Georgian, Hangul, kana.
            if (0x0400...0x052f).contains(v) || (0x0590...0x06ff).contains(v) || (0x0900...0x0e7f).contains(v)
                || (0x10a0...0x10ff).contains(v) || (0x3040...0x30ff).contains(v) || (0xac00...0xd7af).contains(v)
            {
                otherLetters += 1
                continue
            }
            if v == 0xff1a {
                if colonUnits < 0 { markColon() }  // ：
            } else if v == 0xff1f {
                questions += 1  // ？
            } else if (0x2460...0x2473).contains(v) {
                statementMarks += 1  // ①–⑳
            } else if (0x2200...0x22ff).contains(v) || (0x0391...0x03c9).contains(v) || v == 0x00b2 || v == 0x00b3
                || v == 0x00d7 || v == 0x00f7 || v == 0x221a || v == 0x2212
            {
                mathChars += 1  // maths operators, Greek letters, ², ³, ×, ÷, −
                equations += 1
            } else if v == 0xff05 {
                quantities += 1  // ％
            }
        }
        scalars = n - extra
    }

    /// A letter, digit or closing bracket just before byte `i` (one space allowed).
    @inline(__always)
    private static func isOperand(_ bytes: UnsafeBufferPointer<UInt8>, before i: Int) -> Bool {
        var j = i - 1
        if j >= 0 && bytes[j] == 0x20 { j -= 1 }
        guard j >= 0 else { return false }
        let c = bytes[j]
        return isAlnum(c) || c == 0x29
    }

    /// A letter, digit, opening bracket or minus just after byte `i` (one space allowed).
    @inline(__always)
    private static func isOperand(_ bytes: UnsafeBufferPointer<UInt8>, after i: Int) -> Bool {
        var j = i + 1
        if j < bytes.count && bytes[j] == 0x20 { j += 1 }
        guard j < bytes.count else { return false }
        let c = bytes[j]
        return isAlnum(c) || c == 0x28 || c == 0x2d
    }

    /// Whether the line starting at byte `i` opens with an answer-option marker ("A. ", "B)\t", "(C)",
    /// and as Chinese exam papers write them, "A．" and "A、" with a full-width stop or comma).
    private static func isOptionPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i + 2 < bytes.count else { return false }
        let a = bytes[i]
        let b = bytes[i + 1]
        let c = bytes[i + 2]
        if isOptionLetter(a) && (b == 0x2e || b == 0x29) && (c == 0x20 || c == 0x09) { return true }
        if isOptionLetter(a), i + 3 < bytes.count,
            (b == 0xef && c == 0xbc && bytes[i + 3] == 0x8e) || (b == 0xe3 && c == 0x80 && bytes[i + 3] == 0x81)
        {
            return true  // ．(U+FF0E), 、(U+3001)
        }
        return a == 0x28 && isOptionLetter(b) && c == 0x29
    }

    private mutating func markColon() {
        colonUnits = units
        askedAtColon = evidence &- weak
    }

    private mutating func endLine(lineLength: Int) {
        if firstLineUnits < 0 && units > 0 {
            firstLineUnits = units
            askedAtFirstLine = evidence &- weak
        }
        if lineIsOption {
            optionLines += 1
            optionChars += lineLength
            seenOption = true
        } else if !seenOption {
            stemUnits = words + numbers + cjk
            stemNumbers = numbers
        }
        lines += 1
    }

    /// Words, numbers and Han characters: a length that means the same in English and Chinese.
    var units: Int { words + numbers + cjk }

    /// Evidence per category (lanes 0–9, `TaskCategory.index`), before length normalisation (see `TaskProfile`).
    func categoryEvidence() -> SIMD16<Double> {
        func e(_ c: TaskCategory) -> Double { Double(evidence[c.index]) }
        let units = Double(self.units)
        // A task on a text the prompt supplies: most of the prompt comes after a colon or after its
        // first line, and the instruction before that asks to extract from, rewrite or translate it
        // (one decisive cue or two typical ones; a cue inside the text is the text's: "in Spanish" in
        // a word problem). The text's figures, prices and times and its everyday maths words
        // ("total", "minutes", "sold", "percent") are what it says, not quantities to compute with:
        // only decisive maths cues, equations and amount questions count ("calculate the growth",
        // "how many times does each code appear"). Answer-option questions keep every maths cue
        // (their weights are learned on such questions).
        func introduces(_ at: Int) -> Bool { at >= 0 && Double(at) <= 0.4 * units && units - Double(at) >= 20 }
        let instruction: SIMD16<Int32>? =
            units < 40 || optionLines >= 2
            ? nil : introduces(colonUnits) ? askedAtColon : introduces(firstLineUnits) ? askedAtFirstLine : nil
        func asked(_ c: TaskCategory) -> Bool { instruction.map { $0[c.index] >= 3 } ?? false }
        let textTask = asked(.extraction) || asked(.rewriting) || asked(.translation)
        // Amount questions ("how many…", "how long", "多少"): maths when the text gives quantities to
        // work with; a short one that gives none asks for a fact ("how many bones are in the human
        // body?", "珠穆朗玛峰有多少米高？").
        let lane = DifficultyLexicon.amountLane
        let amount = Double(evidence[lane])
        let factual = numbers + numberWords + hanNumerals == 0 && equations == 0 && quantities == 0 && units <= 20
        let mathIndex = TaskCategory.math.index
        var math =
            textTask
            // ("how long" is as often the text's)
            ? e(.math) - Double(weak[mathIndex] + typical[mathIndex]) + Double(min(equations, 4)) + amount - Double(typical[lane])
            : e(.math) + (factual ? 0 : amount) + Double(min(equations, 4)) + Double(min(quantities, 3))
        // Numbers are quantities to compute with only next to maths words or symbols (otherwise they
        // are dates, versions, figures in pasted data).
        if math >= 2 && numbers >= 2 && !textTask { math += 1 }
        if math >= 2 && numbers >= 4 && !textTask { math += 1 }
        // In a word problem the weak cues of the other categories are the problem's own words, not
        // a second task: "if", "then", "which" (reasoning), "writes a letter" (creative), "art class"
        // (code), "only" (constraints). With clear maths evidence (number words alone are not: "three
        // friends each own one pet… which…" is a puzzle) only their stronger cues count: on GSM8K's
        // training questions the weak reasoning cues fire on half the problems and order them no
        // better than a coin. Answer-option questions keep them: their weights are learned on such
        // questions.
        let wordProblem = math - Double(numberWords) >= 3 && optionLines < 2
        func ownWords(_ c: TaskCategory) -> Double { wordProblem ? e(c) - Double(weak[c.index]) : e(c) }
        let program =
            ownWords(.code) + 3 * Double(min(fences, 2)) + Double(min(codeLines + indentedLines / 2, 6)) + Double(min(calls, 3))
            + Double(min(codeChars / 4, 3))
        // A script is a program unless it is written for a scene, a video, a call or the stage and
        // next to nothing else says code ("a script for the opening scene of a comedy show",
        // "写一个短视频脚本"; not "a Python script that downloads YouTube videos", "my script for
        // processing videos keeps crashing with an error"): then it is writing.
        let script = Double(evidence[DifficultyLexicon.scriptLane])
        let creativeIntent = e(.creative) - Double(weak[TaskCategory.creative.index])
        let spoken = script > 0 && program < 2 && (spokenScript || creativeIntent >= 3)
        let code = spoken ? program : program + script
        let reasoning = ownWords(.reasoning)
        let demanding = math + code + reasoning
        var out = SIMD16<Double>()
        out[TaskCategory.math.index] = math
        out[TaskCategory.reasoning.index] = reasoning
        out[TaskCategory.code.index] = code
        out[TaskCategory.constraints.index] = ownWords(.constraints)
        // Extraction needs something to extract from: cues count in proportion to the text's length.
        out[TaskCategory.extraction.index] = ownWords(.extraction) * min(max(units / 100, 0.5), 2)
        var chat = demanding >= 3 ? ownWords(.chat) / 2 : ownWords(.chat)
        if units >= 1 && units <= 3 && evidence == SIMD16() && demanding < 1 { chat += 2 }  // "ok", "cool", "yes please"
        out[TaskCategory.chat.index] = chat
        out[TaskCategory.rewriting.index] = ownWords(.rewriting)
        out[TaskCategory.translation.index] = ownWords(.translation)
        out[TaskCategory.creative.index] = ownWords(.creative) + (spoken ? script : 0)
        out[TaskCategory.lookup.index] = units <= 40 && demanding < 3 ? e(.lookup) + (factual ? amount : 0) : 0
        return out
    }

    /// Category scores in lanes 0–9: evidence / (evidence + 3 × max(1, units / 150)).
    func categoryScores() -> SIMD16<Double> {
        let evidence = categoryEvidence()
        return evidence / (evidence + SIMD16(repeating: 3 * max(1, Double(units) / 150)))
    }

    func profile() -> TaskProfile {
        let scores = categoryScores()
        return TaskProfile(scores: (0..<TaskCategory.allCases.count).map { scores[$0] })
    }

    func vector() -> [Double] {
        let n = Double(max(scalars, 1))
        let scores = categoryScores()
        let length = logOnePlus(Double(units))
        let centred = length - DifficultyFeatures.lengthCentre
        let demandCentred = length - DifficultyFeatures.demandCentre
        let numbers = logOnePlus(Double(self.numbers))
        let easy = max(scores[5], scores[6], scores[7], scores[8], scores[9])
        let options = optionLines >= 2
        // How demanding the task looks: its strongest demanding category, 1 for answer options.
        let demand = options ? 1 : max(scores[0], scores[1], scores[2], scores[4])
        var x = [Double]()
        x.reserveCapacity(DifficultyFeatures.names.count)
        // Measured from about eight words (below that length says nothing more: "hi", "2+2?"), so
        // a bare open-ended instruction and a bare demanding one differ only by their categories.
        x.append((max(length, DifficultyFeatures.lengthFloor) - DifficultyFeatures.lengthFloor) * (1 - demand))
        // A request put as a question ("How did US states get their names?") rather than as a task
        // ("Write a poem about…"): the strong model's answer is preferred more often. Not the question a
        // text to translate or rewrite ends with ("Translate into French: Where is the station?").
        x.append(endsWithQuestion && !options && scores[6] < 0.5 && scores[7] < 0.5 ? 1 : 0)
        x.append(logOnePlus(Double(lines - 2)))  // `lines` counts one past the last line
        x.append(numbers)
        x.append(logOnePlus(Double(questions)))
        for c in 0..<10 { x.append(scores[c]) }
        x.append(logOnePlus(Double(constraintHits)))
        x.append(scores[0] * demandCentred)
        // Quantities to compute with: in an answer-option question those of the stem (the options'
        // numbers are candidate answers).
        // Outside them, numbers written in digits, words or Chinese numerals: a word problem's quantities, each one more
        // to combine (on GSM8K's training questions, their count orders problems by the steps of
        // their worked solutions better than length does).
        x.append(scores[0] * (options && seenOption ? logOnePlus(Double(stemNumbers)) : logOnePlus(Double(self.numbers + numberWords + hanNumerals))))
        x.append(scores[1] * demandCentred)
        x.append(scores[2] * demandCentred)
        x.append(easy * centred)
        // Creative writing or rewriting under strict constraints is a constraint-following task.
        x.append(scores[3] * easy)
        // A question (or answer options) after a long text: reading and extracting from a context.
        x.append(questions > 0 || options ? max(0, centred) : 0)
        // The share of the text written in another script than Latin or Han (Russian, Arabic, Hindi,
        // Korean, Japanese kana…), by letters against words: languages a local model of Mixtral's
        // class (or SmolLM2, Lumen's default, trained on English) serves worse than a frontier model.
        x.append(Double(otherLetters) / Double(max(otherLetters + wordLetters + cjk, 1)))
        let free = x.count
        guard options else {
            x.append(contentsOf: repeatElement(0, count: DifficultyFeatures.answerOptions.count + free - DifficultyFeatures.ungated))
            return x
        }
        let stem = seenOption ? stemUnits : units
        x.append(1)
        x.append(centred)
        x.append(logOnePlus(Double(stem)))
        x.append(logOnePlus(Double(statementMarks)))
        x.append(Double(optionChars) / n)
        x.append(Double(digits) / n)
        x.append(Double(mathChars) / n)
        x.append(Double(upper) / Double(max(wordLetters, 1)))
        x.append(Double(longWords) / Double(max(words, 1)))
        x.append(words > 0 ? Double(wordLetters) / Double(words) : 0)
        for i in DifficultyFeatures.ungated..<free { x.append(x[i]) }
        // Lines and question marks of an answer-option question are its layout (one line per option),
        // not the request's structure the free-form weights were learned on, and the numbers of its
        // stem are data to read more often than quantities to combine: these count only through their
        // gated copies, learned on such questions (zero when none were trained on).
        for i in DifficultyFeatures.layoutIndexes { x[i] = 0 }
        return x
    }
}

/// Natural log of 1 + x for x ≥ 0, without Foundation (the classifier module imports nothing).
@inline(__always)
func logOnePlus(_ x: Double) -> Double {
    naturalLog(1 + max(x, 0))
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
    var term = s
    var sum = 0.0
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
    var term = 1.0
    var sum = 1.0
    for n in 1..<20 {
        term *= r / Double(n)
        sum += term
    }
    return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
}
