import Crypto
import Foundation

/// The line format and hash chain.
///
/// A line is `{"seq":N,"prev_hash":"P",` + the record's other fields as JSON with sorted keys +
/// `,"hash":"H"}` + newline. `H` is SHA-256 (lower-case hex) over the canonical bytes: the line
/// without `,"hash":"H"` (so `seq` and `prev_hash` are covered). `P` is the previous record's `H`
/// (64 zeros for the very first record); the first record of a new file chains to the last one of
/// the previous file. Verification works on the bytes as written and needs no re-encoding.
package enum AuditChain {
    package static let genesisHash = String(repeating: "0", count: 64)
    static let hashSuffixLength = 75  // ,"hash":" + 64 hex + "}
    static let seqPrefix = Array(#"{"seq":"#.utf8)
    static let prevPrefix = Array(#","prev_hash":""#.utf8)
    static let hashPrefix = Array(#","hash":""#.utf8)

    /// Encodes and seals a record: returns the line (with newline) and its hash.
    static func seal(_ record: AuditRecord, encoder: JSONEncoder) throws -> (line: [UInt8], hash: String) {
        var line: [UInt8]
        if let canonical = AuditRecordWriter.canonical(record, seq: record.seq, prevHash: record.prevHash) {
            line = canonical
        } else {
            var body = record
            body.hash = nil
            let json: [UInt8]
            do {
                json = Array(try encoder.encode(body))
            } catch {
                throw AuditError(.invalidRecord, "cannot encode record: \(error)")
            }
            var writer = AuditRecordWriter.linePrefix(seq: record.seq, prevHash: record.prevHash, capacity: json.count + 200)
            // json is `{...}` with at least one key; splice its inside.
            writer.raw(UInt8(ascii: ","))
            writer.raw(contentsOf: json.dropFirst())  // keeps the closing brace
            line = writer.bytes
        }
        let digest = hex(SHA256.hash(data: line))
        line.reserveCapacity(line.count + hashSuffixLength)
        line.removeLast()
        line += hashPrefix
        line += digest.utf8
        line += hashSuffixEnd
        return (line, digest)
    }

    /// What follows the hash on a line.
    static let hashSuffixEnd = Array("\"}\n".utf8)

    /// Set in an encoder's `userInfo` to leave out `seq`, `prev_hash` and `hash`, which the line
    /// prefix and suffix carry.
    static let sealingKey = CodingUserInfoKey(rawValue: "lumen.audit.sealing")!

    /// The chain fields of one line, read without decoding the JSON.
    struct LineHeader {
        var seq: Int
        var prevHash: String
        var hash: String
        /// Whether SHA-256 of the canonical bytes equals `hash`.
        var intact: Bool
    }

    /// Parses and checks one line (without its newline). Nil when the line is not in the chain format.
    static func check(_ line: UnsafeBufferPointer<UInt8>, computeHash: Bool = true) -> LineHeader? {
        let n = line.count
        guard n > seqPrefix.count + prevPrefix.count + 64 + hashSuffixLength + 2 else { return nil }
        for i in 0..<seqPrefix.count where line[i] != seqPrefix[i] { return nil }
        var i = seqPrefix.count
        var seq = 0
        var digits = 0
        while i < n, line[i] >= 48, line[i] <= 57, digits < 18 {
            seq = seq * 10 + Int(line[i] - 48)
            i += 1
            digits += 1
        }
        guard digits > 0, i + prevPrefix.count + 65 < n else { return nil }
        for j in 0..<prevPrefix.count where line[i + j] != prevPrefix[j] { return nil }
        i += prevPrefix.count
        guard let prev = hexString(line, from: i), line[i + 64] == UInt8(ascii: "\"") else { return nil }
        let suffixStart = n - hashSuffixLength
        guard suffixStart > i + 65 else { return nil }
        for j in 0..<hashPrefix.count where line[suffixStart + j] != hashPrefix[j] { return nil }
        guard let stored = hexString(line, from: suffixStart + hashPrefix.count),
            line[n - 2] == UInt8(ascii: "\""), line[n - 1] == UInt8(ascii: "}")
        else { return nil }
        var intact = true
        if computeHash {
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: line[0..<suffixStart])))
            hasher.update(data: Data([UInt8(ascii: "}")]))
            intact = hex(Array(hasher.finalize())) == stored
        }
        return LineHeader(seq: seq, prevHash: prev, hash: stored, intact: intact)
    }

    private static func hexString(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> String? {
        guard start + 64 <= line.count else { return nil }
        for k in start..<(start + 64) {
            let c = line[k]
            guard (c >= 48 && c <= 57) || (c >= 97 && c <= 102) else { return nil }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: line[start..<(start + 64)]), as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The encoder used for records: sorted keys, no escaped slashes.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.userInfo[sealingKey] = true
        return encoder
    }
}
