internal import Crypto
internal import Foundation

/// The canonical form of a policy is its JSON encoding with sorted keys and without the hash itself;
/// the content hash is the SHA-256 of that, in lower-case hex.
enum PolicyHasher {
    static func canonicalForm(_ policy: Policy) -> Data {
        var copy = policy
        copy.contentHash = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types with synthesized or total Codable conformances cannot fail.
        return (try? encoder.encode(copy)) ?? Data()
    }

    static func hash(_ policy: Policy) -> String {
        SHA256.hash(data: canonicalForm(policy)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
