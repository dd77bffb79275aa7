import Foundation
import LumenCore
import LumenGrammar

/// Renders a conversation with tools, earlier tool calls and tool results into plain turns in a model
/// family's own format; the model's chat template then renders those turns as it renders any chat.
package enum ToolPrompt {
    /// The turns to give the chat template (roles `system`, `user`, `assistant`, and `ipython` for Llama 3).
    /// `showTools`: whether the tools are described (not for `ToolCallMode.none`). `defaultSystem`: the
    /// system text the model's template uses when a conversation has none.
    package static func turns(
        _ turns: [ChatTurn], tools: [FunctionTool], showTools: Bool, output: StructuredOutput, format: ToolFormat,
        defaultSystem: String? = nil
    ) -> [ChatTurn] {
        var names: [String: String] = [:]
        for turn in turns {
            for call in turn.toolCalls ?? [] { names[call.id] = call.name }
        }
        var result: [ChatTurn] = []
        var index = 0
        while index < turns.count {
            let turn = turns[index]
            switch turn.role {
            case "tool":
                // Consecutive results become one turn.
                var results: [ChatTurn] = []
                while index < turns.count, turns[index].role == "tool" {
                    results.append(turns[index])
                    index += 1
                }
                result += toolResults(results, names: names, format: format)
                continue
            case "assistant" where !(turn.toolCalls ?? []).isEmpty:
                result.append(ChatTurn(role: "assistant", content: assistantCalls(turn, format: format)))
            default:
                result.append(ChatTurn(role: turn.role == "developer" ? "system" : turn.role, content: turn.content))
            }
            index += 1
        }

        var system: [String] = []
        if showTools && !tools.isEmpty && format != .llama3 { system.append(toolsBlock(tools, format: format)) }
        switch output {
        case .text: break
        case .jsonObject: system.append("Answer with one JSON object and nothing else.")
        case .jsonSchema(let schema):
            system.append("Answer with JSON and nothing else; it must match this JSON Schema:\n" + JSONText.render(schema))
        }
        if format == .llama3 && showTools && !tools.isEmpty {
            let header = "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            let listing = llamaToolsPreamble(tools)
            if let first = result.firstIndex(where: { $0.role == "user" }) {
                result[first].content = listing + result[first].content
            } else {
                system.insert(listing, at: 0)
            }
            prependSystem(header, extra: system, to: &result, defaultSystem: defaultSystem)
        } else if !system.isEmpty {
            prependSystem("", extra: system, to: &result, defaultSystem: defaultSystem)
        }
        return result
    }

    /// Adds `extra` to the first system turn (after `header` and its own text), creating one if needed.
    private static func prependSystem(_ header: String, extra: [String], to turns: inout [ChatTurn], defaultSystem: String?) {
        let tail = extra.joined(separator: "\n\n")
        if let first = turns.first, first.role == "system" {
            let own = first.content
            turns[0].content = header + [own, tail].filter { !$0.isEmpty }.joined(separator: "\n\n")
        } else {
            let own = defaultSystem ?? ""
            turns.insert(.system(header + [own, tail].filter { !$0.isEmpty }.joined(separator: "\n\n")), at: 0)
        }
    }

    /// A tool as the templates' `tojson` writes it: `{"type": "function", "function": {"name": …, "description": …, "parameters": …}}`.
    package static func toolJSON(_ tool: FunctionTool, wrapped: Bool = true, indent: Int? = nil) -> String {
        var function: [String: JSONValue] = ["name": .string(tool.name)]
        if let description = tool.description { function["description"] = .string(description) }
        function["parameters"] = tool.parameters ?? ["type": "object", "properties": [:]]
        // Fixed member order (name, description, parameters), not the sorted order of JSONText.
        func render(_ value: JSONValue, level: Int) -> String {
            guard let indent else { return JSONText.render(value) }
            let text = JSONText.render(value, layout: .indented(width: indent))
            return text.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: indent * level))
        }
        var members: [String] = []
        for key in ["name", "description", "parameters"] {
            guard let value = function[key] else { continue }
            members.append(JSONText.quoted(key) + ": " + render(value, level: wrapped ? 2 : 1))
        }
        let body = object(members, indent: indent, level: wrapped ? 1 : 0)
        guard wrapped else { return body }
        return object(["\"type\": \"function\"", "\"function\": " + body], indent: indent, level: 0)
    }

    private static func object(_ members: [String], indent: Int?, level: Int) -> String {
        guard let indent else { return "{" + members.joined(separator: ", ") + "}" }
        let inner = String(repeating: " ", count: indent * (level + 1))
        let outer = String(repeating: " ", count: indent * level)
        return "{\n" + members.map { inner + $0 }.joined(separator: ",\n") + "\n" + outer + "}"
    }

    static func toolsBlock(_ tools: [FunctionTool], format: ToolFormat) -> String {
        switch format {
        case .hermes:
            return "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
                + tools.map { toolJSON($0) }.joined(separator: "\n")
                + "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
                + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"
        default:
            return "You can call tools. Each tool is listed below with a JSON Schema of its arguments:\n<tools>\n"
                + tools.map { toolJSON($0, wrapped: false) }.joined(separator: "\n")
                + "\n</tools>\n\nTo call tools, answer with one block per call and nothing else:\n"
                + "<tool_call>\n{\"name\": \"<tool name>\", \"arguments\": {<arguments as JSON>}}\n</tool_call>\n"
                + "Each result comes back in a <tool_response name=\"<tool name>\"> block."
        }
    }

    static func llamaToolsPreamble(_ tools: [FunctionTool]) -> String {
        "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n"
            + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.Do not use variables.\n\n"
            + tools.map { toolJSON($0, indent: 4) + "\n\n" }.joined()
    }

    /// Arguments as the format writes them: re-serialised when they parse, verbatim otherwise.
    static func arguments(_ text: String) -> String {
        JSONText.parse(text).map { JSONText.render($0) } ?? text
    }

    static func assistantCalls(_ turn: ChatTurn, format: ToolFormat) -> String {
        let calls = (turn.toolCalls ?? []).map { (name: $0.name, arguments: arguments($0.arguments)) }
        let rendered = format.syntax.render(calls)
        switch format {
        case .llama3: return rendered
        default: return turn.content.isEmpty ? rendered : turn.content + "\n" + rendered
        }
    }

    static func toolResults(_ results: [ChatTurn], names: [String: String], format: ToolFormat) -> [ChatTurn] {
        switch format {
        case .llama3:
            return results.map { ChatTurn(role: "ipython", content: $0.content) }
        case .hermes:
            return [.user(results.map { "<tool_response>\n\($0.content)\n</tool_response>" }.joined(separator: "\n"))]
        case .generic:
            return [
                .user(
                    results.map { result in
                        let name = result.toolCallID.flatMap { names[$0] }.map { " name=\"\($0)\"" } ?? ""
                        return "<tool_response\(name)>\n\(result.content)\n</tool_response>"
                    }.joined(separator: "\n")
                )
            ]
        }
    }
}
