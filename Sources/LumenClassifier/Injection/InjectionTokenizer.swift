// One pass over a text's UTF-8: words (lower-cased, lightly stemmed, hashed), Han characters (one
// token each), sentence numbers, whether a token is inside quotation marks, fake chat turns at the
// start of a line ("system:", "[assistant]", "助手："), and whether the text looks like data (an
// e-mail header, a code fence, HTML). No allocation per word: a word is hashed from a small buffer.

/// One token of a text. Offsets are Unicode-scalar offsets, `end` exclusive.
struct InjectionToken: Sendable {
    var hash: UInt64
    var start: Int32
    var end: Int32
    var sentence: Int32
    /// Units before this token in the text (an English word counts 2, a Han character 1, a
    /// tokenizer marker 0): gaps between cue parts are differences of these.
    var units: Int32
    var flags: UInt8

    static let quoted: UInt8 = 1
    static let capitals: UInt8 = 2
}

/// The tokens of a text plus what the tokenizer noticed about the whole text.
struct InjectionTokens: Sendable {
    var tokens: [InjectionToken] = []
    /// Units per sentence, indexed by `InjectionToken.sentence`.
    var sentenceUnits: [Int32] = []
    /// Units before each sentence's first token, indexed by `InjectionToken.sentence`.
    var sentenceStarts: [Int32] = []
    /// An e-mail header line, a code fence or HTML: instructions found here sit inside data.
    var looksLikeData = false
}

enum InjectionTokenizer {
    /// A sentence longer than this many units is cut (long unpunctuated runs: code, lists).
    static let maxSentenceUnits: Int32 = 80

    /// FNV-1a over scalar values.
    @inline(__always) static func mix(_ hash: UInt64, _ scalar: UInt32) -> UInt64 {
        (hash ^ UInt64(scalar)) &* 0x100_0000_01b3
    }

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    static func hash(_ string: String) -> UInt64 {
        var h = seed
        for s in string.unicodeScalars { h = mix(h, s.value) }
        return h
    }

    static let turnSystem = hash("@turn_system")
    static let turnAssistant = hash("@turn_assistant")
    static let turnUser = hash("@turn_user")
    /// ':' and '：' are tokens of their own (no units), so "复述：" / "say:" can be phrases.
    static let colon = hash("@colon")
    /// A quotation longer than this many units is taken for an unbalanced mark and closed.
    static let maxQuoteUnits: Int32 = 60

    @inline(__always) static func isHan(_ c: UInt32) -> Bool {
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF)
            || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x20000 && c <= 0x2FFFF)
    }

    /// Pictographs that carry meaning in jailbreaks (🔓, 🔒) are tokens of their own.
    @inline(__always) static func isSymbolToken(_ c: UInt32) -> Bool {
        (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF)
    }

    /// ASCII letters and digits, '_', and Latin letters with diacritics.
    @inline(__always) static func isWordScalar(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
        }
        return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F)
    }

    /// The suffix stemmer shared by text and lexicon: ies→y, -ing, -ed, -es after s/x/z/h, -s
    /// (not -ss/-us/-is), then a final -e. Works on lower-case ASCII in `word[0..<n]`.
    @inline(__always) static func stem(_ word: UnsafeMutablePointer<UInt32>, _ count: Int) -> Int {
        var n = count
        @inline(__always) func ends(_ a: UInt32, _ b: UInt32) -> Bool { n >= 2 && word[n - 2] == a && word[n - 1] == b }
        if n > 4 && word[n - 1] == 0x73 && ends(0x65, 0x73) && word[n - 3] == 0x69 {  // -ies
            n -= 2
            word[n - 1] = 0x79
        } else if n > 5 && word[n - 1] == 0x67 && ends(0x6E, 0x67) && word[n - 3] == 0x69 {  // -ing
            n -= 3
        } else if n > 4 && ends(0x65, 0x64) {  // -ed
            n -= 2
        } else if n > 4 && ends(0x65, 0x73) && [0x73, 0x78, 0x7A, 0x68].contains(word[n - 3]) {  // -es
            n -= 2
        } else if n > 3 && word[n - 1] == 0x73 && !ends(0x73, 0x73) && !ends(0x75, 0x73) && !ends(0x69, 0x73) {  // -s
            n -= 1
        }
        if n > 3 && word[n - 1] == 0x65 { n -= 1 }
        return n
    }

    /// Role words that make a fake chat turn at the start of a line when a ':' or a closing
    /// bracket follows: the turn's pseudo token (`@turn_system` …).
    fileprivate static let roleWords: [(word: [UInt32], hash: UInt64)] = {
        let table: [(String, UInt64)] = [
            ("system", turnSystem), ("sys", turnSystem), ("developer", turnSystem), ("admin", turnSystem),
            ("administrator", turnSystem), ("root", turnSystem), ("系统", turnSystem), ("管理员", turnSystem),
            ("开发者", turnSystem), ("系统消息", turnSystem), ("系统提示", turnSystem),
            ("assistant", turnAssistant), ("ai", turnAssistant), ("chatgpt", turnAssistant), ("gpt", turnAssistant),
            ("bot", turnAssistant), ("model", turnAssistant), ("dan", turnAssistant), ("claude", turnAssistant),
            ("gemini", turnAssistant), ("llama", turnAssistant), ("助手", turnAssistant), ("机器人", turnAssistant),
            ("模型", turnAssistant),
            ("user", turnUser), ("human", turnUser), ("用户", turnUser), ("人类", turnUser),
        ]
        return table.map { (Array($0.0.unicodeScalars.map(\.value)), $0.1) }
    }()

    fileprivate static let dear = Array("dear".unicodeScalars.map(\.value))
    fileprivate static let hi = Array("hi".unicodeScalars.map(\.value))
    fileprivate static let hello = Array("hello".unicodeScalars.map(\.value))

    /// A greeting to a model ("Hi ChatGPT") is no letter.
    fileprivate static func startsWithAIName(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var word: [UInt8] = []
        var i = start
        while i < bytes.count, word.count < 12 {
            let l = bytes[i] | 0x20
            guard l >= 0x61 && l <= 0x7A else { break }
            word.append(l)
            i += 1
        }
        return aiNames.contains(word)
    }

    private static let aiNames: Set<[UInt8]> = Set(["chatgpt", "gpt", "ai", "dan", "claude", "assistant", "bard", "gemini", "bot", "llama", "there", "all", "everyone", "team", "guys"].map { Array($0.utf8) })

    /// E-mail header names that mark a text as an e-mail when they open a line followed by ':'.
    /// Keywords that open a line of code.
    fileprivate static let codeWords: [[UInt32]] = ["def", "class", "import", "function", "const", "package", "include", "func", "fn", "struct"]
        .map { Array($0.unicodeScalars.map(\.value)) }

    fileprivate static let headerWords: [[UInt32]] = ["subject", "from", "to", "cc", "bcc", "date", "sent", "email_from", "received"]
        .map { Array($0.unicodeScalars.map(\.value)) }

    /// Tokenizes `text`. Lexicon phrases go through the same function, so both sides agree.
    static func tokenize(_ text: String) -> InjectionTokens {
        var copy = text
        if let result = copy.utf8.withContiguousStorageIfAvailable({ tokenize(bytes: $0) }) { return result }
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { tokenize(bytes: $0) } ?? InjectionTokens()
    }

    private static func tokenize(bytes: UnsafeBufferPointer<UInt8>) -> InjectionTokens {
        let word = UnsafeMutablePointer<UInt32>.allocate(capacity: State.wordCapacity)
        defer { word.deallocate() }
        var state = State(bytes: bytes, word: word)
        state.run()
        return state.out
    }

    /// Decodes the scalar at byte `i`: (value, byte length). Input is valid UTF-8 (a Swift String).
    @inline(__always) static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | (UInt32(bytes[i + 1]) & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | (UInt32(bytes[i + 1]) & 0x3F) << 6 | (UInt32(bytes[i + 2]) & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | (UInt32(bytes[i + 1]) & 0x3F) << 12 | (UInt32(bytes[i + 2]) & 0x3F) << 6
            | (UInt32(bytes[i + 3]) & 0x3F), 4)
    }

    /// The tokenizer's state over one text (a struct with mutating methods: no captured variables,
    /// no dynamic exclusivity checks in the loop).
    private struct State {
        static let wordCapacity = 40

        let bytes: UnsafeBufferPointer<UInt8>
        let n: Int
        /// `InjectionTokenizer.asciiClass`, read once per text (a static in the loop costs a
        /// lazy-initialisation check per scalar).
        let classes: [UInt8]
        var out = InjectionTokens()
        var sentence: Int32 = 0
        var sentenceUnits: Int32 = 0
        var units: Int32 = 0
        var quoteDepth = 0
        var quoteStart: Int32 = 0
        // The current word: lower-cased scalars, its start, whether every letter is a capital.
        let word: UnsafeMutablePointer<UInt32>
        var wordLength = 0
        var wordStart: Int32 = -1
        var wordLetters = 0
        var wordCapitals = 0
        var wordQuoted = false

        init(bytes: UnsafeBufferPointer<UInt8>, word: UnsafeMutablePointer<UInt32>) {
            self.bytes = bytes
            self.n = bytes.count
            self.word = word
            self.classes = asciiClass
            out.tokens.reserveCapacity(bytes.count / 5 + 4)
        }

        @inline(__always) mutating func endSentence() {
            if sentenceUnits > 0 {
                out.sentenceUnits.append(sentenceUnits)
                sentence += 1
                sentenceUnits = 0
            }
        }

        @inline(__always) mutating func emit(_ hash: UInt64, start: Int32, end: Int32, cost: Int32, quoted: Bool, capitals: Bool = false) {
            if sentenceUnits + cost > maxSentenceUnits { endSentence() }
            if quoteDepth > 0 && units - quoteStart > maxQuoteUnits { quoteDepth = 0 }
            var flags: UInt8 = quoted && quoteDepth > 0 ? InjectionToken.quoted : 0
            if capitals { flags |= InjectionToken.capitals }
            if out.sentenceStarts.count == Int(sentence) { out.sentenceStarts.append(units) }
            out.tokens.append(InjectionToken(hash: hash, start: start, end: end, sentence: sentence, units: units, flags: flags))
            units += cost
            sentenceUnits += cost
        }

        @inline(__always) mutating func flushWord(end: Int32) {
            guard wordStart >= 0 else { return }
            let length = stem(word, min(wordLength, Self.wordCapacity))
            var h = seed
            for k in 0..<length { h = mix(h, word[k]) }
            emit(h, start: wordStart, end: end, cost: 2, quoted: wordQuoted, capitals: wordLetters >= 2 && wordCapitals == wordLetters)
            wordStart = -1
            wordLength = 0
            wordLetters = 0
            wordCapitals = 0
        }

        /// At the start of a line: a fake chat turn, an e-mail header or a letter's greeting.
        mutating func lineStart(at start: Int, scalar position: Int32) {
            var i = start
            var bracket = false
            while i < n {
                let b = bytes[i]
                if b == 0x20 || b == 0x09 || b == 0x23 || b == 0x2A || b == 0x7C || b == 0x28 || b == 0x2D || b == 0x3E
                    || b == 0x3D || b == 0x7B || b == 0x22
                {
                    i += 1
                } else if b == 0x5B || b == 0x3C {
                    bracket = true
                    i += 1
                } else {
                    break
                }
            }
            // Up to 16 scalars of a word (ASCII letters lower-cased, '_', or Han), on the stack.
            var candidate: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                            UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var j = i
            var offset = position + Int32(i - start)  // prefix bytes are ASCII: one scalar each
            let wordStartScalar = offset
            withUnsafeMutableBytes(of: &candidate) { raw in
                let scalars = raw.bindMemory(to: UInt32.self)
                while j < n && count < 16 {
                    let (c, length) = decode(bytes, j)
                    if c < 0x80 {
                        guard (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F else { break }
                        scalars[count] = c | 0x20
                    } else if isHan(c) {
                        scalars[count] = c
                    } else {
                        break
                    }
                    count += 1
                    j += length
                    offset += 1
                }
            }
            guard count > 0 else { return }
            // Compared in place: no allocation per line.
            let limit = self.n, data = self.bytes
            let (code, letter, header, role): (Bool, Bool, Bool, UInt64?) = withUnsafeBytes(of: &candidate) { raw in
                let read = UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt32.self)[0..<count])
                func equal(_ word: [UInt32]) -> Bool { word.count == read.count && word.elementsEqual(read) }
                let followed = j + 1 < limit && data[j] == 0x20
                let code = followed && isWordScalar(UInt32(data[j + 1])) && codeWords.contains(where: equal)
                // "Dear Anna," / "Hi David," opening a line: a letter (not "Hi ChatGPT").
                let letter = equal(dear) || ((equal(hi) || equal(hello)) && followed && data[j + 1] >= 0x41 && data[j + 1] <= 0x5A
                    && !startsWithAIName(data, from: j + 1))
                return (code, letter, headerWords.contains(where: equal), roleWords.first { equal($0.word) }?.hash)
            }
            // A line of code ("def f(", "import os", "class A", "#include"): the text is source code.
            if code || letter { out.looksLikeData = true }
            guard header || role != nil else { return }
            var closed = false
            var colon = false
            while j < n {
                let b = bytes[j]
                if b == 0x5D || b == 0x3E {
                    closed = true
                    j += 1
                } else if b == 0x20 || b == 0x7C || b == 0x2A || b == 0x29 || b == 0x7D || b == 0x22 {
                    j += 1
                } else if b == 0x3A {
                    colon = true
                    break
                } else if b == 0xEF && j + 2 < n && bytes[j + 1] == 0xBC && bytes[j + 2] == 0x9A {  // '：'
                    colon = true
                    break
                } else {
                    break
                }
            }
            guard colon || (bracket && closed) else { return }
            if colon && header {
                out.looksLikeData = true
                return
            }
            if let role {
                emit(role, start: wordStartScalar, end: offset, cost: 0, quoted: quoteDepth > 0)
            }
        }

        /// A role word right after '[' or '<' (and an optional '|'), closed by `close` (after an
        /// optional '|'): "[system]", "<assistant>", "<|system|>". Line starts are handled by
        /// `lineStart`; this finds the tags in the middle of a line.
        mutating func roleTag(at start: Int, scalar: Int32, close: UInt8) {
            var i = start
            if i < n && bytes[i] == 0x7C { i += 1 }
            let wordStart = i
            var word: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &word) { raw in
                while i < n && count < 10 {
                    let l = bytes[i] | 0x20
                    guard l >= 0x61 && l <= 0x7A else { break }
                    raw[count] = l
                    count += 1
                    i += 1
                }
            }
            guard count >= 2, count < 10 else { return }
            if i < n && bytes[i] == 0x7C { i += 1 }
            guard i < n && bytes[i] == close else { return }
            let read = withUnsafeBytes(of: &word) { Array($0.prefix(count)).map(UInt32.init) }
            guard let role = roleWords.first(where: { $0.word == read }) else { return }
            let offset = scalar + Int32(wordStart - start)
            emit(role.hash, start: offset, end: offset + Int32(count), cost: 0, quoted: quoteDepth > 0)
        }

        mutating func run() {
            var i = 0
            var scalarIndex: Int32 = 0
            var previous: UInt32 = 0x0A
            var atLineStart = true
            while i < n {
                if atLineStart {
                    atLineStart = false
                    // Only when the line may hold a turn, a header or a greeting: skip blank lines cheaply.
                    lineStart(at: i, scalar: scalarIndex)
                }
                let byte = bytes[i]
                if byte < 0x80 {
                    let c = UInt32(byte)
                    let k = classes[Int(byte)]
                    if k & 1 != 0 {
                        // A run of ASCII letters, digits and '_', consumed in one tight loop.
                        if wordStart < 0 {
                            wordStart = scalarIndex
                            wordQuoted = quoteDepth > 0
                        }
                        var p = i
                        var kind = k
                        var b = byte
                        while true {
                            var lower = UInt32(b)
                            if kind & 2 != 0 {
                                wordLetters += 1
                                if b <= 0x5A {
                                    lower |= 0x20
                                    wordCapitals += 1
                                }
                            }
                            if wordLength < Self.wordCapacity { word[wordLength] = lower }
                            wordLength += 1
                            p += 1
                            guard p < n else { break }
                            b = bytes[p]
                            guard b < 0x80 else { break }
                            kind = classes[Int(b)]
                            guard kind & 1 != 0 else { break }
                        }
                        scalarIndex += Int32(p - i)
                        previous = UInt32(bytes[p - 1])
                        i = p
                        continue
                    }
                    if k & 4 == 0 {
                        // Space or an ASCII mark with no meaning here.
                        flushWord(end: scalarIndex)
                        previous = c
                        i += 1
                        scalarIndex += 1
                        continue
                    }
                }
                let (c, length) = decode(bytes, i)
                if isWordScalar(c) {
                    if wordStart < 0 {
                        wordStart = scalarIndex
                        wordQuoted = quoteDepth > 0
                    }
                    var lower = c
                    if c >= 0xC0 && c <= 0xDE {
                        lower = c + 0x20
                        wordCapitals += 1
                    }
                    wordLetters += 1
                    if wordLength < Self.wordCapacity { word[wordLength] = lower }
                    wordLength += 1
                } else if (c == 0x27 || c == 0x2019) && wordStart >= 0 && i + length < n && isWordScalar(decode(bytes, i + length).0)
                    && decode(bytes, i + length).0 >= 0x41
                {
                    // An apostrophe inside a word ("don't", "you're"): kept as one straight apostrophe,
                    // so "you're" does not stem to "your".
                    if wordLength < Self.wordCapacity { word[wordLength] = 0x27 }
                    wordLength += 1
                } else {
                    flushWord(end: scalarIndex)
                    if isHan(c) || isSymbolToken(c) {
                        emit(mix(seed, c), start: scalarIndex, end: scalarIndex + 1, cost: 1, quoted: quoteDepth > 0)
                    } else {
                        let next: UInt32 = i + length < n ? decode(bytes, i + length).0 : 0x20
                        punctuation(c, next: next, previous: previous, at: i, scalar: scalarIndex, lineStart: &atLineStart, atEnd: i + length >= n)
                    }
                }
                previous = c
                i += length
                scalarIndex += 1
            }
            flushWord(end: scalarIndex)
            endSentence()
        }

        @inline(__always) mutating func punctuation(
            _ c: UInt32, next: UInt32, previous: UInt32, at i: Int, scalar: Int32, lineStart: inout Bool, atEnd: Bool
        ) {
            switch c {
            case 0x0A:
                endSentence()
                quoteDepth = 0
                lineStart = true
            case 0x21, 0x3F, 0x3002, 0xFF01, 0xFF1F, 0x2026:  // ! ? 。！？…
                endSentence()
            case 0x2E:  // '.' ends a sentence before a space or the end
                if next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09 || atEnd || next == 0x22
                    || next == 0x27 || next == 0x201D || next == 0x2019 || next >= 0x3000
                {
                    endSentence()
                }
            case 0x22:  // '"' toggles
                if quoteDepth > 0 {
                    quoteDepth -= 1
                } else {
                    quoteDepth = 1
                    quoteStart = units
                }
            case 0x201C, 0x300C, 0x300E, 0x2018, 0xAB, 0xFF02:  // “ 「 『 ‘ «
                if quoteDepth == 0 { quoteStart = units }
                quoteDepth = min(quoteDepth + 1, 4)
            case 0x201D, 0x300D, 0x300F, 0xBB:  // ” 」 』 »
                quoteDepth = max(quoteDepth - 1, 0)
            case 0x27, 0x2019:  // a straight or closing single quote outside a word
                if quoteDepth > 0 && !isWordScalar(next) {
                    quoteDepth -= 1
                } else if !isWordScalar(previous) && isWordScalar(next) {
                    if quoteDepth == 0 { quoteStart = units }
                    quoteDepth = min(quoteDepth + 1, 4)
                }
            case 0x3A, 0xFF1A:  // ':' '：'
                emit(colon, start: scalar, end: scalar + 1, cost: 0, quoted: quoteDepth > 0)
            case 0x5B:  // "[system]" anywhere: a forged turn tag
                roleTag(at: i + 1, scalar: scalar + 1, close: 0x5D)
            case 0x60:  // ``` : a code fence
                if i + 2 < n && bytes[i + 1] == 0x60 && bytes[i + 2] == 0x60 { out.looksLikeData = true }
            case 0x3C:  // '<' of an HTML tag, or "<system>" / "<|system|>"
                roleTag(at: i + 1, scalar: scalar + 1, close: 0x3E)
                if i + 2 < n {
                    let b = bytes[i + 1]
                    if b == 0x21 || b == 0x2F || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A && isTagByte(bytes[i + 2])) {
                        if looksLikeTag(bytes, from: i + 1) { out.looksLikeData = true }
                    }
                }
            default:
                break
            }
        }
    }

    /// Per ASCII byte: 1 word scalar (letter, digit, '_'), 2 letter, 4 punctuation the tokenizer
    /// acts on (sentence ends, quotes, ':', '`', '<', newline).
    private static let asciiClass: [UInt8] = (0..<128).map { c -> UInt8 in
        let c = UInt32(c)
        var k: UInt8 = 0
        if isWordScalar(c) { k |= 1 }
        if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) { k |= 2 }
        if [0x0A, 0x21, 0x3F, 0x2E, 0x22, 0x27, 0x3A, 0x60, 0x3C, 0x5B].contains(c) { k |= 4 }
        return k
    }

    @inline(__always) fileprivate static func isTagByte(_ b: UInt8) -> Bool {
        let l = b | 0x20
        return (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x3E || b == 0x20
    }

    /// `<!--`, `</x>`, or a common HTML element name after '<'.
    fileprivate static func looksLikeTag(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        if bytes[start] == 0x21 { return start + 2 < bytes.count && bytes[start + 1] == 0x2D && bytes[start + 2] == 0x2D }
        var i = start
        if bytes[i] == 0x2F { i += 1 }
        var name: [UInt8] = []
        while i < bytes.count, name.count < 8 {
            let l = bytes[i] | 0x20
            guard (l >= 0x61 && l <= 0x7A) || (bytes[i] >= 0x30 && bytes[i] <= 0x39) else { break }
            name.append(l)
            i += 1
        }
        guard i < bytes.count, bytes[i] == 0x3E || bytes[i] == 0x20 else { return false }
        return htmlNames.contains(name)
    }

    private static let htmlNames: Set<[UInt8]> = Set(
        ["html", "body", "div", "p", "span", "a", "script", "head", "title", "meta", "br", "li", "ul", "table", "td", "tr",
         "h1", "h2", "h3", "img", "style", "footer", "header", "section", "article", "form", "input", "iframe"]
            .map { Array($0.utf8) }
    )
}
