import LumenClassifier

/// What kind of text is being restored.
package enum RestorationFormat: String, Sendable, Hashable, Codable {
    /// Message content: placeholders are replaced by their values verbatim.
    case text
    /// Tool-call arguments (JSON text): placeholders are replaced only inside JSON strings, with
    /// the value escaped for JSON; placeholders outside strings are left as they are and counted as mangled.
    case jsonArguments
}

/// What restoration did, for the audit log. Counts only, never values.
package struct RestorationStats: Sendable, Hashable, Codable {
    /// Placeholders replaced by their values, keyed by `FindingType.rawValue`.
    package var restored: [String: Int]
    /// Placeholder-like text left as is, keyed by the `FindingType.rawValue` its name belongs to:
    /// wrong case (`[Email_1]`), wrong separator (`[EMAIL 1]`, `[EMAIL-1]`, `[EMAIL1]`), missing
    /// brackets (`EMAIL_1`, upper-case only), never issued (`[EMAIL_9]`), or outside a JSON string.
    package var mangled: [String: Int]
    /// Escaped literals (`[ESC_EMAIL_1]`) turned back into what the user wrote.
    package var escapedLiterals: Int

    package init(restored: [String: Int] = [:], mangled: [String: Int] = [:], escapedLiterals: Int = 0) {
        self.restored = restored
        self.mangled = mangled
        self.escapedLiterals = escapedLiterals
    }

    package var totalRestored: Int { restored.values.reduce(0, +) }
    package var totalMangled: Int { mangled.values.reduce(0, +) }

    /// Adds the counts of `other` (e.g. per message or per tool call) to these.
    package mutating func merge(_ other: RestorationStats) {
        restored.merge(other.restored, uniquingKeysWith: +)
        mangled.merge(other.mangled, uniquingKeysWith: +)
        escapedLiterals += other.escapedLiterals
    }
}

/// A whole restored text and what restoration did.
package struct RestoredText: Sendable, Hashable {
    package var text: String
    package var stats: RestorationStats

    package init(text: String, stats: RestorationStats) {
        self.text = text
        self.stats = stats
    }
}

extension RedactionSession {
    /// Restores a whole answer (message content, or tool-call arguments with `.jsonArguments`).
    package func restore(_ text: String, format: RestorationFormat = .text) -> RestoredText {
        var restorer = StreamingRestorer(session: self, format: format)
        var result = restorer.push(text)
        result += restorer.finish()
        return RestoredText(text: result, stats: restorer.stats)
    }

    /// A restorer for one streamed text (one message's content deltas, or one tool call's argument deltas).
    package func makeStreamingRestorer(format: RestorationFormat = .text) -> StreamingRestorer {
        StreamingRestorer(session: self, format: format)
    }
}

/// Restores placeholders in a streamed answer. Push each text delta; the result is the text that is
/// safe to emit now. Only a suffix that is a proper prefix of an issued placeholder is held back
/// (e.g. `[EM` while `[EMAIL_1]` was issued), so at most `longestPlaceholderLength - 1` scalars;
/// any other text, including a `[` that cannot start an issued placeholder, goes out at once.
/// Call `finish()` at the end of the stream to flush what is held.
package struct StreamingRestorer: Sendable {
    package let format: RestorationFormat
    /// Counts so far (complete after `finish()`).
    package private(set) var stats = RestorationStats()

    private let session: RedactionSession
    private var pending = String.UnicodeScalarView()
    private var pendingCount = 0
    private var node = PlaceholderTrie.root
    private var inString = false
    private var escapeNext = false
    private var scanner = MangledScanner()

    package init(session: RedactionSession, format: RestorationFormat = .text) {
        self.session = session
        self.format = format
    }

    /// Unicode scalars currently held back.
    package var heldBackCount: Int { pendingCount }

    /// The most this restorer can ever hold back, in Unicode scalars.
    package var maximumHoldBack: Int { max(0, session.longestPlaceholderLength - 1) }

    /// Feeds one delta; returns the text to emit now (possibly empty).
    package mutating func push(_ delta: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in delta.unicodeScalars {
            let restorable = format == .text || (inString && !escapeNext)
            scanner.consume(scalar, restorable: restorable, session: session, stats: &stats)
            feed(scalar, restorable: restorable, into: &output)
        }
        return String(output)
    }

    /// Ends the stream: returns whatever was held back. The restorer can then be reused for a new stream.
    package mutating func finish() -> String {
        scanner.finish(session: session, stats: &stats)
        let output = String(pending)
        pending = String.UnicodeScalarView()
        pendingCount = 0
        node = PlaceholderTrie.root
        inString = false
        escapeNext = false
        return output
    }

    @inline(__always)
    private mutating func feed(_ scalar: Unicode.Scalar, restorable: Bool, into output: inout String.UnicodeScalarView) {
        if pendingCount > 0 {
            if let next = session.trie.next(node, scalar.value) {
                if let entry = session.trie.entry(at: next) {
                    emit(entry, into: &output)
                    pending.removeAll(keepingCapacity: true)
                    pendingCount = 0
                    node = PlaceholderTrie.root
                } else {
                    pending.append(scalar)
                    pendingCount += 1
                    node = next
                }
                return
            }
            // Not a placeholder after all; placeholder characters never change the JSON state.
            output.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            pendingCount = 0
            node = PlaceholderTrie.root
        }
        if scalar == "[", restorable, let next = session.trie.next(PlaceholderTrie.root, scalar.value) {
            pending.append(scalar)
            pendingCount = 1
            node = next
            return
        }
        output.append(scalar)
        if format == .jsonArguments { updateJSONState(scalar) }
    }

    private mutating func emit(_ entry: Int, into output: inout String.UnicodeScalarView) {
        let placeholder = session.entries[entry]
        if let type = placeholder.type {
            stats.restored[type.rawValue, default: 0] += 1
        } else {
            stats.escapedLiterals += 1
        }
        switch format {
        case .text: output.append(contentsOf: placeholder.value.unicodeScalars)
        case .jsonArguments: JSONEscaping.appendEscaped(placeholder.value, to: &output)
        }
    }

    @inline(__always)
    private mutating func updateJSONState(_ scalar: Unicode.Scalar) {
        if inString {
            if escapeNext {
                escapeNext = false
            } else if scalar == "\\" {
                escapeNext = true
            } else if scalar == "\"" {
                inString = false
            }
        } else if scalar == "\"" {
            inString = true
        }
    }
}

/// JSON string escaping for restored values.
enum JSONEscaping {
    static func appendEscaped(_ value: String, to output: inout String.UnicodeScalarView) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: #"\""#.unicodeScalars)
            case "\\": output.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": output.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": output.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": output.append(contentsOf: #"\t"#.unicodeScalars)
            case "\u{08}": output.append(contentsOf: #"\b"#.unicodeScalars)
            case "\u{0C}": output.append(contentsOf: #"\f"#.unicodeScalars)
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
                } else {
                    output.append(scalar)
                }
            }
        }
    }
}

/// Counts mangled placeholders in the raw upstream text, one scalar at a time (it never delays output).
/// Works on ASCII words (`[A-Za-z0-9_]+`) with one scalar of context on each side.
struct MangledScanner: Sendable {
    private static let maxWord = 64

    private var previous: Unicode.Scalar?
    private var previousRestorable = true
    private var word: [UInt8] = []
    private var wordLeft: Unicode.Scalar?
    private var wordLeftRestorable = true
    private var overflow = false
    /// `[NAME` followed by a space or hyphen: waiting for digits and `]`.
    private var separated: (type: FindingType, sawDigit: Bool)?

    @inline(__always)
    private static func isWord(_ value: UInt32) -> Bool {
        (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) || (0x30...0x39).contains(value) || value == 0x5F
    }

    mutating func consume(_ scalar: Unicode.Scalar, restorable: Bool, session: RedactionSession, stats: inout RestorationStats) {
        if let pendingSeparated = separated {
            if PlaceholderCatalogue.isDigit(scalar.value) {
                separated = (pendingSeparated.type, true)
            } else {
                if scalar == "]" && pendingSeparated.sawDigit { stats.mangled[pendingSeparated.type.rawValue, default: 0] += 1 }
                separated = nil
            }
        }
        if Self.isWord(scalar.value) {
            if word.isEmpty && !overflow {
                wordLeft = previous
                wordLeftRestorable = previousRestorable
            }
            if word.count < Self.maxWord {
                word.append(UInt8(scalar.value))
            } else {
                overflow = true
            }
        } else if !word.isEmpty || overflow {
            endWord(right: scalar, session: session, stats: &stats)
        }
        previous = scalar
        previousRestorable = restorable
    }

    mutating func finish(session: RedactionSession, stats: inout RestorationStats) {
        if !word.isEmpty || overflow { endWord(right: nil, session: session, stats: &stats) }
        self = MangledScanner()
    }

    private mutating func endWord(right: Unicode.Scalar?, session: RedactionSession, stats: inout RestorationStats) {
        defer {
            word.removeAll(keepingCapacity: true)
            overflow = false
        }
        guard !overflow else { return }
        let text = String(decoding: word, as: UTF8.self)
        let upper = text.uppercased()
        let bracketed = wordLeft == "[" || wordLeft == "(" || wordLeft == "{" || wordLeft == "<"
        let squared = wordLeft == "[" && right == "]"

        // NAME_N in any case: `[Email_1]`, `EMAIL_1`, `[EMAIL_9]`.
        if let underscore = upper.lastIndex(of: "_") {
            let name = upper[..<underscore]
            let digits = upper[upper.index(after: underscore)...]
            if !name.isEmpty, !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                let type = session.knownNames[String(name)]
            {
                guard text == upper || bracketed else { return }
                if squared && wordLeftRestorable && session.indexByKey["[" + text + "]"] != nil { return }
                stats.mangled[type.rawValue, default: 0] += 1
                return
            }
        }
        // `[EMAIL1]`.
        if squared, let firstDigit = upper.firstIndex(where: \.isNumber), firstDigit != upper.startIndex,
            upper[firstDigit...].allSatisfy(\.isNumber), session.knownNames[String(upper[..<firstDigit])] != nil
        {
            stats.mangled[session.knownNames[String(upper[..<firstDigit])]!.rawValue, default: 0] += 1
            return
        }
        // `[EMAIL 1]`, `[EMAIL-1]`: decided when the digits and `]` arrive.
        if wordLeft == "[", right == " " || right == "-", let type = session.knownNames[upper] {
            separated = (type, false)
        }
    }
}
