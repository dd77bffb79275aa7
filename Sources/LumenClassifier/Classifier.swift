// The classifier entry point: difficulty from the difficulty model, everything else from the
// sensitivity scanner (Sensitivity/).

/// A term the policy declares sensitive (a project code name, a customer from a list).
package struct CustomTerm: Hashable, Sendable, Codable {
    package var term: String
    /// Optional label shown in explanations ("customer", "codename"); the finding type stays CUSTOM_TERM.
    package var label: String?

    package init(term: String, label: String? = nil) {
        self.term = term
        self.label = label
    }
}

/// What the classifier needs besides the prompt: the policy's custom terms, the difficulty model
/// and the injection model.
package struct ClassifierConfiguration: Sendable {
    /// Matched case-insensitively, whole-word for Latin text; reported as `CUSTOM_TERM` findings.
    package var customTerms: [CustomTerm]
    package var difficultyModel: DifficultyModel
    package var injectionModel: InjectionModel

    package init(customTerms: [CustomTerm] = [], difficultyModel: DifficultyModel = .builtIn, injectionModel: InjectionModel = .builtIn) {
        self.customTerms = customTerms
        self.difficultyModel = difficultyModel
        self.injectionModel = injectionModel
    }
}

/// Scores prompts for difficulty and sensitivity. Pure: no I/O, no global state.
package struct Classifier: Sendable {
    package let configuration: ClassifierConfiguration
    private let scanner: SensitivityScanner

    package init(configuration: ClassifierConfiguration = ClassifierConfiguration()) {
        self.configuration = configuration
        self.scanner = SensitivityScanner(customTerms: configuration.customTerms)
        // The injection lexicon is compiled once per process (a few ms): here, not on the first request.
        InjectionFeatures.prepare()
    }

    /// Everything policy conditions read, for one prompt.
    package func classify(_ text: String) -> Classification {
        let reading = ReadingForm(text)
        let result = scanner.analyse(reading.text)
        return Classification(
            difficulty: configuration.difficultyModel.score(text),
            sensitivity: result.sensitivity,
            findings: result.findings.map(reading.original),
            topics: result.topics,
            language: result.language,
            estimatedTokens: result.estimatedTokens
        )
    }

    /// Sensitivity, findings and language over `text`; difficulty over `difficultyText` (for a
    /// conversation, what the model is asked now rather than everything it is sent); topics over
    /// `topicText` when given (what the user and the tools brought, not an agent client's own
    /// system prompt and tool descriptions), else over `text`.
    package func classify(_ text: String, difficultyText: String, topicText: String? = nil) -> Classification {
        let reading = ReadingForm(text)
        let result = scanner.analyse(reading.text, topicText: topicText.map { ReadingForm($0).text })
        return Classification(
            difficulty: configuration.difficultyModel.score(difficultyText),
            sensitivity: result.sensitivity,
            findings: result.findings.map(reading.original),
            topics: result.topics,
            language: result.language,
            estimatedTokens: result.estimatedTokens
        )
    }

    /// Sensitive spans only (offsets in Unicode scalars), e.g. per chat message for redaction.
    package func findings(in text: String) -> [Finding] {
        let reading = ReadingForm(text)
        return scanner.findings(in: reading.text).map(reading.original)
    }

    /// The prompt-injection screen for one location of a request (a user turn, a system prompt,
    /// a tool result, a document part): score, flag at the model's threshold (or `threshold`),
    /// kinds and spans (offsets in Unicode scalars). Not part of `classify(_:)`: callers that do
    /// not screen pay nothing.
    package func injection(in text: String, threshold: Double? = nil) -> InjectionAssessment {
        let reading = ReadingForm(text)
        var assessment = configuration.injectionModel.assess(reading.text, threshold: threshold)
        if !reading.isIdentity {
            for k in assessment.findings.indices {
                (assessment.findings[k].start, assessment.findings[k].end) = reading.original(
                    start: assessment.findings[k].start, end: assessment.findings[k].end)
            }
        }
        return assessment
    }
}
