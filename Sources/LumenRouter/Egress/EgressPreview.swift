import Foundation
import LumenClassifier
package import LumenCore
package import LumenPolicy
import LumenRedaction

/// What the router would send for a request, computed exactly as `Router.prepare` does (same
/// screen, same decision, the primary target's own body, same redaction) but without a router or a
/// network, for `lumen route --explain`.
package enum EgressPreview {
    /// What leaves the machine for the decided target.
    package enum Outcome: Sendable, Hashable {
        /// This body goes to `host`; `redactedValues` distinct values were pseudonymised in it.
        case leaves(target: String, host: String?, body: OutboundBody, redactedValues: Int)
        /// Nothing leaves: the decided target is local.
        case local(target: String)
        /// Nothing leaves to the decided target: the last check keeps the request local.
        case keptLocal(target: String, reason: String)
        /// The request is refused.
        case blocked(String)
    }

    /// The screen, the decision with its rule trace, and what would leave.
    package struct Result: Sendable {
        package var screened: ScreenedRequest
        package var explanation: PolicyExplanation
        package var outcome: Outcome
    }

    /// Previews `request` under `policy` with the given context (tenant, requested model, budgets…).
    package static func preview(_ request: ChatCompletionRequest, policy: Policy, context: RequestContext) throws(RouterError) -> Result {
        try preview(.chat(request), policy: policy, context: context)
    }

    /// Previews a request that came in through any client API (an Anthropic client's own body goes
    /// to an Anthropic target as the router would pass it through).
    package static func preview(_ inbound: InboundRequest, policy: Policy, context: RequestContext) throws(RouterError) -> Result {
        let classifier = Classifier(configuration: policy.classifierConfiguration)
        let screened = try Screening.screen(inbound, classifier: classifier, unknownFields: policy.egress.unknownFields)
        var context = context
        context.binaryParts = screened.binaryParts
        if context.metadata.isEmpty { context.metadata = Wire.metadata(of: screened.request) }
        let explanation = PolicyEngine.explain(policy, screened.classification, context)
        let decision = explanation.decision
        guard decision.action != .block else {
            return Result(screened: screened, explanation: explanation, outcome: .blocked(decision.blockMessage ?? "blocked"))
        }
        guard let name = decision.target, let target = policy.target(named: name) else {
            return Result(screened: screened, explanation: explanation, outcome: .blocked("no target"))
        }
        guard !target.isLocal else {
            return Result(screened: screened, explanation: explanation, outcome: .local(target: name))
        }
        let format: WireFormat = target.kind == .anthropic ? .anthropicMessages : .openAIChat
        let body: OutboundBody
        if format == .anthropicMessages, let native = screened.native, native.format == .anthropicMessages {
            body = .passThrough(native, model: target.model ?? name, stream: screened.request.isStreaming, headers: screened.passThroughHeaders)
        } else {
            do {
                body = try OutboundBody.build(screened.request, format: format, model: target.model ?? name, stream: screened.request.isStreaming)
            } catch {
                throw .invalidRequest(error.message)
            }
        }
        let outcome: Outcome
        switch Screening.finalise(
            body, screened: screened, redact: decision.action == .redact, rules: RedactionRules(policy.redaction), classifier: classifier
        ) {
        case .send(let final, let session, _):
            outcome = .leaves(target: name, host: target.baseURL.map(egressHost(of:)), body: final, redactedValues: session?.stats.totalValues ?? 0)
        case .local(let why):
            outcome = .keptLocal(target: name, reason: why)
        case .block(let message):
            outcome = .blocked(message)
        }
        return Result(screened: screened, explanation: explanation, outcome: outcome)
    }
}
