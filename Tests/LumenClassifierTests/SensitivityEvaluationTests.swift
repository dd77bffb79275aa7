import Foundation
import LumenClassifier
import LumenTestSupport
import Testing

private let dataFile = Harness.sharedData.appendingPathComponent("sensitivity/presidio-synth-dev.jsonl")
private let hasData = FileManager.default.fileExists(atPath: dataFile.path)

private func loadExamples(_ split: SensitivitySplit, from file: URL = dataFile) throws -> [SensitivityExample] {
    let text = try String(contentsOf: file, encoding: .utf8)
    var out: [SensitivityExample] = []
    for line in text.split(separator: "\n") {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let id = try #require(object["id"] as? String)
        guard split.contains(id: id) else { continue }
        let spans = (object["spans"] as? [[String: Any]] ?? []).compactMap { span -> Finding? in
            guard let type = span["type"] as? String, let start = span["start"] as? Int, let end = span["end"] as? Int else { return nil }
            return Finding(type: FindingType(type), start: start, end: end, score: 1)
        }
        out.append(SensitivityExample(id: id, text: try #require(object["text"] as? String), spans: spans))
    }
    return out
}

@Suite struct SensitivityEvaluationTests {
    @Test func scoringRules() {
        let example = SensitivityExample(
            id: "x", text: "0123456789",
            spans: [
                Finding(type: .streetAddress, start: 0, end: 2, score: 1),
                Finding(type: .streetAddress, start: 3, end: 5, score: 1),
                Finding(type: "GPE", start: 6, end: 8, score: 1),
            ])
        let predicted = [Finding(type: .streetAddress, start: 1, end: 4, score: 1), Finding(type: .person, start: 8, end: 9, score: 1)]
        let r = SensitivityEvaluation.score([example], predictions: [predicted])
        let address = r.overlap[.streetAddress]!
        #expect(address.gold == 2 && address.foundGold == 2 && address.predicted == 1 && address.correctPredictions == 1)
        #expect(r.exact[.streetAddress]!.foundGold == 0)
        #expect(r.undetectedGoldTypes["GPE"] == 1)
        #expect(r.unlabelledPredictions[.person] == 1)
    }

    @Test func splitIsDeterministicAndAboutThirty() {
        let ids = (0..<2000).map { "presidio-synth-v2/\($0)" }
        let held = ids.filter(SensitivitySplit.isHeldOut).count
        #expect(held > 500 && held < 700)
        #expect(SensitivitySplit.heldout.contains(id: "a") != SensitivitySplit.dev.contains(id: "a"))
    }

    @Test(.enabled(if: hasData, "shared data absent: sensitivity/presidio-synth-dev.jsonl (set LUMEN_SHARED)"))
    func heldOutMeetsTargets() throws {
        let examples = try loadExamples(.heldout)
        #expect(examples.count > 200)
        let report = SensitivityEvaluation.run(examples, classifier: Classifier())
        #expect(report.microOverlap.f2 >= 0.85, "micro F2 \(report.microOverlap.f2)")
        #expect(report.structuredOverlap.recall >= 0.99, "structured recall \(report.structuredOverlap.recall)")
    }

    /// The repository's technical prompt sets (stack traces, logs, configs, SQL, Chinese developer
    /// questions with personal data planted in some): no false personal-data finding in any row, and
    /// every planted value found.
    @Test(arguments: ["technical-prompts.jsonl", "technical-heldout.jsonl", "technical-probe.jsonl"])
    func technicalSetsStayClean(file: String) throws {
        let examples = try loadExamples(.all, from: Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(file))
        #expect(examples.count >= 15)
        let report = SensitivityEvaluation.run(examples, classifier: Classifier())
        #expect(report.rowsWithFalsePersonalData == 0, "\(report.rowsWithFalsePersonalData) rows with a false personal-data finding")
        #expect(report.microOverlap.recall == 1, "planted recall \(report.microOverlap.recall)")
    }

    /// Six blind probes, each written by a helper who had not seen the detectors (`data/privacy-probe-a`,
    /// 323 prompts, `-b`, 322, `-c`, 314, `-d`, 333: English, Chinese, developer text and other languages,
    /// a third of them hard negatives; private IP addresses are not labelled in b, c and d). Probe a
    /// guided the rules of 2026-12-05; b was first read after them (misses 108 -> 80 of 666 values), then
    /// guided more; c (2026-12-06, 1,134 values, nine languages besides English and Chinese,
    /// documentation placeholders as negatives) was first read blind (recall 0.946, precision 0.744),
    /// then guided more; d (2026-12-06, 1,149 values, written to stress chat exports with first names,
    /// European and Latin American addresses, letters, tables and forms) was first read blind (recall
    /// 0.846, precision 0.703), then guided more (and reviewed); e (2026-12-06, 221 letters and messages
    /// in 18 languages, 424 values, 41% hard negatives: greetings and sign-offs of teams, famous people
    /// and fictional characters) was first read blind (recall 0.866, precision 0.697), then guided more.
    /// f (2026-12-06, 163 texts in 14 languages, 292 values, 42% hard negatives: people named by a first
    /// name alone in chats, minutes, handovers and requests; word problems, fiction, brands and places
    /// named like people) was first read blind, then guided the rule that raises such names.
    /// g (2026-12-06, 140 texts in 8 languages, 154 values, 40% hard negatives: people named by their
    /// relation to the writer or by the events of their lives, one person's pasted messages; riddles,
    /// eponyms, fiction, firms, pets) was written to those patterns by a helper who had seen neither the
    /// detectors nor the other probes, and first read blind.
    /// h (2026-12-07, 221 texts in 13 languages, 326 values, 42% hard negatives: account, routing and sort
    /// numbers, driving licences, medical record, NHS, tax and national numbers named by a label, a column or
    /// a member; order, invoice, tracking and part numbers, service accounts, licence keys as negatives) was
    /// written by a helper who had seen neither the detectors nor the other probes, first read blind (recall
    /// 0.620, precision 0.743), then guided the labelled-number rules (0.899, 0.849).
    /// i (2026-12-07, 156 texts in 12 languages, 314 values, 47% hard negatives: bank letters, payroll and
    /// onboarding forms, discharge letters, insurance cards, tax e-mails, OCR'd scans, call transcripts) was
    /// written by another helper who had seen neither, after h's round: blind recall 0.771, precision 0.763;
    /// then guided a few labels (0.844, 0.782).
    /// Floors a little under today's numbers (a: recall 0.952, precision 0.770, clean rows 223 / 323; b:
    /// 0.931, 0.799, 230 / 322; c: 0.959, 0.778, 191 / 314; d: 0.903, 0.728, 171 / 333; e: 0.866, 0.724,
    /// 149 / 221; f: 0.825, 0.653, 93 / 163; g: 0.890, 0.591, 82 / 140; h: 0.890, 0.845, 175 / 221; i: 0.844, 0.782, 98 / 156): a regression check, not a target.
    @Test(arguments: [
        ("privacy-probe-a.jsonl", 0.94, 0.75, 216), ("privacy-probe-b.jsonl", 0.92, 0.78, 223), ("privacy-probe-c.jsonl", 0.945, 0.76, 184),
        ("privacy-probe-d.jsonl", 0.89, 0.71, 164), ("privacy-probe-e.jsonl", 0.85, 0.70, 142), ("privacy-probe-f.jsonl", 0.75, 0.62, 88),
        ("privacy-probe-g.jsonl", 0.88, 0.57, 78), ("privacy-probe-h.jsonl", 0.88, 0.83, 170),
        ("privacy-probe-i.jsonl", 0.83, 0.76, 94),
    ])
    func blindPrivacyProbesHoldTheirFloors(file: String, recall: Double, precision: Double, cleanRows: Int) throws {
        let examples = try loadExamples(.all, from: Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(file))
        #expect(examples.count >= 140)
        let report = SensitivityEvaluation.run(examples, classifier: Classifier())
        #expect(report.microOverlap.recall >= recall, "recall \(report.microOverlap.recall)")
        #expect(report.microOverlap.precision >= precision, "precision \(report.microOverlap.precision)")
        #expect(examples.count - report.rowsWithFalsePersonalData >= cleanRows, "\(report.rowsWithFalsePersonalData) rows with a false finding")
    }

    /// The same probes counted as the shipped policies act: findings scored 0.5 or more (a lone first name
    /// scores 0.45 unless the text names people where letters, chats and people's own accounts do).
    /// Floors a little under today's numbers (recall / precision: a 0.950 / 0.806, b 0.919 / 0.842, c 0.953
    /// / 0.824, d 0.896 / 0.787, e 0.797 / 0.811, f 0.462 / 0.767, g 0.734 / 0.850; before first names in
    /// prose were raised, d 0.888 / 0.782, e 0.733 / 0.810 and f 0.318 / 0.699; before names after kin nouns
    /// and before a life's events, g 0.506 / 0.796, blind 0.656 / 0.821; h 0.883 / 0.860; i 0.828 / 0.818).
    @Test(arguments: [
        ("privacy-probe-a.jsonl", 0.94, 0.79), ("privacy-probe-b.jsonl", 0.91, 0.83), ("privacy-probe-c.jsonl", 0.945, 0.81),
        ("privacy-probe-d.jsonl", 0.89, 0.77), ("privacy-probe-e.jsonl", 0.79, 0.79), ("privacy-probe-f.jsonl", 0.45, 0.75),
        ("privacy-probe-g.jsonl", 0.71, 0.83), ("privacy-probe-h.jsonl", 0.88, 0.85), ("privacy-probe-i.jsonl", 0.81, 0.80),
    ])
    func blindPrivacyProbesAtThePolicyThreshold(file: String, recall: Double, precision: Double) throws {
        let examples = try loadExamples(.all, from: Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(file))
        let report = SensitivityEvaluation.run(examples, classifier: Classifier(), minScore: 0.5)
        #expect(report.microOverlap.recall >= recall, "recall \(report.microOverlap.recall)")
        #expect(report.microOverlap.precision >= precision, "precision \(report.microOverlap.precision)")
    }
}

/// The tenth probe (`data/privacy-probe-j.jsonl`, 2026-12-07): 292 prompts a helper wrote without the
/// detectors, as apps and coding agents send them, in English and Chinese: 155 carry a value (keys of
/// many vendors, Chinese platforms' keys, identity numbers, people, addresses, a named person's health),
/// alone or inside code, JSON tool output and logs; 137 are developer text and general questions that
/// must carry none (digests, ids, placeholders, famous people, tools in Chinese text). Each value names
/// the finding types that count for it. Blind: 143 of 155 caught, 42 of 137 negatives with a finding a
/// policy acts on; after the fixes it led to, 154 and 14 (10 after the Chinese word rules of the evening; left: a lower-case English name, Chinese words
/// read as names, a public IP, default database passwords).
///
/// The eleventh (`data/privacy-probe-k.jsonl`, 2026-12-07, evening): 120 prompts another helper wrote
/// without the detectors: 35 values only in base64 or hex (Kubernetes Secrets, cookies, query values,
/// webhook and queue payloads) and 15 encoded texts with none (digests, UUIDs, flags, nonces); 25
/// private people's names beside everyday Chinese words that start with a surname character and 45
/// Chinese sentences of such words with no one in them. Blind, after this session's rules: 38 of 60
/// caught (most misses are the documentation and test values Lumen reads as placeholders, 0.3 —
/// `4111 1111 1111 1111`, `GB82 WEST…`, `AKIA…EXAMPLE`, `@example.com` — or runs shorter than 20),
/// 13 of 60 negatives flagged; 12 after the one fix it showed (马路 as a transliterated name); 8 after
/// the ordinary-word rules of 2026-12-07's night (白菜, 和努力, 明天到), which cost the tenth probe one
/// name that is a word (方圆, 154 → 153 caught); 40 values once runs of 14 to 19 scalars are read.
@Suite struct UnseenTextProbeFloorTests {
    /// Values caught (a finding at 0.5 of a type that counts over each) and negatives with any finding at 0.5.
    static func floors(_ file: String) throws -> (caught: Int, positives: Int, flagged: Int, negatives: Int) {
        let url = Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(file)
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let classifier = Classifier()
        var counts = (caught: 0, positives: 0, flagged: 0, negatives: 0)
        for row in rows {
            let text = try #require(row["text"] as? String)
            let scalars = Array(text.unicodeScalars)
            let findings = classifier.findings(in: text).filter { $0.score >= 0.5 }
            guard row["group"] as? String != "neg" else {
                counts.negatives += 1
                if !findings.isEmpty { counts.flagged += 1 }
                continue
            }
            counts.positives += 1
            let types = Set((row["types"] as? [String]) ?? [])
            let all = ((row["targets"] as? [String]) ?? []).allSatisfy { target in
                let value = Array(target.unicodeScalars)
                guard
                    let start = (0...max(0, scalars.count - value.count)).first(where: {
                        Array(scalars[$0..<min(scalars.count, $0 + value.count)]) == value
                    })
                else { return true }
                return findings.contains { $0.start < start + value.count && $0.end > start && (types.isEmpty || types.contains($0.type.rawValue)) }
            }
            if all { counts.caught += 1 }
        }
        return counts
    }

    @Test func tenthProbeHoldsItsFloors() throws {
        let counts = try Self.floors("privacy-probe-j.jsonl")
        #expect(counts.positives == 155 && counts.negatives == 137)
        #expect(counts.caught >= 153, "\(counts.caught) of \(counts.positives) caught")
        #expect(counts.flagged <= 12, "\(counts.flagged) of \(counts.negatives) negatives with a finding")
    }

    /// The twelfth (`data/privacy-probe-l.jsonl`, 2026-12-07, night): 120 Chinese prompts a helper wrote
    /// without the detectors: 60 with private people (names that are everyday words, names in tables,
    /// CSV and JSON under Chinese, Japanese and Korean field names, names beside phones and IDs) and 60
    /// with none, written to mislead (words that start with a surname character, tables of dishes,
    /// plants and cities). Blind, with the first of the night's ordinary-word rules: 49 of 60 caught,
    /// 18 of 60 negatives flagged (the binary before them: 49 and 27); after the fixes it showed (a word
    /// after "同事" is a name, three-character words, columns that name things, 值班人 and other role
    /// columns): 51 and 13; 51 and 16 once a review's fixes gave back names the word rules had taken
    /// (王国平, 徐海, 张佑才, 经理高原).
    @Test func twelfthProbeHoldsItsFloors() throws {
        let counts = try Self.floors("privacy-probe-l.jsonl")
        #expect(counts.positives == 60 && counts.negatives == 60)
        #expect(counts.caught >= 51, "\(counts.caught) of \(counts.positives) caught")
        #expect(counts.flagged <= 16, "\(counts.flagged) of \(counts.negatives) negatives with a finding")
    }

    @Test func eleventhProbeHoldsItsFloors() throws {
        let counts = try Self.floors("privacy-probe-k.jsonl")
        #expect(counts.positives == 60 && counts.negatives == 60)
        #expect(counts.caught >= 40, "\(counts.caught) of \(counts.positives) caught")
        #expect(counts.flagged <= 8, "\(counts.flagged) of \(counts.negatives) negatives with a finding")
    }
}

/// End-to-end: the built `lumen` binary (env LUMEN_BIN, else .build/debug/lumen).
@Suite struct ClassifyCLITests {
    private var binary: String? { Harness.hasBinary ? Harness.binary : nil }

    private func run(_ arguments: [String], stdin: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary!)
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: Harness.hasBinary, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func classifyBatchKeepsOrderAndReportsBadLines() throws {
        let lines = [
            #"{"prompt": "My SSN is 054-28-6917"}"#,
            "not json",
            #"{"text": "手机13812345678"}"#,
            #"{"other": "x"}"#,
        ]
        let (status, out) = try run(["classify"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(status != 0)
        let rows = out.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == 4)
        let first = try #require(rows[0])
        let findings = try #require(first["findings"] as? [[String: Any]])
        #expect(findings.first?["type"] as? String == "US_SSN")
        #expect(first["language"] as? String == "en")
        #expect(first["estimated_tokens"] as? Int != nil)
        #expect((rows[1]?["line"] as? Int) == 2 && rows[1]?["error"] != nil)
        #expect(((rows[2]?["findings"] as? [[String: Any]])?.first?["type"] as? String) == "PHONE_NUMBER")
        #expect((rows[3]?["line"] as? Int) == 4)
    }

    @Test(.enabled(if: Harness.hasBinary, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func classifyFieldOption() throws {
        let (status, out) = try run(["classify", "--field", "q"], stdin: #"{"q": "email me at a@fastmail.fm"}"# + "\n")
        #expect(status == 0)
        #expect(out.contains("EMAIL_ADDRESS"))
    }

    /// Every line carries the task categories; --explain adds the difficulty's terms, which add up
    /// (with the model's bias) to the score's log-odds; --model reads a trained model.
    @Test(.enabled(if: Harness.hasBinary, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func classifyShowsTasksAndExplainsDifficulty() throws {
        let input = #"{"prompt": "Write a Python function that returns the median of a list, and explain its time complexity."}"# + "\n"
        let (status, out) = try run(["classify", "--explain"], stdin: input)
        #expect(status == 0)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let tasks = try #require(row["tasks"] as? [String: Double])
        #expect((tasks["code"] ?? 0) >= 0.5)
        #expect(tasks["creative"] == nil || tasks["creative"]! < 0.5)
        let terms = try #require(row["difficulty_terms"] as? [[String: Any]])
        #expect(terms.first?["feature"] as? String == "code")
        let sum = terms.compactMap { $0["value"] as? Double }.reduce(DifficultyModel.builtIn.bias, +)
        let difficulty = try #require(row["difficulty"] as? Double)
        #expect(abs(1 / (1 + exp(-sum)) - difficulty) < 1e-9)

        let (plainStatus, plain) = try run(["classify"], stdin: input)
        #expect(plainStatus == 0 && !plain.contains("difficulty_terms") && plain.contains("\"tasks\""))

        // A constant model: every prompt scores sigmoid(bias), and no term is listed.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-model-\(UUID().uuidString).json")
        try JSONEncoder().encode(DifficultyModel(bias: 2)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (modelStatus, scored) = try run(["classify", "--explain", "--model", file.path], stdin: input)
        #expect(modelStatus == 0)
        let constant = try #require(try JSONSerialization.jsonObject(with: Data(scored.utf8)) as? [String: Any])
        #expect(abs((constant["difficulty"] as? Double ?? 0) - 1 / (1 + exp(-2))) < 1e-9)
        #expect((constant["difficulty_terms"] as? [Any])?.isEmpty == true)
        let (badStatus, _) = try run(["classify", "--model", "/nonexistent/model.json"], stdin: input)
        #expect(badStatus != 0)
    }

    @Test(.enabled(if: Harness.hasBinary, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func evalSensitivityReportsTypes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-eval-\(UUID().uuidString).jsonl")
        let lines = [
            #"{"id": "1", "text": "Email bob@fastmail.fm now", "spans": [{"type": "EMAIL_ADDRESS", "start": 6, "end": 21}]}"#,
            #"{"id": "2", "text": "Visit Paris", "spans": [{"type": "GPE", "start": 6, "end": 11}]}"#,
            #"{"id": "3", "text": "Is it ready? Anna is here.", "spans": [{"type": "PERSON", "start": 13, "end": 17}]}"#,
        ]
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, out) = try run(["eval", "sensitivity", file.path, "--split", "all", "--json"], stdin: "")
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let types = try #require(report["types"] as? [String: Any])
        let email = try #require((types["EMAIL_ADDRESS"] as? [String: Any])?["overlap"] as? [String: Any])
        #expect(email["recall"] as? Double == 1)
        #expect((report["undetected_gold_types"] as? [String: Int])?["GPE"] == 1)
        let (badStatus, _) = try run(["eval", "sensitivity", file.path, "--split", "bogus"], stdin: "")
        #expect(badStatus != 0)
        // A lone first name scores under the policies' 0.5: found at every score, not at 0.5.
        func personRecall(_ extra: [String]) throws -> Double? {
            let (status, out) = try run(["eval", "sensitivity", file.path, "--split", "all", "--json"] + extra, stdin: "")
            #expect(status == 0)
            let report = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            return (((report?["types"] as? [String: Any])?["PERSON"] as? [String: Any])?["overlap"] as? [String: Any])?["recall"] as? Double
        }
        #expect(try personRecall([]) == 1)
        #expect(try personRecall(["--min-score", "0.5"]) == 0)
        let (outOfRange, _) = try run(["eval", "sensitivity", file.path, "--min-score", "1.5"], stdin: "")
        #expect(outOfRange != 0)
    }
}
