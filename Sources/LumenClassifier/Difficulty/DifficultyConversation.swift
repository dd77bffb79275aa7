/// One turn of a conversation, as the difficulty model reads it.
package struct DifficultyTurn: Sendable, Hashable {
    /// Who wrote the turn.
    package enum Role: String, Sendable, Hashable, Codable {
        case system, user, assistant, tool
    }

    package var role: Role
    package var text: String

    package init(role: Role, text: String) {
        self.role = role
        self.text = text
    }

    /// A user turn.
    package static func user(_ text: String) -> DifficultyTurn { DifficultyTurn(role: .user, text: text) }
    /// An assistant turn.
    package static func assistant(_ text: String) -> DifficultyTurn { DifficultyTurn(role: .assistant, text: text) }
}

/// Which text of a conversation the difficulty model scores.
///
/// The last user turn, and when it refers back to what came before ("fix it", "do the same for
/// Python", "why?", "再详细一点"), the earlier user turns it leans on (at most three more), joined
/// in order. A follow-up inherits the task of the request it follows: "now make it thread-safe"
/// after a request for a lock-free queue is a code task, although its own words are not.
/// Assistant turns are not scored: their length says nothing about how hard the request is.
package enum DifficultyConversation {
    /// How many earlier user turns a follow-up can pull in.
    package static let maximumEarlierTurns = 3

    /// The text to score for `turns` (empty when there is no user turn).
    package static func scoredText(_ turns: [DifficultyTurn]) -> String {
        guard let last = turns.lastIndex(where: { $0.role == .user }) else { return "" }
        var parts = [turns[last].text]
        var current = last
        while parts.count <= maximumEarlierTurns, refersBack(turns[current].text),
            let previous = turns[..<current].lastIndex(where: { $0.role == .user })
        {
            parts.append(turns[previous].text)
            current = previous
        }
        return parts.count == 1 ? parts[0] : parts.reversed().joined(separator: "\n\n")
    }

    /// Whether a user turn leans on earlier turns: at most three words ("why?", "in Rust"), or at
    /// most 25 words with a back-reference among its first eight ("fix it", "the same for…",
    /// "again", "instead", "这个"), or any length with an explicit one ("the code above",
    /// "your previous answer", "上面").
    package static func refersBack(_ text: String) -> Bool {
        var words = 0
        var implicit = false
        var hash = CueHash.seed
        var inWord = false
        var previousHan: UInt32 = 0
        var scanned = 0
        // Read once: a static is behind a lazy-initialisation check at every access.
        let (hanFirsts, explicitHan, implicitHan, implicitHanSingle) = (hanFirsts, explicitHan, implicitHan, implicitHanSingle)
        for scalar in text.unicodeScalars {
            scanned += 1
            if scanned > 400 { break }
            let v = scalar.value
            if v < 0x80, (v | 0x20) >= 0x61, (v | 0x20) <= 0x7a {
                hash = (hash ^ UInt64(v | 0x20)) &* CueHash.prime
                inWord = true
                continue
            }
            if inWord {
                words += 1
                if explicitWords.contains(hash) { return true }
                if words <= 8 && implicitWords.contains(hash) { implicit = true }
                hash = CueHash.seed
                inWord = false
            }
            if (0x4e00...0x9fff).contains(v) {
                words += 1
                // Most characters start no cue pair: skip the pair lookups for them.
                if previousHan != 0 && hanFirsts.contains(previousHan) {
                    let pair = CueHash.han(previousHan, v)
                    if explicitHan.contains(pair) { return true }
                    if words <= 10 && implicitHan.contains(pair) { implicit = true }
                }
                if words <= 10 && implicitHanSingle.contains(v) { implicit = true }
                previousHan = v
            } else {
                previousHan = 0
            }
        }
        if inWord {
            words += 1
            if explicitWords.contains(hash) { return true }
            if words <= 8 && implicitWords.contains(hash) { implicit = true }
        }
        if words <= 3 { return true }
        return words <= 25 && implicit
    }

    private static func wordHashes(_ words: [String]) -> Set<UInt64> { Set(words.map { CueHash.word(Substring($0)) }) }
    private static func hanHashes(_ pairs: [String]) -> Set<UInt64> {
        Set(pairs.map { CueHash.han($0.unicodeScalars.map(\.value)) })
    }

    /// Back-references that make a turn a follow-up at any length.
    static let explicitWords = wordHashes(["above", "previous", "earlier", "aforementioned"])
    /// Back-references that make a short turn a follow-up.
    static let implicitWords = wordHashes([
        "it", "its", "this", "these", "those", "them", "same", "again", "instead", "continue", "more", "another",
        "else", "why", "fix", "shorter", "longer", "simpler", "faster", "version", "rewrite", "redo", "elaborate",
        "expand", "example", "examples", "ok", "okay",
    ])
    static let explicitHanPairs = ["上面", "上述", "刚才", "之前", "前面", "上一"]
    static let implicitHanPairs = ["这个", "那个", "这段", "这些", "那些", "同样", "继续", "还有", "改成", "换成", "再来", "详细", "为什"]
    static let explicitHan = hanHashes(explicitHanPairs)
    static let implicitHan = hanHashes(implicitHanPairs)
    static let implicitHanSingle: [UInt32] = [0x5b83, 0x518d]  // 它, 再
    /// First characters of the two-character cues above.
    static let hanFirsts: [UInt32] = {
        var out: [UInt32] = []
        for pair in explicitHanPairs + implicitHanPairs {
            let first = pair.unicodeScalars.first!.value
            if !out.contains(first) { out.append(first) }
        }
        return out
    }()
}
