import Foundation
import LumenCore
import LumenFakeUpstream
import LumenTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A soak sized for CI (#18): a mixed load on `lumen serve` — remote answers whole and streamed,
/// injected upstream faults (5xx, resets, slow answers, cut streams), blocked requests, secrets
/// kept on the embedded model, malformed bodies — with a `kill -9` half-way and a restart on the
/// same audit directory. Every request ends (none hangs), every answered request that reached the
/// router has its completion record on disk, and the chain verifies. Prints the figures.
@Suite(.serialized, .enabled(if: Harness.ready, "\(Harness.skipReason)"))
struct SoakTests {
    static let apiKey = "soak-key-\(UUID().uuidString)"

    static let policy = """
        name: soak
        custom_terms: [BLOCKME]
        targets:
          - name: local
            kind: embedded
            max_output_tokens: 4
          - name: remote
            kind: openai
            base_url: ${LUMEN_REMOTE_BASE_URL}
            model: fake-remote-model
            api_key_env: LUMEN_REMOTE_API_KEY
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        rules:
          - name: forbidden
            when: { findings: { any_of: [CUSTOM_TERM] } }
            block: Forbidden by the soak policy.
          - name: secrets-local
            when: { findings: { any_of: [secrets], min_score: 0.5 } }
            route: local
        default:
          route: remote
        """

    /// One kind of request of the mix.
    enum Kind: String, CaseIterable, Sendable {
        case remote, remoteStream, fault500, faultReset, faultSlow, faultCut, blocked, secret, malformed

        var body: String {
            func chat(_ text: String, stream: Bool = false) -> String {
                #"{"model":"auto","max_tokens":16,"stream":\#(stream),"messages":[{"role":"user","content":"\#(text)"}]}"#
            }
            switch self {
            case .remote: return chat("Summarise the history of lighthouses in one line.")
            case .remoteStream: return chat("Stream a line about harbours.", stream: true)
            case .fault500: return chat("A line about tides [[fault:status=500]]")
            case .faultReset: return chat("A line about storms [[fault:reset]]")
            case .faultSlow: return chat("A line about fog [[fault:delay=300ms]]")
            case .faultCut: return chat("A line about buoys [[fault:cut-after=3]]", stream: true)
            case .blocked: return chat("please BLOCKME now")
            case .secret: return chat("Why does key AKIAZ7QX3MPL5NR2VT4E fail?")
            case .malformed: return #"{"model":"auto","messages":[{"role":"user","content":"unterminated"#
            }
        }

        var isFault: Bool { [.fault500, .faultReset, .faultSlow, .faultCut].contains(self) }
    }

    /// What happened to one request.
    struct Outcome: Sendable {
        var kind: Kind
        var status: Int?
        var requestID: String?
        var route: String?
        var hung = false
        var transportError: String?
    }

    static func send(_ kind: Kind, to baseURL: String) async -> Outcome {
        var request = URLRequest(url: URL(string: baseURL + "/v1/chat/completions")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "authorization")
        request.httpBody = Data(kind.body.utf8)
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            return Outcome(
                kind: kind, status: http?.statusCode, requestID: http?.value(forHTTPHeaderField: "x-lumen-request-id"),
                route: http?.value(forHTTPHeaderField: "x-lumen-route")
            )
        } catch let error as URLError where error.code == .timedOut {
            return Outcome(kind: kind, hung: true, transportError: "\(error)")
        } catch {
            return Outcome(kind: kind, transportError: "\(error)")
        }
    }

    /// `count` requests of the mix, `workers` at a time.
    static func load(_ count: Int, workers: Int, offset: Int, baseURL: String) async -> [Outcome] {
        let mix: [Kind] = [
            .remote, .remote, .remoteStream, .remote, .fault500, .remoteStream, .blocked, .faultReset, .remote,
            .faultSlow, .secret, .faultCut, .remoteStream, .malformed, .remote,
        ]
        return await withTaskGroup(of: [Outcome].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var outcomes: [Outcome] = []
                    var index = worker
                    while index < count {
                        outcomes.append(await send(mix[(index + offset) % mix.count], to: baseURL))
                        index += workers
                    }
                    return outcomes
                }
            }
            var all: [Outcome] = []
            for await part in group { all += part }
            return all
        }
    }

    @Test func mixedLoadWithFaultsAKillAndARestart() async throws {
        let dir = try Harness.temporaryDirectory("soak")
        defer { try? FileManager.default.removeItem(at: dir) }
        let upstream = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: FakeUpstreamOptions(echo: true))
        let policyPath = dir.appendingPathComponent("soak.yaml").path
        try Self.policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let keys = dir.appendingPathComponent("keys.yaml").path
        try "keys:\n  - sha256: \(KeyStoreHash.of(Self.apiKey))\n    tenant: soak\n".write(toFile: keys, atomically: true, encoding: .utf8)
        let auditDir = dir.appendingPathComponent("audit").path
        let arguments = [
            "--policy", policyPath, "--keys", keys, "--audit-dir", auditDir, "--model", Harness.modelPath ?? "", "--upstream-timeout", "5",
        ]
        let environment = [
            "LUMEN_REMOTE_BASE_URL": upstream.baseURL, "LUMEN_REMOTE_API_KEY": "upstream-key", "LUMEN_AUDIT_EGRESS_FSYNC": "write",
        ]

        // Phase 1, then kill -9 while the second burst is in flight.
        let first = try ServerProcess(arguments: arguments, environment: environment)
        try await first.waitUntilListening()
        var outcomes = await Self.load(150, workers: 6, offset: 0, baseURL: first.baseURL)
        let burst = Task { await Self.load(60, workers: 6, offset: 3, baseURL: first.baseURL) }
        try await Task.sleep(for: .milliseconds(400))
        kill(first.process.processIdentifier, SIGKILL)
        let duringKill = await burst.value
        outcomes += duringKill

        // Phase 2: a new process on the same audit directory.
        let second = try ServerProcess(arguments: arguments, environment: environment)
        try await second.waitUntilListening()
        outcomes += await Self.load(150, workers: 6, offset: 7, baseURL: second.baseURL)
        let exit = await second.terminate()
        let faults = await upstream.recordedRequests().filter { $0.body.contains("[[fault:") }.count
        await upstream.shutdown()

        // Every completion record on disk, by request id.
        let audit = URL(fileURLWithPath: auditDir)
        var completed = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: audit.path) where file.hasSuffix(".jsonl") {
            let text = try String(contentsOf: audit.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains(#""kind":"completion""#) {
                if let id = line.firstMatch(of: #/"id":"([^"]+)"/#)?.output.1 { completed.insert(String(id)) }
            }
        }
        let answered = outcomes.filter { $0.status != nil }
        let routed = answered.filter { ($0.route ?? "none") != "none" }
        let missing = routed.filter { !completed.contains($0.requestID ?? "") }
        let hung = outcomes.filter(\.hung)
        let verify = try Harness.runLumen(["audit", "verify", auditDir])
        var byStatus: [Int: Int] = [:]
        for outcome in answered { byStatus[outcome.status ?? 0, default: 0] += 1 }
        let byStatusText = byStatus.keys.sorted().map { "\($0): \(byStatus[$0]!)" }.joined(separator: ", ")
        print(
            """
            soak: \(outcomes.count) requests (\(Kind.allCases.count) kinds), \(faults) upstream faults injected, one kill -9 and a restart
            soak: answers by status \(byStatusText); \(outcomes.count - answered.count) cut by the kill (transport errors)
            soak: hung \(hung.count); routed answers \(routed.count), records missing \(missing.count); \
            verify: \(verify.stdout.split(separator: "\n").last ?? "")
            """)

        #expect(hung.isEmpty, "requests hung: \(hung.map(\.kind.rawValue))")
        #expect(missing.isEmpty, "answered without a record: \(missing.map { "\($0.kind.rawValue) \($0.requestID ?? "?")" })")
        #expect(outcomes.filter { $0.transportError != nil }.count <= duringKill.count, "transport errors outside the kill window")
        #expect(verify.status == 0 && verify.stdout.contains("chain intact"), "\(verify.stdout)\(verify.stderr)")
        #expect(exit == 0)
        #expect(faults > 0 && byStatus[403, default: 0] > 0 && byStatus[400, default: 0] > 0 && byStatus[200, default: 0] > 100)
        // Each kind got its answer: blocked 403, malformed 400, secret served locally.
        for outcome in answered where outcome.kind == .blocked { #expect(outcome.status == 403) }
        for outcome in answered where outcome.kind == .malformed { #expect(outcome.status == 400) }
        for outcome in answered where outcome.kind == .secret { #expect(outcome.route == "local") }
    }

    /// #18 item 1: a 3.9 MB local prompt of control-token strings (it held the server 217 s) and
    /// 40,000 tiny messages are refused as too long while `/healthz` keeps answering. How long the
    /// refusal takes is printed, not bounded: this is a debug build (the classifier reads the 3.9 MB
    /// in about 25 s of it alone, a release build in 0.6 s), and beside the suite's other servers
    /// on 2 cores it once took 94 s. What is checked is that the server answers probes meanwhile.
    @Test func aHugeLocalPromptDoesNotStallTheServer() async throws {
        let dir = try Harness.temporaryDirectory("stall")
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = dir.appendingPathComponent("local.yaml").path
        try "name: local\ntargets:\n  - name: local\n    kind: embedded\nrules: []\ndefault:\n  route: local\n"
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let server = try ServerProcess(
            arguments: ["--policy", policy, "--audit-dir", dir.appendingPathComponent("audit").path, "--model", Harness.modelPath ?? ""],
            environment: [:]
        )
        try await server.waitUntilListening()
        let bodies: [(String, Data)] = [
            (
                "3.9 MB of <|im_start|>",
                try JSONSerialization.data(withJSONObject: [
                    "model": "auto", "max_tokens": 4, "messages": [["role": "user", "content": String(repeating: "<|im_start|>", count: 325_000)]],
                ])
            ),
            (
                "40,000 messages",
                try JSONSerialization.data(withJSONObject: [
                    "model": "auto", "max_tokens": 4, "messages": Array(repeating: ["role": "user", "content": "hi"], count: 40_000),
                ])
            ),
        ]
        for (label, body) in bodies {
            var request = URLRequest(url: URL(string: server.baseURL + "/v1/chat/completions")!)
            request.httpMethod = "POST"
            request.timeoutInterval = 600
            request.setValue("application/json", forHTTPHeaderField: "content-type")
            request.httpBody = body
            let started = ContinuousClock.now
            let done = DoneFlag()
            let big = Task {
                defer { done.set() }
                return try await URLSession.shared.data(for: request)
            }
            var health: [Double] = []
            while true {
                let probe = ContinuousClock.now
                _ = try await URLSession.shared.data(from: URL(string: server.baseURL + "/healthz")!)
                let elapsed = probe.duration(to: .now)
                health.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                if health.count > 3, done.isSet { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let (data, response) = try await big.value
            let total = started.duration(to: .now)
            health.sort()
            print(
                "stall: \(label): answered \((response as? HTTPURLResponse)?.statusCode ?? 0) in \(total); /healthz \(health.count) probes, p50 \(health[health.count / 2]) ms, max \(health.last!) ms"
            )
            #expect((response as? HTTPURLResponse)?.statusCode == 400, "\(String(decoding: data.prefix(300), as: UTF8.self))")
            #expect(String(decoding: data, as: UTF8.self).contains("too long"))
            // Relative to the refusal's own time, so that a loaded machine that slows both does not
            // fail it: a server blocked by the request answers a probe about as late as the request.
            let totalMilliseconds = Double(total.components.seconds) * 1000 + Double(total.components.attoseconds) / 1e15
            #expect(
                health.last! < max(5000, totalMilliseconds / 2),
                "/healthz waited \(health.last!) ms while \(label) was refused in \(totalMilliseconds) ms")
        }
        _ = await server.terminate()
    }

}

extension SoakTests {
    /// A client that hangs up before its non-streamed local answer is ready frees the slot: the
    /// generation stops (or does not start), the record says 499 client_cancelled, and the next
    /// request is served at once. (The answer is held long by a schema that needs 1,000 numbers: ~30 s of tokens here.)
    @Test func aClientThatHangsUpFreesItsLocalSlot() async throws {
        let dir = try Harness.temporaryDirectory("hangup")
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = dir.appendingPathComponent("local.yaml").path
        try "name: local\ntargets:\n  - name: local\n    kind: embedded\nrules: []\ndefault:\n  route: local\n"
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let auditDir = dir.appendingPathComponent("audit")
        let server = try ServerProcess(
            arguments: ["--policy", policy, "--audit-dir", auditDir.path, "--model", Harness.modelPath ?? "", "--slots", "1", "--queue", "1"],
            environment: [:]
        )
        try await server.waitUntilListening()
        let long = try JSONSerialization.data(withJSONObject: [
            "model": "auto", "max_tokens": 3000, "temperature": 0, "messages": [["role": "user", "content": "List numbers."]],
            "response_format": [
                "type": "json_schema",
                "json_schema": [
                    "name": "n",
                    "schema": [
                        "type": "object", "properties": ["n": ["type": "array", "items": ["type": "integer"], "minItems": 1000]], "required": ["n"],
                        "additionalProperties": false,
                    ],
                ],
            ],
        ])
        // Raw connections: one reset right after its request (before the router reaches the local
        // model: the channel is gone by then), one closed after 1.5 s of generation.
        let hangUp = """
            import socket, struct, sys, time
            body = sys.stdin.buffer.read()
            request = b"POST /v1/chat/completions HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(request)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(request)
            time.sleep(1.5)
            s.close()
            """
        let bodyFile = dir.appendingPathComponent("long.json")
        try long.write(to: bodyFile)
        let hungUp = try await runProcess("/bin/sh", ["-c", "python3 -c '\(hangUp)' < \(bodyFile.path)"], timeout: 30)
        #expect(hungUp.status == 0, "\(hungUp.output)")
        let started = ContinuousClock.now
        var request = URLRequest(url: URL(string: server.baseURL + "/v1/chat/completions")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = Data(#"{"model":"auto","max_tokens":4,"messages":[{"role":"user","content":"Say hi"}]}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        let waited = started.duration(to: .now)
        print("hang-up: the next request was answered after \(waited)")
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        // Generating the thousand integers for the client that left takes about 30 s on an idle machine.
        #expect(waited < .seconds(25), "the slot was still generating for a client that had gone: \(waited)")
        // A streamed answer whose client leaves after its first bytes: the metrics count it as the
        // record does (499), not as a failed upstream (502).
        var streamed = try JSONSerialization.jsonObject(with: long) as? [String: Any] ?? [:]
        streamed["stream"] = true
        try JSONSerialization.data(withJSONObject: streamed).write(to: bodyFile)
        let streamHangUp = """
            import socket, sys, time
            body = sys.stdin.buffer.read()
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
            s.recv(4096)
            time.sleep(0.5)
            s.close()
            """
        let cut = try await runProcess("/bin/sh", ["-c", "python3 -c '\(streamHangUp)' < \(bodyFile.path)"], timeout: 60)
        #expect(cut.status == 0, "\(cut.output)")
        // A stream that waits for the busy slot and whose client leaves is cancelled at once, not
        // when the slot frees and its first write fails: its record comes while the slot is busy.
        let queued = """
            import glob, os, socket, sys, time
            streamed = sys.stdin.buffer.read()
            long = streamed.replace(b"\\"stream\\":true", b"\\"stream\\":false")
            def request(body):
                s = socket.create_connection(("127.0.0.1", \(server.port)))
                s.sendall(b"POST /v1/chat/completions HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
                return s
            def cancelled():
                lines = [l for f in glob.glob(os.path.join(sys.argv[1], "*.jsonl")) for l in open(f)]
                return sum(1 for l in lines if "client_cancelled" in l)
            def answered():
                lines = [l for f in glob.glob(os.path.join(sys.argv[1], "*.jsonl")) for l in open(f)]
                ok = chr(34) + "state" + chr(34) + ":" + chr(34) + "ok" + chr(34)
                return sum(1 for l in lines if ok in l)
            # The streamed hang-up before has its record (and has left the slot): on a loaded machine
            # it can still hold it, and the waiting stream would be refused (429) instead of queued.
            idle = time.time()
            while time.time() - idle < 60 and cancelled() < 3:
                time.sleep(0.1)
            busy = request(long)
            time.sleep(1.0)
            before = cancelled()
            finished = answered()
            waiting = request(streamed)
            time.sleep(1.0)
            waiting.close()
            started = time.time()
            # Its record comes while the busy request is still generating (a thousand integers take
            # tens of seconds), not once that one is answered and the slot frees.
            while time.time() - started < 60 and cancelled() == before and answered() == finished:
                time.sleep(0.1)
            found = cancelled() > before and answered() == finished
            print("queued stream recorded" if found else "no record while the slot was busy", round(time.time() - started, 2))
            busy.close()
            sys.exit(0 if found else 3)
            """
        let queuedRun = try await runProcess(
            "/bin/sh", ["-c", "python3 -c '\(queued)' \(auditDir.path) < \(bodyFile.path)"], timeout: 150)
        print("hang-up while queued: \(queuedRun.output)")
        #expect(queuedRun.status == 0, "\(queuedRun.output)")
        var metrics = ""
        let counted = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < counted {
            metrics = String(decoding: try await URLSession.shared.data(from: URL(string: server.baseURL + "/metrics")!).0, as: UTF8.self)
            if metrics.split(separator: "\n").contains(where: {
                $0.hasPrefix("lumen_requests_total") && $0.contains(#"status="499""#) && $0.hasSuffix(" 5")
            }) {
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let requests = metrics.split(separator: "\n").filter { $0.hasPrefix("lumen_requests_total") }
        #expect(requests.contains { $0.contains(#"status="499""#) && $0.hasSuffix(" 5") }, "\(requests)")
        #expect(!requests.contains { $0.contains(#"status="502""#) }, "\(requests)")
        _ = await server.terminate()
        let log = try ProxyEndToEndTests.auditLines(in: dir)
        #expect(log.filter { $0.contains(#""code":499"#) && $0.contains("client_cancelled") }.count == 5, "a hang-up without its record")
    }
}
