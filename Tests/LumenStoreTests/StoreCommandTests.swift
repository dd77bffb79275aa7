import Foundation
import LumenStore
import LumenTestSupport
import Testing

/// `lumen store migrate|status|keygen` and `lumen serve --store` with a wrong URL, through the binary.
@Suite(
    .serialized,
    .enabled(if: PostgresCluster.available, "\(PostgresCluster.unavailableReason)"),
    .enabled(if: Harness.hasBinary, "\(Harness.noBinaryReason)"))
struct StoreCommandTests {
    func lumen(_ arguments: [String], environment: [String: String] = [:]) async throws -> Harness.Run {
        try await PostgresCluster.offPool { try Harness.runLumen(arguments, environment: environment) }
    }

    @Test("store migrate (versioned, then up to date), store status, store keygen")
    func storeCommands() async throws {
        let cluster = try await PostgresCluster.starting()
        defer { cluster.stop() }
        let url = try await cluster.creatingDatabase("cli")
        let first = try await lumen(["store", "migrate", "--store", url])
        #expect(first.status == 0, "\(first.stderr)")
        let latest = StoreMigrations.latest
        #expect(
            first.stdout.contains("applied migration 1:") && first.stdout.contains("applied migration \(latest):")
                && first.stdout.contains("schema at version \(latest)"), "\(first.stdout)")
        let again = try await lumen(["store", "migrate"], environment: ["LUMEN_STORE": url])
        #expect(again.status == 0 && again.stdout.contains("up to date") && !again.stdout.contains("applied"), "\(again.stdout)\(again.stderr)")
        let status = try await lumen(["store", "status", "--store", url])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(
            status.stdout.contains("schema \(latest)") && status.stdout.contains("active policy version none")
                && status.stdout.contains("open reservations: none"), "\(status.stdout)")
        let keys = try await lumen(["store", "keygen"])
        #expect(keys.status == 0)
        let lines = keys.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.firstMatch(of: /^LUMEN_[A-Z_]+=[0-9a-f]{64}$/) != nil }, "\(keys.stdout)")
        #expect(try await lumen(["store", "keygen"]).stdout != keys.stdout, "keygen printed the same keys twice")
    }

    @Test(
        "lumen serve --store with a wrong URL, a closed port, a missing database or TLS the server lacks stops at start with a message saying which")
    func serveWithAWrongStore() async throws {
        let cluster = try await PostgresCluster.starting()
        defer { cluster.stop() }
        let work = try Harness.temporaryDirectory("wrong-store")
        defer { try? FileManager.default.removeItem(at: work) }
        let policy = work.appendingPathComponent("policy.yaml").path
        try
            "name: p\ntargets:\n  - name: local\n    kind: openai\n    local: true\n    base_url: http://127.0.0.1:1/v1\n    model: m\nrules: []\ndefault:\n  route: local\n"
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let cases: [(url: String, says: String)] = [
            ("mysql://u@127.0.0.1/db", "postgres://"),
            ("postgres://lumen@127.0.0.1:1/x", "refused"),
            ("postgres://lumen@127.0.0.1:\(cluster.port)/nosuchdb", "nosuchdb"),
            // The test cluster has no TLS: a URL that requires it is told so, not timed out.
            (cluster.url() + "?sslmode=require", "does not offer TLS"),
        ]
        for (url, says) in cases {
            let started = ContinuousClock.now
            let run = try await lumen([
                "serve", "--host", "127.0.0.1", "--port", "0", "--policy", policy, "--audit-dir", work.appendingPathComponent("audit").path,
                "--store", url,
            ])
            #expect(run.status != 0, "\(url): lumen serve started")
            #expect(run.stderr.lowercased().contains(says.lowercased()), "\(url): \(run.stderr)")
            #expect(started.duration(to: .now) < .seconds(60), "\(url): took \(started.duration(to: .now)) to give up")
        }
    }
}
