import Foundation
import Hummingbird
import LumenCore
import NIOCore

/// Recorded requests, the fail-first counter, and request handling.
actor FakeUpstreamState {
    enum API { case openAI, anthropic, models }

    let options: FakeUpstreamOptions
    private(set) var recorded: [RecordedRequest] = []
    private var completionCount = 0
    private let recordHandle: FileHandle?
    private let timestamps = ISO8601DateFormatter()

    init(options: FakeUpstreamOptions) {
        self.options = options
        if let path = options.recordFile {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            let handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
            recordHandle = handle
        } else {
            recordHandle = nil
        }
    }

    private static let secretHeaders: Set<String> = ["authorization", "x-api-key", "api-key", "proxy-authorization"]

    /// Records the request and returns the index among completion requests (for fail-first).
    private func record(_ request: Request, body: [UInt8], isCompletion: Bool) -> Int {
        var headers: [String: String] = [:]
        var hadKey = false
        for field in request.headers {
            let name = field.name.canonicalName
            if Self.secretHeaders.contains(name) {
                hadKey = true
                headers[name] = "[redacted]"
            } else {
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
        }
        let entry = RecordedRequest(
            time: timestamps.string(from: Date()),
            method: request.method.rawValue,
            path: request.uri.path,
            headers: headers,
            body: String(decoding: body, as: UTF8.self),
            hadAPIKey: hadKey
        )
        if options.retainRecords { recorded.append(entry) }
        if let recordHandle, var line = try? WireJSON.encode(entry) {
            line.append(UInt8(ascii: "\n"))
            try? recordHandle.write(contentsOf: line)
        }
        if isCompletion { completionCount += 1 }
        return completionCount
    }

    nonisolated func handle(_ request: Request, context: FakeContext, api: API) async throws -> Response {
        var request = request
        let body = Array((try await request.collectBody(upTo: 16 << 20)).readableBytesView)
        let ordinal = await record(request, body: body, isCompletion: api != .models)

        if api == .models {
            let list = ModelList(data: [ModelInfo(id: options.model, ownedBy: "lumen-fake-upstream")])
            return Self.json(200, try WireJSON.encode(list))
        }
        if api == .anthropic && !options.anthropic {
            return Self.error(404, api: .openAI, type: "not_found", message: "the Anthropic API is not enabled (--anthropic)")
        }
        if let required = options.requiredAPIKey {
            let bearer = request.headers.first { $0.name.canonicalName == "authorization" }?.value
            let xKey = request.headers.first { $0.name.canonicalName == "x-api-key" }?.value
            if bearer != "Bearer \(required)" && xKey != required {
                return Self.error(401, api: api, type: "authentication_error", message: "invalid API key")
            }
        }
        if ordinal <= options.failFirst {
            return Self.error(options.failFirstStatus, api: api, type: "server_error", message: "injected failure \(ordinal) of \(options.failFirst)")
        }

        let json: JSONValue
        do {
            json = try WireJSON.decode(JSONValue.self, from: body)
        } catch {
            return Self.error(400, api: api, type: "invalid_request_error", message: "body is not JSON: \(WireJSON.describe(error))")
        }
        let conversation: Conversation
        do {
            conversation = try Conversation(json: json)
        } catch {
            return Self.error(400, api: api, type: "invalid_request_error", message: error.description)
        }

        if api == .anthropic, let problem = conversation.thinkingProblem ?? conversation.serverBlockProblem {
            return Self.error(400, api: api, type: "invalid_request_error", message: problem)
        }

        var fault = options.defaultFault
        do {
            if let header = request.headers.first(where: { $0.name.canonicalName == "x-fake-fault" })?.value {
                fault = try FakeFault(parsing: header)
            } else if let magic = try FakeFault.magic(in: conversation.lastUser) {
                fault = magic
            }
        } catch {
            return Self.error(400, api: api, type: "invalid_request_error", message: error.description)
        }

        if let delay = fault?.delay { try await Task.sleep(for: delay) }
        if fault?.reset == true {
            try? await context.channel.close()
            throw FakeUpstreamError("connection reset on request")
        }
        if let status = fault?.status {
            var response = Self.error(
                status, api: api, type: status == 429 ? "rate_limit_error" : "server_error", message: "injected status \(status)")
            if let seconds = fault?.retryAfter { response.headers[.retryAfter] = String(seconds) }
            return response
        }

        var reply = options.echo ? conversation.lastUser : Self.reply(for: conversation.lastUser)
        var call: (id: String, name: String, arguments: String)?
        if options.toolRound {
            if let result = conversation.lastToolResult {
                reply = "The command printed: " + result.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if conversation.offersClientWebSearch, conversation.lastUser.range(of: "search the web", options: .caseInsensitive) != nil {
                // A client's own web search tool (Claude Code's WebSearch), which asks the upstream's server tool in turn.
                call = ("call_fake_\(ordinal)", "WebSearch", #"{"query":"lighthouse keepers"}"#)
                reply = ""
            } else if let tool = conversation.shellTool {
                call = ("call_fake_\(ordinal)", tool.name, tool.arguments("echo \(FakeUpstreamOptions.toolRoundMarker)"))
                reply = ""
            }
        }
        let promptTokens = Self.tokens(conversation.allText) + 3 * conversation.messageCount
        let completionTokens = Self.tokens(reply)
        let id = "fake-\(String(Self.fnv1a(conversation.lastUser), radix: 16))"
        let model = conversation.model.isEmpty ? options.model : conversation.model
        // Extended thinking (Anthropic only): a thinking block first, signed so that a later turn
        // can be checked for carrying it back unchanged.
        let thinking: (text: String, signature: String)? =
            api == .anthropic && conversation.thinking
            ? conversation.thinkingDisplayed
                ? ("Thinking about: " + String(conversation.lastUser.prefix(40)), "") : ("", "")
            : nil
        let signedThinking = thinking.map { ($0.text, Conversation.signature(forThinking: $0.text, id: id)) }
        // Anthropic's web search (a server tool): one search, its result, and the answer citing it.
        let search =
            api == .anthropic && conversation.webSearch && call == nil && !reply.isEmpty
            ? WebSearch(ordinal: ordinal, query: conversation.lastUser) : nil
        let events: [String]
        if conversation.stream {
            let pieces = Self.split(reply, size: options.streamChunkSize)
            switch api {
            case .anthropic:
                events = Self.anthropicEvents(
                    id: id, model: model, pieces: pieces, prompt: promptTokens, completion: completionTokens, call: call, thinking: signedThinking,
                    search: search
                )
            default:
                events = Self.openAIEvents(
                    id: id,
                    model: model,
                    pieces: pieces,
                    prompt: promptTokens,
                    completion: completionTokens,
                    includeUsage: conversation.includeUsage,
                    call: call
                )
            }
            return Self.sse(events, cutAfter: fault?.cutAfter, channel: context.channel, ordinal: ordinal, options: options)
        }

        let bytes: [UInt8]
        switch api {
        case .anthropic:
            var content: [JSONValue] = []
            if let (text, signature) = signedThinking {
                content.append(["type": "thinking", "thinking": .string(text), "signature": .string(signature)])
            }
            if let search {
                content += search.leadingBlocks
                content.append(["type": "text", "text": .string(reply), "citations": [search.citation(of: reply)]])
            } else if !reply.isEmpty {
                content.append(["type": "text", "text": .string(reply)])
            }
            if let call {
                let input = (try? WireJSON.decode(JSONValue.self, from: call.arguments)) ?? .object([:])
                content.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
            }
            let message: JSONValue = [
                "id": .string(id), "type": "message", "role": "assistant", "model": .string(model),
                "content": .array(content),
                "stop_reason": call == nil ? "end_turn" : "tool_use", "stop_sequence": nil,
                "usage": .object(
                    ["input_tokens": .integer(Int64(promptTokens)), "output_tokens": .integer(Int64(completionTokens))].merging(
                        search.map { _ in ["server_tool_use": WebSearch.usage] } ?? [:]
                    ) { $1 }),
            ]
            bytes = try WireJSON.encode(message)
        default:
            let response = ChatCompletionResponse(
                id: id,
                created: 1_700_000_000,
                model: model,
                choices: [
                    ChatChoice(
                        message: call.map {
                            ChatMessage(
                                role: .assistant, content: nil,
                                toolCalls: [ToolCall(id: $0.id, function: FunctionCall(name: $0.name, arguments: $0.arguments))])
                        }
                            ?? ChatMessage(role: .assistant, text: reply),
                        finishReason: call == nil ? "stop" : "tool_calls"
                    )
                ],
                usage: Usage(promptTokens: promptTokens, completionTokens: completionTokens)
            )
            bytes = try WireJSON.encode(response)
        }
        if let cut = fault?.cutAfter {
            let channel = context.channel
            let prefix = ByteBuffer(bytes: bytes.prefix(cut))
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(contentLength: bytes.count) { writer in
                    try await writer.write(prefix)
                    try? await Task.sleep(for: .milliseconds(150))
                    try? await channel.close()
                    throw FakeUpstreamError("connection cut after \(cut) bytes")
                }
            )
        }
        return Self.json(200, bytes)
    }

    // MARK: Answers

    private static let words = [
        "amber", "basalt", "cedar", "delta", "ember", "fjord", "granite", "harbor", "iris", "juniper", "kelp", "lagoon",
        "meadow", "nectar", "orchid", "pebble", "quartz", "river", "saffron", "tundra", "umber", "violet", "willow", "zephyr",
    ]

    /// The deterministic answer to `prompt`: eight words chosen by its FNV-1a hash.
    static func reply(for prompt: String) -> String {
        var hash = fnv1a(prompt)
        var picked: [String] = []
        for _ in 0..<8 {
            picked.append(words[Int(hash % UInt64(words.count))])
            hash = hash / UInt64(words.count) ^ (hash << 7)
        }
        return "Fake answer: " + picked.joined(separator: " ") + "."
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Token estimate: one per four characters, rounded up.
    static func tokens(_ text: String) -> Int { (text.count + 3) / 4 }

    static func split(_ text: String, size: Int) -> [String] {
        var pieces: [String] = []
        var current = ""
        for ch in text {
            current.append(ch)
            if current.count == size {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func openAIEvents(
        id: String, model: String, pieces: [String], prompt: Int, completion: Int, includeUsage: Bool,
        call: (id: String, name: String, arguments: String)? = nil
    ) -> [String] {
        func event(_ choices: [ChunkChoice], usage: Usage? = nil) -> String {
            let chunk = ChatCompletionChunk(id: id, created: 1_700_000_000, model: model, choices: choices, usage: usage)
            return SSEEvent(data: (try? WireJSON.encodeString(chunk)) ?? "{}").encoded
        }
        var events = [event([ChunkChoice(delta: ChatDelta(role: .assistant, content: ""))])]
        events += pieces.map { event([ChunkChoice(delta: ChatDelta(content: $0))]) }
        if let call {
            events.append(
                event([
                    ChunkChoice(
                        delta: ChatDelta(toolCalls: [
                            ToolCallDelta(index: 0, id: call.id, type: "function", function: .init(name: call.name, arguments: ""))
                        ]))
                ]))
            for piece in split(call.arguments, size: 8) {
                events.append(event([ChunkChoice(delta: ChatDelta(toolCalls: [ToolCallDelta(index: 0, function: .init(arguments: piece))]))]))
            }
        }
        events.append(event([ChunkChoice(delta: ChatDelta(), finishReason: call == nil ? "stop" : "tool_calls")]))
        if includeUsage { events.append(event([], usage: Usage(promptTokens: prompt, completionTokens: completion))) }
        events.append(SSEEvent.done.encoded)
        return events
    }

    static func anthropicEvents(
        id: String, model: String, pieces: [String], prompt: Int, completion: Int, call: (id: String, name: String, arguments: String)? = nil,
        thinking: (text: String, signature: String)? = nil, search: WebSearch? = nil
    ) -> [String] {
        func event(_ name: String, _ data: JSONValue) -> String {
            SSEEvent(event: name, data: (try? WireJSON.encodeString(data)) ?? "{}").encoded
        }
        var events = [
            event(
                "message_start",
                [
                    "type": "message_start",
                    "message": [
                        "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": [],
                        "stop_reason": nil, "usage": ["input_tokens": .integer(Int64(prompt)), "output_tokens": 1],
                    ],
                ]
            ),
            event("ping", ["type": "ping"]),
        ]
        var index: Int64 = 0
        if let thinking {
            events.append(
                event(
                    "content_block_start",
                    [
                        "type": "content_block_start", "index": 0, "content_block": ["type": "thinking", "thinking": "", "signature": ""],
                    ]))
            for piece in split(thinking.text, size: 8) {
                events.append(
                    event(
                        "content_block_delta",
                        ["type": "content_block_delta", "index": 0, "delta": ["type": "thinking_delta", "thinking": .string(piece)]]))
            }
            events.append(
                event(
                    "content_block_delta",
                    [
                        "type": "content_block_delta", "index": 0, "delta": ["type": "signature_delta", "signature": .string(thinking.signature)],
                    ]))
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": 0]))
            index = 1
        }
        for block in search?.leadingBlocks ?? [] {
            // As Anthropic streams them: a server tool's call with its input as JSON deltas, a result
            // whole, text as text deltas.
            var start = block.objectValue ?? [:]
            switch block["type"]?.stringValue {
            case "server_tool_use": start["input"] = .object([:])
            case "text": start["text"] = ""
            default: break
            }
            events.append(event("content_block_start", ["type": "content_block_start", "index": .integer(index), "content_block": .object(start)]))
            let delta: JSONValue? =
                switch block["type"]?.stringValue {
                case "server_tool_use":
                    ["type": "input_json_delta", "partial_json": .string((try? WireJSON.encodeString(block["input"] ?? [:])) ?? "{}")]
                case "text": ["type": "text_delta", "text": block["text"] ?? ""]
                default: nil
                }
            if let delta { events.append(event("content_block_delta", ["type": "content_block_delta", "index": .integer(index), "delta": delta])) }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": .integer(index)]))
            index += 1
        }
        if !pieces.isEmpty || call == nil {
            events.append(
                event(
                    "content_block_start", ["type": "content_block_start", "index": .integer(index), "content_block": ["type": "text", "text": ""]]))
            if let search {
                events.append(
                    event(
                        "content_block_delta",
                        [
                            "type": "content_block_delta", "index": .integer(index),
                            "delta": ["type": "citations_delta", "citation": search.citation(of: pieces.joined())],
                        ]))
            }
            events += pieces.map {
                event(
                    "content_block_delta",
                    ["type": "content_block_delta", "index": .integer(index), "delta": ["type": "text_delta", "text": .string($0)]])
            }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": .integer(index)]))
            index += 1
        }
        if let call {
            events.append(
                event(
                    "content_block_start",
                    [
                        "type": "content_block_start", "index": .integer(index),
                        "content_block": ["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": .object([:])],
                    ]))
            for piece in split(call.arguments, size: 8) {
                events.append(
                    event(
                        "content_block_delta",
                        [
                            "type": "content_block_delta", "index": .integer(index),
                            "delta": ["type": "input_json_delta", "partial_json": .string(piece)],
                        ]))
            }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": .integer(index)]))
        }
        events.append(
            event(
                "message_delta",
                [
                    "type": "message_delta", "delta": ["stop_reason": .string(call == nil ? "end_turn" : "tool_use"), "stop_sequence": nil],
                    "usage": .object(
                        ["output_tokens": .integer(Int64(completion))].merging(
                            search.map { _ in ["server_tool_use": WebSearch.usage] } ?? [:]
                        ) { $1 }),
                ]
            )
        )
        events.append(event("message_stop", ["type": "message_stop"]))
        return events
    }

    // MARK: Responses

    static func json(_ status: Int, _ bytes: [UInt8]) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    static func error(_ status: Int, api: API, type: String, message: String) -> Response {
        let body: [UInt8]
        if api == .anthropic {
            body = (try? WireJSON.encode(["type": "error", "error": ["type": .string(type), "message": .string(message)]] as JSONValue)) ?? []
        } else {
            body = (try? WireJSON.encode(OpenAIErrorBody(message: message, type: type, code: String(status)))) ?? []
        }
        var response = json(status, body)
        if status == 429 { response.headers[.retryAfter] = "0" }
        return response
    }

    static func sse(_ events: [String], cutAfter: Int?, channel: any Channel, ordinal: Int, options: FakeUpstreamOptions) -> Response {
        let interval = options.streamInterval
        let observer = options.onStreamEvent
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                for (index, event) in events.enumerated() {
                    if let cutAfter, index >= cutAfter {
                        // Like a real mid-stream failure, the drop comes some time after the last
                        // event, so the client has read what was sent (an HTTP client may discard
                        // bytes it had not handed out yet when the connection fails under it).
                        try? await Task.sleep(for: .milliseconds(150))
                        try? await channel.close()
                        throw FakeUpstreamError("stream cut after \(cutAfter) events")
                    }
                    if let interval, index > 0 { try await Task.sleep(for: interval) }
                    observer?(ordinal, index, .now)
                    try await writer.write(ByteBuffer(string: event))
                }
                try await writer.finish(nil)
            }
        )
    }
}

/// The fake's web search (Anthropic's `web_search` server tool): one search for the last user
/// message, one result on a reserved domain, and the answer citing it.
struct WebSearch {
    var id: String
    var query: String
    var url: String
    var title: String

    init(ordinal: Int, query: String) {
        id = "srvtoolu_fake_\(ordinal)"
        self.query = String(query.prefix(80))
        url = "https://search.invalid/fake/" + String(FakeUpstreamState.fnv1a(query), radix: 16)
        title = "Fake result for: " + String(query.prefix(40))
    }

    /// The usage's count of the search (`server_tool_use`), as the SDK's type has it.
    static let usage: JSONValue = ["web_search_requests": 1, "web_fetch_requests": 0]

    /// The server tool's call, its result and a lead-in text: what comes before the cited answer.
    var leadingBlocks: [JSONValue] {
        [
            ["type": "server_tool_use", "id": .string(id), "name": "web_search", "input": ["query": .string(query)]],
            [
                "type": "web_search_tool_result", "tool_use_id": .string(id),
                "content": [
                    [
                        "type": "web_search_result", "url": .string(url), "title": .string(title), "encrypted_content": "ZmFrZS1wYWdl",
                        "page_age": nil,
                    ]
                ],
            ],
            ["type": "text", "text": "According to the search: "],
        ]
    }

    /// The citation of the answer `text` (the page it quotes).
    func citation(of text: String) -> JSONValue {
        [
            "type": "web_search_result_location", "url": .string(url), "title": .string(title), "encrypted_index": "ZmFrZS1pbmRleA",
            "cited_text": .string(String(text.prefix(60))),
        ]
    }
}

/// What the fake upstream needs from a request body, for either API.
struct Conversation {
    var model: String
    var lastUser: String
    var allText: String
    var messageCount: Int
    var stream: Bool
    var includeUsage: Bool
    /// The text of a tool result when the conversation ends with one (either API).
    var lastToolResult: String?
    /// A tool offered that runs shell commands, if any.
    var shellTool: ShellTool?
    /// Extended thinking asked for (`thinking.type` enabled or adaptive), and whether its text is shown.
    var thinking = false
    var thinkingDisplayed = true
    /// What Anthropic would refuse about the thinking blocks carried back, if anything.
    var thinkingProblem: String?
    /// Anthropic's web search server tool offered (`web_search_*`): the fake searches once and cites it.
    var webSearch = false
    /// A client tool named `WebSearch` offered (Claude Code's): the tool round calls it when asked to search the web.
    var offersClientWebSearch = false
    /// What Anthropic would refuse about the server tools' blocks carried back, if anything.
    var serverBlockProblem: String?

    /// Like Anthropic: a server tool's call carried back in an assistant turn needs its result there.
    static func serverBlockProblem(_ messages: [JSONValue]) -> String? {
        // (The last turn may be a paused one, continued by this request: its call has no result yet.)
        for (position, message) in messages.enumerated().dropLast() where message["role"]?.stringValue == "assistant" {
            let blocks = message["content"]?.arrayValue ?? []
            let results = Set(blocks.compactMap { $0["type"]?.stringValue?.hasSuffix("_tool_result") == true ? $0["tool_use_id"]?.stringValue : nil })
            for block in blocks where block["type"]?.stringValue == "server_tool_use" {
                guard let id = block["id"]?.stringValue, results.contains(id) else {
                    return "messages.\(position): server_tool_use \(block["id"]?.stringValue ?? "?") has no matching web_search_tool_result"
                }
            }
        }
        return nil
    }

    /// The fake's signature of a thinking block: checkable from the block alone.
    static func signature(forThinking text: String, id: String) -> String {
        let nonce = String(FakeUpstreamState.fnv1a(id), radix: 16)
        return "fakesig-\(nonce)-" + String(FakeUpstreamState.fnv1a("lumen-fake-thinking:\(nonce):" + text), radix: 16)
    }

    static func signatureIsValid(_ signature: String, forThinking text: String) -> Bool {
        let parts = signature.split(separator: "-")
        guard parts.count == 3, parts[0] == "fakesig" else { return false }
        return parts[2] == String(FakeUpstreamState.fnv1a("lumen-fake-thinking:\(parts[1]):" + text), radix: 16)
    }

    /// Like Anthropic with thinking on: the assistant turn of an unfinished tool loop must start with
    /// the thinking block it was answered with, unchanged.
    static func thinkingProblem(_ messages: [JSONValue]) -> String? {
        for (position, message) in messages.enumerated() where message["role"]?.stringValue == "assistant" {
            for (index, block) in (message["content"]?.arrayValue ?? []).enumerated() where block["type"]?.stringValue == "thinking" {
                if !signatureIsValid(block["signature"]?.stringValue ?? "", forThinking: block["thinking"]?.stringValue ?? "") {
                    return "messages.\(position).content.\(index): Invalid `signature` in `thinking` block"
                }
            }
        }
        guard let position = messages.lastIndex(where: { $0["role"]?.stringValue == "assistant" }),
            let blocks = messages[position]["content"]?.arrayValue,
            blocks.contains(where: { $0["type"]?.stringValue == "tool_use" })
        else { return nil }
        let first = blocks.first?["type"]?.stringValue ?? ""
        if first == "thinking" || first == "redacted_thinking" { return nil }
        return "messages.\(position).content.0.type: Expected `thinking` or `redacted_thinking`, but found `\(first)`. "
            + "When `thinking` is enabled, a final `assistant` message must start with a thinking block."
    }

    /// A shell-like tool and how to call it with a command.
    struct ShellTool {
        var name: String
        /// The argument that takes the command (`command`, `cmd`); an array for Codex's old `shell`.
        var parameter: String
        var asArray: Bool
        var extra: [String: JSONValue]

        func arguments(_ command: String) -> String {
            var object = extra
            object[parameter] = asArray ? .array(["bash", "-lc", .string(command)]) : .string(command)
            return (try? WireJSON.encodeString(JSONValue.object(object))) ?? "{}"
        }

        /// The first tool of `tools` (either API's shape) whose name says it runs commands.
        static func find(_ tools: [JSONValue]) -> ShellTool? {
            let known = ["Bash", "bash", "exec_command", "shell", "local_shell", "run_shell_command", "run_command"]
            for name in known {
                guard let tool = tools.first(where: { ($0["function"]?["name"] ?? $0["name"])?.stringValue == name }) else { continue }
                let schema = tool["function"]?["parameters"] ?? tool["input_schema"] ?? tool["parameters"]
                let properties = schema?["properties"]?.objectValue ?? [:]
                let parameter = ["command", "cmd"].first { properties[$0] != nil } ?? "command"
                let asArray = properties[parameter]?["type"]?.stringValue == "array"
                var extra: [String: JSONValue] = [:]
                if properties["description"] != nil { extra["description"] = "Print the tool-round marker" }
                return ShellTool(name: name, parameter: parameter, asArray: asArray, extra: extra)
            }
            return nil
        }
    }

    init(json: JSONValue) throws(FakeUpstreamError) {
        guard let messages = json["messages"]?.arrayValue else {
            throw FakeUpstreamError("messages: required array is missing")
        }
        model = json["model"]?.stringValue ?? ""
        stream = json["stream"]?.boolValue ?? false
        includeUsage = json["stream_options"]?["include_usage"]?.boolValue ?? false
        messageCount = messages.count
        func text(_ content: JSONValue?) -> String {
            switch content {
            case .string(let s)?: return s
            case .array(let parts)?:
                return parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
            default: return ""
            }
        }
        var texts = messages.map { text($0["content"]) }
        if let system = json["system"] { texts.append(text(system)) }
        allText = texts.joined(separator: "\n")
        lastUser = messages.last(where: { $0["role"]?.stringValue == "user" }).map { text($0["content"]) } ?? ""
        if let last = messages.last {
            if last["role"]?.stringValue == "tool" {
                lastToolResult = text(last["content"])
            } else if let blocks = last["content"]?.arrayValue, let result = blocks.last(where: { $0["type"]?.stringValue == "tool_result" }) {
                lastToolResult = text(result["content"])
            }
        }
        let tools = json["tools"]?.arrayValue ?? []
        shellTool = ShellTool.find(tools)
        let mode = json["thinking"]?["type"]?.stringValue
        thinking = mode == "enabled" || mode == "adaptive"
        thinkingDisplayed = json["thinking"]?["display"]?.stringValue != "omitted"
        if thinking { thinkingProblem = Self.thinkingProblem(messages) }
        webSearch = tools.contains { $0["type"]?.stringValue?.hasPrefix("web_search_") == true }
        serverBlockProblem = Self.serverBlockProblem(messages)
        offersClientWebSearch = tools.contains { ($0["function"]?["name"] ?? $0["name"])?.stringValue == "WebSearch" }
    }
}
