package import LumenClassifier

/// Why a redaction request was rejected: the caller passed findings that do not fit the texts.
package struct RedactionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable error codes.
    package enum Code: String, Sendable, Hashable, Codable {
        /// `findings` does not have one list per text.
        case findingsCountMismatch
        /// A finding's range is empty, negative or past the end of its text.
        case invalidFindingRange
    }

    package var code: Code
    /// Human-readable detail (offsets and types, never the text).
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code.rawValue): \(message)" }
}

/// The answer to "may this request leave the machine, and as what?".
package enum RedactionDecision: Sendable {
    /// Send `session.redactedTexts` upstream (they may equal the inputs when nothing was
    /// pseudonymised) and restore the answer through `session`.
    case redacted(RedactionSession)
    /// Types whose action is `.local` occur: serve the request locally, unredacted.
    case local(types: [FindingType])
    /// Types whose action is `.block` occur: refuse the request. Wins over `.local`.
    case block(types: [FindingType])
}

/// What was pseudonymised in one request, for the audit log. Holds counts only, never values.
package struct RedactionStats: Sendable, Hashable, Codable {
    /// Counts for one finding type.
    package struct Counts: Sendable, Hashable, Codable {
        /// Distinct values (= distinct placeholders issued).
        package var values: Int
        /// Replaced spans, over all texts.
        package var occurrences: Int

        package init(values: Int = 0, occurrences: Int = 0) {
            self.values = values
            self.occurrences = occurrences
        }
    }

    /// Keyed by `FindingType.rawValue`.
    package var byType: [String: Counts]
    /// Placeholder-looking text the user wrote that was escaped (`[EMAIL_1]` → `[ESC_EMAIL_1]`).
    package var escapedLiterals: Int
    /// Occurrences found by value propagation rather than by the caller's findings (included in `byType`).
    package var propagatedOccurrences: Int

    package init(byType: [String: Counts] = [:], escapedLiterals: Int = 0, propagatedOccurrences: Int = 0) {
        self.byType = byType
        self.escapedLiterals = escapedLiterals
        self.propagatedOccurrences = propagatedOccurrences
    }

    package var totalValues: Int { byType.values.reduce(0) { $0 + $1.values } }
    package var totalOccurrences: Int { byType.values.reduce(0) { $0 + $1.occurrences } }
}

/// One issued placeholder: `key` (`[EMAIL_1]`) stands for `value`. `type` is nil for escaped literals.
struct PlaceholderEntry: Sendable {
    var key: String
    var value: String
    var type: FindingType?
}

/// One pseudonymised request: the redacted texts sent upstream and the placeholder table used to
/// restore the answer. Placeholders are consistent across all texts of the request (system, user,
/// earlier assistant turns, tool results) and numbered per name in order of first appearance, so
/// the same conversation prefix gets the same placeholders in the next request.
///
/// Rules:
/// - Same value, same placeholder: values are compared after per-type normalisation (emails and IP
///   addresses case-insensitive; phone, card and SSN numbers by digits only; IBAN, passport and
///   Chinese ID by letters and digits, upper-cased; secrets exactly; everything else with
///   whitespace collapsed, case-insensitive). The answer gets the first spelling seen.
/// - Overlapping findings: the longest span wins, then the higher score, then the earlier start,
///   then the type name; losers are dropped. The local/block decision still sees every finding.
/// - Literal placeholders: text the user wrote that has placeholder grammar `[NAME_N]` with a
///   known or issued `NAME` (or `ESC_` + such a name) is sent as `[ESC_NAME_N]` and restored
///   verbatim; issued numbers skip any `[NAME_N]` written literally, so a model that drops the
///   `ESC_` cannot turn the literal into somebody's value.
package struct RedactionSession: Sendable {
    /// The texts to send upstream, in input order.
    package let redactedTexts: [String]
    /// Counts for the audit log.
    package let stats: RedactionStats

    let entries: [PlaceholderEntry]
    let indexByKey: [String: Int]
    let trie: PlaceholderTrie
    /// Placeholder names (catalogue and issued) to their type, for counting mangled placeholders.
    let knownNames: [String: FindingType]

    /// Pseudonymises every finding whose type is in `pseudonymise`, across all `texts` together.
    /// `findings[i]` are the findings of `texts[i]` (Unicode-scalar offsets, end exclusive).
    package init(
        texts: [String],
        findings: [[Finding]],
        pseudonymise: Set<FindingType>,
        propagateValues: Bool = true
    ) throws(RedactionError) {
        let scalarTexts = texts.map { Array($0.unicodeScalars) }
        try Self.validate(scalarTexts, findings)
        self.init(validated: scalarTexts, findings: findings, pseudonymise: pseudonymise, propagateValues: propagateValues)
    }

    private init(validated scalarTexts: [[Unicode.Scalar]], findings: [[Finding]], pseudonymise: Set<FindingType>, propagateValues: Bool) {
        var builder = SessionBuilder(texts: scalarTexts)
        builder.selectFindings(findings.map { $0.filter { pseudonymise.contains($0.type) } })
        if propagateValues { builder.propagateValues() }
        builder.findLiterals()
        let built = builder.build()
        redactedTexts = built.texts
        stats = built.stats
        entries = built.entries
        var index: [String: Int] = [:]
        for (offset, entry) in built.entries.enumerated() { index[entry.key] = offset }
        indexByKey = index
        trie = PlaceholderTrie(keys: built.entries.map(\.key))
        knownNames = built.knownNames
    }

    /// Decides what may leave the machine under `rules`: `.block` if any finding's type is
    /// blocked, else `.local` if any must stay local (secrets by default), else the pseudonymised texts.
    package static func decide(
        texts: [String],
        findings: [[Finding]],
        rules: RedactionRules
    ) throws(RedactionError) -> RedactionDecision {
        let scalarTexts = texts.map { Array($0.unicodeScalars) }
        try validate(scalarTexts, findings)
        var blocked = Set<FindingType>()
        var local = Set<FindingType>()
        var pseudonymised = Set<FindingType>()
        for finding in findings.joined() {
            switch rules.action(for: finding.type) {
            case .block: blocked.insert(finding.type)
            case .local: local.insert(finding.type)
            case .pseudonymise: pseudonymised.insert(finding.type)
            case .keep: break
            }
        }
        if !blocked.isEmpty { return .block(types: blocked.sorted()) }
        if !local.isEmpty { return .local(types: local.sorted()) }
        return .redacted(
            RedactionSession(
                validated: scalarTexts,
                findings: findings,
                pseudonymise: pseudonymised,
                propagateValues: rules.propagateValues
            )
        )
    }

    /// `decide(texts:findings:rules:)` with findings from `classifier.findings(in:)` for each text.
    package static func decide(
        texts: [String],
        classifier: Classifier,
        rules: RedactionRules
    ) throws(RedactionError) -> RedactionDecision {
        try decide(texts: texts, findings: texts.map { classifier.findings(in: $0) }, rules: rules)
    }

    /// The issued placeholders (`[EMAIL_1]`, …) in order of issue, escapes excluded.
    package var placeholders: [String] { entries.compactMap { $0.type == nil ? nil : $0.key } }

    /// The original text a placeholder (or an escaped literal) stands for.
    package func originalValue(of placeholder: String) -> String? {
        indexByKey[placeholder].map { entries[$0].value }
    }

    /// The finding type of an issued placeholder; nil for escapes and unknown strings.
    package func type(of placeholder: String) -> FindingType? {
        indexByKey[placeholder].flatMap { entries[$0].type }
    }

    /// Length in Unicode scalars of the longest placeholder or escape; 0 when none was issued.
    /// A streaming restorer never holds back more than this minus one.
    package var longestPlaceholderLength: Int { trie.longestKey }

    private static func validate(_ texts: [[Unicode.Scalar]], _ findings: [[Finding]]) throws(RedactionError) {
        guard findings.count == texts.count else {
            throw RedactionError(
                code: .findingsCountMismatch,
                message: "expected one findings list per text: \(texts.count) texts, \(findings.count) lists"
            )
        }
        for (index, list) in findings.enumerated() {
            for finding in list where finding.start < 0 || finding.end <= finding.start || finding.end > texts[index].count {
                throw RedactionError(
                    code: .invalidFindingRange,
                    message: "text \(index): \(finding.type) finding [\(finding.start), \(finding.end)) does not fit "
                        + "a text of \(texts[index].count) Unicode scalars"
                )
            }
        }
    }
}

/// Builds a session: selects spans, propagates values, finds literals, issues placeholders.
private struct SessionBuilder {
    enum Kind {
        case value(FindingType, propagated: Bool)
        case literal
    }

    struct Segment {
        var start: Int
        var end: Int
        var kind: Kind
    }

    let texts: [[Unicode.Scalar]]
    /// Per text, sorted by start, non-overlapping.
    var segments: [[Segment]]

    init(texts: [[Unicode.Scalar]]) {
        self.texts = texts
        self.segments = Array(repeating: [], count: texts.count)
    }

    mutating func selectFindings(_ findings: [[Finding]]) {
        for (index, list) in findings.enumerated() {
            let ranked = list.sorted { a, b in
                let la = a.end - a.start
                let lb = b.end - b.start
                if la != lb { return la > lb }
                if a.score != b.score { return a.score > b.score }
                if a.start != b.start { return a.start < b.start }
                return a.type < b.type
            }
            var accepted: [Segment] = []
            for finding in ranked where !accepted.contains(where: { $0.start < finding.end && finding.start < $0.end }) {
                accepted.append(Segment(start: finding.start, end: finding.end, kind: .value(finding.type, propagated: false)))
            }
            segments[index] = accepted.sorted { $0.start < $1.start }
        }
    }

    private static func isLatinWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x2E80 && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }

    private static func matches(_ text: [Unicode.Scalar], at position: Int, _ surface: [Unicode.Scalar]) -> Bool {
        var offset = 0
        while offset < surface.count {
            if text[position + offset] != surface[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Finds further exact occurrences of each selected value, in the gaps between segments.
    mutating func propagateValues() {
        struct Surface {
            var scalars: [Unicode.Scalar]
            var type: FindingType
        }
        var seen = Set<String>()
        var surfaces: [Surface] = []
        for (index, list) in segments.enumerated() {
            for segment in list {
                guard case .value(let type, _) = segment.kind, segment.end - segment.start >= 2 else { continue }
                let scalars = Array(texts[index][segment.start..<segment.end])
                let id = type.rawValue + "\u{0}" + String(String.UnicodeScalarView(scalars))
                if seen.insert(id).inserted { surfaces.append(Surface(scalars: scalars, type: type)) }
            }
        }
        guard !surfaces.isEmpty else { return }
        surfaces.sort { $0.scalars.count > $1.scalars.count }
        var byFirst: [Unicode.Scalar: [Int]] = [:]
        // A 4096-bit filter on first scalars avoids a hash lookup at most positions.
        var filter = [UInt64](repeating: 0, count: 64)
        for (offset, surface) in surfaces.enumerated() {
            byFirst[surface.scalars[0], default: []].append(offset)
            let bit = Int(surface.scalars[0].value & 4095)
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }

        for index in texts.indices {
            let text = texts[index]
            let existing = segments[index]
            var added: [Segment] = []
            var position = 0
            var next = 0
            while position < text.count {
                while next < existing.count && existing[next].end <= position { next += 1 }
                if next < existing.count && existing[next].start <= position {
                    position = existing[next].end
                    continue
                }
                let limit = next < existing.count ? existing[next].start : text.count
                var matched = false
                let bit = Int(text[position].value & 4095)
                if filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0, let candidates = byFirst[text[position]] {
                    for candidate in candidates {
                        let surface = surfaces[candidate].scalars
                        let end = position + surface.count
                        guard end <= limit, Self.matches(text, at: position, surface) else { continue }
                        if position > 0 && Self.isLatinWord(surface[0]) && Self.isLatinWord(text[position - 1]) { continue }
                        if end < text.count && Self.isLatinWord(surface[surface.count - 1]) && Self.isLatinWord(text[end]) { continue }
                        added.append(Segment(start: position, end: end, kind: .value(surfaces[candidate].type, propagated: true)))
                        position = end
                        matched = true
                        break
                    }
                }
                if !matched { position += 1 }
            }
            if !added.isEmpty { segments[index] = (existing + added).sorted { $0.start < $1.start } }
        }
    }

    /// Names that can collide with issued placeholders: the catalogue's and those of the types present.
    var relevantNames: Set<String> {
        var names = Set(PlaceholderCatalogue.typeByName.keys)
        for list in segments {
            for segment in list {
                if case .value(let type, _) = segment.kind { names.insert(type.placeholderName) }
            }
        }
        return names
    }

    /// Literal placeholder-looking text (outside value segments) becomes a literal segment.
    mutating func findLiterals() {
        let names = relevantNames
        for index in texts.indices {
            let text = texts[index]
            let existing = segments[index]
            var added: [Segment] = []
            var next = 0
            var position = 0
            while position < text.count {
                while next < existing.count && existing[next].end <= position { next += 1 }
                if next < existing.count && existing[next].start <= position {
                    position = existing[next].end
                    continue
                }
                let limit = next < existing.count ? existing[next].start : text.count
                guard text[position] == "[" else {
                    position += 1
                    continue
                }
                var close = position + 1
                while close < limit && PlaceholderCatalogue.isUpperWordScalar(text[close].value) { close += 1 }
                if close < limit && text[close] == "]" && Self.isRelevantLiteral(text[(position + 1)..<close], names) {
                    added.append(Segment(start: position, end: close + 1, kind: .literal))
                    position = close + 1
                } else {
                    position += 1
                }
            }
            if !added.isEmpty { segments[index] = (existing + added).sorted { $0.start < $1.start } }
        }
    }

    private static func isRelevantLiteral(_ inner: ArraySlice<Unicode.Scalar>, _ names: Set<String>) -> Bool {
        let innerText = String(String.UnicodeScalarView(inner))
        guard let parts = PlaceholderCatalogue.splitStrict(innerText[...].unicodeScalars) else { return false }
        var name = parts.name
        while name.hasPrefix(PlaceholderCatalogue.escapePrefix) { name = name.dropFirst(PlaceholderCatalogue.escapePrefix.count) }
        return names.contains(String(name))
    }

    struct Built {
        var texts: [String]
        var entries: [PlaceholderEntry]
        var stats: RedactionStats
        var knownNames: [String: FindingType]
    }

    func build() -> Built {
        // Placeholders written literally: issued numbers skip them.
        var literalKeys = Set<String>()
        for (index, list) in segments.enumerated() {
            for segment in list where isLiteral(segment) {
                literalKeys.insert(String(String.UnicodeScalarView(texts[index][segment.start..<segment.end])))
            }
        }
        var knownNames = PlaceholderCatalogue.typeByName
        var entries: [PlaceholderEntry] = []
        var entryByGroup: [String: Int] = [:]
        var nextNumber: [String: Int] = [:]
        var stats = RedactionStats()
        var output: [String] = []
        output.reserveCapacity(texts.count)

        for (index, text) in texts.enumerated() {
            var result = String.UnicodeScalarView()
            var position = 0
            for segment in segments[index] {
                result.append(contentsOf: text[position..<segment.start])
                let surface = String(String.UnicodeScalarView(text[segment.start..<segment.end]))
                let key: String
                switch segment.kind {
                case .literal:
                    let escaped = "[" + PlaceholderCatalogue.escapePrefix + surface.dropFirst()
                    if entryByGroup["\u{1}" + escaped] == nil {
                        entryByGroup["\u{1}" + escaped] = entries.count
                        entries.append(PlaceholderEntry(key: escaped, value: surface, type: nil))
                    }
                    key = escaped
                    stats.escapedLiterals += 1
                case .value(let type, let propagated):
                    let group = type.rawValue + "\u{0}" + ValueNormalizer.key(surface, type: type)
                    if let existing = entryByGroup[group] {
                        key = entries[existing].key
                    } else {
                        let name = type.placeholderName
                        if knownNames[name] == nil { knownNames[name] = type }
                        var number = nextNumber[name, default: 1]
                        while literalKeys.contains("[\(name)_\(number)]") { number += 1 }
                        nextNumber[name] = number + 1
                        key = "[\(name)_\(number)]"
                        entryByGroup[group] = entries.count
                        entries.append(PlaceholderEntry(key: key, value: surface, type: type))
                        stats.byType[type.rawValue, default: RedactionStats.Counts()].values += 1
                    }
                    stats.byType[type.rawValue, default: RedactionStats.Counts()].occurrences += 1
                    if propagated { stats.propagatedOccurrences += 1 }
                }
                result.append(contentsOf: key.unicodeScalars)
                position = segment.end
            }
            result.append(contentsOf: text[position...])
            output.append(String(result))
        }
        return Built(texts: output, entries: entries, stats: stats, knownNames: knownNames)
    }

    private func isLiteral(_ segment: Segment) -> Bool {
        if case .literal = segment.kind { return true }
        return false
    }
}

/// A byte trie over the issued placeholder keys (all ASCII), for streaming prefix matching.
struct PlaceholderTrie: Sendable {
    /// Per node: outgoing edges packed as `byte << 24 | target`.
    private var edges: [[UInt32]] = [[]]
    /// Per node: index of the entry whose key ends here, or -1.
    private var terminal: [Int32] = [-1]
    private(set) var longestKey = 0

    init(keys: [String]) {
        for (entry, key) in keys.enumerated() {
            var node = 0
            for byte in key.utf8 {
                if let next = self.next(node, UInt32(byte)) {
                    node = next
                } else {
                    edges.append([])
                    terminal.append(-1)
                    edges[node].append(UInt32(byte) << 24 | UInt32(edges.count - 1))
                    node = edges.count - 1
                }
            }
            terminal[node] = Int32(entry)
            longestKey = max(longestKey, key.utf8.count)
        }
    }

    static let root = 0

    /// The child of `node` along `value` (a Unicode scalar value), if any.
    @inline(__always)
    func next(_ node: Int, _ value: UInt32) -> Int? {
        guard value < 0x80 else { return nil }
        for edge in edges[node] where edge >> 24 == value { return Int(edge & 0xFF_FFFF) }
        return nil
    }

    /// The entry whose key ends at `node`, if any.
    @inline(__always)
    func entry(at node: Int) -> Int? {
        let value = terminal[node]
        return value < 0 ? nil : Int(value)
    }
}
