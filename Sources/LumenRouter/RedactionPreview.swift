public import LumenClassifier
public import LumenPolicy
import LumenRedaction

/// What the `redact` action would send for a prompt, computed exactly as the router does
/// (same classifier configuration, same rules from the policy's `redaction` settings) but without
/// a router, for `lumen route --explain`.
public enum RedactionPreview {
    /// The outcome of redaction for one prompt.
    public enum Outcome: Sendable, Hashable {
        /// The text as it would leave, with the number of distinct values replaced.
        case redacted(text: String, values: Int)
        /// These types keep the request local (e.g. secrets): nothing would leave.
        case local(types: [FindingType])
        /// These types make the policy refuse the request.
        case block(types: [FindingType])
    }

    /// Redacts `prompt` (one user message) under `policy`'s redaction settings.
    public static func redactedPrompt(_ prompt: String, policy: Policy) -> Outcome {
        redactedTexts([prompt], policy: policy) ?? .local(types: [])
    }

    /// Redacts several message texts together (consistent placeholders across them). For the
    /// `redacted` case the texts are joined with a blank line.
    public static func redactedTexts(_ texts: [String], policy: Policy) -> Outcome? {
        let classifier = Classifier(configuration: policy.classifierConfiguration)
        let findings = texts.map { classifier.findings(in: $0) }
        do {
            switch try RedactionSession.decide(texts: texts, findings: findings, rules: Router.redactionRules(policy.redaction)) {
            case .redacted(let session):
                return .redacted(text: session.redactedTexts.joined(separator: "\n\n"), values: session.stats.totalValues)
            case .local(let types):
                return .local(types: types)
            case .block(let types):
                return .block(types: types)
            }
        } catch {
            return nil
        }
    }
}
