import XCTest

// Placeholder until this stage lands.
final class LumenRedactionTestsPlaceholder: XCTestCase {}
