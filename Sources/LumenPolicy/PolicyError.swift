/// One problem in a policy (or test-cases) file, with its position (1-based line and column).
package struct PolicyDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int
    package var message: String

    package init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `policies/x.yaml:12:5: error: unknown target 'gpt5' in rule 'hard'`
    package var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// Every problem found while loading a policy; `description` has one diagnostic per line.
package struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    package var diagnostics: [PolicyDiagnostic]

    package init(diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics
    }

    package init(file: String, line: Int = 1, column: Int = 1, message: String) {
        self.diagnostics = [PolicyDiagnostic(file: file, line: line, column: column, message: message)]
    }

    package var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
