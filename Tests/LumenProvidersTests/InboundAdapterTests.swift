import LumenCore
import Testing

/// The inbound adapters (Anthropic Messages, OpenAI Responses) on their own: what a client's body
/// becomes in the internal conversation, and what the conversation's answer becomes for the client.
@Suite struct InboundAdapterTests {
    static func json(_ text: String) throws -> JSONValue { try WireJSON.decode(JSONValue.self, from: text) }

    @Test func anthropicConversationWithSystemBlocksToolsAndResults() throws {
        let body = try Self.json(
            """
            {"model":"claude-x","max_tokens":64,"system":[{"type":"text","text":"Be brief."}],
             "metadata":{"user_id":"u-7"},"stop_sequences":["END"],"top_k":5,"thinking":{"type":"adaptive"},
             "tools":[{"name":"Bash","description":"run","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}},
                      {"type":"web_search_20250305","name":"web_search"}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "messages":[
               {"role":"user","content":"List files."},
               {"role":"assistant","content":[{"type":"thinking","thinking":"…","signature":"s"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a.txt"},{"type":"text","text":"And now?"}]}],
             "surprise":1}
            """
        )
        let inbound = try AnthropicInbound.decode(body, headers: ["anthropic-beta": "x-1"])
        let c = inbound.conversation
        #expect(inbound.api == .anthropicMessages)
        #expect(c.messages.map(\.role) == [.system, .user, .assistant, .tool, .user])
        #expect(c.messages[0].text == "Be brief.")
        #expect(c.messages[2].toolCalls == [ToolCall(id: "toolu_1", function: FunctionCall(name: "Bash", arguments: #"{"command":"ls"}"#))])
        #expect(c.messages[3].toolCallId == "toolu_1" && c.messages[3].text == "a.txt")
        #expect(c.messages[4].text == "And now?")
        #expect(c.maxTokens == 64 && c.user == "u-7" && c.toolChoice == .required)
        #expect(c.tools?.map { $0.function?.name } == ["Bash"])
        #expect(c.extra["parallel_tool_calls"] == false && c.extra["top_k"] == 5)
        // The native body keeps what only Anthropic can take; unknown members are named and removed.
        #expect(inbound.native?.json["thinking"] != nil && inbound.native?.json["surprise"] == nil)
        #expect(inbound.unknownFields == ["surprise"])
        #expect(inbound.dropped.contains { $0.hasPrefix("tools[1]") } && inbound.dropped.contains { $0.hasPrefix("thinking") })
        #expect(inbound.passThroughHeaders["anthropic-beta"] == "x-1")
    }

    @Test(arguments: [
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, "model"),
        (#"{"model":"m","max_tokens":5,"messages":[]}"#, "messages"),
        (#"{"model":"m","max_tokens":5,"system":[{"type":"image"}],"messages":[{"role":"user","content":"hi"}]}"#, "system"),
        // A member of the wrong type is refused, not read as absent.
        (#"{"model":"m","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"hi"}]}"#, "stream"),
        (#"{"model":"m","max_tokens":5,"temperature":"hot","messages":[{"role":"user","content":"hi"}]}"#, "temperature"),
        (#"{"model":"m","max_tokens":5,"tools":"x","messages":[{"role":"user","content":"hi"}]}"#, "tools"),
        (#"{"model":"m","max_tokens":4.5,"messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"model":"m","max_tokens":"4","messages":[{"role":"user","content":"hi"}]}"#, "max_tokens"),
        (#"{"model":"m","max_tokens":5,"thinking":"on","messages":[{"role":"user","content":"hi"}]}"#, "thinking"),
        (#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}"#, "messages[0].content[0].text"),
        (#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text"),
        (
            #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":"notobj"}]}]}"#,
            "messages[1].content[0].input"
        ),
    ])
    func anthropicRefusalsNameTheMember(body: String, param: String) throws {
        let error = #expect(throws: InboundError.self) { try AnthropicInbound.decode(try Self.json(body)) }
        #expect(error?.param == param)
    }

    @Test(arguments: [
        (#"{"model":"m","input":"hi","stream":"yes"}"#, "stream"), (#"{"model":"m","input":"hi","temperature":"hot"}"#, "temperature"),
        (#"{"model":"m","input":"hi","tools":"x"}"#, "tools"), (#"{"model":"m","input":"hi","max_output_tokens":2.5}"#, "max_output_tokens"),
        (#"{"model":"m","input":5}"#, "input"), (#"{"model":"m","input":"hi","store":"no"}"#, "store"),
        (#"{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":5}]}]}"#, "input[0].content[0].text"),
        // A tool's output answers a call made before it.
        (#"{"model":"m","input":[{"role":"user","content":"go"},{"type":"function_call_output","call_id":"nope","output":"x"}]}"#, "input"),
    ])
    func responsesRefuseMembersOfTheWrongType(body: String, param: String) throws {
        let error = #expect(throws: InboundError.self) { try ResponsesInbound.decode(try Self.json(body)) }
        #expect(error?.param == param)
        // The right types pass.
        _ = try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","stream":false,"temperature":1,"max_output_tokens":16.0}"#))
    }

    /// A conversation or a prompt template stored at OpenAI cannot be read by any target: refused by
    /// name, not dropped (the answer would lack the history or the instructions).
    @Test(arguments: [
        (#"{"model":"m","input":"and then?","conversation":"conv_68a1"}"#, "conversation"),
        (#"{"model":"m","input":"and then?","conversation":{"id":"conv_68a1"}}"#, "conversation"),
        (#"{"model":"m","input":"hi","prompt":{"id":"pmpt_123","version":"2"}}"#, "prompt"),
    ])
    func responsesRefuseStateStoredAtOpenAI(body: String, param: String) throws {
        let error = #expect(throws: InboundError.self) { try ResponsesInbound.decode(try Self.json(body)) }
        #expect(error?.param == param && error?.message.contains("stored at OpenAI") == true)
    }

    /// Anthropic's version and beta headers pass to an Anthropic target only as what they are
    /// (feature names, dates): a value that could carry data is not passed on, and says so.
    @Test func anthropicHeadersPassOnlyAsVocabulary() throws {
        let body = try Self.json(#"{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}"#)
        let fine = try AnthropicInbound.decode(
            body, headers: ["anthropic-beta": "prompt-caching-2024-07-31, interleaved-thinking-2025-05-14", "anthropic-version": "2023-06-01"])
        #expect(fine.passThroughHeaders["anthropic-beta"] == "prompt-caching-2024-07-31, interleaved-thinking-2025-05-14")
        #expect(fine.passThroughHeaders["anthropic-version"] == "2023-06-01" && fine.dropped.isEmpty)
        let smuggled = try AnthropicInbound.decode(body, headers: ["anthropic-beta": "x-AKIAQ3EGZ7XKJ4PLM2RT"])
        #expect(smuggled.passThroughHeaders["anthropic-beta"] == nil && smuggled.dropped == ["header anthropic-beta"])
    }

    @Test func anthropicAnswerCarriesTextToolUseAndStopReason() {
        var message = ChatMessage(role: .assistant, text: "Running it.")
        message.toolCalls = [ToolCall(id: "toolu_9", function: FunctionCall(name: "Bash", arguments: #"{"command":"ls"}"#))]
        let answer = ChatCompletionResponse(
            id: "x", created: 1, model: "up-model", choices: [ChatChoice(message: message, finishReason: "tool_calls")],
            usage: Usage(promptTokens: 10, completionTokens: 4)
        )
        let out = AnthropicInbound.response(answer, requestedModel: "claude-x")
        let content = out["content"]?.arrayValue ?? []
        #expect(content.map { $0["type"]?.stringValue ?? "" } == ["text", "tool_use"])
        #expect(content[1]["input"]?["command"]?.stringValue == "ls" && content[1]["id"]?.stringValue == "toolu_9")
        #expect(out["stop_reason"]?.stringValue == "tool_use")
        #expect(out["usage"]?["input_tokens"]?.intValue == 10 && out["usage"]?["output_tokens"]?.intValue == 4)
    }

    /// `text.format` is the answer's shape: it becomes `response_format` (enforced by the embedded
    /// model, forwarded to an OpenAI target) instead of being dropped.
    @Test func responsesTextFormatBecomesResponseFormat() throws {
        let schema = #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#
        let strict = try ResponsesInbound.decode(
            try Self.json(
                #"{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"X","schema":\#(schema),"strict":true},"verbosity":"low"}}"#
            ))
        #expect(
            strict.conversation.responseFormat
                == ["type": "json_schema", "json_schema": ["name": "X", "schema": try Self.json(schema), "strict": true]])
        #expect(strict.dropped == ["text.verbosity"])
        let object = try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","text":{"format":{"type":"json_object"}}}"#))
        #expect(object.conversation.responseFormat == ["type": "json_object"] && object.dropped.isEmpty)
        let plain = try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","text":{"format":{"type":"text"}}}"#))
        #expect(plain.conversation.responseFormat == nil)
        for bad in [#"{"type":"json_schema","name":"X"}"#, #"{"type":"yaml"}"#] {
            #expect(throws: InboundError.self) {
                try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","text":{"format":\#(bad)}}"#))
            }
        }
    }

    /// Anthropic's structured outputs (`output_config.format`) are `response_format` for a target
    /// of another API (the embedded model enforces the schema); the effort asked for, by
    /// `output_config.effort` or a thinking budget, is `reasoning_effort`.
    @Test func anthropicOutputFormatAndEffortGoOn() throws {
        let schema = #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}"#
        func decode(_ members: String) throws -> InboundRequest {
            try AnthropicInbound.decode(
                try Self.json(#"{"model":"claude-x","max_tokens":64000,"messages":[{"role":"user","content":"Where?"}],\#(members)}"#))
        }
        let structured = try decode(#""output_config":{"format":{"type":"json_schema","schema":\#(schema)},"effort":"max"}"#)
        #expect(
            structured.conversation.responseFormat
                == ["type": "json_schema", "json_schema": ["name": "response", "schema": try Self.json(schema), "strict": true]])
        #expect(structured.conversation.extra["reasoning_effort"] == "high")
        #expect(!structured.dropped.contains { $0.hasPrefix("output_config") }, "\(structured.dropped)")
        #expect(structured.native?.json["output_config"] != nil)
        let budgets = [(1024, "low"), (8000, "medium"), (31999, "high")]
        for (budget, effort) in budgets {
            let thinking = try decode(#""thinking":{"type":"enabled","budget_tokens":\#(budget)}"#)
            #expect(thinking.conversation.extra["reasoning_effort"] == .string(effort), "\(budget)")
        }
        // The effort named wins over the budget; adaptive or disabled thinking names none.
        let both = try decode(#""thinking":{"type":"enabled","budget_tokens":31999},"output_config":{"effort":"low","task_budget":9}"#)
        #expect(both.conversation.extra["reasoning_effort"] == "low" && both.dropped.contains("output_config.task_budget (Anthropic targets only)"))
        for thinking in [#"{"type":"adaptive"}"#, #"{"type":"disabled"}"#] {
            #expect(try decode(#""thinking":\#(thinking)"#).conversation.extra["reasoning_effort"] == nil)
        }
        for bad in [
            #""output_config":{"format":{"type":"json_object"}}"#, #""output_config":{"effort":"extreme"}"#, #""thinking":{"type":"enabled"}"#,
        ] {
            #expect(throws: InboundError.self) { try decode(bad) }
        }
    }

    /// `reasoning.effort` is Chat Completions' `reasoning_effort` (Codex sends it on every request);
    /// `reasoning.summary` has no namesake and is named as dropped.
    @Test func responsesReasoningEffortBecomesReasoningEffort() throws {
        let both = try ResponsesInbound.decode(
            try Self.json(#"{"model":"m","input":"hi","reasoning":{"effort":"high","summary":"auto"}}"#))
        #expect(both.conversation.extra["reasoning_effort"] == "high" && both.dropped == ["reasoning.summary"])
        let effort = try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","reasoning":{"effort":"low","summary":null}}"#))
        #expect(effort.conversation.extra["reasoning_effort"] == "low" && effort.dropped.isEmpty)
        let none = try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","reasoning":null}"#))
        #expect(none.conversation.extra["reasoning_effort"] == nil && none.dropped.isEmpty)
        for bad in [#""high""#, #"{"effort":3}"#] {
            #expect(throws: InboundError.self) { try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"hi","reasoning":\#(bad)}"#)) }
        }
    }

    /// `instructions` apply to their own response: they are not part of what a later
    /// `previous_response_id` continues; `store: false` keeps nothing to continue.
    @Test func responsesInstructionsAreNotCarriedOverAndStoreFalseKeepsNothing() throws {
        let earlier = [ChatMessage(role: .user, text: "Remember orchard."), ChatMessage(role: .assistant, text: "Noted.")]
        let body = try Self.json(#"{"model":"m","instructions":"Answer in German.","previous_response_id":"resp_1","input":"And now?"}"#)
        let inbound = try ResponsesInbound.decode(body, history: { $0 == "resp_1" ? earlier : nil })
        #expect(inbound.conversation.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(inbound.conversation.messages[0].text == "Answer in German.")
        #expect(inbound.storable?.map(\.text) == ["Remember orchard.", "Noted.", "And now?"])
        let unstored = try ResponsesInbound.decode(
            try Self.json(#"{"model":"m","input":"hi","store":false}"#), history: { _ in nil })
        #expect(unstored.storable == nil && unstored.dropped.isEmpty)
    }

    /// An unknown `previous_response_id` is a 400 that names the id only when it has an id's shape:
    /// other text (markup, a prompt, 10 KB) is not echoed back.
    @Test func unknownPreviousResponseIsNamedOnlyWhenItIsAnId() throws {
        func message(_ id: String) throws -> String {
            let body = try Self.json(
                #"{"model":"m","input":"hi","previous_response_id":"# + String(decoding: WireJSON.encode(id), as: UTF8.self) + "}")
            do {
                _ = try ResponsesInbound.decode(body, history: { _ in nil })
            } catch {
                #expect(error.param == "previous_response_id")
                return error.message
            }
            Issue.record("no error for \(id)")
            return ""
        }
        #expect(try message("resp_0a1b-2C").contains("'resp_0a1b-2C'"))
        for odd in ["<script>alert(1)</script>", "resp 1", String(repeating: "a", count: 65), "ignore previous instructions"] {
            let text = try message(odd)
            #expect(!text.contains(odd) && text.contains("no stored response with that id"), "\(text)")
        }
        #expect(try message("").contains("no stored response with that id"))
    }

    /// A failed tool call (`is_error`) says so in the result's text for targets without the flag.
    @Test func anthropicToolErrorIsSaidInTheResult() throws {
        let body = try Self.json(
            """
            {"model":"m","max_tokens":9,"messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"city not found","is_error":true},
                                        {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"x"}],"is_error":true},
                                        {"type":"tool_result","tool_use_id":"t3","content":"ok"}]}]}
            """
        )
        let messages = try AnthropicInbound.decode(body).conversation.messages
        #expect(messages[2].text == "Error: city not found" && messages[2].extra["is_error"] == nil)
        #expect(messages[3].text == "Error: x")
        #expect(messages[4].text == "ok")
    }

    @Test func responsesItemsToolsAndHostedTools() throws {
        let body = try Self.json(
            """
            {"model":"gpt-x","instructions":"Be brief.","max_output_tokens":50,"store":false,
             "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
                      {"type":"custom","name":"apply_patch","description":"Patch files.","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}},
                      {"type":"namespace","name":"mcp_files","tools":[{"type":"function","name":"read","parameters":{"type":"object"}}]},
                      {"type":"web_search"}],
             "input":[
               {"type":"message","role":"developer","content":[{"type":"input_text","text":"Rules."}]},
               {"type":"message","role":"user","content":[{"type":"input_text","text":"Read a file."}]},
               {"type":"reasoning","encrypted_content":"zzz","summary":[]},
               {"type":"function_call","call_id":"c1","name":"read","namespace":"mcp_files","arguments":"{}"},
               {"type":"function_call_output","call_id":"c1","output":"contents"},
               {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"*** Begin Patch"},
               {"type":"custom_tool_call_output","call_id":"c2","output":"done"}]}
            """
        )
        let inbound = try ResponsesInbound.decode(body)
        let c = inbound.conversation
        #expect(c.messages.map(\.role) == [.system, .developer, .user, .assistant, .tool, .assistant, .tool])
        #expect(c.messages[3].toolCalls?.first?.function.name == "mcp_files__read")
        #expect(c.messages[5].toolCalls?.first?.function.arguments == #"{"input":"*** Begin Patch"}"#)
        #expect(c.tools?.compactMap { $0.function?.name } == ["exec_command", "apply_patch", "mcp_files__read"])
        #expect(inbound.dropped.contains { $0.contains("hosted tool web_search") })
        // A custom tool's grammar is not enforced, and that is said.
        #expect(inbound.dropped.contains("tools[1].format (grammar: the input is free text)"), "\(inbound.dropped)")
        // The earlier turn's reasoning goes no further, and says so.
        #expect(inbound.dropped.contains("input[2] (reasoning)"), "\(inbound.dropped)")
        // What Lumen remembers about a tool's origin never reaches the wire.
        let wire = try WireJSON.encodeString(c)
        #expect(!wire.contains("x_lumen") && !wire.contains("inboundKind") && !wire.contains("namespaced"))
    }

    @Test func responsesCallsGoBackInTheShapeOfTheToolOffered() throws {
        let body = try Self.json(
            """
            {"model":"gpt-x","input":"go",
             "tools":[{"type":"custom","name":"apply_patch"},
                      {"type":"namespace","name":"mcp_files","tools":[{"type":"function","name":"read","parameters":{"type":"object"}}]},
                      {"type":"function","name":"plain","parameters":{"type":"object"}}]}
            """
        )
        let request = try ResponsesInbound.decode(body).conversation
        var message = ChatMessage(role: .assistant, content: nil)
        message.toolCalls = [
            ToolCall(id: "a", function: FunctionCall(name: "apply_patch", arguments: #"{"input":"*** Begin Patch"}"#)),
            ToolCall(id: "b", function: FunctionCall(name: "mcp_files__read", arguments: #"{"path":"x"}"#)),
            ToolCall(id: "c", function: FunctionCall(name: "plain", arguments: "{}")),
        ]
        let answer = ChatCompletionResponse(
            id: "x", created: 1, model: "m", choices: [ChatChoice(message: message, finishReason: "tool_calls")], usage: nil)
        let object = ResponsesInbound.response(answer, id: "resp_0123456789", request: request)
        let whole = object["output"]?.arrayValue ?? []
        #expect(whole.map { $0["type"]?.stringValue ?? "" } == ["custom_tool_call", "function_call", "function_call"])
        // The response repeats the tools and the tool choice it was asked with.
        // (in the client's shapes: a custom tool without Lumen's note on its input, a namespace's
        // functions inside their namespace).
        let tools = object["tools"]?.arrayValue ?? []
        #expect(tools.map { $0["type"]?.stringValue ?? "" } == ["custom", "namespace", "function"])
        #expect(tools[0]["description"] == .null && tools[1]["name"] == "mcp_files" && tools[1]["tools"]?.arrayValue?.first?["name"] == "read")
        #expect(tools[2]["name"] == "plain" && object["tool_choice"] == "auto")
        var named = request
        named.toolChoice = .function(name: "plain")
        #expect(ResponsesInbound.response(answer, id: "resp_0123456789", request: named)["tool_choice"] == ["type": "function", "name": "plain"])
        named.toolChoice = .function(name: "apply_patch")
        #expect(ResponsesInbound.response(answer, id: "resp_0123456789", request: named)["tool_choice"] == ["type": "custom", "name": "apply_patch"])
        #expect(whole[0]["input"]?.stringValue == "*** Begin Patch")
        #expect(whole[1]["name"]?.stringValue == "read" && whole[1]["namespace"]?.stringValue == "mcp_files")
        #expect(whole[2]["name"]?.stringValue == "plain" && whole[2]["namespace"] == nil)

        // The same streamed: the item announced and the item done name the namespace.
        var encoder = ResponsesInbound.StreamEncoder(id: "resp_0123456789", created: 1, request: request)
        var events: [ResponsesInbound.StreamEncoder.Event] = []
        let call = ToolCallDelta(index: 0, id: "b", type: "function", function: .init(name: "mcp_files__read", arguments: #"{"path":"x"}"#))
        events += encoder.encode(ChatCompletionChunk(id: "x", created: 1, model: "m", choices: [ChunkChoice(delta: ChatDelta(toolCalls: [call]))]))
        events += encoder.finish(usage: Usage(promptTokens: 1, completionTokens: 1))
        let items = events.filter { $0.name.hasPrefix("response.output_item.") }.compactMap { $0.data["item"] }
        #expect(items.count == 2 && items.allSatisfy { $0["name"]?.stringValue == "read" && $0["namespace"]?.stringValue == "mcp_files" })
    }

    /// A conversation that used an Anthropic target's server tools goes on: their calls and results
    /// (web search, code execution) stay in the native body for that target and are left out of the
    /// conversation other targets read; a search result or a custom-content document the client
    /// supplies is text there.
    @Test func serverToolBlocksAndSearchResultsAreRead() throws {
        let body = try Self.json(
            #"""
            {"model":"m","max_tokens":50,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[
             {"role":"user","content":"Who won?"},
             {"role":"assistant","content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"winner"}},
               {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://e.x","title":"T","encrypted_content":"abc"}]},
               {"type":"text","text":"Team A won.","citations":[{"type":"web_search_result_location","url":"https://e.x","title":"T","cited_text":"A won","encrypted_index":"x"}]}]},
             {"role":"user","content":[{"type":"search_result","source":"https://kb","title":"KB","content":[{"type":"text","text":"Refunds take 5 days."}]},
               {"type":"document","source":{"type":"content","content":[{"type":"text","text":"Clause 7."}]}},{"type":"text","text":"And now?"}]}]}
            """#)
        let inbound = try AnthropicInbound.decode(body)
        let turns = inbound.conversation.messages
        #expect(turns.map(\.role) == [.user, .assistant, .user])
        #expect(turns[1].toolCalls == nil && turns[1].text == "Team A won.")
        #expect(turns[2].text.contains("KB\n\nRefunds take 5 days.") && turns[2].text.contains("Clause 7."), "\(turns[2].text)")
        #expect(inbound.native?.json["messages"] == body["messages"])
    }

    /// An answer cut at its token limit: the response is incomplete, and so is the item it was
    /// writing (a message, or a call whose arguments were cut), whole and streamed; items finished
    /// before it stay completed.
    @Test func theItemAnAnswerWasCutInIsIncomplete() throws {
        let request = try ResponsesInbound.decode(try Self.json(#"{"model":"m","input":"go","tools":[{"type":"function","name":"f"}]}"#))
            .conversation
        let cut = ChatCompletionResponse(
            id: "x", created: 1, model: "m", choices: [ChatChoice(message: ChatMessage(role: .assistant, text: "Once upon"), finishReason: "length")],
            usage: nil)
        let object = ResponsesInbound.response(cut, id: "resp_0123456789", request: request)
        #expect(object["status"] == "incomplete" && object["output"]?.arrayValue?.first?["status"] == "incomplete")
        var message = ChatMessage(role: .assistant, text: "Calling.")
        message.toolCalls = [ToolCall(id: "c", function: FunctionCall(name: "f", arguments: "{"))]
        let cutCall = ChatCompletionResponse(
            id: "x", created: 1, model: "m", choices: [ChatChoice(message: message, finishReason: "length")], usage: nil)
        let statuses = ResponsesInbound.response(cutCall, id: "resp_0123456789", request: request)["output"]?.arrayValue?.map { $0["status"] }
        #expect(statuses == ["completed", "incomplete"])
        let whole = ResponsesInbound.response(
            ChatCompletionResponse(
                id: "x", created: 1, model: "m", choices: [ChatChoice(message: ChatMessage(role: .assistant, text: "Done."), finishReason: "stop")],
                usage: nil), id: "resp_0123456789", request: request)
        #expect(whole["status"] == "completed" && whole["output"]?.arrayValue?.first?["status"] == "completed")
        // A refusal is incomplete too, and says why.
        let refused = ResponsesInbound.response(
            ChatCompletionResponse(
                id: "x", created: 1, model: "m",
                choices: [ChatChoice(message: ChatMessage(role: .assistant, text: "I can't."), finishReason: "content_filter")], usage: nil),
            id: "resp_0123456789", request: request)
        #expect(refused["status"] == "incomplete" && refused["incomplete_details"]?["reason"] == "content_filter")

        var encoder = ResponsesInbound.StreamEncoder(id: "resp_0123456789", created: 1, request: request)
        var events = encoder.encode(ChatCompletionChunk(id: "x", created: 1, model: "m", choices: [ChunkChoice(delta: ChatDelta(content: "Once"))]))
        events += encoder.encode(
            ChatCompletionChunk(id: "x", created: 1, model: "m", choices: [ChunkChoice(delta: ChatDelta(), finishReason: "length")]))
        events += encoder.finish(usage: Usage(promptTokens: 1, completionTokens: 1))
        let done = events.first { $0.name == "response.output_item.done" }?.data["item"]
        #expect(done?["status"] == "incomplete")
        #expect(events.last?.name == "response.incomplete" && events.last?.data["response"]?["output"]?.arrayValue?.first?["status"] == "incomplete")
    }
}
