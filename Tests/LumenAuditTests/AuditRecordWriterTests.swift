import Foundation
import LumenPolicy
import Testing

@testable import LumenAudit

/// The hand-written record writer must produce exactly the bytes `JSONEncoder` (sorted keys, the
/// sealing configuration) produces, for every shape of record the proxy writes.
@Suite struct AuditRecordWriterTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let strings = [
        "", "plain", "with \"quotes\" and \\ backslash", "slash/and/url https://api.example.com/v1", "tab\tnew\nline\r",
        "control \u{01}\u{1F}\u{7F}", "unicode é 中文 🚀", "u2028 \u{2028} u2029 \u{2029}", "<html>&amp;</html>",
    ]
    static let doubles: [Double] = [
        0, 1, -1, 0.1, 0.5, 1.0 / 3.0, 2.5e-7, 1e-300, 123_456_789.125, 1e21, 1e16, 4.0e15, 0.000123, 42.0, 17.25,
        Double.leastNonzeroMagnitude, 0.30000000000000004,
    ]
    static let keys = ["EMAIL_ADDRESS", "PERSON", "Zeta", "alpha", "a_b", "ab", "A", "_x", "中文", "é", "10", "9"]

    static func pick<T>(_ values: [T], _ g: inout Generator) -> T { values[Int(g.next() % UInt64(values.count))] }
    static func coin(_ g: inout Generator) -> Bool { g.next() % 3 != 0 }

    static func record(_ g: inout Generator) -> AuditRecord {
        var findings: [AuditFinding] = []
        for _ in 0..<Int(g.next() % 4) {
            let hmac: String? = coin(&g) ? pick(strings, &g) : nil
            let redacted: Bool? = coin(&g) ? g.next() % 2 == 0 : nil
            let located = coin(&g)
            findings.append(
                AuditFinding(
                    type: pick(keys, &g), start: Int(g.next() % 500), end: Int(g.next() % 900), score: pick(doubles, &g),
                    valueHMAC: hmac, redacted: redacted, location: located ? pick(strings, &g) : nil,
                    area: located ? pick(strings, &g) : nil, fixed: located && coin(&g) ? true : nil
                ))
        }
        var injections: [AuditInjection] = []
        for _ in 0..<Int(g.next() % 3) {
            injections.append(
                AuditInjection(
                    location: pick(strings, &g), area: pick(strings, &g), score: pick(doubles, &g),
                    kinds: (0..<Int(g.next() % 3)).map { _ in pick(strings, &g) }, flagged: coin(&g)
                ))
        }
        var topics: [AuditTopic] = []
        for _ in 0..<Int(g.next() % 3) { topics.append(AuditTopic(topic: pick(strings, &g), score: pick(doubles, &g))) }
        var classification = AuditClassification(
            difficulty: pick(doubles, &g), sensitivity: pick(doubles, &g), findings: findings, topics: topics,
            language: pick(strings, &g), estimatedTokens: Int(g.next() % 100_000)
        )
        if !injections.isEmpty { classification.injections = injections }
        if coin(&g) { classification.omitted = Int(g.next() % 5000) }
        var headers: [String: String] = [:]
        for key in keys.prefix(Int(g.next() % 3)) { headers[key] = pick(strings, &g) }
        let context = AuditContext(
            metadata: [:], headers: coin(&g) ? headers : nil, inputs: coin(&g) ? Array(keys.prefix(2)) : nil,
            binaryParts: coin(&g) ? [pick(strings, &g)] : nil, remainingUSD: coin(&g) ? pick(doubles, &g) : nil,
            tenantRemainingUSD: coin(&g) ? pick(doubles, &g) : nil
        )
        var metadata: [String: String] = [:]
        for key in keys.prefix(Int(g.next() % 5)) { metadata[key] = pick(strings, &g) }
        var redactions: [String: AuditRedactionCounts] = [:]
        for key in keys.shuffled(using: &g).prefix(Int(g.next() % 4)) {
            redactions[key] = AuditRedactionCounts(redacted: Int(g.next() % 9), restored: Int(g.next() % 9), mangled: Int(g.next() % 2))
        }
        var fallbacks: [AuditFallback] = []
        for _ in 0..<Int(g.next() % 3) { fallbacks.append(AuditFallback(from: pick(strings, &g), to: pick(strings, &g), reason: pick(strings, &g))) }
        let firstToken: Double? = coin(&g) ? pick(doubles, &g) : nil
        let total: Double? = coin(&g) ? pick(doubles, &g) : nil
        let code: Int? = coin(&g) ? Int(g.next() % 600) : nil
        let error: String? = coin(&g) ? pick(strings, &g) : nil
        let decision = AuditDecision(
            target: pick(strings, &g), route: pick([RouteKind.local, .remote, .blocked], &g), action: pick(strings, &g),
            rule: pick(strings, &g), reason: pick(strings, &g)
        )
        var record = AuditRecord(
            kind: pick([AuditRecordKind.decision, .completion], &g),
            id: pick(strings, &g),
            timestamp: "2026-12-01T20:00:00.123Z",
            tenant: coin(&g) ? pick(strings, &g) : nil,
            keyID: coin(&g) ? pick(strings, &g) : nil,
            policy: coin(&g) ? AuditPolicyRef(name: pick(strings, &g), hash: pick(strings, &g)) : nil,
            requestedModel: coin(&g) ? pick(strings, &g) : nil,
            decision: coin(&g) ? decision : nil,
            classification: coin(&g) ? classification : nil,
            context: coin(&g) ? (coin(&g) ? AuditContext(metadata: metadata) : context) : nil,
            redactions: coin(&g) ? redactions : nil,
            egress: coin(&g) ? AuditEgress(host: pick(strings, &g), bytesSent: Int(g.next() % 100_000), bytesReceived: Int(g.next() % 100_000)) : nil,
            usage: coin(&g)
                ? AuditUsage(
                    promptTokens: Int(g.next() % 5000), completionTokens: Int(g.next() % 5000),
                    cacheReadTokens: coin(&g) ? Int(g.next() % 5000) : nil,
                    cacheWriteTokens: coin(&g) ? Int(g.next() % 5000) : nil, webSearches: coin(&g) ? Int(g.next() % 20) : nil) : nil,
            costUSD: coin(&g) ? pick(doubles, &g) : nil,
            latency: coin(&g) ? AuditLatency(decisionMs: pick(doubles, &g), firstTokenMs: firstToken, totalMs: total) : nil,
            status: coin(&g) ? AuditStatus(state: pick(strings, &g), code: code, error: error) : nil,
            streamed: coin(&g) ? g.next() % 2 == 0 : nil,
            fallbacks: coin(&g) ? fallbacks : nil
        )
        if g.next() % 4 == 0 { record.findingCounts = nil }
        if coin(&g) { record.api = pick(strings, &g) }
        return record
    }

    @Test func matchesJSONEncoderByteForByte() throws {
        var g = Generator(state: 7)
        let encoder = AuditChain.makeEncoder()
        for index in 0..<2_000 {
            let record = Self.record(&g)
            let fast = try #require(AuditRecordWriter.body(record))
            let reference = Array(try encoder.encode(record))
            #expect(fast == reference, "record \(index): \(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: reference, as: UTF8.self))")
            if fast != reference { break }
        }
    }

    /// The line's canonical bytes, written in one buffer, are the chain prefix spliced onto the body
    /// as `AuditChain` defines it (`{"seq":N,"prev_hash":"P",` + the body after its `{`).
    @Test func canonicalBytesAreThePrefixSplicedOntoTheBody() throws {
        var g = Generator(state: 11)
        for index in 0..<500 {
            let record = Self.record(&g)
            let seq = Int(g.next() % 1_000_000_000)
            let prevHash = index == 0 ? AuditChain.genesisHash : String(repeating: "ab", count: 32)
            let body = try #require(AuditRecordWriter.body(record))
            let spliced = Array(#"{"seq":\#(seq),"prev_hash":"\#(prevHash)","#.utf8) + body.dropFirst()
            let canonical = try #require(AuditRecordWriter.canonical(record, seq: seq, prevHash: prevHash))
            #expect(canonical == spliced, "record \(index)")
            if canonical != spliced { break }
        }
        let policy = AuditRecord(kind: .policy, id: "p", policyInfo: AuditPolicyInfo(targets: []))
        #expect(AuditRecordWriter.canonical(policy, seq: 1, prevHash: AuditChain.genesisHash) == nil)
    }

    @Test func policyAndRecoveryRecordsGoThroughJSONEncoder() {
        let policy = AuditRecord(kind: .policy, id: "p", policyInfo: AuditPolicyInfo(targets: []))
        let recovery = AuditRecord(kind: .recovery, id: "r", recovery: AuditRecovery(file: "f", line: 1, bytesLost: 3))
        #expect(AuditRecordWriter.body(policy) == nil)
        #expect(AuditRecordWriter.body(recovery) == nil)
    }
}
