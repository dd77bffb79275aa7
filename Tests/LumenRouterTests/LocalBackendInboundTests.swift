import Foundation
import LumenCore
import LumenLocalRuntime
import Testing

@testable import LumenRouter

/// The embedded model behind the Anthropic Messages and Responses APIs (issue #23): each API's tool
/// request decodes into the conversation and from there into the runtime's request (calls, results,
/// tool choice, parallelism), and the runtime's answer events come back out as each API's stream
/// (`input_json_delta` and `stop_reason: tool_use`; `function_call_arguments.delta`/`.done`).
@Suite struct LocalBackendInboundTests {
    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let summary = GenerationSummary(promptTokens: 42, completionTokens: 9, finishReason: .toolCalls, timeToFirstToken: nil, totalTime: .zero)

    /// A runtime stream of one call of `get_weather` whose arguments come in three fragments.
    static let callEvents: [AnswerEvent] = [
        .toolCallStarted(index: 0, id: "call_w1", name: "get_weather"),
        .toolCallArguments(index: 0, fragment: #"{"city"#),
        .toolCallArguments(index: 0, fragment: #"": "Oslo", "#),
        .toolCallArguments(index: 0, fragment: #""unit": "c"}"#),
        .toolCallFinished(index: 0),
        .finished(summary),
    ]
    static let callArguments = #"{"city": "Oslo", "unit": "c"}"#

    /// The Chat Completions chunks LocalBackend.stream yields for `events`.
    static func chunks(_ events: [AnswerEvent]) -> [ChatCompletionChunk] {
        var encoder = ChatChunkEncoder()
        return events.flatMap { encoder.choices(for: $0) }.map {
            ChatCompletionChunk(id: "chatcmpl-x", created: 1, model: "smollm2", choices: [$0])
        }
    }

    @Test func anthropicToolUseAndToolResultBecomeTheRuntimesTurns() throws {
        let body = try Self.json(
            """
            {"model": "local", "max_tokens": 100, "system": [{"type": "text", "text": "Be brief."}],
             "tools": [{"name": "get_weather", "description": "Weather.", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
             "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
             "messages": [
               {"role": "user", "content": "Weather in Oslo?"},
               {"role": "assistant", "content": [{"type": "text", "text": "Checking."}, {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
               {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "-3 C"}]}, {"type": "text", "text": "And tomorrow?"}]}
             ]}
            """
        )
        let request = try AnthropicInbound.decode(body).conversation
        let generation = try LocalBackend.generationRequest(request, parameters: .greedy())
        #expect(generation.turns.map(\.role) == ["system", "user", "assistant", "tool", "user"])
        #expect(generation.turns[0].content == "Be brief.")
        #expect(generation.turns[2].content == "Checking.")
        #expect(generation.turns[2].toolCalls == [ToolCallRecord(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
        #expect(generation.turns[3].toolCallID == "toolu_1" && generation.turns[3].content == "-3 C")
        #expect(generation.turns[4].content == "And tomorrow?")
        #expect(generation.tools.map(\.name) == ["get_weather"])
        #expect(generation.toolMode == .required)
        #expect(!generation.parallelToolCalls)
    }

    @Test(arguments: [
        (#"{"type": "auto"}"#, ToolCallMode.auto), (#"{"type": "none"}"#, ToolCallMode.none),
        (#"{"type": "tool", "name": "get_weather"}"#, ToolCallMode.function("get_weather")),
    ])
    func anthropicToolChoices(_ choice: String, _ mode: ToolCallMode) throws {
        let body = try Self.json(
            #"{"model": "local", "max_tokens": 9, "tool_choice": \#(choice), "messages": [{"role": "user", "content": "hi"}], "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}]}"#
        )
        let generation = try LocalBackend.generationRequest(try AnthropicInbound.decode(body).conversation, parameters: .greedy())
        #expect(generation.toolMode == mode)
        #expect(generation.parallelToolCalls)
    }

    @Test func responsesFunctionCallsAndOutputsBecomeTheRuntimesTurns() throws {
        let body = try Self.json(
            """
            {"model": "local", "instructions": "Be brief.", "parallel_tool_calls": false,
             "tool_choice": {"type": "function", "name": "get_weather"},
             "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
                       {"type": "custom", "name": "apply_patch", "description": "Apply a patch."}],
             "input": [
               {"role": "user", "content": [{"type": "input_text", "text": "Weather in Oslo and Bergen?"}]},
               {"type": "function_call", "call_id": "call_a", "name": "get_weather", "arguments": "{\\"city\\":\\"Oslo\\"}"},
               {"type": "function_call", "call_id": "call_b", "name": "get_weather", "arguments": "{\\"city\\":\\"Bergen\\"}"},
               {"type": "function_call_output", "call_id": "call_a", "output": "-3 C"},
               {"type": "function_call_output", "call_id": "call_b", "output": "4 C"}
             ]}
            """
        )
        let generation = try LocalBackend.generationRequest(try ResponsesInbound.decode(body).conversation, parameters: .greedy())
        #expect(generation.turns.map(\.role) == ["system", "user", "assistant", "tool", "tool"])
        #expect(generation.turns[2].toolCalls?.map(\.id) == ["call_a", "call_b"], "consecutive calls are one assistant turn")
        #expect(generation.turns[2].toolCalls?.map(\.arguments) == [#"{"city":"Oslo"}"#, #"{"city":"Bergen"}"#])
        #expect(generation.turns[3].toolCallID == "call_a" && generation.turns[4].content == "4 C")
        #expect(generation.tools.map(\.name) == ["get_weather", "apply_patch"])
        #expect(generation.tools[1].parameters?["required"] == ["input"], "a custom tool's freeform input is one string argument")
        #expect(generation.toolMode == .function("get_weather"))
        #expect(!generation.parallelToolCalls)
    }

    @Test func runtimeCallStreamsAsAnthropicInputJSONDeltas() throws {
        var encoder = AnthropicInbound.StreamEncoder(requestedModel: "local", inputTokensEstimate: 0)
        var events = Self.chunks(Self.callEvents).flatMap { encoder.encode($0) }
        events += encoder.finish(usage: Usage(promptTokens: 42, completionTokens: 9))
        let names = events.map(\.name)
        #expect(names.first == "message_start" && names.last == "message_stop")
        let start = try #require(events.first { $0.name == "content_block_start" })
        #expect(start.data["content_block"]?["type"] == "tool_use")
        #expect(start.data["content_block"]?["id"] == "call_w1" && start.data["content_block"]?["name"] == "get_weather")
        let fragments = events.filter { $0.name == "content_block_delta" }.map { $0.data["delta"] }
        #expect(fragments.allSatisfy { $0?["type"] == "input_json_delta" })
        #expect(fragments.compactMap { $0?["partial_json"]?.stringValue }.joined() == Self.callArguments)
        #expect(fragments.count == 3)
        #expect(names.filter { $0 == "content_block_start" }.count == 1 && names.filter { $0 == "content_block_stop" }.count == 1)
        let delta = try #require(events.first { $0.name == "message_delta" })
        #expect(delta.data["delta"]?["stop_reason"] == "tool_use")
        #expect(delta.data["usage"]?["input_tokens"] == 42 && delta.data["usage"]?["output_tokens"] == 9)
    }

    /// A last assistant message continues as the answer for Anthropic clients (prefill), and is an
    /// earlier turn for Chat Completions ones, as their APIs read it.
    @Test func onlyAnthropicRequestsContinueTheLastAssistantMessage() throws {
        let anthropic = try AnthropicInbound.decode(
            try Self.json(#"{"model":"local","max_tokens":9,"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello,"}]}"#))
        #expect(try LocalBackend.generationRequest(anthropic.conversation, parameters: .greedy()).continuesLastTurn)
        let chat = ChatCompletionRequest(
            model: "local", messages: [ChatMessage(role: .user, text: "Hi"), ChatMessage(role: .assistant, text: "Hello,")])
        #expect(try !LocalBackend.generationRequest(chat, parameters: .greedy()).continuesLastTurn)
    }

    /// A stop string that ended the embedded model's answer is Anthropic's `stop_sequence`, streamed
    /// or not; the end-of-generation token stays `end_turn`.
    @Test func runtimeStopStringIsAnthropicsStopSequence() throws {
        let stopped = GenerationSummary(
            promptTokens: 7, completionTokens: 3, finishReason: .stop, stopSequence: "###", timeToFirstToken: nil, totalTime: .zero)
        var encoder = AnthropicInbound.StreamEncoder(requestedModel: "local", inputTokensEstimate: 0)
        let chunks = Self.chunks([.text("Paris"), .finished(stopped)])
        #expect(chunks.last?.choices.first?.stopSequence == "###" && chunks.first?.choices.first?.stopSequence == nil)
        var events = chunks.flatMap { encoder.encode($0) }
        events += encoder.finish(usage: Usage(promptTokens: 7, completionTokens: 3))
        let delta = try #require(events.first { $0.name == "message_delta" })
        #expect(delta.data["delta"]?["stop_reason"] == "stop_sequence" && delta.data["delta"]?["stop_sequence"] == "###")

        let answer = ChatCompletionResponse(
            id: "x", created: 1, model: "smollm2",
            choices: [ChatChoice(message: ChatMessage(role: .assistant, text: "Paris"), finishReason: "stop", stopSequence: "###")],
            usage: nil)
        let message = AnthropicInbound.response(answer, requestedModel: "local")
        #expect(message["stop_reason"] == "stop_sequence" && message["stop_sequence"] == "###")

        var natural = AnthropicInbound.StreamEncoder(requestedModel: "local", inputTokensEstimate: 0)
        let ended = GenerationSummary(promptTokens: 7, completionTokens: 3, finishReason: .stop, timeToFirstToken: nil, totalTime: .zero)
        let naturalEvents = Self.chunks([.text("Paris"), .finished(ended)]).flatMap { natural.encode($0) } + natural.finish(usage: nil)
        let naturalDelta = try #require(naturalEvents.first { $0.name == "message_delta" })
        #expect(naturalDelta.data["delta"]?["stop_reason"] == "end_turn" && naturalDelta.data["delta"]?["stop_sequence"] == .null)
        // Chat Completions' JSON has no such member.
        #expect(try !String(decoding: JSONEncoder().encode(answer), as: UTF8.self).contains("###"))
    }

    @Test func runtimeCallStreamsAsResponsesArgumentDeltas() throws {
        let request = ChatCompletionRequest(
            model: "local", messages: [ChatMessage(role: .user, text: "Weather?")],
            tools: [Tool(function: FunctionDefinition(name: "get_weather", parameters: ["type": "object"]))]
        )
        var encoder = ResponsesInbound.StreamEncoder(id: "resp_1", created: 1, request: request)
        var events = Self.chunks(Self.callEvents).flatMap { encoder.encode($0) }
        events += encoder.finish(usage: Usage(promptTokens: 42, completionTokens: 9))
        let names = events.map(\.name)
        let added = try #require(events.first { $0.name == "response.output_item.added" })
        #expect(added.data["item"]?["type"] == "function_call" && added.data["item"]?["name"] == "get_weather")
        #expect(added.data["item"]?["call_id"] == "call_w1")
        let deltas = events.filter { $0.name == "response.function_call_arguments.delta" }.compactMap { $0.data["delta"]?.stringValue }
        #expect(deltas.count == 3 && deltas.joined() == Self.callArguments)
        let done = try #require(events.first { $0.name == "response.function_call_arguments.done" })
        #expect(done.data["arguments"]?.stringValue == Self.callArguments)
        #expect(names.last == "response.completed")
        let completed = try #require(events.last?.data["response"])
        let item = completed["output"]?.arrayValue?.first
        #expect(item?["type"] == "function_call" && item?["arguments"]?.stringValue == Self.callArguments)
        #expect(completed["usage"]?["input_tokens"] == 42 && completed["usage"]?["output_tokens"] == 9)
        #expect(!names.contains("response.output_text.delta"))
    }

    /// An agent's prompt longer than the model's context is a client error that names both sizes and
    /// the embedded model, and that tool definitions count (no fallback can help: kind `invalid`).
    @Test func promptLongerThanTheContextNamesBothSizes() {
        let error = LocalBackend.map(LocalRuntimeError.promptTooLong(promptTokens: 14821, contextLength: 2048))
        #expect(error.kind == .invalid)
        #expect(error.message.contains("14821 tokens") && error.message.contains("holds 2048"), "\(error.message)")
        #expect(error.message.contains("embedded local model") && error.message.contains("tool definitions"), "\(error.message)")
    }
}
