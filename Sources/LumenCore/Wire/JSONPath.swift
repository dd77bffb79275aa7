/// One step into a JSON value: a member name or an array index.
package enum JSONPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// Where a value sits in a JSON document, written as `messages[2].tool_calls[0].function.arguments`.
package struct JSONPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    package var components: [JSONPathComponent]

    package init(_ components: [JSONPathComponent] = []) { self.components = components }
    package init(arrayLiteral elements: JSONPathComponent...) { self.components = elements }

    /// This path extended by a member name.
    package func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    /// This path extended by an array index.
    package func appending(_ index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }

    package var count: Int { components.count }

    /// The member name at `position`, if that step is a name.
    package func key(_ position: Int) -> String? {
        guard position >= 0, position < components.count, case .key(let name) = components[position] else { return nil }
        return name
    }

    /// The array index at `position`, if that step is an index.
    package func index(_ position: Int) -> Int? {
        guard position >= 0, position < components.count, case .index(let i) = components[position] else { return nil }
        return i
    }

    /// The last member name, if the path ends with one.
    package var lastKey: String? { key(components.count - 1) }

    package var description: String {
        var out = ""
        for component in components {
            switch component {
            case .key(let name):
                if !out.isEmpty { out += "." }
                out += name
            case .index(let i):
                out += "[\(i)]"
            }
        }
        return out.isEmpty ? "$" : out
    }
}

extension JSONValue {
    /// The value at `path`, or nil when the path does not lead anywhere.
    package subscript(path path: JSONPath) -> JSONValue? {
        var current = self
        for component in path.components {
            switch (component, current) {
            case (.key(let name), .object(let members)):
                guard let next = members[name] else { return nil }
                current = next
            case (.index(let i), .array(let elements)):
                guard elements.indices.contains(i) else { return nil }
                current = elements[i]
            default:
                return nil
            }
        }
        return current
    }

    /// Calls `visit` for every string in the document, in a stable order (members sorted by name):
    /// each member name (`isKey` true, with the path of its value) and each string value.
    package func forEachString(_ visit: (JSONPath, String, _ isKey: Bool) -> Void) {
        var path = JSONPath()
        path.components.reserveCapacity(8)
        Self.walk(self, &path, visit)
    }

    private static func walk(_ value: JSONValue, _ path: inout JSONPath, _ visit: (JSONPath, String, Bool) -> Void) {
        switch value {
        case .string(let text):
            visit(path, text, false)
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                path.components.append(.index(i))
                walk(element, &path, visit)
                path.components.removeLast()
            }
        case .object(let members):
            for name in members.keys.sorted() {
                path.components.append(.key(name))
                visit(path, name, true)
                walk(members[name]!, &path, visit)
                path.components.removeLast()
            }
        case .null, .bool, .integer, .double:
            break
        }
    }

    /// Replaces the string at `path` (a string value, not a member name). Returns false, changing
    /// nothing, when no string sits there.
    @discardableResult
    package mutating func replaceString(at path: JSONPath, with text: String) -> Bool {
        Self.replace(&self, path.components[...], text)
    }

    private static func replace(_ value: inout JSONValue, _ rest: ArraySlice<JSONPathComponent>, _ text: String) -> Bool {
        guard let first = rest.first else {
            guard case .string = value else { return false }
            value = .string(text)
            return true
        }
        switch (first, value) {
        case (.key(let name), .object(var members)):
            guard var child = members[name] else { return false }
            value = .null  // drop the second reference so the members are mutated in place
            let done = replace(&child, rest.dropFirst(), text)
            members[name] = child
            value = .object(members)
            return done
        case (.index(let i), .array(var elements)):
            guard elements.indices.contains(i) else { return false }
            value = .null
            let done = replace(&elements[i], rest.dropFirst(), text)
            value = .array(elements)
            return done
        default:
            return false
        }
    }
}
