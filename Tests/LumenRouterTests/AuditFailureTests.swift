import Foundation
import Logging
import LumenAudit
import LumenCore
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

#if canImport(Glibc)
import Glibc
#endif

/// #18 item 6: a full audit disk. Writes fail with ENOSPC (injected in place of `write(2)`), then
/// space returns.
@Suite struct AuditFailureTests {
    /// A `write(2)` that fails with ENOSPC while `full` is set, after writing part of the buffer
    /// (as a real full disk does), so a torn line would be left without the repair.
    final class Disk: @unchecked Sendable {
        // Safe: `isFull` is only read and written under `lock`.
        private let lock = NSLock()
        private var isFull = false

        var full: Bool {
            get { lock.withLock { isFull } }
            set { lock.withLock { isFull = newValue } }
        }

        var write: @Sendable (Int32, UnsafeRawPointer, Int) -> Int {
            { [self] fd, buffer, count in
                if self.full {
                    if count > 10 { _ = Glibc.write(fd, buffer, count / 2) }  // a partial write, then no space
                    errno = ENOSPC
                    return -1
                }
                return Glibc.write(fd, buffer, count)
            }
        }
    }

    static let policy = """
        name: disk
        targets:
          - name: local
            kind: openai
            local: true
            base_url: http://127.0.0.1:1/v1
            model: local-model
        rules: []
        default:
          route: local
        """

    func setup(_ extra: String = "") async throws -> (Router, AuditLog, Disk, String, FakeBackend) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-disk-\(UUID().uuidString)").path
        let disk = Disk()
        var configuration = AuditLogConfiguration(directory: dir)
        configuration.writeCall = disk.write
        configuration.retryInitial = 0.05
        configuration.retryMaximum = 0.1
        let log = try await AuditLog.open(configuration)
        let local = FakeBackend(route: .local)
        let router = Router(
            configuration: RouterConfiguration(policy: try Policy.parse(yaml: Self.policy + extra, file: "disk.yaml", environment: [:])),
            backends: ["local": .ready(local)], audit: .log(log), logger: Logger(label: "test"))
        return (router, log, disk, dir, local)
    }

    func ask(_ router: Router, _ id: String) async -> Int {
        let request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "hello")])
        do {
            _ = try await router.handle(request, caller: Caller(requestID: id, tenant: "t", keyID: "k"))
            return 200
        } catch {
            return error.status
        }
    }

    @Test("full disk: not ready, local answers refused (default), no torn line, recovery by itself when space returns")
    func fullDiskRefusesThenRecovers() async throws {
        let (router, log, disk, dir, _) = try await setup()
        #expect(await ask(router, "before") == 200)
        disk.full = true
        #expect(await ask(router, "during-1") == 503)  // its completion record cannot be written: no answer
        #expect(!router.readiness().ready)
        #expect(await ask(router, "during-2") == 503)  // refused up front
        // No torn line while the disk is full: the failed batch was cut back.
        let files = try AuditFiles.logFiles(in: dir)
        let text = try String(contentsOfFile: dir + "/" + files.last!, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "torn line left behind")
        disk.full = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !log.health.ok, ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(log.health.ok)
        #expect(router.readiness().ready)
        #expect(await ask(router, "after") == 200)
        try await log.close()
        let report = try AuditVerifier.verify(directory: dir)
        #expect(report.intact && report.issues.isEmpty, "\(report.issues)")
        #expect(
            report.recoveries.contains { $0.recovery.reason?.contains("No space") == true || $0.recovery.reason?.contains("space") == true },
            "\(report.recoveries.map(\.recovery))")
        let ids = try AuditReader.records(in: dir).filter { $0.kind == .completion }.map(\.id)
        #expect(ids.contains("before") && ids.contains("after"))
        #expect(!ids.contains("during-2"))
    }

    @Test("full disk with on_audit_failure: serve-local-unaudited: local answers continue, the log notes the gap")
    func fullDiskServesLocalWhenAllowed() async throws {
        let (router, log, disk, dir, _) = try await setup("\non_audit_failure: serve-local-unaudited\n")
        disk.full = true
        #expect(await ask(router, "unaudited-1") == 200)
        #expect(await ask(router, "unaudited-2") == 200)
        #expect(!router.readiness().ready)
        disk.full = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !log.health.ok, ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        try await log.close()
        let report = try AuditVerifier.verify(directory: dir)
        #expect(report.intact, "\(report.issues)")
        #expect(!report.recoveries.isEmpty)
    }
}
