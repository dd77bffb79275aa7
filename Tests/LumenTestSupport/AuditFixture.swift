package import Foundation
package import LumenAudit

/// Writes synthetic but well-formed logs (for benchmarks and tests): a policy record, then requests
/// spread over `days` days — local ones as a single completion, remote ones as a pre-egress decision
/// plus a completion. Deterministic for a given `seed`.
package enum AuditFixture {
    package static let targets = [
        AuditTargetPrice(name: "local-small", route: .local, inputPerMillion: 0, outputPerMillion: 0),
        AuditTargetPrice(name: "remote-mini", route: .remote, host: "api.mini.example", inputPerMillion: 0.15, outputPerMillion: 0.6),
        AuditTargetPrice(name: "remote-big", route: .remote, host: "api.big.example", inputPerMillion: 3, outputPerMillion: 15),
    ]
    package static let policy = AuditPolicyRef(name: "fixture", hash: String(repeating: "ab", count: 32))

    /// Appends about `records` records through `log`; returns the number written.
    @discardableResult
    package static func generate(
        into log: AuditLog, records: Int, days: Int = 7, seed: UInt64 = 42, end: Date = Date(), fsync: AuditFsyncPolicy = .never
    ) async throws -> Int {
        var rng = seed
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        try await log.recordPolicy(
            policy, info: AuditPolicyInfo(targets: targets, budgets: [AuditBudget(tenant: nil, period: .daily, limitUSD: 100)]))
        var written = 1
        let endMs = Int64(end.timeIntervalSince1970 * 1000)
        let spanMs = Int64(days) * 86_400_000
        var request = 0
        let tenants = ["acme", "globex", "initech"]
        while written < records {
            request += 1
            let ms = endMs - spanMs + spanMs * Int64(written) / Int64(max(records, 1))
            let ts = AuditFiles.timestamp(milliseconds: ms)
            let r = next()
            let target = targets[Int(r % 10) < 6 ? 0 : (Int(r % 10) < 9 ? 1 : 2)]
            let prompt = 50 + Int((r >> 8) % 900)
            let completion = 20 + Int((r >> 20) % 400)
            let hasEmail = (r >> 32) % 5 == 0
            let findings = hasEmail ? [AuditFinding(type: "EMAIL_ADDRESS", start: 3, end: 20, score: 0.99, redacted: target.route == .remote)] : []
            let classification = AuditClassification(
                difficulty: Double((r >> 40) % 100) / 100, sensitivity: hasEmail ? 0.7 : 0.05, findings: findings,
                topics: [AuditTopic(topic: "finance", score: 0.4)], language: "en", estimatedTokens: prompt)
            let rule = hasEmail ? (target.route == .remote ? "redact-pii" : "pii-local") : (target.route == .local ? "easy-local" : "hard-remote")
            let decision = AuditDecision(
                target: target.name, route: target.route, action: hasEmail && target.route == .remote ? "redact" : "route", rule: rule,
                reason: "fixture")
            let id = "req-\(request)"
            let tenant = tenants[Int((r >> 48) % 3)]
            let redactions = hasEmail && target.route == .remote ? ["EMAIL_ADDRESS": AuditRedactionCounts(redacted: 1, restored: 1)] : nil
            if target.route == .remote {
                let plan = AuditEgress(host: target.host ?? "", bytesSent: prompt * 4)
                try await log.append(
                    AuditRecord(
                        kind: .decision, id: id, timestamp: ts, tenant: tenant, keyID: "k-\(tenant)", policy: policy, requestedModel: "auto",
                        decision: decision, classification: classification, redactions: redactions, egress: plan, status: .pending),
                    fsync: fsync)
                written += 1
            }
            try await log.append(
                AuditRecord(
                    kind: .completion, id: id, timestamp: ts, tenant: tenant, keyID: "k-\(tenant)", policy: policy, requestedModel: "auto",
                    decision: decision, classification: classification, redactions: redactions,
                    egress: target.route == .remote
                        ? AuditEgress(host: target.host ?? "", bytesSent: prompt * 4, bytesReceived: completion * 4) : nil,
                    usage: AuditUsage(promptTokens: prompt, completionTokens: completion),
                    costUSD: target.cost(AuditUsage(promptTokens: prompt, completionTokens: completion)),
                    latency: AuditLatency(decisionMs: 0.2, firstTokenMs: 80, totalMs: 900), status: .ok(), streamed: r % 2 == 0),
                fsync: fsync)
            written += 1
        }
        try await log.flush()
        return written
    }
}
