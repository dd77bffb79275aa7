import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenProviders
import LumenRedaction
import LumenTestSupport
import Testing

@testable import LumenRouter

@Suite struct RouterTests {
    static let policyYAML = """
        name: unit
        custom_terms: [BLOCKME]
        \(TestPolicies.localAndRemoteTargets)
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        rules:
          - name: forbidden
            override_requested_model: true
            when: { findings: { any_of: [CUSTOM_TERM] } }
            block: Forbidden here.
          - name: secrets-local
            override_requested_model: true
            when: { findings: { any_of: [secrets] } }
            route: local
          - name: pii-redacted
            override_requested_model: true
            when: { findings: { any_of: [personal] } }
            redact: remote
            fallback: [local]
          - name: to-remote
            when: { metadata: { route: remote } }
            route: remote
            fallback: [local]
        default:
          route: local
        """

    struct Setup {
        var router: Router
        var local: FakeBackend
        var remote: FakeBackend
        var auditDir: URL
        var log: AuditLog?
    }

    func make(
        remoteFailure: BackendError? = nil, failAfterChunks: Int? = nil, auditAvailable: Bool = true, policyExtra: String = "",
        remoteUsage: Usage? = Usage(promptTokens: 100, completionTokens: 50), localFailure: BackendError? = nil
    ) async throws -> Setup {
        let policy = try Policy.parse(yaml: Self.policyYAML + policyExtra, file: "unit.yaml", environment: [:])
        let local = FakeBackend(route: .local, failure: localFailure)
        let remote = FakeBackend(route: .remote, host: "remote.example", failure: remoteFailure, failAfterChunks: failAfterChunks, usage: remoteUsage)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-router-\(UUID().uuidString)")
        var log: AuditLog?
        let sink: AuditSink
        if auditAvailable {
            let opened = try await AuditLog.open(AuditLogConfiguration(directory: dir.path))
            log = opened
            sink = .log(opened)
        } else {
            sink = .unavailable("test")
        }
        let router = Router(
            configuration: RouterConfiguration(policy: policy),
            backends: ["local": .ready(local), "remote": .ready(remote)],
            audit: sink,
            logger: Logger(label: "test")
        )
        return Setup(router: router, local: local, remote: remote, auditDir: dir, log: log)
    }

    func request(
        _ text: String, model: String = "auto", stream: Bool = false, metadata: [String: String] = [:], usage: Bool = false
    ) -> ChatCompletionRequest {
        ChatCompletionRequest(
            model: model,
            messages: [ChatMessage(role: .user, text: text)],
            stream: stream ? true : nil,
            streamOptions: usage ? StreamOptions(includeUsage: true) : nil,
            metadata: metadata.isEmpty ? nil : .object(metadata.mapValues { .string($0) })
        )
    }

    func auditLines(_ setup: Setup) async throws -> [String] {
        try await setup.log?.flush()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: setup.auditDir.path)) ?? []
        return try files.sorted().flatMap {
            try String(contentsOfFile: setup.auditDir.appendingPathComponent($0).path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    @Test func remoteRouteCostsAndAuditsBeforeAndAfter() async throws {
        let s = try await make()
        let result = try await s.router.handle(
            request("Tell me a fact.", metadata: ["route": "remote"]), caller: Caller(requestID: "r1", tenant: "t", keyID: "k"))
        guard case .completion(let response, let info) = result else {
            Issue.record("expected completion")
            return
        }
        #expect(info.route == .remote && info.target == "remote" && info.rule == "to-remote" && info.egressHost == "remote.example")
        #expect(response.usage?.cost == (100 * 1.0 + 50 * 2.0) / 1_000_000)
        #expect(info.costUSD == response.usage?.cost)
        let lines = try await auditLines(s)
        let decision = try #require(lines.firstIndex { $0.contains(#""kind":"decision""#) && $0.contains(#""id":"r1""#) })
        let completion = try #require(lines.firstIndex { $0.contains(#""kind":"completion""#) && $0.contains(#""id":"r1""#) })
        #expect(decision < completion)
        #expect(!lines.joined().contains("Tell me a fact"))
    }

    @Test func unknownModelIs404AndEmptyMessagesIs400() async throws {
        let s = try await make()
        await #expect(throws: RouterError.self) {
            try await s.router.handle(request("hi", model: "gpt-99"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        }
        do {
            _ = try await s.router.handle(request("hi", model: "gpt-99"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        } catch {
            #expect(error.status == 404)
        }
        do {
            _ = try await s.router.handle(ChatCompletionRequest(model: "auto", messages: []), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
            Issue.record("no error")
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test func blockedIs403WithTheRuleMessage() async throws {
        let s = try await make()
        do {
            _ = try await s.router.handle(request("please BLOCKME now"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
            Issue.record("not blocked")
        } catch {
            #expect(error.status == 403 && error.message == "Forbidden here.")
        }
        #expect(s.local.received.isEmpty && s.remote.received.isEmpty)
    }

    @Test func secretsStayLocalEvenWhenRemoteIsRequested() async throws {
        let s = try await make()
        let result = try await s.router.handle(
            request("key AKIAZ7QX3MPL5NR2VT4E", model: "remote"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected completion")
            return
        }
        #expect(info.route == .local && info.overrideReason != nil)
        #expect(s.remote.received.isEmpty)
    }

    @Test func failureFallsBackToLocalAndIsRecorded() async throws {
        let s = try await make(remoteFailure: BackendError(.failure, "HTTP 500", status: 500))
        let result = try await s.router.handle(request("x", metadata: ["route": "remote"]), caller: Caller(requestID: "r2", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected completion")
            return
        }
        #expect(info.target == "local" && info.fallbacks.count == 1 && info.fallbacks[0].from == "remote")
        // The request left for the remote before it failed: the header and the completion record say
        // where, though the local model answered.
        #expect(info.egressHost == "remote.example")
        let lines = try await auditLines(s)
        #expect(lines.contains { $0.contains(#""kind":"completion""#) && $0.contains(#""fallbacks""#) && $0.contains(#""host":"remote.example""#) })
    }

    /// The remote target failed after the request reached it, and the local fallback refuses the
    /// request: the refusal still says where the request went.
    @Test func aRefusalAfterARemoteAttemptNamesItsEgress() async throws {
        let s = try await make(remoteFailure: BackendError(.failure, "HTTP 500", status: 500), localFailure: BackendError(.invalid, "too long"))
        do {
            _ = try await s.router.handle(request("x", metadata: ["route": "remote"]), caller: Caller(requestID: "r3", tenant: "t", keyID: "k"))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.status == 400 && error.route?.egressHost == "remote.example", "\(error)")
        }
    }

    /// A provider's failure carries what its tries moved to the backend's error (the record's egress);
    /// a failure before any try (nothing sent) carries none.
    @Test func providerFailureCarriesItsEgress() {
        var stats = EgressStats(host: "api.example:8443", bytesSent: 900, bytesReceived: 40, attempts: 3)
        let tried = ProviderBackend.map(ProviderError(kind: .http(status: 500, bodyExcerpt: "{}"), message: "HTTP 500", egress: stats))
        #expect(tried.egress?.sent == 900 && tried.egress?.received == 40 && tried.status == 500)
        stats = EgressStats(host: "api.example:8443")
        #expect(ProviderBackend.map(ProviderError(kind: .connect, message: "refused", egress: stats)).egress == nil)
    }

    /// One name per target host everywhere (records, header, replay, `lumen route`): host and port,
    /// never the credentials or the path.
    @Test func egressHostIsHostAndPort() {
        #expect(egressHost(of: "https://api.openai.com/v1") == "api.openai.com")
        #expect(egressHost(of: "http://127.0.0.1:9100/v1/") == "127.0.0.1:9100")
        #expect(egressHost(of: "https://user:secret@proxy.example:8443/openai") == "proxy.example:8443")
        #expect(egressHost(of: "http://[::1]:8080") == "[::1]:8080")
    }

    /// An upstream's usage is input: counts no request can have (2^63 - 1 without a total, negative)
    /// and missing usage are replaced by Lumen's estimates, streamed or not, so cost stays finite and
    /// positive and nothing traps.
    @Test(arguments: [Usage(promptTokens: Int.max, completionTokens: 1), Usage(promptTokens: -5_000_000, completionTokens: 3), nil])
    func implausibleUpstreamUsageIsEstimated(usage: Usage?) async throws {
        for stream in [false, true] {
            let s = try await make(remoteUsage: usage)
            let text = "a long enough question for the remote model to answer"
            let result = try await s.router.handle(
                request(text, stream: stream, metadata: ["route": "remote"], usage: true), caller: Caller(requestID: "u", tenant: "t", keyID: "k"))
            var counted: Usage?
            switch result {
            case .completion(let response, _): counted = response.usage
            case .stream(_, let chunks): for try await chunk in chunks where chunk.usage != nil { counted = chunk.usage }
            }
            let final = try #require(counted, "no usage (stream: \(stream))")
            #expect(
                final.promptTokens > 0 && final.promptTokens < 1_000 && final.completionTokens == TokenTally.estimate("echo: " + text), "\(final)")
            #expect((final.cost ?? -1) > 0 && (final.cost ?? .infinity) < 0.01, "\(final)")
        }
    }

    /// A remote attempt retried before it failed sent its body each time: the record counts what the
    /// provider counted over all tries, not the body once.
    @Test func failedAttemptRecordsTheBytesOfEveryTry() async throws {
        var failure = BackendError(.failure, "HTTP 500", status: 500)
        failure.egress = (sent: 4_321, received: 77)
        for stream in [false, true] {
            let s = try await make(remoteFailure: failure)
            let result = try await s.router.handle(
                request("x", stream: stream, metadata: ["route": "remote"]), caller: Caller(requestID: "r9", tenant: "t", keyID: "k"))
            if case .stream(_, let chunks) = result { for try await _ in chunks {} }
            let lines = try await auditLines(s)
            let completion = try #require(lines.first { $0.contains(#""kind":"completion""#) })
            #expect(completion.contains(#""bytes_sent":4321"#) && completion.contains(#""bytes_received":77"#), "\(completion)")
        }
    }

    /// A member only an Anthropic target takes is named once in the dropped fields when another
    /// target answers (it was named twice: by the adapter and as unsent by the body).
    @Test func anAnthropicOnlyMemberIsNamedOnce() async throws {
        let s = try await make()
        let body = try WireJSON.decode(
            JSONValue.self, from: #"{"model":"remote","max_tokens":8,"top_k":5,"messages":[{"role":"user","content":"hi"}]}"#)
        let result = try await s.router.handle(try AnthropicInbound.decode(body), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected completion")
            return
        }
        #expect(info.route == .remote && info.droppedFields.filter { $0.hasPrefix("top_k") }.count == 1, "\(info.droppedFields)")
    }

    @Test func timeoutWithoutFallbackIs504() async throws {
        let s = try await make(remoteFailure: BackendError(.timeout, "timed out"))
        do {
            _ = try await s.router.handle(request("x", model: "remote"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
            Issue.record("no error")
        } catch {
            #expect(error.status == 504)
        }
    }

    /// A target refusing the request itself is not the gateway failing: a client mistake keeps its
    /// 4xx (no retry), a rate limit stays 429, refused credentials are the gateway's 502, an
    /// overloaded target (503, Anthropic's 529) is a 503 (retried later, as the target asked).
    @Test(arguments: [
        (400, 400, "rejected_by_target"), (422, 422, "rejected_by_target"), (429, 429, "rate_limited_by_target"), (401, 502, "upstream_auth"),
        (500, 502, "upstream_error"), (503, 503, "upstream_overloaded"), (529, 503, "upstream_overloaded"),
    ])
    func targetRefusalsWithoutFallback(upstream: Int, status: Int, code: String) async throws {
        let s = try await make(remoteFailure: BackendError(.failure, "HTTP \(upstream) from remote.example: bad 'messages'", status: upstream))
        do {
            _ = try await s.router.handle(request("x", model: "remote"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
            Issue.record("no error")
        } catch {
            #expect(error.status == status && error.code == code)
            #expect(error.message.contains("bad 'messages'"))
        }
    }

    /// #18 item 6: unauditable ⇒ not ready, and by default (`on_audit_failure: refuse`) nothing is answered.
    @Test func auditUnavailableRefusesEverythingByDefault() async throws {
        let s = try await make(auditAvailable: false)
        #expect(!s.router.readiness().ready)
        for model in ["remote", "auto"] {
            do {
                _ = try await s.router.handle(request("x", model: model), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
                Issue.record("answered \(model) without an audit log")
            } catch {
                #expect(error.status == 503)
            }
        }
        #expect(s.remote.received.isEmpty && s.local.received.isEmpty)
    }

    @Test func auditUnavailableRefusesRemoteButServesLocalWhenThePolicySaysSo() async throws {
        let s = try await make(auditAvailable: false, policyExtra: "\non_audit_failure: serve-local-unaudited\n")
        do {
            _ = try await s.router.handle(request("x", model: "remote"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
            Issue.record("no error")
        } catch {
            #expect(error.status == 503)
        }
        #expect(s.remote.received.isEmpty)
        let local = try await s.router.handle(request("x"), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = local else {
            Issue.record("expected completion")
            return
        }
        #expect(info.route == .local)
    }

    @Test func redactedNonStreamingRestoresAndNothingRawLeaves() async throws {
        let s = try await make()
        let text = "Write to jane.doe@fastmail.fm or call +1 415-555-3142 today."
        let result = try await s.router.handle(request(text), caller: Caller(requestID: "r3", tenant: "t", keyID: "k"))
        guard case .completion(let response, let info) = result else {
            Issue.record("expected completion")
            return
        }
        #expect(info.route == .remote && info.redactedValues >= 2)
        let sent = try #require(s.remote.received.first?.messages.last?.text)
        #expect(!sent.contains("jane.doe@fastmail.fm") && !sent.contains("415-555-3142"))
        #expect(sent.contains("[EMAIL_1]"))
        #expect(response.choices[0].message.text == "echo: " + text)
        let lines = try await auditLines(s)
        #expect(!lines.joined().contains("jane.doe"))
        #expect(lines.contains { $0.contains(#""redactions""#) })
    }

    @Test func redactedStreamRestoresAcrossChunksAndCostsAtTheEnd() async throws {
        let s = try await make()
        let text = "Mail jane.doe@fastmail.fm and 李雷 at +1 415-555-3142 please."
        let result = try await s.router.handle(request(text, stream: true, usage: true), caller: Caller(requestID: "r4", tenant: "t", keyID: "k"))
        guard case .stream(let info, let chunks) = result else {
            Issue.record("expected stream")
            return
        }
        #expect(info.route == .remote)
        var out = ""
        var usage: Usage?
        for try await chunk in chunks {
            out += chunk.contentText
            if let u = chunk.usage { usage = u }
        }
        #expect(out == "echo: " + text)
        #expect(usage?.cost == (100 * 1.0 + 50 * 2.0) / 1_000_000)
        let sent = try #require(s.remote.received.first?.messages.last?.text)
        #expect(!sent.contains("jane.doe@fastmail.fm"))
        let lines = try await auditLines(s)
        let completion = try #require(lines.first { $0.contains(#""kind":"completion""#) && $0.contains(#""id":"r4""#) })
        #expect(completion.contains(#""cost_usd""#) && !completion.contains(#""cost_usd":0,"#))
    }

    @Test func streamFailingBeforeFirstChunkFallsBack() async throws {
        let s = try await make(remoteFailure: BackendError(.failure, "HTTP 500", status: 500))
        let result = try await s.router.handle(
            request("hello", stream: true, metadata: ["route": "remote"]), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        guard case .stream(let info, let chunks) = result else {
            Issue.record("expected stream")
            return
        }
        #expect(info.target == "local" && info.egressHost == "remote.example")
        var out = ""
        for try await chunk in chunks { out += chunk.contentText }
        #expect(out == "echo: hello")
    }

    @Test func streamCutAfterFirstChunkEndsWithAnError() async throws {
        let s = try await make(remoteFailure: BackendError(.failure, "connection reset"), failAfterChunks: 2)
        let result = try await s.router.handle(
            request("a long enough message", stream: true, metadata: ["route": "remote"]), caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        guard case .stream(_, let chunks) = result else {
            Issue.record("expected stream")
            return
        }
        var count = 0
        await #expect(throws: RouterError.self) {
            for try await _ in chunks { count += 1 }
        }
        #expect(count == 2)
        // The record names what left: the body before the cut (it said 0 bytes).
        let body = try #require(s.remote.bodies.first)
        let completion = try #require(try await auditLines(s).first { $0.contains(#""kind":"completion""#) })
        #expect(completion.contains(#""bytes_sent":\#(body.count)"#) && completion.contains(#""host":"remote.example""#), "\(completion)")
        // The upstream never counted the answer: its size is estimated from what came ("ech", "o: ").
        #expect(completion.contains(#""completion_tokens":2"#), "\(completion)")
    }

    /// A stream the upstream does not count is sized from what the upstream generated: text,
    /// tool-call arguments and thinking, Chinese at its own rate, before placeholders are restored.
    @Test func anUncountedStreamIsSizedFromTextAndToolArguments() {
        func chunk(_ delta: ChatDelta) -> ChatCompletionChunk {
            ChatCompletionChunk(id: "c", created: 0, model: "m", choices: [ChunkChoice(delta: delta)])
        }
        var pump = StreamPump(session: nil, clientWantsUsage: false)
        _ = pump.process(chunk(ChatDelta(content: "Hello there")))  // 10 non-space scalars: 2.5 tokens
        _ = pump.process(chunk(ChatDelta(content: "你好世界")))  // 4 Han characters: ~3.1 tokens
        _ = pump.process(
            chunk(ChatDelta(toolCalls: [ToolCallDelta(index: 0, function: .init(name: "search", arguments: #"{"q":"weather"}"#))])))  // 15: 3.75
        #expect(pump.generated.tokens == 10)
        // Thinking is generated (and billed) too: 10 non-space scalars more.
        _ = pump.process(chunk(ChatDelta(reasoning: .thinking("Let me think"))))
        #expect(pump.generated.tokens == 12)
        #expect(TokenTally.estimate("") == 0 && TokenTally.estimate("echo: hi") == 2)
    }

    /// Text the restorer holds back (it could still begin a placeholder) goes out before a new
    /// block of an Anthropic answer starts, not into that block.
    @Test func heldBackTextStaysInItsBlock() throws {
        func chunk(_ delta: ChatDelta) -> ChatCompletionChunk {
            ChatCompletionChunk(id: "c", created: 0, model: "m", choices: [ChunkChoice(delta: delta)])
        }
        let text = "Write to ann@fastmail.fm today."
        let start = Array(text.unicodeScalars).firstIndex(of: "a")!
        let session = try RedactionSession(
            texts: [text], findings: [[Finding(type: .email, start: start, end: start + 15, score: 0.9)]], pseudonymise: [.email])
        var pump = StreamPump(session: session, clientWantsUsage: false)
        var out: [ChatCompletionChunk] = []
        out += pump.process(chunk(ChatDelta(content: "See [")))  // "[" may begin "[EMAIL_1]": held
        var next = ChatDelta(content: "[EMAIL_1] wrote.")
        next.anthropicBlock = .textStart
        out += pump.process(chunk(next))
        out += pump.finish(usage: Usage(promptTokens: 1, completionTokens: 1), template: out.last)
        let boundary = try #require(out.firstIndex { $0.choices.first?.delta.anthropicBlock == .textStart })
        #expect(out[..<boundary].map(\.contentText).joined() == "See [")
        #expect(out[boundary...].map(\.contentText).joined() == "ann@fastmail.fm wrote.")
        #expect(pump.restoration.restored == ["EMAIL_ADDRESS": 1])
    }

    /// A server tool's query whose block the stream never closed: what the restorer held back still
    /// reaches the client when the stream ends.
    @Test func aServerToolQueryIsFlushedAtTheEnd() throws {
        let text = "Write to ann@fastmail.fm today."
        let start = Array(text.unicodeScalars).firstIndex(of: "a")!
        let session = try RedactionSession(
            texts: [text], findings: [[Finding(type: .email, start: start, end: start + 15, score: 0.9)]], pseudonymise: [.email])
        func chunk(_ block: AnthropicBlockDelta) -> ChatCompletionChunk {
            var delta = ChatDelta()
            delta.anthropicBlock = block
            return ChatCompletionChunk(id: "c", created: 0, model: "m", choices: [ChunkChoice(delta: delta)])
        }
        var pump = StreamPump(session: session, clientWantsUsage: false)
        var out = pump.process(chunk(.start(["type": "server_tool_use", "id": "s1", "name": "web_search", "input": [:]])))
        out += pump.process(chunk(.delta(["type": "input_json_delta", "partial_json": #"{"query":"mail [EMAIL_"#])))
        out += pump.finish(usage: Usage(promptTokens: 1, completionTokens: 1), template: out.last)
        let partial = out.compactMap { chunk -> String? in
            guard case .delta(let delta)? = chunk.choices.first?.delta.anthropicBlock else { return nil }
            return delta["partial_json"]?.stringValue
        }
        #expect(partial.joined() == #"{"query":"mail [EMAIL_"#, "\(partial)")
    }

    /// A stream cut before the provider's final count still costs the web searches it began.
    @Test func aCutStreamCostsTheSearchesItBegan() throws {
        func chunk(_ block: AnthropicBlockDelta) -> ChatCompletionChunk {
            var delta = ChatDelta()
            delta.anthropicBlock = block
            return ChatCompletionChunk(id: "c", created: 0, model: "m", choices: [ChunkChoice(delta: delta)])
        }
        var pump = StreamPump(session: nil, clientWantsUsage: false)
        _ = pump.process(chunk(.start(["type": "server_tool_use", "id": "s1", "name": "web_search", "input": [:]])))
        _ = pump.process(chunk(.delta(["type": "input_json_delta", "partial_json": "{}"])))
        _ = pump.process(chunk(.stop))
        _ = pump.process(chunk(.start(["type": "web_search_tool_result", "tool_use_id": "s1", "content": []])))
        _ = pump.process(chunk(.start(["type": "server_tool_use", "id": "s2", "name": "web_fetch", "input": [:]])))
        #expect(pump.searchesStarted == 1)
        let policy = try Policy.parse(
            yaml:
                "name: p\ntargets:\n  - name: c\n    kind: anthropic\n    base_url: http://127.0.0.1:1/v1\n    model: m\n    price: { input_per_mtok: 1, output_per_mtok: 2 }\ndefault:\n  route: c\n",
            file: "p.yaml", environment: [:])
        let target = try #require(policy.target(named: "c"))
        let withSearch = Wire.cost((prompt: 1_000, completion: 0), usage: nil, searchesIfUncounted: pump.searchesStarted, on: target)
        #expect(abs(withSearch - (1_000.0 / 1_000_000 + 10.0 / 1_000)) < 1e-12)
        // The provider's own count, when it came, is the count: a call past max_uses begins a block
        // but is neither run nor billed.
        let counted = Usage(promptTokens: 1_000, completionTokens: 0, extra: ["server_tool_use": ["web_search_requests": 2]])
        #expect(abs(Wire.cost((prompt: 1_000, completion: 0), usage: counted, searchesIfUncounted: 3, on: target) - (0.001 + 0.02)) < 1e-12)
    }

    @Test func clientLeavingMidStreamIsAuditedAsCancelled() async throws {
        let s = try await make()
        // The client reads one chunk, then goes away (the stream is released unfinished).
        func readOneChunk() async throws {
            let result = try await s.router.handle(
                request("a long enough message to stream", stream: true, metadata: ["route": "remote"]),
                caller: Caller(requestID: "gone", tenant: "t", keyID: "k"))
            guard case .stream(_, let chunks) = result else {
                Issue.record("expected stream")
                return
            }
            var iterator = chunks.makeAsyncIterator()
            _ = try await iterator.next()
        }
        try await readOneChunk()
        var completion: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while completion == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            completion = try await auditLines(s).first { $0.contains(#""kind":"completion""#) && $0.contains(#""id":"gone""#) }
        }
        let line = try #require(completion)
        #expect(line.contains(#""code":499"#) && line.contains("client_cancelled"))
    }

    @Test func egressPreviewShowsWhatWouldLeave() throws {
        let policy = try Policy.parse(yaml: Self.policyYAML, file: "unit.yaml", environment: [:])
        let preview = try EgressPreview.preview(
            request("Email jane.doe@fastmail.fm now"), policy: policy, context: RequestContext(requestedModel: "auto"))
        guard case .leaves(let target, _, let body, let values) = preview.outcome else {
            Issue.record("expected the redacted request to leave, got \(preview.outcome)")
            return
        }
        #expect(target == "remote" && values == 1)
        #expect(body.json["messages"]?.arrayValue?.last?["content"] == "Email [EMAIL_1] now")
        let secret = try EgressPreview.preview(
            request("token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"), policy: policy, context: RequestContext(requestedModel: "auto")
        )
        guard case .local = secret.outcome else {
            Issue.record("expected the secret to stay local, got \(secret.outcome)")
            return
        }
    }

    /// The e2e policy's `hard-remote` threshold (0.85) must separate its easy and hard prompts
    /// (chat-like prompts score 0.65–0.8, the hard one above 0.9 with the built-in model).
    @Test func difficultySeparatesTheEndToEndPrompts() {
        let classifier = Classifier()
        let easy = classifier.classify(TestPrompts.easy).difficulty
        let hard = classifier.classify(TestPrompts.hard).difficulty
        #expect(easy < 0.85, "easy prompt difficulty \(easy)")
        #expect(hard >= 0.85, "hard prompt difficulty \(hard)")
    }
}
