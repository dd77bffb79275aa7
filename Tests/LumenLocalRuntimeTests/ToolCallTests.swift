import Foundation
import LumenCore
import LumenGrammar
import Testing

@testable import LumenLocalRuntime

/// Tool calls and structured output on the real default model (SmolLM2-135M, generic tool format):
/// every call is valid by construction, whatever the (tiny) model would have written.
@Suite(.serialized, .enabled(if: testModelPath != nil, Comment(rawValue: noModelMessage)))
struct ToolCallTests {
    let runtime: LocalRuntime

    init() throws {
        runtime = try #require(toolRuntime, "the default model exists but did not load")
    }

    static let weather = FunctionTool(
        name: "get_weather", description: "Current weather in a city.",
        parameters: [
            "type": "object",
            "properties": [
                "city": ["type": "string", "description": "City name"],
                "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                "days": ["type": "integer", "minimum": 1, "maximum": 7],
            ],
            "required": ["city", "unit"],
            "additionalProperties": false,
        ]
    )
    static let time = FunctionTool(
        name: "get_time", description: "Current time in a time zone.",
        parameters: ["type": "object", "properties": ["zone": ["type": "string"]], "required": ["zone"]]
    )

    /// Streams `request` and returns the events.
    private func events(_ request: GenerationRequest) async throws -> [AnswerEvent] {
        var all: [AnswerEvent] = []
        for try await event in try runtime.stream(request) { all.append(event) }
        return all
    }

    /// The calls of an answer, checked: offered name, arguments that parse and satisfy the schema.
    private func checkCalls(_ answer: Answer, tools: [FunctionTool], sourceLocation: SourceLocation = #_sourceLocation) {
        for call in answer.toolCalls {
            guard let tool = tools.first(where: { $0.name == call.name }) else {
                Issue.record("call of '\(call.name)', which was not offered", sourceLocation: sourceLocation)
                continue
            }
            guard let arguments = JSONText.parse(call.arguments) else {
                Issue.record("arguments are not JSON: \(call.arguments)", sourceLocation: sourceLocation)
                continue
            }
            let problems = JSONSchemaValidator.violations(of: arguments, against: tool.parameters ?? ["type": "object"])
            #expect(problems.isEmpty, "\(call.name) \(call.arguments): \(problems)", sourceLocation: sourceLocation)
            #expect(call.id.hasPrefix("call_") && call.id.count == 29, sourceLocation: sourceLocation)
        }
    }

    @Test func requiredCallIsValidAndStreamsInPieces() async throws {
        let request = GenerationRequest(
            turns: [.user("What is the weather in Paris?")], parameters: .greedy(maxTokens: 200), tools: [Self.weather, Self.time],
            toolMode: .required
        )
        let all = try await events(request)
        guard case .finished(let summary) = all.last else {
            Issue.record("no summary")
            return
        }
        #expect(summary.finishReason == .toolCalls)
        // Start (id, name) before any fragment, fragments, then finish, per call.
        var open: Set<Int> = []
        var arguments: [Int: String] = [:]
        var fragments = 0
        for event in all {
            switch event {
            case .text(let text): Issue.record("text in a required tool answer: \(text)")
            case .toolCallStarted(let index, _, let name):
                #expect([Self.weather.name, Self.time.name].contains(name))
                open.insert(index)
            case .toolCallArguments(let index, let fragment):
                #expect(open.contains(index))
                arguments[index, default: ""] += fragment
                fragments += 1
            case .toolCallFinished(let index):
                #expect(open.remove(index) != nil)
            case .finished: break
            }
        }
        #expect(open.isEmpty)
        #expect(!arguments.isEmpty)
        #expect(fragments > arguments.count, "arguments should arrive in several fragments")
        let answer = try await runtime.complete(request)
        checkCalls(answer, tools: [Self.weather, Self.time])
        #expect(answer.summary.completionTokens == summary.completionTokens, "greedy: the same answer twice")
        #expect(answer.summary.promptTokens == summary.promptTokens)
    }

    @Test func namedFunctionIsCalledOnce() async throws {
        let request = GenerationRequest(
            turns: [.user("What time is it in Tokyo?")], parameters: .greedy(maxTokens: 200), tools: [Self.weather, Self.time],
            toolMode: .function("get_weather")
        )
        let answer = try await runtime.complete(request)
        #expect(answer.toolCalls.map(\.name) == ["get_weather"])
        #expect(answer.summary.finishReason == .toolCalls)
        checkCalls(answer, tools: [Self.weather])
    }

    @Test func autoStillStreamsTextAnswers() async throws {
        // Sampled, so the stream is not one fixed string; whatever the model chooses must be well-formed.
        var sawText = false
        for seed in UInt32(1)...4 {
            let request = GenerationRequest(
                turns: [.user("Say hello to me in one short sentence.")],
                parameters: SamplingParameters(temperature: 0.7, topP: 0.95, topK: 40, seed: seed, maxTokens: 48), tools: [Self.weather],
                toolMode: .auto
            )
            let all = try await events(request)
            let texts = all.compactMap { if case .text(let t) = $0 { t } else { nil } }
            let calls = all.filter { if case .toolCallFinished = $0 { true } else { false } }.count
            guard case .finished(let summary) = all.last else {
                Issue.record("no summary")
                continue
            }
            if !texts.isEmpty && calls == 0 {
                sawText = true
                #expect(texts.count > 1, "text should stream in pieces")
                #expect(summary.finishReason == .stop || summary.finishReason == .length)
            }
            if calls > 0 { #expect(summary.finishReason == .toolCalls || summary.finishReason == .length) }
        }
        #expect(sawText, "with tool_choice auto a plain greeting should come back as text")
    }

    /// `auto`: a call the model starts on its own in free text (here after two earlier rounds that show it
    /// the format) is taken over by the grammar at the trigger and comes out valid.
    @Test func autoCallStartedByTheModelIsConstrainedFromTheTrigger() async throws {
        let shots: [ChatTurn] = [
            .user("What is the weather in Paris?"),
            .assistant(calling: [ToolCallRecord(id: "call_1", name: "get_weather", arguments: #"{"city": "Paris", "unit": "celsius"}"#)]),
            .tool(#"{"temperature": 21}"#, callID: "call_1"),
            .assistant("It is 21 degrees in Paris."),
            .user("What is the weather in London?"),
            .assistant(calling: [ToolCallRecord(id: "call_2", name: "get_weather", arguments: #"{"city": "London", "unit": "celsius"}"#)]),
            .tool(#"{"temperature": 15}"#, callID: "call_2"),
            .assistant("It is 15 degrees in London."),
            .user("And the weather in Rome?"),
        ]
        var answersWithCalls = 0
        for seed in UInt32(8)...15 {
            let request = GenerationRequest(
                turns: shots, parameters: SamplingParameters(temperature: 0.9, topP: 0.95, topK: 40, seed: seed, maxTokens: 120),
                tools: [Self.weather, Self.time], toolMode: .auto
            )
            let answer = try await runtime.complete(request)
            checkCalls(answer, tools: [Self.weather, Self.time])
            if !answer.toolCalls.isEmpty {
                answersWithCalls += 1
                #expect(answer.summary.finishReason == .toolCalls)
                #expect(!answer.text.contains("<tool_call>"), "the trigger is not text")
            }
        }
        #expect(answersWithCalls > 0, "the default model started no call in 8 sampled answers")
    }

    @Test func noneShowsNoToolsAndCallsNone() async throws {
        let request = GenerationRequest(
            turns: [.user("What is the weather in Paris?")], parameters: .greedy(maxTokens: 32), tools: [Self.weather], toolMode: .none
        )
        let prompt = try runtime.prompt(for: request)
        #expect(!prompt.contains("get_weather"))
        let answer = try await runtime.complete(request)
        #expect(answer.toolCalls.isEmpty)
        #expect(!answer.text.isEmpty)
    }

    @Test func structuredOutputFollowsTheSchema() async throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "name": ["type": "string", "maxLength": 20], "age": ["type": "integer", "minimum": 0, "maximum": 120],
                "tags": ["type": "array", "items": ["type": "string", "enum": ["a", "b"]], "maxItems": 3],
            ],
            "required": ["name", "age", "tags"],
        ]
        let request = GenerationRequest(
            turns: [.user("Describe a person.")], parameters: .greedy(maxTokens: 120), output: .jsonSchema(schema)
        )
        let answer = try await runtime.complete(request)
        #expect(answer.summary.finishReason == .stop)
        let value = try #require(JSONText.parse(answer.text), "not JSON: \(answer.text)")
        #expect(JSONSchemaValidator.violations(of: value, against: schema).isEmpty, "\(answer.text)")

        let object = try await runtime.complete(
            GenerationRequest(turns: [.user("Give me a JSON object.")], parameters: .greedy(maxTokens: 80), output: .jsonObject))
        if object.summary.finishReason == .stop {
            #expect(JSONText.parse(object.text)?.objectValue != nil, "\(object.text)")
        }
    }

    @Test func multiRoundConversationRendersCallsAndResults() async throws {
        let turns: [ChatTurn] = [
            .user("What is the weather in Paris?"),
            .assistant(calling: [ToolCallRecord(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris","unit":"celsius"}"#)]),
            .tool(#"{"temperature": 21, "sky": "clear"}"#, callID: "call_1"),
            .assistant("It is 21 °C and clear in Paris."),
            .user("And in Rome?"),
        ]
        let request = GenerationRequest(turns: turns, parameters: .greedy(maxTokens: 200), tools: [Self.weather], toolMode: .required)
        let prompt = try runtime.prompt(for: request)
        #expect(prompt.contains(#"<tool_call>"# + "\n" + #"{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}"#))
        #expect(prompt.contains("<tool_response name=\"get_weather\">\n{\"temperature\": 21, \"sky\": \"clear\"}\n</tool_response>"))
        #expect(prompt.hasSuffix("<|im_start|>assistant\n<tool_call>"))
        let answer = try await runtime.complete(request)
        #expect(!answer.toolCalls.isEmpty)
        checkCalls(answer, tools: [Self.weather])
    }

    /// The grammar of a schema accepts valid instances and refuses invalid ones, token by token as the
    /// model's tokenizer splits them.
    @Test func grammarAcceptsValidAndRejectsInvalidArguments() throws {
        var g = GrammarBuilder()
        let rule = try JSONSchemaGrammar.rule(for: Self.weather.parameters!, in: &g, name: "args")
        g.define("root", rule)
        let grammar = g.text
        let valid = [
            #"{"city": "Paris", "unit": "celsius"}"#, #"{"city": "Zürich \"Nord\"", "unit": "fahrenheit", "days": 7}"#,
            #"{"city": "", "unit": "celsius", "days": 1}"#,
        ]
        let invalid = [
            #"{"unit": "celsius"}"#, #"{"city": "Paris", "unit": "kelvin"}"#, #"{"city": "Paris", "unit": "celsius", "days": 8}"#,
            #"{"city": "Paris", "unit": "celsius", "days": 0}"#, #"{"city": "Paris", "unit": "celsius", "extra": 1}"#,
            #"{"city": 3, "unit": "celsius"}"#,
            #"{"city": "Paris", "unit": "celsius""#, #"{"city": "Paris", "unit": "celsius", "days": 1.5}"#,
        ]
        for text in valid { #expect(runtime.grammarAccepts(grammar, text: text) == true, "\(text)") }
        for text in invalid { #expect(runtime.grammarAccepts(grammar, text: text) == false, "\(text)") }
    }

    @Test func unsupportedSchemasAreRefusedUpFront() {
        let tool = FunctionTool(name: "f", parameters: ["type": "object", "properties": ["code": ["type": "string", "pattern": "^[A-Z]{3}$"]]])
        let request = GenerationRequest(turns: [.user("hi")], parameters: .greedy(), tools: [tool], toolMode: .auto)
        #expect {
            try runtime.validate(request)
        } throws: { error in
            guard case .unsupportedSchema(let schemaError, let param)? = error as? LocalRuntimeError else { return false }
            return schemaError.keyword == "pattern" && schemaError.path == "tools[0].function.parameters.properties.code.pattern"
                && param == "tools[0].function.parameters"
        }
        #expect(throws: LocalRuntimeError.self) { _ = try runtime.stream(request) }
        let unknown = GenerationRequest(turns: [.user("hi")], parameters: .greedy(), tools: [Self.weather], toolMode: .function("nope"))
        #expect(throws: LocalRuntimeError.self) { try runtime.validate(unknown) }
        let badName = GenerationRequest(turns: [.user("hi")], parameters: .greedy(), tools: [FunctionTool(name: "bad name")])
        #expect(throws: LocalRuntimeError.self) { try runtime.validate(badName) }
        let notObject = GenerationRequest(
            turns: [.user("hi")], parameters: .greedy(), tools: [FunctionTool(name: "f", parameters: ["type": "string"])])
        #expect(throws: LocalRuntimeError.self) { try runtime.validate(notObject) }
    }

    /// The issue's property: over generated tool schemas, with `tool_choice: required`, every call the
    /// default model makes names an offered tool and its arguments parse and satisfy that tool's schema.
    /// `LUMEN_TOOL_CASES` sets the number of schemas (default 40), `LUMEN_TOOL_SEED` the seed.
    @Test func generatedSchemasAlwaysYieldValidCalls() async throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["LUMEN_TOOL_CASES"].flatMap(Int.init) ?? 40
        var generator = ToolSchemaGenerator(seed: environment["LUMEN_TOOL_SEED"].flatMap(UInt64.init) ?? 23)
        let questions = [
            "What is the weather in Oslo tomorrow?", "Find me three flights to Lisbon.", "Book a table for two at 8pm.",
            "List my open orders, newest first.", "Create a ticket: the printer is broken.", "Search files about the budget.",
        ]
        var calls = 0
        var valid = 0
        var truncated = 0
        var failures: [String] = []
        for index in 0..<cases {
            let tools = generator.tools()
            let sampled = index % 3 == 2
            let parameters =
                sampled
                ? SamplingParameters(temperature: 0.8, topP: 0.95, topK: 40, seed: UInt32(index), maxTokens: 384)
                : SamplingParameters.greedy(maxTokens: 384)
            let request = GenerationRequest(
                turns: [.user(questions[index % questions.count])], parameters: parameters, tools: tools, toolMode: .required,
                parallelToolCalls: index % 2 == 0
            )
            let answer: Answer
            do {
                answer = try await runtime.complete(request)
            } catch {
                failures.append("case \(index): \(error)")
                continue
            }
            if answer.summary.finishReason == .length {
                truncated += 1
                continue
            }
            #expect(answer.summary.finishReason == .toolCalls)
            #expect(!answer.toolCalls.isEmpty)
            for call in answer.toolCalls {
                calls += 1
                guard let tool = tools.first(where: { $0.name == call.name }), let arguments = JSONText.parse(call.arguments) else {
                    failures.append("case \(index): \(call.name) \(call.arguments)")
                    continue
                }
                let problems = JSONSchemaValidator.violations(of: arguments, against: tool.parameters!)
                if problems.isEmpty {
                    valid += 1
                } else {
                    failures.append("case \(index): \(call.arguments) vs \(JSONText.render(tool.parameters!)): \(problems)")
                }
            }
        }
        print("tool property: \(cases) schemas, \(calls) calls, \(valid) valid, \(truncated) cut by max_tokens, \(failures.count) failures")
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(valid == calls)
        #expect(truncated * 10 <= cases, "more than 10% of answers ran out of tokens (\(truncated)/\(cases))")
    }
}
