internal import Foundation
package import LumenClassifier
internal import Yams

extension Policy {
    /// Parses and validates a policy. Pure: `readFile` resolves `custom_terms_file` (a path as
    /// written in the policy; the loader resolves it relative to the policy file) and returns nil
    /// when the file cannot be read. Throws every problem found, each with file, line and column.
    package static func parse(
        yaml: String,
        file: String,
        environment: [String: String],
        readFile: (String) -> String? = { _ in nil }
    ) throws(PolicyError) -> Policy {
        var parser = PolicyParser(reader: YAMLReader(file: file, environment: environment))
        let policy = parser.parse(yaml, readFile: readFile)
        if !parser.reader.diagnostics.isEmpty || policy == nil {
            var diagnostics = parser.reader.diagnostics
            if diagnostics.isEmpty { diagnostics = [PolicyDiagnostic(file: file, line: 1, column: 1, message: "invalid policy")] }
            throw PolicyError(diagnostics: diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return policy!
    }
}

/// The finding types, topics and languages policy files may name.
package enum PolicyVocabulary {
    /// Every finding type the classifier reports.
    package static let findingTypes = FindingType.reported

    /// Group names usable in finding lists: `secrets` and `personal` (every non-secret type except custom terms).
    package static let findingGroups: [String: Set<FindingType>] = [
        "secrets": FindingType.secrets,
        "personal": findingTypes.subtracting(FindingType.secrets).subtracting([.customTerm]),
    ]

    package static let languages: Set<String> = ["en", "zh", "mixed", "other"]

    /// Rule names the engine uses for decisions not made by a rule.
    package static let reservedRuleNames: Set<String> = ["default", "budget", "requested-model"]
}

struct PolicyParser {
    var reader: YAMLReader
    /// Names of all targets written in the file, valid or not, so one bad target does not cascade into
    /// "unknown target" errors wherever it is used.
    var declaredTargetNames: Set<String> = []

    private static let topKeys = [
        "name", "description", "targets", "rules", "default", "budgets", "custom_terms", "custom_terms_file", "redaction",
        "egress", "models", "on_audit_failure",
    ]

    mutating func parse(_ yaml: String, readFile: (String) -> String?) -> Policy? {
        guard let root = reader.compose(yaml) else { return nil }
        guard let top = reader.fields(root, "the policy", allowed: Self.topKeys) else { return nil }

        var name = ""
        if let node = top["name"] {
            if let value = reader.nonEmptyString(node, "'name'") {
                if value.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]*$", options: .regularExpression) == nil {
                    reader.error(node, "policy name '\(value)' may only contain letters, digits, '.', '_' and '-'")
                }
                name = value
            }
        } else {
            reader.error(root, "missing 'name'")
        }
        let description = top["description"].flatMap { reader.string($0, "'description'") } ?? ""

        // Targets first: rules refer to them.
        var targets: [PolicyTarget] = []
        var targetNodes: [String: Node] = [:]
        if let node = top["targets"], let items = reader.sequence(node, "'targets'") {
            for item in items {
                if case .mapping(let mapping) = item, let name = mapping["name"]?.string { declaredTargetNames.insert(name) }
            }
            for item in items {
                guard let target = parseTarget(item) else { continue }
                if targetNodes[target.name] != nil {
                    reader.error(item, "duplicate target name '\(target.name)'")
                    continue
                }
                targetNodes[target.name] = item
                targets.append(target)
            }
            if items.isEmpty { reader.error(node, "'targets' must list at least one target") }
        } else if top["targets"] == nil {
            reader.error(root, "missing 'targets'")
        }
        let targetsByName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        var rules: [PolicyRule] = []
        if let node = top["rules"], let items = reader.sequence(node, "'rules'") {
            var seen: Set<String> = []
            for item in items {
                guard let rule = parseRule(item, targets: targetsByName) else { continue }
                if !seen.insert(rule.name).inserted {
                    reader.error(item, "duplicate rule name '\(rule.name)'")
                    continue
                }
                rules.append(rule)
            }
        }

        var defaultAction: PolicyAction = .block(message: "no default")
        var defaultFallback: [String] = []
        if let node = top["default"] {
            if let fields = reader.fields(node, "'default'", allowed: ["route", "redact", "block", "fallback"]) {
                if let action = parseAction(fields, context: "'default'", targets: targetsByName) {
                    defaultAction = action
                }
                defaultFallback = parseFallback(fields["fallback"], action: defaultAction, context: "'default'", targets: targetsByName)
            }
        } else {
            reader.error(root, "missing 'default' (the action when no rule matches)")
        }

        let budgets = top["budgets"].map { parseBudgets($0, targets: targetsByName) } ?? Budgets()
        var customTerms: [CustomTerm] = []
        if let node = top["custom_terms"] { customTerms += parseCustomTerms(node) }
        if let node = top["custom_terms_file"], let path = reader.nonEmptyString(node, "'custom_terms_file'") {
            if let contents = readFile(path) {
                customTerms += contents.split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
                    .map { CustomTerm(term: $0) }
            } else {
                reader.error(node, "custom terms file '\(path)' not found or unreadable")
            }
        }
        var uniqueTerms: [CustomTerm] = []
        var seenTerms: Set<String> = []
        for term in customTerms where seenTerms.insert(term.term.lowercased()).inserted { uniqueTerms.append(term) }

        let redaction = top["redaction"].map { parseRedaction($0) } ?? RedactionSettings()
        let egress = top["egress"].map { parseEgress($0) } ?? EgressSettings()
        var aliases: [ModelAlias] = []
        if let node = top["models"], let entries = reader.mapping(node, "'models'") {
            for entry in entries {
                guard let target = reader.nonEmptyString(entry.value, "what model '\(entry.key)' maps to") else { continue }
                if target != RequestedModel.autoName && targetsByName[target] == nil && !declaredTargetNames.contains(target) {
                    reader.error(
                        entry.value,
                        "model '\(entry.key)' maps to unknown target '\(target)' (use 'auto' or a target name)"
                            + YAMLReader.suggestion(target, among: Array(targetsByName.keys) + [RequestedModel.autoName]))
                    continue
                }
                if targetsByName[entry.key] != nil || entry.key == RequestedModel.autoName {
                    reader.error(entry.keyNode, "'\(entry.key)' is already a target name or 'auto'; 'models' maps other names")
                    continue
                }
                aliases.append(ModelAlias(pattern: entry.key, target: target))
            }
        }

        return Policy(
            name: name,
            description: description,
            targets: targets,
            rules: rules,
            defaultAction: defaultAction,
            defaultFallback: defaultFallback,
            budgets: budgets,
            customTerms: uniqueTerms,
            redaction: redaction,
            egress: egress,
            modelAliases: aliases,
            onAuditFailure: top["on_audit_failure"].flatMap { parseAuditFailure($0) }
        )
    }

    // MARK: Targets

    private static let targetKeys = [
        "name", "description", "kind", "local", "base_url", "model", "model_path", "api_key_env", "price", "region",
        "max_output_tokens",
    ]

    mutating func parseTarget(_ node: Node) -> PolicyTarget? {
        guard let fields = reader.fields(node, "a target", allowed: Self.targetKeys) else { return nil }
        guard let nameNode = fields["name"] else {
            reader.error(node, "target is missing 'name'")
            return nil
        }
        guard let name = reader.nonEmptyString(nameNode, "target 'name'") else { return nil }
        if name == RequestedModel.autoName {
            reader.error(nameNode, "'auto' is reserved (a request's model 'auto' lets the policy decide)")
        }
        let what = "target '\(name)'"
        guard let kindNode = fields["kind"] else {
            reader.error(node, "\(what) is missing 'kind' (one of embedded, openai, anthropic)")
            return nil
        }
        guard let kindText = reader.string(kindNode, "'kind' of \(what)") else { return nil }
        guard let kind = PolicyTarget.Kind(rawValue: kindText) else {
            let names = PolicyTarget.Kind.allCases.map(\.rawValue)
            reader.error(
                kindNode,
                "unknown kind '\(kindText)' for \(what): expected one of \(names.joined(separator: ", "))"
                    + YAMLReader.suggestion(kindText, among: names))
            return nil
        }
        var isLocal = kind == .embedded
        if let node = fields["local"], let value = reader.bool(node, "'local' of \(what)") {
            if kind == .embedded && !value { reader.error(node, "an embedded target is always local") }
            isLocal = value || kind == .embedded
        }
        let baseURL = fields["base_url"].flatMap { reader.nonEmptyString($0, "'base_url' of \(what)") }
        if let baseURL, let node = fields["base_url"],
            URL(string: baseURL).map({ ($0.scheme == "http" || $0.scheme == "https") && $0.host != nil }) != true
        {
            reader.error(node, "'base_url' of \(what) must be an http(s) URL, found '\(baseURL)'")
        }
        let model = fields["model"].flatMap { reader.nonEmptyString($0, "'model' of \(what)") }
        let modelPath = fields["model_path"].flatMap { reader.string($0, "'model_path' of \(what)") }.flatMap { $0.isEmpty ? nil : $0 }
        let apiKeyEnv = fields["api_key_env"].flatMap { reader.nonEmptyString($0, "'api_key_env' of \(what)") }
        if let apiKeyEnv, let node = fields["api_key_env"], !YAMLReader.isEnvironmentName(apiKeyEnv) {
            reader.error(node, "'api_key_env' of \(what) must name an environment variable (not hold the key), found '\(apiKeyEnv)'")
        }
        if kind == .embedded {
            for key in ["base_url", "model", "api_key_env"] where fields.keys[key] != nil {
                reader.error(fields.keys[key], "'\(key)' does not apply to embedded \(what) (use 'model_path')")
            }
        } else {
            if fields["base_url"] == nil { reader.error(node, "\(what) of kind \(kind.rawValue) is missing 'base_url'") }
            if fields["model"] == nil { reader.error(node, "\(what) of kind \(kind.rawValue) is missing 'model'") }
            if fields.keys["model_path"] != nil { reader.error(fields.keys["model_path"], "'model_path' only applies to embedded targets") }
        }
        var price = PolicyTarget.Price.free
        if let node = fields["price"],
            let priceFields = reader.fields(
                node, "'price' of \(what)",
                allowed: ["input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok", "web_search_per_1k"])
        {
            if let value = priceFields["input_per_mtok"].flatMap({ reader.nonNegative($0, "'input_per_mtok' of \(what)") }) {
                price.inputPerMTok = value
            }
            if let value = priceFields["output_per_mtok"].flatMap({ reader.nonNegative($0, "'output_per_mtok' of \(what)") }) {
                price.outputPerMTok = value
            }
            price.cacheReadPerMTok = priceFields["cache_read_per_mtok"].flatMap { reader.nonNegative($0, "'cache_read_per_mtok' of \(what)") }
            price.cacheWritePerMTok = priceFields["cache_write_per_mtok"].flatMap { reader.nonNegative($0, "'cache_write_per_mtok' of \(what)") }
            price.webSearchPerThousand = priceFields["web_search_per_1k"].flatMap { reader.nonNegative($0, "'web_search_per_1k' of \(what)") }
        }
        let region = fields["region"].flatMap { reader.nonEmptyString($0, "'region' of \(what)") }
        var maxOutputTokens: Int?
        if let node = fields["max_output_tokens"], let value = reader.int(node, "'max_output_tokens' of \(what)") {
            if value < 1 { reader.error(node, "'max_output_tokens' of \(what) must be at least 1, found \(value)") } else { maxOutputTokens = value }
        }
        _ = fields["description"].flatMap { reader.string($0, "'description' of \(what)") }
        return PolicyTarget(
            name: name, kind: kind, isLocal: isLocal, baseURL: baseURL, model: model, modelPath: modelPath,
            apiKeyEnv: apiKeyEnv, price: price, region: region, maxOutputTokens: maxOutputTokens
        )
    }

    // MARK: Rules and actions

    private static let ruleKeys = [
        "name", "description", "when", "route", "redact", "block", "flag", "spotlight", "fallback", "override_requested_model",
        "binary_content",
    ]

    mutating func parseRule(_ node: Node, targets: [String: PolicyTarget]) -> PolicyRule? {
        guard let fields = reader.fields(node, "a rule", allowed: Self.ruleKeys) else { return nil }
        guard let nameNode = fields["name"] else {
            reader.error(node, "rule is missing 'name'")
            return nil
        }
        guard let name = reader.nonEmptyString(nameNode, "rule 'name'") else { return nil }
        if PolicyVocabulary.reservedRuleNames.contains(name) {
            reader.error(nameNode, "rule name '\(name)' is reserved")
        }
        let context = "rule '\(name)'"
        let description = fields["description"].flatMap { reader.string($0, "'description' of \(context)") } ?? ""
        let condition = fields["when"].flatMap { parseCondition($0, context: context, targets: targets) } ?? .always
        let action = parseAction(fields, context: context, targets: targets, marks: true)
        let fallback = parseFallback(fields["fallback"], action: action, context: context, targets: targets)
        let override = fields["override_requested_model"].flatMap { reader.bool($0, "'override_requested_model' of \(context)") } ?? false
        let binary = fields["binary_content"].flatMap { binaryContentMode($0, "'binary_content' of \(context)") }
        guard let action else { return nil }
        return PolicyRule(
            name: name, description: description, condition: condition, action: action, fallback: fallback,
            overrideRequestedModel: override, binaryContent: binary
        )
    }

    /// Exactly one of `route`, `redact`, `block` in `fields`.
    /// Exactly one action in `fields`; `marks` allows `flag: true` and `spotlight: true` (rules only).
    mutating func parseAction(_ fields: YAMLReader.Fields, context: String, targets: [String: PolicyTarget], marks: Bool = false) -> PolicyAction? {
        let present = (marks ? ["route", "redact", "block", "flag", "spotlight"] : ["route", "redact", "block"]).filter { fields[$0] != nil }
        guard present.count == 1, let key = present.first, let node = fields[key] else {
            if present.isEmpty {
                let choices = "'route: TARGET', 'redact: TARGET', 'block: MESSAGE'" + (marks ? ", 'flag: true', 'spotlight: true'" : "")
                reader.error(fields.node, "\(context) needs an action: one of \(choices)")
            } else {
                reader.error(fields.keys[present[1]], "\(context) has more than one action (\(present.joined(separator: ", ")))")
            }
            return nil
        }
        switch key {
        case "block":
            guard let message = reader.nonEmptyString(node, "block message of \(context)") else { return nil }
            return .block(message: message)
        case "flag", "spotlight":
            guard let on = reader.bool(node, "'\(key)' of \(context)") else { return nil }
            guard on else {
                reader.error(node, "'\(key): false' does nothing; remove the rule or give it another action")
                return nil
            }
            if fields["fallback"] != nil {
                reader.error(fields.keys["fallback"] ?? node, "\(context) marks the request ('\(key)'); a fallback needs a target")
            }
            return key == "flag" ? .flag : .spotlight
        default:
            guard let name = reader.nonEmptyString(node, "target of \(context)") else { return nil }
            guard let target = targets[name] else {
                if declaredTargetNames.contains(name) { return key == "redact" ? .redact(target: name) : .route(target: name) }
                reader.error(node, "unknown target '\(name)' in \(context)\(YAMLReader.suggestion(name, among: targets.keys))")
                return nil
            }
            if key == "redact" {
                if target.isLocal {
                    reader.error(node, "\(context) redacts for local target '\(name)'; redaction is for remote targets (use 'route: \(name)')")
                }
                return .redact(target: name)
            }
            return .route(target: name)
        }
    }

    mutating func parseFallback(_ node: Node?, action: PolicyAction?, context: String, targets: [String: PolicyTarget]) -> [String] {
        guard let node else { return [] }
        if case .sequence(let sequence) = node, sequence.isEmpty { return [] }
        guard let names = reader.stringList(node, "'fallback' of \(context)") else { return [] }
        if case .block = action {
            reader.error(node, "\(context) blocks, so a 'fallback' makes no sense")
            return []
        }
        var result: [String] = []
        let items: [Node] = if case .sequence(let sequence) = node { Array(sequence) } else { [node] }
        for (index, name) in names.enumerated() {
            let itemNode = index < items.count ? items[index] : node
            if targets[name] == nil && !declaredTargetNames.contains(name) {
                reader.error(itemNode, "unknown target '\(name)' in fallback of \(context)\(YAMLReader.suggestion(name, among: targets.keys))")
            } else if name == action?.target || result.contains(name) {
                reader.error(itemNode, "fallback of \(context) lists '\(name)' twice (or repeats the rule's own target)")
            } else {
                result.append(name)
            }
        }
        return result
    }

    // MARK: Conditions

    private static let conditionKeys = [
        "always", "difficulty", "sensitivity", "findings", "topics", "language", "tokens", "tenant", "model",
        "metadata", "headers", "budget", "binary_content", "injection", "all", "any", "not",
    ]

    /// A mapping of conditions; several keys mean all of them.
    mutating func parseCondition(_ node: Node, context: String, targets: [String: PolicyTarget]) -> PolicyCondition? {
        guard let entries = reader.mapping(node, "'when' of \(context)") else { return nil }
        if entries.isEmpty {
            reader.error(node, "'when' of \(context) is empty (omit it to match every request, or write 'always: true')")
            return nil
        }
        var parts: [PolicyCondition] = []
        var failed = false
        for entry in entries {
            guard Self.conditionKeys.contains(entry.key) else {
                reader.error(
                    entry.keyNode,
                    "unknown condition '\(entry.key)' in \(context)"
                        + YAMLReader.suggestion(entry.key, among: Self.conditionKeys))
                failed = true
                continue
            }
            if let part = parseConditionEntry(entry.key, entry.value, context: context, targets: targets) {
                parts.append(part)
            } else {
                failed = true
            }
        }
        if failed { return nil }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private mutating func parseConditionEntry(_ key: String, _ node: Node, context: String, targets: [String: PolicyTarget]) -> PolicyCondition? {
        let what = "'\(key)' in \(context)"
        switch key {
        case "always":
            guard let value = reader.bool(node, what) else { return nil }
            return value ? .always : .not(.always)
        case "difficulty":
            return parseRange(node, what, unit: true).map(PolicyCondition.difficulty)
        case "sensitivity":
            return parseRange(node, what, unit: true).map(PolicyCondition.sensitivity)
        case "tokens":
            return parseRange(node, what, unit: false).map(PolicyCondition.tokens)
        case "findings":
            let errorsBefore = reader.diagnostics.count
            guard let fields = reader.fields(node, what, allowed: ["any_of", "all_of", "none_of", "min_score"]) else { return nil }
            var condition = FindingCondition()
            condition.anyOf = fields["any_of"].map { findingTypes($0, "'any_of' of \(what)") } ?? []
            condition.allOf = fields["all_of"].map { findingTypes($0, "'all_of' of \(what)") } ?? []
            condition.noneOf = fields["none_of"].map { findingTypes($0, "'none_of' of \(what)") } ?? []
            condition.minScore = fields["min_score"].flatMap { reader.unitScore($0, "'min_score' of \(what)") } ?? 0
            if reader.diagnostics.count > errorsBefore { return nil }
            if condition.anyOf.isEmpty && condition.allOf.isEmpty && condition.noneOf.isEmpty {
                reader.error(node, "\(what) needs at least one of any_of, all_of, none_of")
                return nil
            }
            return .findings(condition)
        case "topics":
            let errorsBefore = reader.diagnostics.count
            guard let fields = reader.fields(node, what, allowed: ["any_of", "all_of", "none_of", "min_score"]) else { return nil }
            var condition = TopicCondition()
            condition.anyOf = fields["any_of"].map { topics($0, "'any_of' of \(what)") } ?? []
            condition.allOf = fields["all_of"].map { topics($0, "'all_of' of \(what)") } ?? []
            condition.noneOf = fields["none_of"].map { topics($0, "'none_of' of \(what)") } ?? []
            condition.minScore = fields["min_score"].flatMap { reader.unitScore($0, "'min_score' of \(what)") } ?? 0.5
            if reader.diagnostics.count > errorsBefore { return nil }
            if condition.anyOf.isEmpty && condition.allOf.isEmpty && condition.noneOf.isEmpty {
                reader.error(node, "\(what) needs at least one of any_of, all_of, none_of")
                return nil
            }
            return .topics(condition)
        case "language":
            guard let values = reader.stringList(node, what) else { return nil }
            for value in values where !PolicyVocabulary.languages.contains(value) {
                reader.error(
                    node, "unknown language '\(value)' in \(context): expected one of \(PolicyVocabulary.languages.sorted().joined(separator: ", "))")
                return nil
            }
            return .language(Array(Set(values)).sorted())
        case "tenant":
            return reader.stringList(node, what).map { .tenant(Array(Set($0)).sorted()) }
        case "model":
            guard let values = reader.stringList(node, what) else { return nil }
            for value in values where value != RequestedModel.autoName && targets[value] == nil && !declaredTargetNames.contains(value) {
                reader.error(
                    node, "\(what) names '\(value)', which is neither 'auto' nor a target\(YAMLReader.suggestion(value, among: targets.keys))")
                return nil
            }
            return .requestedModel(Array(Set(values)).sorted())
        case "metadata", "headers":
            guard let entries = reader.mapping(node, what) else { return nil }
            var table: [String: [String]] = [:]
            for entry in entries {
                guard let values = reader.stringList(entry.value, "'\(entry.key)' of \(what)") else { return nil }
                table[key == "headers" ? entry.key.lowercased() : entry.key] = Array(Set(values)).sorted()
            }
            if table.isEmpty {
                reader.error(node, "\(what) is empty")
                return nil
            }
            return key == "headers" ? .headers(table) : .metadata(table)
        case "budget":
            if case .scalar = node {
                guard let text = reader.string(node, what) else { return nil }
                guard text == "exhausted" else {
                    reader.error(node, "\(what) must be 'exhausted' or a mapping with 'scope' and 'below_usd'")
                    return nil
                }
                return .budget(scope: .any, belowUSD: 0)
            }
            guard let fields = reader.fields(node, what, allowed: ["scope", "below_usd"]) else { return nil }
            var scope = BudgetScope.any
            if let scopeNode = fields["scope"], let text = reader.string(scopeNode, "'scope' of \(what)") {
                guard let value = BudgetScope(rawValue: text) else {
                    reader.error(scopeNode, "unknown budget scope '\(text)': expected global, tenant or any")
                    return nil
                }
                scope = value
            }
            guard let belowNode = fields["below_usd"] else {
                reader.error(node, "\(what) is missing 'below_usd'")
                return nil
            }
            guard let below = reader.nonNegative(belowNode, "'below_usd' of \(what)") else { return nil }
            return .budget(scope: scope, belowUSD: below)
        case "binary_content":
            return reader.bool(node, what).map(PolicyCondition.binaryContent)
        case "injection":
            guard let fields = reader.fields(node, what, allowed: ["min", "in", "kinds"]) else { return nil }
            var condition = InjectionCondition()
            if let minNode = fields["min"] {
                guard let value = reader.unitScore(minNode, "'min' of \(what)") else { return nil }
                condition.min = value
            }
            if let inNode = fields["in"] {
                guard let items = reader.sequence(inNode, "'in' of \(what)") else { return nil }
                var areas = Set<TextArea>()
                for item in items {
                    guard let name = reader.string(item, "an area in \(what)") else { return nil }
                    guard let area = TextArea(rawValue: name) else {
                        reader.error(
                            item, "unknown area '\(name)' in \(what)" + YAMLReader.suggestion(name, among: TextArea.allCases.map(\.rawValue)))
                        return nil
                    }
                    areas.insert(area)
                }
                condition.areas = areas
            }
            if let kindsNode = fields["kinds"] {
                guard let items = reader.sequence(kindsNode, "'kinds' of \(what)") else { return nil }
                for item in items {
                    guard let name = reader.string(item, "a kind in \(what)") else { return nil }
                    guard let kind = InjectionKind(rawValue: name) else {
                        reader.error(
                            item,
                            "unknown injection kind '\(name)' in \(what)" + YAMLReader.suggestion(name, among: InjectionKind.allCases.map(\.rawValue))
                        )
                        return nil
                    }
                    condition.kinds.append(kind)
                }
            }
            return .injection(condition)
        case "all", "any":
            guard let items = reader.sequence(node, what) else { return nil }
            if items.isEmpty {
                reader.error(node, "\(what) must list at least one condition")
                return nil
            }
            var parts: [PolicyCondition] = []
            var failed = false
            for item in items {
                if let part = parseCondition(item, context: context, targets: targets) { parts.append(part) } else { failed = true }
            }
            if failed { return nil }
            return key == "all" ? .all(parts) : .any(parts)
        case "not":
            return parseCondition(node, context: context, targets: targets).map(PolicyCondition.not)
        default:
            reader.error(node, "unknown condition '\(key)' in \(context)")
            return nil
        }
    }

    /// `{min, max}` or a bare number meaning `min`.
    private mutating func parseRange(_ node: Node, _ what: String, unit: Bool) -> ScoreRange? {
        func number(_ reader: inout YAMLReader, _ node: Node, _ what: String) -> Double? {
            if unit { return reader.unitScore(node, what) }
            guard let value = reader.int(node, what) else { return nil }
            guard value >= 0 else {
                reader.error(node, "\(what) must not be negative")
                return nil
            }
            return Double(value)
        }
        if case .scalar = node {
            return number(&reader, node, "\(what) (minimum)").map { ScoreRange(min: $0) }
        }
        guard let fields = reader.fields(node, what, allowed: ["min", "max"]) else { return nil }
        let minimum = fields["min"].flatMap { number(&reader, $0, "'min' of \(what)") }
        let maximum = fields["max"].flatMap { number(&reader, $0, "'max' of \(what)") }
        if (fields["min"] != nil && minimum == nil) || (fields["max"] != nil && maximum == nil) { return nil }
        if minimum == nil && maximum == nil {
            reader.error(node, "\(what) needs 'min' and/or 'max'")
            return nil
        }
        if let minimum, let maximum, minimum > maximum {
            reader.error(node, "\(what) has min \(YAMLReader.format(minimum)) above max \(YAMLReader.format(maximum))")
            return nil
        }
        return ScoreRange(min: minimum, max: maximum)
    }

    private mutating func findingTypes(_ node: Node, _ what: String) -> [FindingType] {
        guard let names = reader.stringList(node, what) else { return [] }
        var result: Set<FindingType> = []
        for name in names {
            if let group = PolicyVocabulary.findingGroups[name] {
                result.formUnion(group)
            } else if PolicyVocabulary.findingTypes.contains(FindingType(name)) {
                result.insert(FindingType(name))
            } else {
                let candidates = PolicyVocabulary.findingTypes.map(\.rawValue) + PolicyVocabulary.findingGroups.keys
                reader.error(node, "unknown finding type '\(name)' in \(what)\(YAMLReader.suggestion(name, among: candidates))")
            }
        }
        return result.sorted()
    }

    private mutating func topics(_ node: Node, _ what: String) -> [Topic] {
        guard let names = reader.stringList(node, what) else { return [] }
        var result: Set<Topic> = []
        for name in names {
            if let topic = Topic(rawValue: name) {
                result.insert(topic)
            } else {
                reader.error(node, "unknown topic '\(name)' in \(what): expected one of \(Topic.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        return result.sorted()
    }

    // MARK: Budgets, terms, redaction

    mutating func parseBudgets(_ node: Node, targets: [String: PolicyTarget]) -> Budgets {
        var budgets = Budgets()
        guard let fields = reader.fields(node, "'budgets'", allowed: ["global", "tenants", "on_exhausted"]) else { return budgets }
        if let node = fields["global"] { budgets.global = parseLimit(node, "'global' of 'budgets'") }
        if let node = fields["tenants"], let entries = reader.mapping(node, "'tenants' of 'budgets'") {
            for entry in entries { budgets.tenants[entry.key] = parseLimit(entry.value, "budget of tenant '\(entry.key)'") }
        }
        if let node = fields["on_exhausted"] {
            if let actionFields = reader.fields(node, "'on_exhausted' of 'budgets'", allowed: ["route", "block"]),
                let action = parseAction(actionFields, context: "'on_exhausted' of 'budgets'", targets: targets)
            {
                if let name = action.target, let target = targets[name], target.isPaid {
                    reader.error(actionFields["route"], "'on_exhausted' routes to '\(name)', which costs money; pick a free (local) target or block")
                }
                budgets.onExhausted = action
            }
        } else if budgets.global != Budgets.Limit() || !budgets.tenants.isEmpty {
            reader.error(node, "'budgets' sets limits but no 'on_exhausted' action (route: LOCAL_TARGET or block: MESSAGE)")
        }
        return budgets
    }

    private mutating func parseLimit(_ node: Node, _ what: String) -> Budgets.Limit {
        var limit = Budgets.Limit()
        guard let fields = reader.fields(node, what, allowed: ["daily_usd", "monthly_usd"]) else { return limit }
        limit.dailyUSD = fields["daily_usd"].flatMap { reader.nonNegative($0, "'daily_usd' of \(what)") }
        limit.monthlyUSD = fields["monthly_usd"].flatMap { reader.nonNegative($0, "'monthly_usd' of \(what)") }
        if fields["daily_usd"] == nil && fields["monthly_usd"] == nil {
            reader.error(node, "\(what) needs 'daily_usd' and/or 'monthly_usd'")
        }
        return limit
    }

    private mutating func parseCustomTerms(_ node: Node) -> [CustomTerm] {
        guard let items = reader.sequence(node, "'custom_terms'") else { return [] }
        var terms: [CustomTerm] = []
        for item in items {
            if case .mapping = item {
                guard let fields = reader.fields(item, "a custom term", allowed: ["term", "label"]) else { continue }
                guard let termNode = fields["term"] else {
                    reader.error(item, "custom term is missing 'term'")
                    continue
                }
                guard let term = reader.nonEmptyString(termNode, "custom 'term'") else { continue }
                let label = fields["label"].flatMap { reader.nonEmptyString($0, "custom term 'label'") }
                terms.append(CustomTerm(term: term.trimmingCharacters(in: .whitespaces), label: label))
            } else if let term = reader.nonEmptyString(item, "a custom term") {
                terms.append(CustomTerm(term: term.trimmingCharacters(in: .whitespaces)))
            }
        }
        return terms
    }

    mutating func parseRedaction(_ node: Node) -> RedactionSettings {
        var settings = RedactionSettings()
        guard let fields = reader.fields(node, "'redaction'", allowed: ["allow_secrets_remote", "default", "secrets", "types"]) else {
            return settings
        }
        if let node = fields["allow_secrets_remote"], let value = reader.bool(node, "'allow_secrets_remote'") {
            settings.allowSecretsRemote = value
        }
        if let node = fields["default"], let mode = redactionMode(node, "'default' of 'redaction'") { settings.defaultMode = mode }
        if let node = fields["secrets"], let mode = redactionMode(node, "'secrets' of 'redaction'") { settings.secretMode = mode }
        if let node = fields["types"], let entries = reader.mapping(node, "'types' of 'redaction'") {
            for entry in entries {
                guard PolicyVocabulary.findingTypes.contains(FindingType(entry.key)) else {
                    reader.error(
                        entry.keyNode,
                        "unknown finding type '\(entry.key)' in 'redaction'"
                            + YAMLReader.suggestion(entry.key, among: PolicyVocabulary.findingTypes.map(\.rawValue)))
                    continue
                }
                if let mode = redactionMode(entry.value, "redaction of \(entry.key)") { settings.modes[FindingType(entry.key)] = mode }
            }
        }
        return settings
    }

    mutating func parseEgress(_ node: Node) -> EgressSettings {
        var settings = EgressSettings()
        guard let fields = reader.fields(node, "'egress'", allowed: ["unknown_fields", "binary_content"]) else { return settings }
        if let node = fields["unknown_fields"], let text = reader.string(node, "'unknown_fields' of 'egress'") {
            if let mode = UnknownFieldsMode(rawValue: text) {
                settings.unknownFields = mode
            } else {
                reader.error(node, "'unknown_fields' of 'egress' must be one of drop, strict; found '\(text)'")
            }
        }
        if let node = fields["binary_content"], let mode = binaryContentMode(node, "'binary_content' of 'egress'") {
            settings.binaryContent = mode
        }
        return settings
    }

    private mutating func binaryContentMode(_ node: Node, _ what: String) -> BinaryContentMode? {
        guard let text = reader.string(node, what) else { return nil }
        guard let mode = BinaryContentMode(rawValue: text) else {
            reader.error(node, "\(what) must be one of local, block, allow; found '\(text)'")
            return nil
        }
        return mode
    }

    private mutating func redactionMode(_ node: Node, _ what: String) -> RedactionMode? {
        guard let text = reader.string(node, what) else { return nil }
        guard let mode = RedactionMode(rawValue: text) else {
            reader.error(node, "\(what) must be one of pseudonymise, local, block; found '\(text)'")
            return nil
        }
        return mode
    }
}
