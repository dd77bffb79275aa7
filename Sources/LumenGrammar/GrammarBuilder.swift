import Foundation

/// Accumulates the rules of one GBNF grammar (llama.cpp's grammar format): named rules in definition
/// order, identical bodies shared, the shared JSON primitives defined once on first use.
package struct GrammarBuilder: Sendable {
    private var bodies: [String: String] = [:]
    private var order: [String] = []
    private var nameForBody: [String: String] = [:]
    private var used: [String: Int] = [:]
    /// Rule names of resolved `$ref`s, by schema owner and JSON pointer.
    var references: [String: String] = [:]

    /// An empty grammar.
    package init() {}

    /// The grammar text: one `name ::= body` line per rule, `root` first when defined.
    package var text: String {
        var names = order
        if let index = names.firstIndex(of: "root") {
            names.remove(at: index)
            names.insert("root", at: 0)
        }
        return names.map { "\($0) ::= \(bodies[$0]!)" }.joined(separator: "\n") + "\n"
    }

    /// Whether a rule of that name exists.
    package func defines(_ name: String) -> Bool { bodies[name] != nil }

    /// Defines (or redefines) the rule `name`.
    package mutating func define(_ name: String, _ body: String) {
        if bodies[name] == nil { order.append(name) }
        bodies[name] = body
    }

    /// A rule with this body: an existing one with the same body, or a new one named after `base`.
    package mutating func rule(_ base: String, _ body: String) -> String {
        if let existing = nameForBody[body] { return existing }
        let name = fresh(base)
        define(name, body)
        nameForBody[body] = name
        return name
    }

    /// A rule name derived from `base` that is not taken yet (only letters, digits and dashes).
    package mutating func fresh(_ base: String) -> String {
        var clean = String(
            base.unicodeScalars.map { scalar -> Character in
                let c = Character(scalar)
                return (c.isASCII && (c.isLetter || c.isNumber)) ? c : "-"
            })
        while clean.contains("--") { clean = clean.replacingOccurrences(of: "--", with: "-") }
        clean = String(clean.trimmingPrefix("-"))
        while clean.hasSuffix("-") { clean.removeLast() }
        if clean.isEmpty { clean = "r" }
        if clean.hasPrefix("json") || clean == "root" { clean = "s-" + clean }
        if clean.count > 40 { clean = String(clean.prefix(40)) }
        while true {
            let count = used[clean, default: 0]
            used[clean] = count + 1
            let name = count == 0 ? clean : "\(clean)-\(count)"
            if bodies[name] == nil, name != "root" { return name }
        }
    }

    /// A GBNF string literal matching exactly `text`.
    package static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - JSON primitives

    /// One character inside a JSON string: any but `"`, `\` and control characters, or an escape
    /// (`\uXXXX` only outside the surrogate range, so one escape is always one code point).
    package mutating func jsonChar() -> String {
        primitive(
            "json-char",
            #"[^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" ( [0-9a-cA-C] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} | [eEfF] [0-9a-fA-F]{3} ) )"#
        )
    }

    /// Any JSON string.
    package mutating func jsonString() -> String {
        let char = jsonChar()
        return primitive("json-string", "\"\\\"\" \(char)* \"\\\"\"")
    }

    /// An integer without leading zeros, at most 16 digits.
    package mutating func jsonInteger() -> String {
        primitive("json-integer", #""-"? ( "0" | [1-9] [0-9]{0,15} )"#)
    }

    /// A number: an integer with an optional fraction of at most 15 digits (no exponent).
    package mutating func jsonNumber() -> String {
        let integer = jsonInteger()
        return primitive("json-number", "\(integer) ( \".\" [0-9]{1,15} )?")
    }

    /// `true` or `false`.
    package mutating func jsonBoolean() -> String { primitive("json-boolean", #""true" | "false""#) }

    /// `null`.
    package mutating func jsonNull() -> String { primitive("json-null", #""null""#) }

    /// Any JSON value.
    package mutating func jsonValue() -> String {
        if bodies["json-value"] != nil { return "json-value" }
        define("json-value", "json-object | json-array | \(jsonString()) | \(jsonNumber()) | \(jsonBoolean()) | \(jsonNull())")
        let string = jsonString()
        define("json-object", "\"{\" ( \(string) \": \" json-value ( \", \" \(string) \": \" json-value )* )? \"}\"")
        define("json-array", "\"[\" ( json-value ( \", \" json-value )* )? \"]\"")
        return "json-value"
    }

    /// Any JSON object.
    package mutating func jsonObject() -> String {
        _ = jsonValue()
        return "json-object"
    }

    private mutating func primitive(_ name: String, _ body: String) -> String {
        if bodies[name] == nil { define(name, body) }
        return name
    }
}
