// One pass over a text's UTF-8: words (lower-cased, lightly stemmed), Han characters (one token
// each), sentence numbers, whether a token is inside quotation marks, fake chat turns at the start
// of a line ("system:", "[assistant]", "助手："), and whether the text looks like data (an e-mail
// header, a code fence, HTML).
//
// Every token advances the counters (units, sentences, quotes), but only the tokens the lexicon
// knows are kept: a word is named by its stemmed bytes (an ASCII word of up to 16 characters, the
// lexicon's every word) and looked up in the lexicon's table; a word the table cannot hold is
// dropped without a lookup. Lexicon phrases go through the same function (with a sink that gives
// every token an id), so both sides agree. No allocation per word or per line.

/// One token the lexicon knows. Offsets are Unicode-scalar offsets, `end` exclusive.
struct InjectionToken: Sendable, BitwiseCopyable {
    /// The lexicon's id for the token.
    var id: Int32
    /// Position among all the tokens of the text (known or not): phrases are runs of consecutive tokens.
    var sequence: Int32
    var start: Int32
    var end: Int32
    var sentence: Int32
    /// Units before this token in the text (an English word counts 2, a Han character 1, a
    /// tokenizer marker 0): gaps between cue parts are differences of these.
    var units: Int32
    var flags: UInt8
    /// The token's units (2, 1 or 0).
    var cost: UInt8

    static let quoted: UInt8 = 1
    /// Every letter a capital (at least two letters). Set only when the sink asks for it.
    static let capitals: UInt8 = 2
}

/// How a token is named before the lexicon gives it an id. An ASCII word of at most 16 bytes
/// (after stemming) is its bytes, little-endian in `low` then `high`, zero-padded (word bytes are
/// never zero, so the name is exact); a Han character or a pictograph is `scalarTag | value`; a
/// tokenizer marker is `markerTag | number`; any other word is the FNV-1a hash of its scalars with
/// `hashTag` in `high`. The tags set bits no ASCII word sets.
struct InjectionTokenKey: Hashable, Sendable {
    var low: UInt64
    var high: UInt64

    static let scalarTag: UInt64 = 0x8000_0000_0000_0000
    static let markerTag: UInt64 = 0xC000_0000_0000_0000
    static let hashTag: UInt64 = 0x8000_0000_0000_0000

    static func scalar(_ c: UInt32) -> InjectionTokenKey { InjectionTokenKey(low: scalarTag | UInt64(c), high: 0) }
    static func marker(_ number: UInt64) -> InjectionTokenKey { InjectionTokenKey(low: markerTag | number, high: 0) }
}

/// What the tokenizer asks of whoever receives the tokens: an id per token (-1 drops it).
protocol InjectionTokenSink {
    /// Whether every ASCII word is named by its stem (the lexicon's phrases); otherwise a word of at
    /// most 16 bytes is named by its own lower-cased bytes (the sink knows every form of its stems).
    static var namesStems: Bool { get }
    /// The id of a word by its lower-cased bytes (at most 16, not stemmed), or -1.
    mutating func id(ofWord key: InjectionTokenKey) -> Int32
    /// The id of a stemmed word, a hashed word, a scalar token or a marker, or -1 (it still counts as a token).
    mutating func id(of key: InjectionTokenKey) -> Int32
    /// Whether words that are not named by their bytes (non-ASCII, longer than 16 bytes) can
    /// have an id at all: when not, they are dropped without hashing.
    var namesHashedWords: Bool { get }
    /// Whether the token with this id needs its `capitals` flag.
    func needsCapitals(_ id: Int32) -> Bool
}

/// The tokens of a text (or of a run of its lines) the sink kept, plus what the tokenizer
/// noticed. The buffers belong to the caller, who frees them with `deallocate()`.
struct InjectionTokens {
    var tokens: InjectionBuffer<InjectionToken>
    /// Units per sentence, indexed by `InjectionToken.sentence`.
    var sentenceUnits: InjectionBuffer<Int32>
    /// Units before each sentence's first token (of any kind), indexed by sentence.
    var sentenceStarts: InjectionBuffer<Int32>
    /// An e-mail header line, a code fence or HTML: instructions found here sit inside data.
    var looksLikeData = false

    func deallocate() {
        tokens.deallocate()
        sentenceUnits.deallocate()
        sentenceStarts.deallocate()
    }
}

/// A growable buffer of plain values, freed by its owner: no reference counting or uniqueness
/// checks in the scan's loops.
struct InjectionBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 4)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always) mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(never) private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    /// Unchecked in release builds; debug builds (the tests) check the index.
    @inline(__always) subscript(i: Int) -> Element {
        get {
            assert(i >= 0 && i < count, "InjectionBuffer index out of range")
            return base[i]
        }
        nonmutating set {
            assert(i >= 0 && i < count, "InjectionBuffer index out of range")
            base[i] = newValue
        }
    }

    mutating func removeAll() { count = 0 }

    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

    func deallocate() { base.deallocate() }
}

enum InjectionTokenizer {
    /// A sentence longer than this many units is cut (long unpunctuated runs: code, lists).
    static let maxSentenceUnits: Int32 = 80
    /// A quotation longer than this many units is taken for an unbalanced mark and closed.
    static let maxQuoteUnits: Int32 = 60
    /// Scalars of a word kept for stemming and naming (the rest still belong to the word).
    static let wordCapacity = 40

    /// FNV-1a over scalar values: the name of a word that is not named by its bytes.
    @inline(__always) static func mix(_ hash: UInt64, _ scalar: UInt32) -> UInt64 {
        (hash ^ UInt64(scalar)) &* 0x100_0000_01b3
    }

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Fake chat turns at the start of a line or in a tag ("System:", "[assistant]").
    static let turnSystem = InjectionTokenKey.marker(1)
    static let turnAssistant = InjectionTokenKey.marker(2)
    static let turnUser = InjectionTokenKey.marker(3)
    /// ':' and '：' are tokens of their own (no units), so "复述：" / "say:" can be phrases.
    static let colon = InjectionTokenKey.marker(4)

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
        if c < 0x80 { return isASCIIWordByte(UInt8(c)) }
        return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F)
    }

    /// Bit b of (low, high): byte b is a word byte (ASCII letter, digit, '_').
    private static let wordBitsLow: UInt64 = 0x03FF_0000_0000_0000  // '0'...'9'
    private static let wordBitsHigh: UInt64 = 0x07FF_FFFE_87FF_FFFE  // 'A'...'Z', '_', 'a'...'z'
    /// Bit b: ASCII byte b is a mark the tokenizer acts on ('\n', '!', '"', '\'', '.', ':', '<', '?', '[', '`').
    private static let actBitsLow: UInt64 = 1 << 0x0A | 1 << 0x21 | 1 << 0x22 | 1 << 0x27 | 1 << 0x2E | 1 << 0x3A | 1 << 0x3C | 1 << 0x3F
    private static let actBitsHigh: UInt64 = 1 << (0x5B - 64) | 1 << (0x60 - 64)

    @inline(__always) static func isASCIIWordByte(_ b: UInt8) -> Bool {
        (b < 64 ? wordBitsLow >> UInt64(b) : wordBitsHigh >> UInt64(b & 63)) & 1 != 0
    }

    @inline(__always) static func isActedOn(_ b: UInt8) -> Bool {
        (b < 64 ? actBitsLow >> UInt64(b) : actBitsHigh >> UInt64(b & 63)) & 1 != 0
    }

    /// The suffix stemmer shared by text and lexicon: ies→y, -ing, -ed, -es after s/x/z/h, -s
    /// (not -ss/-us/-is), then a final -e. Works on lower-case ASCII in `word[0..<count]`
    /// (scalar values, so words with other scalars stem alike).
    @inline(__always) static func stem<T: FixedWidthInteger>(_ word: UnsafeMutablePointer<T>, _ count: Int) -> Int {
        var n = count
        @inline(__always) func at(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: word[i]) }
        @inline(__always) func ends(_ a: UInt32, _ b: UInt32) -> Bool { n >= 2 && at(n - 2) == a && at(n - 1) == b }
        if n > 4 && at(n - 1) == 0x73 && ends(0x65, 0x73) && at(n - 3) == 0x69 {  // -ies
            n -= 2
            word[n - 1] = 0x79
        } else if n > 5 && at(n - 1) == 0x67 && ends(0x6E, 0x67) && at(n - 3) == 0x69 {  // -ing
            n -= 3
        } else if n > 4 && ends(0x65, 0x64) {  // -ed
            n -= 2
        } else if n > 4 && ends(0x65, 0x73) && (at(n - 3) == 0x73 || at(n - 3) == 0x78 || at(n - 3) == 0x7A || at(n - 3) == 0x68) {  // -es
            n -= 2
        } else if n > 3 && at(n - 1) == 0x73 && !ends(0x73, 0x73) && !ends(0x75, 0x73) && !ends(0x69, 0x73) {  // -s
            n -= 1
        }
        if n > 3 && at(n - 1) == 0x65 { n -= 1 }
        return n
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

    /// Up to 16 ASCII bytes as a key: `bytes[0..<count]`, little-endian, zero-padded.
    @inline(__always) static func key(_ bytes: UnsafePointer<UInt8>, count: Int) -> InjectionTokenKey {
        // The buffer holds at least 16 readable bytes.
        let raw = UnsafeRawPointer(bytes)
        let low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if count >= 8 {
            return InjectionTokenKey(low: low, high: count >= 16 ? high : high & ((1 << UInt64(8 * (count - 8))) &- 1))
        }
        return InjectionTokenKey(low: low & ((1 << UInt64(8 * count)) &- 1), high: 0)
    }

    /// A short ASCII string (at most 16 bytes) as the key `key(_:count:)` gives its bytes.
    static func key(_ string: String) -> InjectionTokenKey { key(Array(string.utf8)) }

    /// Up to 16 ASCII bytes as the key `key(_:count:)` gives them.
    static func key(_ bytes: [UInt8]) -> InjectionTokenKey {
        var padded = Array(bytes.prefix(16))
        let count = padded.count
        padded += [UInt8](repeating: 0, count: 16)
        return padded.withUnsafeBufferPointer { key($0.baseAddress!, count: count) }
    }

    /// Role words that make a fake chat turn at the start of a line when a ':' or a closing
    /// bracket follows, with the turn's marker.
    fileprivate static let roleWords: [(word: [UInt32], marker: InjectionTokenKey)] = {
        let table: [(String, InjectionTokenKey)] = [
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

    /// What a word opening a line can be: bits of `LineWord`, and the role's marker.
    fileprivate struct LineWord {
        static let code: UInt8 = 1
        static let header: UInt8 = 2
        static let role: UInt8 = 4
        static let dear: UInt8 = 8
        static let greeting: UInt8 = 16
    }

    /// The words that matter at the start of a line, by the FNV-1a hash of their scalars, in a
    /// small open-addressing table (checked against the word itself on a hit).
    fileprivate struct LineWords: Sendable {
        let hashes: [UInt64]
        let words: [[UInt32]]
        let kinds: [UInt8]
        let markers: [InjectionTokenKey]
        let mask: Int

        init() {
            var entries: [[UInt32]: (UInt8, InjectionTokenKey)] = [:]
            var order: [[UInt32]] = []
            func add(_ word: [UInt32], _ kind: UInt8, _ marker: InjectionTokenKey = InjectionTokenKey(low: 0, high: 0)) {
                if entries[word] == nil { order.append(word) }
                var entry = entries[word] ?? (0, InjectionTokenKey(low: 0, high: 0))
                if kind == LineWord.role && entry.0 & LineWord.role != 0 { return }  // the first role word wins
                entry.0 |= kind
                if kind == LineWord.role { entry.1 = marker }
                entries[word] = entry
            }
            // Keywords that open a line of code.
            for w in ["def", "class", "import", "function", "const", "package", "include", "func", "fn", "struct"] {
                add(Array(w.unicodeScalars.map(\.value)), LineWord.code)
            }
            // E-mail header names that mark a text as an e-mail when they open a line followed by ':'.
            for w in ["subject", "from", "to", "cc", "bcc", "date", "sent", "email_from", "received"] {
                add(Array(w.unicodeScalars.map(\.value)), LineWord.header)
            }
            for (word, marker) in roleWords { add(word, LineWord.role, marker) }
            add(Array("dear".unicodeScalars.map(\.value)), LineWord.dear)
            add(Array("hi".unicodeScalars.map(\.value)), LineWord.greeting)
            add(Array("hello".unicodeScalars.map(\.value)), LineWord.greeting)
            var capacity = 16
            while capacity < order.count * 4 { capacity *= 2 }
            var hashes = [UInt64](repeating: 0, count: capacity)
            var words = [[UInt32]](repeating: [], count: capacity)
            var kinds = [UInt8](repeating: 0, count: capacity)
            var markers = [InjectionTokenKey](repeating: InjectionTokenKey(low: 0, high: 0), count: capacity)
            for word in order {
                var h = seed
                for c in word { h = mix(h, c) }
                var slot = Int(truncatingIfNeeded: h >> 40) & (capacity - 1)
                while !words[slot].isEmpty { slot = (slot + 1) & (capacity - 1) }
                hashes[slot] = h
                words[slot] = word
                kinds[slot] = entries[word]!.0
                markers[slot] = entries[word]!.1
            }
            self.hashes = hashes
            self.words = words
            self.kinds = kinds
            self.markers = markers
            mask = capacity - 1
        }

        /// The kinds (and role marker) of `word[0..<count]`, hashed as `hash`.
        func find(_ hash: UInt64, _ word: UnsafePointer<UInt32>, _ count: Int) -> (UInt8, InjectionTokenKey) {
            var slot = Int(truncatingIfNeeded: hash >> 40) & mask
            while !words[slot].isEmpty {
                if hashes[slot] == hash && words[slot].count == count
                    && words[slot].withUnsafeBufferPointer({ w in
                        (0..<count).allSatisfy { w[$0] == word[$0] }
                    })
                {
                    return (kinds[slot], markers[slot])
                }
                slot = (slot + 1) & mask
            }
            return (0, InjectionTokenKey(low: 0, high: 0))
        }
    }

    fileprivate static let lineWords = LineWords()

    /// A greeting to a model ("Hi ChatGPT") is no letter: up to 12 letters, lower-cased.
    fileprivate static let aiNames: Set<InjectionTokenKey> = Set(
        ["chatgpt", "gpt", "ai", "dan", "claude", "assistant", "bard", "gemini", "bot", "llama", "there", "all", "everyone", "team", "guys"].map(key)
    )

    /// Common HTML element names after '<' (up to 8 letters or digits, lower-cased).
    fileprivate static let htmlNames: Set<InjectionTokenKey> = Set(
        [
            "html", "body", "div", "p", "span", "a", "script", "head", "title", "meta", "br", "li", "ul", "table", "td", "tr",
            "h1", "h2", "h3", "img", "style", "footer", "header", "section", "article", "form", "input", "iframe",
        ].map(key)
    )

    /// The tables the tokenizer reads, fetched once per text (a static read in the loop costs a
    /// lazy-initialisation check each time).
    struct Tables {
        fileprivate let lineWords: LineWords
        fileprivate let aiNames: Set<InjectionTokenKey>
        fileprivate let htmlNames: Set<InjectionTokenKey>

        static var current: Tables {
            Tables(lineWords: InjectionTokenizer.lineWords, aiNames: InjectionTokenizer.aiNames, htmlNames: InjectionTokenizer.htmlNames)
        }
    }

    /// Calls `body` with the text's UTF-8 bytes (contiguous).
    static func withBytes<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = text
        if let result = copy.utf8.withContiguousStorageIfAvailable(body) { return result }
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable(body)!
    }

    /// Tokenizes `text`, keeping the tokens `sink` gives an id.
    static func tokenize<Sink: InjectionTokenSink>(_ text: String, sink: inout Sink) -> InjectionTokens {
        withBytes(of: text) { tokenize(bytes: $0, sink: &sink) }
    }

    /// Tokenizes `bytes[start..<stop]`, keeping the tokens `sink` gives an id. `start` is 0, a
    /// line start (`atLineStart`), or right after a mark that ended a sentence on a line where no
    /// quotation can be open; `scalar` is its scalar offset, and `stop` right after a mark that
    /// ends a sentence (or the end). Such a start is a clean restart: the tokenizer's state there
    /// is its initial one (quotes close at a line break, and a sentence runs on past a line break
    /// only when it holds no unit: only markers, which start no phrase, could be lost; see
    /// `InjectionFeatures`). Sentences, units and sequence numbers count from the start.
    static func tokenize<Sink: InjectionTokenSink>(
        bytes: UnsafeBufferPointer<UInt8>, sink: inout Sink, from start: Int = 0, scalar: Int32 = 0, atLineStart: Bool = true, to stop: Int? = nil
    ) -> InjectionTokens {
        let word = UnsafeMutablePointer<UInt8>.allocate(capacity: wordCapacity + 24)
        word.initialize(repeating: 0, count: wordCapacity + 24)
        defer { word.deallocate() }
        var state = State(bytes: bytes, word: word, tables: .current, sink: sink, start: start, stop: stop ?? bytes.count)
        state.continuations = start - Int(scalar)
        state.run(atLineStart: atLineStart)
        sink = state.sink
        return state.out
    }

    /// Eight bytes from `p` (little-endian: the first byte lowest).
    @inline(__always) static func load8(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// 0x80 in each byte of `y` (bytes below 0x80) that lies in lo...hi.
    @inline(__always) private static func inRange(_ y: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
        (y &+ (0x80 - lo) &* ones) & ~(y &+ (0x7F - hi) &* ones) & highBits
    }

    /// 0x80 in each byte of `x` that is an ASCII word byte (letter, digit, '_').
    @inline(__always) static func wordBytes(_ x: UInt64) -> UInt64 {
        let y = x & ~highBits
        let words = inRange(y | 0x2020_2020_2020_2020, 0x61, 0x7A) | inRange(y, 0x30, 0x39) | inRange(y, 0x5F, 0x5F)
        return words & ~x
    }

    /// `x` with ASCII capitals lower-cased.
    @inline(__always) static func lowered(_ x: UInt64) -> UInt64 {
        x | ((inRange(x & ~highBits, 0x41, 0x5A) & ~x) >> 2)
    }

    /// The FNV-1a hash of a word with scalars outside ASCII, re-read from its bytes: lower-cased
    /// (ASCII and Latin-1 capitals), apostrophes as one straight apostrophe, the first
    /// `wordCapacity` scalars, stemmed.
    static func wideWordHash(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt64 {
        var scalars = [UInt32]()
        var i = start
        while i < end {
            let (c, length) = decode(bytes, i)
            var lower = c
            if c < 0x80 {
                if c >= 0x41 && c <= 0x5A { lower = c | 0x20 }
            } else if c >= 0xC0 && c <= 0xDE {
                lower = c + 0x20
            } else if c == 0x2019 {
                lower = 0x27
            }
            if scalars.count < wordCapacity { scalars.append(lower) }
            i += length
        }
        let length = scalars.withUnsafeMutableBufferPointer { stem($0.baseAddress!, $0.count) }
        var h = seed
        for k in 0..<length { h = mix(h, scalars[k]) }
        return h
    }

    /// What the start of a line says: whether it makes the text look like data (a line of code,
    /// a letter's greeting, an e-mail header), and a fake chat turn's marker and span.
    struct LineStart {
        var looksLikeData = false
        var role: InjectionTokenKey?
        var roleStart: Int32 = 0
        var roleEnd: Int32 = 0
    }

    /// Reads the start of the line at byte `start` (scalar `position`).
    static func lineStart(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, scalar position: Int32, tables: Tables) -> LineStart {
        let n = bytes.count
        var out = LineStart()
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
        var hash = seed
        withUnsafeMutableBytes(of: &candidate) { raw in
            let scalars = raw.bindMemory(to: UInt32.self)
            while j < n && count < 16 {
                let (c, length) = decode(bytes, j)
                var value = c
                if c < 0x80 {
                    guard (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F else { break }
                    value = c | 0x20
                } else if !isHan(c) {
                    break
                }
                scalars[count] = value
                hash = mix(hash, value)
                count += 1
                j += length
                offset += 1
            }
        }
        guard count > 0 else { return out }
        let (kinds, role) = withUnsafeBytes(of: &candidate) { raw in
            tables.lineWords.find(hash, raw.bindMemory(to: UInt32.self).baseAddress!, count)
        }
        guard kinds != 0 else { return out }
        let followed = j + 1 < n && bytes[j] == 0x20
        // A line of code ("def f(", "import os", "class A", "#include"): the text is source code.
        let code = kinds & LineWord.code != 0 && followed && isWordScalar(UInt32(bytes[j + 1]))
        // "Dear Anna," / "Hi David," opening a line: a letter (not "Hi ChatGPT").
        let letter =
            kinds & LineWord.dear != 0
            || (kinds & LineWord.greeting != 0 && followed && bytes[j + 1] >= 0x41 && bytes[j + 1] <= 0x5A
                && !startsWithAIName(bytes, from: j + 1, tables: tables))
        if code || letter { out.looksLikeData = true }
        let header = kinds & LineWord.header != 0
        let isRole = kinds & LineWord.role != 0
        guard header || isRole else { return out }
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
        guard colon || (bracket && closed) else { return out }
        if colon && header {
            out.looksLikeData = true
            return out
        }
        if isRole {
            out.role = role
            out.roleStart = wordStartScalar
            out.roleEnd = offset
        }
        return out
    }

    /// Whether the letters at `start` (up to 12, lower-cased) name a model or a crowd.
    static func startsWithAIName(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, tables: Tables) -> Bool {
        var letters: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 zeroed bytes for the key read
        var count = 0
        var i = start
        withUnsafeMutableBytes(of: &letters) { raw in
            while i < bytes.count, count < 12 {
                let l = bytes[i] | 0x20
                guard l >= 0x61 && l <= 0x7A else { break }
                raw[count] = l
                count += 1
                i += 1
            }
        }
        let name = withUnsafeBytes(of: &letters) { key($0.bindMemory(to: UInt8.self).baseAddress!, count: count) }
        return tables.aiNames.contains(name)
    }

    /// Whether the '<' at byte `i` opens an HTML tag or comment (a text that holds one is data).
    static func opensTag(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, tables: Tables) -> Bool {
        guard i + 2 < bytes.count else { return false }
        let b = bytes[i + 1]
        guard b == 0x21 || b == 0x2F || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A && isTagByte(bytes[i + 2])) else { return false }
        return looksLikeTag(bytes, from: i + 1, tables: tables)
    }

    /// `<!--`, `</x>`, or a common HTML element name after '<'.
    private static func looksLikeTag(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, tables: Tables) -> Bool {
        let n = bytes.count
        if bytes[start] == 0x21 { return start + 2 < n && bytes[start + 1] == 0x2D && bytes[start + 2] == 0x2D }
        var i = start
        if bytes[i] == 0x2F { i += 1 }
        var name: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &name) { raw in
            while i < n, count < 8 {
                let l = bytes[i] | 0x20
                guard (l >= 0x61 && l <= 0x7A) || (bytes[i] >= 0x30 && bytes[i] <= 0x39) else { break }
                raw[count] = l
                count += 1
                i += 1
            }
        }
        guard i < n, bytes[i] == 0x3E || bytes[i] == 0x20 else { return false }
        let key = withUnsafeBytes(of: &name) { InjectionTokenizer.key($0.bindMemory(to: UInt8.self).baseAddress!, count: count) }
        return tables.htmlNames.contains(key)
    }

    /// The tokenizer's state over one text (a struct with mutating methods: no captured variables,
    /// no dynamic exclusivity checks in the loop).
    ///
    /// The loop reads the text eight bytes at a time and visits only events: the start of a word
    /// (read whole at once: most words end within eight bytes before a space or a mark, and are
    /// named straight from those bytes), and marks (any byte that is neither a word byte nor a
    /// space: punctuation, line breaks, scalars outside ASCII). Spaces and the rest of a word cost
    /// nothing. What it does at each event is what a scalar-by-scalar reading does.
    private struct State<Sink: InjectionTokenSink> {
        let bytes: UnsafeBufferPointer<UInt8>
        let n: Int
        let tables: Tables
        var sink: Sink
        let namesHashedWords: Bool
        var out: InjectionTokens
        var sentence: Int32 = 0
        var sentenceUnits: Int32 = 0
        /// Whether the current sentence has a token yet.
        var opened = false
        var units: Int32 = 0
        var sequence: Int32 = 0
        var quoteDepth = 0
        var quoteStart: Int32 = 0
        /// Continuation bytes before the event being read: byte i is scalar i - continuations.
        var continuations = 0
        /// The word buffer: lower-cased ASCII bytes (apostrophes as 0x27), with room past
        /// `wordCapacity` for 16-byte key reads.
        let word: UnsafeMutablePointer<UInt8>

        /// The run: bytes start..<stop.
        let start: Int
        let stop: Int

        init(bytes: UnsafeBufferPointer<UInt8>, word: UnsafeMutablePointer<UInt8>, tables: Tables, sink: Sink, start: Int, stop: Int) {
            self.bytes = bytes
            self.n = bytes.count
            self.word = word
            self.tables = tables
            self.sink = sink
            self.namesHashedWords = sink.namesHashedWords
            self.start = start
            self.stop = stop
            let size = stop - start
            out = InjectionTokens(
                tokens: InjectionBuffer(capacity: size / 8 + 8),
                sentenceUnits: InjectionBuffer(capacity: size / 64 + 4),
                sentenceStarts: InjectionBuffer(capacity: size / 64 + 4)
            )
        }

        @inline(__always) mutating func endSentence() {
            if sentenceUnits > 0 {
                out.sentenceUnits.append(sentenceUnits)
                sentence += 1
                sentenceUnits = 0
                opened = false
            }
        }

        /// Counts a token; keeps it when `id >= 0`.
        @inline(__always) mutating func emit(_ id: Int32, start: Int32, end: Int32, cost: Int32, quoted: Bool, capitals: Bool = false) {
            if sentenceUnits + cost > maxSentenceUnits { endSentence() }
            if quoteDepth > 0 && units - quoteStart > maxQuoteUnits { quoteDepth = 0 }
            if !opened {
                opened = true
                out.sentenceStarts.append(units)
            }
            if id >= 0 {
                var flags: UInt8 = quoted && quoteDepth > 0 ? InjectionToken.quoted : 0
                if capitals { flags |= InjectionToken.capitals }
                out.tokens.append(
                    InjectionToken(
                        id: id, sequence: sequence, start: start, end: end, sentence: sentence, units: units,
                        flags: flags, cost: UInt8(cost)))
            }
            sequence += 1
            units += cost
            sentenceUnits += cost
        }

        /// At least two letters in bytes start..<end, all of them capitals (ASCII A–Z, Latin-1 À–Þ).
        func allCapitals(from start: Int, to end: Int) -> Bool {
            var letters = 0
            var capitals = 0
            var i = start
            while i < end {
                let (c, length) = decode(bytes, i)
                if c < 0x80 {
                    if c >= 0x41 && c <= 0x5A {
                        letters += 1
                        capitals += 1
                    } else if c >= 0x61 && c <= 0x7A {
                        letters += 1
                    }
                } else if isWordScalar(c) {
                    letters += 1
                    if c <= 0xDE { capitals += 1 }
                }
                i += length
            }
            return letters >= 2 && capitals == letters
        }

        /// At the start of a line: a fake chat turn, an e-mail header or a letter's greeting.
        mutating func lineStart(at start: Int, scalar position: Int32) {
            let line = InjectionTokenizer.lineStart(bytes, at: start, scalar: position, tables: tables)
            if line.looksLikeData { out.looksLikeData = true }
            if let role = line.role {
                emit(sink.id(of: role), start: line.roleStart, end: line.roleEnd, cost: 0, quoted: quoteDepth > 0)
            }
        }

        /// A role word right after '[' or '<' (and an optional '|'), closed by `close` (after an
        /// optional '|'): "[system]", "<assistant>", "<|system|>". Line starts are handled by
        /// `lineStart`; this finds the tags in the middle of a line.
        mutating func roleTag(at start: Int, scalar: Int32, close: UInt8) {
            var i = start
            if i < n && bytes[i] == 0x7C { i += 1 }
            let wordStart = i
            var letters: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var hash = seed
            withUnsafeMutableBytes(of: &letters) { raw in
                let scalars = raw.bindMemory(to: UInt32.self)
                while i < n && count < 10 {
                    let l = bytes[i] | 0x20
                    guard l >= 0x61 && l <= 0x7A else { break }
                    scalars[count] = UInt32(l)
                    hash = mix(hash, UInt32(l))
                    count += 1
                    i += 1
                }
            }
            guard count >= 2, count < 10 else { return }
            if i < n && bytes[i] == 0x7C { i += 1 }
            guard i < n && bytes[i] == close else { return }
            let (kinds, role) = withUnsafeBytes(of: &letters) { raw in
                tables.lineWords.find(hash, raw.bindMemory(to: UInt32.self).baseAddress!, count)
            }
            guard kinds & LineWord.role != 0 else { return }
            let offset = scalar + Int32(wordStart - start)
            emit(sink.id(of: role), start: offset, end: offset + Int32(count), cost: 0, quoted: quoteDepth > 0)
        }

        /// Eight bytes from `i` (zeros past the end).
        @inline(__always) func load(_ i: Int) -> UInt64 {
            if i &+ 8 <= n { return InjectionTokenizer.load8(bytes.baseAddress! + i) }
            var x: UInt64 = 0
            var k = 0
            while i &+ k < n {
                x |= UInt64(bytes[i &+ k]) &<< UInt64(8 &* k)
                k &+= 1
            }
            return x
        }

        /// The scalar before byte `i` (a line break before the text).
        func previousScalar(_ i: Int) -> UInt32 {
            guard i > 0 else { return 0x0A }
            var j = i &- 1
            while j > 0 && bytes[j] & 0xC0 == 0x80 { j &-= 1 }
            return decode(bytes, j).0
        }

        /// Reads the word that starts at byte `start` (scalar `scalar`) and emits it; returns where
        /// it ends. `z`: the eight bytes from `start`; `stops`: 0x80 in each of them that is no word byte.
        @inline(__always) mutating func readWord(at start: Int, scalar: Int32, bytes z: UInt64, stops: UInt64) -> Int {
            let run = stops.trailingZeroBitCount &>> 3
            let after = run < 8 ? UInt8(truncatingIfNeeded: z &>> UInt64(8 &* run)) : 0x80
            if !Sink.namesStems && run < 8 && after != 0x27 && after < 0x80 {
                // An ASCII word that ends before a space or a mark that cannot continue it.
                let key = InjectionTokenizer.lowered(z) & ((1 &<< UInt64(8 &* run)) &- 1)
                let id = sink.id(ofWord: InjectionTokenKey(low: key, high: 0))
                let capitals = id >= 0 && sink.needsCapitals(id) && allCapitals(from: start, to: start &+ run)
                emit(id, start: scalar, end: scalar &+ Int32(run), cost: 2, quoted: quoteDepth > 0, capitals: capitals)
                return start &+ run
            }
            return readLongWord(at: start, scalar: scalar)
        }

        /// A word read scalar by scalar: ASCII word bytes, letters outside ASCII, and apostrophes
        /// followed by a letter ("don't", "you're": one straight apostrophe, so "you're" does not
        /// stem to "your"). Emits it and returns where it ends.
        @inline(never) mutating func readLongWord(at start: Int, scalar: Int32) -> Int {
            var i = start
            var length = 0
            var wide = false
            while i < n {
                let b = bytes[i]
                if b < 0x80 && isASCIIWordByte(b) {
                    if length < wordCapacity { word[length] = b | ((b &- 0x41) < 26 ? 0x20 : 0) }
                    length &+= 1
                    i &+= 1
                    continue
                }
                let (c, size) = decode(bytes, i)
                if c >= 0x80 && isWordScalar(c) {
                    wide = true
                } else if (c == 0x27 || c == 0x2019) && i &+ size < n && isWordScalar(decode(bytes, i &+ size).0)
                    && decode(bytes, i &+ size).0 >= 0x41
                {
                    if length < wordCapacity { word[length] = 0x27 }
                } else {
                    break
                }
                length &+= 1
                continuations &+= size &- 1
                i &+= size
            }
            var id: Int32 = -1
            if !wide && !Sink.namesStems && length <= 16 {
                id = sink.id(ofWord: key(word, count: length))
            } else if !wide {
                let stemmed = stem(word, min(length, wordCapacity))
                if stemmed <= 16 {
                    id = sink.id(of: key(word, count: stemmed))
                } else if namesHashedWords {
                    var h = seed
                    for k in 0..<stemmed { h = mix(h, UInt32(word[k])) }
                    id = sink.id(of: InjectionTokenKey(low: h, high: InjectionTokenKey.hashTag))
                }
            } else if namesHashedWords {
                id = sink.id(of: InjectionTokenKey(low: wideWordHash(bytes, from: start, to: i), high: InjectionTokenKey.hashTag))
            }
            let capitals = id >= 0 && sink.needsCapitals(id) && allCapitals(from: start, to: i)
            emit(id, start: scalar, end: scalar &+ Int32(length), cost: 2, quoted: quoteDepth > 0, capitals: capitals)
            return i
        }

        /// A mark at byte `i` (scalar `scalar`): punctuation, a line break, a scalar outside ASCII.
        /// Returns where the next event may start.
        @inline(never) mutating func mark(at i: Int, scalar: Int32) -> Int {
            let b = bytes[i]
            if b < 0x80 {
                // An ASCII mark: only some act (the others just end a word, which is read already).
                guard isActedOn(b) else { return i &+ 1 }
                let next: UInt32 = i &+ 1 < n ? decode(bytes, i &+ 1).0 : 0x20
                var atLineStart = false
                punctuation(
                    UInt32(b), next: next, previous: b == 0x27 ? previousScalar(i) : 0, at: i, scalar: scalar,
                    lineStart: &atLineStart, atEnd: i &+ 1 >= n)
                if atLineStart && i &+ 1 < n { lineStart(at: i &+ 1, scalar: scalar &+ 1) }
                return i &+ 1
            }
            let (c, size) = decode(bytes, i)
            if isWordScalar(c) {
                // A word that starts with a letter outside ASCII.
                return readLongWord(at: i, scalar: scalar)
            }
            continuations &+= size &- 1
            if isHan(c) || isSymbolToken(c) {
                emit(sink.id(of: .scalar(c)), start: scalar, end: scalar &+ 1, cost: 1, quoted: quoteDepth > 0)
            } else {
                let next: UInt32 = i &+ size < n ? decode(bytes, i &+ size).0 : 0x20
                var atLineStart = false
                punctuation(
                    c, next: next, previous: c == 0x2019 ? previousScalar(i) : 0, at: i, scalar: scalar, lineStart: &atLineStart,
                    atEnd: i &+ size >= n)
            }
            return i &+ size
        }

        mutating func run(atLineStart: Bool) {
            guard start < stop else { return }
            if atLineStart { lineStart(at: start, scalar: Int32(truncatingIfNeeded: start &- continuations)) }
            var i = start
            /// Events before `skip` are inside a word or a scalar read already.
            var skip = start
            var carry: UInt64 = 0  // 0x80 when the byte before the chunk is an ASCII word byte (never at a start)
            // This chunk and the next: their bytes and their word bytes (a word is read from both).
            var x = load(i)
            var words = wordBytes(x)
            while i < stop {
                let following = i &+ 8 < n ? load(i &+ 8) : 0
                let followingWords = wordBytes(following)
                let stops = ~words & InjectionTokenizer.highBits
                let followingStops = ~followingWords & InjectionTokenizer.highBits
                let y = x ^ 0x2020_2020_2020_2020  // spaces become zero bytes
                let spaces = ~(((y & ~InjectionTokenizer.highBits) &+ ~InjectionTokenizer.highBits) | y) & InjectionTokenizer.highBits
                let valid = i &+ 8 <= stop ? ~UInt64(0) : (UInt64(1) &<< UInt64(8 &* (stop &- i))) &- 1
                let starts = words & ~((words &<< 8) | carry)
                carry = (words &>> 56) & 0x80
                var events = (starts | (stops & ~spaces)) & valid
                if skip > i { events &= skip &- i >= 8 ? 0 : ~((UInt64(1) &<< UInt64(8 &* (skip &- i))) &- 1) }
                while events != 0 {
                    let bit = events.trailingZeroBitCount
                    let k = bit &>> 3
                    let at = i &+ k
                    let scalar = Int32(truncatingIfNeeded: at &- continuations)
                    let end: Int
                    if starts & (1 &<< UInt64(bit)) != 0 {
                        // The eight bytes from the word's start, from this chunk and the next.
                        let shift = UInt64(8 &* k)
                        let z = k == 0 ? x : (x &>> shift) | (following &<< (64 &- shift))
                        let zStops = k == 0 ? stops : (stops &>> shift) | (followingStops &<< (64 &- shift))
                        end = readWord(at: at, scalar: scalar, bytes: z, stops: zStops)
                    } else {
                        end = mark(at: at, scalar: scalar)
                    }
                    // Later events of this chunk inside what was read are not events.
                    let consumed = end &- i
                    events = consumed >= 8 ? 0 : events & ~((UInt64(1) &<< UInt64(8 &* consumed)) &- 1)
                    skip = end
                }
                x = following
                words = followingWords
                i &+= 8
            }
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
                emit(sink.id(of: colon), start: scalar, end: scalar + 1, cost: 0, quoted: quoteDepth > 0)
            case 0x5B:  // "[system]" anywhere: a forged turn tag
                roleTag(at: i + 1, scalar: scalar + 1, close: 0x5D)
            case 0x60:  // ``` : a code fence
                if i + 2 < n && bytes[i + 1] == 0x60 && bytes[i + 2] == 0x60 { out.looksLikeData = true }
            case 0x3C:  // '<' of an HTML tag, or "<system>" / "<|system|>"
                roleTag(at: i + 1, scalar: scalar + 1, close: 0x3E)
                if opensTag(bytes, at: i, tables: tables) { out.looksLikeData = true }
            default:
                break
            }
        }

    }

    @inline(__always) fileprivate static func isTagByte(_ b: UInt8) -> Bool {
        let l = b | 0x20
        return (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x3E || b == 0x20
    }
}
