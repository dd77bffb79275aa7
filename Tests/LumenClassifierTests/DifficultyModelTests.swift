import Foundation
import Testing

@testable import LumenClassifier

/// Feature extraction, model contract and training determinism.
struct DifficultyFeatureTests {
    private func feature(_ name: String, _ text: String) throws -> Double {
        let index = try #require(DifficultyFeatures.names.firstIndex(of: name))
        return DifficultyFeatures.extract(text)[index]
    }

    @Test func vectorMatchesNames() {
        #expect(DifficultyFeatures.extract("").count == DifficultyFeatures.names.count)
        #expect(DifficultyFeatures.extract("hello world").count == DifficultyFeatures.count)
        #expect(Set(DifficultyFeatures.names).count == DifficultyFeatures.count)
    }

    @Test func detectsCode() throws {
        let code = "def add(a, b):\n    return a + b\n\nclass Foo { func bar() { let x = [1, 2]; } }"
        let prose = "The weather was lovely and we walked along the river for an hour."
        #expect(try feature("code_words", code) > 1)
        #expect(try feature("code_ratio", code) > 0.05)
        #expect(try feature("code_words", prose) == 0)
        #expect(try feature("code_ratio", prose) == 0)
    }

    @Test func detectsMaths() throws {
        let maths = "Solve x^2 + 3x - 4 = 0 and show that ∑ 1/n² = π²/6."
        #expect(try feature("math_ratio", maths) > 0.1)
        #expect(try feature("log_math", maths) > 2)
        #expect(try feature("digit_ratio", maths) > 0.05)
        #expect(try feature("math_ratio", "Tell me about your day.") == 0)
    }

    @Test func measuresCJKShare() throws {
        #expect(try feature("cjk_ratio", "请证明这个定理") == 1)
        #expect(try feature("cjk_ratio", "hello") == 0)
        let mixed = try feature("cjk_ratio", "abcd中文")
        #expect(abs(mixed - 2.0 / 6.0) < 1e-12)
        // Chinese cue words count like English ones.
        #expect(try feature("reasoning_words", "请证明并推导这个公式") > 0)
        #expect(try feature("simple_words", "你好，谢谢") > 0)
    }

    @Test(arguments: [
        ("Why does ice float on water?", "open_question", 1.0),
        ("How would you design a cache?", "open_question", 1.0),
        ("What is the capital of Peru?", "fact_question", 1.0),
        ("What is the capital of Peru?", "open_question", 0.0),
        ("Translate this into French.", "fact_question", 1.0),
        ("The river is long.", "open_question", 0.0),
        ("The river is long.", "fact_question", 0.0),
    ])
    func questionType(text: String, name: String, expected: Double) throws {
        #expect(try feature(name, text) == expected)
    }

    @Test func findsAnswerOptions() throws {
        let mcq = "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:"
        #expect(try feature("option_lines", mcq) == 1)  // 4 options / 4
        #expect(try feature("option_share", mcq) > 0.2)
        #expect(abs(try feature("log_stem_length", mcq) - log(1 + 24)) < 1e-9)
        #expect(try feature("option_lines", "A plain request with no options.") == 0)
    }

    @Test func logAndExpAreAccurate() {
        for x in [1e-9, 0.5, 1, 2, 10, 1234.5, 1e12] {
            #expect(abs(naturalLog(x) - log(x)) < 1e-12 * max(1, abs(log(x))))
        }
        for x in [-30.0, -1, 0, 0.5, 3, 40] {
            #expect(abs(naturalExp(x) - exp(x)) <= 1e-13 * exp(x))
        }
        #expect(sigmoid(0) == 0.5)
        #expect(sigmoid(-800) == 0)
        #expect(sigmoid(800) == 1)
    }
}

struct DifficultyModelContractTests {
    @Test func builtInIsValidAndScoresInUnitInterval() throws {
        try DifficultyModel.builtIn.validate()
        for text in ["", "hi", String(repeating: "prove the theorem ", count: 2000), "请证明", "\u{0}\u{FFFF}"] {
            let s = DifficultyModel.builtIn.score(text)
            #expect(s >= 0 && s <= 1)
        }
    }

    @Test func builtInMatchesCommittedJSON() throws {
        let url = repositoryRoot().appendingPathComponent("models/difficulty.json")
        let data = try Data(contentsOf: url)
        let model = try JSONDecoder().decode(DifficultyModel.self, from: data)
        #expect(model == DifficultyModel.builtIn)
    }

    @Test func rejectsMismatchedModel() {
        var model = DifficultyModel.builtIn
        model.features[0] = "something_else"
        #expect(throws: DifficultyModelError.self) { try model.validate() }
        var short = DifficultyModel.builtIn
        short.weights.removeLast()
        #expect(throws: DifficultyModelError.self) { try short.validate() }
    }

    @Test func targetCountsTiesHalf() {
        #expect(RoutingExample(source: "s", prompt: "p", weakScore: 0, strongScore: 1).target == 1)
        #expect(RoutingExample(source: "s", prompt: "p", weakScore: 1, strongScore: 1).target == 0.5)
        #expect(RoutingExample(source: "s", prompt: "p", weakScore: 1, strongScore: 0).target == 0)
    }

    @Test func heldOutSplitIsBySubject() {
        let held = ["mmlu/college_mathematics", "mmlu/professional_medicine", "mmlu/marketing"]
        let trained = ["mmlu/professional_law", "mmlu/moral_scenarios", "handwritten/hard", "other/college_mathematics"]
        for s in held { #expect(DifficultySplit.isHeldOut(source: s), "\(s)") }
        for s in trained { #expect(!DifficultySplit.isHeldOut(source: s), "\(s)") }
    }
}

struct DifficultyTrainingTests {
    static let fixture: [RoutingExample] = {
        var rows: [RoutingExample] = []
        let easy = ["hi", "thanks!", "What is the capital of Italy?", "Translate 'cat' to German.", "Tell me a joke.", "你好"]
        let hard = [
            "Prove that the square root of 2 is irrational, step by step, and then derive a bound on its continued fraction.",
            "Implement a thread-safe LRU cache in Rust with O(1) get and put; explain every invariant you must maintain.",
            "Design a consensus protocol tolerating f Byzantine faults with 3f+1 nodes and prove its safety.",
            "请证明：任意两个奇数的平方和不是完全平方数，并写出推导步骤。",
        ]
        for (i, p) in easy.enumerated() { rows.append(RoutingExample(source: "fixture/easy", prompt: p, weakScore: 1, strongScore: i % 3 == 0 ? 0 : 1)) }
        for (i, p) in hard.enumerated() { rows.append(RoutingExample(source: "fixture/hard", prompt: p, weakScore: i == 0 ? 1 : 0, strongScore: 1)) }
        return rows
    }()

    @Test func trainingTwiceGivesIdenticalBytes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let a = try encoder.encode(DifficultyTrainer(l2: 1).train(Self.fixture))
        let b = try encoder.encode(DifficultyTrainer(l2: 1).train(Self.fixture))
        #expect(a == b)
    }

    @Test func learnsToSeparateTheFixture() throws {
        let model = try DifficultyTrainer(l2: 1).train(Self.fixture)
        try model.validate()
        let easy = Self.fixture.filter { $0.source == "fixture/easy" }.map { model.score($0.prompt) }
        let hard = Self.fixture.filter { $0.source == "fixture/hard" }.map { model.score($0.prompt) }
        #expect(easy.max()! < hard.min()!)
    }

    @Test func rejectsBadInput() {
        #expect(throws: DifficultyModelError.self) { try DifficultyTrainer().train([]) }
        let bad = [RoutingExample(source: "s", prompt: "p", weakScore: 0, strongScore: 1, weight: -1)]
        #expect(throws: DifficultyModelError.self) { try DifficultyTrainer().train(bad) }
    }

    /// The built-in model ranks clearly hard requests above clearly simple ones (not MMLU, not trained on).
    @Test func builtInRanksHardAboveSimple() {
        let simple = ["hey there", "Thanks a lot!", "What is 2 + 2?", "Rewrite 'see u soon' formally."]
        let hard = [
            "Prove that every finite integral domain is a field, then derive the consequence for Z/pZ; justify each step.",
            "Implement a concurrent B-tree in C++ with fine-grained locking; explain how you avoid deadlock and analyze the complexity of insert and delete under contention.",
        ]
        let model = DifficultyModel.builtIn
        #expect(simple.map(model.score).max()! < hard.map(model.score).min()!)
    }
}

/// The repository root, from this file's path (Tests/LumenClassifierTests/…).
func repositoryRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
