import Foundation
package import LumenCore
package import LumenLocalRuntime
package import LumenPolicy

/// The embedded llama.cpp runtime as a `ChatBackend`: text, function tools (`tools`, `tool_choice`,
/// `parallel_tool_calls`, tool messages and earlier tool calls, in the model's own tool format) and
/// `response_format` JSON (`json_object`, `json_schema`), both constrained by grammars so every call and
/// structured answer is valid. Refused with 400: `n > 1`, non-text content parts, non-function tools,
/// `tool_choice` forms other than none/auto/required/a function, and schema features the grammar
/// converter does not support (named in the message).
///
/// Sampling defaults when the request leaves them out: temperature 0.8, top_p 0.95, max tokens 256.
package struct LocalBackend: ChatBackend {
    package let runtime: LocalRuntime
    /// Name reported as the answer's `model`.
    package let modelName: String
    package let defaultMaxTokens: Int

    package init(runtime: LocalRuntime, modelName: String, defaultMaxTokens: Int = 256) {
        self.runtime = runtime
        self.modelName = modelName
        self.defaultMaxTokens = defaultMaxTokens
    }

    package var route: RouteKind { .local }
    package var host: String? { nil }

    package func validate(_ request: ChatCompletionRequest) throws(RouterError) {
        if let refusal = RouterError.unsupported(by: "The embedded local model", request) { throw refusal }
        for (index, message) in request.messages.enumerated() {
            guard case .parts(let parts) = message.content, let part = parts.first(where: { !$0.isText }) else { continue }
            let what =
                switch part.type {
                case "image_url": "an image"
                case "input_audio": "audio"
                case "file": "a file"
                default: "a '\(part.type)' part"
                }
            // Not a reason to try the rule's fallbacks: what an image or a file shows cannot be screened
            // (by URL as little as inline), so it leaves only where the policy decided it may.
            throw .invalidRequest(
                "The embedded local model reads text only; messages[\(index)] has \(what) (send it to a target that takes it, if the policy allows).",
                param: "messages[\(index)].content", code: "unsupported_content"
            )
        }
        let generation = try Self.generationRequest(request, parameters: parameters(request))
        do {
            try runtime.validate(generation)
        } catch {
            throw Self.refusal(error)
        }
    }

    /// A runtime refusal as the 400 a client sees: a mistake of the request itself (two tools of one
    /// name, a `tool_choice` naming none of them, an unknown role) is `invalid_request`, which no
    /// fallback is tried for; what this model cannot do (structured output with `auto` tools in its
    /// tool format, a schema keyword, a context too small) is a capability code, which the rule's
    /// fallbacks may serve.
    static func refusal(_ error: LocalRuntimeError) -> RouterError {
        switch error {
        case .invalidTools(let reason, let param):
            return .invalidRequest(
                "The embedded local model cannot honour this request: \(reason).", param: param,
                code: param == "response_format" ? "unsupported_by_target" : "invalid_request")
        case .promptTooLong:
            return .refused(map(error))
        case .unsupportedSchema(let schemaError, let param):
            return .invalidRequest(
                "The embedded local model cannot constrain its output to this schema: \(schemaError.description).", param: param,
                code: "unsupported_schema")
        default:
            return .invalidRequest(error.description)
        }
    }

    /// The runtime's view of a Chat Completions request: the conversation (tool calls and results
    /// included), the function tools, the tool choice and the answer's shape.
    static func generationRequest(_ request: ChatCompletionRequest, parameters: SamplingParameters) throws(RouterError) -> GenerationRequest {
        var tools: [FunctionTool] = []
        for (index, tool) in (request.tools ?? []).enumerated() {
            guard tool.type == "function", let function = tool.function else {
                throw .invalidRequest(
                    "The embedded local model calls function tools only; tools[\(index)] is of type '\(tool.type)'.",
                    param: "tools[\(index)].type", code: "unsupported_by_target"
                )
            }
            tools.append(FunctionTool(name: function.name, description: function.description, parameters: function.parameters))
        }
        let mode: ToolCallMode
        switch request.toolChoice {
        case nil, .auto?: mode = .auto
        case .none?: mode = .none
        case .required?: mode = .required
        case .function(let name)?: mode = .function(name)
        case .other?:
            throw .invalidRequest(
                "The embedded local model takes 'tool_choice' none, auto, required or {\"type\":\"function\",\"function\":{\"name\":…}}.",
                param: "tool_choice", code: "unsupported_by_target"
            )
        }
        let output: StructuredOutput
        switch request.responseFormat?["type"]?.stringValue {
        case nil, "text"?: output = .text
        case "json_object"?: output = .jsonObject
        case "json_schema"?:
            guard let schema = request.responseFormat?["json_schema"]?["schema"] else {
                throw .invalidRequest(
                    "'response_format' of type json_schema needs 'json_schema.schema'.", param: "response_format.json_schema.schema")
            }
            output = .jsonSchema(schema)
        case let other?:
            throw .invalidRequest(
                "The embedded local model supports 'response_format' text, json_object and json_schema, not '\(other)'.",
                param: "response_format", code: "unsupported_by_target"
            )
        }
        return GenerationRequest(
            turns: turns(request), parameters: parameters, tools: tools, toolMode: mode,
            parallelToolCalls: request.extra["parallel_tool_calls"]?.boolValue ?? true, output: output,
            continuesLastTurn: request.continuesLastAssistantMessage
        )
    }

    static func turns(_ request: ChatCompletionRequest) -> [ChatTurn] {
        request.messages.map { message in
            switch message.role {
            case .developer: return .system(message.text)
            case .tool: return .tool(message.text, callID: message.toolCallId ?? "")
            case .function: return .tool(message.text, callID: message.name ?? "")  // a result in the deprecated form
            case .assistant where !(message.toolCalls ?? []).isEmpty:
                let calls = (message.toolCalls ?? []).map { ToolCallRecord(id: $0.id, name: $0.function.name, arguments: $0.function.arguments) }
                return .assistant(message.text, calling: calls)
            default: return ChatTurn(role: message.role.rawValue, content: message.text)
            }
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
        if error is CancellationError { return .clientClosed }
        guard let error = error as? LocalRuntimeError else { return BackendError(.failure, "local runtime: \(error)") }
        switch error {
        case .busy: return BackendError(.busy, error.description)
        case .promptTooLong:
            // Agent clients send tens of tools with long schemas: say that they count, so a client learns
            // why its request does not fit (Claude Code's first request is ~15k tokens, Codex's ~8.7k).
            return BackendError(
                .invalid,
                "The embedded local model cannot take this request: \(error.description); tool definitions and their schemas count toward the prompt.",
                code: "context_length_exceeded"  // OpenAI's code, which agent clients (Codex) look for
            )
        case .invalidChat, .invalidParameters, .invalidTools, .unsupportedSchema: return BackendError(.invalid, error.description)
        default: return BackendError(.failure, error.description)
        }
    }

    package func outboundBody(for screened: ScreenedRequest, stream: Bool) throws(BackendError) -> OutboundBody? { nil }

    /// Starts a generation off the shared threads: the chat template and the tokens of a long
    /// prompt take a while, and the concurrency pool has one thread per core.
    func start(_ generation: GenerationRequest) async throws -> AsyncThrowingStream<AnswerEvent, any Error> {
        let runtime = self.runtime
        return try await Offload.run { () throws -> AsyncThrowingStream<AnswerEvent, any Error> in try runtime.stream(generation) }
    }

    package func complete(_ request: ChatCompletionRequest, body: EncodedBody?) async throws(BackendError) -> BackendCompletion {
        let answer: Answer
        do {
            answer = try await LocalRuntime.answer(of: start(Self.generationRequest(request, parameters: parameters(request))))
        } catch {
            throw Self.map(error)
        }
        let summary = answer.summary
        let calls = answer.toolCalls.map { ToolCall(id: $0.id, function: FunctionCall(name: $0.name, arguments: $0.arguments)) }
        var message = ChatMessage(role: .assistant, content: calls.isEmpty || !answer.text.isEmpty ? .text(answer.text) : nil)
        if !calls.isEmpty { message.toolCalls = calls }
        let response = ChatCompletionResponse(
            id: "chatcmpl-" + UUID().uuidString.lowercased(),
            created: Int(Date().timeIntervalSince1970),
            model: modelName,
            choices: [
                ChatChoice(index: 0, message: message, finishReason: Self.finish(summary.finishReason), stopSequence: summary.stopSequence)
            ],
            usage: Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
        )
        return BackendCompletion(response: response)
    }

    static func finish(_ reason: FinishReason) -> String {
        switch reason {
        case .stop: "stop"
        case .length: "length"
        case .cancelled: "stop"
        case .toolCalls: "tool_calls"
        }
    }

    package func stream(
        _ request: ChatCompletionRequest, body: EncodedBody?
    ) async throws(BackendError) -> AsyncThrowingStream<BackendStreamEvent, any Error> {
        let events: AsyncThrowingStream<AnswerEvent, any Error>
        do {
            events = try await start(Self.generationRequest(request, parameters: parameters(request)))
        } catch {
            throw Self.map(error)
        }
        let id = "chatcmpl-" + UUID().uuidString.lowercased()
        let created = Int(Date().timeIntervalSince1970)
        let model = modelName
        let (stream, continuation) = AsyncThrowingStream<BackendStreamEvent, any Error>.makeStream()
        let task = Task {
            var encoder = ChatChunkEncoder()
            do {
                for try await event in events {
                    for choice in encoder.choices(for: event) {
                        continuation.yield(.chunk(ChatCompletionChunk(id: id, created: created, model: model, choices: [choice])))
                    }
                    if case .finished(let summary) = event {
                        continuation.yield(
                            .end(
                                usage: Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens), bytesSent: 0,
                                bytesReceived: 0))
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

/// Answer events as Chat Completions stream deltas: the role on the first delta, text as `content`,
/// a call's start as a `tool_calls` entry with id, type and name (empty arguments), its argument
/// fragments as entries with only `arguments`, and the finish reason (with the stop string that
/// ended the answer, if one did) on a last empty delta.
struct ChatChunkEncoder {
    private var first = true

    mutating func choices(for event: AnswerEvent) -> [ChunkChoice] {
        let role: ChatRole? = first ? .assistant : nil
        switch event {
        case .text(let text):
            first = false
            return [ChunkChoice(delta: ChatDelta(role: role, content: text))]
        case .toolCallStarted(let index, let id, let name):
            first = false
            let call = ToolCallDelta(index: index, id: id, type: "function", function: .init(name: name, arguments: ""))
            return [ChunkChoice(delta: ChatDelta(role: role, toolCalls: [call]))]
        case .toolCallArguments(let index, let fragment):
            guard !fragment.isEmpty else { return [] }
            first = false
            return [ChunkChoice(delta: ChatDelta(role: role, toolCalls: [ToolCallDelta(index: index, function: .init(arguments: fragment))]))]
        case .toolCallFinished:
            return []
        case .finished(let summary):
            let wasFirst = first
            first = false
            return [
                ChunkChoice(
                    delta: ChatDelta(role: role, content: wasFirst ? "" : nil), finishReason: LocalBackend.finish(summary.finishReason),
                    stopSequence: summary.stopSequence)
            ]
        }
    }
}
