package import LumenClassifier

/// The request fields a replayed policy sees, as stored in the log.
package struct AuditReplayInput: Sendable {
    package var id: String
    package var tenant: String?
    package var requestedModel: String?
    package var classification: Classification
    /// The context inputs the logging policy recorded (metadata and headers its rules read, binary
    /// parts, budgets left).
    package var context: AuditContext?
}

/// One side (logged or replayed) of a replay.
package struct AuditReplaySide: Codable, Sendable, Hashable {
    package var local = 0
    package var remote = 0
    package var blocked = 0
    package var costUSD = 0.0
    /// Requests that would send something out, by host.
    package var egressByHost: [String: Int] = [:]
    package var byRule: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case local, remote, blocked
        case costUSD = "cost_usd"
        case egressByHost = "egress_by_host"
        case byRule = "by_rule"
    }
}

/// What changes when the logged requests are re-decided by another policy.
package struct AuditReplayReport: Codable, Sendable {
    package var requests: Int
    package var changed: Int
    package var before: AuditReplaySide
    package var after: AuditReplaySide
    /// "old rule -> new rule" counts among changed decisions.
    package var transitions: [String: Int]
    /// Inputs the replayed policy's rules read that the log did not record (`metadata.KEY`,
    /// `header.NAME`), with the number of requests concerned: those rules were decided as if the
    /// input were absent, so their outcome there is not a re-decision.
    package var unrecordedInputs: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case requests, changed, before, after, transitions
        case unrecordedInputs = "unrecorded_inputs"
    }
}

/// Re-decides logged requests from their stored classifier outputs (no prompts needed). The
/// decision function is the policy engine (wired by the CLI); `prices` prices the new targets with the
/// logged token counts.
package enum AuditReplay {
    package static func run(
        directory: String, since: String? = nil, prices: [String: AuditTargetPrice], reads: [String] = [],
        decide: (AuditReplayInput) throws -> AuditDecision
    ) throws -> AuditReplayReport {
        try run(source: .directory(directory), since: since, prices: prices, reads: reads, decide: decide)
    }

    package static func run(
        source: AuditSource, since: String? = nil, prices: [String: AuditTargetPrice], reads: [String] = [],
        decide: (AuditReplayInput) throws -> AuditDecision
    ) throws -> AuditReplayReport {
        var report = AuditReplayReport(requests: 0, changed: 0, before: AuditReplaySide(), after: AuditReplaySide(), transitions: [:])
        func tally(_ side: inout AuditReplaySide, _ decision: AuditDecision, cost: Double, host: String?) {
            switch decision.route {
            case .local: side.local += 1
            case .remote: side.remote += 1
            case .blocked: side.blocked += 1
            }
            side.costUSD += cost
            if decision.route == .remote, let host { side.egressByHost[host, default: 0] += 1 }
            side.byRule[decision.rule, default: 0] += 1
        }
        _ = try AuditRequests.collect(in: source, since: since, as: AuditRecord.self, kind: \.kind, id: \.id) { record in
            guard var logged = record.decision, let stored = record.classification else { return }
            // A completion record names the target that served; after a fallback the policy had
            // decided the first one tried. The replay compares decisions, so it takes that one.
            if let decided = record.fallbacks?.first?.from, decided != logged.target {
                logged.target = decided
                // What left the machine says the decided target was remote, whatever the replayed
                // policy's table calls that name now.
                logged.route = record.egress != nil ? .remote : (prices[decided]?.route ?? logged.route)
            }
            let input = AuditReplayInput(
                id: record.id, tenant: record.tenant, requestedModel: record.requestedModel,
                classification: stored.classification, context: record.context)
            let recorded = Set(record.context?.inputs ?? [])
            for input in reads where !recorded.contains(input) { report.unrecordedInputs[input, default: 0] += 1 }
            let replayed = try decide(input)
            // What the answer used, its prompt-cache reads and writes included (the replayed target is
            // assumed to cache as the logged one did).
            let usage = record.usage ?? AuditUsage(promptTokens: stored.estimatedTokens, completionTokens: 0)
            report.requests += 1
            tally(&report.before, logged, cost: record.costUSD ?? 0, host: record.egress?.host ?? prices[logged.target]?.host)
            let newPrice = prices[replayed.target]
            let newCost = replayed.route == .blocked ? 0 : (newPrice?.cost(usage) ?? 0)
            tally(&report.after, replayed, cost: newCost, host: newPrice?.host)
            if replayed.target != logged.target || replayed.route != logged.route || replayed.action != logged.action {
                report.changed += 1
                report.transitions["\(logged.rule) -> \(replayed.rule)", default: 0] += 1
            }
        }
        return report
    }
}
