import ArgumentParser
import Foundation
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRouter

/// `lumen route`: classify one prompt and show what the policy decides, and why.
struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show how a policy routes a prompt or a whole request: scores, findings (masked) by location, rule, target, cost and what would leave.",
        discussion: """
            Reads the prompt from standard input when none is given. `--request FILE.json` takes a whole request \
            body instead (Chat Completions, Anthropic Messages or Responses): every string that would be sent is screened, and --explain lists \
            each location and prints the exact body that would leave. Nothing is sent anywhere.
            """
    )

    @Option(name: .long, help: "Policy file (default: $LUMEN_POLICY or policies/default.yaml).")
    var policy: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "Show every rule in order with whether it matched and why, and every screened location.")
    var explain = false

    @Option(name: .long, help: "Tenant of the request.")
    var tenant: String?

    @Option(name: .long, help: "Requested model: 'auto' (default) or a target name (overrides the request's 'model').")
    var model: String?

    @Option(name: .long, help: "A request body (JSON) to route instead of a prompt: Chat Completions, Anthropic Messages or Responses.")
    var request: String?

    @Option(name: .long, help: "The API of --request: chat-completions, anthropic-messages, responses (default: told by its members).")
    var api: String?

    @Argument(help: "The prompt (standard input when omitted).")
    var prompt: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = PolicyPaths.resolve(policy, environment: environment)
        let loaded = try PolicyPaths.load(path, environment: environment)
        var inbound: InboundRequest
        if let file = request {
            guard prompt == nil else { throw ValidationError("give a prompt or --request FILE, not both") }
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("error: cannot read \(file)\n".utf8))
                throw ExitCode(1)
            }
            do {
                inbound = try RequestFile.decode(data, api: try api.map(RequestFile.api))
                try Router.validate(inbound.conversation)
            } catch let error as RouterError {
                FileHandle.standardError.write(Data("error: \(file): \(error.message)\n".utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("error: \(file): \(error)\n".utf8))
                throw ExitCode(1)
            }
            if let model { inbound.conversation.model = model }
        } else {
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
            inbound = .chat(ChatCompletionRequest(model: model ?? RequestedModel.autoName, messages: [ChatMessage(role: .user, text: text)]))
        }
        let body = inbound.conversation
        if loaded.resolveRequestedModel(body.model) == nil {
            let names = ([RequestedModel.autoName] + loaded.targets.map(\.name)).joined(separator: ", ")
            FileHandle.standardError.write(Data("error: model '\(body.model)' is not known to policy '\(loaded.name)' (use one of: \(names))\n".utf8))
            throw ExitCode(2)
        }

        let context = RequestContext(tenant: tenant, requestedModel: body.model)
        let preview: EgressPreview.Result
        do {
            preview = try EgressPreview.preview(inbound, policy: loaded, context: context)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        var report = RouteReport(policy: loaded, path: path, preview: preview, includeRules: explain, wholeRequest: request != nil)
        if loaded.target(named: body.model) == nil, let alias = loaded.modelAliases.first(where: { $0.matches(body.model) }) {
            report.model = "\(body.model) → \(alias.target) (policy 'models': \(alias.pattern))"
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
        explicit ?? PolicyLoader.defaultPath(environment: environment)
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

/// What `lumen route` prints, as text or JSON. Holds masked excerpts only, never raw finding values
/// (the body that would leave is shown as it leaves: redacted where the policy redacts).
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
        var location: String?
        var area: String?
        var rewritable: Bool?
        var excerpt: String
    }

    struct Location: Encodable {
        var path: String
        var area: String
        var kind: String
        var findings: [String]
    }

    struct Cost: Encodable {
        var target: String
        var inputTokens: Int
        var assumedOutputTokens: Int
        var inputPerMTok: Double
        var outputPerMTok: Double
        var usd: Double
    }

    /// What would leave the machine.
    struct Outgoing: Encodable {
        /// `leaves`, `local`, `kept_local` or `blocked`.
        var outcome: String
        var target: String?
        var host: String?
        /// For a single prompt: the user message as it would leave.
        var redactedPrompt: String?
        /// For `--request`: the exact JSON body that would leave.
        var body: String?
        var values: Int
        var reason: String?
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
    /// Every screened location (with `--explain` or `--request`).
    var locations: [Location]?
    var droppedFields: [String]?
    var outgoing: Outgoing
    /// How the request's model name was mapped (a `models` pattern of the policy), if it was.
    var model: String?

    init(policy: Policy, path: String, preview: EgressPreview.Result, includeRules: Bool, wholeRequest: Bool) {
        let classification = preview.screened.classification
        self.policy = PolicyInfo(name: policy.name, file: path, contentHash: policy.contentHash)
        difficulty = classification.difficulty
        sensitivity = classification.sensitivity
        language = classification.language
        estimatedTokens = classification.estimatedTokens
        let value = preview.screened.valueReader()
        findings = classification.findings.map { finding in
            FindingInfo(
                type: finding.type.rawValue, score: finding.score, start: finding.start, end: finding.end,
                location: finding.location?.path, area: finding.location?.area.rawValue, rewritable: finding.location?.rewritable,
                excerpt: FindingMask.mask(value(finding) ?? "", type: finding.type)
            )
        }
        topics = classification.topics
        decision = preview.explanation.decision
        if let name = decision.target, let target = policy.target(named: name) {
            estimatedCost = Cost(
                target: name, inputTokens: classification.estimatedTokens, assumedOutputTokens: PolicyEngine.assumedOutputTokens,
                inputPerMTok: target.price.inputPerMTok, outputPerMTok: target.price.outputPerMTok,
                usd: target.estimatedCost(inputTokens: classification.estimatedTokens, outputTokens: PolicyEngine.assumedOutputTokens)
            )
        }
        rules = includeRules ? preview.explanation.rules : nil
        if includeRules || wholeRequest {
            var byLocation: [String: [String]] = [:]
            for finding in classification.findings {
                if let path = finding.location?.path { byLocation[path, default: []].append(finding.type.rawValue) }
            }
            locations = preview.screened.strings.compactMap { string in
                let types = byLocation[string.location] ?? []
                guard !string.isKey || !types.isEmpty, string.kind != .lumen else { return nil }
                return Location(path: string.location, area: string.area.rawValue, kind: string.kind.rawValue, findings: types)
            }
        }
        droppedFields = preview.screened.droppedFields.isEmpty ? nil : preview.screened.droppedFields
        switch preview.outcome {
        case .leaves(let target, let host, let body, let values):
            var prompt: String?
            var shown: String?
            if wholeRequest {
                shown = (try? WireJSON.encodePretty(body.json)) ?? "?"
            } else if body.format == .openAIChat, case .string(let text)? = body.json["messages"]?.arrayValue?.last?["content"] {
                prompt = text
            } else if body.format == .anthropicMessages,
                case .string(let text)? = body.json["messages"]?.arrayValue?.last?["content"]?.arrayValue?.last?["text"]
            {
                prompt = text
            }
            outgoing = Outgoing(outcome: "leaves", target: target, host: host, redactedPrompt: prompt, body: shown, values: values)
        case .local(let target):
            outgoing = Outgoing(outcome: "local", target: target, values: 0, reason: "served by the local target '\(target)'")
        case .keptLocal(let target, let reason):
            outgoing = Outgoing(outcome: "kept_local", target: target, values: 0, reason: reason)
        case .blocked(let message):
            outgoing = Outgoing(outcome: "blocked", values: 0, reason: message)
        }
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
                let place = finding.location.map { " at \($0)\(finding.rewritable == false ? " (fixed)" : "")" } ?? ""
                add(
                    index == 0 ? "findings" : "",
                    "\(finding.type) \(finding.excerpt)\(place) (score \(f2(finding.score)), chars \(finding.start)–\(finding.end))")
            }
        }
        if topics.isEmpty {
            add("topics", "none")
        } else {
            add(
                "topics",
                topics.map { "\($0.topic.rawValue) \(f2($0.score))" + ($0.evidence.isEmpty ? "" : " (\($0.evidence.joined(separator: ", ")))") }
                    .joined(separator: ", "))
        }
        if let droppedFields { add("dropped", droppedFields.joined(separator: ", ") + " (not forwarded)") }
        if let model { add("model", model) }
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
            add(
                "cost",
                String(
                    format: "~$%.6f on %@ (%d input + %d assumed output tokens at $%@/$%@ per Mtok)", cost.usd, cost.target,
                    cost.inputTokens, cost.assumedOutputTokens, plain(cost.inputPerMTok), plain(cost.outputPerMTok)))
        }
        if let locations {
            lines.append("locations (every string that would be sent; fixed = sent verbatim, cannot be redacted):")
            for location in locations {
                let found = location.findings.isEmpty ? "" : "  ← " + location.findings.joined(separator: ", ")
                lines.append("  \(location.path.rightPadded(44)) \(location.area.rightPadded(15)) \(location.kind)\(found)")
            }
        }
        switch outgoing.outcome {
        case "leaves":
            let what =
                outgoing.values > 0
                ? "(\(outgoing.values) value\(outgoing.values == 1 ? "" : "s") pseudonymised, restored in the answer)"
                : "(as sent)"
            add("leaves as", "\(what) to \(outgoing.host ?? outgoing.target ?? "?")")
            for line in (outgoing.body ?? outgoing.redactedPrompt ?? "").split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append("  | " + line)
            }
        case "local":
            add("leaves as", "nothing: \(outgoing.reason ?? "")")
        case "kept_local":
            add("leaves as", "nothing: \(outgoing.reason ?? "") — the request is served locally")
        default:
            add("leaves as", "nothing: refused (\(outgoing.reason ?? ""))")
        }
        if let rules {
            lines.append("rules (first match wins):")
            for rule in rules {
                let mark = rule.matched ? (rule.note == nil ? "✓" : "~") : "✗"
                lines.append(
                    "  \(mark) \(rule.name): \(rule.matched ? "matched" : "no match") — \(rule.reason)" + (rule.note.map { " [\($0)]" } ?? ""))
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

/// A request body from a file, decoded by its client API's adapter as the server would.
enum RequestFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func api(_ name: String) throws -> InboundAPI {
        guard let api = InboundAPI(rawValue: name) else {
            throw ValidationError("--api is one of: \(InboundAPI.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return api
    }

    static func decode(_ data: Data, api: InboundAPI?) throws -> InboundRequest {
        let json: JSONValue
        do {
            json = try WireJSON.decode(JSONValue.self, from: data)
        } catch {
            throw Failure(description: "the request: \(WireJSON.describe(error))")
        }
        let api = api ?? guess(json)
        do {
            switch api {
            case .chatCompletions:
                do {
                    return .chat(try Router.decodeChat(data))
                } catch {
                    throw Failure(description: "not a chat completions request: \(error.message)")
                }
            case .anthropicMessages:
                return try AnthropicInbound.decode(json)
            case .responses:
                return try ResponsesInbound.decode(json)
            }
        } catch let error as InboundError {
            throw Failure(description: "not \(api == .responses ? "a Responses" : "an Anthropic Messages") request: \(error.message)")
        }
    }

    /// The API a body is written for: `input` and no `messages` is Responses; a top-level `system`,
    /// an `input_schema` tool or a content block of an Anthropic type is Anthropic Messages.
    static func guess(_ json: JSONValue) -> InboundAPI {
        guard let object = json.objectValue else { return .chatCompletions }
        if object["messages"] == nil, object["input"] != nil { return .responses }
        if object["system"] != nil { return .anthropicMessages }
        if let tools = object["tools"]?.arrayValue, tools.contains(where: { $0.objectValue?["input_schema"] != nil }) { return .anthropicMessages }
        let anthropicBlocks: Set<String> = ["tool_use", "tool_result", "thinking", "redacted_thinking", "document"]
        for message in object["messages"]?.arrayValue ?? [] {
            for block in message.objectValue?["content"]?.arrayValue ?? [] {
                if let type = block.objectValue?["type"]?.stringValue, anthropicBlocks.contains(type) { return .anthropicMessages }
                if block.objectValue?["type"]?.stringValue == "image", block.objectValue?["source"] != nil { return .anthropicMessages }
            }
        }
        return .chatCompletions
    }
}
