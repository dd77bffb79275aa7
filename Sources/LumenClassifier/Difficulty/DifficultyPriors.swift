/// What the difficulty trainer believes before it sees data: a prior mean and precision per weight.
///
/// The labelled data is thin where it matters: two sources, one of multiple-choice exam questions
/// (MMLU, 8,366 rows) and one of 468 chat instructions judged pairwise (AlpacaEval). Neither has
/// grade-school word problems, multi-turn chat or strict format instructions in any number. So
/// the trainer fits a maximum a-posteriori logistic model: each weight is pulled towards a prior
/// mean, as strongly as its precision says, and moves only as far as the data pushes it.
///
/// Three kinds of weight:
/// - **Priors (data moves them only a little)**, precision 300 on the raw weight: the task
///   categories and their interactions. Their means encode what is known about where a
///   GPT-4-class model beats a Mixtral-class one: the largest gaps on maths, code and multi-step
///   reasoning (MT-bench's category results; GSM8K, where a weaker model fails more often as a
///   word problem needs more steps — hence the maths × length and maths × numbers terms), then
///   strict multi-constraint instructions and extraction from a long context (IFEval-style
///   instruction following; MT-bench's extraction category); little or none on chit-chat,
///   rewriting, translation, creative writing and simple look-ups.
/// - **Learned (free-form structure)**, mean 0, precision 300 on the standardised weight: length,
///   lines and question marks, learned from the free-form source(s).
///   `numbers` is fixed at 0: in a free-form request a count of numbers means different things
///   (quantities in a word problem, figures in pasted data); its maths effect is `math_x_numbers`.
/// - **Learned (answer-option questions)**, mean 0, precision 0.1 on the standardised weight: every
///   `mcq*` feature. These only fire on prompts with lettered options, so they absorb what is
///   peculiar to exam questions (including label artefacts of the MMLU source, where the strong
///   model's recorded answers to high-school maths questions are almost all wrong) without
///   moving the weights free-form requests get.
public struct DifficultyPriors: Sendable, Hashable {
    /// Whether a precision applies to the raw weight or to the weight on the standardised feature.
    public enum Scale: String, Sendable, Hashable, Codable {
        case raw, standardised
    }

    /// One weight's prior.
    public struct Prior: Sendable, Hashable {
        /// Prior mean of the raw weight (log-odds per unit of the feature).
        public var mean: Double
        /// Precision (inverse variance), in examples' worth of evidence; infinite: the weight is fixed at `mean`.
        public var precision: Double
        public var scale: Scale

        public init(mean: Double, precision: Double, scale: Scale) {
            self.mean = mean
            self.precision = precision
            self.scale = scale
        }
    }

    /// Priors indexed like `DifficultyFeatures.names`.
    public var priors: [Prior]

    public init(priors: [Prior]) { self.priors = priors }

    /// Prior means of the task-category weights and their interactions (raw log-odds).
    public static let categoryMeans: [String: Double] = [
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
        "math_x_length": 1.0,
        "math_x_numbers": 0.5,
        "reasoning_x_length": 0.3,
        "code_x_length": 0,
        "easy_x_length": 0,
        "constrained_easy": 0.8,
        "context_question": 0.3,
    ]

    /// Precision of the category priors (raw weights).
    public static let categoryPrecision = 300.0
    /// Precision of the learned free-form structure weights (standardised).
    public static let structurePrecision = 300.0
    /// Precision of the answer-option weights (standardised).
    public static let answerOptionPrecision = 0.1
    /// Free-form features held at their prior mean.
    public static let fixed: Set<String> = ["numbers"]

    /// The shipped priors.
    public static let standard = DifficultyPriors(
        priors: DifficultyFeatures.names.map { name in
            if name.hasPrefix("mcq") { return Prior(mean: 0, precision: answerOptionPrecision, scale: .standardised) }
            if fixed.contains(name) { return Prior(mean: 0, precision: .infinity, scale: .raw) }
            if let mean = categoryMeans[name] { return Prior(mean: mean, precision: categoryPrecision, scale: .raw) }
            return Prior(mean: 0, precision: structurePrecision, scale: .standardised)
        }
    )

    /// A model made of the prior means alone (bias `bias`): what the trainer returns without data.
    public func model(bias: Double) -> DifficultyModel {
        DifficultyModel(features: DifficultyFeatures.names, weights: priors.map(\.mean), bias: bias)
    }
}
