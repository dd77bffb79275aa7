/// Pure translation between OpenAI chat-completions and the Anthropic Messages API (`anthropic-version: 2023-06-01`).
package enum AnthropicTranslation {
    /// A message that cannot be expressed in the Messages API.
    package struct TranslationError: Error, Sendable, Hashable, CustomStringConvertible {
        package var message: String
        package init(_ message: String) { self.message = message }
        package var description: String { message }
    }

    /// Top-level request members outside OpenAI's vocabulary that are passed on to Anthropic verbatim.
    package static let passThroughExtras: Set<String> = ["top_k", "thinking", "service_tier"]

    // MARK: Request

    /// Top-level members of `request` that the Messages API body does not carry (they have no
    /// counterpart there), sorted.
    package static func unsentFields(of request: ChatCompletionRequest) -> [String] {
        // `parallel_tool_calls` is carried by the tool choice (`disable_parallel_tool_use`) when
        // there are tools to call.
        let carried = passThroughExtras.union(sendsTools(request) ? ["parallel_tool_calls"] : [])
        var names = request.extra.keys.filter { !carried.contains($0) }
        if request.responseFormat != nil { names.append("response_format") }
        if request.seed != nil { names.append("seed") }
        if let n = request.n, n != 1 { names.append("n") }
        if request.metadata != nil { names.append("metadata") }
        return names.sorted()
    }

    /// Whether the body carries `request`'s tools (there are some, and the choice is not `none`).
    static func sendsTools(_ request: ChatCompletionRequest) -> Bool {
        request.tools?.isEmpty == false && request.toolChoice != ToolChoice.none
    }

    /// The Messages API request body for `request`, sent to `model`.
    ///
    /// System and developer messages become `system`; `tool` messages become `tool_result` blocks in a
    /// user turn; assistant `tool_calls` become `tool_use` blocks; `max_tokens` defaults to
    /// `defaultMaxTokens`; `stop` becomes `stop_sequences`; `temperature` is capped at 1.
    package static func request(
        from request: ChatCompletionRequest, model: String, defaultMaxTokens: Int, stream: Bool
    ) throws(TranslationError)
        -> JSONValue
    {
        var systemTexts: [String] = []
        var messages: [(role: String, blocks: [JSONValue])] = []

        func append(role: String, blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if let last = messages.last, last.role == role {
                messages[messages.count - 1].blocks += blocks
            } else {
                messages.append((role, blocks))
            }
        }

        for (index, message) in request.messages.enumerated() {
            switch message.role {
            case .system, .developer:
                let text = message.text
                if !text.isEmpty { systemTexts.append(text) }
            case .user:
                append(role: "user", blocks: try contentBlocks(message.content, at: index))
            case .assistant:
                var blocks = try contentBlocks(message.content, at: index).filter { $0["text"] != .string("") }
                for call in message.toolCalls ?? [] {
                    let input: JSONValue
                    if call.function.arguments.isEmpty {
                        input = .object([:])
                    } else if let parsed = try? WireJSON.decode(JSONValue.self, from: call.function.arguments), parsed.objectValue != nil {
                        input = parsed
                    } else {
                        throw TranslationError("messages[\(index)].tool_calls: arguments of \(call.function.name) are not a JSON object")
                    }
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.function.name), "input": input])
                }
                append(role: "assistant", blocks: blocks)
            case .tool:
                guard let id = message.toolCallId else {
                    throw TranslationError("messages[\(index)]: a tool message needs tool_call_id")
                }
                append(role: "user", blocks: [["type": "tool_result", "tool_use_id": .string(id), "content": .string(message.text)]])
            default:
                throw TranslationError("messages[\(index)]: role \(message.role) is not supported by the Anthropic Messages API")
            }
        }
        guard !messages.isEmpty else {
            throw TranslationError("messages: the Anthropic Messages API needs at least one user or assistant message")
        }

        var body: [String: JSONValue] = [
            "model": .string(model),
            "max_tokens": .integer(Int64(request.effectiveMaxTokens ?? defaultMaxTokens)),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .array($0.blocks)]) }),
        ]
        if !systemTexts.isEmpty { body["system"] = .string(systemTexts.joined(separator: "\n\n")) }
        if stream { body["stream"] = true }
        if let temperature = request.temperature { body["temperature"] = .double(min(temperature, 1)) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if let stop = request.stop { body["stop_sequences"] = .array(stop.values.map(JSONValue.string)) }
        if let user = request.user { body["metadata"] = ["user_id": .string(user)] }
        if sendsTools(request), let tools = request.tools {
            body["tools"] = .array(
                try tools.enumerated().map { index, tool throws(TranslationError) in
                    guard tool.type == "function", let function = tool.function else {
                        throw TranslationError("tools[\(index)]: only function tools can be sent to Anthropic")
                    }
                    var out: [String: JSONValue] = [
                        "name": .string(function.name),
                        "input_schema": function.parameters ?? ["type": "object", "properties": [:]],
                    ]
                    if let description = function.description { out["description"] = .string(description) }
                    return .object(out)
                }
            )
            var choice: [String: JSONValue]?
            switch request.toolChoice {
            case .auto: choice = ["type": "auto"]
            case .required: choice = ["type": "any"]
            case .function(let name): choice = ["type": "tool", "name": .string(name)]
            case .some(.none), .some(.other), nil: break
            }
            // `parallel_tool_calls: false` is Anthropic's `disable_parallel_tool_use` on the tool choice.
            if request.extra["parallel_tool_calls"]?.boolValue == false {
                choice = (choice ?? ["type": "auto"]).merging(["disable_parallel_tool_use": true]) { $1 }
            }
            if let choice { body["tool_choice"] = .object(choice) }
        }
        for (key, value) in request.extra where passThroughExtras.contains(key) {
            body[key] = value
        }
        return .object(body)
    }

    private static func contentBlocks(_ content: MessageContent?, at index: Int) throws(TranslationError) -> [JSONValue] {
        switch content {
        case .none:
            return []
        case .text(let text):
            return text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
        case .parts(let parts):
            return try parts.map { part throws(TranslationError) in
                switch part.type {
                case "text", "input_text", "output_text":
                    return ["type": "text", "text": .string(part.text ?? "")]
                case "image_url":
                    guard let url = part.extra["image_url"]?["url"]?.stringValue ?? part.extra["image_url"]?.stringValue else {
                        throw TranslationError("messages[\(index)]: image_url part without a url")
                    }
                    return ["type": "image", "source": try imageSource(url, at: index)]
                case "file":
                    // A PDF (or plain text) as a data URL, or a document's URL: Anthropic's `document` block
                    // (`imageSource` reads either).
                    let file = part.extra["file"]
                    guard let given = file?["file_url"]?.stringValue ?? file?["file_data"]?.stringValue.flatMap({ $0.hasPrefix("data:") ? $0 : nil })
                    else {
                        throw TranslationError(
                            "messages[\(index)]: a file part reaches Anthropic only as a data URL or a URL (not a file_id)")
                    }
                    var block: [String: JSONValue] = ["type": "document", "source": try imageSource(given, at: index)]
                    if let name = part.extra["file"]?["filename"]?.stringValue { block["title"] = .string(name) }
                    return .object(block)
                default:
                    throw TranslationError("messages[\(index)]: content part type \(part.type) is not supported by the Anthropic translation")
                }
            }
        }
    }

    private static func imageSource(_ url: String, at index: Int) throws(TranslationError) -> JSONValue {
        guard url.hasPrefix("data:") else { return ["type": "url", "url": .string(url)] }
        // data:<media type>;base64,<data>
        let rest = url.dropFirst(5)
        guard let comma = rest.firstIndex(of: ","), rest[..<comma].hasSuffix(";base64") else {
            throw TranslationError("messages[\(index)]: a data URL must be base64")
        }
        let mediaType = rest[..<comma].dropLast(7)
        return ["type": "base64", "media_type": .string(String(mediaType)), "data": .string(String(rest[rest.index(after: comma)...]))]
    }

    // MARK: Response

    /// OpenAI's `finish_reason` for an Anthropic `stop_reason`.
    package static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: return nil
        case "end_turn", "stop_sequence", "pause_turn": return "stop"
        case "max_tokens", "model_context_window_exceeded": return "length"
        case "tool_use": return "tool_calls"
        case "refusal": return "content_filter"
        case let other?: return other
        }
    }

    /// Chat Completions' usage for an Anthropic one: `prompt_tokens` counts every input token (as
    /// OpenAI's does), and the prompt cache's reads and writes are kept beside it (in Anthropic's
    /// words and as `prompt_tokens_details.cached_tokens`): they are priced apart, and an Anthropic
    /// client gets them back as it sent them.
    static func usage(_ value: JSONValue?) -> Usage? {
        guard let value, value.objectValue != nil else { return nil }
        let read = max(0, value["cache_read_input_tokens"]?.intValue ?? 0)
        let write = max(0, value["cache_creation_input_tokens"]?.intValue ?? 0)
        let input = max(0, value["input_tokens"]?.intValue ?? 0).saturatingAdd(write).saturatingAdd(read)
        return Usage(
            promptTokens: input, completionTokens: value["output_tokens"]?.intValue ?? 0,
            extra: usageExtra(read: read, write: write, servers: serverToolUse(value)))
    }

    /// The members a usage carries beside its counts: the prompt cache's reads and writes (in both
    /// APIs' words) and the server tools' calls, when there are any.
    static func usageExtra(read: Int, write: Int, servers: JSONValue?) -> [String: JSONValue] {
        var extra = Usage.cacheMembers(read: read, write: write)
        if let servers { extra["server_tool_use"] = servers }
        return extra
    }

    /// The usage's count of server tool calls (`{"web_search_requests": 2}`), when it has one.
    static func serverToolUse(_ usage: JSONValue?) -> JSONValue? {
        guard let value = usage?["server_tool_use"], value.objectValue?.isEmpty == false else { return nil }
        return value
    }

    /// Whether a content block can be held by the chat shape: text without citations, a tool call,
    /// thinking. Any other (a server tool's call or result, cited text) makes the answer keep its
    /// blocks for an Anthropic client.
    static func fitsChatShape(_ block: JSONValue) -> Bool {
        switch block["type"]?.stringValue {
        case "text": (block["citations"]?.arrayValue ?? []).isEmpty
        case "tool_use", "thinking", "redacted_thinking": true
        default: false
        }
    }

    /// The OpenAI response for an Anthropic Messages API response body.
    package static func response(from body: JSONValue, created: Int) throws(TranslationError) -> ChatCompletionResponse {
        guard body["type"]?.stringValue == "message", let blocks = body["content"]?.arrayValue else {
            throw TranslationError("not an Anthropic message: missing type \"message\" or content")
        }
        var text = ""
        var calls: [ToolCall] = []
        var reasoning: [ReasoningBlock] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "thinking":
                reasoning.append(ReasoningBlock(thinking: block["thinking"]?.stringValue ?? "", signature: block["signature"]?.stringValue))
            case "redacted_thinking":
                reasoning.append(ReasoningBlock(redactedData: block["data"]?.stringValue ?? ""))
            case "text":
                text += block["text"]?.stringValue ?? ""
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw TranslationError("tool_use block without id or name")
                }
                let arguments = (try? WireJSON.encodeString(block["input"] ?? .object([:]))) ?? "{}"
                calls.append(ToolCall(id: id, function: FunctionCall(name: name, arguments: arguments)))
            default:
                continue  // server tool blocks: kept below for an Anthropic client
            }
        }
        var message = ChatMessage(
            role: .assistant,
            content: text.isEmpty && !calls.isEmpty ? nil : .text(text),
            toolCalls: calls.isEmpty ? nil : calls
        )
        if !reasoning.isEmpty { message.reasoning = reasoning }
        if !blocks.allSatisfy(fitsChatShape) { message.anthropicContent = blocks }
        var choice = ChatChoice(
            index: 0, message: message, finishReason: finishReason(body["stop_reason"]?.stringValue), stopSequence: body["stop_sequence"]?.stringValue
        )
        choice.pausedTurn = body["stop_reason"]?.stringValue == "pause_turn"
        return ChatCompletionResponse(
            id: body["id"]?.stringValue ?? "", created: created, model: body["model"]?.stringValue ?? "", choices: [choice],
            usage: usage(body["usage"]))
    }

    // MARK: Streaming

    /// Turns Anthropic stream events into OpenAI chunks, one event at a time.
    package struct StreamTranslator: Sendable {
        private var id = ""
        private var model: String
        private let created: Int
        /// Input tokens outside the prompt cache, read from it, and written to it.
        private var inputTokens = 0
        private var cacheRead = 0
        private var cacheWrite = 0
        private var completionTokens = 0
        private var toolIndexByBlock: [Int: Int] = [:]
        /// Blocks of types the chat shape cannot hold, passed on whole (their deltas and end too).
        private var passedBlocks: Set<Int> = []
        private var sawText = false
        private var serverToolUse: JSONValue?
        private var finishReason: String?
        /// Whether `message_stop` was seen.
        package private(set) var isFinished = false

        /// `model` is used until `message_start` names the model.
        package init(model: String, created: Int) {
            self.model = model
            self.created = created
        }

        private func chunk(_ delta: ChatDelta, finishReason: String? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: id, created: created, model: model, choices: [ChunkChoice(index: 0, delta: delta, finishReason: finishReason)])
        }

        /// The chunks for one event (`event:` name and parsed `data`). A `message_stop` yields the
        /// finish chunk if none was sent, then a usage chunk with empty `choices`.
        package mutating func translate(event name: String?, data: JSONValue) throws(StreamEventError) -> [ChatCompletionChunk] {
            let type = data["type"]?.stringValue ?? name ?? ""
            switch type {
            case "message_start":
                let message = data["message"]
                id = message?["id"]?.stringValue ?? id
                model = message?["model"]?.stringValue ?? model
                if let usage = message?["usage"] {
                    inputTokens = max(0, usage["input_tokens"]?.intValue ?? 0)
                    cacheRead = max(0, usage["cache_read_input_tokens"]?.intValue ?? 0)
                    cacheWrite = max(0, usage["cache_creation_input_tokens"]?.intValue ?? 0)
                    completionTokens = usage["output_tokens"]?.intValue ?? completionTokens
                    serverToolUse = AnthropicTranslation.serverToolUse(usage) ?? serverToolUse
                }
                return [chunk(ChatDelta(role: .assistant, content: ""))]
            case "content_block_start":
                let index = data["index"]?.intValue ?? 0
                let block = data["content_block"]
                switch block?["type"]?.stringValue {
                case "text":
                    // A second text block: its text does not join the one before (for an Anthropic client).
                    let text = block?["text"]?.stringValue ?? ""
                    var delta = ChatDelta(content: text.isEmpty ? nil : text)
                    if sawText { delta.anthropicBlock = .textStart }
                    sawText = true
                    var out = delta.content == nil && delta.anthropicBlock == nil ? [] : [chunk(delta)]
                    for citation in block?["citations"]?.arrayValue ?? [] {
                        var cited = ChatDelta()
                        cited.anthropicBlock = .citation(citation)
                        out.append(chunk(cited))
                    }
                    return out
                case "tool_use":
                    let toolIndex = toolIndexByBlock.count
                    toolIndexByBlock[index] = toolIndex
                    let call = ToolCallDelta(
                        index: toolIndex,
                        id: block?["id"]?.stringValue,
                        type: "function",
                        function: .init(name: block?["name"]?.stringValue, arguments: "")
                    )
                    return [chunk(ChatDelta(toolCalls: [call]))]
                case "thinking":
                    let text = block?["thinking"]?.stringValue ?? ""
                    return [chunk(ChatDelta(reasoning: .thinking(text)))]
                case "redacted_thinking":
                    return [chunk(ChatDelta(reasoning: .redacted(block?["data"]?.stringValue ?? "")))]
                case _ where block?.objectValue != nil:
                    // A server tool's call or result (web search, …): passed on as sent.
                    passedBlocks.insert(index)
                    var delta = ChatDelta()
                    delta.anthropicBlock = .start(block!)
                    return [chunk(delta)]
                default:
                    return []
                }
            case "content_block_delta":
                let index = data["index"]?.intValue ?? 0
                let delta = data["delta"]
                if passedBlocks.contains(index), let delta {
                    var passed = ChatDelta()
                    passed.anthropicBlock = .delta(delta)
                    return [chunk(passed)]
                }
                switch delta?["type"]?.stringValue {
                case "text_delta":
                    return [chunk(ChatDelta(content: delta?["text"]?.stringValue ?? ""))]
                case "input_json_delta":
                    guard let toolIndex = toolIndexByBlock[index] else { return [] }
                    let call = ToolCallDelta(index: toolIndex, function: .init(arguments: delta?["partial_json"]?.stringValue ?? ""))
                    return [chunk(ChatDelta(toolCalls: [call]))]
                case "thinking_delta":
                    return [chunk(ChatDelta(reasoning: .thinking(delta?["thinking"]?.stringValue ?? "")))]
                case "signature_delta":
                    return [chunk(ChatDelta(reasoning: .signature(delta?["signature"]?.stringValue ?? "")))]
                case "citations_delta":
                    guard let citation = delta?["citation"] else { return [] }
                    var cited = ChatDelta()
                    cited.anthropicBlock = .citation(citation)
                    return [chunk(cited)]
                default:
                    return []
                }
            case "content_block_stop":
                guard passedBlocks.remove(data["index"]?.intValue ?? 0) != nil else { return [] }
                var stop = ChatDelta()
                stop.anthropicBlock = .stop
                return [chunk(stop)]
            case "ping":
                return []
            case "message_delta":
                // Counts so far (the input and cache counts only when the provider repeats them here).
                if let output = data["usage"]?["output_tokens"]?.intValue { completionTokens = output }
                if let input = data["usage"]?["input_tokens"]?.intValue, input > 0 { inputTokens = input }
                if let read = data["usage"]?["cache_read_input_tokens"]?.intValue, read > 0 { cacheRead = read }
                if let write = data["usage"]?["cache_creation_input_tokens"]?.intValue, write > 0 { cacheWrite = write }
                serverToolUse = AnthropicTranslation.serverToolUse(data["usage"]) ?? serverToolUse
                guard let reason = AnthropicTranslation.finishReason(data["delta"]?["stop_reason"]?.stringValue) else { return [] }
                finishReason = reason
                var out = chunk(ChatDelta(), finishReason: reason)
                out.choices[0].stopSequence = data["delta"]?["stop_sequence"]?.stringValue
                out.choices[0].pausedTurn = data["delta"]?["stop_reason"]?.stringValue == "pause_turn"
                return [out]
            case "message_stop":
                isFinished = true
                var out: [ChatCompletionChunk] = []
                if finishReason == nil {
                    finishReason = "stop"
                    out.append(chunk(ChatDelta(), finishReason: "stop"))
                }
                out.append(
                    ChatCompletionChunk(
                        id: id,
                        created: created,
                        model: model,
                        choices: [],
                        usage: Usage(
                            promptTokens: inputTokens.saturatingAdd(cacheRead).saturatingAdd(cacheWrite), completionTokens: completionTokens,
                            extra: AnthropicTranslation.usageExtra(read: cacheRead, write: cacheWrite, servers: serverToolUse))
                    )
                )
                return out
            case "error":
                throw StreamEventError(
                    type: data["error"]?["type"]?.stringValue ?? "error",
                    message: data["error"]?["message"]?.stringValue ?? "unknown error"
                )
            default:
                return []  // New event types are ignored, as Anthropic's versioning policy asks.
            }
        }
    }

    /// An `error` event inside an Anthropic stream.
    package struct StreamEventError: Error, Sendable, Hashable {
        package var type: String
        package var message: String
    }
}
