import Foundation
import LumenClassifier
import Testing

@testable import LumenPolicy

@Suite struct ShippedPolicyTests {
    static let policiesDirectory = repoRoot.appendingPathComponent("policies")
    /// Every policy shipped in `policies/` (a new one cannot be missed: each must have its cases).
    static let names = ((try? FileManager.default.contentsOfDirectory(atPath: policiesDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()

    @Test func everyShippedPolicyIsChecked() {
        #expect(Set(Self.names).isSuperset(of: ["default", "strict-local", "cost-saver", "regulated", "offline", "redact"]))
    }

    @Test(arguments: names)
    func shippedPolicyPassesItsCases(name: String) throws {
        let policy = try PolicyLoader.load(path: Self.policiesDirectory.appendingPathComponent("\(name).yaml").path, environment: [:])
        #expect(policy.name == name)
        let suite = try PolicyLoader.loadTestSuite(path: Self.policiesDirectory.appendingPathComponent("tests/\(name).cases.yaml").path)
        #expect(suite.policyName == name)
        #expect(suite.cases.count >= 4)
        let results = suite.run(policy: policy, classifier: Classifier(configuration: policy.classifierConfiguration))
        for result in results where !result.passed {
            Issue.record("\(name): case '\(result.testCase.name)' (line \(result.testCase.line)): \(result.mismatches) — \(result.decision.reason)")
        }
    }

    @Test func shippedPoliciesTakeTheRemoteTargetFromTheEnvironment() throws {
        let path = Self.policiesDirectory.appendingPathComponent("default.yaml").path
        let defaults = try PolicyLoader.load(path: path, environment: [:])
        let remote = try #require(defaults.target(named: "remote"))
        #expect(remote.baseURL == "https://api.openai.com/v1" && remote.model == "gpt-4o-mini" && remote.apiKeyEnv == "LUMEN_REMOTE_API_KEY")
        let custom = try PolicyLoader.load(path: path, environment: ["LUMEN_REMOTE_BASE_URL": "http://127.0.0.1:9999/v1", "LUMEN_REMOTE_MODEL": "m"])
        #expect(custom.target(named: "remote")?.baseURL == "http://127.0.0.1:9999/v1" && custom.target(named: "remote")?.model == "m")
        #expect(custom.contentHash != defaults.contentHash)
    }

    @Test func offlineHasNoRemoteTargets() throws {
        let policy = try PolicyLoader.load(path: Self.policiesDirectory.appendingPathComponent("offline.yaml").path, environment: [:])
        #expect(policy.remoteTargets.isEmpty)
        #expect(policy.resolveRequestedModel("remote") == nil)
    }

    @Test func failingCaseIsReportedWithExpectedAndGot() throws {
        let policy = try parse(basePolicyYAML)
        let suite = try PolicyTestSuite.parse(
            yaml: """
                cases:
                  - name: wrong on purpose
                    classification: { difficulty: 0.9 }
                    expect: { action: route, target: local, rule: default }
                """, file: "x.cases.yaml")
        let results = suite.run(policy: policy, classifier: Classifier())
        #expect(results.count == 1 && !results[0].passed)
        #expect(results[0].mismatches.map(\.field) == ["target", "rule"])
        #expect(results[0].mismatches[0].expected == "local" && results[0].mismatches[0].got == "remote")
        #expect(results[0].testCase.line == 2)
    }

    @Test func badCasesFileIsRejected() {
        #expect(throws: PolicyError.self) { try PolicyTestSuite.parse(yaml: "cases:\n  - name: x\n    expect: { action: fly }\n", file: "c.yaml") }
        #expect(throws: PolicyError.self) { try PolicyTestSuite.parse(yaml: "cases: []\n", file: "c.yaml") }
    }
}
