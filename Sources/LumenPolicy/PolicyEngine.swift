internal import Foundation
package import LumenClassifier

/// Decides what happens to a request: first matching rule wins, then the safety nets
/// (redaction modes, secrets never leave, budgets) apply. Pure and allocation-light.
package enum PolicyEngine {
    /// Output length assumed for cost estimates before the answer exists.
    package static let assumedOutputTokens = 256

    /// The decision for one classified request.
    package static func evaluate(_ policy: Policy, _ classification: Classification, _ context: RequestContext) -> Decision {
        let input = Input(classification: classification, context: context)
        let requested = policy.resolveRequestedModel(context.requestedModel)
        var decision: Decision
        if case .target(let requestedTarget) = requested {
            if let rule = policy.rules.first(where: { !$0.action.isMark && $0.overrideRequestedModel && matches($0.condition, input) }) {
                decision = makeDecision(
                    policy, rule: rule.name, action: rule.action, fallback: rule.fallback, reason: explain(rule.condition, input).reason)
                if decision.target != requestedTarget.name {
                    decision.overrodeRequestedModel = true
                    decision.overrideReason = "rule '\(rule.name)' overrides requested model '\(requestedTarget.name)': \(decision.reason)"
                }
            } else {
                decision = makeDecision(
                    policy, rule: "requested-model", action: .route(target: requestedTarget.name), fallback: [],
                    reason: "request asked for target '\(requestedTarget.name)' and no overriding rule matched"
                )
            }
        } else if let rule = policy.rules.first(where: { !$0.action.isMark && matches($0.condition, input) }) {
            decision = makeDecision(
                policy, rule: rule.name, action: rule.action, fallback: rule.fallback, reason: explain(rule.condition, input).reason)
        } else {
            decision = makeDecision(
                policy, rule: "default", action: policy.defaultAction, fallback: policy.defaultFallback, reason: "no rule matched")
        }
        applySafetyNets(policy, input, &decision)
        if case .target(let requestedTarget) = requested, !decision.overrodeRequestedModel, decision.target != requestedTarget.name {
            decision.overrodeRequestedModel = true
            decision.overrideReason = "requested model '\(requestedTarget.name)' not used: \(decision.reason)"
        }
        applyMarks(policy, input, &decision)
        return decision
    }

    /// `flag` and `spotlight` rules: every one that matches marks the request, whatever decided
    /// where it goes (they apply to blocked requests too, for the record).
    private static func applyMarks(_ policy: Policy, _ input: Input, _ decision: inout Decision) {
        var spotlight = Set<TextArea>()
        for rule in policy.rules where rule.action.isMark && matches(rule.condition, input) {
            switch rule.action {
            case .flag:
                decision.flaggedBy.append(rule.name)
            case .spotlight:
                let areas = injectionAreas(rule.condition)
                spotlight.formUnion(areas.isEmpty ? [.toolResult] : areas)
            case .route, .redact, .block:
                break
            }
        }
        decision.spotlight = spotlight.sorted { $0.rawValue < $1.rawValue }
    }

    /// The areas the injection conditions of `condition` name (empty when none names any).
    static func injectionAreas(_ condition: PolicyCondition) -> Set<TextArea> {
        switch condition {
        case .injection(let c): return c.areas ?? Set(TextArea.allCases)
        case .all(let parts), .any(let parts): return parts.reduce(into: Set<TextArea>()) { $0.formUnion(injectionAreas($1)) }
        default: return []
        }
    }

    /// The decision plus, for every rule in order, whether it matched and why (or why not).
    package static func explain(_ policy: Policy, _ classification: Classification, _ context: RequestContext) -> PolicyExplanation {
        let input = Input(classification: classification, context: context)
        let decision = evaluate(policy, classification, context)
        let explicitTarget: Bool = if case .target = policy.resolveRequestedModel(context.requestedModel) { true } else { false }
        let traces = policy.rules.map { rule in
            let (matched, reason) = explain(rule.condition, input)
            let note: String? =
                if rule.action.isMark {
                    matched ? "marks the request (\(rule.action == .flag ? "flag" : "spotlight")); evaluation goes on" : nil
                } else if explicitTarget && !rule.overrideRequestedModel {
                    "skipped: the request names a target and this rule does not set override_requested_model"
                } else {
                    nil
                }
            return PolicyExplanation.RuleTrace(name: rule.name, matched: matched, reason: reason, note: note)
        }
        return PolicyExplanation(decision: decision, rules: traces)
    }

    // MARK: Decisions

    private static func makeDecision(_ policy: Policy, rule: String, action: PolicyAction, fallback: [String], reason: String) -> Decision {
        switch action {
        case .route(let target):
            Decision(
                action: .route, target: target, fallback: fallback, rule: rule, reason: reason, policyName: policy.name,
                policyHash: policy.contentHash)
        case .redact(let target):
            Decision(
                action: .redact, target: target, fallback: fallback, rule: rule, reason: reason, policyName: policy.name,
                policyHash: policy.contentHash)
        case .block(let message):
            Decision(
                action: .block, target: nil, fallback: [], rule: rule, reason: reason, blockMessage: message, policyName: policy.name,
                policyHash: policy.contentHash)
        case .flag, .spotlight:
            // Marks never decide (the parser keeps them out of `default` and `on_exhausted`).
            makeDecision(
                policy, rule: rule, action: policy.defaultAction.isMark ? .block(message: "no default") : policy.defaultAction, fallback: fallback,
                reason: reason)
        }
    }

    private static func applySafetyNets(_ policy: Policy, _ input: Input, _ decision: inout Decision) {
        // Content that cannot be screened (images, audio, files) leaves only where the policy allows it.
        if !input.context.binaryParts.isEmpty, decision.action != .block {
            let mode = policy.rules.first { $0.name == decision.rule }?.binaryContent ?? policy.egress.binaryContent
            let paths = input.context.binaryParts
            let where_ = paths.count == 1 ? paths[0] : "\(paths[0]) and \(paths.count - 1) more"
            switch mode {
            case .allow:
                break
            case .block:
                if decision.target.flatMap(policy.target(named:)).map({ !$0.isLocal }) ?? false {
                    block(
                        &decision, message: "The request carries binary content (\(where_)) that this policy does not let leave the machine.",
                        reason: "\(decision.reason); binary content at \(where_) is blocked (binary_content: block)")
                    return
                }
                decision.fallback.removeAll { policy.target(named: $0)?.isLocal != true }
            case .local:
                if decision.target.flatMap(policy.target(named:)).map({ !$0.isLocal }) ?? false {
                    keepLocal(policy, &decision, because: "binary content at \(where_) cannot be screened (binary_content: local)")
                }
                decision.fallback.removeAll { policy.target(named: $0)?.isLocal != true }
            }
        }
        // Redaction modes: a finding that must stay local or blocks overrides `redact`; so does a
        // finding that would be pseudonymised in a place that cannot be rewritten (a stop sequence,
        // a schema enum, a member name).
        if decision.action == .redact {
            var blocking: [FindingType] = []
            var local: [FindingType] = []
            for (type, _) in input.findingTypes {
                switch policy.redaction.mode(for: type) {
                case .block: blocking.append(type)
                case .local: local.append(type)
                case .pseudonymise: break
                }
            }
            if !blocking.isEmpty {
                let names = blocking.map(\.rawValue).joined(separator: ", ")
                block(
                    &decision, message: "The request contains \(names), which this policy does not let leave the machine.",
                    reason: "\(decision.reason); redaction blocks \(names)")
                return
            }
            if !local.isEmpty {
                let names = local.map(\.rawValue).joined(separator: ", ")
                keepLocal(policy, &decision, because: "redaction keeps \(names) local")
            } else if let fixed = input.classification.findings.first(where: { $0.location?.rewritable == false }) {
                keepLocal(policy, &decision, because: "\(fixed.type.rawValue) at \(fixed.location?.path ?? "?") cannot be rewritten")
            }
        }
        // Secrets never leave unless the policy allows it explicitly.
        if decision.action == .route, let target = decision.target.flatMap(policy.target(named:)), !target.isLocal,
            !policy.redaction.allowSecretsRemote
        {
            let secrets = input.findingTypes.map(\.type).filter(\.isSecret)
            if !secrets.isEmpty {
                keepLocal(
                    policy, &decision,
                    because: "secrets (\(secrets.map(\.rawValue).joined(separator: ", "))) never leave (allow_secrets_remote is false)")
            }
        }
        if decision.action != .block, input.findingTypes.contains(where: { $0.type.isSecret }), !policy.redaction.allowSecretsRemote {
            decision.fallback.removeAll { policy.target(named: $0)?.isLocal != true }
        }
        // Budgets: a paid target with too little left is replaced by `on_exhausted`.
        if let name = decision.target, let target = policy.target(named: name), target.isPaid {
            let output = target.worstCaseOutputTokens(
                requested: input.context.requestedOutputTokens, choices: input.context.choices, assumed: assumedOutputTokens
            )
            let cost = target.estimatedCost(inputTokens: input.classification.estimatedTokens, outputTokens: output)
            var spent: [String] = []
            if let remaining = input.context.remainingUSD, remaining < cost { spent.append("global budget \(money(remaining)) left") }
            if let remaining = input.context.tenantRemainingUSD, remaining < cost {
                spent.append("tenant '\(input.context.tenant ?? "-")' budget \(money(remaining)) left")
            }
            if !spent.isEmpty {
                let why = "\(spent.joined(separator: " and ")) < estimated cost \(money(cost)) on '\(name)'"
                let previous = decision
                switch policy.budgets.onExhausted {
                case .route(let local)?:
                    decision = makeDecision(policy, rule: "budget", action: .route(target: local), fallback: [], reason: why)
                case .block(let message)?:
                    decision = makeDecision(policy, rule: "budget", action: .block(message: message), fallback: [], reason: why)
                case .redact?, .flag?, .spotlight?, nil:
                    decision.rule = "budget"
                    decision.reason = why
                    keepLocal(policy, &decision, because: "no on_exhausted action, so a local target")
                }
                decision.overrodeRequestedModel = previous.overrodeRequestedModel
                decision.overrideReason = previous.overrideReason
            }
        }
        if decision.action != .block {
            decision.fallback.removeAll { name in
                name == decision.target || !affordable(policy, name, input)
            }
        }
    }

    private static func affordable(_ policy: Policy, _ name: String, _ input: Input) -> Bool {
        guard let target = policy.target(named: name), target.isPaid else { return true }
        let cost = target.estimatedCost(inputTokens: input.classification.estimatedTokens, outputTokens: assumedOutputTokens)
        if let remaining = input.context.remainingUSD, remaining < cost { return false }
        if let remaining = input.context.tenantRemainingUSD, remaining < cost { return false }
        return true
    }

    /// Re-routes to a local target: the first local one in the fallback list, else the policy's first.
    private static func keepLocal(_ policy: Policy, _ decision: inout Decision, because why: String) {
        let local = decision.fallback.first { policy.target(named: $0)?.isLocal == true } ?? policy.localTargets.first?.name
        guard let local else {
            block(
                &decision, message: "The request may not leave the machine and this policy has no local target.", reason: "\(decision.reason); \(why)"
            )
            return
        }
        decision.action = .route
        decision.target = local
        decision.fallback = policy.localTargets.map(\.name).filter { $0 != local }
        decision.reason = "\(decision.reason); \(why) → '\(local)'"
    }

    private static func block(_ decision: inout Decision, message: String, reason: String) {
        decision.action = .block
        decision.target = nil
        decision.fallback = []
        decision.blockMessage = message
        decision.reason = reason
    }

    // MARK: Conditions

    struct Input {
        let classification: Classification
        let context: RequestContext
        /// Each finding type once, in order of first appearance, with its highest score: conditions
        /// and safety nets ask per type, and a long prompt has hundreds of findings of a few types.
        let findingTypes: [(type: FindingType, maxScore: Double)]

        init(classification: Classification, context: RequestContext) {
            self.classification = classification
            self.context = context
            var types: [(type: FindingType, maxScore: Double)] = []
            var last = -1
            for finding in classification.findings {
                if last >= 0 && types[last].type == finding.type {
                    types[last].maxScore = max(types[last].maxScore, finding.score)
                } else if let index = types.firstIndex(where: { $0.type == finding.type }) {
                    types[index].maxScore = max(types[index].maxScore, finding.score)
                    last = index
                } else {
                    types.append((finding.type, finding.score))
                    last = types.count - 1
                }
            }
            findingTypes = types
        }

        /// The highest score among findings of `type`, or nil when there is none.
        func maxScore(_ type: FindingType) -> Double? {
            findingTypes.first { $0.type == type }?.maxScore
        }
    }

    static func matches(_ condition: PolicyCondition, _ input: Input) -> Bool {
        let c = input.classification
        switch condition {
        case .always: return true
        case .difficulty(let range): return range.contains(c.difficulty)
        case .sensitivity(let range): return range.contains(c.sensitivity)
        case .tokens(let range): return range.contains(Double(c.estimatedTokens))
        case .findings(let f):
            // Some finding of the type scores at least min_score exactly when the best one does.
            func has(_ type: FindingType) -> Bool { (input.maxScore(type) ?? -.infinity) >= f.minScore }
            if !f.anyOf.isEmpty && !f.anyOf.contains(where: has) { return false }
            if !f.allOf.allSatisfy(has) { return false }
            return !f.noneOf.contains(where: has)
        case .topics(let t):
            func has(_ topic: Topic) -> Bool { c.topics.contains { $0.topic == topic && $0.score >= t.minScore } }
            if !t.anyOf.isEmpty && !t.anyOf.contains(where: has) { return false }
            if !t.allOf.allSatisfy(has) { return false }
            return !t.noneOf.contains(where: has)
        case .language(let languages): return languages.contains(c.language)
        case .tenant(let tenants): return input.context.tenant.map(tenants.contains) ?? false
        case .requestedModel(let models): return models.contains(requestedName(input.context))
        case .metadata(let table): return tableMatches(table, input.context.metadata)
        case .headers(let table): return tableMatches(table, input.context.headers)
        case .budget(let scope, let below): return budgetMatches(scope, below, input.context)
        case .binaryContent(let present): return input.context.binaryParts.isEmpty != present
        case .injection(let condition): return condition.match(c) != nil
        case .all(let parts): return parts.allSatisfy { matches($0, input) }
        case .any(let parts): return parts.contains { matches($0, input) }
        case .not(let part): return !matches(part, input)
        }
    }

    private static func requestedName(_ context: RequestContext) -> String {
        guard let model = context.requestedModel, !model.isEmpty else { return RequestedModel.autoName }
        return model
    }

    private static func tableMatches(_ table: [String: [String]], _ values: [String: String]) -> Bool {
        table.allSatisfy { key, accepted in
            guard let value = values[key] else { return false }
            return accepted.contains("*") || accepted.contains(value)
        }
    }

    private static func budgetMatches(_ scope: BudgetScope, _ below: Double, _ context: RequestContext) -> Bool {
        func low(_ remaining: Double?) -> Bool { remaining.map { below == 0 ? $0 <= 0 : $0 < below } ?? false }
        switch scope {
        case .global: return low(context.remainingUSD)
        case .tenant: return low(context.tenantRemainingUSD)
        case .any: return low(context.remainingUSD) || low(context.tenantRemainingUSD)
        }
    }

    /// Whether a condition matches, and a sentence with the actual values saying why (or why not).
    static func explain(_ condition: PolicyCondition, _ input: Input) -> (matched: Bool, reason: String) {
        let c = input.classification
        let matched = matches(condition, input)
        switch condition {
        case .always:
            return (matched, matched ? "always" : "never")
        case .difficulty(let range):
            return (matched, describe("difficulty", score(c.difficulty), c.difficulty, range, matched))
        case .sensitivity(let range):
            return (matched, describe("sensitivity", score(c.sensitivity), c.sensitivity, range, matched))
        case .tokens(let range):
            return (matched, describe("estimated tokens", String(c.estimatedTokens), Double(c.estimatedTokens), range, matched))
        case .findings(let f):
            // A few types at most: a linear search, no hashing of their names.
            let present = input.findingTypes.filter { $0.maxScore >= f.minScore }
            func best(_ type: FindingType) -> Double? { present.first { $0.type == type }.map { max(0, $0.maxScore) } }
            func found(_ types: [FindingType]) -> [String] {
                types.compactMap { type in best(type).map { "\(type.rawValue) (\(score($0)))" } }
            }
            let threshold = f.minScore > 0 ? " with score ≥ \(plain(f.minScore))" : ""
            var parts: [String] = []
            if !f.anyOf.isEmpty {
                let hits = found(f.anyOf)
                parts.append(hits.isEmpty ? "no finding of \(list(f.anyOf.map(\.rawValue)))\(threshold)" : "finding \(hits.joined(separator: ", "))")
            }
            if !f.allOf.isEmpty {
                let missing = f.allOf.filter { best($0) == nil }
                parts.append(
                    missing.isEmpty
                        ? "findings \(found(f.allOf).joined(separator: ", "))"
                        : "missing finding \(list(missing.map(\.rawValue)))\(threshold)")
            }
            if !f.noneOf.isEmpty {
                let hits = found(f.noneOf)
                parts.append(
                    hits.isEmpty ? "no finding of \(list(f.noneOf.map(\.rawValue)))" : "has excluded finding \(hits.joined(separator: ", "))")
            }
            return (matched, parts.joined(separator: " and "))
        case .topics(let t):
            var best: [Topic: Double] = [:]
            for topic in c.topics { best[topic.topic] = max(best[topic.topic] ?? 0, topic.score) }
            func described(_ topic: Topic) -> String { "\(topic.rawValue) \(score(best[topic] ?? 0))" }
            let threshold = plain(t.minScore)
            var parts: [String] = []
            if !t.anyOf.isEmpty {
                let hits = t.anyOf.filter { (best[$0] ?? 0) >= t.minScore }
                parts.append(
                    hits.isEmpty
                        ? "no topic of \(list(t.anyOf.map(\.rawValue))) ≥ \(threshold) (\(t.anyOf.map(described).joined(separator: ", ")))"
                        : "topic \(hits.map(described).joined(separator: ", ")) ≥ \(threshold)")
            }
            if !t.allOf.isEmpty {
                let missing = t.allOf.filter { (best[$0] ?? 0) < t.minScore }
                parts.append(
                    missing.isEmpty
                        ? "topics \(t.allOf.map(described).joined(separator: ", ")) ≥ \(threshold)"
                        : "topic \(missing.map(described).joined(separator: ", ")) < \(threshold)")
            }
            if !t.noneOf.isEmpty {
                let hits = t.noneOf.filter { (best[$0] ?? 0) >= t.minScore }
                parts.append(
                    hits.isEmpty
                        ? "no topic of \(list(t.noneOf.map(\.rawValue))) ≥ \(threshold)"
                        : "excluded topic \(hits.map(described).joined(separator: ", ")) ≥ \(threshold)")
            }
            return (matched, parts.joined(separator: " and "))
        case .language(let languages):
            return (matched, "language \(c.language) \(matched ? "in" : "not in") \(list(languages))")
        case .tenant(let tenants):
            let tenant = input.context.tenant.map { "'\($0)'" } ?? "(none)"
            return (matched, "tenant \(tenant) \(matched ? "in" : "not in") \(list(tenants))")
        case .requestedModel(let models):
            return (matched, "requested model '\(requestedName(input.context))' \(matched ? "in" : "not in") \(list(models))")
        case .metadata(let table):
            return (matched, describeTable("metadata", table, input.context.metadata, matched))
        case .headers(let table):
            return (matched, describeTable("header", table, input.context.headers, matched))
        case .budget(let scope, let below):
            let global = input.context.remainingUSD.map(money) ?? "unlimited"
            let tenant = input.context.tenantRemainingUSD.map(money) ?? "unlimited"
            let state: String =
                switch scope {
                case .global: "global budget left \(global)"
                case .tenant: "tenant budget left \(tenant)"
                case .any: "budget left: global \(global), tenant \(tenant)"
                }
            let test = below == 0 ? (matched ? "exhausted" : "not exhausted") : "\(matched ? "<" : "not <") \(money(below))"
            return (matched, "\(state) \(test)")
        case .injection(let condition):
            let scope = condition.areas.map { "in \(list($0.map(\.rawValue).sorted()))" } ?? "anywhere"
            let kinds = condition.kinds.isEmpty ? "" : " of kind \(list(condition.kinds.map(\.rawValue)))"
            if let hit = condition.match(c) {
                return (
                    true,
                    "injection \(score(hit.assessment.score)) at \(hit.location.path) (\(hit.assessment.kinds.map(\.rawValue).joined(separator: ", "))) ≥ \(plain(condition.min))"
                )
            }
            let best = c.injection(in: condition.areas)
            let found = best.map { "best \(score($0.assessment.score)) at \($0.location.path)" } ?? "nothing screened found"
            return (false, "no injection\(kinds) ≥ \(plain(condition.min)) \(scope) (\(found))")
        case .binaryContent(let present):
            let parts = input.context.binaryParts
            let state = parts.isEmpty ? "no binary content" : "binary content at \(list(parts))"
            return (matched, "\(state) (condition: \(present ? "present" : "absent"))")
        case .all(let parts):
            let results = parts.map { explain($0, input) }
            if matched { return (true, results.map(\.reason).joined(separator: " and ")) }
            return (false, results.first { !$0.matched }?.reason ?? "")
        case .any(let parts):
            let results = parts.map { explain($0, input) }
            if matched { return (true, results.first { $0.matched }?.reason ?? "") }
            return (false, results.map(\.reason).joined(separator: "; "))
        case .not(let part):
            let inner = explain(part, input)
            return (matched, "not (\(inner.reason))")
        }
    }

    private static func describe(_ label: String, _ shown: String, _ value: Double, _ range: ScoreRange, _ matched: Bool) -> String {
        switch (range.min, range.max) {
        case (let lo?, let hi?):
            return "\(label) \(shown) \(matched ? "in" : "outside") [\(plain(lo)), \(plain(hi))]"
        case (let lo?, nil):
            return "\(label) \(shown) \(value >= lo ? "≥" : "<") \(plain(lo))"
        case (nil, let hi?):
            return "\(label) \(shown) \(value <= hi ? "≤" : ">") \(plain(hi))"
        case (nil, nil):
            return "\(label) \(shown)"
        }
    }

    private static func describeTable(_ label: String, _ table: [String: [String]], _ values: [String: String], _ matched: Bool) -> String {
        table.keys.sorted().map { key in
            let accepted = table[key] ?? []
            guard let value = values[key] else { return "\(label) '\(key)' absent" }
            let ok = accepted.contains("*") || accepted.contains(value)
            return "\(label) \(key)=\(value) \(ok ? "in" : "not in") \(list(accepted))"
        }.joined(separator: " and ")
    }

    /// Two decimals, as in "sensitivity 0.91".
    static func score(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e9 else { return String(format: "%.2f", value) }
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func money(_ value: Double) -> String {
        value.magnitude >= 0.01 || value == 0 ? String(format: "$%.2f", value) : String(format: "$%.6f", value)
    }

    static func plain(_ value: Double) -> String { YAMLReader.format(value) }

    private static func list(_ items: [String]) -> String { "[\(items.joined(separator: ", "))]" }
}

/// A decision with a per-rule trace, for `lumen route --explain`.
package struct PolicyExplanation: Sendable, Hashable, Codable {
    /// One rule's outcome.
    package struct RuleTrace: Sendable, Hashable, Codable {
        package var name: String
        package var matched: Bool
        /// Which conditions held or failed, with actual values.
        package var reason: String
        /// Why a matching rule was not used (e.g. the request named a target).
        package var note: String?
    }

    package var decision: Decision
    package var rules: [RuleTrace]
}
