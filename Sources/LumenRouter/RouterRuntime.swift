import AsyncHTTPClient
import Foundation
package import Logging
package import LumenAudit
import LumenLocalRuntime
package import LumenPolicy
import LumenProviders
import LumenStore
import NIOConcurrencyHelpers

extension RouterRuntime {
    /// Everything a running router is built from, as one value with documented defaults (filled by
    /// the command line from flags and environment, or by tests directly; nothing below reads the
    /// process environment).
    package struct Configuration: Sendable {
        /// The policy file (re-read on reload).
        package var policyPath: String
        /// GGUF for embedded targets without their own `model_path`; nil = none (an embedded target
        /// then fails to start with a clear error).
        package var modelPath: String?
        /// Audit log directory.
        package var auditDirectory: String
        /// When ordinary records are fsynced (default: within 100 ms).
        package var auditFsync: AuditFsyncPolicy = .interval(milliseconds: 100)
        /// When the record that announces an egress is durable before the request leaves (default
        /// `.always`: written and fsynced).
        package var egressFsync: AuditFsyncPolicy = .always
        /// Digests of finding values in audit records (nil: none are stored).
        package var auditHMAC: AuditHMAC?
        /// Concurrent generation slots and wait-queue length of each embedded model.
        package var slots = 2
        /// Deep enough for a burst of fallbacks when a remote target fails (429 beyond it).
        package var queueLimit = 32
        /// Tokens of context per slot (nil: the model's trained context, at most 8192).
        package var contextLength: Int?
        /// CPU threads of each embedded model (nil: one per core).
        package var threads: Int?
        /// Seconds before a remote request times out.
        package var upstreamTimeout: Double = 60
        /// When a remote target's circuit breaker opens and for how long.
        package var breaker = BreakerSettings()
        /// Variables for `${VAR}` in the policy and for the API keys its targets name (`api_key_env`).
        package var environment: [String: String] = [:]
        /// The shared store (#17); nil = the embedded file store (audit directory, budgets rebuilt
        /// from it, the policy file). With a store, audit records, budgets and the policy live in
        /// PostgreSQL and `policyPath` only seeds a store that has no policy yet.
        package var store: SharedStoreSettings?

        package init(policyPath: String, modelPath: String? = nil, auditDirectory: String) {
            self.policyPath = policyPath
            self.modelPath = modelPath
            self.auditDirectory = auditDirectory
        }
    }
}

/// Why the router could not be built (bad policy, missing model, …), as a message for the CLI.
package struct RouterSetupError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var description: String { message }
}

/// A running router with the resources it owns (HTTP client, model runtimes, audit log).
///
/// `reload()` swaps in a router built from the policy file as it is now: requests already inside
/// the old router finish there, new ones see the new policy. The HTTP client, the audit log, the
/// budget ledger and every loaded model are kept across reloads (a model a new policy names for
/// the first time is loaded before the swap).
package final class RouterRuntime: Sendable {
    /// The router for the next request.
    package var router: Router { state.withLockedValue { $0.router } }
    /// The policy of ``router``.
    package var policy: Policy { router.configuration.policy }
    /// Nil when the audit directory could not be opened (remote routes then answer 503).
    package let auditLog: AuditLog?
    /// The shared store's side, nil without `--store`.
    let storeContext: StoreContext?
    /// The store's version of the policy in force (nil without a store).
    package var currentPolicyVersion: Int? { state.withLockedValue { $0.policyVersion } }
    /// The instance id in the store (nil without a store).
    package var instanceID: String? { storeContext?.instance.id }
    let reportedPolicy = NIOLockedValueBox<[(String, String)]?>(nil)
    /// Held while a policy version from the store is being installed.
    let switching = NIOLockedValueBox(false)
    let settings: Configuration
    let audit: AuditSink
    let httpClient: HTTPClient
    let logger: Logger
    let state: NIOLockedValueBox<State>
    /// Held by `reload()` so two reloads never interleave.
    let reloading = NIOLockedValueBox(false)

    struct State: Sendable {
        var router: Router
        /// Embedded models by file path; kept until shutdown, since an old router may still use one.
        var runtimesByPath: [String: LocalRuntime]
        /// Nil while no policy had budgets.
        var ledger: BudgetLedger?
        /// Per-target breakers, kept across reloads.
        var breakers: CircuitBreakers
        var policyVersion: Int?
    }

    init(
        settings: Configuration, state: State, audit: AuditSink, auditLog: AuditLog?, httpClient: HTTPClient, logger: Logger,
        storeContext: StoreContext? = nil
    ) {
        self.settings = settings
        self.state = NIOLockedValueBox(state)
        self.audit = audit
        self.auditLog = auditLog
        self.httpClient = httpClient
        self.logger = logger
        self.storeContext = storeContext
    }

    /// Loads the policy, the embedded model(s), opens the audit log and builds the router.
    package static func start(_ settings: Configuration, logger: Logger) async throws(RouterSetupError) -> RouterRuntime {
        if let storeSettings = settings.store {
            return try await startShared(settings, store: storeSettings, logger: logger)
        }
        let policy = try loadPolicy(settings)

        var runtimesByPath: [String: LocalRuntime] = [:]
        let httpClient = makeHTTPClient()
        let backends: [String: BackendSlot]
        do {
            backends = try makeBackends(policy, settings: settings, httpClient: httpClient, runtimesByPath: &runtimesByPath)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }

        // The audit log: if it cannot be opened the server still starts, local routes continue and
        // remote routes fail closed (503).
        let audit: AuditSink
        var auditLog: AuditLog?
        do {
            let log = try await AuditLog.open(
                AuditLogConfiguration(directory: settings.auditDirectory, fsync: settings.auditFsync, egressFsync: settings.egressFsync))
            try await log.recordPolicy(AuditPolicyRef(name: policy.name, hash: policy.contentHash), info: AuditPolicyInfo(policy))
            audit = .log(log)
            auditLog = log
        } catch {
            logger.error(
                "audit log unavailable: remote routes will answer 503", metadata: ["dir": "\(settings.auditDirectory)", "error": "\(error)"])
            audit = .unavailable("\(error)")
        }

        let ledger = await BudgetHooksFactory.ledger(for: policy, directory: settings.auditDirectory, logger: logger)
        let breakers = CircuitBreakers(settings: settings.breaker)
        let router = makeRouter(
            policy, settings: settings, backends: backends, audit: audit, budget: BudgetHooksFactory.hooks(ledger), version: nil, breakers: breakers,
            logger: logger
        )
        return RouterRuntime(
            settings: settings, state: State(router: router, runtimesByPath: runtimesByPath, ledger: ledger, breakers: breakers),
            audit: audit, auditLog: auditLog, httpClient: httpClient, logger: logger
        )
    }

    /// Re-reads the policy file and swaps in a router built from it. On any error (the file does not
    /// parse, a model cannot be loaded, the audit log refuses the policy record) the running router
    /// stays as it was and the error says why.
    /// - Returns: the policy now in force.
    package func reload() async throws(RouterSetupError) -> Policy {
        let claimed = reloading.withLockedValue { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard claimed else { throw RouterSetupError(message: "a reload is already in progress") }
        defer { reloading.withLockedValue { $0 = false } }
        if let context = storeContext {
            // With a store the policy is the store's active version (`lumen policy apply`), not the file.
            do {
                if let active = try await context.store.activePolicyVersion() { await switchPolicy(to: active) }
            } catch {
                throw RouterSetupError(message: "store: \(error.message)")
            }
            return policy
        }
        let policy = try Self.loadPolicy(settings)
        try await install(policy, version: nil)
        return policy
    }

    /// Swaps in a router for `policy` (store version `version`), keeping the HTTP client, the audit
    /// log, the budgets' spend and every loaded model.
    func install(_ policy: Policy, version: Int?) async throws(RouterSetupError) {
        var current = state.withLockedValue { $0 }
        let backends = try Self.makeBackends(policy, settings: settings, httpClient: httpClient, runtimesByPath: &current.runtimesByPath)
        if let auditLog {
            do {
                // Records after this one name the new policy: the log says which policy decided what.
                try await auditLog.recordPolicy(AuditPolicyRef(name: policy.name, hash: policy.contentHash), info: AuditPolicyInfo(policy))
            } catch {
                throw RouterSetupError(message: "the audit log could not record the new policy (\(error)); the old policy stays in force")
            }
        }
        let hooks: BudgetHooks
        if let context = storeContext {
            context.budget.setBudgets(AuditPolicyInfo(policy).budgets)
            hooks = BudgetHooksFactory.hooks(context.budget)
        } else {
            current.ledger = await BudgetHooksFactory.ledger(
                updating: current.ledger, for: policy, directory: settings.auditDirectory, logger: logger)
            hooks = BudgetHooksFactory.hooks(current.ledger)
        }
        current.policyVersion = version
        current.router = Self.makeRouter(
            policy, settings: settings, backends: backends, audit: audit, budget: hooks, version: version, breakers: current.breakers, logger: logger
        )
        state.withLockedValue { $0 = current }
        reportMetrics()
    }

    static func loadPolicy(_ settings: Configuration) throws(RouterSetupError) -> Policy {
        do {
            return try PolicyLoader.load(path: settings.policyPath, environment: settings.environment)
        } catch {
            throw RouterSetupError(message: "invalid policy:\n\(error.description)")
        }
    }

    /// One backend slot per policy target; embedded targets share one runtime per distinct model
    /// file, loading those not in `runtimesByPath` yet.
    static func makeBackends(
        _ policy: Policy, settings: Configuration, httpClient: HTTPClient, runtimesByPath: inout [String: LocalRuntime]
    ) throws(RouterSetupError) -> [String: BackendSlot] {
        var backends: [String: BackendSlot] = [:]
        let options = LocalRuntimeOptions(
            slots: settings.slots, queueLimit: settings.queueLimit, threads: settings.threads, contextLength: settings.contextLength)
        for target in policy.targets where target.kind == .embedded {
            guard let path = target.modelPath ?? settings.modelPath else {
                throw RouterSetupError(
                    message:
                        "policy target '\(target.name)' is the embedded model but no model was found: pass --model PATH, set LUMEN_MODEL, or run scripts/setup.sh"
                )
            }
            let runtime: LocalRuntime
            if let existing = runtimesByPath[path] {
                runtime = existing
            } else {
                do {
                    runtime = try LocalRuntime(modelPath: path, options: options)
                } catch {
                    throw RouterSetupError(message: "cannot load the model for target '\(target.name)': \(error)")
                }
                runtimesByPath[path] = runtime
            }
            backends[target.name] = .ready(LocalBackend(runtime: runtime, modelName: target.model ?? runtime.metadata.name))
        }
        for target in policy.targets where target.kind != .embedded {
            backends[target.name] = ProviderBackend.slot(
                for: target, environment: settings.environment, httpClient: httpClient, timeoutSeconds: settings.upstreamTimeout
            )
        }
        return backends
    }

    /// The one HTTP client of the remote targets: a 5 s connect timeout, up to 256 connections per host.
    static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPChatProvider.clientConfiguration(connectTimeout: .seconds(5))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    static func makeRouter(
        _ policy: Policy, settings: Configuration, backends: [String: BackendSlot], audit: AuditSink, budget: BudgetHooks, version: Int?,
        breakers: CircuitBreakers, logger: Logger
    ) -> Router {
        Router(
            configuration: RouterConfiguration(policy: policy, auditHMAC: settings.auditHMAC, policyVersion: version),
            backends: backends,
            audit: audit,
            budget: budget,
            logger: logger,
            breakers: breakers
        )
    }

    /// `start` with the shared store: connect and migrate (a wrong URL or an unreachable database
    /// stops the start with a message), register this instance, take the store's policy (or seed it
    /// from the file), write audit records to this instance's chain, budget by reservation.
    static func startShared(
        _ settings: Configuration, store storeSettings: SharedStoreSettings, logger: Logger
    ) async throws(RouterSetupError) -> RouterRuntime {
        let context = try await StoreContext.open(storeSettings, logger: logger)
        let policy: Policy
        let version: Int
        let log: AuditLog
        do throws(RouterSetupError) {
            (policy, version) = try await context.initialPolicy(file: settings.policyPath, environment: settings.environment, logger: logger)
            do {
                log = try await AuditLog.open(
                    store: PostgresAuditStore(store: context.store, chainID: context.instance.id, instanceID: context.instance.id),
                    configuration: AuditLogConfiguration(directory: "store", fsync: settings.auditFsync, egressFsync: settings.egressFsync))
                try await log.recordPolicy(AuditPolicyRef(name: policy.name, hash: policy.contentHash), info: AuditPolicyInfo(policy))
            } catch {
                throw RouterSetupError(message: "store: cannot write this instance's audit chain: \(error)")
            }
        } catch {
            await context.stop(logger: logger)
            throw error
        }
        var runtimesByPath: [String: LocalRuntime] = [:]
        let httpClient = makeHTTPClient()
        let backends: [String: BackendSlot]
        do {
            backends = try makeBackends(policy, settings: settings, httpClient: httpClient, runtimesByPath: &runtimesByPath)
        } catch {
            try? await httpClient.shutdown()
            try? await log.close()
            await context.stop(logger: logger)
            throw error
        }
        context.budget.setBudgets(AuditPolicyInfo(policy).budgets)
        try? await context.store.notePolicy(context.instance, version: version, hash: policy.contentHash)
        let audit = AuditSink.log(log)
        let breakers = CircuitBreakers(settings: settings.breaker)
        let router = makeRouter(
            policy, settings: settings, backends: backends, audit: audit, budget: BudgetHooksFactory.hooks(context.budget), version: version,
            breakers: breakers, logger: logger)
        let runtime = RouterRuntime(
            settings: settings, state: State(router: router, runtimesByPath: runtimesByPath, ledger: nil, breakers: breakers, policyVersion: version),
            audit: audit, auditLog: log, httpClient: httpClient, logger: logger, storeContext: context
        )
        runtime.startStoreWork(context)
        logger.info(
            "shared store in use", metadata: ["store": "\(storeSettings.url)", "instance": "\(context.instance.id)", "policy_version": "\(version)"])
        return runtime
    }

    /// Flushes and closes the audit log, shuts the HTTP client down. Call after the server stopped.
    package func shutdown() async {
        if let auditLog {
            do {
                try await auditLog.close()
            } catch {
                logger.error("audit log close failed", metadata: ["error": "\(error)"])
            }
        }
        do {
            try await httpClient.shutdown()
        } catch {
            logger.warning("HTTP client shutdown failed", metadata: ["error": "\(error)"])
        }
        await storeContext?.stop(logger: logger)
    }
}
