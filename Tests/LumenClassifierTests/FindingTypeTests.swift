import LumenClassifier
import XCTest

final class FindingTypeTests: XCTestCase {
    func testSecretsAndStructuredIdentifiersAreDisjoint() {
        XCTAssertTrue(FindingType.secrets.isDisjoint(with: FindingType.structuredIdentifiers))
        XCTAssertTrue(FindingType.awsAccessKey.isSecret)
        XCTAssertFalse(FindingType.email.isSecret)
        XCTAssertTrue(FindingType.iban.isStructuredIdentifier)
    }

    /// The sets name exactly the types declared as secrets and structured identifiers.
    func testTheSetsHoldTheDeclaredTypes() {
        XCTAssertEqual(
            FindingType.secrets,
            [
                .awsAccessKey, .githubToken, .openAIKey, .anthropicKey, .slackToken, .stripeKey,
                .googleAPIKey, .jwt, .privateKey, .password, .genericSecret,
            ])
        XCTAssertEqual(FindingType.structuredIdentifiers, [.email, .phone, .creditCard, .iban, .usSSN, .chineseResidentID, .ipAddress])
    }

    /// The flags are decided when a type is made, from its name: every way of making one agrees.
    func testFlagsFollowTheNameHoweverTheTypeIsMade() throws {
        for type in FindingType.secrets.union(FindingType.structuredIdentifiers).union([.person, .customTerm, "SOMETHING_ELSE"]) {
            let decoded = try JSONDecoder().decode([FindingType].self, from: Data("[\"\(type.rawValue)\"]".utf8))[0]
            for made in [FindingType(rawValue: type.rawValue), FindingType(type.rawValue), decoded] {
                XCTAssertEqual(made.isSecret, FindingType.secrets.contains(type), type.rawValue)
                XCTAssertEqual(made.isStructuredIdentifier, FindingType.structuredIdentifiers.contains(type), type.rawValue)
                XCTAssertEqual(made, type)
            }
        }
    }

    func testFindingTypeCodesAsItsRawString() throws {
        let data = try JSONEncoder().encode(Finding(type: .email, start: 1, end: 5, score: 0.9))
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""type":"EMAIL_ADDRESS""#), text)
    }
}
