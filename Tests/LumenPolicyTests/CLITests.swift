import Foundation
import LumenTestSupport
import Testing

/// End-to-end tests of `lumen route`, `lumen policy lint` and `lumen policy test` through the built binary.
@Suite(.enabled(if: CLI.binary != nil, "lumen binary not built (set LUMEN_BIN or run swift build)"))
struct CLITests {
    @Test func routeTextShowsDecisionAndReason() throws {
        let result = try CLI.run(["route", "--policy", "policies/default.yaml", "What is the capital of France?"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("decision    route → local"))
        #expect(result.stdout.contains("rule        default"))
        #expect(result.stdout.contains("policy      default"))
    }

    @Test func routeReadsStdinAndPrintsJSON() throws {
        let result = try CLI.run(["route", "--policy", "policies/default.yaml", "--json", "--model", "remote"], stdin: "Say hi.")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let decision = try #require(object["decision"] as? [String: Any])
        #expect(decision["target"] as? String == "remote")
        #expect(decision["rule"] as? String == "requested-model")
        #expect((object["policy"] as? [String: Any])?["contentHash"] as? String != nil)
        #expect((object["estimatedCost"] as? [String: Any])?["usd"] as? Double ?? 0 > 0)
    }

    @Test func routeExplainListsEveryRule() throws {
        let result = try CLI.run(["route", "--policy", "policies/default.yaml", "--explain", "Hello there"])
        #expect(result.status == 0)
        for rule in ["caller-requests-local", "secrets-stay-local", "regulated-topics-local", "hard-remote"] {
            #expect(result.stdout.contains("✗ \(rule): no match — "), "\(rule) missing in \(result.stdout)")
        }
    }

    @Test func routeNeverPrintsRawFindingValues() throws {
        let secrets = ["jane.doe@fastmail.fm", "AKIAQ3EGRTSX4Z7MNB2K", "13812345678", "4539 1488 0343 6467"]
        let prompt = "Mail jane.doe@fastmail.fm, key AKIAQ3EGRTSX4Z7MNB2K, phone 13812345678, card 4539 1488 0343 6467."
        for flags in [[], ["--json"], ["--explain"]] {
            let result = try CLI.run(["route", "--policy", "policies/default.yaml"] + flags + [prompt])
            #expect(result.status == 0)
            for secret in secrets { #expect(!result.stdout.contains(secret), "raw value \(secret) printed with \(flags)") }
        }
    }

    /// `route --request` refuses what the server refuses, in the server's words: a value that does
    /// not fit its member, and a request without messages.
    @Test func routeRequestIsCheckedLikeTheServer() throws {
        let fractional = try CLI.temporaryFile(
            named: "frac.json", contents: #"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_tokens":4.5}"#)
        let empty = try CLI.temporaryFile(named: "empty.json", contents: #"{"model":"auto","messages":[]}"#)
        let good = try CLI.temporaryFile(named: "good.json", contents: #"{"model":"auto","messages":[{"role":"user","content":"hi"}]}"#)
        let a = try CLI.run(["route", "--policy", "policies/default.yaml", "--request", fractional])
        #expect(a.status == 1 && a.stderr.contains("'max_tokens' must be an integer"), "\(a.stderr)")
        let b = try CLI.run(["route", "--policy", "policies/default.yaml", "--request", empty])
        #expect(b.status == 1 && b.stderr.contains("'messages' must contain at least one message"), "\(b.stderr)")
        #expect(try CLI.run(["route", "--policy", "policies/default.yaml", "--request", good]).status == 0)
    }

    @Test func routeRejectsUnknownModel() throws {
        let result = try CLI.run(["route", "--policy", "policies/default.yaml", "--model", "mistral-9", "hi"])
        #expect(result.status != 0 && result.stderr.contains("model 'mistral-9' is not known"))
    }

    @Test func lintGoodAndBrokenFiles() throws {
        let good = try CLI.run(["policy", "lint", "policies/default.yaml", "policies/offline.yaml"])
        #expect(good.status == 0)
        #expect(good.stdout.contains("policies/default.yaml: ok") && good.stdout.contains("sha256 "))
        let broken = try CLI.temporaryFile(
            named: "broken.yaml",
            contents: """
                name: broken
                targets:
                  - name: local
                    kind: embedded
                rules:
                  - name: hard
                    when: { difficulty: { min: 1.5 } }
                    route: gpt5
                default: { route: local }
                """)
        let result = try CLI.run(["policy", "lint", broken])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(broken):7:32: error: 'min' of 'difficulty' in rule 'hard' must be between 0 and 1, found 1.5"))
        #expect(result.stdout.contains("\(broken):8:12: error: unknown target 'gpt5' in rule 'hard'"))
    }

    @Test func policyTestPassesShippedCases() throws {
        for name in ["default", "strict-local", "cost-saver", "regulated", "offline"] {
            let result = try CLI.run(["policy", "test", "policies/\(name).yaml"])
            #expect(result.status == 0, "\(name): \(result.stdout)")
            #expect(result.stdout.contains(" passed, 0 failed"))
        }
    }

    @Test func policyTestFailsWithDiff() throws {
        let cases = try CLI.temporaryFile(
            named: "failing.cases.yaml",
            contents: """
                policy: default
                cases:
                  - name: passes
                    classification: { difficulty: 0.1 }
                    expect: { target: local }
                  - name: fails on purpose
                    classification: { difficulty: 0.95 }
                    expect: { action: route, target: local, rule: default }
                """)
        let result = try CLI.run(["policy", "test", "policies/default.yaml", "--cases", cases])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL \(cases):6: fails on purpose"))
        #expect(result.stdout.contains("  - expected: local\n  + got:      remote"))
        #expect(result.stdout.contains("1 passed, 1 failed"))
    }
}

/// `lumen audit` and `lumen replay` on their arguments: the binary's own checks, not the library's.
@Suite(.enabled(if: CLI.binary != nil, "lumen binary not built (set LUMEN_BIN or run swift build)"))
struct AuditCLITests {
    /// `tail -n N` reads back through as many daily files as N needs (it read two), and a negative
    /// count is a usage error, not a trap.
    @Test func tailReadsAcrossDailyFiles() throws {
        let dir = try Harness.temporaryDirectory("tail")
        for day in 1...4 {
            let lines = (1...3).map { #"{"kind":"completion","id":"d\#(day)-\#($0)"}"# }.joined(separator: "\n") + "\n"
            try lines.write(to: dir.appendingPathComponent("audit-2026-11-0\(day)-0001.jsonl"), atomically: true, encoding: .utf8)
        }
        let ten = try CLI.run(["audit", "tail", dir.path, "-n", "10"])
        #expect(ten.status == 0, "\(ten.stderr)")
        let ids = ten.stdout.split(separator: "\n").map { String($0.split(separator: "\"")[7]) }
        #expect(ids == ["d1-3"] + (2...4).flatMap { day in (1...3).map { "d\(day)-\($0)" } })
        let negative = try CLI.run(["audit", "tail", dir.path, "-n=-1"])
        #expect(negative.status == 64 && negative.stderr.contains("-n must be 0 or more"), "\(negative.stderr)")
    }

    /// `--since` is parsed the same way by every command that takes it: `replay --since 7d` is the
    /// last seven days (it compared the text "7d" with timestamps and replayed nothing), nonsense is
    /// a usage error, and a log that cannot be read is an error without the usage text.
    @Test func sinceAndUnreadableLogs() throws {
        let dir = try Harness.temporaryDirectory("since")
        let missing = dir.appendingPathComponent("nowhere").path
        for command in [["audit", "summary", dir.path], ["audit", "egress", dir.path], ["replay", "--policy", "policies/default.yaml", dir.path]] {
            let bad = try CLI.run(command + ["--since", "abc"])
            #expect(bad.status == 64 && bad.stderr.contains("cannot read --since 'abc'"), "\(command): \(bad.stderr)")
            let impossible = try CLI.run(command + ["--since", "2026-02-30"])
            #expect(impossible.status == 64 && impossible.stderr.contains("no such date"), "\(command): \(impossible.stderr)")
        }
        let unreadable = try CLI.run(["audit", "summary", missing])
        #expect(unreadable.status == 1 && unreadable.stderr.contains("no audit directory at") && !unreadable.stderr.contains("Usage"))
        let file = try CLI.temporaryFile(named: "audit-2026-11-01-0001.jsonl", contents: "{}\n")
        let notDirectory = try CLI.run(["audit", "verify", file])
        #expect(notDirectory.status == 1 && notDirectory.stderr.contains("is a file: give the audit directory"), "\(notDirectory.stderr)")
        let report = try CLI.run(["audit", "report", dir.path, "--out", missing + "/r.html"])
        #expect(report.status == 1 && report.stderr.contains("there is no directory"), "\(report.stderr)")
        let lint = try CLI.run(["policy", "lint", dir.path])
        #expect(lint.status != 0 && lint.stdout.contains("is a directory, not a policy file"), "\(lint.stdout)")
        let calibrate = try CLI.run(["calibrate", "--audit", dir.path, "--remote-share", "0.3", "--since", "7x"])
        #expect(calibrate.status == 64 && calibrate.stderr.contains("cannot read --since '7x'"), "\(calibrate.stderr)")
    }
}

/// The `lumen` binary, run from the repository root (see `Harness.runLumen`).
enum CLI {
    static let binary: String? = Harness.hasBinary ? Harness.binary : nil

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Harness.Run {
        try Harness.runLumen(arguments, stdin: stdin)
    }

    static func temporaryFile(named name: String, contents: String) throws -> String {
        try Harness.temporaryFile(named: name, contents: contents)
    }
}
