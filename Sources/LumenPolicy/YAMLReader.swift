internal import Foundation
internal import Yams

/// Reads Yams nodes into typed values, expanding `${VAR}` / `${VAR:-default}` in string scalars and
/// collecting every problem as a diagnostic with the node's line and column.
struct YAMLReader {
    let file: String
    let environment: [String: String]
    private(set) var diagnostics: [PolicyDiagnostic] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    // MARK: Documents

    /// Composes a YAML document into a node, turning syntax errors into diagnostics.
    mutating func compose(_ yaml: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                diagnostics.append(PolicyDiagnostic(file: file, line: 1, column: 1, message: "the file is empty"))
                return nil
            }
            return node
        } catch let error as YamlError {
            diagnostics.append(Self.diagnostic(for: error, file: file))
            return nil
        } catch {
            diagnostics.append(PolicyDiagnostic(file: file, line: 1, column: 1, message: "YAML error: \(error)"))
            return nil
        }
    }

    static func diagnostic(for error: YamlError, file: String) -> PolicyDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return PolicyDiagnostic(file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PolicyDiagnostic(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in mapping"
            )
        case .reader(let problem, _, _, _):
            return PolicyDiagnostic(file: file, line: 1, column: 1, message: "YAML reader error: \(problem)")
        default:
            return PolicyDiagnostic(file: file, line: 1, column: 1, message: "YAML error: \(error)")
        }
    }

    // MARK: Diagnostics

    mutating func error(_ node: Node?, _ message: String) {
        let mark = node?.mark
        diagnostics.append(PolicyDiagnostic(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    // MARK: Mappings

    /// A mapping's entries in file order with scalar keys, or nil (with a diagnostic) if `node` is not a mapping.
    mutating func mapping(_ node: Node, _ what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping, found \(Self.kind(of: node))")
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "keys in \(what) must be plain strings")
                continue
            }
            entries.append((scalar.string, keyNode, value))
        }
        return entries
    }

    /// Like `mapping`, reporting keys outside `allowed` (with a suggestion) and returning a lookup table.
    mutating func fields(_ node: Node, _ what: String, allowed: [String]) -> Fields? {
        guard let entries = mapping(node, what) else { return nil }
        var fields = Fields(node: node)
        for entry in entries {
            if !allowed.contains(entry.key) {
                error(entry.keyNode, "unknown key '\(entry.key)' in \(what)\(Self.suggestion(entry.key, among: allowed))")
                continue
            }
            fields.values[entry.key] = entry.value
            fields.keys[entry.key] = entry.keyNode
        }
        return fields
    }

    /// The accepted entries of a mapping, by key.
    struct Fields {
        let node: Node
        var values: [String: Node] = [:]
        var keys: [String: Node] = [:]

        subscript(_ key: String) -> Node? { values[key] }
    }

    /// The items of a sequence, or nil (with a diagnostic) if `node` is not one.
    mutating func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, "\(what) must be a list, found \(Self.kind(of: node))")
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    /// A string scalar with environment references expanded.
    mutating func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be a string, found \(Self.kind(of: node))")
            return nil
        }
        if scalar.tag.description == Tag.Name.null.rawValue {
            error(node, "\(what) must be a string, found null")
            return nil
        }
        return expand(scalar.string, node)
    }

    /// A non-empty string.
    mutating func nonEmptyString(_ node: Node, _ what: String) -> String? {
        guard let value = string(node, what) else { return nil }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            error(node, "\(what) must not be empty")
            return nil
        }
        return value
    }

    mutating func double(_ node: Node, _ what: String) -> Double? {
        guard let text = string(node, what) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            error(node, "\(what) must be a number, found '\(text)'")
            return nil
        }
        return value
    }

    /// A number in [0, 1].
    mutating func unitScore(_ node: Node, _ what: String) -> Double? {
        guard let value = double(node, what) else { return nil }
        guard (0...1).contains(value) else {
            error(node, "\(what) must be between 0 and 1, found \(Self.format(value))")
            return nil
        }
        return value
    }

    /// A number ≥ 0.
    mutating func nonNegative(_ node: Node, _ what: String) -> Double? {
        guard let value = double(node, what) else { return nil }
        guard value >= 0 else {
            error(node, "\(what) must not be negative, found \(Self.format(value))")
            return nil
        }
        return value
    }

    mutating func int(_ node: Node, _ what: String) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            error(node, "\(what) must be an integer, found '\(text)'")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error(node, "\(what) must be true or false, found '\(text)'")
            return nil
        }
    }

    /// One string or a list of strings.
    mutating func stringList(_ node: Node, _ what: String) -> [String]? {
        if case .sequence(let sequence) = node {
            var result: [String] = []
            for item in sequence {
                guard let value = nonEmptyString(item, "each entry of \(what)") else { continue }
                result.append(value)
            }
            if result.isEmpty && sequence.isEmpty { error(node, "\(what) must not be an empty list") }
            return result
        }
        return nonEmptyString(node, what).map { [$0] }
    }

    // MARK: Environment

    /// Expands `${VAR}` and `${VAR:-default}`; `$$` is a literal `$`.
    mutating func expand(_ text: String, _ node: Node) -> String? {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        var failed = false
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest.index(after: dollar)
            if after < rest.endIndex, rest[after] == "$" {
                result += "$"
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard after < rest.endIndex, rest[after] == "{" else {
                result += "$"
                rest = rest[after...]
                continue
            }
            guard let close = rest[after...].firstIndex(of: "}") else {
                error(node, "unterminated environment reference '\(rest[dollar...])' (expected '}')")
                return nil
            }
            let body = rest[rest.index(after: after)..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            if !Self.isEnvironmentName(name) {
                error(node, "invalid environment variable name '\(name)' in '${\(body)}'")
                failed = true
            } else if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                error(node, "environment variable '\(name)' is not set and has no default (write ${\(name):-default})")
                failed = true
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return failed ? nil : result
    }

    static func isEnvironmentName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.isASCIILetter else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
    }

    // MARK: Helpers

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// ` (did you mean 'x'?)` when a close match exists.
    static func suggestion(_ word: String, among candidates: some Sequence<String>) -> String {
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if distance <= max(2, candidate.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best.map { " (did you mean '\($0.0)'?)" } ?? ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
