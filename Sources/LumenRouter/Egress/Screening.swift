import Foundation
package import LumenClassifier
package import LumenCore
package import LumenPolicy
package import LumenRedaction

/// A request as the router screened it: the members it dropped, its outbound body, and one
/// classification over all the body's strings, each finding with its location.
package struct ScreenedRequest: Sendable {
    /// The client API the request came in through.
    package var api: InboundAPI
    /// The request with undocumented members removed: what any target's body is built from.
    package var request: ChatCompletionRequest
    /// The client's own body (Anthropic Messages): what an Anthropic target receives, passed through.
    package var native: OutboundBody?
    /// Headers a same-API target receives too.
    package var passThroughHeaders: [String: String]
    /// Members that were dropped (`foo`, `messages[1].bar`), for the `x-lumen-dropped-fields` header.
    package var droppedFields: [String]
    /// What was screened: the client's own body when it can be passed through (Anthropic Messages),
    /// else the conversation's body in the OpenAI chat format.
    package var body: OutboundBody
    /// Classification over all screened strings: findings carry their location and offsets into
    /// the string at that location; difficulty is the last user turn's.
    package var classification: Classification
    /// Field paths of content that cannot be screened.
    package var binaryParts: [String]
    /// The classified strings, numbered (slots), and their findings (offsets into the string): reused
    /// when a target's own body is checked before it leaves.
    let texts: [String]
    let findingsBySlot: [[Finding]]
    /// For each string of `body` in walk order: its text, slot (-1: not classified) and place.
    let ordinals: [Ordinal]

    struct Ordinal: Sendable {
        var text: String
        var slot: Int32
        var rewritable: Bool
        var area: TextArea
        /// Free text a model reads (for the injection screen).
        var readAsText: Bool
    }

    /// The findings of the string at `ordinal` of a body walked like `body` (same format), if it is
    /// the same string: the common case, found without hashing.
    ///
    /// Static over the arrays it reads: `finalise` calls it for every string of a body it walks, and
    /// a closure calling a method of a captured `ScreenedRequest` copied the whole request each time.
    static func findings(atOrdinal ordinal: Int, text: String, ordinals: [Ordinal], findingsBySlot: [[Finding]]) -> [Finding]? {
        guard ordinal < ordinals.count, ordinals[ordinal].text == text else { return nil }
        let slot = ordinals[ordinal].slot
        return slot >= 0 ? findingsBySlot[Int(slot)] : []
    }

    /// The findings of a string the screen read (none for the API's own words), or nil when it did
    /// not read it (`texts` and `findingsBySlot` of a screened request; `index` built on first use).
    static func findings(ofScreened text: String, texts: [String], findingsBySlot: [[Finding]], in index: inout [String: Int]?) -> [Finding]? {
        if Screening.isVocabulary(text) { return [] }
        if index == nil {
            var built: [String: Int] = [:]
            built.reserveCapacity(texts.count)
            for (slot, text) in texts.enumerated() { built[text] = built[text] ?? slot }
            index = built
        }
        return index?[text].map { findingsBySlot[$0] }
    }

    /// Every string of the screened body with its place (for `lumen route --explain`).
    package var strings: [OutboundString] { OutboundStrings.of(body) }

    /// Every distinct string the screen read.
    package var screenedTexts: Set<String> { Set(strings.filter(\.isScreened).map(\.text)) }

    /// The text a located finding covers (for value digests in the audit log; never logged itself).
    package func value(of finding: Finding) -> String? { valueReader()(finding) }

    /// `value(of:)` for many findings: each string is found and read into scalars once, on first
    /// use (once per finding was quadratic in a long text full of findings).
    package func valueReader() -> (Finding) -> String? {
        var strings: [OutboundString] = []
        var byPath: [String: Int]?
        var scalars: [Int: [Unicode.Scalar]] = [:]
        let screened = self
        return { finding in
            guard let path = finding.location?.path else { return nil }
            if byPath == nil {
                strings = screened.strings
                var index: [String: Int] = [:]
                for (k, string) in strings.enumerated() where index[string.location] == nil { index[string.location] = k }
                byPath = index
            }
            func read(_ k: Int) -> [Unicode.Scalar] {
                let text = scalars[k] ?? Array(strings[k].text.unicodeScalars)
                scalars[k] = text
                return text
            }
            if let k = byPath?[path] { return finding.text(in: read(k)) }
            // A value cut between strings: read from their concatenation.
            let parts = path.components(separatedBy: Screening.seamJoin)
            guard parts.count > 1 else { return nil }
            var joined: [Unicode.Scalar] = []
            for part in parts {
                guard let k = byPath?[part] else { return nil }
                joined += read(k)
            }
            return finding.text(in: joined)
        }
    }
}

/// What may leave for one target, after the last check of its body.
package enum EgressOutcome: Sendable {
    /// Send this body. `redaction` is set when values were pseudonymised (restore them in the answer).
    case send(OutboundBody, redaction: RedactionSession?, redactedTypes: Set<FindingType>)
    /// Nothing may leave to this target; serve the request locally.
    case local(String)
    /// The request must be refused.
    case block(String)
}

/// The privacy screen over "what leaves" (STYLE §12): it reads the outbound body that the providers
/// encode and send, through `OutboundStrings`, never a separate walk of the request.
package enum Screening {
    /// Top-level members accepted from a chat completions client: OpenAI's documented parameters plus
    /// those the Anthropic translation passes on.
    package static let acceptedFields = OpenAIChatWire.documentedFields.union(AnthropicTranslation.passThroughExtras)

    /// Removes members that no upstream API documents (top level and per message), or refuses the
    /// request under `strict`.
    package static func normalise(
        _ request: ChatCompletionRequest, mode: UnknownFieldsMode
    ) throws(RouterError)
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
        // A tool call's arguments are JSON in a string: escapes ("\u0040" for "@") hide a value
        // from the screen but not from the model that decodes them. They are written plainly (the
        // same JSON), so what is screened and rewritten is what the model reads.
        for m in request.messages.indices {
            guard var calls = request.messages[m].toolCalls else { continue }
            var changed = false
            for c in calls.indices {
                if let plain = plainJSON(calls[c].function.arguments) {
                    calls[c].function.arguments = plain
                    changed = true
                }
            }
            if changed { request.messages[m].toolCalls = calls }
        }
        return (request, dropped)
    }

    /// `text` (JSON) written again without escapes other than JSON needs, when it has some and
    /// parses; nil otherwise.
    static func plainJSON(_ text: String) -> String? {
        guard text.utf8.contains(0x5C), let value = try? WireJSON.decode(JSONValue.self, from: Array(text.utf8)),
            let bytes = try? WireJSON.encode(value)
        else { return nil }
        let plain = String(decoding: bytes, as: UTF8.self)
        return plain == text ? nil : plain
    }

    /// Words of the APIs themselves (member names, roles, part and schema types): strings made of
    /// one of them carry no client data and are not classified.
    static let vocabulary: Set<String> = [
        "model", "messages", "role", "content", "name", "tool_calls", "tool_call_id", "id", "type", "function", "arguments",
        "description", "parameters", "strict", "properties", "required", "items", "enum", "additionalProperties", "anyOf",
        "oneOf", "allOf", "title", "default", "format", "minimum", "maximum", "minLength", "maxLength", "minItems",
        "maxItems", "pattern", "const", "$defs", "definitions", "$ref", "$schema", "text", "image_url", "url", "detail",
        "input_audio", "data", "file", "file_data", "file_id", "file_url", "filename", "refusal", "audio", "temperature", "top_p",
        "max_tokens", "max_completion_tokens", "stop", "seed", "user", "n", "stream", "stream_options", "include_usage",
        "tools", "tool_choice", "response_format", "json_schema", "schema", "metadata", "logit_bias", "logprobs",
        "top_logprobs", "frequency_penalty", "presence_penalty", "parallel_tool_calls", "reasoning_effort", "service_tier",
        "store", "modalities", "prediction", "verbosity", "web_search_options", "prompt_cache_key", "safety_identifier",
        "system", "source", "media_type", "tool_use", "tool_result", "tool_use_id", "input", "input_schema",
        "stop_sequences", "top_k", "thinking", "budget_tokens", "signature", "cache_control", "is_error", "user_id",
        "disable_parallel_tool_use", "assistant", "tool", "developer", "input_text", "output_text", "object", "string",
        "integer", "number", "boolean", "array", "null", "auto", "none", "any", "json_object", "base64", "image", "low",
        "high", "enabled", "disabled", "ephemeral",
    ]

    static func isVocabulary(_ text: String) -> Bool {
        text.utf8.count <= 26 && vocabulary.contains(text)
    }

    /// Normalises and screens a request: every string of its outbound body is classified in one pass.
    /// With `screenInjection`, every free-text string a model would read as instructions or data
    /// (user turns and their parts, system prompts, tool results, tool descriptions) also goes
    /// through the prompt-injection screen, once per distinct text.
    package static func screen(
        _ request: ChatCompletionRequest, classifier: Classifier, unknownFields: UnknownFieldsMode, screenInjection: Bool = false
    ) throws(RouterError) -> ScreenedRequest {
        try screen(.chat(request), classifier: classifier, unknownFields: unknownFields, screenInjection: screenInjection)
    }

    /// Screens a request that came in through any client API.
    package static func screen(
        _ inbound: InboundRequest, classifier: Classifier, unknownFields: UnknownFieldsMode, screenInjection: Bool = false
    ) throws(RouterError) -> ScreenedRequest {
        if unknownFields == .strict, !inbound.unknownFields.isEmpty {
            throw .invalidRequest(
                "Unknown request field\(inbound.unknownFields.count == 1 ? "" : "s") \(inbound.unknownFields.joined(separator: ", ")): this policy accepts only documented fields (egress.unknown_fields: strict).",
                param: inbound.unknownFields.first, code: "unknown_field"
            )
        }
        let (normalised, droppedHere) = try normalise(inbound.conversation, mode: unknownFields)
        let dropped = inbound.unknownFields + inbound.dropped + droppedHere
        let body =
            inbound.native
            ?? OutboundBody(format: .openAIChat, json: OpenAIChatWire.body(normalised, model: "", stream: normalised.isStreaming))

        // Strings to classify, joined with a record separator (short ones, which repeat, once each);
        // for each string of the body in walk order, its text, its slot (-1: not classified) and place.
        var shortSlots: [String: Int] = [:]
        var texts: [String] = []
        var ordinals: [ScreenedRequest.Ordinal] = []
        ordinals.reserveCapacity(32)
        var binary: [String] = []
        var joined = ""
        // The free-text strings a model reads one after the other, whose joins are read again below
        // (`Seams`); an Anthropic request's top-level system prompt is read before its messages.
        var pieces: [Seams.Piece] = []
        var systemPieces: [Seams.Piece] = []
        // Values under a member name of the client's own JSON (an Anthropic tool_use input, metadata):
        // slot, name, value.
        var members: [(slot: Int32, name: String, value: String)] = []
        // Tokens a model reads that the classified text leaves out: the API's vocabulary ("type",
        // "object", "string") and the repeats of short strings, classified once.
        var unclassifiedTokens = 0
        OutboundStrings.walk(body) { path, text, isKey, kind, area in
            var slot: Int32 = -1
            switch kind {
            case .binary:
                binary.append(path.description)
            case .lumen:
                break
            case .text, .jsonText, .fixed:
                if isVocabulary(text) {
                    unclassifiedTokens += 1
                    break
                }
                let short = text.utf8.count <= Self.dedupLimit
                if short, let existing = shortSlots[text] {
                    slot = Int32(existing)
                    unclassifiedTokens += 1 + text.utf8.count / 5
                } else {
                    slot = Int32(texts.count)
                    if short { shortSlots[text] = texts.count }
                    texts.append(text)
                    if !joined.isEmpty { joined += Self.separator }
                    joined += text
                }
                // A short value under a member name of the client's own (not the API's): read again
                // as the member is written, below.
                if let name = Self.memberLabel(path, isKey: isKey, text: text) { members.append((slot, name, text)) }
                if kind == .text, !isKey, Self.seamAreas.contains(area), Self.isReadText(path) {
                    let piece = Seams.Piece(ordinal: ordinals.count, text: text, slot: slot)
                    if path.key(0) == "system" { systemPieces.append(piece) } else { pieces.append(piece) }
                }
            }
            ordinals.append(
                .init(
                    text: text, slot: slot, rewritable: !isKey && (kind == .text || kind == .jsonText), area: area,
                    readAsText: !isKey && kind == .text && Self.injectionAreas.contains(area)
                )
            )
        }
        let turns = Self.difficultyTurns(normalised)
        let difficultyText = DifficultyConversation.scoredText(turns)
        let topicText = turns.filter { $0.role != .assistant }.map(\.text).joined(separator: "\n\n")
        var classification = classifier.classify(joined, difficultyText: difficultyText, topicText: topicText)
        // Each string's place in the request (its quotes, key and separator, or a turn's markers) is
        // about two tokens more: tool schemas are half structure.
        classification.estimatedTokens += unclassifiedTokens + 2 * ordinals.count

        // Each finding back to its string (clipped to it) and to every place that string occurs.
        var bySlot = [[Finding]](repeating: [], count: texts.count)
        var pending: [(ordinal: Int, finding: Finding)] = []
        // The places of each slot, built on the first finding (a request with thousands of strings
        // and findings made this quadratic).
        var placesBySlot: [[Int]]?
        func record(_ finding: Finding, inSlot slot: Int) {
            bySlot[slot].append(finding)
            if placesBySlot == nil {
                var places = [[Int]](repeating: [], count: texts.count)
                for (ordinal, place) in ordinals.enumerated() where place.slot >= 0 { places[Int(place.slot)].append(ordinal) }
                placesBySlot = places
            }
            for ordinal in placesBySlot![slot] { pending.append((ordinal, finding)) }
        }
        var starts: [Int] = []
        var lengths: [Int] = []
        if !classification.findings.isEmpty {
            // Scalar offsets of the texts in the joined text, needed only to place findings.
            starts.reserveCapacity(texts.count)
            lengths.reserveCapacity(texts.count)
            var offset = 0
            for text in texts {
                let length = Self.scalarCount(text)
                starts.append(offset)
                lengths.append(length)
                offset += length + Self.separatorScalars
            }
        }
        for finding in classification.findings {
            guard let slot = slotContaining(finding.start, starts: starts, lengths: lengths) else { continue }
            let start = finding.start - starts[slot]
            let end = min(finding.end - starts[slot], lengths[slot])
            guard end > start else { continue }
            record(Finding(type: finding.type, start: start, end: end, score: finding.score), inSlot: slot)
        }
        // The injection screen: each distinct text a model reads once, its verdict at every place.
        var pendingInjections: [(ordinal: Int, assessment: InjectionAssessment)] = []
        if screenInjection {
            var assessed: [Int32: InjectionAssessment] = [:]
            for (ordinal, place) in ordinals.enumerated() where place.readAsText && place.slot >= 0 {
                let assessment = assessed[place.slot] ?? classifier.injection(in: texts[Int(place.slot)])
                assessed[place.slot] = assessment
                if assessment.score > 0 { pendingInjections.append((ordinal, assessment)) }
            }
        }
        // Values cut between strings, and values in a string that only the strings before it make
        // one (a label): the latter are the string's own findings from here on (redacted in place).
        let (crossing, labelled) = Seams.find(systemPieces + pieces, classifier: classifier)
        for value in labelled where value.piece.slot >= 0 {
            let slot = Int(value.piece.slot)
            guard !bySlot[slot].contains(where: { $0.type == value.finding.type && $0.start == value.finding.start && $0.end == value.finding.end })
            else { continue }
            record(value.finding, inSlot: slot)
        }
        // Values that their member's name makes one ("ssn": "536228714", "last_name": "Thornton"):
        // the string's own findings from here on (redacted in place where it may be rewritten; a
        // number cannot be, which keeps the request local).
        var named: [Finding] = []
        var readMembers = Set<String>()
        for member in members where readMembers.insert("\(member.slot)\u{1F}\(member.name)").inserted {
            let slot = Int(member.slot)
            for finding in Self.unseen(classifier.findings(ofMember: member.name, value: member.value), among: bySlot[slot]) {
                record(finding, inSlot: slot)
                named.append(finding)
            }
        }
        if !crossing.isEmpty || !labelled.isEmpty || !named.isEmpty {
            classification.sensitivity = Classifier.sensitivity(
                classification.sensitivity, adding: crossing.map(\.finding) + labelled.map(\.finding) + named)
        }
        var located: [Finding] = []
        var paths: [Int: String] = [:]
        if !pending.isEmpty || !pendingInjections.isEmpty || !crossing.isEmpty {
            // The paths of the strings with findings: a second walk, only when something was found.
            var wanted = Set(pending.map(\.ordinal)).union(pendingInjections.map(\.ordinal))
            for value in crossing { wanted.formUnion(value.ordinals) }
            var ordinal = 0
            OutboundStrings.walk(body) { path, _, isKey, _, _ in
                if wanted.remove(ordinal) != nil { paths[ordinal] = isKey ? "\(path)#key" : path.description }
                ordinal += 1
            }
            located.reserveCapacity(pending.count)
            for (ordinal, finding) in pending.sorted(by: { ($0.ordinal, $0.finding.start) < ($1.ordinal, $1.finding.start) }) {
                var copy = finding
                copy.location = FindingLocation(path: paths[ordinal] ?? "?", area: ordinals[ordinal].area, rewritable: ordinals[ordinal].rewritable)
                located.append(copy)
            }
            // A value cut between strings cannot be rewritten in place: redaction keeps the request local.
            for value in crossing {
                var copy = value.finding
                copy.location = FindingLocation(
                    path: value.ordinals.map { paths[$0] ?? "?" }.joined(separator: Self.seamJoin), area: ordinals[value.ordinals[0]].area,
                    rewritable: false)
                located.append(copy)
            }
        }
        classification.findings = located
        classification.injections = pendingInjections.map { ordinal, assessment in
            LocatedInjection(
                location: FindingLocation(path: paths[ordinal] ?? "?", area: ordinals[ordinal].area, rewritable: ordinals[ordinal].rewritable),
                assessment: assessment
            )
        }
        return ScreenedRequest(
            api: inbound.api, request: normalised, native: inbound.native, passThroughHeaders: inbound.passThroughHeaders,
            droppedFields: dropped, body: body, classification: classification,
            binaryParts: binary, texts: texts, findingsBySlot: bySlot, ordinals: ordinals
        )
    }

    /// The conversation as the difficulty model reads it: what the user asked (and, for a short
    /// follow-up, the turns it refers to), not the boilerplate an agent sends with every request —
    /// system prompts and tool schemas are left out, and so are `<system-reminder>` blocks that
    /// agent clients put into user turns.
    static func difficultyTurns(_ request: ChatCompletionRequest) -> [DifficultyTurn] {
        request.messages.compactMap { message in
            let role: DifficultyTurn.Role
            switch message.role {
            case .user: role = .user
            case .assistant: role = .assistant
            case .tool: role = .tool
            default: return nil
            }
            let segments = (message.content?.textSegments ?? []).filter { !isBoilerplate($0) }
            return DifficultyTurn(role: role, text: segments.joined(separator: "\n"))
        }
    }

    /// A block an agent client adds to a user turn for the model, not from the user.
    static func isBoilerplate(_ segment: String) -> Bool {
        let trimmed = segment.drop { $0.isWhitespace }
        return trimmed.hasPrefix("<system-reminder>") || trimmed.hasPrefix("<environment_context>") || trimmed.hasPrefix("<user_instructions>")
            || trimmed.hasPrefix("# AGENTS.md instructions")
    }

    /// The areas whose free text the injection screen reads: what a model takes as instructions or
    /// as data it might obey (not its own earlier turns, not metadata).
    static let injectionAreas: Set<TextArea> = [.user, .system, .toolResult, .toolDefinition]

    /// Between two strings of the body in the text classified at once: a blank line around U+001E,
    /// where a detector's look-back for a context word stops (a "token" in one string is no cue for
    /// an id in the next).
    static let separator = "\n\u{1E}\n"
    static let separatorScalars = 3

    /// The free-text areas whose consecutive strings a model reads as one text (the parts of a turn,
    /// the turns of a conversation), where a value split between two strings is looked for.
    static let seamAreas: Set<TextArea> = [.user, .system, .assistant, .toolResult]

    /// Whether the string at `path` is text of a turn (`content`, a part's `text`, Anthropic's
    /// top-level `system`), not a member beside it such as a participant's `name`.
    static func isReadText(_ path: JSONPath) -> Bool {
        guard case .key(let name)? = path.components.last else { return false }
        return name == "content" || name == "text" || (name == "system" && path.count == 1)
    }

    /// Between the paths of the strings a value cut between them was found across.
    package static let seamJoin = " + "

    /// The contents of the string literals of JSON `text`, as scalar offsets.
    static func stringLiterals(_ text: String) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start: Int?
        var escaped = false
        for (offset, c) in text.unicodeScalars.enumerated() {
            if let open = start {
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    out.append(open..<offset)
                    start = nil
                }
            } else if c == "\"" {
                start = offset + 1
            }
        }
        return out
    }

    /// The member name to read `text` beside: a short value's (`memberValueLimit`), under a member
    /// name of the client's own (`memberName`).
    static func memberLabel(_ path: JSONPath, isKey: Bool, text: String) -> String? {
        guard !isKey, text.utf8.count <= memberValueLimit else { return nil }
        return memberName(path)
    }

    /// The findings of `found` that `known` has none of the same type overlapping.
    static func unseen(_ found: [Finding], among known: [Finding]) -> [Finding] {
        found.filter { finding in !known.contains { $0.type == finding.type && $0.start < finding.end && $0.end > finding.start } }
    }

    /// The client's own member name a value is under (an array's elements under the array's: "ssn":
    /// ["536228714"]); nil for the API's own names ("content", "text", "arguments").
    static func memberName(_ path: JSONPath) -> String? {
        for component in path.components.reversed() {
            switch component {
            case .index: continue
            case .key(let name): return isVocabulary(name) ? nil : name
            }
        }
        return nil
    }

    /// Member values up to this many bytes are read again beside their member's name: a name is a
    /// label for a short value (an id, a phone number, a name), a long one has its own words.
    static let memberValueLimit = 256

    /// Strings up to this many bytes are classified once however often they occur (member names,
    /// roles, schema words repeat); longer ones are not hashed.
    static let dedupLimit = 64

    /// The number of Unicode scalars in `text`: its UTF-8 bytes minus the continuation bytes
    /// (`10xxxxxx`), counted eight bytes at a time.
    static func scalarCount(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var continuation = 0
            var i = 0
            let raw = UnsafeRawBufferPointer(bytes)
            while i + 8 <= bytes.count {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                continuation += (x & ~(x << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                i += 8
            }
            while i < bytes.count {
                if bytes[i] & 0xC0 == 0x80 { continuation += 1 }
                i += 1
            }
            return bytes.count - continuation
        }
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
    package static func finalise(
        _ body: OutboundBody, screened: ScreenedRequest, redact: Bool, rules: RedactionRules, classifier: Classifier
    ) -> EgressOutcome {
        let decided = Set(screened.classification.findings.map(\.type))
        var rewritable: [(path: JSONPath, text: String, findings: [Finding])] = []
        var fixedTexts: [(location: String, text: String)] = []
        var fixedFindings: [(location: String, findings: [Finding])] = []
        var index: [String: Int]?
        let sameFormat = body.format == screened.body.format
        var ordinal = 0
        var failure: EgressOutcome?
        // What the walk reads of the screened request, taken out once (see `findings(atOrdinal:…)`).
        let (ordinals, texts, findingsBySlot) = (screened.ordinals, screened.texts, screened.findingsBySlot)
        let screenedBinary = !screened.binaryParts.isEmpty
        // The classifier behind one closure made here: the walk's closure captured it by value and
        // copied it for every string.
        let classify = { (text: String) -> [Finding] in classifier.findings(in: text) }
        let readMember = { (name: String, text: String) -> [Finding] in classifier.findings(ofMember: name, value: text) }
        OutboundStrings.walk(body) { path, text, isKey, kind, _ in
            defer { ordinal += 1 }
            guard failure == nil else { return }
            switch kind {
            case .lumen:
                return
            case .binary:
                if !screenedBinary {
                    failure = .local("binary content at \(path) was not in the screened request")
                }
            case .text, .jsonText, .fixed:
                // Plain branches, not `??`: its autoclosures copied the classifier for every string.
                let findings: [Finding]
                if sameFormat,
                    let known = ScreenedRequest.findings(atOrdinal: ordinal, text: text, ordinals: ordinals, findingsBySlot: findingsBySlot)
                {
                    findings = known
                } else {
                    var found = ScreenedRequest.findings(ofScreened: text, texts: texts, findingsBySlot: findingsBySlot, in: &index) ?? classify(text)
                    // A value under a member name of this body's own (a tool call's arguments become an
                    // Anthropic tool_use input): read beside its name, as the screen reads its own.
                    if let name = Self.memberLabel(path, isKey: isKey, text: text) { found += Self.unseen(readMember(name, text), among: found) }
                    findings = found
                }
                if let unseen = findings.first(where: { !decided.contains($0.type) }) {
                    failure = .local("the body for this target has \(unseen.type.rawValue) at \(path), which the decision did not see")
                    return
                }
                guard redact else { return }
                if kind == .jsonText, !findings.isEmpty {
                    // JSON in a string is rewritten inside its strings only: a value written as a
                    // JSON number ({"ssn": 536228714}) would become invalid JSON, and stays local.
                    let strings = Self.stringLiterals(text)
                    let (inside, outside) = findings.reduce(into: ([Finding](), [Finding]())) { parts, finding in
                        if strings.contains(where: { $0.lowerBound <= finding.start && finding.end <= $0.upperBound }) {
                            parts.0.append(finding)
                        } else {
                            parts.1.append(finding)
                        }
                    }
                    rewritable.append((path, text, inside))
                    if !outside.isEmpty { fixedFindings.append((path.description, outside)) }
                } else if !isKey && kind != .fixed {
                    rewritable.append((path, text, findings))
                } else {
                    let location = isKey ? "\(path)#key" : path.description
                    fixedTexts.append((location, text))
                    if !findings.isEmpty { fixedFindings.append((location, findings)) }
                }
            }
        }
        if let failure { return failure }
        guard redact else { return .send(body, redaction: nil, redactedTypes: []) }

        for (location, findings) in fixedFindings {
            for finding in findings {
                switch rules.action(for: finding.type) {
                case .keep: continue
                case .block: return .block("The request contains \(finding.type.rawValue), which this policy does not let leave the machine.")
                case .local, .pseudonymise: return .local("\(finding.type.rawValue) at \(location) cannot be rewritten")
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
                if let place = fixedTexts.first(where: { containsWord($0.text, value) }) {
                    return .local("a pseudonymised value also occurs at \(place.location), which cannot be rewritten")
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
