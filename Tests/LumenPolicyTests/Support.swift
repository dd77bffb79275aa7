import Foundation
import LumenClassifier
import LumenTestSupport

@testable import LumenPolicy

/// Repository root.
let repoRoot: URL = Harness.repoRoot

/// A small valid policy to mutate in tests.
let basePolicyYAML = """
    name: base
    targets:
      - name: local
        kind: embedded
      - name: remote
        kind: openai
        base_url: https://api.example.com/v1
        model: big
        api_key_env: REMOTE_KEY
        price: { input_per_mtok: 1, output_per_mtok: 2 }
    rules:
      - name: hard
        when:
          difficulty: { min: 0.6 }
        route: remote
        fallback: [local]
    default:
      route: local
    """

func parse(_ yaml: String, environment: [String: String] = [:], files: [String: String] = [:]) throws(PolicyError) -> Policy {
    try Policy.parse(yaml: yaml, file: "test.yaml", environment: environment) { files[$0] }
}

/// The diagnostics for a YAML text that must fail.
func diagnostics(_ yaml: String, environment: [String: String] = [:], files: [String: String] = [:]) -> [PolicyDiagnostic] {
    do {
        _ = try parse(yaml, environment: environment, files: files)
        return []
    } catch {
        return error.diagnostics
    }
}

func classification(
    difficulty: Double = 0.1, sensitivity: Double = 0, findings: [(FindingType, Double)] = [], topics: [(Topic, Double)] = [],
    language: String = "en", tokens: Int = 100
) -> Classification {
    Classification(
        difficulty: difficulty, sensitivity: sensitivity,
        findings: findings.map { Finding(type: $0.0, start: 0, end: 1, score: $0.1) },
        topics: topics.map { TopicScore(topic: $0.0, score: $0.1, evidence: []) },
        language: language, estimatedTokens: tokens
    )
}

/// A policy with the base targets and one rule `r` with the given `when` body (indented YAML) routing remote.
func policyWithCondition(_ when: String, extraRules: String = "") throws -> Policy {
    let indented = when.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n")
    return try parse(
        """
        name: cond
        targets:
          - name: local
            kind: embedded
          - name: remote
            kind: openai
            base_url: https://api.example.com/v1
            model: big
        rules:
          - name: r
            when:
        \(indented)
            route: remote
        \(extraRules)
        default:
          route: local
        """)
}
