import XCTest

// Placeholder until this stage lands.
final class LumenEndToEndTestsPlaceholder: XCTestCase {}
