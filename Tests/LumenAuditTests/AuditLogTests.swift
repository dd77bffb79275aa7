import Foundation
import LumenAudit
import LumenClassifier
import LumenPolicy
import LumenTestSupport
import Testing

func tempDir(_ name: String = #function) -> String {
    let path = NSTemporaryDirectory() + "lumen-audit-\(name.filter { $0.isLetter })-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func completion(
    _ id: String, tenant: String = "acme", target: String = "local", route: RouteKind = .local, cost: Double = 0,
    prompt: Int = 100, completion: Int = 50, ts: String = ""
) -> AuditRecord {
    AuditRecord(
        kind: .completion, id: id, timestamp: ts, tenant: tenant, policy: AuditPolicyRef(name: "p", hash: "h1"),
        decision: AuditDecision(target: target, route: route, action: "route", rule: route == .local ? "easy" : "hard", reason: "test"),
        classification: AuditClassification(difficulty: 0.3, sensitivity: 0.1, findings: [], topics: [], language: "en", estimatedTokens: prompt),
        egress: route == .remote ? AuditEgress(host: "api.example", bytesSent: 400, bytesReceived: 200) : nil,
        usage: AuditUsage(promptTokens: prompt, completionTokens: completion), costUSD: cost, status: .ok(), streamed: false)
}

func lines(_ dir: String) throws -> (String, [String]) {
    let file = try AuditFiles.logFiles(in: dir).last!
    let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
    return (file, text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast())
}

func rewrite(_ dir: String, _ file: String, _ lines: [String]) throws {
    try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
}

func writeLog(_ dir: String, count: Int) async throws {
    let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
    for i in 1...count { try await log.append(completion("r\(i)")) }
    try await log.close()
}

@Suite struct AuditChainTests {
    @Test func concurrentWritersKeepOneValidChain() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, maxFileBytes: 20_000, fsync: .interval(milliseconds: 5)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<50 {
                        let policy: AuditFsyncPolicy = i % 10 == 0 ? .always : (i % 2 == 0 ? .never : .interval(milliseconds: 5))
                        try await log.append(completion("t\(t)-\(i)"), fsync: policy)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await log.close()
        let report = try AuditVerifier.verify(directory: dir)
        #expect(report.records == 400)
        #expect(report.issues.isEmpty, "\(report.issues)")
        #expect(report.files > 1)  // rotated by size, chain continues across files
        let records = try AuditReader.records(in: dir)
        #expect(records.map(\.seq) == Array(1...400))
        #expect(Set(records.map(\.id)).count == 400)
    }

    @Test func appendAfterCloseThrows() async throws {
        let log = try await AuditLog.open(AuditLogConfiguration(directory: tempDir()))
        try await log.close()
        await #expect(throws: AuditError.self) { try await log.append(completion("x")) }
    }

    @Test func editIsCaughtWithFileAndLine() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 10)
        var (file, content) = try lines(dir)
        content[4] = content[4].replacingOccurrences(of: "\"tenant\":\"acme\"", with: "\"tenant\":\"evil\"")
        try rewrite(dir, file, content)
        let report = try AuditVerifier.verify(directory: dir)
        #expect(!report.intact)
        #expect(report.issues.first?.kind == .modified)
        #expect(report.issues.first?.file == file)
        #expect(report.issues.first?.line == 5)
    }

    @Test func deleteIsCaught() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 10)
        var (file, content) = try lines(dir)
        content.remove(at: 3)
        try rewrite(dir, file, content)
        let issue = try #require(try AuditVerifier.verify(directory: dir).issues.first)
        #expect(issue.kind == .deleted)
        #expect(issue.line == 4)
    }

    @Test func insertIsCaught() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 10)
        var (file, content) = try lines(dir)
        content.insert(content[2], at: 6)
        try rewrite(dir, file, content)
        let issues = try AuditVerifier.verify(directory: dir).issues
        #expect(issues.first?.kind == .inserted)
        #expect(issues.first?.line == 7)
    }

    @Test func reorderIsCaught() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 10)
        var (file, content) = try lines(dir)
        content.swapAt(5, 6)
        try rewrite(dir, file, content)
        let issue = try #require(try AuditVerifier.verify(directory: dir).issues.first)
        #expect(issue.kind == .reordered)
        #expect(issue.line == 6)
    }

    @Test func truncateIsCaught() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 10)
        var (file, content) = try lines(dir)
        content.removeLast(2)
        try rewrite(dir, file, content)
        let report = try AuditVerifier.verify(directory: dir)
        #expect(report.issues.first?.kind == .truncated)
        #expect(report.issues.first?.line == 10)
        #expect(!report.intact)
    }

    @Test func rehashedEditIsCaughtAtTheNextRecord() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 6)
        let (file, content) = try lines(dir)
        // Forge line 3 with a valid hash of its own: the next line's prev_hash no longer matches.
        let forgedDir = tempDir()
        let forgedLog = try await AuditLog.open(AuditLogConfiguration(directory: forgedDir, fsync: .never))
        for i in 1...3 {
            try await forgedLog.append(
                completion(i == 3 ? "forged" : "r\(i)", ts: String(content[i - 1].split(separator: "\"ts\":\"")[1].prefix(24))))
        }
        try await forgedLog.close()
        let (_, forged) = try lines(forgedDir)
        var tampered = content
        tampered[2] = forged[2]
        try rewrite(dir, file, tampered)
        let issue = try #require(try AuditVerifier.verify(directory: dir).issues.first)
        #expect(issue.kind == .modified)
        #expect(issue.line == 4)
        #expect(issue.message.contains(":3"))
    }

    @Test func tornLineIsRecoveredAndChainContinues() async throws {
        let dir = tempDir()
        try await writeLog(dir, count: 5)
        let (file, _) = try lines(dir)
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/" + file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":6,"prev_hash":"00"#.utf8))
        try handle.close()
        let before = try AuditVerifier.verify(directory: dir)
        #expect(before.issues.map(\.kind) == [.torn])
        #expect(before.intact)

        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir))
        #expect(await log.recovered?.line == 6)
        try await log.append(completion("after"))
        try await log.close()
        let after = try AuditVerifier.verify(directory: dir)
        #expect(after.issues.isEmpty, "\(after.issues)")
        #expect(after.records == 7)
        #expect(after.recoveries.count == 1)
        #expect(after.recoveries.first?.recovery.bytesLost == #"{"seq":6,"prev_hash":"00"#.utf8.count)
    }

    @Test func decisionBeforeEgressIsOnDiskWhenAppendReturns() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .interval(milliseconds: 60_000)))
        var decision = completion("e1", target: "remote", route: .remote)
        decision.kind = .decision
        decision.status = .pending
        try await log.append(decision)
        let (_, content) = try lines(dir)
        #expect(content.count == 1)
        #expect(content[0].contains("\"state\":\"pending\""))
        try await log.close()
    }

    @Test func writeModeRecordIsInTheFileWhenAppendReturns() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(
            AuditLogConfiguration(directory: dir, fsync: .interval(milliseconds: 60_000), egressFsync: .write))
        var decision = completion("w1", target: "remote", route: .remote)
        decision.kind = .decision
        decision.status = .pending
        decision.egress = AuditEgress(host: "api.example.com", bytesSent: 10)
        try await log.append(decision)
        let (_, content) = try lines(dir)
        #expect(content.count == 1)
        #expect(content[0].contains("\"id\":\"w1\""))
        // A buffered completion is not waited for, and both end up in one valid chain.
        try await log.append(completion("w2"))
        try await log.close()
        let report = try AuditVerifier.verify(directory: dir)
        #expect(report.records == 2)
        #expect(report.issues.isEmpty, "\(report.issues)")
        #expect(try AuditFsyncPolicy(parsing: "write") == .write)
    }

    /// Write-mode appends that arrive while a flush is running go out with the next flush, not when
    /// the fsync interval's timer fires (here 600 s: the bug this guards against held them that long).
    @Test func concurrentWriteModeAppendsDoNotWaitForTheInterval() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(
            AuditLogConfiguration(directory: dir, fsync: .interval(milliseconds: 600_000), egressFsync: .write))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<64 {
                group.addTask {
                    var decision = completion("c\(i)", target: "remote", route: .remote)
                    decision.kind = .decision
                    decision.status = .pending
                    decision.egress = AuditEgress(host: "api.example.com", bytesSent: 10)
                    try await log.append(decision)
                }
            }
            try await group.waitForAll()
        }
        // Well under the 600 s interval. Alone this takes milliseconds; the whole suite on 2 cores
        // starves these tasks of the cooperative pool (21 s once, 34-47 s in the last runs, one
        // over the old 45 s bound against a 60 s interval). The interval is now ten times longer
        // and the bound half of it: the bug still shows as a wait of the whole interval.
        #expect(ContinuousClock.now - started < .seconds(300))
        let (_, content) = try lines(dir)
        #expect(content.count == 64)
        try await log.close()
        #expect(try AuditVerifier.verify(directory: dir).issues.isEmpty)
    }

    @Test func writeFailureFailsClosed() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir))
        try await log.append(completion("a"), fsync: .always)
        // Replace the directory's file with one we cannot write: remove the directory entirely.
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/audit-9999-12-31-0001.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/audit-9999-12-31-0001.jsonl")
        try FileManager.default.createDirectory(atPath: dir + "/audit-9999-12-31-0001.jsonl", withIntermediateDirectories: true)
        var future = completion("b")
        future.timestamp = "9999-12-31T00:00:00.000Z"
        await #expect(throws: AuditError.self) { try await log.append(future, fsync: .always) }
        await #expect(throws: AuditError.self) { try await log.append(completion("c"), fsync: .never) }
    }
}

/// The review commands read a log whose chain they also check: figures from an altered log are
/// printed with a warning on standard error and exit status 1, as `verify` has.
@Suite(.enabled(if: Harness.hasBinary, "\(Harness.noBinaryReason)"))
struct ReviewOfATamperedLogTests {
    @Test func summaryEgressAndReportWarnOfATamperedChain() async throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await writeLog(dir, count: 6)
        let out = dir + "-report.html"
        defer { try? FileManager.default.removeItem(atPath: out) }
        for command in [
            ["audit", "summary", dir], ["audit", "egress", dir], ["audit", "summary", dir, "--json"], ["audit", "report", dir, "--out", out],
        ] {
            let run = try Harness.runLumen(command)
            #expect(run.status == 0 && !run.stderr.contains("warning"), "\(command): \(run.stderr)")
        }
        var (file, content) = try lines(dir)
        content[2] = content[2].replacingOccurrences(of: "\"tenant\":\"acme\"", with: "\"tenant\":\"evil\"")
        try rewrite(dir, file, content)
        for command in [
            ["audit", "summary", dir], ["audit", "egress", dir], ["audit", "summary", dir, "--json"], ["audit", "report", dir, "--out", out],
        ] {
            let run = try Harness.runLumen(command)
            #expect(run.status == 1 && run.stderr.contains("hash chain does not verify"), "\(command): \(run.stderr)")
            // The figures are still there to investigate.
            #expect(!run.stdout.isEmpty, "\(command)")
        }
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("id=\"warning\"") && html.contains("hash chain does not verify"))
    }
}
