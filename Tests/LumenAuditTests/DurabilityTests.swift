import Foundation
import LumenAudit
import Testing

/// #18 items 5 and 9 at the writer and verifier.
@Suite struct DurabilityTests {
    /// Item 5: in every mode that claims durability the record is in the file when `append` returns
    /// (a crash of the process right after loses nothing), whatever the fsync interval.
    @Test(arguments: [AuditFsyncPolicy.always, .write, .interval(milliseconds: 60_000)])
    func recordIsInTheFileWhenAppendReturns(mode: AuditFsyncPolicy) async throws {
        let dir = tempDir("durable")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: mode))
        for i in 0..<5 {
            try await log.append(completion("d\(i)"))
            let (_, content) = try lines(dir)
            #expect(content.count == i + 1, "record \(i) not in the file after append returned (\(mode))")
        }
        try await log.close()
    }

    /// Item 9: a line torn by a crash is "torn tail, repairable", not tampering.
    @Test func tornTailIsRepairableNotTampered() async throws {
        let dir = tempDir("torn")
        try await writeLog(dir, count: 5)
        let (file, _) = try lines(dir)
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/" + file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":6,"prev_hash":"ab"#.utf8))
        try handle.close()
        let report = try AuditVerifier.verify(directory: dir)
        #expect(report.intact)
        #expect(report.tornTail)
        #expect(report.verdict.hasPrefix("torn tail, repairable"))
    }

    /// Item 9: removing `audit.head` and the last records must not verify clean: the witness
    /// `audit.witness` still points past the end; removing both is reported as well.
    @Test func removingTheHeadAndTheLastRecordsIsCaught() async throws {
        let dir = tempDir("head")
        try await writeLog(dir, count: 10)
        let (file, content) = try lines(dir)
        #expect(try AuditVerifier.verify(directory: dir).issues.isEmpty)
        try rewrite(dir, file, Array(content.prefix(7)))
        try FileManager.default.removeItem(atPath: dir + "/" + AuditFiles.headName)
        let withWitness = try AuditVerifier.verify(directory: dir)
        #expect(!withWitness.intact)
        #expect(withWitness.issues.contains { $0.kind == .truncated && $0.message.contains("3 record(s) removed") }, "\(withWitness.issues)")
        try FileManager.default.removeItem(atPath: dir + "/" + AuditFiles.witnessName)
        let without = try AuditVerifier.verify(directory: dir)
        #expect(!without.intact, "head, witness and the last records removed: verified clean")
    }

    /// Item 9: with a key, a head rewritten to match a shortened log is caught by its seal.
    @Test func aRewrittenSealedHeadIsCaught() async throws {
        let dir = tempDir("sealed")
        let key = AuditHMAC(key: "k")
        var configuration = AuditLogConfiguration(directory: dir, fsync: .never)
        configuration.headKey = key
        let log = try await AuditLog.open(configuration)
        for i in 1...10 { try await log.append(completion("r\(i)")) }
        try await log.close()
        #expect(try AuditVerifier.verify(directory: dir, key: key).issues.isEmpty)
        let (file, content) = try lines(dir)
        try rewrite(dir, file, Array(content.prefix(7)))
        // A forger writes heads that match the shortened log, without the key.
        let last = try #require(AuditReader.records(in: dir).last)
        let forged = #"{"file":"\#(file)","line":7,"seq":7,"hash":"\#(last.hash ?? "")"}"#
        for name in [AuditFiles.headName, AuditFiles.witnessName] { try forged.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        #expect(try AuditVerifier.verify(directory: dir).issues.isEmpty)  // without the key it looks fine
        #expect(!(try AuditVerifier.verify(directory: dir, key: key).intact))  // with it, not
    }
}
