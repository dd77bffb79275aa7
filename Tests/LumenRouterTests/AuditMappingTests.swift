import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

/// One owner per mapping: what the router logs for a decision is what `lumen replay` derives from
/// the same decision, blocked requests say so everywhere, and a replay sees the inputs the rules saw.
@Suite struct AuditMappingTests {
    static let policyYAML = """
        name: mapping
        custom_terms: [BLOCKME]
        \(TestPolicies.localAndRemoteTargets)
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        rules:
          - name: forbidden
            when: { findings: { any_of: [CUSTOM_TERM] } }
            block: Forbidden here.
          - name: caller-wants-remote
            when: { metadata: { route: [remote] } }
            route: remote
          - name: header-wants-remote
            when: { headers: { x-route: [remote] } }
            route: remote
        default:
          route: local
        """

    struct Setup {
        var router: Router
        var dir: URL
        var log: AuditLog
        var policy: Policy
    }

    static func make(_ yaml: String = policyYAML) async throws -> Setup {
        let policy = try Policy.parse(yaml: yaml, file: "mapping.yaml", environment: [:])
        let dir = try Harness.temporaryDirectory("mapping")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir.path))
        let router = Router(
            configuration: RouterConfiguration(policy: policy),
            backends: ["local": .ready(FakeBackend(route: .local)), "remote": .ready(FakeBackend(route: .remote, host: "remote.example"))],
            audit: .log(log), logger: Logger(label: "test")
        )
        return Setup(router: router, dir: dir, log: log, policy: policy)
    }

    static func request(_ text: String, metadata: [String: String] = [:]) -> ChatCompletionRequest {
        ChatCompletionRequest(
            model: "auto", messages: [ChatMessage(role: .user, text: text)],
            metadata: metadata.isEmpty ? nil : .object(metadata.mapValues { .string($0) })
        )
    }

    static func records(_ s: Setup) async throws -> [AuditRecord] {
        try await s.log.flush()
        let files = try AuditFiles.logFiles(in: s.dir.path)
        return try files.flatMap { file in
            try String(contentsOfFile: s.dir.appendingPathComponent(file).path, encoding: .utf8)
                .split(separator: "\n").map { try WireJSON.decode(AuditRecord.self, from: String($0)) }
        }
    }

    @Test func blockedIsABlockedRouteEverywhere() async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        do {
            _ = try await s.router.handle(Self.request("please BLOCKME"), caller: Caller(requestID: "b1", tenant: "t", keyID: "k"))
            Issue.record("not blocked")
        } catch {
            #expect(error.status == 403)
            #expect(error.route?.route == .blocked && error.route?.target == "none")
        }
        let record = try #require(try await Self.records(s).first { $0.id == "b1" && $0.kind == .completion })
        #expect(record.decision?.route == .blocked && record.decision?.target == "none")
        // The router's record holds exactly what the one mapping gives for the same decision.
        let screened = try Screening.screen(
            Self.request("please BLOCKME"), classifier: Classifier(configuration: s.policy.classifierConfiguration), unknownFields: .drop)
        let decision = PolicyEngine.evaluate(s.policy, screened.classification, RequestContext(tenant: "t", requestedModel: "auto"))
        #expect(record.decision == AuditDecision(decision, policy: s.policy))
    }

    @Test func replayWithTheSamePolicyChangesNothing() async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let caller = Caller(requestID: "m1", tenant: "t", keyID: "k")
        _ = try await s.router.handle(Self.request("Tell me a fact.", metadata: ["route": "remote", "note": "not read by any rule"]), caller: caller)
        _ = try await s.router.handle(
            Self.request("Tell me another fact."),
            caller: Caller(requestID: "h1", tenant: "t", keyID: "k", headers: ["x-route": "remote", "x-other": "ignored"])
        )
        _ = try await s.router.handle(Self.request("And a third."), caller: Caller(requestID: "l1", tenant: "t", keyID: "k"))
        try await s.log.close()
        let records = try await Self.records(s)
        let logged = try #require(records.first { $0.id == "m1" && $0.kind == .completion })
        #expect(logged.decision?.route == .remote && logged.decision?.rule == "caller-wants-remote")
        // Only the inputs the rules read are kept.
        #expect(logged.context?.metadata == ["route": "remote"])
        #expect(logged.context?.inputs == ["header.x-route", "metadata.route"])
        let viaHeader = try #require(records.first { $0.id == "h1" && $0.kind == .completion })
        #expect(viaHeader.context?.headers == ["x-route": "remote"])

        let report = try AuditReplay.run(directory: s.dir.path, policy: s.policy)
        #expect(report.requests == 3)
        #expect(report.changed == 0, "transitions: \(report.transitions)")
        #expect(report.unrecordedInputs.isEmpty)

        // A policy reading a key the log never recorded: reported as such, not silently "re-decided".
        let other = try Policy.parse(
            yaml: Self.policyYAML.replacingOccurrences(of: "metadata: { route: [remote] }", with: "metadata: { team: [research] }"),
            file: "other.yaml", environment: [:]
        )
        let otherReport = try AuditReplay.run(directory: s.dir.path, policy: other)
        #expect(otherReport.unrecordedInputs == ["metadata.team": 3])
    }
}
