import ArgumentParser
import Foundation
import LumenClassifier

/// `lumen classify`: classify JSONL prompts in batch, one JSON line out per line in, same order.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify prompts (JSONL) for difficulty, sensitivity findings, topics, language and prompt injection.",
        discussion: """
            Reads one JSON object per line from --input (or stdin) and writes one JSON line per input \
            line, in order. The prompt is read from the field "prompt" or "text" (--field overrides). \
            A malformed line yields {"line": N, "error": "..."} and processing continues; the exit \
            status is then non-zero. Every line also gets "tasks": the task categories the difficulty \
            model sees (math, reasoning, code, constraints, extraction, chat, rewriting, translation, \
            creative, lookup) with their scores (≥ 0.5: detected). --explain adds "difficulty_terms": \
            each feature's contribution to the difficulty's log-odds, largest magnitude first.
            """
    )

    @Option(help: "JSONL file to read (default: stdin).")
    var input: String?

    @Option(help: "Field holding the prompt (default: prompt, then text).")
    var field: String?

    @Option(name: .customLong("term"), help: "A custom sensitive term (repeatable).")
    var terms: [String] = []

    @Flag(help: "Add each feature's contribution to the difficulty score (\"difficulty_terms\").")
    var explain = false

    @Option(help: "A difficulty model JSON from `lumen train difficulty` (default: the built-in model).")
    var model: String?

    func run() async throws {
        let lines: [Substring]
        if let input {
            guard let data = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read \(input)")
            }
            let text = String(decoding: data, as: UTF8.self)
            lines = Self.splitLines(text)
        } else {
            var all: [Substring] = []
            while let line = readLine(strippingNewline: true) { all.append(Substring(line)) }
            lines = all
        }
        let classifier = Classifier(
            configuration: ClassifierConfiguration(
                customTerms: terms.map { CustomTerm(term: $0) }, difficultyModel: try loadDifficultyModel(model)))
        let field = self.field
        let explain = self.explain
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = max(64, (lines.count + workers * 4 - 1) / max(1, workers * 4))
        let results = await withTaskGroup(of: (Int, [String], Int).self) { group in
            var start = 0
            while start < lines.count {
                let range = start..<min(lines.count, start + chunk)
                let slice = Array(lines[range])
                let first = start
                group.addTask {
                    var out: [String] = []
                    out.reserveCapacity(slice.count)
                    var failures = 0
                    for (offset, line) in slice.enumerated() {
                        let (json, ok) = Self.classifyLine(
                            String(line), number: first + offset + 1, field: field, classifier: classifier, explain: explain)
                        out.append(json)
                        if !ok { failures += 1 }
                    }
                    return (first, out, failures)
                }
                start = range.upperBound
            }
            var collected: [(Int, [String], Int)] = []
            for await part in group { collected.append(part) }
            return collected.sorted { $0.0 < $1.0 }
        }
        var failures = 0
        var output = ""
        for (_, part, failed) in results {
            failures += failed
            for line in part {
                output += line
                output += "\n"
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        if failures > 0 {
            FileHandle.standardError.write(Data("classify: \(failures) malformed line(s)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func splitLines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    private struct Output: Encodable {
        var id: String?
        var difficulty: Double
        var sensitivity: Double
        var findings: [Finding]
        var topics: [TopicScore]
        var language: String
        var estimatedTokens: Int
        var injection: Injection
        /// Task category scores above zero (category → score).
        var tasks: [String: Double]
        /// Feature → contribution to the difficulty's log-odds, with --explain.
        var difficultyTerms: [Term]?

        enum CodingKeys: String, CodingKey {
            case id, difficulty, sensitivity, findings, topics, language, injection, tasks
            case estimatedTokens = "estimated_tokens"
            case difficultyTerms = "difficulty_terms"
        }
    }

    private struct Term: Encodable {
        var feature: String
        var value: Double
    }

    /// The injection screen's verdict on the prompt, flagged at the model's threshold.
    private struct Injection: Encodable {
        var score: Double
        var flagged: Bool
        var kinds: [InjectionKind]
    }

    private struct LineError: Encodable {
        var line: Int
        var error: String
    }

    /// Returns the output JSON line and whether the input line was well-formed.
    static func classifyLine(_ line: String, number: Int, field: String?, classifier: Classifier, explain: Bool = false) -> (String, Bool) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func failure(_ message: String) -> (String, Bool) {
            let data = (try? encoder.encode(LineError(line: number, error: message))) ?? Data()
            return (String(decoding: data, as: UTF8.self), false)
        }
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return failure("empty line") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        } catch {
            return failure("invalid JSON")
        }
        guard let dict = object as? [String: Any] else { return failure("expected a JSON object") }
        let prompt: String
        if let field {
            guard let value = dict[field] as? String else { return failure("missing string field \"\(field)\"") }
            prompt = value
        } else if let value = dict["prompt"] as? String {
            prompt = value
        } else if let value = dict["text"] as? String {
            prompt = value
        } else {
            return failure("missing string field \"prompt\" or \"text\"")
        }
        let c = classifier.classify(prompt)
        let screen = classifier.injection(in: prompt)
        let id: String? = (dict["id"] as? String) ?? (dict["id"] as? NSNumber).map { $0.stringValue }
        let profile = TaskProfile.of(prompt)
        var tasks: [String: Double] = [:]
        for category in TaskCategory.allCases where profile[category] > 0 { tasks[category.rawValue] = profile[category] }
        let terms = explain ? classifier.configuration.difficultyModel.contributions(prompt).map { Term(feature: $0.feature, value: $0.value) } : nil
        let output = Output(
            id: id, difficulty: c.difficulty, sensitivity: c.sensitivity, findings: c.findings, topics: c.topics,
            language: c.language, estimatedTokens: c.estimatedTokens,
            injection: Injection(score: screen.score, flagged: screen.flagged, kinds: screen.kinds), tasks: tasks,
            difficultyTerms: terms)
        guard let data = try? encoder.encode(output) else { return failure("could not encode the result") }
        return (String(decoding: data, as: UTF8.self), true)
    }
}

/// `lumen eval sensitivity`: span precision/recall/F2 per type against a labelled JSONL file.
struct EvalSensitivity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Evaluate sensitivity findings against labelled spans (Presidio entity names).",
        discussion: """
            Each line: {"id": ..., "text": ..., "spans": [{"type", "start", "end"}]}, offsets in Unicode \
            scalars. A prediction is correct when it overlaps a gold span of the same type; a gold span \
            is found when a prediction of its type overlaps it. Exact-boundary numbers are reported too. \
            --split picks a deterministic part by a hash of the id: dev (~70%), heldout (~30%), all; \
            heldout-names: the sentences with a person name held out by its string (never trained on by \
            `lumen train names`; dev then leaves them out too). Optional "decoys" (spans that are not \
            personal data) give a decoy rate: decoys overlapped by a personal-data finding. \
            --min-score counts only findings scored at least that (0.5: what the shipped policies act on).
            """
    )

    @Argument(help: "Labelled JSONL file.")
    var file: String

    @Option(help: "dev, heldout, heldout-names or all.")
    var split: String = "heldout"

    @Option(help: "Count only findings scored at least this (0 to 1; default: every finding).")
    var minScore: Double = 0

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        guard (0...1).contains(minScore) else { throw ValidationError("--min-score must be between 0 and 1") }
        guard let split = SensitivitySplit(rawValue: split) else {
            throw ValidationError("--split must be dev, heldout, heldout-names or all")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        var examples: [SensitivityExample] = []
        for (index, line) in Classify.splitLines(String(decoding: data, as: UTF8.self)).enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let text = object["text"] as? String
            else {
                throw ValidationError("\(file):\(index + 1): expected an object with a string \"text\"")
            }
            let id = (object["id"] as? String) ?? String(index)
            func spans(_ key: String) throws -> [Finding] {
                try (object[key] as? [[String: Any]] ?? []).map { span in
                    guard let type = span["type"] as? String, let start = span["start"] as? Int, let end = span["end"] as? Int else {
                        throw ValidationError("\(file):\(index + 1): a span needs type, start and end")
                    }
                    return Finding(type: FindingType.presidioAliases[type] ?? FindingType(type), start: start, end: end, score: 1)
                }
            }
            let example = SensitivityExample(id: id, text: text, spans: try spans("spans"), decoys: try spans("decoys"))
            guard split.contains(example) else { continue }
            examples.append(example)
        }
        let report = SensitivityEvaluation.run(examples, classifier: Classifier(), minScore: minScore)
        print(json ? Self.json(report, split: split, minScore: minScore) : Self.table(report, split: split, minScore: minScore))
    }

    private static func f(_ x: Double) -> String { String(format: "%.3f", x) }

    static func table(_ r: SensitivityReport, split: SensitivitySplit, minScore: Double = 0) -> String {
        let scored = minScore > 0 ? ", findings scored \(minScore) or more" : ""
        var lines = ["split: \(split.rawValue), examples: \(r.examples)\(scored); overlap match (exact-boundary in brackets)"]
        lines.append("type".padding(toLength: 20, withPad: " ", startingAt: 0) + "  gold  pred  P      R      F2     [P      R      F2]")
        for type in r.overlap.keys.sorted() {
            let o = r.overlap[type]!
            let e = r.exact[type]!
            lines.append(
                type.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: "  %4d  %4d  ", o.gold, o.predicted)
                    + "\(f(o.precision))  \(f(o.recall))  \(f(o.f2))  [\(f(e.precision))  \(f(e.recall))  \(f(e.f2))]")
        }
        let o = r.microOverlap
        let e = r.microExact
        lines.append(
            "all detected types".padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: "  %4d  %4d  ", o.gold, o.predicted)
                + "\(f(o.precision))  \(f(o.recall))  \(f(o.f2))  [\(f(e.precision))  \(f(e.recall))  \(f(e.f2))]")
        let s = r.structuredOverlap
        lines.append("structured identifiers recall: \(f(s.recall)) (\(s.foundGold)/\(s.gold))")
        let undetected = r.undetectedGoldTypes.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        lines.append("gold types Lumen does not detect (not scored): " + (undetected.isEmpty ? "none" : undetected.joined(separator: ", ")))
        let unlabelled = r.unlabelledPredictions.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        lines.append("predicted types the file does not label (not scored): " + (unlabelled.isEmpty ? "none" : unlabelled.joined(separator: ", ")))
        let clean = r.examples == 0 ? 1 : 1 - Double(r.rowsWithFalsePersonalData) / Double(r.examples)
        lines.append("rows without a false personal-data finding: \(f(clean)) (\(r.examples - r.rowsWithFalsePersonalData)/\(r.examples))")
        if !r.decoys.isEmpty {
            let perType = r.decoys.keys.sorted().map { "\($0) \(r.flaggedDecoys[$0] ?? 0)/\(r.decoys[$0]!)" }
            lines.append("decoys flagged as personal data: \(f(r.decoyRate)) (" + perType.joined(separator: ", ") + ")")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ r: SensitivityReport, split: SensitivitySplit, minScore: Double = 0) -> String {
        func counts(_ c: SpanCounts) -> [String: Any] {
            ["gold": c.gold, "predicted": c.predicted, "precision": c.precision, "recall": c.recall, "f2": c.f2]
        }
        var types: [String: Any] = [:]
        for (type, o) in r.overlap { types[type.rawValue] = ["overlap": counts(o), "exact": counts(r.exact[type]!)] }
        let object: [String: Any] = [
            "split": split.rawValue,
            "min_score": minScore,
            "examples": r.examples,
            "types": types,
            "micro": ["overlap": counts(r.microOverlap), "exact": counts(r.microExact)],
            "structured_identifiers": counts(r.structuredOverlap),
            "undetected_gold_types": Dictionary(uniqueKeysWithValues: r.undetectedGoldTypes.map { ($0.key.rawValue, $0.value) }),
            "unlabelled_predictions": Dictionary(uniqueKeysWithValues: r.unlabelledPredictions.map { ($0.key.rawValue, $0.value) }),
            "rows_with_false_personal_data": r.rowsWithFalsePersonalData,
            "decoys": [
                "total": r.decoys.values.reduce(0, +), "flagged": r.flaggedDecoys.values.reduce(0, +), "rate": r.decoyRate,
                "by_type": r.decoys.keys.sorted().map { ["type": $0, "total": r.decoys[$0]!, "flagged": r.flaggedDecoys[$0] ?? 0] },
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
