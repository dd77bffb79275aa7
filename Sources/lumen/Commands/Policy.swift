import ArgumentParser
import Foundation
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRouter

/// `lumen policy`: check policy files and run their test cases.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Lint policy files, test them against expected decisions, and version them in the shared store.",
        subcommands: [PolicyLint.self, PolicyTest.self, PolicyApply.self, PolicyHistory.self, PolicyRollback.self]
    )
}

/// `lumen policy lint FILE…`
struct PolicyLint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate policy files; prints file:line:column diagnostics, or the content hash when fine."
    )

    @Argument(help: "Policy files.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one policy file") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var failed = false
        for file in files {
            do {
                let policy = try PolicyLoader.load(path: file, environment: environment)
                print(
                    "\(file): ok: policy '\(policy.name)', \(policy.targets.count) targets, \(policy.rules.count) rules, sha256 \(policy.contentHash)"
                )
            } catch {
                failed = true
                print(error.description)
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `lumen policy test FILE [--cases FILE]`
struct PolicyTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a policy's test cases (prompts with expected decisions); exits non-zero with a diff on mismatch."
    )

    @Argument(help: "Policy file.")
    var file: String

    @Option(name: .long, help: "Cases file (default: tests/<policy file name>.cases.yaml next to the policy).")
    var cases: String?

    @Flag(name: .shortAndLong, help: "Also list passing cases.")
    var verbose = false

    static func defaultCasesPath(for policyPath: String) -> String {
        let url = URL(fileURLWithPath: policyPath)
        let base = url.deletingPathExtension().lastPathComponent
        let directory = (policyPath as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "" : directory + "/") + "tests/\(base).cases.yaml"
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let casesPath = cases ?? Self.defaultCasesPath(for: file)
        let policy: Policy
        let suite: PolicyTestSuite
        do {
            policy = try PolicyLoader.load(path: file, environment: environment)
            suite = try PolicyLoader.loadTestSuite(path: casesPath)
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
        if let name = suite.policyName, name != policy.name {
            print("\(casesPath):1:1: error: cases are written for policy '\(name)', not '\(policy.name)'")
            throw ExitCode(1)
        }
        let results = suite.run(policy: policy, classifier: Classifier(configuration: policy.classifierConfiguration))
        var failed = 0
        for result in results {
            if result.passed {
                if verbose { print("PASS \(result.testCase.name)") }
                continue
            }
            failed += 1
            print("FAIL \(casesPath):\(result.testCase.line): \(result.testCase.name)")
            for mismatch in result.mismatches {
                print("  \(mismatch.field):")
                print("  - expected: \(mismatch.expected)")
                print("  + got:      \(mismatch.got)")
            }
            print("  reason: \(result.decision.reason)")
        }
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
