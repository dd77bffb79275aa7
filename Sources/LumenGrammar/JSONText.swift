import Foundation
package import LumenCore

/// Deterministic JSON text for values shown to a model or matched by a grammar: object members in
/// sorted key order, Python `json.dumps` separators (`", "` and `": "`) as the chat templates' `tojson`
/// writes them, or an indented layout.
package enum JSONText {
    /// How members and elements are laid out.
    package enum Layout: Sendable, Hashable {
        /// `{"a": 1, "b": [true, null]}`.
        case spaced
        /// One member or element per line, indented by `width` spaces per level.
        case indented(width: Int)
    }

    /// The JSON text of `value`.
    package static func render(_ value: JSONValue, layout: Layout = .spaced) -> String {
        var out = ""
        write(value, layout: layout, level: 0, into: &out)
        return out
    }

    /// A JSON string literal (with quotes) for `text`.
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A number as JSON writes it: integers without a fraction, doubles in their shortest round-trip form.
    package static func number(_ value: JSONValue) -> String? {
        switch value {
        case .integer(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return nil }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
            return "\(d)"
        default: return nil
        }
    }

    /// Parses JSON text into a value; nil when it is not exactly one JSON value.
    package static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    private static func write(_ value: JSONValue, layout: Layout, level: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer, .double: out += number(value) ?? "null"
        case .string(let s): out += quoted(s)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                separate(i, layout: layout, level: level + 1, into: &out)
                write(item, layout: layout, level: level + 1, into: &out)
            }
            close(layout: layout, level: level, into: &out)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                separate(i, layout: layout, level: level + 1, into: &out)
                out += quoted(key) + ": "
                write(members[key]!, layout: layout, level: level + 1, into: &out)
            }
            close(layout: layout, level: level, into: &out)
            out += "}"
        }
    }

    private static func separate(_ index: Int, layout: Layout, level: Int, into out: inout String) {
        switch layout {
        case .spaced:
            if index > 0 { out += ", " }
        case .indented(let width):
            if index > 0 { out += "," }
            out += "\n" + String(repeating: " ", count: width * level)
        }
    }

    private static func close(layout: Layout, level: Int, into out: inout String) {
        if case .indented(let width) = layout { out += "\n" + String(repeating: " ", count: width * level) }
    }
}
