import Foundation

/// One problem `verify` found, located by file and 1-based line.
public struct AuditVerifyIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
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

    public var kind: Kind
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(kind.rawValue): \(message)" }

    /// Whether this issue means the log was tampered with (everything but an unrepaired torn line).
    public var isTampering: Bool { kind != .torn }
}

/// The result of `AuditVerifier.verify`.
public struct AuditVerifyReport: Sendable {
    public var files: Int
    public var records: Int
    public var issues: [AuditVerifyIssue]
    /// `recovery` records: torn lines repaired by the writer after a crash.
    public var recoveries: [(file: String, line: Int, recovery: AuditRecovery)]
    public var seconds: Double

    /// True when nothing was tampered with.
    public var intact: Bool { !issues.contains { $0.isTampering } }
    public var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
}

/// Checks the whole hash chain of an audit directory.
public enum AuditVerifier {
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
    }

    private static let recoveryMarker = Array(#""kind":"recovery""#.utf8)

    /// Verifies every record in chain order; reports each break with file and line.
    public static func verify(directory: String) throws -> AuditVerifyReport {
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
                    Entry(file: Int32(fileIndex), line: Int32(line), seq: header.seq, prev: header.prevHash, hash: header.hash, intact: header.intact))
                if contains(bytes, recoveryMarker), let record = try? decoder.decode(AuditRecord.self, from: Data(buffer: bytes)),
                    let recovery = record.recovery
                {
                    recoveries.append((file, line, recovery))
                }
            }
        }

        let allSeqs = Set(entries.map(\.seq))
        var seen = Set<Int>()
        var lastHash = AuditChain.genesisHash
        var lastSeq = 0
        var previous: Entry?
        func place(_ entry: Entry) -> (String, Int) { (files[Int(entry.file)], Int(entry.line)) }
        for entry in entries {
            let (file, line) = place(entry)
            if !entry.intact {
                issues.append(AuditVerifyIssue(kind: .modified, file: file, line: line, message: "record seq \(entry.seq) does not match its hash (content edited)"))
            } else if entry.prev != lastHash || entry.seq != lastSeq + 1 {
                if seen.contains(entry.seq) {
                    issues.append(AuditVerifyIssue(kind: .inserted, file: file, line: line, message: "seq \(entry.seq) appears twice (record inserted or duplicated)"))
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
                            AuditVerifyIssue(kind: .reordered, file: file, line: line, message: "seq \(entry.seq) comes before seq \(lastSeq + 1) (records out of order)"))
                    } else {
                        let range = missing.count == 1 ? "seq \(missing.lowerBound)" : "seq \(missing.lowerBound)–\(missing.upperBound - 1)"
                        issues.append(
                            AuditVerifyIssue(kind: .deleted, file: file, line: line, message: "\(missing.count) record(s) missing before this line (\(range))"))
                    }
                } else {
                    issues.append(
                        AuditVerifyIssue(kind: .reordered, file: file, line: line, message: "seq \(entry.seq) comes after seq \(lastSeq) (records out of order)"))
                }
            }
            seen.insert(entry.seq)
            lastHash = entry.hash
            lastSeq = entry.seq
            previous = entry
        }

        let headPath = directory + "/" + AuditFiles.headName
        if let data = FileManager.default.contents(atPath: headPath) {
            if let head = try? decoder.decode(Head.self, from: data) {
                let maxSeq = entries.map(\.seq).max() ?? 0
                if head.seq > maxSeq {
                    issues.append(
                        AuditVerifyIssue(
                            kind: .truncated, file: head.file, line: head.line,
                            message: "audit.head records seq \(head.seq) here but the log ends at seq \(maxSeq): \(head.seq - maxSeq) record(s) removed from the end"))
                } else if let match = entries.first(where: { $0.seq == head.seq }), match.hash != head.hash {
                    let (file, line) = place(match)
                    issues.append(AuditVerifyIssue(kind: .modified, file: file, line: line, message: "hash differs from the one audit.head recorded for seq \(head.seq)"))
                }
            } else {
                issues.append(AuditVerifyIssue(kind: .malformed, file: AuditFiles.headName, line: 1, message: "audit.head is not readable"))
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return AuditVerifyReport(files: files.count, records: entries.count, issues: issues, recoveries: recoveries, seconds: seconds)
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
