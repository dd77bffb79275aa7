import Foundation
import Testing

@testable import LumenAudit

/// Record timestamps: `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, written without Foundation's formatters.
@Suite struct AuditTimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_795_394_744_123), "2026-11-23T00:45:44.123Z"),
        (Int64(951_782_400_007), "2000-02-29T00:00:00.007Z"),
        (Int64(253_402_300_799_999), "9999-12-31T23:59:59.999Z"),
    ])
    func writesUTCWithMilliseconds(milliseconds: Int64, expected: String) {
        #expect(AuditFiles.timestamp(milliseconds: milliseconds) == expected)
    }

    @Test func agreesWithISO8601DateFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var ms: Int64 = 1_700_000_000_000
        for _ in 0..<200 {
            ms += 86_399_937
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            #expect(AuditFiles.timestamp(milliseconds: ms) == formatter.string(from: date))
        }
    }
}
