/// The kind of a sensitive span. Raw values follow Presidio's entity names where one exists, so
/// evaluation against Presidio-labelled data needs no mapping table beyond the few Presidio names for
/// one country's form of a kind Lumen reads in any (`presidioAliases`).
package struct FindingType: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    package let rawValue: String
    /// `isSecret`, `isStructuredIdentifier` and `isLabelledNumber`, decided once when the type is made
    /// (they are asked for every finding of every prompt; a set lookup there hashed the name each time).
    private let kind: Kind

    private struct Kind: Hashable, Sendable {
        var secret: Bool
        var structured: Bool
        var labelled: Bool
    }

    package init(rawValue: String) {
        self.rawValue = rawValue
        kind = Kind(
            secret: Self.secretNames.contains(rawValue), structured: Self.structuredNames.contains(rawValue),
            labelled: Self.labelledNames.contains(rawValue))
    }
    package init(stringLiteral value: String) { self.init(rawValue: value) }
    package init(_ value: String) { self.init(rawValue: value) }

    /// The names of the secret types below (`.awsAccessKey` … `.genericSecret`).
    private static let secretNames: Set<String> = [
        "AWS_ACCESS_KEY", "GITHUB_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "SLACK_TOKEN", "STRIPE_KEY",
        "GOOGLE_API_KEY", "JWT", "PRIVATE_KEY", "PASSWORD", "GENERIC_SECRET",
    ]
    /// The names of the structured identifiers below (`.email` … `.ipAddress`).
    private static let structuredNames: Set<String> = [
        "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "CN_RESIDENT_ID", "IP_ADDRESS",
    ]
    /// The names of the labelled numbers below (`.passport`, `.bankAccount` … `.nationalID`).
    private static let labelledNames: Set<String> = [
        "PASSPORT", "BANK_ACCOUNT", "DRIVER_LICENSE", "MEDICAL_RECORD", "UK_NHS", "TAX_ID", "NATIONAL_ID",
    ]

    package var description: String { rawValue }
    package static func < (lhs: FindingType, rhs: FindingType) -> Bool { lhs.rawValue < rhs.rawValue }

    package init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // Contact and identity.
    package static let email: FindingType = "EMAIL_ADDRESS"
    package static let phone: FindingType = "PHONE_NUMBER"
    package static let creditCard: FindingType = "CREDIT_CARD"
    package static let iban: FindingType = "IBAN_CODE"
    package static let usSSN: FindingType = "US_SSN"
    package static let chineseResidentID: FindingType = "CN_RESIDENT_ID"
    package static let passport: FindingType = "PASSPORT"
    package static let ipAddress: FindingType = "IP_ADDRESS"
    package static let dateOfBirth: FindingType = "DATE_OF_BIRTH"
    package static let streetAddress: FindingType = "STREET_ADDRESS"
    package static let person: FindingType = "PERSON"

    // Numbers that their label names (`CuedIdentifiers`): any country's, though Presidio's names for
    // some are US_BANK_NUMBER and US_DRIVER_LICENSE (`presidioAliases`).
    package static let bankAccount: FindingType = "BANK_ACCOUNT"
    package static let driverLicense: FindingType = "DRIVER_LICENSE"
    package static let medicalRecord: FindingType = "MEDICAL_RECORD"
    package static let ukNHS: FindingType = "UK_NHS"
    package static let taxID: FindingType = "TAX_ID"
    package static let nationalID: FindingType = "NATIONAL_ID"

    /// Presidio's names for types Lumen names for any country (gold spans in labelled data are read
    /// under Lumen's name).
    package static let presidioAliases: [String: FindingType] = [
        "US_BANK_NUMBER": .bankAccount, "US_DRIVER_LICENSE": .driverLicense, "US_ITIN": .taxID, "UK_NINO": .taxID,
    ]

    // Secrets.
    package static let awsAccessKey: FindingType = "AWS_ACCESS_KEY"
    package static let githubToken: FindingType = "GITHUB_TOKEN"
    package static let openAIKey: FindingType = "OPENAI_API_KEY"
    package static let anthropicKey: FindingType = "ANTHROPIC_API_KEY"
    package static let slackToken: FindingType = "SLACK_TOKEN"
    package static let stripeKey: FindingType = "STRIPE_KEY"
    package static let googleAPIKey: FindingType = "GOOGLE_API_KEY"
    package static let jwt: FindingType = "JWT"
    package static let privateKey: FindingType = "PRIVATE_KEY"
    package static let password: FindingType = "PASSWORD"
    package static let genericSecret: FindingType = "GENERIC_SECRET"

    // Terms the policy declares (project code names, customer lists).
    package static let customTerm: FindingType = "CUSTOM_TERM"

    /// Secrets are never sent to a remote provider unless a policy says so explicitly.
    package var isSecret: Bool { kind.secret }

    /// Identifiers with a fixed structure (and usually a checksum): the detectors must not miss these.
    package var isStructuredIdentifier: Bool { kind.structured }

    /// The secret types (`secretNames`: a type's flags are decided from its name when it is made).
    package static let secrets = Set(secretNames.map(FindingType.init(rawValue:)))

    /// The document and account numbers a label announces (`.passport` and the six types above it): kept
    /// local by the default policy, like a passport.
    package var isLabelledNumber: Bool { kind.labelled }

    /// The structured-identifier types (`structuredNames`).
    package static let structuredIdentifiers = Set(structuredNames.map(FindingType.init(rawValue:)))

    /// The labelled-number types (`labelledNames`).
    package static let labelledNumbers = Set(labelledNames.map(FindingType.init(rawValue:)))

    /// Every type the sensitivity scanner reports: what policy files may name and evaluation scores.
    package static let reported: Set<FindingType> = secrets.union(structuredIdentifiers).union(labelledNumbers).union([
        .dateOfBirth, .streetAddress, .person, .customTerm,
    ])
}

/// Whose words a text of a request is: what a policy condition can ask about a finding's place.
package enum TextArea: String, Hashable, Sendable, Codable, CaseIterable {
    /// A user turn.
    case user
    /// A system or developer prompt.
    case system
    /// An earlier assistant turn (its text, or the arguments of a tool call it made).
    case assistant
    /// The output of a tool, returned to the model.
    case toolResult = "tool_result"
    /// Tool and response-format definitions: names, descriptions, JSON schemas.
    case toolDefinition = "tool_definition"
    /// Request metadata and the end-user id.
    case metadata
    /// Any other member of the request (stop sequences, options).
    case request
}

/// Where a finding sits in a request: the field path of the string it was found in, that string's
/// area, and whether redaction can rewrite the string without breaking the request.
package struct FindingLocation: Hashable, Sendable, Codable {
    /// E.g. `messages[2].tool_calls[0].function.arguments`.
    package var path: String
    package var area: TextArea
    /// False for strings that are sent verbatim or not at all (stop sequences, schema enums, names of
    /// members): a value there cannot be pseudonymised.
    package var rewritable: Bool

    package init(path: String, area: TextArea, rewritable: Bool) {
        self.path = path
        self.area = area
        self.rewritable = rewritable
    }
}

/// One sensitive span of a prompt. `start` and `end` are offsets in Unicode scalars
/// (`String.unicodeScalars`), `end` exclusive: into the string at `location` when there is one,
/// else into the text that was classified.
package struct Finding: Hashable, Sendable, Codable {
    package var type: FindingType
    package var start: Int
    package var end: Int
    /// Confidence in [0, 1].
    package var score: Double
    /// The place in the request, when the text was part of one (set by the router's screen).
    package var location: FindingLocation?

    package init(type: FindingType, start: Int, end: Int, score: Double, location: FindingLocation? = nil) {
        self.type = type
        self.start = start
        self.end = end
        self.score = score
        self.location = location
    }

    /// The text the span covers in `scalars` (its string read into scalars once by the caller, who
    /// reads many findings of it); nil when the span does not fit.
    package func text(in scalars: [Unicode.Scalar]) -> String? {
        guard start >= 0, end <= scalars.count, start < end else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }
}

/// Regulated subject areas a prompt can touch.
package enum Topic: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case health
    case finance
    case legal
    case hr

    package static func < (lhs: Topic, rhs: Topic) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How strongly a prompt touches a regulated topic, and the words that say so.
package struct TopicScore: Hashable, Sendable, Codable {
    package var topic: Topic
    /// In [0, 1].
    package var score: Double
    /// The evidence words found in the prompt (lower-cased terms from the lexicon, not spans).
    package var evidence: [String]

    package init(topic: Topic, score: Double, evidence: [String]) {
        self.topic = topic
        self.score = score
        self.evidence = evidence
    }
}

/// Everything the classifier says about one prompt. This is what policy conditions read and
/// what the audit log stores (it never holds the prompt itself).
package struct Classification: Hashable, Sendable, Codable {
    /// Probability in [0, 1] that the strong remote model would beat the local one.
    package var difficulty: Double
    /// How sensitive the whole prompt is, in [0, 1].
    package var sensitivity: Double
    package var findings: [Finding]
    /// Topics with a score above zero, highest first.
    package var topics: [TopicScore]
    /// BCP-47-ish primary language: "en", "zh", or "other"; "mixed" when two share the text.
    package var language: String
    /// Rough token count for cost estimates and policy conditions.
    package var estimatedTokens: Int
    /// The prompt-injection screen's verdict per screened location of a request (those that scored
    /// above zero), set by the router's screen; empty for a bare prompt.
    package var injections: [LocatedInjection]

    package init(
        difficulty: Double,
        sensitivity: Double,
        findings: [Finding],
        topics: [TopicScore],
        language: String,
        estimatedTokens: Int,
        injections: [LocatedInjection] = []
    ) {
        self.difficulty = difficulty
        self.sensitivity = sensitivity
        self.findings = findings
        self.topics = topics
        self.language = language
        self.estimatedTokens = estimatedTokens
        self.injections = injections
    }

    enum CodingKeys: String, CodingKey {
        case difficulty, sensitivity, findings, topics, language, estimatedTokens, injections
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            difficulty: try c.decode(Double.self, forKey: .difficulty),
            sensitivity: try c.decode(Double.self, forKey: .sensitivity),
            findings: try c.decode([Finding].self, forKey: .findings),
            topics: try c.decode([TopicScore].self, forKey: .topics),
            language: try c.decode(String.self, forKey: .language),
            estimatedTokens: try c.decode(Int.self, forKey: .estimatedTokens),
            injections: try c.decodeIfPresent([LocatedInjection].self, forKey: .injections) ?? []
        )
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(difficulty, forKey: .difficulty)
        try c.encode(sensitivity, forKey: .sensitivity)
        try c.encode(findings, forKey: .findings)
        try c.encode(topics, forKey: .topics)
        try c.encode(language, forKey: .language)
        try c.encode(estimatedTokens, forKey: .estimatedTokens)
        if !injections.isEmpty { try c.encode(injections, forKey: .injections) }
    }

    /// The highest injection score among locations in `areas` (all areas when nil), and the
    /// location it was found at.
    package func injection(in areas: Set<TextArea>? = nil) -> LocatedInjection? {
        injections.filter { areas?.contains($0.location.area) ?? true }.max { $0.assessment.score < $1.assessment.score }
    }
}

/// The prompt-injection screen's verdict on one location of a request.
package struct LocatedInjection: Hashable, Sendable, Codable {
    package var location: FindingLocation
    package var assessment: InjectionAssessment

    package init(location: FindingLocation, assessment: InjectionAssessment) {
        self.location = location
        self.assessment = assessment
    }
}
