import ArgumentParser
import Foundation
import Logging
import LumenRouter
import LumenServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Serve the proxy: OpenAI Chat Completions, Anthropic Messages and OpenAI Responses (POST /v1/chat/completions, /v1/messages, /v1/responses), GET /v1/models, /healthz, /readyz, /metrics.",
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

    @Option(help: "Requests allowed to wait for a local slot (429 beyond); deep enough for fallbacks when a remote target fails.")
    var queue: Int = 32

    @Option(
        help:
            "Context of each slot of the embedded model, in tokens (default: the model's trained context, at most 8192). A longer prompt is a 400 naming both sizes."
    )
    var context: Int?

    @Option(
        help:
            "CPU threads of the embedded model (default: one per core). Fewer leave cores to the proxy and to other programs: llama.cpp's threads wait for each other by spinning, so on a busy machine all cores is slower than one fewer."
    )
    var threads: Int?

    @Option(name: .customLong("upstream-timeout"), help: "Seconds before a remote request times out (504 when nothing can fall back).")
    var upstreamTimeout: Double = 60

    @Option(name: .customLong("responses-store"), help: "Keep the last N Responses API answers in memory for previous_response_id (0 = off).")
    var responsesStore: Int = 0

    @Option(
        name: .customLong("cors-origin"),
        help: ArgumentHelp(
            "A web origin allowed to call the API from a browser, e.g. http://localhost:3000 (repeatable; '*' for any, which needs --keys).",
            discussion: "A request from a web page of any other origin is refused (403)."))
    var corsOrigins: [String] = []

    @Option(
        name: .customLong("breaker-failures"),
        help: "Consecutive failures of a remote target that open its circuit breaker (requests then fall back at once).")
    var breakerFailures: Int = 5

    @Option(name: .customLong("breaker-open"), help: "Seconds an open breaker skips its target before one request probes it.")
    var breakerOpen: Double = 30

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay idle or take to send its headers before it is closed.")
    var idleTimeout: Double = 60

    @Option(
        name: .customLong("body-timeout"),
        help:
            "Seconds a request may take to send its body after its headers, or after its turn comes behind other requests on the connection (408 after that)."
    )
    var bodyTimeout: Double = 60

    @Option(name: .customLong("max-connections"), help: "Connections open at once; one more gets a 503 and is closed.")
    var maxConnections: Int = 1024

    @Flag(
        name: .customLong("open-probes"),
        help: "Serve /metrics and /readyz without a key under --keys (by default they need one; /healthz never does).")
    var openProbes = false

    @Option(
        help:
            "Shared store for several instances: postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: $LUMEN_STORE; none = the audit directory). Audit chains, budgets and the policy then live there."
    )
    var store: String?

    @Option(help: "This instance's name in the shared store (default: $LUMEN_INSTANCE or HOST-PID).")
    var instance: String?

    @Option(name: .customLong("hash-key"), help: "Print the SHA-256 hex of KEY for a key file, then exit.")
    var hashKey: String?

    func validate() throws {
        guard idleTimeout > 0, bodyTimeout > 0 else { throw ValidationError("--idle-timeout and --body-timeout must be positive") }
        guard breakerFailures >= 1, breakerOpen > 0 else {
            throw ValidationError("--breaker-failures must be at least 1 and --breaker-open positive")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        if let context, context < 16 { throw ValidationError("--context must be at least 16 tokens") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        // Any web page the user opens could otherwise spend the remote budget through a keyless server.
        if corsOrigins.contains("*") && keys == nil { throw ValidationError("--cors-origin '*' needs --keys: any web page could call this server") }
        for origin in corsOrigins where origin != "*" {
            // An origin is a scheme and a host (and a port): what a browser sends, never a path.
            let parts = origin.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].contains("/"), !origin.contains("*") else {
                throw ValidationError("--cors-origin takes an origin such as https://app.example.com (scheme and host, no path), not '\(origin)'")
            }
        }
    }

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
        if let threads { options.runtime.threads = threads }
        options.runtime.upstreamTimeout = upstreamTimeout
        options.host = host
        options.port = port
        options.keysPath = keys
        options.maxBodyBytes = maxBodyBytes
        options.responsesStore = max(0, responsesStore)
        options.connections = ConnectionLimits(idleTimeout: idleTimeout, bodyTimeout: bodyTimeout, maxConnections: maxConnections)
        options.openProbes = openProbes
        options.corsOrigins = corsOrigins
        options.runtime.breaker = BreakerSettings(failures: breakerFailures, openFor: .milliseconds(Int64(breakerOpen * 1000)))
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
