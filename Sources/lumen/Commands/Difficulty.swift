import ArgumentParser
import Foundation
import LumenAudit
import LumenClassifier
import LumenCore

/// `lumen train …`: trains the classifier's learned parts.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the classifier's learned models.",
        subcommands: [TrainDifficulty.self, TrainNames.self, TrainInjection.self]
    )
}

/// `lumen train difficulty`: fits the difficulty model on weighted routing files, excluding the held-out groups.
struct TrainDifficulty: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "difficulty",
        abstract: "Train the difficulty model on RouteLLM-style JSONL files, each with a weight.",
        discussion: """
            --data FILE[:WEIGHT], repeatable. Each line: {"source", "prompt", "weak_score", "strong_score", optional
            "weight"}; target: the strong model's win rate over the weak one (1 win, 0.5 tie, 0 loss).
            WEIGHT (default 1) is the file's share of the total training weight, relative to the other files: with
            the default every file weighs the same however many rows it has (mmlu-dev's 8,366 rows count as much
            as alpaca-dev's 468). Within a file, rows are weighted by their "weight" field.
            Groups held out by `lumen eval routing --split heldout` (a hash of "source") are never trained on,
            unless --include-held-out.
            The priors (task categories, see DifficultyPriors) are part of the build; the same files, weights and
            order give the same output, byte for byte.
            """
    )

    @Option(name: .long, help: "A JSONL training file, optionally with its weight: FILE or FILE:WEIGHT (repeatable).")
    var data: [String] = []

    @Option(name: .long, help: "Where to write the model JSON.")
    var out: String

    @Option(name: .customLong("swift-out"), help: "Also write the model as Swift source (DifficultyModel.builtIn).")
    var swiftOut: String?

    @Flag(name: .customLong("include-held-out"), help: "Also train on the held-out groups.")
    var includeHeldOut = false

    func run() async throws {
        guard !data.isEmpty else { throw ValidationError("give at least one --data FILE[:WEIGHT]") }
        var sources: [TrainingSource] = []
        for argument in data {
            let (path, share) = try parseWeightedFile(argument)
            let rows = try readDifficultyRoutingFile(path)
            let kept = includeHeldOut ? rows : rows.filter { !DifficultySplit.isHeldOut(source: $0.source) }
            sources.append(TrainingSource(name: path, examples: kept, share: share))
            let positives = kept.filter(\.strongWins).count
            print("\(path): \(kept.count) prompts (\(positives) where strong beats weak), \(rows.count - kept.count) held out, weight \(share)")
        }
        let model = try commandLineErrors { try DifficultyTrainer().train(sources) }
        try writeText(difficultyModelJSON(model), to: out)
        print("wrote \(out)")
        if let swiftOut {
            try writeText(difficultyModelSwift(model), to: swiftOut)
            print("wrote \(swiftOut)")
        }
    }
}

/// `lumen eval routing`: RouteLLM metrics and calibration for the difficulty model next to baselines.
struct EvalRouting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routing",
        abstract: "APGR, CPT(50%), CPT(80%) and calibration of the difficulty model vs random, length-only (and LiteLLM).",
        discussion: """
            10 quantile thresholds over the scores; a prompt goes strong iff score >= threshold. Calibration: the
            score read as the probability that the strong model beats the weak one, in 10 equal-width bins (ECE).
            --cross-source FILE[:WEIGHT]...: for each file, train on all the other files (all their rows, weighted as
            in `lumen train difficulty`) and evaluate on every row of the held-out file. With two files that means
            training on one kind of prompt and testing on another.
            --folds K FILE[:WEIGHT]...: K-fold by row, the estimate for new prompts of the same kinds (other rows of
            the same benchmarks): each file's rows go to K folds by a hash of the prompt; for each fold a model is
            trained on the other folds of every file (all groups, weighted as in `lumen train difficulty`) and scores
            that fold. Each fold is ranked on its own (by its own model, as a deployed model ranks its traffic); the
            metrics are the mean over the folds, the calibration is over every out-of-fold score.
            --litellm runs scripts/litellm_complexity.py with $LUMEN_VENV/bin/python (default: .venv-bench, where
            `make bench` installs LiteLLM, else .venv).
            --plot FILE.svg draws quality against remote share, one panel per evaluated file.
            """
    )

    @Argument(help: "JSONL files with source, prompt, weak_score, strong_score (FILE[:WEIGHT] with --cross-source or --folds).")
    var files: [String]

    @Option(
        name: .long,
        help:
            "unseen (the rows the model was not trained on: a new file whole, also new questions of a benchmark it knows; a training file where it was held out), heldout (the fixed hash split of `lumen train difficulty`) or all. Ignored with --cross-source and --folds."
    )
    var split: SplitChoice = .unseen

    @Option(name: .long, help: "A model JSON from `lumen train difficulty` (default: the built-in model).")
    var model: String?

    @Flag(name: .customLong("cross-source"), help: "Leave one file out: train on the others, evaluate on it.")
    var crossSource = false

    @Option(name: .long, help: "K-fold by row over the given files (K ≥ 2): train on the other folds, score each fold.")
    var folds: Int?

    @Flag(name: .long, help: "Also run the LiteLLM complexity router on the same prompts.")
    var litellm = false

    @Option(name: .long, help: "Write the routing curves as a self-contained SVG.")
    var plot: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    enum SplitChoice: String, ExpressibleByArgument, CaseIterable {
        case unseen, heldout, all
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
        /// unseen, heldout, all, cross-source (trained on `trainedOn`) or K-fold.
        var split: String
        var trainedOn: [String]?
        var prompts: Int
        var weakQuality: Double
        var strongQuality: Double
        var routers: [Row]
        var calibration: CalibrationReport
    }

    func run() async throws {
        guard !files.isEmpty else { throw ValidationError("give at least one routing file") }
        var reports: [Report] = []
        var panels: [RoutingPlot.Panel] = []
        if let folds {
            guard folds >= 2 else { throw ValidationError("--folds needs K ≥ 2") }
            guard model == nil, !crossSource else { throw ValidationError("--folds trains its own models; drop --model and --cross-source") }
            let sources = try readWeightedSources()
            let data = sources.map(\.examples)
            let fold = RoutingFolds.assign(sources, folds: folds)
            let models = try commandLineErrors { try RoutingFolds.models(sources, folds: fold, count: folds) }
            let start = ContinuousClock.now
            let scores = data.indices.map { i in data[i].indices.map { models[fold[i][$0]].score(data[i][$0].prompt) } }
            let perPrompt = seconds(start.duration(to: .now)) / Double(max(1, data.map(\.count).reduce(0, +)))
            for i in data.indices {
                let peer = try litellm ? runLiteLLM(prompts: data[i].map(\.prompt)) : nil
                // A fold where the strong model is no better than the weak one has no curve (small
                // files): it is left out, and the split says so.
                let usable = (0..<folds).map { k in data[i].indices.filter { fold[i][$0] == k } }.filter { rows in
                    rows.map { data[i][$0].strongScore - data[i][$0].weakScore }.reduce(0, +) > 0
                }
                guard !usable.isEmpty else {
                    throw ValidationError("no fold of \(sources[i].name) has a quality gap between the strong and the weak model")
                }
                // Each fold is ranked on its own, by the model that scored it, as a deployed model
                // ranks its traffic; the metrics are the folds' mean, weighted by their size.
                let perFold = try usable.map { rows in
                    try routers(
                        rows: rows.map { data[i][$0] }, scores: rows.map { scores[i][$0] }, secondsPerPrompt: perPrompt,
                        peer: peer.map { p in (rows.map { p.scores[$0] }, p.secondsPerPrompt) })
                }
                let sizes = usable.map { Double($0.count) }
                let mean = perFold[0].indices.map { r in
                    var router = perFold[0][r]
                    router.metrics = RoutingMetrics.mean(perFold.map { $0[r].metrics }, weights: sizes)
                    return router
                }
                let evaluated = usable.flatMap { $0 }
                let split =
                    "\(folds)-fold ("
                    + (usable.count == folds ? "mean of the folds" : "mean of \(usable.count) folds; the others have no quality gap") + ")"
                let (report, panel) = try report(
                    file: sources[i].name, split: split, trainedOn: nil, rows: evaluated.map { data[i][$0] }, scores: evaluated.map { scores[i][$0] },
                    routers: mean)
                reports.append(report)
                panels.append(panel)
            }
        } else if crossSource {
            guard files.count >= 2 else { throw ValidationError("--cross-source needs at least two files") }
            guard model == nil else { throw ValidationError("--cross-source trains its own models; drop --model") }
            let all = try readWeightedSources()
            for (i, heldOut) in all.enumerated() {
                let sources = all.indices.filter { $0 != i }.map { all[$0] }
                let trained = try commandLineErrors { try DifficultyTrainer().train(sources) }
                let (report, panel) = try evaluate(
                    rows: heldOut.examples, file: heldOut.name, split: "cross-source", trainedOn: sources.map(\.name), model: trained)
                reports.append(report)
                panels.append(panel)
            }
        } else {
            let difficulty = try loadDifficultyModel(model)
            for file in files {
                let all = try readDifficultyRoutingFile(file)
                let rows: [RoutingExample]
                let why: String  // what an empty selection means
                switch (split, difficulty.trainedPromptKeys(), difficulty.trainedGroups.map(Set.init)) {
                case (.all, _, _):
                    rows = all
                    why = ""
                case (.unseen, let keys?, _):
                    rows = all.filter { !keys.contains(DifficultySplit.promptKey($0.prompt)) }
                    why = ": the model was trained on every row of it (the built-in one on both dev files)"
                case (.unseen, nil, let groups?):
                    rows = all.filter { !groups.contains($0.source) }
                    why = ": the model (which does not list its prompts) was trained on every group in it"
                // A model that names neither (a file from an older build) was trained the default
                // way: on every group but the held-out ones.
                case (.unseen, nil, nil), (.heldout, _, _):
                    rows = all.filter { DifficultySplit.isHeldOut(source: $0.source) }
                    why = ": none of its groups is in the held-out hash split"
                }
                guard !rows.isEmpty else {
                    let instead = split == .all ? "" : "; --folds K trains and tests on new rows, --model takes a model trained without them"
                    throw ValidationError("no prompts in \(file) for split \(split.rawValue)\(why)\(instead)")
                }
                let (report, panel) = try evaluate(rows: rows, file: file, split: split.rawValue, trainedOn: nil, model: difficulty)
                reports.append(report)
                panels.append(panel)
            }
        }
        if let plot {
            let title =
                crossSource
                ? "Routing quality, each file held out (trained on the others)"
                : folds.map { "Routing quality, \($0)-fold by row (each fold ranked by its own model; the mean of the folds)" } ?? "Routing quality"
            try writeText(RoutingPlot.svg(title: title, panels: panels), to: plot)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let body: Data = reports.count == 1 && !crossSource && folds == nil ? try encoder.encode(reports[0]) : try encoder.encode(reports)
            print(String(decoding: body, as: UTF8.self))
            return
        }
        for report in reports { printReport(report) }
        if let plot { print("wrote \(plot)") }
    }

    /// Every FILE[:WEIGHT] argument as a whole training source (every row; its weight as its share).
    private func readWeightedSources() throws -> [TrainingSource] {
        try files.map(parseWeightedFile).map { TrainingSource(name: $0.path, examples: try readDifficultyRoutingFile($0.path), share: $0.share) }
    }

    /// One router's metrics on a set of rows, with its names in the report and in the plot.
    struct Evaluated {
        var name: String
        /// The curve's name in the plot; nil for random, drawn as the diagonal.
        var curve: String?
        var metrics: RoutingMetrics
        var secondsPerPrompt: Double?
    }

    private func evaluate(
        rows: [RoutingExample], file: String, split: String, trainedOn: [String]?, model difficulty: DifficultyModel
    ) throws -> (Report, RoutingPlot.Panel) {
        let start = ContinuousClock.now
        let scores = rows.map { difficulty.score($0.prompt) }
        let perPrompt = seconds(start.duration(to: .now)) / Double(rows.count)
        let evaluated = try routers(rows: rows, scores: scores, secondsPerPrompt: perPrompt, peer: nil)
        return try report(file: file, split: split, trainedOn: trainedOn, rows: rows, scores: scores, routers: evaluated)
    }

    /// Lumen (`scores`), random (the mean of 100 random rankings), length-only and, with --litellm,
    /// LiteLLM's complexity router (`peer`, or run here) on `rows`.
    private func routers(
        rows: [RoutingExample], scores: [Double], secondsPerPrompt: Double, peer: (scores: [Double], secondsPerPrompt: Double)?
    ) throws -> [Evaluated] {
        let weak = rows.map(\.weakScore)
        let strong = rows.map(\.strongScore)
        var evaluated = [
            Evaluated(
                name: "lumen", curve: "lumen", metrics: try RoutingEvaluation.evaluate(scores: scores, weak: weak, strong: strong),
                secondsPerPrompt: secondsPerPrompt)
        ]
        var generator = SplitMix64(seed: 0x4c75_6d65_6e)
        let random = try (0..<100).map { _ in
            try RoutingEvaluation.evaluate(scores: rows.map { _ in Double(generator.next() >> 11) }, weak: weak, strong: strong)
        }
        evaluated.append(Evaluated(name: "random (mean of 100)", curve: nil, metrics: RoutingMetrics.mean(random)))
        let lengths = rows.map { Double($0.prompt.unicodeScalars.count) }
        evaluated.append(
            Evaluated(name: "length-only", curve: "length-only", metrics: try RoutingEvaluation.evaluate(scores: lengths, weak: weak, strong: strong))
        )
        if litellm {
            let (peer, perPrompt) = try peer ?? runLiteLLM(prompts: rows.map(\.prompt))
            evaluated.append(
                Evaluated(
                    name: "litellm-complexity", curve: "LiteLLM complexity",
                    metrics: try RoutingEvaluation.evaluate(scores: peer, weak: weak, strong: strong), secondsPerPrompt: perPrompt))
        }
        return evaluated
    }

    /// The report and the plot panel of one file: `routers` (Lumen first) evaluated on `rows`,
    /// whose Lumen scores are `scores` (for the calibration).
    private func report(
        file: String, split: String, trainedOn: [String]?, rows: [RoutingExample], scores: [Double], routers: [Evaluated]
    ) throws -> (Report, RoutingPlot.Panel) {
        let lumen = routers[0].metrics
        let report = Report(
            file: file, split: split, trainedOn: trainedOn, prompts: rows.count, weakQuality: lumen.weakQuality, strongQuality: lumen.strongQuality,
            routers: routers.map {
                Row(router: $0.name, apgr: $0.metrics.apgr, cpt50: $0.metrics.cpt50, cpt80: $0.metrics.cpt80, secondsPerPrompt: $0.secondsPerPrompt)
            },
            calibration: try CalibrationReport.of(scores: scores, outcomes: rows.map(\.strongWins)))
        var curves = routers.compactMap { r in r.curve.map { RoutingPlot.Curve(name: $0, metrics: r.metrics) } }
        curves.append(
            RoutingPlot.Curve(
                name: "random",
                points: [
                    RoutingPoint(strongShare: 0, quality: lumen.weakQuality, pgr: 0),
                    RoutingPoint(strongShare: 1, quality: lumen.strongQuality, pgr: 1),
                ],
                apgr: 0.5))
        let name = URL(fileURLWithPath: file).lastPathComponent
        let subtitle =
            "\(rows.count) prompts, "
            + (trainedOn.map { "trained on " + $0.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ") } ?? "split \(split)")
        return (report, RoutingPlot.Panel(title: name, subtitle: subtitle, curves: curves))
    }

    private func printReport(_ report: Report) {
        let scope = report.trainedOn.map { "held out; trained on \($0.joined(separator: ", "))" } ?? report.split
        print(
            "\(report.file): \(report.prompts) prompts (\(scope)); weak-only quality \(fixed(report.weakQuality)), strong-only \(fixed(report.strongQuality))"
        )
        print("router".padding(toLength: 22, withPad: " ", startingAt: 0) + "  APGR    CPT(50%)  CPT(80%)  time/prompt")
        for r in report.routers {
            let time = r.secondsPerPrompt.map { String(format: "%.2f µs", $0 * 1e6) } ?? "-"
            print(
                r.router.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + "  \(fixed(r.apgr))   \(percent(r.cpt50))    \(percent(r.cpt80))    \(time)")
        }
        let c = report.calibration
        print(
            "calibration (score = P(strong beats weak)): ECE \(fixed(c.ece)), Brier \(fixed(c.brier)), mean score \(fixed(c.meanScore)) vs observed \(fixed(c.observedRate))"
        )
        print("  score bin     prompts  mean score  observed")
        for bin in c.bins where bin.count > 0 {
            print(
                "  \(fixed(bin.lower, 1))–\(fixed(bin.upper, 1))".padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(format: "%8d", bin.count) + "  \(fixed(bin.meanScore))       \(fixed(bin.observedRate))")
        }
        print("")
    }

    /// Runs the LiteLLM peer script; returns one score per prompt and its seconds per prompt.
    private func runLiteLLM(prompts: [String]) throws -> (scores: [Double], secondsPerPrompt: Double) {
        let env = ProcessInfo.processInfo.environment
        // LiteLLM lives in .venv-bench (`scripts/setup.sh --bench-tools`, run by `make bench`), apart
        // from the test clients in .venv; LUMEN_VENV picks another.
        let venv =
            env["LUMEN_VENV"] ?? ([".venv-bench", ".venv"].first { FileManager.default.isExecutableFile(atPath: $0 + "/bin/python") } ?? ".venv")
        let python = URL(fileURLWithPath: venv).appendingPathComponent("bin/python").path
        let script = env["LUMEN_LITELLM_SCRIPT"] ?? "scripts/litellm_complexity.py"
        let install =
            "LiteLLM is installed into .venv-bench by `scripts/setup.sh --bench-tools` (part of `make bench`); LUMEN_VENV picks another venv"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("--litellm needs \(python): \(install)")
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
            let hint = message.contains("No module named") ? " (\(install))" : ""
            throw ValidationError("litellm_complexity.py failed (exit \(process.terminationStatus)) with \(python)\(hint): \(message.suffix(2000))")
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
        abstract: "Find the difficulty threshold that sends a given share of prompts remote (score >= threshold).",
        discussion: """
            --data FILE scores the prompts of a JSONL file with the model; --audit DIR reads the difficulty scores
            stored in an audit log (each request once, however many records it has), so the threshold fits the
            traffic the router actually saw. Put the threshold into a policy rule as `difficulty: { min: T }`.
            """
    )

    @Option(name: .long, help: "A JSONL file with a \"prompt\" field per line.")
    var data: String?

    @Option(name: .long, help: "An audit log directory: calibrate on the logged requests' difficulty scores.")
    var audit: String?

    @Option(name: .long, help: "With --audit: only records at or after this ISO timestamp (e.g. 2026-12-01).")
    var since: String?

    @Option(name: .customLong("remote-share"), help: "Wanted share of prompts sent remote, in [0, 1].")
    var remoteShare: Double

    @Option(name: .long, help: "A model JSON from `lumen train difficulty` (default: the built-in model). Not with --audit.")
    var model: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    struct Output: Encodable {
        var threshold: Double
        var remoteShare: Double
        var prompts: Int
        var source: String
    }

    func run() async throws {
        guard (0...1).contains(remoteShare) else { throw ValidationError("--remote-share must be in [0, 1], got \(remoteShare)") }
        let scores: [Double]
        let source: String
        switch (data, audit) {
        case (let data?, nil):
            let difficulty = try loadDifficultyModel(model)
            scores = try readDifficultyPrompts(data).map { difficulty.score($0) }
            source = data
        case (nil, let audit?):
            guard model == nil else { throw ValidationError("--audit uses the scores stored in the log; drop --model") }
            let cutoff = try failing { try since.map { try AuditFiles.since($0) } }
            scores = try loggedDifficultyScores(in: audit, since: cutoff)
            guard !scores.isEmpty else { throw ValidationError("no request with a difficulty score in \(audit)") }
            source = audit
        default:
            throw ValidationError("give exactly one of --data FILE and --audit DIR")
        }
        let result = try DifficultyCalibration.threshold(scores: scores, remoteShare: remoteShare)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let output = Output(threshold: result.threshold, remoteShare: result.remoteShare, prompts: scores.count, source: source)
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            print("threshold \(result.threshold)")
            print(
                "remote share \(fixed(result.remoteShare)) of \(scores.count) \(audit == nil ? "prompts" : "logged requests") (asked \(fixed(remoteShare)))"
            )
            print("policy rule: difficulty: { min: \(result.threshold) }")
        }
    }
}

// MARK: - Helpers

/// The stored difficulty score of each logged request (a request's decision and completion records
/// share its id and are counted once), in log order.
func loggedDifficultyScores(in directory: String, since: String?) throws -> [Double] {
    struct View: Decodable {
        struct Scores: Decodable { var difficulty: Double }
        var id: String
        var classification: Scores?
    }
    var seen = Set<String>()
    var scores: [Double] = []
    do {
        try AuditReader.forEach(in: directory, as: View.self, since: since) { record in
            guard let difficulty = record.classification?.difficulty, seen.insert(record.id).inserted else { return }
            scores.append(difficulty)
        }
    } catch let error as AuditError {
        throw ValidationError(error.description)
    }
    return scores
}

/// `FILE` or `FILE:WEIGHT` (the weight after the last colon, when it is a non-negative number).
/// Runs `body`, turning a `DifficultyModelError` (bad training data) into a command-line error.
func commandLineErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DifficultyModelError {
        throw ValidationError(error.message)
    }
}

func parseWeightedFile(_ argument: String) throws -> (path: String, share: Double) {
    if let colon = argument.lastIndex(of: ":"), let share = Double(argument[argument.index(after: colon)...]) {
        guard share >= 0, share.isFinite else { throw ValidationError("bad weight in \(argument): must be a non-negative number") }
        return (String(argument[..<colon]), share)
    }
    return (argument, 1)
}

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
    let weights = zip(model.features, model.weights).map { "            \($1.description),  // \($0)" }.joined(separator: "\n")
    func stringList(_ list: [String]) -> String {
        list.isEmpty ? "[]" : "[\n" + list.map { "            \"\($0)\"," }.joined(separator: "\n") + "\n        ]"
    }
    let names = stringList(model.features)
    let groups = model.trainedGroups.map(stringList) ?? "nil"
    let prompts = model.trainedPrompts.map { "\"\($0)\"" } ?? "nil"
    return """
        // Generated by `lumen train difficulty --swift-out`; do not edit. Same weights as models/difficulty.json.

        extension DifficultyModel {
            /// The trained model compiled into Lumen (no file I/O at run time).
            package static let builtIn = DifficultyModel(
                version: \(model.version),
                features: \(names),
                weights: [
        \(weights)
                ],
                bias: \(model.bias.description),
                trainedGroups: \(groups),
                trainedPrompts: \(prompts)
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

private func fixed(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
private func percent(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
