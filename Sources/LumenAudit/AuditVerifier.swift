import Foundation

/// One problem `verify` found, located by file and 1-based line.
package struct AuditVerifyIssue: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        /// Content does not match its hash, or the chain shows the previous record was rewritten.
        case modified
        /// Records are missing before this line.
        case deleted
        /// A record that does not belong (duplicate or forged sequence number).
        case inserted
        /// Records out of order.
        case reordered
        /// Records are missing at the end of the log (per `audit.head`).
        case truncated
        /// A line that is not an audit record.
        case malformed
        /// The last line was torn by a crash and not yet repaired (not tampering).
        case torn
    }

    package var kind: Kind
    package var file: String
    package var line: Int
    package var message: String

    package init(kind: Kind, file: String, line: Int, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    package var description: String { "\(file):\(line): \(kind.rawValue): \(message)" }

    /// Whether this issue means the log was tampered with (everything but an unrepaired torn line).
    package var isTampering: Bool { kind != .torn }
}

/// The result of `AuditVerifier.verify`.
package struct AuditVerifyReport: Sendable {
    package var files: Int
    package var records: Int
    package var issues: [AuditVerifyIssue]
    /// `recovery` records: torn lines repaired by the writer after a crash.
    package var recoveries: [(file: String, line: Int, recovery: AuditRecovery)]
    package var seconds: Double

    /// True when nothing was tampered with.
    package var intact: Bool { !issues.contains { $0.isTampering } }
    /// True when the only issue is a last line torn by a crash, which the writer repairs on its next start.
    package var tornTail: Bool { issues.contains { $0.kind == .torn } }

    /// The verdict line's last words: `chain intact`, `torn tail, repairable` or `TAMPERED`.
    package var verdict: String {
        if !intact { return "TAMPERED" }
        return tornTail ? "torn tail, repairable (chain intact up to it)" : "chain intact"
    }
    package var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
}

/// Checks the whole hash chain of an audit directory.
package enum AuditVerifier {
    private struct Entry {
        var file: Int32
        var line: Int32
        var seq: Int
        var prev: String
        var hash: String
        var intact: Bool
    }

    private struct Head: Decodable {
        var file: String
        var line: Int
        var seq: Int
        var hash: String
        var mac: String?
    }

    private static let recoveryMarker = Array(#""kind":"recovery""#.utf8)

    /// Verifies every record in chain order; reports each break with file and line. With `key` (the
    /// `LUMEN_AUDIT_HMAC_KEY` the log was written with) the seals of `audit.head` and its witness are
    /// checked too.
    package static func verify(directory: String, key: AuditHMAC? = nil) throws -> AuditVerifyReport {
        let started = DispatchTime.now()
        let files = try AuditFiles.logFiles(in: directory)
        var entries: [Entry] = []
        var issues: [AuditVerifyIssue] = []
        var recoveries: [(file: String, line: Int, recovery: AuditRecovery)] = []
        let decoder = JSONDecoder()
        for (fileIndex, name) in files.enumerated() {
            let isLastFile = fileIndex == files.count - 1
            try AuditReader.forEachLine(file: name, in: directory) { file, line, bytes, complete in
                if !complete {
                    issues.append(
                        AuditVerifyIssue(
                            kind: isLastFile ? .torn : .malformed, file: file, line: line,
                            message: isLastFile
                                ? "last line is incomplete (\(bytes.count) bytes, crash while writing); the writer repairs it on open"
                                : "incomplete line in the middle of the log"))
                    return
                }
                guard let header = AuditChain.check(bytes) else {
                    issues.append(AuditVerifyIssue(kind: .malformed, file: file, line: line, message: "not an audit record line"))
                    return
                }
                entries.append(
                    Entry(file: Int32(fileIndex), line: Int32(line), seq: header.seq, prev: header.prevHash, hash: header.hash, intact: header.intact)
                )
                if contains(bytes, recoveryMarker), let record = try? decoder.decode(AuditRecord.self, from: Data(buffer: bytes)),
                    let recovery = record.recovery
                {
                    recoveries.append((file, line, recovery))
                }
            }
        }

        issues += walk(entries, names: files)
        issues += checkHeads(directory: directory, entries: entries, names: files, key: key, decoder: decoder)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return AuditVerifyReport(files: files.count, records: entries.count, issues: issues, recoveries: recoveries, seconds: seconds)
    }

    /// The result of checking one chain held in memory (a PostgreSQL chain, say).
    package struct ChainCheck: Sendable {
        package var records: Int
        package var issues: [AuditVerifyIssue]
        package var recoveries: [(file: String, line: Int, recovery: AuditRecovery)]
        /// The last record's seq and hash (genesis when empty).
        package var tail: AuditTail
        /// Hash of each record by seq (to check checkpoints against).
        package var hashes: [Int: String]
    }

    /// Checks one chain given as its lines (without newline) in storage order; issues name the chain
    /// as their file and the 1-based position as their line.
    package static func verifyChain(named name: String, lines: [[UInt8]]) -> ChainCheck {
        var entries: [Entry] = []
        var issues: [AuditVerifyIssue] = []
        var recoveries: [(file: String, line: Int, recovery: AuditRecovery)] = []
        let decoder = JSONDecoder()
        for (index, line) in lines.enumerated() {
            line.withUnsafeBufferPointer { bytes in
                guard let header = AuditChain.check(bytes) else {
                    issues.append(AuditVerifyIssue(kind: .malformed, file: name, line: index + 1, message: "not an audit record line"))
                    return
                }
                entries.append(
                    Entry(file: 0, line: Int32(index + 1), seq: header.seq, prev: header.prevHash, hash: header.hash, intact: header.intact))
                if contains(bytes, recoveryMarker), let record = try? decoder.decode(AuditRecord.self, from: Data(buffer: bytes)),
                    let recovery = record.recovery
                {
                    recoveries.append((name, index + 1, recovery))
                }
            }
        }
        issues += walk(entries, names: [name])
        var hashes: [Int: String] = [:]
        for entry in entries { hashes[entry.seq] = entry.hash }
        let tail = entries.last.map { AuditTail(seq: $0.seq, hash: $0.hash) } ?? .genesis
        return ChainCheck(records: entries.count, issues: issues, recoveries: recoveries, tail: tail, hashes: hashes)
    }

    /// Walks entries in order: hashes, links, sequence numbers.
    private static func walk(_ entries: [Entry], names files: [String]) -> [AuditVerifyIssue] {
        var issues: [AuditVerifyIssue] = []
        let allSeqs = Set(entries.map(\.seq))
        var seen = Set<Int>()
        var lastHash = AuditChain.genesisHash
        var lastSeq = 0
        var previous: Entry?
        func place(_ entry: Entry) -> (String, Int) { (files[Int(entry.file)], Int(entry.line)) }
        for entry in entries {
            let (file, line) = place(entry)
            if !entry.intact {
                issues.append(
                    AuditVerifyIssue(
                        kind: .modified, file: file, line: line, message: "record seq \(entry.seq) does not match its hash (content edited)"))
            } else if entry.prev != lastHash || entry.seq != lastSeq + 1 {
                if seen.contains(entry.seq) {
                    issues.append(
                        AuditVerifyIssue(
                            kind: .inserted, file: file, line: line, message: "seq \(entry.seq) appears twice (record inserted or duplicated)"))
                } else if entry.seq == lastSeq + 1 {
                    let before = previous.map { place($0) }.map { " (previous record \($0.0):\($0.1))" } ?? ""
                    issues.append(
                        AuditVerifyIssue(
                            kind: .modified, file: file, line: line,
                            message: "prev_hash does not match the record before\(before): it was rewritten with a new hash, or this one was forged"))
                } else if entry.seq > lastSeq + 1 {
                    let missing = (lastSeq + 1)..<entry.seq
                    if missing.contains(where: { allSeqs.contains($0) }) {
                        issues.append(
                            AuditVerifyIssue(
                                kind: .reordered, file: file, line: line,
                                message: "seq \(entry.seq) comes before seq \(lastSeq + 1) (records out of order)"))
                    } else {
                        let range = missing.count == 1 ? "seq \(missing.lowerBound)" : "seq \(missing.lowerBound)–\(missing.upperBound - 1)"
                        issues.append(
                            AuditVerifyIssue(
                                kind: .deleted, file: file, line: line, message: "\(missing.count) record(s) missing before this line (\(range))"))
                    }
                } else {
                    issues.append(
                        AuditVerifyIssue(
                            kind: .reordered, file: file, line: line, message: "seq \(entry.seq) comes after seq \(lastSeq) (records out of order)"))
                }
            }
            seen.insert(entry.seq)
            lastHash = entry.hash
            lastSeq = entry.seq
            previous = entry
        }

        return issues
    }

    /// Checks `audit.head` and `audit.witness` against the chain: a head past the end means records
    /// were removed; a missing head (both copies) with records present means the end cannot be
    /// vouched for, which is how a removal of the head plus the last records would otherwise pass.
    private static func checkHeads(
        directory: String, entries: [Entry], names files: [String], key: AuditHMAC?, decoder: JSONDecoder
    ) -> [AuditVerifyIssue] {
        var issues: [AuditVerifyIssue] = []
        func place(_ entry: Entry) -> (String, Int) { (files[Int(entry.file)], Int(entry.line)) }
        let maxSeq = entries.map(\.seq).max() ?? 0
        var heads: [(name: String, head: Head)] = []
        var present: [String] = []
        for name in [AuditFiles.headName, AuditFiles.witnessName] {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            present.append(name)
            guard let head = try? decoder.decode(Head.self, from: data) else {
                issues.append(AuditVerifyIssue(kind: .malformed, file: name, line: 1, message: "\(name) is not readable"))
                continue
            }
            if let key {
                let expected = AuditFiles.headMAC(file: head.file, line: head.line, seq: head.seq, hash: head.hash, key: key)
                if head.mac != expected {
                    issues.append(
                        AuditVerifyIssue(
                            kind: .modified, file: name, line: 1,
                            message: head.mac == nil
                                ? "\(name) carries no seal although a key is given (rewritten without the key?)"
                                : "\(name)'s seal does not match (rewritten without the key)"))
                    continue
                }
            }
            heads.append((name, head))
        }
        if present.isEmpty, maxSeq > 0 {
            issues.append(
                AuditVerifyIssue(
                    kind: .truncated, file: AuditFiles.headName, line: 1,
                    message:
                        "audit.head and its witness audit.witness are both missing: the end of the log cannot be vouched for (removed records would go unnoticed)"
                ))
        } else if !present.contains(AuditFiles.headName), maxSeq > 0 {
            issues.append(
                AuditVerifyIssue(
                    kind: .truncated, file: AuditFiles.headName, line: 1,
                    message: "audit.head is missing (its witness audit.witness is checked instead)"))
        }
        // The furthest head wins: a witness ahead of audit.head shows records removed after the head was rewritten.
        if let (name, head) = heads.max(by: { $0.head.seq < $1.head.seq }) {
            if head.seq > maxSeq {
                issues.append(
                    AuditVerifyIssue(
                        kind: .truncated, file: head.file, line: head.line,
                        message:
                            "\(name) records seq \(head.seq) here but the log ends at seq \(maxSeq): \(head.seq - maxSeq) record(s) removed from the end"
                    ))
            } else if let match = entries.first(where: { $0.seq == head.seq }), match.hash != head.hash {
                let (file, line) = place(match)
                issues.append(
                    AuditVerifyIssue(
                        kind: .modified, file: file, line: line, message: "hash differs from the one \(name) recorded for seq \(head.seq)"))
            }
        }
        return issues
    }

    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count, let first = needle.first else { return false }
        var i = 0
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first {
                var j = 1
                while j < needle.count, bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
