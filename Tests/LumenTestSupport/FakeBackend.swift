import Foundation
package import LumenCore
package import LumenPolicy
package import LumenRouter

/// An in-memory backend: records what it received, answers by echoing the last user message
/// (optionally in small chunks), or fails as told. As a remote backend it builds and receives
/// OpenAI chat bodies, like a real provider: `bodies` holds the exact bytes it was sent.
package final class FakeBackend: ChatBackend, @unchecked Sendable {
    // `_received` and `_bodies` are guarded by `lock`.
    private let lock = NSLock()
    private var _received: [ChatCompletionRequest] = []
    private var _bodies: [[UInt8]] = []
    package let route: RouteKind
    package let host: String?
    let failure: BackendError?
    let failAfterChunks: Int?
    /// The usage it reports (nil: none, as some upstreams do).
    let usage: Usage?
    /// How long it thinks before it answers.
    let delay: Duration
    /// What `validate` refuses every request with (nil: nothing).
    let refusal: RouterError?

    package init(
        route: RouteKind, host: String? = nil, failure: BackendError? = nil, failAfterChunks: Int? = nil,
        usage: Usage? = Usage(promptTokens: 100, completionTokens: 50), delay: Duration = .zero, refusal: RouterError? = nil
    ) {
        self.route = route
        self.host = host
        self.failure = failure
        self.failAfterChunks = failAfterChunks
        self.usage = usage
        self.delay = delay
        self.refusal = refusal
    }

    /// The requests as received (for a remote backend: decoded from the bytes it was sent).
    package var received: [ChatCompletionRequest] {
        lock.lock()
        defer { lock.unlock() }
        return _received
    }

    /// The exact bodies a remote backend was sent.
    package var bodies: [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return _bodies
    }

    package func validate(_ request: ChatCompletionRequest) throws(RouterError) {
        if let refusal { throw refusal }
    }

    package func outboundBody(for screened: ScreenedRequest, stream: Bool) throws(BackendError) -> OutboundBody? {
        guard route == .remote else { return nil }
        return OutboundBody(format: .openAIChat, json: OpenAIChatWire.body(screened.request, model: "remote-model", stream: stream))
    }

    private func note(_ request: ChatCompletionRequest, _ body: EncodedBody?) -> ChatCompletionRequest {
        var seen = request
        if let body, let decoded = try? WireJSON.decode(ChatCompletionRequest.self, from: body.bytes) { seen = decoded }
        lock.lock()
        _received.append(seen)
        if let body { _bodies.append(body.bytes) }
        lock.unlock()
        return seen
    }

    package func answer(_ request: ChatCompletionRequest) -> String {
        "echo: " + (request.messages.last { $0.role == .user }?.text ?? "")
    }

    package func complete(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> BackendCompletion {
        let seen = note(request, body)
        if delay > .zero { try? await Task.sleep(for: delay) }
        if let failure { throw failure }
        let text = answer(seen)
        return BackendCompletion(
            response: ChatCompletionResponse(
                id: "fake", created: 0, model: "fake-served-model",
                choices: [ChatChoice(message: ChatMessage(role: .assistant, text: text), finishReason: "stop")],
                usage: usage
            ),
            bytesSent: 123, bytesReceived: 456
        )
    }

    package func stream(
        _ request: ChatCompletionRequest, body: EncodedBody?
    ) async throws(BackendError) -> AsyncThrowingStream<BackendStreamEvent, any Error> {
        let seen = note(request, body)
        if let failure, failAfterChunks == nil { throw failure }
        let text = Array(answer(seen))
        let failAfter = failAfterChunks
        let failure = self.failure
        let usage = self.usage
        return AsyncThrowingStream { continuation in
            var index = 0
            var sent = 0
            while index < text.count {
                if let failAfter, sent == failAfter {
                    continuation.finish(throwing: failure ?? BackendError(.failure, "cut"))
                    return
                }
                let piece = String(text[index..<min(text.count, index + 3)])
                continuation.yield(
                    .chunk(
                        ChatCompletionChunk(id: "c", created: 0, model: "fake-served-model", choices: [ChunkChoice(delta: ChatDelta(content: piece))])
                    ))
                index += 3
                sent += 1
            }
            continuation.yield(
                .chunk(
                    ChatCompletionChunk(
                        id: "c", created: 0, model: "fake-served-model", choices: [ChunkChoice(delta: ChatDelta(), finishReason: "stop")])))
            if let usage {
                continuation.yield(.chunk(ChatCompletionChunk(id: "c", created: 0, model: "fake-served-model", choices: [], usage: usage)))
            }
            continuation.yield(.end(usage: nil, bytesSent: 10, bytesReceived: 20))
            continuation.finish()
        }
    }
}
