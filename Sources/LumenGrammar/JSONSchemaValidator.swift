import Foundation
package import LumenCore

/// Checks a JSON value against a JSON Schema, independently of the grammar converter (so a test can
/// hold one against the other). Implements the keywords the converter accepts with their standard
/// meaning (`additionalProperties` absent allows any member, `oneOf` needs exactly one match, formats
/// are checked); a keyword it does not implement is reported as a violation, never skipped.
package struct JSONSchemaValidator {
    private let root: JSONValue

    /// Every way `value` violates `schema`, as "path: reason" lines; empty when it is valid.
    package static func violations(of value: JSONValue, against schema: JSONValue) -> [String] {
        var found: [String] = []
        JSONSchemaValidator(root: schema).check(value, schema, path: "$", depth: 0, into: &found)
        return found
    }

    /// Whether `value` is valid against `schema`.
    package static func isValid(_ value: JSONValue, against schema: JSONValue) -> Bool {
        violations(of: value, against: schema).isEmpty
    }

    /// Whether `value` is an instance of the JSON Schema type `type` (`integer` includes whole doubles).
    package static func matches(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .integer), ("number", .double): return true
        case ("integer", .integer): return true
        case ("integer", .double(let d)): return d.isFinite && d == d.rounded()
        default: return false
        }
    }

    /// JSON equality: numbers by value (1 == 1.0), objects regardless of member order.
    package static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer, .integer), (.integer, .double), (.double, .integer), (.double, .double):
            if case .integer(let x) = a, case .integer(let y) = b { return x == y }
            return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, path: String, depth: Int, into found: inout [String]) {
        guard depth < 64 else {
            found.append("\(path): schema nesting too deep")
            return
        }
        switch schema {
        case .bool(true): return
        case .bool(false):
            found.append("\(path): the schema 'false' admits nothing")
            return
        case .object: break
        default:
            found.append("\(path): malformed schema")
            return
        }
        let s = schema.objectValue!
        for key in s.keys.sorted() where JSONSchemaGrammar.unsupported[key] != nil {
            found.append("\(path): keyword '\(key)' is not implemented by this validator")
        }
        if let ref = s["$ref"]?.stringValue {
            if let target = resolve(ref) {
                check(value, target, path: path, depth: depth + 1, into: &found)
            } else {
                found.append("\(path): unresolvable $ref \(ref)")
            }
        }
        if let all = s["allOf"]?.arrayValue {
            for branch in all { check(value, branch, path: path, depth: depth + 1, into: &found) }
        }
        if let any = s["anyOf"]?.arrayValue, !any.contains(where: { passes(value, $0, depth: depth) }) {
            found.append("\(path): matches none of anyOf")
        }
        if let one = s["oneOf"]?.arrayValue {
            let matching = one.filter { passes(value, $0, depth: depth) }.count
            if matching != 1 { found.append("\(path): matches \(matching) branches of oneOf, not exactly one") }
        }
        if let type = s["type"] {
            let names = type.stringValue.map { [$0] } ?? type.arrayValue?.compactMap(\.stringValue) ?? []
            if !names.contains(where: { Self.matches(type: $0, value) }) {
                found.append("\(path): is not of type \(names.joined(separator: "/"))")
                return
            }
        }
        if let constant = s["const"], !Self.equal(constant, value) {
            found.append("\(path): is not the constant \(JSONText.render(constant))")
        }
        if let options = s["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            found.append("\(path): is not one of enum")
        }
        switch value {
        case .object(let members): object(members, s, path: path, depth: depth, into: &found)
        case .array(let items): array(items, s, path: path, depth: depth, into: &found)
        case .string(let text): string(text, s, path: path, into: &found)
        case .integer, .double: number(value.doubleValue!, value, s, path: path, into: &found)
        default: break
        }
    }

    private func passes(_ value: JSONValue, _ schema: JSONValue, depth: Int) -> Bool {
        var scratch: [String] = []
        check(value, schema, path: "", depth: depth + 1, into: &scratch)
        return scratch.isEmpty
    }

    private func object(_ members: [String: JSONValue], _ s: [String: JSONValue], path: String, depth: Int, into found: inout [String]) {
        let properties = s["properties"]?.objectValue ?? [:]
        for key in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
            found.append("\(path): lacks required member '\(key)'")
        }
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            if let schema = properties[key] {
                check(member, schema, path: "\(path).\(key)", depth: depth + 1, into: &found)
            } else if let additional = s["additionalProperties"] {
                check(member, additional, path: "\(path).\(key)", depth: depth + 1, into: &found)
            }
        }
    }

    private func array(_ items: [JSONValue], _ s: [String: JSONValue], path: String, depth: Int, into found: inout [String]) {
        if let minimum = s["minItems"]?.intValue, items.count < minimum { found.append("\(path): fewer than \(minimum) items") }
        if let maximum = s["maxItems"]?.intValue, items.count > maximum { found.append("\(path): more than \(maximum) items") }
        if s["uniqueItems"]?.boolValue == true {
            for i in items.indices {
                for j in items.indices where j > i && Self.equal(items[i], items[j]) { found.append("\(path): items \(i) and \(j) are equal") }
            }
        }
        if let schema = s["items"] {
            for (i, item) in items.enumerated() { check(item, schema, path: "\(path)[\(i)]", depth: depth + 1, into: &found) }
        }
    }

    private func string(_ text: String, _ s: [String: JSONValue], path: String, into found: inout [String]) {
        let length = text.unicodeScalars.count
        if let minimum = s["minLength"]?.intValue, length < minimum { found.append("\(path): shorter than \(minimum)") }
        if let maximum = s["maxLength"]?.intValue, length > maximum { found.append("\(path): longer than \(maximum)") }
        if let format = s["format"]?.stringValue {
            let ok: Bool
            switch format {
            case "date": ok = Self.isDate(text)
            case "time": ok = Self.isTime(text)
            case "date-time":
                let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
                ok = parts.count == 2 && Self.isDate(parts[0]) && Self.isTime(parts[1])
            case "uuid": ok = Self.isUUID(text)
            default:
                ok = false
                found.append("\(path): format '\(format)' is not implemented by this validator")
            }
            if !ok && JSONSchemaGrammar.formats.contains(format) { found.append("\(path): is not a valid \(format)") }
        }
    }

    private func number(_ x: Double, _ value: JSONValue, _ s: [String: JSONValue], path: String, into found: inout [String]) {
        let exclusiveMinimumFlag = s["exclusiveMinimum"]?.boolValue == true
        let exclusiveMaximumFlag = s["exclusiveMaximum"]?.boolValue == true
        if let m = s["minimum"]?.doubleValue, exclusiveMinimumFlag ? !(x > m) : !(x >= m) { found.append("\(path): below the minimum") }
        if let m = s["maximum"]?.doubleValue, exclusiveMaximumFlag ? !(x < m) : !(x <= m) { found.append("\(path): above the maximum") }
        if let e = s["exclusiveMinimum"]?.doubleValue, !(x > e) { found.append("\(path): not above exclusiveMinimum") }
        if let e = s["exclusiveMaximum"]?.doubleValue, !(x < e) { found.append("\(path): not below exclusiveMaximum") }
    }

    private func resolve(_ pointer: String) -> JSONValue? {
        guard pointer.hasPrefix("#") else { return nil }
        var node = root
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let next = node.objectValue?[token] {
                node = next
            } else if let index = Int(token), let array = node.arrayValue, array.indices.contains(index) {
                node = array[index]
            } else {
                return nil
            }
        }
        return node
    }

    // MARK: Formats (RFC 3339 full-date / full-time, RFC 4122 textual UUID)

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    static func isTime(_ text: String) -> Bool {
        var rest = Substring(text)
        func two(_ range: ClosedRange<Int>) -> Bool {
            guard rest.count >= 2, let n = Int(rest.prefix(2)), rest.prefix(2).allSatisfy({ $0.isASCII && $0.isNumber }), range.contains(n) else {
                return false
            }
            rest = rest.dropFirst(2)
            return true
        }
        func take(_ c: Character) -> Bool {
            guard rest.first == c else { return false }
            rest = rest.dropFirst()
            return true
        }
        guard two(0...23), take(":"), two(0...59), take(":"), two(0...60) else { return false }
        if take(".") {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
        }
        if take("Z") || take("z") { return rest.isEmpty }
        guard take("+") || take("-"), two(0...23), take(":"), two(0...59) else { return false }
        return rest.isEmpty
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
