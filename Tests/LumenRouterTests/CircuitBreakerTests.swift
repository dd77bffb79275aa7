import Foundation
import Logging
import LumenAudit
import LumenCore
import LumenPolicy
import LumenTestSupport
import Synchronization
import Testing

@testable import LumenRouter

/// A clock a test moves by hand.
private final class ManualInstant: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    func advance(_ by: Duration) { instant.withLock { $0 += by } }
    var now: @Sendable () -> ContinuousClock.Instant { { [self] in instant.withLock { $0 } } }
}

/// Circuit breakers (#18 item 4): a dead upstream costs one failure per window, not one per request.
@Suite struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresThenProbesOnePerWindow() {
        // The breakers read a clock the test moves: no sleeping, and no window a loaded machine can
        // let pass between a failure and the next admission.
        let clock = ManualInstant()
        let breakers = CircuitBreakers(settings: BreakerSettings(failures: 3, openFor: .seconds(2)), now: clock.now)
        #expect(breakers.admit("r") == .allow)
        breakers.failed("r")
        breakers.succeeded("r")  // a success resets the count
        breakers.failed("r")
        breakers.failed("r")
        #expect(breakers.admit("r") == .allow)
        #expect(breakers.failed("r"))  // the third in a row opens it
        #expect(breakers.admit("r") == .skip(secondsLeft: 2))
        #expect(breakers.admit("other") == .allow)  // per target
        clock.advance(.milliseconds(1_500))
        #expect(breakers.admit("r") == .skip(secondsLeft: 0.5))  // still open, the time left counts down
        clock.advance(.milliseconds(500))
        #expect(breakers.admit("r") == .probe)  // the window is over: one request probes
        #expect(breakers.admit("r") == .skip(secondsLeft: 0))  // one probe at a time
        #expect(breakers.failed("r"))  // a failed probe opens it again, for a whole window
        clock.advance(.milliseconds(1_999))
        guard case .skip = breakers.admit("r") else {
            Issue.record("not open again")
            return
        }
        clock.advance(.milliseconds(1))
        #expect(breakers.admit("r") == .probe)
        breakers.released("r")  // a probe without a verdict: the next request probes instead
        #expect(breakers.admit("r") == .probe)
        breakers.succeeded("r")
        #expect(breakers.admit("r") == .allow)
    }

    static let policyYAML = """
        name: breaker
        \(TestPolicies.localAndRemoteTargets)
        rules: []
        default:
          route: remote
          fallback: [local]
        """

    @Test(arguments: [false, true])
    func aDeadUpstreamIsSkippedAtOnceWhileOpen(stream: Bool) async throws {
        let policy = try Policy.parse(yaml: Self.policyYAML, file: "breaker.yaml", environment: [:])
        let local = FakeBackend(route: .local)
        let remote = FakeBackend(route: .remote, host: "remote.example", failure: BackendError(.timeout, "timed out"))
        let log = try await AuditLog.open(AuditLogConfiguration(directory: try Harness.temporaryDirectory("breaker").path, fsync: .never))
        let breakers = CircuitBreakers(settings: BreakerSettings(failures: 3, openFor: .seconds(60)))
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(local), "remote": .ready(remote)],
            audit: .log(log), logger: Logger(label: "test"), breakers: breakers
        )
        var reasons: [String] = []
        for index in 0..<10 {
            var request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Tell me a fact.")])
            if stream { request.stream = true }
            let result = try await router.handle(request, caller: Caller(requestID: "r\(index)", tenant: "t", keyID: "k"))
            let info: RouteInfo
            switch result {
            case .completion(_, let i): info = i
            case .stream(let i, let events):
                info = i
                for try await _ in events {}
            }
            #expect(info.target == "local")
            reasons.append(info.fallbacks.first?.reason ?? "")
        }
        // Three requests paid the timeout; the other seven fell back without trying the remote.
        #expect(remote.received.count == 3)
        #expect(local.received.count == 10)
        #expect(reasons.prefix(3).allSatisfy { $0.contains("timed out") })
        #expect(reasons.dropFirst(3).allSatisfy { $0.contains("circuit open") }, "\(reasons)")
        try await log.flush()
    }
}

extension CircuitBreakerTests {
    /// A target that refuses a request (400, 413) is up: refusals never open its breaker, so one
    /// client replaying a history the provider rejects does not lock every other client out. A rate
    /// limit (429) neither opens nor closes it; a 5xx does open it.
    @Test(arguments: [(400, false), (413, false), (422, false), (429, false), (500, true), (503, true)])
    func refusalsDoNotOpenTheBreaker(status: Int, opens: Bool) async throws {
        let policy = try Policy.parse(yaml: Self.policyYAML, file: "breaker.yaml", environment: [:])
        let local = FakeBackend(route: .local)
        let remote = FakeBackend(route: .remote, host: "remote.example", failure: BackendError(.failure, "HTTP \(status)", status: status))
        let log = try await AuditLog.open(AuditLogConfiguration(directory: try Harness.temporaryDirectory("breaker").path, fsync: .never))
        let breakers = CircuitBreakers(settings: BreakerSettings(failures: 3, openFor: .seconds(60)))
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(local), "remote": .ready(remote)],
            audit: .log(log), logger: Logger(label: "test"), breakers: breakers
        )
        for index in 0..<6 {
            let request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Tell me a fact.")])
            _ = try? await router.handle(request, caller: Caller(requestID: "r\(index)", tenant: "t", keyID: "k"))
        }
        // Every request reached the target unless the breaker opened after the third.
        #expect(remote.received.count == (opens ? 3 : 6), "\(status)")
        #expect((breakers.admit("remote") == .allow) != opens)
        try await log.flush()
    }
}
