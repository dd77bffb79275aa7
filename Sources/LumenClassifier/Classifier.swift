// Contract for the classifier entry point (filled in by the sensitivity and difficulty stages).

/// A term the policy declares sensitive (a project code name, a customer from a list).
public struct CustomTerm: Hashable, Sendable, Codable {
    public var term: String
    /// Optional label shown in explanations ("customer", "codename"); the finding type stays CUSTOM_TERM.
    public var label: String?

    public init(term: String, label: String? = nil) {
        self.term = term
        self.label = label
    }
}

public struct ClassifierConfiguration: Sendable {
    public var customTerms: [CustomTerm]
    public var difficultyModel: DifficultyModel

    public init(customTerms: [CustomTerm] = [], difficultyModel: DifficultyModel = .builtIn) {
        self.customTerms = customTerms
        self.difficultyModel = difficultyModel
    }
}

/// Scores prompts for difficulty and sensitivity. Pure: no I/O, no global state.
public struct Classifier: Sendable {
    public let configuration: ClassifierConfiguration

    public init(configuration: ClassifierConfiguration = ClassifierConfiguration()) {
        self.configuration = configuration
    }

    /// Everything policy conditions read, for one prompt.
    public func classify(_ text: String) -> Classification {
        Classification(
            difficulty: configuration.difficultyModel.score(text),
            sensitivity: 0,
            findings: findings(in: text),
            topics: [],
            language: "en",
            estimatedTokens: text.unicodeScalars.count / 4
        )
    }

    /// Sensitive spans only (offsets in Unicode scalars), e.g. per chat message for redaction.
    public func findings(in text: String) -> [Finding] {
        []
    }
}
