// From tokens to windows of binary features: the lexicon's phrases are found with a trie over
// token ids, slots are chained into cues, and every window of up to three sentences that holds an
// anchor cue gets a feature vector (which cues it holds, quoted or not, plus a few context
// features). The model scores each window; a text scores as its best window, so length alone does
// not raise a score.

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

    @inline(__always) mutating func formUnion(_ other: InjectionFeatureSet) {
        low |= other.low
        high |= other.high
    }

    @inline(__always) func isSubset(of other: InjectionFeatureSet) -> Bool {
        low & ~other.low == 0 && high & ~other.high == 0
    }

    /// The members, ascending.
    var indices: [Int] {
        var out: [Int] = []
        var l = low
        var h = high
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
        var l = low
        var h = high
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

/// The compiled lexicon: an id per token of its phrases (looked up by every form of a word, so a
/// text's words are never stemmed), a trie over those ids for the slots' phrases, and the cue chains.
///
/// A scan tokenizes the text (keeping only the tokens the lexicon knows), walks the trie from each
/// of them (the slots each sentence holds), and chains slots into cues only in the sentences that
/// matter: a window scores only when it holds an anchor, so a sentence whose slots cannot make any
/// anchor cue is chained only when it lies within a window's reach (two sentences) of one that
/// holds an anchor. Most sentences of most texts hold none.
final class InjectionFeatures: Sendable {
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
    /// Per cue: its number of slots, and (at cue * 4 + e) the gap allowed before element e + 1.
    private let cueLength: [Int32]
    private let cueGaps: [Int32]
    private let cueIsChain: [Bool]
    private let cueInitial: [Bool]
    /// The (cue, element) pairs slot s can fill: elementCue/elementIndex[elementStart[s]..<elementStart[s + 1]].
    private let elementStart: [Int32]
    private let elementCue: [Int32]
    private let elementIndex: [Int32]

    /// Token → id: every form of the lexicon's words (by their bytes) and its other tokens.
    private let tokens: InjectionTokenTable
    /// Per id: the token belongs to a phrase that matches only words in capitals.
    private let capitalIds: [Bool]
    /// Trie: the child of the root per token id (-1: no phrase starts with it); deeper edges in an
    /// open-addressing table keyed by node << 32 | id.
    private let rootChild: [Int32]
    private let edgeKeys: [UInt64]
    private let edgeValues: [Int32]
    private let edgeMask: Int
    /// Per node: terminals[terminalStart[node]..<terminalStart[node + 1]], each slot << 1 | capitalsOnly.
    private let terminalStart: [Int32]
    private let terminals: [Int32]
    /// Per cue: the slots it chains, as a set of slot bits.
    private let cueSlots: [InjectionFeatureSet]
    /// The cues that anchor a window always, and those that anchor one in a text that looks like data.
    private let alwaysAnchors: [Int]
    private let dataAnchors: [Int]
    private let metaCue: Int
    /// The slot whose phrases mark a text as data (sign-offs, "unsubscribe", "tool result").
    private let dataMarkerSlot: Int32
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
        precondition(slots.count <= 128, "at most 128 injection slots")
        var slotIndex: [String: Int] = [:]
        for (i, slot) in slots.enumerated() { slotIndex[slot.name] = i }

        // Trie over token ids: node 0 is the root.
        var interner = InjectionInterningSink()
        var children: [[Int32: Int32]] = [[:]]
        var nodeTerminals: [[Int32]] = [[]]
        var capitalTokens = Set<Int32>()
        var phraseIDs = [[[Int32]]](repeating: [], count: slots.count)
        for (s, slot) in slots.enumerated() {
            for phrase in slot.phrases {
                let ids = interner.ids(of: phrase)
                guard !ids.isEmpty else { continue }
                phraseIDs[s].append(ids)
                let letters = phrase.unicodeScalars.filter { $0.properties.isAlphabetic && $0.value < 0x80 }
                let capitalsOnly = !letters.isEmpty && letters.allSatisfy { $0.properties.isUppercase }
                if capitalsOnly { capitalTokens.formUnion(ids) }
                var node: Int32 = 0
                for id in ids {
                    if let child = children[Int(node)][id] {
                        node = child
                    } else {
                        let child = Int32(children.count)
                        children.append([:])
                        nodeTerminals.append([])
                        children[Int(node)][id] = child
                        node = child
                    }
                }
                let terminal = Int32(s) << 1 | (capitalsOnly ? 1 : 0)
                if !nodeTerminals[Int(node)].contains(terminal) { nodeTerminals[Int(node)].append(terminal) }
            }
        }
        let keys = interner.keys
        tokens = InjectionTokenTable(keys.indices.map { (keys[$0], Int32($0)) })
        capitalIds = keys.indices.map { capitalTokens.contains(Int32($0)) }

        var root = [Int32](repeating: -1, count: keys.count)
        for (id, child) in children[0] { root[Int(id)] = child }
        rootChild = root
        var edges: [(UInt64, Int32)] = []
        for (node, table) in children.enumerated().dropFirst() {
            for (id, child) in table.sorted(by: { $0.key < $1.key }) {
                edges.append((Self.edgeKey(Int32(node), id), child))
            }
        }
        var edgeCapacity = 16
        while edgeCapacity < edges.count * 3 { edgeCapacity *= 2 }
        var edgeKeys = [UInt64](repeating: 0, count: edgeCapacity)
        var edgeValues = [Int32](repeating: -1, count: edgeCapacity)
        for (key, value) in edges {
            var slot = Self.edgeSlot(key) & (edgeCapacity - 1)
            while edgeKeys[slot] != 0 { slot = (slot + 1) & (edgeCapacity - 1) }
            edgeKeys[slot] = key
            edgeValues[slot] = value
        }
        self.edgeKeys = edgeKeys
        self.edgeValues = edgeValues
        edgeMask = edgeCapacity - 1
        var starts: [Int32] = [0]
        var flat: [Int32] = []
        for list in nodeTerminals {
            flat.append(contentsOf: list)
            starts.append(Int32(flat.count))
        }
        terminalStart = starts
        terminals = flat

        var elements = [[(cue: Int32, element: Int32)]](repeating: [], count: slots.count)
        var gaps = [Int32](repeating: 0, count: cues.count * 4)
        var cueSlots: [InjectionFeatureSet] = []
        var cueSlotIDs: [[Int]] = []
        for (c, cue) in cues.enumerated() {
            let ids = cue.slots.map { name -> Int32 in
                guard let id = slotIndex[name] else { preconditionFailure("cue \(cue.name) names unknown slot \(name)") }
                return Int32(id)
            }
            precondition(cue.gaps.count == ids.count - 1, "cue \(cue.name) needs \(ids.count - 1) gaps")
            precondition(ids.count <= 4, "cue \(cue.name) chains more than four slots")
            for (e, id) in ids.enumerated() { elements[Int(id)].append((Int32(c), Int32(e))) }
            for (e, gap) in cue.gaps.enumerated() { gaps[c * 4 + e] = Int32(gap) }
            var set = InjectionFeatureSet()
            for id in ids { set.insert(Int(id)) }
            cueSlots.append(set)
            cueSlotIDs.append(ids.map(Int.init))
        }
        var elementStart: [Int32] = [0]
        var elementCue: [Int32] = []
        var elementIndex: [Int32] = []
        for list in elements {
            elementCue += list.map(\.cue)
            elementIndex += list.map(\.element)
            elementStart.append(Int32(elementCue.count))
        }
        self.elementStart = elementStart
        self.elementCue = elementCue
        self.elementIndex = elementIndex
        self.cueSlots = cueSlots
        cueGaps = gaps
        cueLength = cues.map { Int32($0.slots.count) }
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
        alwaysAnchors = cues.indices.filter { cues[$0].anchor == .always }
        dataAnchors = cues.indices.filter { cues[$0].anchor == .inData }
        precondition(names.count <= 128, "at most 128 injection features")
        precondition(Self.kindCount == InjectionKind.allCases.count)
        precondition(Set(names).count == names.count, "duplicate injection feature names")
        metaCue = cues.firstIndex { $0.name == "meta" } ?? -1
        let marker = slotIndex["data_marker"] ?? -1
        dataMarkerSlot = Int32(marker)
        quotedBase = cues.count
        anchorBase = cues.count + Self.kindCount + 2

        for phrases in phraseIDs {
            for ids in phrases {
                precondition(keys[Int(ids[0])].low & InjectionTokenKey.markerTag != InjectionTokenKey.markerTag, "a phrase starts with a marker")
            }
        }
    }

    @inline(__always) private static func edgeKey(_ node: Int32, _ id: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) << 32 | UInt64(UInt32(bitPattern: id))
    }

    @inline(__always) private static func edgeSlot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40)
    }

    @inline(__always) private func child(_ node: Int32, _ id: Int32) -> Int32 {
        let key = Self.edgeKey(node, id)
        var slot = Self.edgeSlot(key) & edgeMask
        while true {
            let k = edgeKeys[slot]
            if k == key { return edgeValues[slot] }
            if k == 0 { return -1 }
            slot = (slot + 1) & edgeMask
        }
    }

    /// Tokenizes `text`, finds the cues and builds the windows.
    func scan(_ text: String) -> InjectionScan {
        let tokenized = InjectionTokenizer.withBytes(of: text) { bytes in
            tokens.withLookup { tokens in
                capitalIds.withUnsafeBufferPointer { capitals in
                    var sink = InjectionLookupSink(table: tokens, capitals: capitals)
                    return InjectionTokenizer.tokenize(bytes: bytes, sink: &sink)
                }
            }
        }
        defer { tokenized.deallocate() }
        return match(tokenized)
    }

    /// A slot's phrase over tokens first...last (indices into the kept tokens).
    private struct SlotMatch: BitwiseCopyable {
        var slot: Int32
        var first: Int32
        var last: Int32
    }

    /// The slot matches of one sentence and what became of them.
    private struct SentenceMatches: BitwiseCopyable {
        var sentence: Int32
        /// Its matches: `matches[firstMatch..<endMatch]`.
        var firstMatch: Int32
        var endMatch: Int32
        var slots: InjectionFeatureSet
        /// Its cue hits, once chained (`firstHit < 0`: not yet): `hits[firstHit..<endHit]`.
        var firstHit: Int32 = -1
        var endHit: Int32 = -1
        var anchored = false
    }

    /// Finds the cue hits of the sentences that matter and builds the windows that hold an anchor.
    private func match(_ run: InjectionTokens) -> InjectionScan {
        let tokens = run.tokens
        let count = tokens.count
        var looksLikeData = run.looksLikeData
        if count == 0 { return InjectionScan(hits: [], windows: [], looksLikeData: looksLikeData) }

        // The trie from every token: the slot matches of each sentence, in the order the cues
        // are chained (by first token, then last token, then terminal).
        var matches = InjectionBuffer<SlotMatch>(capacity: count / 2 + 8)
        var sentences = InjectionBuffer<SentenceMatches>(capacity: 16)
        defer {
            matches.deallocate()
            sentences.deallocate()
        }
        var t = 0
        while t < count {
            let sentence = tokens[t].sentence
            let firstMatch = Int32(matches.count)
            var slots = InjectionFeatureSet()
            while t < count && tokens[t].sentence == sentence {
                var node = rootChild[Int(tokens[t].id)]
                var u = t
                while node >= 0 {
                    for k in Int(terminalStart[Int(node)])..<Int(terminalStart[Int(node) + 1]) {
                        let terminal = terminals[k]
                        let slot = terminal >> 1
                        if slot == dataMarkerSlot {
                            // A sign-off, "unsubscribe", "tool result": the text is data.
                            looksLikeData = true
                            continue
                        }
                        if terminal & 1 == 1 {
                            // Capitals only: every word of the match in capitals.
                            var all = true
                            for v in t...u where tokens[v].flags & InjectionToken.capitals == 0 { all = false }
                            if !all { continue }
                        }
                        matches.append(SlotMatch(slot: slot, first: Int32(t), last: Int32(u)))
                        slots.insert(Int(slot))
                    }
                    u += 1
                    guard u < count, tokens[u].sequence == tokens[u - 1].sequence + 1, tokens[u].sentence == sentence else { break }
                    node = child(node, tokens[u].id)
                }
                t += 1
            }
            if matches.count > Int(firstMatch) {
                sentences.append(SentenceMatches(sentence: sentence, firstMatch: firstMatch, endMatch: Int32(matches.count), slots: slots))
            }
        }
        if sentences.count == 0 { return InjectionScan(hits: [], windows: [], looksLikeData: looksLikeData) }

        // Chain the sentences whose slots could make an anchor cue; note those that do.
        let cueCount = self.cueCount
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: cueCount * 8) { prefixes in
            // Per (cue, element): the latest chain prefix ending at that element (first token, last token).
            prefixes.initialize(repeating: -1)
            let prefixStart = prefixes.baseAddress!
            let prefixEnd = prefixes.baseAddress! + cueCount * 4
            var hits = InjectionBuffer<InjectionCueHit>(capacity: 16)
            var anchorSentences = InjectionBuffer<Int32>(capacity: 8)
            defer {
                hits.deallocate()
                anchorSentences.deallocate()
            }
            for s in 0..<sentences.count where mayAnchor(sentences[s].slots, looksLikeData: looksLikeData) {
                chain(
                    s, sentences: sentences, matches: matches, tokens: tokens, run: run, prefixStart: prefixStart, prefixEnd: prefixEnd,
                    hits: &hits, looksLikeData: looksLikeData)
                if sentences[s].anchored { anchorSentences.append(sentences[s].sentence) }
            }
            if anchorSentences.count == 0 { return InjectionScan(hits: [], windows: [], looksLikeData: looksLikeData) }

            // The sentences within a window's reach of an anchor, chained too, their hits in text order.
            var out: [InjectionCueHit] = []
            let reach = Int32(Self.windowSentences - 1)
            var next = 0
            for s in 0..<sentences.count {
                let sentence = sentences[s].sentence
                while next < anchorSentences.count && anchorSentences[next] < sentence - reach { next += 1 }
                guard next < anchorSentences.count && anchorSentences[next] <= sentence + reach else { continue }
                if sentences[s].firstHit < 0 {
                    chain(
                        s, sentences: sentences, matches: matches, tokens: tokens, run: run, prefixStart: prefixStart, prefixEnd: prefixEnd,
                        hits: &hits, looksLikeData: looksLikeData)
                }
                for h in Int(sentences[s].firstHit)..<Int(sentences[s].endHit) { out.append(hits[h]) }
            }
            return InjectionScan(
                hits: out,
                windows: windows(hits: out, anchorSentences: anchorSentences, run: run, looksLikeData: looksLikeData),
                looksLikeData: looksLikeData
            )
        }
    }

    /// Whether a sentence holding `slots` could hold an anchor cue: every slot of some anchor.
    @inline(__always) private func mayAnchor(_ slots: InjectionFeatureSet, looksLikeData: Bool) -> Bool {
        for c in alwaysAnchors where cueSlots[c].isSubset(of: slots) { return true }
        if looksLikeData {
            for c in dataAnchors where cueSlots[c].isSubset(of: slots) { return true }
        }
        return false
    }

    /// Chains the slot matches of `sentences[s]` into cue hits (appended to `hits`, sorted by
    /// start then cue, ties in the order found) and notes whether one anchors a window.
    private func chain(
        _ s: Int, sentences: InjectionBuffer<SentenceMatches>, matches: InjectionBuffer<SlotMatch>, tokens: InjectionBuffer<InjectionToken>,
        run: InjectionTokens, prefixStart: UnsafeMutablePointer<Int32>, prefixEnd: UnsafeMutablePointer<Int32>,
        hits: inout InjectionBuffer<InjectionCueHit>, looksLikeData: Bool
    ) {
        let first = hits.count
        for m in Int(sentences[s].firstMatch)..<Int(sentences[s].endMatch) {
            let match = matches[m]
            slotMatched(
                Int(match.slot), start: match.first, end: match.last, tokens: tokens, run: run,
                prefixStart: prefixStart, prefixEnd: prefixEnd, hits: &hits)
        }
        // Insertion sort: stable, and a sentence holds few hits (nearly sorted already).
        var anchored = false
        for i in first..<hits.count {
            let hit = hits[i]
            var j = i
            while j > first && (hits[j - 1].start, hits[j - 1].cue) > (hit.start, hit.cue) {
                hits[j] = hits[j - 1]
                j -= 1
            }
            hits[j] = hit
            if !hit.quoted && isAnchor(hit.cue, looksLikeData: looksLikeData) { anchored = true }
        }
        sentences[s].firstHit = Int32(first)
        sentences[s].endHit = Int32(hits.count)
        sentences[s].anchored = anchored
    }

    @inline(__always) private func isAnchor(_ cue: Int, looksLikeData: Bool) -> Bool {
        switch anchors[cue] {
        case .always: true
        case .inData: looksLikeData
        case .never: false
        }
    }

    @inline(__always) private func slotMatched(
        _ slot: Int, start: Int32, end: Int32, tokens: InjectionBuffer<InjectionToken>, run: InjectionTokens,
        prefixStart: UnsafeMutablePointer<Int32>, prefixEnd: UnsafeMutablePointer<Int32>, hits: inout InjectionBuffer<InjectionCueHit>
    ) {
        let first = tokens[Int(start)]
        let last = tokens[Int(end)]
        for x in Int(elementStart[slot])..<Int(elementStart[slot + 1]) {
            let c = Int(elementCue[x])
            let e = Int(elementIndex[x])
            let length = Int(cueLength[c])
            var chainStart = start
            if e == 0 && cueInitial[c] && first.units - run.sentenceStarts[Int(first.sentence)] > InjectionCue.initialUnits {
                continue
            }
            if e > 0 {
                let p = c * 4 + e - 1
                let pe = prefixEnd[p]
                guard pe >= 0, pe < start else { continue }
                let previous = tokens[Int(pe)]
                guard previous.sentence == first.sentence else { continue }
                // Units strictly between the previous part's last token and this part's first.
                let gap = first.units - (previous.units + Int32(previous.cost))
                guard gap <= cueGaps[c * 4 + e - 1] else { continue }
                chainStart = prefixStart[p]
            }
            if e == length - 1 {
                let opening = tokens[Int(chainStart)]
                hits.append(
                    InjectionCueHit(
                        cue: c, start: opening.start, end: last.end, sentence: first.sentence,
                        quoted: opening.flags & InjectionToken.quoted != 0))
            } else {
                let p = c * 4 + e
                prefixStart[p] = chainStart
                prefixEnd[p] = end
            }
        }
    }

    /// The windows that hold an anchor, in text order: each starts at most two sentences before
    /// an anchor's sentence. `hits` holds every hit of the sentences they span.
    private func windows(
        hits: [InjectionCueHit], anchorSentences: InjectionBuffer<Int32>, run: InjectionTokens, looksLikeData: Bool
    ) -> [InjectionWindow] {
        let sentences = run.sentenceUnits.count
        let units = run.sentenceUnits
        var out: [InjectionWindow] = []
        var h = 0
        var lastStart = -1
        for a in 0..<anchorSentences.count {
            let s = Int(anchorSentences[a])
            for start in max(lastStart + 1, s - Self.windowSentences + 1, 0)...s {
                // The window: sentences start...end, growing while under the unit cap.
                var end = start
                var total = units[start]
                while end + 1 < sentences && end + 1 < start + Self.windowSentences && total + units[end + 1] <= Self.windowUnits {
                    end += 1
                    total += units[end]
                }
                while h < hits.count && Int(hits[h].sentence) < start { h += 1 }
                var k = h
                var features = InjectionFeatureSet()
                var quotedCue = false
                var chainedDirective = false
                var anchored = false
                while k < hits.count && Int(hits[k].sentence) <= end {
                    let hit = hits[k]
                    // A quoted phrase ("translate: 'ignore all previous instructions'") anchors nothing.
                    if isAnchor(hit.cue, looksLikeData: looksLikeData) && !hit.quoted {
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
            lastStart = s
        }
        return out
    }
}
