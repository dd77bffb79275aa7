// Cue words and phrases for `TaskCategory`, English and Chinese. Closed, hand-written lists of
// task words (what the prompt asks to do), never subject names: the difficulty model must not
// learn MMLU's subjects. Weights: 3 decisive ("integral", "debug", "translate"), 2 typical,
// 1 weak or ambiguous ("cost", "function", "story").
//
// English entries are lower-case ASCII words; a phrase is up to three words separated by single
// spaces, `#` standing for any number ("at least # words"). Chinese entries are two to four Han
// characters (one character only where it is unambiguous, such as 诗).

/// The cue lists and their compiled lookup tables.
enum DifficultyLexicon {
    /// One category's cues at one weight.
    struct Cues {
        /// The category the cues speak for (amount questions: maths, though `DifficultyScan` reads a
        /// short one without quantities as a look-up).
        var category: TaskCategory
        var weight: Int
        var english: String
        var chinese: String
        /// The evidence lane the cues add to: the category's (`TaskCategory.index`), or a lane of
        /// its own that `DifficultyScan` reads (`amountLane`).
        var lane: Int

        init(_ category: TaskCategory, _ weight: Int, _ english: String, zh chinese: String = "", lane: Int? = nil) {
            self.category = category
            self.weight = weight
            self.english = english
            self.chinese = chinese
            self.lane = lane ?? category.index
        }

        /// The table value of these cues: lane + 1 (bits 0–3) and weight (bits 4–5).
        var value: UInt8 { UInt8(lane + 1) | UInt8(min(weight, 3) << 4) }

        /// The phrases of `english`, each split into words.
        var englishPhrases: [[Substring]] {
            english.split(separator: ",").map { $0.split(separator: " ") }.filter { !$0.isEmpty }
        }

        /// The entries of `chinese`.
        var chineseCues: [Substring] { chinese.split(separator: " ") }
    }

    /// The evidence lane of amount questions ("how many", "多少"), after the ten categories'.
    static let amountLane = TaskCategory.allCases.count

    /// The evidence lane of scripts ("write a script", "脚本"): code, unless the script is for the
    /// screen, the stage or a call (`screenLane`; `DifficultyScan.categoryEvidence`).
    static let scriptLane = amountLane + 1

    /// The evidence lane of what a script is written for when it is no program: a scene, a video, a
    /// podcast, a presentation, a call, a ceremony. It counts only just before a script cue or a few
    /// words after "script for / of / about / on", where a creative-writing cue counts too ("a script
    /// for the opening scene", "YouTube video script", "a script for my best man speech",
    /// "婚礼主持脚本"; not "a script that converts the videos").
    static let screenLane = amountLane + 2

    static let cues: [Cues] = [
        // Maths: operations, objects and the vocabulary of word problems (quantities, prices, rates).
        Cues(
            .math, 3,
            """
            calculate, calculating, calculation, integral, integrals, derivative, derivatives, \
            equation, equations, probability, probabilities, arithmetic, algebra, algebraic, geometry, calculus, \
            polynomial, polynomials, matrix, matrices, eigenvalue, eigenvalues, logarithm, factorial, quadratic, \
            prime number, prime numbers, primes, divisible, divisor, divisors, divided by, remainder, sqrt, \
            irrational number, rational number, infinitely many, \
            perimeter, circumference, hypotenuse, square root, solve for, inequality, inequalities, combinatorics, \
            permutations, expected value, standard deviation, math problem, maths problem, math question, sum of, \
            compound interest, greatest common, least common, vertices, modulo, determinant, \
            trigonometry, area of, volume of, word problem, multiplied by, times as, twice as, half as, \
            how many ways, in how many, arrangements, different ways
            """,
            zh: """
                计算 求解 方程 排法 一共 总共 平均数 概率 面积 体积 周长 半径 直径 三角形 导数 积分 矩阵 \
                向量 数列 整数 质数 素数 整除 余数 分数 比例 倍数 应用题 不等式 因式 化简 解方程 \
                求证 函数值 最大值 最小值 概率论 组合数 排列
                """),
        Cues(
            .math, 2,
            """
            compute, average, median, ratio, proportion, triangle, rectangle, circle, angle, angles, slope, \
            exponent, exponential, coordinates, integer, integers, digits, radius, diameter, vector, vectors, \
            in total, total cost, altogether, per hour, per day, per week, per month, per minute, an hour, \
            profit, discount, interest rate, speed, miles, kilometers, kilometres, mph, dollars, cents, \
            left over, remaining, years old, numbers, value of x, value of y, value of n, value of k, simplify, formula, formulas, sequence, \
            mathematical, mathematics, math, maths, percent, percentage, fraction, fractions, minutes, hours, each cost, each costs, costs, more than, less than, fewer, \
            sold, earns, earned, spends, spent, bought, buys, pays, paid, saves, saved, feet, inches, pounds, \
            liters, litres, gallons, meters, metres, grams, kilograms
            """,
            zh: """
                数学 百分之 百分比 元钱 公里 千米 小时 分钟 每天 每小时 每个 一半 剩下 剩余 总和 平方 立方 角度 坐标 斜率 公式 折扣 利润 利息 \
                速度 米长 块钱 买了 卖了 花了 共有 还剩
                """),
        Cues(
            .math, 1, numberWordList + ", first, second, third, total, cost, price, number, value of, graph, estimate, each",
            zh: "几 倍 半 总 价格 数字 两个 三个"),

        // Amount questions ("how many…", "多少"): maths when the text gives quantities, a look-up when
        // it gives none (`DifficultyScan.categoryEvidence`).
        Cues(.math, 3, "how many, how much, how far, how fast, how old, how long will, how often will", zh: "多少 几个 多少元 多少个 几天 几小时", lane: amountLane),
        Cues(.math, 2, "how long", lane: amountLane),

        // Multi-step reasoning: proofs, deduction, puzzles, analysis and trade-offs.
        Cues(
            .reasoning, 3,
            """
            step by step, prove, proof, proofs, derive, derivation, deduce, deduction, infer, logic, logical, \
            logically, puzzle, riddle, reasoning, reason through, think through, justify, contradiction, paradox, \
            explain your reasoning, your reasoning, show your work, must be true, true or false, does not belong, \
            brain teaser, counterexample, rigorous, rigorously, lateral thinking, chain of thought
            """,
            zh: "证明 推导 推理 逻辑 谜题 一步步 逐步 论证 推断 演绎 反证 悖论 脑筋急转 说真话 说假话 真话 假话 说对了 说错了"),
        // The vocabulary of logic puzzles: truth-tellers and liars, exactly one of several.
        Cues(
            .reasoning, 2,
            "tell the truth, tells the truth, always lie, always lies, knights, knaves, liar, liars, is lying, only one of, exactly one of",
            zh: "名次 天平 称几次"),
        Cues(
            .reasoning, 2,
            """
            explain why, analyze, analyse, analysis, analyzing, critically, critique, tradeoff, tradeoffs, \
            trade off, trade offs, assumption, assumptions, suppose, optimal, optimize, optimise, optimization, \
            what would happen, implications, consequences, evaluate, pros and cons, compare and, contrast, \
            uncertain, relationship between, could be the, the reason, strategy, strategies, hypothesis, \
            conclude, conclusion, scenario, hypothetical, hypothetically, consider the, given that, \
            taller than, shorter than, older than, younger than, heavier than, lighter than, faster than, \
            slower than, in what order, which order, the relationship
            """,
            zh: "分析 假设 为什么 权衡 最优 优化 策略 判断 推测 结论 利弊 评估 比较 前提"),
        Cues(
            .reasoning, 1,
            """
            why, if, then, therefore, thus, hence, because, assume, assuming, compare, difference, differences, \
            plan, design, explain, reason, reasons, determine, decide, which, whether, father of, mother of, \
            son of, daughter of, brother of, sister of
            """,
            zh: "是否 哪个 为何 解释 区别 不同 如果 那么 因此 所以 原因"),

        // Code: writing, debugging and explaining programs.
        Cues(
            .code, 3,
            """
            code, coding, programming, debug, debugging, bug, bugs, compile, compiler, compiles, python, javascript, \
            typescript, java, golang, kotlin, haskell, scala, php, perl, sql, regex, regular expression, html, css, \
            react, docker, kubernetes, github, bash, powershell, stack trace, traceback, segmentation fault, \
            null pointer, exception, syntax error, runtime error, recursion, recursive, leetcode, pseudocode, \
            source code, unit test, unit tests, pytest, unittest, refactor, refactoring, snippet, npm, pandas, \
            numpy, pytorch, tensorflow, api, apis, json schema, sql query, linked list, binary tree, hash map, \
            hash table, data structure, data structures, time complexity, space complexity, big o, cpp, rust code, \
            in c, in rust, in go, in swift, in ruby, vba, matlab code, shell script, command line, linux, \
            implement a, write a program, write a function, the function, this function, \
            a function, function that, method that, class that
            """,
            zh: "代码 编程 程序 调试 报错 编译 接口 数据库 前端 后端 算法 变量 数组 字符串 递归 爬虫 部署 服务器 源码 一个函数 写个函数 这个函数 异常 死循环 正则"),
        Cues(
            .code, 2,
            """
            program, programs, implement, implementation, algorithm, algorithms, array, arrays, \
            database, query, queries, server, backend, frontend, website, app, framework, repository, \
            git, terminal, variable, variables, loop, loops, integer overflow, compile time, output of, \
            error message, stack, queue, tree, graph traversal, sorting, sort, binary, parse, parser, \
            endpoint, http, deploy, debugger, rust, swift, ruby, excel formula, spreadsheet formula
            """,
            zh: "函数 实现 程序员 开发 软件 运行 输出 循环 排序 链表 二叉 哈希"),
        Cues(
            .code, 1, "function, method, class, string, error, errors, input, output, file, files, return, library, crash, crashes, crashing",
            zh: "错误 输入 文件 数据"),
        // Scripts: programs, or lines to speak (see `scriptLane`).
        Cues(.code, 3, "write a script", zh: "脚本", lane: scriptLane),
        Cues(.code, 2, "script, scripts", lane: scriptLane),
        Cues(
            .creative, 1,
            """
            scene, scenes, episode, episodes, film, films, movie, movies, video, videos, youtube, tiktok, \
            reel, reels, vlog, podcast, sitcom, comedy, drama, skit, commercial, trailer, documentary, \
            theater, theatre, play, show, tv, radio, pilot, spec, shooting, narrator, voiceover, voice over, \
            dialogue, actor, actors, animated, animation, cartoon, puppet, presentation, slides, talk, \
            lecture, lesson, tutorial, demo, webinar, keynote, pitch, intro, introduction, sales call, \
            cold call, cold calling, phone call, voicemail, call center, customer service, receptionist, \
            meeting, interview, advert, conversation, wedding, ceremony, officiant, mc, emcee
            """,
            zh: """
                视频 短视频 抖音 快手 直播 带货 口播 分镜 镜头 台词 拍摄 短剧 小品 相声 主持 串词 演讲 广告 宣传片 \
                微电影 电影 婚礼 销售 电话 客服 话术 播客 面试 开场白 答辩 路演 发言 讲解
                """,
            lane: screenLane),

        // Precise constraints: formats, exact counts and several requirements at once.
        Cues(
            .constraints, 3,
            """
            exactly, at least #, at most #, no more than, no fewer than, no less than, # words, # word, # sentences, # sentence, # paragraphs, # paragraph, \
            # bullet, # bullets, # items, # lines, # characters, # letters, word count, word limit, \
            do not use, don t use, without using, must not, must include, must contain, must end, \
            must start, lowercase, uppercase, all caps, capital letters, double quotes, quotation marks, \
            wrap your, wrap the, wrapped in, end your, start your, begin your, finish your, ends with, starts with, \
            in the format, following format, json format, json object, valid json, markdown, bullet points, \
            bullet point, numbered list, placeholders, placeholder, postscript, separated by, highlight at, \
            include the keywords, the keywords, not include, refrain from, only respond, respond only, \
            answer only, only answer, strictly, one word, single word, entire response, your response should, \
            your answer must, the letter, each sentence, every sentence, each paragraph, the following rules, \
            following constraints, following requirements
            """,
            zh: "字以内 字以上 不超过 不少于 不多于 恰好 严格 格式 以下格式 如下格式 开头 结尾 分点 分段 小写 大写 要求如下 必须 不得"),
        Cues(
            .constraints, 2,
            """
            must, should not, never, avoid, json, yaml, csv, xml, a table, in a table, as a table, markdown table, \
            format, formatted, template, \
            comma, commas, requirements, requirement, constraint, constraints, rules, precisely, \
            limit, maximum, minimum, highlight, keywords
            """,
            zh: "至少 最多 只能 不能 不要 表格 列表 限制 要求 确保 务必 仅"),
        Cues(.constraints, 1, "only, include, including, list, short, brief, title, section, sections, make sure, ensure, concise", zh: "简短 简洁 注意"),

        // Extraction from a given (usually long) context.
        Cues(
            .extraction, 3,
            """
            extract, extraction, from the passage, the passage, from the text, from the article, \
            from the following, the following text, the given text, the above text, the text above, \
            named entities, entities, mentioned in, key information, according to the, based on the, \
            based on this, answer the following, the document, the article, this article, the paragraph, \
            the excerpt, the transcript, the report, the email below, the text below, the passage below, \
            the data below, the table below, read the, given the following, given these, identify the, \
            find all, list all, pull out, parse the, according to this, out of this, from this text, \
            from this email, from this log, from this document
            """,
            zh: "提取 抽取 根据以下 依据以下 根据下面 根据上述 根据这 从下面 文中 原文 材料 阅读 找出 挑出 下文 以下文本 以下内容 如下内容 文章中 段落 摘录"),
        // What a request about a supplied text asks for, and where the text is.
        Cues(
            .extraction, 2,
            """
            from this, from these, in this text, in this email, this log, the log, this data, these notes, \
            action items, key points, key facts, into a table, a timeline, each mentioned, \
            every email, every date, every name
            """,
            zh: "这段 下面这 这条 整理成 要点 待办"),
        Cues(.extraction, 1, "identify, following, given, below, above, text, document, context, passage, article, data", zh: "根据 以下 上述 内容"),

        // Chit-chat.
        Cues(
            .chat, 3,
            """
            hi, hello, hey, thanks, thank you, good morning, good night, good evening, how are you, what s up, whats up, \
            lol, haha, nice to meet, who are you, your name, about yourself, are you real, do you like, \
            your favorite, your favourite, i m bored, chat with, talk to me, s it going, joke, jokes
            """,
            zh: "你好 谢谢 早上好 晚安 哈哈 你是谁 聊天 无聊 心情 笑话 在吗 嗨"),
        Cues(.chat, 1, "you, your, i feel, opinion, think about, feel", zh: "感觉 喜欢 觉得"),

        // Rewriting: editing, paraphrasing, summarising a given text.
        Cues(
            .rewriting, 3,
            """
            rewrite, rephrase, paraphrase, reword, proofread, polish, revise, shorten, summarize, summarise, \
            summary, tl dr, condense, correct the grammar, fix the grammar, grammar, grammatical, spelling, typo, \
            typos, more formal, more polite, more concise, more professional, more casual, simpler words, \
            make it sound, make this sound, reformulate, edit the, edit this, improve the writing
            """,
            zh: "改写 润色 重写 改得 改成 简化 总结 概括 摘要 缩写 精简 语法 错别字 修改一下 换个说法 通顺"),
        Cues(
            .rewriting, 2,
            "tighten, punchier, friendlier, past tense, present tense, own words, less formal, less wordy, sound less, sound more, tone down",
            zh: "病句 书面语 压缩 通俗"),
        Cues(.rewriting, 1, "edit, improve, tone, sentence, paragraph, this text", zh: "修改 句子 段话"),

        // Translation.
        Cues(
            .translation, 3,
            """
            translate, translation, translated, translating, into english, into french, into spanish, \
            into german, into chinese, into japanese, into italian, into korean, into portuguese, into russian, \
            into arabic, in french, in spanish, in german, in japanese, in italian, in korean, in portuguese, \
            to english, to french, to spanish, to german, to chinese, to japanese
            """,
            zh: "翻译 译成 译为 译文 英译 中译 翻成 英文 英语 日语 法语 德语 中文"),
        Cues(.translation, 1, "english, french, spanish, german, chinese, japanese, language, languages", zh: "语言"),

        // Creative writing and role-play.
        Cues(
            .creative, 3,
            """
            poem, poems, poetry, haiku, limerick, sonnet, short story, bedtime story, fairy tale, song, lyrics, \
            rap, slogan, tagline, catchy, jingle, screenplay, fiction, fictional, fan fiction, role play, roleplay, \
            pretend, act as, the role of, persona, imagine yourself, picture yourself, blog post, \
            tweet, toast, wedding speech, birthday message, greeting card, cover letter, love letter, story about, \
            a story, creative, brainstorm, ideas for, names for, name ideas, travel blog, advertisement, \
            product description, rhyme, rhyming
            """,
            zh: "诗 写一首 诗歌 故事 小说 歌词 作文 写一篇 扮演 假装 假如你是 文案 标语 口号 祝福语 创意 想象 剧本 散文 段子 对联"),
        Cues(
            .creative, 1,
            """
            story, write, compose, draft, essay, letter, email, speech, imagine, character, characters, \
            describe, ideas, funny, fun, headline, post, blog, invitation, message, you are a, vivid, \
            captivating, engaging
            """,
            zh: "写 描写 描述 邮件"),

        // Simple look-ups: short factual questions and definitions.
        Cues(
            .lookup, 3,
            """
            the capital of, capital of, who wrote, who invented, who discovered, \
            when did, when was, what year, define, definition, meaning of, what does, stand for, population of, \
            how tall, how big is, what is a, what is an, what is the, tell me about, name the, name a, facts about
            """,
            zh: "是什么 是谁 在哪 哪里 哪一年 什么意思 定义 首都 意思是 什么是 简单介绍 介绍一下"),
        Cues(.lookup, 2, "who won, who is, who was, when is, where is, where was, where are, what are", zh: "在哪儿"),
        Cues(.lookup, 1, "what, who, when, where, fact, facts", zh: "什么 谁 哪"),
    ]

    /// Number words: quantities written out ("three boxes", "half of them", "twice as many"), counted
    /// with the digits' numbers as the quantities of a word problem. They open the maths cues of
    /// weight 1, so only a word with that table value is looked up in `numberWords`.
    static let numberWordList = """
        one, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, twenty, thirty, forty, \
        fifty, sixty, seventy, eighty, ninety, hundred, thousand, million, half, twice, double, triple, \
        quarter, dozen
        """

    /// The keys of `numberWordList`.
    static let numberWords: Set<UInt64> = Set(numberWordList.split(separator: ",").compactMap { $0.split(separator: " ").first.map(CueHash.word) })

    /// The table value of a maths cue of weight 1 (the number words' value).
    static let mathWeakCue = UInt8(TaskCategory.math.index + 1) | UInt8(1 << 4)

    /// Scalars that are the last character of a Chinese cue (a cheap filter before the table lookups).
    static let cjkLast: ScalarBitmap = {
        var bitmap = ScalarBitmap()
        for entry in cues {
            for word in entry.chineseCues {
                if let last = word.unicodeScalars.last { bitmap.insert(last.value) }
            }
        }
        return bitmap
    }()

    /// Lookup table for all cues, English words and phrases and Chinese character runs.
    static let table: CueTable = {
        var entries: [(key: UInt64, value: UInt8)] = []
        var ends: [UInt64: UInt8] = [:]  // unigram key → "ends a bigram / trigram" flags
        for entry in cues {
            let value = entry.value
            for phrase in entry.englishPhrases {
                let words = phrase.map { CueHash.word($0) }
                guard let last = words.last, words.count <= 3 else { continue }
                switch words.count {
                case 1: entries.append((last, value))
                case 2:
                    entries.append((CueHash.pair(words[0], last), value))
                    ends[last, default: 0] |= CueTable.endsBigram
                default:
                    entries.append((CueHash.pair(CueHash.pair(words[0], words[1]), last), value))
                    ends[last, default: 0] |= CueTable.endsTrigram
                }
            }
            for word in entry.chineseCues {
                let scalars = word.unicodeScalars.map(\.value)
                guard (1...4).contains(scalars.count) else { continue }
                entries.append((CueHash.han(scalars), value))
            }
        }
        return CueTable(entries: entries, endFlags: ends)
    }()
}

/// Hashes for cue lookup: FNV-1a over a lower-cased ASCII word, a mix for phrases, FNV over Han scalars.
enum CueHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3
    /// The key of the number token `#`.
    static let number: UInt64 = (seed ^ 0x23) &* prime

    static func word(_ word: Substring) -> UInt64 {
        word == "#" ? number : letters(word.utf8)
    }

    /// FNV-1a over ASCII letters, lower-cased (a word's bytes wherever they are read from).
    @inline(__always)
    static func letters<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var h = seed
        for byte in bytes { h = (h ^ UInt64(byte | 0x20)) &* prime }
        return h
    }

    /// The key of a phrase from its first part's key and the next word's key.
    @inline(__always)
    static func pair(_ a: UInt64, _ b: UInt64) -> UInt64 {
        ((a &* 0x9e37_79b9_7f4a_7c15) ^ (a >> 29)) ^ b
    }

    /// The key of one to four Han scalars (a different seed from words').
    @inline(__always)
    static func han(_ scalars: [UInt32]) -> UInt64 {
        var h: UInt64 = 0x84222325cbf29ce4
        for s in scalars { h = (h ^ UInt64(s)) &* prime }
        return h
    }

    @inline(__always)
    static func han(_ a: UInt32) -> UInt64 { (0x84222325cbf29ce4 ^ UInt64(a)) &* prime }
    @inline(__always)
    static func han(_ a: UInt32, _ b: UInt32) -> UInt64 { (han(a) ^ UInt64(b)) &* prime }
    @inline(__always)
    static func han(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt64 { (han(a, b) ^ UInt64(c)) &* prime }
    @inline(__always)
    static func han(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt64 { (han(a, b, c) ^ UInt64(d)) &* prime }
}

/// Open-addressing table from a cue key to its value byte: category (bits 0–3, index + 1), weight
/// (bits 4–5), and for a single word whether it ends a two- or three-word phrase (bits 6, 7).
struct CueTable: Sendable {
    static let endsBigram: UInt8 = 0x40
    static let endsTrigram: UInt8 = 0x80

    private let keys: [UInt64]
    private let values: [UInt8]
    private let mask: Int

    init(entries: [(key: UInt64, value: UInt8)], endFlags: [UInt64: UInt8]) {
        var merged: [UInt64: UInt8] = [:]
        // The first entry for a key wins (lists are ordered strongest first within a category).
        for (key, value) in entries where merged[key] == nil || merged[key]! & 0x3f == 0 {
            merged[key] = (merged[key] ?? 0) & 0xc0 | value
        }
        for (key, flags) in endFlags { merged[key, default: 0] |= flags }
        var size = 64
        while size < merged.count * 4 { size <<= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var values = [UInt8](repeating: 0, count: size)
        // Insert in key order so the layout does not depend on dictionary iteration order.
        for key in merged.keys.sorted() {
            var slot = Int(truncatingIfNeeded: key) & (size - 1)
            while keys[slot] != 0 { slot = (slot + 1) & (size - 1) }
            keys[slot] = key
            values[slot] = merged[key]!
        }
        self.keys = keys
        self.values = values
        self.mask = size - 1
    }

    @inline(__always)
    func lookup(_ key: UInt64) -> UInt8 {
        var slot = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = keys[slot]
            if k == key { return values[slot] }
            if k == 0 { return 0 }
            slot = (slot + 1) & mask
        }
    }
}
