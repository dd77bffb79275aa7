package import AsyncHTTPClient
import Logging
package import LumenCore
package import LumenPolicy
import LumenProviders

/// A remote provider (or an external local endpoint such as Ollama) as a `ChatBackend`, through
/// the `LumenProviders` clients (one retry on connect errors/429/5xx before the first byte).
package struct ProviderBackend: ChatBackend {
    let provider: any ChatProvider
    let target: ProviderTarget
    let streamTarget: ProviderTarget
    let isLocal: Bool
    let logger: Logger

    package var route: RouteKind { isLocal ? .local : .remote }
    package var host: String? { target.host }

    /// The backend for a policy target, or `.unavailable` when its API key variable is unset
    /// (the router then falls back as for any failure).
    package static func slot(for target: PolicyTarget, environment: [String: String], httpClient: HTTPClient, timeoutSeconds: Double) -> BackendSlot {
        guard let baseURL = target.baseURL, let model = target.model else {
            return .unavailable("target '\(target.name)' has no base_url/model")
        }
        var apiKey: String?
        if let variable = target.apiKeyEnv {
            guard let value = environment[variable], !value.isEmpty else {
                return .unavailable("API key variable \(variable) is not set")
            }
            apiKey = value
        }
        let kind: ProviderKind = target.kind == .anthropic ? .anthropic : .openAICompatible
        let timeout = Duration.milliseconds(Int64(timeoutSeconds * 1000))
        let connect = min(.seconds(5), timeout / 2)
        // Whole answers must arrive within the timeout; streams must start within it and may then
        // run for up to ten times as long.
        let completeTarget = ProviderTarget(
            kind: kind, baseURL: baseURL, model: model, apiKey: apiKey,
            // Connecting and the first byte share the one timeout (a stream waited for both in turn).
            timeouts: ProviderTimeouts(connect: connect, firstByte: max(timeout - connect, .milliseconds(100)), total: timeout)
        )
        var streamTarget = completeTarget
        streamTarget.timeouts.total = timeout * 10
        let provider = HTTPChatProvider(client: httpClient)
        return .ready(
            ProviderBackend(
                provider: provider, target: completeTarget, streamTarget: streamTarget, isLocal: target.isLocal,
                logger: Logger(label: "lumen.provider.\(target.name)")
            )
        )
    }

    /// Refuses what an Anthropic target would otherwise silently lose, so that the answer is not
    /// quietly of another shape than asked for (another target, or a 400 when this is the primary):
    /// a JSON output format, several choices, log probabilities, the deprecated function fields.
    /// (An Anthropic client's own body cannot ask for these.)
    /// An OpenAI-compatible target refuses a file given by URL (an Anthropic client's document by
    /// URL): Chat Completions takes a file's data or id only, and the URL would be lost or refused.
    package func validate(_ request: ChatCompletionRequest) throws(RouterError) {
        guard target.kind == .anthropic else {
            for (index, message) in request.messages.enumerated() {
                guard case .parts(let parts) = message.content else { continue }
                for part in parts where part.type == "file" && part.extra["file"]?["file_url"] != nil {
                    throw .invalidRequest(
                        "messages[\(index)] has a document given by URL, which an OpenAI-compatible target does not read (Chat Completions takes a file as 'file_data' or 'file_id'); send its data as base64, or route it to an Anthropic target.",
                        param: "messages[\(index)].content", code: "unsupported_by_target")
                }
            }
            return
        }
        if let format = request.responseFormat, format["type"]?.stringValue != "text" {
            throw .invalidRequest(
                "The Anthropic target has no '\(format["type"]?.stringValue ?? "structured")' output mode ('response_format'); an OpenAI-compatible target or the embedded model can constrain the answer.",
                param: "response_format", code: "unsupported_by_target")
        }
        if let refusal = RouterError.unsupported(by: "The Anthropic target", request) { throw refusal }
    }

    package func outboundBody(for screened: ScreenedRequest, stream: Bool) throws(BackendError) -> OutboundBody? {
        // An Anthropic client's own body goes to an Anthropic target without a round trip through the
        // conversation (thinking, cache control and betas intact).
        if target.kind == .anthropic, let native = screened.native, native.format == .anthropicMessages {
            return .passThrough(native, model: target.model, stream: stream, headers: screened.passThroughHeaders)
        }
        return try body(for: screened.request, stream: stream)
    }

    func body(for request: ChatCompletionRequest, stream: Bool) throws(BackendError) -> OutboundBody {
        do {
            return try HTTPChatProvider.body(for: request, target: stream ? streamTarget : target, stream: stream)
        } catch {
            throw Self.map(error)
        }
    }

    /// `body`, or the encoding of the body built for `request`.
    private func encodedBody(_ request: ChatCompletionRequest, _ body: EncodedBody?, stream: Bool) throws(BackendError) -> EncodedBody {
        if let body { return body }
        do {
            return try EncodedBody(try self.body(for: request, stream: stream))
        } catch let error as BackendError {
            throw error
        } catch {
            throw BackendError(.invalid, "cannot encode the request: \(error)")
        }
    }

    static func map(_ error: any Error) -> BackendError {
        if let error = error as? ProviderError {
            var mapped = mapKind(error)
            if error.egress.attempts > 0 { mapped.egress = (error.egress.bytesSent, error.egress.bytesReceived) }
            mapped.retryAfter = error.retryAfter
            return mapped
        }
        if error is CancellationError { return .clientClosed }
        return BackendError(.failure, "\(error)")
    }

    private static func mapKind(_ error: ProviderError) -> BackendError {
        switch error.kind {
        case .timeout: return BackendError(.timeout, error.description)
        case .http(let status, let excerpt):
            // The upstream's own explanation (OpenAI's and Anthropic's `error.message`), which the
            // client needs when the target refuses its request.
            let said = (try? WireJSON.decode(JSONValue.self, from: excerpt))?["error"]?["message"]?.stringValue
            return BackendError(.failure, said.map { "\(error.description): \($0)" } ?? error.description, status: status)
        case .invalidRequest: return BackendError(.invalid, error.description)
        default: return BackendError(.failure, error.description)
        }
    }

    package func complete(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> BackendCompletion {
        let encoded = try encodedBody(request, body, stream: false)
        do {
            let result = try await provider.complete(body: encoded.bytes, headers: encoded.headers, target: target, logger: logger)
            return BackendCompletion(response: result.response, bytesSent: result.egress.bytesSent, bytesReceived: result.egress.bytesReceived)
        } catch {
            throw Self.map(error)
        }
    }

    package func stream(
        _ request: ChatCompletionRequest, body: EncodedBody?
    ) async throws(BackendError) -> AsyncThrowingStream<BackendStreamEvent, any Error> {
        let encoded = try encodedBody(request, body, stream: true)
        // Pulled in the consumer's task: no task of its own, so a chunk crosses one thread hop fewer.
        let cursor = UpstreamCursor(provider.stream(body: encoded.bytes, headers: encoded.headers, target: streamTarget, logger: logger))
        return AsyncThrowingStream { try await cursor.next() }
    }
}

/// The provider's events as backend events, read one `next()` at a time by the router's stream task.
/// Dropping the cursor drops the provider's stream, which cancels its request.
private final class UpstreamCursor: @unchecked Sendable {
    // Safe: only `next()` touches the mutable state, and `AsyncThrowingStream(unfolding:)` calls it
    // for one element at a time (a stream has a single consumer; it awaits each call before the next).
    private var iterator: AsyncThrowingStream<ProviderStreamEvent, any Error>.AsyncIterator
    private var usage: Usage?

    init(_ upstream: AsyncThrowingStream<ProviderStreamEvent, any Error>) {
        iterator = upstream.makeAsyncIterator()
    }

    func next() async throws -> BackendStreamEvent? {
        do {
            switch try await iterator.next() {
            case .chunk(let chunk)?:
                if let u = chunk.usage { usage = u }
                return .chunk(chunk)
            case .finished(let egress)?:
                return .end(usage: usage, bytesSent: egress.bytesSent, bytesReceived: egress.bytesReceived)
            case nil:
                return nil
            }
        } catch {
            throw ProviderBackend.map(error)
        }
    }
}
