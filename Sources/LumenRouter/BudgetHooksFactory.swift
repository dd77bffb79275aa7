import Logging
import LumenAudit
import LumenPolicy

/// Budget state for the router from the audit stage's `BudgetLedger`, rebuilt from the log on
/// start (so spend survives restarts) and fed with every completion record the router writes.
enum BudgetHooksFactory {
    static func make(policy: Policy, auditLog: AuditLog?, directory: String, logger: Logger) async -> BudgetHooks {
        let budgets = RouterRuntime.policyInfo(policy).budgets
        guard !budgets.isEmpty else { return .unlimited }
        let ledger: BudgetLedger
        do {
            ledger = try await BudgetLedger.rebuild(from: directory, budgets: budgets)
        } catch {
            logger.error("could not rebuild the budget ledger from the audit log; starting from zero spend", metadata: ["error": "\(error)"])
            ledger = BudgetLedger(budgets: budgets)
        }
        return BudgetHooks(
            remaining: { tenant in
                let left = await ledger.remaining(tenant: tenant)
                return (left.globalUSD, left.tenantUSD)
            },
            record: { record in await ledger.record(record) }
        )
    }
}
