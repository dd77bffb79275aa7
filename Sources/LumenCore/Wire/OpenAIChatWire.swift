/// The body an OpenAI-compatible target receives for a chat completions request, built as a JSON
/// tree so the privacy screen reads exactly what is encoded and sent (see `OutboundBody`).
///
/// The tree is built directly instead of through `Encodable` + a re-parse: the screen needs the tree
/// for every request, and going through bytes would encode and parse each one twice. Tests check it
/// against the `Codable` encoding of the same request on generated requests.
package enum OpenAIChatWire {
    /// Top-level members of a chat completions request that OpenAI documents (the openai-python SDK's
    /// `CompletionCreateParams`, v1.109). Anything else is not forwarded to an OpenAI-compatible target.
    package static let documentedFields: Set<String> = [
        "messages", "model", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction",
        "presence_penalty", "prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier", "seed",
        "service_tier", "stop", "store", "stream", "stream_options", "temperature", "tool_choice", "tools",
        "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
    ]

    /// Members of a chat message that OpenAI documents, per role (others are not forwarded).
    package static let documentedMessageFields: Set<String> = [
        "role", "content", "name", "tool_calls", "tool_call_id", "refusal", "audio", "function_call",
    ]

    /// The body for `request` sent to `model`. `stream` sets `stream` and asks for usage in the stream;
    /// a non-streaming body carries neither. Top-level members the request carries outside
    /// `documentedFields` are left out (the router has already dropped or refused them).
    package static func body(_ request: ChatCompletionRequest, model: String, stream: Bool) -> JSONValue {
        var body = members(of: request, extras: request.extra.filter { documentedFields.contains($0.key) })
        body["model"] = .string(model)
        if stream {
            body["stream"] = true
            var options = request.streamOptions?.extra ?? [:]
            options["include_usage"] = true
            body["stream_options"] = .object(options)
        }
        return .object(body)
    }

    /// The request as its `Codable` encoding writes it (every member, `model` and `stream` as given):
    /// what a client sent, for tools that show a request.
    package static func value(of request: ChatCompletionRequest) -> JSONValue {
        var body = members(of: request, extras: request.extra)
        body["model"] = .string(request.model)
        if let v = request.stream { body["stream"] = .bool(v) }
        if let v = request.streamOptions {
            var options = v.extra
            if let include = v.includeUsage { options["include_usage"] = .bool(include) }
            body["stream_options"] = .object(options)
        }
        return .object(body)
    }

    /// Every member but `model` and the stream settings, over `extras`.
    static func members(of request: ChatCompletionRequest, extras: [String: JSONValue]) -> [String: JSONValue] {
        var body = extras
        body.reserveCapacity(8 + extras.count)
        body["messages"] = .array(request.messages.map(message))
        if let v = request.temperature { body["temperature"] = .double(v) }
        if let v = request.topP { body["top_p"] = .double(v) }
        if let v = request.maxTokens { body["max_tokens"] = .integer(Int64(v)) }
        if let v = request.maxCompletionTokens { body["max_completion_tokens"] = .integer(Int64(v)) }
        if let v = request.stop { body["stop"] = stop(v) }
        if let v = request.seed { body["seed"] = .integer(Int64(v)) }
        if let v = request.user { body["user"] = .string(v) }
        if let v = request.n { body["n"] = .integer(Int64(v)) }
        if let v = request.tools { body["tools"] = .array(v.map(tool)) }
        if let v = request.toolChoice { body["tool_choice"] = toolChoice(v) }
        if let v = request.responseFormat { body["response_format"] = v }
        if let v = request.metadata { body["metadata"] = v }
        body["stream"] = nil
        body["stream_options"] = nil
        return body
    }

    static func message(_ message: ChatMessage) -> JSONValue {
        var out = message.extra
        out["role"] = .string(message.role.rawValue)
        switch message.content {
        case .none: out["content"] = .null
        case .text(let text)?: out["content"] = .string(text)
        case .parts(let parts)?: out["content"] = .array(parts.map(part))
        }
        if let name = message.name { out["name"] = .string(name) }
        if let calls = message.toolCalls {
            out["tool_calls"] = .array(
                calls.map { call in
                    [
                        "id": .string(call.id), "type": .string(call.type),
                        "function": ["name": .string(call.function.name), "arguments": .string(call.function.arguments)],
                    ]
                }
            )
        }
        if let id = message.toolCallId { out["tool_call_id"] = .string(id) }
        return .object(out)
    }

    static func part(_ part: ContentPart) -> JSONValue {
        var out = part.extra
        out["type"] = .string(part.type)
        if let text = part.text { out["text"] = .string(text) }
        return .object(out)
    }

    static func stop(_ stop: StopSequences) -> JSONValue {
        switch stop {
        case .single(let one): .string(one)
        case .multiple(let many): .array(many.map(JSONValue.string))
        }
    }

    static func tool(_ tool: Tool) -> JSONValue {
        var out = tool.extra
        out["type"] = .string(tool.type)
        if let function = tool.function {
            var f: [String: JSONValue] = ["name": .string(function.name)]
            if let d = function.description { f["description"] = .string(d) }
            if let p = function.parameters { f["parameters"] = p }
            if let s = function.strict { f["strict"] = .bool(s) }
            out["function"] = .object(f)
        }
        return .object(out)
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .none: "none"
        case .auto: "auto"
        case .required: "required"
        case .function(let name): ["type": "function", "function": ["name": .string(name)]]
        case .other(let other): other
        }
    }
}
