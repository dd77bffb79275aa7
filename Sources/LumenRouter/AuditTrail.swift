import Foundation
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRedaction

/// Builds the audit records of one request: the `decision` record written (durably) before any
/// remote request, and the `completion` record after. Never holds prompt or answer text: finding
/// values are read from the screened request only to compute their HMACs when a key is configured.
struct AuditTrail: Sendable {
    let requestID: String
    let base: AuditRecord
    let policy: Policy
    let decision: Decision
    private var completion: AuditRecord
    /// The last remote target the request was sent to, when another target answered or none did:
    /// the request left all the same, and the completion record and the headers say so.
    private(set) var attemptedEgress: AuditEgress?

    init(
        requestID: String, caller: Caller, policy: Policy, decision: Decision, screened: ScreenedRequest, context: RequestContext,
        hmac: AuditHMAC?, requestedModel: String?, streamed: Bool, decisionLatency: Duration
    ) {
        let classification = screened.classification
        self.requestID = requestID
        self.policy = policy
        self.decision = decision
        let record = AuditRecord(
            kind: .decision,
            id: requestID,
            tenant: caller.tenant,
            keyID: caller.keyID,
            policy: AuditPolicyRef(name: policy.name, hash: policy.contentHash),
            requestedModel: requestedModel,
            decision: AuditDecision(decision, policy: policy),
            classification: AuditClassification(classification, hmac: hmac, value: screened.valueReader()),
            context: Self.context(context, policy: policy),
            latency: AuditLatency(decisionMs: decisionLatency.milliseconds),
            status: .pending,
            streamed: streamed
        )
        var named = record
        named.api = screened.api.rawValue
        self.base = named
        self.completion = named
        self.completion.kind = .completion
    }

    /// What the policy's conditions read besides the classification, so a replay sees it too: the
    /// metadata keys and headers the rules name (values cut at 64 characters), binary parts, and
    /// the budgets left. Nil when there is none of it.
    static func context(_ context: RequestContext, policy: Policy) -> AuditContext? {
        let inputs = policy.inputs
        func cut(_ value: String) -> String { value.count <= 64 ? value : String(value.prefix(64)) }
        let metadata = context.metadata.filter { inputs.metadataKeys.contains($0.key) }.mapValues(cut)
        let headers = context.headers.filter { inputs.headerNames.contains($0.key) }.mapValues(cut)
        let labels = inputs.labels
        guard !labels.isEmpty || !context.binaryParts.isEmpty || context.remainingUSD != nil || context.tenantRemainingUSD != nil else {
            return nil
        }
        return AuditContext(
            metadata: metadata, headers: headers.isEmpty ? nil : headers, inputs: labels.isEmpty ? nil : labels,
            binaryParts: context.binaryParts.isEmpty ? nil : context.binaryParts,
            remainingUSD: context.remainingUSD, tenantRemainingUSD: context.tenantRemainingUSD
        )
    }

    /// The pre-egress record: what will leave and to whom.
    func decisionRecord(
        target: PolicyTarget, host: String?, bytesOut: Int, redactedTypes: Set<FindingType>, redaction: RedactionStats?
    ) -> AuditRecord {
        var record = base
        record.decision?.target = target.name
        record.decision?.route = target.route
        record.egress = AuditEgress(host: host ?? "unknown", bytesSent: bytesOut)
        if let redaction {
            record.redactions = redaction.byType.mapValues { AuditRedactionCounts(redacted: $0.values) }
            if var classification = record.classification {
                classification.findings = classification.findings.map { finding in
                    var f = finding
                    f.redacted = redactedTypes.contains(FindingType(f.type))
                    return f
                }
                record.classification = classification
            }
        }
        return record
    }

    /// Notes that `attempt`'s body is about to be sent (before the answer is known: a failure after
    /// sending still means the request left).
    mutating func sending(_ attempt: Router.Attempt) {
        guard attempt.backend.route == .remote else { return }
        attemptedEgress = AuditEgress(host: attempt.backend.host ?? "unknown", bytesSent: attempt.body?.bytes.count ?? 0)
    }

    /// Notes what a failed remote attempt moved, over its retries, when the provider counted it
    /// (the body's size once was only the first try).
    mutating func failed(_ attempt: Router.Attempt, _ error: BackendError) {
        guard attempt.backend.route == .remote, let moved = error.egress, var egress = attemptedEgress else { return }
        egress.bytesSent = max(egress.bytesSent, moved.sent)
        egress.bytesReceived = max(egress.bytesReceived, moved.received)
        attemptedEgress = egress
    }

    /// A remote attempt whose client hung up before its answer: the provider has read the prompt
    /// (and may have begun the answer), so the record and the budget are charged at least the
    /// prompt at the target's price, never nothing.
    mutating func clientLeft(_ attempt: Router.Attempt, estimatedInput: Int) {
        guard attempt.backend.route == .remote else { return }
        completion.usage = AuditUsage(promptTokens: estimatedInput, completionTokens: 0)
        completion.costUSD = attempt.target.estimatedCost(inputTokens: estimatedInput, outputTokens: 0)
    }

    /// Fills the completion record of a served request: `usage` as counted, with the prompt cache's
    /// counts and the web searches of the backend's own usage (`reported`).
    mutating func complete(
        attempt: Router.Attempt, status: Int, error: String?, usage: (prompt: Int, completion: Int), reported: Usage? = nil,
        searchesIfUncounted: Int = 0,
        cost: Double, fallbacks: [FallbackEvent], bytesSent: Int, bytesReceived: Int, restoration: RestorationStats,
        firstToken: Duration?, total: Duration
    ) {
        completion.decision?.target = attempt.name
        completion.decision?.route = attempt.backend.route
        let cache = Wire.cacheCounts(usage, usage: reported)
        let searches = reported.map(\.webSearchRequests) ?? searchesIfUncounted
        completion.usage = AuditUsage(
            promptTokens: usage.prompt, completionTokens: usage.completion, cacheReadTokens: cache.flatMap { $0.read > 0 ? $0.read : nil },
            cacheWriteTokens: cache.flatMap { $0.write > 0 ? $0.write : nil }, webSearches: searches > 0 ? searches : nil)
        completion.costUSD = cost
        completion.status = AuditStatus(state: error == nil ? "ok" : "error", code: status, error: error)
        completion.fallbacks = fallbacks.isEmpty ? nil : fallbacks.map { AuditFallback(from: $0.from, to: $0.to, reason: $0.reason) }
        if attempt.backend.route == .remote {
            completion.egress = AuditEgress(host: attempt.backend.host ?? "unknown", bytesSent: bytesSent, bytesReceived: bytesReceived)
        } else {
            completion.egress = attemptedEgress
        }
        if let session = attempt.redaction {
            var counts: [String: AuditRedactionCounts] = [:]
            for (type, c) in session.stats.byType {
                counts[type] = AuditRedactionCounts(redacted: c.values)
            }
            for (type, n) in restoration.restored {
                counts[type, default: AuditRedactionCounts(redacted: 0)].restored = n
            }
            for (type, n) in restoration.mangled {
                counts[type, default: AuditRedactionCounts(redacted: 0)].mangled = n
            }
            completion.redactions = counts
            if var classification = completion.classification {
                classification.findings = classification.findings.map { finding in
                    var f = finding
                    f.redacted = attempt.redactedTypes.contains(FindingType(f.type))
                    return f
                }
                completion.classification = classification
            }
        }
        let decisionMs = completion.latency?.decisionMs ?? 0
        completion.latency = AuditLatency(decisionMs: decisionMs, firstTokenMs: firstToken?.milliseconds, totalMs: total.milliseconds)
    }

    /// Fills the completion record of a request that failed or was blocked.
    mutating func fail(status: Int, error: String?, fallbacks: [FallbackEvent], target: String, route: RouteKind, total: Duration) {
        completion.decision?.target = target
        completion.decision?.route = route
        completion.status = AuditStatus(state: status == 403 ? "blocked" : "error", code: status, error: error)
        completion.fallbacks = fallbacks.isEmpty ? nil : fallbacks.map { AuditFallback(from: $0.from, to: $0.to, reason: $0.reason) }
        completion.costUSD = completion.costUSD ?? 0
        if let attemptedEgress { completion.egress = attemptedEgress }
        let decisionMs = completion.latency?.decisionMs ?? 0
        completion.latency = AuditLatency(decisionMs: decisionMs, firstTokenMs: nil, totalMs: total.milliseconds)
    }

    /// Marks a stream cut after its first byte (tokens and cost so far are kept).
    mutating func markStreamError(status: Int, error: String) {
        completion.status = AuditStatus(state: "error", code: status, error: error)
    }

    func completionRecord() -> AuditRecord { completion }
}
