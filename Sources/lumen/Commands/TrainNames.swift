import ArgumentParser
import Foundation
import LumenClassifier

/// `lumen train names`: trains the Chinese person-name model on labelled sentences plus the general
/// Chinese tables in data/, leaving out the held-out sentences (by id and by name string).
struct TrainNames: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "names",
        abstract: "Train the Chinese person-name model (character statistics + logistic regression).",
        discussion: """
            --data: JSONL sentences {"id", "text", "spans": [{"type": "PERSON", "start", "end"}], "decoys": [...]}, \
            offsets in Unicode scalars (e.g. ../shared/data/sensitivity/cluener-train.jsonl). Sentences held out by \
            `lumen eval sensitivity --split heldout` (by id) or `--split heldout-names` (a name string held out) are \
            never trained on. --chars and --words are the general tables written by scripts/gen-name-chars.py. \
            The same inputs give the same output, byte for byte.
            """
    )

    @Option(name: .long, help: "A labelled JSONL file (repeatable).")
    var data: [String] = []

    @Option(name: .long, help: "Character table (data/zh-name-chars.tsv).")
    var chars = "data/zh-name-chars.tsv"

    @Option(name: .long, help: "Common-word table (data/zh-common-words.tsv).")
    var words = "data/zh-common-words.tsv"

    @Option(name: .long, help: "Where to write the model JSON.")
    var out: String

    @Option(name: .customLong("swift-out"), help: "Also write the model as Swift source (ChineseNameModel.builtIn).")
    var swiftOut: String?

    @Option(name: .customLong("chinese-threshold"), help: "Probability from which a Chinese-style candidate is a name.")
    var chineseThreshold = ChineseNameTrainer().chineseThreshold

    @Option(name: .customLong("translit-threshold"), help: "Probability from which a transliterated candidate is a name.")
    var translitThreshold = ChineseNameTrainer().translitThreshold

    @Option(name: .customLong("latin-threshold"), help: "Probability from which a Latin run next to Chinese text is a name.")
    var latinThreshold = ChineseNameTrainer().latinThreshold

    @Option(name: .customLong("decoy-weight"), help: "Weight of a negative candidate that overlaps a decoy (title, organisation…).")
    var decoyWeight = ChineseNameTrainer().decoyWeight

    func run() async throws {
        guard !data.isEmpty else { throw ValidationError("give at least one --data FILE") }
        var training: [NameTrainingExample] = []
        var heldOut = 0
        for path in data {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            for (index, line) in Classify.splitLines(String(decoding: bytes, as: UTF8.self)).enumerated() where !line.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let text = object["text"] as? String
                else {
                    throw ValidationError("\(path):\(index + 1): expected an object with a string \"text\"")
                }
                let id = (object["id"] as? String) ?? "\(path)/\(index)"
                func spans(_ key: String, person: Bool) -> [Finding] {
                    (object[key] as? [[String: Any]] ?? []).compactMap { span in
                        guard let start = span["start"] as? Int, let end = span["end"] as? Int, start < end else { return nil }
                        let type = span["type"] as? String ?? ""
                        if person && type != FindingType.person.rawValue { return nil }
                        return Finding(type: FindingType(type), start: start, end: end, score: 1)
                    }
                }
                let example = SensitivityExample(id: id, text: text, spans: spans("spans", person: true), decoys: spans("decoys", person: false))
                guard SensitivitySplit.dev.contains(example) else {
                    heldOut += 1
                    continue
                }
                training.append(
                    NameTrainingExample(
                        id: id, text: text, names: example.spans.map { $0.start..<$0.end },
                        decoys: example.decoys.map { $0.start..<$0.end }))
            }
        }
        let stats: [ChineseCharStats]
        let common: [(String, Double)]
        do {
            stats = try ChineseNameTrainer.parseCharStats(try String(contentsOfFile: chars, encoding: .utf8))
            common = try ChineseNameTrainer.parseWords(try String(contentsOfFile: words, encoding: .utf8))
        } catch let error as ChineseNameModelError {
            throw ValidationError(error.message)
        }
        let trainer = ChineseNameTrainer(
            chineseThreshold: chineseThreshold, translitThreshold: translitThreshold,
            latinThreshold: latinThreshold, decoyWeight: decoyWeight)
        let model: ChineseNameModel
        do {
            model = try trainer.train(chars: stats, words: common, examples: training)
        } catch {
            throw ValidationError(error.message)
        }
        try writeNamesText(nameModelJSON(model), to: out)
        if let swiftOut { try writeNamesText(model.swiftSource(), to: swiftOut) }
        let names = training.reduce(0) { $0 + $1.names.count }
        print("trained on \(training.count) sentences (\(names) names), \(heldOut) held out; wrote \(out)")
        if let swiftOut { print("wrote \(swiftOut)") }
    }
}

/// The name model as stable JSON: sorted keys, shortest round-trip doubles.
func nameModelJSON(_ model: ChineseNameModel) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"
}

private func writeNamesText(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}
