import Foundation
import Hummingbird
package import Logging
import LumenAudit
import LumenLocalRuntime
import LumenPolicy
package import LumenRouter
import LumenStore
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Everything `lumen serve` runs with, as one value: the router's configuration and the HTTP
/// edge's. Built once at the edge (`init(environment:)` gives the defaults the environment sets; the
/// command line then applies its flags); tests construct it directly.
package struct ServeConfiguration: Sendable {
    /// The router: policy, model, audit log, slots, timeouts.
    package var runtime: RouterRuntime.Configuration
    /// Address and port to bind (default 127.0.0.1:8080; port 0 = any free port).
    package var host = "127.0.0.1"
    package var port = 8080
    /// Key file; nil = no authentication, which is allowed on loopback addresses only.
    package var keysPath: String?
    /// Request bodies larger than this are refused with 413 (default 4 MiB).
    package var maxBodyBytes = 4 << 20
    /// Log level (default info).
    package var logLevel: Logger.Level = .info
    /// Responses kept in memory for the Responses API's `previous_response_id` (default 0: none).
    package var responsesStore = 0
    /// Connection timeouts and cap.
    package var connections = ConnectionLimits()
    /// `/metrics` and `/readyz` without a key under `--keys` (default: they need one).
    package var openProbes = false
    /// Web origins allowed to call the API from a browser (`--cors-origin`; default none).
    package var corsOrigins: [String] = []

    package init(runtime: RouterRuntime.Configuration) {
        self.runtime = runtime
    }

    /// The defaults, with what the environment sets: `LUMEN_POLICY` (policy file, default
    /// `policies/default.yaml`), `LUMEN_AUDIT_DIR` (default `audit`), `LUMEN_MODEL` (default: the
    /// SmolLM2 GGUF in the repository's `.venv`), `LUMEN_AUDIT_EGRESS_FSYNC` (`always`, `write`,
    /// `interval:MS`, `never`; default `always`), `LUMEN_AUDIT_HMAC_KEY` (no value digests without it),
    /// `LOG_LEVEL`. The whole environment is kept for `${VAR}` in the policy and the targets' API keys.
    package init(environment: [String: String]) throws(ServeError) {
        var runtime = RouterRuntime.Configuration(
            policyPath: PolicyLoader.defaultPath(environment: environment),
            modelPath: LocalRuntime.defaultModelPath(environment: environment),
            auditDirectory: AuditFiles.defaultDirectory(environment)
        )
        if let text = environment["LUMEN_AUDIT_EGRESS_FSYNC"], !text.isEmpty {
            do {
                runtime.egressFsync = try AuditFsyncPolicy(parsing: text)
            } catch {
                throw ServeError("LUMEN_AUDIT_EGRESS_FSYNC: \(error)")
            }
        }
        runtime.auditHMAC = AuditHMAC.fromEnvironment(environment)
        runtime.environment = environment
        if let url = environment["LUMEN_STORE"], !url.isEmpty {
            runtime.store = try Self.storeSettings(url: url, environment: environment)
        }
        self.init(runtime: runtime)
        if let level = environment["LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw ServeError("LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); found '\(level)'")
            }
            logLevel = parsed
        }
    }
}

extension ServeConfiguration {
    /// The shared store's settings for `--store URL` / `LUMEN_STORE` (#17): the instance name from
    /// `LUMEN_INSTANCE`, the checkpoint key from `LUMEN_STORE_SIGNING_KEY`.
    package static func storeSettings(url: String, environment: [String: String]) throws(ServeError) -> SharedStoreSettings {
        var settings: SharedStoreSettings
        do {
            settings = SharedStoreSettings(
                url: try StoreURL(parsing: url), instanceName: SharedStoreSettings.defaultInstanceName(environment),
                signer: try CheckpointSigner(environment: environment))
        } catch {
            throw ServeError("--store: \(error.message)")
        }
        func seconds(_ name: String) throws(ServeError) -> Double? {
            guard let text = environment[name] else { return nil }
            guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
                throw ServeError("\(name) must be a positive number of seconds, not '\(text)'")
            }
            return seconds
        }
        // How often the active policy is polled besides LISTEN/NOTIFY (the fallback for a missed
        // notification), each store query's deadline, and how long an instance may be silent
        // before its open reservations expire.
        if let poll = try seconds("LUMEN_STORE_POLICY_POLL_SECONDS") { settings.policyPollSeconds = poll }
        if let deadline = try seconds("LUMEN_STORE_QUERY_TIMEOUT") { settings.queryTimeoutSeconds = deadline }
        if let stale = try seconds("LUMEN_STORE_STALE_SECONDS") {
            guard stale >= 2 * settings.heartbeatSeconds else {
                throw ServeError("LUMEN_STORE_STALE_SECONDS must be at least two heartbeats (\(2 * settings.heartbeatSeconds) s), not \(stale)")
            }
            settings.staleSeconds = stale
        }
        return settings
    }
}

/// A startup failure of `lumen serve`, with the message to print.
package struct ServeError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// Runs `lumen serve` until SIGINT/SIGTERM: builds the router, serves HTTP, reloads the policy on
/// SIGHUP, and on shutdown stops accepting, lets in-flight requests finish, then flushes and closes
/// the audit log.
package enum ServeRunner {
    package static func run(_ options: ServeConfiguration, logger: Logger) async throws {
        guard options.maxBodyBytes > 0 else { throw ServeError("--max-body-bytes must be positive") }
        guard options.runtime.slots > 0, options.runtime.queueLimit >= 0 else { throw ServeError("--slots must be ≥ 1 and --queue ≥ 0") }
        guard (0...65535).contains(options.port) else { throw ServeError("--port must be in 0…65535") }
        var keys: KeyStore?
        if let path = options.keysPath {
            do {
                keys = try KeyStore.load(path: path)
            } catch {
                throw ServeError(error.description)
            }
        } else if !ServerConfiguration.resolvesToLoopbackOnly(options.host) {
            throw ServeError(
                "refusing to listen on '\(options.host)' without --keys: anyone who can reach it could spend your budget and see answers. Add --keys FILE (hash keys with `lumen serve --hash-key KEY`) or bind 127.0.0.1."
            )
        }

        let runtime: RouterRuntime
        do {
            runtime = try await RouterRuntime.start(
                options.runtime,
                logger: logger
            )
        } catch {
            throw ServeError(error.message)
        }

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        runtime.reportMetrics()  // the policy version in force (#17), now that metrics go somewhere

        let configuration = ServerConfiguration(
            host: options.host, port: options.port, maxBodyBytes: options.maxBodyBytes, keys: keys, responsesStore: options.responsesStore,
            connections: options.connections, openProbes: options.openProbes, corsOrigins: options.corsOrigins
        )
        let policy = runtime.policy
        let app = LumenHTTPServer.makeApplication(
            router: { runtime.router }, configuration: configuration, registry: registry, logger: logger,
            onListening: { port in
                let line = "lumen serve: listening on http://\(options.host):\(port) (policy '\(policy.name)' \(policy.contentHash.prefix(12)))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        )
        // Trapped before the server starts, so an early SIGHUP cannot end the process.
        let hangUps = await UnixSignalsSequence(trapping: .sighup)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: PolicyReloader(signals: hangUps, runtime: runtime, path: options.runtime.policyPath, logger: logger),
                        successTerminationBehavior: .ignore
                    ),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        await runtime.shutdown()
        FileHandle.standardOutput.write(Data("lumen serve: stopped; audit log flushed\n".utf8))
        if let failure { throw ServeError("server failed: \(failure)") }
    }
}

/// Reloads the policy file on SIGHUP. A policy that does not load leaves the running one in force;
/// both outcomes are printed (stdout / stderr) and logged.
struct PolicyReloader: Service {
    let signals: UnixSignalsSequence
    let runtime: RouterRuntime
    let path: String
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let policy = try await runtime.reload()
                let line = "lumen serve: policy reloaded from \(path) ('\(policy.name)' \(policy.contentHash.prefix(12)))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
                logger.info("policy reloaded", metadata: ["policy": "\(policy.name)", "hash": "\(policy.contentHash)"])
            } catch {
                let current = runtime.policy
                let line = "lumen serve: policy reload failed, '\(current.name)' \(current.contentHash.prefix(12)) stays in force: \(error.message)\n"
                FileHandle.standardError.write(Data(line.utf8))
                logger.error("policy reload failed", metadata: ["error": "\(error.message)"])
            }
        }
    }
}
