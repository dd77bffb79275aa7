/// One problem in a policy (or test-cases) file, with its position (1-based line and column).
public struct PolicyDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `policies/x.yaml:12:5: error: unknown target 'gpt5' in rule 'hard'`
    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// Every problem found while loading a policy; `description` has one diagnostic per line.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var diagnostics: [PolicyDiagnostic]

    public init(diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public init(file: String, line: Int = 1, column: Int = 1, message: String) {
        self.diagnostics = [PolicyDiagnostic(file: file, line: line, column: column, message: message)]
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
