/// How a model family is shown tools and writes tool calls, detected from its GGUF chat template.
package enum ToolFormat: String, Sendable, Hashable, CaseIterable {
    /// Hermes / Qwen2.5 / Qwen3: tools in `<tools>` in the system turn, calls as
    /// `<tool_call>\n{"name": …, "arguments": …}\n</tool_call>`, results as `<tool_response>` in a user turn.
    case hermes
    /// Llama 3.1 / 3.2 / 3.3: tools in the first user turn, a call as `{"name": …, "parameters": …}`
    /// (one per answer), results in an `ipython` turn.
    case llama3
    /// Any other template: Lumen's documented format, in plain system/user/assistant turns (tools in the
    /// system turn, calls as `<tool_call>` blocks, results as `<tool_response name="…">` in a user turn).
    case generic

    /// The family whose format the template was trained with, from markers in the template text.
    package static func detect(chatTemplate: String?) -> ToolFormat {
        guard let template = chatTemplate else { return .generic }
        if template.contains("<tool_call>") { return .hermes }
        if template.contains("<|start_header_id|>"), template.contains("ipython") || template.contains("\"parameters\"") { return .llama3 }
        return .generic
    }

    /// How calls are written in this format.
    package var syntax: ToolCallSyntax {
        switch self {
        case .hermes, .generic:
            ToolCallSyntax(
                trigger: "<tool_call>", anchored: false, open: "\n{\"name\": \"", argumentsKey: "\", \"arguments\": ",
                close: "}\n</tool_call>", separator: "\n"
            )
        case .llama3:
            ToolCallSyntax(trigger: "{\"name\"", anchored: true, open: ": \"", argumentsKey: "\", \"parameters\": ", close: "}", separator: nil)
        }
    }
}

/// The literal text around a tool call: `trigger` `open` NAME `argumentsKey` ARGUMENTS `close`, calls
/// joined by `separator` (nil: one call per answer).
package struct ToolCallSyntax: Sendable, Hashable {
    /// The text that starts a call (and that a lazy grammar waits for).
    package var trigger: String
    /// The trigger counts only at the very start of the answer (after whitespace).
    package var anchored: Bool
    /// From the trigger to the function name.
    package var open: String
    /// From the end of the name to the arguments (starts with the quote closing the name).
    package var argumentsKey: String
    /// After the arguments.
    package var close: String
    /// Between one call's `close` and the next call's `trigger`; nil when an answer holds one call.
    package var separator: String?

    /// The text of one call.
    package func render(name: String, arguments: String) -> String {
        trigger + open + name + argumentsKey + arguments + close
    }

    /// The strings of this format that a model may know as control tokens (Hermes' `<tool_call>`).
    package var markers: [String] {
        guard trigger.hasPrefix("<") else { return [] }
        let closing = "</" + trigger.dropFirst()
        return [trigger, closing, "<tool_response>", "</tool_response>", "<tools>", "</tools>"]
    }

    /// The text of several calls in one answer.
    package func render(_ calls: [(name: String, arguments: String)]) -> String {
        calls.map { render(name: $0.name, arguments: $0.arguments) }.joined(separator: separator ?? "\n")
    }
}
