/// `stop`: one string or an array of up to four strings (the form received is kept).
package enum StopSequences: Sendable, Hashable, Codable {
    case single(String)
    case multiple([String])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            self = .single(one)
        } else if let many = try? container.decode([String].self) {
            self = .multiple(many)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "stop must be a string or an array of strings")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .single(let one): try container.encode(one)
        case .multiple(let many): try container.encode(many)
        }
    }

    /// The stop strings as an array.
    package var values: [String] {
        switch self {
        case .single(let one): return [one]
        case .multiple(let many): return many
        }
    }
}

/// `stream_options`.
package struct StreamOptions: Sendable, Hashable, Codable {
    /// Send a final chunk with `usage` (and empty `choices`) before `[DONE]`.
    package var includeUsage: Bool?
    package var extra: [String: JSONValue]

    package init(includeUsage: Bool? = nil, extra: [String: JSONValue] = [:]) {
        self.includeUsage = includeUsage
        self.extra = extra
    }

    private static let known: Set<String> = ["include_usage"]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        includeUsage = try c.decodeIfPresent(Bool.self, "include_usage")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encodeIfPresent(includeUsage, "include_usage")
        try c.encodeExtras(extra, excluding: Self.known)
    }
}

/// The function a tool exposes: name, description and JSON-Schema parameters.
package struct FunctionDefinition: Sendable, Hashable, Codable {
    package var name: String
    package var description: String?
    /// JSON Schema of the arguments object.
    package var parameters: JSONValue?
    package var strict: Bool?

    package init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}

/// An entry of `tools` (`{"type":"function","function":{…}}`); unknown members are kept.
package struct Tool: Sendable, Hashable, Codable {
    package var type: String
    package var function: FunctionDefinition?
    package var extra: [String: JSONValue]
    /// What the client offered when this function stands for another kind of tool (a Responses
    /// `custom` tool, a function inside a `namespace`), so its calls go back in that shape. Lumen's
    /// own bookkeeping: never encoded, never sent upstream.
    package var inboundKind: InboundToolKind?

    /// A tool of an inbound API that travels as a plain function.
    package enum InboundToolKind: Sendable, Hashable {
        /// A freeform-input tool: its input travels as the string argument `input`.
        case custom
        /// Function `name` of namespace `namespace`, travelling as `namespace__name`.
        case namespaced(namespace: String, name: String)
    }

    package init(type: String = "function", function: FunctionDefinition?, extra: [String: JSONValue] = [:], inboundKind: InboundToolKind? = nil) {
        self.type = type
        self.function = function
        self.extra = extra
        self.inboundKind = inboundKind
    }

    private static let known: Set<String> = ["type", "function"]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        type = try c.decode(String.self, "type")
        function = try c.decodeIfPresent(FunctionDefinition.self, "function")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(type, "type")
        try c.encodeIfPresent(function, "function")
        try c.encodeExtras(extra, excluding: Self.known)
    }
}

/// `tool_choice`: `"none"`, `"auto"`, `"required"`, a named function, or any other JSON kept verbatim.
package enum ToolChoice: Sendable, Hashable, Codable {
    case none
    case auto
    case required
    /// `{"type":"function","function":{"name":…}}`.
    case function(name: String)
    case other(JSONValue)

    package init(from decoder: any Decoder) throws {
        self.init(json: try JSONValue(from: decoder))
    }

    /// The choice a JSON value stands for (any value is one: what is not recognised is `.other`).
    package init(json value: JSONValue) {
        switch value {
        case .string("none"): self = .none
        case .string("auto"): self = .auto
        case .string("required"): self = .required
        default:
            if value["type"]?.stringValue == "function", let name = value["function"]?["name"]?.stringValue,
                value.objectValue?.count == 2, value["function"]?.objectValue?.count == 1
            {
                self = .function(name: name)
            } else {
                self = .other(value)
            }
        }
    }

    package func encode(to encoder: any Encoder) throws {
        let value: JSONValue
        switch self {
        case .none: value = "none"
        case .auto: value = "auto"
        case .required: value = "required"
        case .function(let name): value = ["type": "function", "function": ["name": .string(name)]]
        case .other(let other): value = other
        }
        try value.encode(to: encoder)
    }
}

/// A `POST /v1/chat/completions` request body. Members Lumen does not model are kept in `extra`
/// and written back on encode, so they pass through to remote targets.
package struct ChatCompletionRequest: Sendable, Hashable, Codable {
    package var model: String
    package var messages: [ChatMessage]
    package var temperature: Double?
    package var topP: Double?
    package var maxTokens: Int?
    package var maxCompletionTokens: Int?
    package var stop: StopSequences?
    package var seed: Int?
    package var user: String?
    package var n: Int?
    package var stream: Bool?
    package var streamOptions: StreamOptions?
    package var tools: [Tool]?
    package var toolChoice: ToolChoice?
    /// `response_format`, kept as raw JSON (`{"type":"json_object"}`, `{"type":"json_schema",…}`).
    package var responseFormat: JSONValue?
    /// `metadata`, kept as raw JSON.
    package var metadata: JSONValue?
    /// Every other top-level member, verbatim.
    package var extra: [String: JSONValue]
    /// A last assistant message is the start of the answer, to continue (Anthropic's prefill). Chat
    /// Completions and Responses read it as an earlier turn. Not part of Chat Completions' JSON.
    package var continuesLastAssistantMessage = false

    package init(
        model: String,
        messages: [ChatMessage],
        temperature: Double? = nil,
        topP: Double? = nil,
        maxTokens: Int? = nil,
        maxCompletionTokens: Int? = nil,
        stop: StopSequences? = nil,
        seed: Int? = nil,
        user: String? = nil,
        n: Int? = nil,
        stream: Bool? = nil,
        streamOptions: StreamOptions? = nil,
        tools: [Tool]? = nil,
        toolChoice: ToolChoice? = nil,
        responseFormat: JSONValue? = nil,
        metadata: JSONValue? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.stop = stop
        self.seed = seed
        self.user = user
        self.n = n
        self.stream = stream
        self.streamOptions = streamOptions
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.metadata = metadata
        self.extra = extra
    }

    static let known: Set<String> = [
        "model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "seed",
        "user", "n", "stream", "stream_options", "tools", "tool_choice", "response_format", "metadata",
    ]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        model = try c.decode(String.self, "model")
        messages = try c.decode([ChatMessage].self, "messages")
        temperature = try c.decodeIfPresent(Double.self, "temperature")
        topP = try c.decodeIfPresent(Double.self, "top_p")
        maxTokens = try c.decodeIfPresent(Int.self, "max_tokens")
        maxCompletionTokens = try c.decodeIfPresent(Int.self, "max_completion_tokens")
        stop = try c.decodeIfPresent(StopSequences.self, "stop")
        seed = try c.decodeIfPresent(Int.self, "seed")
        user = try c.decodeIfPresent(String.self, "user")
        n = try c.decodeIfPresent(Int.self, "n")
        stream = try c.decodeIfPresent(Bool.self, "stream")
        streamOptions = try c.decodeIfPresent(StreamOptions.self, "stream_options")
        tools = try c.decodeIfPresent([Tool].self, "tools")
        toolChoice = try c.decodeIfPresent(ToolChoice.self, "tool_choice")
        responseFormat = try c.decodeIfPresent(JSONValue.self, "response_format")
        metadata = try c.decodeIfPresent(JSONValue.self, "metadata")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(model, "model")
        try c.encode(messages, "messages")
        try c.encodeIfPresent(temperature, "temperature")
        try c.encodeIfPresent(topP, "top_p")
        try c.encodeIfPresent(maxTokens, "max_tokens")
        try c.encodeIfPresent(maxCompletionTokens, "max_completion_tokens")
        try c.encodeIfPresent(stop, "stop")
        try c.encodeIfPresent(seed, "seed")
        try c.encodeIfPresent(user, "user")
        try c.encodeIfPresent(n, "n")
        try c.encodeIfPresent(stream, "stream")
        try c.encodeIfPresent(streamOptions, "stream_options")
        try c.encodeIfPresent(tools, "tools")
        try c.encodeIfPresent(toolChoice, "tool_choice")
        try c.encodeIfPresent(responseFormat, "response_format")
        try c.encodeIfPresent(metadata, "metadata")
        try c.encodeExtras(extra, excluding: Self.known)
    }

    /// Whether the client asked for a streamed (SSE) answer.
    package var isStreaming: Bool { stream ?? false }

    /// Whether a streamed answer must end with a usage chunk (`stream_options.include_usage`).
    package var includeUsage: Bool { streamOptions?.includeUsage ?? false }

    /// The token limit the client asked for: `max_completion_tokens`, else `max_tokens`.
    package var effectiveMaxTokens: Int? { maxCompletionTokens ?? maxTokens }

    /// The text of the last `user` message, or `nil` if there is none.
    package var lastUserText: String? {
        messages.last(where: { $0.role == .user })?.text
    }
}
