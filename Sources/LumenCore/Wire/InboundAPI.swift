/// The client APIs Lumen serves. Each is an adapter at the edge (STYLE §13): its request decodes into
/// the one internal conversation (`ChatCompletionRequest`), and the conversation's answer (a
/// `ChatCompletionResponse`, or a stream of `ChatCompletionChunk`s) encodes back into its shapes.
package enum InboundAPI: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI Chat Completions: `POST /v1/chat/completions`.
    case chatCompletions = "chat-completions"
    /// Anthropic Messages: `POST /v1/messages` (what Claude Code and the `anthropic` SDK send).
    case anthropicMessages = "anthropic-messages"
    /// OpenAI Responses: `POST /v1/responses` (what Codex and the Agents SDK send).
    case responses
}

/// A request as it came in through one of the client APIs: the conversation the pipeline reads,
/// and, for a pass-through to a target that speaks the same API, the body as received.
package struct InboundRequest: Sendable {
    package var api: InboundAPI
    /// The internal conversation every stage reads.
    package var conversation: ChatCompletionRequest
    /// The client's own body, members unknown to its API removed (Anthropic Messages only: an
    /// Anthropic target receives it without a lossy round trip through the conversation).
    package var native: OutboundBody?
    /// Request headers a same-API target must receive too (`anthropic-beta`).
    package var passThroughHeaders: [String: String]
    /// Members the client's API does not document (refused under `egress.unknown_fields: strict`).
    package var unknownFields: [String]
    /// Members the adapter could not carry into the conversation (hosted tools, API-specific
    /// options), for the `x-lumen-dropped-fields` header. Those marked "(Anthropic targets only)" go
    /// on in the native body to an Anthropic target.
    package var dropped: [String]
    /// A Responses request: the conversation a later `previous_response_id` continues — without
    /// this request's `instructions`, which OpenAI does not carry over — or nil when the client
    /// asked not to store it (`store: false`).
    package var storable: [ChatMessage]?

    package init(
        api: InboundAPI, conversation: ChatCompletionRequest, native: OutboundBody? = nil, passThroughHeaders: [String: String] = [:],
        unknownFields: [String] = [], dropped: [String] = []
    ) {
        self.api = api
        self.conversation = conversation
        self.native = native
        self.passThroughHeaders = passThroughHeaders
        self.unknownFields = unknownFields
        self.dropped = dropped
    }

    /// The marker on dropped entries that an Anthropic target still receives in the native body.
    package static let anthropicOnlyMarker = " (Anthropic targets only)"

    /// A Chat Completions request (its conversation is the request itself).
    package static func chat(_ request: ChatCompletionRequest) -> InboundRequest {
        InboundRequest(api: .chatCompletions, conversation: request)
    }
}

/// The JSON type a documented top-level member must have.
package enum MemberType: Sendable {
    case bool, number, integer, string, array, object
    /// A string or an array (Anthropic's `system`, Responses' `input`).
    case stringOrArray
    /// A string or an object (a `tool_choice`).
    case stringOrObject

    func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (_, .null): true  // absent, as the APIs read it
        case (.bool, .bool), (.string, .string), (.array, .array), (.object, .object): true
        case (.number, .integer), (.number, .double), (.integer, .integer): true
        case (.integer, .double(let d)): d.rounded() == d && abs(d) < 1e15
        case (.stringOrArray, .string), (.stringOrArray, .array), (.stringOrObject, .string), (.stringOrObject, .object): true
        default: false
        }
    }

    var name: String {
        switch self {
        case .bool: "a boolean"
        case .number: "a number"
        case .integer: "an integer"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        case .stringOrArray: "a string or an array"
        case .stringOrObject: "a string or an object"
        }
    }

    /// A 400 for the first member of `object` (by name) whose value is not of its type: a typo such
    /// as `"stream": "yes"` must not be read as absent.
    package static func check(_ object: [String: JSONValue], _ types: [String: MemberType]) throws(InboundError) {
        for key in object.keys.sorted() {
            guard let type = types[key], let value = object[key], !type.accepts(value) else { continue }
            // A whole number too large for an integer is out of range, not of the wrong type.
            if type == .integer, case .double(let d) = value, d.rounded() == d {
                throw InboundError("'\(key)' is out of range: it must be an integer of at most 15 digits", param: key)
            }
            throw InboundError("'\(key)' must be \(type.name)", param: key)
        }
    }
}

/// A client request that its API's adapter refuses, with the member at fault (for a 400 in the
/// client's own error shape).
package struct InboundError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var param: String?

    package init(_ message: String, param: String? = nil) {
        self.message = message
        self.param = param
    }

    package var description: String { message }
}
