import Foundation
import LumenCore
import LumenLocalRuntime
import LumenTestSupport
import Testing

@testable import LumenRouter

private func parseJSON(_ text: String) -> JSONValue? {
    try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

/// The embedded model as a Chat Completions backend with tools and structured output: what it accepts
/// and refuses (before anything runs), how a conversation with tool calls becomes the runtime's, and the
/// stream's shape.
@Suite struct LocalBackendToolTests {
    static let weatherTool = Tool(
        function: FunctionDefinition(
            name: "get_weather", description: "Weather in a city.",
            parameters: ["type": "object", "properties": ["city": ["type": "string"], "unit": ["enum": ["c", "f"]]], "required": ["city"]]
        )
    )

    static func request(
        _ messages: [ChatMessage] = [ChatMessage(role: .user, text: "Weather in Oslo?")], tools: [Tool]? = [weatherTool]
    ) -> ChatCompletionRequest {
        ChatCompletionRequest(model: "local", messages: messages, tools: tools)
    }

    @Test func conversationWithCallsAndResultsBecomesTheRuntimes() throws {
        var request = Self.request([
            ChatMessage(role: .developer, text: "Be brief."),
            ChatMessage(role: .user, text: "Weather in Oslo?"),
            ChatMessage(
                role: .assistant, content: nil,
                toolCalls: [ToolCall(id: "call_1", function: FunctionCall(name: "get_weather", arguments: #"{"city":"Oslo"}"#))]
            ),
            ChatMessage(role: .tool, content: .text("-3 C"), toolCallId: "call_1"),
        ])
        request.toolChoice = .function(name: "get_weather")
        request.extra["parallel_tool_calls"] = false
        request.responseFormat = ["type": "json_object"]
        let generation = try LocalBackend.generationRequest(request, parameters: .greedy())
        #expect(generation.turns.map(\.role) == ["system", "user", "assistant", "tool"])
        #expect(generation.turns[2].toolCalls == [ToolCallRecord(id: "call_1", name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
        #expect(generation.turns[3].toolCallID == "call_1" && generation.turns[3].content == "-3 C")
        #expect(generation.tools.map(\.name) == ["get_weather"])
        #expect(generation.toolMode == .function("get_weather"))
        #expect(!generation.parallelToolCalls)
        #expect(generation.output == .jsonObject)
    }

    @Test(arguments: [
        ("a non-function tool", "tools[0].type"),
        ("an unknown tool_choice form", "tool_choice"),
        ("an unknown response_format", "response_format"),
        ("json_schema without a schema", "response_format.json_schema.schema"),
    ])
    func malformedToolRequestsAreRefused(_ what: String, _ param: String) {
        var request = Self.request()
        switch what {
        case "a non-function tool": request.tools = [Tool(type: "web_search", function: nil)]
        case "an unknown tool_choice form": request.toolChoice = .other(["type": "allowed_tools"])
        case "an unknown response_format": request.responseFormat = ["type": "grammar"]
        default: request.responseFormat = ["type": "json_schema", "json_schema": ["name": "x"]]
        }
        #expect {
            _ = try LocalBackend.generationRequest(request, parameters: .greedy())
        } throws: { error in
            (error as? RouterError)?.status == 400 && (error as? RouterError)?.param == param
        }
    }

    @Test func encoderEmitsChatCompletionsToolCallDeltas() {
        var encoder = ChatChunkEncoder()
        let summary = GenerationSummary(promptTokens: 10, completionTokens: 5, finishReason: .toolCalls, timeToFirstToken: nil, totalTime: .zero)
        let events: [AnswerEvent] = [
            .toolCallStarted(index: 0, id: "call_abc", name: "get_weather"),
            .toolCallArguments(index: 0, fragment: #"{"city": "#),
            .toolCallArguments(index: 0, fragment: #""Oslo"}"#),
            .toolCallFinished(index: 0),
            .finished(summary),
        ]
        let deltas = events.flatMap { encoder.choices(for: $0) }.map { ($0.delta, $0.finishReason) }
        #expect(deltas.count == 4)
        #expect(deltas[0].0.role == .assistant)
        #expect(
            deltas[0].0.toolCalls == [ToolCallDelta(index: 0, id: "call_abc", type: "function", function: .init(name: "get_weather", arguments: ""))])
        #expect(deltas[1].0.role == nil && deltas[1].0.toolCalls?.first?.function?.arguments == #"{"city": "#)
        #expect(deltas[1].0.toolCalls?.first?.id == nil && deltas[1].0.toolCalls?.first?.function?.name == nil)
        #expect(deltas[3].1 == "tool_calls")
        #expect(deltas[3].0.content == nil)
    }
}

/// The same backend on the real default model.
@Suite(.serialized, .enabled(if: Harness.modelPath != nil, "the default model (SmolLM2 GGUF) is not installed"))
struct LocalBackendModelTests {
    static let runtime: LocalRuntime? = Harness.modelPath.flatMap {
        try? LocalRuntime(modelPath: $0, options: LocalRuntimeOptions(slots: 2, queueLimit: 4, threads: 1, contextLength: 1024))
    }

    private func backend() throws -> LocalBackend {
        LocalBackend(runtime: try #require(Self.runtime), modelName: "smollm2")
    }

    @Test func unsupportedSchemaIsA400NamingTheKeyword() throws {
        var request = LocalBackendToolTests.request(tools: [
            Tool(
                function: FunctionDefinition(
                    name: "f", parameters: ["type": "object", "properties": ["zip": ["type": "string", "pattern": "^[0-9]{5}$"]]]))
        ])
        #expect {
            try backend().validate(request)
        } throws: { error in
            guard let error = error as? RouterError else { return false }
            return error.status == 400 && error.code == "unsupported_schema" && error.param == "tools[0].function.parameters"
                && error.message.contains("'pattern'") && error.message.contains("properties.zip.pattern")
        }
        request.tools = [LocalBackendToolTests.weatherTool]
        request.toolChoice = .function(name: "nope")
        #expect(throws: RouterError.self) { try backend().validate(request) }
        request.toolChoice = .required
        try backend().validate(request)
        // What the embedded model cannot give is refused, not silently left out.
        for (key, value) in [("logprobs", JSONValue.bool(true)), ("functions", JSONValue.array([])), ("function_call", JSONValue.string("auto"))] {
            var asking = request
            asking.extra[key] = value
            #expect {
                try backend().validate(asking)
            } throws: { error in
                (error as? RouterError).map { $0.status == 400 && $0.code == "unsupported_by_target" && $0.param == key } ?? false
            }
        }
        request.extra["logprobs"] = false
        try backend().validate(request)
    }

    @Test func requiredToolCallAnswersStreamedAndNot() async throws {
        var request = LocalBackendToolTests.request()
        request.toolChoice = .required
        request.temperature = 0
        request.maxTokens = 120
        let backend = try backend()
        try backend.validate(request)
        let whole = try await backend.complete(request, body: nil).response
        let choice = try #require(whole.choices.first)
        #expect(choice.finishReason == "tool_calls")
        #expect(choice.message.content == nil)
        let call = try #require(choice.message.toolCalls?.first)
        #expect(call.function.name == "get_weather" && call.id.hasPrefix("call_"))
        let arguments = try #require(parseJSON(call.function.arguments))
        #expect(arguments["city"]?.stringValue != nil)

        var chunks: [ChatCompletionChunk] = []
        var usage: Usage?
        for try await event in try await backend.stream(request, body: nil) {
            switch event {
            case .chunk(let chunk): chunks.append(chunk)
            case .end(let u, _, _): usage = u
            }
        }
        let deltas = chunks.flatMap { $0.choices.compactMap(\.delta.toolCalls) }.flatMap { $0 }
        #expect(deltas.first?.id?.hasPrefix("call_") == true && deltas.first?.function?.name == "get_weather")
        var streamed: [Int: (name: String, arguments: String)] = [:]
        for delta in deltas {
            if let name = delta.function?.name { streamed[delta.index] = (name, "") }
            streamed[delta.index]?.arguments += delta.function?.arguments ?? ""
        }
        let calls = choice.message.toolCalls ?? []
        #expect(streamed.keys.sorted() == Array(calls.indices))
        for (index, whole) in calls.enumerated() {
            #expect(streamed[index]?.name == whole.function.name)
            #expect(streamed[index]?.arguments == whole.function.arguments, "greedy: streamed and whole agree")
        }
        #expect(deltas.count > 2 * calls.count, "arguments stream in fragments")
        #expect(chunks.last?.choices.first?.finishReason == "tool_calls")
        #expect(usage?.completionTokens == whole.usage?.completionTokens)
        #expect(usage?.promptTokens == whole.usage?.promptTokens)
    }

    @Test func jsonSchemaResponseFormat() async throws {
        var request = LocalBackendToolTests.request(tools: nil)
        request.responseFormat = [
            "type": "json_schema",
            "json_schema": [
                "name": "city", "schema": ["type": "object", "properties": ["name": ["type": "string", "maxLength": 20]], "required": ["name"]],
            ],
        ]
        request.temperature = 0
        request.maxTokens = 60
        try backend().validate(request)
        let response = try await backend().complete(request, body: nil).response
        #expect(response.choices.first?.finishReason == "stop")
        #expect(parseJSON(response.text)?["name"]?.stringValue != nil, "\(response.text)")
    }
}
