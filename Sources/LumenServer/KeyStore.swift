import Crypto
import Foundation
import Yams

/// Who a presented API key belongs to.
package struct KeyIdentity: Sendable, Hashable {
    /// Tenant name the key maps to (used by policy conditions and budgets).
    package var tenant: String
    /// Optional key id from the key file; otherwise the first 12 hex digits of the key's hash.
    package var keyID: String

    package init(tenant: String, keyID: String) {
        self.tenant = tenant
        self.keyID = keyID
    }
}

/// Error loading a key file, with the file and a human message.
package struct KeyStoreError: Error, CustomStringConvertible, Sendable {
    package var file: String
    package var message: String

    package var description: String { "\(file): error: \(message)" }
}

/// API keys accepted by the server, stored only as SHA-256 hex digests → tenant.
///
/// File format (YAML or JSON), either a top-level list or a `keys:` list of entries:
/// ```yaml
/// keys:
///   - sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
///     tenant: acme
///     id: acme-ci        # optional
/// ```
package struct KeyStore: Sendable {
    private let entries: [String: KeyIdentity]

    /// Number of keys.
    package var count: Int { entries.count }

    /// Keys from `sha256 hex → identity` (hex is lower-cased).
    package init(hashedKeys: [String: KeyIdentity]) {
        var lowered: [String: KeyIdentity] = [:]
        for (hash, identity) in hashedKeys { lowered[hash.lowercased()] = identity }
        self.entries = lowered
    }

    /// The SHA-256 hex digest of a key, as stored in key files (`lumen serve --hash-key KEY`).
    package static func hash(key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The identity for a presented key, or nil if unknown.
    package func identity(forKey key: String) -> KeyIdentity? {
        entries[Self.hash(key: key)]
    }

    /// Loads a key file (YAML or JSON).
    package static func load(path: String) throws(KeyStoreError) -> KeyStore {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KeyStoreError(file: path, message: "cannot read key file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    private struct Entry: Decodable {
        var sha256: String
        var tenant: String
        var id: String?
    }

    private struct Wrapper: Decodable {
        var keys: [Entry]
    }

    /// Parses key file text (YAML or JSON).
    package static func parse(_ text: String, file: String = "<keys>") throws(KeyStoreError) -> KeyStore {
        let trimmed = text.drop { $0.isWhitespace }
        let entries: [Entry]
        do {
            if trimmed.first == "{" || trimmed.first == "[" {
                let data = Data(text.utf8)
                if trimmed.first == "{" {
                    entries = try JSONDecoder().decode(Wrapper.self, from: data).keys
                } else {
                    entries = try JSONDecoder().decode([Entry].self, from: data)
                }
            } else {
                if case .sequence? = try Yams.compose(yaml: text) {
                    entries = try YAMLDecoder().decode([Entry].self, from: text)
                } else {
                    entries = try YAMLDecoder().decode(Wrapper.self, from: text).keys
                }
            }
        } catch {
            throw KeyStoreError(
                file: file,
                message: "expected a list of {sha256, tenant, id?} entries (or `keys:` with such a list): \(error)"
            )
        }
        var map: [String: KeyIdentity] = [:]
        for (index, entry) in entries.enumerated() {
            let hash = entry.sha256.lowercased()
            guard hash.count == 64, hash.allSatisfy({ $0.isHexDigit }) else {
                throw KeyStoreError(file: file, message: "entry \(index + 1): sha256 must be 64 hex digits (run `lumen serve --hash-key KEY`)")
            }
            guard !entry.tenant.isEmpty else {
                throw KeyStoreError(file: file, message: "entry \(index + 1): tenant must not be empty")
            }
            guard map[hash] == nil else {
                throw KeyStoreError(file: file, message: "entry \(index + 1): duplicate key hash")
            }
            map[hash] = KeyIdentity(tenant: entry.tenant, keyID: entry.id ?? String(hash.prefix(12)))
        }
        guard !map.isEmpty else {
            throw KeyStoreError(file: file, message: "no keys in file")
        }
        return KeyStore(hashedKeys: map)
    }
}
