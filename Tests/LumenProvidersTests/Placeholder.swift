import XCTest

// Placeholder until this stage lands.
final class LumenProvidersTestsPlaceholder: XCTestCase {}
