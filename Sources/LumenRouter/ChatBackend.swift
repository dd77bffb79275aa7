package import LumenCore
package import LumenPolicy

/// Something that can answer chat completions: the embedded llama.cpp runtime, an external local
/// endpoint, or a remote provider. The router picks one per request by policy.
package protocol ChatBackend: Sendable {
    /// `.local` when nothing leaves the machine.
    var route: RouteKind { get }
    /// The host requests go to (nil for the in-process runtime).
    var host: String? { get }
    /// Refuses requests this backend cannot honour (e.g. tools on the embedded model) before anything runs.
    func validate(_ request: ChatCompletionRequest) throws(RouterError)
    /// The body this backend sends for a screened request, from the same code that encodes it for
    /// sending (the router screens and redacts it, then passes its encoding back as `body`); nil
    /// when nothing is sent over the network (the in-process runtime).
    func outboundBody(for screened: ScreenedRequest, stream: Bool) throws(BackendError) -> OutboundBody?
    /// A whole answer. `body`: the encoded outbound body to send as it is; nil to build it from `request`.
    func complete(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> BackendCompletion
    /// A streamed answer. Errors thrown before the first chunk allow a fallback; later ones end the stream.
    func stream(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> AsyncThrowingStream<BackendStreamEvent, any Error>
}

/// An outbound body as it leaves: its bytes and the headers it needs.
package struct EncodedBody: Sendable {
    package var bytes: [UInt8]
    package var headers: [String: String]

    package init(bytes: [UInt8], headers: [String: String] = [:]) {
        self.bytes = bytes
        self.headers = headers
    }

    /// The encoding of `body`.
    package init(_ body: OutboundBody) throws {
        self.init(bytes: try body.encoded(), headers: body.headers)
    }
}

/// A complete answer with the traffic it took.
package struct BackendCompletion: Sendable {
    package var response: ChatCompletionResponse
    package var bytesSent: Int
    package var bytesReceived: Int

    package init(response: ChatCompletionResponse, bytesSent: Int = 0, bytesReceived: Int = 0) {
        self.response = response
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }
}

/// One event of a streamed answer.
package enum BackendStreamEvent: Sendable {
    case chunk(ChatCompletionChunk)
    /// The stream ended normally; token usage if the backend reported it, and the traffic.
    case end(usage: Usage?, bytesSent: Int, bytesReceived: Int)
}

/// Why a backend could not answer. All but `invalid` and `cancelled` let the router try the rule's fallbacks.
package struct BackendError: Error, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// The local runtime's slots and queue are full.
        case busy
        /// Connect/first-byte/total timeout.
        case timeout
        /// Connection failure, HTTP error status, protocol error.
        case failure
        /// The request cannot be served by this backend (bad parameters); no fallback helps.
        case invalid
        /// The client went away before the answer was ready; nobody is left to serve.
        case cancelled
    }

    package var kind: Kind
    /// Human message without prompt text or keys.
    package var message: String
    /// HTTP status from the upstream, if any.
    package var status: Int?
    /// The error code a refusal (`invalid`) gives the client (default `invalid_request`).
    package var code: String?

    /// A refusal for what the backend cannot do (`RouterError.capabilityCodes`: a prompt longer
    /// than the local context): the rule's next candidate may serve it.
    var isCapability: Bool { kind == .invalid && code.map(RouterError.capabilityCodes.contains) == true }
    /// What a remote attempt moved before it failed, over all its HTTP attempts (retries included),
    /// when the provider counted it: the audit record's egress.
    package var egress: (sent: Int, received: Int)?
    /// Seconds the upstream asked to wait before a retry (its `Retry-After`), when it said.
    package var retryAfter: Int?
    /// Set only on `clientGoneBeforeStart` (a flag, not its message: a message may be reworded).
    package private(set) var isBeforeStart = false

    package init(_ kind: Kind, _ message: String, status: Int? = nil, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.code = code
    }

    package var description: String { "\(kind.rawValue): \(message)" }

    /// The client went away (its task was cancelled).
    package static let clientClosed = BackendError(.cancelled, "the client closed the connection")

    /// The client had gone before the work began: nothing was sent, nothing is owed (`isBeforeStart`).
    package static let clientGoneBeforeStart: BackendError = {
        var error = BackendError(.cancelled, "the client closed the connection before the request was sent")
        error.isBeforeStart = true
        return error
    }()

    /// `error` as a backend error: itself, `clientClosed` for a cancellation (`clientGoneBeforeStart`
    /// when the presence watch refused to start the work), else a failure.
    package static func from(_ error: any Error) -> BackendError {
        if let error = error as? BackendError { return error }
        if error is ClientGoneBeforeStart { return clientGoneBeforeStart }
        return error is CancellationError ? clientClosed : BackendError(.failure, "\(error)")
    }
}

/// Thrown by a `ClientPresence` whose client had gone before the operation began (it never ran).
package struct ClientGoneBeforeStart: Error, Sendable {
    package init() {}
}
