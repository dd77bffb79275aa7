import LumenClassifier
import LumenRedaction
import Testing

/// Redaction driven by the real detectors (`Classifier().findings(in:)`), English and Chinese.
@Suite struct ClassifierIntegrationTests {
    @Test func classifierFindingsAreRedactedConsistentlyAndRoundTrip() throws {
        let texts = [
            "You are a support agent for Jane Rao.",
            "我的邮箱是 zhang.wei@example.cn，电话 13800138000。😀 Please also cc JANE.DOE@FASTMAIL.FM.",
            "Reply to jane.doe@fastmail.fm, card 4539 1488 0343 6467, from 81.2.69.160.",
        ]
        let classifier = Classifier()
        let findings = texts.map { classifier.findings(in: $0) }
        let types = Set(findings.joined().map(\.type))
        // The detectors must see the structured identifiers, or this test proves nothing.
        for expected in [FindingType.email, .creditCard, .ipAddress] { #expect(types.contains(expected), "\(expected) not detected") }

        let decision = try RedactionSession.decide(
            texts: texts,
            findings: findings,
            rules: RedactionRules(pseudonymise: types.filter { !$0.isSecret })
        )
        guard case .redacted(let session) = decision else {
            Issue.record("expected a redacted request, got \(decision)")
            return
        }
        let sent = session.redactedTexts.joined(separator: "\n")
        for secret in ["zhang.wei@example.cn", "jane.doe@fastmail.fm", "JANE.DOE@FASTMAIL.FM", "4539 1488 0343 6467", "81.2.69.160"] {
            #expect(!sent.contains(secret), "\(secret) leaked")
        }
        // Case-insensitive email: one placeholder for both spellings, in different messages.
        let upper = try #require(session.redactedTexts[1].range(of: "[EMAIL_"))
        let key = String(session.redactedTexts[1][upper.lowerBound...].prefix { $0 != "]" }) + "]"
        #expect(session.redactedTexts[2].contains(key) || session.redactedTexts[1].components(separatedBy: "[EMAIL_").count == 3)
        for (original, redacted) in zip(texts, session.redactedTexts) {
            #expect(session.restore(redacted).text.lowercased() == original.lowercased())
        }
    }
}
