import AsyncHTTPClient
import Foundation
import LumenAudit
import LumenFakeUpstream
import LumenTestSupport
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// #18 item 5 end to end: `lumen serve` (file store, default durability) under a mixed load of
/// answered and blocked requests, killed with SIGKILL: every request that got an answer (200 or
/// 403) has its completion record in the audit directory.
@Suite(.serialized, .enabled(if: Harness.hasBinary, "\(Harness.noBinaryReason)"))
struct CrashRecordTests {
    static let policy = """
        name: crash
        custom_terms: [BLOCKME]
        targets:
          - name: remote
            kind: openai
            base_url: ${LUMEN_REMOTE_BASE_URL}
            model: fake-remote-model
            api_key_env: LUMEN_REMOTE_API_KEY
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        rules:
          - name: forbidden
            when: { findings: { any_of: [CUSTOM_TERM] } }
            block: Forbidden.
        default:
          route: remote
        """

    @Test("kill -9 under load: every answered or blocked request has its completion record")
    func everyAnswerHasItsRecord() async throws {
        let dir = try Harness.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let upstream = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: FakeUpstreamOptions(retainRecords: false))
        let policyPath = dir.appendingPathComponent("policy.yaml").path
        try Self.policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let auditDir = dir.appendingPathComponent("audit").path
        let server = try ServerProcess(
            arguments: ["--policy", policyPath, "--audit-dir", auditDir],
            environment: ["LUMEN_REMOTE_BASE_URL": upstream.baseURL, "LUMEN_REMOTE_API_KEY": "k", "LOG_LEVEL": "error"])
        try await server.waitUntilListening(timeout: 60)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let answered = IDs()
        let killed = DoneFlag()  // set before the kill: the workers stop at their next error
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var i = 0
                        while !Task.isCancelled, i < 400 {
                            i += 1
                            let text = (worker + i) % 3 == 0 ? "please BLOCKME now" : "hello number \(i)"
                            var request = HTTPClientRequest(url: server.baseURL + "/v1/chat/completions")
                            request.method = .POST
                            request.headers.add(name: "content-type", value: "application/json")
                            request.body = .bytes(
                                ByteBuffer(string: #"{"model":"auto","max_tokens":16,"messages":[{"role":"user","content":"\#(text)"}]}"#))
                            // A slow answer on a loaded machine is retried; an error after the kill
                            // means the server is gone.
                            guard let response = try? await http.execute(request, timeout: .seconds(60)),
                                let body = try? await response.body.collect(upTo: 1 << 20)
                            else {
                                if killed.isSet { return }
                                continue
                            }
                            _ = body
                            if let id = response.headers.first(name: "x-lumen-request-id"), [200, 403].contains(response.status.code) {
                                answered.add(id, status: Int(response.status.code))
                            }
                        }
                    }
                }
            }
        }
        // Kill once a few hundred requests were answered.
        let deadline = ContinuousClock.now + .seconds(300)
        while answered.count < 300, ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        killed.set()
        kill(server.process.processIdentifier, SIGKILL)
        await load.value
        try await http.shutdown()
        await upstream.shutdown()
        let recorded = Set(try AuditReader.records(in: auditDir).filter { $0.kind == .completion }.map(\.id))
        let (ids, blocked) = answered.snapshot
        let missing = ids.filter { !recorded.contains($0) }
        print("kill -9 (file store): \(ids.count) answered (\(blocked) blocked) before the kill, \(missing.count) without a completion record")
        #expect(ids.count >= 300)
        #expect(blocked > 50)
        #expect(missing.isEmpty, "answered without a record: \(missing.prefix(5))")
        // The log verifies (a torn tail, if any, is repairable, not tampering).
        let report = try AuditVerifier.verify(directory: auditDir)
        #expect(report.intact, "\(report.issues)")
    }
}

/// Request ids collected by many tasks.
final class IDs: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var ids: [String] = []
    private var blocked = 0
    func add(_ id: String, status: Int) {
        lock.lock()
        ids.append(id)
        if status == 403 { blocked += 1 }
        lock.unlock()
    }
    var count: Int { lock.withLock { ids.count } }
    var snapshot: ([String], Int) { lock.withLock { (ids, blocked) } }
}
