import AsyncHTTPClient
import Foundation
public import Logging
public import LumenAudit
import LumenLocalRuntime
import LumenProviders
public import LumenPolicy

/// Everything `lumen serve` needs to build a router, as a value.
public struct RouterSetup: Sendable {
    public var policyPath: String
    /// GGUF for embedded targets without their own `model_path` (default: `LocalRuntime.defaultModelPath()`).
    public var modelPath: String?
    public var auditDirectory: String
    public var auditFsync: AuditFsyncPolicy
    /// Concurrent generation slots and wait-queue length of the embedded model.
    public var slots: Int
    public var queueLimit: Int
    /// Seconds before a remote request times out.
    public var upstreamTimeout: Double
    /// Environment for `${VAR}` expansion in the policy and for API keys.
    public var environment: [String: String]

    public init(
        policyPath: String, modelPath: String? = nil, auditDirectory: String, auditFsync: AuditFsyncPolicy = .interval(milliseconds: 100),
        slots: Int = 2, queueLimit: Int = 8, upstreamTimeout: Double = 60, environment: [String: String]
    ) {
        self.policyPath = policyPath
        self.modelPath = modelPath
        self.auditDirectory = auditDirectory
        self.auditFsync = auditFsync
        self.slots = slots
        self.queueLimit = queueLimit
        self.upstreamTimeout = upstreamTimeout
        self.environment = environment
    }
}

/// Why the router could not be built (bad policy, missing model, …), as a message for the CLI.
public struct RouterSetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// A running router with the resources it owns (HTTP client, model runtimes, audit log).
public final class RouterRuntime: Sendable {
    public let router: Router
    public let policy: Policy
    /// Nil when the audit directory could not be opened (remote routes then answer 503).
    public let auditLog: AuditLog?
    let httpClient: HTTPClient
    let runtimes: [LocalRuntime]
    let logger: Logger

    init(router: Router, policy: Policy, auditLog: AuditLog?, httpClient: HTTPClient, runtimes: [LocalRuntime], logger: Logger) {
        self.router = router
        self.policy = policy
        self.auditLog = auditLog
        self.httpClient = httpClient
        self.runtimes = runtimes
        self.logger = logger
    }

    /// Loads the policy, the embedded model(s), opens the audit log and builds the router.
    public static func start(_ setup: RouterSetup, logger: Logger) async throws(RouterSetupError) -> RouterRuntime {
        let policy: Policy
        do {
            policy = try PolicyLoader.load(path: setup.policyPath, environment: setup.environment)
        } catch {
            throw RouterSetupError(message: "invalid policy:\n\(error.description)")
        }

        // Embedded targets: one runtime per distinct model file.
        var runtimesByPath: [String: LocalRuntime] = [:]
        var backends: [String: BackendSlot] = [:]
        let options = LocalRuntimeOptions(slots: setup.slots, queueLimit: setup.queueLimit)
        for target in policy.targets where target.kind == .embedded {
            guard let path = target.modelPath ?? setup.modelPath ?? LocalRuntime.defaultModelPath() else {
                throw RouterSetupError(
                    message: "policy target '\(target.name)' is the embedded model but no model was found: pass --model PATH, set LUMEN_MODEL, or run scripts/setup.sh"
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

        var clientConfiguration = HTTPChatProvider.clientConfiguration(connectTimeout: .seconds(5))
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        for target in policy.targets where target.kind != .embedded {
            backends[target.name] = ProviderBackend.slot(
                for: target, environment: setup.environment, httpClient: httpClient, timeoutSeconds: setup.upstreamTimeout
            )
        }

        // The audit log: if it cannot be opened the server still starts, local routes continue and
        // remote routes fail closed (503).
        // Records that precede egress are fsynced before the request leaves (`always`, the default);
        // LUMEN_AUDIT_EGRESS_FSYNC=interval:MS or never trades that guarantee for latency.
        let egressFsync: AuditFsyncPolicy
        do {
            egressFsync = try AuditFsyncPolicy(parsing: setup.environment["LUMEN_AUDIT_EGRESS_FSYNC"] ?? "always")
        } catch {
            throw RouterSetupError(message: "LUMEN_AUDIT_EGRESS_FSYNC: \(error)")
        }
        let audit: AuditSink
        var auditLog: AuditLog?
        do {
            let log = try await AuditLog.open(
                AuditLogConfiguration(directory: setup.auditDirectory, fsync: setup.auditFsync, egressFsync: egressFsync))
            try await log.recordPolicy(AuditPolicyRef(name: policy.name, hash: policy.contentHash), info: Self.policyInfo(policy))
            audit = .log(log)
            auditLog = log
        } catch {
            logger.error("audit log unavailable: remote routes will answer 503", metadata: ["dir": "\(setup.auditDirectory)", "error": "\(error)"])
            audit = .unavailable("\(error)")
        }

        let budget = await BudgetHooksFactory.make(policy: policy, auditLog: auditLog, directory: setup.auditDirectory, logger: logger)
        let runtimes = Array(runtimesByPath.values)
        let router = Router(
            configuration: RouterConfiguration(policy: policy, auditHMAC: AuditHMAC.fromEnvironment(setup.environment)),
            backends: backends,
            audit: audit,
            budget: budget,
            logger: logger
        )
        return RouterRuntime(router: router, policy: policy, auditLog: auditLog, httpClient: httpClient, runtimes: runtimes, logger: logger)
    }

    /// The price table and budgets stored in the log's `policy` record.
    static func policyInfo(_ policy: Policy) -> AuditPolicyInfo {
        let targets = policy.targets.map { target in
            AuditTargetPrice(
                name: target.name, route: target.isLocal ? .local : .remote,
                host: target.baseURL.flatMap { URL(string: $0)?.host },
                inputPerMillion: target.price.inputPerMTok, outputPerMillion: target.price.outputPerMTok
            )
        }
        var budgets: [AuditBudget] = []
        if let daily = policy.budgets.global.dailyUSD { budgets.append(AuditBudget(tenant: nil, period: .daily, limitUSD: daily)) }
        if let monthly = policy.budgets.global.monthlyUSD { budgets.append(AuditBudget(tenant: nil, period: .monthly, limitUSD: monthly)) }
        for (tenant, limit) in policy.budgets.tenants.sorted(by: { $0.key < $1.key }) {
            if let daily = limit.dailyUSD { budgets.append(AuditBudget(tenant: tenant, period: .daily, limitUSD: daily)) }
            if let monthly = limit.monthlyUSD { budgets.append(AuditBudget(tenant: tenant, period: .monthly, limitUSD: monthly)) }
        }
        return AuditPolicyInfo(targets: targets, budgets: budgets)
    }

    /// Flushes and closes the audit log, shuts the HTTP client down. Call after the server stopped.
    public func shutdown() async {
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
    }
}
