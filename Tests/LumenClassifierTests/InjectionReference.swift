// The injection screen's scan as it was before the fast path (commit d49c7e4), kept verbatim apart
// from the names: the straightforward reference `InjectionEquivalenceTests` compares the fast scan
// with, text by text. It tokenizes every token of a text (hashes, no lexicon ids), walks the phrase
// trie from every token, chains every slot match and builds every window.

@testable import LumenClassifier

// One pass over a text's UTF-8: words (lower-cased, lightly stemmed, hashed), Han characters (one
// token each), sentence numbers, whether a token is inside quotation marks, fake chat turns at the
// start of a line ("system:", "[assistant]", "助手："), and whether the text looks like data (an
// e-mail header, a code fence, HTML). No allocation per word: a word is hashed from a small buffer.

/// One token of a text. Offsets are Unicode-scalar offsets, `end` exclusive.
struct ReferenceInjectionToken: Sendable {
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
struct ReferenceInjectionTokens: Sendable {
    var tokens: [ReferenceInjectionToken] = []
    /// Units per sentence, indexed by `ReferenceInjectionToken.sentence`.
    var sentenceUnits: [Int32] = []
    /// Units before each sentence's first token, indexed by `ReferenceInjectionToken.sentence`.
    var sentenceStarts: [Int32] = []
    /// An e-mail header line, a code fence or HTML: instructions found here sit inside data.
    var looksLikeData = false
}

enum ReferenceInjectionTokenizer {
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

    private static let aiNames: Set<[UInt8]> = Set(
        ["chatgpt", "gpt", "ai", "dan", "claude", "assistant", "bard", "gemini", "bot", "llama", "there", "all", "everyone", "team", "guys"].map {
            Array($0.utf8)
        })

    /// E-mail header names that mark a text as an e-mail when they open a line followed by ':'.
    /// Keywords that open a line of code.
    fileprivate static let codeWords: [[UInt32]] = ["def", "class", "import", "function", "const", "package", "include", "func", "fn", "struct"]
        .map { Array($0.unicodeScalars.map(\.value)) }

    fileprivate static let headerWords: [[UInt32]] = ["subject", "from", "to", "cc", "bcc", "date", "sent", "email_from", "received"]
        .map { Array($0.unicodeScalars.map(\.value)) }

    /// Tokenizes `text`. Lexicon phrases go through the same function, so both sides agree.
    static func tokenize(_ text: String) -> ReferenceInjectionTokens {
        var copy = text
        if let result = copy.utf8.withContiguousStorageIfAvailable({ tokenize(bytes: $0) }) { return result }
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { tokenize(bytes: $0) } ?? ReferenceInjectionTokens()
    }

    private static func tokenize(bytes: UnsafeBufferPointer<UInt8>) -> ReferenceInjectionTokens {
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
        return (
            (b0 & 0x07) << 18 | (UInt32(bytes[i + 1]) & 0x3F) << 12 | (UInt32(bytes[i + 2]) & 0x3F) << 6
                | (UInt32(bytes[i + 3]) & 0x3F), 4
        )
    }

    /// The tokenizer's state over one text (a struct with mutating methods: no captured variables,
    /// no dynamic exclusivity checks in the loop).
    private struct State {
        static let wordCapacity = 40

        let bytes: UnsafeBufferPointer<UInt8>
        let n: Int
        /// `ReferenceInjectionTokenizer.asciiClass`, read once per text (a static in the loop costs a
        /// lazy-initialisation check per scalar).
        let classes: [UInt8]
        var out = ReferenceInjectionTokens()
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
            var flags: UInt8 = quoted && quoteDepth > 0 ? ReferenceInjectionToken.quoted : 0
            if capitals { flags |= ReferenceInjectionToken.capitals }
            if out.sentenceStarts.count == Int(sentence) { out.sentenceStarts.append(units) }
            out.tokens.append(ReferenceInjectionToken(hash: hash, start: start, end: end, sentence: sentence, units: units, flags: flags))
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
            var candidate:
                (
                    UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                    UInt32, UInt32, UInt32, UInt32
                ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
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
            let limit = self.n
            let data = self.bytes
            let (code, letter, header, role): (Bool, Bool, Bool, UInt64?) = withUnsafeBytes(of: &candidate) { raw in
                let read = UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt32.self)[0..<count])
                func equal(_ word: [UInt32]) -> Bool { word.count == read.count && word.elementsEqual(read) }
                let followed = j + 1 < limit && data[j] == 0x20
                let code = followed && isWordScalar(UInt32(data[j + 1])) && codeWords.contains(where: equal)
                // "Dear Anna," / "Hi David," opening a line: a letter (not "Hi ChatGPT").
                let letter =
                    equal(dear)
                    || ((equal(hi) || equal(hello)) && followed && data[j + 1] >= 0x41 && data[j + 1] <= 0x5A
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
        [
            "html", "body", "div", "p", "span", "a", "script", "head", "title", "meta", "br", "li", "ul", "table", "td", "tr",
            "h1", "h2", "h3", "img", "style", "footer", "header", "section", "article", "form", "input", "iframe",
        ]
        .map { Array($0.utf8) }
    )
}

/// The compiled lexicon: a trie over token hashes for the slots' phrases, and the cue chains.
struct ReferenceInjectionFeatures: Sendable {
    /// Sentences per window.
    static let windowSentences = 3
    static let kindCount = 5
    /// A window stops growing past this many units (about 100 English words).
    static let windowUnits: Int32 = 200

    /// Extra features after the cues: a quoted cue of each kind, a quoted cue with a meta frame
    /// (translate / proofread / "the phrase"), and a chained instruction cue inside data.
    static let quotedNames = InjectionKind.allCases.map { "quoted_\($0.rawValue)" }
    static let anchorNames = InjectionKind.allCases.map { "anchor_\($0.rawValue)" }
    static let extraNames = quotedNames + ["meta_quoted", "data_directive"] + anchorNames

    /// Feature names, in order: the cues, then `extraNames`.
    let names: [String]
    /// Kind per feature (nil: context).
    let kinds: [InjectionKind?]
    /// `InjectionKind.allCases` index of `kinds` per feature, -1 for context features.
    let kindIndex: [Int]
    /// Per feature: +1 the weight is kept at or above zero (evidence for an injection), -1 at or
    /// below zero (evidence against).
    let signs: [Int]
    private let anchors: [InjectionCue.Anchor]
    let cueCount: Int
    private let cueSlots: [[Int32]]
    private let cueGaps: [[Int32]]
    private let cueIsChain: [Bool]
    private let cueInitial: [Bool]
    /// Per slot: the (cue, element) pairs it can fill.
    private let slotElements: [[(cue: Int32, element: Int32)]]
    /// Trie edges in an open-addressing table: key = mix(node, token hash), value = child node.
    private let edgeKeys: [UInt64]
    private let edgeValues: [Int32]
    private let edgeMask: Int
    /// Per node: terminals[terminalStart[node]..<terminalStart[node + 1]], each slot << 1 | capitalsOnly.
    private let terminalStart: [Int32]
    private let terminals: [Int32]
    /// A bit per value of a token hash's top 16 bits: set when some phrase starts with such a token.
    private let rootFilter: [UInt64]
    private let metaCue: Int
    /// The slot whose phrases mark a text as data (sign-offs, "unsubscribe", "tool result").
    private let dataMarkerSlot: Int
    private let quotedBase: Int
    /// Index of `anchor_override`, the first of the per-kind baselines.
    private let anchorBase: Int

    /// The lexicon of this build.
    static let standard = ReferenceInjectionFeatures(slots: InjectionLexicon.slots, cues: InjectionLexicon.cues)

    /// Compiles `standard` now (it is otherwise compiled on first use).
    static func prepare() { _ = standard.count }

    /// The number of features.
    var count: Int { names.count }

    init(slots: [(name: String, phrases: [String])], cues: [InjectionCue]) {
        var slotIndex: [String: Int] = [:]
        for (i, slot) in slots.enumerated() { slotIndex[slot.name] = i }

        // Trie: node 0 is the root.
        var children: [[UInt64: Int32]] = [[:]]
        var nodeTerminals: [[Int32]] = [[]]
        for (s, slot) in slots.enumerated() {
            for phrase in slot.phrases {
                let tokens = ReferenceInjectionTokenizer.tokenize(phrase).tokens.filter { $0.units >= 0 }
                guard !tokens.isEmpty else { continue }
                let letters = phrase.unicodeScalars.filter { $0.properties.isAlphabetic && $0.value < 0x80 }
                let capitalsOnly = !letters.isEmpty && letters.allSatisfy { $0.properties.isUppercase }
                var node: Int32 = 0
                for token in tokens {
                    if let child = children[Int(node)][token.hash] {
                        node = child
                    } else {
                        let child = Int32(children.count)
                        children.append([:])
                        nodeTerminals.append([])
                        children[Int(node)][token.hash] = child
                        node = child
                    }
                }
                let terminal = Int32(s) << 1 | (capitalsOnly ? 1 : 0)
                if !nodeTerminals[Int(node)].contains(terminal) { nodeTerminals[Int(node)].append(terminal) }
            }
        }
        var filter = [UInt64](repeating: 0, count: 1 << 10)
        for hash in children[0].keys {
            let bit = Int(truncatingIfNeeded: hash >> 48)
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        rootFilter = filter
        var edges: [(UInt64, Int32)] = []
        for (node, table) in children.enumerated() {
            for (hash, child) in table.sorted(by: { $0.key < $1.key }) {
                edges.append((Self.edgeKey(Int32(node), hash), child))
            }
        }
        var capacity = 16
        while capacity < edges.count * 3 { capacity *= 2 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var values = [Int32](repeating: -1, count: capacity)
        for (key, value) in edges {
            var slot = Int(truncatingIfNeeded: key) & (capacity - 1)
            while keys[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            values[slot] = value
        }
        edgeKeys = keys
        edgeValues = values
        edgeMask = capacity - 1
        var starts: [Int32] = [0]
        var flat: [Int32] = []
        for list in nodeTerminals {
            flat.append(contentsOf: list)
            starts.append(Int32(flat.count))
        }
        terminalStart = starts
        terminals = flat

        var elements = [[(cue: Int32, element: Int32)]](repeating: [], count: slots.count)
        var chains: [[Int32]] = []
        for (c, cue) in cues.enumerated() {
            let ids = cue.slots.map { name -> Int32 in
                guard let id = slotIndex[name] else { preconditionFailure("cue \(cue.name) names unknown slot \(name)") }
                return Int32(id)
            }
            precondition(cue.gaps.count == ids.count - 1, "cue \(cue.name) needs \(ids.count - 1) gaps")
            precondition(ids.count <= 4, "cue \(cue.name) chains more than four slots")
            for (e, id) in ids.enumerated() { elements[Int(id)].append((Int32(c), Int32(e))) }
            chains.append(ids)
        }
        slotElements = elements
        cueSlots = chains
        cueGaps = cues.map { $0.gaps.map(Int32.init) }
        cueIsChain = cues.map { $0.slots.count > 1 }
        cueInitial = cues.map(\.initial)
        cueCount = cues.count
        names = cues.map(\.name) + Self.extraNames
        kinds = cues.map(\.kind) + InjectionKind.allCases.map { Optional($0) } + [nil, .indirect] + InjectionKind.allCases.map { Optional($0) }
        kindIndex = kinds.map { kind in kind.map { InjectionKind.allCases.firstIndex(of: $0)! } ?? -1 }
        // Anchor cues may fall below their kind's baseline (`anchor_<kind>`); other cues only add.
        signs =
            cues.map { $0.kind == nil ? -1 : ($0.anchor == .never ? 1 : 0) } + InjectionKind.allCases.map { _ in 1 } + [-1, 1]
            + InjectionKind.allCases.map { _ in 1 }
        anchors = cues.map(\.anchor)
        precondition(names.count <= 128, "at most 128 injection features")
        precondition(Self.kindCount == InjectionKind.allCases.count)
        precondition(Set(names).count == names.count, "duplicate injection feature names")
        metaCue = cues.firstIndex { $0.name == "meta" } ?? -1
        dataMarkerSlot = slotIndex["data_marker"] ?? -1
        quotedBase = cues.count
        anchorBase = cues.count + Self.kindCount + 2
    }

    @inline(__always) private static func edgeKey(_ node: Int32, _ hash: UInt64) -> UInt64 {
        let key = (hash ^ (UInt64(UInt32(bitPattern: node)) &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        return key == 0 ? 1 : key
    }

    @inline(__always) private func child(_ node: Int32, _ hash: UInt64) -> Int32 {
        let key = Self.edgeKey(node, hash)
        var slot = Int(truncatingIfNeeded: key) & edgeMask
        while true {
            let k = edgeKeys[slot]
            if k == key { return edgeValues[slot] }
            if k == 0 { return -1 }
            slot = (slot + 1) & edgeMask
        }
    }

    /// Tokenizes `text`, finds the cues and builds the windows.
    func scan(_ text: String) -> InjectionScan {
        var tokenized = ReferenceInjectionTokenizer.tokenize(text)
        let tokens = tokenized.tokens
        var hits: [InjectionCueHit] = []
        if tokens.isEmpty { return InjectionScan(hits: [], windows: [], looksLikeData: tokenized.looksLikeData) }

        // Per (cue, element): the latest chain prefix ending at that element (start token, end token).
        var prefixStart = [Int32](repeating: -1, count: cueCount * 4)
        var prefixEnd = [Int32](repeating: -1, count: cueCount * 4)

        var dataMarked = false
        rootFilter.withUnsafeBufferPointer { filter in
            tokens.withUnsafeBufferPointer { toks in
                for i in 0..<toks.count {
                    // Most tokens start no phrase: one bit says so before any table probe.
                    let first = toks[i].hash
                    let bit = Int(truncatingIfNeeded: first >> 48)
                    if filter[bit >> 6] & (1 << UInt64(bit & 63)) == 0 { continue }
                    var node: Int32 = 0
                    var j = i
                    let sentence = toks[i].sentence
                    while j < toks.count && toks[j].sentence == sentence {
                        node = child(node, toks[j].hash)
                        if node < 0 { break }
                        let from = Int(terminalStart[Int(node)])
                        let to = Int(terminalStart[Int(node) + 1])
                        if from < to {
                            for t in from..<to {
                                let terminal = terminals[t]
                                if Int(terminal >> 1) == dataMarkerSlot {
                                    dataMarked = true
                                    continue
                                }
                                if terminal & 1 == 1 {
                                    // Capitals only: every word of the match in capitals.
                                    var all = true
                                    for k in i...j where toks[k].flags & ReferenceInjectionToken.capitals == 0 { all = false }
                                    if !all { continue }
                                }
                                slotMatched(
                                    Int(terminal >> 1), start: Int32(i), end: Int32(j), tokens: toks,
                                    sentenceStarts: tokenized.sentenceStarts,
                                    prefixStart: &prefixStart, prefixEnd: &prefixEnd, hits: &hits)
                            }
                        }
                        j += 1
                    }
                }
            }
        }
        if dataMarked { tokenized.looksLikeData = true }
        if hits.isEmpty { return InjectionScan(hits: [], windows: [], looksLikeData: tokenized.looksLikeData) }
        // Hits in sentence order (chains finish at their last slot, so nearly sorted already).
        hits.sort { ($0.sentence, $0.start, $0.cue) < ($1.sentence, $1.start, $1.cue) }
        return InjectionScan(
            hits: hits,
            windows: windows(hits: hits, tokens: tokens, sentenceUnits: tokenized.sentenceUnits, looksLikeData: tokenized.looksLikeData),
            looksLikeData: tokenized.looksLikeData
        )
    }

    @inline(__always) private func slotMatched(
        _ slot: Int, start: Int32, end: Int32, tokens: UnsafeBufferPointer<ReferenceInjectionToken>, sentenceStarts: [Int32],
        prefixStart: inout [Int32], prefixEnd: inout [Int32], hits: inout [InjectionCueHit]
    ) {
        let first = tokens[Int(start)]
        let last = tokens[Int(end)]
        for (cue, element) in slotElements[slot] {
            let c = Int(cue)
            let e = Int(element)
            let length = cueSlots[c].count
            var chainStart = start
            if e == 0 && cueInitial[c] && first.units - sentenceStarts[Int(first.sentence)] > InjectionCue.initialUnits { continue }
            if e > 0 {
                let p = c * 4 + e - 1
                let pe = prefixEnd[p]
                guard pe >= 0, pe < start else { continue }
                guard tokens[Int(pe)].sentence == first.sentence else { continue }
                // Units strictly between the previous part's last token and this part's first.
                let gap = first.units - tokens[Int(pe) + 1].units
                guard gap <= cueGaps[c][e - 1] else { continue }
                chainStart = prefixStart[p]
            }
            if e == length - 1 {
                let opening = tokens[Int(chainStart)]
                hits.append(
                    InjectionCueHit(
                        cue: c, start: opening.start, end: last.end, sentence: first.sentence,
                        quoted: opening.flags & ReferenceInjectionToken.quoted != 0))
            } else {
                let p = c * 4 + e
                prefixStart[p] = chainStart
                prefixEnd[p] = end
            }
        }
    }

    private func windows(hits: [InjectionCueHit], tokens: [ReferenceInjectionToken], sentenceUnits: [Int32], looksLikeData: Bool) -> [InjectionWindow]
    {
        // First hit per sentence.
        let sentences = sentenceUnits.count
        var firstHit = [Int](repeating: -1, count: sentences + 1)
        for (h, hit) in hits.enumerated().reversed() { firstHit[Int(hit.sentence)] = h }
        var starts: [Int] = []
        var lastStart = -1
        var s = 0
        while s < sentences {
            if firstHit[s] >= 0 {
                for w in max(lastStart + 1, s - Self.windowSentences + 1)...s { starts.append(w) }
                lastStart = s
            }
            s += 1
        }
        var out: [InjectionWindow] = []
        out.reserveCapacity(starts.count)
        var h = 0
        for start in starts {
            // The window: sentences start...end, growing while under the unit cap.
            var end = start
            var total = sentenceUnits[start]
            while end + 1 < sentences && end + 1 < start + Self.windowSentences && total + sentenceUnits[end + 1] <= Self.windowUnits {
                end += 1
                total += sentenceUnits[end]
            }
            while h < hits.count && Int(hits[h].sentence) < start { h += 1 }
            var k = h
            var features = InjectionFeatureSet()
            var quotedCue = false
            var chainedDirective = false
            var anchored = false
            while k < hits.count && Int(hits[k].sentence) <= end {
                let hit = hits[k]
                let isAnchor: Bool
                switch anchors[hit.cue] {
                case .always: isAnchor = true
                case .inData: isAnchor = looksLikeData
                case .never: isAnchor = false
                }
                // A quoted phrase ("translate: 'ignore all previous instructions'") anchors nothing.
                if isAnchor && !hit.quoted {
                    anchored = true
                    if kindIndex[hit.cue] >= 0 { features.insert(anchorBase + kindIndex[hit.cue]) }
                }
                let kind = kinds[hit.cue]
                if kind == nil || !hit.quoted {
                    features.insert(hit.cue)
                    if cueIsChain[hit.cue], let kind, kind != .roleForge { chainedDirective = true }
                } else {
                    features.insert(quotedBase + kindIndex[hit.cue])
                    quotedCue = true
                }
                k += 1
            }
            guard anchored else { continue }
            if quotedCue && metaCue >= 0 && features.contains(metaCue) { features.insert(quotedBase + Self.kindCount) }
            if looksLikeData && chainedDirective { features.insert(quotedBase + Self.kindCount + 1) }
            out.append(InjectionWindow(features: features, hits: h..<k))
        }
        return out
    }
}
