/// What the difficulty trainer believes before it sees data: a prior mean and precision per weight.
///
/// The labelled data is thin where it matters: two sources, one of multiple-choice exam questions
/// (MMLU, 8,366 rows) and one of 468 chat instructions judged pairwise (AlpacaEval). Neither has
/// grade-school word problems, multi-turn chat or strict format instructions in any number. So
/// the trainer fits a maximum a-posteriori logistic model: each weight is pulled towards a prior
/// mean, as strongly as its precision says, and moves only as far as the data pushes it.
///
/// A prior's precision applies to the weight times a *reference spread* of its feature (a fixed,
/// rounded typical spread on prompts of the feature's kind, such as 0.04 for the share of digits in
/// a question), so it means the same whatever the training sample: a feature that is non-zero on
/// three rows of one source cannot take an arbitrary weight from them.
///
/// Three kinds of weight:
/// - **Priors (data moves them only a little)**, precision 300 (spread 1, raw log-odds): the task
///   categories and their interactions. Their means encode what is known about where a
///   GPT-4-class model beats a Mixtral-class one: the largest gaps on maths, code and multi-step
///   reasoning (MT-bench's category results; GSM8K, where a weaker model fails more often as a
///   word problem needs more steps — hence the maths × numbers and maths × length terms; the count
///   of quantities, in digits or words, orders GSM8K's training questions by the steps of their
///   worked solutions better than their length does: concordance 0.69 against 0.64 on 505 of them,
///   yet on the real labels of GSM8K's test questions (Mixtral's failures, as #14 measured them)
///   length alone orders them well (APGR 0.60), and steps are only a stand-in for those labels:
///   so quantities and length carry the same prior, 1.5 each: on the steps stand-in this scores as
///   well as 1.0 for length did, and the ranking follows length more closely), then
///   strict multi-constraint instructions (IFEval-style instruction following, also when the task
///   itself is creative: `constrained_easy`) and extraction from a long context (MT-bench's
///   extraction category); little or none on chit-chat, rewriting, translation, creative writing
///   and simple look-ups. Text in another script than Latin or Han (`other_script`: Cyrillic,
///   Arabic, Indic, Hangul, kana…) leans to the strong model: a Mixtral-class model is trained
///   mostly on English and a few European languages, Lumen's default local model on English only.
///   Neither labelled source has such prompts, so this weight is its prior.
/// - **Learned (free-form structure)**, mean 0, precision 300: the length of open-ended requests
///   (`open_length`), lines and question marks, learned from the free-form source(s). Length has no
///   global weight: on open-ended instructions a longer prompt is not harder for the weaker model
///   (length-only routing is below random on AlpacaEval-style instructions), on maths, reasoning,
///   code and exam questions it is (more steps), so a learned open-ended length effect never leaks
///   into the demanding kinds. `numbers` is fixed at 0: in a free-form request a count
///   of numbers means different things (quantities in a word problem, figures in pasted data); its
///   maths effect is `math_x_numbers`.
/// - **Learned with a weak prior**, `question_form` (the request ends with a question mark and asks
///   for no translation or rewrite), mean
///   0.5, precision 25: a request put as a question ("How did US states get their names?", "Can
///   you explain how kickball is played?") rather than as a task to carry out ("Write a limerick…",
///   "Rewrite this sentence…"). On AlpacaEval the strong model's answer is preferred to 86% of
///   questions against 73% of other requests, and the gap holds inside four of its five
///   sub-sources (helpful_base 90% vs 78%, oasst 87% vs 76%, vicuna 84% vs 60%, selfinstruct;
///   not koala), so it is not one sub-source's style. MT-bench's categories agree in sign: its
///   knowledge, maths and reasoning questions show larger gaps than its writing and role-play
///   tasks. The prior mean says a question leans to the strong model; the data sets how far.
///   Zero on answer-option questions.
/// - **Learned (answer-option questions)**, mean 0, precision 0.1: every `mcq*` feature. These only
///   fire on prompts with lettered options, so they absorb what is peculiar to exam questions
///   (including label artefacts of the MMLU source, where the strong model's recorded answers to
///   high-school maths questions are almost all wrong) without moving the weights free-form
///   requests get.
package struct DifficultyPriors: Sendable, Hashable {
    /// One weight's prior.
    package struct Prior: Sendable, Hashable {
        /// Prior mean of the raw weight (log-odds per unit of the feature).
        package var mean: Double
        /// Precision (inverse variance) of `(weight − mean) × spread`, in examples' worth of
        /// evidence; infinite: the weight is fixed at `mean`.
        package var precision: Double
        /// Reference spread of the feature.
        package var spread: Double

        package init(mean: Double, precision: Double, spread: Double = 1) {
            self.mean = mean
            self.precision = precision
            self.spread = spread
        }
    }

    /// Priors indexed like `DifficultyFeatures.names`.
    package var priors: [Prior]

    package init(priors: [Prior]) { self.priors = priors }

    /// Prior means of the task-category weights and their interactions (raw log-odds).
    package static let categoryMeans: [String: Double] = [
        "math": 2.0,
        "reasoning": 1.5,
        "code": 2.0,
        "constraints": 0.8,
        "extraction": 0.5,
        "chat": -1.5,
        "rewriting": -1.0,
        "translation": -0.5,
        "creative": -1.2,
        "lookup": -0.8,
        "constraint_count": 0.3,
        "math_x_length": 1.5,
        "math_x_numbers": 1.5,
        "reasoning_x_length": 0.8,
        "code_x_length": 0.5,
        "easy_x_length": 0,
        "constrained_easy": 0.8,
        "context_question": 0.3,
        "other_script": 1.0,
    ]

    /// Prior means of answer-option weights that are not zero, what is known about exam questions
    /// before seeing any: a longer question (stem and options: more to read and weigh, more steps)
    /// is harder for the weaker model, as a longer word problem is (GSM8K), even where open-ended
    /// requests show no such effect; options that each combine several statements ("I and II
    /// only", "Statement 1 | Statement 2", two scenarios judged at once) ask for several judgements
    /// per answer and are harder too. The data overrides these when exam questions are in the
    /// training set (precision 0.1).
    package static let answerOptionMeans: [String: Double] = [
        "mcq_length": 1.2,
        "mcq_statements": 0.5,
    ]

    /// Weights learned with a prior mean of their own and a weak precision (see the type's notes).
    package static let weakPriors: [String: Prior] = [
        "question_form": Prior(mean: 0.5, precision: 25)
    ]

    /// Precision of the category priors.
    package static let categoryPrecision = 300.0
    /// Precision of the learned free-form structure weights.
    package static let structurePrecision = 300.0
    /// Precision of the answer-option weights.
    package static let answerOptionPrecision = 0.1
    /// Free-form features held at their prior mean.
    package static let fixed: Set<String> = ["numbers"]

    /// Reference spreads (typical standard deviations on prompts of their kind, rounded); 1 when absent.
    package static let spreads: [String: Double] = [
        "open_length": 0.75, "lines": 0.5, "questions": 0.4,
        "mcq_length": 0.75, "mcq_stem": 1, "mcq_statements": 0.5, "mcq_option_share": 0.2, "mcq_digit_ratio": 0.04, "mcq_symbol_ratio": 0.01,
        "mcq_upper_ratio": 0.05, "mcq_long_words": 0.05, "mcq_word_length": 0.7,
    ]

    /// The spread of a feature: its own, its free-form twin's for a gated copy, 0.3 for a category
    /// score (or a gated copy of one), else 1.
    static func spread(_ name: String) -> Double {
        if let s = spreads[name] { return s }
        let base = name.hasPrefix("mcq_") ? String(name.dropFirst(4)) : name
        if let s = spreads[base] { return s }
        if name.hasPrefix("mcq_"), TaskCategory(rawValue: base) != nil || base == "constrained_easy" { return 0.3 }
        return 1
    }

    /// The shipped priors.
    package static let standard = DifficultyPriors(
        priors: DifficultyFeatures.names.map { name in
            let spread = spread(name)
            if name.hasPrefix("mcq") { return Prior(mean: answerOptionMeans[name] ?? 0, precision: answerOptionPrecision, spread: spread) }
            if fixed.contains(name) { return Prior(mean: 0, precision: .infinity) }
            if let prior = weakPriors[name] { return prior }
            if let mean = categoryMeans[name] { return Prior(mean: mean, precision: categoryPrecision) }
            return Prior(mean: 0, precision: structurePrecision, spread: spread)
        }
    )

    /// A model made of the prior means alone (bias `bias`): what the trainer returns without data.
    package func model(bias: Double) -> DifficultyModel {
        DifficultyModel(features: DifficultyFeatures.names, weights: priors.map(\.mean), bias: bias)
    }
}
