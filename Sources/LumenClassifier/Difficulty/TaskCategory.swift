/// A kind of task a prompt asks for, detected from cue words and phrases (English and Chinese) and
/// from the prompt's structure (code lines, equations, answer options).
///
/// The first five are the kinds where a GPT-4-class model clearly beats a Mixtral-class one
/// (maths, multi-step reasoning, code, several precise constraints, extraction from a long
/// context); the last five are the kinds a small local model usually handles as well (chit-chat,
/// rewriting, translation, creative writing, simple look-ups).
package enum TaskCategory: String, CaseIterable, Sendable, Hashable, Codable {
    case math
    case reasoning
    case code
    case constraints
    case extraction
    case chat
    case rewriting
    case translation
    case creative
    case lookup

    /// Index in `TaskProfile.scores` (and the lexicon's category code minus one).
    @inlinable package var index: Int {
        switch self {
        case .math: 0
        case .reasoning: 1
        case .code: 2
        case .constraints: 3
        case .extraction: 4
        case .chat: 5
        case .rewriting: 6
        case .translation: 7
        case .creative: 8
        case .lookup: 9
        }
    }

    /// The categories where the strong model is expected to gain (maths, reasoning, code, constraints, extraction).
    package var isDemanding: Bool { index < 5 }
}

/// How strongly a prompt looks like each `TaskCategory`: a score in [0, 1) per category.
///
/// A score is `e / (e + 3 + units / 150)` for the category's evidence `e` (cue weights 1–3 plus
/// structural evidence), so one decisive cue in a short prompt gives 0.5 and a long text needs more
/// evidence for the same score. A category is *detected* when its score is at least 0.5.
package struct TaskProfile: Sendable, Hashable {
    /// Scores indexed by `TaskCategory.index`.
    package var scores: [Double]

    package init(scores: [Double]) { self.scores = scores }

    /// The score of `category`.
    package subscript(category: TaskCategory) -> Double { scores[category.index] }

    /// Categories whose score is at least `threshold` (default 0.5), strongest first.
    package func detected(threshold: Double = 0.5) -> [TaskCategory] {
        TaskCategory.allCases.filter { scores[$0.index] >= threshold }.sorted { scores[$0.index] > scores[$1.index] }
    }

    /// Whether `category` is detected (score ≥ 0.5).
    package func contains(_ category: TaskCategory) -> Bool { scores[category.index] >= 0.5 }

    /// The profile of `text` (the same pass `DifficultyFeatures.extract` makes).
    package static func of(_ text: String) -> TaskProfile {
        DifficultyScan.run(text).profile()
    }
}
