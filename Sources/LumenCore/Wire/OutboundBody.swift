/// The wire protocols Lumen sends requests in.
public enum WireFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI chat completions (`POST …/chat/completions`).
    case openAIChat = "openai-chat"
    /// Anthropic Messages (`POST …/messages`).
    case anthropicMessages = "anthropic-messages"
}

/// Exactly what a target receives: the JSON body, built by the same functions that encode it for
/// sending (`OpenAIChatWire.body`, `AnthropicTranslation.request`). The privacy screen reads this
/// value, redaction rewrites it, and the provider sends its encoding: what is screened is what leaves.
public struct OutboundBody: Sendable, Hashable {
    public var format: WireFormat
    public var json: JSONValue

    public init(format: WireFormat, json: JSONValue) {
        self.format = format
        self.json = json
    }

    /// The body for `request` in `format`, sent to `model`. `anthropicDefaultMaxTokens` is the
    /// `max_tokens` an Anthropic body gets when the request sets none (the Messages API requires one).
    public static func build(
        _ request: ChatCompletionRequest, format: WireFormat, model: String, stream: Bool, anthropicDefaultMaxTokens: Int = 1024
    ) throws(AnthropicTranslation.TranslationError) -> OutboundBody {
        switch format {
        case .openAIChat:
            return OutboundBody(format: format, json: OpenAIChatWire.body(request, model: model, stream: stream))
        case .anthropicMessages:
            let json = try AnthropicTranslation.request(
                from: request, model: model, defaultMaxTokens: anthropicDefaultMaxTokens, stream: stream
            )
            return OutboundBody(format: format, json: json)
        }
    }

    /// The encoded body, as sent.
    public func encoded() throws -> [UInt8] {
        try WireJSON.encode(json)
    }
}
