import Foundation
import LumenClassifier
import Testing

@testable import LumenPolicy

@Suite struct PolicyParsingTests {
    @Test func parsesTheBasePolicy() throws {
        let policy = try parse(basePolicyYAML)
        #expect(policy.name == "base")
        #expect(policy.targets.map(\.name) == ["local", "remote"])
        #expect(policy.localTargets.map(\.name) == ["local"])
        #expect(policy.remoteTargets.map(\.name) == ["remote"])
        let remote = try #require(policy.target(named: "remote"))
        #expect(remote.kind == .openai && !remote.isLocal && remote.apiKeyEnv == "REMOTE_KEY")
        #expect(remote.estimatedCost(inputTokens: 1_000_000, outputTokens: 500_000) == 2.0)
        #expect(policy.target(named: "local")?.estimatedCost(inputTokens: 1000, outputTokens: 1000) == 0)
        #expect(policy.rules.map(\.name) == ["hard"])
        #expect(policy.rules[0].fallback == ["local"])
        #expect(policy.defaultAction == .route(target: "local"))
        #expect(policy.contentHash.count == 64)
    }

    /// Prompt-cache reads and writes are priced apart: the policy's rates, else Anthropic's published
    /// multiples for an Anthropic target (read 0.1x, write 1.25x the input price), else the input price.
    @Test func promptCacheIsPricedApart() throws {
        let yaml = """
            name: cache
            targets:
              - { name: claude, kind: anthropic, base_url: "https://api.anthropic.com", model: c, price: { input_per_mtok: 3, output_per_mtok: 15 } }
              - { name: gpt, kind: openai, base_url: "https://api.openai.com/v1", model: g, price: { input_per_mtok: 2, output_per_mtok: 8 } }
              - name: tuned
                kind: openai
                base_url: "https://api.openai.com/v1"
                model: g
                price: { input_per_mtok: 2, output_per_mtok: 8, cache_read_per_mtok: 0.5, cache_write_per_mtok: 2 }
            default: { route: claude }
            """
        let policy = try parse(yaml)
        let claude = try #require(policy.target(named: "claude"))
        // 12 plain input tokens, 30,000 read, 2,000 written, 5 output: $0.0166 (not $0.096 at the input price).
        let cost = claude.cost(inputTokens: 32_012, outputTokens: 5, cacheReadTokens: 30_000, cacheWriteTokens: 2_000)
        #expect(abs(cost - (12 * 3 + 30_000 * 0.3 + 2_000 * 3.75 + 5 * 15) / 1_000_000) < 1e-12, "\(cost)")
        let gpt = try #require(policy.target(named: "gpt"))
        #expect(
            gpt.cost(inputTokens: 1_000, outputTokens: 0, cacheReadTokens: 800, cacheWriteTokens: 0)
                == gpt.estimatedCost(inputTokens: 1_000, outputTokens: 0))
        let tuned = try #require(policy.target(named: "tuned"))
        #expect(tuned.cost(inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 0) == 0.5)
        // Counts no answer has (more cached than input) are held to the input.
        #expect(abs(claude.cost(inputTokens: 10, outputTokens: 0, cacheReadTokens: 50, cacheWriteTokens: 50) - 10 * 0.3 / 1_000_000) < 1e-15)
        #expect(diagnostics(yaml.replacingOccurrences(of: "cache_read_per_mtok: 0.5", with: "cache_read_per_mtok: -1")).count == 1)
    }

    @Test func syntaxErrorHasLineAndColumn() {
        let found = diagnostics("name: x\ntargets:\n  - name: local\n    kind: [embedded\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("YAML syntax error") == true)
        #expect((found.first?.line ?? 0) >= 4)
        #expect(found.first?.description.hasPrefix("test.yaml:") == true)
    }

    @Test func unknownKeyIsReportedAtItsPosition() {
        let yaml = basePolicyYAML.replacingOccurrences(of: "default:\n  route: local", with: "default:\n  route: local\ncolour: blue")
        let found = diagnostics(yaml)
        #expect(found.count == 1)
        let diagnostic = found.first
        #expect(diagnostic?.message.contains("unknown key 'colour'") == true)
        #expect(diagnostic?.line == 19 && diagnostic?.column == 1)
    }

    @Test func unknownKeySuggestsTheClosestOne() {
        let found = diagnostics(basePolicyYAML.replacingOccurrences(of: "fallback:", with: "falback:"))
        #expect(found.first?.message.contains("did you mean 'fallback'") == true)
    }

    @Test func unknownTargetInRuleAndFallback() {
        let found = diagnostics(
            basePolicyYAML.replacingOccurrences(of: "route: remote", with: "route: gpt5")
                .replacingOccurrences(of: "fallback: [local]", with: "fallback: [locl]"))
        #expect(found.map(\.description).contains("test.yaml:15:12: error: unknown target 'gpt5' in rule 'hard'"))
        #expect(found.contains { $0.message.contains("unknown target 'locl' in fallback of rule 'hard'") && $0.line == 16 })
    }

    @Test(arguments: ["1.5", "-0.1", "high"])
    func badThresholdIsRejected(value: String) {
        let found = diagnostics(basePolicyYAML.replacingOccurrences(of: "min: 0.6", with: "min: \(value)"))
        #expect(found.count == 1)
        #expect(found.first?.line == 14)
        #expect(found.first?.message.contains(value == "high" ? "must be a number" : "between 0 and 1") == true)
    }

    @Test func missingDefaultIsAnError() {
        let found = diagnostics(basePolicyYAML.replacingOccurrences(of: "default:\n  route: local", with: ""))
        #expect(found.map(\.message).contains { $0.contains("missing 'default'") })
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let yaml =
            basePolicyYAML
            .replacingOccurrences(of: "min: 0.6", with: "min: 2")
            .replacingOccurrences(of: "kind: openai", with: "kind: openia")
            .replacingOccurrences(of: "default:\n  route: local", with: "default:\n  route: nowhere")
        let found = diagnostics(yaml)
        #expect(found.count == 3)
        #expect(found.contains { $0.message.contains("unknown kind 'openia'") && $0.message.contains("did you mean 'openai'") })
        #expect(found.map(\.line) == found.map(\.line).sorted())
    }

    @Test func duplicateNamesAreRejected() {
        let duplicateTarget = basePolicyYAML.replacingOccurrences(of: "  - name: remote\n", with: "  - name: local\n")
        #expect(diagnostics(duplicateTarget).contains { $0.message.contains("duplicate target name 'local'") })
        let duplicateRule = basePolicyYAML.replacingOccurrences(
            of: "default:", with: "  - name: hard\n    route: local\ndefault:")
        #expect(diagnostics(duplicateRule).contains { $0.message.contains("duplicate rule name 'hard'") })
        let duplicateKey = basePolicyYAML.replacingOccurrences(of: "name: base", with: "name: base\nname: again")
        #expect(diagnostics(duplicateKey).contains { $0.message.contains("duplicate key") })
    }

    @Test func unknownFindingTypesAndTopicsAreRejected() throws {
        let findings = diagnostics(
            basePolicyYAML.replacingOccurrences(of: "difficulty: { min: 0.6 }", with: "findings: { any_of: [EMAIL, secrets] }"))
        #expect(findings.count == 1 && findings[0].message.contains("unknown finding type 'EMAIL'"))
        let topics = diagnostics(basePolicyYAML.replacingOccurrences(of: "difficulty: { min: 0.6 }", with: "topics: { any_of: [sports] }"))
        #expect(topics.count == 1 && topics[0].message.contains("unknown topic 'sports'"))
        let group = try parse(basePolicyYAML.replacingOccurrences(of: "difficulty: { min: 0.6 }", with: "findings: { any_of: [secrets] }"))
        guard case .findings(let condition) = group.rules[0].condition else {
            Issue.record("expected a findings condition")
            return
        }
        #expect(Set(condition.anyOf) == FindingType.secrets)
    }

    @Test func otherValidationErrors() {
        let cases: [(String, String, String)] = [
            ("route: remote", "route: remote\n    block: no", "more than one action"),
            ("kind: embedded", "kind: embedded\n    base_url: http://x", "does not apply to embedded"),
            ("api_key_env: REMOTE_KEY", "api_key_env: sk-abc123", "must name an environment variable"),
            ("base_url: https://api.example.com/v1", "base_url: ftp//nowhere", "http(s) URL"),
            ("- name: hard", "- name: default", "reserved"),
            ("input_per_mtok: 1", "input_per_mtok: -1", "must not be negative"),
            ("fallback: [local]", "fallback: [local, local]", "twice"),
        ]
        for (from, to, expected) in cases {
            let found = diagnostics(basePolicyYAML.replacingOccurrences(of: from, with: to))
            #expect(found.contains { $0.message.contains(expected) }, "\(to): \(found)")
        }
    }

    @Test func redactForLocalTargetIsRejected() {
        let found = diagnostics(basePolicyYAML.replacingOccurrences(of: "route: remote\n    fallback: [local]", with: "redact: local"))
        #expect(found.contains { $0.message.contains("redaction is for remote targets") })
    }

    @Test func environmentExpansion() throws {
        let yaml =
            basePolicyYAML
            .replacingOccurrences(of: "https://api.example.com/v1", with: "${BASE:-https://fallback.example.com/v1}")
            .replacingOccurrences(of: "model: big", with: "model: ${MODEL}")
            // Environment references in flow mappings ({ … }) would clash with YAML's braces: block style here.
            .replacingOccurrences(of: "difficulty: { min: 0.6 }", with: "difficulty:\n        min: ${THRESHOLD:-0.7}")
        let withDefaults = try parse(yaml, environment: ["MODEL": "m1"])
        #expect(withDefaults.target(named: "remote")?.baseURL == "https://fallback.example.com/v1")
        #expect(withDefaults.target(named: "remote")?.model == "m1")
        #expect(withDefaults.rules[0].condition == .difficulty(ScoreRange(min: 0.7)))
        let overridden = try parse(yaml, environment: ["MODEL": "m2", "BASE": "http://127.0.0.1:9/v1", "THRESHOLD": "0.4"])
        #expect(overridden.target(named: "remote")?.baseURL == "http://127.0.0.1:9/v1")
        #expect(overridden.rules[0].condition == .difficulty(ScoreRange(min: 0.4)))
        #expect(overridden.contentHash != withDefaults.contentHash)

        let missing = diagnostics(yaml)
        #expect(missing.count == 1)
        #expect(missing[0].message.contains("environment variable 'MODEL' is not set and has no default"))
        #expect(missing[0].line == 8)
        let unterminated = diagnostics(basePolicyYAML.replacingOccurrences(of: "model: big", with: "model: ${MODEL"))
        #expect(unterminated.contains { $0.message.contains("unterminated") })
        let literal = try parse(basePolicyYAML.replacingOccurrences(of: "model: big", with: "model: cost$$5"))
        #expect(literal.target(named: "remote")?.model == "cost$5")
    }

    @Test func customTermsInlineAndFromFile() throws {
        let yaml = basePolicyYAML + "\ncustom_terms: [Falcon, { term: Acme Corp, label: customer }]\ncustom_terms_file: terms.txt\n"
        let policy = try parse(yaml, files: ["terms.txt": "# codenames\nBluebird\n\nfalcon\n"])
        #expect(policy.customTerms == [CustomTerm(term: "Falcon"), CustomTerm(term: "Acme Corp", label: "customer"), CustomTerm(term: "Bluebird")])
        #expect(policy.classifierConfiguration.customTerms.count == 3)
        let missing = diagnostics(yaml)
        #expect(missing.count == 1)
        #expect(missing[0].message.contains("custom terms file 'terms.txt' not found"))
        #expect(missing[0].line == 20)
    }

    @Test func loaderReadsCustomTermsRelativeToThePolicyFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let policyPath = directory.appendingPathComponent("sub/p.yaml").path
        try (basePolicyYAML + "\ncustom_terms_file: terms.txt\n").write(toFile: policyPath, atomically: true, encoding: .utf8)
        #expect(throws: PolicyError.self) { try PolicyLoader.load(path: policyPath, environment: [:]) }
        do {
            _ = try PolicyLoader.load(path: policyPath, environment: [:])
        } catch {
            #expect(error.description.hasPrefix("\(policyPath):19:20: error: custom terms file 'terms.txt' not found"))
        }
        try "Zephyr\n".write(toFile: directory.appendingPathComponent("sub/terms.txt").path, atomically: true, encoding: .utf8)
        let policy = try PolicyLoader.load(path: policyPath, environment: [:])
        #expect(policy.customTerms == [CustomTerm(term: "Zephyr")])
        #expect(throws: PolicyError.self) { try PolicyLoader.load(path: directory.appendingPathComponent("none.yaml").path, environment: [:]) }
    }

    @Test func budgetsAndRedactionSettings() throws {
        let yaml =
            basePolicyYAML + """

                budgets:
                  global: { daily_usd: 10, monthly_usd: 100 }
                  tenants:
                    acme: { daily_usd: 1 }
                  on_exhausted: { block: "Budget spent." }
                redaction:
                  default: local
                  types: { EMAIL_ADDRESS: pseudonymise, PASSWORD: pseudonymise, CREDIT_CARD: block }
                """
        let policy = try parse(yaml)
        #expect(policy.budgets.global == Budgets.Limit(dailyUSD: 10, monthlyUSD: 100))
        #expect(policy.budgets.limit(forTenant: "acme") == Budgets.Limit(dailyUSD: 1))
        #expect(policy.budgets.limit(forTenant: "other") == nil)
        #expect(policy.budgets.onExhausted == .block(message: "Budget spent."))
        #expect(policy.redaction.mode(for: .email) == .pseudonymise)
        #expect(policy.redaction.mode(for: .person) == .local)
        #expect(policy.redaction.mode(for: .creditCard) == .block)
        // Secrets stay local even when listed as pseudonymise, unless explicitly allowed.
        #expect(policy.redaction.mode(for: .password) == .local)
        #expect(policy.redaction.mode(for: .awsAccessKey) == .local)
        let allowed = try parse(yaml + "\n  allow_secrets_remote: true\n")
        #expect(allowed.redaction.mode(for: .password) == .pseudonymise)
        // Defaults: identifiers pseudonymised, secrets local.
        let defaults = RedactionSettings()
        #expect(defaults.mode(for: .phone) == .pseudonymise && defaults.mode(for: .githubToken) == .local)

        let paidExhausted = diagnostics(basePolicyYAML + "\nbudgets:\n  global: { daily_usd: 1 }\n  on_exhausted: { route: remote }\n")
        #expect(paidExhausted.contains { $0.message.contains("costs money") })
        let noAction = diagnostics(basePolicyYAML + "\nbudgets:\n  global: { daily_usd: 1 }\n")
        #expect(noAction.contains { $0.message.contains("no 'on_exhausted'") })
        let badMode = diagnostics(basePolicyYAML + "\nredaction:\n  types: { EMAIL_ADDRESS: hide }\n")
        #expect(badMode.contains { $0.message.contains("must be one of pseudonymise, local, block") })
    }
}

@Suite struct ContentHashTests {
    @Test func hashIgnoresFormattingCommentsAndKeyOrder() throws {
        let reformatted = """
            # A comment that changes nothing.
            default: { route: local }
            rules:
              - when: { difficulty: { min: 0.60 } }   # same number, other spelling
                fallback:
                  - local
                route: remote
                name: hard
            targets:
              - { kind: embedded, name: local }
              - name: remote
                price:
                  output_per_mtok: 2
                  input_per_mtok: 1.0
                api_key_env: "REMOTE_KEY"
                model: 'big'
                base_url: https://api.example.com/v1
                kind: openai
            name: base
            """
        #expect(try parse(reformatted).contentHash == parse(basePolicyYAML).contentHash)
    }

    @Test(arguments: [
        ("min: 0.6", "min: 0.61"),
        ("route: local", "route: remote"),
        ("model: big", "model: bigger"),
        ("output_per_mtok: 2", "output_per_mtok: 3"),
        ("name: base", "name: base2"),
        ("fallback: [local]", "fallback: []"),
        ("    when:", "    override_requested_model: true\n    when:"),
    ])
    func hashChangesWithAnySemanticChange(change: (String, String)) throws {
        let original = try parse(basePolicyYAML)
        let changed = try parse(basePolicyYAML.replacingOccurrences(of: change.0, with: change.1))
        #expect(original.contentHash != changed.contentHash)
    }

    @Test func hashCoversCustomTermsFileContents() throws {
        let yaml = basePolicyYAML + "\ncustom_terms_file: t.txt\n"
        #expect(try parse(yaml, files: ["t.txt": "a"]).contentHash != parse(yaml, files: ["t.txt": "b"]).contentHash)
    }

    @Test func hashIsDeterministicAcrossParses() throws {
        let yaml = basePolicyYAML + "\nredaction:\n  types: { EMAIL_ADDRESS: local, PHONE_NUMBER: block, PERSON: local, IBAN_CODE: block }\n"
        let hashes = try Set((0..<5).map { _ in try parse(yaml).contentHash })
        #expect(hashes.count == 1)
    }
}
