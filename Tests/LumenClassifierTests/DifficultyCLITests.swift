import Foundation
import LumenTestSupport
import Testing

/// End to end: the built `lumen` binary's `train difficulty`, `eval routing` and `calibrate`.
/// Uses $LUMEN_BIN, else .build/debug/lumen under the repository root; skips when neither exists.
struct DifficultyCLITests {
    static let binary: String? = Harness.hasBinary ? Harness.binary : nil
    static let chromium = Harness.chromium

    private struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary))
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    private struct Row: Encodable {
        var source: String, prompt: String, weak_score: Double, strong_score: Double
    }

    private func write(_ rows: [Row], to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lines = try rows.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    /// A small chat-like routing file: simple prompts tie, hard ones are won by the strong model.
    private func chatFixture(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("routing.jsonl")
        try write(chatRows(), to: url)
        return url
    }

    private func chatRows() -> [Row] {
        let simple = [
            "hi", "thanks!", "What is the capital of Italy?", "Translate 'cat' to German.", "Tell me a joke.", "你好", "Fix the typo: teh",
            "List two colours.",
        ]
        let hard = [
            "Prove that the square root of 2 is irrational, step by step, then derive a bound on its continued fraction.",
            "Implement a thread-safe LRU cache in Rust with O(1) get and put; explain every invariant you must maintain.",
            "Design a consensus protocol tolerating f Byzantine faults with 3f+1 nodes and prove its safety.",
            "请证明：任意两个奇数的平方和不是完全平方数，并写出推导步骤。",
            "Analyze the complexity of merge sort on linked lists and implement it in C without recursion; justify each step.",
        ]
        var rows = simple.map { Row(source: "fixture/simple", prompt: $0, weak_score: 1, strong_score: 1) }
        for (i, p) in hard.enumerated() { rows.append(Row(source: "fixture/hard", prompt: p, weak_score: i == 4 ? 1 : 0, strong_score: 1)) }
        return rows
    }

    /// A multiple-choice routing file of another size.
    private func optionsFixture(in directory: URL) throws -> URL {
        let rows = (0..<24).map { i in
            let long = i % 3 == 0
            let stem =
                long
                ? "A tenant sublet her flat without the landlord's written consent, although the lease required it, and the subtenant damaged the kitchen. Which claim is the landlord most likely to win?"
                : "Which of these numbers is even?"
            return Row(
                source: "fixture/mcq", prompt: "\(stem)\nA. \(i)\nB. \(i + 1)\nC. \(i + 2)\nD. \(i + 3)\nAnswer:", weak_score: long ? 0 : 1,
                strong_score: 1)
        }
        let url = directory.appendingPathComponent("options.jsonl")
        try write(rows, to: url)
        return url
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-difficulty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func trainWithWeightedSourcesIsReproducible() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chat = try chatFixture(in: dir)
        let options = try optionsFixture(in: dir)
        let m1 = dir.appendingPathComponent("m1.json")
        let m2 = dir.appendingPathComponent("m2.json")
        let m3 = dir.appendingPathComponent("m3.json")
        let swift = dir.appendingPathComponent("BuiltIn.swift")

        let t1 = try run([
            "train", "difficulty", "--data", chat.path + ":2", "--data", options.path, "--include-held-out", "--out", m1.path, "--swift-out",
            swift.path,
        ])
        #expect(t1.status == 0, "\(t1.stderr)")
        #expect(t1.stdout.contains("weight 2.0") && t1.stdout.contains("weight 1.0"))
        let t2 = try run(["train", "difficulty", "--data", chat.path + ":2", "--data", options.path, "--include-held-out", "--out", m2.path])
        #expect(t2.status == 0, "\(t2.stderr)")
        #expect(try Data(contentsOf: m1) == Data(contentsOf: m2))
        // Another weighting gives another model.
        let t3 = try run(["train", "difficulty", "--data", chat.path + ":1", "--data", options.path + ":3", "--include-held-out", "--out", m3.path])
        #expect(t3.status == 0, "\(t3.stderr)")
        #expect(try Data(contentsOf: m1) != Data(contentsOf: m3))
        let source = try String(contentsOf: swift, encoding: .utf8)
        #expect(source.contains("package static let builtIn = DifficultyModel("))

        // The trained model separates the chat fixture, and the report carries calibration.
        let eval = try run(["eval", "routing", chat.path, "--split", "all", "--model", m1.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try json(eval.stdout) as? [String: Any])
        let routers = try #require(report["routers"] as? [[String: Any]])
        let names = routers.compactMap { $0["router"] as? String }
        #expect(names.contains("lumen") && names.contains("length-only") && names.contains { $0.hasPrefix("random") })
        let lumenAPGR = try #require(routers.first { $0["router"] as? String == "lumen" }?["apgr"] as? Double)
        #expect(lumenAPGR > 0.75)  // a perfect ranking gives about 0.85 here (4 of 13 prompts gain), random 0.5
        #expect(report["prompts"] as? Int == 13)
        let calibration = try #require(report["calibration"] as? [String: Any])
        #expect((calibration["bins"] as? [Any])?.count == 10)
        #expect(calibration["ece"] is Double)

        let text = try run(["eval", "routing", chat.path, "--split", "all"])
        #expect(text.status == 0 && text.stdout.contains("APGR") && text.stdout.contains("length-only") && text.stdout.contains("ECE"))
    }

    /// By default a file is evaluated on the rows the model was not trained on: a new file whole
    /// (also new questions of the groups it knows), a training file only where it was held out; a
    /// model file that lists only its groups is evaluated on the other groups.
    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func evalDefaultsToTheRowsTheModelNeverSaw() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chat = try chatFixture(in: dir)
        let options = try optionsFixture(in: dir)
        // The built-in model never saw the fixture: all 13 rows, whatever their groups hash to.
        let builtIn = try run(["eval", "routing", chat.path, "--json"])
        #expect(builtIn.status == 0, "\(builtIn.stderr)")
        let whole = try #require(try json(builtIn.stdout) as? [String: Any])
        #expect(whole["prompts"] as? Int == 13 && whole["split"] as? String == "unseen")
        // A model trained on the chat fixture lists its groups and prompts; only the other file is unseen to it.
        let model = dir.appendingPathComponent("m.json")
        let trained = try run(["train", "difficulty", "--data", chat.path, "--include-held-out", "--out", model.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let saved = try #require(try json(String(decoding: Data(contentsOf: model), as: UTF8.self)) as? [String: Any])
        #expect(saved["trainedGroups"] as? [String] == ["fixture/hard", "fixture/simple"])
        #expect((saved["trainedPrompts"] as? String)?.count == 13 * 8)
        let seen = try run(["eval", "routing", chat.path, "--model", model.path])
        #expect(seen.status != 0 && seen.stderr.contains("no prompts") && seen.stderr.contains("unseen"))
        // New questions of the groups it was trained on are unseen: only they are evaluated.
        let mixed = dir.appendingPathComponent("mixed.jsonl")
        let newRows = [
            Row(source: "fixture/simple", prompt: "Say hello in French.", weak_score: 1, strong_score: 1),
            Row(
                source: "fixture/hard", prompt: "Prove that there are infinitely many primes, then bound the n-th prime.", weak_score: 0,
                strong_score: 1),
            Row(source: "fixture/hard", prompt: "Write a lock-free queue in C++ and argue its linearizability.", weak_score: 0, strong_score: 1),
        ]
        try write(chatRows() + newRows, to: mixed)
        let partly = try run(["eval", "routing", mixed.path, "--model", model.path, "--json"])
        #expect(partly.status == 0, "\(partly.stderr)")
        #expect((try json(partly.stdout) as? [String: Any])?["prompts"] as? Int == 3)
        // Without its prompt list the model falls back to its groups: the mixed file has none new.
        var groupsOnly = saved
        groupsOnly["trainedPrompts"] = nil
        let older = dir.appendingPathComponent("older.json")
        try JSONSerialization.data(withJSONObject: groupsOnly).write(to: older)
        let byGroups = try run(["eval", "routing", mixed.path, "--model", older.path])
        #expect(byGroups.status != 0 && byGroups.stderr.contains("every group in it"))
        let otherByGroups = try run(["eval", "routing", options.path, "--model", older.path, "--json"])
        #expect((try json(otherByGroups.stdout) as? [String: Any])?["prompts"] as? Int == 24)
        // A malformed prompt list is a bad model file, not a silent change of split.
        var malformed = saved
        malformed["trainedPrompts"] = "0123"
        let bad = dir.appendingPathComponent("bad.json")
        try JSONSerialization.data(withJSONObject: malformed).write(to: bad)
        let refused = try run(["eval", "routing", options.path, "--model", bad.path])
        #expect(refused.status != 0 && refused.stderr.contains("trainedPrompts"))
        let other = try run(["eval", "routing", options.path, "--model", model.path, "--json"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect((try json(other.stdout) as? [String: Any])?["prompts"] as? Int == 24)
    }

    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func crossSourceHoldsOutEachFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chat = try chatFixture(in: dir)
        let options = try optionsFixture(in: dir)
        let plot = dir.appendingPathComponent("plot.svg")
        let out = try run(["eval", "routing", "--cross-source", chat.path, options.path, "--json", "--plot", plot.path])
        #expect(out.status == 0, "\(out.stderr)")
        let reports = try #require(try json(out.stdout) as? [[String: Any]])
        #expect(reports.count == 2)
        #expect(reports[0]["file"] as? String == chat.path && reports[0]["trainedOn"] as? [String] == [options.path])
        #expect(reports[1]["file"] as? String == options.path && reports[1]["trainedOn"] as? [String] == [chat.path])
        #expect(reports.map { $0["prompts"] as? Int } == [13, 24])
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.contains("routing.jsonl") && svg.contains("options.jsonl") && svg.contains("trained on"))
        let single = try run(["eval", "routing", "--cross-source", chat.path])
        #expect(single.status != 0 && single.stderr.contains("at least two"))
    }

    /// `--folds k`: each row is scored by the model trained without its fold, each fold is ranked on
    /// its own and the metrics are the folds' mean; a fold with no quality gap is left out and said
    /// so (which rows are out-of-fold is tested on `RoutingFolds.models`).
    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func foldsScoreEveryRowOutOfFold() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chat = try chatFixture(in: dir)
        let options = try optionsFixture(in: dir)
        let plot = dir.appendingPathComponent("plot.svg")
        let out = try run(["eval", "routing", "--folds", "3", chat.path, options.path + ":2", "--json", "--plot", plot.path])
        #expect(out.status == 0, "\(out.stderr)")
        let reports = try #require(try json(out.stdout) as? [[String: Any]])
        #expect(reports.map { $0["file"] as? String } == [chat.path, options.path])
        #expect(reports.allSatisfy { ($0["split"] as? String)?.hasPrefix("3-fold") == true })
        // Every strong score is 1: the mean over the folds used must say so, whatever folds were left out.
        #expect(reports.allSatisfy { abs(($0["strongQuality"] as? Double ?? 0) - 1) < 1e-12 })
        for report in reports {
            let prompts = report["prompts"] as? Int ?? 0
            let all = report["file"] as? String == chat.path ? 13 : 24
            let skipped = (report["split"] as? String)?.contains("no quality gap") == true
            #expect(skipped ? prompts < all && prompts > 0 : prompts == all, "\(report)")
        }
        for report in reports {
            let routers = try #require(report["routers"] as? [[String: Any]])
            #expect(routers.map { $0["router"] as? String } == ["lumen", "random (mean of 100)", "length-only"])
            #expect(routers.allSatisfy { (($0["apgr"] as? Double) ?? -1) >= 0 && (($0["apgr"] as? Double) ?? 2) <= 1 })
        }
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.contains("3-fold") && svg.contains("options.jsonl"))
        let one = try run(["eval", "routing", "--folds", "1", chat.path])
        #expect(one.status != 0 && one.stderr.contains("K ≥ 2"))
        let withModel = try run(["eval", "routing", "--folds", "3", chat.path, "--model", plot.path])
        #expect(withModel.status != 0 && withModel.stderr.contains("drop --model"))
    }

    /// The plot is drawn by a real browser engine: headless Chromium loads it and its DOM keeps the curves.
    @Test(.enabled(if: binary != nil && chromium != nil, "needs the lumen binary and chromium (apt-get install -y chromium)"))
    func plotRendersInChromium() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chat = try chatFixture(in: dir)
        let plot = dir.appendingPathComponent("plot.svg")
        let out = try run(["eval", "routing", chat.path, "--split", "all", "--plot", plot.path])
        #expect(out.status == 0, "\(out.stderr)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", plot.absoluteString]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(dom.contains("<svg"))
        #expect(dom.components(separatedBy: "<polyline").count - 1 == 3)  // lumen, length-only, random
        #expect(dom.contains("lumen (APGR"))
        #expect(dom.contains("share of prompts sent to the remote model"))
    }

    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func calibrateOnDataFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try chatFixture(in: dir)
        // 30% of 13 prompts → 4 remote (closest reachable share).
        let cal = try run(["calibrate", "--data", data.path, "--remote-share", "0.3", "--json"])
        #expect(cal.status == 0, "\(cal.stderr)")
        let result = try #require(try json(cal.stdout) as? [String: Any])
        #expect(abs((result["remoteShare"] as? Double ?? -1) - 4.0 / 13.0) < 1e-12)
        #expect(result["threshold"] is Double)
        #expect(result["prompts"] as? Int == 13)
    }

    /// `calibrate --audit` on a fixture log: each request counted once (a remote request has a
    /// decision and a completion record), records without scores ignored, `--since` honoured.
    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func calibrateOnAuditLog() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func classification(_ d: Double) -> String {
            #"{"difficulty":\#(d),"estimated_tokens":12,"findings":[],"language":"en","sensitivity":0.05,"topics":[]}"#
        }
        var lines = [#"{"id":"policy-1","kind":"policy","prevHash":"","seq":1,"ts":"2026-12-01T00:00:00.000Z","v":1}"#]
        // Ten requests, difficulty 0.05, 0.15, …, 0.95; the odd ones remote (decision + completion).
        for i in 0..<10 {
            let d = Double(2 * i + 1) / 20
            let ts = "2026-12-0\(i < 5 ? 1 : 2)T00:00:0\(i).000Z"
            if i % 2 == 1 {
                lines.append(
                    #"{"classification":\#(classification(d)),"id":"req-\#(i)","kind":"decision","prevHash":"","seq":0,"ts":"\#(ts)","v":1}"#)
            }
            lines.append(#"{"classification":\#(classification(d)),"id":"req-\#(i)","kind":"completion","prevHash":"","seq":0,"ts":"\#(ts)","v":1}"#)
        }
        // A request blocked before classification was stored.
        lines.append(#"{"id":"req-x","kind":"completion","prevHash":"","seq":0,"ts":"2026-12-02T00:00:09.000Z","v":1}"#)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("audit-2026-12-01-0001.jsonl"))

        let cal = try run(["calibrate", "--audit", dir.path, "--remote-share", "0.3", "--json"])
        #expect(cal.status == 0, "\(cal.stderr)")
        let result = try #require(try json(cal.stdout) as? [String: Any])
        #expect(result["prompts"] as? Int == 10)
        #expect(result["remoteShare"] as? Double == 0.3)
        #expect(abs((result["threshold"] as? Double ?? -1) - 0.75) < 1e-12)  // 0.75, 0.85, 0.95 go remote

        let recent = try run(["calibrate", "--audit", dir.path, "--since", "2026-12-02", "--remote-share", "0.4", "--json"])
        #expect(recent.status == 0, "\(recent.stderr)")
        let later = try #require(try json(recent.stdout) as? [String: Any])
        #expect(later["prompts"] as? Int == 5)  // requests 5–9
        #expect(abs((later["threshold"] as? Double ?? -1) - 0.85) < 1e-12)

        let text = try run(["calibrate", "--audit", dir.path, "--remote-share", "0.3"])
        #expect(text.status == 0 && text.stdout.contains("logged requests") && text.stdout.contains("difficulty: { min: 0.75 }"))
        let both = try run(["calibrate", "--audit", dir.path, "--data", "x.jsonl", "--remote-share", "0.3"])
        #expect(both.status != 0 && both.stderr.contains("exactly one"))
        let empty = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try run(["calibrate", "--audit", empty.path, "--remote-share", "0.3"])
        #expect(none.status != 0 && none.stderr.contains("no request"))
    }

    @Test(.enabled(if: binary != nil, "no lumen binary (set LUMEN_BIN or run `make build`)"))
    func badInputGivesClearErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"source\": \"x\", \"prompt\": \"hi\", \"weak_score\": 1, \"strong_score\": 1}\n{not json}\n".utf8).write(to: bad)
        let train = try run(["train", "difficulty", "--data", bad.path, "--out", dir.appendingPathComponent("m.json").path])
        #expect(train.status != 0)
        #expect(train.stderr.contains("bad.jsonl:2"))
        let weight = try run(["train", "difficulty", "--data", bad.path + ":-1", "--out", dir.appendingPathComponent("m.json").path])
        #expect(weight.status != 0 && weight.stderr.contains("weight"))
        let cal = try run(["calibrate", "--data", bad.path, "--remote-share", "1.5"])
        #expect(cal.status != 0)
        #expect(cal.stderr.contains("remote-share"))
        let missing = try run(["eval", "routing", dir.appendingPathComponent("nope.jsonl").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read"))
    }
}
