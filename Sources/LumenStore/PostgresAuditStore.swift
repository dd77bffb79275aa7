import Foundation
package import LumenAudit
import PostgresNIO

/// An instance's audit chain in PostgreSQL: the `AuditLineStore` behind `AuditLog` when
/// `lumen serve --store` is used. Each batch is one call of `lumen_audit_append` (one statement, one
/// commit: the group commit), which also moves the chain's head; a batch that does not continue the
/// head is refused by the database. The lines are stored byte for byte as sealed, so the same
/// verifier checks them.
package final class PostgresAuditStore: AuditLineStore {
    package let store: SharedStore
    package let chainID: String
    let instanceID: String

    package init(store: SharedStore, chainID: String, instanceID: String) {
        self.store = store
        self.chainID = chainID
        self.instanceID = instanceID
    }

    package var label: String { "store \(store.url) chain \(chainID)" }

    /// The indexed columns of a record's line (`ts`, `kind`, `request_id`), as an import writes them
    /// and `audit verify` checks them: a line that lacks one gets the same default on both sides.
    static func columns(of line: [UInt8]) -> (timestamp: String, kind: AuditRecordKind, id: String) {
        struct Indexed: Decodable {
            var ts: String?
            var kind: String?
            var id: String?
        }
        let indexed = try? JSONDecoder().decode(Indexed.self, from: Data(line))
        return (indexed?.ts ?? "", indexed?.kind.flatMap(AuditRecordKind.init(rawValue:)) ?? .completion, indexed?.id ?? "")
    }

    package func write(_ lines: [AuditLine], sync: Bool) async throws {
        guard !lines.isEmpty else { return }
        let seqs = lines.map { Int64($0.seq) }
        let ts = lines.map(\.timestamp)
        let kinds = lines.map(\.kind.rawValue)
        let ids = lines.map(\.id)
        let hashes = lines.map(\.hash)
        let prevs = lines.map(\.prevHash)
        let texts = lines.map { line -> String in
            // The sealed line without its newline: valid UTF-8 JSON (the hash covers these bytes).
            String(decoding: line.bytes.last == 0x0A ? line.bytes.dropLast() : line.bytes[...], as: UTF8.self)
        }
        do {
            let chainID = self.chainID
            let logger = store.logger
            try await store.transaction("append \(lines.count) audit record(s)", bounded: true) { connection in
                // Read to the end: an error of the statement (a timeout) arrives with its rows, and
                // a COMMIT after it would end the aborted transaction without one.
                _ = try await connection.query(
                    "SELECT lumen_audit_append(\(chainID), \(seqs), \(ts), \(kinds), \(ids), \(hashes), \(prevs), \(texts))", logger: logger
                ).collect()
            }
        } catch {
            throw AuditError(.io, error.message)
        }
    }

    package func reopen() async throws -> AuditStoreOpening {
        do {
            try await store.run(
                "register audit chain",
                "INSERT INTO lumen_audit_chains (chain_id, instance_id) VALUES (\(chainID), \(instanceID)) ON CONFLICT DO NOTHING")
            let rows = try await store.run(
                "read audit chain tail", "SELECT seq, hash FROM lumen_audit_records WHERE chain_id = \(chainID) ORDER BY seq DESC LIMIT 1")
            guard let row = rows.first else { return AuditStoreOpening(tail: .genesis) }
            let (seq, hash) = try row.decode((Int64, String).self)
            return AuditStoreOpening(tail: AuditTail(seq: Int(seq), hash: hash))
        } catch let error as StoreError {
            throw AuditError(.io, error.message)
        }
    }

    package func close() async throws {}
}
