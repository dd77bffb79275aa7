import Foundation
import Logging
import LumenAudit
import LumenPolicy
package import LumenStore
import Metrics
import NIOConcurrencyHelpers

/// How `lumen serve` uses the shared store (#17), filled from `--store`/`LUMEN_STORE` and friends.
package struct SharedStoreSettings: Sendable {
    package var url: StoreURL
    /// This instance's name in the store (its chain and reservations carry `NAME-xxxxxxxx`).
    package var instanceName: String
    /// Heartbeat period; an instance silent for `staleSeconds` is taken as dead and its open
    /// reservations expire (charged at their worst case).
    package var heartbeatSeconds: Double = 1
    package var staleSeconds: Double = 5
    /// Seconds between signed checkpoints (any instance writes one when the last is this old).
    package var checkpointSeconds: Double = 10
    /// How often the active policy version is polled besides LISTEN/NOTIFY (a missed notification
    /// is caught this late at most).
    package var policyPollSeconds: Double = 2
    /// The deadline of each store query (a store that does not answer within it is taken as down).
    package var queryTimeoutSeconds: Double = 5
    /// Signs the checkpoints (see `CheckpointSigner`).
    package var signer: CheckpointSigner

    package init(url: StoreURL, instanceName: String, signer: CheckpointSigner) {
        self.url = url
        self.instanceName = instanceName
        self.signer = signer
    }

    /// The default instance name: `LUMEN_INSTANCE`, else the host name and process id.
    package static func defaultInstanceName(_ environment: [String: String]) -> String {
        if let name = environment["LUMEN_INSTANCE"], !name.isEmpty { return name }
        return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// The store side of a running router: the connection pool, this instance, its budget view and
/// the background work (heartbeat, expiry of dead instances' reservations, checkpoints, retries of
/// settlements, policy changes).
final class StoreContext: Sendable {
    let store: SharedStore
    let instance: StoreInstance
    let budget: StoreBudget
    let settings: SharedStoreSettings
    let tasks = LockedTasks()

    init(store: SharedStore, instance: StoreInstance, budget: StoreBudget, settings: SharedStoreSettings) {
        self.store = store
        self.instance = instance
        self.budget = budget
        self.settings = settings
    }

    /// Connects, migrates, registers this instance.
    static func open(_ settings: SharedStoreSettings, logger: Logger) async throws(RouterSetupError) -> StoreContext {
        do {
            let store = try await SharedStore.connect(settings.url, logger: logger, queryTimeout: settings.queryTimeoutSeconds)
            do {
                let applied = try await store.migrate()
                for migration in applied {
                    logger.info("store schema migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                }
                let instance = try await store.registerInstance(name: settings.instanceName)
                return StoreContext(
                    store: store, instance: instance, budget: StoreBudget(store: store, instance: instance, budgets: []), settings: settings)
            } catch {
                store.shutdown()
                throw error
            }
        } catch {
            throw RouterSetupError(message: "store: \((error as? StoreError)?.message ?? "\(error)")")
        }
    }

    /// The policy in force: the store's active version, or (first start) the file's, applied as version 1.
    func initialPolicy(file path: String, environment: [String: String], logger: Logger) async throws(RouterSetupError) -> (Policy, Int) {
        func stored(_ version: Int) async throws(RouterSetupError) -> (Policy, Int) {
            let stored: StoredPolicy
            do {
                stored = try await store.policy(version: version)
            } catch {
                throw RouterSetupError(message: "store: \(error.message)")
            }
            do {
                return (try stored.policy(environment: environment), version)
            } catch {
                throw RouterSetupError(message: "store: policy version \(version) does not load here:\n\(error.description)")
            }
        }
        let active: Int?
        do {
            active = try await store.activePolicyVersion()
        } catch {
            throw RouterSetupError(message: "store: \(error.message)")
        }
        if let active { return try await stored(active) }
        let bundle: PolicyBundle
        do {
            bundle = try PolicyBundle.load(path: path, environment: environment)
        } catch {
            throw RouterSetupError(message: "invalid policy:\n\(error.description)")
        }
        let applied: (version: Int, created: Bool)
        do {
            applied = try await store.applyPolicy(
                yaml: bundle.yaml, files: bundle.files, policy: bundle.policy, author: "lumen serve \(instance.id) (first policy, from \(path))",
                onlyIfNone: true)
        } catch {
            throw RouterSetupError(message: "store: \(error.message)")
        }
        guard applied.created else {
            // Another instance seeded the store first: its version is the shared one.
            let shared = try await stored(applied.version)
            if shared.0.contentHash != bundle.policy.contentHash {
                logger.warning(
                    "another instance applied the first policy at the same time: serving the store's, not this policy file",
                    metadata: [
                        "version": "\(applied.version)", "store_hash": "\(shared.0.contentHash.prefix(12))",
                        "file": "\(path)", "file_hash": "\(bundle.policy.contentHash.prefix(12))",
                    ])
            }
            return shared
        }
        logger.info("store had no policy: applied the policy file", metadata: ["version": "\(applied.version)", "file": "\(path)"])
        return (bundle.policy, applied.version)
    }

    func stop(logger: Logger) async {
        tasks.cancelAll()
        await budget.drain(seconds: 5)  // settle what was answered, so nothing is left to expire
        do {
            try await store.stopInstance(instance)
        } catch {
            logger.warning("could not mark the instance stopped in the store", metadata: ["error": "\(error.message)"])
        }
        store.shutdown()
    }
}

/// Background tasks, cancelled together at shutdown.
final class LockedTasks: Sendable {
    private let box = NIOLockedValueBox<[Task<Void, Never>]>([])

    func add(_ task: Task<Void, Never>) { box.withLockedValue { $0.append(task) } }

    func cancelAll() {
        box.withLockedValue { tasks in
            tasks.forEach { $0.cancel() }
            tasks = []
        }
    }
}

extension RouterRuntime {
    /// Starts the store's background work for this runtime.
    func startStoreWork(_ context: StoreContext) {
        let settings = context.settings
        let logger = self.logger
        // The heartbeat, on a task (and a connection) of its own: slow housekeeping must not delay it.
        context.tasks.add(
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(settings.heartbeatSeconds * 1e9))
                    do {
                        try await context.store.heartbeat(context.instance)
                    } catch {
                        logger.warning("store heartbeat failed (retrying)", metadata: ["error": "\(error)"])
                    }
                }
            })
        // Settlement retries, expiry of dead instances' reservations, checkpoints.
        context.tasks.add(
            Task {
                var lastExpiry = ContinuousClock.now
                var lastCheckpoint = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(settings.heartbeatSeconds * 1e9))
                    do {
                        await context.budget.retryPending()
                        if lastExpiry.duration(to: .now) >= .seconds(settings.staleSeconds / 2) {
                            lastExpiry = .now
                            let expired = try await context.budget.expireStale(staleSeconds: settings.staleSeconds)
                            if expired > 0 { logger.warning("expired reservations of a silent instance", metadata: ["count": "\(expired)"]) }
                        }
                        if lastCheckpoint.duration(to: .now) >= .seconds(settings.checkpointSeconds) {
                            lastCheckpoint = .now
                            try await context.store.writeCheckpoint(
                                instance: context.instance, signer: settings.signer, minimumInterval: settings.checkpointSeconds * 0.9)
                        }
                    } catch {
                        logger.warning("store housekeeping failed (retrying)", metadata: ["error": "\(error)"])
                    }
                }
            })
        // Policy changes: LISTEN/NOTIFY, plus a poll for notifications missed while reconnecting.
        context.tasks.add(
            Task {
                await context.store.watchPolicies { version in
                    await self.switchPolicy(to: version)
                }
            })
        context.tasks.add(
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(settings.policyPollSeconds * 1e9))
                    if let active = try? await context.store.activePolicyVersion() { await self.switchPolicy(to: active) }
                }
            })
    }

    /// Switches to the store's policy `version` unless it is already in force. Requests already
    /// inside the old router finish under the old version; new ones get the new one.
    func switchPolicy(to version: Int) async {
        guard let context = storeContext, currentPolicyVersion != version else { return }
        // One switch at a time; a version skipped here is picked up by the next poll.
        guard
            switching.withLockedValue({ busy in
                if busy { return false }
                busy = true
                return true
            })
        else { return }
        defer { switching.withLockedValue { $0 = false } }
        do {
            let stored = try await context.store.policy(version: version)
            let policy: Policy
            do {
                policy = try stored.policy(environment: settings.environment)
            } catch {
                logger.error(
                    "policy version from the store does not load here; the running one stays",
                    metadata: ["version": "\(version)", "error": "\(error.description)"])
                return
            }
            try await install(policy, version: version)
            try? await context.store.notePolicy(context.instance, version: version, hash: policy.contentHash)
            let line = "lumen serve: policy version \(version) ('\(policy.name)' \(policy.contentHash.prefix(12))) from the store\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        } catch {
            logger.error("policy switch failed; the running one stays", metadata: ["version": "\(version)", "error": "\(error)"])
        }
    }

    /// Publishes the policy version in force (`lumen_policy_version{instance}` and
    /// `lumen_policy_info{instance,version,hash}`), and whether the audit log takes records.
    package func reportMetrics() {
        let instance = storeContext?.instance.id ?? "local"
        let policy = self.policy
        let version = currentPolicyVersion ?? 0
        Gauge(label: "lumen_policy_version", dimensions: [("instance", instance)]).record(version)
        let previous = reportedPolicy.withLockedValue { reported -> [(String, String)]? in
            defer { reported = [("instance", instance), ("version", String(version)), ("hash", String(policy.contentHash.prefix(12)))] }
            return reported
        }
        if let previous { Gauge(label: "lumen_policy_info", dimensions: previous).record(0) }
        Gauge(
            label: "lumen_policy_info",
            dimensions: [("instance", instance), ("version", String(version)), ("hash", String(policy.contentHash.prefix(12)))]
        ).record(1)
        Gauge(label: "lumen_audit_writable", dimensions: [("instance", instance)]).record((auditLog?.health.ok ?? false) ? 1 : 0)
    }
}
