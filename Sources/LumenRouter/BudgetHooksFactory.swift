import Logging
import LumenAudit
import LumenPolicy
import LumenStore

/// Budget state for the router from the audit stage's `BudgetLedger`, rebuilt from the log on
/// start (so spend survives restarts) and fed with every completion record the router writes.
enum BudgetHooksFactory {
    /// The ledger for `policy`'s budgets, rebuilt from the log; nil when the policy has none.
    static func ledger(for policy: Policy, directory: String, logger: Logger) async -> BudgetLedger? {
        let budgets = AuditPolicyInfo(policy).budgets
        guard !budgets.isEmpty else { return nil }
        do {
            return try await BudgetLedger.rebuild(from: directory, budgets: budgets)
        } catch {
            logger.error("could not rebuild the budget ledger from the audit log; starting from zero spend", metadata: ["error": "\(error)"])
            return BudgetLedger(budgets: budgets)
        }
    }

    /// The ledger for a reloaded policy: the running one keeps its spend and takes the new limits;
    /// without one yet, a ledger is rebuilt from the log as at start.
    static func ledger(updating ledger: BudgetLedger?, for policy: Policy, directory: String, logger: Logger) async -> BudgetLedger? {
        guard let ledger else { return await self.ledger(for: policy, directory: directory, logger: logger) }
        await ledger.setBudgets(AuditPolicyInfo(policy).budgets)
        return ledger
    }

    /// The router's view of `ledger` (no ledger: unlimited).
    static func hooks(_ ledger: BudgetLedger?) -> BudgetHooks {
        guard let ledger else { return .unlimited }
        return BudgetHooks(
            remaining: { tenant in
                let left = await ledger.remaining(tenant: tenant)
                return (left.globalUSD, left.tenantUSD)
            },
            record: { record in await ledger.record(record) },
            reserve: { request in await ledger.reserve(request) }
        )
    }

    /// The router's view of the shared store's budgets (#17): remaining from the store's counters,
    /// reservations in one transaction, settlement by the completion record.
    static func hooks(_ budget: StoreBudget) -> BudgetHooks {
        BudgetHooks(
            remaining: { tenant in
                let left = await budget.remaining(tenant: tenant)
                return (left.globalUSD, left.tenantUSD)
            },
            record: { record in await budget.settle(record) },
            reserve: { request in await budget.reserve(request) }
        )
    }
}
