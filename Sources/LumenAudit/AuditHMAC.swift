import Crypto
import Foundation

/// HMAC-SHA256 of finding values, so an investigator can ask whether a value ever left without the
/// log holding it. Values are normalised (whitespace trimmed, lower-cased) before hashing.
package struct AuditHMAC: Sendable {
    /// Environment variable holding the key.
    package static let environmentKey = "LUMEN_AUDIT_HMAC_KEY"

    private let keyBytes: [UInt8]

    package init(key: String) {
        self.keyBytes = Array(key.utf8)
    }

    /// The key from `LUMEN_AUDIT_HMAC_KEY`, or nil (then no value digests are stored at all).
    package static func fromEnvironment(_ environment: [String: String]) -> AuditHMAC? {
        guard let key = environment[environmentKey], !key.isEmpty else { return nil }
        return AuditHMAC(key: key)
    }

    /// Lower-case hex HMAC of the normalised value.
    package func digest(_ value: String) -> String {
        let normalised = Self.normalise(value)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(normalised.utf8), using: SymmetricKey(data: keyBytes))
        return AuditChain.hex(Array(mac))
    }

    /// Lower-case hex HMAC of `text` as is (for seals, not finding values).
    package func mac(_ text: String) -> String {
        AuditChain.hex(Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: keyBytes))))
    }

    /// Trimmed and lower-cased.
    package static func normalise(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

extension AuditRecord {
    /// Key id for an API key: the first 12 hex digits of its SHA-256 (never the key).
    package static func keyID(forAPIKey apiKey: String) -> String {
        String(AuditChain.hex(Array(SHA256.hash(data: Data(apiKey.utf8)))).prefix(12))
    }
}
