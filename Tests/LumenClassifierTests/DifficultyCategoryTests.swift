import Testing

@testable import LumenClassifier

/// Task-category detection, English and Chinese: each category on prompts of its kind (detected)
/// and on prompts of other kinds (not detected). Handwritten prompts; the expected value is the
/// category of the request, not a routing label.
struct DifficultyCategoryTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var category: TaskCategory
        var text: String
        var expected: Bool
        var testDescription: String { "\(expected ? "" : "not ")\(category.rawValue): \(text.prefix(48))" }
    }

    static func yes(_ category: TaskCategory, _ texts: String...) -> [Case] {
        texts.map { Case(category: category, text: $0, expected: true) }
    }

    static func no(_ category: TaskCategory, _ texts: String...) -> [Case] {
        texts.map { Case(category: category, text: $0, expected: false) }
    }

    static let cases: [Case] =
        yes(
            .math,
            "A baker made 48 muffins and sold half of them before noon. In the afternoon she baked 30 more and sold 25. How many muffins are left?",
            "Tom earns $15 an hour and works 6 hours a day, 5 days a week. How much does he earn in 4 weeks?",
            "Solve the quadratic equation 2x^2 - 7x + 3 = 0.",
            "The vertices of a triangle are at (0, 0), (4, 0) and (0, 3). What is its area?",
            "Prove that sqrt 2 is irrational.",
            "Prove that there are infinitely many primes.",
            "小明有25个苹果，给了小红8个，又买了12个，现在一共有多少个苹果？",
            "一辆汽车每小时行驶60公里，3小时能行驶多少公里？",
            "解方程：2x + 5 = 17。"
        )
        + no(
            .math,
            "Write a poem about the ocean at night.",
            "Rewrite this sentence to sound more formal: gonna be late, sorry.",
            "I have an almost irrational dislike of open-plan offices. Help me explain it to my manager.",
            "What are the main differences between utilitarianism and deontological ethics?",
            "请把这段话改写得更正式一些：我明天不来了。",
            "写一首关于春天的诗。"
        )
        + yes(
            .reasoning,
            "Is the following argument valid? All cats are mammals; some mammals fly; therefore some cats fly. Explain your reasoning step by step.",
            "Which word does not belong with the others: apple, banana, carrot, grape?",
            "Prove that the sum of two even numbers is even.",
            "甲说乙在说谎，乙说丙在说谎，丙说甲和乙都在说谎。请推理谁说的是真话，并写出推理过程。",
            "请分析这个方案的利弊，并给出最优策略。",
            "请证明：任意两个奇数之和是偶数。"
        )
        + no(
            .reasoning,
            "hi there!",
            "Translate \"where is the train station\" into French.",
            "Write a short story about a dragon who is afraid of fire.",
            "你好！",
            "把“我爱你”翻译成英文。"
        )
        + yes(
            .code,
            "Write a Python function that returns the nth Fibonacci number using memoization.",
            "Here is my JavaScript code, it throws \"undefined is not a function\". Can you debug it? ```const x = foo.bar(); x()```",
            "Explain what this SQL query does: SELECT name, COUNT(*) FROM orders GROUP BY name HAVING COUNT(*) > 3;",
            "Why does my Rust program fail to compile with a borrow checker error?",
            "def mean(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)\n\nWhy does this crash on an empty list?",
            "用Python写一个函数，判断一个字符串是否是回文。",
            "我的代码报错了：IndexError: list index out of range，帮我调试一下。"
        )
        + no(
            .code,
            "Write a haiku about autumn leaves.",
            "What is the capital of Australia?",
            "A train travels 120 miles in 2 hours. What is its average speed?",
            "中国的首都是哪里？",
            "谢谢你的帮助，哈哈。"
        )
        + yes(
            .constraints,
            "Write a 200-word product description for a water bottle. Use exactly 3 bullet points, do not use the word \"amazing\", and end with a question.",
            "Answer in JSON format with the keys \"name\" and \"age\". Your entire response should be in lowercase.",
            "List 5 tips for sleeping better in a numbered list, at least 10 words each and no more than 80 words in total.",
            "用不超过100字介绍长城，必须分三点，以“总之”结尾。",
            "请以JSON格式输出，包含姓名和年龄两个字段，不要输出其他内容。"
        )
        + no(
            .constraints,
            "Tell me a joke about cats.",
            "Who wrote Pride and Prejudice?",
            "Explain how vaccines train the immune system.",
            "给我讲一个笑话。",
            "什么是人工智能？"
        )
        + yes(
            .extraction,
            """
            Extract every company name and its chief executive mentioned in the following article and return them as a table.
            Northwind Traders, led by Maria Lopez, announced a merger with Contoso, whose chief executive Sam Lee said the deal \
            would close in spring. Analysts at Fabrikam expected regulators to approve it, while Adventure Works, run by Priya \
            Nair, said it would compete on price. The new company will be based in Oslo and employ about four thousand people.
            """,
            """
            Based on the passage below, answer the following questions: who founded the library, and when did it move?
            The city library was founded in 1872 by a group of teachers who pooled their books. It moved to the old customs \
            house in 1921 after a fire, and to its present building in 1988, when the collection passed half a million volumes.
            """,
            "请从以下文章中提取所有人名和地名：张伟昨天从上海出发，经过南京，最后到达北京，与李娜和王强见面，讨论了在广州开设新办公室的计划。"
        )
        + no(
            .extraction,
            "hello, how are you?",
            "Write a poem about the sea.",
            "Implement a binary search in C.",
            "你好，今天天气怎么样？"
        )
        + yes(
            .chat,
            "hi there!",
            "Thanks a lot, you're the best.",
            "How are you doing today?",
            "你好！",
            "谢谢你的帮助，哈哈。"
        )
        + no(
            .chat,
            "Solve the quadratic equation 2x^2 - 7x + 3 = 0.",
            "Implement a binary search tree in C++ with insert and delete.",
            "Summarize this email in one sentence: the meeting moved to Friday.",
            "解方程：2x + 5 = 17。",
            "请分析这个方案的利弊，并给出最优策略。"
        )
        + yes(
            .rewriting,
            "Rewrite this sentence to sound more formal: gonna be late, sorry.",
            "Please proofread my paragraph and fix the grammar: their going to the park tomorow.",
            "Summarize this email in one sentence: The meeting moved to Friday because the room is booked.",
            "请把这段话改写得更正式一些：我明天不来了。",
            "帮我润色一下这封邮件。"
        )
        + no(
            .rewriting,
            "Write a Python function that reverses a list.",
            "What is the capital of Peru?",
            "Prove that there are infinitely many primes.",
            "用Python写一个函数，判断一个字符串是否是回文。",
            "中国的首都是哪里？"
        )
        + yes(
            .translation,
            "Translate \"where is the train station\" into French.",
            "Please translate the following paragraph to English: Der Zug hat Verspätung.",
            "把“我爱你”翻译成英文。",
            "请把这句话译成日语：明天见。"
        )
        + no(
            .translation,
            "Write a poem about the ocean at night.",
            "Who wrote Pride and Prejudice?",
            "写一首关于春天的诗。",
            "小明有25个苹果，给了小红8个，现在有多少个苹果？"
        )
        + yes(
            .creative,
            "Write a poem about the ocean at night.",
            "Pretend you are a pirate captain and greet your crew.",
            "Write a short story about a dragon who is afraid of fire.",
            "写一首关于春天的诗。",
            "请扮演一位老师，给学生讲一个故事。"
        )
        + no(
            .creative,
            "What is the derivative of x^3 * sin(x)?",
            "Explain what this SQL query does: SELECT 1;",
            "When did World War II end?",
            "解方程：2x + 5 = 17。",
            "《红楼梦》的作者是谁？"
        )
        + yes(
            .lookup,
            "What is the capital of Australia?",
            "Who wrote Pride and Prejudice?",
            "When did World War II end?",
            "Define the word serendipity.",
            "中国的首都是哪里？",
            "《红楼梦》的作者是谁？",
            "什么是人工智能？"
        )
        + no(
            .lookup,
            "Write a short story about a dragon who is afraid of fire.",
            "What is the value of x if 3x + 7 = 22?",
            "Implement a function that merges two sorted arrays.",
            "求函数 f(x) = x² - 4x + 3 的最小值。",
            "请分析这个方案的利弊，并给出最优策略。"
        )

    @Test(arguments: cases)
    func detects(_ c: Case) {
        let profile = TaskProfile.of(c.text)
        #expect(profile.contains(c.category) == c.expected, "\(c.category.rawValue) = \(profile[c.category]); detected \(profile.detected())")
    }

    /// Every category has true and false cases in both languages.
    @Test func tableCoversEveryCategoryInBothLanguages() {
        for category in TaskCategory.allCases {
            for expected in [true, false] {
                let texts = Self.cases.filter { $0.category == category && $0.expected == expected }.map(\.text)
                #expect(
                    texts.contains { $0.unicodeScalars.contains { $0.value >= 0x4e00 && $0.value <= 0x9fff } },
                    "\(category) \(expected): no Chinese case")
                #expect(texts.contains { $0.unicodeScalars.allSatisfy { $0.value < 0x3000 } }, "\(category) \(expected): no English case")
            }
        }
    }

    @Test func scoresAreBoundedAndLengthNormalised() {
        let once = TaskProfile.of("Debug this Python code.")
        let diluted = TaskProfile.of("Debug this Python code. " + String(repeating: "The weather was pleasant and the walk was long. ", count: 60))
        #expect(once[.code] >= 0.5 && once[.code] < 1)
        #expect(diluted[.code] < once[.code])
        for category in TaskCategory.allCases {
            #expect(TaskProfile.of("")[category] == 0)
        }
    }

    /// "How many…", "多少": a computation when the text gives quantities, a fact when it gives none.
    @Test(arguments: [
        ("How many bones are in the adult human body?", TaskCategory.lookup),
        ("how much does an adult blue whale weigh", .lookup),
        ("珠穆朗玛峰最新的测量高度是多少米？", .lookup),
        ("A farmer has 12 cows and buys 7 more, then sells 5. How many cows does he have now?", .math),
        ("Anna is three times as old as her son. In twelve years she will be twice as old. How old is she?", .math),
        ("小明有25个苹果，给了小红8个，现在有多少个苹果？", .math),
        ("三个人三天喝三桶水，九个人九天喝多少桶水？", .math),  // Chinese numerals are quantities
        ("How many ways can you arrange the letters of BANANA?", .math),
        // Numerals in names are no quantities.
        ("四川省有多少人口？", .lookup), ("百度有多少员工？", .lookup), ("千岛湖有多少个岛？", .lookup),
    ])
    func amountQuestionsAreMathsOnlyWithQuantities(text: String, category: TaskCategory) {
        let profile = TaskProfile.of(text)
        #expect(profile.detected().first == category, "\(profile.detected()) \(profile.scores)")
    }

    /// A request to extract from, rewrite or translate a supplied text: the text's figures and prices
    /// are what it says, not a calculation.
    @Test(arguments: [
        """
        Pull out the vendor, invoice number, due date and total from this invoice:

        ACME Supplies Ltd, invoice no. 20931, issued 3 March 2024, due 2 April 2024. 12 boxes of paper \
        at $4.50 each: $54.00. 3 toner cartridges at $61.20 each: $183.60. Shipping: $12.00. Subtotal \
        $249.60, VAT 20% $49.92, total $299.52. Pay within 30 days by bank transfer to the account \
        below, quoting the invoice number; late payments are charged 1.5% a month. Questions about this \
        invoice: accounts@acme.example, or call the office on weekdays between 9 and 5.
        """,
        """
        Rewrite this paragraph so it sounds less formal: "In the fiscal year 2023, the company recorded \
        revenue of 4.2 million dollars, an increase of 18 percent over the 3.6 million recorded in 2022, \
        while operating costs rose by 7 percent to 2.9 million and headcount grew from 41 to 56."
        """,
        "从下面这条短信里提取取件码和截止时间：【驿站】您的包裹已到北门丰巢柜，取件码 6-2-3015，请于今天21:00前取件，超时将收取0.5元/12小时保管费，共计可能产生3元费用，详询客服电话95338。",
    ])
    func figuresInASuppliedTextAreNotMaths(text: String) {
        let profile = TaskProfile.of(text)
        #expect(!profile.contains(.math) && profile.detected().first.map { [.extraction, .rewriting].contains($0) } == true, "\(profile.detected())")
    }

    /// Generic instructions before a maths problem ("find all", "answer the following", "根据以下")
    /// are extraction cues, but no text is supplied to extract from: the maths stays maths. A table
    /// supplied with a request to calculate keeps the calculation.
    @Test(arguments: [
        "Find all real numbers x such that |2x - 3| < 5 and x^2 > 4.",
        "Answer the following question.\nA bag contains 5 red marbles and 3 blue marbles. Two marbles are drawn without replacement. What is the probability that both are red?",
        "Based on the following table of monthly sales, calculate the month-over-month growth rate for each month.\nJan 1200\nFeb 1350\nMar 1290\nApr 1500\nMay 1620\nJun 1580\nJul 1710\nAug 1800",
        "根据以下条件求解：已知函数 f(x) = x^2 - 4x + 3，求 f(x) 在区间 [0, 5] 上的最大值和最小值。",
        // A translation or summary cue inside the problem (or after it) is the problem's.
        "请解答下面的应用题：某班有四十八名学生，其中参加数学兴趣小组的有二十七人，参加英语兴趣小组的有二十五人，两个小组都参加的有十人，两个小组都没有参加的有多少人？",
        "Quick question for my homework: a recipe for 4 people needs 300 g of flour, 2 eggs and 150 ml of milk. How much of each do I need for 10 people, and how many eggs should I buy if they come in boxes of 6? Please summarize the amounts in a short list.",
    ])
    func mathsAfterAGenericInstructionStaysMaths(text: String) {
        #expect(TaskProfile.of(text).detected().first == .math, "\(TaskProfile.of(text).detected())")
    }

    /// No maths without a calculation: a URL's slashes, a table's bars, "the number of" or "the value of"
    /// in a request to write (found on AlpacaEval's prompts labelled blind). Divisions, rates and a
    /// variable's value stay maths.
    @Test(arguments: [
        "Convert this citation to APA style: Vaswani, A. et al. Attention is all you need. https://doi.org/10.48550/arXiv.1706.03762",
        "Summarise the discussion at https://github.com/org/repo/issues/1234/comments/5678 for me.",
        "Fill in this table with a short bio of each player:\n| Name | Team |\n|------|------|\n| 1 | 2 |\n| 3 | 4 |",
        "Write an interview with a film director about the low number of female directors in world cinema.",
        "Help me write a proposal that highlights the value of having an editor for a first book.",
    ])
    func wordsAndLinksAreNotMaths(text: String) {
        #expect(!TaskProfile.of(text).contains(.math), "\(TaskProfile.of(text).scores)")
    }

    @Test(arguments: [
        "What is 3/4 + 5/6, as a fraction in lowest terms?",
        "A train covers 240 km at 80 km/h. How long does it take?",
        "Find the value of x if 3x + 7 = 22.",
    ])
    func divisionsRatesAndUnknownsStayMaths(text: String) {
        #expect(TaskProfile.of(text).contains(.math), "\(TaskProfile.of(text).scores)")
    }

    /// A request to summarise a supplied text that also asks for a calculation keeps it.
    @Test func aCalculationAskedOfASuppliedTextIsMaths() {
        let text =
            "Summarize this invoice and calculate the total including 8% sales tax: 3 chairs at $45 each, 1 desk at $220, 2 lamps at $35 each, delivery $25, assembly $40, all to be paid within 30 days."
        #expect(TaskProfile.of(text).contains(.math), "\(TaskProfile.of(text).detected())")
    }

    /// Four-character Chinese cues are matched whole: "假如你是" is a role-play, "比如你是否" is not;
    /// "修改一下" asks to rewrite, "改一下这段代码" is a code request.
    @Test func fourCharacterCuesMatchWhole() {
        #expect(TaskProfile.of("假如你是一名导游，请介绍一下西湖。").contains(.creative))
        #expect(!TaskProfile.of("比如你是否需要提前预约？我们周末人比较多。").contains(.creative))
        #expect(TaskProfile.of("请帮我修改一下这句话：我昨天去了超市买了很多的东西。").contains(.rewriting))
        #expect(TaskProfile.of("帮我写个函数，判断一个数是不是质数").contains(.code))
        let code = TaskProfile.of("帮我改一下这段代码的bug：for i in range(10) print(i)")
        #expect(!code.contains(.rewriting) && code.detected().first == .code, "\(code.detected())")
    }

    /// A script is a program unless it is written for a scene, a video, a call or a ceremony and next
    /// to nothing else says code: then it is writing. Programs about media and people stay code.
    @Test(arguments: [
        ("Write a script for the opening scene of a Miami-based dark comedy show", TaskCategory.creative),
        ("Can you write a 60-second video script for our new running shoes?", .creative),
        ("I need a script for a cold call to sell solar panels", .creative),
        ("help me write a script for my best man speech, my brother is getting married", .creative),
        ("帮我写一个短视频脚本，主题是家常菜", .creative),
        ("婚礼主持脚本，户外草坪婚礼，新人是大学同学", .creative),
        ("Write a script that converts all videos in a folder to mp4", .code),
        ("Write a Python script that downloads YouTube videos", .code),
        ("Write a script to rename all files in a directory by date", .code),
        ("My script for processing videos keeps crashing with a memory error, how do I fix it?", .code),
        ("写一个Python脚本来下载视频", .code),
        ("写个脚本批量重命名文件", .code),
    ])
    func scriptsAreProgramsOrLinesToSpeak(text: String, category: TaskCategory) {
        let detected = TaskProfile.of(text).detected(threshold: .leastNonzeroMagnitude)
        #expect(detected.first == category, "\(detected)")
    }

    /// Logic puzzles are told by their vocabulary: truth-tellers and liars, exactly one of several.
    @Test(arguments: [
        "On an island, knights always tell the truth and knaves always lie. A says: B is a knave. B says: we are both knights. Who is what?",
        "甲乙丙三人中只有一人说真话。甲说：是乙做的。乙说：不是我。丙说：不是我。到底是谁做的？",
    ])
    func puzzlesAreReasoning(text: String) {
        #expect(TaskProfile.of(text).contains(.reasoning), "\(TaskProfile.of(text).detected())")
    }

    /// Every cue can be looked up: Chinese cues of one to four Han characters, English phrases of
    /// at most three words (a longer one would be left out of the table without a word), a lane
    /// the table's four bits can hold, and no key listed twice with different values (only the
    /// first would count).
    @Test func everyCueIsWellFormedWithOneValue() {
        var seen: [UInt64: (UInt8, String)] = [:]
        for entry in DifficultyLexicon.cues {
            #expect(entry.lane < 15, "\(entry.english.prefix(30))")
            for phrase in entry.englishPhrases {
                #expect((1...3).contains(phrase.count), "\(phrase)")
                let words = phrase.map { CueHash.word($0) }
                let key = words.dropFirst().reduce(words[0]) { CueHash.pair($0, $1) }
                let name = phrase.joined(separator: " ")
                if let (value, other) = seen[key] {
                    #expect(value == entry.value, "\(name) and \(other) have different values")
                }
                seen[key] = (entry.value, name)
            }
            for cue in entry.chineseCues {
                let scalars = cue.unicodeScalars.map(\.value)
                #expect((1...4).contains(scalars.count) && scalars.allSatisfy { $0 >= 0x4e00 && $0 <= 0x9fff }, "\(cue)")
                let key = CueHash.han(scalars)
                if let (value, other) = seen[key] {
                    #expect(value == entry.value, "\(cue) and \(other) have different values")
                }
                seen[key] = (entry.value, String(cue))
            }
        }
    }

    @Test func lookupCuesCountOnlyAtTheStart() {
        #expect(TaskProfile.of("Who is the president of Brazil?").contains(.lookup))
        #expect(!TaskProfile.of("Write a short poem about an old fisherman who is lonely.").contains(.lookup))
    }
}
