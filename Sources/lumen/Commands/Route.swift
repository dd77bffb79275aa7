import ArgumentParser
import Foundation
import LumenClassifier
import LumenPolicy
import LumenRouter

/// `lumen route`: classify one prompt and show what the policy decides, and why.
struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how a policy routes a prompt: scores, findings (masked), matched rule, target and cost.",
        discussion: "Reads the prompt from standard input when none is given. Nothing is sent anywhere."
    )

    @Option(name: .long, help: "Policy file (default: $LUMEN_POLICY or policies/default.yaml).")
    var policy: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Show every rule in order with whether it matched and why.")
    var explain = false

    @Option(name: .long, help: "Tenant of the request.")
    var tenant: String?

    @Option(name: .long, help: "Requested model: 'auto' (default) or a target name.")
    var model: String?

    @Argument(help: "The prompt (standard input when omitted).")
    var prompt: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = PolicyPaths.resolve(policy, environment: environment)
        let loaded = try PolicyPaths.load(path, environment: environment)
        let text: String
        if let prompt {
            text = prompt
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let input = String(data: data, encoding: .utf8) else {
                FileHandle.standardError.write(Data("error: standard input is not UTF-8 text\n".utf8))
                throw ExitCode(1)
            }
            text = input
        }
        if loaded.resolveRequestedModel(model) == nil {
            let names = ([RequestedModel.autoName] + loaded.targets.map(\.name)).joined(separator: ", ")
            FileHandle.standardError.write(Data("error: model '\(model ?? "")' is not known to policy '\(loaded.name)' (use one of: \(names))\n".utf8))
            throw ExitCode(2)
        }

        let classifier = Classifier(configuration: loaded.classifierConfiguration)
        let classification = classifier.classify(text)
        let context = RequestContext(tenant: tenant, requestedModel: model)
        let explanation = PolicyEngine.explain(loaded, classification, context)
        var report = RouteReport(policy: loaded, path: path, text: text, classification: classification, explanation: explanation,
                                 includeRules: explain)
        if explanation.decision.action == .redact {
            // Exactly what the router would send: same classifier, same redaction rules.
            report.outgoing = RouteReport.Outgoing(RedactionPreview.redactedPrompt(text, policy: loaded))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}

/// Where the CLI finds policies.
enum PolicyPaths {
    static func resolve(_ explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let path = environment["LUMEN_POLICY"], !path.isEmpty { return path }
        return "policies/default.yaml"
    }

    /// Loads a policy, or prints its diagnostics (file:line:column) to standard error and exits 1.
    static func load(_ path: String, environment: [String: String]) throws -> Policy {
        do {
            return try PolicyLoader.load(path: path, environment: environment)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

/// What `lumen route` prints, as text or JSON. Holds masked excerpts only, never raw finding values.
struct RouteReport: Encodable {
    struct PolicyInfo: Encodable {
        var name: String
        var file: String
        var contentHash: String
    }

    struct FindingInfo: Encodable {
        var type: String
        var score: Double
        var start: Int
        var end: Int
        var excerpt: String
    }

    struct Cost: Encodable {
        var target: String
        var inputTokens: Int
        var assumedOutputTokens: Int
        var inputPerMTok: Double
        var outputPerMTok: Double
        var usd: Double
    }

    var policy: PolicyInfo
    var difficulty: Double
    var sensitivity: Double
    var language: String
    var estimatedTokens: Int
    var findings: [FindingInfo]
    var topics: [TopicScore]
    var decision: Decision
    var estimatedCost: Cost?
    var rules: [PolicyExplanation.RuleTrace]?
    /// For `redact` decisions: the prompt as it would leave the machine.
    var outgoing: Outgoing?

    struct Outgoing: Encodable {
        var redactedPrompt: String?
        var values: Int
        var keptLocalBy: [String]?
        var blockedBy: [String]?

        init(_ outcome: RedactionPreview.Outcome) {
            switch outcome {
            case .redacted(let text, let values):
                self.init(redactedPrompt: text, values: values)
            case .local(let types):
                self.init(values: 0, keptLocalBy: types.map(\.rawValue))
            case .block(let types):
                self.init(values: 0, blockedBy: types.map(\.rawValue))
            }
        }

        init(redactedPrompt: String? = nil, values: Int, keptLocalBy: [String]? = nil, blockedBy: [String]? = nil) {
            self.redactedPrompt = redactedPrompt
            self.values = values
            self.keptLocalBy = keptLocalBy
            self.blockedBy = blockedBy
        }
    }

    init(policy: Policy, path: String, text: String, classification: Classification, explanation: PolicyExplanation, includeRules: Bool) {
        self.policy = PolicyInfo(name: policy.name, file: path, contentHash: policy.contentHash)
        difficulty = classification.difficulty
        sensitivity = classification.sensitivity
        language = classification.language
        estimatedTokens = classification.estimatedTokens
        let scalars = Array(text.unicodeScalars)
        findings = classification.findings.map { finding in
            let lower = max(0, min(finding.start, scalars.count))
            let upper = max(lower, min(finding.end, scalars.count))
            var value = String.UnicodeScalarView()
            value.append(contentsOf: scalars[lower..<upper])
            return FindingInfo(
                type: finding.type.rawValue, score: finding.score, start: finding.start, end: finding.end,
                excerpt: FindingMask.mask(String(value), type: finding.type)
            )
        }
        topics = classification.topics
        decision = explanation.decision
        if let name = explanation.decision.target, let target = policy.target(named: name) {
            estimatedCost = Cost(
                target: name, inputTokens: classification.estimatedTokens, assumedOutputTokens: PolicyEngine.assumedOutputTokens,
                inputPerMTok: target.price.inputPerMTok, outputPerMTok: target.price.outputPerMTok,
                usd: target.estimatedCost(inputTokens: classification.estimatedTokens, outputTokens: PolicyEngine.assumedOutputTokens)
            )
        }
        rules = includeRules ? explanation.rules : nil
    }

    var text: String {
        var lines: [String] = []
        func add(_ label: String, _ value: String) { lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0) + value) }
        add("policy", "\(policy.name) (\(policy.file), sha256 \(policy.contentHash.prefix(16))…)")
        add("scores", "difficulty \(f2(difficulty))  sensitivity \(f2(sensitivity))  language \(language)  tokens ~\(estimatedTokens)")
        if findings.isEmpty {
            add("findings", "none")
        } else {
            for (index, finding) in findings.enumerated() {
                add(index == 0 ? "findings" : "", "\(finding.type) \(finding.excerpt) (score \(f2(finding.score)), chars \(finding.start)–\(finding.end))")
            }
        }
        if topics.isEmpty {
            add("topics", "none")
        } else {
            add("topics", topics.map { "\($0.topic.rawValue) \(f2($0.score))" + ($0.evidence.isEmpty ? "" : " (\($0.evidence.joined(separator: ", ")))") }
                .joined(separator: ", "))
        }
        switch decision.action {
        case .block: add("decision", "block — \(decision.blockMessage ?? "")")
        case .route, .redact: add("decision", "\(decision.action.rawValue) → \(decision.target ?? "")")
        }
        add("rule", decision.rule)
        add("why", decision.reason)
        if !decision.fallback.isEmpty { add("fallback", decision.fallback.joined(separator: " → ")) }
        if decision.overrodeRequestedModel { add("override", decision.overrideReason ?? "requested model overridden") }
        if let cost = estimatedCost, cost.usd == 0 {
            add("cost", "free on \(cost.target) (no price set)")
        } else if let cost = estimatedCost {
            add("cost", String(format: "~$%.6f on %@ (%d input + %d assumed output tokens at $%@/$%@ per Mtok)", cost.usd, cost.target,
                               cost.inputTokens, cost.assumedOutputTokens, plain(cost.inputPerMTok), plain(cost.outputPerMTok)))
        }
        if let outgoing {
            if let redacted = outgoing.redactedPrompt {
                add("leaves as", "(\(outgoing.values) value\(outgoing.values == 1 ? "" : "s") pseudonymised, restored in the answer)")
                for line in redacted.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("  | " + line) }
            } else if let types = outgoing.keptLocalBy {
                add("leaves as", "nothing: \(types.joined(separator: ", ")) keep the request local")
            } else if let types = outgoing.blockedBy {
                add("leaves as", "nothing: \(types.joined(separator: ", ")) make the policy refuse it")
            }
        }
        if let rules {
            lines.append("rules (first match wins):")
            for rule in rules {
                let mark = rule.matched ? (rule.note == nil ? "✓" : "~") : "✗"
                lines.append("  \(mark) \(rule.name): \(rule.matched ? "matched" : "no match") — \(rule.reason)" + (rule.note.map { " [\($0)]" } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }

    private func f2(_ value: Double) -> String { String(format: "%.2f", value) }
    private func plain(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}

/// Masked excerpts of finding values for display: enough to recognise, never the value itself.
enum FindingMask {
    static func mask(_ value: String, type: FindingType) -> String {
        let chars = Array(value)
        guard chars.count > 1 else { return "*" }
        if type == .email, let at = chars.firstIndex(of: "@") {
            let local = chars[..<at]
            let domain = chars[chars.index(after: at)...]
            let dot = domain.lastIndex(of: ".")
            let host = dot.map { domain[..<$0] } ?? domain
            let tld = dot.map { String(domain[$0...]) } ?? ""
            return "\(local.first.map(String.init) ?? "")***@\(host.first.map(String.init) ?? "")***\(tld)"
        }
        if type.isSecret {
            return String(chars.prefix(min(4, chars.count / 4))) + "****"
        }
        let digits = chars.filter(\.isNumber)
        if digits.count >= 7 && digits.count * 2 >= chars.count {
            let keepEnd = digits.count >= 11 ? 4 : 2
            return String(digits.prefix(3)) + String(repeating: "*", count: digits.count - 3 - keepEnd) + String(digits.suffix(keepEnd))
        }
        // Names, addresses, terms: first letter of each word.
        return value.split(separator: " ").map { word in (word.first.map(String.init) ?? "") + "***" }.joined(separator: " ")
    }
}
