import Foundation
import LumenAudit
import LumenClassifier
import LumenPolicy
import LumenTestSupport
import Testing

/// Replay through the real policy engine: log decisions made with one shipped policy for real
/// prompts, replay with another, and compare with deciding the same prompts directly.
@Suite struct ReplayWithPolicyTests {
    static let repoRoot = Harness.repoRoot.path

    static let prompts = [
        "What is the capital of France?",
        "Prove that there are infinitely many primes p such that p ≡ 3 (mod 4), then derive a bound on their density and implement a sieve in Rust that checks it up to 10^9 with a multi-step plan.",
        "My email is jane.doe@fastmail.fm and my card 4539 1488 0343 6467 was charged twice, can you draft a complaint?",
        "Patient John Smith, DOB 1970-03-04, diagnosed with type 2 diabetes: summarise his treatment options.",
        "Here is our config: AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Lr3TmWp and AKIAQ3EGRTSX4Z7MNB2K, why does the deploy fail?",
        "Translate 'good morning' into German.",
        "请帮我分析这份劳动合同中的竞业限制条款是否合法，并给出详细的法律依据和多步骤的论证。",
    ]

    func load(_ name: String) throws -> Policy {
        let environment = ["LUMEN_REMOTE_BASE_URL": "http://127.0.0.1:9/v1", "LUMEN_REMOTE_MODEL": "m"]
        return try PolicyLoader.load(path: "\(Self.repoRoot)/policies/\(name).yaml", environment: environment)
    }

    @Test func replayMatchesTheEngineOnTheSamePrompts() async throws {
        let original = try load("default")
        let replacement = try load("strict-local")
        let classifier = Classifier(configuration: original.classifierConfiguration)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
        var classifications: [Classification] = []
        for (index, prompt) in Self.prompts.enumerated() {
            let classification = classifier.classify(prompt)
            classifications.append(classification)
            let context = RequestContext(tenant: "acme", requestedModel: "auto")
            let decision = PolicyEngine.evaluate(original, classification, context)
            try await log.append(
                AuditRecord(
                    kind: .completion, id: "r\(index)", tenant: "acme",
                    policy: AuditPolicyRef(name: original.name, hash: original.contentHash), requestedModel: "auto",
                    decision: AuditDecision(decision, policy: original), classification: AuditClassification(classification),
                    usage: AuditUsage(promptTokens: classification.estimatedTokens, completionTokens: 100)
                ))
        }
        try await log.close()

        // Nothing raw in the log.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jsonl") }
        let text = try files.map { try String(contentsOfFile: "\(dir)/\($0)", encoding: .utf8) }.joined()
        #expect(!text.contains("jane.doe@fastmail.fm"))
        #expect(!text.contains("AKIAQ3EGRTSX4Z7MNB2K"))

        for (policy, name) in [(replacement, "strict-local"), (original, "default")] {
            let report = try AuditReplay.run(directory: dir, policy: policy)
            var local = 0
            var remote = 0
            var blocked = 0
            var changed = 0
            for classification in classifications {
                let direct = AuditDecision(
                    PolicyEngine.evaluate(policy, classification, RequestContext(tenant: "acme", requestedModel: "auto")),
                    policy: policy)
                let logged = AuditDecision(
                    PolicyEngine.evaluate(original, classification, RequestContext(tenant: "acme", requestedModel: "auto")),
                    policy: original)
                switch direct.route {
                case .local: local += 1
                case .remote: remote += 1
                case .blocked: blocked += 1
                }
                if direct.target != logged.target || direct.route != logged.route || direct.action != logged.action {
                    changed += 1
                }
            }
            #expect(report.requests == Self.prompts.count, "\(name)")
            #expect(report.after.local == local, "\(name)")
            #expect(report.after.remote == remote, "\(name)")
            #expect(report.after.blocked == blocked, "\(name)")
            #expect(report.changed == changed, "\(name)")
        }
        // Replaying with the same policy changes nothing; strict-local sends nothing out.
        #expect(try AuditReplay.run(directory: dir, policy: original).changed == 0)
        let strict = try AuditReplay.run(directory: dir, policy: replacement)
        #expect(strict.after.remote == 0)
        #expect(strict.after.egressByHost.isEmpty)
    }

    /// A request the policy sent remote that fell back to the local model is logged as served
    /// locally; replaying the same policy must still call it unchanged, and name the host the way the
    /// log does (with the port the base URL gives).
    @Test func replayComparesWithTheDecisionBeforeAFallback() async throws {
        let policy = try load("default")
        let classifier = Classifier(configuration: policy.classifierConfiguration)
        let classification = classifier.classify(Self.prompts[1])
        var decision = AuditDecision(
            PolicyEngine.evaluate(policy, classification, RequestContext(tenant: "acme", requestedModel: "auto")), policy: policy)
        #expect(decision.target == "remote")
        decision.target = "local"
        decision.route = .local
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
        var record = AuditRecord(
            kind: .completion, id: "f1", tenant: "acme", policy: AuditPolicyRef(name: policy.name, hash: policy.contentHash),
            requestedModel: "auto", decision: decision, classification: AuditClassification(classification),
            usage: AuditUsage(promptTokens: 50, completionTokens: 10))
        record.fallbacks = [AuditFallback(from: "remote", to: "local", reason: "HTTP 500")]
        record.egress = AuditEgress(host: "127.0.0.1:9", bytesSent: 300)
        try await log.append(record)
        try await log.close()
        let report = try AuditReplay.run(directory: dir, policy: policy)
        #expect(report.changed == 0 && report.before.remote == 1 && report.after.remote == 1)
        #expect(report.before.egressByHost == ["127.0.0.1:9": 1] && report.after.egressByHost == ["127.0.0.1:9": 1])
    }
}
