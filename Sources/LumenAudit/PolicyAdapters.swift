import Foundation
public import LumenPolicy

extension AuditDecision {
    /// The audit form of a policy decision: where it goes (local, remote or blocked) and why.
    public init(_ decision: Decision, policy: Policy) {
        let route: AuditRoute
        switch decision.action {
        case .block:
            route = .blocked
        case .route, .redact:
            let isLocal = decision.target.flatMap { policy.target(named: $0) }?.isLocal ?? true
            route = isLocal ? .local : .remote
        }
        self.init(
            target: decision.target ?? "", route: route, action: decision.action.rawValue,
            rule: decision.rule, reason: decision.reason
        )
    }
}

extension AuditTargetPrice {
    /// A policy target's price and, for remote targets, the host requests to it leave for.
    public init(_ target: PolicyTarget) {
        self.init(
            name: target.name, route: target.isLocal ? .local : .remote,
            host: target.isLocal ? nil : target.baseURL.flatMap { URL(string: $0)?.host },
            inputPerMillion: target.price.inputPerMTok, outputPerMillion: target.price.outputPerMTok
        )
    }
}

extension AuditReplay {
    /// Re-decides every logged request with `policy` through the policy engine.
    public static func run(directory: String, since: String? = nil, policy: Policy) throws -> AuditReplayReport {
        let prices = Dictionary(policy.targets.map { ($0.name, AuditTargetPrice($0)) }, uniquingKeysWith: { first, _ in first })
        return try run(directory: directory, since: since, prices: prices) { input in
            let context = RequestContext(tenant: input.tenant, requestedModel: input.requestedModel, metadata: input.metadata)
            return AuditDecision(PolicyEngine.evaluate(policy, input.classification, context), policy: policy)
        }
    }
}
