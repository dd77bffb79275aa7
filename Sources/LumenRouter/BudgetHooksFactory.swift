import Logging
import LumenAudit
import LumenPolicy

/// Budget state for the router from the audit stage's `BudgetLedger`, rebuilt from the log on
/// start (so spend survives restarts) and fed with every completion record the router writes.
enum BudgetHooksFactory {
    /// The hooks and the ledger behind them (nil while no policy had budgets).
    struct Budget: Sendable {
        var hooks: BudgetHooks
        var ledger: BudgetLedger?
    }

    static func make(policy: Policy, auditLog: AuditLog?, directory: String, logger: Logger) async -> Budget {
        let budgets = RouterRuntime.policyInfo(policy).budgets
        guard !budgets.isEmpty else { return Budget(hooks: .unlimited, ledger: nil) }
        let ledger: BudgetLedger
        do {
            ledger = try await BudgetLedger.rebuild(from: directory, budgets: budgets)
        } catch {
            logger.error("could not rebuild the budget ledger from the audit log; starting from zero spend", metadata: ["error": "\(error)"])
            ledger = BudgetLedger(budgets: budgets)
        }
        return Budget(hooks: hooks(ledger), ledger: ledger)
    }

    /// The budget for a reloaded policy: the running ledger keeps its spend and takes the new limits;
    /// without one yet, a ledger is rebuilt from the log as at start.
    static func update(_ budget: Budget, policy: Policy, auditLog: AuditLog?, directory: String, logger: Logger) async -> Budget {
        guard let ledger = budget.ledger else {
            return await make(policy: policy, auditLog: auditLog, directory: directory, logger: logger)
        }
        await ledger.setBudgets(RouterRuntime.policyInfo(policy).budgets)
        return budget
    }

    static func hooks(_ ledger: BudgetLedger) -> BudgetHooks {
        BudgetHooks(
            remaining: { tenant in
                let left = await ledger.remaining(tenant: tenant)
                return (left.globalUSD, left.tenantUSD)
            },
            record: { record in await ledger.record(record) }
        )
    }
}
