import LumenAudit
import LumenCore
import LumenPolicy

/// How the router sizes a budget reservation (#17): the worst case a request can cost on a target.
enum BudgetReservation {
    /// Output tokens assumed when the request sets no `max_tokens` (the upstream may still stop
    /// earlier; the reservation is settled to the real cost).
    static let defaultMaxOutputTokens = 4096

    /// Web searches assumed for an Anthropic web search tool without `max_uses` (the provider sets no
    /// limit of its own; Claude Code asks for at most 8).
    static let defaultMaxWebSearches = 10

    /// The web searches a body may make its target run at most: each web search server tool's
    /// `max_uses` (else `defaultMaxWebSearches`); none for a body without one.
    static func maxWebSearches(_ body: OutboundBody) -> Int {
        guard body.format == .anthropicMessages else { return 0 }
        return (body.json["tools"]?.arrayValue ?? []).reduce(0) { total, tool in
            guard tool["type"]?.stringValue?.hasPrefix("web_search_") == true else { return total }
            return total.saturatingAdd(min(max(tool["max_uses"]?.intValue ?? defaultMaxWebSearches, 0), 1_000_000))
        }
    }

    /// The reservation for sending `request` to `target`, nil when the target is free. Prompt tokens
    /// are the larger of the classifier's estimate and a quarter of the bytes that leave (the body
    /// carries JSON framing, so this stays above the real count for ordinary text); output is
    /// `max_completion_tokens` or `max_tokens` (else `defaultMaxOutputTokens`) times `n`; and the web
    /// searches the body may run (`maxWebSearches`) at the target's price.
    static func request(
        requestID: String, tenant: String?, target: PolicyTarget, request: ChatCompletionRequest, estimatedPromptTokens: Int, bodyBytes: Int,
        webSearches: Int = 0
    ) -> BudgetReservationRequest? {
        guard target.isPaid || (webSearches > 0 && target.webSearchPrice > 0) else { return nil }
        let prompt = max(estimatedPromptTokens, (bodyBytes + 3) / 4)
        let perChoice = max(request.maxCompletionTokens ?? request.maxTokens ?? defaultMaxOutputTokens, 1)
        let choices = max(request.n ?? 1, 1)
        let (output, overflow) = perChoice.multipliedReportingOverflow(by: choices)
        let maxOutput = overflow ? Int.max / 2 : output
        return BudgetReservationRequest(
            requestID: requestID, tenant: tenant, target: target.name, promptTokens: prompt, maxOutputTokens: maxOutput,
            amountUSD: target.estimatedCost(inputTokens: prompt, outputTokens: maxOutput)
                + PolicyTarget.Price.searchCost(webSearches, perThousand: target.webSearchPrice))
    }
}

extension Router {
    /// Reserves the worst case of sending `bytes` to `target` before the pre-egress record; a
    /// refusal follows the policy's `on_exhausted` (block → 403, otherwise skip this target so a local
    /// candidate can serve), an unreachable budget store refuses the remote route (503).
    func reserveBudget(
        target: PolicyTarget, screened: ScreenedRequest, body: OutboundBody, bytes: Int, trail: AuditTrail, plan: Plan
    ) async throws(RouterError) -> String? {
        guard
            let wanted = BudgetReservation.request(
                requestID: trail.requestID, tenant: trail.base.tenant, target: target, request: screened.request,
                estimatedPromptTokens: screened.classification.estimatedTokens, bodyBytes: bytes,
                webSearches: BudgetReservation.maxWebSearches(body))
        else { return nil }
        switch await budget.reserve(wanted) {
        case .granted:
            return nil
        case .refused(let why):
            if case .block(let message)? = policy.budgets.onExhausted {
                throw .blocked(message, route: RouteInfo(requestID: trail.requestID, route: .blocked, target: "none", rule: "budget"))
            }
            return "budget exhausted: \(why)"
        case .unavailable(let why):
            throw .auditUnavailable("The budget store is unavailable (\(why)); remote routes are refused.", route: nil)
        }
    }
}
