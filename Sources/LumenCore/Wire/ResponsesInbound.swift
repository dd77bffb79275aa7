/// The OpenAI Responses API as a client API (`POST /v1/responses`): its request into the
/// conversation, the conversation's answer into a `response` object and its stream events.
package enum ResponsesInbound {
    /// Top-level members of a Responses request that OpenAI documents (openai-python 1.109
    /// `ResponseCreateParams`, plus `client_metadata`, which Codex sends).
    package static let documentedFields: Set<String> = [
        "input", "instructions", "model", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens", "max_tool_calls",
        "temperature", "top_p", "top_logprobs", "stream", "stream_options", "store", "previous_response_id", "include", "reasoning",
        "text", "truncation", "metadata", "user", "safety_identifier", "prompt_cache_key", "service_tier", "background", "prompt",
        "conversation", "client_metadata",
    ]

    /// The JSON types of the documented members the conversation reads.
    static let memberTypes: [String: MemberType] = [
        "model": .string, "input": .stringOrArray, "instructions": .string, "stream": .bool, "temperature": .number, "top_p": .number,
        "max_output_tokens": .integer, "tools": .array, "tool_choice": .stringOrObject, "parallel_tool_calls": .bool, "store": .bool,
        "previous_response_id": .string, "text": .object, "metadata": .object, "user": .string,
    ]

    /// Options the conversation cannot carry to a Chat Completions or Anthropic target (named in
    /// `x-lumen-dropped-fields` when present). `prompt_cache_key`, `service_tier`, `metadata`,
    /// `safety_identifier` and `reasoning.effort` go on as their Chat Completions namesakes.
    static let notCarried = [
        "include", "truncation", "max_tool_calls", "top_logprobs", "background", "client_metadata",
    ]

    /// Members that name state kept at OpenAI, which no target of Lumen's can read: dropping them
    /// would answer without the conversation or the instructions they stand for, so they are refused.
    static let storedAtOpenAI = [
        (
            "conversation",
            "'conversation' names a conversation stored at OpenAI, which Lumen cannot read: send the conversation in 'input', or continue with previous_response_id (lumen serve --responses-store N)"
        ),
        (
            "prompt",
            "'prompt' names a prompt template stored at OpenAI, which Lumen cannot read: send its text as 'instructions'"
        ),
    ]

    /// What a custom tool's description gains as a function: how its freeform input travels.
    static let customInputNote = "(Its whole input is the string argument `input`.)"

    /// Names of function tools inside a `namespace` tool join with this separator (`ns__fn`).
    package static let namespaceSeparator = "__"

    /// Decodes a Responses request body. `history` resolves `previous_response_id` (the stored
    /// conversation so far, without the new input); nil when no store is configured.
    package static func decode(_ body: JSONValue, history: ((String) -> [ChatMessage]?)? = nil) throws(InboundError) -> InboundRequest {
        guard var object = body.objectValue else { throw InboundError("the body must be a JSON object") }
        var dropped: [String] = []
        var unknown: [String] = []
        for key in object.keys.sorted() where !documentedFields.contains(key) {
            object[key] = nil
            unknown.append(key)
        }
        try MemberType.check(object, memberTypes)
        guard let model = object["model"]?.stringValue else { throw InboundError("'model' is required", param: "model") }
        for (key, why) in storedAtOpenAI where object[key] != nil && object[key] != .null { throw InboundError(why, param: key) }
        var conversation = ChatCompletionRequest(model: model, messages: [])
        if let previous = object["previous_response_id"]?.stringValue {
            guard let history else {
                throw InboundError(
                    "previous_response_id needs a response store: start lumen serve with --responses-store N, or send the whole conversation in 'input'",
                    param: "previous_response_id"
                )
            }
            guard let earlier = history(previous) else {
                // The id is named back only when it has an id's shape: an error is no channel to echo
                // arbitrary client text through (into logs, or a page that shows it).
                let shaped =
                    !previous.isEmpty && previous.utf8.count <= 64
                    && previous.utf8.allSatisfy {
                        $0 == 0x5F || $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                    }
                throw InboundError(
                    "no stored response \(shaped ? "'\(previous)'" : "with that id") (the store is bounded and in memory)",
                    param: "previous_response_id")
            }
            conversation.messages = earlier
        }
        let instructions = object["instructions"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        switch object["input"] {
        case .string(let text)?:
            conversation.messages.append(ChatMessage(role: .user, text: text))
        case .array(let items)?:
            conversation.messages += try self.items(items, dropped: &dropped)
        case nil:
            break
        default:
            throw InboundError("'input' must be a string or an array of items", param: "input")
        }
        guard conversation.messages.contains(where: { $0.role != .system && $0.role != .developer }) else {
            throw InboundError("'input' must hold at least one message", param: "input")
        }
        // A tool's output answers a call made before it (in this input or the conversation it
        // continues), as the Responses API requires.
        var calls = Set<String>()
        for message in conversation.messages {
            for call in message.toolCalls ?? [] { calls.insert(call.id) }
            if message.role == .tool, let id = message.toolCallId, !calls.contains(id) {
                throw InboundError("No tool call found for function call output with call_id '\(id)'", param: "input")
            }
        }
        // What a later previous_response_id continues: the conversation without this request's
        // instructions (they apply to this response only).
        let storable = object["store"]?.boolValue == false ? nil : conversation.messages
        if let instructions { conversation.messages.insert(ChatMessage(role: .system, text: instructions), at: 0) }
        if let v = object["max_output_tokens"] {
            guard let n = v.intValue, n >= 1 else { throw InboundError("'max_output_tokens' must be a positive integer", param: "max_output_tokens") }
            conversation.maxTokens = n
        }
        conversation.temperature = object["temperature"]?.doubleValue
        conversation.topP = object["top_p"]?.doubleValue
        if object["stream"]?.boolValue == true {
            conversation.stream = true
            conversation.streamOptions = StreamOptions(includeUsage: true)
        }
        if let user = object["user"]?.stringValue { conversation.user = user }
        if let metadata = object["metadata"], metadata.objectValue != nil { conversation.metadata = metadata }
        for key in ["prompt_cache_key", "service_tier", "safety_identifier", "parallel_tool_calls"] where object[key] != nil {
            conversation.extra[key] = object[key]
        }
        if let tools = object["tools"]?.arrayValue {
            var functions: [Tool] = []
            for (index, tool) in tools.enumerated() {
                functions += try self.tools(tool, at: "tools[\(index)]", dropped: &dropped)
            }
            if !functions.isEmpty { conversation.tools = functions }
        }
        switch object["tool_choice"] {
        case nil: break
        case .string("auto")?: conversation.toolChoice = .auto
        case .string("none")?: conversation.toolChoice = ToolChoice.none
        case .string("required")?: conversation.toolChoice = .required
        case let choice?:
            if let name = choice["name"]?.stringValue {
                conversation.toolChoice = .function(name: name)
            } else {
                dropped.append("tool_choice (\(choice["type"]?.stringValue ?? "?"))")
            }
        }
        if let text = object["text"] {
            if let format = text["format"] { conversation.responseFormat = try responseFormat(format) }
            for key in (text.objectValue?.keys ?? [:].keys).sorted() where key != "format" { dropped.append("text.\(key)") }
        }
        // `reasoning.effort` is Chat Completions' `reasoning_effort` (a target that takes no effort
        // leaves it out and names it); the rest of `reasoning` (`summary`) has no namesake.
        if let reasoning = object.removeValue(forKey: "reasoning"), reasoning != .null {
            guard let members = reasoning.objectValue else { throw InboundError("'reasoning' must be an object", param: "reasoning") }
            switch members["effort"] {
            case nil, .null?: break
            case .string(let effort)?: conversation.extra["reasoning_effort"] = .string(effort)
            default: throw InboundError("'reasoning.effort' must be a string", param: "reasoning.effort")
            }
            for (key, value) in members.sorted(by: { $0.key < $1.key }) where key != "effort" && value != .null {
                dropped.append("reasoning.\(key)")
            }
        }
        for key in notCarried where object[key] != nil { dropped.append(key) }
        if object["store"]?.boolValue == true && history == nil { dropped.append("store (Lumen stores responses only with --responses-store)") }
        var inbound = InboundRequest(api: .responses, conversation: conversation, unknownFields: unknown, dropped: dropped)
        inbound.storable = storable
        return inbound
    }

    /// `text.format` as Chat Completions' `response_format` (the answer's shape: text, any JSON
    /// object, or JSON following a schema); nil for plain text.
    static func responseFormat(_ format: JSONValue) throws(InboundError) -> JSONValue? {
        switch format["type"]?.stringValue {
        case "text"?:
            return nil
        case "json_object"?:
            return ["type": "json_object"]
        case "json_schema"?:
            guard let schema = format["schema"], schema.objectValue != nil else {
                throw InboundError("'text.format' of type json_schema needs a 'schema' object", param: "text.format.schema")
            }
            var jsonSchema: [String: JSONValue] = ["name": format["name"] ?? "response", "schema": schema]
            for key in ["strict", "description"] { jsonSchema[key] = format[key] }
            return ["type": "json_schema", "json_schema": .object(jsonSchema)]
        default:
            throw InboundError("'text.format.type' must be text, json_object or json_schema", param: "text.format.type")
        }
    }

    /// Tools as functions: `function`, `custom` (freeform text input, carried as one string
    /// argument `input`) and the functions of a `namespace`; hosted tools are dropped (named).
    static func tools(_ tool: JSONValue, at path: String, dropped: inout [String]) throws(InboundError) -> [Tool] {
        switch tool["type"]?.stringValue {
        case "function":
            guard let name = tool["name"]?.stringValue else { throw InboundError("\(path): a function tool needs a 'name'", param: path) }
            return [
                Tool(
                    function: FunctionDefinition(
                        name: name, description: tool["description"]?.stringValue,
                        parameters: tool["parameters"] ?? ["type": "object", "properties": [:]],
                        strict: tool["strict"]?.boolValue
                    ))
            ]
        case "custom":
            guard let name = tool["name"]?.stringValue else { throw InboundError("\(path): a custom tool needs a 'name'", param: path) }
            var description = tool["description"]?.stringValue ?? ""
            description += (description.isEmpty ? "" : " ") + customInputNote
            // A grammar for the input (Lark or a regex) is not enforced: the input is free text.
            if let format = tool["format"], format["type"]?.stringValue != "text" {
                dropped.append("\(path).format (\(format["type"]?.stringValue ?? "?"): the input is free text)")
            }
            return [
                Tool(
                    function: FunctionDefinition(
                        name: name, description: description,
                        parameters: ["type": "object", "properties": ["input": ["type": "string"]], "required": ["input"]]
                    ),
                    inboundKind: .custom
                )
            ]
        case "namespace":
            guard let namespace = tool["name"]?.stringValue, let inner = tool["tools"]?.arrayValue else {
                throw InboundError("\(path): a namespace needs a 'name' and 'tools'", param: path)
            }
            var out: [Tool] = []
            for (index, member) in inner.enumerated() {
                for var function in try tools(member, at: "\(path).tools[\(index)]", dropped: &dropped) {
                    let name = function.function?.name ?? ""
                    function.function?.name = namespace + namespaceSeparator + name
                    function.inboundKind = .namespaced(namespace: namespace, name: name)
                    out.append(function)
                }
            }
            return out
        default:
            dropped.append("\(path) (hosted tool \(tool["type"]?.stringValue ?? "?"))")
            return []
        }
    }

    /// Input items as conversation messages: consecutive function calls join one assistant turn.
    /// Input items that record an earlier turn's reasoning or hosted tools: only the upstream that
    /// made them can read them.
    static let recordsOnly: Set<String> = ["reasoning", "item_reference", "web_search_call", "tool_search_call", "tool_search_output", "compaction"]

    /// The input items as messages; `dropped` names those that go no further.
    static func items(_ items: [JSONValue], dropped: inout [String]) throws(InboundError) -> [ChatMessage] {
        var out: [ChatMessage] = []
        func appendCall(_ call: ToolCall) {
            if var last = out.last, last.role == .assistant, last.content == nil || last.text.isEmpty, last.toolCalls != nil {
                last.toolCalls?.append(call)
                out[out.count - 1] = last
            } else {
                out.append(ChatMessage(role: .assistant, content: nil, toolCalls: [call]))
            }
        }
        for (index, item) in items.enumerated() {
            let path = "input[\(index)]"
            let type = item["type"]?.stringValue ?? (item["role"] != nil ? "message" : "")
            switch type {
            case "message":
                guard let roleName = item["role"]?.stringValue else { throw InboundError("\(path): 'role' is required", param: path) }
                let role = ChatRole(rawValue: roleName)
                switch item["content"] {
                case .string(let text)?:
                    out.append(ChatMessage(role: role, text: text))
                case .array(let parts)?:
                    var converted: [ContentPart] = []
                    for (p, part) in parts.enumerated() {
                        converted.append(try contentPart(part, at: "\(path).content[\(p)]"))
                    }
                    out.append(
                        ChatMessage(
                            role: role, content: converted.count == 1 && converted[0].isText ? .text(converted[0].text ?? "") : .parts(converted)))
                default:
                    throw InboundError("\(path).content must be a string or an array of parts", param: path)
                }
            case "function_call":
                guard let id = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                    throw InboundError("\(path): a function_call needs 'call_id' and 'name'", param: path)
                }
                // A function of a namespace is called by its own name with the namespace beside it.
                let joined = item["namespace"]?.stringValue.map { $0 + namespaceSeparator + name } ?? name
                appendCall(ToolCall(id: id, function: FunctionCall(name: joined, arguments: item["arguments"]?.stringValue ?? "{}")))
            case "custom_tool_call":
                guard let id = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                    throw InboundError("\(path): a custom_tool_call needs 'call_id' and 'name'", param: path)
                }
                let input = (try? WireJSON.encodeString(JSONValue.object(["input": item["input"] ?? ""]))) ?? "{}"
                appendCall(ToolCall(id: id, function: FunctionCall(name: name, arguments: input)))
            case "function_call_output", "custom_tool_call_output":
                guard let id = item["call_id"]?.stringValue else { throw InboundError("\(path): '\(type)' needs 'call_id'", param: path) }
                var result: ChatMessage
                switch item["output"] {
                case .string(let text)?: result = ChatMessage(role: .tool, text: text)
                case .array(let parts)?:
                    var converted: [ContentPart] = []
                    for (p, part) in parts.enumerated() { converted.append(try contentPart(part, at: "\(path).output[\(p)]")) }
                    result = ChatMessage(role: .tool, content: .parts(converted))
                default: result = ChatMessage(role: .tool, text: "")
                }
                result.toolCallId = id
                out.append(result)
            case _ where recordsOnly.contains(type):
                // Reasoning and hosted-tool records of earlier turns: only the upstream that made them
                // can read them; the conversation goes on without them, and says so.
                dropped.append("\(path) (\(type))")
            default:
                throw InboundError("\(path): input item type '\(type)' is not supported", param: path)
            }
        }
        return out
    }

    static func contentPart(_ part: JSONValue, at path: String) throws(InboundError) -> ContentPart {
        switch part["type"]?.stringValue {
        case "input_text", "output_text", "text":
            guard let text = part["text"]?.stringValue else { throw InboundError("\(path).text must be a string", param: "\(path).text") }
            return ContentPart(type: "text", text: text)
        case "refusal":
            return ContentPart(type: "text", text: part["refusal"]?.stringValue ?? "")
        case "input_image":
            guard let url = part["image_url"]?.stringValue else { throw InboundError("\(path): input_image needs an 'image_url'", param: path) }
            var image: [String: JSONValue] = ["url": .string(url)]
            if let detail = part["detail"] { image["detail"] = detail }
            return ContentPart(type: "image_url", extra: ["image_url": .object(image)])
        case "input_file":
            var file: [String: JSONValue] = [:]
            for key in ["file_data", "file_id", "file_url", "filename"] { if let v = part[key] { file[key] = v } }
            return ContentPart(type: "file", extra: ["file": .object(file)])
        default:
            throw InboundError("\(path): content part type '\(part["type"]?.stringValue ?? "?")' is not supported", param: path)
        }
    }

    // MARK: Answers

    /// The tool a call names: a custom tool (its input was wrapped as `{"input": …}`), a function of
    /// a namespace (its name was joined with the namespace's) or a plain function.
    package struct ToolKinds: Sendable {
        package var kinds: [String: Tool.InboundToolKind]

        package init(_ request: ChatCompletionRequest) {
            kinds = [:]
            for tool in request.tools ?? [] {
                if let name = tool.function?.name, let kind = tool.inboundKind { kinds[name] = kind }
            }
        }

        package func isCustom(_ name: String) -> Bool { kinds[name] == .custom }
    }

    /// The output item for a tool call, in the shape of the tool the client offered.
    static func callItem(id: String, callID: String, name: String, arguments: String, kinds: ToolKinds, status: String) -> JSONValue {
        switch kinds.kinds[name] {
        case .custom?:
            let input = (try? WireJSON.decode(JSONValue.self, from: arguments))?["input"]?.stringValue ?? arguments
            return [
                "type": "custom_tool_call", "id": .string(id), "call_id": .string(callID), "name": .string(name), "input": .string(input),
                "status": .string(status),
            ]
        case .namespaced(let namespace, let inner)?:
            return [
                "type": "function_call", "id": .string(id), "call_id": .string(callID), "name": .string(inner), "namespace": .string(namespace),
                "arguments": .string(arguments), "status": .string(status),
            ]
        case nil:
            return [
                "type": "function_call", "id": .string(id), "call_id": .string(callID), "name": .string(name), "arguments": .string(arguments),
                "status": .string(status),
            ]
        }
    }

    package static func usage(_ usage: Usage?) -> JSONValue {
        let input = usage?.promptTokens ?? 0
        let output = usage?.completionTokens ?? 0
        var out: [String: JSONValue] = [
            "input_tokens": .integer(Int64(input)), "output_tokens": .integer(Int64(output)), "total_tokens": .integer(Int64(input + output)),
            "input_tokens_details": ["cached_tokens": .integer(Int64(usage?.cacheReadTokens ?? 0))],
            "output_tokens_details": ["reasoning_tokens": 0],
        ]
        if let cost = usage?.cost { out["cost_usd"] = .double(cost) }
        return .object(out)
    }

    /// The request's tool choice in the Responses shape, as the response object repeats it.
    static func toolChoice(_ choice: ToolChoice?, kinds: ToolKinds) -> JSONValue {
        switch choice {
        case nil, .auto?: "auto"
        case .none?: "none"
        case .required?: "required"
        case .function(let name)?:
            switch kinds.kinds[name] {
            case .custom?: ["type": "custom", "name": .string(name)]
            case .namespaced(_, let inner)?: ["type": "function", "name": .string(inner)]
            case nil: ["type": "function", "name": .string(name)]
            }
        case .other(let value)?: value
        }
    }

    /// The request's tools in the client's shapes: functions, custom tools (without the note on
    /// their input) and the functions of a namespace inside their namespace.
    static func tools(of request: ChatCompletionRequest) -> [JSONValue] {
        var out: [JSONValue] = []
        var namespaces: [String: Int] = [:]
        for tool in request.tools ?? [] {
            guard let function = tool.function else { continue }
            func functionTool(named name: String) -> JSONValue {
                [
                    "type": "function", "name": .string(name), "description": function.description.map(JSONValue.string) ?? .null,
                    "parameters": function.parameters ?? .null, "strict": function.strict.map(JSONValue.bool) ?? .null,
                ]
            }
            switch tool.inboundKind {
            case .custom?:
                var text = function.description ?? ""
                if text.hasSuffix(customInputNote) {
                    text = String(text.dropLast(customInputNote.count))
                    while text.hasSuffix(" ") { text.removeLast() }
                }
                out.append(["type": "custom", "name": .string(function.name), "description": text.isEmpty ? .null : .string(text)])
            case .namespaced(let namespace, let name)?:
                let inner = functionTool(named: name)
                if let at = namespaces[namespace], case .object(var group) = out[at], case .array(var members)? = group["tools"] {
                    members.append(inner)
                    group["tools"] = .array(members)
                    out[at] = .object(group)
                } else {
                    namespaces[namespace] = out.count
                    out.append(["type": "namespace", "name": .string(namespace), "tools": [inner]])
                }
            case nil:
                out.append(functionTool(named: function.name))
            }
        }
        return out
    }

    /// A `response` object around `output`.
    static func response(
        id: String, created: Int, model: String, status: String, output: [JSONValue], usage: Usage?, request: ChatCompletionRequest,
        incompleteReason: String = "max_output_tokens"
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "response", "created_at": .integer(Int64(created)), "status": .string(status),
            "model": .string(model), "output": .array(output), "parallel_tool_calls": request.extra["parallel_tool_calls"] ?? true,
            "tool_choice": toolChoice(request.toolChoice, kinds: ToolKinds(request)), "tools": .array(tools(of: request)), "error": .null,
            "incomplete_details": .null,
        ]
        if status == "incomplete" { object["incomplete_details"] = ["reason": .string(incompleteReason)] }
        if let usage { object["usage"] = Self.usage(usage) }
        return .object(object)
    }

    /// A Responses `response` for the conversation's answer.
    package static func response(_ answer: ChatCompletionResponse, id: String, request: ChatCompletionRequest) -> JSONValue {
        let choice = answer.choices.first
        let (status, reason) = Self.status(choice?.finishReason)
        let calls = choice?.message.toolCalls ?? []
        var output: [JSONValue] = []
        let text = choice?.message.text ?? ""
        if !text.isEmpty || calls.isEmpty {
            // The last item of an answer cut at its token limit is incomplete.
            output.append(messageItem(id: "msg_" + id.dropFirst(5), text: text, status: calls.isEmpty ? status : "completed"))
        }
        let kinds = ToolKinds(request)
        for (index, call) in calls.enumerated() {
            output.append(
                callItem(
                    id: "fc_\(id.dropFirst(5))_\(index)", callID: call.id, name: call.function.name, arguments: call.function.arguments, kinds: kinds,
                    status: index == calls.count - 1 ? status : "completed"))
        }
        return response(
            id: id, created: answer.created, model: answer.model.isEmpty ? request.model : answer.model, status: status, output: output,
            usage: answer.usage, request: request, incompleteReason: reason
        )
    }

    /// A response's status for an answer's finish reason, and why it is incomplete: the token limit
    /// ("length"), or a refusal ("content_filter", an Anthropic target's "refusal").
    static func status(_ finishReason: String?) -> (status: String, reason: String) {
        switch finishReason {
        case "length": ("incomplete", "max_output_tokens")
        case "content_filter": ("incomplete", "content_filter")
        default: ("completed", "")
        }
    }

    static func messageItem(id: some StringProtocol, text: String, status: String) -> JSONValue {
        [
            "type": "message", "id": .string(String(id)), "status": .string(status), "role": "assistant",
            "content": status == "in_progress" && text.isEmpty ? [] : [["type": "output_text", "text": .string(text), "annotations": []]],
        ]
    }

    /// The messages a stored response adds to its conversation (its answer as an assistant turn).
    package static func assistantTurn(_ answer: ChatCompletionResponse) -> ChatMessage? {
        answer.choices.first?.message
    }

    /// An OpenAI error body (the Responses API uses the same shape as Chat Completions).
    package static func error(type: String, code: String, message: String, param: String?) -> JSONValue {
        ["error": ["type": .string(type), "code": .string(code), "message": .string(message), "param": param.map(JSONValue.string) ?? .null]]
    }

    /// Turns the conversation's answer chunks into the Responses stream: `response.created`,
    /// `response.in_progress`, per output item `response.output_item.added`, the text or argument
    /// deltas and their `.done` events, `response.output_item.done`, and `response.completed`
    /// (or `response.incomplete`) with usage. Every event carries its `sequence_number`.
    package struct StreamEncoder: Sendable {
        package typealias Event = (name: String, data: JSONValue)

        package let id: String
        let created: Int
        let request: ChatCompletionRequest
        let kinds: ToolKinds
        var model: String
        var sequence = 0
        var started = false
        package private(set) var finished = false
        /// The whole response the stream ended with (`response.completed` or `.incomplete`).
        package private(set) var completed: JSONValue?
        var output: [JSONValue] = []
        /// The open item: a message (its text so far) or a call (position in the chunk stream, ids, name, arguments so far).
        var openText: (index: Int, itemID: String, text: String)?
        var openCall: (index: Int, toolIndex: Int, itemID: String, callID: String, name: String, arguments: String)?
        var finishReason: String?
        /// The assistant turn as it was answered (for the response store).
        package private(set) var answer = ChatMessage(role: .assistant, content: nil)

        package init(id: String, created: Int, request: ChatCompletionRequest) {
            self.id = id
            self.created = created
            self.request = request
            self.kinds = ToolKinds(request)
            self.model = request.model
        }

        mutating func event(_ name: String, _ fields: [String: JSONValue]) -> Event {
            var data = fields
            data["type"] = .string(name)
            data["sequence_number"] = .integer(Int64(sequence))
            sequence += 1
            return (name, .object(data))
        }

        mutating func start(into events: inout [Event]) {
            guard !started else { return }
            started = true
            let shell = ResponsesInbound.response(
                id: id, created: created, model: model, status: "in_progress", output: [], usage: nil, request: request)
            events.append(event("response.created", ["response": shell]))
            events.append(event("response.in_progress", ["response": shell]))
        }

        /// Closes the open message item; `status` is "incomplete" for the last one of an answer cut
        /// at its token limit.
        mutating func closeText(into events: inout [Event], status: String = "completed") {
            guard let open = openText else { return }
            openText = nil
            let part: JSONValue = ["type": "output_text", "text": .string(open.text), "annotations": []]
            events.append(
                event(
                    "response.output_text.done",
                    [
                        "item_id": .string(open.itemID), "output_index": .integer(Int64(open.index)), "content_index": 0, "text": .string(open.text),
                        "logprobs": [],
                    ]))
            events.append(
                event(
                    "response.content_part.done",
                    ["item_id": .string(open.itemID), "output_index": .integer(Int64(open.index)), "content_index": 0, "part": part]))
            let item = ResponsesInbound.messageItem(id: open.itemID, text: open.text, status: status)
            output.append(item)
            events.append(event("response.output_item.done", ["output_index": .integer(Int64(open.index)), "item": item]))
        }

        mutating func closeCall(into events: inout [Event], status: String = "completed") {
            guard let open = openCall else { return }
            openCall = nil
            let item = ResponsesInbound.callItem(
                id: open.itemID, callID: open.callID, name: open.name, arguments: open.arguments, kinds: kinds, status: status)
            if kinds.isCustom(open.name) {
                events.append(
                    event(
                        "response.custom_tool_call_input.done",
                        ["item_id": .string(open.itemID), "output_index": .integer(Int64(open.index)), "input": item["input"] ?? ""]))
            } else {
                events.append(
                    event(
                        "response.function_call_arguments.done",
                        ["item_id": .string(open.itemID), "output_index": .integer(Int64(open.index)), "arguments": .string(open.arguments)]))
            }
            output.append(item)
            events.append(event("response.output_item.done", ["output_index": .integer(Int64(open.index)), "item": item]))
        }

        /// The events for one chunk of the answer.
        package mutating func encode(_ chunk: ChatCompletionChunk) -> [Event] {
            var events: [Event] = []
            if !chunk.model.isEmpty { model = chunk.model }
            start(into: &events)
            for choice in chunk.choices where choice.index == 0 {
                if let text = choice.delta.content, !text.isEmpty {
                    closeCall(into: &events)
                    if openText == nil {
                        let index = output.count
                        let itemID = "msg_\(id.dropFirst(5))_\(index)"
                        openText = (index, itemID, "")
                        events.append(
                            event(
                                "response.output_item.added",
                                [
                                    "output_index": .integer(Int64(index)),
                                    "item": ResponsesInbound.messageItem(id: itemID, text: "", status: "in_progress"),
                                ]))
                        events.append(
                            event(
                                "response.content_part.added",
                                [
                                    "item_id": .string(itemID), "output_index": .integer(Int64(index)), "content_index": 0,
                                    "part": ["type": "output_text", "text": "", "annotations": []],
                                ]))
                    }
                    openText!.text += text
                    events.append(
                        event(
                            "response.output_text.delta",
                            [
                                "item_id": .string(openText!.itemID), "output_index": .integer(Int64(openText!.index)), "content_index": 0,
                                "delta": .string(text), "logprobs": [],
                            ]))
                }
                for call in choice.delta.toolCalls ?? [] {
                    if openCall?.toolIndex != call.index {
                        closeText(into: &events)
                        closeCall(into: &events)
                        let index = output.count
                        let itemID = "fc_\(id.dropFirst(5))_\(index)"
                        let callID = call.id ?? "call_\(id.dropFirst(5))_\(index)"
                        let name = call.function?.name ?? ""
                        openCall = (index, call.index, itemID, callID, name, "")
                        let item = ResponsesInbound.callItem(
                            id: itemID, callID: callID, name: name, arguments: "", kinds: kinds, status: "in_progress")
                        events.append(event("response.output_item.added", ["output_index": .integer(Int64(index)), "item": item]))
                    }
                    if let fragment = call.function?.arguments, !fragment.isEmpty, let open = openCall {
                        openCall!.arguments += fragment
                        // A custom tool's input is a string inside the JSON arguments: its delta is sent whole at the end.
                        if !kinds.isCustom(open.name) {
                            events.append(
                                event(
                                    "response.function_call_arguments.delta",
                                    ["item_id": .string(open.itemID), "output_index": .integer(Int64(open.index)), "delta": .string(fragment)]))
                        }
                    }
                }
                if let reason = choice.finishReason { finishReason = reason }
            }
            if let usage = chunk.usage { events += finish(usage: usage) }
            return events
        }

        /// The closing events (once): open items done, then `response.completed` with the whole
        /// response and its usage (`response.incomplete` when the answer hit its token limit).
        package mutating func finish(usage: Usage?) -> [Event] {
            guard !finished else { return [] }
            finished = true
            var events: [Event] = []
            start(into: &events)
            // An answer cut at its token limit (or refused): the item it was writing is incomplete too.
            let (status, reason) = ResponsesInbound.status(finishReason)
            closeText(into: &events, status: status)
            closeCall(into: &events, status: status)
            let whole = ResponsesInbound.response(
                id: id, created: created, model: model, status: status, output: output, usage: usage, request: request, incompleteReason: reason)
            completed = whole
            events.append(event(status == "completed" ? "response.completed" : "response.incomplete", ["response": whole]))
            var text = ""
            var calls: [ToolCall] = []
            for item in output {
                if item["type"]?.stringValue == "message" { text += item["content"]?.arrayValue?.first?["text"]?.stringValue ?? "" }
                if let callID = item["call_id"]?.stringValue, let name = item["name"]?.stringValue {
                    let arguments =
                        item["arguments"]?.stringValue ?? ((try? WireJSON.encodeString(JSONValue.object(["input": item["input"] ?? ""]))) ?? "{}")
                    calls.append(ToolCall(id: callID, function: FunctionCall(name: name, arguments: arguments)))
                }
            }
            answer = ChatMessage(role: .assistant, content: text.isEmpty ? nil : .text(text), toolCalls: calls.isEmpty ? nil : calls)
            return events
        }

        /// An `error` event for a stream cut after it started (then `response.failed`).
        package mutating func failure(code: String, message: String) -> [Event] {
            finished = true
            var events: [Event] = []
            start(into: &events)
            events.append(event("error", ["code": .string(code), "message": .string(message), "param": .null]))
            var failed =
                ResponsesInbound.response(id: id, created: created, model: model, status: "failed", output: output, usage: nil, request: request)
                .objectValue ?? [:]
            failed["error"] = ["code": .string(code), "message": .string(message)]
            events.append(event("response.failed", ["response": .object(failed)]))
            return events
        }
    }
}
