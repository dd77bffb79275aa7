package import LumenClassifier

/// A parsed, validated routing policy: targets, ordered rules, a default, budgets, custom terms
/// and redaction settings. Built by `Policy.parse(yaml:file:environment:readFile:)` or `PolicyLoader`.
package struct Policy: Sendable, Hashable, Codable {
    package var name: String
    package var description: String
    package var targets: [PolicyTarget]
    /// Evaluated in order; the first rule whose condition matches decides.
    package var rules: [PolicyRule]
    /// What applies when no rule matches.
    package var defaultAction: PolicyAction
    /// Fallback order (target names) for the default action.
    package var defaultFallback: [String]
    package var budgets: Budgets
    /// Inline terms plus those from `custom_terms_file`, for `ClassifierConfiguration.customTerms`.
    package var customTerms: [CustomTerm]
    package var redaction: RedactionSettings
    /// What may leave besides text: unknown request members and binary content.
    package var egress: EgressSettings
    /// Model names clients send (globs such as `claude-*`, `gpt-*`) and what they mean: `auto` or a
    /// target name. Tried in order after the target names themselves.
    package var modelAliases: [ModelAlias]
    /// What local answers do while the audit log cannot be written (#18); nil = `refuse`. Optional so
    /// that policies without the key keep their content hash.
    package var onAuditFailure: AuditFailureMode?
    /// SHA-256 (hex) over the canonical form of everything above; stable across formatting,
    /// comments and key order, changed by any semantic change.
    package var contentHash: String

    package init(
        name: String,
        description: String = "",
        targets: [PolicyTarget],
        rules: [PolicyRule],
        defaultAction: PolicyAction,
        defaultFallback: [String] = [],
        budgets: Budgets = Budgets(),
        customTerms: [CustomTerm] = [],
        redaction: RedactionSettings = RedactionSettings(),
        egress: EgressSettings = EgressSettings(),
        modelAliases: [ModelAlias] = [],
        onAuditFailure: AuditFailureMode? = nil
    ) {
        self.name = name
        self.description = description
        self.targets = targets
        self.rules = rules
        self.defaultAction = defaultAction
        self.defaultFallback = defaultFallback
        self.budgets = budgets
        self.customTerms = customTerms
        self.redaction = redaction
        self.egress = egress
        self.modelAliases = modelAliases
        self.onAuditFailure = onAuditFailure
        self.contentHash = ""
        self.contentHash = PolicyHasher.hash(self)
    }

    /// The target with this name, if the policy declares one.
    package func target(named name: String) -> PolicyTarget? {
        targets.first { $0.name == name }
    }

    /// Targets that run on this machine or the local network (embedded or `local: true`).
    package var localTargets: [PolicyTarget] { targets.filter(\.isLocal) }

    /// Targets whose requests leave the machine.
    package var remoteTargets: [PolicyTarget] { targets.filter { !$0.isLocal } }

    /// The classifier configuration this policy asks for (its custom terms).
    package var classifierConfiguration: ClassifierConfiguration {
        ClassifierConfiguration(customTerms: customTerms)
    }

    /// What a request's `model` field asks for: `nil` when it names neither `auto` nor a target
    /// (the caller answers 404). An absent or empty model counts as `auto`.
    package func resolveRequestedModel(_ model: String?) -> RequestedModel? {
        guard let model, !model.isEmpty, model != RequestedModel.autoName else { return .auto }
        if let target = target(named: model) { return .target(target) }
        if let alias = modelAliases.first(where: { $0.matches(model) }) {
            if alias.target == RequestedModel.autoName { return .auto }
            return target(named: alias.target).map(RequestedModel.target)
        }
        return nil
    }
}

/// The meaning of a request's `model` field under a policy.
package enum RequestedModel: Sendable, Hashable {
    /// The policy decides (`model: auto`, or no model given).
    case auto
    /// The request names this target.
    case target(PolicyTarget)

    /// The model name that lets the policy decide.
    package static let autoName = "auto"
}

/// Where a request can be served.
package struct PolicyTarget: Sendable, Hashable, Codable {
    /// How Lumen talks to a target.
    package enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The llama.cpp runtime inside Lumen.
        case embedded
        /// An OpenAI-compatible chat completions endpoint (remote, or local with `local: true`).
        case openai
        /// Anthropic's messages API.
        case anthropic
    }

    /// USD per million tokens.
    package struct Price: Sendable, Hashable, Codable {
        package var inputPerMTok: Double
        package var outputPerMTok: Double
        /// Input tokens read from the provider's prompt cache, and written to it (nil: the provider's
        /// usual rate, see `PolicyTarget.cachePrices`).
        package var cacheReadPerMTok: Double?
        package var cacheWritePerMTok: Double?
        /// USD per thousand calls of the provider's web search server tool (nil: the provider's usual
        /// rate, see `PolicyTarget.webSearchPrice`).
        package var webSearchPerThousand: Double?

        package init(
            inputPerMTok: Double = 0, outputPerMTok: Double = 0, cacheReadPerMTok: Double? = nil, cacheWritePerMTok: Double? = nil,
            webSearchPerThousand: Double? = nil
        ) {
            self.inputPerMTok = inputPerMTok
            self.outputPerMTok = outputPerMTok
            self.cacheReadPerMTok = cacheReadPerMTok
            self.cacheWritePerMTok = cacheWritePerMTok
            self.webSearchPerThousand = webSearchPerThousand
        }

        /// USD for `searches` web searches at `perThousand`: a count below zero costs nothing, one
        /// beyond `plausibleSearches` (a broken or hostile count) that many.
        package static func searchCost(_ searches: Int, perThousand: Double) -> Double {
            Double(min(max(searches, 0), plausibleSearches)) * perThousand / 1_000
        }

        /// More web searches than one answer runs (a request's `max_uses` is rarely above 20).
        package static let plausibleSearches = 10_000

        package static let free = Price()

        /// USD for `inputTokens` of which `cacheReadTokens` were read from the provider's prompt cache
        /// at `readPrice` and `cacheWriteTokens` written to it at `writePrice` (per million; counts out
        /// of range are held to what the input can hold).
        package func cost(
            inputTokens: Int, outputTokens: Int, cacheReadTokens: Int, cacheWriteTokens: Int, readPrice: Double, writePrice: Double
        ) -> Double {
            // Each count held to what is left of the input (a log is input: no count may trap or go negative).
            let input = max(inputTokens, 0)
            let read = min(max(cacheReadTokens, 0), input)
            let write = min(max(cacheWriteTokens, 0), input - read)
            let plain = Double(input - read - write)
            return (plain * inputPerMTok + Double(read) * readPrice + Double(write) * writePrice + Double(outputTokens) * outputPerMTok) / 1_000_000
        }
    }

    package var name: String
    package var kind: Kind
    /// True for the embedded model and for endpoints on this machine or network.
    package var isLocal: Bool
    package var baseURL: String?
    package var model: String?
    /// Path of the GGUF file for an embedded target (nil = the runtime's default model).
    package var modelPath: String?
    /// Name of the environment variable holding the API key (never the key itself).
    package var apiKeyEnv: String?
    package var price: Price
    package var region: String?
    /// The most output tokens one answer of this target may take (`max_output_tokens`); a request
    /// asking for more is held to it. Nil: `defaultMaxOutputTokens` for the embedded model, none
    /// for the others (their provider enforces its own).
    package var maxOutputTokens: Int?

    /// The cap of an embedded target without `max_output_tokens`: a request cannot hold a local
    /// slot until the context ends.
    package static let defaultEmbeddedMaxOutputTokens = 4096

    /// The cap that applies to this target, if any.
    package var outputCap: Int? { maxOutputTokens ?? (kind == .embedded ? Self.defaultEmbeddedMaxOutputTokens : nil) }

    package init(
        name: String,
        kind: Kind,
        isLocal: Bool? = nil,
        baseURL: String? = nil,
        model: String? = nil,
        modelPath: String? = nil,
        apiKeyEnv: String? = nil,
        price: Price = .free,
        region: String? = nil,
        maxOutputTokens: Int? = nil
    ) {
        self.maxOutputTokens = maxOutputTokens
        self.name = name
        self.kind = kind
        self.isLocal = isLocal ?? (kind == .embedded)
        self.baseURL = baseURL
        self.model = model
        self.modelPath = modelPath
        self.apiKeyEnv = apiKeyEnv
        self.price = price
        self.region = region
    }

    /// The worst case of a request's output on this target: `choices` answers of the tokens it
    /// asks for (or `assumed` when it names no limit), each held to the target's cap.
    package func worstCaseOutputTokens(requested: Int?, choices: Int, assumed: Int) -> Int {
        var each = requested ?? assumed
        if let cap = outputCap { each = min(each, cap) }
        let (total, overflow) = max(1, each).multipliedReportingOverflow(by: max(1, choices))
        return overflow ? Int.max : total
    }

    /// USD for a request of this size on this target.
    package func estimatedCost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * price.inputPerMTok + Double(outputTokens) * price.outputPerMTok) / 1_000_000
    }

    /// USD for an answer whose `inputTokens` include some read from the provider's prompt cache and
    /// some written to it, each at its own rate (`cachePrices`).
    package func cost(inputTokens: Int, outputTokens: Int, cacheReadTokens: Int, cacheWriteTokens: Int) -> Double {
        let (readPrice, writePrice) = cachePrices
        return price.cost(
            inputTokens: inputTokens, outputTokens: outputTokens, cacheReadTokens: cacheReadTokens, cacheWriteTokens: cacheWriteTokens,
            readPrice: readPrice, writePrice: writePrice)
    }

    /// USD per million cache-read and cache-write tokens: the policy's, else Anthropic's published
    /// rates for an Anthropic target (a read 0.1x the input price, a five-minute write 1.25x), else the
    /// input price (other providers' cache discounts vary by model: set them in the policy).
    package var cachePrices: (read: Double, write: Double) {
        let anthropic = kind == .anthropic
        return (
            price.cacheReadPerMTok ?? (anthropic ? price.inputPerMTok * 0.1 : price.inputPerMTok),
            price.cacheWritePerMTok ?? (anthropic ? price.inputPerMTok * 1.25 : price.inputPerMTok)
        )
    }

    /// USD per thousand web searches (Anthropic's server tool): the policy's, else Anthropic's published
    /// $10 for a priced Anthropic target, else nothing.
    package var webSearchPrice: Double {
        price.webSearchPerThousand ?? (kind == .anthropic && isPaid ? 10 : 0)
    }

    /// Whether requests to this target cost money.
    package var isPaid: Bool { price.inputPerMTok > 0 || price.outputPerMTok > 0 }
}

/// One rule: a condition and what to do when it matches.
package struct PolicyRule: Sendable, Hashable, Codable {
    package var name: String
    package var description: String
    package var condition: PolicyCondition
    package var action: PolicyAction
    /// Target names to try, in order, when the action's target fails.
    package var fallback: [String]
    /// When true this rule wins even over a request that names a target explicitly (privacy rules).
    package var overrideRequestedModel: Bool
    /// What this rule lets happen to binary content (images, audio, files); nil = the policy's
    /// `egress.binary_content`.
    package var binaryContent: BinaryContentMode?

    package init(
        name: String,
        description: String = "",
        condition: PolicyCondition = .always,
        action: PolicyAction,
        fallback: [String] = [],
        overrideRequestedModel: Bool = false,
        binaryContent: BinaryContentMode? = nil
    ) {
        self.name = name
        self.description = description
        self.condition = condition
        self.action = action
        self.fallback = fallback
        self.overrideRequestedModel = overrideRequestedModel
        self.binaryContent = binaryContent
    }
}

/// What happens to a request carrying content Lumen cannot read (base64 images, audio, files).
package enum BinaryContentMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// It may not leave: a local target serves the request.
    case local
    /// The request is refused.
    case block
    /// It may go to a remote target unscreened.
    case allow
}

/// What happens to request members that the target's API does not document.
package enum UnknownFieldsMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Left out of the upstream request; the answer names them in `x-lumen-dropped-fields`.
    case drop
    /// The request is refused with 400.
    case strict
}

/// What may leave besides screened text.
package struct EgressSettings: Sendable, Hashable, Codable {
    package var unknownFields: UnknownFieldsMode
    /// Default for binary content; a rule may set its own.
    package var binaryContent: BinaryContentMode

    package init(unknownFields: UnknownFieldsMode = .drop, binaryContent: BinaryContentMode = .local) {
        self.unknownFields = unknownFields
        self.binaryContent = binaryContent
    }
}

/// What a rule (or the default, or an exhausted budget) does with a request.
package enum PolicyAction: Sendable, Hashable, Codable {
    /// Send the request as is to the named target.
    case route(target: String)
    /// Redact findings (per `RedactionSettings`), then send to the named target.
    case redact(target: String)
    /// Refuse the request with this message.
    case block(message: String)
    /// Answer as usual, but mark the request (`x-lumen-injection` header, audit finding);
    /// evaluation goes on with the next rule.
    case flag
    /// Before any model sees the request, rewrite its flagged untrusted locations as clearly
    /// delimited data; evaluation goes on with the next rule.
    case spotlight

    /// The target this action sends to, if any.
    package var target: String? {
        switch self {
        case .route(let target), .redact(let target): target
        case .block, .flag, .spotlight: nil
        }
    }

    /// Whether the action marks the request and lets evaluation go on (`flag`, `spotlight`)
    /// rather than deciding where it goes.
    package var isMark: Bool {
        switch self {
        case .flag, .spotlight: true
        case .route, .redact, .block: false
        }
    }
}

/// A prompt-injection condition: some screened location in `areas` (any area when nil) scores at
/// least `min`, with one of `kinds` among its findings when `kinds` is not empty.
package struct InjectionCondition: Sendable, Hashable, Codable {
    package var min: Double
    package var areas: Set<TextArea>?
    package var kinds: [InjectionKind]

    package init(min: Double = 0.5, areas: Set<TextArea>? = nil, kinds: [InjectionKind] = []) {
        self.min = min
        self.areas = areas
        self.kinds = kinds
    }

    /// The location that satisfies the condition best, if any does.
    package func match(_ classification: Classification) -> LocatedInjection? {
        classification.injections
            .filter { injection in
                (areas?.contains(injection.location.area) ?? true) && injection.assessment.score >= min
                    && (kinds.isEmpty || !Set(kinds).isDisjoint(with: injection.assessment.kinds))
            }
            .max { $0.assessment.score < $1.assessment.score }
    }

    private enum CodingKeys: String, CodingKey { case min, areas, kinds }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        min = try c.decode(Double.self, forKey: .min)
        areas = try c.decodeIfPresent([TextArea].self, forKey: .areas).map(Set.init)
        kinds = try c.decode([InjectionKind].self, forKey: .kinds)
    }

    /// Areas sorted, so the encoding (and the policy hash) is deterministic.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(min, forKey: .min)
        try c.encodeIfPresent(areas.map { $0.sorted { $0.rawValue < $1.rawValue } }, forKey: .areas)
        try c.encode(kinds, forKey: .kinds)
    }
}

/// An inclusive numeric range; `nil` ends are open.
package struct ScoreRange: Sendable, Hashable, Codable {
    package var min: Double?
    package var max: Double?

    package init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }

    package func contains(_ value: Double) -> Bool {
        if let min, value < min { return false }
        if let max, value > max { return false }
        return true
    }
}

/// Which finding types must (any/all) or must not (none) appear with at least `minScore`.
package struct FindingCondition: Sendable, Hashable, Codable {
    package var anyOf: [FindingType]
    package var allOf: [FindingType]
    package var noneOf: [FindingType]
    package var minScore: Double

    package init(anyOf: [FindingType] = [], allOf: [FindingType] = [], noneOf: [FindingType] = [], minScore: Double = 0) {
        self.anyOf = anyOf
        self.allOf = allOf
        self.noneOf = noneOf
        self.minScore = minScore
    }
}

/// Which regulated topics must (any/all) or must not (none) score at least `minScore`.
package struct TopicCondition: Sendable, Hashable, Codable {
    package var anyOf: [Topic]
    package var allOf: [Topic]
    package var noneOf: [Topic]
    package var minScore: Double

    package init(anyOf: [Topic] = [], allOf: [Topic] = [], noneOf: [Topic] = [], minScore: Double = 0.5) {
        self.anyOf = anyOf
        self.allOf = allOf
        self.noneOf = noneOf
        self.minScore = minScore
    }
}

/// Which budget a `budget` condition looks at.
package enum BudgetScope: String, Sendable, Hashable, Codable, CaseIterable {
    case global
    case tenant
    /// Either one.
    case any
}

/// A predicate over a classification and a request context.
package indirect enum PolicyCondition: Sendable, Hashable, Codable {
    /// Matches every request.
    case always
    case difficulty(ScoreRange)
    case sensitivity(ScoreRange)
    case findings(FindingCondition)
    case topics(TopicCondition)
    /// Primary language is one of these ("en", "zh", "mixed", "other").
    case language([String])
    /// Estimated prompt tokens within the range.
    case tokens(ScoreRange)
    /// Request tenant is one of these.
    case tenant([String])
    /// Requested model (`auto` or a target name) is one of these.
    case requestedModel([String])
    /// Each key's metadata value is one of the listed values (`*` = present with any value).
    case metadata([String: [String]])
    /// Like `metadata`, over request headers (names lower-cased).
    case headers([String: [String]])
    /// Remaining USD in the scope is below `belowUSD` (0 = exhausted).
    case budget(scope: BudgetScope, belowUSD: Double)
    /// The request does (true) or does not (false) carry binary content (images, audio, files).
    case binaryContent(Bool)
    /// The prompt-injection screen found something at least this likely in these areas.
    case injection(InjectionCondition)
    case all([PolicyCondition])
    case any([PolicyCondition])
    case not(PolicyCondition)
}

/// Spending limits; the remaining amounts are tracked elsewhere and arrive in `RequestContext`.
package struct Budgets: Sendable, Hashable, Codable {
    /// USD per day and per month, `nil` = no limit.
    package struct Limit: Sendable, Hashable, Codable {
        package var dailyUSD: Double?
        package var monthlyUSD: Double?

        package init(dailyUSD: Double? = nil, monthlyUSD: Double? = nil) {
            self.dailyUSD = dailyUSD
            self.monthlyUSD = monthlyUSD
        }
    }

    package var global: Limit
    package var tenants: [String: Limit]
    /// Replaces a decision that would spend money once the budget is spent; `nil` = no budget enforcement.
    package var onExhausted: PolicyAction?

    package init(global: Limit = Limit(), tenants: [String: Limit] = [:], onExhausted: PolicyAction? = nil) {
        self.global = global
        self.tenants = tenants
        self.onExhausted = onExhausted
    }

    /// The tenant's own limit, if the policy sets one.
    package func limit(forTenant tenant: String?) -> Limit? {
        guard let tenant else { return nil }
        return tenants[tenant]
    }
}

/// What the `redact` action does with each finding type.
package enum RedactionMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Replace with a consistent placeholder and restore it in the answer.
    case pseudonymise
    /// The request may not leave: serve it locally instead.
    case local
    /// Refuse the request.
    case block
}

/// Per-finding-type redaction settings with safe defaults: personal identifiers are
/// pseudonymised, secrets keep the request local.
package struct RedactionSettings: Sendable, Hashable, Codable {
    /// Explicit per-type modes.
    package var modes: [FindingType: RedactionMode]
    /// Mode for non-secret types not listed in `modes`.
    package var defaultMode: RedactionMode
    /// Mode for secret types not listed in `modes` (only honoured with `allowSecretsRemote`).
    package var secretMode: RedactionMode
    /// Secrets never leave the machine, redacted or not, unless this is true.
    package var allowSecretsRemote: Bool

    package init(
        modes: [FindingType: RedactionMode] = [:],
        defaultMode: RedactionMode = .pseudonymise,
        secretMode: RedactionMode = .local,
        allowSecretsRemote: Bool = false
    ) {
        self.modes = modes
        self.defaultMode = defaultMode
        self.secretMode = secretMode
        self.allowSecretsRemote = allowSecretsRemote
    }

    /// The effective mode for a finding type. Secrets resolve to `.local` (or a stricter `.block`)
    /// unless `allowSecretsRemote` is set.
    package func mode(for type: FindingType) -> RedactionMode {
        let configured = modes[type] ?? (type.isSecret ? secretMode : defaultMode)
        if type.isSecret && !allowSecretsRemote && configured == .pseudonymise { return .local }
        return configured
    }

    private struct ModeEntry: Codable {
        var type: FindingType
        var mode: RedactionMode
    }

    private enum CodingKeys: String, CodingKey {
        case modes, defaultMode, secretMode, allowSecretsRemote
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let entries = try container.decode([ModeEntry].self, forKey: .modes)
        self.modes = Dictionary(entries.map { ($0.type, $0.mode) }, uniquingKeysWith: { _, last in last })
        self.defaultMode = try container.decode(RedactionMode.self, forKey: .defaultMode)
        self.secretMode = try container.decode(RedactionMode.self, forKey: .secretMode)
        self.allowSecretsRemote = try container.decode(Bool.self, forKey: .allowSecretsRemote)
    }

    /// Encodes `modes` as a list sorted by type, so the encoding (and the policy hash) is deterministic.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(modes.sorted { $0.key < $1.key }.map { ModeEntry(type: $0.key, mode: $0.value) }, forKey: .modes)
        try container.encode(defaultMode, forKey: .defaultMode)
        try container.encode(secretMode, forKey: .secretMode)
        try container.encode(allowSecretsRemote, forKey: .allowSecretsRemote)
    }
}

/// The request-context inputs a policy's conditions read besides the classification: which metadata
/// keys and headers (by name) and whether budgets matter. The audit log records exactly these, so
/// `lumen replay` can re-decide what the rules saw.
package struct PolicyInputs: Sendable, Hashable {
    package var metadataKeys: Set<String> = []
    package var headerNames: Set<String> = []

    package init(metadataKeys: Set<String> = [], headerNames: Set<String> = []) {
        self.metadataKeys = metadataKeys
        self.headerNames = headerNames
    }

    /// Each input as `metadata.KEY` or `header.NAME`, sorted.
    package var labels: [String] {
        (metadataKeys.map { "metadata.\($0)" } + headerNames.map { "header.\($0)" }).sorted()
    }
}

extension Policy {
    /// The metadata keys and header names this policy's rules read.
    package var inputs: PolicyInputs {
        var inputs = PolicyInputs()
        func visit(_ condition: PolicyCondition) {
            switch condition {
            case .metadata(let table): inputs.metadataKeys.formUnion(table.keys)
            case .headers(let table): inputs.headerNames.formUnion(table.keys.map { $0.lowercased() })
            case .all(let parts), .any(let parts): parts.forEach(visit)
            case .not(let part): visit(part)
            default: break
            }
        }
        rules.forEach { visit($0.condition) }
        return inputs
    }
}

/// A model name clients send, as a glob (`*` any run of characters, `?` one), and what it means:
/// `auto` (the policy decides) or a target name.
package struct ModelAlias: Sendable, Hashable, Codable {
    package var pattern: String
    package var target: String

    package init(pattern: String, target: String) {
        self.pattern = pattern
        self.target = target
    }

    /// Whether `model` matches the pattern (whole name, case-sensitive).
    package func matches(_ model: String) -> Bool {
        Self.glob(Array(pattern.unicodeScalars)[...], Array(model.unicodeScalars)[...])
    }

    static func glob(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        switch first {
        case "*":
            let rest = pattern.dropFirst()
            var tail = text
            while true {
                if glob(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        case "?":
            return !text.isEmpty && glob(pattern.dropFirst(), text.dropFirst())
        default:
            return text.first == first && glob(pattern.dropFirst(), text.dropFirst())
        }
    }
}
