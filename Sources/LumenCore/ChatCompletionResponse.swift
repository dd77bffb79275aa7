/// Token usage of one completion, plus Lumen's estimated cost.
package struct Usage: Sendable, Hashable, Codable {
    package var promptTokens: Int
    package var completionTokens: Int
    package var totalTokens: Int
    /// Lumen's cost estimate in USD (not part of OpenAI's object; omitted when `nil`).
    package var cost: Double?
    /// Every other member (`prompt_tokens_details`, …), verbatim.
    package var extra: [String: JSONValue]

    package init(promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, cost: Double? = nil, extra: [String: JSONValue] = [:]) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens.saturatingAdd(completionTokens)
        self.cost = cost
        self.extra = extra
    }

    static let known: Set<String> = ["prompt_tokens", "completion_tokens", "total_tokens", "cost"]

    /// Prompt tokens a provider read from its prompt cache: part of `promptTokens` (Anthropic's
    /// `cache_read_input_tokens`, OpenAI's `prompt_tokens_details.cached_tokens`).
    package var cacheReadTokens: Int {
        max(0, extra["cache_read_input_tokens"]?.intValue ?? extra["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0)
    }

    /// Prompt tokens a provider wrote to its prompt cache (Anthropic's `cache_creation_input_tokens`):
    /// part of `promptTokens`.
    package var cacheWriteTokens: Int { max(0, extra["cache_creation_input_tokens"]?.intValue ?? 0) }

    /// Web searches a provider ran for the answer (Anthropic's `server_tool_use.web_search_requests`),
    /// billed apart from tokens.
    package var webSearchRequests: Int { max(0, extra["server_tool_use"]?["web_search_requests"]?.intValue ?? 0) }

    /// The names of the members `cacheMembers` writes.
    package static let cacheMemberNames = ["cache_read_input_tokens", "cache_creation_input_tokens", "prompt_tokens_details"]

    /// The members that carry cache counts, in both APIs' words (nothing when both are zero).
    package static func cacheMembers(read: Int, write: Int) -> [String: JSONValue] {
        guard read > 0 || write > 0 else { return [:] }
        return [
            "cache_read_input_tokens": .integer(Int64(read)), "cache_creation_input_tokens": .integer(Int64(write)),
            "prompt_tokens_details": ["cached_tokens": .integer(Int64(read))],
        ]
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        promptTokens = try c.decodeIfPresent(Int.self, "prompt_tokens") ?? 0
        completionTokens = try c.decodeIfPresent(Int.self, "completion_tokens") ?? 0
        totalTokens = try c.decodeIfPresent(Int.self, "total_tokens") ?? promptTokens.saturatingAdd(completionTokens)
        cost = try c.decodeIfPresent(Double.self, "cost")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(promptTokens, "prompt_tokens")
        try c.encode(completionTokens, "completion_tokens")
        try c.encode(totalTokens, "total_tokens")
        try c.encodeIfPresent(cost, "cost")
        try c.encodeExtras(extra, excluding: Self.known)
    }
}

/// One choice of a non-streaming response.
package struct ChatChoice: Sendable, Hashable, Codable {
    package var index: Int
    package var message: ChatMessage
    /// `stop`, `length`, `tool_calls`, `content_filter`, …
    package var finishReason: String?
    package var logprobs: JSONValue?
    /// The stop string that ended the answer, when the backend says (the embedded model, an Anthropic
    /// target): Anthropic's `stop_sequence`. Not part of Chat Completions' JSON.
    package var stopSequence: String? = nil
    /// An Anthropic target's stop reason that `finishReason` cannot say ("pause_turn": a server
    /// tool's long turn paused, to be continued), given back to an Anthropic client as it came. Not
    /// part of Chat Completions' JSON.
    package var pausedTurn = false

    package init(index: Int = 0, message: ChatMessage, finishReason: String?, logprobs: JSONValue? = nil, stopSequence: String? = nil) {
        self.index = index
        self.message = message
        self.finishReason = finishReason
        self.logprobs = logprobs
        self.stopSequence = stopSequence
    }

    enum CodingKeys: String, CodingKey {
        case index, message, logprobs
        case finishReason = "finish_reason"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(message, forKey: .message)
        try c.encode(finishReason, forKey: .finishReason)
        try c.encodeIfPresent(logprobs, forKey: .logprobs)
    }
}

/// A non-streaming `chat.completion` response.
package struct ChatCompletionResponse: Sendable, Hashable, Codable {
    package var id: String
    package var object: String
    package var created: Int
    package var model: String
    package var choices: [ChatChoice]
    package var usage: Usage?
    package var systemFingerprint: String?
    /// Every other member, verbatim.
    package var extra: [String: JSONValue]

    package init(
        id: String,
        object: String = "chat.completion",
        created: Int,
        model: String,
        choices: [ChatChoice],
        usage: Usage?,
        systemFingerprint: String? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.systemFingerprint = systemFingerprint
        self.extra = extra
    }

    static let known: Set<String> = ["id", "object", "created", "model", "choices", "usage", "system_fingerprint"]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        id = try c.decodeIfPresent(String.self, "id") ?? ""
        object = try c.decodeIfPresent(String.self, "object") ?? "chat.completion"
        created = try c.decodeIfPresent(Int.self, "created") ?? 0
        model = try c.decodeIfPresent(String.self, "model") ?? ""
        choices = try c.decode([ChatChoice].self, "choices")
        usage = try c.decodeIfPresent(Usage.self, "usage")
        systemFingerprint = try c.decodeIfPresent(String.self, "system_fingerprint")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(id, "id")
        try c.encode(object, "object")
        try c.encode(created, "created")
        try c.encode(model, "model")
        try c.encode(choices, "choices")
        try c.encodeIfPresent(usage, "usage")
        try c.encodeIfPresent(systemFingerprint, "system_fingerprint")
        try c.encodeExtras(extra, excluding: Self.known)
    }

    /// The text of the first choice's message (empty if none).
    package var text: String { choices.first?.message.text ?? "" }
}

/// A fragment of a tool call in a streamed delta; fields arrive piecewise, keyed by `index`.
package struct ToolCallDelta: Sendable, Hashable, Codable {
    /// A fragment of the called function.
    package struct Function: Sendable, Hashable, Codable {
        package var name: String?
        package var arguments: String?

        package init(name: String? = nil, arguments: String? = nil) {
            self.name = name
            self.arguments = arguments
        }
    }

    package var index: Int
    package var id: String?
    package var type: String?
    package var function: Function?

    package init(index: Int, id: String? = nil, type: String? = nil, function: Function? = nil) {
        self.index = index
        self.id = id
        self.type = type
        self.function = function
    }
}

/// The `delta` of a streamed choice.
package struct ChatDelta: Sendable, Hashable, Codable {
    package var role: ChatRole?
    package var content: String?
    package var toolCalls: [ToolCallDelta]?
    package var refusal: String?
    /// Streamed reasoning (Anthropic thinking), for a client that takes it back; not part of the
    /// OpenAI encoding.
    package var reasoning: ReasoningDelta?
    /// A piece of an Anthropic stream the chat shape cannot hold, for an Anthropic client; not part of
    /// the OpenAI encoding.
    package var anthropicBlock: AnthropicBlockDelta?

    package init(
        role: ChatRole? = nil, content: String? = nil, toolCalls: [ToolCallDelta]? = nil, refusal: String? = nil, reasoning: ReasoningDelta? = nil
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.refusal = refusal
        self.reasoning = reasoning
    }

    enum CodingKeys: String, CodingKey {
        case role, content, refusal
        case toolCalls = "tool_calls"
    }
}

/// One choice of a streamed chunk.
package struct ChunkChoice: Sendable, Hashable, Codable {
    package var index: Int
    package var delta: ChatDelta
    package var finishReason: String?
    package var logprobs: JSONValue?
    /// The stop string that ended the answer (see `ChatChoice.stopSequence`), on the chunk with the finish reason.
    package var stopSequence: String? = nil
    /// See `ChatChoice.pausedTurn`, on the chunk with the finish reason.
    package var pausedTurn = false

    package init(index: Int = 0, delta: ChatDelta, finishReason: String? = nil, logprobs: JSONValue? = nil, stopSequence: String? = nil) {
        self.index = index
        self.delta = delta
        self.finishReason = finishReason
        self.logprobs = logprobs
        self.stopSequence = stopSequence
    }

    enum CodingKeys: String, CodingKey {
        case index, delta, logprobs
        case finishReason = "finish_reason"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(delta, forKey: .delta)
        try c.encode(finishReason, forKey: .finishReason)
        try c.encodeIfPresent(logprobs, forKey: .logprobs)
    }
}

extension ChatCompletionChunk {
    /// Whether the chunk holds nothing but pieces of an Anthropic stream (`ChatDelta.anthropicBlock`):
    /// nothing for a client of another API.
    package var isAnthropicOnly: Bool {
        usage == nil && !choices.isEmpty
            && choices.allSatisfy {
                $0.delta.anthropicBlock != nil && ($0.delta.content ?? "").isEmpty && $0.delta.toolCalls == nil && $0.delta.role == nil
                    && $0.delta.refusal == nil && $0.delta.reasoning == nil && $0.finishReason == nil
            }
    }
}

/// A streamed `chat.completion.chunk`. With `include_usage`, the last chunk has empty `choices` and a `usage`.
package struct ChatCompletionChunk: Sendable, Hashable, Codable {
    package var id: String
    package var object: String
    package var created: Int
    package var model: String
    package var choices: [ChunkChoice]
    package var usage: Usage?
    package var systemFingerprint: String?
    /// Every other member, verbatim.
    package var extra: [String: JSONValue]

    package init(
        id: String,
        object: String = "chat.completion.chunk",
        created: Int,
        model: String,
        choices: [ChunkChoice],
        usage: Usage? = nil,
        systemFingerprint: String? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.systemFingerprint = systemFingerprint
        self.extra = extra
    }

    private static let known: Set<String> = ["id", "object", "created", "model", "choices", "usage", "system_fingerprint"]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        id = try c.decodeIfPresent(String.self, "id") ?? ""
        object = try c.decodeIfPresent(String.self, "object") ?? "chat.completion.chunk"
        created = try c.decodeIfPresent(Int.self, "created") ?? 0
        model = try c.decodeIfPresent(String.self, "model") ?? ""
        choices = try c.decodeIfPresent([ChunkChoice].self, "choices") ?? []
        usage = try c.decodeIfPresent(Usage.self, "usage")
        systemFingerprint = try c.decodeIfPresent(String.self, "system_fingerprint")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(id, "id")
        try c.encode(object, "object")
        try c.encode(created, "created")
        try c.encode(model, "model")
        try c.encode(choices, "choices")
        try c.encodeIfPresent(usage, "usage")
        try c.encodeIfPresent(systemFingerprint, "system_fingerprint")
        try c.encodeExtras(extra, excluding: Self.known)
    }

    /// The content text carried by this chunk's choices (empty if none).
    package var contentText: String { choices.compactMap(\.delta.content).joined() }
}

/// An OpenAI error object: `{"error":{"message","type","param","code"}}`.
package struct OpenAIErrorBody: Sendable, Hashable, Codable, Error {
    /// The inner error object.
    package struct Detail: Sendable, Hashable, Codable {
        package var message: String
        package var type: String
        package var param: String?
        /// A short stable code; some providers send a number, which is read as its decimal text.
        package var code: String?

        package init(message: String, type: String, param: String? = nil, code: String? = nil) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

        enum CodingKeys: String, CodingKey { case message, type, param, code }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
            type = try c.decodeIfPresent(String.self, forKey: .type) ?? "error"
            param = try c.decodeIfPresent(String.self, forKey: .param)
            switch try c.decodeIfPresent(JSONValue.self, forKey: .code) {
            case .string(let s): code = s
            case .integer(let i): code = String(i)
            case .double(let d): code = String(d)
            default: code = nil
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encode(param, forKey: .param)
            try c.encode(code, forKey: .code)
        }
    }

    package var error: Detail

    package init(error: Detail) { self.error = error }

    package init(message: String, type: String, param: String? = nil, code: String? = nil) {
        self.error = Detail(message: message, type: type, param: param, code: code)
    }
}

/// One entry of `GET /v1/models` (and the answer of `GET /v1/models/{id}`), in both APIs' shapes:
/// OpenAI's `object`, `created`, `owned_by` and Anthropic's `type`, `display_name`, `created_at` and
/// `lifecycle` (its SDK's `ModelInfo` requires it: a target Lumen serves is active), derived when encoded.
package struct ModelInfo: Sendable, Hashable, Codable {
    package var id: String
    package var object: String
    package var created: Int
    package var ownedBy: String
    /// For a model-name pattern of the policy (`claude-*`): what it maps to (`auto` or a target).
    package var mapsTo: String?

    package var displayName: String { id }
    /// `created` as RFC 3339 (UTC).
    package var createdAt: String { Self.rfc3339(created) }

    package init(id: String, object: String = "model", created: Int = 0, ownedBy: String, mapsTo: String? = nil) {
        self.id = id
        self.object = object
        self.created = created
        self.ownedBy = ownedBy
        self.mapsTo = mapsTo
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, type, lifecycle
        case ownedBy = "owned_by"
        case mapsTo = "maps_to"
        case displayName = "display_name"
        case createdAt = "created_at"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), object: try c.decodeIfPresent(String.self, forKey: .object) ?? "model",
            created: try c.decodeIfPresent(Int.self, forKey: .created) ?? 0, ownedBy: try c.decodeIfPresent(String.self, forKey: .ownedBy) ?? "")
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(ownedBy, forKey: .ownedBy)
        try c.encodeIfPresent(mapsTo, forKey: .mapsTo)
        try c.encode("model", forKey: .type)
        try c.encode("active", forKey: .lifecycle)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(createdAt, forKey: .createdAt)
    }

    /// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, no Foundation).
    package static func rfc3339(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondsOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let y = String(year)
        return
            "\(String(repeating: "0", count: max(0, 4 - y.count)))\(y)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3_600)):\(two(secondsOfDay % 3_600 / 60)):\(two(secondsOfDay % 60))Z"
    }
}

/// The `GET /v1/models` response: OpenAI's `{"object":"list","data":[…]}`, with Anthropic's page
/// members (`has_more`, `first_id`, `last_id`), derived when encoded.
package struct ModelList: Sendable, Hashable, Codable {
    package var object: String
    package var data: [ModelInfo]
    /// Whether more models follow this page (a client that asked for a page: `limit`, `after_id`).
    package var hasMore = false

    enum CodingKeys: String, CodingKey {
        case object, data
        case hasMore = "has_more"
        case firstID = "first_id"
        case lastID = "last_id"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(data: try c.decode([ModelInfo].self, forKey: .data))
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "list"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(object, forKey: .object)
        try c.encode(data, forKey: .data)
        try c.encode(hasMore, forKey: .hasMore)
        try c.encodeIfPresent(data.first?.id, forKey: .firstID)
        try c.encodeIfPresent(data.last?.id, forKey: .lastID)
    }

    package init(data: [ModelInfo]) {
        self.object = "list"
        self.data = data
    }
}
