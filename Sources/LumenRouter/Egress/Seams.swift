import LumenClassifier

/// Values cut between strings a model reads as one text: two parts of a turn, two turns, a tool
/// result and the next turn, a document pasted in chunks ("my SSN is 078-05-", "1120"; or in three
/// pieces; or with an empty or invisible part between them). Each string of the request is screened
/// alone; this reads the joins: up to `reach` visible characters of what came before (across as
/// many strings as it takes, blank ones read through) beside the start of the next string, padding
/// of any length read through (each string's ends are read once: linear in the request).
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

    /// The end or the start of a string as a join's window reads it: up to `reach` visible
    /// characters, each run of whitespace and invisible characters between them read as one space
    /// (or nothing, when it is all invisible), each scalar with its offset in the string. Found once
    /// per string, however long its padding: padding between a value's halves is read through.
    struct View {
        var scalars: [Unicode.Scalar] = []
        var offsets: [Int] = []
        /// How many of `scalars` are visible (not the spaces that stand for padding).
        var visible = 0

        /// The end of `text`, oldest scalar first.
        static func tail(_ text: String) -> View {
            var view = View()
            let scalars = Array(text.unicodeScalars)
            var k = scalars.count - 1
            var gap: Int?
            while k >= 0, view.visible < reach {
                view.read(scalars[k], at: k, gap: &gap)
                k -= 1
            }
            if let gap { view.append(" ", at: gap) }
            view.scalars.reverse()
            view.offsets.reverse()
            return view
        }

        /// The start of `text`.
        static func head(_ text: String) -> View {
            var view = View()
            var gap: Int?
            for (k, c) in text.unicodeScalars.enumerated() {
                guard view.visible < reach else { break }
                view.read(c, at: k, gap: &gap)
            }
            return view
        }

        /// Reads scalar `c`, at offset `k` of its string: a gap is remembered (the offset of the
        /// run's first whitespace, in reading order); a visible one follows the space that stands
        /// for the gaps read since the last, if they had whitespace.
        private mutating func read(_ c: Unicode.Scalar, at k: Int, gap: inout Int?) {
            if Classifier.isGap(c) {
                if !Classifier.isInvisible(c), gap == nil { gap = k }
                return
            }
            if let space = gap {
                append(" ", at: space)
                gap = nil
            }
            append(c, at: k)
            visible += 1
        }

        private mutating func append(_ c: Unicode.Scalar, at k: Int) {
            scalars.append(c)
            offsets.append(k)
        }

        /// The end of this view holding `wanted` visible characters (and the space before them, if
        /// any: every space of a view stands for a run of gaps, none is visible).
        func suffix(visible wanted: Int) -> View {
            guard wanted < visible else { return self }
            var count = 0
            var k = scalars.count
            while k > 0, count < wanted {
                k -= 1
                if scalars[k] != " " { count += 1 }
            }
            if k > 0, scalars[k - 1] == " " { k -= 1 }
            return View(scalars: Array(scalars[k...]), offsets: Array(offsets[k...]), visible: count)
        }
    }

    /// The values across the joins of `pieces`. Crossing findings scored under 0.5 are left out (a
    /// documentation address run across a join is no reason to keep a request local).
    static func find(_ pieces: [Piece], classifier: Classifier) -> (crossing: [Crossing], labelled: [Labelled]) {
        var crossing: [Crossing] = []
        var labelled: [Labelled] = []
        // The strings whose ends the next window may read, oldest first, with the view of their end.
        var chain: [(piece: Piece, tail: View)] = []
        for piece in pieces where !Classifier.isBlank(piece.text) {
            guard let last = chain.last, Classifier.mayContinue(last.piece.text, piece.text) else {
                chain = [(piece, View.tail(piece.text))]
                continue
            }
            // The tail: the ends of the chain's strings, newest last, `reach` visible characters in all.
            var parts: [(chainIndex: Int, view: View)] = []
            var need = reach
            var k = chain.count - 1
            while k >= 0, need > 0 {
                let part = chain[k].tail.suffix(visible: need)
                parts.insert((k, part), at: 0)
                need -= part.visible
                k -= 1
            }
            let tail = parts.flatMap(\.view.scalars)
            let head = View.head(piece.text)
            for finding in classifier.findings(across: String(String.UnicodeScalarView(tail)), String(String.UnicodeScalarView(head.scalars))) {
                // The end, in the head's string (after the scalar the finding ends with).
                let endInHead = head.offsets[min(finding.end - tail.count, head.offsets.count) - 1] + 1
                if finding.start >= tail.count {
                    labelled.append(
                        Labelled(
                            piece: piece,
                            finding: Finding(
                                type: finding.type, start: head.offsets[finding.start - tail.count], end: endInHead, score: finding.score)
                        ))
                    continue
                }
                guard finding.score >= 0.5 else { continue }
                // The part the value starts in, and its offset there.
                var p = 0
                var offset = finding.start
                while offset >= parts[p].view.scalars.count {
                    offset -= parts[p].view.scalars.count
                    p += 1
                }
                let spanned = parts[p...].map { chain[$0.chainIndex].piece }
                let lengths = spanned.map { Screening.scalarCount($0.text) }
                crossing.append(
                    Crossing(
                        ordinals: spanned.map(\.ordinal) + [piece.ordinal],
                        finding: Finding(
                            type: finding.type, start: parts[p].view.offsets[offset], end: lengths.reduce(0, +) + endInHead, score: finding.score)
                    ))
            }
            // Strings this window did not reach, the next one will not either.
            if k >= 0 { chain.removeFirst(k + 1) }
            chain.append((piece, View.tail(piece.text)))
        }
        return (crossing, labelled)
    }
}
