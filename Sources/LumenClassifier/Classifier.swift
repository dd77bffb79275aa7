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

    /// Sensitive values split between two strings a model reads one after the other: a content part
    /// ending "my SSN is 078-05-" and the next starting "1120", a card's groups in two messages, a
    /// document pasted in chunks that cut a key in two. `tail` is the end of what came before (one
    /// string or several) and `head` the start of the next string; read side by side and, between
    /// two digits, also with a space between them. Offsets are into `tail` followed by `head` (tail's
    /// scalars, then head's). Returned: the findings that cross the join, and those inside `head`
    /// that only the words before it make a value ("My SSN is " then "078.05.1120"), which the
    /// screen of `head` alone does not find. A finding inside `tail` only is not returned.
    package func findings(across tail: String, _ head: String) -> [Finding] {
        let left = Array(tail.unicodeScalars)
        let right = Array(head.unicodeScalars)
        // The last visible character before the join and the first after it.
        guard let lastVisible = left.lastIndex(where: { !Self.isGap($0) }), let rightStart = right.firstIndex(where: { !Self.isGap($0) })
        else { return [] }
        let leftEnd = lastVisible + 1
        var joiners = [""]
        if left[lastVisible].properties.numericType != nil, right[rightStart].properties.numericType != nil { joiners.append(" ") }
        var found: [Finding] = []
        var leftOwn: [Finding]?
        var rightOwn: [Finding]?
        for joiner in joiners {
            var window = String.UnicodeScalarView()
            window.append(contentsOf: left)
            window.append(contentsOf: joiner.unicodeScalars)
            window.append(contentsOf: right)
            let joinEnd = left.count + joiner.unicodeScalars.count
            for finding in findings(in: String(window)) where finding.end > joinEnd {
                var moved = finding
                moved.end = left.count + (finding.end - joinEnd)
                if finding.start >= joinEnd {
                    // Inside the head: a value only if the head alone does not have it. A label's
                    // reach is shorter than this (a card's, the longest, is 60 characters): a value
                    // further from the join is the head's own either way.
                    guard finding.start - joinEnd < Self.labelReach else { continue }
                    moved.start = left.count + (finding.start - joinEnd)
                    let own = rightOwn ?? findings(in: head)
                    rightOwn = own
                    let (start, end) = (moved.start - left.count, moved.end - left.count)
                    if own.contains(where: { $0.type == finding.type && $0.start < end && $0.end > start }) { continue }
                } else if finding.start >= left.count {
                    continue  // on the joiner itself
                } else {
                    // A value the first string has whole, run on into the next string's first word
                    // ("…@comcast.net" then "Wie bewertest…"): the screen of the first string finds
                    // and redacts it, and the word is no part of it. Anything else that runs across
                    // (digits or a value's punctuation after the join, or a value the second string
                    // has whole run back into the first) is kept: a value cut in two.
                    let rightEnd = finding.end - joinEnd
                    if rightEnd > rightStart, right[rightStart..<rightEnd].allSatisfy({ $0.properties.isAlphabetic }) {
                        let own = leftOwn ?? findings(in: tail)
                        leftOwn = own
                        if own.contains(where: { $0.type == finding.type && $0.start <= finding.start && $0.end >= leftEnd }) { continue }
                    }
                }
                if !found.contains(where: { $0.type == moved.type && $0.start == moved.start && $0.end == moved.end }) {
                    found.append(moved)
                }
            }
        }
        return found
    }

    /// The values a JSON member's name makes of its value, read as the member is written
    /// (`"ssn": "536228714"`, `"last_name": "Thornton"`; a number is read as the same digits in
    /// quotes): the findings inside `value`, offsets into it (the caller keeps those the screen of
    /// `value` alone did not have). A request's own JSON (an Anthropic `tool_use` input, metadata) is screened string by string, where
    /// "536228714" alone is nine digits and "Thornton" one capitalised word.
    package func findings(ofMember name: String, value: String) -> [Finding] {
        var member = "\"" + name + "\": \""
        let start = member.unicodeScalars.count
        member += value
        let end = start + value.unicodeScalars.count
        member += "\""
        // A bare run of fewer than ten digits is no phone number by its member's name alone
        // ("mobile": 1250000 is a count of sessions).
        let bareShort = value.unicodeScalars.count < 10 && value.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal }
        return findings(in: member).compactMap { finding in
            guard finding.end > start, finding.start < end, !(bareShort && finding.type == .phone) else { return nil }
            return Finding(type: finding.type, start: max(finding.start, start) - start, end: min(finding.end, end) - start, score: finding.score)
        }
    }

    /// How far after a join a value in the next string is read as named by a label before the join.
    static let labelReach = 64

    /// Whether the end of `first` and the start of `second` could be the two halves of one value
    /// (worth `findings(across:_:)`), read through the whitespace and invisible characters at the
    /// join (a card's groups, a name's parts continue past a space): not when either is blank, the
    /// first ends a tag ("</system-reminder>"), or a sentence ends and the next begins with a
    /// capital (a new sentence, the common case).
    package static func mayContinue(_ first: String, _ second: String) -> Bool {
        guard let last = first.unicodeScalars.last(where: { !isGap($0) }), let next = second.unicodeScalars.first(where: { !isGap($0) })
        else { return false }
        if last == ">" { return false }
        guard ".!?。！？".unicodeScalars.contains(last), next.properties.isUppercase else { return true }
        // A sentence ends and the next begins with a capital: a new sentence, unless its first word
        // is no plain word ("Jane." then "Doe@acme.com").
        return !startsWithPlainWord(second)
    }

    /// Whether `text` begins (past whitespace) with a word of letters, apostrophes and hyphens only,
    /// followed by whitespace, sentence punctuation or the end.
    static func startsWithPlainWord(_ text: String) -> Bool {
        var letters = 0
        var ended = false
        for c in text.unicodeScalars.drop(while: isGap).prefix(48) {
            if isGap(c) { return letters > 0 }
            if ended { return false }  // "Doe.Smith": punctuation inside the word
            if c.properties.isAlphabetic || c == "'" || c == "’" || c == "-" {
                letters += 1
            } else if ",.:;!?)".unicodeScalars.contains(c) {
                ended = true
            } else {
                return false
            }
        }
        return letters > 0
    }

    /// Whether `text` has nothing but whitespace and invisible characters (read through between two
    /// strings: "078-05-", "", "1120" is one value).
    package static func isBlank(_ text: String) -> Bool { !text.unicodeScalars.contains { !isGap($0) } }

    /// A character the reading form drops (a zero-width space, a soft hyphen, a control character).
    package static func isInvisible(_ c: Unicode.Scalar) -> Bool { ReadingForm.isInvisible(c.value) }

    /// Whitespace, or a character the reading form drops (it is read through).
    package static func isGap(_ c: Unicode.Scalar) -> Bool {
        // ASCII without a property lookup (most text; the lookup cost ~50 ns a character).
        if c.value < 0x80 { return c.value == 0x20 || (0x09...0x0D).contains(c.value) || ReadingForm.isInvisible(c.value) }
        return c.properties.isWhitespace || ReadingForm.isInvisible(c.value)
    }

    /// `sensitivity` with `findings` counted too (as the classification counts its own).
    package static func sensitivity(_ sensitivity: Double, adding findings: [Finding]) -> Double {
        let extra = SensitivityScanner.sensitivity(findings, [])
        return min(1, max(0, 1 - (1 - sensitivity) * (1 - extra)))
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
