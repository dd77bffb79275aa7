import ArgumentParser
import Foundation
import Logging
import LumenTestSupport

/// `lumen-bench bare-forwarder` (hidden): the HTTP stack of `lumen serve` with nothing of Lumen in it,
/// the floor `lumen-bench proxy` measures Lumen against.
struct BareForwarderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-forwarder",
        abstract: "Forward POST /v1/chat/completions verbatim to one upstream (the floor of lumen-bench proxy).",
        shouldDisplay: false
    )

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind.")
    var port: Int

    @Option(help: "Upstream URL to post each body to.")
    var upstream: String

    @Option(help: "Authorization header value sent upstream.")
    var authorization: String?

    func run() async throws {
        var logger = Logger(label: "lumen.bare-forwarder")
        logger.logLevel = .warning
        try await BareForwarder.run(host: host, port: port, upstream: upstream, authorization: authorization, logger: logger)
    }
}

struct BenchProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Added latency and throughput of the proxy vs the fake upstream directly (uses wrk; build in release)."
    )

    @Option(help: "Duration of each load phase, e.g. 10s.")
    var duration: String = "10s"

    @Option(help: "Concurrent connections for the max-throughput phase.")
    var connections: Int = 64

    @Option(help: "Fixed request rate for the latency phase (requests/s).")
    var rate: Int = 1000

    @Option(help: "Requests for the memory (RSS) measurement (0: skip it).")
    var requests: Int = 100_000

    @Option(
        help:
            "Also measure lumen serve --store on this PostgreSQL store (postgres://…), or `auto` for a throwaway cluster started here (Debian's postgresql), next to the file store in the same run. The policy then has a (large) budget, so reservations are measured too."
    )
    var store: String?

    @Option(help: "Interleaved rounds: every endpoint is measured once per round, and the summary gives medians and ranges.")
    var rounds: Int = 3

    @Option(help: "Virtualenv with litellm[proxy] for the LiteLLM peer (default $LUMEN_BENCH_VENV, else .venv-bench).")
    var litellmVenv: String?

    @Flag(help: "Leave out the LiteLLM proxy peer.")
    var noLitellm = false

    func run() async throws {
        guard let seconds = BenchProxyRunner.parseDuration(duration) else {
            throw ValidationError("--duration must look like 10s, 500ms or 1m")
        }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        let venv = noLitellm ? nil : (litellmVenv ?? ProcessInfo.processInfo.environment["LUMEN_BENCH_VENV"] ?? ".venv-bench")
        try await BenchProxyRunner.run(
            durationSeconds: seconds, connections: connections, rate: rate, rssRequests: requests, rounds: rounds, litellmVenv: venv, store: store
        )
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// `lumen-bench proxy`: the fake upstream directly vs through `lumen serve` (same fake upstream,
/// remote route, non-streaming, audit on) in one run. Both servers run as child processes of this
/// binary; load comes from `wrk` (max throughput) and a paced load generator (fixed rate,
/// latency measured from each request's scheduled send time, so queueing is not hidden).
enum BenchProxyRunner {
    static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value > 0 { return value * scale }
        }
        return Double(text).flatMap { $0 > 0 ? $0 : nil }
    }

    static func run(
        durationSeconds: Double, connections: Int, rate: Int, rssRequests: Int, rounds: Int, litellmVenv: String?, store: String? = nil
    ) async throws {
        guard let wrk = which("wrk") else {
            throw ValidationError("wrk is not installed: run `bash scripts/setup.sh --bench-tools` (apt-get install -y wrk)")
        }
        let binary = try lumenBinary()
        let forwarderBinary = benchBinary()
        let work = try scratchDirectory("lumen-bench")
        defer { try? FileManager.default.removeItem(at: work) }

        let upstreamPort = try freePort()
        let policyPath = work.appendingPathComponent("bench.yaml").path
        try """
        name: bench
        description: Everything to the remote target (the fake upstream), for lumen-bench proxy.
        targets:
          - name: remote
            kind: openai
            base_url: http://127.0.0.1:\(upstreamPort)/v1
            model: bench-model
            api_key_env: LUMEN_REMOTE_API_KEY
            price: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
        rules: []
        default:
          route: remote
        """.appending(
            store == nil
                ? ""
                : """

                budgets:
                  global: { daily_usd: 1000000 }
                  on_exhausted:
                    block: Budget spent.
                """
        ).write(toFile: policyPath, atomically: true, encoding: .utf8)

        // The shared store (#17): a given URL, or a throwaway durable cluster (fsync on).
        var cluster: PostgresCluster?
        defer { cluster?.stop() }
        var storeURL: String?
        if let store {
            if store == "auto" {
                cluster = try PostgresCluster.start(durable: true)
                storeURL = try cluster?.database("bench")
            } else {
                storeURL = store
            }
            let apply = try spawn(binary, ["policy", "apply", policyPath, "--store", storeURL!], environment: [:])
            apply.waitUntilExit()
            guard apply.terminationStatus == 0 else { throw ValidationError("lumen policy apply --store failed (is \(storeURL!) reachable?)") }
        }

        let upstream = try spawn(binary, ["fake-upstream", "--host", "127.0.0.1", "--port", String(upstreamPort)], environment: [:])
        defer { stop(upstream) }
        try waitForPort(upstreamPort)
        // Two proxies on the same upstream: the pre-egress audit record fsynced (`always`, the default)
        // and only written (`write`: it survives a crash of Lumen, the fsync follows within 100 ms).
        var proxies: [(mode: String, process: Process, endpoint: Endpoint)] = []
        defer { for proxy in proxies { stop(proxy.process) } }
        let body =
            #"{"model":"auto","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Summarise the benefits of unit testing in one sentence."}],"max_tokens":32}"#
        for mode in ["always", "write"] + (storeURL == nil ? [] : ["store"]) {
            let port = try freePort()
            var env = ProcessInfo.processInfo.environment
            env["LUMEN_REMOTE_API_KEY"] = "bench-key"
            env["LUMEN_AUDIT_EGRESS_FSYNC"] = mode == "store" ? "always" : mode
            let storeArguments = mode == "store" ? ["--store", storeURL!, "--instance", "bench"] : []
            let process = try spawn(
                binary,
                [
                    "serve", "--policy", policyPath, "--host", "127.0.0.1", "--port", String(port), "--audit-dir",
                    work.appendingPathComponent("audit-\(mode)").path,
                ]
                    + storeArguments,
                environment: env
            )
            proxies.append((mode, process, Endpoint(port: port, path: "/v1/chat/completions", body: body, authorization: nil)))
            try waitForPort(port)
        }

        // The floor: the same HTTP stack forwarding bytes, with nothing of Lumen in it.
        let (floorProcess, floorPort) = try startForwarder(forwarderBinary, upstream: "http://127.0.0.1:\(upstreamPort)/v1/chat/completions")
        defer { stop(floorProcess) }
        let floor = Endpoint(port: floorPort, path: "/v1/chat/completions", body: body, authorization: nil)

        let direct = Endpoint(port: upstreamPort, path: "/v1/chat/completions", body: body, authorization: "Bearer bench-key")
        // Sanity + warm-up.
        for endpoint in [direct, floor] + proxies.map(\.endpoint) {
            let check = LoadGenerator.closedLoop(endpoint, total: 2_000, connections: 8)
            guard check.errors == 0 else {
                throw ValidationError(
                    "warm-up failed against port \(endpoint.port): \(check.errors) errors (first status \(check.firstBadStatus ?? 0))")
            }
        }

        // The named peer: the LiteLLM proxy on the same upstream. If it cannot start, say why and go on.
        var peer: LiteLLMPeer.Running?
        if let litellmVenv {
            switch LiteLLMPeer.start(venv: litellmVenv, upstreamPort: upstreamPort, body: body, work: work) {
            case .success(let running): peer = running
            case .failure(let error): say("LiteLLM proxy: not measured (\(error))")
            }
        }
        defer { if let peer { stop(peer.process) } }
        let peerEndpoint = peer.map { Endpoint(port: $0.port, path: "/v1/chat/completions", body: body, authorization: nil) }

        say(
            "lumen-bench proxy — fake upstream direct vs through lumen serve (remote route, audit on), \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        say(
            "lumen (always): the pre-egress audit record is fsynced before the request leaves (default); lumen (write): written, fsynced within 100 ms"
        )
        if let storeURL {
            say(
                "lumen (store): audit records committed to PostgreSQL (\(cluster == nil ? storeURL : "throwaway cluster, fsync on, synchronous_commit on")) before the request leaves and before the answer; budgets reserved there; every lumen here has a budget"
            )
        }
        say(
            "bare forwarder: the same HTTP stack (Hummingbird in, AsyncHTTPClient out) forwarding bytes, nothing of Lumen: the floor of any proxy on it"
        )
        if let peer { say("LiteLLM proxy \(peer.version): one worker, the same upstream as an openai-compatible model, the same request") }
        say(
            String(
                format:
                    "%d interleaved rounds; each: fixed rate %d req/s for %.0fs (paced generator, 16 connections, latency from scheduled send), then wrk (2 threads, %d connections, %.0fs)",
                rounds, rate, durationSeconds, connections, durationSeconds))

        let names = ["direct", "bare forwarder"] + proxies.map { "lumen (\($0.mode))" }
        let endpoints = [direct, floor] + proxies.map(\.endpoint)
        var summary = RoundSummary()
        for round in 1...rounds {
            say("round \(round):")
            var paced: [String: LoadGenerator.Results] = [:]
            for (name, endpoint) in zip(names, endpoints) {
                let result = LoadGenerator.paced(endpoint, rate: rate, duration: durationSeconds, connections: 16)
                paced[name] = result
                say(
                    String(
                        format: "  %@ %d req/s: sent %6d  errors %d  p50 %7.0f µs  p99 %7.0f µs  max %7.0f µs", name.rightPadded(16) as NSString,
                        rate,
                        result.latencies.count, result.errors, result.percentile(0.5), result.percentile(0.99), result.percentile(1.0)))
                summary.add("\(name) p50 µs", result.percentile(0.5))
                summary.add("\(name) p99 µs", result.percentile(0.99))
            }
            let directPaced = paced["direct"]!
            let floorPaced = paced["bare forwarder"]!
            for name in names.dropFirst() {
                let result = paced[name]!
                let addedP50 = result.percentile(0.5) - directPaced.percentile(0.5)
                let addedP99 = result.percentile(0.99) - directPaced.percentile(0.99)
                summary.add("\(name) added p50 µs", addedP50)
                summary.add("\(name) added p99 µs", addedP99)
                var line = String(format: "  %@ adds p50 %6.0f µs, p99 %6.0f µs over direct", name.rightPadded(16) as NSString, addedP50, addedP99)
                if name.hasPrefix("lumen") {
                    let ownP50 = result.percentile(0.5) - floorPaced.percentile(0.5)
                    let ownP99 = result.percentile(0.99) - floorPaced.percentile(0.99)
                    summary.add("\(name) own p50 µs", ownP50)
                    summary.add("\(name) own p99 µs", ownP99)
                    line += String(format: "; over the bare forwarder (Lumen's own share) p50 %6.0f µs, p99 %6.0f µs", ownP50, ownP99)
                }
                say(line)
            }
            if let always = paced["lumen (always)"], let write = paced["lumen (write)"] {
                summary.add("always/write p99", always.percentile(0.99) / max(write.percentile(0.99), 1))
            }

            var rps: [String: Double] = [:]
            for (name, endpoint) in zip(names, endpoints) {
                let result = try runWrk(wrk, endpoint: endpoint, connections: connections, duration: durationSeconds, work: work)
                rps[name] = result.rps
                summary.add("\(name) req/s", result.rps)
                var line = String(format: "  %@ wrk %8.0f req/s  (non-2xx %d)", name.rightPadded(16) as NSString, result.rps, result.non2xx)
                if name != "direct" { line += String(format: "  = %.2f× of direct", result.rps / max(rps["direct"] ?? 0, 1)) }
                if name.hasPrefix("lumen") {
                    let ratio = result.rps / max(rps["bare forwarder"] ?? 0, 1)
                    summary.add("\(name) / bare forwarder", ratio)
                    line += String(format: ", %.2f× of the bare forwarder", ratio)
                }
                say(line)
            }
            if peer != nil, let peerEndpoint {
                let result = try runWrk(wrk, endpoint: peerEndpoint, connections: connections, duration: durationSeconds, work: work)
                summary.add("LiteLLM req/s", result.rps)
                say(
                    String(
                        format: "  %@ wrk %8.0f req/s  (non-2xx %d)  = %.2f× of the bare forwarder", "LiteLLM proxy".rightPadded(16) as NSString,
                        result.rps, result.non2xx, result.rps / max(rps["bare forwarder"] ?? 0, 1)))
                for name in names where name.hasPrefix("lumen") {
                    let ratio = (rps[name] ?? 0) / max(result.rps, 1e-9)
                    summary.add("\(name) / LiteLLM", ratio)
                    say(String(format: "  %@ serves %.1f× LiteLLM's max throughput", name.rightPadded(16) as NSString, ratio))
                }
                // Its latency at a rate it sustains (half its max, at most --rate), next to direct at that rate;
                // Lumen's is taken at --rate, a heavier load, so the comparison favours the peer.
                let peerRate = max(1, min(rate, Int(result.rps / 2)))
                let peerPaced = LoadGenerator.paced(peerEndpoint, rate: peerRate, duration: durationSeconds, connections: 16)
                let directAtRate = LoadGenerator.paced(direct, rate: peerRate, duration: durationSeconds, connections: 16)
                let addedP50 = peerPaced.percentile(0.5) - directAtRate.percentile(0.5)
                let addedP99 = peerPaced.percentile(0.99) - directAtRate.percentile(0.99)
                summary.add("LiteLLM added p50 µs", addedP50)
                summary.add("LiteLLM added p99 µs", addedP99)
                say(
                    String(
                        format:
                            "  %@ %d req/s: sent %6d  errors %d  p50 %7.0f µs  p99 %7.0f µs; adds p50 %.0f µs, p99 %.0f µs over direct at that rate",
                        "LiteLLM proxy".rightPadded(16) as NSString, peerRate, peerPaced.latencies.count, peerPaced.errors,
                        peerPaced.percentile(0.5), peerPaced.percentile(0.99), addedP50, addedP99))
            }
        }
        say("summary over \(rounds) round(s): median (min–max)")
        summary.print()

        guard rssRequests > 0 else { return }
        let proxy = proxies[0].process
        let viaLumen = proxies[0].endpoint
        // Memory: RSS after each quarter of the run, so a plateau and a leak look different.
        let before = rssKiB(proxy.processIdentifier)
        var marks: [String] = []
        var errors = 0
        var seconds = 0.0
        for _ in 0..<4 {
            let quarter = LoadGenerator.closedLoop(viaLumen, total: rssRequests / 4, connections: 32)
            errors += quarter.errors
            seconds += quarter.seconds
            marks.append(String(format: "%.1f", Double(rssKiB(proxy.processIdentifier)) / 1024))
        }
        let after = rssKiB(proxy.processIdentifier)
        say(
            String(
                format: "memory: lumen RSS %.1f MiB before, then %@ MiB after each quarter of %d requests (%+.1f MiB in all, errors %d, %.0f req/s)",
                Double(before) / 1024, marks.joined(separator: " → ") as NSString, rssRequests, Double(after - before) / 1024, errors,
                Double(rssRequests) / max(seconds, 1e-9)))
    }

    /// Prints a line at once (stdout is a pipe or a file under `make bench`, block-buffered otherwise).
    static func say(_ text: String) {
        print(text)
        fflush(nil)
    }

    // MARK: - Processes

    /// This executable (`lumen-bench`), for starting `bare-forwarder` children; says so when it is a
    /// debug build (its numbers mean little).
    static func benchBinary() -> String {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if binary.contains("/debug/") {
            print("note: this is a debug build; use `swift build -c release` and .build/release/lumen-bench for real numbers")
        }
        return binary
    }

    /// The `lumen` product built next to this executable (or `$LUMEN_BIN`), for `lumen serve` and
    /// `lumen fake-upstream` children: the benchmarks measure the product as users run it.
    static func lumenBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["LUMEN_BIN"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let sibling = URL(fileURLWithPath: benchBinary()).deletingLastPathComponent().appendingPathComponent("lumen").path
        guard FileManager.default.isExecutableFile(atPath: sibling) else {
            throw ValidationError(
                "the lumen binary was not found next to lumen-bench (\(sibling)); build it (swift build -c release --product lumen) or set LUMEN_BIN")
        }
        return sibling
    }

    /// A fresh directory `<tmp>/<prefix>-<pid>` for one benchmark's files; the caller removes it.
    static func scratchDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func spawn(_ binary: String, _ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = environment }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts `lumen-bench bare-forwarder` to `upstream` (with the benches' key) on a free port and waits
    /// until it listens.
    static func startForwarder(_ binary: String, upstream: String) throws -> (process: Process, port: Int) {
        let port = try freePort()
        let process = try spawn(
            binary,
            ["bare-forwarder", "--host", "127.0.0.1", "--port", String(port), "--upstream", upstream, "--authorization", "Bearer bench-key"],
            environment: [:]
        )
        do {
            try waitForPort(port)
        } catch {
            stop(process)
            throw error
        }
        return (process, port)
    }

    /// SIGTERM, then SIGKILL after `grace` seconds: a child started from this process's threads
    /// inherits their blocked signals, and one that never unblocks SIGTERM (the LiteLLM proxy) would
    /// otherwise be waited for forever.
    static func stop(_ process: Process, grace: Double = 5) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ValidationError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ValidationError("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func waitForPort(_ port: Int, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let fd = LoadGenerator.connectTo(port: port) {
                close(fd)
                return
            }
            usleep(50_000)
        }
        throw ValidationError("nothing listened on port \(port) within \(Int(timeout))s")
    }

    static func rssKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    struct WrkResult {
        var rps: Double
        var non2xx: Int
    }

    static func runWrk(_ wrk: String, endpoint: Endpoint, connections: Int, duration: Double, work: URL) throws -> WrkResult {
        let script = work.appendingPathComponent("post-\(endpoint.port).lua")
        let escaped = endpoint.body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var lua = "wrk.method = \"POST\"\nwrk.body = \"\(escaped)\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        if let auth = endpoint.authorization { lua += "wrk.headers[\"Authorization\"] = \"\(auth)\"\n" }
        try lua.write(to: script, atomically: true, encoding: .utf8)
        let output = try LiteLLMPeer.output(
            wrk,
            ["-t2", "-c\(connections)", "-d\(Int(duration.rounded(.up)))s", "-s", script.path, "http://127.0.0.1:\(endpoint.port)\(endpoint.path)"]
        )
        var result = WrkResult(rps: 0, non2xx: 0)
        for line in output.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("Requests/sec:") { result.rps = Double(trimmed.dropFirst(13).trimmingCharacters(in: .whitespaces)) ?? 0 }
            if trimmed.hasPrefix("Non-2xx or 3xx responses:") { result.non2xx = Int(trimmed.dropFirst(25).trimmingCharacters(in: .whitespaces)) ?? 0 }
        }
        return result
    }
}

/// Per-round values of each measure, printed as median and range once every round has run.
struct RoundSummary {
    var order: [String] = []
    var values: [String: [Double]] = [:]

    mutating func add(_ name: String, _ value: Double) {
        if values[name] == nil { order.append(name) }
        values[name, default: []].append(value)
    }

    func print() {
        for name in order {
            let sorted = (values[name] ?? []).sorted()
            guard !sorted.isEmpty else { continue }
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            let format = abs(median) < 10 ? "%.2f" : "%.0f"
            Swift.print(
                "  \(name.rightPadded(34)) \(String(format: format, median)) (\(String(format: format, sorted.first!))–\(String(format: format, sorted.last!)))"
            )
        }
    }
}
