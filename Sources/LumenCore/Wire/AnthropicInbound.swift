/// The Anthropic Messages API as a client API (`POST /v1/messages`): its request into the
/// conversation, the conversation's answer into its message and its stream events.
package enum AnthropicInbound {
    /// Top-level members of a Messages request that Anthropic documents (SDK 2.x types and what
    /// Claude Code sends); others are dropped at the door like any unknown member.
    package static let documentedFields: Set<String> = [
        "model", "messages", "system", "max_tokens", "metadata", "stop_sequences", "stream", "temperature", "top_k", "top_p",
        "tools", "tool_choice", "thinking", "service_tier", "context_management", "output_config", "container", "mcp_servers",
    ]

    /// Members only an Anthropic target can take: carried in the native body, dropped (and named) for others.
    static let anthropicOnly = ["thinking", "context_management", "output_config", "container", "mcp_servers", "top_k"]

    /// The JSON types of the documented members the conversation reads.
    static let memberTypes: [String: MemberType] = [
        "model": .string, "max_tokens": .integer, "messages": .array, "system": .stringOrArray, "stream": .bool, "temperature": .number,
        "top_p": .number, "top_k": .integer, "stop_sequences": .array, "tools": .array, "tool_choice": .object, "metadata": .object,
        "thinking": .object, "output_config": .object,
    ]

    /// Decodes a Messages request body.
    package static func decode(_ body: JSONValue, headers: [String: String] = [:]) throws(InboundError) -> InboundRequest {
        guard var object = body.objectValue else { throw InboundError("the body must be a JSON object") }
        var dropped: [String] = []
        var unknown: [String] = []
        for key in object.keys.sorted() where !documentedFields.contains(key) {
            object[key] = nil
            unknown.append(key)
        }
        try MemberType.check(object, memberTypes)
        guard let model = object["model"]?.stringValue else { throw InboundError("'model' is required", param: "model") }
        guard let maxTokens = object["max_tokens"]?.intValue else {
            throw InboundError("'max_tokens' is required (an integer)", param: "max_tokens")
        }
        guard maxTokens >= 1 else { throw InboundError("'max_tokens' must be at least 1", param: "max_tokens") }
        guard let messages = object["messages"]?.arrayValue else { throw InboundError("'messages' is required (an array)", param: "messages") }

        var conversation = ChatCompletionRequest(model: model, messages: [])
        if let system = object["system"] {
            conversation.messages.append(try systemMessage(system, at: "system"))
        }
        for (index, message) in messages.enumerated() {
            conversation.messages += try self.messages(message, at: "messages[\(index)]")
        }
        guard !conversation.messages.isEmpty else { throw InboundError("'messages' must not be empty", param: "messages") }
        conversation.continuesLastAssistantMessage = true
        conversation.maxTokens = maxTokens
        conversation.temperature = object["temperature"]?.doubleValue
        conversation.topP = object["top_p"]?.doubleValue
        if let stops = object["stop_sequences"]?.arrayValue {
            conversation.stop = .multiple(stops.compactMap(\.stringValue))
        }
        if let user = object["metadata"]?["user_id"]?.stringValue { conversation.user = user }
        if object["stream"]?.boolValue == true {
            conversation.stream = true
            conversation.streamOptions = StreamOptions(includeUsage: true)
        }
        if let topK = object["top_k"] { conversation.extra["top_k"] = topK }
        if let tools = object["tools"]?.arrayValue {
            var functions: [Tool] = []
            for (index, tool) in tools.enumerated() {
                if let name = tool["name"]?.stringValue, let schema = tool["input_schema"] {
                    functions.append(
                        Tool(function: FunctionDefinition(name: name, description: tool["description"]?.stringValue, parameters: schema)))
                } else {
                    // A server tool (web search, code execution, …): only Anthropic runs it.
                    dropped.append("tools[\(index)] (\(tool["type"]?.stringValue ?? "server tool"))" + InboundRequest.anthropicOnlyMarker)
                }
            }
            if !functions.isEmpty { conversation.tools = functions }
        }
        if let choice = object["tool_choice"] {
            switch choice["type"]?.stringValue {
            case "auto": conversation.toolChoice = .auto
            case "any": conversation.toolChoice = .required
            case "none": conversation.toolChoice = ToolChoice.none
            case "tool":
                guard let name = choice["name"]?.stringValue else {
                    throw InboundError("tool_choice of type 'tool' needs a 'name'", param: "tool_choice")
                }
                conversation.toolChoice = .function(name: name)
            default:
                throw InboundError("unknown tool_choice type", param: "tool_choice")
            }
            if choice["disable_parallel_tool_use"]?.boolValue == true { conversation.extra["parallel_tool_calls"] = false }
        }
        try carryOutputSettings(object, into: &conversation)
        var passThrough: [String: String] = [:]
        for name in ["anthropic-beta", "anthropic-version"] {
            guard let value = headers[name] else { continue }
            // Feature names and dates ("prompt-caching-2024-07-31", "2023-06-01"), comma-separated:
            // anything else could carry a client's data past the screen, and is not passed on.
            if isHeaderVocabulary(value) { passThrough[name] = value } else { dropped.append("header " + name) }
        }
        // The native body keeps what the conversation cannot hold; a non-Anthropic target gets none of it.
        let native = OutboundBody(format: .anthropicMessages, json: .object(object))
        for key in anthropicOnly where object[key] != nil && key != "output_config" { dropped.append(key + InboundRequest.anthropicOnlyMarker) }
        // `output_config`'s format and effort go on (`carryOutputSettings`); anything else in it is named.
        for key in (object["output_config"]?.objectValue?.keys).map(Array.init)?.sorted() ?? [] where !["format", "effort"].contains(key) {
            dropped.append("output_config.\(key)" + InboundRequest.anthropicOnlyMarker)
        }
        return InboundRequest(
            api: .anthropicMessages, conversation: conversation, native: native, passThroughHeaders: passThrough, unknownFields: unknown,
            dropped: dropped
        )
    }

    /// What the conversation can carry of `output_config` and `thinking` to a target of another API
    /// (an Anthropic target gets them as sent, in the native body):
    /// - `output_config.format` (structured outputs: a JSON schema the answer follows) is
    ///   `response_format`: the embedded model enforces it, an OpenAI target receives it;
    /// - the effort asked for is `reasoning_effort`: `output_config.effort` (`xhigh` and `max` are
    ///   `high`, the most every OpenAI reasoning model takes), else a manual thinking budget
    ///   (under 4,096 tokens `low`, under 16,384 `medium`, else `high`). Adaptive thinking names no
    ///   effort. A target that takes no effort leaves it out and names it (`OpenAIChatWire`).
    static func carryOutputSettings(_ object: [String: JSONValue], into conversation: inout ChatCompletionRequest) throws(InboundError) {
        let config = object["output_config"]
        if let format = config?["format"], format != .null {
            guard format["type"]?.stringValue == "json_schema", let schema = format["schema"], schema.objectValue != nil else {
                throw InboundError(
                    "'output_config.format' must be {\"type\": \"json_schema\", \"schema\": {…}}", param: "output_config.format")
            }
            conversation.responseFormat = ["type": "json_schema", "json_schema": ["name": "response", "schema": schema, "strict": true]]
        }
        var effort: String?
        switch config?["effort"] {
        case nil, .null?: break
        case .string(let level)? where ["low", "medium", "high"].contains(level): effort = level
        case .string(let level)? where ["xhigh", "max"].contains(level): effort = "high"
        default:
            throw InboundError("'output_config.effort' must be one of low, medium, high, xhigh, max", param: "output_config.effort")
        }
        if effort == nil, let thinking = object["thinking"], thinking["type"]?.stringValue == "enabled" {
            guard let budget = thinking["budget_tokens"]?.intValue else {
                throw InboundError("'thinking.budget_tokens' is required (an integer) when thinking is enabled", param: "thinking.budget_tokens")
            }
            effort = budget < 4096 ? "low" : budget < 16384 ? "medium" : "high"
        }
        if let effort { conversation.extra["reasoning_effort"] = .string(effort) }
    }

    static func systemMessage(_ system: JSONValue, at path: String) throws(InboundError) -> ChatMessage {
        switch system {
        case .string(let text):
            return ChatMessage(role: .system, text: text)
        case .array(let blocks):
            var parts: [ContentPart] = []
            for (index, block) in blocks.enumerated() {
                guard block["type"]?.stringValue == "text", let text = block["text"]?.stringValue else {
                    throw InboundError("\(path)[\(index)]: system blocks must be text blocks", param: path)
                }
                parts.append(.text(text))
            }
            return ChatMessage(role: .system, content: .parts(parts))
        default:
            throw InboundError("\(path) must be a string or an array of text blocks", param: path)
        }
    }

    /// One Messages message as conversation messages: tool results become `tool` messages (before the
    /// rest of the turn), tool uses become the assistant's `tool_calls`.
    static func messages(_ message: JSONValue, at path: String) throws(InboundError) -> [ChatMessage] {
        guard let roleName = message["role"]?.stringValue else { throw InboundError("\(path): 'role' is required", param: path) }
        let role: ChatRole =
            switch roleName {
            case "user": .user
            case "assistant": .assistant
            case "system": .system
            default: ChatRole(rawValue: roleName)
            }
        guard [.user, .assistant, .system].contains(role) else { throw InboundError("\(path): unknown role '\(roleName)'", param: path) }
        guard let content = message["content"] else { throw InboundError("\(path): 'content' is required", param: path) }
        if case .string(let text) = content { return [ChatMessage(role: role, text: text)] }
        guard let blocks = content.arrayValue else { throw InboundError("\(path).content must be a string or an array of blocks", param: path) }
        var results: [ChatMessage] = []
        var parts: [ContentPart] = []
        var calls: [ToolCall] = []
        for (index, block) in blocks.enumerated() {
            let at = "\(path).content[\(index)]"
            switch block["type"]?.stringValue {
            case "text":
                parts.append(.text(try text(of: block, at: at)))
            case "image", "document":
                parts.append(try mediaPart(block, at: at))
            case "search_result":
                // A search result the client supplies: its title and text.
                let title = block["title"]?.stringValue ?? ""
                let body = texts(of: block["content"])
                parts.append(.text(title.isEmpty ? body : body.isEmpty ? title : title + "\n\n" + body))
            case _ where serverToolBlocks.contains(block["type"]?.stringValue ?? ""):
                // A server tool's call and result (web search, web fetch, code execution, MCP) from an
                // earlier turn: in the native body for an Anthropic target, which ran it; no other
                // target can run it or read its encrypted results.
                continue
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw InboundError("\(at): tool_use needs 'id' and 'name'", param: at)
                }
                if let input = block["input"], input.objectValue == nil {
                    throw InboundError("\(at).input must be an object", param: "\(at).input")
                }
                let arguments = (try? WireJSON.encodeString(block["input"] ?? .object([:]))) ?? "{}"
                calls.append(ToolCall(id: id, function: FunctionCall(name: name, arguments: arguments)))
            case "tool_result":
                guard let id = block["tool_use_id"]?.stringValue else { throw InboundError("\(at): tool_result needs 'tool_use_id'", param: at) }
                var content = try toolResultContent(block["content"], at: at)
                // A failed call: Chat Completions has no `is_error`, so the result says it in words
                // (an Anthropic target gets the client's own block, flag included).
                if block["is_error"]?.boolValue == true {
                    switch content {
                    case .text(let text): content = .text(text.isEmpty ? "Error" : "Error: " + text)
                    case .parts(let parts): content = .parts([.text("Error:")] + parts)
                    }
                }
                var result = ChatMessage(role: .tool, content: content)
                result.toolCallId = id
                results.append(result)
            case "thinking", "redacted_thinking":
                // Reasoning the model did in an earlier turn: kept in the native body for an Anthropic
                // target; no other target can read it.
                continue
            default:
                throw InboundError("\(at): content block type '\(block["type"]?.stringValue ?? "?")' is not supported", param: at)
            }
        }
        var out = results
        if !parts.isEmpty || !calls.isEmpty {
            let content: MessageContent? = parts.isEmpty ? nil : (parts.count == 1 && parts[0].isText ? .text(parts[0].text ?? "") : .parts(parts))
            var turn = ChatMessage(role: role, content: content ?? (role == .assistant ? nil : .text("")))
            if !calls.isEmpty { turn.toolCalls = calls }
            out.append(turn)
        }
        return out
    }

    /// Blocks of an Anthropic target's own server tools (and MCP connector, container uploads): read
    /// by that target only.
    static let serverToolBlocks: Set<String> = [
        "server_tool_use", "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
        "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "tool_search_tool_result", "mcp_tool_use",
        "mcp_tool_result", "container_upload",
    ]

    /// The text of a list of text blocks (or a string), blocks joined by a blank line.
    static func texts(of content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n\n")
    }

    /// A text block's `text`: a string (a number or a missing one is the client's mistake, said so).
    static func text(of block: JSONValue, at path: String) throws(InboundError) -> String {
        guard let text = block["text"]?.stringValue else { throw InboundError("\(path).text must be a string", param: "\(path).text") }
        return text
    }

    static func toolResultContent(_ content: JSONValue?, at path: String) throws(InboundError) -> MessageContent {
        switch content {
        case nil: return .text("")
        case .string(let text)?: return .text(text)
        case .array(let blocks)?:
            var parts: [ContentPart] = []
            for (index, block) in blocks.enumerated() {
                switch block["type"]?.stringValue {
                case "text": parts.append(.text(try text(of: block, at: "\(path).content[\(index)]")))
                case "image", "document": parts.append(try mediaPart(block, at: "\(path).content[\(index)]"))
                default: throw InboundError("\(path).content[\(index)]: unsupported block in a tool result", param: path)
                }
            }
            return parts.count == 1 && parts[0].isText ? .text(parts[0].text ?? "") : .parts(parts)
        default:
            throw InboundError("\(path).content must be a string or an array of blocks", param: path)
        }
    }

    /// An image or a document as a content part (base64 data as a data URI, a URL as is: a document's
    /// as the file's `file_url`, which only an Anthropic target reads).
    static func mediaPart(_ block: JSONValue, at path: String) throws(InboundError) -> ContentPart {
        let source = block["source"]
        let url: String
        switch source?["type"]?.stringValue {
        case "base64":
            let media = source?["media_type"]?.stringValue ?? "application/octet-stream"
            url = "data:\(media);base64,\(source?["data"]?.stringValue ?? "")"
        case "url":
            url = source?["url"]?.stringValue ?? ""
            if block["type"]?.stringValue != "image" {
                return ContentPart(type: "file", extra: ["file": ["file_url": .string(url)]])
            }
        case "text":
            return .text(source?["data"]?.stringValue ?? "")
        case "content":
            // A custom-content document: its text blocks.
            return .text(texts(of: source?["content"]))
        default:
            throw InboundError("\(path): unsupported \(block["type"]?.stringValue ?? "media") source", param: path)
        }
        if block["type"]?.stringValue == "image" {
            return ContentPart(type: "image_url", extra: ["image_url": ["url": .string(url)]])
        }
        return ContentPart(type: "file", extra: ["file": ["file_data": .string(url)]])
    }

    /// Lower-case letters, digits, '-', '_', '.' and commas with spaces, of a modest length: the
    /// vocabulary of Anthropic's version and beta headers.
    static func isHeaderVocabulary(_ value: String) -> Bool {
        value.utf8.count <= 512
            && value.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x2C || $0 == 0x20
            }
    }

    // MARK: Answers

    /// Anthropic's `stop_reason` for a chat `finish_reason` (and the stop string that ended the answer,
    /// when the backend named one).
    package static func stopReason(_ finishReason: String?, _ stopSequence: String? = nil, pausedTurn: Bool = false) -> String {
        if pausedTurn { return "pause_turn" }
        return switch finishReason {
        case "stop" where stopSequence != nil: "stop_sequence"
        case "length": "max_tokens"
        case "tool_calls": "tool_use"
        case "content_filter": "refusal"
        default: "end_turn"
        }
    }

    /// A Messages response for the conversation's answer.
    package static func response(_ answer: ChatCompletionResponse, requestedModel: String) -> JSONValue {
        let choice = answer.choices.first
        var content: [JSONValue] = []
        if let blocks = choice?.message.anthropicContent {
            // An Anthropic target's blocks, in order (server tools, cited text), with the tool calls
            // as the router left them (restored).
            let calls = Dictionary((choice?.message.toolCalls ?? []).map { ($0.id, $0) }) { first, _ in first }
            content = blocks.map { block in
                guard block["type"]?.stringValue == "tool_use", let id = block["id"]?.stringValue, let call = calls[id] else { return block }
                return toolUse(call)
            }
        } else {
            for block in choice?.message.reasoning ?? [] {
                if let data = block.redactedData {
                    content.append(["type": "redacted_thinking", "data": .string(data)])
                } else {
                    content.append(["type": "thinking", "thinking": .string(block.thinking ?? ""), "signature": .string(block.signature ?? "")])
                }
            }
            let text = choice?.message.text ?? ""
            if !text.isEmpty { content.append(["type": "text", "text": .string(text)]) }
            for call in choice?.message.toolCalls ?? [] { content.append(toolUse(call)) }
        }
        return [
            "id": .string(messageID(answer.id)), "type": "message", "role": "assistant",
            "model": .string(answer.model.isEmpty ? requestedModel : answer.model),
            "content": .array(content),
            "stop_reason": .string(stopReason(choice?.finishReason, choice?.stopSequence, pausedTurn: choice?.pausedTurn ?? false)),
            "stop_sequence": choice?.stopSequence.map(JSONValue.string) ?? .null,
            "usage": usage(answer.usage),
        ]
    }

    /// A tool call as a `tool_use` block.
    static func toolUse(_ call: ToolCall) -> JSONValue {
        let input = (try? WireJSON.decode(JSONValue.self, from: call.function.arguments)) ?? .object([:])
        return ["type": "tool_use", "id": .string(call.id), "name": .string(call.function.name), "input": input]
    }

    /// Anthropic's usage: `input_tokens` are those outside the prompt cache, whose reads and writes
    /// are counted apart (as the provider counted them).
    package static func usage(_ usage: Usage?) -> JSONValue {
        let read = usage?.cacheReadTokens ?? 0
        let write = usage?.cacheWriteTokens ?? 0
        let input = max(0, (usage?.promptTokens ?? 0) - read - write)
        var out: [String: JSONValue] = [
            "input_tokens": .integer(Int64(input)), "output_tokens": .integer(Int64(usage?.completionTokens ?? 0)),
        ]
        if read > 0 || write > 0 {
            out["cache_read_input_tokens"] = .integer(Int64(read))
            out["cache_creation_input_tokens"] = .integer(Int64(write))
        }
        // Server tools' calls (web searches), as an Anthropic target counted them.
        if let servers = usage?.extra["server_tool_use"], servers.objectValue != nil { out["server_tool_use"] = servers }
        if let cost = usage?.cost { out["cost_usd"] = .double(cost) }
        return .object(out)
    }

    static func messageID(_ id: String) -> String { id.hasPrefix("msg_") ? id : "msg_" + id.filter { $0.isLetter || $0.isNumber } }

    /// An Anthropic error body.
    package static func error(status: Int, message: String) -> JSONValue {
        let type =
            switch status {
            case 400: "invalid_request_error"
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 413: "request_too_large"
            case 429: "rate_limit_error"
            case 529: "overloaded_error"
            // Other client errors (405, 422, …) are the request's fault, as Anthropic types them.
            case 400..<500: "invalid_request_error"
            default: "api_error"
            }
        return ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
    }

    /// Turns the conversation's answer chunks into the Messages stream: `message_start`, `ping`,
    /// `content_block_start` / `_delta` (`text_delta`, `input_json_delta`) / `_stop` per block,
    /// `message_delta` with the stop reason and usage, `message_stop`.
    package struct StreamEncoder: Sendable {
        /// One SSE event: its name and data.
        package typealias Event = (name: String, data: JSONValue)

        let requestedModel: String
        let inputTokensEstimate: Int
        var started = false
        /// What the open content block takes: text, a tool call's arguments, thinking text (until its
        /// signature), or nothing more (a signed thinking block).
        enum BlockKind { case text, tool, thinking, closedThinking, passed }
        /// The open content block: its index, its tool call (a tool_use block) and what it takes.
        var openBlock: (index: Int, toolIndex: Int?, kind: BlockKind)?
        var nextBlock = 0
        var stopReason: String?
        var stopSequence: String?
        var finished = false
        var id = ""
        var model = ""

        package init(requestedModel: String, inputTokensEstimate: Int) {
            self.requestedModel = requestedModel
            self.inputTokensEstimate = inputTokensEstimate
        }

        mutating func start(_ chunk: ChatCompletionChunk, into events: inout [Event]) {
            guard !started else { return }
            started = true
            id = messageID(chunk.id.isEmpty ? "lumen" : chunk.id)
            model = chunk.model.isEmpty ? requestedModel : chunk.model
            events.append(
                (
                    "message_start",
                    [
                        "type": "message_start",
                        "message": [
                            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": [],
                            "stop_reason": .null, "stop_sequence": .null,
                            "usage": ["input_tokens": .integer(Int64(inputTokensEstimate)), "output_tokens": 0],
                        ],
                    ]
                ))
            events.append(("ping", ["type": "ping"]))
        }

        mutating func closeBlock(into events: inout [Event]) {
            guard let block = openBlock else { return }
            events.append(("content_block_stop", ["type": "content_block_stop", "index": .integer(Int64(block.index))]))
            openBlock = nil
        }

        mutating func openBlock(_ block: JSONValue, toolIndex: Int?, kind: BlockKind, into events: inout [Event]) {
            closeBlock(into: &events)
            openBlock = (nextBlock, toolIndex, kind)
            events.append(("content_block_start", ["type": "content_block_start", "index": .integer(Int64(nextBlock)), "content_block": block]))
            nextBlock += 1
        }

        /// The events for one chunk of the answer.
        package mutating func encode(_ chunk: ChatCompletionChunk) -> [Event] {
            var events: [Event] = []
            start(chunk, into: &events)
            for choice in chunk.choices where choice.index == 0 {
                if let block = choice.delta.anthropicBlock { encode(block, into: &events) }
                if let reasoning = choice.delta.reasoning { encode(reasoning, into: &events) }
                if let text = choice.delta.content, !text.isEmpty {
                    if openBlock?.kind != .text {
                        openBlock(["type": "text", "text": ""], toolIndex: nil, kind: .text, into: &events)
                    }
                    events.append(
                        (
                            "content_block_delta",
                            [
                                "type": "content_block_delta", "index": .integer(Int64(openBlock!.index)),
                                "delta": ["type": "text_delta", "text": .string(text)],
                            ]
                        ))
                }
                for call in choice.delta.toolCalls ?? [] {
                    if openBlock?.toolIndex != call.index {
                        openBlock(
                            [
                                "type": "tool_use", "id": .string(call.id ?? "toolu_\(call.index)"), "name": .string(call.function?.name ?? ""),
                                "input": .object([:]),
                            ],
                            toolIndex: call.index, kind: .tool, into: &events
                        )
                    }
                    if let fragment = call.function?.arguments, !fragment.isEmpty {
                        events.append(
                            (
                                "content_block_delta",
                                [
                                    "type": "content_block_delta", "index": .integer(Int64(openBlock!.index)),
                                    "delta": ["type": "input_json_delta", "partial_json": .string(fragment)],
                                ]
                            ))
                    }
                }
                if let reason = choice.finishReason {
                    stopReason = AnthropicInbound.stopReason(reason, choice.stopSequence, pausedTurn: choice.pausedTurn)
                    stopSequence = choice.stopSequence
                }
            }
            if let usage = chunk.usage { events += finish(usage: usage) }
            return events
        }

        /// An Anthropic target's block that the chat shape cannot hold goes out as it came: a server
        /// tool's block (start, deltas, stop) at the next index, a citation into the open text block
        /// (or a new one); a new text block closes the open one.
        mutating func encode(_ block: AnthropicBlockDelta, into events: inout [Event]) {
            switch block {
            case .start(let start):
                openBlock(start, toolIndex: nil, kind: .passed, into: &events)
            case .delta(let delta):
                guard let open = openBlock, open.kind == .passed else { return }
                events.append(("content_block_delta", ["type": "content_block_delta", "index": .integer(Int64(open.index)), "delta": delta]))
            case .stop:
                if openBlock?.kind == .passed { closeBlock(into: &events) }
            case .textStart:
                if openBlock?.kind == .text { closeBlock(into: &events) }
            case .citation(let citation):
                if openBlock?.kind != .text { openBlock(["type": "text", "text": ""], toolIndex: nil, kind: .text, into: &events) }
                events.append(
                    (
                        "content_block_delta",
                        [
                            "type": "content_block_delta", "index": .integer(Int64(openBlock!.index)),
                            "delta": ["type": "citations_delta", "citation": citation],
                        ]
                    ))
            }
        }

        /// Thinking text goes into the open thinking block (or a new one), a signature closes it for
        /// text, a redacted block stands alone.
        mutating func encode(_ reasoning: ReasoningDelta, into events: inout [Event]) {
            switch reasoning {
            case .thinking(let text):
                if openBlock?.kind != .thinking {
                    openBlock(["type": "thinking", "thinking": "", "signature": ""], toolIndex: nil, kind: .thinking, into: &events)
                }
                guard !text.isEmpty else { return }
                events.append(
                    (
                        "content_block_delta",
                        [
                            "type": "content_block_delta", "index": .integer(Int64(openBlock!.index)),
                            "delta": ["type": "thinking_delta", "thinking": .string(text)],
                        ]
                    ))
            case .signature(let signature):
                if openBlock?.kind != .thinking {
                    openBlock(["type": "thinking", "thinking": "", "signature": ""], toolIndex: nil, kind: .thinking, into: &events)
                }
                events.append(
                    (
                        "content_block_delta",
                        [
                            "type": "content_block_delta", "index": .integer(Int64(openBlock!.index)),
                            "delta": ["type": "signature_delta", "signature": .string(signature)],
                        ]
                    ))
                openBlock?.kind = .closedThinking
            case .redacted(let data):
                openBlock(["type": "redacted_thinking", "data": .string(data)], toolIndex: nil, kind: .closedThinking, into: &events)
                closeBlock(into: &events)
            }
        }

        /// The closing events (once): the open block's stop, `message_delta` with the stop reason and
        /// usage, `message_stop`.
        package mutating func finish(usage: Usage?) -> [Event] {
            guard !finished else { return [] }
            finished = true
            var events: [Event] = []
            if !started { start(ChatCompletionChunk(id: "", created: 0, model: requestedModel, choices: []), into: &events) }
            closeBlock(into: &events)
            var usageValue = AnthropicInbound.usage(usage).objectValue ?? [:]
            if usage == nil { usageValue["input_tokens"] = .integer(Int64(inputTokensEstimate)) }
            events.append(
                (
                    "message_delta",
                    [
                        "type": "message_delta",
                        "delta": ["stop_reason": .string(stopReason ?? "end_turn"), "stop_sequence": stopSequence.map(JSONValue.string) ?? .null],
                        "usage": .object(usageValue),
                    ]
                ))
            events.append(("message_stop", ["type": "message_stop"]))
            return events
        }
    }
}
