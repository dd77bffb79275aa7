import Foundation
import LumenClassifier
import LumenRedaction
import Testing

@Suite struct RedactionSessionTests {
    @Test func sameValueGetsSamePlaceholderAcrossAllMessages() throws {
        let system = "You help Alice Smith (alice@example.com)."
        let user = "Please email ALICE@example.com and cc bob@example.org."
        let assistant = "I wrote to alice@example.com as Alice Smith asked."
        let tool = #"{"sent_to":"Alice@Example.com"}"#
        let texts = [system, user, assistant, tool]
        let findings = [
            [finding("Alice Smith", in: system, .person), finding("alice@example.com", in: system, .email)],
            [finding("ALICE@example.com", in: user, .email), finding("bob@example.org", in: user, .email)],
            [finding("alice@example.com", in: assistant, .email), finding("Alice Smith", in: assistant, .person)],
            [finding("Alice@Example.com", in: tool, .email)],
        ]
        let session = try RedactionSession(texts: texts, findings: findings, pseudonymise: [.email, .person])
        #expect(session.redactedTexts[0] == "You help [PERSON_1] ([EMAIL_1]).")
        #expect(session.redactedTexts[1] == "Please email [EMAIL_1] and cc [EMAIL_2].")
        #expect(session.redactedTexts[2] == "I wrote to [EMAIL_1] as [PERSON_1] asked.")
        #expect(session.redactedTexts[3] == #"{"sent_to":"[EMAIL_1]"}"#)
        #expect(session.placeholders == ["[PERSON_1]", "[EMAIL_1]", "[EMAIL_2]"])
        // The first spelling seen is what the answer gets back.
        #expect(session.originalValue(of: "[EMAIL_1]") == "alice@example.com")
        #expect(session.type(of: "[EMAIL_2]") == .email)
        #expect(session.stats.byType["EMAIL_ADDRESS"] == RedactionStats.Counts(values: 2, occurrences: 5))
        #expect(session.stats.byType["PERSON"] == RedactionStats.Counts(values: 1, occurrences: 2))
        for text in session.redactedTexts {
            #expect(!text.lowercased().contains("alice"))
            #expect(!text.contains("bob@"))
        }
    }

    @Test func distinctValuesGetDistinctPlaceholdersAndNormalisationIsPerType() throws {
        let text =
            "Call +1 (555) 010-2000 or 15550102000 or 555-010-9999. Card 4111 1111 1111 1111 = 4111111111111111. "
            + "IBAN de89 3704 0044 0532 0130 00 is DE89370400440532013000. Ann Lee, ann  lee, Anne Lee."
        let findings = [
            finding("+1 (555) 010-2000", in: text, .phone),
            finding("15550102000", in: text, .phone),
            finding("555-010-9999", in: text, .phone),
            finding("4111 1111 1111 1111", in: text, .creditCard),
            finding("4111111111111111", in: text, .creditCard),
            finding("de89 3704 0044 0532 0130 00", in: text, .iban),
            finding("DE89370400440532013000", in: text, .iban),
            finding("Ann Lee", in: text, .person),
            finding("ann  lee", in: text, .person),
            finding("Anne Lee", in: text, .person),
        ]
        let session = try RedactionSession(texts: [text], findings: [findings], pseudonymise: [.phone, .creditCard, .iban, .person])
        #expect(
            session.redactedTexts[0]
                == "Call [PHONE_1] or [PHONE_1] or [PHONE_2]. Card [CARD_1] = [CARD_1]. "
                + "IBAN [IBAN_1] is [IBAN_1]. [PERSON_1], [PERSON_1], [PERSON_2]."
        )
        #expect(session.stats.byType["PHONE_NUMBER"] == RedactionStats.Counts(values: 2, occurrences: 3))
        #expect(Set(session.placeholders).count == session.placeholders.count)
    }

    /// A labelled number is the same value however it is grouped ("12-34-56" and "123456", "943 476 5919"
    /// and "9434765919"), and comes back whole.
    @Test func labelledNumbersArePseudonymisedByTheirLettersAndDigits() throws {
        let text = "Sort code 12-34-56 (123456), NHS 943 476 5919 / 9434765919, licence d1234567 = D1234567."
        let findings = [
            finding("12-34-56", in: text, .bankAccount), finding("123456", in: text, .bankAccount),
            finding("943 476 5919", in: text, .ukNHS), finding("9434765919", in: text, .ukNHS),
            finding("d1234567", in: text, .driverLicense), finding("D1234567", in: text, .driverLicense),
        ]
        let session = try RedactionSession(texts: [text], findings: [findings], pseudonymise: [.bankAccount, .ukNHS, .driverLicense])
        #expect(
            session.redactedTexts[0]
                == "Sort code [BANK_ACCOUNT_1] ([BANK_ACCOUNT_1]), NHS [NHS_1] / [NHS_1], licence [DRIVER_LICENSE_1] = [DRIVER_LICENSE_1]."
        )
        #expect(session.restore("Paid from [BANK_ACCOUNT_1]; NHS [NHS_1].").text == "Paid from 12-34-56; NHS 943 476 5919.")
    }

    @Test func placeholderNamesAreShortAndFallBackToTheRawName() {
        let expected: [(FindingType, String)] = [
            (.email, "EMAIL"), (.person, "PERSON"), (.phone, "PHONE"), (.creditCard, "CARD"), (.iban, "IBAN"),
            (.usSSN, "SSN"), (.chineseResidentID, "CN_ID"), (.streetAddress, "ADDRESS"), (.ipAddress, "IP"),
            (.dateOfBirth, "DOB"), (.passport, "PASSPORT"), (.customTerm, "TERM"), (.openAIKey, "OPENAI_KEY"),
            (.bankAccount, "BANK_ACCOUNT"), (.driverLicense, "DRIVER_LICENSE"), (.medicalRecord, "MRN"), (.ukNHS, "NHS"),
            (.taxID, "TAX_ID"), (.nationalID, "NATIONAL_ID"),
            ("ORGANIZATION", "ORGANIZATION"), ("date-time", "DATE_TIME"), ("médical record", "M_DICAL_RECORD"),
            ("esc_thing", "X_ESC_THING"), ("3d", "X_3D"), ("日本", "ITEM"),
        ]
        for (type, name) in expected { #expect(type.placeholderName == name, "\(type)") }
    }

    @Test func unknownTypesArePseudonymisedWithTheFallbackName() throws {
        let text = "Acme Corp and Globex met; Acme Corp paid."
        let findings = [finding("Acme Corp", in: text, "ORGANIZATION"), finding("Globex", in: text, "ORGANIZATION")]
        let session = try RedactionSession(texts: [text], findings: [findings], pseudonymise: ["ORGANIZATION"])
        #expect(session.redactedTexts == ["[ORGANIZATION_1] and [ORGANIZATION_2] met; [ORGANIZATION_1] paid."])
        #expect(session.restore("[ORGANIZATION_2] beat [ORGANIZATION_1].").text == "Globex beat Acme Corp.")
    }

    @Test func literalPlaceholdersAreEscapedAndRoundTrip() throws {
        let user = "My template says [EMAIL_1] and [ESC_EMAIL_1] and [PERSON_2]; my real address is real@example.com. [TODO_1] stays."
        let session = try RedactionSession(
            texts: [user],
            findings: [[finding("real@example.com", in: user, .email)]],
            pseudonymise: [.email]
        )
        let sent = session.redactedTexts[0]
        // The literal `[EMAIL_1]` is taken, so the real value gets the next number.
        #expect(
            sent == "My template says [ESC_EMAIL_1] and [ESC_ESC_EMAIL_1] and [ESC_PERSON_2]; my real address is [EMAIL_2]. [TODO_1] stays."
        )
        #expect(session.stats.escapedLiterals == 3)
        #expect(session.placeholders == ["[EMAIL_2]"])
        // Round trip: the client sees exactly what the user wrote.
        let back = session.restore(sent)
        #expect(back.text == user)
        #expect(back.stats.escapedLiterals == 3)
        #expect(back.stats.restored == ["EMAIL_ADDRESS": 1])
        // A model that drops the escape gets the literal text, never the real address.
        let dropped = session.restore("You wrote [EMAIL_1]; you are [EMAIL_2].")
        #expect(dropped.text == "You wrote [EMAIL_1]; you are real@example.com.")
        #expect(dropped.stats.mangled == ["EMAIL_ADDRESS": 1])
    }

    @Test func literalInsideAFindingIsPartOfTheHiddenValue() throws {
        let text = "Name: Dr [PERSON_1] Who"
        let session = try RedactionSession(
            texts: [text],
            findings: [[finding("Dr [PERSON_1] Who", in: text, .person)]],
            pseudonymise: [.person]
        )
        // Nothing literal reaches upstream, so the number is free; restoration is not recursive.
        #expect(session.redactedTexts == ["Name: [PERSON_1]"])
        #expect(session.restore("Hi [PERSON_1]").text == "Hi Dr [PERSON_1] Who")
    }

    @Test func overlappingFindingsLongestThenHighestScoreWins() throws {
        let text = "Contact john.smith@example.com today"
        // PERSON "john.smith" (shorter, higher score) overlaps EMAIL (longer): the email wins.
        let person = finding("john.smith", in: text, .person, score: 0.99)
        let email = finding("john.smith@example.com", in: text, .email, score: 0.5)
        let first = try RedactionSession(texts: [text], findings: [[person, email]], pseudonymise: [.person, .email])
        #expect(first.redactedTexts == ["Contact [EMAIL_1] today"])

        // Same length: the higher score wins, whatever the input order.
        let a = Finding(type: .person, start: 8, end: 18, score: 0.4)
        let b = Finding(type: .customTerm, start: 8, end: 18, score: 0.8)
        for order in [[a, b], [b, a]] {
            let session = try RedactionSession(texts: [text], findings: [order], pseudonymise: [.person, .customTerm])
            #expect(session.redactedTexts == ["Contact [TERM_1]@example.com today"])
        }
        // Partial overlap of equal length and score: the earlier start wins, the other is dropped.
        let c = Finding(type: .person, start: 8, end: 12, score: 0.5)
        let d = Finding(type: .person, start: 10, end: 14, score: 0.5)
        let session = try RedactionSession(texts: [text], findings: [[d, c]], pseudonymise: [.person])
        #expect(session.redactedTexts == ["Contact [PERSON_1].smith@example.com today"])
    }

    @Test func onlyTheRequestedTypesArePseudonymised() throws {
        let text = "Bob at bob@example.com"
        let findings = [finding("Bob", in: text, .person), finding("bob@example.com", in: text, .email)]
        let session = try RedactionSession(texts: [text], findings: [findings], pseudonymise: [.email])
        #expect(session.redactedTexts == ["Bob at [EMAIL_1]"])
        let none = try RedactionSession(texts: [text], findings: [findings], pseudonymise: [])
        #expect(none.redactedTexts == [text])
        #expect(none.restore("Hello [EMAIL_1]").text == "Hello [EMAIL_1]")
    }

    @Test func secretsStayLocalByDefaultAndBlockWins() throws {
        let text = "key sk-proj-abcdefghijklmnop for ann@example.com"
        let key = finding("sk-proj-abcdefghijklmnop", in: text, .openAIKey)
        let email = finding("ann@example.com", in: text, .email)
        let rules = RedactionRules(pseudonymise: [.email])

        guard case .local(let types) = try RedactionSession.decide(texts: [text], findings: [[key, email]], rules: rules) else {
            Issue.record("a secret must keep the request local")
            return
        }
        #expect(types == [.openAIKey])

        let blocking = RedactionRules(pseudonymise: [.email], block: [.person])
        let withPerson = [key, email, Finding(type: .person, start: 0, end: 3, score: 0.3)]
        guard case .block(let blocked) = try RedactionSession.decide(texts: [text], findings: [withPerson], rules: blocking) else {
            Issue.record("block must win over local")
            return
        }
        #expect(blocked == [.person])

        // A secret is only sent (pseudonymised) when the rules name it explicitly.
        let explicit = RedactionRules(pseudonymise: [.email, .openAIKey])
        guard case .redacted(let session) = try RedactionSession.decide(texts: [text], findings: [[key, email]], rules: explicit)
        else {
            Issue.record("explicitly pseudonymised secret must be redacted")
            return
        }
        #expect(session.redactedTexts == ["key [OPENAI_KEY_1] for [EMAIL_1]"])

        // Unlisted non-secret types are kept as is by default.
        guard case .redacted(let kept) = try RedactionSession.decide(texts: [text], findings: [[email]], rules: RedactionRules(pseudonymise: []))
        else {
            Issue.record("keep")
            return
        }
        #expect(kept.redactedTexts == [text])
        #expect(RedactionRules().action(for: .password) == .local)
        #expect(RedactionRules(secretAction: .block).action(for: .jwt) == .block)
        #expect(RedactionRules(pseudonymise: [.email], local: [.email]).action(for: .email) == .local)
    }

    @Test func chineseAndEmojiBeforeSpansUseUnicodeScalarOffsets() throws {
        // Flags, ZWJ families and combining marks are several scalars per character.
        let text = "你好👨‍👩‍👧🇨🇳é，我是张伟，邮箱 zhangwei@example.cn，身份证 11010519491231002X，电话 138 0013 8000。张伟很忙。"
        let findings = [
            finding("张伟", in: text, .person),
            finding("zhangwei@example.cn", in: text, .email),
            finding("11010519491231002X", in: text, .chineseResidentID),
            finding("138 0013 8000", in: text, .phone),
        ]
        let session = try RedactionSession(
            texts: [text],
            findings: [findings],
            pseudonymise: [.person, .email, .chineseResidentID, .phone]
        )
        // The second 张伟 has no finding: value propagation hides it too (no word boundaries in Chinese).
        #expect(
            session.redactedTexts[0]
                == "你好👨‍👩‍👧🇨🇳é，我是[PERSON_1]，邮箱 [EMAIL_1]，身份证 [CN_ID_1]，电话 [PHONE_1]。[PERSON_1]很忙。"
        )
        #expect(session.stats.propagatedOccurrences == 1)
        #expect(session.restore(session.redactedTexts[0]).text == text)
        let answer = "好的，[PERSON_1]（[CN_ID_1]）😀 会收到邮件。"
        #expect(session.restore(answer).text == "好的，张伟（11010519491231002X）😀 会收到邮件。")
    }

    @Test func valuePropagationRespectsLatinWordBoundaries() throws {
        let first = "I am Ann."
        let second = "Ann asked Annabel and ANN; Ann."
        let session = try RedactionSession(
            texts: [first, second],
            findings: [[finding("Ann", in: first, .person)], []],
            pseudonymise: [.person]
        )
        #expect(session.redactedTexts == ["I am [PERSON_1].", "[PERSON_1] asked Annabel and ANN; [PERSON_1]."])
        #expect(session.stats.propagatedOccurrences == 2)
        let off = try RedactionSession(
            texts: [first, second],
            findings: [[finding("Ann", in: first, .person)], []],
            pseudonymise: [.person],
            propagateValues: false
        )
        #expect(off.redactedTexts == ["I am [PERSON_1].", second])
    }

    @Test func redactedTextsRestoreToTheOriginals() throws {
        let texts = [
            "Write to a@x.io or b@x.io about [EMAIL_3].",
            "a@x.io said: call 555-0100, not [PHONE_1].",
        ]
        let findings = [
            [finding("a@x.io", in: texts[0], .email), finding("b@x.io", in: texts[0], .email)],
            [finding("a@x.io", in: texts[1], .email), finding("555-0100", in: texts[1], .phone)],
        ]
        let session = try RedactionSession(texts: texts, findings: findings, pseudonymise: [.email, .phone])
        #expect(
            session.redactedTexts == ["Write to [EMAIL_1] or [EMAIL_2] about [ESC_EMAIL_3].", "[EMAIL_1] said: call [PHONE_2], not [ESC_PHONE_1]."])
        for (original, redacted) in zip(texts, session.redactedTexts) {
            #expect(session.restore(redacted).text == original)
        }
        #expect(session.longestPlaceholderLength == "[ESC_EMAIL_3]".count)
    }

    @Test func badFindingsAreClearErrors() {
        #expect(throws: RedactionError.self) {
            try RedactionSession(texts: ["a", "b"], findings: [[]], pseudonymise: [.email])
        }
        let cases: [Finding] = [
            Finding(type: .email, start: -1, end: 2, score: 1),
            Finding(type: .email, start: 2, end: 2, score: 1),
            Finding(type: .email, start: 3, end: 2, score: 1),
            Finding(type: .email, start: 0, end: 6, score: 1),
        ]
        for bad in cases {
            do {
                _ = try RedactionSession.decide(texts: ["héllo"], findings: [[bad]], rules: RedactionRules())
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == .invalidFindingRange)
                #expect(error.description.contains("5 Unicode scalars"))
            }
        }
        #expect(throws: Never.self) {
            try RedactionSession(texts: ["héllo"], findings: [[Finding(type: .email, start: 0, end: 5, score: 1)]], pseudonymise: [.email])
        }
    }

    @Test func statsCarryCountsButNoValues() throws {
        let text = "mail zed@example.com now"
        let session = try RedactionSession(texts: [text], findings: [[finding("zed@example.com", in: text, .email)]], pseudonymise: [.email])
        let restored = session.restore("ok [EMAIL_1] [Email_1]")
        let json =
            String(decoding: try JSONEncoder().encode(session.stats), as: UTF8.self)
            + String(decoding: try JSONEncoder().encode(restored.stats), as: UTF8.self)
        #expect(!json.contains("zed"))
        #expect(json.contains("EMAIL_ADDRESS"))
        #expect(restored.stats.totalRestored == 1)
        #expect(restored.stats.totalMangled == 1)
    }
}
