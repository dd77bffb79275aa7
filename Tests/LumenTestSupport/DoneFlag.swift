import Foundation

/// A flag set once by one task and read by others (a polling loop, load workers).
package final class DoneFlag: @unchecked Sendable {
    // `value` is only touched with `lock` held.
    private let lock = NSLock()
    private var value = false

    package init() {}
    package func set() { lock.withLock { value = true } }
    package var isSet: Bool { lock.withLock { value } }
}
