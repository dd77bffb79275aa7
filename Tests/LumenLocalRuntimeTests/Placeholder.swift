import XCTest

// Placeholder until this stage lands.
final class LumenLocalRuntimeTestsPlaceholder: XCTestCase {}
