import Foundation
import Hummingbird
public import Logging
import LumenRouter
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Options of `lumen serve`, as parsed by the CLI.
public struct ServeOptions: Sendable {
    public var policyPath: String
    public var host: String
    public var port: Int
    public var keysPath: String?
    public var auditDirectory: String
    public var modelPath: String?
    public var maxBodyBytes: Int
    public var slots: Int
    public var queueLimit: Int
    public var upstreamTimeoutSeconds: Double
    public var environment: [String: String]

    public init(
        policyPath: String, host: String, port: Int, keysPath: String?, auditDirectory: String, modelPath: String?,
        maxBodyBytes: Int, slots: Int, queueLimit: Int, upstreamTimeoutSeconds: Double, environment: [String: String]
    ) {
        self.policyPath = policyPath
        self.host = host
        self.port = port
        self.keysPath = keysPath
        self.auditDirectory = auditDirectory
        self.modelPath = modelPath
        self.maxBodyBytes = maxBodyBytes
        self.slots = slots
        self.queueLimit = queueLimit
        self.upstreamTimeoutSeconds = upstreamTimeoutSeconds
        self.environment = environment
    }
}

/// A startup failure of `lumen serve`, with the message to print.
public struct ServeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs `lumen serve` until SIGINT/SIGTERM: builds the router, serves HTTP, reloads the policy on
/// SIGHUP, and on shutdown stops accepting, lets in-flight requests finish, then flushes and closes
/// the audit log.
public enum ServeRunner {
    public static func run(_ options: ServeOptions, logger: Logger) async throws {
        guard options.maxBodyBytes > 0 else { throw ServeError("--max-body-bytes must be positive") }
        guard options.slots > 0, options.queueLimit >= 0 else { throw ServeError("--slots must be ≥ 1 and --queue ≥ 0") }
        guard (0...65535).contains(options.port) else { throw ServeError("--port must be in 0…65535") }
        var keys: KeyStore?
        if let path = options.keysPath {
            do {
                keys = try KeyStore.load(path: path)
            } catch {
                throw ServeError(error.description)
            }
        } else if !ServerConfiguration.isLoopback(options.host) {
            throw ServeError(
                "refusing to listen on '\(options.host)' without --keys: anyone who can reach it could spend your budget and see answers. Add --keys FILE (hash keys with `lumen serve --hash-key KEY`) or bind 127.0.0.1."
            )
        }

        let runtime: RouterRuntime
        do {
            runtime = try await RouterRuntime.start(
                RouterSetup(
                    policyPath: options.policyPath, modelPath: options.modelPath, auditDirectory: options.auditDirectory,
                    slots: options.slots, queueLimit: options.queueLimit, upstreamTimeout: options.upstreamTimeoutSeconds,
                    environment: options.environment
                ),
                logger: logger
            )
        } catch {
            throw ServeError(error.message)
        }

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let configuration = ServerConfiguration(host: options.host, port: options.port, maxBodyBytes: options.maxBodyBytes, keys: keys)
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
                        service: PolicyReloader(signals: hangUps, runtime: runtime, path: options.policyPath, logger: logger),
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
