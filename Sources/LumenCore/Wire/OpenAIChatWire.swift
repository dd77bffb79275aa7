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
        if isReasoningModel(model) {
            // `max_tokens` is refused ("use 'max_completion_tokens' instead"), which every OpenAI chat
            // model takes.
            if let limit = body.removeValue(forKey: "max_tokens"), body["max_completion_tokens"] == nil { body["max_completion_tokens"] = limit }
        }
        for key in refusedMembers(of: request, model: model) { body[key] = nil }
        if stream {
            body["stream"] = true
            var options = request.streamOptions?.extra ?? [:]
            options["include_usage"] = true
            body["stream_options"] = .object(options)
        }
        return .object(body)
    }

    /// Whether `model` is one of OpenAI's reasoning models (o1, o3, o4-mini, gpt-5 and later, their
    /// fine-tunes `ft:o4-mini-…`; not `gpt-5-chat`), which take `max_completion_tokens` only. A name
    /// with a provider's prefix (`openai/o3` at a router) is the router's to map.
    package static func isReasoningModel(_ model: String) -> Bool {
        let name = baseName(model)
        return isOSeries(name) || (name.hasPrefix("gpt-5") && !name.hasPrefix("gpt-5-chat"))
    }

    /// The model a fine-tune's name starts from (`ft:o4-mini-2025-04-16:org::id` → `o4-mini-…`).
    static func baseName(_ model: String) -> Substring {
        model.hasPrefix("ft:") ? model.dropFirst(3) : Substring(model)
    }

    /// o1, o3, o4-mini…: an "o" and a digit.
    static func isOSeries(_ name: Substring) -> Bool {
        let utf8 = name.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "o") else { return false }
        return (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(utf8[utf8.index(after: utf8.startIndex)])
    }

    /// The members a reasoning model refuses in `request`, left out of its body and named in
    /// `x-lumen-dropped-fields` as other settings a target lacks are: `stop` and `logit_bias`;
    /// sampling other than the default (`temperature`, `top_p` other than 1, penalties other than 0,
    /// `logprobs`) except on gpt-5.1 and later, which take it; `parallel_tool_calls` on the o-series.
    /// OpenAI's other chat models (`gpt-4o`, `gpt-4.1`, `gpt-5-chat`…) refuse `reasoning_effort`,
    /// which a Responses client such as Codex sends to every model.
    package static func refusedMembers(of request: ChatCompletionRequest, model: String) -> [String] {
        let name = baseName(model)
        guard isReasoningModel(model) else {
            let openAIChat = name.hasPrefix("gpt-") || name.hasPrefix("chatgpt-")
            return openAIChat && request.extra["reasoning_effort"] != nil ? ["reasoning_effort"] : []
        }
        var out: [String] = []
        let fixedSampling = isOSeries(name) || !name.hasPrefix("gpt-5.")
        if fixedSampling {
            if let v = request.temperature, v != 1 { out.append("temperature") }
            if let v = request.topP, v != 1 { out.append("top_p") }
            for key in ["presence_penalty", "frequency_penalty"] where request.extra[key].map({ $0.doubleValue != 0 }) == true { out.append(key) }
            for key in ["logprobs", "top_logprobs"] where request.extra[key] != nil { out.append(key) }
        }
        if request.stop != nil { out.append("stop") }
        if request.extra["logit_bias"] != nil { out.append("logit_bias") }
        if isOSeries(name) && request.extra["parallel_tool_calls"] != nil { out.append("parallel_tool_calls") }
        return out
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
