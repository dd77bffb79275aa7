import Foundation
import LumenClassifier
import Testing

@testable import LumenPolicy

@Suite struct ConditionTests {
    /// (condition YAML, matching input, non-matching input)
    struct Case: Sendable, CustomStringConvertible {
        var when: String
        var yes: Classification
        var yesContext = RequestContext()
        var no: Classification
        var noContext = RequestContext()
        var reasonFragment: String
        var description: String { when }
    }

    static let cases: [Case] = [
        Case(
            when: "difficulty: { min: 0.6 }", yes: classification(difficulty: 0.6), no: classification(difficulty: 0.59),
            reasonFragment: "difficulty 0.60 ≥ 0.6"),
        Case(
            when: "difficulty: { max: 0.3 }", yes: classification(difficulty: 0.3), no: classification(difficulty: 0.31),
            reasonFragment: "difficulty 0.30 ≤ 0.3"),
        Case(
            when: "sensitivity: { min: 0.5, max: 0.9 }", yes: classification(sensitivity: 0.91 - 0.2), no: classification(sensitivity: 0.95),
            reasonFragment: "sensitivity 0.71 in [0.5, 0.9]"),
        Case(
            when: "sensitivity: 0.5", yes: classification(sensitivity: 0.91), no: classification(sensitivity: 0.2),
            reasonFragment: "sensitivity 0.91 ≥ 0.5"),
        Case(
            when: "findings: { any_of: [EMAIL_ADDRESS, PHONE_NUMBER], min_score: 0.5 }",
            yes: classification(findings: [(.email, 0.9)]), no: classification(findings: [(.email, 0.4), (.person, 0.9)]),
            reasonFragment: "finding EMAIL_ADDRESS (0.90)"),
        Case(
            when: "findings: { all_of: [EMAIL_ADDRESS, PERSON] }",
            yes: classification(findings: [(.email, 0.9), (.person, 0.8)]), no: classification(findings: [(.email, 0.9)]),
            reasonFragment: "findings EMAIL_ADDRESS (0.90), PERSON (0.80)"),
        Case(
            when: "findings: { none_of: [secrets] }",
            yes: classification(findings: [(.email, 0.9)]), no: classification(findings: [(.jwt, 0.9)]),
            reasonFragment: "no finding of"),
        Case(
            when: "topics: { any_of: [health, legal], min_score: 0.6 }",
            yes: classification(topics: [(.legal, 0.7)]), no: classification(topics: [(.legal, 0.5), (.finance, 0.9)]),
            reasonFragment: "topic legal 0.70 ≥ 0.6"),
        Case(
            when: "topics: { all_of: [health, finance] }",
            yes: classification(topics: [(.health, 0.7), (.finance, 0.6)]), no: classification(topics: [(.health, 0.7)]),
            reasonFragment: "topics finance 0.60, health 0.70 ≥ 0.5"),
        Case(
            when: "topics: { none_of: [hr] }", yes: classification(topics: [(.health, 0.7)]), no: classification(topics: [(.hr, 0.7)]),
            reasonFragment: "no topic of [hr] ≥ 0.5"),
        Case(
            when: "language: [zh, mixed]", yes: classification(language: "zh"), no: classification(language: "en"),
            reasonFragment: "language zh in [mixed, zh]"),
        Case(
            when: "tokens: { min: 100, max: 2000 }", yes: classification(tokens: 2000), no: classification(tokens: 2001),
            reasonFragment: "estimated tokens 2000 in [100, 2000]"),
        Case(
            when: "tenant: [acme, globex]", yes: classification(), yesContext: RequestContext(tenant: "acme"),
            no: classification(), noContext: RequestContext(tenant: "initech"), reasonFragment: "tenant 'acme' in [acme, globex]"),
        Case(
            when: "model: auto", yes: classification(), yesContext: RequestContext(requestedModel: nil),
            no: classification(), noContext: RequestContext(requestedModel: "local"), reasonFragment: "requested model 'auto' in [auto]"),
        Case(
            when: "metadata: { team: [ml, data], env: '*' }", yes: classification(),
            yesContext: RequestContext(metadata: ["team": "ml", "env": "prod"]),
            no: classification(), noContext: RequestContext(metadata: ["team": "sales", "env": "prod"]),
            reasonFragment: "metadata env=prod in [*] and metadata team=ml in [data, ml]"),
        Case(
            when: "headers: { X-Lumen-Privacy: strict }", yes: classification(), yesContext: RequestContext(headers: ["x-LUMEN-privacy": "strict"]),
            no: classification(), noContext: RequestContext(headers: [:]), reasonFragment: "header x-lumen-privacy=strict in [strict]"),
        Case(
            when: "budget: exhausted", yes: classification(), yesContext: RequestContext(tenantRemainingUSD: 0),
            no: classification(), noContext: RequestContext(remainingUSD: 5, tenantRemainingUSD: nil), reasonFragment: "exhausted"),
        Case(
            when: "budget: { scope: global, below_usd: 2 }", yes: classification(), yesContext: RequestContext(remainingUSD: 1.5),
            no: classification(), noContext: RequestContext(remainingUSD: nil, tenantRemainingUSD: 0),
            reasonFragment: "global budget left $1.50 < $2.00"),
        Case(
            when: "all:\n  - difficulty: 0.5\n  - language: en", yes: classification(difficulty: 0.7),
            no: classification(difficulty: 0.7, language: "zh"),
            reasonFragment: "difficulty 0.70 ≥ 0.5 and language en in [en]"),
        Case(
            when: "any:\n  - difficulty: 0.9\n  - sensitivity: 0.5", yes: classification(sensitivity: 0.6), no: classification(difficulty: 0.5),
            reasonFragment: "sensitivity 0.60 ≥ 0.5"),
        Case(
            when: "not:\n  language: en", yes: classification(language: "other"), no: classification(language: "en"),
            reasonFragment: "not (language other not in [en])"),
        Case(
            when: "difficulty: 0.5\nlanguage: en", yes: classification(difficulty: 0.5), no: classification(difficulty: 0.5, language: "zh"),
            reasonFragment: "difficulty 0.50 ≥ 0.5 and language en in [en]"),
    ]

    @Test(arguments: cases)
    func conditionMatchesAndExplains(testCase: Case) throws {
        let policy = try policyWithCondition(testCase.when)
        let hit = PolicyEngine.evaluate(policy, testCase.yes, testCase.yesContext)
        #expect(hit.rule == "r" && hit.target == "remote")
        #expect(hit.reason.contains(testCase.reasonFragment), "reason: \(hit.reason)")
        let miss = PolicyEngine.evaluate(policy, testCase.no, testCase.noContext)
        // A request naming a target skips non-overriding rules, so a miss is either the default or the named target.
        #expect(miss.rule == "default" ? miss.target == "local" : miss.rule == "requested-model")
        let explanation = PolicyEngine.explain(policy, testCase.no, testCase.noContext)
        #expect(explanation.rules.count == 1 && !explanation.rules[0].matched && !explanation.rules[0].reason.isEmpty)
    }

    @Test func firstMatchWinsAndDecisionCarriesPolicyIdentity() throws {
        let policy = try policyWithCondition("difficulty: 0.5", extraRules: "  - name: second\n    when: { difficulty: 0.1 }\n    block: nope")
        let decision = PolicyEngine.evaluate(policy, classification(difficulty: 0.6), RequestContext())
        #expect(decision.rule == "r")
        #expect(decision.policyName == "cond" && decision.policyHash == policy.contentHash)
        let blocked = PolicyEngine.evaluate(policy, classification(difficulty: 0.2), RequestContext())
        #expect(blocked.action == .block && blocked.blockMessage == "nope" && blocked.target == nil && blocked.rule == "second")
        let json = try JSONEncoder().encode(blocked)
        #expect(try JSONDecoder().decode(Decision.self, from: json) == blocked)
    }
}

@Suite struct RequestedModelTests {
    static let yaml = basePolicyYAML.replacingOccurrences(
        of: "rules:\n",
        with: """
            rules:
              - name: pii-local
                override_requested_model: true
                when:
                  findings: { any_of: [EMAIL_ADDRESS] }
                route: local
              - name: easy-local
                when:
                  difficulty: { max: 0.2 }
                route: local

            """)

    @Test func resolveRequestedModel() throws {
        let policy = try parse(Self.yaml)
        #expect(policy.resolveRequestedModel(nil) == .auto)
        #expect(policy.resolveRequestedModel("") == .auto)
        #expect(policy.resolveRequestedModel("auto") == .auto)
        #expect(policy.resolveRequestedModel("remote") == .target(try #require(policy.target(named: "remote"))))
        #expect(policy.resolveRequestedModel("gpt-5") == nil)
    }

    @Test func namedTargetIsHonouredUnlessAnOverrideRuleMatches() throws {
        let policy = try parse(Self.yaml)
        // Easy prompt: policy alone would say local, but the request names remote and easy-local does not override.
        let honoured = PolicyEngine.evaluate(policy, classification(difficulty: 0.1), RequestContext(requestedModel: "remote"))
        #expect(honoured.target == "remote" && honoured.rule == "requested-model" && !honoured.overrodeRequestedModel)
        // Same with auto: the rule decides.
        let auto = PolicyEngine.evaluate(policy, classification(difficulty: 0.1), RequestContext(requestedModel: "auto"))
        #expect(auto.target == "local" && auto.rule == "easy-local" && !auto.overrodeRequestedModel)
        // Privacy rule overrides and says so.
        let overridden = PolicyEngine.evaluate(policy, classification(findings: [(.email, 0.9)]), RequestContext(requestedModel: "remote"))
        #expect(overridden.target == "local" && overridden.rule == "pii-local" && overridden.overrodeRequestedModel)
        #expect(overridden.overrideReason?.contains("rule 'pii-local' overrides requested model 'remote'") == true)
        #expect(overridden.overrideReason?.contains("finding EMAIL_ADDRESS") == true)
        // An override rule that lands on the requested target is not an override.
        let same = PolicyEngine.evaluate(policy, classification(findings: [(.email, 0.9)]), RequestContext(requestedModel: "local"))
        #expect(same.target == "local" && !same.overrodeRequestedModel)
        let explanation = PolicyEngine.explain(policy, classification(difficulty: 0.1), RequestContext(requestedModel: "remote"))
        #expect(explanation.rules[1].matched && explanation.rules[1].note?.contains("names a target") == true)
    }

    @Test func secretsNeverLeaveEvenWhenRequested() throws {
        let policy = try parse(Self.yaml)
        let decision = PolicyEngine.evaluate(policy, classification(findings: [(.awsAccessKey, 0.99)]), RequestContext(requestedModel: "remote"))
        #expect(decision.target == "local" && decision.overrodeRequestedModel)
        #expect(decision.reason.contains("never leave"))
        let allowed = try parse(Self.yaml + "\nredaction:\n  allow_secrets_remote: true\n")
        let sent = PolicyEngine.evaluate(allowed, classification(findings: [(.awsAccessKey, 0.99)]), RequestContext(requestedModel: "remote"))
        #expect(sent.target == "remote" && !sent.overrodeRequestedModel)
    }
}

@Suite struct SafetyNetTests {
    static let redactYAML =
        basePolicyYAML.replacingOccurrences(of: "route: remote\n    fallback: [local]", with: "redact: remote\n    fallback: [local]")
        + "\nredaction:\n  types: { CREDIT_CARD: block, US_SSN: local }\n"

    @Test func redactHonoursPerTypeModes() throws {
        let policy = try parse(Self.redactYAML)
        let pseudonymised = PolicyEngine.evaluate(policy, classification(difficulty: 0.9, findings: [(.email, 0.9)]), RequestContext())
        #expect(pseudonymised.action == .redact && pseudonymised.target == "remote" && pseudonymised.fallback == ["local"])
        let local = PolicyEngine.evaluate(policy, classification(difficulty: 0.9, findings: [(.email, 0.9), (.usSSN, 0.9)]), RequestContext())
        #expect(local.action == .route && local.target == "local" && local.reason.contains("redaction keeps US_SSN local"))
        let blocked = PolicyEngine.evaluate(policy, classification(difficulty: 0.9, findings: [(.creditCard, 0.9)]), RequestContext())
        #expect(blocked.action == .block && blocked.blockMessage?.contains("CREDIT_CARD") == true)
        let secret = PolicyEngine.evaluate(policy, classification(difficulty: 0.9, findings: [(.githubToken, 0.9)]), RequestContext())
        #expect(secret.action == .route && secret.target == "local")
    }

    @Test func remoteOnlyPolicyBlocksSecrets() throws {
        let policy = try parse(
            """
            name: remote-only
            targets:
              - { name: remote, kind: anthropic, base_url: "https://api.example.com", model: claude }
            rules: []
            default: { route: remote }
            """)
        let decision = PolicyEngine.evaluate(policy, classification(findings: [(.privateKey, 1)]), RequestContext())
        #expect(decision.action == .block)
    }

    @Test func budgetExhaustionAppliesOnExhausted() throws {
        let yaml = basePolicyYAML + "\nbudgets:\n  global: { daily_usd: 5 }\n  on_exhausted: { route: local }\n"
        let policy = try parse(yaml)
        let hard = classification(difficulty: 0.9, tokens: 1000)
        // Cost: 1000 × $1/M + 256 × $2/M = $0.001512.
        let plenty = PolicyEngine.evaluate(policy, hard, RequestContext(remainingUSD: 0.01))
        #expect(plenty.target == "remote" && plenty.rule == "hard")
        let tight = PolicyEngine.evaluate(policy, hard, RequestContext(remainingUSD: 0.001))
        #expect(tight.target == "local" && tight.rule == "budget" && tight.reason.contains("global budget"))
        let tenant = PolicyEngine.evaluate(policy, hard, RequestContext(tenant: "acme", tenantRemainingUSD: 0))
        #expect(tenant.target == "local" && tenant.reason.contains("tenant 'acme' budget $0.00 left"))
        let blocking = try parse(yaml.replacingOccurrences(of: "on_exhausted: { route: local }", with: "on_exhausted: { block: Out of budget. }"))
        let blocked = PolicyEngine.evaluate(blocking, hard, RequestContext(remainingUSD: 0))
        #expect(blocked.action == .block && blocked.blockMessage == "Out of budget.")
        // Free targets are never affected.
        let easy = PolicyEngine.evaluate(policy, classification(difficulty: 0.1), RequestContext(remainingUSD: 0))
        #expect(easy.target == "local" && easy.rule == "default")
    }

    @Test func unaffordableFallbacksAreDropped() throws {
        let yaml = basePolicyYAML.replacingOccurrences(of: "default:\n  route: local", with: "default:\n  route: local\n  fallback: [remote]")
        let policy = try parse(yaml)
        #expect(PolicyEngine.evaluate(policy, classification(), RequestContext()).fallback == ["remote"])
        #expect(PolicyEngine.evaluate(policy, classification(), RequestContext(remainingUSD: 0)).fallback == [])
        #expect(PolicyEngine.evaluate(policy, classification(findings: [(.jwt, 0.9)]), RequestContext()).fallback == [])
    }
}
