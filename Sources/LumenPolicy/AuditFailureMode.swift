internal import Yams

// #18 item 6, kept apart from the parser proper so the lead's edits of PolicyParser.swift and this
// setting merge without conflict: the only edits there are the top-level key and one argument.

/// What `lumen serve` does with requests it could answer locally while the audit log cannot be
/// written (full disk, database down). Remote routes are always refused then (503).
package enum AuditFailureMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Refuse every request with 503 until records can be written again (the default).
    case refuse
    /// Keep answering local routes without a record (the log notes the gap when it recovers).
    case serveLocalUnaudited = "serve-local-unaudited"
}

extension Policy {
    /// `on_audit_failure`, with its default.
    package var auditFailureMode: AuditFailureMode { onAuditFailure ?? .refuse }
}

extension PolicyParser {
    /// `on_audit_failure: refuse | serve-local-unaudited`.
    mutating func parseAuditFailure(_ node: Node) -> AuditFailureMode? {
        guard let text = reader.nonEmptyString(node, "'on_audit_failure'") else { return nil }
        guard let mode = AuditFailureMode(rawValue: text) else {
            reader.error(node, "unknown on_audit_failure '\(text)': expected refuse or serve-local-unaudited")
            return nil
        }
        return mode
    }
}
