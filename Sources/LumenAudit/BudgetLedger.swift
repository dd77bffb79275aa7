package import Foundation

/// What is left of the budgets for one tenant (nil: no limit applies).
package struct BudgetRemaining: Sendable, Hashable {
    /// USD left in the global budget (smallest of daily and monthly).
    package var globalUSD: Double?
    /// USD left in the tenant's budget (smallest of daily and monthly).
    package var tenantUSD: Double?

    package init(globalUSD: Double? = nil, tenantUSD: Double? = nil) {
        self.globalUSD = globalUSD
        self.tenantUSD = tenantUSD
    }

    /// True when a limit applies and nothing is left.
    package var exhausted: Bool { (globalUSD ?? 1) <= 0 || (tenantUSD ?? 1) <= 0 }
}

/// Spend per tenant and globally for the current UTC day and month, against the policy's budgets.
/// Rebuilt from the audit log on start; fed with each completion record as it is written (streamed
/// requests count with the cost the proxy fills in at the end of the stream).
package actor BudgetLedger {
    package private(set) var budgets: [AuditBudget]
    private let clock: @Sendable () -> Date
    /// [tenant key][day] and [tenant key][month]; key "" is the global total.
    private var daily: [String: [String: Double]] = [:]
    private var monthly: [String: [String: Double]] = [:]
    /// Ids of the completions counted last (a record reaching the ledger twice, through the log and
    /// the router's hook, counts once), bounded so memory stays flat however long the server runs.
    private var counted: Set<String> = []
    private var countedOrder: [String] = []
    private var countedOldest = 0
    package static let dedupeWindow = 65_536

    package init(budgets: [AuditBudget], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.budgets = budgets
        self.clock = clock
    }

    /// A ledger holding the spend of this month's completion records in `directory`.
    package static func rebuild(
        from directory: String, budgets: [AuditBudget], clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> BudgetLedger {
        let month = String(AuditFiles.timestamp(clock()).prefix(7))
        var spends: [(String?, Double, String, String)] = []
        if FileManager.default.fileExists(atPath: directory) {
            for name in try AuditFiles.logFiles(in: directory) {
                guard let parsed = AuditFiles.parse(name), parsed.day.hasPrefix(month) else { continue }
                try AuditReader.forEach(in: directory, file: name, as: SpendView.self) { view in
                    guard view.kind == .completion, let cost = view.costUSD, cost > 0 else { return }
                    spends.append((view.tenant, cost, view.timestamp, view.id))
                }
            }
        }
        let ledger = BudgetLedger(budgets: budgets, clock: clock)
        await ledger.load(spends)
        return ledger
    }

    private func load(_ spends: [(String?, Double, String, String)]) {
        for (tenant, cost, ts, id) in spends { add(tenant: tenant, costUSD: cost, timestamp: ts, id: id) }
    }

    private struct SpendView: Decodable {
        var kind: AuditRecordKind
        var id: String
        var ts: String
        var tenant: String?
        var costUSD: Double?
        var timestamp: String { ts }

        enum CodingKeys: String, CodingKey {
            case kind, id, ts, tenant
            case costUSD = "cost_usd"
        }
    }

    /// Open reservations by request id: amount and the keys it holds (`scope|period`).
    private var reservations: [String: [(amount: Double, keys: [String])]] = [:]
    private var reserved: [String: Double] = [:]

    /// USD held by open reservations, by everyone.
    package var reservedUSD: Double { reservations.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.amount } } }
    /// Number of open reservations.
    package var openReservations: Int { reservations.values.reduce(0) { $0 + $1.count } }

    /// Reserves `request.amountUSD` against every budget the request counts towards, or refuses when
    /// one has less left (limit − spend − open reservations). Settled by `record` (same request id).
    package func reserve(_ request: BudgetReservationRequest) -> BudgetReservationOutcome {
        let now = AuditFiles.timestamp(clock())
        for (scope, period, limit) in BudgetKeys.limits(budgets, tenant: request.tenant, timestamp: now) {
            let key = scope + "|" + period
            let spentHere = (scope.isEmpty ? spentFor("", period) : spentFor(scope, period))
            let left = limit - spentHere - (reserved[key] ?? 0)
            if left < request.amountUSD {
                return .refused(
                    String(
                        format: "%@ budget: $%.6f left < worst case $%.6f on '%@'", BudgetKeys.describe(scope: scope, period: period), left,
                        request.amountUSD, request.target))
            }
        }
        let keys = BudgetKeys.keys(tenant: request.tenant, timestamp: now).map { $0.scope + "|" + $0.period }
        for key in keys { reserved[key, default: 0] += request.amountUSD }
        reservations[request.requestID, default: []].append((request.amountUSD, keys))
        return .granted
    }

    private func spentFor(_ scope: String, _ period: String) -> Double {
        if period.hasPrefix("d:") { return daily[scope]?[String(period.dropFirst(2))] ?? 0 }
        return monthly[scope]?[String(period.dropFirst(2))] ?? 0
    }

    /// Releases the reservations of a request (settled by its completion record).
    package func release(requestID: String) {
        guard let held = reservations.removeValue(forKey: requestID) else { return }
        for (amount, keys) in held {
            for key in keys {
                reserved[key, default: 0] -= amount
                if reserved[key] ?? 0 <= 1e-12 { reserved.removeValue(forKey: key) }
            }
        }
    }

    /// Replaces the budgets (when the policy changes); spend is kept.
    package func setBudgets(_ budgets: [AuditBudget]) { self.budgets = budgets }

    /// Counts a written record: completion records with a cost add to the spend (once per id).
    package func record(_ record: AuditRecord) {
        guard record.kind == .completion else { return }
        release(requestID: record.id)
        guard let cost = record.costUSD, cost > 0 else { return }
        add(tenant: record.tenant, costUSD: cost, timestamp: record.timestamp, id: record.id)
    }

    /// Adds spend directly.
    package func add(tenant: String?, costUSD: Double, timestamp: String, id: String? = nil) {
        if let id {
            guard counted.insert(id).inserted else { return }
            if countedOrder.count < Self.dedupeWindow {
                countedOrder.append(id)
            } else {
                counted.remove(countedOrder[countedOldest])
                countedOrder[countedOldest] = id
                countedOldest = (countedOldest + 1) % Self.dedupeWindow
            }
        }
        let day = String(timestamp.prefix(10))
        let month = String(timestamp.prefix(7))
        for key in tenant.map({ ["", "t:" + $0] }) ?? [""] {
            daily[key, default: [:]][day, default: 0] += costUSD
            monthly[key, default: [:]][month, default: 0] += costUSD
        }
    }

    /// USD spent today / this month, by a tenant or (nil) by everyone.
    package func spent(tenant: String?, period: AuditBudget.Period) -> Double {
        let now = AuditFiles.timestamp(clock())
        let key = tenant.map { "t:" + $0 } ?? ""
        switch period {
        case .daily: return daily[key]?[String(now.prefix(10))] ?? 0
        case .monthly: return monthly[key]?[String(now.prefix(7))] ?? 0
        }
    }

    private func held(scope: String, period: AuditBudget.Period) -> Double {
        let now = AuditFiles.timestamp(clock())
        let key = scope + "|" + (period == .daily ? "d:" + now.prefix(10) : "m:" + now.prefix(7))
        return reserved[key] ?? 0
    }

    /// What is left for a tenant, globally and for the tenant, right now (open reservations count as spent).
    package func remaining(tenant: String?) -> BudgetRemaining {
        var result = BudgetRemaining()
        for budget in budgets {
            if let scoped = budget.tenant {
                guard scoped == tenant else { continue }
                let left = budget.limitUSD - spent(tenant: scoped, period: budget.period) - held(scope: "t:" + scoped, period: budget.period)
                result.tenantUSD = min(result.tenantUSD ?? left, left)
            } else {
                let left = budget.limitUSD - spent(tenant: nil, period: budget.period) - held(scope: "", period: budget.period)
                result.globalUSD = min(result.globalUSD ?? left, left)
            }
        }
        return result
    }
}
