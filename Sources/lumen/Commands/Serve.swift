import ArgumentParser
import Foundation
import Logging
import LumenServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the OpenAI-compatible proxy (POST /v1/chat/completions, GET /v1/models, /healthz, /readyz, /metrics).",
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

    @Option(name: .customLong("upstream-timeout"), help: "Seconds before a remote request times out (504 when nothing can fall back).")
    var upstreamTimeout: Double = 60

    @Option(name: .customLong("hash-key"), help: "Print the SHA-256 hex of KEY for a key file, then exit.")
    var hashKey: String?

    func run() async throws {
        if let hashKey {
            print(KeyStore.hash(key: hashKey))
            return
        }
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "lumen.serve")
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let options = ServeOptions(
            policyPath: policy ?? environment["LUMEN_POLICY"] ?? "policies/default.yaml",
            host: host,
            port: port,
            keysPath: keys,
            auditDirectory: auditDir ?? environment["LUMEN_AUDIT_DIR"] ?? "audit",
            modelPath: model,
            maxBodyBytes: maxBodyBytes,
            slots: slots,
            queueLimit: queue,
            upstreamTimeoutSeconds: upstreamTimeout,
            environment: environment
        )
        do {
            try await ServeRunner.run(options, logger: logger)
        } catch let error as ServeError {
            FileHandle.standardError.write(Data("lumen serve: error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `lumen bare-forwarder` (hidden): the HTTP stack of `lumen serve` with nothing of Lumen in it, the
/// floor `lumen bench proxy` measures Lumen against.
struct BareForwarderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-forwarder",
        abstract: "Forward POST /v1/chat/completions verbatim to one upstream (the floor of lumen bench proxy).",
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

    @Option(help: "Requests for the memory (RSS) measurement.")
    var requests: Int = 100_000

    func run() async throws {
        guard let seconds = BenchProxyRunner.parseDuration(duration) else {
            throw ValidationError("--duration must look like 10s, 500ms or 1m")
        }
        try await BenchProxyRunner.run(
            durationSeconds: seconds, connections: connections, rate: rate, rssRequests: requests
        )
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// `lumen bench proxy`: the fake upstream directly vs through `lumen serve` (same fake upstream,
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

    static func run(durationSeconds: Double, connections: Int, rate: Int, rssRequests: Int) async throws {
        guard let wrk = which("wrk") else {
            throw ValidationError("wrk is not installed (apt-get install -y wrk)")
        }
        let binary = benchBinary()
        let work = try scratchDirectory("lumen-bench")
        defer { try? FileManager.default.removeItem(at: work) }

        let upstreamPort = try freePort()
        let policyPath = work.appendingPathComponent("bench.yaml").path
        try """
            name: bench
            description: Everything to the remote target (the fake upstream), for lumen bench proxy.
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
            """.write(toFile: policyPath, atomically: true, encoding: .utf8)

        let upstream = try spawn(binary, ["fake-upstream", "--host", "127.0.0.1", "--port", String(upstreamPort)], environment: [:])
        defer { stop(upstream) }
        try waitForPort(upstreamPort)
        // Two proxies on the same upstream: the pre-egress audit record fsynced (`always`, the default)
        // and only written (`write`: it survives a crash of Lumen, the fsync follows within 100 ms).
        var proxies: [(mode: String, process: Process, endpoint: Endpoint)] = []
        defer { for proxy in proxies { stop(proxy.process) } }
        let body = #"{"model":"auto","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Summarise the benefits of unit testing in one sentence."}],"max_tokens":32}"#
        for mode in ["always", "write"] {
            let port = try freePort()
            var env = ProcessInfo.processInfo.environment
            env["LUMEN_REMOTE_API_KEY"] = "bench-key"
            env["LUMEN_AUDIT_EGRESS_FSYNC"] = mode
            let process = try spawn(
                binary,
                ["serve", "--policy", policyPath, "--host", "127.0.0.1", "--port", String(port), "--audit-dir", work.appendingPathComponent("audit-\(mode)").path],
                environment: env
            )
            proxies.append((mode, process, Endpoint(port: port, path: "/v1/chat/completions", body: body, authorization: nil)))
            try waitForPort(port)
        }

        // The floor: the same HTTP stack forwarding bytes, with nothing of Lumen in it.
        let (floorProcess, floorPort) = try startForwarder(binary, upstream: "http://127.0.0.1:\(upstreamPort)/v1/chat/completions")
        defer { stop(floorProcess) }
        let floor = Endpoint(port: floorPort, path: "/v1/chat/completions", body: body, authorization: nil)

        let direct = Endpoint(port: upstreamPort, path: "/v1/chat/completions", body: body, authorization: "Bearer bench-key")
        // Sanity + warm-up.
        for endpoint in [direct, floor] + proxies.map(\.endpoint) {
            let check = LoadGenerator.closedLoop(endpoint, total: 2_000, connections: 8)
            guard check.errors == 0 else {
                throw ValidationError("warm-up failed against port \(endpoint.port): \(check.errors) errors (first status \(check.firstBadStatus ?? 0))")
            }
        }

        print("lumen bench proxy — fake upstream direct vs through lumen serve (remote route, audit on), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("lumen (always): the pre-egress audit record is fsynced before the request leaves (default); lumen (write): written, fsynced within 100 ms")
        print("bare forwarder: the same HTTP stack (Hummingbird in, AsyncHTTPClient out) forwarding bytes, nothing of Lumen: the floor of any proxy on it")
        print(String(format: "fixed rate %d req/s for %.0fs (paced generator, 16 connections, latency from scheduled send):", rate, durationSeconds))
        let directPaced = LoadGenerator.paced(direct, rate: rate, duration: durationSeconds, connections: 16)
        var paced: [(String, LoadGenerator.Results)] = [("direct", directPaced)]
        paced.append(("bare forwarder", LoadGenerator.paced(floor, rate: rate, duration: durationSeconds, connections: 16)))
        for proxy in proxies {
            paced.append(("lumen (\(proxy.mode))", LoadGenerator.paced(proxy.endpoint, rate: rate, duration: durationSeconds, connections: 16)))
        }
        for (name, result) in paced {
            print(String(format: "  %@ sent %6d  errors %d  p50 %7.0f µs  p99 %7.0f µs  max %7.0f µs", name.rightPadded(15) as NSString, result.latencies.count, result.errors, result.percentile(0.5), result.percentile(0.99), result.percentile(1.0)))
        }
        for (name, result) in paced.dropFirst() {
            print(String(format: "  added by %@ p50 %.0f µs, p99 %.0f µs (target p99 ≤ 1000 µs)", name.rightPadded(15) as NSString,
                         result.percentile(0.5) - directPaced.percentile(0.5), result.percentile(0.99) - directPaced.percentile(0.99)))
        }
        let floorPaced = paced[1].1
        for (name, result) in paced.dropFirst(2) {
            print(String(format: "  over the bare forwarder, %@ p50 %.0f µs, p99 %.0f µs (Lumen's own share)", name.rightPadded(15) as NSString,
                         result.percentile(0.5) - floorPaced.percentile(0.5), result.percentile(0.99) - floorPaced.percentile(0.99)))
        }

        print(String(format: "max throughput (wrk, 2 threads, %d connections, %.0fs):", connections, durationSeconds))
        let directMax = try runWrk(wrk, endpoint: direct, connections: connections, duration: durationSeconds, work: work)
        print(String(format: "  direct           %8.0f req/s  (non-2xx %d)", directMax.rps, directMax.non2xx))
        let floorMax = try runWrk(wrk, endpoint: floor, connections: connections, duration: durationSeconds, work: work)
        print(String(format: "  bare forwarder   %8.0f req/s  (non-2xx %d)  = %.2f× of direct (the stack's ceiling here)", floorMax.rps, floorMax.non2xx,
                     floorMax.rps / max(directMax.rps, 1)))
        for proxy in proxies {
            let lumenMax = try runWrk(wrk, endpoint: proxy.endpoint, connections: connections, duration: durationSeconds, work: work)
            print(String(format: "  %@ %8.0f req/s  (non-2xx %d)  = %.2f× of direct, %.2f× of the bare forwarder (target ≥ 5000 req/s)",
                         "lumen (\(proxy.mode))".rightPadded(16) as NSString, lumenMax.rps, lumenMax.non2xx, lumenMax.rps / max(directMax.rps, 1),
                         lumenMax.rps / max(floorMax.rps, 1)))
        }

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
        print(String(format: "memory: lumen RSS %.1f MiB before, then %@ MiB after each quarter of %d requests (%+.1f MiB in all, errors %d, %.0f req/s)",
                     Double(before) / 1024, marks.joined(separator: " → ") as NSString, rssRequests, Double(after - before) / 1024, errors,
                     Double(rssRequests) / max(seconds, 1e-9)))
    }

    // MARK: - Processes

    /// This executable, for starting `lumen serve` and `lumen fake-upstream` children; says so when
    /// it is a debug build (its numbers mean little).
    static func benchBinary() -> String {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if binary.contains("/debug/") {
            print("note: this is a debug build; use `swift build -c release` and .build/release/lumen for real numbers")
        }
        return binary
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

    /// Starts `lumen bare-forwarder` to `upstream` (with the benches' key) on a free port and waits
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

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c\(connections)", "-d\(Int(duration.rounded(.up)))s", "-s", script.path, "http://127.0.0.1:\(endpoint.port)\(endpoint.path)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        var result = WrkResult(rps: 0, non2xx: 0)
        for line in output.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("Requests/sec:") { result.rps = Double(trimmed.dropFirst(13).trimmingCharacters(in: .whitespaces)) ?? 0 }
            if trimmed.hasPrefix("Non-2xx or 3xx responses:") { result.non2xx = Int(trimmed.dropFirst(25).trimmingCharacters(in: .whitespaces)) ?? 0 }
        }
        return result
    }
}

/// An HTTP endpoint and the request body the load generators send to it.
struct Endpoint: Sendable {
    var port: Int
    var path: String
    var body: String
    var authorization: String?

    var requestBytes: [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        head += "\r\n"
        return Array((head + body).utf8)
    }
}

/// Blocking-socket HTTP/1.1 load generators on their own threads (keep-alive connections).
enum LoadGenerator {
    final class Results: @unchecked Sendable {
        // Guarded by `lock`; threads append their own results once, at the end.
        let lock = NSLock()
        var latencies: [Double] = []
        var errors = 0
        var firstBadStatus: Int?
        var seconds: Double = 0

        func add(_ values: [Double], errors: Int, badStatus: Int?) {
            lock.lock()
            latencies.append(contentsOf: values)
            self.errors += errors
            if firstBadStatus == nil { firstBadStatus = badStatus }
            lock.unlock()
        }

        /// Nearest-rank percentile of the latencies (`BenchDecision.percentile`); NaN when there are none.
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : BenchDecision.percentile(latencies.sorted(), p)
        }
    }

    static func connectTo(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// One request/response on a keep-alive connection; returns the status or nil on error.
    static func exchange(_ fd: Int32, request: [UInt8], buffer: inout [UInt8]) -> Int? {
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var received: [UInt8] = []
        var headerEnd: Int?
        var contentLength = 0
        var status = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            received.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let end = find(received, [13, 10, 13, 10]) {
                headerEnd = end + 4
                let head = String(decoding: received[0..<end], as: UTF8.self)
                let lines = head.split(separator: "\r\n")
                status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                for line in lines.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let headerEnd, received.count >= headerEnd + contentLength { return status }
        }
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    static func nowSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Fixed-rate load: request i is scheduled at start + i/rate (spread over `connections`);
    /// latency (µs) runs from the scheduled time to the end of the response.
    static func paced(_ endpoint: Endpoint, rate: Int, duration: Double, connections: Int) -> Results {
        let results = Results()
        let request = endpoint.requestBytes
        let start = nowSeconds() + 0.05
        let total = Int(Double(rate) * duration)
        let threads: [@Sendable () -> Void] = (0..<connections).map { c in
            {
                var latencies: [Double] = []
                var errors = 0
                var badStatus: Int?
                var buffer = [UInt8](repeating: 0, count: 65_536)
                guard var fd = connectTo(port: endpoint.port) else {
                    results.add([], errors: 1, badStatus: nil)
                    return
                }
                var i = c
                while i < total {
                    let scheduled = start + Double(i) / Double(rate)
                    let wait = scheduled - nowSeconds()
                    if wait > 0 { usleep(UInt32(wait * 1e6)) }
                    let status = exchange(fd, request: request, buffer: &buffer)
                    let done = nowSeconds()
                    if status == 200 {
                        latencies.append((done - scheduled) * 1e6)
                    } else {
                        errors += 1
                        if badStatus == nil { badStatus = status ?? -1 }
                        close(fd)
                        guard let again = connectTo(port: endpoint.port) else { break }
                        fd = again
                    }
                    i += connections
                }
                close(fd)
                results.add(latencies, errors: errors, badStatus: badStatus)
            }
        }
        runAll(threads)
        return results
    }

    /// As fast as possible until `total` requests were answered.
    static func closedLoop(_ endpoint: Endpoint, total: Int, connections: Int) -> Results {
        let results = Results()
        let request = endpoint.requestBytes
        let perConnection = (total + connections - 1) / connections
        let started = nowSeconds()
        let threads: [@Sendable () -> Void] = (0..<connections).map { _ in
            {
                var errors = 0
                var badStatus: Int?
                var buffer = [UInt8](repeating: 0, count: 65_536)
                guard var fd = connectTo(port: endpoint.port) else {
                    results.add([], errors: perConnection, badStatus: nil)
                    return
                }
                for _ in 0..<perConnection {
                    let status = exchange(fd, request: request, buffer: &buffer)
                    if status != 200 {
                        errors += 1
                        if badStatus == nil { badStatus = status ?? -1 }
                        close(fd)
                        guard let again = connectTo(port: endpoint.port) else { break }
                        fd = again
                    }
                }
                close(fd)
                results.add([], errors: errors, badStatus: badStatus)
            }
        }
        runAll(threads)
        results.seconds = nowSeconds() - started
        return results
    }

    static func runAll(_ bodies: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for body in bodies {
            group.enter()
            Thread.detachNewThread {
                body()
                group.leave()
            }
        }
        group.wait()
    }
}
