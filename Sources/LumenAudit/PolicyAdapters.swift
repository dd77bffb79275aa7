import Foundation
import LumenCore
package import LumenPolicy

extension AuditDecision {
    /// The audit form of a policy decision: where it goes (local, remote or blocked) and why.
    /// (The one place a decision becomes its logged form: the router's records and `lumen replay` use it.)
    package init(_ decision: Decision, policy: Policy) {
        self.init(
            target: decision.target ?? "none", route: decision.route(in: policy), action: decision.action.rawValue,
            rule: decision.rule, reason: decision.reason
        )
    }
}

extension AuditTargetPrice {
    /// A policy target's price and, for remote targets, the host requests to it leave for.
    package init(_ target: PolicyTarget) {
        self.init(
            name: target.name, route: target.route,
            host: target.isLocal ? nil : target.baseURL.map(egressHost(of:)),
            inputPerMillion: target.price.inputPerMTok, outputPerMillion: target.price.outputPerMTok,
            cacheReadPerMillion: target.cachePrices.read, cacheWritePerMillion: target.cachePrices.write,
            webSearchPerThousand: target.webSearchPrice > 0 ? target.webSearchPrice : nil
        )
    }
}

extension AuditPolicyInfo {
    /// The price table and budgets a `policy` record stores for `policy`.
    package init(_ policy: Policy) {
        var budgets: [AuditBudget] = []
        if let daily = policy.budgets.global.dailyUSD { budgets.append(AuditBudget(tenant: nil, period: .daily, limitUSD: daily)) }
        if let monthly = policy.budgets.global.monthlyUSD { budgets.append(AuditBudget(tenant: nil, period: .monthly, limitUSD: monthly)) }
        for (tenant, limit) in policy.budgets.tenants.sorted(by: { $0.key < $1.key }) {
            if let daily = limit.dailyUSD { budgets.append(AuditBudget(tenant: tenant, period: .daily, limitUSD: daily)) }
            if let monthly = limit.monthlyUSD { budgets.append(AuditBudget(tenant: tenant, period: .monthly, limitUSD: monthly)) }
        }
        self.init(targets: policy.targets.map(AuditTargetPrice.init), budgets: budgets)
    }
}

extension AuditReplay {
    /// Re-decides every logged request with `policy` through the policy engine.
    package static func run(directory: String, since: String? = nil, policy: Policy) throws -> AuditReplayReport {
        try run(source: .directory(directory), since: since, policy: policy)
    }

    /// Re-decides every request of an audit source (directory or store chains) with `policy`.
    package static func run(source: AuditSource, since: String? = nil, policy: Policy) throws -> AuditReplayReport {
        let prices = Dictionary(policy.targets.map { ($0.name, AuditTargetPrice($0)) }, uniquingKeysWith: { first, _ in first })
        return try run(source: source, since: since, prices: prices, reads: policy.inputs.labels) { input in
            let logged = input.context
            let context = RequestContext(
                tenant: input.tenant, requestedModel: input.requestedModel, metadata: logged?.metadata ?? [:], headers: logged?.headers ?? [:],
                remainingUSD: logged?.remainingUSD, tenantRemainingUSD: logged?.tenantRemainingUSD, binaryParts: logged?.binaryParts ?? []
            )
            return AuditDecision(PolicyEngine.evaluate(policy, input.classification, context), policy: policy)
        }
    }
}
