import Foundation
import Logging
import LumenCore
import LumenFakeUpstream
import LumenRouter
import LumenTestSupport
import Testing

/// `RouterRuntime.reload()`: the policy file as it is now, with the spend of the running ledger.
@Suite struct RouterRuntimeTests {
    /// One remote target that charges $1,000 per million output tokens and nothing for input,
    /// everything sent there; `limit` nil means no budget. The upstream echoes the prompt, so an
    /// answer runs to ~1,000 tokens (about $1) while the policy engine's estimate before a request
    /// assumes 256 ($0.256): whether a request is refused depends on the spend the ledger holds.
    static func policy(port: Int, limit: Double?) -> String {
        var text = """
            name: reload-\(limit.map { String($0) } ?? "unlimited")
            description: A remote-only policy for the reload tests.
            targets:
              - name: remote
                kind: openai
                base_url: http://127.0.0.1:\(port)/v1
                model: fake-remote-model
                price: { input_per_mtok: 0, output_per_mtok: 1000 }
            default:
              route: remote

            """
        if let limit {
            text += """
                budgets:
                  global:
                    daily_usd: \(limit)
                  on_exhausted: { block: Budget spent. }

                """
        }
        return text
    }

    /// The request's cost, or the error's status and message.
    static func send(_ runtime: RouterRuntime, _ id: String) async -> Result<Double, RouterError> {
        let prompt = String(repeating: "Lighthouses guide ships home along the rocky coast at night. ", count: 100)
        let request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: prompt)])
        do {
            switch try await runtime.router.handle(request, caller: Caller(requestID: id, tenant: "t", keyID: "k")) {
            case .completion(_, let info): return .success(info.costUSD)
            case .stream: return .failure(.internalError("unexpected stream"))
            }
        } catch {
            return .failure(error)
        }
    }

    @Test func reloadTakesNewLimitsAndKeepsTheSpend() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let upstream = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: FakeUpstreamOptions(echo: true))
        let policyPath = dir.appendingPathComponent("policy.yaml").path
        func write(limit: Double?) throws {
            try Self.policy(port: upstream.port, limit: limit).write(toFile: policyPath, atomically: true, encoding: .utf8)
        }
        try write(limit: nil)
        let runtime = try await RouterRuntime.start(
            RouterRuntime.Configuration(policyPath: policyPath, auditDirectory: dir.appendingPathComponent("audit").path),
            logger: Logger(label: "test")
        )

        // No budget: served. The first cost is what the next limits are measured against.
        let first = try #require(try? await Self.send(runtime, "r1").get())
        #expect(first > 0.6, "the answer must cost well over the $0.256 estimate")

        // A budget appears: the ledger is rebuilt from the log and already holds the first request.
        try await runtime.auditLog?.flush()
        try write(limit: first / 2)
        #expect(try await runtime.reload().name == "reload-\(first / 2)")
        guard case .failure(let spent) = await Self.send(runtime, "r2") else {
            Issue.record("served although the new budget was already spent")
            return
        }
        #expect(spent.status == 403 && spent.message == "Budget spent.", "\(spent)")

        // A larger limit: served again, and the ledger counts that request too.
        try write(limit: 100)
        _ = try await runtime.reload()
        let second = try #require(try? await Self.send(runtime, "r3").get())

        // A limit between the first spend and the sum of both: only a ledger that kept counting refuses.
        try write(limit: first + second / 2)
        _ = try await runtime.reload()
        if case .success = await Self.send(runtime, "r4") {
            Issue.record("served although both requests together exceed the limit")
        }

        // A file that does not load leaves the policy in force and says why, with the position.
        try "name: broken\ntargets:\n  - name: x\n    kind: nonsense\n".write(toFile: policyPath, atomically: true, encoding: .utf8)
        await #expect {
            try await runtime.reload()
        } throws: { error in
            "\(error)".contains("policy.yaml:4:11: error: unknown kind 'nonsense'")
        }
        #expect(runtime.policy.name == "reload-\(first + second / 2)")
        #expect(await upstream.recordedRequests().count == 2)

        await runtime.shutdown()
        await upstream.shutdown()
    }

    /// An Anthropic client's document given by URL: an OpenAI-compatible target cannot read it, so the
    /// rule's Anthropic fallback serves it with the document intact; with no such fallback the client
    /// gets a 400 that says so (it was a 502, the URL taken for unscreened binary data), and nothing
    /// leaves.
    @Test func aDocumentByURLGoesToATargetThatReadsIt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-docurl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let upstream = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: FakeUpstreamOptions(anthropic: true))
        func runtime(fallback: Bool) async throws -> RouterRuntime {
            let path = dir.appendingPathComponent("policy-\(fallback).yaml").path
            try """
            name: document-url
            targets:
              - name: openai
                kind: openai
                base_url: http://127.0.0.1:\(upstream.port)/v1
                model: fake-openai
              - name: claude
                kind: anthropic
                base_url: http://127.0.0.1:\(upstream.port)/v1
                model: fake-claude
            default:
              route: openai
              fallback: [\(fallback ? "claude" : "")]

            """.write(toFile: path, atomically: true, encoding: .utf8)
            return try await RouterRuntime.start(
                RouterRuntime.Configuration(policyPath: path, auditDirectory: dir.appendingPathComponent("audit-\(fallback)").path),
                logger: Logger(label: "test"))
        }
        let body = try WireJSON.decode(
            JSONValue.self,
            from: #"""
                {"model":"auto","max_tokens":50,"messages":[{"role":"user","content":[
                  {"type":"document","source":{"type":"url","url":"https://docs.example.org/report.pdf"}},
                  {"type":"text","text":"Summarise the report."}]}]}
                """#)
        let inbound = try AnthropicInbound.decode(body)
        let file = inbound.conversation.messages[0].content
        guard case .parts(let parts) = file else {
            Issue.record("the document is not a part: \(file)")
            return
        }
        #expect(parts[0].type == "file" && parts[0].extra["file"]?["file_url"] == "https://docs.example.org/report.pdf")

        let served = try await runtime(fallback: true)
        guard case .completion(_, let info) = try await served.router.handle(inbound, caller: Caller(requestID: "d1", tenant: "t", keyID: "k"))
        else {
            Issue.record("expected a completion")
            return
        }
        #expect(info.target == "claude", "\(info.target)")
        let sent = await upstream.recordedRequests()
        #expect(sent.map(\.path) == ["/v1/messages"], "\(sent.map(\.path))")
        #expect(sent.first?.body.contains(#""url":"https://docs.example.org/report.pdf""#) == true, "\(sent.first?.body ?? "")")
        await served.shutdown()

        let refusing = try await runtime(fallback: false)
        await #expect {
            try await refusing.router.handle(inbound, caller: Caller(requestID: "d2", tenant: "t", keyID: "k"))
        } throws: { error in
            guard let error = error as? RouterError else { return false }
            return error.status == 400 && error.code == "unsupported_by_target" && error.message.contains("document given by URL")
        }
        #expect(await upstream.recordedRequests().count == 1)
        await refusing.shutdown()
        await upstream.shutdown()
    }
}
