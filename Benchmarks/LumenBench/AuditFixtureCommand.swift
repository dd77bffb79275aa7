import ArgumentParser
import Foundation
import LumenAudit
import LumenTestSupport

struct AuditGenerateFixture: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-fixture", abstract: "Write a synthetic audit log (for timing the review commands).", shouldDisplay: false)
    @Argument var directory: String
    @Option var records = 1000
    @Option(help: "always, never, interval or interval:MS") var fsync = "never"

    func run() async throws {
        let policy: AuditFsyncPolicy
        do {
            policy = try AuditFsyncPolicy(parsing: fsync)
        } catch {
            throw ValidationError("--fsync: \(error)")
        }
        let log = try await AuditLog.open(AuditLogConfiguration(directory: directory, fsync: policy))
        let start = DispatchTime.now()
        let written = try await AuditFixture.generate(into: log, records: records, fsync: policy)
        try await log.close()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        print(String(format: "%d records in %.2f s (%.0f records/s, fsync %@)", written, seconds, Double(written) / seconds, fsync))
    }
}
