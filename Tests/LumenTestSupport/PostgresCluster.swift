package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests and benchmarks (#17): Debian's `postgresql` package
/// (`scripts/setup.sh --test-tools` installs it), `initdb` into a temporary directory, the server on
/// a free loopback port, run as `nobody` when the tests run as root (PostgreSQL refuses root), and
/// removed by `stop()`. Each `database()` is a fresh database in it.
package final class PostgresCluster: @unchecked Sendable {
    // Safe: `port` and `directory` are set once in `start` before the value is shared; the rest is
    // immutable or guarded by `lock`.
    package let directory: URL
    package private(set) var port = 0
    package let binDirectory: String
    private let lock = NSLock()
    private var databases = 0

    /// The directory holding `initdb`, `pg_ctl`, `postgres` and `psql` (newest version first), or nil.
    package static let binaries: String? = {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions {
            let bin = "\(base)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb"), FileManager.default.isExecutableFile(atPath: bin + "/pg_ctl") {
                return bin
            }
        }
        return nil
    }()

    package static var available: Bool { binaries != nil }
    package static let unavailableReason =
        "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/setup.sh --test-tools, or apt-get install postgresql)"

    private static var isRoot: Bool { geteuid() == 0 }

    /// Runs blocking work (process spawns and waits) on a thread of its own, so tests do not hold one
    /// of the few threads Swift concurrency runs every task on (2 here) while `initdb` runs.
    package static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// `start(durable:)` off the concurrency pool.
    package static func starting(durable: Bool = false) async throws -> PostgresCluster {
        try await offPool { try start(durable: durable) }
    }

    /// `database(_:)` off the concurrency pool.
    package func creatingDatabase(_ prefix: String = "t") async throws -> String {
        try await Self.offPool { try self.database(prefix) }
    }

    /// `sql(_:database:)` off the concurrency pool.
    @discardableResult
    package func query(_ statement: String, database: String = "postgres") async throws -> String {
        try await Self.offPool { try self.sql(statement, database: database) }
    }

    /// `stopServer()` / `startServer()` off the concurrency pool.
    package func stoppingServer() async throws { try await Self.offPool { try self.stopServer() } }
    package func startingServer() async throws { try await Self.offPool { try self.startServer() } }

    /// Creates and starts a cluster. `durable: false` turns fsync off (faster tests; nothing here
    /// crashes the database itself).
    package static func start(durable: Bool = false) throws -> PostgresCluster {
        guard let bin = binaries else { throw HarnessError(unavailableReason) }
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("lumen-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cluster = PostgresCluster(directory: directory, binDirectory: bin)
        if isRoot { _ = try cluster.exec("/bin/chown", ["nobody", directory.path], asPostgresUser: false) }
        let data = directory.appendingPathComponent("data").path
        let initdb = try cluster.exec(bin + "/initdb", ["-D", data, "-U", "lumen", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        guard initdb.status == 0 else { throw HarnessError("initdb failed: \(initdb.output)") }
        var options = [
            "-c listen_addresses=127.0.0.1", "-k \(directory.path)", "-c max_connections=200", "-c shared_buffers=64MB",
        ]
        if !durable { options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"] }
        for attempt in 0..<20 {
            let port = Int.random(in: 20_000...60_000)
            let started = try cluster.exec(
                bin + "/pg_ctl",
                [
                    "-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "30", "-o",
                    (["-p \(port)"] + options).joined(separator: " "), "start",
                ])
            if started.status == 0 {
                cluster.port = port
                return cluster
            }
            if attempt == 19 {
                let log = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                throw HarnessError("pg_ctl start failed: \(started.output)\n\(log.suffix(2000))")
            }
        }
        throw HarnessError("no free port for PostgreSQL")
    }

    private init(directory: URL, binDirectory: String) {
        self.directory = directory
        self.binDirectory = binDirectory
    }

    /// `postgres://lumen@127.0.0.1:PORT/postgres`, or another database.
    package func url(database: String = "postgres") -> String { "postgres://lumen@127.0.0.1:\(port)/\(database)" }

    /// A new empty database; returns its URL.
    package func database(_ prefix: String = "t") throws -> String {
        lock.lock()
        databases += 1
        let name = "\(prefix)\(databases)"
        lock.unlock()
        try sql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs SQL with psql against `database`; returns its output (throws on failure).
    @discardableResult
    package func sql(_ statement: String, database: String = "postgres") throws -> String {
        let run = try exec(
            binDirectory + "/psql",
            ["-h", "127.0.0.1", "-p", String(port), "-U", "lumen", "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],
            asPostgresUser: false)
        guard run.status == 0 else { throw HarnessError("psql failed: \(run.output)") }
        return run.output
    }

    /// Stops the server (fast shutdown: running queries are cancelled) without removing it.
    package func stopServer() throws {
        _ = try exec(binDirectory + "/pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
    }

    /// Starts the stopped server again on the same port.
    package func startServer() throws {
        let data = directory.appendingPathComponent("data").path
        let run = try exec(
            binDirectory + "/pg_ctl",
            [
                "-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "30", "-o",
                "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory.path) -c max_connections=200 -c fsync=off", "start",
            ])
        guard run.status == 0 else { throw HarnessError("pg_ctl start failed: \(run.output)") }
    }

    /// Stops the server and removes the cluster.
    package func stop() {
        _ = try? exec(binDirectory + "/pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {}

    /// Runs a program (as `nobody` when we are root and it is a server program); returns status and output.
    private func exec(_ program: String, _ arguments: [String], asPostgresUser: Bool = true) throws -> (status: Int32, output: String) {
        let process = Process()
        // Through a shell that closes every inherited descriptor above 2 first: a pipe another thread
        // of this process opened at the same moment must not end up held by the server daemon.
        let closing = #"cd /proc/self/fd && for fd in *; do [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"; done; cd /tmp; exec "$0" "$@""#
        let command = ["/bin/bash", "-c", closing, program] + arguments
        if asPostgresUser, Self.isRoot {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "nobody", "--"] + command
        } else {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        }
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        // Output goes to a file, not a pipe: `pg_ctl start` leaves a daemon behind, and a daemon that
        // inherited a pipe's write end (from this or a concurrent spawn) would keep a reader waiting forever.
        let outputPath = NSTemporaryDirectory() + "lumen-pg-exec-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? output.close()
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
