import Foundation
package import LumenCore

/// A function the model may call: its name, what it does, and the JSON Schema of its arguments object.
package struct FunctionTool: Sendable, Hashable {
    /// 1–64 characters of `A–Z a–z 0–9 _ - . :`.
    package var name: String
    /// What the function does, shown to the model.
    package var description: String?
    /// JSON Schema of the arguments (an object schema); nil: the function takes no arguments.
    package var parameters: JSONValue?

    /// Creates a tool.
    package init(name: String, description: String? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// Whether `name` is a name the runtime accepts (it is written into prompts and grammars verbatim).
    package static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.unicodeScalars.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.:".unicodeScalars.contains($0)) }
    }
}

/// Whether and which tools the model must call.
package enum ToolCallMode: Sendable, Hashable {
    /// The model answers in text or calls tools (a grammar constrains a call once it starts).
    case auto
    /// No tool calls; the tools are not shown.
    case none
    /// At least one tool call, nothing else.
    case required
    /// Exactly one call of this function.
    case function(String)
}

/// The shape of a text answer.
package enum StructuredOutput: Sendable, Hashable {
    /// Free text.
    case text
    /// One JSON object.
    case jsonObject
    /// JSON valid against this schema.
    case jsonSchema(JSONValue)
}

/// A tool call of an earlier assistant turn, or one the model just made.
package struct ToolCallRecord: Sendable, Hashable, Codable {
    /// The call's id (`call_…`), echoed by the tool turn that answers it.
    package var id: String
    /// The function called.
    package var name: String
    /// The arguments as JSON text.
    package var arguments: String

    /// Creates a record.
    package init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A conversation to answer, with the tools the model may call and the shape of its answer.
package struct GenerationRequest: Sendable, Hashable {
    /// The conversation (roles `system`, `user`, `assistant`, `tool`).
    package var turns: [ChatTurn]
    /// Sampling and limits. Stop strings apply to free text only (never inside a tool call or structured output).
    package var parameters: SamplingParameters
    /// Functions the model may call.
    package var tools: [FunctionTool]
    /// Whether it must, may or must not call them.
    package var toolMode: ToolCallMode
    /// Whether one answer may hold several calls (formats with one call per answer ignore this).
    package var parallelToolCalls: Bool
    /// The shape of a text answer.
    package var output: StructuredOutput
    /// A last assistant turn of text is the start of the answer, which the model continues
    /// (Anthropic's prefill); otherwise it is an earlier turn, closed, and the answer is a new one.
    package var continuesLastTurn: Bool

    /// Creates a request.
    package init(
        turns: [ChatTurn],
        parameters: SamplingParameters,
        tools: [FunctionTool] = [],
        toolMode: ToolCallMode = .auto,
        parallelToolCalls: Bool = true,
        output: StructuredOutput = .text,
        continuesLastTurn: Bool = false
    ) {
        self.turns = turns
        self.parameters = parameters
        self.tools = tools
        self.toolMode = toolMode
        self.parallelToolCalls = parallelToolCalls
        self.output = output
        self.continuesLastTurn = continuesLastTurn
    }
}

/// One element of a streamed answer: text, the parts of tool calls as they are generated, and the
/// summary. Wire-neutral: Chat Completions `tool_calls` deltas, Anthropic `input_json_delta` and
/// Responses `function_call_arguments.delta` are all encodings of these.
package enum AnswerEvent: Sendable, Hashable {
    /// The next piece of text (whole UTF-8 characters, never a stop string).
    case text(String)
    /// A tool call begins: its position in this answer (0, 1, …), id and function name.
    case toolCallStarted(index: Int, id: String, name: String)
    /// The next fragment of the call's arguments JSON (whole UTF-8 characters).
    case toolCallArguments(index: Int, fragment: String)
    /// The call's arguments are complete (they parse and satisfy the tool's schema).
    case toolCallFinished(index: Int)
    /// The last event.
    case finished(GenerationSummary)
}

/// A whole answer.
package struct Answer: Sendable, Hashable {
    /// The text (empty when the model only called tools).
    package var text: String
    /// The calls, in order.
    package var toolCalls: [ToolCallRecord]
    /// Usage, timing and finish reason (`toolCalls` when it ended on calls).
    package var summary: GenerationSummary

    /// Creates an answer.
    package init(text: String, toolCalls: [ToolCallRecord], summary: GenerationSummary) {
        self.text = text
        self.toolCalls = toolCalls
        self.summary = summary
    }
}
