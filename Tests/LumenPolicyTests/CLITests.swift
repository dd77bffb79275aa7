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
        let secrets = ["jane.doe@example.com", "AKIAIOSFODNN7EXAMPLE", "13812345678", "4111 1111 1111 1111"]
        let prompt = "Mail jane.doe@example.com, key AKIAIOSFODNN7EXAMPLE, phone 13812345678, card 4111 1111 1111 1111."
        for flags in [[], ["--json"], ["--explain"]] {
            let result = try CLI.run(["route", "--policy", "policies/default.yaml"] + flags + [prompt])
            #expect(result.status == 0)
            for secret in secrets { #expect(!result.stdout.contains(secret), "raw value \(secret) printed with \(flags)") }
        }
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
