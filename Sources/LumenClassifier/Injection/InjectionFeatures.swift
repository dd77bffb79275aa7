// From tokens to windows of binary features: the lexicon's phrases are found with a trie over
// token hashes, slots are chained into cues, and every window of up to three sentences that holds
// a cue gets a feature vector (which cues it holds, quoted or not, plus a few context features).
// The model scores each window; a text scores as its best window, so length alone does not raise
// a score.

/// A set of up to 128 feature indices.
struct InjectionFeatureSet: Hashable, Sendable {
    var low: UInt64 = 0
    var high: UInt64 = 0

    @inline(__always) mutating func insert(_ i: Int) {
        if i < 64 { low |= 1 << UInt64(i) } else { high |= 1 << UInt64(i - 64) }
    }

    @inline(__always) func contains(_ i: Int) -> Bool {
        i < 64 ? low & (1 << UInt64(i)) != 0 : high & (1 << UInt64(i - 64)) != 0
    }

    var isEmpty: Bool { low == 0 && high == 0 }

    /// The members, ascending.
    var indices: [Int] {
        var out: [Int] = []
        var l = low, h = high
        while l != 0 {
            out.append(l.trailingZeroBitCount)
            l &= l - 1
        }
        while h != 0 {
            out.append(64 + h.trailingZeroBitCount)
            h &= h - 1
        }
        return out
    }

    /// Σ weights[i] over the members.
    @inline(__always) func sum(_ weights: [Double]) -> Double {
        var total = 0.0
        var l = low, h = high
        while l != 0 {
            total += weights[l.trailingZeroBitCount]
            l &= l - 1
        }
        while h != 0 {
            total += weights[64 + h.trailingZeroBitCount]
            h &= h - 1
        }
        return total
    }
}

/// One occurrence of a cue: token range and scalar span.
struct InjectionCueHit: Sendable {
    var cue: Int
    var start: Int32
    var end: Int32
    var sentence: Int32
    var quoted: Bool
}

/// One window of a text: its features and the cue hits inside it.
struct InjectionWindow: Sendable {
    var features: InjectionFeatureSet
    /// Indices into `InjectionScan.hits`.
    var hits: Range<Int>
}

/// Everything the model needs from one text.
struct InjectionScan: Sendable {
    var hits: [InjectionCueHit]
    var windows: [InjectionWindow]
    var looksLikeData: Bool
}

/// The compiled lexicon: a trie over token hashes for the slots' phrases, and the cue chains.
struct InjectionFeatures: Sendable {
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
    static let standard = InjectionFeatures(slots: InjectionLexicon.slots, cues: InjectionLexicon.cues)

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
                let tokens = InjectionTokenizer.tokenize(phrase).tokens.filter { $0.units >= 0 }
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
        signs = cues.map { $0.kind == nil ? -1 : ($0.anchor == .never ? 1 : 0) } + InjectionKind.allCases.map { _ in 1 } + [-1, 1]
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
        var tokenized = InjectionTokenizer.tokenize(text)
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
                        let from = Int(terminalStart[Int(node)]), to = Int(terminalStart[Int(node) + 1])
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
                                    for k in i...j where toks[k].flags & InjectionToken.capitals == 0 { all = false }
                                    if !all { continue }
                                }
                                slotMatched(Int(terminal >> 1), start: Int32(i), end: Int32(j), tokens: toks,
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
        _ slot: Int, start: Int32, end: Int32, tokens: UnsafeBufferPointer<InjectionToken>, sentenceStarts: [Int32],
        prefixStart: inout [Int32], prefixEnd: inout [Int32], hits: inout [InjectionCueHit]
    ) {
        let first = tokens[Int(start)]
        let last = tokens[Int(end)]
        for (cue, element) in slotElements[slot] {
            let c = Int(cue), e = Int(element)
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
                hits.append(InjectionCueHit(cue: c, start: opening.start, end: last.end, sentence: first.sentence,
                                            quoted: opening.flags & InjectionToken.quoted != 0))
            } else {
                let p = c * 4 + e
                prefixStart[p] = chainStart
                prefixEnd[p] = end
            }
        }
    }

    private func windows(hits: [InjectionCueHit], tokens: [InjectionToken], sentenceUnits: [Int32], looksLikeData: Bool) -> [InjectionWindow] {
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
