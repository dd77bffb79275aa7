import LumenClassifier

/// Values cut between strings a model reads as one text: two parts of a turn, two turns, a tool
/// result and the next turn, a document pasted in chunks ("my SSN is 078-05-", "1120"; or in three
/// pieces; or with an empty or invisible part between them). Each string of the request is screened
/// alone; this reads the joins: up to `reach` visible characters of what came before (across as
/// many strings as it takes, blank ones read through) beside the start of the next string.
enum Seams {
    /// A free-text string of the request, in the order a model reads it.
    struct Piece {
        var ordinal: Int
        var text: String
        var slot: Int32
    }

    /// A value found across one or more joins: the strings it spans (ordinals, in reading order)
    /// and its offsets into their concatenation (the first string from its start, the others whole).
    struct Crossing {
        var ordinals: [Int]
        var finding: Finding
    }

    /// A value inside one string that only the words before it (in earlier strings) make one:
    /// offsets into that string.
    struct Labelled {
        var piece: Piece
        var finding: Finding
    }

    /// How many visible characters on each side of a join are read.
    static let reach = 128
    /// At most this many characters are looked at on each side (invisible padding beyond is not
    /// read through).
    static let scanLimit = 4096

    /// The values across the joins of `pieces`. Crossing findings scored under 0.5 are left out (a
    /// documentation address run across a join is no reason to keep a request local).
    static func find(_ pieces: [Piece], classifier: Classifier) -> (crossing: [Crossing], labelled: [Labelled]) {
        var crossing: [Crossing] = []
        var labelled: [Labelled] = []
        // The strings whose ends the next window may read, oldest first, each with its end past
        // the whitespace and invisible characters it ends with (found once, however long they are:
        // padding between a value's halves is read through, not counted against `scanLimit`).
        var chain: [(piece: Piece, end: Edge)] = []
        for piece in pieces where !Classifier.isBlank(piece.text) {
            guard let last = chain.last, Classifier.mayContinue(last.piece.text, piece.text) else {
                chain = [(piece, trailingEdge(piece.text))]
                continue
            }
            // The tail: the ends of the chain's strings, newest last, `reach` visible characters in all.
            var parts: [(chainIndex: Int, scalars: [Unicode.Scalar], skipped: Int)] = []
            var need = reach
            var k = chain.count - 1
            while k >= 0, need > 0 {
                let end = chain[k].end
                var (scalars, visible) = suffix(chain[k].piece.text, before: end.index, visible: need)
                if end.space { scalars.append(" ") }
                parts.insert((k, scalars, end.gap - (end.space ? 1 : 0)), at: 0)
                need -= visible
                k -= 1
            }
            let tail = parts.flatMap(\.scalars)
            let start = leadingEdge(piece.text)
            var head: [Unicode.Scalar] = start.space ? [" "] : []
            head += prefix(piece.text, from: start.index, visible: reach)
            // Head offsets past the padding the head does not hold.
            let headSkipped = start.gap - (start.space ? 1 : 0)
            for finding in classifier.findings(across: String(String.UnicodeScalarView(tail)), String(String.UnicodeScalarView(head))) {
                if finding.start >= tail.count {
                    labelled.append(
                        Labelled(
                            piece: piece,
                            finding: Finding(
                                type: finding.type, start: finding.start - tail.count + headSkipped, end: finding.end - tail.count + headSkipped,
                                score: finding.score)
                        ))
                    continue
                }
                guard finding.score >= 0.5 else { continue }
                // The part the value starts in, and its offset there.
                var p = 0
                var offset = finding.start
                while offset >= parts[p].scalars.count {
                    offset -= parts[p].scalars.count
                    p += 1
                }
                let spanned = parts[p...].map { chain[$0.chainIndex].piece }
                let lengths = spanned.map { Screening.scalarCount($0.text) }
                // The part is the end of its string (but the padding it skipped): where it starts there.
                let from = lengths[0] - parts[p].scalars.count - parts[p].skipped
                crossing.append(
                    Crossing(
                        ordinals: spanned.map(\.ordinal) + [piece.ordinal],
                        finding: Finding(
                            type: finding.type, start: from + offset, end: lengths.reduce(0, +) + finding.end - tail.count + headSkipped,
                            score: finding.score)
                    ))
            }
            // Strings this window did not reach, the next one will not either.
            if k >= 0 { chain.removeFirst(k + 1) }
            chain.append((piece, trailingEdge(piece.text)))
        }
        return (crossing, labelled)
    }

    /// Where a string's visible text ends (or starts): the index there, how many whitespace and
    /// invisible characters lie beyond it, and whether one of them is whitespace (read as one space).
    struct Edge {
        var index: String.UnicodeScalarView.Index
        var gap: Int
        var space: Bool
    }

    static func trailingEdge(_ text: String) -> Edge {
        let scalars = text.unicodeScalars
        var index = scalars.endIndex
        var edge = Edge(index: index, gap: 0, space: false)
        while index > scalars.startIndex {
            let before = scalars.index(before: index)
            guard Classifier.isGap(scalars[before]) else { break }
            edge.space = edge.space || !Classifier.isInvisible(scalars[before])
            edge.gap += 1
            index = before
        }
        edge.index = index
        return edge
    }

    static func leadingEdge(_ text: String) -> Edge {
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        var edge = Edge(index: index, gap: 0, space: false)
        while index < scalars.endIndex, Classifier.isGap(scalars[index]) {
            edge.space = edge.space || !Classifier.isInvisible(scalars[index])
            edge.gap += 1
            index = scalars.index(after: index)
        }
        edge.index = index
        return edge
    }

    /// The end of `text` before `end` holding `visible` characters that are not whitespace or
    /// invisible (fewer if it is shorter; at most `scanLimit` characters looked at): its scalars
    /// and how many visible ones they hold.
    static func suffix(_ text: String, before end: String.UnicodeScalarView.Index, visible wanted: Int) -> (scalars: [Unicode.Scalar], visible: Int) {
        var taken: [Unicode.Scalar] = []
        var visible = 0
        var index = end
        while index > text.unicodeScalars.startIndex, visible < wanted, taken.count < scanLimit {
            index = text.unicodeScalars.index(before: index)
            let c = text.unicodeScalars[index]
            taken.append(c)
            if !Classifier.isGap(c) { visible += 1 }
        }
        taken.reverse()
        return (taken, visible)
    }

    /// The start of `text` from `start` holding `visible` visible characters (at most `scanLimit`
    /// looked at).
    static func prefix(_ text: String, from start: String.UnicodeScalarView.Index, visible wanted: Int) -> [Unicode.Scalar] {
        var taken: [Unicode.Scalar] = []
        var visible = 0
        for c in text.unicodeScalars[start...] {
            guard visible < wanted, taken.count < scanLimit else { break }
            taken.append(c)
            if !Classifier.isGap(c) { visible += 1 }
        }
        return taken
    }
}
