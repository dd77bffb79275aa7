import ArgumentParser
import Foundation
import LumenClassifier

/// `lumen train injection`: fits the prompt-injection model on labelled JSONL files.
struct TrainInjection: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "injection",
        abstract: "Train the prompt-injection model (multiple-instance logistic regression over cue windows).",
        discussion: """
            Each line: {"id", "text", "label" (1 injection, 0 benign), "kind", "source"}. The shipped model is
            trained on every row of ../shared/data/injection/{en,zh}-dev.jsonl and data/injection-synthetic.jsonl:
              lumen train injection --data ../shared/data/injection/en-dev.jsonl \\
                --data ../shared/data/injection/zh-dev.jsonl --data data/injection-synthetic.jsonl \\
                --out models/injection.json --swift-out Sources/LumenClassifier/Injection/InjectionModel+BuiltIn.swift
            --split train leaves out the rows `lumen eval injection --mode split` scores.
            The same files in the same order give the same output, byte for byte.
            """
    )

    @Option(name: .long, help: "A JSONL training file (repeatable).")
    var data: [String] = []

    @Option(name: .long, help: "Where to write the model JSON.")
    var out: String

    @Option(name: .customLong("swift-out"), help: "Also write the model as Swift source (InjectionModel.builtIn).")
    var swiftOut: String?

    @Option(name: .long, help: "all (every row) or train (leave out the held-out split).")
    var split: InjectionSplitChoice = .all

    @Option(name: .long, help: "L2 penalty on the weights.")
    var l2: Double = InjectionTrainer().l2

    @Option(name: .long, help: "The flag threshold stored in the model.")
    var threshold: Double = InjectionTrainer().threshold

    func run() async throws {
        guard !data.isEmpty else { throw ValidationError("give at least one --data FILE") }
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be in [0, 1]") }
        var rows: [InjectionExample] = []
        for path in data { rows += try readInjectionFile(path) }
        let training = split == .train ? rows.filter { !InjectionSplit.isHeldOut($0) } : rows
        let model = try InjectionTrainer(l2: l2, threshold: threshold).train(training)
        try writeInjectionText(injectionModelJSON(model), to: out)
        if let swiftOut { try writeInjectionText(injectionModelSwift(model), to: swiftOut) }
        let injections = training.filter(\.isInjection).count
        print("trained on \(training.count) rows (\(injections) injections, \(training.count - injections) benign); wrote \(out)")
        if let swiftOut { print("wrote \(swiftOut)") }
    }
}

enum InjectionSplitChoice: String, ExpressibleByArgument, CaseIterable {
    case all, train
}

/// `lumen eval injection`: detection figures for the injection screen next to two baselines.
struct EvalInjection: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "injection",
        abstract: "Precision, recall, F1, false-positive rates and recall per kind of the injection screen vs keyword and length baselines.",
        discussion: """
            Rows: {"id", "text", "label", "kind", "source"} (see the data README). Benign rows of kind \
            benign_security or benign_roleplay are the hard negatives; their false-positive rate is reported apart.
            --mode model: the built-in model (or --model) scores every row of --input.
            --mode split: a model trained on the rows outside the held-out split (plus --extra) scores the held-out rows.
            --mode cross-source: leave one source out; for each source, a model trained on every other source \
            (plus --extra, e.g. data/injection-synthetic.jsonl) scores it.
            The baselines are measured on the same rows in the same run: keyword (a fixed phrase list) and \
            length (flag at and above the length, in Unicode scalars, that gives the best F1 on those very rows \
            and language: an upper bound for any length cut-off).
            """
    )

    @Option(name: .long, help: "A labelled JSONL file (repeatable).")
    var input: [String] = []

    @Option(name: .long, help: "model, split or cross-source.")
    var mode: Mode = .model

    @Option(name: .long, help: "Training-only rows for --mode split and cross-source (repeatable).")
    var extra: [String] = []

    @Option(name: .long, help: "A model JSON from `lumen train injection` (default: the built-in model).")
    var model: String?

    @Option(name: .long, help: "Flag threshold (default: the model's).")
    var threshold: Double?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case model, split
        case crossSource = "cross-source"
    }

    struct Report: Codable {
        var mode: String
        var files: [String]
        var rows: Int
        var threshold: Double
        var detectors: [InjectionDetectorReport]
        /// The length baseline's cut-off per language ("en", "zh").
        var lengthCutoffs: [String: Int]
        /// Leave-one-source-out only: per held-out source.
        var sources: [InjectionSourceResult]?
        /// Mean scoring time per row and per KiB of text for Lumen's model (mode model only).
        var microsecondsPerRow: Double?
        var microsecondsPerKiB: Double?

        enum CodingKeys: String, CodingKey {
            case mode, files, rows, threshold, detectors, sources
            case lengthCutoffs = "length_cutoffs"
            case microsecondsPerRow = "us_per_row"
            case microsecondsPerKiB = "us_per_kib"
        }
    }

    func run() async throws {
        guard !input.isEmpty else { throw ValidationError("give at least one --input FILE") }
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be in [0, 1]") }
        var rows: [InjectionExample] = []
        for path in input { rows += try readInjectionFile(path) }
        var extraRows: [InjectionExample] = []
        for path in extra { extraRows += try readInjectionFile(path) }

        var evaluated = rows
        var flagged: [Bool] = []
        var sources: [InjectionSourceResult]?
        var perRow: Double?
        var perKiB: Double?
        let usedThreshold: Double
        switch mode {
        case .model:
            let screen = try loadInjectionModel(model)
            usedThreshold = threshold ?? screen.threshold
            _ = screen.score("warm-up: the lexicon is compiled on first use")
            // Thread CPU time: on a shared machine, wall time mostly measures the neighbours.
            let start = threadCPUSeconds()
            let scores = rows.map { screen.score($0.text) }
            let seconds = threadCPUSeconds() - start
            flagged = scores.map { $0 >= usedThreshold }
            let bytes = rows.reduce(0) { $0 + $1.text.utf8.count }
            perRow = seconds * 1e6 / Double(max(rows.count, 1))
            perKiB = seconds * 1e6 / (Double(max(bytes, 1)) / 1024)
        case .split:
            let trainer = InjectionTrainer()
            usedThreshold = threshold ?? trainer.threshold
            let training = rows.filter { !InjectionSplit.isHeldOut($0) } + extraRows
            evaluated = rows.filter { InjectionSplit.isHeldOut($0) }
            guard !evaluated.isEmpty else { throw ValidationError("no held-out rows in the input") }
            let fitted = try trainer.train(training)
            flagged = evaluated.map { fitted.score($0.text) >= usedThreshold }
        case .crossSource:
            let trainer = InjectionTrainer(threshold: threshold ?? InjectionTrainer().threshold)
            usedThreshold = trainer.threshold
            let result = try InjectionEvaluation.leaveOneSourceOut(rows, extra: extraRows, trainer: trainer)
            let kept = rows.indices.filter { result.scores[$0] != nil }
            evaluated = kept.map { rows[$0] }
            flagged = kept.map { result.scores[$0]! >= usedThreshold }
            sources = result.sources
        }

        var cutoffs: [String: Int] = [:]
        var lengthFlags = [Bool](repeating: false, count: evaluated.count)
        for language in ["en", "zh"] {
            let picked = evaluated.indices.filter { evaluated[$0].language == language }
            guard !picked.isEmpty else { continue }
            let cutoff = InjectionEvaluation.bestLengthCutoff(picked.map { evaluated[$0] })
            cutoffs[language] = cutoff
            for i in picked { lengthFlags[i] = evaluated[i].text.unicodeScalars.count >= cutoff }
        }
        let report = Report(
            mode: mode.rawValue,
            files: input,
            rows: evaluated.count,
            threshold: usedThreshold,
            detectors: [
                InjectionEvaluation.report("lumen", evaluated, flagged: flagged),
                InjectionEvaluation.report("keyword", evaluated, flagged: evaluated.map { InjectionEvaluation.keywordFlag($0.text) }),
                InjectionEvaluation.report("length", evaluated, flagged: lengthFlags),
            ],
            lengthCutoffs: cutoffs,
            sources: sources,
            microsecondsPerRow: perRow,
            microsecondsPerKiB: perKiB
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.table(report))
        }
    }

    static func table(_ r: Report) -> String {
        func p(_ x: Double) -> String { String(format: "%.3f", x) }
        var lines = [
            "\(r.rows) rows (mode \(r.mode)); flag threshold \(p(r.threshold)); length cut-offs: "
                + r.lengthCutoffs.sorted { $0.key < $1.key }.map { "\($0.key) >= \($0.value)" }.joined(separator: ", ")
        ]
        lines.append("detector  lang  rows   P      R      F1     benign-FPR  hard-neg-FPR  recall by kind")
        for d in r.detectors {
            for language in ["all", "en", "zh"] {
                guard let m = d.byLanguage[language] else { continue }
                let kinds = m.recallByKind.sorted { $0.key < $1.key }.map { "\($0.key) \(p($0.value)) (\(m.kindRows[$0.key]!))" }
                lines.append(
                    d.detector.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                        + language.padding(toLength: 4, withPad: " ", startingAt: 0)
                        + String(format: "  %5d  ", m.rows) + "\(p(m.precision))  \(p(m.recall))  \(p(m.f1))  "
                        + "\(p(m.benignFalsePositiveRate)) (\(m.benign))".padding(toLength: 12, withPad: " ", startingAt: 0)
                        + "\(p(m.hardNegativeFalsePositiveRate)) (\(m.hardNegatives))".padding(toLength: 14, withPad: " ", startingAt: 0)
                        + kinds.joined(separator: ", "))
            }
        }
        if let sources = r.sources {
            lines.append("held-out source                      lang  rows  recall  FPR")
            for s in sources {
                lines.append(
                    s.source.padding(toLength: 36, withPad: " ", startingAt: 0) + " " + s.language + "  "
                        + String(format: "%5d  ", s.rows) + (s.recall.map(p) ?? "  -  ") + "   " + (s.falsePositiveRate.map(p) ?? "  -"))
            }
        }
        if let perRow = r.microsecondsPerRow, let perKiB = r.microsecondsPerKiB {
            lines.append(
                String(
                    format: "lumen scoring: %.2f µs per row, %.2f µs per KiB of thread CPU time (this build; use a release build for timing)", perRow,
                    perKiB))
        }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Helpers

/// Reads an injection JSONL file, with the line number in errors.
func readInjectionFile(_ path: String) throws -> [InjectionExample] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    let decoder = JSONDecoder()
    var rows: [InjectionExample] = []
    for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        do {
            let row = try decoder.decode(InjectionExample.self, from: Data(line.utf8))
            guard row.label == 0 || row.label == 1 else { throw ValidationError("\(path):\(index + 1): label must be 0 or 1") }
            rows.append(row)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(path):\(index + 1): expected {id, text, label, kind, source}: \(error)")
        }
    }
    guard !rows.isEmpty else { throw ValidationError("\(path) has no rows") }
    return rows
}

func loadInjectionModel(_ path: String?) throws -> InjectionModel {
    guard let path else { return .builtIn }
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read model \(path)") }
    let model: InjectionModel
    do {
        model = try JSONDecoder().decode(InjectionModel.self, from: data)
    } catch {
        throw ValidationError("\(path) is not an injection model: \(error)")
    }
    do {
        try model.validate()
    } catch {
        throw ValidationError("\(path): \(error.message)")
    }
    return model
}

/// The model as stable JSON: sorted keys, shortest round-trip doubles.
func injectionModelJSON(_ model: InjectionModel) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"
}

/// The model as a Swift source file defining `InjectionModel.builtIn`.
func injectionModelSwift(_ model: InjectionModel) -> String {
    let rows = zip(model.features, model.weights).map { "            (\"\($0.0)\", \($0.1.description))," }.joined(separator: "\n")
    return """
        // Generated by `lumen train injection --swift-out`; do not edit. Same weights as models/injection.json.

        extension InjectionModel {
            /// The trained model compiled into Lumen (no file I/O at run time).
            package static let builtIn: InjectionModel = {
                let weights: [(String, Double)] = [
        \(rows)
                ]
                return InjectionModel(
                    version: \(model.version),
                    features: weights.map(\\.0),
                    weights: weights.map(\\.1),
                    bias: \(model.bias.description),
                    threshold: \(model.threshold.description)
                )
            }()
        }

        """
}

/// CPU time of the calling thread, in seconds.
private func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

private func writeInjectionText(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}
