import Foundation

/// One message of a chat conversation: `system`, `user` or `assistant` (the plain API), or also `tool`
/// (a tool's result) with `GenerationRequest`.
package struct ChatTurn: Sendable, Hashable, Codable {
    /// `system`, `user`, `assistant` or `tool`.
    package var role: String
    /// The message text (a tool's result for `tool`).
    package var content: String
    /// The tools an `assistant` turn called.
    package var toolCalls: [ToolCallRecord]?
    /// The call a `tool` turn answers.
    package var toolCallID: String?

    /// Creates a turn.
    package init(role: String, content: String, toolCalls: [ToolCallRecord]? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// A `system` turn.
    package static func system(_ content: String) -> ChatTurn { ChatTurn(role: "system", content: content) }
    /// A `user` turn.
    package static func user(_ content: String) -> ChatTurn { ChatTurn(role: "user", content: content) }
    /// An `assistant` turn.
    package static func assistant(_ content: String) -> ChatTurn { ChatTurn(role: "assistant", content: content) }
    /// An `assistant` turn that called tools (and maybe said something first).
    package static func assistant(_ content: String = "", calling calls: [ToolCallRecord]) -> ChatTurn {
        ChatTurn(role: "assistant", content: content, toolCalls: calls)
    }
    /// A tool's result for the call `id`.
    package static func tool(_ content: String, callID: String) -> ChatTurn { ChatTurn(role: "tool", content: content, toolCallID: callID) }

    /// The roles the plain (tool-less) API accepts.
    package static let roles: Set<String> = ["system", "user", "assistant"]
    /// The roles `GenerationRequest` accepts.
    package static let toolRoles: Set<String> = ["system", "user", "assistant", "tool"]
}

/// How the next token is chosen. `temperature <= 0` is greedy and deterministic.
package struct SamplingParameters: Sendable, Hashable, Codable {
    /// Softmax temperature; `0` (or less) selects the most likely token every time.
    package var temperature: Double
    /// Nucleus sampling: keep the smallest set of tokens whose probability mass reaches `topP` (1 = off).
    package var topP: Double
    /// Keep only the `topK` most likely tokens (0 = off).
    package var topK: Int
    /// Random seed for sampling; `nil` picks a fresh one per request.
    package var seed: UInt32?
    /// Maximum number of generated tokens.
    package var maxTokens: Int
    /// Generation stops before the first occurrence of any of these strings (not included in the output).
    package var stop: [String]

    /// Creates sampling parameters.
    package init(
        temperature: Double = 0.8,
        topP: Double = 0.95,
        topK: Int = 40,
        seed: UInt32? = nil,
        maxTokens: Int = 256,
        stop: [String] = []
    ) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.maxTokens = maxTokens
        self.stop = stop
    }

    /// Greedy decoding with the given token budget and stop strings.
    package static func greedy(maxTokens: Int = 256, stop: [String] = []) -> SamplingParameters {
        SamplingParameters(temperature: 0, topP: 1, topK: 0, seed: nil, maxTokens: maxTokens, stop: stop)
    }
}

/// Why a generation ended.
package enum FinishReason: String, Sendable, Codable {
    /// End-of-generation token or a stop string.
    case stop
    /// `maxTokens` reached, or the sequence's context is full.
    case length
    /// The consumer cancelled or the runtime shut down.
    case cancelled
    /// The answer ended after one or more complete tool calls.
    case toolCalls
}

/// Token usage and timing of one finished request.
package struct GenerationSummary: Sendable, Hashable, Codable {
    /// Tokens in the templated prompt.
    package var promptTokens: Int
    /// Tokens generated (end-of-generation token excluded).
    package var completionTokens: Int
    /// Why generation ended.
    package var finishReason: FinishReason
    /// The stop string that ended it (`finishReason` is `.stop`); nil for the end-of-generation token.
    package var stopSequence: String?
    /// From submission to the first generated token (queue wait + prompt processing); nil when none was generated.
    package var timeToFirstToken: Duration?
    /// From submission to the end of generation.
    package var totalTime: Duration

    /// Creates a summary.
    package init(
        promptTokens: Int,
        completionTokens: Int,
        finishReason: FinishReason,
        stopSequence: String? = nil,
        timeToFirstToken: Duration?,
        totalTime: Duration
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.finishReason = finishReason
        self.stopSequence = stopSequence
        self.timeToFirstToken = timeToFirstToken
        self.totalTime = totalTime
    }

    /// `promptTokens + completionTokens`.
    package var totalTokens: Int { promptTokens + completionTokens }
}

/// One element of a streamed generation: text (whole UTF-8 characters) or the final summary.
package enum GenerationEvent: Sendable, Hashable {
    /// The next piece of generated text; never splits a multi-byte character, never contains a stop string.
    case text(String)
    /// The last event of a stream.
    case finished(GenerationSummary)
}

/// The result of a non-streamed generation.
package struct Completion: Sendable, Hashable, Codable {
    /// The generated text (stop strings excluded).
    package var text: String
    /// Usage, timing and finish reason.
    package var summary: GenerationSummary

    /// Creates a completion.
    package init(text: String, summary: GenerationSummary) {
        self.text = text
        self.summary = summary
    }
}

/// How the runtime loads the model and schedules requests.
package struct LocalRuntimeOptions: Sendable, Hashable {
    /// Requests decoded concurrently (llama.cpp sequences in one batch).
    package var slots: Int
    /// Requests that may wait for a free slot; beyond `slots + queueLimit`, `stream` throws `busy`.
    package var queueLimit: Int
    /// CPU threads for llama.cpp (generation and prompt processing).
    package var threads: Int
    /// Context length (tokens) of each slot; nil = min(model's training context, `defaultContextCap`).
    package var contextLength: Int?
    /// The default context of a slot at most: an agent's first request (~12k tokens from Claude
    /// Code) needs more than 8192, but a longer context costs memory on every slot.
    package static let defaultContextCap = 8192
    /// Maximum tokens submitted to one `llama_decode` call (prompt chunks of new requests + one token per running request).
    package var batchSize: Int
    /// Flash attention on/off; nil lets llama.cpp decide.
    package var flashAttention: Bool?
    /// Forward llama.cpp's own log lines to standard error.
    package var verboseLlamaLog: Bool

    /// Creates options.
    package init(
        slots: Int = 4,
        queueLimit: Int = 16,
        threads: Int? = nil,
        contextLength: Int? = nil,
        batchSize: Int = 512,
        flashAttention: Bool? = nil,
        verboseLlamaLog: Bool = false
    ) {
        self.slots = slots
        self.queueLimit = queueLimit
        self.threads = threads ?? LocalRuntimeOptions.defaultThreads
        self.contextLength = contextLength
        self.batchSize = batchSize
        self.flashAttention = flashAttention
        self.verboseLlamaLog = verboseLlamaLog
    }

    /// The number of active processors, at least 1.
    package static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

/// A snapshot of the scheduler's occupancy.
package struct RuntimeStatus: Sendable, Hashable, Codable {
    /// Configured slots.
    package var slots: Int
    /// Slots currently held by a request (prompt processing or generating).
    package var activeSlots: Int
    /// Requests waiting for a slot.
    package var queued: Int
    /// Configured queue limit.
    package var queueLimit: Int
    /// Tokens generated since the runtime started (all requests; counted once per decoding step).
    package var generatedTokens: Int
}
