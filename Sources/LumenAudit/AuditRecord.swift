package import LumenClassifier
package import LumenPolicy

/// What a line of the audit log is about.
package enum AuditRecordKind: String, Codable, Sendable, Hashable {
    /// A policy came into use: its name, content hash, target price table and budgets.
    case policy
    /// Written before a request leaves (status `pending`): what will leave and to whom.
    case decision
    /// Written when a request is done (or failed): tokens, cost, latency, status.
    case completion
    /// Written by the writer on open when it repaired a torn last line after a crash.
    case recovery
}

/// One line of the audit log. The writer fills `seq`, `prevHash` and `hash`; `timestamp` is
/// filled when empty. Never holds a prompt, an answer or a finding's value (only HMACs of values).
package struct AuditRecord: Codable, Sendable, Hashable {
    /// Schema version.
    package var version: Int
    package var kind: AuditRecordKind
    /// Position in the chain across all files, from 1. Set by the writer.
    package var seq: Int
    /// Request id; a decision and its completion share it.
    package var id: String
    /// UTC, ISO-8601 with milliseconds (`2026-11-23T00:45:44.123Z`). Filled by the writer when empty.
    package var timestamp: String
    package var tenant: String?
    /// Hash prefix of the caller's API key (see `AuditRecord.keyID(forAPIKey:)`).
    package var keyID: String?
    package var policy: AuditPolicyRef?
    /// The model the client asked for.
    package var requestedModel: String?
    /// The client API the request came in through (`chat-completions`, `anthropic-messages`,
    /// `responses`); absent in records written before Lumen had more than one.
    package var api: String?
    package var decision: AuditDecision?
    /// Classifier outputs that policy conditions read (no raw text).
    package var classification: AuditClassification?
    /// Request-context fields policies read (tenant and requested model are above).
    package var context: AuditContext?
    /// Finding counts by type.
    package var findingCounts: [String: Int]?
    /// Redactions applied, by finding type.
    package var redactions: [String: AuditRedactionCounts]?
    /// What left the machine (nil: nothing left).
    package var egress: AuditEgress?
    package var usage: AuditUsage?
    /// Cost in USD from the served target's price.
    package var costUSD: Double?
    package var latency: AuditLatency?
    package var status: AuditStatus?
    package var streamed: Bool?
    package var fallbacks: [AuditFallback]?
    /// For `policy` records: the price table and budgets.
    package var policyInfo: AuditPolicyInfo?
    /// For `recovery` records: what was repaired.
    package var recovery: AuditRecovery?
    /// Hash of the previous record in the chain (64 zeros for the first). Set by the writer.
    package var prevHash: String
    /// SHA-256 over the canonical record bytes without `hash` (see `AuditChain`). Set by the writer.
    package var hash: String?

    package static let currentVersion = 1

    package init(
        kind: AuditRecordKind,
        id: String,
        timestamp: String = "",
        tenant: String? = nil,
        keyID: String? = nil,
        policy: AuditPolicyRef? = nil,
        requestedModel: String? = nil,
        decision: AuditDecision? = nil,
        classification: AuditClassification? = nil,
        context: AuditContext? = nil,
        findingCounts: [String: Int]? = nil,
        redactions: [String: AuditRedactionCounts]? = nil,
        egress: AuditEgress? = nil,
        usage: AuditUsage? = nil,
        costUSD: Double? = nil,
        latency: AuditLatency? = nil,
        status: AuditStatus? = nil,
        streamed: Bool? = nil,
        fallbacks: [AuditFallback]? = nil,
        policyInfo: AuditPolicyInfo? = nil,
        recovery: AuditRecovery? = nil
    ) {
        self.version = Self.currentVersion
        self.kind = kind
        self.seq = 0
        self.id = id
        self.timestamp = timestamp
        self.tenant = tenant
        self.keyID = keyID
        self.policy = policy
        self.requestedModel = requestedModel
        self.decision = decision
        self.classification = classification
        self.context = context
        self.findingCounts = findingCounts ?? classification.map { Self.counts(of: $0.findings) }
        self.redactions = redactions
        self.egress = egress
        self.usage = usage
        self.costUSD = costUSD
        self.latency = latency
        self.status = status
        self.streamed = streamed
        self.fallbacks = fallbacks
        self.policyInfo = policyInfo
        self.recovery = recovery
        self.prevHash = AuditChain.genesisHash
        self.hash = nil
    }

    enum CodingKeys: String, CodingKey {
        case version = "v"
        case kind, seq, id
        case timestamp = "ts"
        case tenant
        case keyID = "key_id"
        case policy
        case requestedModel = "model"
        case api
        case decision, classification, context
        case findingCounts = "findings"
        case redactions, egress, usage
        case costUSD = "cost_usd"
        case latency, status, streamed, fallbacks
        case policyInfo = "policy_info"
        case recovery
        case prevHash = "prev_hash"
        case hash
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let sealing = encoder.userInfo[AuditChain.sealingKey] as? Bool ?? false
        try c.encode(version, forKey: .version)
        try c.encode(kind, forKey: .kind)
        try c.encode(id, forKey: .id)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encodeIfPresent(tenant, forKey: .tenant)
        try c.encodeIfPresent(keyID, forKey: .keyID)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encodeIfPresent(requestedModel, forKey: .requestedModel)
        try c.encodeIfPresent(api, forKey: .api)
        try c.encodeIfPresent(decision, forKey: .decision)
        try c.encodeIfPresent(classification, forKey: .classification)
        try c.encodeIfPresent(context, forKey: .context)
        try c.encodeIfPresent(findingCounts, forKey: .findingCounts)
        try c.encodeIfPresent(redactions, forKey: .redactions)
        try c.encodeIfPresent(egress, forKey: .egress)
        try c.encodeIfPresent(usage, forKey: .usage)
        try c.encodeIfPresent(costUSD, forKey: .costUSD)
        try c.encodeIfPresent(latency, forKey: .latency)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(streamed, forKey: .streamed)
        try c.encodeIfPresent(fallbacks, forKey: .fallbacks)
        try c.encodeIfPresent(policyInfo, forKey: .policyInfo)
        try c.encodeIfPresent(recovery, forKey: .recovery)
        if !sealing {
            try c.encode(seq, forKey: .seq)
            try c.encode(prevHash, forKey: .prevHash)
            try c.encodeIfPresent(hash, forKey: .hash)
        }
    }

    /// Finding counts by type name.
    package static func counts(of findings: [AuditFinding]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for finding in findings { counts[finding.type, default: 0] += 1 }
        return counts
    }
}

/// Which policy decided, by name and content hash.
package struct AuditPolicyRef: Codable, Sendable, Hashable {
    package var name: String
    package var hash: String

    package init(name: String, hash: String) {
        self.name = name
        self.hash = hash
    }
}

/// The policy engine's decision, as logged.
package struct AuditDecision: Codable, Sendable, Hashable {
    /// Target name from the policy (`none` when blocked).
    package var target: String
    package var route: RouteKind
    /// `route`, `redact` (remote after redaction) or `block`.
    package var action: String
    /// Name of the rule that matched (or `default`).
    package var rule: String
    package var reason: String

    package init(target: String, route: RouteKind, action: String, rule: String, reason: String) {
        self.target = target
        self.route = route
        self.action = action
        self.rule = rule
        self.reason = reason
    }
}

/// A finding without its value: type, offsets, score, and optionally the HMAC of the value.
package struct AuditFinding: Codable, Sendable, Hashable {
    package var type: String
    /// Offsets in Unicode scalars into the string at `location` (or into the classified text).
    package var start: Int
    package var end: Int
    package var score: Double
    /// HMAC-SHA256 of the normalised value (see `AuditHMAC`); nil when no key is configured.
    package var valueHMAC: String?
    /// Whether this span was redacted before anything left.
    package var redacted: Bool?
    /// Field path of the string the finding is in (`messages[2].tool_calls[0].function.arguments`).
    package var location: String?
    /// Whose words that string is (`user`, `system`, `tool_result`, …).
    package var area: String?
    /// True when the string could not be rewritten by redaction (absent otherwise).
    package var fixed: Bool?

    package init(
        type: String, start: Int, end: Int, score: Double, valueHMAC: String? = nil, redacted: Bool? = nil,
        location: String? = nil, area: String? = nil, fixed: Bool? = nil
    ) {
        self.type = type
        self.start = start
        self.end = end
        self.score = score
        self.valueHMAC = valueHMAC
        self.redacted = redacted
        self.location = location
        self.area = area
        self.fixed = fixed
    }

    /// A logged finding from a classifier finding. With `prompt` and `hmac`, the value's HMAC is stored
    /// (never the value); `redacted` says whether the span was masked before egress.
    package init(_ finding: Finding, prompt: String? = nil, hmac: AuditHMAC? = nil, redacted: Bool? = nil) {
        var digest: String?
        if let prompt, let hmac, let value = AuditFinding.value(of: finding, in: prompt) {
            digest = hmac.digest(value)
        }
        self.init(
            type: finding.type.rawValue, start: finding.start, end: finding.end, score: finding.score,
            valueHMAC: digest, redacted: redacted, location: finding.location?.path, area: finding.location?.area.rawValue,
            fixed: finding.location.map { $0.rewritable ? nil : true } ?? nil
        )
    }

    enum CodingKeys: String, CodingKey {
        case type, start, end, score
        case valueHMAC = "value_hmac"
        case redacted, location, area, fixed
    }

    /// The text a finding covers (offsets in Unicode scalars), or nil when out of range.
    package static func value(of finding: Finding, in text: String) -> String? {
        let scalars = text.unicodeScalars
        guard finding.start >= 0, finding.end >= finding.start, finding.end <= scalars.count else { return nil }
        let lower = scalars.index(scalars.startIndex, offsetBy: finding.start)
        let upper = scalars.index(lower, offsetBy: finding.end - finding.start)
        return String(scalars[lower..<upper])
    }

    /// Back to the classifier's type.
    package var finding: Finding {
        let place = location.map { path in
            FindingLocation(path: path, area: area.flatMap(TextArea.init(rawValue:)) ?? .request, rewritable: fixed != true)
        }
        return Finding(type: FindingType(type), start: start, end: end, score: score, location: place)
    }
}

/// A topic score without its evidence words.
package struct AuditTopic: Codable, Sendable, Hashable {
    package var topic: String
    package var score: Double

    package init(topic: String, score: Double) {
        self.topic = topic
        self.score = score
    }
}

/// The classifier's output as stored: everything `PolicyEngine.evaluate` reads, nothing raw.
package struct AuditClassification: Codable, Sendable, Hashable {
    package var difficulty: Double
    package var sensitivity: Double
    package var findings: [AuditFinding]
    package var topics: [AuditTopic]
    package var language: String
    package var estimatedTokens: Int
    /// The prompt-injection screen's verdicts per location (nil when nothing was screened or found).
    package var injections: [AuditInjection]?
    /// Findings and injection verdicts left out of this record past `loggedLimit` (nil: none).
    package var omitted: Int?

    /// At most this many findings, and as many injection verdicts, per record: a request that is
    /// nothing but e-mail addresses must not write a record many times its own size (a full disk
    /// makes the log unwritable, and then every remote request is refused). What policies and
    /// `lumen replay` read is kept: the strongest finding of each type and every flagged verdict first.
    package static let loggedLimit = 256

    package init(
        difficulty: Double, sensitivity: Double, findings: [AuditFinding], topics: [AuditTopic],
        language: String, estimatedTokens: Int
    ) {
        self.difficulty = difficulty
        self.sensitivity = sensitivity
        self.findings = findings
        self.topics = topics
        self.language = language
        self.estimatedTokens = estimatedTokens
    }

    /// Stores a classification. With `prompt` and `hmac`, each finding carries the HMAC of its value;
    /// `redactedTypes` marks findings of those types as redacted before egress.
    package init(
        _ classification: Classification, prompt: String? = nil, hmac: AuditHMAC? = nil,
        redactedTypes: Set<FindingType> = []
    ) {
        // The prompt read into scalars once, only when a digest is wanted (once per finding was quadratic).
        var scalars: [Unicode.Scalar]?
        self.init(
            classification, hmac: hmac, redactedTypes: redactedTypes,
            value: { finding in
                guard let prompt else { return nil }
                if scalars == nil { scalars = Array(prompt.unicodeScalars) }
                return scalars.flatMap(finding.text(in:))
            })
    }

    /// Stores a classification whose findings sit in different strings: `value` gives each finding's
    /// text (asked only when `hmac` is set, to store its digest).
    package init(
        _ classification: Classification, hmac: AuditHMAC?, redactedTypes: Set<FindingType> = [], value: (Finding) -> String?
    ) {
        self.init(
            difficulty: classification.difficulty,
            sensitivity: classification.sensitivity,
            findings: classification.findings.map { finding in
                var logged = AuditFinding(finding, redacted: redactedTypes.isEmpty ? nil : redactedTypes.contains(finding.type))
                if let hmac, let text = value(finding) { logged.valueHMAC = hmac.digest(text) }
                return logged
            },
            topics: classification.topics.map { AuditTopic(topic: $0.topic.rawValue, score: $0.score) },
            language: classification.language,
            estimatedTokens: classification.estimatedTokens
        )
        if !classification.injections.isEmpty { injections = classification.injections.map(AuditInjection.init) }
        limit()
    }

    /// Applies `loggedLimit` (see there).
    private mutating func limit() {
        var dropped = 0
        if findings.count > Self.loggedLimit {
            var strongest: [String: Int] = [:]
            for (index, finding) in findings.enumerated() where finding.score > (strongest[finding.type].map { findings[$0].score } ?? -1) {
                strongest[finding.type] = index
            }
            let first = Set(strongest.values)
            var kept = findings.indices.filter { first.contains($0) }
            for index in findings.indices where kept.count < Self.loggedLimit && !first.contains(index) { kept.append(index) }
            kept.sort()
            dropped += findings.count - kept.count
            findings = kept.map { findings[$0] }
        }
        if let all = injections, all.count > Self.loggedLimit {
            let kept = (all.filter(\.flagged) + all.filter { !$0.flagged }).prefix(Self.loggedLimit)
            dropped += all.count - kept.count
            injections = Array(kept)
        }
        if dropped > 0 { omitted = dropped }
    }

    enum CodingKeys: String, CodingKey {
        case difficulty, sensitivity, findings, topics, language, injections, omitted
        case estimatedTokens = "estimated_tokens"
    }

    /// The classification policies evaluate (topic evidence is not stored, so it is empty).
    package var classification: Classification {
        var classification = Classification(
            difficulty: difficulty,
            sensitivity: sensitivity,
            findings: findings.map(\.finding),
            topics: topics.compactMap { topic in
                Topic(rawValue: topic.topic).map { TopicScore(topic: $0, score: topic.score, evidence: []) }
            },
            language: language,
            estimatedTokens: estimatedTokens
        )
        classification.injections = (injections ?? []).map(\.located)
        return classification
    }
}

/// The injection screen's verdict on one location, as logged: place, score, kinds (never the text).
package struct AuditInjection: Codable, Sendable, Hashable {
    package var location: String
    package var area: String
    package var score: Double
    package var kinds: [String]
    /// At or above the screen's flag threshold.
    package var flagged: Bool

    package init(location: String, area: String, score: Double, kinds: [String], flagged: Bool) {
        self.location = location
        self.area = area
        self.score = score
        self.kinds = kinds
        self.flagged = flagged
    }

    package init(_ injection: LocatedInjection) {
        self.init(
            location: injection.location.path, area: injection.location.area.rawValue, score: injection.assessment.score,
            kinds: injection.assessment.kinds.map(\.rawValue), flagged: injection.assessment.flagged
        )
    }

    /// Back to the classifier's type (spans are not logged).
    package var located: LocatedInjection {
        LocatedInjection(
            location: FindingLocation(path: location, area: TextArea(rawValue: area) ?? .request, rewritable: true),
            assessment: InjectionAssessment(score: score, flagged: flagged, kinds: kinds.compactMap(InjectionKind.init(rawValue:)), findings: [])
        )
    }
}

/// Request-context fields beyond tenant and model that policies read (only those the policy uses).
package struct AuditContext: Codable, Sendable, Hashable {
    /// Values of the metadata keys the policy's rules read (only those; at most 64 characters each).
    package var metadata: [String: String]
    /// Values of the headers the policy's rules read (lower-cased names).
    package var headers: [String: String]?
    /// The inputs the logging policy's rules read (`metadata.KEY`, `header.NAME`), present or not:
    /// what a replay can rely on. Nil in records written before it was kept.
    package var inputs: [String]?
    /// Field paths of content the screen could not read (images, audio, files).
    package var binaryParts: [String]?
    /// USD left in the global and the tenant's budget when the request was decided (nil = no limit).
    package var remainingUSD: Double?
    package var tenantRemainingUSD: Double?

    package init(
        metadata: [String: String] = [:], headers: [String: String]? = nil, inputs: [String]? = nil, binaryParts: [String]? = nil,
        remainingUSD: Double? = nil, tenantRemainingUSD: Double? = nil
    ) {
        self.metadata = metadata
        self.headers = headers
        self.inputs = inputs
        self.binaryParts = binaryParts
        self.remainingUSD = remainingUSD
        self.tenantRemainingUSD = tenantRemainingUSD
    }

    enum CodingKeys: String, CodingKey {
        case metadata, headers, inputs
        case binaryParts = "binary_parts"
        case remainingUSD = "remaining_usd"
        case tenantRemainingUSD = "tenant_remaining_usd"
    }
}

/// Redactions of one finding type: masked before egress, put back in the answer, and placeholders
/// the remote model mangled (could not be restored).
package struct AuditRedactionCounts: Codable, Sendable, Hashable {
    package var redacted: Int
    package var restored: Int
    package var mangled: Int

    package init(redacted: Int, restored: Int = 0, mangled: Int = 0) {
        self.redacted = redacted
        self.restored = restored
        self.mangled = mangled
    }
}

/// What left the machine for one request.
package struct AuditEgress: Codable, Sendable, Hashable {
    package var host: String
    package var bytesSent: Int
    package var bytesReceived: Int

    package init(host: String, bytesSent: Int, bytesReceived: Int = 0) {
        self.host = host
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }

    enum CodingKeys: String, CodingKey {
        case host
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}

/// Token counts as served.
package struct AuditUsage: Codable, Sendable, Hashable {
    package var promptTokens: Int
    package var completionTokens: Int
    /// Of the prompt tokens, those the provider read from its prompt cache and those it wrote to it,
    /// as it counted them (absent when none, or when the counts are Lumen's estimate): they are
    /// priced apart, a read at a tenth of an input token at Anthropic.
    package var cacheReadTokens: Int?
    package var cacheWriteTokens: Int?
    /// Web searches the provider ran for the answer (absent when none): billed per call.
    package var webSearches: Int?

    package init(promptTokens: Int, completionTokens: Int, cacheReadTokens: Int? = nil, cacheWriteTokens: Int? = nil, webSearches: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.webSearches = webSearches
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case cacheReadTokens = "cache_read_tokens"
        case cacheWriteTokens = "cache_write_tokens"
        case webSearches = "web_search_requests"
    }
}

/// Latencies in milliseconds.
package struct AuditLatency: Codable, Sendable, Hashable {
    package var decisionMs: Double
    package var firstTokenMs: Double?
    package var totalMs: Double?

    package init(decisionMs: Double, firstTokenMs: Double? = nil, totalMs: Double? = nil) {
        self.decisionMs = decisionMs
        self.firstTokenMs = firstTokenMs
        self.totalMs = totalMs
    }

    enum CodingKeys: String, CodingKey {
        case decisionMs = "decision_ms"
        case firstTokenMs = "first_token_ms"
        case totalMs = "total_ms"
    }
}

/// Outcome of a request.
package struct AuditStatus: Codable, Sendable, Hashable {
    /// `pending` (decision records), `ok`, `error` or `blocked`.
    package var state: String
    /// HTTP status returned to the client (nil while pending).
    package var code: Int?
    /// Error type (e.g. `upstream_timeout`, `audit_unavailable`).
    package var error: String?

    package init(state: String, code: Int? = nil, error: String? = nil) {
        self.state = state
        self.code = code
        self.error = error
    }

    package static let pending = AuditStatus(state: "pending")
    package static func ok(_ code: Int = 200) -> AuditStatus { AuditStatus(state: "ok", code: code) }
}

/// A fallback from one target to another, and why.
package struct AuditFallback: Codable, Sendable, Hashable {
    package var from: String
    package var to: String
    package var reason: String

    package init(from: String, to: String, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// One target's price as stored in a `policy` record.
package struct AuditTargetPrice: Codable, Sendable, Hashable {
    package var name: String
    package var route: RouteKind
    package var host: String?
    package var inputPerMillion: Double
    package var outputPerMillion: Double
    /// Prompt-cache reads and writes per million tokens (absent: at the input price).
    package var cacheReadPerMillion: Double?
    package var cacheWritePerMillion: Double?
    /// Web searches per thousand (absent: free).
    package var webSearchPerThousand: Double?

    package init(
        name: String, route: RouteKind, host: String? = nil, inputPerMillion: Double, outputPerMillion: Double, cacheReadPerMillion: Double? = nil,
        cacheWritePerMillion: Double? = nil, webSearchPerThousand: Double? = nil
    ) {
        self.name = name
        self.route = route
        self.host = host
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cacheReadPerMillion = cacheReadPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion
        self.webSearchPerThousand = webSearchPerThousand
    }

    enum CodingKeys: String, CodingKey {
        case name, route, host
        case inputPerMillion = "input_per_mtok"
        case outputPerMillion = "output_per_mtok"
        case cacheReadPerMillion = "cache_read_per_mtok"
        case cacheWritePerMillion = "cache_write_per_mtok"
        case webSearchPerThousand = "web_search_per_1k"
    }

    /// USD for a logged answer's tokens, its prompt-cache reads and writes at their own prices, and
    /// its web searches.
    package func cost(_ usage: AuditUsage) -> Double {
        PolicyTarget.Price(inputPerMTok: inputPerMillion, outputPerMTok: outputPerMillion).cost(
            inputTokens: max(usage.promptTokens, 0), outputTokens: max(usage.completionTokens, 0), cacheReadTokens: usage.cacheReadTokens ?? 0,
            cacheWriteTokens: usage.cacheWriteTokens ?? 0, readPrice: cacheReadPerMillion ?? inputPerMillion,
            writePrice: cacheWritePerMillion ?? inputPerMillion)
            + PolicyTarget.Price.searchCost(usage.webSearches ?? 0, perThousand: webSearchPerThousand ?? 0)
    }
}

/// A spend limit in USD. `tenant` nil means global.
package struct AuditBudget: Codable, Sendable, Hashable {
    package enum Period: String, Codable, Sendable, Hashable { case daily, monthly }
    package var tenant: String?
    package var period: Period
    package var limitUSD: Double

    package init(tenant: String?, period: Period, limitUSD: Double) {
        self.tenant = tenant
        self.period = period
        self.limitUSD = limitUSD
    }

    enum CodingKeys: String, CodingKey {
        case tenant, period
        case limitUSD = "limit_usd"
    }
}

/// The part of a policy the review CLI needs without the policy file.
package struct AuditPolicyInfo: Codable, Sendable, Hashable {
    package var targets: [AuditTargetPrice]
    package var budgets: [AuditBudget]

    package init(targets: [AuditTargetPrice], budgets: [AuditBudget] = []) {
        self.targets = targets
        self.budgets = budgets
    }

    /// The most expensive remote target (by input + output price), the baseline for savings.
    package var mostExpensiveRemote: AuditTargetPrice? {
        targets.filter { $0.route == .remote }.max { ($0.inputPerMillion + $0.outputPerMillion) < ($1.inputPerMillion + $1.outputPerMillion) }
    }
}

/// What the writer repaired on open.
package struct AuditRecovery: Codable, Sendable, Hashable {
    package var file: String
    /// 1-based line number the torn line had.
    package var line: Int
    package var bytesLost: Int

    /// Why the chain resumed, when it was not a torn line found on open (a write that failed, e.g. a
    /// full disk or an unreachable database, and the time it began).
    package var reason: String?
    package var failedAt: String?

    package init(file: String, line: Int, bytesLost: Int, reason: String? = nil, failedAt: String? = nil) {
        self.file = file
        self.line = line
        self.bytesLost = bytesLost
        self.reason = reason
        self.failedAt = failedAt
    }

    enum CodingKeys: String, CodingKey {
        case file, line, reason
        case bytesLost = "bytes_lost"
        case failedAt = "failed_at"
    }
}
