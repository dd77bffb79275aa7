package import LumenClassifier
package import LumenPolicy

/// What happens to findings of one type before a request may leave the machine.
package enum RedactionAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sent upstream unchanged.
    case keep
    /// Replaced by a typed placeholder (`[EMAIL_1]`) upstream and restored in the answer.
    case pseudonymise
    /// The request must be served locally, unredacted.
    case local
    /// The request must be refused.
    case block
}

/// Per-type actions for one request: which types are pseudonymised, which force local serving,
/// which block. Secrets stay local unless the caller names them explicitly.
package struct RedactionRules: Sendable, Hashable {
    /// Explicit action per type; wins over `defaultAction` and `secretAction`.
    package var actions: [FindingType: RedactionAction]
    /// Action for non-secret types not in `actions`.
    package var defaultAction: RedactionAction
    /// Action for secret types (`FindingType.isSecret`) not in `actions`.
    package var secretAction: RedactionAction
    /// Also pseudonymise further exact occurrences of a pseudonymised value that the classifier
    /// missed (same surface text, on word boundaries for Latin-script edges), in every text of the request.
    package var propagateValues: Bool

    package init(
        actions: [FindingType: RedactionAction] = [:],
        defaultAction: RedactionAction = .keep,
        secretAction: RedactionAction = .local,
        propagateValues: Bool = true
    ) {
        self.actions = actions
        self.defaultAction = defaultAction
        self.secretAction = secretAction
        self.propagateValues = propagateValues
    }

    /// Rules from sets of types. A type listed in several sets gets the strictest action
    /// (block > local > pseudonymise). Unlisted types get `defaultAction`, unlisted secrets `secretAction`.
    package init(
        pseudonymise: Set<FindingType>,
        local: Set<FindingType> = [],
        block: Set<FindingType> = [],
        defaultAction: RedactionAction = .keep,
        secretAction: RedactionAction = .local,
        propagateValues: Bool = true
    ) {
        var actions: [FindingType: RedactionAction] = [:]
        for type in pseudonymise { actions[type] = .pseudonymise }
        for type in local { actions[type] = .local }
        for type in block { actions[type] = .block }
        self.init(actions: actions, defaultAction: defaultAction, secretAction: secretAction, propagateValues: propagateValues)
    }

    /// The action that applies to findings of `type`.
    package func action(for type: FindingType) -> RedactionAction {
        if let action = actions[type] { return action }
        return type.isSecret ? secretAction : defaultAction
    }
}

extension RedactionAction {
    /// What a policy's redaction mode does to a finding: the one mapping from the policy's vocabulary
    /// to the redaction stage's.
    package init(_ mode: RedactionMode) {
        switch mode {
        case .pseudonymise: self = .pseudonymise
        case .local: self = .local
        case .block: self = .block
        }
    }
}

extension RedactionRules {
    /// The rules a policy's `redaction` settings give: each type's action is
    /// `RedactionSettings.mode(for:)` (which the policy engine's safety nets read as well), so the
    /// decision and the redaction can never disagree on a type.
    package init(_ settings: RedactionSettings) {
        var actions: [FindingType: RedactionAction] = [:]
        for type in PolicyVocabulary.findingTypes.union(settings.modes.keys) {
            actions[type] = RedactionAction(settings.mode(for: type))
        }
        self.init(
            actions: actions,
            defaultAction: RedactionAction(settings.defaultMode),
            secretAction: RedactionAction(settings.mode(for: .genericSecret))
        )
    }
}
