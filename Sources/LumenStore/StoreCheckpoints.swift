import Crypto
import Foundation
import LumenAudit
import PostgresNIO

/// The key that signs checkpoints: Ed25519, from `LUMEN_STORE_SIGNING_KEY` (64 hex digits, the
/// private key's raw bytes; `lumen store keygen` makes one) or, without it, a key made for this
/// process whose public half is written into each checkpoint (then the checkpoints still tie the
/// chains together, but only a pinned public key, `--public-key`, proves who wrote them).
package struct CheckpointSigner: Sendable {
    /// The private key's raw bytes (the key type itself is not `Sendable`).
    let keyBytes: [UInt8]
    var key: Curve25519.Signing.PrivateKey { (try? Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes)) ?? Curve25519.Signing.PrivateKey() }
    /// Whether the key was configured (not made for this process).
    package let configured: Bool

    package static let environmentKey = "LUMEN_STORE_SIGNING_KEY"
    package static let publicEnvironmentKey = "LUMEN_STORE_PUBLIC_KEY"

    package init(environment: [String: String]) throws(StoreError) {
        if let text = environment[Self.environmentKey], !text.isEmpty {
            guard let bytes = Self.bytes(hex: text), bytes.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
                throw StoreError(
                    .invalidArgument, "\(Self.environmentKey) must be 64 hex digits (an Ed25519 private key; `lumen store keygen` makes one)")
            }
            self.keyBytes = Array(key.rawRepresentation)
            self.configured = true
        } else {
            self.keyBytes = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
            self.configured = false
        }
    }

    /// A new key pair as hex (private, public).
    package static func generate() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (hex(key.rawRepresentation), hex(key.publicKey.rawRepresentation))
    }

    package var publicKey: String { Self.hex(key.publicKey.rawRepresentation) }

    func sign(_ message: [UInt8]) -> String {
        (try? key.signature(for: message)).map(Self.hex) ?? ""
    }

    static func verify(signature: String, message: [UInt8], publicKey: String) -> Bool {
        guard let sig = bytes(hex: signature), let pub = bytes(hex: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: pub)
        else { return false }
        return key.isValidSignature(sig, for: message)
    }

    static func hex<D: DataProtocol>(_ data: D) -> String {
        data.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let high = nibble(chars[i]), let low = nibble(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}

/// A checkpoint's body: every chain's head at one moment and the previous checkpoint's hash. The
/// body text is what is hashed (SHA-256) and signed (Ed25519 over the hash's hex).
struct CheckpointBody: Codable, Sendable {
    struct Head: Codable, Sendable, Hashable {
        var seq: Int
        var hash: String
    }

    var ts: String
    var instance: String
    var prev: String
    var heads: [String: Head]

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

extension SharedStore {
    /// Writes a signed checkpoint of every chain's head, unless another instance wrote one in the
    /// last `minimumInterval` seconds (one writer at a time, by an advisory lock). True when written.
    @discardableResult
    package func writeCheckpoint(instance: StoreInstance, signer: CheckpointSigner, minimumInterval: Double) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await transaction("write checkpoint") { connection in
            var locked = false
            for try await value in try await connection.query("SELECT pg_try_advisory_xact_lock(\(StoreMigrations.lockKey + 2))", logger: logger)
                .decode(Bool.self)
            {
                locked = value
            }
            guard locked else { return false }
            var prev = AuditChain.genesisHash
            var age = Double.infinity
            for try await (hash, seconds) in try await connection.query(
                "SELECT hash, extract(epoch FROM now() - to_timestamp(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::float8 FROM lumen_audit_checkpoints ORDER BY id DESC LIMIT 1",
                logger: logger
            ).decode((String, Double).self) {
                prev = hash
                age = seconds
            }
            guard age >= minimumInterval else { return false }
            var heads: [String: CheckpointBody.Head] = [:]
            for try await (chain, seq, hash) in try await connection.query(
                "SELECT chain_id, head_seq, head_hash FROM lumen_audit_chains WHERE head_seq > 0", logger: logger
            ).decode((String, Int, String).self) {
                heads[chain] = CheckpointBody.Head(seq: seq, hash: hash)
            }
            let ts = AuditFiles.timestamp(Date())
            let body = CheckpointBody(ts: ts, instance: instance.id, prev: prev, heads: heads).encoded()
            let hash = CheckpointSigner.hex(Array(SHA256.hash(data: Data(body.utf8))))
            let signature = signer.sign(Array(hash.utf8))
            try await connection.query(
                """
                INSERT INTO lumen_audit_checkpoints (ts, instance_id, body, hash, signer, signature)
                VALUES (\(ts), \(instance.id), \(body), \(hash), \(signer.publicKey), \(signature))
                """, logger: logger)
            return true
        }
    }
}
