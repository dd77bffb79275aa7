import Foundation
import Logging
import LumenAudit
import LumenCore
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

/// #17/#18: the audit store (a directory or the shared PostgreSQL store; here an in-memory line
/// store that can go down, the same `AuditLineStore` seam both use) cannot commit ⇒ nothing goes to
/// a remote provider, whatever `on_audit_failure` says; local answers follow `on_audit_failure`; a
/// budget reservation made before the failed write is released; the log resumes by itself.
@Suite struct AuditFailClosedTests {
    /// Lines kept in memory; while `down`, writes and reopens throw (a database that went away).
    final class MemoryLines: AuditLineStore, @unchecked Sendable {
        // Safe: every access holds `lock`.
        private let lock = NSLock()
        private var stored: [AuditLine] = []
        private var isDown = false

        var down: Bool {
            get { lock.withLock { isDown } }
            set { lock.withLock { isDown = newValue } }
        }
        var lines: [AuditLine] { lock.withLock { stored } }
        var label: String { "memory" }

        func write(_ lines: [AuditLine], sync: Bool) async throws {
            try lock.withLock {
                if isDown { throw StoreDown() }
                stored += lines
            }
        }

        func reopen() async throws -> AuditStoreOpening {
            try lock.withLock {
                if isDown { throw StoreDown() }
                return AuditStoreOpening(tail: stored.last.map { AuditTail(seq: $0.seq, hash: $0.hash) } ?? .genesis)
            }
        }

        func close() async throws {}
    }

    struct StoreDown: Error, CustomStringConvertible {
        var description: String { "connection refused (store down)" }
    }

    /// Request ids the budget hooks saw reserved and settled.
    final class Ledger: @unchecked Sendable {
        // Safe: every access holds `lock`.
        private let lock = NSLock()
        private var reservedIDs: [String] = []
        private var settledIDs: [String] = []
        var reserved: [String] { lock.withLock { reservedIDs } }
        var settled: [String] { lock.withLock { settledIDs } }

        var hooks: BudgetHooks {
            BudgetHooks(
                remaining: { _ in (nil, nil) },
                record: { record in self.lock.withLock { self.settledIDs.append(record.id) } },
                reserve: { request in
                    self.lock.withLock { self.reservedIDs.append(request.requestID) }
                    return .granted
                })
        }
    }

    static let policy = """
        name: failclosed
        \(TestPolicies.localAndRemoteTargets)
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        rules:
          - name: to-local
            when: { metadata: { route: local } }
            route: local
        default:
          route: remote
        """

    struct Setup {
        var router: Router
        var log: AuditLog
        var lines: MemoryLines
        var local: FakeBackend
        var remote: FakeBackend
        var ledger: Ledger
    }

    func make(mode: AuditFailureMode) async throws -> Setup {
        let extra = mode == .serveLocalUnaudited ? "\non_audit_failure: serve-local-unaudited\n" : ""
        let lines = MemoryLines()
        var configuration = AuditLogConfiguration(directory: "memory")
        configuration.retryInitial = 0.05
        configuration.retryMaximum = 0.1
        let log = try await AuditLog.open(store: lines, configuration: configuration)
        let local = FakeBackend(route: .local)
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let ledger = Ledger()
        let router = Router(
            configuration: RouterConfiguration(policy: try Policy.parse(yaml: Self.policy + extra, file: "failclosed.yaml", environment: [:])),
            backends: ["local": .ready(local), "remote": .ready(remote)], audit: .log(log), budget: ledger.hooks, logger: Logger(label: "test"))
        return Setup(router: router, log: log, lines: lines, local: local, remote: remote, ledger: ledger)
    }

    /// The status the client would see (200 once a stream has been read to its end).
    func ask(_ s: Setup, _ id: String, local: Bool = false, stream: Bool) async -> Int {
        let request = ChatCompletionRequest(
            model: "auto", messages: [ChatMessage(role: .user, text: "Name a colour.")], stream: stream ? true : nil,
            metadata: local ? .object(["route": .string("local")]) : nil)
        do {
            switch try await s.router.handle(request, caller: Caller(requestID: id, tenant: "t", keyID: "k")) {
            case .completion: return 200
            case .stream(_, let chunks):
                for try await _ in chunks {}
                return 200
            }
        } catch let error as RouterError {
            return error.status
        } catch {
            return -1
        }
    }

    @Test(
        "the audit store cannot commit: nothing reaches the remote provider, local answers follow on_audit_failure, the reservation is released",
        arguments: [AuditFailureMode.refuse, .serveLocalUnaudited], [false, true])
    func failsClosed(mode: AuditFailureMode, stream: Bool) async throws {
        let s = try await make(mode: mode)
        #expect(await ask(s, "ok-1", stream: stream) == 200)
        #expect(s.remote.received.count == 1)

        s.lines.down = true
        // The first request finds the log healthy and fails on its pre-egress record; the second
        // finds it unhealthy. Neither leaves.
        #expect(await ask(s, "down-1", stream: stream) == 503)
        #expect(await ask(s, "down-2", stream: stream) == 503)
        #expect(s.remote.received.count == 1, "a request reached the remote provider while the audit store was down")
        #expect(!s.router.readiness().ready)
        let localDuring = await ask(s, "down-local", local: true, stream: stream)
        #expect(localDuring == (mode == .refuse ? 503 : 200))
        #expect(s.local.received.count == (mode == .refuse ? 0 : 1))
        #expect(s.remote.received.count == 1)
        // Every reservation made was settled (released) by the request's completion, recorded or not.
        #expect(Set(s.ledger.reserved).isSubset(of: Set(s.ledger.settled)), "reserved \(s.ledger.reserved), settled \(s.ledger.settled)")

        s.lines.down = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !s.log.health.ok, ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(s.log.health.ok && s.router.readiness().ready)
        #expect(await ask(s, "ok-2", stream: stream) == 200)
        #expect(s.remote.received.count == 2)
        try await s.log.close()

        // What the store holds: a pre-egress decision record for each request that left (and none
        // for those refused), the outage noted as a recovery, and the chain intact.
        let decisions = s.lines.lines.filter { $0.kind == .decision }.map(\.id)
        #expect(decisions == ["ok-1", "ok-2"], "\(decisions)")
        #expect(s.lines.lines.contains { $0.kind == .recovery })
        let check = AuditVerifier.verifyChain(named: "memory", lines: s.lines.lines.map { Array($0.bytes.dropLast()) })
        #expect(check.issues.isEmpty && check.records == s.lines.lines.count, "\(check.issues)")
        #expect(check.recoveries.count == 1)
    }
}
