import Foundation
package import Logging
import LumenCore
import NIOConcurrencyHelpers
import PostgresNIO

/// The shared store of several `lumen serve` instances (#17): one PostgreSQL database holding the
/// audit chains (one per instance, tied together by signed checkpoints), the budget counters and
/// reservations, the policy versions, and the instances themselves. A pool of connections
/// (PostgresNIO's `PostgresClient`) serves every query; each query has a deadline, so a database
/// that stops answering turns into a prompt error (remote routes 503) instead of a hang.
/// The heartbeat has a connection of its own: a busy instance, its pool queued with hundreds of
/// requests' queries, must not look dead to the others (they would expire its reservations).
package final class SharedStore: Sendable {
    package let url: StoreURL
    let client: PostgresClient
    /// One connection, for the heartbeat only.
    let heartbeatClient: PostgresClient
    let logger: Logger
    private let runner: NIOLockedValueBox<[Task<Void, Never>]>
    /// Longest wait for one query (seconds).
    package let queryTimeout: Double
    /// Whether the database is known not to answer, and whether a probe is looking for it.
    private let reachability = NIOLockedValueBox(Reachability())

    private struct Reachability {
        /// Why the store is taken to be down (nil: it is up, as far as is known).
        var down: String?
        var probing = false
        /// After `shutdown()` no probe starts (the failing queries are the pool closing).
        var shutDown = false
    }

    private init(url: StoreURL, client: PostgresClient, heartbeatClient: PostgresClient, logger: Logger, queryTimeout: Double) {
        self.url = url
        self.client = client
        self.heartbeatClient = heartbeatClient
        self.logger = logger
        self.queryTimeout = queryTimeout
        self.runner = NIOLockedValueBox([])
    }

    /// Connects to `url` and checks that the database answers. Fails with a message that names
    /// what is wrong (host unreachable, login refused, no such database) within `timeout` seconds.
    package static func connect(
        _ url: StoreURL, logger: Logger, queryTimeout: Double = 5, timeout: Double = 10
    ) async throws(StoreError) -> SharedStore {
        var silenced = logger
        silenced.logLevel = max(logger.logLevel, .critical)
        let quiet = silenced
        // One direct connection first: its failure says exactly what is wrong (refused, unknown
        // database, login), where the pool would keep retrying until the deadline.
        // The same TLS mode as the pool: "sslmode=require" against a server without TLS says so.
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try url.connectionTLS()
        } catch {
            throw StoreError(.invalidURL, "cannot set up TLS for the store \(url): \(error)")
        }
        do {
            var configuration = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
            configuration.options.connectTimeout = .milliseconds(Int64(timeout * 1000))
            let probe = configuration
            let connection = try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
                group.addTask { try await PostgresConnection.connect(configuration: probe, id: 0, logger: quiet) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                // A connection that completed as the deadline won is closed, not left open.
                while let late = try? await group.next() { try? await late?.close() }
                return first
            }
            guard let connection else { throw StoreError(.unreachable, "no answer within \(timeout) s") }
            try? await connection.close()
        } catch {
            throw StoreError(.unreachable, "cannot use the store \(url): \(StoreError.explain(error))")
        }
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: quiet)
        var single = url.clientConfiguration
        single.options.maximumConnections = 1
        let heartbeatClient = PostgresClient(configuration: single, backgroundLogger: quiet)
        let store = SharedStore(url: url, client: client, heartbeatClient: heartbeatClient, logger: logger, queryTimeout: queryTimeout)
        store.runner.withLockedValue { $0 = [Task { await client.run() }, Task { await heartbeatClient.run() }] }
        do {
            _ = try await store.deadline(timeout, "connect") {
                try await client.query("SELECT 1")
            }
        } catch {
            store.shutdown()
            throw StoreError(.unreachable, "cannot use the store \(url): \(StoreError.explain(error))")
        }
        return store
    }

    /// Stops the pool (in-flight queries fail).
    package func shutdown() {
        reachability.withLockedValue { $0.shutDown = true }
        runner.withLockedValue { tasks in
            for task in tasks { task.cancel() }
            tasks = []
        }
    }

    /// Runs `body` but gives up after `seconds` (the body is cancelled and left to finish on its own:
    /// a query on a dead connection can outlive its caller).
    func deadline<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
        let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            once.withLockedValue { $0 = continuation }
            func finish(_ result: Result<T, any Error>) {
                guard
                    let waiting = once.withLockedValue({ box -> CheckedContinuation<T, any Error>? in
                        defer { box = nil }
                        return box
                    })
                else { return }
                waiting.resume(with: result)
            }
            work.withLockedValue {
                $0 = Task {
                    do { finish(.success(try await body())) } catch { finish(.failure(error)) }
                }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                finish(.failure(StoreError(.unreachable, "the store did not answer within \(seconds) s (\(what))")))
                work.withLockedValue { $0?.cancel() }
            }
        }
    }

    // MARK: Reachability: during an outage, fail at once instead of at every query's deadline

    /// Refuses at once while the database is known to be down: during an outage a request is not
    /// held for a query's whole deadline (two queries, 10 s, before its 503), and the pool is not
    /// flooded with waiters. A probe in the background lifts this when the database answers again.
    private func requireReachable(_ what: String) throws(StoreError) {
        if let reason = reachability.withLockedValue({ $0.down }) {
            throw StoreError(.query, "\(what): the store is unreachable (\(reason)); Lumen retries it in the background")
        }
    }

    /// After a failed query: a connection refused or lost, or no answer within the deadline, says
    /// the database is down — until a probe (`SELECT 1` within a second, at once and then twice a
    /// second) gets an answer. A query that only waited for a lock is thus refused for one round
    /// trip at most; during an outage a request's second query does not wait out its deadline too.
    private func noteFailure(_ error: any Error) {
        if let psql = error as? PSQLError {
            guard psql.code == .connectionError || psql.code == .serverClosedConnection || psql.code == .uncleanShutdown else { return }
        } else if let store = error as? StoreError {
            guard store.code == .unreachable else { return }
        } else {
            return
        }
        let reason = StoreError.explain(error)
        let start = reachability.withLockedValue { state -> Bool in
            guard !state.shutDown else { return false }
            if state.down == nil { state.down = reason }
            defer { state.probing = true }
            return !state.probing
        }
        if start { probe(reason: reason) }
    }

    /// Until the database answers `SELECT 1`; then everything is allowed again.
    private func probe(reason: String) {
        let client = self.client
        let task = Task { [weak self] in
            var first = true
            while !Task.isCancelled {
                guard let self, !self.reachability.withLockedValue({ $0.shutDown }) else { return }
                let answered = (try? await self.deadline(1, "probe") { try await client.query("SELECT 1") }) != nil
                if answered {
                    let wasDown = self.reachability.withLockedValue { state -> Bool in
                        // Up again; a shutdown meanwhile stays one.
                        defer { (state.down, state.probing) = (nil, false) }
                        return state.down != nil
                    }
                    if wasDown { self.logger.notice("the store answers again") }
                    return
                }
                if first {
                    first = false
                    self.logger.warning("the store does not answer; its queries are refused at once until it does", metadata: ["reason": "\(reason)"])
                }
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
        }
        runner.withLockedValue { $0.append(task) }
    }

    /// A query with the store's deadline; errors become `StoreError`s that say what failed. The
    /// pool's reachability gate does not apply on a `dedicated` client (the heartbeat's own
    /// connection): a saturated pool must not silence the heartbeat, or the other instances would
    /// expire this one's reservations.
    @discardableResult
    func run(_ what: String, _ query: PostgresQuery, on dedicated: PostgresClient? = nil) async throws(StoreError) -> [PostgresRow] {
        if dedicated == nil { try requireReachable(what) }
        let client = dedicated ?? self.client
        do {
            return try await deadline(queryTimeout, what) {
                try await client.query(query).collect()
            }
        } catch {
            if dedicated == nil { noteFailure(error) }
            throw StoreError(.query, "\(what): \(StoreError.explain(error))")
        }
    }

    /// `body` in one transaction, with the store's deadline. `bounded`: the server also ends the
    /// transaction's statements before the deadline (`SET LOCAL statement_timeout` from the time
    /// left), so a write Lumen abandoned and reported failed cannot commit later, when a lock it
    /// waited for is released; and a body that returns after the deadline is rolled back, not
    /// committed. (A per-transaction setting, not a startup parameter: PgBouncer refuses those.)
    /// `seconds`: a deadline other than the store's query deadline (the schema migration's).
    func transaction<T: Sendable>(
        _ what: String, bounded: Bool = false, seconds: Double? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        try requireReachable(what)
        let client = self.client
        let logger = self.logger
        let timeout = seconds ?? queryTimeout
        let started = ContinuousClock.now
        do {
            return try await deadline(timeout, what) {
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        if bounded {
                            let left = timeout * 0.8 - started.duration(to: .now).seconds
                            let milliseconds = max(Int(left * 1000), 50)
                            try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(milliseconds)"), logger: logger)
                        }
                        let result = try await body(connection)
                        // Past the deadline the caller has been told it failed: do not commit.
                        try Task.checkCancellation()
                        // A statement whose rows the body did not read may have failed unseen; COMMIT
                        // would then end the aborted transaction as a ROLLBACK without an error. Any
                        // statement fails in an aborted transaction: this one says so.
                        _ = try await connection.query("SELECT 1", logger: logger).collect()
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            }
        } catch {
            noteFailure(error)
            throw StoreError(.query, "\(what): \(StoreError.explain(error))")
        }
    }
}
