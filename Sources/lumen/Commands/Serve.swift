import ArgumentParser
import Foundation
import Logging
import LumenServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the proxy: OpenAI Chat Completions, Anthropic Messages and OpenAI Responses (POST /v1/chat/completions, /v1/messages, /v1/responses), GET /v1/models, /healthz, /readyz, /metrics.",
        discussion: """
            Every request is classified, decided by the policy (local, remote, remote after redaction, \
            or block), served, and written to the audit log. Without --keys the server listens on \
            loopback only. SIGINT/SIGTERM stop accepting, finish in-flight requests and flush the audit log. \
            SIGHUP reloads the policy file: requests already running finish under the old policy; a file \
            that does not load is reported and the running policy stays in force.
            Response headers: x-lumen-request-id, x-lumen-route, x-lumen-target, x-lumen-rule, \
            x-lumen-cost-usd (for streams: the estimate at start; the final chunk's usage.cost is the \
            real number), x-lumen-egress.
            """
    )

    @Option(help: "Policy file (default: $LUMEN_POLICY or policies/default.yaml).")
    var policy: String?

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 = any free port; the bound port is printed).")
    var port: Int = 8080

    @Option(help: "Key file (YAML/JSON: sha256 hex of each key → tenant, optional id). Required for non-loopback hosts.")
    var keys: String?

    @Option(name: .customLong("audit-dir"), help: "Audit log directory (default: $LUMEN_AUDIT_DIR or ./audit).")
    var auditDir: String?

    @Option(help: "GGUF model for the policy's embedded target (default: $LUMEN_MODEL or the bundled SmolLM2).")
    var model: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest accepted request body (413 above).")
    var maxBodyBytes: Int = 4 << 20

    @Option(help: "Concurrent generation slots of the embedded model.")
    var slots: Int = 2

    @Option(help: "Requests allowed to wait for a local slot (429 beyond).")
    var queue: Int = 8

    @Option(help: "Context of each slot of the embedded model, in tokens (default: the model's trained context, at most 8192). A longer prompt is a 400 naming both sizes.")
    var context: Int?

    @Option(name: .customLong("upstream-timeout"), help: "Seconds before a remote request times out (504 when nothing can fall back).")
    var upstreamTimeout: Double = 60

    @Option(name: .customLong("responses-store"), help: "Keep the last N Responses API answers in memory for previous_response_id (0 = off).")
    var responsesStore: Int = 0

    @Option(help: "Shared store for several instances: postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: $LUMEN_STORE; none = the audit directory). Audit chains, budgets and the policy then live there.")
    var store: String?

    @Option(help: "This instance's name in the shared store (default: $LUMEN_INSTANCE or HOST-PID).")
    var instance: String?

    @Option(name: .customLong("hash-key"), help: "Print the SHA-256 hex of KEY for a key file, then exit.")
    var hashKey: String?

    func run() async throws {
        if let hashKey {
            print(KeyStore.hash(key: hashKey))
            return
        }
        // Flags and environment are read here, once, into one configuration value.
        var options: ServeConfiguration
        do {
            options = try ServeConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("lumen serve: error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        if let policy { options.runtime.policyPath = policy }
        if let auditDir { options.runtime.auditDirectory = auditDir }
        if let model { options.runtime.modelPath = model }
        do {
            var environment = ProcessInfo.processInfo.environment
            if let instance { environment["LUMEN_INSTANCE"] = instance }
            if let store {
                options.runtime.store = try ServeConfiguration.storeSettings(url: store, environment: environment)
            } else if let instance, options.runtime.store != nil {
                options.runtime.store?.instanceName = instance
            }
        } catch {
            FileHandle.standardError.write(Data("lumen serve: error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        options.runtime.slots = slots
        options.runtime.queueLimit = queue
        if let context { options.runtime.contextLength = context }
        options.runtime.upstreamTimeout = upstreamTimeout
        options.host = host
        options.port = port
        options.keysPath = keys
        options.maxBodyBytes = maxBodyBytes
        options.responsesStore = max(0, responsesStore)
        var logger = Logger(label: "lumen.serve")
        logger.logLevel = options.logLevel
        do {
            try await ServeRunner.run(options, logger: logger)
        } catch let error as ServeError {
            FileHandle.standardError.write(Data("lumen serve: error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}

