import CLlama
import Foundation

/// The embedded llama.cpp runtime: one loaded GGUF model shared by concurrent requests through continuous
/// batching (a fixed number of slots, a bounded wait queue, decoding on a dedicated thread).
public final class LocalRuntime: Sendable {
    private let model: LlamaModel
    private let scheduler: Scheduler

    /// Loads the model at `modelPath` and starts the decode thread.
    /// Throws `LocalRuntimeError` for a missing, non-GGUF, corrupt or unsupported file, or bad options.
    public init(modelPath: String, options: LocalRuntimeOptions = .init()) throws {
        let model = try LlamaModel(path: modelPath, verbose: options.verboseLlamaLog)
        self.model = model
        scheduler = try Scheduler(model: model, options: options)
    }

    deinit {
        scheduler.shutdown()
    }

    /// The default model: `LUMEN_MODEL` in `environment` if set, else the SmolLM2 GGUF that
    /// `scripts/setup.sh` installs in the repository's `.venv` (found from the executable's path and
    /// from the current directory).
    public static func defaultModelPath(environment: [String: String]) -> String? {
        ModelLocator.defaultModelPath(environment: environment)
    }

    /// What the model is (architecture, parameters, quantisation, chat template, …).
    public var metadata: ModelMetadata { model.metadata }

    /// Tokens each request may use (templated prompt + generated tokens).
    public var contextLength: Int { scheduler.contextPerSlot }

    /// Slots in use and requests waiting, right now.
    public var status: RuntimeStatus { scheduler.status() }

    /// Renders `turns` with the model's chat template, as the runtime feeds them to the model.
    public func prompt(for turns: [ChatTurn]) throws -> String {
        try model.applyChatTemplate(turns)
    }

    /// Number of tokens in `text` (plain text, no special tokens added or parsed).
    public func countTokens(_ text: String) -> Int {
        model.tokenize(text, special: false).count
    }

    /// Starts a generation for the conversation and streams its text, ending with `.finished(summary)`.
    /// Throws up front: `busy` (slots and queue full), `promptTooLong`, `invalidChat`, `invalidParameters`.
    /// Cancelling the consuming task ends the stream and frees the slot.
    public func stream(_ turns: [ChatTurn], parameters: SamplingParameters) throws -> AsyncThrowingStream<GenerationEvent, any Error> {
        try streamPrompt(model.applyChatTemplate(turns), parameters: parameters)
    }

    /// Like `stream(_:parameters:)` for an already-formatted prompt (special tokens such as `<|im_start|>` are parsed).
    public func streamPrompt(_ prompt: String, parameters: SamplingParameters) throws -> AsyncThrowingStream<GenerationEvent, any Error> {
        try LocalRuntime.validate(parameters)
        let tokens = model.tokenize(prompt, special: true)
        guard !tokens.isEmpty else { throw LocalRuntimeError.invalidChat("the prompt is empty") }
        guard tokens.count < scheduler.contextPerSlot else {
            throw LocalRuntimeError.promptTooLong(promptTokens: tokens.count, contextLength: scheduler.contextPerSlot)
        }
        return try scheduler.submit(prompt: tokens, parameters: parameters)
    }

    /// Generates the whole answer for the conversation.
    public func complete(_ turns: [ChatTurn], parameters: SamplingParameters) async throws -> Completion {
        try await LocalRuntime.collect(stream(turns, parameters: parameters))
    }

    /// Generates the whole answer for an already-formatted prompt.
    public func completePrompt(_ prompt: String, parameters: SamplingParameters) async throws -> Completion {
        try await LocalRuntime.collect(streamPrompt(prompt, parameters: parameters))
    }

    private static func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> Completion {
        var text = ""
        for try await event in stream {
            switch event {
            case .text(let piece): text += piece
            case .finished(let summary): return Completion(text: text, summary: summary)
            }
        }
        try Task.checkCancellation()
        throw LocalRuntimeError.shutDown
    }

    static func validate(_ parameters: SamplingParameters) throws(LocalRuntimeError) {
        guard parameters.maxTokens >= 1 else { throw .invalidParameters("maxTokens must be at least 1, got \(parameters.maxTokens)") }
        guard parameters.temperature.isFinite else { throw .invalidParameters("temperature must be a finite number") }
        guard parameters.topP > 0, parameters.topP <= 1 else { throw .invalidParameters("topP must be in (0, 1], got \(parameters.topP)") }
        guard parameters.topK >= 0 else { throw .invalidParameters("topK must not be negative, got \(parameters.topK)") }
    }
}
