import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the log files of an audit directory line by line, in chain order.
package enum AuditReader {
    /// Calls `body` with each line (without newline), its file name and 1-based line number. The
    /// last line of a file without a final newline is passed with `complete == false`.
    static func forEachLine(
        in directory: String,
        _ body: (_ file: String, _ line: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ complete: Bool) throws -> Void
    ) throws {
        for name in try AuditFiles.logFiles(in: directory) {
            try forEachLine(file: name, in: directory, body)
        }
    }

    static func forEachLine(
        file name: String, in directory: String,
        _ body: (_ file: String, _ line: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ complete: Bool) throws -> Void
    ) throws {
        let path = directory + "/" + name
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw AuditError(.io, "cannot read \(path): \(error.localizedDescription)")
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let count = raw.count
            var start = 0
            var lineNumber = 0
            while start < count {
                lineNumber += 1
                let remaining = count - start
                if let hit = memchr(base + start, 0x0A, remaining) {
                    let end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    try body(name, lineNumber, UnsafeBufferPointer(start: base + start, count: end - start), true)
                    start = end + 1
                } else {
                    try body(name, lineNumber, UnsafeBufferPointer(start: base + start, count: remaining), false)
                    start = count
                }
            }
        }
    }

    /// Decodes every complete record (optionally from `since`, an ISO timestamp string) in chain order.
    package static func records(in directory: String, since: String? = nil) throws -> [AuditRecord] {
        var out: [AuditRecord] = []
        try forEach(in: directory, as: AuditRecord.self, since: since) { out.append($0) }
        return out
    }

    /// Decodes each complete line as `T` (a full `AuditRecord` or a slimmer view), skipping lines
    /// older than `since`. Lines that are not JSON throw with file and line.
    package static func forEach<T: Decodable>(
        in directory: String, as type: T.Type, since: String? = nil, _ body: (T) throws -> Void
    ) throws {
        for name in try AuditFiles.logFiles(in: directory) {
            try forEach(in: directory, file: name, as: type, since: since, body)
        }
    }

    /// Like `forEach(in:as:since:_:)`, but decodes only the lines that contain `needle` (a cheap
    /// byte search), e.g. `"kind":"policy"` to read the few policy records of a large log.
    static func forEach<T: Decodable>(
        in directory: String, as type: T.Type, containing needle: String, _ body: (T) throws -> Void
    ) throws {
        for name in try AuditFiles.logFiles(in: directory) {
            try forEach(in: directory, file: name, as: type, containing: Array(needle.utf8), body)
        }
    }

    static func forEach<T: Decodable>(
        in directory: String, file: String, as type: T.Type, since: String? = nil, containing needle: [UInt8]? = nil,
        _ body: (T) throws -> Void
    ) throws {
        let decoder = JSONDecoder()
        let sinceBytes = since.map { Array($0.utf8) }
        try forEachLine(file: file, in: directory) { file, line, bytes, complete in
            if let value = try decodeLine(
                bytes, complete: complete, as: T.self, decoder: decoder, since: sinceBytes, containing: needle, at: "\(file):\(line)")
            {
                try body(value)
            }
        }
    }

    /// One line as `T`, or nil when it is torn, empty, lacks `needle` or is older than `since`.
    static func decodeLine<T: Decodable>(
        _ bytes: UnsafeBufferPointer<UInt8>, complete: Bool, as type: T.Type, decoder: JSONDecoder, since: [UInt8]?, containing needle: [UInt8]?,
        at place: @autoclosure () -> String
    ) throws -> T? {
        guard complete, !bytes.isEmpty else { return nil }
        if let needle, !contains(bytes, needle) { return nil }
        if let since, let ts = timestampField(bytes), ts.lexicographicallyPrecedes(since) { return nil }
        do {
            return try decoder.decode(T.self, from: Data(buffer: bytes))
        } catch {
            throw AuditError(.invalidRecord, "\(place()): not an audit record (\(error))")
        }
    }

    /// Whether `needle` occurs in `bytes` (memchr for its first byte, then a comparison).
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, let base = bytes.baseAddress, bytes.count >= needle.count else { return needle.isEmpty }
        var start = 0
        let last = bytes.count - needle.count
        while start <= last, let hit = memchr(base + start, Int32(first), last - start + 1) {
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if needle.indices.allSatisfy({ bytes[index + $0] == needle[$0] }) { return true }
            start = index + 1
        }
        return false
    }

    private static let tsKey = Array(#","ts":""#.utf8)

    /// The `ts` value of a line, found without decoding (keys are sorted, `ts` is top-level and its
    /// key cannot appear unescaped inside string values).
    static func timestampField(_ bytes: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8>? {
        // Top-level `ts` sits after the (sorted) nested objects; search from the end.
        let n = bytes.count
        let k = tsKey.count
        var i = n - k - 24
        while i >= 0 {
            if bytes[i] == tsKey[0], bytes[i + 1] == tsKey[1], bytes[i + 2] == tsKey[2], bytes[i + 3] == tsKey[3] {
                var match = true
                for j in 4..<k where bytes[i + j] != tsKey[j] {
                    match = false
                    break
                }
                if match { return Array(bytes[(i + k)..<(i + k + 24)])[...] }
            }
            i -= 1
        }
        return nil
    }
}
