package import LumenClassifier

/// The policy engine's answer for one request: what to do, where, and why.
package struct Decision: Sendable, Hashable, Codable {
    /// What happens to the request.
    package enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        /// Send as is to `target`.
        case route
        /// Redact findings, then send to `target`.
        case redact
        /// Refuse with `blockMessage`.
        case block
    }

    package var action: Action
    /// Target name for `route`/`redact`; nil for `block`.
    package var target: String?
    /// Target names to try in order when `target` fails.
    package var fallback: [String]
    /// The rule that decided: a rule name, `default`, `requested-model` or `budget`.
    package var rule: String
    /// Which conditions matched, with the actual values.
    package var reason: String
    /// Message for a `block` decision.
    package var blockMessage: String?
    /// True when the request named a target and the policy sent it elsewhere.
    package var overrodeRequestedModel: Bool
    /// Why the requested model was overridden.
    package var overrideReason: String?
    /// Name and content hash of the policy that decided (for the audit record).
    package var policyName: String
    package var policyHash: String
    /// `flag` rules that matched (the request is answered as usual and marked).
    package var flaggedBy: [String]
    /// Areas whose flagged locations are rewritten as delimited data before any model sees them
    /// (from the `spotlight` rules that matched).
    package var spotlight: [TextArea]

    package init(
        action: Action,
        target: String?,
        fallback: [String] = [],
        rule: String,
        reason: String,
        blockMessage: String? = nil,
        overrodeRequestedModel: Bool = false,
        overrideReason: String? = nil,
        policyName: String = "",
        policyHash: String = "",
        flaggedBy: [String] = [],
        spotlight: [TextArea] = []
    ) {
        self.action = action
        self.target = target
        self.fallback = fallback
        self.rule = rule
        self.reason = reason
        self.blockMessage = blockMessage
        self.overrodeRequestedModel = overrodeRequestedModel
        self.overrideReason = overrideReason
        self.policyName = policyName
        self.policyHash = policyHash
        self.flaggedBy = flaggedBy
        self.spotlight = spotlight
    }
}

/// Where a request went: served on this machine (in-process or a local endpoint), sent to a remote
/// provider, or refused. One vocabulary for the decision, the response header, metrics and the audit log.
package enum RouteKind: String, Sendable, Codable, Hashable, CaseIterable {
    case local
    case remote
    case blocked
}

extension PolicyTarget {
    /// `.local` for the embedded model and local endpoints, `.remote` otherwise.
    package var route: RouteKind { isLocal ? .local : .remote }
}

extension Decision {
    /// Where this decision sends the request under `policy`: `.blocked`, or its target's route.
    package func route(in policy: Policy) -> RouteKind {
        guard action != .block else { return .blocked }
        return target.flatMap(policy.target(named:))?.route ?? .local
    }
}
