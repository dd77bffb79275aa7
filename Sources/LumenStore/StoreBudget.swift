package import Foundation
package import LumenAudit
import NIOConcurrencyHelpers
import PostgresNIO

/// Budgets shared by every instance (#17): spend and open reservations per budget key live in the
/// store. Before a remote request leaves, its worst case is reserved in one transaction against
/// every key it counts towards (`lumen_budget_reserve`: the keys are locked in order, checked and
/// moved together); the completion record settles it to the real cost (`lumen_budget_settle`,
/// idempotent). Reservations of an instance whose heartbeat stops are expired by any other instance
/// (`lumen_budget_expire`), charged at their worst case. So N instances together never spend more
/// than the limit as long as each answer costs at most what was reserved for it.
package final class StoreBudget: Sendable {
    let store: SharedStore
    package let instance: StoreInstance
    private let state: NIOLockedValueBox<State>
    private let clock: @Sendable () -> Date
    /// How long a `remaining` answer is reused (seconds): it only steers the policy decision; the
    /// reservation is the guard.
    let cacheSeconds: Double

    struct State {
        var budgets: [AuditBudget]
        var cache: [String: (at: Date, remaining: BudgetRemaining)] = [:]
        /// Settlements waiting for the next batch (or a retry after the store failed).
        var unsettled: [Settlement] = []
        var flushing = false
    }

    /// One request's settlement: its id, real cost, tenant and UTC timestamp.
    struct Settlement: Sendable {
        var id: String
        var cost: Double
        var tenant: String
        var timestamp: String
    }

    /// How long a reservation refused only because of other requests' open reservations waits for
    /// them to settle (seconds): a 403 "budget spent" then means spent, not merely reserved.
    let settleWaitSeconds: Double

    package init(
        store: SharedStore, instance: StoreInstance, budgets: [AuditBudget], cacheSeconds: Double = 0.25, settleWaitSeconds: Double = 30,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.instance = instance
        self.state = NIOLockedValueBox(State(budgets: budgets))
        self.cacheSeconds = cacheSeconds
        self.settleWaitSeconds = settleWaitSeconds
        self.clock = clock
    }

    /// Replaces the limits (a new policy version).
    package func setBudgets(_ budgets: [AuditBudget]) {
        state.withLockedValue {
            $0.budgets = budgets
            $0.cache = [:]
        }
    }

    package var budgets: [AuditBudget] { state.withLockedValue { $0.budgets } }

    /// USD left for a tenant (limit − spent; open reservations are not counted: they settle to
    /// less, and a request that finds them holding the rest waits in `reserve`), from the store
    /// (cached briefly). When the store cannot be asked, the last answer, else no limit: only steers
    /// the decision, the reservation is the guard (and fails closed).
    package func remaining(tenant: String?) async -> BudgetRemaining {
        let now = clock()
        let (budgets, cached) = state.withLockedValue { ($0.budgets, $0.cache[tenant ?? ""]) }
        guard !budgets.isEmpty else { return BudgetRemaining() }
        if let cached, now.timeIntervalSince(cached.at) < cacheSeconds { return cached.remaining }
        let timestamp = AuditFiles.timestamp(now)
        let limits = BudgetKeys.limits(budgets, tenant: tenant, timestamp: timestamp)
        let scopes = limits.map(\.scope)
        let periods = limits.map(\.period)
        var used: [String: Double] = [:]
        do {
            let rows = try await store.run(
                "read budgets",
                """
                SELECT scope, period, spent_usd::float8 FROM lumen_budget_counters
                WHERE (scope, period) IN (SELECT s, p FROM unnest(\(scopes)::text[], \(periods)::text[]) AS u(s, p))
                """)
            for row in rows {
                if let (scope, period, value) = try? row.decode((String, String, Double).self) { used[scope + "|" + period] = value }
            }
        } catch {
            // Unknown: the decision goes ahead and the reservation, which cannot be made either,
            // refuses the remote route with 503 (the store is down, not the budget spent).
            return cached?.remaining ?? BudgetRemaining()
        }
        var result = BudgetRemaining()
        for (scope, period, limit) in limits {
            let left = limit - (used[scope + "|" + period] ?? 0)
            if scope.isEmpty {
                result.globalUSD = min(result.globalUSD ?? left, left)
            } else {
                result.tenantUSD = min(result.tenantUSD ?? left, left)
            }
        }
        state.withLockedValue { $0.cache[tenant ?? ""] = (now, result) }
        return result
    }

    /// Reserves the request's worst case against every key it counts towards, in one transaction.
    /// Refused while the spend alone leaves room for it (other requests' reservations hold the rest),
    /// it waits for those to settle and tries again (backing off, up to `settleWaitSeconds`): under a
    /// burst, most worst cases are far above the real costs, and refusing them all would turn a
    /// budget worth N answers into a fraction of N.
    package func reserve(_ request: BudgetReservationRequest) async -> BudgetReservationOutcome {
        let deadline = ContinuousClock.now + .milliseconds(Int(settleWaitSeconds * 1000))
        var pause = 10
        while true {
            let outcome = await reserveOnce(request)
            guard case .refused = outcome, ContinuousClock.now < deadline, await fitsOnceSettled(request), !Task.isCancelled else { return outcome }
            try? await Task.sleep(nanoseconds: UInt64(pause + Int.random(in: 0...pause)) * 1_000_000)
            pause = min(pause * 2, 160)
        }
    }

    /// Whether every limited key the request counts towards has room for its worst case once the
    /// open reservations are settled (limit − spent ≥ amount). False when the store cannot say.
    private func fitsOnceSettled(_ request: BudgetReservationRequest) async -> Bool {
        let limits = BudgetKeys.limits(state.withLockedValue { $0.budgets }, tenant: request.tenant, timestamp: AuditFiles.timestamp(clock()))
        guard !limits.isEmpty else { return false }
        do {
            let rows = try await store.run(
                "read budgets",
                """
                SELECT bool_and(coalesce(c.spent_usd, 0) + \(request.amountUSD)::numeric <= u.l)
                FROM unnest(\(limits.map(\.scope))::text[], \(limits.map(\.period))::text[], \(limits.map(\.limitUSD))::numeric[]) AS u(s, p, l)
                LEFT JOIN lumen_budget_counters c ON c.scope = u.s AND c.period = u.p
                """)
            guard let row = rows.first, let fits = try? row.decode(Bool?.self) else { return false }
            return fits  // NULL (no limits) decodes as nil: false
        } catch {
            return false
        }
    }

    private func reserveOnce(_ request: BudgetReservationRequest) async -> BudgetReservationOutcome {
        let timestamp = AuditFiles.timestamp(clock())
        let budgets = state.withLockedValue { $0.budgets }
        let keys = BudgetKeys.keys(tenant: request.tenant, timestamp: timestamp)
        let limits = BudgetKeys.limits(budgets, tenant: request.tenant, timestamp: timestamp)
        do {
            let rows = try await store.run(
                "reserve budget",
                """
                SELECT lumen_budget_reserve(\(request.requestID), \(instance.id), \(request.target), \(request.amountUSD)::numeric,
                    \(keys.map(\.scope))::text[], \(keys.map(\.period))::text[],
                    \(limits.map(\.scope))::text[], \(limits.map(\.period))::text[], \(limits.map(\.limitUSD))::numeric[])
                """)
            state.withLockedValue { _ = $0.cache.removeValue(forKey: request.tenant ?? "") }
            let refusal: String? = rows.first.flatMap { try? $0.decode(String?.self) } ?? nil
            guard let refusal else { return .granted }
            let parts = refusal.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { return .refused(refusal) }
            let left = Double(parts[2]) ?? 0
            return .refused(
                String(
                    format: "%@ budget: $%.6f left < worst case $%.6f on '%@' (shared store)", BudgetKeys.describe(scope: parts[0], period: parts[1]),
                    left,
                    request.amountUSD, request.target))
        } catch {
            return .unavailable(error.message)
        }
    }

    /// Settles a completion record's request: releases its reservations, adds its cost. Settlements
    /// are batched (one transaction for all that arrived while the previous batch ran: one commit,
    /// one pass over the budget rows' locks) and off the answer's path; a batch that cannot reach
    /// the store is retried (the reservations stay open meanwhile: no overspend).
    package func settle(_ record: AuditRecord) async {
        guard record.kind == .completion else { return }
        let settlement = Settlement(
            id: record.id, cost: record.costUSD ?? 0, tenant: record.tenant ?? "",
            timestamp: record.timestamp.isEmpty ? AuditFiles.timestamp(clock()) : record.timestamp)
        let start = state.withLockedValue { state -> Bool in
            state.unsettled.append(settlement)
            if state.flushing { return false }
            state.flushing = true
            return true
        }
        if start { Task { await self.flush() } }
    }

    /// Writes batches until none is waiting (or the store fails: the rest waits for `retryPending`).
    private func flush() async {
        while true {
            let batch = state.withLockedValue { state -> [Settlement] in
                let batch = state.unsettled
                state.unsettled = []
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await store.run(
                    "settle budget",
                    """
                    SELECT lumen_budget_settle(u.id, \(instance.id), u.cost,
                        CASE WHEN u.tenant = '' THEN ARRAY['', ''] ELSE ARRAY['', '', 't:' || u.tenant, 't:' || u.tenant] END,
                        CASE WHEN u.tenant = '' THEN ARRAY['d:' || left(u.ts, 10), 'm:' || left(u.ts, 7)]
                             ELSE ARRAY['d:' || left(u.ts, 10), 'm:' || left(u.ts, 7), 'd:' || left(u.ts, 10), 'm:' || left(u.ts, 7)] END)
                    FROM unnest(\(batch.map(\.id))::text[], \(batch.map(\.cost))::numeric[], \(batch.map(\.tenant))::text[], \(batch.map(\.timestamp))::text[])
                        AS u(id, cost, tenant, ts)
                    """)
                state.withLockedValue { $0.cache = [:] }
            } catch {
                state.withLockedValue { state in
                    state.unsettled = batch + state.unsettled
                    state.flushing = false
                }
                return
            }
        }
    }

    /// Retries settlements that failed (called by the instance's housekeeping).
    package func retryPending() async {
        let start = state.withLockedValue { state -> Bool in
            if state.flushing || state.unsettled.isEmpty { return false }
            state.flushing = true
            return true
        }
        if start { await flush() }
    }

    /// Waits until every settlement handed in so far reached the store (or `seconds` passed).
    package func drain(seconds: Double = 10) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if state.withLockedValue({ $0.unsettled.isEmpty && !$0.flushing }) { return }
            await retryPending()
            try? await Task.sleep(nanoseconds: 2_000_000)
        }
    }

    /// Expires the reservations of instances silent for `staleSeconds`; returns how many.
    @discardableResult
    package func expireStale(staleSeconds: Double) async throws(StoreError) -> Int {
        let rows = try await store.run("expire reservations", "SELECT lumen_budget_expire(make_interval(secs => \(staleSeconds)))")
        return (try? rows.first?.decode(Int.self)) ?? 0
    }
}

/// What the store says about budgets (for `lumen store status` and the tests).
package struct StoreBudgetStatus: Sendable, Hashable {
    package var scope: String
    package var period: String
    package var spentUSD: Double
    package var reservedUSD: Double
}

extension SharedStore {
    /// Spend and open reservations per key.
    package func budgetStatus() async throws(StoreError) -> [StoreBudgetStatus] {
        let rows = try await run(
            "read budgets", "SELECT scope, period, spent_usd::float8, reserved_usd::float8 FROM lumen_budget_counters ORDER BY scope, period")
        return rows.compactMap { row in
            (try? row.decode((String, String, Double, Double).self)).map {
                StoreBudgetStatus(scope: $0.0, period: $0.1, spentUSD: $0.2, reservedUSD: $0.3)
            }
        }
    }

    /// Open reservations: (instance, count, USD).
    package func openReservations() async throws(StoreError) -> [(instance: String, count: Int, usd: Double)] {
        let rows = try await run(
            "read reservations",
            "SELECT instance_id, count(*)::bigint, sum(amount_usd)::float8 FROM lumen_budget_reservations GROUP BY instance_id ORDER BY 1")
        return rows.compactMap { row in (try? row.decode((String, Int, Double).self)).map { ($0.0, $0.1, $0.2) } }
    }
}
