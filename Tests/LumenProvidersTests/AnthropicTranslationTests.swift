import LumenCore
import LumenProviders
import Testing

@Suite struct AnthropicTranslationTests {
    @Test func requestWithToolsAndToolResults() throws {
        let request = try WireJSON.decode(ChatCompletionRequest.self, from: WireTypesTests.richRequest)
        let body = try AnthropicTranslation.request(from: request, model: "claude-x", defaultMaxTokens: 1024, stream: false)
        #expect(body["model"] == "claude-x")
        #expect(body["max_tokens"] == 300)
        #expect(body["system"] == "Be terse.\n\nYou are helpful.")
        #expect(body["stop_sequences"] == ["\n\n", "END"])
        #expect(body["temperature"] == 0.7)
        #expect(body["metadata"] == ["user_id": "u-1"])
        #expect(body["tool_choice"] == ["type": "tool", "name": "get_weather", "disable_parallel_tool_use": true])
        let tool = try #require(body["tools"]?.arrayValue?.first)
        #expect(tool["name"] == "get_weather")
        #expect(tool["input_schema"]?["required"] == ["city"])
        #expect(body["logit_bias"] == nil)

        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"] } == ["user", "assistant", "user"])
        let firstUser = try #require(messages[0]["content"]?.arrayValue)
        #expect(firstUser.map { $0["type"] } == ["text", "image", "text"])
        #expect(firstUser[1]["source"] == ["type": "url", "url": "https://example.com/cat.png"])
        let toolUse = try #require(messages[1]["content"]?.arrayValue?.first)
        #expect(toolUse == ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]])
        let lastUser = try #require(messages[2]["content"]?.arrayValue)
        #expect(lastUser[0] == ["type": "tool_result", "tool_use_id": "call_1", "content": "18C and sunny"])
        #expect(lastUser[1] == ["type": "text", "text": "thanks"])
    }

    /// A PDF sent as a Chat Completions `file` part (data URL) is Anthropic's `document` block.
    @Test func filePartBecomesADocument() throws {
        let request = try WireJSON.decode(
            ChatCompletionRequest.self,
            from:
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Summarise."},{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}}]}]}"#
        )
        let body = try AnthropicTranslation.request(from: request, model: "claude-x", defaultMaxTokens: 64, stream: false)
        let blocks = try #require(body["messages"]?.arrayValue?.first?["content"]?.arrayValue)
        #expect(
            blocks[1] == [
                "type": "document", "title": "a.pdf", "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQK"],
            ])
        let byID = try WireJSON.decode(
            ChatCompletionRequest.self, from: #"{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}"#)
        #expect(throws: AnthropicTranslation.TranslationError.self) {
            try AnthropicTranslation.request(from: byID, model: "claude-x", defaultMaxTokens: 64, stream: false)
        }
    }

    /// `parallel_tool_calls: false` is the tool choice's `disable_parallel_tool_use`, not a dropped field.
    @Test func parallelToolCallsBecomeTheToolChoicesFlag() throws {
        var request = try WireJSON.decode(ChatCompletionRequest.self, from: WireTypesTests.richRequest)
        request.extra["parallel_tool_calls"] = false
        var body = try AnthropicTranslation.request(from: request, model: "claude-x", defaultMaxTokens: 1024, stream: false)
        #expect(body["tool_choice"] == ["type": "tool", "name": "get_weather", "disable_parallel_tool_use": true])
        #expect(!AnthropicTranslation.unsentFields(of: request).contains("parallel_tool_calls"))
        request.toolChoice = nil
        body = try AnthropicTranslation.request(from: request, model: "claude-x", defaultMaxTokens: 1024, stream: false)
        #expect(body["tool_choice"] == ["type": "auto", "disable_parallel_tool_use": true])
        request.extra["parallel_tool_calls"] = true
        body = try AnthropicTranslation.request(from: request, model: "claude-x", defaultMaxTokens: 1024, stream: false)
        #expect(body["tool_choice"] == nil)
    }

    @Test func untranslatableInputsAreClearErrors() {
        let noUser = ChatCompletionRequest(model: "m", messages: [ChatMessage(role: .system, text: "only system")])
        #expect(throws: AnthropicTranslation.TranslationError.self) {
            try AnthropicTranslation.request(from: noUser, model: "c", defaultMaxTokens: 10, stream: false)
        }
        let badTool = ChatCompletionRequest(model: "m", messages: [ChatMessage(role: .tool, text: "result")])
        let error = #expect(throws: AnthropicTranslation.TranslationError.self) {
            try AnthropicTranslation.request(from: badTool, model: "c", defaultMaxTokens: 10, stream: false)
        }
        #expect(error?.message.contains("tool_call_id") == true)
    }

    @Test func responseWithToolUse() throws {
        let json = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[
              {"type":"text","text":"Let me check."},
              {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
             "stop_reason":"tool_use","usage":{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":7}}
            """
        let response = try AnthropicTranslation.response(from: WireJSON.decode(JSONValue.self, from: json), created: 1)
        #expect(response.text == "Let me check.")
        #expect(response.choices[0].finishReason == "tool_calls")
        #expect(
            response.choices[0].message.toolCalls == [
                ToolCall(id: "toolu_1", function: FunctionCall(name: "get_weather", arguments: #"{"city":"Paris"}"#))
            ])
        #expect(response.usage == Usage(promptTokens: 25, completionTokens: 7, extra: Usage.cacheMembers(read: 5, write: 0)))
    }

    /// "pause_turn" (a server tool's long turn, paused to be continued) reaches an Anthropic client as
    /// it came, whole and streamed; a Chat Completions client hears "stop".
    @Test func pausedTurnIsGivenBack() throws {
        let json = #"{"id":"m","type":"message","content":[{"type":"text","text":"Searching"}],"stop_reason":"pause_turn","usage":{}}"#
        let whole = try AnthropicTranslation.response(from: WireJSON.decode(JSONValue.self, from: json), created: 1)
        #expect(whole.choices[0].finishReason == "stop" && whole.choices[0].pausedTurn)
        #expect(AnthropicInbound.response(whole, requestedModel: "c")["stop_reason"] == "pause_turn")
        var translator = AnthropicTranslation.StreamTranslator(model: "m", created: 0)
        let delta = #"{"type":"message_delta","delta":{"stop_reason":"pause_turn"},"usage":{"output_tokens":2}}"#
        let chunks = try translator.translate(event: nil, data: WireJSON.decode(JSONValue.self, from: delta))
        var encoder = AnthropicInbound.StreamEncoder(requestedModel: "c", inputTokensEstimate: 1)
        var events: [AnthropicInbound.StreamEncoder.Event] = []
        for chunk in chunks { events += encoder.encode(chunk) }
        events += encoder.finish(usage: Usage(promptTokens: 1, completionTokens: 2))
        #expect(events.contains { $0.data["delta"]?["stop_reason"] == "pause_turn" }, "\(events.map(\.data))")
    }

    /// The prompt cache's reads and writes survive the trip (whole answers and streams): counted in
    /// `prompt_tokens` as OpenAI counts them, named apart for pricing, and given back to an Anthropic
    /// client as its provider counted them (input outside the cache, reads, writes) and to a
    /// Responses client as `cached_tokens`. The stream's `message_delta` input count (outside the
    /// cache) no longer replaces the whole input.
    @Test func promptCacheCountsSurvive() throws {
        let usage = #"{"input_tokens":12,"cache_creation_input_tokens":2000,"cache_read_input_tokens":30000,"output_tokens":5}"#
        let json = #"{"id":"m","type":"message","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":"# + usage + "}"
        let whole = try AnthropicTranslation.response(from: WireJSON.decode(JSONValue.self, from: json), created: 1)
        let counted = try #require(whole.usage)
        #expect(counted.promptTokens == 32_012 && counted.cacheReadTokens == 30_000 && counted.cacheWriteTokens == 2_000)
        #expect(counted.extra["prompt_tokens_details"]?["cached_tokens"] == 30_000)
        let back = AnthropicInbound.usage(counted)
        #expect(back["input_tokens"] == 12 && back["cache_read_input_tokens"] == 30_000 && back["cache_creation_input_tokens"] == 2_000)
        #expect(ResponsesInbound.usage(counted)["input_tokens_details"]?["cached_tokens"] == 30_000)

        var translator = AnthropicTranslation.StreamTranslator(model: "m", created: 0)
        let events = [
            #"{"type":"message_start","message":{"id":"msg_1","model":"c","usage":"# + usage + "}}",
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":12,"output_tokens":9}}"#,
            #"{"type":"message_stop"}"#,
        ]
        var chunks: [ChatCompletionChunk] = []
        for event in events { chunks += try translator.translate(event: nil, data: WireJSON.decode(JSONValue.self, from: event)) }
        let streamed = try #require(chunks.last?.usage)
        #expect(streamed.promptTokens == 32_012 && streamed.completionTokens == 9 && streamed.cacheReadTokens == 30_000, "\(streamed)")
        #expect(streamed.cacheWriteTokens == 2_000)
        // Without cache counts nothing is added.
        #expect(AnthropicInbound.usage(Usage(promptTokens: 7, completionTokens: 1)) == ["input_tokens": 7, "output_tokens": 1])
    }

    /// An Anthropic target's `stop_sequence` survives translation, so an Anthropic client reached
    /// through it (redacted, or after a fallback) still hears which stop string ended the answer.
    @Test func stopSequenceIsKept() throws {
        let json =
            #"{"id":"m","type":"message","content":[{"type":"text","text":"1, 2"}],"stop_reason":"stop_sequence","stop_sequence":", 3","usage":{}}"#
        let response = try AnthropicTranslation.response(from: WireJSON.decode(JSONValue.self, from: json), created: 1)
        #expect(response.choices[0].finishReason == "stop" && response.choices[0].stopSequence == ", 3")
        #expect(AnthropicInbound.response(response, requestedModel: "c")["stop_reason"] == "stop_sequence")
        var translator = AnthropicTranslation.StreamTranslator(model: "m", created: 0)
        let delta = #"{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":2}}"#
        let chunks = try translator.translate(event: nil, data: WireJSON.decode(JSONValue.self, from: delta))
        #expect(chunks.first?.choices.first?.finishReason == "stop" && chunks.first?.choices.first?.stopSequence == "END")
    }

    @Test func streamEventsWithToolUse() throws {
        var translator = AnthropicTranslation.StreamTranslator(model: "fallback", created: 5)
        let events: [String] = [
            #"{"type":"message_start","message":{"id":"msg_9","model":"claude-x","usage":{"input_tokens":12,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"ping"}"#,
            #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"f","input":{}}}"#,
            #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"#,
            #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}"#,
            #"{"type":"message_stop"}"#,
        ]
        var chunks: [ChatCompletionChunk] = []
        for event in events {
            chunks += try translator.translate(event: nil, data: WireJSON.decode(JSONValue.self, from: event))
        }
        #expect(translator.isFinished)
        #expect(chunks.allSatisfy { $0.id == "msg_9" && $0.model == "claude-x" && $0.created == 5 })
        #expect(chunks.map(\.contentText).joined() == "Hi")
        let calls = chunks.flatMap { $0.choices.first?.delta.toolCalls ?? [] }
        #expect(calls.first?.id == "toolu_2" && calls.first?.function?.name == "f")
        #expect(calls.compactMap { $0.function?.arguments }.joined() == #"{"a":1}"#)
        #expect(calls.allSatisfy { $0.index == 0 })
        #expect(chunks.contains { $0.choices.first?.finishReason == "tool_calls" })
        #expect(chunks.last?.usage == Usage(promptTokens: 12, completionTokens: 9))

        var failing = AnthropicTranslation.StreamTranslator(model: "m", created: 0)
        #expect(throws: AnthropicTranslation.StreamEventError.self) {
            try failing.translate(event: "error", data: ["type": "error", "error": ["type": "overloaded_error", "message": "busy"]])
        }
    }

    /// Extended thinking survives the trip upstream event → internal chunk → client event: the same
    /// blocks in the same order, text and signature unchanged (Anthropic refuses a tool loop whose
    /// thinking block comes back altered or missing).
    @Test(arguments: [true, false])
    func thinkingBlocksRoundTripThroughTheStream(withRedacted: Bool) throws {
        var translator = AnthropicTranslation.StreamTranslator(model: "m", created: 0)
        var events: [String] = [
            #"{"type":"message_start","message":{"id":"msg_t","model":"claude-x","usage":{"input_tokens":3,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-1"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Done"}}"#,
            #"{"type":"content_block_stop","index":2}"#,
            #"{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_3","name":"f","input":{}}}"#,
            #"{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}"#,
            #"{"type":"content_block_stop","index":3}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}"#,
            #"{"type":"message_stop"}"#,
        ]
        if withRedacted {  // (block indexes upstream need not be dense for the translator)
            events.insert(#"{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"opaque"}}"#, at: 6)
            events.insert(#"{"type":"content_block_stop","index":1}"#, at: 7)
        }
        var encoder = AnthropicInbound.StreamEncoder(requestedModel: "claude-x", inputTokensEstimate: 0)
        var out: [AnthropicInbound.StreamEncoder.Event] = []
        for event in events {
            for chunk in try translator.translate(event: nil, data: WireJSON.decode(JSONValue.self, from: event)) {
                out += encoder.encode(chunk)
            }
        }
        out += encoder.finish(usage: Usage(promptTokens: 3, completionTokens: 9))
        // Rebuild the blocks as a client (the anthropic SDK's accumulator) would.
        var blocks: [Int: JSONValue] = [:]
        for (name, data) in out {
            let index = data["index"]?.intValue ?? -1
            switch name {
            case "content_block_start": blocks[index] = data["content_block"]
            case "content_block_delta":
                var block = try #require(blocks[index]?.objectValue)
                let delta = data["delta"]
                switch delta?["type"]?.stringValue {
                case "thinking_delta": block["thinking"] = .string((block["thinking"]?.stringValue ?? "") + (delta?["thinking"]?.stringValue ?? ""))
                case "signature_delta": block["signature"] = delta?["signature"]
                case "text_delta": block["text"] = .string((block["text"]?.stringValue ?? "") + (delta?["text"]?.stringValue ?? ""))
                default: block["partial"] = .string((block["partial"]?.stringValue ?? "") + (delta?["partial_json"]?.stringValue ?? ""))
                }
                blocks[index] = .object(block)
            default: continue
            }
        }
        let ordered = blocks.keys.sorted().map { blocks[$0]! }
        let types = ordered.map { $0["type"]?.stringValue ?? "" }
        #expect(types == (withRedacted ? ["thinking", "redacted_thinking", "text", "tool_use"] : ["thinking", "text", "tool_use"]))
        #expect(ordered[0]["thinking"]?.stringValue == "Let me think." && ordered[0]["signature"]?.stringValue == "sig-1")
        if withRedacted { #expect(ordered[1]["data"]?.stringValue == "opaque") }
        #expect(ordered.first { $0["type"]?.stringValue == "text" }?["text"]?.stringValue == "Done")
        #expect(out.filter { $0.0 == "content_block_start" }.count == out.filter { $0.0 == "content_block_stop" }.count)
    }

    @Test func thinkingBlocksRoundTripInAWholeAnswer() throws {
        let json = """
            {"id":"msg_2","type":"message","role":"assistant","model":"claude-x","content":[
              {"type":"thinking","thinking":"Hmm.","signature":"sig-2"},
              {"type":"redacted_thinking","data":"opaque"},
              {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
             "stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":7}}
            """
        let response = try AnthropicTranslation.response(from: WireJSON.decode(JSONValue.self, from: json), created: 1)
        let back = AnthropicInbound.response(response, requestedModel: "claude-x")
        let content = try #require(back["content"]?.arrayValue)
        #expect(content.map { $0["type"]?.stringValue ?? "" } == ["thinking", "redacted_thinking", "tool_use"])
        #expect(content[0]["thinking"]?.stringValue == "Hmm." && content[0]["signature"]?.stringValue == "sig-2")
        #expect(content[1]["data"]?.stringValue == "opaque")
    }

    /// An Anthropic web search answer, as the API sends it whole: the server tool's call and result,
    /// a lead-in text and a cited one.
    static let searchAnswer = """
        {"id":"msg_s","type":"message","role":"assistant","model":"claude-x","content":[
          {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"lighthouse keepers"}},
          {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[
            {"type":"web_search_result","url":"https://example.org/keepers","title":"Keepers","encrypted_content":"abc","page_age":null}]},
          {"type":"text","text":"Intro "},
          {"type":"text","text":"Cited.","citations":[{"type":"web_search_result_location","url":"https://example.org/keepers",
            "title":"Keepers","encrypted_index":"x","cited_text":"Cited."}]},
          {"type":"tool_use","id":"toolu_9","name":"f","input":{"a":1}}],
         "stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":7,"server_tool_use":{"web_search_requests":1}}}
        """

    /// Server tools' blocks and citations have no place in the chat shape: an Anthropic client still
    /// gets every block back in order (tool calls as the router left them), other clients the text.
    @Test func serverToolBlocksAndCitationsRoundTripInAWholeAnswer() throws {
        let original = try WireJSON.decode(JSONValue.self, from: Self.searchAnswer)
        var response = try AnthropicTranslation.response(from: original, created: 1)
        let message = response.choices[0].message
        #expect(message.text == "Intro Cited." && message.toolCalls?.first?.id == "toolu_9")
        #expect(message.anthropicContent == original["content"]?.arrayValue)
        #expect(response.usage?.extra["server_tool_use"] == ["web_search_requests": 1])
        let back = AnthropicInbound.response(response, requestedModel: "claude-x")
        #expect(back["content"] == original["content"])
        #expect(back["usage"]?["server_tool_use"] == ["web_search_requests": 1])
        // A tool call's arguments as the router left them (restored) replace the upstream's.
        response.choices[0].message.toolCalls?[0].function.arguments = #"{"a":2}"#
        #expect(AnthropicInbound.response(response, requestedModel: "c")["content"]?.arrayValue?[4]["input"] == ["a": 2])
        // An answer the chat shape holds keeps no copy of its blocks.
        let plain = #"{"type":"message","content":[{"type":"text","text":"Hi","citations":[]}],"usage":{"input_tokens":1,"output_tokens":1}}"#
        let simple = try AnthropicTranslation.response(from: WireJSON.decode(JSONValue.self, from: plain), created: 1)
        #expect(simple.choices[0].message.anthropicContent == nil && simple.usage?.extra["server_tool_use"] == nil)
    }

    /// The same answer streamed: the client rebuilds the same blocks (the query as JSON deltas, the
    /// result whole, each text block apart with its citation) and the search count.
    @Test func serverToolBlocksAndCitationsRoundTripThroughTheStream() throws {
        var translator = AnthropicTranslation.StreamTranslator(model: "m", created: 0)
        let events: [String] = [
            #"{"type":"message_start","message":{"id":"msg_s","model":"claude-x","usage":{"input_tokens":3,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\":"}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"keepers\"}"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://example.org/k","title":"K"}]}}"#,
            #"{"type":"content_block_stop","index":1}"#,
            #"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Intro "}}"#,
            #"{"type":"content_block_stop","index":2}"#,
            #"{"type":"content_block_start","index":3,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"https://example.org/k","cited_text":"Cited."}}}"#,
            #"{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"Cited."}}"#,
            #"{"type":"content_block_stop","index":3}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9,"server_tool_use":{"web_search_requests":1}}}"#,
            #"{"type":"message_stop"}"#,
        ]
        var encoder = AnthropicInbound.StreamEncoder(requestedModel: "claude-x", inputTokensEstimate: 0)
        var chunks: [ChatCompletionChunk] = []
        var out: [AnthropicInbound.StreamEncoder.Event] = []
        for event in events {
            for chunk in try translator.translate(event: nil, data: WireJSON.decode(JSONValue.self, from: event)) {
                chunks.append(chunk)
                out += encoder.encode(chunk)
            }
        }
        // Another API's client reads the text and skips what it has no place for.
        #expect(chunks.map(\.contentText).joined() == "Intro Cited.")
        #expect(chunks.contains { $0.isAnthropicOnly } && !chunks.contains { $0.isAnthropicOnly && !$0.contentText.isEmpty })
        #expect(chunks.last?.usage?.extra["server_tool_use"] == ["web_search_requests": 1])
        out += encoder.finish(usage: chunks.last?.usage)
        var blocks: [Int: [String: JSONValue]] = [:]
        var partial: [Int: String] = [:]
        for (name, data) in out {
            let index = data["index"]?.intValue ?? -1
            switch name {
            case "content_block_start": blocks[index] = data["content_block"]?.objectValue
            case "content_block_delta":
                let delta = data["delta"]
                var block = blocks[index] ?? [:]
                switch delta?["type"]?.stringValue {
                case "text_delta": block["text"] = .string((block["text"]?.stringValue ?? "") + (delta?["text"]?.stringValue ?? ""))
                case "citations_delta": block["citations"] = .array((block["citations"]?.arrayValue ?? []) + [delta?["citation"] ?? .null])
                case "input_json_delta": partial[index, default: ""] += delta?["partial_json"]?.stringValue ?? ""
                default: Issue.record("unexpected delta \(data)")
                }
                blocks[index] = block
            default: continue
            }
        }
        let ordered = blocks.keys.sorted().map { blocks[$0]! }
        #expect(ordered.map { $0["type"]?.stringValue ?? "" } == ["server_tool_use", "web_search_tool_result", "text", "text"])
        #expect(partial[0] == #"{"query":"keepers"}"# && ordered[0]["id"] == "srvtoolu_1")
        #expect(ordered[1]["content"]?.arrayValue?.first?["url"] == "https://example.org/k")
        #expect(ordered[2]["text"] == "Intro " && ordered[2]["citations"] == nil)
        #expect(ordered[3]["text"] == "Cited." && ordered[3]["citations"]?.arrayValue?.first?["cited_text"] == "Cited.")
        #expect(out.filter { $0.0 == "content_block_start" }.count == out.filter { $0.0 == "content_block_stop" }.count)
        #expect(out.first { $0.0 == "message_delta" }?.1["usage"]?["server_tool_use"] == ["web_search_requests": 1])
    }
}
