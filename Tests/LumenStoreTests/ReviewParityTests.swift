import Foundation
import LumenAudit
import LumenTestSupport
import Testing

/// #17 "every review command takes `--store URL` as well as a directory, with the same output": a
/// directory is imported into a throwaway store (`lumen audit import`), then each review command runs
/// through the `lumen` binary on the directory and on the store, and the outputs are compared.
@Suite(
    .serialized,
    .enabled(if: PostgresCluster.available, "\(PostgresCluster.unavailableReason)"),
    .enabled(if: Harness.hasBinary, "\(Harness.noBinaryReason)"))
struct ReviewParityTests {
    @Test("audit summary/egress/tail/export/report and replay read the same from the store as from the directory")
    func sameOutput() async throws {
        let cluster = try await PostgresCluster.starting()
        defer { cluster.stop() }
        let url = try await cluster.creatingDatabase("review")
        let work = try Harness.temporaryDirectory("review")
        defer { try? FileManager.default.removeItem(at: work) }
        let dir = work.appendingPathComponent("audit").path
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
        try await AuditFixture.generate(into: log, records: 600, days: 3)
        try await log.close()

        func lumen(_ arguments: [String]) async throws -> Harness.Run {
            try await PostgresCluster.offPool { try Harness.runLumen(arguments, directory: work) }
        }
        let imported = try await lumen(["audit", "import", dir, "--store", url])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported \(try AuditReader.records(in: dir).count) records"), "\(imported.stdout)")

        let policy = Harness.repoRoot.appendingPathComponent("policies/cost-saver.yaml").path
        var commands: [[String]] = [
            ["audit", "egress"], ["audit", "egress", "--json"], ["audit", "tail", "-n", "25"],
            ["audit", "export", "--format", "jsonl"], ["audit", "export", "--format", "csv"], ["audit", "export", "--since", "1d"],
            ["replay", "--policy", policy], ["replay", "--policy", policy, "--json"],
        ]
        for grouping in ["target", "tenant", "rule", "day"] {
            commands.append(["audit", "summary", "--by", grouping])
            commands.append(["audit", "summary", "--by", grouping, "--json"])
        }
        for command in commands {
            let fromDirectory = try await lumen(command + [dir])
            let fromStore = try await lumen(command + ["--store", url])
            #expect(fromDirectory.status == 0, "\(command) on the directory: \(fromDirectory.stderr)")
            #expect(fromStore.status == 0, "\(command) on the store: \(fromStore.stderr)")
            #expect(fromDirectory.stdout.count > 40, "\(command): almost no output")
            #expect(fromDirectory.stdout == fromStore.stdout, "\(command): the store's output differs from the directory's")
        }
        // The HTML report: the same page (written to two files).
        let pages = [work.appendingPathComponent("dir.html").path, work.appendingPathComponent("store.html").path]
        #expect(try await lumen(["audit", "report", dir, "--out", pages[0]]).status == 0)
        #expect(try await lumen(["audit", "report", "--store", url, "--out", pages[1]]).status == 0)
        let html = try pages.map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(html[0].count > 1000 && html[0] == html[1], "the reports differ")
        // verify: both intact over the same number of records (one chain in the store, files in the directory).
        let verifyDirectory = try await lumen(["audit", "verify", dir])
        let verifyStore = try await lumen(["audit", "verify", "--store", url])
        #expect(verifyDirectory.status == 0 && verifyStore.status == 0, "\(verifyDirectory.stdout)\(verifyStore.stdout)")
        let count = try AuditReader.records(in: dir).count
        #expect(
            verifyDirectory.stdout.contains("\(count) records") && verifyStore.stdout.contains("\(count) records in 1 chains"),
            "\(verifyStore.stdout)")
    }
}
