// Token tables of the injection screen: a lexicon token → a value (its id, or its trigger
// classes), looked up by what the tokenizer sees. A word of the lexicon is stored under every
// form that stems to it ("ignore", "ignored", "ignores", "ignoring"), so the tokenizer names a
// text's word by its own lower-cased bytes and never stems it; a bit filter in front answers
// "no such token" for most words of a text from 4–8 KB that stay in the L1 cache.

extension InjectionTokenKey {
    /// An ASCII word named by its bytes (neither tag bit set).
    var isWord: Bool { low >> 63 == 0 && high >> 63 == 0 }

    /// The bytes of a word key.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        for word in [low, high] {
            for k in 0..<8 {
                let b = UInt8(truncatingIfNeeded: word >> UInt64(8 * k))
                if b == 0 { return out }
                out.append(b)
            }
        }
        return out
    }
}

/// A token → value table with a bit filter, built once per lexicon.
struct InjectionTokenTable: Sendable {
    private let filter: [UInt64]
    private let filterShift: UInt64
    private let keys: [UInt64]
    private let values: [Int32]
    private let mask: Int
    /// Stems → value: the few words longer than 16 bytes are stemmed and looked up here.
    private let stems: [InjectionTokenKey: Int32]
    /// Whether some entry is a word named by its hash (non-ASCII, or a stem longer than 16 bytes).
    let namesHashedWords: Bool

    /// `entries` are named as in the lexicon: words by their stems.
    init(_ entries: [(InjectionTokenKey, Int32)]) {
        var stems: [InjectionTokenKey: Int32] = [:]
        var all: [InjectionTokenKey: Int32] = [:]
        var order: [InjectionTokenKey] = []
        func add(_ key: InjectionTokenKey, _ value: Int32) {
            if let existing = all[key] {
                precondition(existing == value, "one token form for two lexicon tokens")
                return
            }
            all[key] = value
            order.append(key)
        }
        for (key, value) in entries {
            if key.isWord {
                stems[key] = value
                for form in Self.forms(of: key.bytes) { add(InjectionTokenizer.key(form), value) }
            } else {
                add(key, value)
            }
        }
        self.stems = stems
        namesHashedWords = order.contains { $0.high == InjectionTokenKey.hashTag }
        var filterBits = 10
        while filterBits < 16 && (1 << filterBits) < order.count * 16 { filterBits += 1 }
        filterShift = UInt64(64 - filterBits)
        var capacity = 16
        while capacity < order.count * 2 { capacity *= 2 }
        var filter = [UInt64](repeating: 0, count: (1 << filterBits) / 64)
        var keys = [UInt64](repeating: 0, count: capacity * 2)
        var values = [Int32](repeating: -1, count: capacity)
        for key in order {
            precondition(key.low != 0, "a token key with a zero low word")
            let hash = Self.hash(key)
            let bit = hash >> filterShift
            filter[Int(bit >> 6)] |= 1 << (bit & 63)
            var slot = Self.slot(hash) & (capacity - 1)
            while keys[2 * slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            keys[2 * slot] = key.low
            keys[2 * slot + 1] = key.high
            values[slot] = all[key]!
        }
        self.filter = filter
        self.keys = keys
        self.values = values
        mask = capacity - 1
    }

    /// Every word of at most 16 bytes that `stem` maps to `stem`: x, x+ing, x+ed, x+es, x+s (and
    /// x−y+ies after a y) for x the stem or the stem + e — the stemmer only strips those — kept
    /// when they do stem back.
    static func forms(of stem: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for x in [stem, stem + [0x65]] {
            var candidates = [x, x + Array("ing".utf8), x + Array("ed".utf8), x + Array("es".utf8), x + Array("s".utf8)]
            if x.last == 0x79 { candidates.append(x.dropLast() + Array("ies".utf8)) }
            for form in candidates where form.count <= 16 && !out.contains(form) {
                var copy = form
                let length = copy.withUnsafeMutableBufferPointer { InjectionTokenizer.stem($0.baseAddress!, $0.count) }
                if Array(copy.prefix(length)) == stem { out.append(form) }
            }
        }
        return out
    }

    @inline(__always) static func hash(_ key: InjectionTokenKey) -> UInt64 {
        (key.low ^ (key.high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
    }

    @inline(__always) static func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 28) }

    /// Calls `body` with a lookup over this table's storage (valid only inside `body`).
    func withLookup<R>(_ body: (InjectionTableLookup) -> R) -> R {
        filter.withUnsafeBufferPointer { filter in
            keys.withUnsafeBufferPointer { keys in
                values.withUnsafeBufferPointer { values in
                    body(
                        InjectionTableLookup(
                            filter: filter.baseAddress!, filterShift: filterShift, keys: keys.baseAddress!,
                            values: values.baseAddress!, mask: mask, stems: stems, namesHashedWords: namesHashedWords))
                }
            }
        }
    }
}

/// Lookups in an `InjectionTokenTable` through its storage's addresses: no reference counting
/// or bounds checks per word.
struct InjectionTableLookup {
    let filter: UnsafePointer<UInt64>
    let filterShift: UInt64
    let keys: UnsafePointer<UInt64>
    let values: UnsafePointer<Int32>
    let mask: Int
    let stems: [InjectionTokenKey: Int32]
    let namesHashedWords: Bool

    /// The value of a word's form, a scalar token, a marker or a hashed word; -1 when absent.
    @inline(__always) func value(of key: InjectionTokenKey) -> Int32 {
        let hash = InjectionTokenTable.hash(key)
        let bit = hash >> filterShift
        if filter[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return -1 }
        var slot = InjectionTokenTable.slot(hash) & mask
        while true {
            let low = keys[2 * slot]
            if low == key.low && keys[2 * slot + 1] == key.high { return values[slot] }
            if low == 0 { return -1 }
            slot = (slot + 1) & mask
        }
    }

    /// The value of a stemmed word (or of any other key); -1 when absent.
    func value(ofStem key: InjectionTokenKey) -> Int32 {
        key.isWord ? stems[key] ?? -1 : value(of: key)
    }
}

/// Looks a text's tokens up in the lexicon's token table.
struct InjectionLookupSink: InjectionTokenSink {
    static var namesStems: Bool { false }
    let table: InjectionTableLookup
    let capitals: UnsafeBufferPointer<Bool>

    var namesHashedWords: Bool { table.namesHashedWords }
    @inline(__always) mutating func id(ofWord key: InjectionTokenKey) -> Int32 { table.value(of: key) }
    @inline(__always) mutating func id(of key: InjectionTokenKey) -> Int32 { table.value(ofStem: key) }
    @inline(__always) func needsCapitals(_ id: Int32) -> Bool { capitals[Int(id)] }
}

/// Gives every token of the lexicon's phrases an id, in order of appearance; words are named by
/// their stems, as the lexicon writes them.
struct InjectionInterningSink: InjectionTokenSink {
    static var namesStems: Bool { true }
    private var table: [InjectionTokenKey: Int32] = [:]
    private(set) var keys: [InjectionTokenKey] = []

    mutating func id(ofWord key: InjectionTokenKey) -> Int32 { id(of: key) }

    mutating func id(of key: InjectionTokenKey) -> Int32 {
        if let id = table[key] { return id }
        let id = Int32(keys.count)
        table[key] = id
        keys.append(key)
        return id
    }

    var namesHashedWords: Bool { true }
    func needsCapitals(_ id: Int32) -> Bool { false }

    /// The ids of the tokens of `phrase`, in order.
    mutating func ids(of phrase: String) -> [Int32] {
        let tokenized = InjectionTokenizer.tokenize(phrase, sink: &self)
        defer { tokenized.deallocate() }
        return tokenized.tokens.array.map(\.id)
    }
}
