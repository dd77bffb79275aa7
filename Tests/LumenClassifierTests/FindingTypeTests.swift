import LumenClassifier
import XCTest

final class FindingTypeTests: XCTestCase {
    func testSecretsAndStructuredIdentifiersAreDisjoint() {
        XCTAssertTrue(FindingType.secrets.isDisjoint(with: FindingType.structuredIdentifiers))
        XCTAssertTrue(FindingType.awsAccessKey.isSecret)
        XCTAssertFalse(FindingType.email.isSecret)
        XCTAssertTrue(FindingType.iban.isStructuredIdentifier)
    }

    func testFindingTypeCodesAsItsRawString() throws {
        let data = try JSONEncoder().encode(Finding(type: .email, start: 1, end: 5, score: 0.9))
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""type":"EMAIL_ADDRESS""#), text)
    }
}
