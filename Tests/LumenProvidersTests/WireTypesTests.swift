import LumenCore
import Testing

@Suite struct WireTypesTests {
    static let richRequest = """
        {"model":"gpt-4o-mini","messages":[
          {"role":"developer","content":"Be terse."},
          {"role":"system","content":[{"type":"text","text":"You are helpful."}]},
          {"role":"user","content":[{"type":"text","text":"What is in this image?"},
             {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}},
             {"type":"text","text":"Answer briefly."}], "name":"alice"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
             "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}],"refusal":null},
          {"role":"tool","tool_call_id":"call_1","content":"18C and sunny"},
          {"role":"user","content":"thanks"}],
         "temperature":0.7,"top_p":0.95,"max_tokens":256,"max_completion_tokens":300,"stop":["\\n\\n","END"],
         "seed":42,"user":"u-1","n":1,"stream":true,"stream_options":{"include_usage":true,"x_opt":1},
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
           "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],
         "tool_choice":{"type":"function","function":{"name":"get_weather"}},
         "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}},
         "metadata":{"team":"qa"},
         "logit_bias":{"50256":-100},"frequency_penalty":0.5,"parallel_tool_calls":false,"reasoning_effort":"low",
         "huge":12345678901234567890,"nested":{"a":[1,2.5,"x",null,true]}}
        """

    @Test func requestRoundTripKeepsEverything() throws {
        let request = try WireJSON.decode(ChatCompletionRequest.self, from: Self.richRequest)
        #expect(request.messages.count == 6)
        #expect(request.messages[2].text == "What is in this image?\nAnswer briefly.")
        #expect(request.messages[3].toolCalls?.first?.function.name == "get_weather")
        #expect(request.messages[3].content == nil)
        #expect(request.messages[4].toolCallId == "call_1")
        #expect(request.stop == .multiple(["\n\n", "END"]))
        #expect(request.toolChoice == .function(name: "get_weather"))
        #expect(request.includeUsage)
        #expect(request.effectiveMaxTokens == 300)
        #expect(request.lastUserText == "thanks")
        #expect(request.extra["logit_bias"] == ["50256": -100])
        #expect(request.extra["parallel_tool_calls"] == false)
        #expect(request.streamOptions?.extra["x_opt"] == 1)

        let reencoded = try WireJSON.encodeString(request)
        let original = try WireJSON.decode(JSONValue.self, from: Self.richRequest)
        let roundTripped = try WireJSON.decode(JSONValue.self, from: reencoded)
        #expect(original == roundTripped)
        #expect(try WireJSON.decode(ChatCompletionRequest.self, from: reencoded) == request)
    }

    @Test func stringStopAndToolChoiceFormsAreKept() throws {
        let json = #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":"END","tool_choice":"required"}"#
        let request = try WireJSON.decode(ChatCompletionRequest.self, from: json)
        #expect(request.stop == .single("END"))
        #expect(request.toolChoice == .required)
        #expect(try WireJSON.decode(JSONValue.self, from: WireJSON.encode(request)) == WireJSON.decode(JSONValue.self, from: json))
    }

    @Test func badRequestsGiveClearErrors() throws {
        let noMessages = #"{"model":"m"}"#
        let error = #expect(throws: (any Error).self) { try WireJSON.decode(ChatCompletionRequest.self, from: noMessages) }
        #expect(WireJSON.describe(error!).contains("messages"))
        let badContent = #"{"model":"m","messages":[{"role":"user","content":42}]}"#
        let error2 = #expect(throws: (any Error).self) { try WireJSON.decode(ChatCompletionRequest.self, from: badContent) }
        #expect(WireJSON.describe(error2!).contains("messages[0].content"))
    }

    @Test func replacingTextKeepsNonTextParts() throws {
        let request = try WireJSON.decode(ChatCompletionRequest.self, from: Self.richRequest)
        let message = request.messages[2]
        let replaced = message.replacingText("[REDACTED] question")
        guard case .parts(let parts) = replaced.content else {
            Issue.record("parts expected")
            return
        }
        #expect(parts.map(\.type) == ["text", "image_url"])
        #expect(replaced.text == "[REDACTED] question")
        #expect(parts[1].extra["image_url"]?["detail"] == "low")

        let segmented = try #require(message.replacingTextSegments(["A", "B"]))
        #expect(segmented.content?.textSegments == ["A", "B"])
        #expect(message.replacingTextSegments(["only one"]) == nil)
        #expect(ChatMessage(role: .user, text: "x").replacingText("y").text == "y")
    }

    @Test func responseAndErrorBodies() throws {
        let json = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt","system_fingerprint":"fp",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop","logprobs":null}],
             "usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":0}},
             "service_tier":"default"}
            """
        let response = try WireJSON.decode(ChatCompletionResponse.self, from: json)
        #expect(response.text == "Hi")
        #expect(response.usage?.totalTokens == 6)
        #expect(response.extra["service_tier"] == "default")
        var priced = response
        priced.usage?.cost = 0.000123
        let encoded = try WireJSON.encodeString(priced)
        #expect(encoded.contains(#""cost":0.000123"#))
        #expect(encoded.contains(#""prompt_tokens_details":{"cached_tokens":0}"#))

        let error = try WireJSON.decode(
            OpenAIErrorBody.self, from: #"{"error":{"message":"nope","type":"invalid_request_error","param":null,"code":400}}"#)
        #expect(error.error.code == "400")
        #expect(
            try WireJSON.encodeString(OpenAIErrorBody(message: "m", type: "t")) == #"{"error":{"code":null,"message":"m","param":null,"type":"t"}}"#)
        #expect(
            try WireJSON.encodeString(ModelList(data: [ModelInfo(id: "a", ownedBy: "me")]))
                == #"{"data":[{"created":0,"created_at":"1970-01-01T00:00:00Z","display_name":"a","id":"a","lifecycle":"active","object":"model","owned_by":"me","type":"model"}],"first_id":"a","has_more":false,"last_id":"a","object":"list"}"#
        )
        // RFC 3339 from seconds, against known dates (a leap day, the end of a century's leap year).
        #expect(ModelInfo.rfc3339(1_709_210_096) == "2024-02-29T12:34:56Z")
        #expect(ModelInfo.rfc3339(978_307_199) == "2000-12-31T23:59:59Z")
        #expect(ModelInfo.rfc3339(86_400 * 365) == "1971-01-01T00:00:00Z")
        // A list from another server (no Anthropic page members) still decodes.
        let plain = try WireJSON.decode(ModelList.self, from: #"{"object":"list","data":[{"id":"m","object":"model","created":5,"owned_by":"x"}]}"#)
        #expect(plain.data.map(\.id) == ["m"] && plain.hasMore == false && plain.data[0].createdAt == "1970-01-01T00:00:05Z")
    }

    @Test func chunkWithUsageAndToolCallDeltas() throws {
        let json =
            #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"f","arguments":"{\"a"}}]},"finish_reason":null}]}"#
        let chunk = try WireJSON.decode(ChatCompletionChunk.self, from: json)
        #expect(chunk.choices[0].delta.toolCalls?[0].function?.arguments == "{\"a")
        let usageChunk = try WireJSON.decode(
            ChatCompletionChunk.self,
            from:
                #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#
        )
        #expect(usageChunk.choices.isEmpty && usageChunk.usage?.completionTokens == 4)
    }

    static let sseStream =
        ": keep-alive comment\r\n\r\n"
        + "data: {\"a\":1}\n\n"
        + "event: message_start\r\ndata: line one\r\ndata: line two\r\nid: 7\r\n\r\n"
        + "data:no-space\rdata: 中文 ✓\r\r"
        + "retry: 1500\n: ignored\ndata\n\n"
        + "data: [DONE]\n\n"

    static let sseExpected: [SSEEvent] = [
        SSEEvent(data: "{\"a\":1}"),
        SSEEvent(event: "message_start", data: "line one\nline two", id: "7"),
        SSEEvent(data: "no-space\n中文 ✓", id: "7"),
        SSEEvent(data: "", id: "7", retry: 1500),
        SSEEvent(data: "[DONE]", id: "7", retry: 1500),
    ]

    @Test func sseParserWholeInput() {
        var parser = SSEParser()
        let events = parser.feed(Self.sseStream)
        #expect(events == Self.sseExpected)
        #expect(events.last?.isDone == true)
        #expect(parser.finish().isEmpty)
    }

    @Test func sseParserSplitAtEveryByte() {
        let bytes = Array(Self.sseStream.utf8)
        for split in 0...bytes.count {
            var parser = SSEParser()
            var events = parser.feed(bytes[..<split])
            events += parser.feed(bytes[split...])
            #expect(events == Self.sseExpected, "split at byte \(split)")
        }
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in bytes { events += parser.feed([byte]) }
        #expect(events == Self.sseExpected)
    }

    @Test func sseUnterminatedEventIsDropped() {
        var parser = SSEParser()
        #expect(parser.feed("data: partial").isEmpty)
        #expect(parser.hasPendingData)
        #expect(parser.finish().isEmpty)
    }

    @Test func sseEncodeRoundTrips() {
        let event = SSEEvent(event: "x", data: "a\nb\r\nc")
        #expect(event.encoded == "event: x\ndata: a\ndata: b\ndata: c\n\n")
        var parser = SSEParser()
        #expect(parser.feed(event.encoded) == [SSEEvent(event: "x", data: "a\nb\nc")])
        #expect(SSEEvent.done.encoded == "data: [DONE]\n\n")
        #expect(SSEEvent.comment("ping\nx") == ": ping x\n\n")
    }
}

/// OpenAI's reasoning models refuse `max_tokens` ("use 'max_completion_tokens' instead") and any
/// sampling but the default: what a client (or an Anthropic or Responses client translated) sends
/// reaches them in the form they take, and what they refuse is left out and named.
@Suite struct ReasoningModelBodyTests {
    static func request() -> ChatCompletionRequest {
        var request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Prove it.")])
        request.maxTokens = 512
        request.temperature = 0.2
        request.topP = 0.9
        request.extra["presence_penalty"] = .double(0.5)
        return request
    }

    @Test(arguments: ["o1", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "ft:o4-mini-2025-04-16:acme::abc"])
    func reasoningModelsGetMaxCompletionTokensAndDefaultSampling(model: String) {
        let body = OpenAIChatWire.body(Self.request(), model: model, stream: false)
        #expect(body["max_completion_tokens"]?.intValue == 512 && body["max_tokens"] == nil, "\(body)")
        #expect(body["temperature"] == nil && body["top_p"] == nil && body["presence_penalty"] == nil)
        #expect(OpenAIChatWire.refusedMembers(of: Self.request(), model: model) == ["temperature", "top_p", "presence_penalty"])
        // A client's own max_completion_tokens wins; the default temperature is no refusal.
        var request = Self.request()
        request.maxCompletionTokens = 100
        request.temperature = 1
        let both = OpenAIChatWire.body(request, model: model, stream: false)
        #expect(both["max_completion_tokens"]?.intValue == 100 && both["max_tokens"] == nil && both["temperature"]?.doubleValue == 1)
    }

    /// What else they refuse: stop sequences, logit_bias; parallel_tool_calls on the o-series (Codex
    /// sends it on every request); gpt-5.1 and later take sampling settings; fine-tunes are their base.
    @Test func stopLogitBiasAndParallelToolCalls() {
        var request = Self.request()
        request.stop = .single("END")
        request.extra["logit_bias"] = .object(["50256": .integer(-100)])
        request.extra["parallel_tool_calls"] = .bool(true)
        #expect(OpenAIChatWire.refusedMembers(of: request, model: "o4-mini").contains("parallel_tool_calls"))
        let body = OpenAIChatWire.body(request, model: "ft:o4-mini-2025-04-16:acme::abc", stream: false)
        #expect(
            body["stop"] == nil && body["logit_bias"] == nil && body["parallel_tool_calls"] == nil && body["max_completion_tokens"]?.intValue == 512)
        let five = OpenAIChatWire.body(request, model: "gpt-5", stream: false)
        #expect(five["stop"] == nil && five["parallel_tool_calls"] == .bool(true) && five["temperature"] == nil)
        let fiveOne = OpenAIChatWire.body(request, model: "gpt-5.1", stream: false)
        #expect(fiveOne["temperature"]?.doubleValue == 0.2 && fiveOne["stop"] == nil && fiveOne["max_completion_tokens"]?.intValue == 512)
    }

    @Test(arguments: ["gpt-4o", "gpt-4o-mini", "gpt-5-chat-latest", "deepseek-chat", "openai/o3", "llama3.1:8b", "omni-moderation"])
    func otherModelsGetTheRequestAsSent(model: String) {
        let body = OpenAIChatWire.body(Self.request(), model: model, stream: false)
        #expect(body["max_tokens"]?.intValue == 512 && body["max_completion_tokens"] == nil)
        #expect(body["temperature"]?.doubleValue == 0.2 && body["top_p"]?.doubleValue == 0.9)
        #expect(OpenAIChatWire.refusedMembers(of: Self.request(), model: model).isEmpty)
    }

    /// `reasoning_effort` (which Codex sends, as `reasoning.effort`, to every model) reaches the
    /// models that take it; OpenAI's other chat models refuse it, so it is left out and named there.
    /// Other providers' models keep it (DeepSeek, Groq and others take it on their reasoning models).
    @Test func reasoningEffortReachesOnlyModelsThatTakeIt() {
        var request = Self.request()
        request.extra["reasoning_effort"] = "high"
        for model in ["o3", "gpt-5", "gpt-5.1", "qwen3-32b", "deepseek-reasoner"] {
            #expect(OpenAIChatWire.body(request, model: model, stream: false)["reasoning_effort"] == "high", "\(model)")
            #expect(!OpenAIChatWire.refusedMembers(of: request, model: model).contains("reasoning_effort"), "\(model)")
        }
        for model in ["gpt-4o", "gpt-4.1-mini", "gpt-5-chat-latest", "chatgpt-4o-latest", "ft:gpt-4o-mini-2024-07-18:acme::x"] {
            #expect(OpenAIChatWire.body(request, model: model, stream: false)["reasoning_effort"] == nil, "\(model)")
            #expect(OpenAIChatWire.refusedMembers(of: request, model: model) == ["reasoning_effort"], "\(model)")
        }
    }
}
