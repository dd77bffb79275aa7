package import AsyncHTTPClient
import Foundation
package import Logging
package import LumenCore
import NIOCore

/// The ``ChatProvider`` for remote targets over HTTP, built on a shared `HTTPClient` (created and shut
/// down by the caller). Speaks OpenAI chat-completions or the Anthropic Messages API per target.
///
/// Each request gets one retry (by default) with 100–250 ms jittered backoff after a connect failure,
/// a connection closed before any answer, 429 or 5xx — only while nothing was streamed to the caller;
/// after the upstream's `Retry-After` instead when it asked for at most 2 s, and none when it asked for more.
package struct HTTPChatProvider: ChatProvider {
    package let client: HTTPClient
    /// Largest response body read for a non-streaming answer.
    package var maxResponseBytes: Int

    package init(client: HTTPClient, maxResponseBytes: Int = 32 << 20) {
        self.client = client
        self.maxResponseBytes = maxResponseBytes
    }

    /// An `HTTPClient` configuration suited to this provider: the given connect timeout, no redirects,
    /// and no silent connection-establishment retries (so a refused connection fails fast and this
    /// provider's own retry/fallback applies).
    package static func clientConfiguration(connectTimeout: Duration = .seconds(5)) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeAmount(connectTimeout))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    // MARK: Non-streaming

    package func complete(_ request: ChatCompletionRequest, target: ProviderTarget, logger: Logger) async throws -> ProviderResult {
        try await complete(body: try requestBody(request, target: target, stream: false), headers: [:], target: target, logger: logger)
    }

    /// Sends an already encoded body (built by ``HTTPChatProvider/body(for:target:stream:)`` and screened
    /// by the caller) and returns the whole answer.
    package func complete(body: [UInt8], headers: [String: String] = [:], target: ProviderTarget, logger: Logger) async throws -> ProviderResult {
        let start = ContinuousClock.now
        var egress = EgressStats(host: target.host)
        let deadline = NIODeadline.now() + Self.timeAmount(target.timeouts.total)
        while true {
            egress.attempts += 1
            do {
                let response = try await send(body, headers: headers, target: target, deadline: deadline, egress: &egress, logger: logger)
                let bytes = try await readBody(response.body, limit: maxResponseBytes, egress: &egress, target: target)
                let answer = try decodeResponse(bytes, target: target)
                logger.debug("remote completion", metadata: ["host": "\(target.host)", "attempts": "\(egress.attempts)"])
                return ProviderResult(response: answer, egress: egress, latency: ContinuousClock.now - start)
            } catch let failure as AttemptFailure {
                if failure.isRetryable, egress.attempts <= target.retry.maxRetries, let wait = Self.wait(before: failure, target.retry) {
                    logger.debug("retrying remote request", metadata: ["host": "\(target.host)", "reason": "\(failure.code)"])
                    try await Task.sleep(for: wait)
                    continue
                }
                throw ProviderError(failure, egress: egress)
            }
        }
    }

    // MARK: Streaming

    package func stream(
        _ request: ChatCompletionRequest, target: ProviderTarget, logger: Logger
    ) -> AsyncThrowingStream<ProviderStreamEvent, any Error> {
        do {
            return stream(body: try requestBody(request, target: target, stream: true), headers: [:], target: target, logger: logger)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
    }

    /// Sends an already encoded streaming body and yields its chunks as they arrive.
    package func stream(
        body: [UInt8], headers: [String: String] = [:], target: ProviderTarget, logger: Logger
    ) -> AsyncThrowingStream<ProviderStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let egress = try await runStream(body, headers: headers, target: target, logger: logger) { chunk in
                        continuation.yield(.chunk(chunk))
                    }
                    continuation.yield(.finished(egress))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func runStream(
        _ body: [UInt8],
        headers: [String: String],
        target: ProviderTarget,
        logger: Logger,
        yield: (ChatCompletionChunk) -> Void
    ) async throws -> EgressStats {
        var egress = EgressStats(host: target.host)
        let deadline = NIODeadline.now() + Self.timeAmount(target.timeouts.total)
        let created = Int(Self.unixTime())
        var delivered = 0
        while true {
            egress.attempts += 1
            do {
                let response = try await send(body, headers: headers, target: target, deadline: deadline, egress: &egress, logger: logger)
                var decoder = StreamDecoder(kind: target.kind, model: target.model, created: created)
                var parser = SSEParser()
                do {
                    streaming: for try await buffer in response.body {
                        egress.bytesReceived += buffer.readableBytes
                        for event in parser.feed(buffer.readableBytesView) {
                            for chunk in try decoder.decode(event) {
                                yield(chunk)
                                delivered += 1
                            }
                            if decoder.isComplete { break streaming }
                        }
                    }
                } catch let failure as AttemptFailure {
                    throw failure
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw Self.classify(error, beforeHead: false, target: target)
                }
                if !decoder.isComplete {
                    for event in parser.finish() {
                        for chunk in try decoder.decode(event) {
                            yield(chunk)
                            delivered += 1
                        }
                    }
                }
                guard decoder.isComplete else {
                    throw AttemptFailure(.connectionClosed, "the stream ended before its end marker")
                }
                logger.debug("remote stream finished", metadata: ["host": "\(target.host)", "chunks": "\(delivered)"])
                return egress
            } catch let failure as AttemptFailure {
                if delivered > 0 {
                    switch failure.kind {
                    case .decoding, .streamError:
                        throw ProviderError(kind: failure.kind, message: "\(failure.message) (after \(delivered) chunks)", egress: egress)
                    default:
                        throw ProviderError(
                            kind: .streamCut(afterChunks: delivered),
                            message: "stream cut after \(delivered) chunks: \(failure.message)",
                            egress: egress
                        )
                    }
                }
                if failure.isRetryable, egress.attempts <= target.retry.maxRetries, let wait = Self.wait(before: failure, target.retry) {
                    logger.debug("retrying remote stream", metadata: ["host": "\(target.host)", "reason": "\(failure.code)"])
                    try await Task.sleep(for: wait)
                    continue
                }
                throw ProviderError(failure, egress: egress)
            }
        }
    }

    // MARK: Transport

    /// Sends one attempt and returns a 2xx response whose head arrived in time; other statuses throw.
    private func send(
        _ body: [UInt8],
        headers: [String: String],
        target: ProviderTarget,
        deadline: NIODeadline,
        egress: inout EgressStats,
        logger: Logger
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: target.endpointURL)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "accept", value: "application/json, text/event-stream")
        request.headers.add(name: "user-agent", value: "lumen")
        switch target.kind {
        case .openAICompatible:
            if let key = target.apiKey, !key.isEmpty { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        case .anthropic:
            if let key = target.apiKey, !key.isEmpty { request.headers.add(name: "x-api-key", value: key) }
            request.headers.add(name: "anthropic-version", value: "2023-06-01")
        }
        for (name, value) in target.extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(body)
        egress.bytesSent += body.count

        let client = self.client
        let prepared = request
        let headTimeout = target.timeouts.connect + target.timeouts.firstByte
        let response: HTTPClientResponse
        do {
            let clientLogger = Self.clientLogger(logger)
            if headTimeout >= target.timeouts.total {
                // The request's deadline comes first anyway: no timer task needed.
                response = try await client.execute(prepared, deadline: deadline, logger: clientLogger)
            } else {
                response = try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                    group.addTask { try await client.execute(prepared, deadline: deadline, logger: clientLogger) }
                    group.addTask {
                        try await Task.sleep(for: headTimeout)
                        return nil
                    }
                    defer { group.cancelAll() }
                    guard let first = try await group.next(), let response = first else {
                        throw AttemptFailure(.timeout(.firstByte), "no response within \(headTimeout)")
                    }
                    return response
                }
            }
        } catch let failure as AttemptFailure {
            throw failure
        } catch is CancellationError {
            try Task.checkCancellation()
            throw AttemptFailure(.connectionClosed, "request cancelled by the HTTP client")
        } catch {
            throw Self.classify(error, beforeHead: true, target: target)
        }

        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            var excerpt: [UInt8] = []
            do {
                for try await buffer in response.body {
                    egress.bytesReceived += buffer.readableBytes
                    if excerpt.count < 512 { excerpt += buffer.readableBytesView.prefix(512 - excerpt.count) }
                }
            } catch {
                // The status is what matters; a body cut short still leaves a usable excerpt.
            }
            let text = Self.scrub(String(decoding: excerpt, as: UTF8.self), key: target.apiKey)
            var failure = AttemptFailure(.http(status: status, bodyExcerpt: text), "HTTP \(status) from \(target.host)")
            failure.retryAfter = Self.retryAfter(
                seconds: response.headers.first(name: "retry-after"), milliseconds: response.headers.first(name: "retry-after-ms"))
            throw failure
        }
        return response
    }

    private func readBody(_ body: HTTPClientResponse.Body, limit: Int, egress: inout EgressStats, target: ProviderTarget) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await buffer in body {
                egress.bytesReceived += buffer.readableBytes
                bytes += buffer.readableBytesView
                if bytes.count > limit { throw AttemptFailure(.decoding, "response body larger than \(limit) bytes") }
            }
        } catch let failure as AttemptFailure {
            throw failure
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error, beforeHead: false, target: target)
        }
        return bytes
    }

    // MARK: Bodies

    /// The body `target` receives for `request`: the one definition of what leaves (the router screens
    /// it, then hands its encoding to ``complete(body:target:logger:)`` or ``stream(body:target:logger:)``).
    package static func body(for request: ChatCompletionRequest, target: ProviderTarget, stream: Bool) throws(ProviderError) -> OutboundBody {
        do {
            return try OutboundBody.build(
                request, format: target.kind.wireFormat, model: target.model, stream: stream,
                anthropicDefaultMaxTokens: target.anthropicDefaultMaxTokens
            )
        } catch {
            throw ProviderError(kind: .invalidRequest, message: error.message, egress: EgressStats(host: target.host))
        }
    }

    private func requestBody(_ request: ChatCompletionRequest, target: ProviderTarget, stream: Bool) throws -> [UInt8] {
        let body = try Self.body(for: request, target: target, stream: stream)
        do {
            return try body.encoded()
        } catch {
            throw ProviderError(kind: .invalidRequest, message: "cannot encode the request: \(error)", egress: EgressStats(host: target.host))
        }
    }

    private func decodeResponse(_ bytes: [UInt8], target: ProviderTarget) throws -> ChatCompletionResponse {
        switch target.kind {
        case .openAICompatible:
            do {
                return try WireJSON.decode(ChatCompletionResponse.self, from: bytes)
            } catch {
                throw AttemptFailure(.decoding, "unreadable chat.completion from \(target.host): \(WireJSON.describe(error))")
            }
        case .anthropic:
            let json: JSONValue
            do {
                json = try WireJSON.decode(JSONValue.self, from: bytes)
            } catch {
                throw AttemptFailure(.decoding, "unreadable Anthropic message from \(target.host): \(WireJSON.describe(error))")
            }
            do {
                return try AnthropicTranslation.response(from: json, created: Int(Self.unixTime()))
            } catch {
                throw AttemptFailure(.decoding, "unreadable Anthropic message from \(target.host): \(error.message)")
            }
        }
    }

    // MARK: Helpers

    /// AsyncHTTPClient tags its logger with request metadata on every request, which a real log handler
    /// pays for even when nothing is logged: hand it the caller's logger only when it logs at debug level.
    static func clientLogger(_ logger: Logger) -> Logger {
        logger.logLevel <= .debug ? logger : disabledLogger
    }

    static let disabledLogger = Logger(label: "lumen.http-client", factory: { _ in SwiftLogNoOpLogHandler() })

    static func classify(_ error: any Error, beforeHead: Bool, target: ProviderTarget) -> AttemptFailure {
        if let error = error as? HTTPClientError {
            if error == .connectTimeout {
                return AttemptFailure(.timeout(.connect), "connecting to \(target.host) timed out")
            }
            if error == .deadlineExceeded || error == .readTimeout {
                return AttemptFailure(.timeout(.total), "request to \(target.host) exceeded its time limit")
            }
            if error == .remoteConnectionClosed || error == .uncleanShutdown {
                return AttemptFailure(.connectionClosed, "\(target.host) closed the connection")
            }
            if error == .invalidURL || error == .emptyHost || error == .emptyScheme {
                return AttemptFailure(.invalidRequest, "invalid base URL for \(target.host)")
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout:
                return AttemptFailure(.timeout(.connect), "connecting to \(target.host) timed out")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return AttemptFailure(.connectionClosed, "\(target.host) closed the connection")
            default:
                break
            }
        }
        if let error = error as? IOError, [ECONNRESET, EPIPE].contains(error.errnoCode) {
            return AttemptFailure(.connectionClosed, "\(target.host) reset the connection")
        }
        let detail = scrub(String(describing: error), key: target.apiKey)
        if beforeHead {
            return AttemptFailure(.connect, "cannot reach \(target.host): \(detail)")
        }
        return AttemptFailure(.connectionClosed, "connection to \(target.host) failed: \(detail)")
    }

    static func scrub(_ text: String, key: String?) -> String {
        guard let key, key.count >= 4 else { return text }
        return text.replacing(key, with: "[redacted]")
    }

    /// How long to wait before retrying after `failure`: what the upstream asked (`Retry-After`) when
    /// it is short, the policy's back-off when it asked nothing, and nil (no retry: the failure goes
    /// to the router, which falls back or tells the client when to retry) when it asked for longer
    /// than `longestRetryAfter`.
    static func wait(before failure: AttemptFailure, _ policy: RetryPolicy) -> Duration? {
        guard let seconds = failure.retryAfter else { return backoff(policy) }
        return seconds <= longestRetryAfter ? .seconds(seconds) : nil
    }

    /// The longest `Retry-After` waited out before a retry, in seconds.
    static let longestRetryAfter = 2

    /// `Retry-After` in seconds (`retry-after-ms`, OpenAI's, rounded up); nil for none or an HTTP date.
    package static func retryAfter(seconds: String?, milliseconds: String?) -> Int? {
        if let ms = milliseconds.flatMap({ Double($0) }), ms.isFinite, ms >= 0, ms < 86_400_000 { return Int((ms / 1000).rounded(.up)) }
        return seconds.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { min(max(0, $0), 86_400) }
    }

    static func backoff(_ policy: RetryPolicy) -> Duration {
        let low = milliseconds(policy.backoff.lowerBound)
        let high = max(low, milliseconds(policy.backoff.upperBound))
        return .milliseconds(Int64.random(in: low...high))
    }

    static func milliseconds(_ duration: Duration) -> Int64 { duration.wholeMilliseconds }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.nanoseconds)
    }

    static func unixTime() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}

/// The failure of one attempt, before it is known whether it will be retried.
struct AttemptFailure: Error {
    var kind: ProviderError.Kind
    var message: String
    /// The upstream's `Retry-After` (or `retry-after-ms`), in whole seconds.
    var retryAfter: Int?

    init(_ kind: ProviderError.Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var isRetryable: Bool { ProviderError(kind: kind, message: message, egress: EgressStats(host: "")).isRetryable }
    var code: String { ProviderError(kind: kind, message: message, egress: EgressStats(host: "")).code }
}

/// Decodes SSE events of one upstream stream into OpenAI chunks.
struct StreamDecoder {
    let kind: ProviderKind
    var anthropic: AnthropicTranslation.StreamTranslator
    var sawDone = false
    var sawFinishReason = false

    init(kind: ProviderKind, model: String, created: Int) {
        self.kind = kind
        self.anthropic = AnthropicTranslation.StreamTranslator(model: model, created: created)
    }

    /// Whether the stream reached its end marker (`[DONE]` or `message_stop`).
    var isComplete: Bool {
        switch kind {
        case .openAICompatible: return sawDone
        case .anthropic: return anthropic.isFinished
        }
    }

    mutating func decode(_ event: SSEEvent) throws -> [ChatCompletionChunk] {
        switch kind {
        case .openAICompatible:
            if event.isDone {
                sawDone = true
                return []
            }
            // One read per event (this runs for every token), without Codable for everyday chunks. The
            // chunk's members are all optional, so an error event reads too, with no choices and its
            // `error` among the extras (a nested object: `JSONDecoder` reads it).
            let chunk: ChatCompletionChunk
            do {
                chunk = try ChunkReader.read(event.data) ?? WireJSON.decode(ChatCompletionChunk.self, from: event.data)
            } catch {
                guard (try? WireJSON.decode(JSONValue.self, from: event.data)) != nil else {
                    throw AttemptFailure(.decoding, "stream event is not JSON")
                }
                throw AttemptFailure(.decoding, "unreadable chat.completion.chunk: \(WireJSON.describe(error))")
            }
            if chunk.choices.isEmpty, let error = chunk.extra["error"] {
                throw AttemptFailure(
                    .streamError(type: error["type"]?.stringValue ?? error["code"]?.stringValue ?? "error"),
                    "upstream error in stream: \(error["message"]?.stringValue ?? "unknown")"
                )
            }
            if chunk.choices.contains(where: { $0.finishReason != nil }) { sawFinishReason = true }
            return [chunk]
        case .anthropic:
            let json: JSONValue
            do {
                json = try WireJSON.decode(JSONValue.self, from: event.data)
            } catch {
                throw AttemptFailure(.decoding, "Anthropic stream event is not JSON")
            }
            do {
                return try anthropic.translate(event: event.event, data: json)
            } catch {
                throw AttemptFailure(.streamError(type: error.type), "Anthropic stream error \(error.type): \(error.message)")
            }
        }
    }
}
