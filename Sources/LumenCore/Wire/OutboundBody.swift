/// The wire protocols Lumen sends requests in.
package enum WireFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI chat completions (`POST …/chat/completions`).
    case openAIChat = "openai-chat"
    /// Anthropic Messages (`POST …/messages`).
    case anthropicMessages = "anthropic-messages"
}

/// Exactly what a target receives: the JSON body, built by the same functions that encode it for
/// sending (`OpenAIChatWire.body`, `AnthropicTranslation.request`). The privacy screen reads this
/// value, redaction rewrites it, and the provider sends its encoding: what is screened is what leaves.
package struct OutboundBody: Sendable, Hashable {
    package var format: WireFormat
    package var json: JSONValue
    /// Request headers the body needs besides the provider's own (`anthropic-beta` of a client's
    /// Anthropic request passed through).
    package var headers: [String: String]

    package init(format: WireFormat, json: JSONValue, headers: [String: String] = [:]) {
        self.format = format
        self.json = json
        self.headers = headers
    }

    /// A client's Anthropic Messages body passed through to an Anthropic target: its own model name,
    /// and `stream` as this request streams.
    package static func passThrough(_ native: OutboundBody, model: String, stream: Bool, headers: [String: String]) -> OutboundBody {
        var object = native.json.objectValue ?? [:]
        object["model"] = .string(model)
        object["stream"] = stream ? true : nil
        return OutboundBody(format: native.format, json: .object(object), headers: headers)
    }

    /// The body for `request` in `format`, sent to `model`. `anthropicDefaultMaxTokens` is the
    /// `max_tokens` an Anthropic body gets when the request sets none (the Messages API requires one).
    package static func build(
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
    package func encoded() throws -> [UInt8] {
        try WireJSON.encode(json)
    }
}
