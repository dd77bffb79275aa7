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
        // The strings whose ends the next window may read, oldest first.
        var chain: [Piece] = []
        for piece in pieces where !Classifier.isBlank(piece.text) {
            guard let last = chain.last, Classifier.mayContinue(last.text, piece.text) else {
                chain = [piece]
                continue
            }
            // The tail: the ends of the chain's strings, newest last, `reach` visible characters in all.
            var parts: [(chainIndex: Int, scalars: [Unicode.Scalar])] = []
            var need = reach
            var k = chain.count - 1
            while k >= 0, need > 0 {
                let (scalars, visible) = suffix(chain[k].text, visible: need)
                parts.insert((k, scalars), at: 0)
                need -= visible
                k -= 1
            }
            let tail = parts.flatMap(\.scalars)
            let head = prefix(piece.text, visible: reach)
            for finding in classifier.findings(across: String(String.UnicodeScalarView(tail)), String(String.UnicodeScalarView(head))) {
                if finding.start >= tail.count {
                    labelled.append(
                        Labelled(
                            piece: piece,
                            finding: Finding(
                                type: finding.type, start: finding.start - tail.count, end: finding.end - tail.count, score: finding.score)
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
                let spanned = parts[p...].map { chain[$0.chainIndex] }
                let lengths = spanned.map { Screening.scalarCount($0.text) }
                // The part is the end of its string: where it starts there.
                let from = lengths[0] - parts[p].scalars.count
                crossing.append(
                    Crossing(
                        ordinals: spanned.map(\.ordinal) + [piece.ordinal],
                        finding: Finding(
                            type: finding.type, start: from + offset, end: lengths.reduce(0, +) + finding.end - tail.count, score: finding.score)
                    ))
            }
            // Strings this window did not reach, the next one will not either.
            if k >= 0 { chain.removeFirst(k + 1) }
            chain.append(piece)
        }
        return (crossing, labelled)
    }

    /// The end of `text` holding `visible` characters that are not whitespace or invisible (fewer
    /// if it is shorter; at most `scanLimit` characters looked at): its scalars and how many visible
    /// ones they hold.
    static func suffix(_ text: String, visible wanted: Int) -> (scalars: [Unicode.Scalar], visible: Int) {
        var taken: [Unicode.Scalar] = []
        var visible = 0
        var index = text.unicodeScalars.endIndex
        while index > text.unicodeScalars.startIndex, visible < wanted, taken.count < scanLimit {
            index = text.unicodeScalars.index(before: index)
            let c = text.unicodeScalars[index]
            taken.append(c)
            if !Classifier.isGap(c) { visible += 1 }
        }
        taken.reverse()
        return (taken, visible)
    }

    /// The start of `text` holding `visible` visible characters (at most `scanLimit` looked at).
    static func prefix(_ text: String, visible wanted: Int) -> [Unicode.Scalar] {
        var taken: [Unicode.Scalar] = []
        var visible = 0
        for c in text.unicodeScalars {
            guard visible < wanted, taken.count < scanLimit else { break }
            taken.append(c)
            if !Classifier.isGap(c) { visible += 1 }
        }
        return taken
    }
}
