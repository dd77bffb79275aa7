import Foundation
import LumenTestSupport
import Testing

@testable import LumenClassifier

/// What must hold on kinds of prompts the training data does not have: length counts only where it
/// means more steps, exam questions that combine statements are marked, and the built-in model
/// orders handwritten prompts the way the priors say (directions only; these are sanity prompts,
/// never training data, and a score's absolute value is not checked).
struct DifficultyTransferTests {
    private func feature(_ name: String, _ text: String) throws -> Double {
        let index = try #require(DifficultyFeatures.names.firstIndex(of: name))
        return DifficultyFeatures.extract(text)[index]
    }

    static let longOpen =
        "Please write a friendly note to my neighbours inviting them to a small garden party on Saturday afternoon, mentioning that children and dogs are welcome and that we will have lemonade, cake and music until the evening."

    @Test func openLengthIsZeroForDemandingPrompts() throws {
        #expect(try feature("open_length", Self.longOpen) > 0.5)
        let maths =
            "A farmer has 120 eggs. He sells half of them at the market, then uses 15 to bake cakes and gives a third of the rest to his neighbour, who pays him $2 for each dozen. How much money does he get, and how many eggs does he have left?"
        #expect(try feature("math", maths) > 0.5)
        #expect(try feature("open_length", maths) < 0.5 * feature("open_length", Self.longOpen))
        let code =
            "```swift\nfunc f(_ x: Int) -> Int {\n    return x * 2;\n}\n```\nWhy does this crash when x is large? Fix it and explain the overflow."
        #expect(try feature("open_length", code) < 0.2)
    }

    @Test(arguments: [
        "Which of the following are true?\nI. The set is closed.\nII. The set is bounded.\nIII. The set is compact.\nA. I only\nB. II only\nC. I and II\nD. I, II and III\nAnswer:",
        "Statement 1 | Every group of order 4 is cyclic. Statement 2 | Every cyclic group is abelian.\nA. True, True\nB. True, False\nC. False, True\nD. False, False\nAnswer:",
        "For which of these two scenarios is the action wrong? Scenario 1 | I took the last cookie. Scenario 2 | I lied to my boss.\nA. Wrong, Wrong\nB. Wrong, Not wrong\nC. Not wrong, Wrong\nD. Not wrong, Not wrong\nAnswer:",
        "下列说法正确的是\n①光合作用需要光 ②呼吸作用释放能量 ③蒸腾作用吸收水分\nA. ①②\nB. ②③\nC. ①③\nD. ①②③\nAnswer:",
    ])
    func multiStatementQuestionsAreMarked(_ question: String) throws {
        #expect(try feature("mcq_statements", question) > 0)
    }

    /// Text in another script than Latin or Han is its share of the letters, and leans remote (the
    /// local models Lumen targets are trained mostly on English).
    @Test func otherScriptsLeanRemote() throws {
        #expect(try feature("other_script", "Напиши короткое стихотворение о море") == 1)
        #expect(try feature("other_script", "write a short poem about the sea") == 0)
        #expect(try feature("other_script", "写一首关于大海的短诗") == 0)
        let mixed = try feature("other_script", "Translate to English: Привет, как дела?")
        #expect(mixed > 0.3 && mixed < 0.8)
        #expect(try feature("other_script", "海についての短い詩を書いてください") > 0.4)  // kana beside the Han characters
        let model = DifficultyModel.builtIn
        #expect(model.score("Напиши короткое стихотворение о море") > model.score("write a short poem about the sea"))
        #expect(model.score("바다에 대한 짧은 시를 써 주세요") > model.score("write a short poem about the sea"))
    }

    /// Chinese exam papers write options with a full-width stop or an enumeration comma.
    @Test func chineseAnswerOptionsAreOptions() throws {
        #expect(try feature("mcq", "下列哪一项是质数（）\nA．4\nB．6\nC．7\nD．9") == 1)
        #expect(try feature("mcq", "下列说法正确的是\nA、水是化合物\nB、空气是纯净物\nC、铁是非金属\nD、氧气是混合物") == 1)
        #expect(try feature("mcq", "请列出三点：\n一、背景\n二、方法") == 0)
    }

    @Test func plainQuestionsAndFreeTextHaveNoStatementMarks() throws {
        #expect(try feature("mcq_statements", "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:") == 0)
        // Outside answer-option questions the feature is zero, whatever the text says.
        #expect(try feature("mcq_statements", "Statement 1 says the set is closed; is statement 2 (World War II) relevant?") == 0)
        // "ii" in lower case is not a numeral.
        #expect(try feature("mcq_statements", "Pick one.\nA. ii\nB. iii\nC. iv\nD. v\nAnswer:") == 0)
    }

    /// Word problems: more steps and quantities score higher (GSM8K-style), English and Chinese.
    @Test func multiStepWordProblemsScoreAboveOneStepOnes() {
        let model = DifficultyModel.builtIn
        let oneStep = "Tom has 5 apples. He eats 2. How many apples does he have left?"
        let sixSteps =
            "A baker makes 48 muffins each morning. She sells 3/4 of them before noon at $2.50 each and the rest in the afternoon at a 20% discount. She spends $18 on ingredients per day and pays her assistant $12 per hour for 6 hours. After 5 days, how much profit has she made in total?"
        #expect(model.score(sixSteps) > model.score(oneStep))
        let oneStepZh = "小明有5个苹果，吃了2个，还剩几个？"
        let manyStepsZh = "一个书店有120本书，第一天卖出总数的1/4，第二天卖出剩下的1/3，每本书售价25元，第三天又进了40本，三天后书店还有多少本书？两天一共卖了多少元？"
        #expect(model.score(manyStepsZh) > model.score(oneStepZh))
    }

    /// MT-bench-style categories: maths, reasoning, coding and extraction above writing, role-play and rewriting.
    @Test func demandingCategoriesScoreAboveOpenEndedOnes() {
        let model = DifficultyModel.builtIn
        let demanding = [
            "Prove that there are infinitely many primes of the form 4k+3. Explain your reasoning step by step.",
            "Implement a thread-safe LRU cache in Rust with O(1) get and put, generic over key and value types, and write unit tests for eviction order.",
            "Write a Python function to find the longest common subsequence of two strings, and explain its time complexity.",
            "Extract every person's name, date and amount from the following invoice text and return them as JSON:\nInvoice 2231 issued 2023-04-02 to Maria Lopez for 1,250 EUR. Second payment by John Smith on 2023-05-11, 300 EUR. Refund to Maria Lopez on 2023-06-01 of 50 EUR.",
            "The vertices of a triangle are at (0, 0), (4, 0) and (1, 5). What is the area of the triangle?",
            "When a number is divided by 8 the remainder is 5. What is the remainder when three times the number is divided by 4?",
            "Write a C++ program to find the nth Fibonacci number using recursion.",
            "James runs 3 sprints 3 times a week. He runs 60 meters each sprint. A second runner runs twice as many sprints but half the distance each. How many more meters does James run in 4 weeks?",
        ]
        let open = [
            "write a haiku about cats",
            "Rewrite this sentence to sound more formal: hey guys, the meeting got moved to 3pm.",
            "Pretend you are a pirate captain and greet the new crew members aboard your ship.",
            "Imagine you are a tour guide in Rome. Describe the Colosseum to a group of tourists.",
            "Write a persuasive essay arguing that cities should invest more in public libraries.",
            "写一首关于春天的短诗",
        ]
        let lowestDemanding = demanding.map(model.score).min()!
        for prompt in open {
            #expect(model.score(prompt) < lowestDemanding, "\(prompt)")
        }
    }

    /// The two handwritten probes (`data/mtstyle-probe.jsonl`: MT-bench-style first turns of eight
    /// categories; `data/arenastyle-probe.jsonl`: chat-arena-style user prompts), scored by the
    /// category gaps MT-bench reports between a Mixtral- and a GPT-4-class model: the built-in model
    /// routes them better than length alone and than chance. Sanity prompts written for this check,
    /// never trained on; the bar is a direction, not a tuned number.
    @Test(arguments: ["mtstyle-probe.jsonl", "arenastyle-probe.jsonl"])
    func categoryProbesRouteBetterThanLength(_ name: String) throws {
        let url = Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(name)
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(RoutingExample.self, from: Data($0.utf8))
        }
        #expect(rows.count >= 50)
        let weak = rows.map(\.weakScore)
        let strong = rows.map(\.strongScore)
        let lumen = try RoutingEvaluation.evaluate(scores: rows.map { DifficultyModel.builtIn.score($0.prompt) }, weak: weak, strong: strong)
        let length = try RoutingEvaluation.evaluate(scores: rows.map { Double($0.prompt.unicodeScalars.count) }, weak: weak, strong: strong)
        #expect(lumen.apgr > length.apgr + 0.05, "lumen \(lumen.apgr) vs length-only \(length.apgr)")
        #expect(lumen.apgr > 0.6)
    }

    /// Three sets of prompts written blind by helpers who had not seen the detector
    /// (`data/task-categories-a.jsonl`, 320 prompts, `-b`, 240, and `-c`, 260, about a third to half
    /// of them written to mislead keywords; English and Chinese), each labelled with its task and
    /// with the writer's expectation of how much a GPT-4-class model beats a Mixtral-class one
    /// ("strong", "small", "none"): the detector names the labelled task first for most prompts, and
    /// the built-in model scores prompts with a gap above those without. Set a guided the model
    /// format 5 rules, b checked them, c (written to stress maths without digits, generic
    /// instructions before maths, amount questions that are facts, figures in supplied texts)
    /// checked the fixes a review asked for. Before format 5: 183 / 320, 125 / 218, 137 / 239 named
    /// first, AUC 0.656, 0.550, 0.640; now 208, 140, 161 and 0.680, 0.580, 0.679. Floors a little under
    /// today's numbers: a regression check, not a target.
    @Test(arguments: [
        ("task-categories-a.jsonl", 0.62, 0.65), ("task-categories-b.jsonl", 0.60, 0.56), ("task-categories-c.jsonl", 0.63, 0.65),
    ])
    func blindCategorySetsAreToldApart(name: String, topShare: Double, gapAUC: Double) throws {
        struct Row: Decodable {
            var category: String
            var gap: String
            var prompt: String
        }
        let url = Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(name)
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Row.self, from: Data($0.utf8))
        }
        #expect(rows.count >= 200)
        var labelled = 0
        var first = 0
        var gap: [Double] = []
        var none: [Double] = []
        for row in rows {
            if let category = TaskCategory(rawValue: row.category) {
                labelled += 1
                if TaskProfile.of(row.prompt).detected(threshold: .leastNonzeroMagnitude).first == category { first += 1 }
            }
            let score = DifficultyModel.builtIn.score(row.prompt)
            if row.gap == "none" { none.append(score) } else { gap.append(score) }
        }
        let share = Double(first) / Double(labelled)
        let auc = gap.reduce(0.0) { sum, a in sum + none.reduce(0.0) { $0 + (a > $1 ? 1 : a == $1 ? 0.5 : 0) } } / Double(gap.count * none.count)
        #expect(share >= topShare, "\(first) of \(labelled) named first")
        #expect(auc >= gapAUC, "AUC \(auc)")
    }

    /// AlpacaEval's 468 dev prompts (real users' and self-instruct's requests), labelled blind with
    /// every task they ask for by a helper who saw neither the detector nor the routing labels
    /// (`data/task-categories-alpaca-labels.jsonl`: index, head, categories). Maths is the category
    /// with the most weight in the model: its precision was 0.51 (27 of 53) before a URL's slashes, a
    /// table's bars, "the number of" and "the value of" in a request to write stopped counting, 0.55
    /// (27 of 49) after, recall 0.71 both. Code 0.71 / 0.78. Floors a little under today's numbers.
    @Test(.enabled(if: Harness.hasSharedData("routing/alpaca-dev.jsonl"), "the shared data is not beside the repository"))
    func realPromptsAreReadAsTheirTasks() throws {
        struct Label: Decodable {
            var i: Int
            var categories: [String]
        }
        let prompts = try DifficultyRoutingTests.rows(DifficultyRoutingTests.alpaca).map(\.prompt)
        let url = Harness.repoRoot.appendingPathComponent("data/task-categories-alpaca-labels.jsonl")
        let labels = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Label.self, from: Data($0.utf8))
        }
        #expect(labels.count == prompts.count && labels.map(\.i) == Array(prompts.indices))
        let profiles = prompts.map(TaskProfile.of)
        func measure(_ category: TaskCategory) -> (precision: Double, recall: Double) {
            var (hits, detected, gold) = (0, 0, 0)
            for (label, profile) in zip(labels, profiles) {
                let isGold = label.categories.contains(category.rawValue)
                let found = profile.contains(category)
                if found { detected += 1 }
                if isGold { gold += 1 }
                if found && isGold { hits += 1 }
            }
            return (Double(hits) / Double(max(detected, 1)), Double(hits) / Double(max(gold, 1)))
        }
        let math = measure(.math)
        #expect(math.precision >= 0.53 && math.recall >= 0.68, "\(math)")
        let code = measure(.code)
        #expect(code.precision >= 0.68 && code.recall >= 0.75, "\(code)")
    }

    /// 120 prompts about scripts written blind by a helper who had not seen the detector
    /// (`data/task-scripts-blind.jsonl`; 85 English, 35 Chinese; a third of each kind written to
    /// mislead: programs about media and people, spoken scripts about technical things). Before the
    /// script rule 59 of 60 programs and 1 of 60 spoken scripts were named right; now 59 and 39 (a
    /// spoken script about an app, an API or Python stays code). Floors a little under that.
    @Test func scriptsWrittenBlindAreToldApart() throws {
        struct Row: Decodable {
            var prompt: String
            var want: String
        }
        let url = Harness.repoRoot.appendingPathComponent("data").appendingPathComponent("task-scripts-blind.jsonl")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Row.self, from: Data($0.utf8))
        }
        #expect(rows.count == 120)
        var right: [String: Int] = [:]
        for row in rows where TaskProfile.of(row.prompt).detected(threshold: .leastNonzeroMagnitude).first?.rawValue == row.want {
            right[row.want, default: 0] += 1
        }
        #expect(right["code", default: 0] >= 57, "\(right)")
        #expect(right["creative", default: 0] >= 36, "\(right)")
    }

    /// A model trained on free-form prompts alone still ranks exam questions by the answer-option
    /// priors (a longer question, several statements per option), not by a length effect learned on
    /// chat instructions.
    @Test func freeFormTrainingKeepsTheExamPriors() throws {
        let model = try DifficultyTrainer().train(DifficultyTrainingTests.fixture)
        let short = "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:"
        let long =
            "A satellite in a circular orbit around a planet is moved to a higher circular orbit by two short engine burns. Compared with its original orbit, which of its quantities has decreased?\nA. Its orbital period\nB. Its total energy\nC. Its orbital speed\nD. Its angular momentum\nAnswer:"
        #expect(model.score(long) > model.score(short))
        let statements =
            "Statement 1 | Every planet has a moon. Statement 2 | Mars is larger than Earth.\nA. True, True\nB. True, False\nC. False, True\nD. False, False\nAnswer:"
        let single = "Which of these planets has a moon?\nA. Mercury\nB. Venus\nC. Earth\nD. None of them\nAnswer:"
        #expect(model.score(statements) > model.score(single))
    }
}
