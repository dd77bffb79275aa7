import CLlama
import Foundation

/// The embedded llama.cpp runtime: one loaded GGUF model shared by concurrent requests through continuous
/// batching (a fixed number of slots, a bounded wait queue, decoding on a dedicated thread).
package final class LocalRuntime: Sendable {
    private let model: LlamaModel
    private let scheduler: Scheduler

    /// Loads the model at `modelPath` and starts the decode thread.
    /// Throws `LocalRuntimeError` for a missing, non-GGUF, corrupt or unsupported file, or bad options.
    package init(modelPath: String, options: LocalRuntimeOptions = .init()) throws {
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
    package static func defaultModelPath(environment: [String: String]) -> String? {
        ModelLocator.defaultModelPath(environment: environment)
    }

    /// What the model is (architecture, parameters, quantisation, chat template, …).
    package var metadata: ModelMetadata { model.metadata }

    /// Tokens each request may use (templated prompt + generated tokens).
    package var contextLength: Int { scheduler.contextPerSlot }

    /// Slots in use and requests waiting, right now.
    package var status: RuntimeStatus { scheduler.status() }

    /// Renders `turns` with the model's chat template, as the runtime feeds them to the model.
    package func prompt(for turns: [ChatTurn]) throws -> String {
        try model.applyChatTemplate(turns)
    }

    /// Number of tokens in `text` (plain text, no special tokens added or parsed).
    package func countTokens(_ text: String) -> Int {
        model.tokenize(text, special: false).count
    }

    /// Starts a generation for the conversation and streams its text, ending with `.finished(summary)`.
    /// Throws up front: `busy` (slots and queue full), `promptTooLong`, `invalidChat`, `invalidParameters`.
    /// Cancelling the consuming task ends the stream and frees the slot.
    package func stream(_ turns: [ChatTurn], parameters: SamplingParameters) throws -> AsyncThrowingStream<GenerationEvent, any Error> {
        try LocalRuntime.validate(parameters)
        guard !turns.isEmpty else { throw LocalRuntimeError.invalidChat("the conversation has no turns") }
        for turn in turns where !ChatTurn.roles.contains(turn.role) {
            throw LocalRuntimeError.invalidChat("role '\(turn.role)' is not one of system, user, assistant")
        }
        return try submit(model.promptTokens(turns, suffix: ""), parameters: parameters)
    }

    /// Like `stream(_:parameters:)` for an already-formatted prompt (special tokens such as `<|im_start|>` are parsed).
    package func streamPrompt(_ prompt: String, parameters: SamplingParameters) throws -> AsyncThrowingStream<GenerationEvent, any Error> {
        try LocalRuntime.validate(parameters)
        return try submit(model.tokenize(prompt, special: true), parameters: parameters)
    }

    private func submit(_ tokens: [llama_token], parameters: SamplingParameters) throws -> AsyncThrowingStream<GenerationEvent, any Error> {
        guard !tokens.isEmpty else { throw LocalRuntimeError.invalidChat("the prompt is empty") }
        guard tokens.count < scheduler.contextPerSlot else {
            throw LocalRuntimeError.promptTooLong(promptTokens: tokens.count, contextLength: scheduler.contextPerSlot)
        }
        return try scheduler.submit(prompt: tokens, parameters: parameters)
    }

    /// Generates the whole answer for the conversation.
    package func complete(_ turns: [ChatTurn], parameters: SamplingParameters) async throws -> Completion {
        try await LocalRuntime.collect(stream(turns, parameters: parameters))
    }

    /// Generates the whole answer for an already-formatted prompt.
    package func completePrompt(_ prompt: String, parameters: SamplingParameters) async throws -> Completion {
        try await LocalRuntime.collect(streamPrompt(prompt, parameters: parameters))
    }

    // MARK: Tools and structured output

    /// The tool format of the loaded model, from its chat template.
    package var toolFormat: ToolFormat { ToolFormat.detect(chatTemplate: model.metadata.chatTemplate) }

    /// Checks that `request` can be served (tools, tool choice, schemas, roles) without running it:
    /// throws `invalidTools`, `unsupportedSchema`, `invalidChat` or `unsupportedChatTemplate` as `stream` would.
    package func validate(_ request: GenerationRequest) throws(LocalRuntimeError) {
        let plan = try plan(request)
        for grammar in [plan.initialGrammar, plan.triggerGrammar].compactMap({ $0 }) {
            guard let sampler = llama_sampler_init_grammar(model.vocab, grammar, "root") else {
                throw .constraintViolated("llama.cpp rejected the generated grammar")
            }
            llama_sampler_free(sampler)
        }
        _ = try model.renderTemplate(plan.turns)
    }

    /// The prompt the model reads for `request` (tools, calls and results in the model's format, and any
    /// forced opening of a call).
    package func prompt(for request: GenerationRequest) throws(LocalRuntimeError) -> String {
        let plan = try plan(request)
        return try model.renderTemplate(plan.turns) + plan.continuation + plan.prefill
    }

    /// Starts answering `request`: text, tool calls (constrained by their tools' schemas) or structured
    /// output, streamed as `AnswerEvent`s ending with `.finished`. Throws up front like `stream(_:parameters:)`,
    /// plus `invalidTools` and `unsupportedSchema`; a stream that breaks its grammar ends with `constraintViolated`.
    package func stream(_ request: GenerationRequest) throws -> AsyncThrowingStream<AnswerEvent, any Error> {
        try LocalRuntime.validate(request.parameters)
        let plan = try plan(request)
        let tokens = try tokens(of: plan)
        guard !tokens.isEmpty else { throw LocalRuntimeError.invalidChat("the prompt is empty") }
        guard tokens.count < scheduler.contextPerSlot else {
            throw LocalRuntimeError.promptTooLong(promptTokens: tokens.count, contextLength: scheduler.contextPerSlot)
        }
        return try scheduler.submit(prompt: tokens, parameters: request.parameters, plan: plan)
    }

    /// The prompt's tokens for a plan: its turns through the chat template, the answer's start the
    /// client wrote (as text), then its prefill.
    private func tokens(of plan: GenerationPlan) throws(LocalRuntimeError) -> [llama_token] {
        try model.promptTokens(plan.turns, continuation: plan.continuation, suffix: plan.prefill, markers: plan.syntax?.markers ?? [])
    }

    /// The tokens the model reads for `request` (template, tools, contents as text), as `stream`
    /// counts them: for benchmarks and tests of the tokenization.
    package func promptTokenCount(_ request: GenerationRequest) throws(LocalRuntimeError) -> Int {
        let plan = try plan(request)
        return try tokens(of: plan).count
    }

    /// The prompt of `request` read back from its tokens, control tokens as their text (tests).
    func promptText(_ request: GenerationRequest) throws(LocalRuntimeError) -> String {
        let tokens = try tokens(of: plan(request))
        return String(decoding: tokens.flatMap { model.piece($0, special: true) }, as: UTF8.self)
    }

    /// Whether the prompt of `request` holds `token` text as the model's control token, and how
    /// often (tests of template injection).
    func controlTokenCount(_ text: String, in request: GenerationRequest) throws(LocalRuntimeError) -> Int {
        let plan = try plan(request)
        let control = model.tokenize(text, addSpecial: false, parseSpecial: true)
        guard control.count == 1 else { return 0 }
        return try tokens(of: plan).filter { $0 == control[0] }.count
    }

    /// Generates the whole answer for `request`.
    package func complete(_ request: GenerationRequest) async throws -> Answer {
        try await Self.answer(of: stream(request))
    }

    /// The whole answer a stream of `stream(_:)` adds up to.
    package static func answer(of events: AsyncThrowingStream<AnswerEvent, any Error>) async throws -> Answer {
        var text = ""
        var calls: [ToolCallRecord] = []
        for try await event in events {
            switch event {
            case .text(let piece): text += piece
            case .toolCallStarted(_, let id, let name): calls.append(ToolCallRecord(id: id, name: name, arguments: ""))
            case .toolCallArguments(let index, let fragment): calls[index].arguments += fragment
            case .toolCallFinished: break
            case .finished(let summary): return Answer(text: text, toolCalls: calls, summary: summary)
            }
        }
        try Task.checkCancellation()
        throw LocalRuntimeError.shutDown
    }

    /// The prompt a model whose GGUF chat template is `chatTemplate` reads for `request`, without loading
    /// a model: the tool format detected from the template, the template applied by llama.cpp.
    package static func prompt(for request: GenerationRequest, chatTemplate: String) throws(LocalRuntimeError) -> String {
        let plan = try plan(request, chatTemplate: chatTemplate)
        guard let rendered = LlamaModel.applyTemplate(chatTemplate, plan.turns) else {
            throw .unsupportedChatTemplate("llama.cpp does not recognise the chat template")
        }
        return rendered + plan.continuation + plan.prefill
    }

    /// Whether the GBNF `grammar` (root `root`) accepts exactly `text` as this model tokenizes it: every
    /// token allowed in turn, and the end of generation allowed after the last (for tests of the converter).
    func grammarAccepts(_ grammar: String, text: String) -> Bool? {
        guard let sampler = llama_sampler_init_grammar(model.vocab, grammar, "root") else { return nil }
        defer { llama_sampler_free(sampler) }
        for token in model.tokenize(text, addSpecial: false, parseSpecial: false) {
            guard Scheduler.allows(sampler, token) else { return false }
            llama_sampler_accept(sampler, token)
        }
        return Scheduler.allows(sampler, llama_vocab_eos(model.vocab))
    }

    private func plan(_ request: GenerationRequest) throws(LocalRuntimeError) -> GenerationPlan {
        try LocalRuntime.plan(request, chatTemplate: model.metadata.chatTemplate)
    }

    static func plan(_ request: GenerationRequest, chatTemplate: String?) throws(LocalRuntimeError) -> GenerationPlan {
        let qwen = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
        return try GenerationPlan.make(
            request, format: ToolFormat.detect(chatTemplate: chatTemplate), defaultSystem: chatTemplate?.contains(qwen) == true ? qwen : nil
        )
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
