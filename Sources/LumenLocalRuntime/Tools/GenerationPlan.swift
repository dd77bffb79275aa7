import LumenCore
import LumenGrammar

/// Where the answer parser starts.
enum ParserStart: Sendable, Hashable {
    /// Free text (tool calls may start at the trigger).
    case text
    /// Right after the trigger (the prompt ends with it).
    case call
    /// Inside the arguments of a call of this function (the prompt ends with everything before them).
    case arguments(name: String)
}

/// Everything the scheduler needs to run one `GenerationRequest`: the turns for the chat template, text
/// forced after the template's assistant prefix, the grammars, and how to read the output.
struct GenerationPlan: Sendable {
    /// The conversation in the model's format (plain roles).
    var turns: [ChatTurn]
    /// The start of the answer the client wrote (a last assistant turn, Anthropic's "prefill"): it
    /// follows the opened assistant turn as plain text, and the model continues it. Empty: none.
    var continuation = ""
    /// Appended to the templated prompt (a forced call opening for `required` / a named function).
    var prefill: String
    /// GBNF (root `root`) constraining every generated token; nil: free text at first.
    var initialGrammar: String?
    /// GBNF (root `root`) that takes over right after the trigger, when free text starts a call.
    var triggerGrammar: String?
    /// How calls are written; nil when the answer cannot hold calls.
    var syntax: ToolCallSyntax?
    var start: ParserStart
    /// Each tool's arguments schema, to check every finished call.
    var schemas: [String: JSONValue]
    /// What a finished text answer must be (structured output), checked when it ends normally.
    var textSchema: JSONValue?
    /// Stop strings (free text only).
    var stops: [String]

    /// The schema a call of a tool without `parameters` satisfies: an empty object.
    static let noArguments: JSONValue = ["type": "object", "additionalProperties": false]

    /// Plans `request` for a model whose tool format is `format`. Throws `invalidTools` or
    /// `unsupportedSchema` for what cannot be honoured (nothing is silently left unconstrained).
    static func make(_ request: GenerationRequest, format: ToolFormat, defaultSystem: String?) throws(LocalRuntimeError) -> GenerationPlan {
        guard !request.turns.isEmpty else { throw .invalidChat("the conversation has no turns") }
        for turn in request.turns where !ChatTurn.toolRoles.contains(turn.role) {
            throw .invalidChat("role '\(turn.role)' is not one of system, user, assistant, tool")
        }
        var seen: Set<String> = []
        for (i, tool) in request.tools.enumerated() {
            guard FunctionTool.isValidName(tool.name) else {
                throw .invalidTools(
                    "tools[\(i)]: function name '\(tool.name)' must be 1-64 characters of A-Z a-z 0-9 _ - . :", param: "tools[\(i)].function.name")
            }
            guard seen.insert(tool.name).inserted else {
                throw .invalidTools("tools[\(i)]: two tools are named '\(tool.name)'", param: "tools[\(i)].function.name")
            }
        }
        var mode = request.toolMode
        if request.tools.isEmpty {
            switch mode {
            case .auto, .none: mode = .none
            case .required, .function:
                throw .invalidTools("'tool_choice' asks for a tool call but the request has no tools", param: "tool_choice")
            }
        }
        if case .function(let name) = mode, !request.tools.contains(where: { $0.name == name }) {
            throw .invalidTools("'tool_choice' names the function '\(name)', which is not among the tools", param: "tool_choice")
        }

        let syntax = format.syntax
        var g = GrammarBuilder()
        // The shape of a text answer.
        var answerRule: String?
        var textSchema: JSONValue?
        switch request.output {
        case .text: break
        case .jsonObject:
            answerRule = g.jsonObject()
            textSchema = ["type": "object"]
        case .jsonSchema(let schema):
            do {
                answerRule = try JSONSchemaGrammar.rule(for: schema, in: &g, name: "answer", path: "response_format.json_schema.schema")
            } catch {
                throw .unsupportedSchema(error, param: "response_format.json_schema.schema")
            }
            textSchema = schema
        }

        // One rule per tool: its opening, arguments and closing.
        var schemas: [String: JSONValue] = [:]
        var argumentRules: [String: String] = [:]
        var callRules: [String: String] = [:]
        if mode != .none {
            for (i, tool) in request.tools.enumerated() {
                let path = "tools[\(i)].function.parameters"
                let arguments: String
                if let parameters = tool.parameters {
                    try checkObjectSchema(parameters, path: path)
                    do {
                        arguments = try JSONSchemaGrammar.rule(for: parameters, in: &g, name: "t\(i)-\(tool.name)", path: path, arguments: true)
                    } catch {
                        throw .unsupportedSchema(error, param: path)
                    }
                    schemas[tool.name] = parameters
                } else {
                    arguments = g.rule("no-arguments", "\"{}\"")
                    schemas[tool.name] = noArguments
                }
                argumentRules[tool.name] = arguments
                let opening = GrammarBuilder.literal(syntax.open + tool.name + syntax.argumentsKey)
                callRules[tool.name] = g.rule("call-\(i)", "\(opening) \(arguments) \(GrammarBuilder.literal(syntax.close))")
            }
        }
        func calls(_ names: [String]) -> String {
            let one = g.rule("call", names.map { callRules[$0]! }.joined(separator: " | "))
            guard request.parallelToolCalls, let separator = syntax.separator else { return one }
            return g.rule("calls", "\(one) ( \(GrammarBuilder.literal(separator + syntax.trigger)) \(one) )*")
        }
        func grammar(root: String) -> String {
            var copy = g
            copy.define("root", root)
            return copy.text
        }

        // A last assistant turn of text is the start of the answer, to continue, when the client's
        // API says so (free text only: a grammar or a forced call decides the answer's start itself).
        var turns = request.turns
        var continuation = ""
        if request.continuesLastTurn, answerRule == nil, mode == .none || mode == .auto, turns.count >= 2, let last = turns.last,
            last.role == "assistant",
            (last.toolCalls ?? []).isEmpty, !last.content.isEmpty
        {
            continuation = last.content
            turns.removeLast()
        }
        var plan = GenerationPlan(
            turns: ToolPrompt.turns(
                turns, tools: request.tools, showTools: mode != .none, output: request.output, format: format, defaultSystem: defaultSystem
            ),
            prefill: "", initialGrammar: answerRule.map { grammar(root: $0) }, triggerGrammar: nil, syntax: nil, start: .text,
            schemas: schemas, textSchema: textSchema, stops: request.parameters.stop
        )
        switch mode {
        case .none:
            break
        case .auto:
            let after = calls(request.tools.map(\.name))
            plan.syntax = syntax
            if let answerRule {
                guard !syntax.anchored else {
                    throw .invalidTools(
                        "structured output together with tool_choice 'auto' is not supported in this model's tool format (\(format.rawValue)); use tool_choice 'none' or 'required'",
                        param: "response_format"
                    )
                }
                plan.initialGrammar = grammar(root: "\(answerRule) | \(GrammarBuilder.literal(syntax.trigger)) \(after)")
            } else {
                plan.triggerGrammar = grammar(root: after)
            }
        case .required:
            plan.syntax = syntax
            plan.prefill = syntax.trigger
            plan.initialGrammar = grammar(root: calls(request.tools.map(\.name)))
            plan.start = .call
            plan.textSchema = nil
        case .function(let name):
            plan.syntax = syntax
            plan.prefill = syntax.trigger + syntax.open + name + syntax.argumentsKey
            plan.initialGrammar = grammar(root: "\(argumentRules[name]!) \(GrammarBuilder.literal(syntax.close))")
            plan.start = .arguments(name: name)
            plan.textSchema = nil
        }
        plan.continuation = continuation
        if plan.initialGrammar != nil { plan.stops = [] }
        return plan
    }

    /// A tool's arguments are one JSON object: the schema must say so.
    private static func checkObjectSchema(_ schema: JSONValue, path: String) throws(LocalRuntimeError) {
        guard let s = schema.objectValue else {
            throw .invalidTools("\(path) must be a JSON Schema object", param: path)
        }
        let type = s["type"]
        let isObject =
            type?.stringValue == "object" || (type == nil && s["properties"] != nil && s["anyOf"] == nil && s["oneOf"] == nil && s["$ref"] == nil)
        guard isObject else {
            throw .invalidTools("\(path) must describe an object (\"type\": \"object\")", param: path)
        }
    }
}
