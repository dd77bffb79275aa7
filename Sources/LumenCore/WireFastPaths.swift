/// The chat wire types read from and written to ``JSONValue`` without `Codable` (see ``FastJSON``):
/// each `init?(wire:)` is the value `JSONDecoder` decodes from the same JSON, or nil wherever
/// `JSONDecoder` would throw (a missing required member, a member of the wrong type) — the caller then
/// decodes with `JSONDecoder`, which reports the error as before. Each `wireValue` is what the type's
/// `encode(to:)` writes. The member rules follow the `Codable` implementations beside the types:
/// `decodeIfPresent` reads JSON null as absent, synthesized conformances ignore unknown members,
/// hand-written ones keep them in `extra`.
struct WireMembers {
    let members: [String: JSONValue]
    /// Set by the first member that `JSONDecoder` would not accept.
    var failed = false

    init?(_ json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        self.members = members
    }

    /// `decodeIfPresent`: absent or null is nil; any other value must read with `read`.
    mutating func optional<T>(_ key: String, _ read: (JSONValue) -> T?) -> T? {
        guard let value = members[key], value != .null else { return nil }
        guard let typed = read(value) else {
            failed = true
            return nil
        }
        return typed
    }

    /// `decode`: present, not null, and read with `read`.
    mutating func required<T>(_ key: String, _ read: (JSONValue) -> T?) -> T? {
        guard let value = members[key], let typed = read(value) else {
            failed = true
            return nil
        }
        return typed
    }

    /// `decodeExtras(excluding:)`: every other member, verbatim.
    func extras(excluding known: Set<String>) -> [String: JSONValue] {
        var extras: [String: JSONValue] = [:]
        for (key, value) in members where !known.contains(key) { extras[key] = value }
        return extras
    }

    static func string(_ value: JSONValue) -> String? { value.stringValue }

    static func bool(_ value: JSONValue) -> Bool? { value.boolValue }

    /// Integers only: `JSONDecoder` refuses a fraction for `Int` (an integral number with one never
    /// reaches here: ``FastJSON`` leaves it to `JSONDecoder`).
    static func int(_ value: JSONValue) -> Int? {
        if case .integer(let number) = value { return Int(exactly: number) }
        return nil
    }

    static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    static func json(_ value: JSONValue) -> JSONValue? { value }

    static func array<T>(_ read: @escaping (JSONValue) -> T?) -> (JSONValue) -> [T]? {
        { value in
            guard case .array(let elements) = value else { return nil }
            var out: [T] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                guard let typed = read(element) else { return nil }
                out.append(typed)
            }
            return out
        }
    }
}

/// Members written in `encode(to:)` order; `JSONEncoder`'s sorted keys make the order moot.
struct WireObject {
    var members: [String: JSONValue] = [:]

    init(capacity: Int) { members.reserveCapacity(capacity) }

    mutating func set(_ key: String, _ value: JSONValue) { members[key] = value }

    mutating func setIfPresent(_ key: String, _ value: JSONValue?) {
        if let value { members[key] = value }
    }

    /// `encodeExtras(_:excluding:)`: typed members win over stale extras.
    mutating func extras(_ extras: [String: JSONValue], excluding known: Set<String>) {
        for (key, value) in extras where !known.contains(key) { members[key] = value }
    }

    var value: JSONValue { .object(members) }
}

// MARK: - Requests

extension ChatCompletionRequest {
    /// See ``WireMembers``.
    package init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        let model = m.required("model", WireMembers.string)
        let messages = m.required("messages", WireMembers.array(ChatMessage.init(wire:)))
        guard let model, let messages else { return nil }
        self.init(
            model: model,
            messages: messages,
            temperature: m.optional("temperature", WireMembers.double),
            topP: m.optional("top_p", WireMembers.double),
            maxTokens: m.optional("max_tokens", WireMembers.int),
            maxCompletionTokens: m.optional("max_completion_tokens", WireMembers.int),
            stop: m.optional("stop", StopSequences.init(wire:)),
            seed: m.optional("seed", WireMembers.int),
            user: m.optional("user", WireMembers.string),
            n: m.optional("n", WireMembers.int),
            stream: m.optional("stream", WireMembers.bool),
            streamOptions: m.optional("stream_options", StreamOptions.init(wire:)),
            tools: m.optional("tools", WireMembers.array(Tool.init(wire:))),
            toolChoice: m.optional("tool_choice") { ToolChoice(json: $0) },
            responseFormat: m.optional("response_format", WireMembers.json),
            metadata: m.optional("metadata", WireMembers.json),
            extra: m.extras(excluding: Self.known)
        )
        if m.failed { return nil }
    }
}

extension StopSequences {
    init?(wire json: JSONValue) {
        if case .string(let one) = json {
            self = .single(one)
        } else if let many = WireMembers.array(WireMembers.string)(json) {
            self = .multiple(many)
        } else {
            return nil
        }
    }
}

extension StreamOptions {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        self.init(includeUsage: m.optional("include_usage", WireMembers.bool), extra: m.extras(excluding: ["include_usage"]))
        if m.failed { return nil }
    }
}

extension Tool {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json), let type = m.required("type", WireMembers.string) else { return nil }
        self.init(type: type, function: m.optional("function", FunctionDefinition.init(wire:)), extra: m.extras(excluding: ["type", "function"]))
        if m.failed { return nil }
    }
}

extension FunctionDefinition {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json), let name = m.required("name", WireMembers.string) else { return nil }
        self.init(
            name: name, description: m.optional("description", WireMembers.string), parameters: m.optional("parameters", WireMembers.json),
            strict: m.optional("strict", WireMembers.bool)
        )
        if m.failed { return nil }
    }
}

// MARK: - Messages

extension ChatMessage {
    /// See ``WireMembers``.
    package init?(wire json: JSONValue) {
        guard var m = WireMembers(json), let role = m.required("role", WireMembers.string) else { return nil }
        self.init(
            role: ChatRole(rawValue: role),
            content: m.optional("content", MessageContent.init(wire:)),
            name: m.optional("name", WireMembers.string),
            toolCalls: m.optional("tool_calls", WireMembers.array(ToolCall.init(wire:))),
            toolCallId: m.optional("tool_call_id", WireMembers.string),
            extra: m.extras(excluding: Self.known)
        )
        if m.failed { return nil }
    }

    /// What `encode(to:)` writes.
    package var wireValue: JSONValue {
        var o = WireObject(capacity: 2 + extra.count)
        o.set("role", .string(role.rawValue))
        o.set("content", content?.wireValue ?? .null)
        o.setIfPresent("name", name.map(JSONValue.string))
        o.setIfPresent("tool_calls", toolCalls.map { .array($0.map(\.wireValue)) })
        o.setIfPresent("tool_call_id", toolCallId.map(JSONValue.string))
        o.extras(extra, excluding: Self.known)
        return o.value
    }
}

extension MessageContent {
    init?(wire json: JSONValue) {
        switch json {
        case .string(let text): self = .text(text)
        case .array:
            guard let parts = WireMembers.array(ContentPart.init(wire:))(json) else { return nil }
            self = .parts(parts)
        default: return nil
        }
    }

    var wireValue: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .parts(let parts): .array(parts.map(\.wireValue))
        }
    }
}

extension ContentPart {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json), let type = m.required("type", WireMembers.string) else { return nil }
        self.init(type: type, text: m.optional("text", WireMembers.string), extra: m.extras(excluding: Self.known))
        if m.failed { return nil }
    }

    var wireValue: JSONValue {
        var o = WireObject(capacity: 2 + extra.count)
        o.set("type", .string(type))
        o.setIfPresent("text", text.map(JSONValue.string))
        o.extras(extra, excluding: Self.known)
        return o.value
    }
}

extension ToolCall {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        let id = m.required("id", WireMembers.string)
        let type = m.required("type", WireMembers.string)
        let function = m.required("function", FunctionCall.init(wire:))
        guard let id, let type, let function else { return nil }
        self.init(id: id, type: type, function: function)
    }

    var wireValue: JSONValue {
        .object([
            "id": .string(id), "type": .string(type),
            "function": .object(["name": .string(function.name), "arguments": .string(function.arguments)]),
        ])
    }
}

extension FunctionCall {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        let name = m.required("name", WireMembers.string)
        let arguments = m.required("arguments", WireMembers.string)
        guard let name, let arguments else { return nil }
        self.init(name: name, arguments: arguments)
    }
}

// MARK: - Responses

extension ChatCompletionResponse {
    /// See ``WireMembers``.
    package init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        let id = m.optional("id", WireMembers.string) ?? ""
        let object = m.optional("object", WireMembers.string) ?? "chat.completion"
        let created = m.optional("created", WireMembers.int) ?? 0
        let model = m.optional("model", WireMembers.string) ?? ""
        guard let choices = m.required("choices", WireMembers.array(ChatChoice.init(wire:))) else { return nil }
        self.init(
            id: id, object: object, created: created, model: model, choices: choices, usage: m.optional("usage", Usage.init(wire:)),
            systemFingerprint: m.optional("system_fingerprint", WireMembers.string), extra: m.extras(excluding: Self.known)
        )
        if m.failed { return nil }
    }

    /// What `encode(to:)` writes.
    package var wireValue: JSONValue {
        var o = WireObject(capacity: 7 + extra.count)
        o.set("id", .string(id))
        o.set("object", .string(object))
        o.set("created", .integer(Int64(created)))
        o.set("model", .string(model))
        o.set("choices", .array(choices.map(\.wireValue)))
        o.setIfPresent("usage", usage?.wireValue)
        o.setIfPresent("system_fingerprint", systemFingerprint.map(JSONValue.string))
        o.extras(extra, excluding: Self.known)
        return o.value
    }
}

extension ChatChoice {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        let index = m.required("index", WireMembers.int)
        let message = m.required("message", ChatMessage.init(wire:))
        guard let index, let message else { return nil }
        self.init(
            index: index, message: message, finishReason: m.optional("finish_reason", WireMembers.string),
            logprobs: m.optional("logprobs", WireMembers.json))
        if m.failed { return nil }
    }

    var wireValue: JSONValue {
        var o = WireObject(capacity: 4)
        o.set("index", .integer(Int64(index)))
        o.set("message", message.wireValue)
        o.set("finish_reason", finishReason.map(JSONValue.string) ?? .null)
        o.setIfPresent("logprobs", logprobs)
        return o.value
    }
}

extension Usage {
    init?(wire json: JSONValue) {
        guard var m = WireMembers(json) else { return nil }
        let prompt = m.optional("prompt_tokens", WireMembers.int) ?? 0
        let completion = m.optional("completion_tokens", WireMembers.int) ?? 0
        self.init(
            promptTokens: prompt, completionTokens: completion,
            totalTokens: m.optional("total_tokens", WireMembers.int) ?? prompt.saturatingAdd(completion),
            cost: m.optional("cost", WireMembers.double), extra: m.extras(excluding: Self.known)
        )
        if m.failed { return nil }
    }

    var wireValue: JSONValue {
        var o = WireObject(capacity: 4 + extra.count)
        o.set("prompt_tokens", .integer(Int64(promptTokens)))
        o.set("completion_tokens", .integer(Int64(completionTokens)))
        o.set("total_tokens", .integer(Int64(totalTokens)))
        o.setIfPresent("cost", cost.map(JSONValue.double))
        o.extras(extra, excluding: Self.known)
        return o.value
    }
}

// MARK: - Answers written straight into bytes

extension ChatCompletionResponse {
    /// The bytes of ``wireValue`` as `FastJSON` writes them, without building the `JSONValue` tree
    /// (dictionaries, then their keys sorted), for the everyday answer: text or no content, no
    /// names, tool calls, logprobs or extra members anywhere. Nil for any other answer (the caller
    /// encodes ``wireValue``): a non-streaming request's answer is encoded once per request.
    package func everydayWireJSON() -> [UInt8]? {
        guard extra.isEmpty else { return nil }
        if let usage, !usage.extra.isEmpty || !(usage.cost?.isFinite ?? true) { return nil }
        for choice in choices {
            let message = choice.message
            guard choice.logprobs == nil, message.name == nil, message.toolCalls == nil, message.toolCallId == nil, message.extra.isEmpty
            else { return nil }
            if case .parts? = message.content { return nil }
        }
        // Members in `.sortedKeys` order.
        var out = JSONBytesWriter(capacity: 256 + choices.reduce(0) { $0 + ($1.message.content?.textLength ?? 0) })
        var o = JSONBytesWriter.Object()
        out.key("choices", &o)
        out.array(choices) { out, choice in
            var c = JSONBytesWriter.Object()
            out.key("finish_reason", &c)
            if let reason = choice.finishReason { out.string(reason) } else { out.null() }
            out.key("index", &c)
            out.number(choice.index)
            out.key("message", &c)
            var m = JSONBytesWriter.Object()
            out.key("content", &m)
            if case .text(let text)? = choice.message.content { out.string(text) } else { out.null() }
            out.key("role", &m)
            out.string(choice.message.role.rawValue)
            out.close(m)
            out.close(c)
        }
        out.closeAnswer(o, created: created, id: id, model: model, object: object, systemFingerprint: systemFingerprint, usage: usage)
        return out.bytes
    }
}

extension MessageContent {
    /// UTF-8 bytes of plain text content (0 for parts), to size a buffer.
    fileprivate var textLength: Int {
        if case .text(let text) = self { return text.utf8.count }
        return 0
    }
}
