import Logging
import LumenAudit
import LumenPolicy

/// Budget state for the router, from the audit stage's ledger.
enum BudgetHooksFactory {
    static func make(policy: Policy, auditLog: AuditLog?, directory: String, logger: Logger) async -> BudgetHooks {
        .unlimited
    }
}
