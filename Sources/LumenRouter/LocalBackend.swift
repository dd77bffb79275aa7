public import LumenPolicy
public import LumenCore
public import LumenLocalRuntime
import Foundation

/// The embedded llama.cpp runtime as a `ChatBackend`. Text-only: tools, non-text response
/// formats, `n > 1` and tool messages are refused with 400 (they need a remote target).
///
/// Sampling defaults when the request leaves them out: temperature 0.8, top_p 0.95, max tokens 256.
public struct LocalBackend: ChatBackend {
    public let runtime: LocalRuntime
    /// Name reported as the answer's `model`.
    public let modelName: String
    public let defaultMaxTokens: Int

    public init(runtime: LocalRuntime, modelName: String, defaultMaxTokens: Int = 256) {
        self.runtime = runtime
        self.modelName = modelName
        self.defaultMaxTokens = defaultMaxTokens
    }

    public var route: RouteKind { .local }
    public var host: String? { nil }

    public func validate(_ request: ChatCompletionRequest) throws(RouterError) {
        if let tools = request.tools, !tools.isEmpty {
            throw .invalidRequest("The embedded local model cannot use tools; name a remote target or drop 'tools'.", param: "tools", code: "unsupported_by_target")
        }
        if let choice = request.toolChoice, choice != ToolChoice.none {
            throw .invalidRequest("The embedded local model cannot honour 'tool_choice'.", param: "tool_choice", code: "unsupported_by_target")
        }
        if let format = request.responseFormat, format["type"]?.stringValue != "text" {
            throw .invalidRequest("The embedded local model only produces plain text ('response_format' type 'text').", param: "response_format", code: "unsupported_by_target")
        }
        if let n = request.n, n != 1 {
            throw .invalidRequest("The embedded local model returns one choice ('n' must be 1).", param: "n", code: "unsupported_by_target")
        }
        for message in request.messages where message.role == .tool || !(message.toolCalls ?? []).isEmpty {
            throw .invalidRequest("Tool messages need a target with tool support.", param: "messages", code: "unsupported_by_target")
        }
        for (index, message) in request.messages.enumerated() {
            guard case .parts(let parts) = message.content, let part = parts.first(where: { !$0.isText }) else { continue }
            throw .invalidRequest(
                "The embedded local model reads text only; messages[\(index)] has a '\(part.type)' part (send it to a target that takes it, if the policy allows).",
                param: "messages[\(index)].content", code: "unsupported_by_target"
            )
        }
    }

    func turns(_ request: ChatCompletionRequest) -> [ChatTurn] {
        request.messages.map { message in
            let role = message.role == .developer ? "system" : message.role.rawValue
            return ChatTurn(role: role, content: message.text)
        }
    }

    func parameters(_ request: ChatCompletionRequest) -> SamplingParameters {
        SamplingParameters(
            temperature: request.temperature ?? 0.8,
            topP: request.topP ?? 0.95,
            topK: 40,
            seed: request.seed.map { UInt32(truncatingIfNeeded: $0) },
            maxTokens: max(1, request.maxCompletionTokens ?? request.maxTokens ?? defaultMaxTokens),
            stop: request.stop?.values ?? []
        )
    }

    static func map(_ error: any Error) -> BackendError {
        guard let error = error as? LocalRuntimeError else { return BackendError(.failure, "local runtime: \(error)") }
        switch error {
        case .busy: return BackendError(.busy, error.description)
        case .promptTooLong, .invalidChat, .invalidParameters: return BackendError(.invalid, error.description)
        default: return BackendError(.failure, error.description)
        }
    }

    public func outboundBody(for screened: ScreenedRequest, stream: Bool) throws(BackendError) -> OutboundBody? { nil }

    public func complete(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> BackendCompletion {
        let completion: Completion
        do {
            completion = try await runtime.complete(turns(request), parameters: parameters(request))
        } catch {
            throw Self.map(error)
        }
        let summary = completion.summary
        let response = ChatCompletionResponse(
            id: "chatcmpl-" + UUID().uuidString.lowercased(),
            created: Int(Date().timeIntervalSince1970),
            model: modelName,
            choices: [ChatChoice(index: 0, message: ChatMessage(role: .assistant, text: completion.text), finishReason: Self.finish(summary.finishReason))],
            usage: Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
        )
        return BackendCompletion(response: response)
    }

    static func finish(_ reason: FinishReason) -> String {
        switch reason {
        case .stop: "stop"
        case .length: "length"
        case .cancelled: "stop"
        }
    }

    public func stream(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> AsyncThrowingStream<BackendStreamEvent, any Error> {
        let events: AsyncThrowingStream<GenerationEvent, any Error>
        do {
            events = try runtime.stream(turns(request), parameters: parameters(request))
        } catch {
            throw Self.map(error)
        }
        let id = "chatcmpl-" + UUID().uuidString.lowercased()
        let created = Int(Date().timeIntervalSince1970)
        let model = modelName
        let (stream, continuation) = AsyncThrowingStream<BackendStreamEvent, any Error>.makeStream()
        let task = Task {
            var first = true
            do {
                for try await event in events {
                    switch event {
                    case .text(let piece):
                        let delta = ChatDelta(role: first ? .assistant : nil, content: piece)
                        first = false
                        continuation.yield(.chunk(ChatCompletionChunk(id: id, created: created, model: model, choices: [ChunkChoice(index: 0, delta: delta)])))
                    case .finished(let summary):
                        continuation.yield(
                            .chunk(
                                ChatCompletionChunk(
                                    id: id, created: created, model: model,
                                    choices: [ChunkChoice(index: 0, delta: ChatDelta(role: first ? .assistant : nil, content: first ? "" : nil), finishReason: Self.finish(summary.finishReason))]
                                )
                            )
                        )
                        continuation.yield(.end(usage: Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens), bytesSent: 0, bytesReceived: 0))
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.map(error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
