/// A request's worst-case cost, to be reserved against every budget it counts towards before it
/// leaves (#17): prompt tokens plus `max_tokens` (times the number of choices) at the target's price.
package struct BudgetReservationRequest: Sendable, Hashable {
    /// The request id: a reservation is settled by the completion record with the same id.
    package var requestID: String
    package var tenant: String?
    /// Target name and its price.
    package var target: String
    package var promptTokens: Int
    /// Output tokens the answer may use at most (`max_tokens` × `n`, or the configured default).
    package var maxOutputTokens: Int
    /// USD for `promptTokens` + `maxOutputTokens` at the target's price.
    package var amountUSD: Double

    package init(requestID: String, tenant: String?, target: String, promptTokens: Int, maxOutputTokens: Int, amountUSD: Double) {
        self.requestID = requestID
        self.tenant = tenant
        self.target = target
        self.promptTokens = promptTokens
        self.maxOutputTokens = maxOutputTokens
        self.amountUSD = amountUSD
    }
}

/// What a reservation attempt came to.
package enum BudgetReservationOutcome: Sendable, Hashable {
    /// Reserved: the request may leave; its completion record settles the reservation.
    case granted
    /// A budget it counts towards has less left than the worst case (message says which).
    case refused(String)
    /// The budget store could not be asked (database down): nothing may leave.
    case unavailable(String)
}

/// The budget keys a spend or reservation counts towards at `timestamp`: the global and (with a
/// tenant) the tenant's, each for its UTC day and month. One owner for the key format, shared by
/// the in-memory ledger and the PostgreSQL store.
package enum BudgetKeys {
    /// `(scope, period)` pairs: scope `""` (global) or `t:TENANT`; period `d:YYYY-MM-DD` or `m:YYYY-MM`.
    package static func keys(tenant: String?, timestamp: String) -> [(scope: String, period: String)] {
        let day = "d:" + timestamp.prefix(10)
        let month = "m:" + timestamp.prefix(7)
        var out: [(String, String)] = [("", day), ("", month)]
        if let tenant {
            out.append(("t:" + tenant, day))
            out.append(("t:" + tenant, month))
        }
        return out
    }

    /// The limit each key has under `budgets` (keys without a limit are left out).
    package static func limits(_ budgets: [AuditBudget], tenant: String?, timestamp: String) -> [(scope: String, period: String, limitUSD: Double)] {
        var out: [(String, String, Double)] = []
        for budget in budgets {
            let scope: String
            if let scoped = budget.tenant {
                guard scoped == tenant else { continue }
                scope = "t:" + scoped
            } else {
                scope = ""
            }
            let period = budget.period == .daily ? "d:" + timestamp.prefix(10) : "m:" + timestamp.prefix(7)
            out.append((scope, period, budget.limitUSD))
        }
        return out
    }

    /// `global daily`, `tenant 'acme' monthly`, … for messages.
    package static func describe(scope: String, period: String) -> String {
        let who = scope.isEmpty ? "global" : "tenant '\(scope.dropFirst(2))'"
        return "\(who) \(period.hasPrefix("d:") ? "daily" : "monthly")"
    }
}
