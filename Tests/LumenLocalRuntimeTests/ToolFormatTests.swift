import Foundation
import LumenCore
import LumenGrammar
import Testing

@testable import LumenLocalRuntime

/// Chat templates of the families Lumen knows, reduced to what identifies and drives them (llama.cpp
/// recognises the template kind by the same markers; the tool parts are Lumen's rendering).
enum Templates {
    /// Qwen2.5-Instruct style: ChatML with a tools section, `<tool_call>` and `<tool_response>`.
    static let qwen25 = """
        {%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}\
        {%- else %}{{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}{%- endif %}\
        {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\n<tools>" }}\
        {%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}{{- "\\n</tools>\\n\\n<tool_call>\\n...\\n</tool_call><|im_end|>\\n" }}\
        {%- endif %}{%- for message in messages %}{%- if message.role == "tool" %}{{- '<|im_start|>user\\n<tool_response>\\n' }}\
        {{- message.content }}{{- '\\n</tool_response>' }}{%- else %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\
        {%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
        """

    /// Hermes-2-Pro style: ChatML with `<tool_call>` (no Qwen default system prompt).
    static let hermes2Pro = """
        {%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' }}{%- if message.tool_calls %}\
        {%- for tool_call in message.tool_calls %}{{- '<tool_call>\\n' }}{{- tool_call.function | tojson }}{{- '\\n</tool_call>' }}{%- endfor %}\
        {%- else %}{{- message['content'] }}{%- endif %}{{- '<|im_end|>\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
        """

    /// Llama 3.1 style: header tokens, `ipython` results, `{"name": …, "parameters": …}` calls.
    static let llama31 = """
        {{- bos_token }}{%- if not tools_in_user_message is defined %}{%- set tools_in_user_message = true %}{%- endif %}\
        {{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}{%- if tools is not none %}{{- "Environment: ipython\\n" }}{%- endif %}\
        {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}\
        {%- for message in messages %}{%- if message.role == "tool" or message.role == "ipython" %}\
        {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" + message.content + "<|eot_id|>" }}{%- else %}\
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{%- endif %}\
        {%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}
        """

    /// Llama 3.0 style: the same headers, no tool support in the template.
    static let llama30 = """
        {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + \
        '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{{ content }}{% endfor %}\
        {% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}
        """

    /// SmolLM2-Instruct: plain ChatML with a default system prompt and no tools.
    static let smolLM2 = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}\
        {{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}\
        {% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """
}

@Suite struct ToolFormatTests {
    static let weather = FunctionTool(
        name: "get_weather", description: "Current weather.",
        parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]
    )

    /// A second round: the user asked, the model called twice, both results came back, the user asks again.
    static let history: [ChatTurn] = [
        .system("Be brief."),
        .user("Weather in Paris and Rome?"),
        .assistant(
            calling: [
                ToolCallRecord(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                ToolCallRecord(id: "call_b", name: "get_weather", arguments: #"{"city": "Rome"}"#),
            ]
        ),
        .tool("18 C", callID: "call_a"),
        .tool("24 C", callID: "call_b"),
        .user("Thanks. And Oslo?"),
    ]

    private func request(_ turns: [ChatTurn] = history, mode: ToolCallMode = .auto) -> GenerationRequest {
        GenerationRequest(turns: turns, parameters: .greedy(), tools: [Self.weather], toolMode: mode)
    }

    @Test(arguments: [
        (Templates.qwen25, ToolFormat.hermes), (Templates.hermes2Pro, .hermes), (Templates.llama31, .llama3), (Templates.llama30, .generic),
        (Templates.smolLM2, .generic), ("{{ '[INST] ' + message['content'] + ' [/INST]' }}", .generic),
    ])
    func familyIsDetectedFromTheTemplate(_ template: String, _ format: ToolFormat) {
        #expect(ToolFormat.detect(chatTemplate: template) == format)
    }

    @Test func hermesQwenRendersToolsCallsAndResults() throws {
        let prompt = try LocalRuntime.prompt(for: request(), chatTemplate: Templates.qwen25)
        let tool =
            #"{"type": "function", "function": {"name": "get_weather", "description": "Current weather.", "parameters": {"properties": {"city": {"type": "string"}}, "required": ["city"], "type": "object"}}}"#
        #expect(prompt.hasPrefix("<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions"))
        #expect(prompt.contains("<tools>\n\(tool)\n</tools>"))
        #expect(prompt.contains(#"{"name": <function-name>, "arguments": <args-json-object>}"#))
        #expect(
            prompt.contains(
                "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
                    + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call><|im_end|>"
            )
        )
        #expect(prompt.contains("<|im_start|>user\n<tool_response>\n18 C\n</tool_response>\n<tool_response>\n24 C\n</tool_response><|im_end|>"))
        #expect(prompt.hasSuffix("<|im_start|>user\nThanks. And Oslo?<|im_end|>\n<|im_start|>assistant\n"))

        // No system turn: Qwen's own default, then the tools.
        let bare = try LocalRuntime.prompt(for: request([.user("Hi")]), chatTemplate: Templates.qwen25)
        #expect(bare.hasPrefix("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools"))
        // Required: the call's opening is forced.
        #expect(
            try LocalRuntime.prompt(for: request(mode: .required), chatTemplate: Templates.qwen25).hasSuffix("<|im_start|>assistant\n<tool_call>"))
        // A prefilled answer start is continued with tools offered, but not when a call is forced.
        let prefill: [ChatTurn] = [.user("Weather in Oslo?"), .assistant("Let me")]
        var continued = request(prefill)
        continued.continuesLastTurn = true
        #expect(try LocalRuntime.prompt(for: continued, chatTemplate: Templates.qwen25).hasSuffix("<|im_start|>assistant\nLet me"))
        continued.toolMode = .required
        #expect(
            try LocalRuntime.prompt(for: continued, chatTemplate: Templates.qwen25).hasSuffix(
                "<|im_start|>assistant\nLet me<|im_end|>\n<|im_start|>assistant\n<tool_call>"))
        // Hermes 2 Pro: same format, no Qwen default.
        let hermes = try LocalRuntime.prompt(for: request([.user("Hi")]), chatTemplate: Templates.hermes2Pro)
        #expect(hermes.hasPrefix("<|im_start|>system\n# Tools"))
    }

    @Test func llama3RendersToolsCallsAndResults() throws {
        let prompt = try LocalRuntime.prompt(for: request(), chatTemplate: Templates.llama31)
        #expect(
            prompt.contains(
                "<|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>"
            ))
        #expect(
            prompt.contains(
                "<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions, please respond with a JSON for a function call"))
        #expect(
            prompt.contains(
                #"Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables."#))
        let indented = """
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather.",
                    "parameters": {
                        "properties": {
                            "city": {
                                "type": "string"
                            }
                        },
                        "required": [
                            "city"
                        ],
                        "type": "object"
                    }
                }
            }

            Weather in Paris and Rome?<|eot_id|>
            """
        #expect(prompt.contains(indented))
        #expect(
            prompt.contains(
                "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}\n"
                    + "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}<|eot_id|>"
            )
        )
        #expect(
            prompt.contains(
                "<|start_header_id|>ipython<|end_header_id|>\n\n18 C<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n24 C<|eot_id|>"))
        #expect(prompt.hasSuffix("<|start_header_id|>assistant<|end_header_id|>\n\n"))
        let named = try LocalRuntime.prompt(for: request(mode: .function("get_weather")), chatTemplate: Templates.llama31)
        #expect(named.hasSuffix("<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": "))
    }

    @Test func genericFormatUsesPlainTurns() throws {
        let prompt = try LocalRuntime.prompt(for: request(), chatTemplate: Templates.smolLM2)
        #expect(
            prompt.hasPrefix(
                "<|im_start|>system\nBe brief.\n\nYou can call tools. Each tool is listed below with a JSON Schema of its arguments:\n<tools>\n"))
        #expect(
            prompt.contains(
                #"{"name": "get_weather", "description": "Current weather.", "parameters": {"properties": {"city": {"type": "string"}}, "required": ["city"], "type": "object"}}"#
            ))
        #expect(
            prompt.contains(
                "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>"))
        #expect(
            prompt.contains(
                "<|im_start|>user\n<tool_response name=\"get_weather\">\n18 C\n</tool_response>\n<tool_response name=\"get_weather\">\n24 C\n</tool_response><|im_end|>"
            ))
        #expect(!prompt.contains("SmolLM"), "our system turn replaces the template's default")
        // Llama 3.0 (no tool support in its template): the generic format in its own headers.
        let llama30 = try LocalRuntime.prompt(for: request(), chatTemplate: Templates.llama30)
        #expect(llama30.contains("<|start_header_id|>user<|end_header_id|>\n\n<tool_response name=\"get_weather\">\n18 C"))
        // tool_choice none: history rendered, no tools listed.
        let none = try LocalRuntime.prompt(for: request(mode: .none), chatTemplate: Templates.smolLM2)
        #expect(!none.contains("You can call tools") && none.contains("<tool_response"))
    }

    @Test func structuredOutputIsAskedFor() throws {
        let schema: JSONValue = ["type": "object", "properties": ["ok": ["type": "boolean"]]]
        let request = GenerationRequest(turns: [.user("Hi")], parameters: .greedy(), output: .jsonSchema(schema))
        let prompt = try LocalRuntime.prompt(for: request, chatTemplate: Templates.smolLM2)
        #expect(prompt.contains(#"it must match this JSON Schema:"# + "\n" + #"{"properties": {"ok": {"type": "boolean"}}, "type": "object"}"#))
    }

    /// Each family's tool-call grammar (as the plans build it) accepts that family's call text and
    /// nothing with another function name or broken arguments.
    @Test(.enabled(if: testModelPath != nil, Comment(rawValue: noModelMessage)), arguments: [Templates.qwen25, Templates.llama31, Templates.smolLM2])
    func callGrammarMatchesTheFamilysSyntax(_ template: String) throws {
        let runtime = try #require(sharedRuntime)
        let syntax = ToolFormat.detect(chatTemplate: template).syntax
        let plan = try LocalRuntime.plan(request(mode: .required), chatTemplate: template)
        let grammar = try #require(plan.initialGrammar)
        // The prompt ends with the trigger; the grammar covers the rest.
        let call = syntax.open + "get_weather" + syntax.argumentsKey + #"{"city": "Oslo"}"# + syntax.close
        #expect(runtime.grammarAccepts(grammar, text: call) == true, "\(call)")
        #expect(runtime.grammarAccepts(grammar, text: call.replacingOccurrences(of: "get_weather", with: "get_time")) == false)
        #expect(runtime.grammarAccepts(grammar, text: call.replacingOccurrences(of: #""Oslo""#, with: "42")) == false)
        if let separator = syntax.separator {
            #expect(runtime.grammarAccepts(grammar, text: call + separator + syntax.trigger + call) == true)
        } else {
            #expect(runtime.grammarAccepts(grammar, text: call + "\n" + call) == false)
        }
        // Auto: the call grammar takes over after the trigger.
        let auto = try LocalRuntime.plan(request(mode: .auto), chatTemplate: template)
        #expect(auto.initialGrammar == nil)
        #expect(runtime.grammarAccepts(try #require(auto.triggerGrammar), text: call) == true)
    }
}

/// The answer parser on each family's output, split into arbitrary pieces (as tokens split it).
@Suite struct AnswerParserTests {
    private func run(
        _ output: String, syntax: ToolCallSyntax?, start: ParserStart = .text, pieces: Int, stops: [String] = [], keep: Bool = false
    ) -> (events: [AnswerEvent], steps: [AnswerParser.Step]) {
        var parser = AnswerParser(
            syntax: syntax, start: start, schemas: ["get_weather": ToolFormatTests.weather.parameters!], stops: stops, keepBytesAfterTrigger: keep,
            makeID: { "call_x" }
        )
        let bytes = Array(output.utf8)
        var generator = SplitMix64(seed: UInt64(pieces))
        var events: [AnswerEvent] = []
        var steps: [AnswerParser.Step] = []
        var index = 0
        while index < bytes.count {
            let length = min(bytes.count - index, Int.random(in: 1...pieces, using: &generator))
            let step = parser.consume(Array(bytes[index..<index + length]))
            index += length
            events += step.events
            steps.append(step)
            if step.stopped || step.repeated || step.violation != nil { break }
            if step.triggered != nil && !keep { index = bytes.count }  // the scheduler feeds only up to the trigger
        }
        events += parser.finish()
        return (events, steps)
    }

    private func calls(_ events: [AnswerEvent]) -> [(String, String)] {
        var names: [Int: String] = [:]
        var arguments: [Int: String] = [:]
        for event in events {
            if case .toolCallStarted(let i, _, let name) = event { names[i] = name }
            if case .toolCallArguments(let i, let fragment) = event { arguments[i, default: ""] += fragment }
        }
        return names.keys.sorted().map { (names[$0]!, arguments[$0] ?? "") }
    }

    @Test(arguments: [1, 3, 7, 50])
    func hermesCallsAfterTheForcedTrigger(_ pieces: Int) {
        let syntax = ToolFormat.hermes.syntax
        let output =
            "\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Bern\"}}\n</tool_call>"
        let (events, steps) = run(output, syntax: syntax, start: .call, pieces: pieces)
        #expect(calls(events).map(\.0) == ["get_weather", "get_weather"])
        #expect(calls(events).map(\.1) == [#"{"city": "Zürich"}"#, #"{"city": "Bern"}"#])
        #expect(events.filter { if case .toolCallFinished = $0 { true } else { false } }.count == 2)
        #expect(steps.allSatisfy { $0.violation == nil })
        #expect(steps.filter(\.callClosed).count == 2)
    }

    @Test(arguments: [1, 4, 50])
    func textThenTriggerInAutoMode(_ pieces: Int) {
        let syntax = ToolFormat.generic.syntax
        let (events, steps) = run("Let me check.\n<tool_call>\n{\"name\": \"get_weather\"", syntax: syntax, pieces: pieces)
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
        #expect(text == "Let me check.\n")
        let trigger = try! #require(steps.compactMap(\.triggered).first)
        #expect(trigger >= 0)
        #expect(calls(events).isEmpty, "bytes after the trigger are not read when the grammar starts there")
    }

    @Test func leadingWhitespaceBeforeACallIsDropped() {
        let (events, _) = run("\n\n<tool_call>", syntax: ToolFormat.hermes.syntax, pieces: 1)
        #expect(!events.contains { if case .text = $0 { true } else { false } })
    }

    @Test func llamaTriggerCountsOnlyAtTheStart() {
        let syntax = ToolFormat.llama3.syntax
        let (atStart, startSteps) = run("  {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}", syntax: syntax, pieces: 2, keep: true)
        #expect(startSteps.contains { $0.triggered != nil })
        #expect(calls(atStart).map(\.1) == [#"{"city": "Oslo"}"#])
        let (later, laterSteps) = run("Use {\"name\": \"x\"} like this.", syntax: syntax, pieces: 2)
        #expect(!laterSteps.contains { $0.triggered != nil })
        #expect(later.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined() == "Use {\"name\": \"x\"} like this.")
    }

    @Test func aRepeatedCallIsNotAnnouncedAndEndsTheAnswer() {
        let syntax = ToolFormat.hermes.syntax
        let one = "\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"
        let other = "\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo2\"}}\n</tool_call>"
        let (events, steps) = run(one + "\n<tool_call>" + other + "\n<tool_call>" + one, syntax: syntax, start: .call, pieces: 3)
        #expect(calls(events).map(\.1) == [#"{"city": "Oslo"}"#, #"{"city": "Oslo2"}"#], "the differing call is released, the repeat is not")
        #expect(steps.contains { $0.repeated })
    }

    @Test func namedFunctionStartsInsideTheArguments() {
        let syntax = ToolFormat.llama3.syntax
        let (events, steps) = run("{\"city\": \"Oslo\"}}", syntax: syntax, start: .arguments(name: "get_weather"), pieces: 2)
        #expect(calls(events).map(\.0) == ["get_weather"])
        #expect(calls(events).map(\.1) == [#"{"city": "Oslo"}"#])
        #expect(steps.contains { $0.callClosed })
    }

    @Test func schemaViolationsAreCaught() {
        let (_, steps) = run(
            "\n{\"name\": \"get_weather\", \"arguments\": {\"town\": 1}}\n</tool_call>", syntax: ToolFormat.hermes.syntax, start: .call, pieces: 5)
        #expect(steps.contains { $0.violation?.contains("violate the schema") == true })
        let (_, broken) = run("\n{\"nome\": ", syntax: ToolFormat.hermes.syntax, start: .call, pieces: 5)
        #expect(broken.contains { $0.violation != nil })
    }

    @Test func stopStringsStillEndPlainText() {
        let (events, steps) = run("Hello END world", syntax: nil, pieces: 2, stops: ["END"])
        #expect(steps.last?.stopped == true)
        #expect(events.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined() == "Hello ")
    }
}
