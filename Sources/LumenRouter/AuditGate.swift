import LumenAudit
import LumenPolicy

extension Router {
    /// Whether the audit log takes records now (nil) or why not.
    var auditProblem: String? {
        switch audit {
        case .unavailable(let why): return why
        case .log(let log):
            let health = log.health
            return health.ok ? nil : health.detail
        }
    }

    /// #18 item 6: while the audit log cannot be written, every request is refused with 503 unless
    /// the policy says `on_audit_failure: serve-local-unaudited` (then local routes are answered
    /// without a record and remote routes are refused where the pre-egress record fails). Nil when
    /// the request may proceed.
    func auditRefusal() -> RouterError? {
        guard let problem = auditProblem, policy.auditFailureMode == .refuse else { return nil }
        return .auditUnavailable(
            "The audit log cannot be written (\(problem)); requests are refused until it can (on_audit_failure: refuse).", route: nil)
    }

    /// Whether an answer whose completion record could not be written may still be sent.
    var answersWithoutRecord: Bool { policy.auditFailureMode == .serveLocalUnaudited }
}
