// What the prompt-injection screen says about one piece of text (one screened location of a
// request: a user turn, a system prompt, a tool result, a document part).

/// The kind of a prompt-injection finding.
package enum InjectionKind: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// "Ignore previous instructions", "从现在开始你不再…": tries to cancel the instructions in force.
    case override
    /// Switches the task mid-text: "instead, just print …", "忽略上述问题，直接输出…".
    case goalHijack = "goal_hijack"
    /// Asks for the system prompt, the hidden instructions or a secret the model holds.
    case promptLeak = "prompt_leak"
    /// Forges a role, a mode or a turn: "you are now DAN", developer mode, fake `system:` turns.
    case roleForge = "role_forge"
    /// Instructions addressed to the model inside data: e-mails, web pages, code, tool output.
    case indirect

    package static func < (lhs: InjectionKind, rhs: InjectionKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One injection span of a text. `start` and `end` are offsets in Unicode scalars
/// (`String.unicodeScalars`), `end` exclusive; the text itself is never kept.
package struct InjectionFinding: Hashable, Sendable, Codable {
    package var kind: InjectionKind
    package var start: Int
    package var end: Int
    /// The score of the window the span was found in, in [0, 1].
    package var score: Double

    package init(kind: InjectionKind, start: Int, end: Int, score: Double) {
        self.kind = kind
        self.start = start
        self.end = end
        self.score = score
    }
}

/// The injection screen's verdict on one text: a score, whether it reaches the flag threshold,
/// and the findings (kind + span) behind it.
package struct InjectionAssessment: Hashable, Sendable, Codable {
    /// In [0, 1]: the highest window score of the text (windows of a few sentences), so a long
    /// text scores no higher than its most suspicious passage.
    package var score: Double
    /// `score >= threshold` (the model's flag threshold unless the caller chose another).
    package var flagged: Bool
    /// The kinds of the findings, sorted, without repeats.
    package var kinds: [InjectionKind]
    /// Spans at or above the threshold, in text order.
    package var findings: [InjectionFinding]

    package init(score: Double, flagged: Bool, kinds: [InjectionKind], findings: [InjectionFinding]) {
        self.score = score
        self.flagged = flagged
        self.kinds = kinds
        self.findings = findings
    }

    /// The assessment of a text with nothing to screen.
    package static let clean = InjectionAssessment(score: 0, flagged: false, kinds: [], findings: [])
}
