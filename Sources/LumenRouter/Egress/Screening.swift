import Foundation
public import LumenClassifier
public import LumenCore
public import LumenPolicy
public import LumenRedaction

/// A request as the router screened it: the members it dropped, every string of its outbound body,
/// and one classification over all of them, each finding with its location.
public struct ScreenedRequest: Sendable {
    /// The request with undocumented members removed: what any target's body is built from.
    public var request: ChatCompletionRequest
    /// Members that were dropped (`foo`, `messages[1].bar`), for the `x-lumen-dropped-fields` header.
    public var droppedFields: [String]
    /// Every string of the request's outbound body in the OpenAI chat format (the canonical one).
    public var strings: [OutboundString]
    /// Classification over all screened strings: findings carry their location and offsets into
    /// the string at that location; difficulty is the last user turn's.
    public var classification: Classification
    /// Field paths of content that cannot be screened.
    public var binaryParts: [String]
    /// Each distinct screened string, numbered, and its findings (offsets into the string): reused
    /// when a target's own body is checked before it leaves.
    let slotOfText: [String: Int]
    let findingsBySlot: [[Finding]]

    /// The findings of a string the screen read, or nil when it did not read that string.
    func findings(ofScreened text: String) -> [Finding]? {
        slotOfText[text].map { findingsBySlot[$0] }
    }

    /// Every distinct string the screen classified.
    public var screenedTexts: Set<String> { Set(slotOfText.keys) }
    /// The text a located finding covers (for value digests in the audit log; never logged itself).
    public func value(of finding: Finding) -> String? {
        guard let path = finding.location?.path, let string = strings.first(where: { $0.location == path }) else { return nil }
        let scalars = Array(string.text.unicodeScalars)
        guard finding.start >= 0, finding.end <= scalars.count, finding.start < finding.end else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[finding.start..<finding.end])
        return String(view)
    }
}

/// What may leave for one target, after the last check of its body.
public enum EgressOutcome: Sendable {
    /// Send this body. `redaction` is set when values were pseudonymised (restore them in the answer).
    case send(OutboundBody, redaction: RedactionSession?, redactedTypes: Set<FindingType>)
    /// Nothing may leave to this target; serve the request locally.
    case local(String)
    /// The request must be refused.
    case block(String)
}

/// The privacy screen over "what leaves" (STYLE §12): it reads the outbound body that the providers
/// encode and send, through `OutboundStrings`, never a separate walk of the request.
public enum Screening {
    /// Top-level members accepted from a chat completions client: OpenAI's documented parameters plus
    /// those the Anthropic translation passes on.
    public static let acceptedFields = OpenAIChatWire.documentedFields.union(AnthropicTranslation.passThroughExtras)

    /// Removes members that no upstream API documents (top level and per message), or refuses the
    /// request under `strict`.
    public static func normalise(_ request: ChatCompletionRequest, mode: UnknownFieldsMode) throws(RouterError)
        -> (request: ChatCompletionRequest, dropped: [String])
    {
        var request = request
        var dropped: [String] = []
        for key in request.extra.keys.sorted() where !acceptedFields.contains(key) {
            request.extra[key] = nil
            dropped.append(key)
        }
        for index in request.messages.indices where !request.messages[index].extra.isEmpty {
            for key in request.messages[index].extra.keys.sorted() where !OpenAIChatWire.documentedMessageFields.contains(key) {
                request.messages[index].extra[key] = nil
                dropped.append("messages[\(index)].\(key)")
            }
        }
        if mode == .strict, !dropped.isEmpty {
            throw .invalidRequest(
                "Unknown request field\(dropped.count == 1 ? "" : "s") \(dropped.joined(separator: ", ")): this policy accepts only documented fields (egress.unknown_fields: strict).",
                param: dropped.first, code: "unknown_field"
            )
        }
        return (request, dropped)
    }

    /// Normalises and screens a request: every string of its outbound body is classified in one pass.
    public static func screen(_ request: ChatCompletionRequest, classifier: Classifier, unknownFields: UnknownFieldsMode) throws(RouterError)
        -> ScreenedRequest
    {
        let (normalised, dropped) = try normalise(request, mode: unknownFields)
        let body = OutboundBody(format: .openAIChat, json: OpenAIChatWire.body(normalised, model: "", stream: normalised.isStreaming))
        let strings = OutboundStrings.of(body)

        // Distinct screened strings, joined with blank lines, each with the places it occurs.
        var slotOfText: [String: Int] = [:]
        var texts: [String] = []
        var places: [[Int]] = []
        var binary: [String] = []
        for (index, string) in strings.enumerated() {
            if string.kind == .binary { binary.append(string.location) }
            guard string.isScreened else { continue }
            if let slot = slotOfText[string.text] {
                places[slot].append(index)
            } else {
                slotOfText[string.text] = texts.count
                texts.append(string.text)
                places.append([index])
            }
        }
        var joined = ""
        var starts: [Int] = []
        var lengths: [Int] = []
        var offset = 0
        for text in texts {
            if !joined.isEmpty {
                joined += "\n\n"
                offset += 2
            }
            joined += text
            let length = text.unicodeScalars.count
            starts.append(offset)
            lengths.append(length)
            offset += length
        }
        let difficultyText = normalised.messages.last { $0.role == .user }?.text ?? ""
        var classification = classifier.classify(joined, difficultyText: difficultyText)

        // Each finding back to its string (clipped to it) and to every place that string occurs.
        var located: [Finding] = []
        var bySlot = [[Finding]](repeating: [], count: texts.count)
        for finding in classification.findings {
            guard let slot = slotContaining(finding.start, starts: starts, lengths: lengths) else { continue }
            let start = finding.start - starts[slot]
            let end = min(finding.end - starts[slot], lengths[slot])
            guard end > start else { continue }
            let relative = Finding(type: finding.type, start: start, end: end, score: finding.score)
            bySlot[slot].append(relative)
            for index in places[slot] {
                let string = strings[index]
                var copy = relative
                copy.location = FindingLocation(path: string.location, area: string.area, rewritable: string.isRewritable)
                located.append(copy)
            }
        }
        classification.findings = located
        return ScreenedRequest(
            request: normalised, droppedFields: dropped, strings: strings, classification: classification,
            binaryParts: binary, slotOfText: slotOfText, findingsBySlot: bySlot
        )
    }

    /// The slot whose text covers scalar offset `position` of the joined text.
    static func slotContaining(_ position: Int, starts: [Int], lengths: [Int]) -> Int? {
        var low = 0
        var high = starts.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if position < starts[mid] {
                high = mid - 1
            } else if position >= starts[mid] + lengths[mid] {
                low = mid + 1
            } else {
                return mid
            }
        }
        return nil
    }

    /// The last check of a target's body before it leaves, and its redaction.
    ///
    /// Every string of `body` is screened (findings reused from the request's screen, new strings such
    /// as a joined Anthropic system prompt classified now). A finding of a type the decision did not
    /// see keeps the request local: the decision must have seen everything that leaves. With
    /// `redact`, rewritable strings are pseudonymised together; a finding that `rules` would
    /// pseudonymise in a string that cannot be rewritten, or a pseudonymised value that also occurs in
    /// such a string, keeps the request local.
    public static func finalise(
        _ body: OutboundBody, screened: ScreenedRequest, redact: Bool, rules: RedactionRules, classifier: Classifier
    ) -> EgressOutcome {
        let decided = Set(screened.classification.findings.map(\.type))
        var rewritable: [(path: JSONPath, text: String, findings: [Finding])] = []
        var fixed: [(string: OutboundString, findings: [Finding])] = []
        for string in OutboundStrings.of(body) {
            switch string.kind {
            case .lumen:
                continue
            case .binary:
                if screened.binaryParts.isEmpty {
                    return .local("binary content at \(string.location) was not in the screened request")
                }
                continue
            case .text, .jsonText, .fixed:
                let findings = screened.findings(ofScreened: string.text) ?? classifier.findings(in: string.text)
                if let unseen = findings.first(where: { !decided.contains($0.type) }) {
                    return .local("the body for this target has \(unseen.type.rawValue) at \(string.location), which the decision did not see")
                }
                if string.isRewritable {
                    rewritable.append((string.path, string.text, findings))
                } else {
                    fixed.append((string, findings))
                }
            }
        }
        guard redact else { return .send(body, redaction: nil, redactedTypes: []) }

        for (string, findings) in fixed {
            for finding in findings {
                switch rules.action(for: finding.type) {
                case .keep: continue
                case .block: return .block("The request contains \(finding.type.rawValue), which this policy does not let leave the machine.")
                case .local, .pseudonymise: return .local("\(finding.type.rawValue) at \(string.location) cannot be rewritten")
                }
            }
        }
        let decision: RedactionDecision
        do {
            decision = try RedactionSession.decide(texts: rewritable.map(\.text), findings: rewritable.map(\.findings), rules: rules)
        } catch {
            // Privacy fails closed: nothing leaves when redaction cannot be computed.
            return .local("redaction failed: \(error.code.rawValue)")
        }
        switch decision {
        case .block(let types):
            return .block("The request contains \(types.map(\.rawValue).joined(separator: ", ")), which this policy does not let leave the machine.")
        case .local(let types):
            return .local("finding types \(types.map(\.rawValue).joined(separator: ", ")) must stay local")
        case .redacted(let session):
            for placeholder in session.placeholders {
                guard let value = session.originalValue(of: placeholder) else { continue }
                if let place = fixed.first(where: { containsWord($0.string.text, value) }) {
                    return .local("a pseudonymised value also occurs at \(place.string.location), which cannot be rewritten")
                }
            }
            var out = body
            for (index, text) in session.redactedTexts.enumerated() where text != rewritable[index].text {
                out.json.replaceString(at: rewritable[index].path, with: text)
            }
            let types = Set(rewritable.flatMap(\.findings).map(\.type).filter { rules.action(for: $0) == .pseudonymise })
            return .send(out, redaction: session, redactedTypes: types)
        }
    }

    /// Whether `value` occurs in `text` without a letter or digit right before or after it.
    static func containsWord(_ text: String, _ value: String) -> Bool {
        guard !value.isEmpty, text.count >= value.count else { return false }
        var searchStart = text.startIndex
        while let range = text.range(of: value, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let edgeOK: (Character?) -> Bool = { c in c.map { !($0.isLetter || $0.isNumber) || !$0.isASCII } ?? true }
            if edgeOK(before) && edgeOK(after) { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }
}
