import ArgumentParser
import Foundation
import LumenClassifier
import LumenCore

/// `lumen train …`: trains the classifier's learned parts.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the classifier's learned models.",
        subcommands: [TrainDifficulty.self, TrainNames.self]
    )
}

/// `lumen train difficulty`: fits the difficulty model on routing files, excluding the held-out subjects.
struct TrainDifficulty: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "difficulty",
        abstract: "Train the difficulty model (logistic regression) on RouteLLM-style JSONL files.",
        discussion: """
            Each line: {"source", "prompt", "weak_score", "strong_score", optional "weight"}; target: the strong
            model's win rate over the weak one (1 win, 0.5 tie, 0 loss).
            MMLU subjects held out by `lumen eval routing --split heldout` are never trained on.
            The same files in the same order give the same output, byte for byte.
            """
    )

    @Option(name: .long, help: "A JSONL training file (repeatable).")
    var data: [String] = []

    @Option(name: .long, help: "Where to write the model JSON.")
    var out: String

    @Option(name: .customLong("swift-out"), help: "Also write the model as Swift source (DifficultyModel.builtIn).")
    var swiftOut: String?

    @Option(name: .long, help: "L2 penalty on the standardised weights.")
    var l2: Double = 100

    func run() async throws {
        guard !data.isEmpty else { throw ValidationError("give at least one --data FILE") }
        var training: [RoutingExample] = []
        var heldOut = 0
        for path in data {
            for example in try readDifficultyRoutingFile(path) {
                if DifficultySplit.isHeldOut(source: example.source) {
                    heldOut += 1
                } else {
                    training.append(example)
                }
            }
        }
        let model = try DifficultyTrainer(l2: l2).train(training)
        try writeText(difficultyModelJSON(model), to: out)
        if let swiftOut { try writeText(difficultyModelSwift(model), to: swiftOut) }
        let positives = training.filter(\.strongWins).count
        print("trained on \(training.count) prompts (\(positives) where strong beats weak), \(heldOut) held out; wrote \(out)")
        if let swiftOut { print("wrote \(swiftOut)") }
    }
}

/// `lumen eval routing`: RouteLLM metrics for the difficulty model next to baselines.
struct EvalRouting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routing",
        abstract: "APGR, CPT(50%) and CPT(80%) of the difficulty model vs random, length-only (and LiteLLM).",
        discussion: """
            10 quantile thresholds over the scores; a prompt goes strong iff score >= threshold.
            --litellm runs scripts/litellm_complexity.py with $LUMEN_VENV/bin/python (default .venv).
            """
    )

    @Argument(help: "A JSONL file with source, prompt, weak_score, strong_score.")
    var file: String

    @Option(name: .long, help: "heldout (subjects never trained on) or all.")
    var split: SplitChoice = .heldout

    @Option(name: .long, help: "A model JSON from `lumen train difficulty` (default: the built-in model).")
    var model: String?

    @Flag(name: .long, help: "Also run the LiteLLM complexity router on the same prompts.")
    var litellm = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    enum SplitChoice: String, ExpressibleByArgument, CaseIterable {
        case heldout, all
    }

    struct Row: Codable {
        var router: String
        var apgr: Double
        var cpt50: Double
        var cpt80: Double
        var secondsPerPrompt: Double?
    }

    struct Report: Codable {
        var file: String
        var split: String
        var prompts: Int
        var weakQuality: Double
        var strongQuality: Double
        var routers: [Row]
    }

    func run() async throws {
        let all = try readDifficultyRoutingFile(file)
        let rows = split == .all ? all : all.filter { DifficultySplit.isHeldOut(source: $0.source) }
        guard !rows.isEmpty else { throw ValidationError("no prompts in \(file) for split \(split.rawValue)") }
        let difficulty = try loadDifficultyModel(model)
        let weak = rows.map(\.weakScore), strong = rows.map(\.strongScore)

        var report = Report(file: file, split: split.rawValue, prompts: rows.count, weakQuality: 0, strongQuality: 0, routers: [])
        let start = ContinuousClock.now
        let scores = rows.map { difficulty.score($0.prompt) }
        let elapsed = start.duration(to: .now)
        let lumen = try RoutingEvaluation.evaluate(scores: scores, weak: weak, strong: strong)
        report.weakQuality = lumen.weakQuality
        report.strongQuality = lumen.strongQuality
        report.routers.append(row("lumen", lumen, seconds: seconds(elapsed) / Double(rows.count)))

        var generator = SplitMix64(seed: 0x4c75_6d65_6e)
        var randomMetrics: [RoutingMetrics] = []
        for _ in 0..<100 {
            let noise = rows.map { _ in Double(generator.next() >> 11) }
            randomMetrics.append(try RoutingEvaluation.evaluate(scores: noise, weak: weak, strong: strong))
        }
        report.routers.append(
            Row(
                router: "random (mean of 100)",
                apgr: randomMetrics.map(\.apgr).reduce(0, +) / 100,
                cpt50: randomMetrics.map(\.cpt50).reduce(0, +) / 100,
                cpt80: randomMetrics.map(\.cpt80).reduce(0, +) / 100
            )
        )
        let lengths = rows.map { Double($0.prompt.unicodeScalars.count) }
        report.routers.append(row("length-only", try RoutingEvaluation.evaluate(scores: lengths, weak: weak, strong: strong)))

        if litellm {
            let (peer, perPrompt) = try runLiteLLM(prompts: rows.map(\.prompt))
            report.routers.append(row("litellm-complexity", try RoutingEvaluation.evaluate(scores: peer, weak: weak, strong: strong), seconds: perPrompt))
        }

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("\(rows.count) prompts (\(split.rawValue)); weak-only quality \(fixed(report.weakQuality)), strong-only \(fixed(report.strongQuality))")
        print("router".padding(toLength: 22, withPad: " ", startingAt: 0) + "  APGR    CPT(50%)  CPT(80%)  time/prompt")
        for r in report.routers {
            let time = r.secondsPerPrompt.map { String(format: "%.2f µs", $0 * 1e6) } ?? "-"
            print(r.router.padding(toLength: 22, withPad: " ", startingAt: 0) + "  \(fixed(r.apgr))   \(percent(r.cpt50))    \(percent(r.cpt80))    \(time)")
        }
    }

    private func row(_ name: String, _ m: RoutingMetrics, seconds: Double? = nil) -> Row {
        Row(router: name, apgr: m.apgr, cpt50: m.cpt50, cpt80: m.cpt80, secondsPerPrompt: seconds)
    }

    /// Runs the LiteLLM peer script; returns one score per prompt and its seconds per prompt.
    private func runLiteLLM(prompts: [String]) throws -> ([Double], Double) {
        let env = ProcessInfo.processInfo.environment
        let venv = env["LUMEN_VENV"] ?? ".venv"
        let python = URL(fileURLWithPath: venv).appendingPathComponent("bin/python").path
        let script = env["LUMEN_LITELLM_SCRIPT"] ?? "scripts/litellm_complexity.py"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("--litellm needs \(python) (set LUMEN_VENV to a venv with litellm installed)")
        }
        guard FileManager.default.fileExists(atPath: script) else {
            throw ValidationError("--litellm needs \(script) (run from the repository root or set LUMEN_LITELLM_SCRIPT)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-litellm-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("prompts.jsonl")
        let output = directory.appendingPathComponent("scores.txt")
        let encoder = JSONEncoder()
        var lines = Data()
        for prompt in prompts {
            lines.append(try encoder.encode(["prompt": prompt]))
            lines.append(0x0a)
        }
        try lines.write(to: input)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--in", input.path, "--out", output.path]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = String(decoding: errors, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ValidationError("litellm_complexity.py failed (exit \(process.terminationStatus)): \(message.suffix(2000))")
        }
        let scores = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map { line -> Double in
            guard let value = Double(line.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("litellm_complexity.py wrote a non-number: \(line)")
            }
            return value
        }
        guard scores.count == prompts.count else {
            throw ValidationError("litellm_complexity.py wrote \(scores.count) scores for \(prompts.count) prompts")
        }
        let perPrompt = message.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("seconds_per_prompt=") else { return nil }
            return Double(line.dropFirst("seconds_per_prompt=".count))
        }.last
        guard let perPrompt else { throw ValidationError("litellm_complexity.py did not report seconds_per_prompt") }
        return (scores, perPrompt)
    }
}

/// `lumen calibrate`: the difficulty threshold that sends a given share of prompts remote.
struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the difficulty threshold that sends a given share of a file's prompts remote (score >= threshold)."
    )

    @Option(name: .long, help: "A JSONL file with a \"prompt\" field per line.")
    var data: String

    @Option(name: .customLong("remote-share"), help: "Wanted share of prompts sent remote, in [0, 1].")
    var remoteShare: Double

    @Option(name: .long, help: "A model JSON from `lumen train difficulty` (default: the built-in model).")
    var model: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        guard (0...1).contains(remoteShare) else { throw ValidationError("--remote-share must be in [0, 1], got \(remoteShare)") }
        let difficulty = try loadDifficultyModel(model)
        let prompts = try readDifficultyPrompts(data)
        let result = try DifficultyCalibration.threshold(scores: prompts.map { difficulty.score($0) }, remoteShare: remoteShare)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print("threshold \(result.threshold)")
            print("remote share \(fixed(result.remoteShare)) of \(prompts.count) prompts (asked \(fixed(remoteShare)))")
        }
    }
}

// MARK: - Helpers

/// Reads a RouteLLM-style JSONL file, with the line number in errors.
func readDifficultyRoutingFile(_ path: String) throws -> [RoutingExample] {
    let decoder = JSONDecoder()
    return try difficultyJSONLines(path).map { number, line in
        do {
            let example = try decoder.decode(RoutingExample.self, from: Data(line.utf8))
            guard example.weakScore.isFinite, example.strongScore.isFinite else {
                throw ValidationError("\(path):\(number): weak_score and strong_score must be finite numbers")
            }
            return example
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(path):\(number): expected {source, prompt, weak_score, strong_score}: \(error)")
        }
    }
}

/// Reads the "prompt" field of each JSONL line.
func readDifficultyPrompts(_ path: String) throws -> [String] {
    struct Line: Decodable { var prompt: String }
    let decoder = JSONDecoder()
    return try difficultyJSONLines(path).map { number, line in
        do {
            return try decoder.decode(Line.self, from: Data(line.utf8)).prompt
        } catch {
            throw ValidationError("\(path):\(number): expected a JSON object with a \"prompt\" string")
        }
    }
}

private func difficultyJSONLines(_ path: String) throws -> [(Int, Substring)] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    let text = String(decoding: data, as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        .map { ($0.offset + 1, $0.element) }
        .filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty }
    guard !lines.isEmpty else { throw ValidationError("\(path) has no lines") }
    return lines
}

func loadDifficultyModel(_ path: String?) throws -> DifficultyModel {
    guard let path else { return .builtIn }
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read model \(path)") }
    let model: DifficultyModel
    do {
        model = try JSONDecoder().decode(DifficultyModel.self, from: data)
    } catch {
        throw ValidationError("\(path) is not a difficulty model: \(error)")
    }
    do {
        try model.validate()
    } catch {
        throw ValidationError("\(path): \(error.message)")
    }
    return model
}

/// The model as stable JSON: sorted keys, shortest round-trip doubles.
func difficultyModelJSON(_ model: DifficultyModel) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"
}

/// The model as a Swift source file defining `DifficultyModel.builtIn`.
func difficultyModelSwift(_ model: DifficultyModel) -> String {
    func list(_ values: [Double]) -> String {
        "[\n" + values.map { "            \($0.description)," }.joined(separator: "\n") + "\n        ]"
    }
    let names = "[\n" + model.features.map { "            \"\($0)\"," }.joined(separator: "\n") + "\n        ]"
    return """
        // Generated by `lumen train difficulty --swift-out`; do not edit. Same weights as models/difficulty.json.

        extension DifficultyModel {
            /// The trained model compiled into Lumen (no file I/O at run time).
            public static let builtIn = DifficultyModel(
                version: \(model.version),
                features: \(names),
                means: \(list(model.means)),
                scales: \(list(model.scales)),
                weights: \(list(model.weights)),
                bias: \(model.bias.description)
            )
        }

        """
}

private func writeText(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

private func fixed(_ x: Double) -> String { String(format: "%.3f", x) }
private func percent(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
