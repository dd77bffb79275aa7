import Foundation
import LumenTestSupport
import Testing

@testable import LumenClassifier

/// Feature extraction, model contract and training determinism.
struct DifficultyFeatureTests {
    private func feature(_ name: String, _ text: String) throws -> Double {
        let index = try #require(DifficultyFeatures.names.firstIndex(of: name))
        return DifficultyFeatures.extract(text)[index]
    }

    @Test func vectorMatchesNames() {
        #expect(Array(DifficultyFeatures.freeForm.prefix(DifficultyFeatures.ungated)) == ["open_length", "question_form"])
        #expect(DifficultyFeatures.extract("").count == DifficultyFeatures.names.count)
        #expect(DifficultyFeatures.extract("hello world").count == DifficultyFeatures.count)
        #expect(Set(DifficultyFeatures.names).count == DifficultyFeatures.count)
        #expect(DifficultyFeatures.extract("").allSatisfy { $0.isFinite })
    }

    @Test func answerOptionFeaturesFireOnlyOnOptions() throws {
        let mcq = "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:"
        let free = "Which planet is largest, and why did it not become a star?"
        #expect(try feature("mcq", mcq) == 1)
        #expect(try feature("mcq_option_share", mcq) > 0.2)
        #expect(abs(try feature("mcq_stem", mcq) - log(1 + 4)) < 1e-9)  // "Which planet is largest" = 4 words
        #expect(abs(try feature("mcq_length", mcq) - (log(1 + 13) - DifficultyFeatures.lengthCentre)) < 1e-9)  // 4 + 8 + "Answer" words
        #expect(try feature("open_length", mcq) == 0)
        let names = DifficultyFeatures.names
        let x = DifficultyFeatures.extract(free)
        for (name, value) in zip(names, x) where name.hasPrefix("mcq") {
            #expect(value == 0, "\(name)")
        }
    }

    /// Options written on the stem's line after a question asking for one thing or a label of choice ("…
    /// Which planet is largest? (A) Mars (B) Jupiter…", "Answer Choices: A) 21 B) 23…") are answer options
    /// too, scored as the lines would be. Letters in brackets that label the items of an enumeration, the
    /// parts of a task or the things a request asks about are not.
    @Test func inlineAnswerOptionsAreOptions() throws {
        let lines = "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth"
        let inline = "Which planet is largest? (A) Mars (B) Jupiter (C) Venus (D) Earth"
        #expect(try feature("mcq", inline) == 1)
        #expect(try feature("mcq_stem", inline) == feature("mcq_stem", lines))  // "Which planet is largest"
        #expect(try feature("mcq_length", inline) == feature("mcq_length", lines))
        #expect(try feature("question_form", inline) == 0 && feature("questions", inline) == 0)
        let choices = "A train covers 60 km in 45 minutes. What is its speed in km/h? Answer Choices: A) 70 B) 75 C) 80 D) 85"
        #expect(try feature("mcq", choices) == 1)
        #expect(abs(try feature("mcq_stem", choices) - log(1 + 17)) < 1e-9)  // 17 units up to "Choices", not the letter "A"
        #expect(abs(try feature("mcq_math_x_numbers", choices) / feature("mcq_math", choices) - log(1 + 2)) < 1e-9)  // 60, 45: the stem's
        for text in [
            "Q: What is the capital of France?\nOptions: (A) Berlin (B) Paris (C) Rome (D) Madrid\nA:",
            "太阳系最大的行星是哪一个？ A) 火星 B) 木星 C) 金星 D) 地球", "Which planet is largest?\t(A)\tMars\t(B)\tJupiter\t(C)\tVenus",
        ] {
            #expect(try feature("mcq", text) == 1, "\(text)")
        }
        #expect(DifficultyModel.builtIn.score(inline) < DifficultyModel.builtIn.score("Which planet is largest?") - 0.2)
        for text in [
            "Explain the difference between options (A) and (B) in the contract.",  // two
            "We can go with plan A) or plan B) or plan C) tomorrow, what do you think?",  // no question or choice before them
            "Which is better? (A) Mars (B) Jupiter (C) Venus, and why would anyone choose (A)?",  // a question after them
            "Rewrite this clause in plain English: The Licensee shall (A) pay all fees within thirty days, (B) maintain accurate records, "
                + "and (C) permit audits upon reasonable notice.",  // an enumeration
            "Let X be a random variable with density f(x) = 2x on [0,1]. (A) Compute E[X]. (B) Compute Var(X). (C) Find the median.",
            "Compute the following limits: (A) lim x->0 sin(x)/x (B) lim x->inf (1+1/x)^x (C) lim x->0 (1-cos x)/x^2",  // parts of a task
            "You are an agent. Available actions: (A) search_web (B) run_python (C) final_answer. Think step by step about the goal.",
            "帮我写一个Python脚本，要求 A) 读取CSV文件 B) 计算每列的平均值 C) 输出到Excel",
            "Which option? (A) covers the scope of the agreement, who may sign it for the company and which subsidiaries it binds "
                + "(B) lists the fees (C) sets out termination rights.",  // too long for an option
            "Compare (B) Jupiter (C) Venus (D) Earth",  // not from A
            // A request, a question about several things, or a label that is no choice's before them.
            "Could you do these three things for my React app? A) add dark mode B) fix the memory leak in useEffect C) write unit tests",
            "What are the differences between these sorting algorithms in terms of stability? (A) quicksort (B) mergesort (C) heapsort",
            "Please compare these options: (A) AWS Lambda (B) Google Cloud Run (C) Azure Functions",
            "请帮我完成下面的任务？ A) 读取CSV文件 B) 计算平均值 C) 输出结果",
            "Which planet is largest? (a) Mars (b) Jupiter (c) Venus",  // lower case: the parts of a problem
        ] {
            #expect(try feature("mcq", text) == 0, "\(text)")
        }
    }

    @Test func lengthCountsHanCharactersAsWords() throws {
        // Open-ended requests without demanding cues: the length is counted from eight words on.
        let english = try feature("open_length", "please write a warm note to my aunt who lives by the sea in the north of the country")
        let chinese = try feature("open_length", "请给住在北方海边的阿姨写一张温暖的卡片")
        #expect(abs(english - (log(1 + 19) - log(1 + 8))) < 1e-12)
        #expect(abs(chinese - (log(1 + 19) - log(1 + 8))) < 1e-12)
        #expect(try feature("open_length", "hi") == 0)  // floored
    }

    @Test func countsNumbersAndQuestions() throws {
        #expect(abs(try feature("numbers", "I paid $3.50 for 2 coffees and 1,200 yen for tea.") - log(1 + 3)) < 1e-12)
        #expect(abs(try feature("questions", "Why? How? 为什么？") - log(1 + 3)) < 1e-12)
    }

    /// A request put as a question: its last character other than white space is "?" or "？";
    /// never on an answer-option question (it ends with its options) nor for a question quoted
    /// inside a task.
    @Test func questionForm() throws {
        for text in [
            "How did US states get their names?", "can you explain how kickball is played ?  \r\n", "这个函数为什么会报错？\u{3000}", "Why?\u{a0}",
        ] {
            #expect(try feature("question_form", text) == 1, "\(text)")
        }
        for text in [
            "Write a limerick about a cat.", "Rewrite 'how are you?' more politely", "why is the sky blue", "",
            "?\nThat was a typo, ignore it.", "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth?",
            "Translate into French: Where is the train station?", "Rewrite more politely: why haven't you paid yet?",
        ] {
            #expect(try feature("question_form", text) == 0, "\(text)")
        }
        // The trained model leans a question towards the strong model, other things equal.
        let model = DifficultyModel.builtIn
        #expect(
            model.score("What are some good ways to learn to play the guitar as an adult?")
                > model.score("List some good ways to learn to play the guitar as an adult."))
    }

    /// Quantities written as words count like digits; "if", "then", "which" in a word problem are
    /// its own words, not a reasoning task; layout features of an answer-option question count only
    /// through their gated copies.
    @Test func wordProblemQuantitiesAndWeakCues() throws {
        let digits = "Ann has 3 boxes with 12 pens each. She gives 2 boxes to Ben. How many pens does she have left?"
        let words = "Ann has three boxes with a dozen pens each. She gives two boxes to Ben. How many pens does she have left?"
        #expect(try abs(feature("math_x_numbers", digits) - feature("math_x_numbers", words)) < 0.15)
        #expect(try feature("math_x_numbers", words) > 0.5)
        // Without a maths task around them number words weigh little (the maths score gates them).
        #expect(try feature("math_x_numbers", "The one thing I want is a dozen roses.") < 0.5 * feature("math_x_numbers", words))
        let problem =
            "If a train leaves at 3 pm and travels 60 miles per hour, then how many miles has it covered by 7 pm, and which city does it reach if the first stop is 200 miles away?"
        #expect(try feature("math", problem) > 0.5)
        #expect(try feature("reasoning", problem) == 0)
        #expect(try feature("reasoning", "If the plan fails, then which option should we take, and why?") > 0)
        // Number words alone do not make a puzzle a word problem: its reasoning cues still count.
        let puzzle = "Three friends each own one pet. If Ben owns the cat, then which friend owns the dog?"
        #expect(try feature("reasoning", puzzle) > 0)
        // The same for the other categories' weak cues: a letter written in the story is not a
        // creative-writing task, an art class not code; asked for, they are.
        let letters = "James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?"
        #expect(try feature("math", letters) > 0.5 && feature("creative", letters) == 0)
        #expect(try feature("creative", "Write a letter to my 2 friends about our trip.") > 0)
        let sticks = "Sam has 3 times as many sticks as Sid for their art class, and Sid has 12. How many sticks does Sam have?"
        #expect(try feature("math", sticks) > 0.5 && feature("code", sticks) == 0)
        #expect(try feature("code", "Why does my class not compile?") > 0)
        // Every number word is a maths cue of weight 1, the only value the scan looks them up for.
        #expect(DifficultyLexicon.numberWords.count == 29)
        for key in DifficultyLexicon.numberWords {
            #expect(DifficultyLexicon.table.lookup(key) & 0x3f == DifficultyLexicon.mathWeakCue)
        }
        #expect(["one", "ninety", "half", "dozen"].allSatisfy { DifficultyLexicon.numberWords.contains(CueHash.word(Substring($0))) })
        let question = "How many of these numbers are prime: 2, 9, 15, 17?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:"
        #expect(try feature("lines", question) == 0 && feature("mcq_lines", question) > 0)
        #expect(try feature("questions", question) == 0 && feature("mcq_questions", question) > 0)
        #expect(try feature("math_x_numbers", question) == 0 && feature("mcq_math_x_numbers", question) > 0)
    }

    @Test func interactionsFollowTheirParts() throws {
        let short = "What is 12 * 7?"
        let long =
            "A farmer has 120 eggs. He sells half of them at the market, then uses 15 to bake cakes and gives a third of the rest to his neighbour, who pays him $2 for each dozen. How much money does he get, and how many eggs does he have left?"
        #expect(try feature("math", long) > 0.5)
        #expect(try feature("math_x_length", long) > feature("math_x_length", short))
        #expect(try feature("math_x_numbers", long) > 0)
        // A short maths question keeps its category's effect: the maths × length term is centred on
        // a question of about fifteen words and numbers, so it is small there (centred on 55 words
        // the term was about −0.7 here, more than the category's own weight could make up).
        let triangle = "The vertices of a triangle are at (0, 0), (4, 0) and (1, 5). What is the area of the triangle?"
        #expect(try feature("math", triangle) > 0.5)
        #expect(try abs(feature("math_x_length", triangle)) < 0.3)
        let passage = String(repeating: "The river rises in the hills and flows past three towns before it reaches the sea. ", count: 6)
        #expect(try feature("context_question", passage + "Which town does it reach last?") > 0)
        #expect(try feature("context_question", short) == 0)
        #expect(
            try feature("context_question", "Write a long essay about rivers. " + String(repeating: "Rivers carry water to the sea. ", count: 20))
                == 0)
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
        for x in [-50.0, -1, 0, 2, 50] {
            #expect(abs(softplus(x) - log1p(exp(x))) < 1e-12 * max(1, x))
        }
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
        var old = DifficultyModel.builtIn
        old.version = 1
        #expect(throws: DifficultyModelError.self) { try old.validate() }
    }

    @Test func targetCountsTiesHalf() {
        #expect(RoutingExample(source: "s", prompt: "p", weakScore: 0, strongScore: 1).target == 1)
        #expect(RoutingExample(source: "s", prompt: "p", weakScore: 1, strongScore: 1).target == 0.5)
        #expect(RoutingExample(source: "s", prompt: "p", weakScore: 1, strongScore: 0).target == 0)
    }

    @Test func heldOutSplitIsByGroup() {
        let held = ["mmlu/college_mathematics", "mmlu/professional_medicine", "mmlu/marketing", "alpaca-eval/helpful_base"]
        let trained = ["mmlu/professional_law", "mmlu/moral_scenarios", "alpaca-eval/koala", "alpaca-eval/oasst", "other/college_mathematics"]
        for s in held { #expect(DifficultySplit.isHeldOut(source: s), "\(s)") }
        for s in trained { #expect(!DifficultySplit.isHeldOut(source: s), "\(s)") }
    }

    /// A model lists the keys of its training prompts; the list reads back as the same set, and a
    /// malformed list reads as none (the evaluation then falls back to the groups).
    @Test func trainedPromptKeysRoundTrip() {
        let prompts = ["hi", "What is 2+2?", "hi", "证明：√2 是无理数。", ""]
        let list = DifficultyModel.promptKeyList(prompts)
        #expect(list.utf8.count == 4 * 8 && list.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        var model = DifficultyModel(bias: 0)
        #expect(model.trainedPromptKeys() == nil)
        model.trainedPrompts = list
        #expect(model.trainedPromptKeys() == Set(prompts.map(DifficultySplit.promptKey)))
        #expect(!(model.trainedPromptKeys() ?? []).contains(DifficultySplit.promptKey("What is 2+3?")))
        model.trainedPrompts = String(list.dropLast())
        #expect(model.trainedPromptKeys() == nil)
        model.trainedPrompts = "0000000g"
        #expect(model.trainedPromptKeys() == nil)
        #expect(DifficultyModel.builtIn.trainedPromptKeys()?.contains(DifficultySplit.promptKey("hi")) == false)
    }

    /// `--folds k` deals rows by a hash of the prompt: the same prompt always lands in the same fold
    /// (a duplicate cannot be trained on and tested at once), and the folds are close to even.
    @Test func foldsAreByPromptAndEven() {
        let prompts = (0..<5000).map { "Question \($0): what is \($0 * 7) divided by 7?" }
        var counts = [Int](repeating: 0, count: 5)
        for p in prompts {
            let f = DifficultySplit.fold(prompt: p, of: 5)
            #expect((0..<5).contains(f) && f == DifficultySplit.fold(prompt: p, of: 5))
            counts[f] += 1
        }
        #expect(counts.allSatisfy { abs($0 - 1000) < 100 }, "\(counts)")
        for k in [2, 4] {
            var even = [Int](repeating: 0, count: k)
            for p in prompts { even[DifficultySplit.fold(prompt: p, of: k)] += 1 }
            #expect(even.allSatisfy { abs($0 - 5000 / k) < 5000 / k / 10 }, "\(k): \(even)")
        }
        // Not the parity of the odd bytes (FNV-1a's lowest bit): these differ by one even byte's value.
        let parity = ["a0", "a2", "a4", "a6", "a8", "b0", "b2", "b4", "b6", "b8"].map { DifficultySplit.fold(prompt: $0, of: 2) }
        #expect(Set(parity).count == 2)
    }

    /// Model k of `RoutingFolds.models` is trained on every row outside fold k and on none inside
    /// it (its list of training prompts says so), each source keeping its share.
    @Test func foldModelsNeverSeeTheirFold() throws {
        let hard = (0..<12).map {
            RoutingExample(source: "s/hard", prompt: "Prove lemma \($0) step by step and derive its bound.", weakScore: 0, strongScore: 1)
        }
        let easy = (0..<12).map { RoutingExample(source: "s/easy", prompt: "Say hi number \($0).", weakScore: 1, strongScore: 1) }
        let options = (0..<9).map {
            RoutingExample(source: "o/mcq", prompt: "Which is even?\nA. \($0)\nB. \($0 + 1)\nAnswer:", weakScore: $0 % 2 == 0 ? 1 : 0, strongScore: 1)
        }
        let sources = [TrainingSource(name: "chat", examples: hard + easy, share: 2), TrainingSource(name: "mcq", examples: options)]
        let models = try RoutingFolds.models(sources, folds: RoutingFolds.assign(sources, folds: 3), count: 3)
        #expect(models.count == 3)
        for (k, model) in models.enumerated() {
            let keys = try #require(model.trainedPromptKeys())
            for example in sources.flatMap(\.examples) {
                let inFold = DifficultySplit.fold(prompt: example.prompt, of: 3) == k
                #expect(keys.contains(DifficultySplit.promptKey(example.prompt)) == !inFold)
            }
            let outside = sources.map { s in
                TrainingSource(name: s.name, examples: s.examples.filter { DifficultySplit.fold(prompt: $0.prompt, of: 3) != k }, share: s.share)
            }
            #expect(try DifficultyTrainer().train(outside) == model)
        }
        #expect(throws: DifficultyModelError.self) { try RoutingFolds.models(sources, folds: RoutingFolds.assign(sources, folds: 1), count: 1) }
    }

    /// The built-in model ranks clearly demanding requests above clearly simple ones (handwritten, not trained on).
    @Test func builtInRanksDemandingAboveSimple() {
        let simple = [
            "hey there", "Thanks a lot!", "Rewrite 'see u soon' formally.", "Translate 'good night' into Spanish.",
            "Write a haiku about rain.", "你好", "把“早上好”翻译成英文。", "写一首关于月亮的短诗。",
        ]
        let demanding = [
            "Prove that every finite integral domain is a field, then derive the consequence for Z/pZ; justify each step.",
            "Implement a concurrent B-tree in C++ with fine-grained locking; explain how you avoid deadlock and analyze the complexity of insert and delete under contention.",
            "A tank holds 1,200 litres. Pipe A fills it in 6 hours and pipe B empties it in 9 hours. If both are opened when the tank is a quarter full, how many hours until it is full?",
            "请用Python实现一个LRU缓存，要求get和put操作的时间复杂度都是O(1)，并分析代码的正确性。",
        ]
        let model = DifficultyModel.builtIn
        #expect(simple.map(model.score).max()! < demanding.map(model.score).min()!)
    }
}

struct DifficultyConversationTests {
    @Test func singleTurnScoresItsText() {
        let model = DifficultyModel.builtIn
        let text = "Implement a trie in Rust with insert and prefix search."
        #expect(model.score(conversation: [.user(text)]) == model.score(text))
        #expect(DifficultyConversation.scoredText([]) == "")
        #expect(DifficultyConversation.scoredText([DifficultyTurn(role: .system, text: "Be brief."), .user("hi")]) == "hi")
    }

    @Test func followUpPullsInTheRequestItRefersTo() {
        let turns: [DifficultyTurn] = [
            .user("Write a Python function that merges overlapping intervals in O(n log n)."),
            .assistant("def merge(intervals): ..."),
            .user("Now make it thread-safe."),
        ]
        #expect(
            DifficultyConversation.scoredText(turns)
                == "Write a Python function that merges overlapping intervals in O(n log n).\n\nNow make it thread-safe.")
        let model = DifficultyModel.builtIn
        #expect(model.score(conversation: turns) > model.score("Now make it thread-safe."))
        // Chinese follow-up, and a chain of follow-ups.
        let zh: [DifficultyTurn] = [.user("用Rust实现一个无锁队列。"), .assistant("……"), .user("再详细一点"), .assistant("……"), .user("为什么？")]
        #expect(DifficultyConversation.scoredText(zh) == "用Rust实现一个无锁队列。\n\n再详细一点\n\n为什么？")
    }

    @Test func independentTurnStandsAlone() {
        let turns: [DifficultyTurn] = [
            .user("Prove that the square root of 2 is irrational."),
            .assistant("Suppose it were rational…"),
            .user("Unrelated question: what would be a good name for a small bakery in a seaside town?"),
        ]
        #expect(DifficultyConversation.scoredText(turns) == turns[2].text)
        #expect(
            DifficultyConversation.refersBack(
                "The code above crashes when the list is empty, and I need it to return an empty result instead of raising an exception in production."
            ))
        #expect(!DifficultyConversation.refersBack("Write a detailed essay about the history of the printing press in Europe."))
    }
}

struct DifficultyTrainingTests {
    static let easy = ["hi", "thanks!", "What is the capital of Italy?", "Translate 'cat' to German.", "Tell me a joke.", "你好"]
    static let hard = [
        "Prove that the square root of 2 is irrational, step by step, and then derive a bound on its continued fraction.",
        "Implement a thread-safe LRU cache in Rust with O(1) get and put; explain every invariant you must maintain.",
        "Design a consensus protocol tolerating f Byzantine faults with 3f+1 nodes and prove its safety.",
        "请证明：任意两个奇数的平方和不是完全平方数，并写出推导步骤。",
    ]

    static let fixture: [RoutingExample] = {
        var rows: [RoutingExample] = []
        for (i, p) in easy.enumerated() {
            rows.append(RoutingExample(source: "fixture/easy", prompt: p, weakScore: 1, strongScore: i % 3 == 0 ? 0 : 1))
        }
        for (i, p) in hard.enumerated() { rows.append(RoutingExample(source: "fixture/hard", prompt: p, weakScore: i == 0 ? 1 : 0, strongScore: 1)) }
        return rows
    }()

    /// A second, multiple-choice source of another size.
    static let options: [RoutingExample] = (0..<30).map { i in
        let stem =
            i % 2 == 0
            ? "Which of these is a prime number?"
            : "A contract dispute between a seller and a buyer who refused delivery after the price of grain fell sharply. Which argument best supports the seller?"
        return RoutingExample(
            source: "fixture/mcq", prompt: "\(stem)\nA. \(i)\nB. \(i + 1)\nC. \(i + 2)\nD. \(i + 3)\nAnswer:", weakScore: i % 2 == 0 ? 1 : 0,
            strongScore: 1)
    }

    static func sources(_ shares: (Double, Double)) -> [TrainingSource] {
        [TrainingSource(name: "free", examples: fixture, share: shares.0), TrainingSource(name: "mcq", examples: options, share: shares.1)]
    }

    private func bytes(_ model: DifficultyModel) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(model)
    }

    @Test func trainingTwiceGivesIdenticalBytes() throws {
        let a = try bytes(DifficultyTrainer().train(Self.sources((1, 1))))
        let b = try bytes(DifficultyTrainer().train(Self.sources((1, 1))))
        #expect(a == b)
        let single1 = try bytes(DifficultyTrainer().train(Self.fixture))
        let single2 = try bytes(DifficultyTrainer().train(Self.fixture))
        #expect(single1 == single2)
    }

    @Test func sourceWeightsMatter() throws {
        let even = try DifficultyTrainer().train(Self.sources((1, 1)))
        let skewed = try DifficultyTrainer().train(Self.sources((1, 4)))
        #expect(even != skewed)
        // Each source gets its share of the total weight, however many rows it has.
        let weights = try DifficultyTrainer.rowWeights(Self.sources((1, 3)))
        let n = Self.fixture.count
        let free = weights[..<n].reduce(0, +)
        let mcq = weights[n...].reduce(0, +)
        #expect(abs(free - Double(n + Self.options.count) / 4) < 1e-9)
        #expect(abs(mcq - 3 * free) < 1e-9)
        // Rows keep their own relative weights within a source.
        var rows = Self.fixture
        rows[0].weight = 3
        let within = try DifficultyTrainer.rowWeights([TrainingSource(name: "x", examples: rows)])
        #expect(abs(within[0] - 3 * within[1]) < 1e-12)
        #expect(abs(within.reduce(0, +) - Double(rows.count)) < 1e-9)
    }

    @Test func learnsToSeparateTheFixture() throws {
        let model = try DifficultyTrainer().train(Self.sources((1, 1)))
        try model.validate()
        let easy = Self.easy.map(model.score)
        let hard = Self.hard.map(model.score)
        #expect(easy.max()! < hard.min()!)
        // The multiple-choice source is learned through the gated weights: its two stems are told apart.
        let law = model.score(Self.options[1].prompt)
        let prime = model.score(Self.options[0].prompt)
        #expect(law > prime)
    }

    @Test func fixedPriorsStayFixedAndNoDataGivesThePriors() throws {
        let model = try DifficultyTrainer().train(Self.fixture)
        let priors = DifficultyPriors.standard
        for (name, (weight, prior)) in zip(DifficultyFeatures.names, zip(model.weights, priors.priors)) where !prior.precision.isFinite {
            #expect(weight == 0 && prior.mean == 0, "\(name)")
        }
        // A source with no multiple-choice rows leaves the gated weights at their prior: zero where
        // the prior mean is zero, of the prior's sign otherwise (the final Platt scaling rescales all
        // weights by one positive factor).
        for (index, name) in DifficultyFeatures.names.enumerated() where name.hasPrefix("mcq") {
            let mean = DifficultyPriors.answerOptionMeans[name] ?? 0
            if mean == 0 {
                #expect(model.weights[index] == 0, "\(name)")
            } else {
                #expect(model.weights[index].sign == mean.sign && model.weights[index] != 0, "\(name)")
            }
        }
    }

    /// Labels the features cannot explain (a source the priors do not describe): the calibration
    /// stays finite and bounded and keeps the priors' ranking (its slope may shrink towards zero,
    /// never turn it around or run away into scores of 0 and 1).
    @Test func calibrationOfAnUnexplainedSourceKeepsTheRanking() throws {
        let prompts = [
            "write a haiku about autumn leaves", "Tell me a joke about penguins.", "hi, how are you today?",
            "Write a Python function that parses a CSV file and returns the average of each column.",
            "Solve for x: 3x^2 - 12x + 9 = 0. Show your work step by step.",
            "Summarise the plot of Hamlet in two sentences.",
        ]
        let examples = (0..<60).map { i in
            RoutingExample(
                source: "fixture/noise", prompt: prompts[i % prompts.count], weakScore: i % 4 == 0 ? 1 : 0, strongScore: i % 4 == 0 ? 0 : 1)
        }
        let model = try DifficultyTrainer().train(examples)
        try model.validate()
        #expect(model.weights.allSatisfy { abs($0) < 100 } && abs(model.bias) < 100)
        let scores = prompts.map(model.score)
        #expect(scores.allSatisfy { $0 > 0.01 && $0 < 0.99 })
        #expect(scores[3] > scores[0] && scores[4] > scores[2])
    }

    @Test func rejectsBadInput() {
        #expect(throws: DifficultyModelError.self) { try DifficultyTrainer().train([RoutingExample]()) }
        let bad = [RoutingExample(source: "s", prompt: "p", weakScore: 0, strongScore: 1, weight: -1)]
        #expect(throws: DifficultyModelError.self) { try DifficultyTrainer().train(bad) }
        #expect(throws: DifficultyModelError.self) {
            try DifficultyTrainer().train([TrainingSource(name: "a", examples: Self.fixture, share: -1)])
        }
    }
}

/// The repository root (the shared test support's).
func repositoryRoot() -> URL { Harness.repoRoot }
