import Crypto
import Foundation
package import LumenAudit
import PostgresNIO

extension SharedStore {
    /// Every record line of the store (or those since `since`), chain by chain in chain order, as the
    /// review commands read them. Chains are ordered by their first record, so a directory imported
    /// with `lumen audit import` reads back in its original order.
    package func auditLines(since: String? = nil) async throws(StoreError) -> [AuditSourceChunk] {
        let rows: [PostgresRow]
        if let since {
            rows = try await run(
                "read audit records",
                """
                SELECT r.chain_id, r.line FROM lumen_audit_records r
                JOIN (SELECT chain_id, min(id) AS first FROM lumen_audit_records GROUP BY chain_id) f USING (chain_id)
                WHERE r.ts >= \(since) ORDER BY f.first, r.seq
                """)
        } else {
            rows = try await run(
                "read audit records",
                """
                SELECT r.chain_id, r.line FROM lumen_audit_records r
                JOIN (SELECT chain_id, min(id) AS first FROM lumen_audit_records GROUP BY chain_id) f USING (chain_id)
                ORDER BY f.first, r.seq
                """)
        }
        var chunks: [AuditSourceChunk] = []
        for row in rows {
            guard let (chain, line) = try? row.decode((String, String).self) else { continue }
            if chunks.last?.name != chain { chunks.append(AuditSourceChunk(name: chain, lines: [])) }
            chunks[chunks.count - 1].lines.append(Array(line.utf8))
        }
        return chunks
    }

    /// Every chain's lines for verifying, and the records whose indexed columns (`--since` reads
    /// `ts`, lookups `request_id` and `kind`) are not what their hashed line says: such a copy hides
    /// the record from those reads while the chain still verifies, so it is tampering too. One read.
    func linesAndColumnIssues() async throws(StoreError) -> (chunks: [AuditSourceChunk], issues: [AuditVerifyIssue]) {
        let rows = try await run(
            "read audit records",
            """
            SELECT r.chain_id, r.seq, r.ts, r.kind, r.request_id, r.line FROM lumen_audit_records r
            JOIN (SELECT chain_id, min(id) AS first FROM lumen_audit_records GROUP BY chain_id) f USING (chain_id)
            ORDER BY f.first, r.seq
            """)
        var chunks: [AuditSourceChunk] = []
        var issues: [AuditVerifyIssue] = []
        for row in rows {
            guard let (chain, seq, ts, kind, requestID, line) = try? row.decode((String, Int, String, String, String, String).self) else { continue }
            if chunks.last?.name != chain { chunks.append(AuditSourceChunk(name: chain, lines: [])) }
            let bytes = Array(line.utf8)
            chunks[chunks.count - 1].lines.append(bytes)
            let expected = PostgresAuditStore.columns(of: bytes)
            var differing: [String] = []
            if expected.timestamp != ts { differing.append("ts") }
            if expected.kind.rawValue != kind { differing.append("kind") }
            if expected.id != requestID { differing.append("request_id") }
            if !differing.isEmpty {
                issues.append(
                    AuditVerifyIssue(
                        kind: .modified, file: chain, line: seq,
                        message:
                            "the record's \(differing.joined(separator: ", ")) column differs from its hashed line (reads by time or request would miss it)"
                    ))
            }
        }
        return (chunks, issues)
    }

    /// The last `count` records by insertion order (all chains), oldest first, with the id to follow from.
    package func lastAuditLines(_ count: Int, after id: Int64? = nil) async throws(StoreError) -> [(id: Int64, line: String)] {
        let rows: [PostgresRow]
        if let id {
            rows = try await run("read audit records", "SELECT id, line FROM lumen_audit_records WHERE id > \(id) ORDER BY id LIMIT 10000")
        } else {
            rows = try await run(
                "read audit records", "SELECT id, line FROM (SELECT id, line FROM lumen_audit_records ORDER BY id DESC LIMIT \(count)) t ORDER BY id")
        }
        return rows.compactMap { row in (try? row.decode((Int64, String).self)).map { ($0.0, $0.1) } }
    }

    /// Loads an audit directory as a chain of its own (`import:NAME`), line for line, so its
    /// hashes still verify. Refuses a directory already imported (same first record hash).
    package func importAudit(directory: String, name: String) async throws -> (records: Int, chain: String) {
        let lines = try AuditSource.directory(directory).chunks().flatMap(\.lines)
        guard let first = lines.first, let header = AuditSource.header(first) else {
            throw StoreError(.invalidArgument, "\(directory) holds no audit records")
        }
        let chain = "import:\(name):\(header.hash.prefix(12))"
        let existing = try await run("check import", "SELECT 1 FROM lumen_audit_chains WHERE chain_id = \(chain)")
        guard existing.isEmpty else { throw StoreError(.invalidArgument, "\(directory) was already imported as chain \(chain)") }
        try await run("register import", "INSERT INTO lumen_audit_chains (chain_id, instance_id) VALUES (\(chain), \("import:" + name))")
        let sink = PostgresAuditStore(store: self, chainID: chain, instanceID: "import:" + name)
        var batch: [AuditLine] = []
        var count = 0
        for bytes in lines {
            guard let header = AuditSource.header(bytes) else {
                throw StoreError(.invalidArgument, "\(directory): a line is not an audit record (run `lumen audit verify` first)")
            }
            let columns = PostgresAuditStore.columns(of: bytes)
            batch.append(
                AuditLine(
                    bytes: bytes, day: String(columns.timestamp.prefix(10)), seq: header.seq, hash: header.hash, prevHash: header.prevHash,
                    kind: columns.kind, id: columns.id, timestamp: columns.timestamp))
            if batch.count == 500 {
                try await sink.write(batch, sync: true)
                count += batch.count
                batch = []
            }
        }
        if !batch.isEmpty {
            try await sink.write(batch, sync: true)
            count += batch.count
        }
        return (count, chain)
    }
}

/// The result of `lumen audit verify --store`.
package struct StoreVerifyReport: Sendable {
    package var chains: Int
    package var records: Int
    package var checkpoints: Int
    package var issues: [AuditVerifyIssue]
    package var recoveries: [(file: String, line: Int, recovery: AuditRecovery)]
    /// Public keys that signed the checkpoints.
    package var signers: Set<String>
    package var seconds: Double

    package var intact: Bool { !issues.contains { $0.isTampering } }
}

extension SharedStore {
    /// Verifies every chain (hashes, links, sequence numbers, the chain's recorded head) and every
    /// checkpoint (its link to the previous one, its hash, its signature — against `publicKey` when
    /// given — and that each head it names is still in its chain with that hash).
    package func verifyAudit(publicKey: String? = nil) async throws(StoreError) -> StoreVerifyReport {
        let started = DispatchTime.now()
        let (chunks, columnIssues) = try await linesAndColumnIssues()
        var issues: [AuditVerifyIssue] = []
        var recoveries: [(file: String, line: Int, recovery: AuditRecovery)] = []
        var records = 0
        var checks: [String: AuditVerifier.ChainCheck] = [:]
        for chunk in chunks {
            let check = AuditVerifier.verifyChain(named: chunk.name, lines: chunk.lines)
            checks[chunk.name] = check
            issues += check.issues
            recoveries += check.recoveries
            records += check.records
        }
        issues += columnIssues
        let heads = try await run("read chain heads", "SELECT chain_id, head_seq, head_hash FROM lumen_audit_chains ORDER BY chain_id")
        var chainCount = 0
        for row in heads {
            guard let (chain, seq, hash) = try? row.decode((String, Int, String).self) else { continue }
            chainCount += 1
            let tail = checks[chain]?.tail ?? .genesis
            if seq > tail.seq {
                issues.append(
                    AuditVerifyIssue(
                        kind: .truncated, file: chain, line: tail.seq,
                        message:
                            "the chain's head says seq \(seq) but its records end at seq \(tail.seq): \(seq - tail.seq) record(s) removed from the end"
                    ))
            } else if seq == tail.seq, hash != tail.hash {
                issues.append(
                    AuditVerifyIssue(kind: .modified, file: chain, line: tail.seq, message: "the chain's head hash differs from its last record's"))
            }
        }
        let rows = try await run("read checkpoints", "SELECT id, body, hash, signer, signature FROM lumen_audit_checkpoints ORDER BY id")
        var previous = LumenAudit.AuditChain.genesisHash
        var signers = Set<String>()
        let decoder = JSONDecoder()
        for row in rows {
            guard let (id, body, hash, signer, signature) = try? row.decode((Int, String, String, String, String).self) else { continue }
            let place = "checkpoint \(id)"
            let computed = CheckpointSigner.hex(Array(SHA256.hash(data: Data(body.utf8))))
            guard computed == hash else {
                issues.append(AuditVerifyIssue(kind: .modified, file: place, line: 1, message: "the checkpoint's body does not match its hash"))
                continue
            }
            if !CheckpointSigner.verify(signature: signature, message: Array(hash.utf8), publicKey: signer) {
                issues.append(
                    AuditVerifyIssue(kind: .modified, file: place, line: 1, message: "the checkpoint's signature is not valid for its signer"))
            } else if let publicKey, publicKey.lowercased() != signer {
                issues.append(
                    AuditVerifyIssue(kind: .modified, file: place, line: 1, message: "signed by \(signer.prefix(16))…, not by the pinned public key"))
            }
            signers.insert(signer)
            guard let decoded = try? decoder.decode(CheckpointBody.self, from: Data(body.utf8)) else {
                issues.append(AuditVerifyIssue(kind: .malformed, file: place, line: 1, message: "the checkpoint's body does not parse"))
                continue
            }
            if decoded.prev != previous {
                issues.append(
                    AuditVerifyIssue(
                        kind: .deleted, file: place, line: 1, message: "does not follow the previous checkpoint (one was removed or rewritten)"))
            }
            previous = hash
            for (chain, head) in decoded.heads.sorted(by: { $0.key < $1.key }) {
                guard let check = checks[chain] else {
                    issues.append(
                        AuditVerifyIssue(
                            kind: .deleted, file: chain, line: head.seq, message: "\(place) names this chain at seq \(head.seq) but it has no records"
                        ))
                    continue
                }
                if let stored = check.hashes[head.seq] {
                    if stored != head.hash {
                        issues.append(
                            AuditVerifyIssue(
                                kind: .modified, file: chain, line: head.seq, message: "seq \(head.seq) differs from the hash \(place) recorded"))
                    }
                } else if head.seq > check.tail.seq {
                    issues.append(
                        AuditVerifyIssue(
                            kind: .truncated, file: chain, line: check.tail.seq,
                            message: "\(place) saw seq \(head.seq) but the chain ends at seq \(check.tail.seq): records removed from the end"))
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return StoreVerifyReport(
            chains: chainCount, records: records, checkpoints: rows.count, issues: issues, recoveries: recoveries, signers: signers, seconds: seconds)
    }
}
