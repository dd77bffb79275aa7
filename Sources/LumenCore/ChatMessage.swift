/// The author role of a chat message (`system`, `developer`, `user`, `assistant`, `tool`, or any other string).
package struct ChatRole: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    package var rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }
    package init(stringLiteral value: String) { self.rawValue = value }

    package init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    package var description: String { rawValue }

    package static let system: ChatRole = "system"
    package static let developer: ChatRole = "developer"
    package static let user: ChatRole = "user"
    package static let assistant: ChatRole = "assistant"
    package static let tool: ChatRole = "tool"
    /// A function's result in OpenAI's deprecated form (before `tool`): named by `name`, not by a call id.
    package static let function: ChatRole = "function"
}

/// One part of an array-form message content (`{"type":"text","text":…}`, `image_url`, …); unknown fields are kept.
package struct ContentPart: Sendable, Hashable, Codable {
    /// The part type, e.g. `text`, `image_url`, `input_audio`, `file`.
    package var type: String
    /// The text for `text` parts.
    package var text: String?
    /// Every other member of the part, verbatim.
    package var extra: [String: JSONValue]

    package init(type: String, text: String? = nil, extra: [String: JSONValue] = [:]) {
        self.type = type
        self.text = text
        self.extra = extra
    }

    /// A `text` part.
    package static func text(_ text: String) -> ContentPart { ContentPart(type: "text", text: text) }

    /// Whether this part carries text: `text`, or the `input_text` / `output_text` spelling some
    /// clients use in chat requests.
    package var isText: Bool { text != nil && (type == "text" || type == "input_text" || type == "output_text") }

    static let known: Set<String> = ["type", "text"]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        type = try c.decode(String.self, "type")
        text = try c.decodeIfPresent(String.self, "text")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(type, "type")
        try c.encodeIfPresent(text, "text")
        try c.encodeExtras(extra, excluding: Self.known)
    }
}

/// Message content: a plain string or an array of content parts.
package enum MessageContent: Sendable, Hashable, Codable {
    case text(String)
    case parts([ContentPart])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let parts = try? container.decode([ContentPart].self) {
            self = .parts(parts)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "message content must be a string or an array of content parts with a \"type\""
            )
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }

    /// The text segments in order: the string itself, or the text of each text part.
    package var textSegments: [String] {
        switch self {
        case .text(let text): return [text]
        case .parts(let parts): return parts.compactMap { $0.isText ? $0.text : nil }
        }
    }

    /// All text, text parts joined with a newline.
    package var text: String { textSegments.joined(separator: "\n") }
}

/// The function named by a tool call, with its JSON-encoded arguments.
package struct FunctionCall: Sendable, Hashable, Codable {
    package var name: String
    /// The arguments as a JSON text, exactly as the model produced it.
    package var arguments: String

    package init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

/// A tool call made by the assistant (`message.tool_calls[i]`).
package struct ToolCall: Sendable, Hashable, Codable {
    package var id: String
    package var type: String
    package var function: FunctionCall

    package init(id: String, type: String = "function", function: FunctionCall) {
        self.id = id
        self.type = type
        self.function = function
    }
}

/// Reasoning a model shows before (or between) its answer's blocks: an Anthropic `thinking` block
/// with its signature, or a `redacted_thinking` block's opaque data. A client that continues the
/// conversation must send it back unchanged (the signature covers the text), so Lumen never rewrites it.
package struct ReasoningBlock: Sendable, Hashable {
    package var thinking: String?
    package var signature: String?
    package var redactedData: String?

    package init(thinking: String? = nil, signature: String? = nil, redactedData: String? = nil) {
        self.thinking = thinking
        self.signature = signature
        self.redactedData = redactedData
    }
}

/// A piece of streamed reasoning: thinking text, the signature that closes a thinking block, or a
/// whole redacted block.
package enum ReasoningDelta: Sendable, Hashable {
    case thinking(String)
    case signature(String)
    case redacted(String)
}

/// A piece of an Anthropic stream that the chat shape cannot hold, passed on to an Anthropic client:
/// a server tool's block (its start, its deltas, its end), the start of a new text block, or a
/// citation of the open text block.
package enum AnthropicBlockDelta: Sendable, Hashable {
    /// A block of a type the chat shape has no place for (`server_tool_use`, `web_search_tool_result`,
    /// …), as the provider started it.
    case start(JSONValue)
    /// A delta of that block (e.g. the `input_json_delta` of a server tool's query), as sent.
    case delta(JSONValue)
    /// The end of that block.
    case stop
    /// The provider started a new text block: the text that follows does not join the open one
    /// (each cited passage is a block of its own).
    case textStart
    /// A citation (`citations_delta`) of the open text block.
    case citation(JSONValue)

    /// Whether a new block begins here (text before it belongs to the block before).
    package var startsBlock: Bool {
        switch self {
        case .start, .textStart: true
        case .delta, .stop, .citation: false
        }
    }
}

/// A chat message, as in the `messages` array of a request or the `message` of a response choice.
package struct ChatMessage: Sendable, Hashable, Codable {
    package var role: ChatRole
    /// The content; `nil` (JSON null) e.g. for an assistant message that only calls tools.
    package var content: MessageContent?
    package var name: String?
    /// Tool calls made by an assistant message.
    package var toolCalls: [ToolCall]?
    /// The call a `tool` message answers.
    package var toolCallId: String?
    /// Every other member (`refusal`, `audio`, …), verbatim.
    package var extra: [String: JSONValue]
    /// An answer's reasoning blocks (Anthropic thinking), for a client that takes them back; not part
    /// of the OpenAI encoding.
    package var reasoning: [ReasoningBlock]?
    /// An Anthropic answer's content blocks as the provider sent them, when they hold what this shape
    /// cannot (server tools' calls and results, cited text): for an Anthropic client, which gets them
    /// back in order (`AnthropicInbound.response`); not part of the OpenAI encoding. `content` and
    /// `toolCalls` still hold the answer's text and calls.
    package var anthropicContent: [JSONValue]?

    package init(
        role: ChatRole,
        content: MessageContent?,
        name: String? = nil,
        toolCalls: [ToolCall]? = nil,
        toolCallId: String? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
        self.extra = extra
    }

    /// A message with plain string content.
    package init(role: ChatRole, text: String) {
        self.init(role: role, content: .text(text))
    }

    static let known: Set<String> = ["role", "content", "name", "tool_calls", "tool_call_id"]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        role = try c.decode(ChatRole.self, "role")
        content = try c.decodeIfPresent(MessageContent.self, "content")
        name = try c.decodeIfPresent(String.self, "name")
        toolCalls = try c.decodeIfPresent([ToolCall].self, "tool_calls")
        toolCallId = try c.decodeIfPresent(String.self, "tool_call_id")
        extra = try c.decodeExtras(excluding: Self.known)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(role, "role")
        if let content {
            try c.encode(content, "content")
        } else {
            try c.encodeNil(forKey: AnyCodingKey("content"))
        }
        try c.encodeIfPresent(name, "name")
        try c.encodeIfPresent(toolCalls, "tool_calls")
        try c.encodeIfPresent(toolCallId, "tool_call_id")
        try c.encodeExtras(extra, excluding: Self.known)
    }

    /// The message text: the string content, or its text parts joined with a newline; empty if none.
    package var text: String { content?.text ?? "" }

    /// A copy whose text is `newText`.
    ///
    /// String content is replaced. For array content the first text part receives `newText`, the other
    /// text parts are removed and non-text parts (images, audio, …) stay in place; with no text part,
    /// a text part is prepended. Use ``replacingTextSegments(_:)`` to rewrite parts one by one.
    package func replacingText(_ newText: String) -> ChatMessage {
        var copy = self
        switch content {
        case .none, .text:
            copy.content = .text(newText)
        case .parts(let parts):
            var result: [ContentPart] = []
            var placed = false
            for part in parts {
                if part.isText {
                    if !placed {
                        var replaced = part
                        replaced.text = newText
                        result.append(replaced)
                        placed = true
                    }
                } else {
                    result.append(part)
                }
            }
            if !placed { result.insert(.text(newText), at: 0) }
            copy.content = .parts(result)
        }
        return copy
    }

    /// A copy whose text segments (see ``MessageContent/textSegments``) are replaced in order.
    /// Returns `nil` if `segments.count` differs from the current number of segments.
    package func replacingTextSegments(_ segments: [String]) -> ChatMessage? {
        var copy = self
        switch content {
        case .none:
            guard segments.isEmpty else { return nil }
        case .text:
            guard segments.count == 1 else { return nil }
            copy.content = .text(segments[0])
        case .parts(let parts):
            guard segments.count == parts.filter(\.isText).count else { return nil }
            var next = segments.makeIterator()
            copy.content = .parts(
                parts.map { part in
                    guard part.isText else { return part }
                    var replaced = part
                    replaced.text = next.next()
                    return replaced
                }
            )
        }
        return copy
    }
}
