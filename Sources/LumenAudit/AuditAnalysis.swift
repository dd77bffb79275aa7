import Foundation
import LumenCore
import LumenPolicy

/// How `summary` groups requests.
package enum AuditGrouping: String, Sendable, CaseIterable {
    case target, tenant, rule, day
}

/// Totals for one group of requests.
package struct AuditSummaryGroup: Codable, Sendable, Hashable {
    package var key: String
    package var requests = 0
    package var localRequests = 0
    package var remoteRequests = 0
    package var blockedRequests = 0
    package var errors = 0
    package var promptTokens = 0
    package var completionTokens = 0
    package var costUSD = 0.0
    /// Web searches providers ran for the answers (their cost is in `costUSD`).
    package var webSearches = 0
    /// Cost had every priced request gone to its policy's most expensive remote target.
    package var baselineUSD = 0.0
    /// Requests whose policy price table was not in the log (left out of the baseline).
    package var unpriced = 0
    /// Locations the prompt-injection screen flagged, by kind and by area (`tool_result`, …).
    package var injectionsByKind: [String: Int] = [:]
    package var injectionsByArea: [String: Int] = [:]

    package init(key: String) { self.key = key }

    package var localShare: Double { requests > 0 ? Double(localRequests) / Double(requests) : 0 }
    package var savingsUSD: Double { baselineUSD - costUSD }

    enum CodingKeys: String, CodingKey {
        case key, requests
        case localRequests = "local_requests"
        case remoteRequests = "remote_requests"
        case blockedRequests = "blocked_requests"
        case errors
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
        case webSearches = "web_searches"
        case baselineUSD = "baseline_usd"
        case unpriced
        case injectionsByKind = "injections_by_kind"
        case injectionsByArea = "injections_by_area"
    }

    /// `searchPrice`: what the request's web searches cost per thousand on the target that ran them;
    /// the baseline pays them the same (they are the request's, whichever target would have run them).
    mutating func add(_ request: AuditRequestView, baseline: AuditTargetPrice?, searchPrice: Double = 0) {
        requests += 1
        switch request.decision?.route {
        case .local: localRequests += 1
        case .remote: remoteRequests += 1
        case .blocked: blockedRequests += 1
        case nil: break
        }
        if let state = request.status?.state, state == "error" { errors += 1 }
        // A log is input: counts no request can have (negative, or summing past Int.max) must neither
        // trap nor lower a total.
        let prompt = max(request.usage?.promptTokens ?? 0, 0)
        let completion = max(request.usage?.completionTokens ?? 0, 0)
        promptTokens = promptTokens.saturatingAdd(prompt)
        completionTokens = completionTokens.saturatingAdd(completion)
        costUSD += max(request.costUSD ?? 0, 0)
        webSearches = webSearches.saturatingAdd(max(request.usage?.webSearches ?? 0, 0))
        for injection in request.classification?.injections ?? [] where injection.flagged {
            injectionsByArea[injection.area, default: 0] += 1
            for kind in injection.kinds { injectionsByKind[kind, default: 0] += 1 }
        }
        if request.decision?.route != .blocked {
            if var baseline {
                baseline.webSearchPerThousand = searchPrice
                baselineUSD += request.usage.map(baseline.cost) ?? 0
            } else {
                unpriced += 1
            }
        }
    }
}

/// The answer of `lumen audit summary`.
package struct AuditSummary: Codable, Sendable {
    package var grouping: String
    package var since: String?
    package var total: AuditSummaryGroup
    package var groups: [AuditSummaryGroup]
    /// Decisions without a completion (crash, or still running).
    package var incomplete: Int
    /// Baseline target name per policy hash.
    package var baselineTargets: [String: String]

    enum CodingKeys: String, CodingKey {
        case grouping, since, total, groups, incomplete
        case baselineTargets = "baseline_targets"
    }
}

/// The fields of a record analyses read (decoding only these is faster than a full record).
struct AuditRequestView: Decodable {
    struct PolicyView: Decodable { var hash: String }
    struct DecisionView: Decodable {
        var target: String
        var route: RouteKind
        var rule: String
    }
    struct StatusView: Decodable { var state: String }

    var kind: AuditRecordKind
    var id: String
    var ts: String
    var tenant: String?
    var policy: PolicyView?
    var decision: DecisionView?
    struct ClassificationView: Decodable { var injections: [AuditInjection]? }
    var usage: AuditUsage?
    var costUSD: Double?
    var status: StatusView?
    var policyInfo: AuditPolicyInfo?
    var classification: ClassificationView?

    enum CodingKeys: String, CodingKey {
        case kind, id, ts, tenant, policy, decision, usage, status, classification
        case costUSD = "cost_usd"
        case policyInfo = "policy_info"
    }
}

/// Reads requests out of an audit directory: one per request id, the completion when there is one,
/// otherwise the decision (counted as incomplete).
enum AuditRequests {
    static func collect<T: Decodable>(
        in source: AuditSource, since: String?, as type: T.Type,
        kind: KeyPath<T, AuditRecordKind>, id: KeyPath<T, String>,
        policy: (T) -> Void = { _ in },
        _ body: (T) throws -> Void
    ) throws -> Int {
        var openDecisions: [String: T] = [:]
        try AuditReader.forEach(source: source, as: T.self, since: since) { record in
            switch record[keyPath: kind] {
            case .policy: policy(record)
            case .recovery: break
            case .decision: openDecisions[record[keyPath: id]] = record
            case .completion:
                openDecisions.removeValue(forKey: record[keyPath: id])
                try body(record)
            }
        }
        for record in openDecisions.values.sorted(by: { $0[keyPath: id] < $1[keyPath: id] }) { try body(record) }
        return openDecisions.count
    }
}

extension AuditSummary {
    /// Summarises the requests of an audit directory.
    package static func compute(directory: String, since: String? = nil, by grouping: AuditGrouping) throws -> AuditSummary {
        try compute(source: .directory(directory), since: since, by: grouping)
    }

    /// Summarises the requests of an audit source (directory or store chains).
    package static func compute(source: AuditSource, since: String? = nil, by grouping: AuditGrouping) throws -> AuditSummary {
        var prices: [String: AuditTargetPrice] = [:]
        var searchPrices: [String: [String: Double]] = [:]
        var groups: [String: AuditSummaryGroup] = [:]
        var total = AuditSummaryGroup(key: "total")
        // Policy records precede the requests they price; read them regardless of --since.
        try AuditReader.forEach(source: source, as: AuditRequestView.self, containing: #""kind":"policy""#) { record in
            if record.kind == .policy, let hash = record.policy?.hash, let baseline = record.policyInfo?.mostExpensiveRemote {
                prices[hash] = baseline
                for target in record.policyInfo?.targets ?? [] { searchPrices[hash, default: [:]][target.name] = target.webSearchPerThousand }
            }
        }
        let incomplete = try AuditRequests.collect(in: source, since: since, as: AuditRequestView.self, kind: \.kind, id: \.id) { request in
            let baseline = request.policy.flatMap { prices[$0.hash] }
            let key: String =
                switch grouping {
                case .target: request.decision.map { $0.target.isEmpty ? "(blocked)" : $0.target } ?? "(none)"
                case .tenant: request.tenant ?? "(none)"
                case .rule: request.decision?.rule ?? "(none)"
                case .day: String(request.ts.prefix(10))
                }
            let searchPrice = request.policy.flatMap { searchPrices[$0.hash]?[request.decision?.target ?? ""] } ?? 0
            groups[key, default: AuditSummaryGroup(key: key)].add(request, baseline: baseline, searchPrice: searchPrice)
            total.add(request, baseline: baseline, searchPrice: searchPrice)
        }
        return AuditSummary(
            grouping: grouping.rawValue, since: since, total: total,
            groups: groups.values.sorted { $0.key < $1.key }, incomplete: incomplete,
            baselineTargets: prices.mapValues(\.name))
    }
}

/// Egress per host.
package struct AuditEgressHost: Codable, Sendable, Hashable {
    package var host: String
    package var requests = 0
    package var bytesSent = 0
    package var bytesReceived = 0
    /// Finding types redacted before leaving, with counts.
    package var redacted: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case host, requests, redacted
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
    }
}

/// One record that held a looked-up value.
package struct AuditValueMatch: Codable, Sendable, Hashable {
    package var id: String
    package var timestamp: String
    package var type: String
    /// `left-in-clear`, `left-redacted`, `kept-local` or `blocked`.
    package var outcome: String
    package var host: String?
}

/// The answer of `lumen audit egress`.
package struct AuditEgressReport: Codable, Sendable {
    package var since: String?
    package var hosts: [AuditEgressHost]
    /// Requests kept local (or blocked) that had findings, by finding type.
    package var keptLocalSensitive: Int
    package var keptLocalByType: [String: Int]
    package var keptLocalByRule: [String: Int]
    /// Present with `--value`.
    package var matches: [AuditValueMatch]?

    enum CodingKeys: String, CodingKey {
        case since, hosts, matches
        case keptLocalSensitive = "kept_local_sensitive"
        case keptLocalByType = "kept_local_by_type"
        case keptLocalByRule = "kept_local_by_rule"
    }

    /// What left, where to, and what stayed because of sensitivity. With `value` and `hmac`, also the
    /// records whose findings hold that value (matched by HMAC).
    package static func compute(directory: String, since: String? = nil, value: String? = nil, hmac: AuditHMAC? = nil) throws -> AuditEgressReport {
        try compute(source: .directory(directory), since: since, value: value, hmac: hmac)
    }

    /// The egress report of an audit source (directory or store chains).
    package static func compute(source: AuditSource, since: String? = nil, value: String? = nil, hmac: AuditHMAC? = nil) throws -> AuditEgressReport {
        if value != nil, hmac == nil {
            throw AuditError(.invalidArgument, "--value needs the HMAC key in \(AuditHMAC.environmentKey) (the one the log was written with)")
        }
        let digest = value.flatMap { hmac?.digest($0) }
        var hosts: [String: AuditEgressHost] = [:]
        var keptLocal = 0
        var byType: [String: Int] = [:]
        var byRule: [String: Int] = [:]
        var matches: [AuditValueMatch] = []
        _ = try AuditRequests.collect(in: source, since: since, as: AuditRecord.self, kind: \.kind, id: \.id) { record in
            if let egress = record.egress {
                var host = hosts[egress.host] ?? AuditEgressHost(host: egress.host)
                host.requests += 1
                host.bytesSent = host.bytesSent.saturatingAdd(max(egress.bytesSent, 0))
                host.bytesReceived = host.bytesReceived.saturatingAdd(max(egress.bytesReceived, 0))
                for (type, counts) in record.redactions ?? [:] where counts.redacted > 0 {
                    host.redacted[type, default: 0] = host.redacted[type, default: 0].saturatingAdd(counts.redacted)
                }
                hosts[egress.host] = host
            } else if let decision = record.decision, decision.route != .remote, let counts = record.findingCounts, !counts.isEmpty {
                keptLocal += 1
                for (type, count) in counts { byType[type, default: 0] = byType[type, default: 0].saturatingAdd(max(count, 0)) }
                byRule[decision.rule, default: 0] += 1
            }
            if let digest {
                for finding in record.classification?.findings ?? [] where finding.valueHMAC == digest {
                    let outcome: String
                    if record.decision?.route == .blocked {
                        outcome = "blocked"
                    } else if let _ = record.egress {
                        let redacted = finding.redacted ?? ((record.redactions?[finding.type]?.redacted ?? 0) > 0)
                        outcome = redacted ? "left-redacted" : "left-in-clear"
                    } else {
                        outcome = "kept-local"
                    }
                    matches.append(
                        AuditValueMatch(id: record.id, timestamp: record.timestamp, type: finding.type, outcome: outcome, host: record.egress?.host))
                }
            }
        }
        return AuditEgressReport(
            since: since, hosts: hosts.values.sorted { $0.host < $1.host }, keptLocalSensitive: keptLocal,
            keptLocalByType: byType, keptLocalByRule: byRule, matches: digest == nil ? nil : matches)
    }
}
