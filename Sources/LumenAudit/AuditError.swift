/// A failure of the audit log, with a stable code and a human message.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case io
        case corruptTail = "corrupt_tail"
        case closed
        case failed
        case invalidRecord = "invalid_record"
        case invalidArgument = "invalid_argument"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "audit \(code.rawValue): \(message)" }
}
