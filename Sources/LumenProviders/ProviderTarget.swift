package import LumenCore

/// Which wire protocol a remote target speaks.
package enum ProviderKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// `POST {base_url}/chat/completions` (OpenAI, DeepSeek, Mistral, Groq, OpenRouter, vLLM, Ollama, llama-server).
    case openAICompatible = "openai"
    /// Anthropic Messages API, `POST {base_url}/messages`.
    case anthropic

    /// The wire format requests to this kind of target are sent in.
    package var wireFormat: WireFormat {
        switch self {
        case .openAICompatible: .openAIChat
        case .anthropic: .anthropicMessages
        }
    }
}

/// Time limits for one request to a remote target.
package struct ProviderTimeouts: Sendable, Hashable {
    /// Time to establish the connection. Enforced per request as part of the wait for the response
    /// head (`connect + firstByte`); also give it to the shared `HTTPClient` (see ``HTTPChatProvider/clientConfiguration(connectTimeout:)``).
    package var connect: Duration
    /// Time from the connection until the response head (and, when streaming, the first event) arrives.
    package var firstByte: Duration
    /// Time for the whole request, body included.
    package var total: Duration

    package init(connect: Duration = .seconds(5), firstByte: Duration = .seconds(60), total: Duration = .seconds(300)) {
        self.connect = connect
        self.firstByte = firstByte
        self.total = total
    }
}

/// When and how a failed attempt is retried.
package struct RetryPolicy: Sendable, Hashable {
    /// Extra attempts after the first (the default 1 means at most two attempts).
    package var maxRetries: Int
    /// The backoff before a retry is drawn uniformly from this range.
    package var backoff: ClosedRange<Duration>

    package init(maxRetries: Int = 1, backoff: ClosedRange<Duration> = .milliseconds(100)...(.milliseconds(250))) {
        self.maxRetries = maxRetries
        self.backoff = backoff
    }

    /// Never retry.
    package static let none = RetryPolicy(maxRetries: 0)
}

/// A remote model endpoint as the policy names it: protocol, base URL, model, key and limits.
package struct ProviderTarget: Sendable, Hashable, CustomStringConvertible {
    package var kind: ProviderKind
    /// E.g. `https://api.openai.com/v1` or `https://api.anthropic.com/v1` (no trailing path).
    package var baseURL: String {
        didSet { host = egressHost(of: baseURL) }
    }
    /// The host (and port, if given) of `baseURL`, for the audit log (kept with `baseURL`: it is read
    /// several times per request).
    package private(set) var host: String
    /// The model sent upstream; replaces the client's `model`.
    package var model: String
    /// The API key (read by the router from the env var the policy names). Never logged or put in errors.
    package var apiKey: String?
    package var timeouts: ProviderTimeouts
    package var retry: RetryPolicy
    /// Extra request headers (e.g. OpenRouter's `HTTP-Referer`).
    package var extraHeaders: [String: String]
    /// `max_tokens` sent to Anthropic when the client set none (the Messages API requires one).
    package var anthropicDefaultMaxTokens: Int

    package init(
        kind: ProviderKind,
        baseURL: String,
        model: String,
        apiKey: String? = nil,
        timeouts: ProviderTimeouts = ProviderTimeouts(),
        retry: RetryPolicy = RetryPolicy(),
        extraHeaders: [String: String] = [:],
        anthropicDefaultMaxTokens: Int = 1024
    ) {
        self.kind = kind
        self.baseURL = baseURL
        self.host = egressHost(of: baseURL)
        self.model = model
        self.apiKey = apiKey
        self.timeouts = timeouts
        self.retry = retry
        self.extraHeaders = extraHeaders
        self.anthropicDefaultMaxTokens = anthropicDefaultMaxTokens
    }

    /// The full endpoint URL: `{base_url}/chat/completions` or `{base_url}/messages`.
    package var endpointURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        switch kind {
        case .openAICompatible: return base + "/chat/completions"
        case .anthropic: return base + "/messages"
        }
    }

    /// Describes the target without its key.
    package var description: String {
        "\(kind.rawValue) \(model) at \(host)\(apiKey == nil ? "" : " (key set)")"
    }
}

/// Bytes exchanged with a remote host for one request (all attempts), for the audit log.
package struct EgressStats: Sendable, Hashable, Codable {
    /// Host (and port) contacted.
    package var host: String
    /// Request body bytes sent, summed over attempts (headers not counted).
    package var bytesSent: Int
    /// Response body bytes received, summed over attempts (headers not counted).
    package var bytesReceived: Int
    /// Number of HTTP attempts made (1 + retries).
    package var attempts: Int

    package init(host: String, bytesSent: Int = 0, bytesReceived: Int = 0, attempts: Int = 0) {
        self.host = host
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.attempts = attempts
    }
}

/// Why a remote request failed. The router uses ``Kind`` to run the rule's fallback order.
package struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which phase timed out.
    package enum TimeoutPhase: String, Sendable, Hashable {
        case connect
        case firstByte = "first_byte"
        case total
    }

    /// The failure class.
    package enum Kind: Sendable, Hashable {
        /// The connection could not be established (refused, DNS, TLS).
        case connect
        /// The connection was closed or reset before a complete response arrived (nothing was streamed).
        case connectionClosed
        /// A time limit was exceeded.
        case timeout(TimeoutPhase)
        /// The upstream answered with a non-2xx status; `bodyExcerpt` is at most 512 bytes, key removed.
        case http(status: Int, bodyExcerpt: String)
        /// The upstream answered with a body Lumen could not read (bad JSON, unknown event, missing fields).
        case decoding
        /// The upstream reported an error inside a successful stream (`event: error`, or an `error` object).
        case streamError(type: String)
        /// The stream broke after `afterChunks` chunks had been delivered to the caller.
        case streamCut(afterChunks: Int)
        /// The request could not be built (bad base URL, untranslatable message).
        case invalidRequest
    }

    package var kind: Kind
    /// A human-readable message (never contains the API key or prompt text).
    package var message: String
    /// Bytes exchanged before the failure.
    package var egress: EgressStats
    /// Seconds the upstream asked to wait before a retry (`Retry-After`), when it said.
    package var retryAfter: Int?

    package init(kind: Kind, message: String, egress: EgressStats) {
        self.kind = kind
        self.message = message
        self.egress = egress
    }

    init(_ failure: AttemptFailure, egress: EgressStats) {
        self.init(kind: failure.kind, message: failure.message, egress: egress)
        retryAfter = failure.retryAfter
    }

    /// A stable short code: `connect`, `connection_closed`, `timeout_first_byte`, `http_429`, `decoding`,
    /// `stream_error`, `stream_cut`, `invalid_request`.
    package var code: String {
        switch kind {
        case .connect: return "connect"
        case .connectionClosed: return "connection_closed"
        case .timeout(let phase): return "timeout_\(phase.rawValue)"
        case .http(let status, _): return "http_\(status)"
        case .decoding: return "decoding"
        case .streamError: return "stream_error"
        case .streamCut: return "stream_cut"
        case .invalidRequest: return "invalid_request"
        }
    }

    /// Whether an attempt failing this way may be retried (only if nothing was streamed yet).
    package var isRetryable: Bool {
        switch kind {
        case .connect, .connectionClosed: return true
        case .http(let status, _): return status == 429 || status >= 500
        case .streamError(let type): return type == "overloaded_error" || type == "api_error" || type == "rate_limit_error"
        case .timeout, .decoding, .streamCut, .invalidRequest: return false
        }
    }

    package var description: String { "\(egress.host): \(message) [\(code)]" }
}
