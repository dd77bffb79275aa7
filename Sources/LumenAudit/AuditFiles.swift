package import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File naming and time formatting of the audit directory.
///
/// Files are `audit-YYYY-MM-DD-NNNN.jsonl` (UTC day, counter from 0001 per day); sorting names sorts
/// the chain. `audit.head` holds the last written record (seq, hash, file, line), so removing records
/// from the end of the log is detected.
package enum AuditFiles {
    package static let headName = "audit.head"
    /// The head's second copy, written with it (see `AuditFileSink.writeHead`).
    package static let witnessName = "audit.witness"

    /// The `mac` of a sealed head: HMAC-SHA256 over `file|line|seq|hash`.
    static func headMAC(file: String, line: Int, seq: Int, hash: String, key: AuditHMAC) -> String {
        key.mac("head|\(file)|\(line)|\(seq)|\(hash)")
    }

    /// The default audit directory: `LUMEN_AUDIT_DIR` or `./audit`.
    package static func defaultDirectory(_ environment: [String: String]) -> String {
        if let dir = environment["LUMEN_AUDIT_DIR"], !dir.isEmpty { return dir }
        return "audit"
    }

    /// Log file names in chain order.
    package static func logFiles(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw AuditError(.io, "no audit directory at \(directory)")
        }
        guard isDirectory.boolValue else {
            throw AuditError(.io, "\(directory) is a file: give the audit directory (the one holding audit-*.jsonl)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw AuditError(.io, "cannot list audit directory \(directory): \(error.localizedDescription)")
        }
        return names.filter { parse($0) != nil }.sorted()
    }

    /// Day (`YYYY-MM-DD`) and counter of a log file name.
    static func parse(_ name: String) -> (day: String, counter: Int)? {
        guard name.hasPrefix("audit-"), name.hasSuffix(".jsonl") else { return nil }
        let core = name.dropFirst(6).dropLast(6)
        guard core.count == 15 else { return nil }
        let day = String(core.prefix(10))
        guard let counter = Int(core.suffix(4)), core[core.index(core.startIndex, offsetBy: 10)] == "-" else { return nil }
        return (day, counter)
    }

    static func name(day: String, counter: Int) -> String {
        "audit-\(day)-\(String(format: "%04d", counter)).jsonl"
    }

    /// `2026-11-23T00:45:44.123Z` for a date.
    package static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        return timestamp(milliseconds: ms)
    }

    /// `2026-11-23T00:45:44.123Z` for milliseconds since 1970.
    package static func timestamp(milliseconds ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(ms % 1000)
        // Written in place (two audit records per proxied request take a timestamp).
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, _ width: Int, at start: Int) {
                var v = value
                for k in stride(from: start + width - 1, through: start, by: -1) {
                    out[k] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(Int(parts.tm_year) + 1900, 4, at: 0)
            out[4] = 45
            put(Int(parts.tm_mon) + 1, 2, at: 5)
            out[7] = 45
            put(Int(parts.tm_mday), 2, at: 8)
            out[10] = UInt8(ascii: "T")
            put(Int(parts.tm_hour), 2, at: 11)
            out[13] = 58
            put(Int(parts.tm_min), 2, at: 14)
            out[16] = 58
            put(Int(parts.tm_sec), 2, at: 17)
            out[19] = 46
            put(millis, 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Parses `--since`: `7d`, `24h`, `30m`, an ISO date (`2026-11-20`) or timestamp; returns the
    /// earliest timestamp string to include (records compare as strings).
    package static func since(_ text: String, now: Date = Date()) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let match = trimmed.wholeMatch(of: /([0-9]{1,12}(?:\.[0-9]+)?)([dhmw])/), let amount = Double(match.1) {
            let scale: Double =
                switch match.2 {
                case "d": 86_400
                case "h": 3_600
                case "m": 60
                default: 604_800
                }
            // Further back than 1970 is everything (no record is older).
            return timestamp(Date(timeIntervalSince1970: max(now.timeIntervalSince1970 - amount * scale, 0)))
        }
        // The calendar date of a date or timestamp must exist (the formatter would roll 02-30 into March).
        if let match = trimmed.prefixMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = DateComponents(calendar: calendar, year: Int(match.1), month: Int(match.2), day: Int(match.3))
            guard parts.isValidDate else { throw AuditError(.invalidArgument, "cannot read --since '\(text)': no such date") }
            if match.output.0.count == trimmed.count { return trimmed + "T00:00:00.000Z" }
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: trimmed) { return timestamp(date) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: trimmed) { return timestamp(date) }
        throw AuditError(.invalidArgument, "cannot read --since '\(text)': use 7d, 24h, 30m, 2w, 2026-11-20 or an ISO-8601 timestamp")
    }
}
