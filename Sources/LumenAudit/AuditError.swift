/// A failure of the audit log, with a stable code and a human message.
package struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Code: String, Sendable, Hashable {
        case io
        case corruptTail = "corrupt_tail"
        case closed
        case failed
        case invalidRecord = "invalid_record"
        case invalidArgument = "invalid_argument"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "audit \(code.rawValue): \(message)" }
}
