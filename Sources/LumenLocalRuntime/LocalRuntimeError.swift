package import LumenGrammar

/// Everything that can go wrong loading a model or serving a request, with a stable code and a human message.
package enum LocalRuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No file at the path.
    case modelNotFound(path: String)
    /// The file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// The file does not start with the GGUF magic.
    case notGGUF(path: String)
    /// The GGUF header or tensor data is truncated or malformed.
    case corruptModel(path: String, reason: String)
    /// llama.cpp does not know the model's architecture.
    case unsupportedArchitecture(path: String, architecture: String)
    /// llama.cpp refused the model or the context for another reason.
    case loadFailed(path: String, reason: String)
    /// No model was given and none was found (`LUMEN_MODEL`, the repository's `.venv`).
    case noDefaultModel
    /// The templated prompt does not fit the per-slot context (room for at least one generated token is needed).
    case promptTooLong(promptTokens: Int, contextLength: Int)
    /// All slots are busy and the wait queue is full.
    case busy(slots: Int, queueLimit: Int)
    /// A chat turn has a role other than system/user/assistant, or the conversation is empty.
    case invalidChat(String)
    /// The model's chat template is not one llama.cpp can apply.
    case unsupportedChatTemplate(String)
    /// Invalid sampling parameters or runtime options.
    case invalidParameters(String)
    /// The runtime was shut down before the request finished.
    case shutDown
    /// `llama_decode` failed.
    case decodeFailed(code: Int32)
    /// The tools or the tool choice cannot be honoured (bad name, unknown function, …); `param` names the request field.
    case invalidTools(String, param: String?)
    /// A JSON Schema (a tool's parameters, a response format) uses a feature constrained generation does not support.
    case unsupportedSchema(SchemaError, param: String)
    /// Constrained output broke its grammar or schema (a bug: the grammar is meant to make that impossible).
    case constraintViolated(String)

    /// A stable machine-readable code.
    package var code: String {
        switch self {
        case .modelNotFound: "model_not_found"
        case .unreadable: "model_unreadable"
        case .notGGUF: "not_gguf"
        case .corruptModel: "corrupt_model"
        case .unsupportedArchitecture: "unsupported_architecture"
        case .loadFailed: "load_failed"
        case .noDefaultModel: "no_default_model"
        case .promptTooLong: "prompt_too_long"
        case .busy: "busy"
        case .invalidChat: "invalid_chat"
        case .unsupportedChatTemplate: "unsupported_chat_template"
        case .invalidParameters: "invalid_parameters"
        case .shutDown: "shut_down"
        case .decodeFailed: "decode_failed"
        case .invalidTools: "invalid_tools"
        case .unsupportedSchema: "unsupported_schema"
        case .constraintViolated: "constraint_violated"
        }
    }

    package var description: String {
        switch self {
        case .modelNotFound(let path):
            "model file not found: \(path)"
        case .unreadable(let path, let reason):
            "cannot read model file \(path): \(reason)"
        case .notGGUF(let path):
            "not a GGUF model file (bad magic): \(path)"
        case .corruptModel(let path, let reason):
            "corrupt or truncated GGUF file \(path): \(reason)"
        case .unsupportedArchitecture(let path, let architecture):
            "unsupported model architecture '\(architecture)' in \(path)"
        case .loadFailed(let path, let reason):
            "llama.cpp could not load \(path): \(reason)"
        case .noDefaultModel:
            "no local model found: set LUMEN_MODEL or pass --model, or run scripts/setup.sh (installs the default SmolLM2 GGUF into .venv)"
        case .promptTooLong(let promptTokens, let contextLength):
            "prompt is too long: \(promptTokens) tokens, the context holds \(contextLength) per request (including at least one generated token)"
        case .busy(let slots, let queueLimit):
            "local runtime is busy: all \(slots) slots are in use and \(queueLimit) requests are already waiting"
        case .invalidChat(let reason):
            "invalid chat: \(reason)"
        case .unsupportedChatTemplate(let reason):
            "unsupported chat template: \(reason)"
        case .invalidParameters(let reason):
            "invalid parameters: \(reason)"
        case .shutDown:
            "the local runtime was shut down"
        case .decodeFailed(let code):
            "llama_decode failed with code \(code)"
        case .invalidTools(let reason, _):
            "invalid tools: \(reason)"
        case .unsupportedSchema(let error, _):
            error.description
        case .constraintViolated(let reason):
            "constrained generation failed: \(reason)"
        }
    }
}
