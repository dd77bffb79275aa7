// Regulated topics (health, finance, legal, HR), English and Chinese lexicons with weights.
// English terms are one or two words matched on word hashes; Chinese terms are matched by their
// first character, so both passes are linear.

enum Topics {
    private struct Term {
        let topic: Topic
        let weight: Double
        let text: String
    }

    private static let english: [(Topic, Double, String)] = [
        (
            .health, 1.0,
            "diagnosis diagnosed patient symptoms symptom prescription prescribed medication medications chemotherapy hiv aids cancer tumor diabetes depression anxiety schizophrenia bipolar therapy therapist psychiatrist surgery surgeon hospital hospitalized clinic oncology dementia pregnancy pregnant abortion disease disorder illness insulin dosage mri biopsy allergy allergies asthma hepatitis stroke seizure epilepsy medical std covid infection antidepressant opioid rehab overdose troponin t2dm t1dm copd hypertension arrhythmia angina cardiac prognosis comorbidity comorbidities diabetic ecg ekg mrn"
        ),
        (.health, 0.6, "doctor nurse headache headaches pain fever treatment health clinical physician blood vaccine hx"),
        (
            .health, 1.0,
            "medical record|medical history|blood pressure|heart attack|mental health|health insurance|blood test|side effects|chest pain|blood sugar|heart disease|panic attack|eating disorder"
        ),
        (
            .finance, 1.0,
            "bank banking iban mortgage loan loans salary payroll tax taxes invoice brokerage investment portfolio wire swift routing overdraft credit debit transaction transactions"
        ),
        (
            .finance, 0.6,
            "account payment payments balance finance financial money budget income fund funds stock stocks dividend pension insurance deposit withdraw withdrawal atm"
        ),
        (.finance, 1.0, "credit card|bank account|account number|routing number|credit score|wire transfer|tax return|net worth|social security"),
        (
            .legal, 1.0,
            "lawsuit litigation attorney lawyer subpoena plaintiff defendant court indictment felony misdemeanor settlement arbitration custody divorce contract nda verdict prosecutor testimony affidavit probation parole"
        ),
        (.legal, 0.6, "legal law laws liability sue sued judge trial appeal counsel compliance regulation regulations gdpr hipaa"),
        (.legal, 1.0, "non-disclosure agreement|criminal record|legal advice|power of attorney|civil rights"),
        (
            .hr, 1.0,
            "termination terminated fired layoff layoffs severance disciplinary grievance harassment discrimination promotion onboarding resignation resign"
        ),
        (
            .hr, 0.6,
            "employee employees employer employment hr hiring candidate interview performance review salary compensation benefits payroll recruiter"
        ),
        (.hr, 1.0, "performance review|performance improvement|background check|sick leave|maternity leave|human resources"),
        (.hr, 0.6, "improvement plan|job offer|probation period"),
    ]

    private static let chinese: [(Topic, Double, String)] = [
        (.health, 1.0, "诊断 确诊 患者 病人 病历 症状 处方 药物 化疗 艾滋病 癌症 肿瘤 糖尿病 抑郁症 焦虑症 精神病 手术 住院 医院 门诊 怀孕 流产 疾病 胰岛素 过敏 哮喘 肝炎 中风 癫痫 体检 血压 心脏病 出院 血糖"),
        (.health, 0.6, "医生 护士 头痛 发烧 治疗 健康 疫苗 吃药"),
        (.finance, 1.0, "银行 账户 账号 贷款 房贷 工资 薪资 税务 纳税 发票 投资 股票 理财 转账 汇款 信用卡 存款 余额 交易 信用"),
        (.finance, 0.6, "付款 支付 金融 财务 预算 收入 基金 保险 退款"),
        (.legal, 1.0, "诉讼 起诉 律师 原告 被告 法院 判决 仲裁 监护权 离婚 合同 保密协议 犯罪 刑事 民事 证词 缓刑 假释"),
        (.legal, 0.6, "法律 法规 合规 责任 上诉 法官"),
        (.hr, 1.0, "解雇 辞退 裁员 离职 辞职 赔偿金 处分 申诉 骚扰 歧视 晋升 入职 绩效考核 劳动合同 面试结果 试用期 背景调查 绩效改进 开除 劝退"),
        (.hr, 0.6, "员工 雇主 雇佣 招聘 面试 绩效 薪酬 福利 人事 人力资源 候选人"),
    ]

    private static let englishSingles: WordMap<Term> = {
        var out: [UInt64: Term] = [:]
        for (topic, weight, list) in english where !list.contains("|") {
            for word in list.split(separator: " ") where out[Chars.hash(String(word))] == nil {
                out[Chars.hash(String(word))] = Term(topic: topic, weight: weight, text: String(word))
            }
        }
        return WordMap(out)
    }()

    private static let englishPairs: WordMap<Term> = {
        var out: [UInt64: Term] = [:]
        for (topic, weight, list) in english where list.contains("|") {
            for phrase in list.split(separator: "|") {
                let parts = phrase.split(separator: " ").map { Chars.hash(String($0)) }
                guard parts.count >= 2 else { continue }
                // Key on the first two words; longer phrases are checked word by word.
                out[Chars.pair(parts[0], parts[1])] = Term(topic: topic, weight: weight, text: String(phrase))
            }
        }
        return WordMap(out)
    }()

    private static let chineseByFirst: [UInt32: [([UInt32], Term)]] = {
        var out: [UInt32: [([UInt32], Term)]] = [:]
        for (topic, weight, list) in chinese {
            for word in list.split(separator: " ") {
                let v = word.unicodeScalars.map(\.value)
                out[v[0], default: []].append((v, Term(topic: topic, weight: weight, text: String(word))))
            }
        }
        return out
    }()

    static func score(_ t: ScalarText, _ w: [Word]) -> [TopicScore] {
        var weights: [Topic: Double] = [:]
        var evidence: [Topic: [String]] = [:]
        func hit(_ term: Term) {
            weights[term.topic, default: 0] += term.weight
            if !(evidence[term.topic]?.contains(term.text) ?? false) && (evidence[term.topic]?.count ?? 0) < 8 {
                evidence[term.topic, default: []].append(term.text)
            }
        }
        let englishPairs = Self.englishPairs
        let englishSingles = Self.englishSingles
        var skip = -1
        for k in 0..<w.count where !w[k].isNumber {
            if k + 1 < w.count, !w[k + 1].isNumber, let term = englishPairs[Chars.pair(w[k].hash, w[k + 1].hash)] {
                hit(term)
                skip = k + 1
                continue
            }
            if k == skip { continue }
            if let term = englishSingles[w[k].hash] { hit(term) }
        }
        var i = 0
        while !t.isASCII && i < t.count {
            let c = t.v[i]
            if Chars.isHan(c), let candidates = chineseByFirst[c] {
                var matched = 0
                for (v, term) in candidates where v.count > matched && i + v.count <= t.count {
                    var ok = true
                    for k in 1..<v.count where t.v[i + k] != v[k] {
                        ok = false
                        break
                    }
                    if ok {
                        hit(term)
                        matched = v.count
                    }
                }
                i += max(matched, 1)
                continue
            }
            i += 1
        }
        var out: [TopicScore] = []
        for (topic, weight) in weights where weight > 0 {
            out.append(TopicScore(topic: topic, score: 1 - pow2(-weight), evidence: evidence[topic] ?? []))
        }
        out.sort { $0.score != $1.score ? $0.score > $1.score : $0.topic < $1.topic }
        return out
    }

    /// 1 - 2^-w maps summed evidence weights into [0, 1): one strong term scores 0.5, two 0.75.
    private static func pow2(_ x: Double) -> Double {
        var result = 1.0
        var remaining = -x
        while remaining >= 1 {
            result /= 2
            remaining -= 1
        }
        // 2^-r for r in [0, 1) via a short series of e^(-r ln 2).
        let y = -remaining * 0.6931471805599453
        var term = 1.0
        var sum = 1.0
        for n in 1..<12 {
            term *= y / Double(n)
            sum += term
        }
        return result * sum
    }
}

/// Language and token estimate from one pass over the scalars.
enum LanguageEstimate {
    private static let english = Chars.hashSet(
        """
        the and of to a in is it you that for on with are this be was have i not as at what how can do your my
        me we they please will from by or an if so which there about would should could why when where who
        """)

    /// The tokens a BPE tokenizer makes of a text: a word is about one token, a long one a little
    /// more; digits come in short groups; punctuation and line starts are tokens of their own. Fitted
    /// to SmolLM2's tokenizer (a GPT-2-style BPE like OpenAI's and Anthropic's) on 864 English,
    /// AlpacaEval and technical texts (stack traces, configs, ids): median error 3–7% where letters
    /// over four alone were 12–58% under (an id, a path or a hash is many tokens for few letters).
    /// Digits weigh between SmolLM2's one per digit and cl100k's groups of three. Han characters
    /// count 1/1.3, kana and Hangul one each, other scripts' letters a quarter more.
    static func tokens(_ w: [Word], latin: Int, otherLetters: Int, rest: Int, han: Int, otherCJK: Int) -> Int {
        var words = 0
        var numbers = 0
        var digits = 0
        var lines = 0
        for x in w {
            if x.isNumber {
                numbers += 1
                digits += x.end - x.start
            } else {
                words += 1
            }
            if x.newlineBefore { lines += 1 }
        }
        let punctuation = max(0, rest - digits)
        let estimate =
            0.04 * Double(latin) + 0.87 * Double(words) + 0.5 * Double(digits) + 1.2 * Double(numbers) + 0.9 * Double(punctuation)
            + 1.25 * Double(lines) + Double(han) / 1.3 + Double(otherCJK) + Double(otherLetters) / 4
        return Int(estimate.rounded(.up))
    }

    static func estimate(_ t: ScalarText, _ w: [Word]) -> (language: String, tokens: Int) {
        // The ASCII scalars were counted while decoding.
        var han = 0
        var latin = t.asciiLetters
        var otherLetters = 0
        var otherCJK = 0
        var rest = t.asciiOthers
        if !t.isASCII {
            for c in t.v where c >= 0x80 {
                if Chars.isHan(c) {
                    han += 1
                } else if Chars.isOtherCJK(c) {
                    otherCJK += 1
                } else if c < 0x250 && Chars.isLetter(c) {
                    latin += 1
                } else if Chars.isLetter(c) {
                    otherLetters += 1
                } else if !Chars.isSpace(c) {
                    rest += 1
                }
            }
        }
        // A run of one punctuation mark ("-----", "=====", "....") is a token or two, not one per mark.
        var repeats = 0
        if rest > 0 {
            var previous: UInt32 = 0
            for c in t.v {
                if c == previous && c < 0x80 && !Chars.isASCIILetter(c) && !Chars.isDigit(c) && !Chars.isSpace(c) { repeats += 1 }
                previous = c
            }
        }
        let tokens =
            Self.tokens(w, latin: latin, otherLetters: otherLetters, rest: rest - repeats, han: han, otherCJK: otherCJK)
            + (repeats + 7) / 8
        // Compare in "word units": a Han character against ~5 Latin letters.
        let hanUnits = Double(han) / 1.5
        let latinUnits = Double(latin) / 5
        let otherUnits = Double(otherLetters) / 5 + Double(otherCJK) / 1.5
        let total = hanUnits + latinUnits + otherUnits
        guard total > 0 else { return ("other", tokens) }
        let language: String
        if hanUnits / total >= 0.8 {
            language = "zh"
        } else if latinUnits / total >= 0.8 {
            let english = Self.english
            var words = 0
            var hits = 0
            for x in w where !x.isNumber {
                words += 1
                if english.contains(x.hash) { hits += 1 }
            }
            language = words < 4 || Double(hits) / Double(words) >= 0.08 ? "en" : "other"
        } else if hanUnits / total >= 0.2 && latinUnits / total >= 0.2 {
            language = "mixed"
        } else {
            language = "other"
        }
        return (language, tokens)
    }
}

/// Scalars counted by the classes the token estimate weighs — alphabetic and other non-space
/// scalars (~4 per token), Han characters (~1.3 per token), kana and Hangul (~1 each) — added
/// piece by piece, as a streamed answer arrives.
package struct TokenTally: Sendable, Hashable {
    private var alphabetic = 0
    private var han = 0
    private var otherCJK = 0

    package init() {}

    /// Counts the scalars of `text`.
    package mutating func add(_ text: some StringProtocol) {
        for scalar in text.unicodeScalars {
            let c = scalar.value
            if c < 0x80 {
                if !Chars.isSpace(c) { alphabetic += 1 }
            } else if Chars.isHan(c) {
                han += 1
            } else if Chars.isOtherCJK(c) {
                otherCJK += 1
            } else if !Chars.isSpace(c) {
                alphabetic += 1
            }
        }
    }

    /// The estimated tokens of `text`.
    package static func estimate(_ text: some StringProtocol) -> Int {
        var tally = TokenTally()
        tally.add(text)
        return tally.tokens
    }

    /// The estimated tokens of everything added.
    package var tokens: Int { Self.tokens(alphabetic: alphabetic, han: han, otherCJK: otherCJK) }

    /// The estimate for these counts.
    static func tokens(alphabetic: Int, han: Int, otherCJK: Int) -> Int {
        Int((Double(alphabetic) / 4 + Double(han) / 1.3 + Double(otherCJK)).rounded(.up))
    }
}
