import Foundation
import Testing

/// End to end: the built `lumen` binary's `train difficulty`, `eval routing` and `calibrate`.
/// Uses $LUMEN_BIN, else .build/debug/lumen under the repository root; skips when neither exists.
struct DifficultyCLITests {
    private static func binary() -> String? {
        if let path = ProcessInfo.processInfo.environment["LUMEN_BIN"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let path = repositoryRoot().appendingPathComponent(".build/debug/lumen").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    private struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private func run(_ binary: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A small routing file: simple prompts tie, hard ones are won by the strong model.
    private func fixture(in directory: URL) throws -> URL {
        let simple = ["hi", "thanks!", "What is the capital of Italy?", "Translate 'cat' to German.", "Tell me a joke.", "你好", "Fix the typo: teh", "List two colours."]
        let hard = [
            "Prove that the square root of 2 is irrational, step by step, then derive a bound on its continued fraction.",
            "Implement a thread-safe LRU cache in Rust with O(1) get and put; explain every invariant you must maintain.",
            "Design a consensus protocol tolerating f Byzantine faults with 3f+1 nodes and prove its safety.",
            "请证明：任意两个奇数的平方和不是完全平方数，并写出推导步骤。",
            "Analyze the complexity of merge sort on linked lists and implement it in C without recursion; justify each step.",
        ]
        var lines: [String] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Row: Encodable {
            var source: String, prompt: String, weak_score: Double, strong_score: Double
        }
        for p in simple { lines.append(String(decoding: try encoder.encode(Row(source: "fixture/simple", prompt: p, weak_score: 1, strong_score: 1)), as: UTF8.self)) }
        for (i, p) in hard.enumerated() {
            lines.append(String(decoding: try encoder.encode(Row(source: "fixture/hard", prompt: p, weak_score: i == 4 ? 1 : 0, strong_score: 1)), as: UTF8.self))
        }
        let url = directory.appendingPathComponent("routing.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-difficulty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func trainEvalCalibrate() throws {
        guard let lumen = Self.binary() else {
            print("skipping DifficultyCLITests: no lumen binary (set LUMEN_BIN or run `make build`)")
            return
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try fixture(in: dir)
        let model1 = dir.appendingPathComponent("m1.json"), model2 = dir.appendingPathComponent("m2.json")
        let swift = dir.appendingPathComponent("BuiltIn.swift")

        // Train twice: identical bytes.
        let t1 = try run(lumen, ["train", "difficulty", "--data", data.path, "--out", model1.path, "--swift-out", swift.path, "--l2", "1"])
        #expect(t1.status == 0, "\(t1.stderr)")
        let t2 = try run(lumen, ["train", "difficulty", "--data", data.path, "--out", model2.path, "--l2", "1"])
        #expect(t2.status == 0, "\(t2.stderr)")
        #expect(try Data(contentsOf: model1) == Data(contentsOf: model2))
        let source = try String(contentsOf: swift, encoding: .utf8)
        #expect(source.contains("public static let builtIn = DifficultyModel("))

        // Evaluate the trained model on its own file: it separates the fixture.
        let eval = try run(lumen, ["eval", "routing", data.path, "--split", "all", "--model", model1.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let routers = try #require(report["routers"] as? [[String: Any]])
        let names = routers.compactMap { $0["router"] as? String }
        #expect(names.contains("lumen") && names.contains("length-only") && names.contains { $0.hasPrefix("random") })
        let lumenAPGR = try #require(routers.first { $0["router"] as? String == "lumen" }?["apgr"] as? Double)
        #expect(lumenAPGR > 0.75)  // a perfect ranking gives about 0.85 here (4 of 13 prompts gain), random 0.5
        #expect(report["prompts"] as? Int == 13)

        // Human-readable output too.
        let text = try run(lumen, ["eval", "routing", data.path, "--split", "all"])
        #expect(text.status == 0 && text.stdout.contains("APGR") && text.stdout.contains("length-only"))

        // Calibrate: 30% of 13 prompts → 4 remote (closest reachable share).
        let cal = try run(lumen, ["calibrate", "--data", data.path, "--remote-share", "0.3", "--model", model1.path, "--json"])
        #expect(cal.status == 0, "\(cal.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(cal.stdout.utf8)) as? [String: Any])
        #expect(abs((result["remoteShare"] as? Double ?? -1) - 4.0 / 13.0) < 1e-12)
        #expect(result["threshold"] is Double)
    }

    @Test func badInputGivesClearErrors() throws {
        guard let lumen = Self.binary() else {
            print("skipping DifficultyCLITests: no lumen binary (set LUMEN_BIN or run `make build`)")
            return
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"source\": \"x\", \"prompt\": \"hi\", \"weak_score\": 1, \"strong_score\": 1}\n{not json}\n".utf8).write(to: bad)
        let train = try run(lumen, ["train", "difficulty", "--data", bad.path, "--out", dir.appendingPathComponent("m.json").path])
        #expect(train.status != 0)
        #expect(train.stderr.contains("bad.jsonl:2"))
        let cal = try run(lumen, ["calibrate", "--data", bad.path, "--remote-share", "1.5"])
        #expect(cal.status != 0)
        #expect(cal.stderr.contains("remote-share"))
        let missing = try run(lumen, ["eval", "routing", dir.appendingPathComponent("nope.jsonl").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read"))
    }
}
