import Foundation
import LumenAudit
import LumenClassifier
import LumenTestSupport
import Testing

let priceTable = AuditPolicyInfo(targets: [
    AuditTargetPrice(name: "local", route: .local, inputPerMillion: 0, outputPerMillion: 0),
    AuditTargetPrice(name: "mini", route: .remote, host: "api.mini", inputPerMillion: 0.15, outputPerMillion: 0.6),
    AuditTargetPrice(name: "big", route: .remote, host: "api.big", inputPerMillion: 3, outputPerMillion: 15),
])

func fixtureLog(_ dir: String) async throws {
    let log = try await AuditLog.open(AuditLogConfiguration(directory: dir))
    try await log.recordPolicy(AuditPolicyRef(name: "p", hash: "h1"), info: priceTable)
    try await log.append(completion("r1", tenant: "acme", target: "local", route: .local, cost: 0, prompt: 1000, completion: 500))
    var r2 = completion("r2", tenant: "acme", target: "mini", route: .remote, cost: 0.0009, prompt: 2000, completion: 1000)
    r2.egress = AuditEgress(host: "api.mini", bytesSent: 8000, bytesReceived: 4000)
    r2.redactions = ["EMAIL_ADDRESS": AuditRedactionCounts(redacted: 2, restored: 2)]
    var d2 = r2
    d2.kind = .decision
    d2.status = .pending
    d2.usage = nil
    d2.costUSD = nil
    try await log.append(d2)
    try await log.append(r2)
    var r3 = completion("r3", tenant: "globex", target: "big", route: .remote, cost: 0.018, prompt: 1000, completion: 1000)
    r3.egress = AuditEgress(host: "api.big", bytesSent: 4000, bytesReceived: 4000)
    r3.streamed = true
    try await log.append(r3)
    var r4 = completion("r4", tenant: "globex", target: "local", route: .local, cost: 0, prompt: 100, completion: 100)
    r4.findingCounts = ["PHONE_NUMBER": 1]
    r4.decision?.rule = "pii-local"
    try await log.append(r4)
    var r5 = completion("r5", tenant: "acme", target: "big", route: .remote)
    r5.kind = .decision
    r5.status = .pending
    r5.usage = nil
    r5.costUSD = nil
    r5.egress = AuditEgress(host: "api.big", bytesSent: 100)
    try await log.append(r5)
    try await log.close()
}

@Suite struct AuditReviewTests {
    @Test func summaryNumbersAreExact() async throws {
        let dir = tempDir()
        try await fixtureLog(dir)
        let summary = try AuditSummary.compute(directory: dir, by: .tenant)
        let t = summary.total
        #expect(t.requests == 5)
        #expect(t.localRequests == 2)
        #expect(t.remoteRequests == 3)
        #expect(t.promptTokens == 4100)
        #expect(t.completionTokens == 2600)
        #expect(abs(t.costUSD - 0.0189) < 1e-12)
        #expect(abs(t.baselineUSD - 0.0513) < 1e-12)
        #expect(abs(t.savingsUSD - 0.0324) < 1e-12)
        #expect(summary.incomplete == 1)
        #expect(summary.groups.map(\.key) == ["acme", "globex"])
        #expect(summary.groups[0].requests == 3)
        #expect(abs(summary.groups[1].costUSD - 0.018) < 1e-12)
        #expect(summary.baselineTargets["h1"] == "big")
        let byTarget = try AuditSummary.compute(directory: dir, by: .target)
        #expect(byTarget.groups.map(\.key) == ["big", "local", "mini"])
        #expect(byTarget.groups.map(\.requests) == [2, 2, 1])
        // --since after everything: nothing.
        let none = try AuditSummary.compute(directory: dir, since: "9999-01-01T00:00:00.000Z", by: .day)
        #expect(none.total.requests == 0)
    }

    /// A log is input: counts no request can have (a broken upstream's 2^62 tokens, negative ones)
    /// neither trap the summary nor lower its totals.
    @Test func summaryOfImpossibleCountsNeitherTrapsNorGoesNegative() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir))
        try await log.recordPolicy(AuditPolicyRef(name: "p", hash: "h1"), info: priceTable)
        for (id, count) in [("a", 1 << 62), ("b", 1 << 62), ("c", -5_000_000)] {
            var record = completion(id, tenant: "acme", target: "mini", route: .remote, cost: count < 0 ? -3 : 1, prompt: count, completion: count)
            record.egress = AuditEgress(host: "api.mini", bytesSent: count, bytesReceived: count)
            try await log.append(record)
        }
        try await log.close()
        let total = try AuditSummary.compute(directory: dir, by: .tenant).total
        #expect(total.requests == 3 && total.promptTokens == Int.max && total.completionTokens == Int.max && total.costUSD == 2)
        let egress = try AuditEgressReport.compute(directory: dir)
        #expect(egress.hosts.first?.bytesSent == Int.max)
        // The report adds the two saturated totals: it must not trap either.
        #expect(try AuditHTMLReport.render(directory: dir).contains("3 requests, \(Int.max) tokens"))
    }

    /// A request of thousands of values logs a bounded record: the strongest finding of each type
    /// first (what policies and replay read), the rest counted.
    @Test func findingsPerRecordAreBounded() {
        var findings = (0..<3_000).map { Finding(type: .email, start: $0 * 10, end: $0 * 10 + 8, score: 0.9) }
        findings.append(Finding(type: .awsAccessKey, start: 40_000, end: 40_020, score: 0.97))
        findings.append(Finding(type: .email, start: 50_000, end: 50_008, score: 0.99))
        let logged = AuditClassification(
            Classification(difficulty: 0.5, sensitivity: 1, findings: findings, topics: [], language: "en", estimatedTokens: 9_000))
        #expect(logged.findings.count == AuditClassification.loggedLimit && logged.omitted == 3_002 - AuditClassification.loggedLimit)
        #expect(logged.findings.contains { $0.type == "AWS_ACCESS_KEY" } && logged.findings.contains { $0.score == 0.99 })
        #expect(logged.classification.findings.map(\.type).contains(.awsAccessKey))
        let small = AuditClassification(
            Classification(difficulty: 0.5, sensitivity: 1, findings: Array(findings.prefix(3)), topics: [], language: "en", estimatedTokens: 9))
        #expect(small.findings.count == 3 && small.omitted == nil)
    }

    /// `--since`: durations, calendar dates that exist, timestamps; anything else is an error, and a
    /// duration reaching before 1970 means everything.
    @Test func sinceIsParsedStrictly() throws {
        let now = Date(timeIntervalSince1970: 1_764_892_800)  // 2025-12-05T00:00:00Z
        #expect(try AuditFiles.since("7d", now: now) == "2025-11-28T00:00:00.000Z")
        #expect(try AuditFiles.since("1.5h", now: now) == "2025-12-04T22:30:00.000Z")
        #expect(try AuditFiles.since("2w", now: now) == "2025-11-21T00:00:00.000Z")
        #expect(try AuditFiles.since("99999999999d", now: now) == "1970-01-01T00:00:00.000Z")
        #expect(try AuditFiles.since("2024-02-29", now: now) == "2024-02-29T00:00:00.000Z")
        #expect(try AuditFiles.since("2026-11-20T10:00:00Z", now: now) == "2026-11-20T10:00:00.000Z")
        for bad in [
            "abc", "7", "d", "1e308d", "0x10d", "-3d", "infd", "100000000000000000000d", "2026-13-45", "2026-02-30", "2025-02-29",
            "2026-02-30T00:00:00Z",
        ] {
            #expect(throws: AuditError.self, "\(bad)") { try AuditFiles.since(bad, now: now) }
        }
    }

    @Test func egressNumbersAreExact() async throws {
        let dir = tempDir()
        try await fixtureLog(dir)
        let report = try AuditEgressReport.compute(directory: dir)
        #expect(report.hosts.map(\.host) == ["api.big", "api.mini"])
        #expect(report.hosts[0].requests == 2)
        #expect(report.hosts[0].bytesSent == 4100)
        #expect(report.hosts[1].bytesSent == 8000)
        #expect(report.hosts[1].bytesReceived == 4000)
        #expect(report.hosts[1].redacted == ["EMAIL_ADDRESS": 2])
        #expect(report.keptLocalSensitive == 1)
        #expect(report.keptLocalByType == ["PHONE_NUMBER": 1])
        #expect(report.keptLocalByRule == ["pii-local": 1])
    }

    @Test func hmacLookupAndNoRawValues() async throws {
        let dir = tempDir()
        let hmac = AuditHMAC(key: "test-key")
        let prompt = "mail bob@fastmail.fm about card 4539 1488 0343 6467 today"
        let classification = Classification(
            difficulty: 0.2, sensitivity: 0.9,
            findings: [Finding(type: .email, start: 5, end: 20, score: 0.99), Finding(type: .creditCard, start: 32, end: 51, score: 0.95)],
            topics: [TopicScore(topic: .finance, score: 0.6, evidence: ["card"])], language: "en", estimatedTokens: 14)
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir))
        var sent = completion("leak", target: "mini", route: .remote)
        sent.classification = AuditClassification(classification, prompt: prompt, hmac: hmac, redactedTypes: [.creditCard])
        sent.egress = AuditEgress(host: "api.mini", bytesSent: 300)
        try await log.append(sent)
        var kept = completion("kept", target: "local", route: .local)
        kept.classification = AuditClassification(classification, prompt: prompt, hmac: hmac)
        try await log.append(kept)
        try await log.close()

        let all = try FileManager.default.contentsOfDirectory(atPath: dir).map { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }
            .joined()
        #expect(!all.contains("bob@fastmail.fm"))
        #expect(!all.contains("4539"))
        #expect(!all.contains("mail "))
        #expect(!all.contains("\"card\""))

        let report = try AuditEgressReport.compute(directory: dir, value: " Bob@Fastmail.FM", hmac: hmac)
        #expect(report.matches?.map(\.outcome) == ["left-in-clear", "kept-local"])
        let card = try AuditEgressReport.compute(directory: dir, value: "4539 1488 0343 6467", hmac: hmac)
        #expect(card.matches?.first?.outcome == "left-redacted")
        let wrongKey = try AuditEgressReport.compute(directory: dir, value: "bob@fastmail.fm", hmac: AuditHMAC(key: "other"))
        #expect(wrongKey.matches == [])
        #expect(throws: AuditError.self) { try AuditEgressReport.compute(directory: dir, value: "bob@fastmail.fm", hmac: nil) }
        #expect(AuditHMAC.fromEnvironment([:]) == nil)
        // Without a key no digests are stored at all.
        let plain = AuditClassification(classification, prompt: prompt, hmac: nil)
        #expect(plain.findings.allSatisfy { $0.valueHMAC == nil })
    }

    @Test func budgetExhaustionFlipsAndSurvivesRestart() async throws {
        let dir = tempDir()
        let budgets = [AuditBudget(tenant: nil, period: .daily, limitUSD: 1.0), AuditBudget(tenant: "acme", period: .monthly, limitUSD: 0.5)]
        let ledger = try await BudgetLedger.rebuild(from: dir, budgets: budgets)
        #expect(await ledger.remaining(tenant: "acme") == BudgetRemaining(globalUSD: 1.0, tenantUSD: 0.5))
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir))
        await log.attach(ledger: ledger)
        var streamed = completion("s1", tenant: "acme", target: "big", route: .remote, cost: 0.3)
        streamed.streamed = true
        try await log.append(streamed)
        var pending = streamed
        pending.kind = .decision
        pending.id = "d1"
        try await log.append(pending)  // decisions do not count
        #expect(await ledger.remaining(tenant: "acme").exhausted == false)
        try await log.append(completion("s2", tenant: "acme", target: "big", route: .remote, cost: 0.25))
        #expect(await ledger.remaining(tenant: "acme").exhausted == true)
        #expect(await ledger.remaining(tenant: "globex").exhausted == false)
        try await log.append(completion("s3", tenant: "globex", target: "big", route: .remote, cost: 0.5))
        #expect(await ledger.remaining(tenant: "globex").exhausted == true)
        try await log.close()

        let rebuilt = try await BudgetLedger.rebuild(from: dir, budgets: budgets)
        #expect(abs(await rebuilt.spent(tenant: "acme", period: .monthly) - 0.55) < 1e-12)
        #expect(abs(await rebuilt.spent(tenant: nil, period: .daily) - 1.05) < 1e-12)
        #expect(await rebuilt.remaining(tenant: "acme").exhausted)
    }

    @Test func duplicateCompletionsCountOnceWithinABoundedWindow() async throws {
        let ledger = BudgetLedger(budgets: [AuditBudget(tenant: nil, period: .monthly, limitUSD: 1_000_000)])
        let ts = AuditFiles.timestamp(Date())
        await ledger.add(tenant: nil, costUSD: 1, timestamp: ts, id: "first")
        await ledger.add(tenant: nil, costUSD: 1, timestamp: ts, id: "first")  // the same record twice
        #expect(await ledger.spent(tenant: nil, period: .monthly) == 1)
        for i in 0..<BudgetLedger.dedupeWindow {
            await ledger.add(tenant: nil, costUSD: 1, timestamp: ts, id: "r\(i)")
        }
        #expect(await ledger.spent(tenant: nil, period: .monthly) == Double(BudgetLedger.dedupeWindow + 1))
        // The newest ids are still remembered; the oldest has left the window (memory stays bounded).
        await ledger.add(tenant: nil, costUSD: 1, timestamp: ts, id: "r\(BudgetLedger.dedupeWindow - 1)")
        #expect(await ledger.spent(tenant: nil, period: .monthly) == Double(BudgetLedger.dedupeWindow + 1))
        await ledger.add(tenant: nil, costUSD: 1, timestamp: ts, id: "first")
        #expect(await ledger.spent(tenant: nil, period: .monthly) == Double(BudgetLedger.dedupeWindow + 2))
    }

    @Test func replayMatchesDirectRun() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
        try await AuditFixture.generate(into: log, records: 300)
        try await log.close()
        let prices = Dictionary(uniqueKeysWithValues: AuditFixture.targets.map { ($0.name, $0) })
        func decide(_ c: Classification) -> AuditDecision {
            if c.findings.contains(where: { $0.type == .email }) {
                return AuditDecision(target: "", route: .blocked, action: "block", rule: "no-pii", reason: "")
            }
            return c.difficulty > 0.5
                ? AuditDecision(target: "remote-mini", route: .remote, action: "route", rule: "hard", reason: "")
                : AuditDecision(target: "local-small", route: .local, action: "route", rule: "easy", reason: "")
        }
        let report = try AuditReplay.run(directory: dir, prices: prices) { decide($0.classification) }
        var direct = (local: 0, remote: 0, blocked: 0, cost: 0.0, changed: 0)
        for record in try AuditReader.records(in: dir) where record.kind == .completion {
            let d = decide(record.classification!.classification)
            switch d.route {
            case .local: direct.local += 1
            case .remote: direct.remote += 1
            case .blocked: direct.blocked += 1
            }
            if d.route != .blocked {
                direct.cost += prices[d.target]!.cost(record.usage!)
            }
            if d.target != record.decision!.target || d.route != record.decision!.route || d.action != record.decision!.action { direct.changed += 1 }
        }
        #expect(report.requests == direct.local + direct.remote + direct.blocked)
        #expect(report.after.local == direct.local)
        #expect(report.after.remote == direct.remote)
        #expect(report.after.blocked == direct.blocked)
        #expect(abs(report.after.costUSD - direct.cost) < 1e-9)
        #expect(report.changed == direct.changed)
        #expect(report.changed > 0)
    }

    @Test func reportIsSelfContained() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
        try await AuditFixture.generate(into: log, records: 500)
        try await log.close()
        let html = try AuditHTMLReport.render(directory: dir)
        #expect(html.contains("<svg"))
        // Self-contained: no URL other than the SVG namespace.
        #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
    }

    @Test(.enabled(if: Harness.chromium != nil, "chromium not installed (scripts/setup.sh --test-tools installs it)"))
    func reportRendersInChromium() async throws {
        let dir = tempDir()
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir, fsync: .never))
        try await AuditFixture.generate(into: log, records: 500)
        try await log.close()
        let html = try AuditHTMLReport.render(directory: dir)
        let out = dir + "/report.html"
        try html.write(toFile: out, atomically: true, encoding: .utf8)
        let dom = try Harness.renderedDOM(ofFile: out)
        #expect(dom.contains("Lumen audit report"))
        #expect(dom.contains("<rect"))
        #expect(dom.contains("api.big.example"))
    }
}
