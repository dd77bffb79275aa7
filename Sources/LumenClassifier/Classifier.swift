// The classifier entry point: difficulty from the difficulty model, everything else from the
// sensitivity scanner (Sensitivity/).

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

/// What the classifier needs besides the prompt: the policy's custom terms and the difficulty model.
public struct ClassifierConfiguration: Sendable {
    /// Matched case-insensitively, whole-word for Latin text; reported as `CUSTOM_TERM` findings.
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
    private let scanner: SensitivityScanner

    public init(configuration: ClassifierConfiguration = ClassifierConfiguration()) {
        self.configuration = configuration
        self.scanner = SensitivityScanner(customTerms: configuration.customTerms)
    }

    /// Everything policy conditions read, for one prompt.
    public func classify(_ text: String) -> Classification {
        let result = scanner.analyse(text)
        return Classification(
            difficulty: configuration.difficultyModel.score(text),
            sensitivity: result.sensitivity,
            findings: result.findings,
            topics: result.topics,
            language: result.language,
            estimatedTokens: result.estimatedTokens
        )
    }

    /// Sensitivity, findings, topics and language over `text`; difficulty over `difficultyText` (for a
    /// conversation, what the model is asked now rather than everything it is sent).
    public func classify(_ text: String, difficultyText: String) -> Classification {
        let result = scanner.analyse(text)
        return Classification(
            difficulty: configuration.difficultyModel.score(difficultyText),
            sensitivity: result.sensitivity,
            findings: result.findings,
            topics: result.topics,
            language: result.language,
            estimatedTokens: result.estimatedTokens
        )
    }

    /// Sensitive spans only (offsets in Unicode scalars), e.g. per chat message for redaction.
    public func findings(in text: String) -> [Finding] {
        scanner.findings(in: text)
    }
}
