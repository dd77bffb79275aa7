package import LumenPolicy

/// One step down a rule's fallback order: the target that failed or was unavailable, the one tried
/// next, and why (no prompt text).
package struct FallbackEvent: Sendable, Codable, Hashable {
    package var from: String
    package var to: String
    package var reason: String

    package init(from: String, to: String, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// What the router decided and did for one request; the server turns it into `x-lumen-*` headers.
package struct RouteInfo: Sendable, Hashable {
    package var requestID: String
    package var route: RouteKind
    /// The target that served (or would have served) the request.
    package var target: String
    /// The policy rule that matched.
    package var rule: String
    /// Cost in USD: the real cost for complete answers, the estimate at start for streams
    /// (the final stream chunk's `usage.cost` carries the real number).
    package var costUSD: Double
    /// Host the request left to, or nil when nothing left the machine.
    package var egressHost: String?
    /// Set when the policy overrode the model the client asked for (privacy), with the reason.
    package var overrideReason: String?
    package var fallbacks: [FallbackEvent]
    /// Number of values replaced by placeholders before egress.
    package var redactedValues: Int
    /// Request members that were not sent (undocumented, or not taken by the target's API).
    package var droppedFields: [String]
    /// For a request a `flag` or `spotlight` rule marked: the injection kinds, the location with the
    /// highest score, that score and the rules (never any text), for the `x-lumen-injection` header.
    package var injection: String?
    /// The request's input tokens as the classifier estimates them (0: not estimated), for what a
    /// stream says before the target's count arrives (Anthropic's `message_start`).
    package var estimatedInputTokens: Int

    package init(
        requestID: String, route: RouteKind, target: String, rule: String, costUSD: Double = 0,
        egressHost: String? = nil, overrideReason: String? = nil, fallbacks: [FallbackEvent] = [], redactedValues: Int = 0,
        droppedFields: [String] = [], injection: String? = nil, estimatedInputTokens: Int = 0
    ) {
        self.requestID = requestID
        self.route = route
        self.target = target
        self.rule = rule
        self.costUSD = costUSD
        self.egressHost = egressHost
        self.overrideReason = overrideReason
        self.fallbacks = fallbacks
        self.redactedValues = redactedValues
        self.droppedFields = droppedFields
        self.injection = injection
        self.estimatedInputTokens = estimatedInputTokens
    }
}
