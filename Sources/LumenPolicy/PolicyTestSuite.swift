package import LumenClassifier
internal import Yams

/// A test-cases file for a policy: prompts (or fixed classifications) with their expected decisions.
package struct PolicyTestSuite: Sendable, Hashable {
    /// One case: the request and what the policy should decide.
    package struct Case: Sendable, Hashable {
        package var name: String
        /// Classified with the policy's classifier configuration, unless `classification` is given.
        package var prompt: String?
        /// With `prompt`: the output of a tool the request carries back (screened as a tool result).
        package var toolResult: String?
        package var classification: Classification?
        package var context: RequestContext
        package var expectedAction: Decision.Action?
        package var expectedTarget: String?
        package var expectedRule: String?
        package var expectedOverride: Bool?
        /// Whether a `flag` rule should mark the request.
        package var expectedFlagged: Bool?
        /// Line of the case in its file.
        package var line: Int
    }

    /// A case's outcome; `mismatches` is empty when it passed.
    package struct Result: Sendable, Hashable {
        package var testCase: Case
        package var decision: Decision
        /// (field, expected, got) for every expectation that failed.
        package var mismatches: [(field: String, expected: String, got: String)]
        package var passed: Bool { mismatches.isEmpty }

        package static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.testCase == rhs.testCase && lhs.decision == rhs.decision && lhs.mismatches.map(\.field) == rhs.mismatches.map(\.field)
                && lhs.mismatches.map(\.expected) == rhs.mismatches.map(\.expected) && lhs.mismatches.map(\.got) == rhs.mismatches.map(\.got)
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combine(testCase)
            hasher.combine(decision)
        }
    }

    package var file: String
    /// The policy name the file is written for, if it says.
    package var policyName: String?
    package var cases: [Case]

    /// Runs every case through `classifier` and `PolicyEngine.evaluate`.
    package func run(policy: Policy, classifier: Classifier) -> [Result] {
        cases.map { testCase in
            let classification = testCase.classification ?? Self.classify(testCase, classifier)
            let decision = PolicyEngine.evaluate(policy, classification, testCase.context)
            var mismatches: [(field: String, expected: String, got: String)] = []
            if let expected = testCase.expectedAction, expected != decision.action {
                mismatches.append(("action", expected.rawValue, decision.action.rawValue))
            }
            if let expected = testCase.expectedTarget, expected != (decision.target ?? "") {
                mismatches.append(("target", expected, decision.target ?? "(none)"))
            }
            if let expected = testCase.expectedRule, expected != decision.rule {
                mismatches.append(("rule", expected, decision.rule))
            }
            if let expected = testCase.expectedOverride, expected != decision.overrodeRequestedModel {
                mismatches.append(("overrides_requested_model", String(expected), String(decision.overrodeRequestedModel)))
            }
            if let expected = testCase.expectedFlagged, expected != !decision.flaggedBy.isEmpty {
                mismatches.append(
                    ("flagged", String(expected), decision.flaggedBy.isEmpty ? "false" : "true (\(decision.flaggedBy.joined(separator: ", ")))"))
            }
            return Result(testCase: testCase, decision: decision, mismatches: mismatches)
        }
    }

    /// A prompt case as the router sees it: the prompt (and a tool result, if any) classified together,
    /// difficulty on the prompt, each screened for prompt injection where it sits.
    static func classify(_ testCase: Case, _ classifier: Classifier) -> Classification {
        let prompt = testCase.prompt ?? ""
        var texts = [prompt]
        if let result = testCase.toolResult { texts.append(result) }
        var classification = classifier.classify(texts.joined(separator: "\n\n"), difficultyText: prompt)
        let places: [(String, TextArea, String)] =
            [("messages[0].content", .user, prompt)] + (testCase.toolResult.map { [("messages[2].content", .toolResult, $0)] } ?? [])
        for (path, area, text) in places {
            let assessment = classifier.injection(in: text)
            if assessment.score > 0 {
                classification.injections.append(
                    LocatedInjection(location: FindingLocation(path: path, area: area, rewritable: true), assessment: assessment)
                )
            }
        }
        return classification
    }

    /// Parses a cases file:
    /// `policy: NAME` (optional) and `cases:` — a list of `{name, prompt | classification, tenant, model,
    /// metadata, headers, budget: {global_remaining_usd, tenant_remaining_usd}, expect: {action, target, rule, overrides_requested_model}}`.
    package static func parse(yaml: String, file: String) throws(PolicyError) -> PolicyTestSuite {
        var reader = YAMLReader(file: file, environment: [:])
        var suite = PolicyTestSuite(file: file, policyName: nil, cases: [])
        if let root = reader.compose(yaml), let top = reader.fields(root, "the cases file", allowed: ["policy", "cases"]) {
            suite.policyName = top["policy"].flatMap { reader.nonEmptyString($0, "'policy'") }
            if let node = top["cases"], let items = reader.sequence(node, "'cases'") {
                for item in items {
                    if let testCase = parseCase(item, &reader) { suite.cases.append(testCase) }
                }
                if items.isEmpty { reader.error(node, "'cases' is empty") }
            } else if top["cases"] == nil {
                reader.error(root, "missing 'cases'")
            }
        }
        if !reader.diagnostics.isEmpty { throw PolicyError(diagnostics: reader.diagnostics) }
        return suite
    }

    private static let caseKeys = ["name", "prompt", "tool_result", "classification", "tenant", "model", "metadata", "headers", "budget", "expect"]

    private static func parseCase(_ node: Node, _ reader: inout YAMLReader) -> Case? {
        guard let fields = reader.fields(node, "a case", allowed: caseKeys) else { return nil }
        let line = node.mark?.line ?? 1
        let name = fields["name"].flatMap { reader.nonEmptyString($0, "case 'name'") } ?? "line \(line)"
        let what = "case '\(name)'"
        var testCase = Case(
            name: name, prompt: nil, classification: nil, context: RequestContext(), expectedAction: nil, expectedTarget: nil,
            expectedRule: nil, expectedOverride: nil, expectedFlagged: nil, line: line
        )
        testCase.prompt = fields["prompt"].flatMap { reader.string($0, "'prompt' of \(what)") }
        testCase.toolResult = fields["tool_result"].flatMap { reader.string($0, "'tool_result' of \(what)") }
        if testCase.toolResult != nil && testCase.prompt == nil {
            reader.error(node, "\(what) gives a 'tool_result' without a 'prompt'")
        }
        if let node = fields["classification"] { testCase.classification = parseClassification(node, what, &reader) }
        if (testCase.prompt == nil) == (testCase.classification == nil) {
            reader.error(node, "\(what) needs exactly one of 'prompt' or 'classification'")
        }
        var context = RequestContext()
        context.tenant = fields["tenant"].flatMap { reader.nonEmptyString($0, "'tenant' of \(what)") }
        context.requestedModel = fields["model"].flatMap { reader.nonEmptyString($0, "'model' of \(what)") }
        var metadata: [String: String] = [:]
        if let node = fields["metadata"], let entries = reader.mapping(node, "'metadata' of \(what)") {
            for entry in entries { metadata[entry.key] = reader.string(entry.value, "metadata '\(entry.key)'") }
        }
        var headers: [String: String] = [:]
        if let node = fields["headers"], let entries = reader.mapping(node, "'headers' of \(what)") {
            for entry in entries { headers[entry.key] = reader.string(entry.value, "header '\(entry.key)'") }
        }
        if let node = fields["budget"],
            let budget = reader.fields(node, "'budget' of \(what)", allowed: ["global_remaining_usd", "tenant_remaining_usd"])
        {
            context.remainingUSD = budget["global_remaining_usd"].flatMap { reader.double($0, "'global_remaining_usd'") }
            context.tenantRemainingUSD = budget["tenant_remaining_usd"].flatMap { reader.double($0, "'tenant_remaining_usd'") }
        }
        testCase.context = RequestContext(
            tenant: context.tenant, requestedModel: context.requestedModel, metadata: metadata, headers: headers,
            remainingUSD: context.remainingUSD, tenantRemainingUSD: context.tenantRemainingUSD
        )
        guard let expectNode = fields["expect"] else {
            reader.error(node, "\(what) is missing 'expect'")
            return nil
        }
        guard
            let expect = reader.fields(
                expectNode, "'expect' of \(what)", allowed: ["action", "target", "rule", "overrides_requested_model", "flagged"])
        else {
            return nil
        }
        if let node = expect["action"], let text = reader.string(node, "expected action") {
            if let action = Decision.Action(rawValue: text) {
                testCase.expectedAction = action
            } else {
                reader.error(node, "expected action must be route, redact or block; found '\(text)'")
            }
        }
        testCase.expectedTarget = expect["target"].flatMap { reader.nonEmptyString($0, "expected target") }
        testCase.expectedRule = expect["rule"].flatMap { reader.nonEmptyString($0, "expected rule") }
        testCase.expectedOverride = expect["overrides_requested_model"].flatMap { reader.bool($0, "'overrides_requested_model'") }
        testCase.expectedFlagged = expect["flagged"].flatMap { reader.bool($0, "'flagged'") }
        if expect.values.isEmpty { reader.error(expectNode, "'expect' of \(what) expects nothing") }
        return testCase
    }

    /// `{difficulty, sensitivity, findings: [{type, score}] | [TYPE], topics: {health: 0.8}, language, tokens,
    /// injection: {score, in: AREA, kinds: [KIND]}}`.
    private static func parseClassification(_ node: Node, _ what: String, _ reader: inout YAMLReader) -> Classification? {
        let keys = ["difficulty", "sensitivity", "findings", "topics", "language", "tokens", "injection"]
        guard let fields = reader.fields(node, "'classification' of \(what)", allowed: keys) else { return nil }
        var findings: [Finding] = []
        if let node = fields["findings"], let items = reader.sequence(node, "'findings' of \(what)") {
            for item in items {
                var type: String?
                var score = 1.0
                if case .mapping = item {
                    guard let f = reader.fields(item, "a finding", allowed: ["type", "score"]) else { continue }
                    type = f["type"].flatMap { reader.nonEmptyString($0, "finding 'type'") }
                    score = f["score"].flatMap { reader.unitScore($0, "finding 'score'") } ?? 1
                } else {
                    type = reader.nonEmptyString(item, "a finding type")
                }
                guard let type else { continue }
                guard PolicyVocabulary.findingTypes.contains(FindingType(type)) else {
                    reader.error(item, "unknown finding type '\(type)'")
                    continue
                }
                findings.append(Finding(type: FindingType(type), start: 0, end: 0, score: score))
            }
        }
        var topics: [TopicScore] = []
        if let node = fields["topics"], let entries = reader.mapping(node, "'topics' of \(what)") {
            for entry in entries {
                guard let topic = Topic(rawValue: entry.key) else {
                    reader.error(entry.keyNode, "unknown topic '\(entry.key)'")
                    continue
                }
                if let score = reader.unitScore(entry.value, "score of topic '\(entry.key)'") {
                    topics.append(TopicScore(topic: topic, score: score, evidence: []))
                }
            }
        }
        var injections: [LocatedInjection] = []
        if let node = fields["injection"], let f = reader.fields(node, "'injection' of \(what)", allowed: ["score", "in", "kinds"]) {
            let score = f["score"].flatMap { reader.unitScore($0, "injection 'score'") } ?? 1
            var area = TextArea.user
            if let areaNode = f["in"], let name = reader.string(areaNode, "injection 'in'") {
                if let parsed = TextArea(rawValue: name) { area = parsed } else { reader.error(areaNode, "unknown area '\(name)'") }
            }
            var kinds: [InjectionKind] = []
            if let kindsNode = f["kinds"], let items = reader.sequence(kindsNode, "injection 'kinds'") {
                for item in items {
                    guard let name = reader.string(item, "an injection kind") else { continue }
                    if let kind = InjectionKind(rawValue: name) { kinds.append(kind) } else { reader.error(item, "unknown injection kind '\(name)'") }
                }
            }
            injections.append(
                LocatedInjection(
                    location: FindingLocation(
                        path: area == .toolResult ? "messages[2].content" : "messages[0].content", area: area, rewritable: true),
                    assessment: InjectionAssessment(score: score, flagged: score >= InjectionModel.builtIn.threshold, kinds: kinds, findings: [])
                )
            )
        }
        return Classification(
            difficulty: fields["difficulty"].flatMap { reader.unitScore($0, "'difficulty'") } ?? 0,
            sensitivity: fields["sensitivity"].flatMap { reader.unitScore($0, "'sensitivity'") } ?? 0,
            findings: findings,
            topics: topics.sorted { $0.score > $1.score },
            language: fields["language"].flatMap { reader.nonEmptyString($0, "'language'") } ?? "en",
            estimatedTokens: fields["tokens"].flatMap { reader.int($0, "'tokens'") } ?? 10,
            injections: injections
        )
    }
}
