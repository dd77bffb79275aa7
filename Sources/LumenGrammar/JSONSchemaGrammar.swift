import Foundation
package import LumenCore

/// Converts a JSON Schema into GBNF rules that admit only JSON text the schema accepts.
///
/// Supported: `type` (one or a list), `properties`, `required`, `additionalProperties` (absent, a boolean
/// or a schema), `items`, `minItems`, `maxItems`, `enum`, `const`, `anyOf`, `oneOf` (when its branches
/// provably exclude each other: different types, or a `const` discriminator), `allOf` with one schema,
/// local `$ref` (`#/$defs/…`, `#/definitions/…`, recursion included), `minLength`, `maxLength`, `format`
/// `date`/`time`/`date-time`/`uuid`, integer bounds, number bounds that are whole numbers (inclusive).
/// Annotations (`title`, `description`, `default`, `examples`, …) and keywords JSON Schema does not
/// define are ignored, as validators ignore them. Every other keyword is a `SchemaError`, never dropped.
///
/// The grammar may admit fewer values than the schema (never more): objects carry no members beyond
/// the declared ones when there are declared ones, numbers have no exponent and at most 16 integer
/// digits, February has 28 days, JSON text uses `", "` and `": "` and no other whitespace.
package struct JSONSchemaGrammar {
    /// The most repetitions a length or count limit may ask for (each becomes grammar rules).
    package static let maxRepetition = 1000

    /// Keywords that only annotate.
    package static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly",
        "writeOnly", "nullable", "discriminator", "$defs", "definitions", "contentEncoding", "contentMediaType", "strict",
    ]

    /// Keywords that constrain values in ways the converter cannot express, with the reason given.
    package static let unsupported: [String: String] = [
        "pattern": "regular expressions are not supported; describe the format in 'description' or use 'enum'",
        "patternProperties": "property-name patterns are not supported",
        "propertyNames": "property-name schemas are not supported",
        "minProperties": "member counts are not supported",
        "maxProperties": "member counts are not supported",
        "dependentRequired": "conditional requirements are not supported",
        "dependentSchemas": "conditional schemas are not supported",
        "dependencies": "conditional requirements are not supported",
        "if": "conditional schemas are not supported",
        "then": "conditional schemas are not supported",
        "else": "conditional schemas are not supported",
        "not": "negated schemas are not supported",
        "contains": "'contains' is not supported",
        "minContains": "'contains' is not supported",
        "maxContains": "'contains' is not supported",
        "prefixItems": "tuple arrays are not supported",
        "additionalItems": "tuple arrays are not supported",
        "unevaluatedProperties": "'unevaluatedProperties' is not supported",
        "unevaluatedItems": "'unevaluatedItems' is not supported",
        "multipleOf": "'multipleOf' is not supported",
        "$dynamicRef": "dynamic references are not supported",
        "$recursiveRef": "dynamic references are not supported",
    ]

    /// The string formats the grammar can produce.
    package static let formats: Set<String> = ["date", "time", "date-time", "uuid"]

    private let root: JSONValue
    private let owner: String

    /// Adds to `grammar` the rules for values valid against `schema` and returns the name of the rule
    /// (or shared primitive) that matches them. `name` seeds rule names; `path` prefixes error paths;
    /// `$ref`s resolve against `schema` itself.
    /// `arguments`: the schema is a tool's parameters, where `"properties": {}` (and nothing else
    /// said of members) declares that the tool takes none, as frameworks write it: `{}` (a model left
    /// free to add members invents them until its token budget cuts the JSON off). Elsewhere such an
    /// object is free-form, as JSON Schema reads it.
    package static func rule(
        for schema: JSONValue, in grammar: inout GrammarBuilder, name: String, path: String = "", arguments: Bool = false
    ) throws(SchemaError) -> String {
        if arguments, let object = schema.objectValue, object["properties"]?.objectValue?.isEmpty == true,
            object["required"] == nil, object["additionalProperties"] == nil, object["patternProperties"] == nil
        {
            return grammar.rule("empty-object", "\"{}\"")
        }
        let converter = JSONSchemaGrammar(root: schema, owner: name)
        return try converter.visit(schema, path: path, name: name, &grammar)
    }

    /// Checks that `schema` converts, without keeping the rules.
    package static func check(_ schema: JSONValue, path: String = "") throws(SchemaError) {
        var scratch = GrammarBuilder()
        _ = try rule(for: schema, in: &scratch, name: "check", path: path)
    }

    private init(root: JSONValue, owner: String) {
        self.root = root
        self.owner = owner
    }

    // MARK: - Schemas

    private func visit(_ schema: JSONValue, path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        let s: [String: JSONValue]
        switch schema {
        case .bool(true): return g.jsonValue()
        case .bool(false): throw SchemaError(keyword: "false", path: path, reason: "the schema 'false' admits no value")
        case .object(let members): s = members
        default: throw SchemaError(keyword: "schema", path: path, reason: "a schema must be an object or a boolean")
        }
        for key in s.keys.sorted() {
            if let reason = Self.unsupported[key] { throw SchemaError(keyword: key, path: join(path, key), reason: reason) }
        }
        if let ref = s["$ref"] {
            try onlyAnnotations(besides: ["$ref"], in: s, path: path, keyword: "$ref")
            return try reference(ref, path: join(path, "$ref"), &g)
        }
        if let all = s["allOf"] {
            guard let items = all.arrayValue, items.count == 1 else {
                throw SchemaError(keyword: "allOf", path: join(path, "allOf"), reason: "only 'allOf' with a single schema is supported")
            }
            try onlyAnnotations(besides: ["allOf"], in: s, path: path, keyword: "allOf")
            return try visit(items[0], path: join(path, "allOf[0]"), name: name, &g)
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let value = s[keyword] else { continue }
            guard let branches = value.arrayValue, !branches.isEmpty else {
                throw SchemaError(keyword: keyword, path: join(path, keyword), reason: "'\(keyword)' must be a non-empty array of schemas")
            }
            try onlyAnnotations(besides: [keyword], in: s, path: path, keyword: keyword)
            if keyword == "oneOf", branches.count > 1, !exclusive(branches) {
                throw SchemaError(
                    keyword: "oneOf", path: join(path, "oneOf"),
                    reason:
                        "its branches may overlap (a value could match two); use 'anyOf', or branches of different types or with a 'const' discriminator"
                )
            }
            var alternatives: [String] = []
            for (i, branch) in branches.enumerated() {
                alternatives.append(try visit(branch, path: join(path, "\(keyword)[\(i)]"), name: "\(name)-\(i)", &g))
            }
            return g.rule(name, alternatives.joined(separator: " | "))
        }
        let declared = try types(s, path: path)
        if let constant = s["const"] {
            if let declared, !declared.contains(where: { JSONSchemaValidator.matches(type: $0, constant) }) {
                throw SchemaError(keyword: "const", path: join(path, "const"), reason: "the constant does not have the declared type")
            }
            return g.rule(name, GrammarBuilder.literal(JSONText.render(constant)))
        }
        if let list = s["enum"] {
            guard let values = list.arrayValue, !values.isEmpty else {
                throw SchemaError(keyword: "enum", path: join(path, "enum"), reason: "'enum' must be a non-empty array")
            }
            let kept = values.filter { value in declared?.contains(where: { JSONSchemaValidator.matches(type: $0, value) }) ?? true }
            guard !kept.isEmpty else {
                throw SchemaError(keyword: "enum", path: join(path, "enum"), reason: "no value of 'enum' has the declared type")
            }
            return g.rule(name, kept.map { GrammarBuilder.literal(JSONText.render($0)) }.joined(separator: " | "))
        }
        guard let kinds = declared ?? inferredType(s) else { return g.jsonValue() }
        var alternatives: [String] = []
        for kind in kinds {
            alternatives.append(try typed(kind, s, path: path, name: kinds.count > 1 ? "\(name)-\(kind)" : name, &g))
        }
        return alternatives.count == 1 ? alternatives[0] : g.rule(name, alternatives.joined(separator: " | "))
    }

    private func types(_ s: [String: JSONValue], path: String) throws(SchemaError) -> [String]? {
        guard let type = s["type"] else { return nil }
        let names: [String]
        if let one = type.stringValue {
            names = [one]
        } else if let many = type.arrayValue, !many.isEmpty, many.allSatisfy({ $0.stringValue != nil }) {
            names = many.compactMap(\.stringValue)
        } else {
            throw SchemaError(keyword: "type", path: join(path, "type"), reason: "'type' must be a type name or a non-empty array of them")
        }
        let known: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]
        if let bad = names.first(where: { !known.contains($0) }) {
            throw SchemaError(keyword: "type", path: join(path, "type"), reason: "unknown type '\(bad)'")
        }
        // `integer` is part of `number`: keep `number` alone when both are listed.
        var unique: [String] = []
        for n in names where !unique.contains(n) && !(n == "integer" && names.contains("number")) { unique.append(n) }
        return unique
    }

    /// The type a schema without `type` constrains, from its keywords (a subset of what it admits).
    private func inferredType(_ s: [String: JSONValue]) -> [String]? {
        if s["properties"] != nil || s["required"] != nil || s["additionalProperties"] != nil { return ["object"] }
        if s["items"] != nil || s["minItems"] != nil || s["maxItems"] != nil || s["uniqueItems"] != nil { return ["array"] }
        if s["minLength"] != nil || s["maxLength"] != nil || s["format"] != nil { return ["string"] }
        if s["minimum"] != nil || s["maximum"] != nil || s["exclusiveMinimum"] != nil || s["exclusiveMaximum"] != nil { return ["number"] }
        return nil
    }

    private func typed(_ kind: String, _ s: [String: JSONValue], path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String
    {
        switch kind {
        case "object": return try object(s, path: path, name: name, &g)
        case "array": return try array(s, path: path, name: name, &g)
        case "string": return try string(s, path: path, name: name, &g)
        case "integer": return try integer(s, path: path, name: name, &g)
        case "number": return try number(s, path: path, name: name, &g)
        case "boolean": return g.jsonBoolean()
        default: return g.jsonNull()
        }
    }

    // MARK: Objects and arrays

    private func object(_ s: [String: JSONValue], path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        var properties: [String: JSONValue] = [:]
        if let value = s["properties"] {
            guard let members = value.objectValue else {
                throw SchemaError(keyword: "properties", path: join(path, "properties"), reason: "'properties' must be an object")
            }
            properties = members
        }
        var required: [String] = []
        if let value = s["required"] {
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw SchemaError(keyword: "required", path: join(path, "required"), reason: "'required' must be an array of names")
            }
            for key in list.compactMap(\.stringValue) where !required.contains(key) { required.append(key) }
        }
        let additional = s["additionalProperties"]
        if let additional, additional.boolValue == nil, additional.objectValue == nil {
            throw SchemaError(keyword: "additionalProperties", path: join(path, "additionalProperties"), reason: "must be a boolean or a schema")
        }
        let string = g.jsonString()
        if properties.isEmpty && required.isEmpty {
            switch additional {
            case .none, .bool(true)?: return g.jsonObject()
            case .bool(false)?: return g.rule("empty-object", "\"{}\"")
            case .some(let schema):
                let value = try visit(schema, path: join(path, "additionalProperties"), name: "\(name)-value", &g)
                return g.rule(name, "\"{\" ( \(string) \": \" \(value) ( \", \" \(string) \": \" \(value) )* )? \"}\"")
            }
        }
        // Declared members only (valid whatever `additionalProperties` says): required ones in the
        // order of `required`, then the optional ones in name order, each optional.
        func member(_ key: String) throws(SchemaError) -> String {
            let value = try visit(properties[key] ?? .bool(true), path: join(path, "properties.\(key)"), name: "\(name)-\(key)", &g)
            return g.rule("\(name)-\(key)-kv", "\(GrammarBuilder.literal(JSONText.quoted(key) + ": ")) \(value)")
        }
        var requiredMembers: [String] = []
        for key in required { requiredMembers.append(try member(key)) }
        let optional = properties.keys.filter { !required.contains($0) }.sorted()
        var optionalMembers: [String] = []
        for key in optional { optionalMembers.append(try member(key)) }

        // tails[i]: the optional members i… each with a leading comma, each optional.
        var tails = [String](repeating: "", count: optionalMembers.count + 1)
        for i in stride(from: optionalMembers.count - 1, through: 0, by: -1) {
            let rest = tails[i + 1].isEmpty ? "" : " \(tails[i + 1])"
            tails[i] = g.rule("\(name)-tail", "( \", \" \(optionalMembers[i]) )?\(rest)")
        }
        let body: String
        if !requiredMembers.isEmpty {
            let tail = tails[0].isEmpty ? "" : " \(tails[0])"
            body = "\"{\" \(requiredMembers.joined(separator: " \", \" "))\(tail) \"}\""
        } else {
            let starts = optionalMembers.indices.map { i in tails[i + 1].isEmpty ? optionalMembers[i] : "\(optionalMembers[i]) \(tails[i + 1])" }
            body = "\"{\" ( \(starts.joined(separator: " | ")) )? \"}\""
        }
        return g.rule(name, body)
    }

    private func array(_ s: [String: JSONValue], path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        if s["uniqueItems"]?.boolValue == true {
            throw SchemaError(keyword: "uniqueItems", path: join(path, "uniqueItems"), reason: "unique elements cannot be guaranteed")
        }
        let minimum = try count(s, "minItems", path: path) ?? 0
        let maximum = try count(s, "maxItems", path: path)
        if let maximum, maximum < minimum {
            throw SchemaError(
                keyword: "maxItems", path: join(path, "maxItems"), reason: "no array satisfies minItems \(minimum) and maxItems \(maximum)")
        }
        let item: String
        switch s["items"] {
        case .none, .bool(true)?: item = g.jsonValue()
        case .bool(false)?:
            guard minimum == 0 else {
                throw SchemaError(keyword: "items", path: join(path, "items"), reason: "'items: false' admits only the empty array")
            }
            return g.rule("empty-array", "\"[]\"")
        case .object?: item = try visit(s["items"]!, path: join(path, "items"), name: "\(name)-item", &g)
        default: throw SchemaError(keyword: "items", path: join(path, "items"), reason: "'items' as an array (tuples) is not supported")
        }
        if maximum == 0 { return g.rule("empty-array", "\"[]\"") }
        let more = repetition(min: max(0, minimum - 1), max: maximum.map { $0 - 1 })
        let rest = more == "{0}" ? "" : " ( \", \" \(item) )\(more)"
        let body = minimum == 0 ? "\"[\" ( \(item)\(rest) )? \"]\"" : "\"[\" \(item)\(rest) \"]\""
        return g.rule(name, body)
    }

    private func count(_ s: [String: JSONValue], _ keyword: String, path: String) throws(SchemaError) -> Int? {
        guard let value = s[keyword] else { return nil }
        guard let n = value.intValue, n >= 0 else {
            throw SchemaError(keyword: keyword, path: join(path, keyword), reason: "must be a non-negative integer")
        }
        guard n <= Self.maxRepetition else {
            throw SchemaError(keyword: keyword, path: join(path, keyword), reason: "limits above \(Self.maxRepetition) are not supported")
        }
        return n
    }

    /// `*`, `+`, `?`, `{m}`, `{m,}` or `{m,n}`.
    private func repetition(min: Int, max: Int?) -> String {
        switch (min, max) {
        case (0, nil): return "*"
        case (1, nil): return "+"
        case (let m, nil): return "{\(m),}"
        case (0, 1?): return "?"
        case (let m, let n?) where m == n: return "{\(m)}"
        case (let m, let n?): return "{\(m),\(n)}"
        }
    }

    // MARK: Strings

    private func string(_ s: [String: JSONValue], path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        let minimum = try count(s, "minLength", path: path)
        let maximum = try count(s, "maxLength", path: path)
        if let format = s["format"] {
            guard let f = format.stringValue, Self.formats.contains(f) else {
                throw SchemaError(
                    keyword: "format", path: join(path, "format"),
                    reason: "format \(JSONText.render(format)) is not supported (supported: \(Self.formats.sorted().joined(separator: ", ")))"
                )
            }
            if minimum != nil || maximum != nil {
                throw SchemaError(keyword: "format", path: join(path, "format"), reason: "length limits together with 'format' are not supported")
            }
            return formatRule(f, &g)
        }
        guard minimum != nil || maximum != nil else { return g.jsonString() }
        if let maximum, maximum < minimum ?? 0 {
            throw SchemaError(
                keyword: "maxLength", path: join(path, "maxLength"), reason: "no string satisfies minLength \(minimum ?? 0) and maxLength \(maximum)")
        }
        let char = g.jsonChar()
        return g.rule(name, "\"\\\"\" \(char)\(repetition(min: minimum ?? 0, max: maximum)) \"\\\"\"")
    }

    private func formatRule(_ format: String, _ g: inout GrammarBuilder) -> String {
        let quote = "\"\\\"\""
        let hex = "[0-9a-f]"
        let date = g.rule(
            "date-core",
            #"[0-9]{4} "-" ( ( "0" [13578] | "1" [02] ) "-" ( "0" [1-9] | [12] [0-9] | "3" [01] ) | ( "0" [469] | "11" ) "-" ( "0" [1-9] | [12] [0-9] | "30" ) | "02-" ( "0" [1-9] | "1" [0-9] | "2" [0-8] ) )"#
        )
        let time = g.rule(
            "time-core",
            #"( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,6} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )"#
        )
        switch format {
        case "date": return g.rule("date", "\(quote) \(date) \(quote)")
        case "time": return g.rule("time", "\(quote) \(time) \(quote)")
        case "date-time": return g.rule("date-time", "\(quote) \(date) \"T\" \(time) \(quote)")
        default: return g.rule("uuid", "\(quote) \(hex){8} \"-\" \(hex){4} \"-\" \(hex){4} \"-\" \(hex){4} \"-\" \(hex){12} \(quote)")
        }
    }

    // MARK: Numbers

    /// The inclusive integer bounds of `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum` (draft 4
    /// boolean exclusives included); nil sides are open.
    private func integerBounds(_ s: [String: JSONValue], path: String) throws(SchemaError) -> (Int64?, Int64?) {
        func bound(_ keyword: String) throws(SchemaError) -> Double? {
            guard let value = s[keyword] else { return nil }
            if keyword.hasPrefix("exclusive"), value.boolValue != nil { return nil }
            guard let d = value.doubleValue, d.isFinite else {
                throw SchemaError(keyword: keyword, path: join(path, keyword), reason: "must be a number")
            }
            return d
        }
        let limit = 1e16
        var low: Double?
        var high: Double?
        if let m = try bound("minimum") { low = s["exclusiveMinimum"]?.boolValue == true ? (m + 1).rounded(.down) : m.rounded(.up) }
        if let e = try bound("exclusiveMinimum") { low = max(low ?? -.infinity, (e + 1).rounded(.down)) }
        if let m = try bound("maximum") { high = s["exclusiveMaximum"]?.boolValue == true ? (m - 1).rounded(.up) : m.rounded(.down) }
        if let e = try bound("exclusiveMaximum") { high = min(high ?? .infinity, (e - 1).rounded(.up)) }
        if let l = low, let h = high, l > h {
            throw SchemaError(keyword: "minimum", path: join(path, "minimum"), reason: "no integer lies between the bounds")
        }
        if let l = low, l >= limit {
            throw SchemaError(keyword: "minimum", path: join(path, "minimum"), reason: "bounds beyond 16 digits are not supported")
        }
        if let h = high, h <= -limit {
            throw SchemaError(keyword: "maximum", path: join(path, "maximum"), reason: "bounds beyond 16 digits are not supported")
        }
        return (low.flatMap { $0 <= -limit ? nil : Int64($0) }, high.flatMap { $0 >= limit ? nil : Int64($0) })
    }

    private func hasBounds(_ s: [String: JSONValue]) -> Bool {
        ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].contains { s[$0] != nil }
    }

    private func integer(_ s: [String: JSONValue], path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        guard hasBounds(s) else { return g.jsonInteger() }
        let (low, high) = try integerBounds(s, path: path)
        var alternatives: [String] = []
        if high == nil || high! >= 0 {
            alternatives.append(IntegerRange.expression(from: UInt64(max(low ?? 0, 0)), through: high.map { UInt64($0) }))
        }
        if low == nil || low! < 0 {
            let smallest = UInt64(high.map { $0 < 0 ? -$0 : 1 } ?? 1)
            alternatives.append("\"-\" ( \(IntegerRange.expression(from: smallest, through: low.map { UInt64(-$0) })) )")
        }
        return g.rule(name, alternatives.map { "( \($0) )" }.joined(separator: " | "))
    }

    private func number(_ s: [String: JSONValue], path: String, name: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        guard hasBounds(s) else { return g.jsonNumber() }
        for keyword in ["exclusiveMinimum", "exclusiveMaximum"] where s[keyword] != nil && s[keyword]?.boolValue != false {
            throw SchemaError(
                keyword: keyword, path: join(path, keyword),
                reason: "exclusive bounds on non-integer numbers are not supported (use 'integer' or an inclusive bound)")
        }
        var low: Int64?
        var high: Int64?
        for keyword in ["minimum", "maximum"] {
            guard let value = s[keyword] else { continue }
            guard let d = value.doubleValue, d.isFinite, d == d.rounded(), abs(d) < 1e15 else {
                throw SchemaError(
                    keyword: keyword, path: join(path, keyword), reason: "bounds on non-integer numbers must be whole numbers below 10^15")
            }
            if keyword == "minimum" { low = Int64(d) } else { high = Int64(d) }
        }
        if let l = low, let h = high, l > h {
            throw SchemaError(keyword: "minimum", path: join(path, "minimum"), reason: "no number lies between the bounds")
        }
        let fraction = "( \".\" [0-9]{1,15} )?"
        let zeros = "( \".\" \"0\"{1,15} )?"
        var alternatives: [String] = []
        // x >= 0 written without a sign: integer part n, fraction f.
        if high == nil || high! >= 0 {
            let from = UInt64(max(low ?? 0, 0))
            if let h = high {
                if Int64(from) <= h - 1 { alternatives.append("( \(IntegerRange.expression(from: from, through: UInt64(h - 1))) ) \(fraction)") }
                alternatives.append("\(GrammarBuilder.literal(String(h))) \(zeros)")
            } else {
                alternatives.append("( \(IntegerRange.expression(from: from, through: nil)) ) \(fraction)")
            }
        }
        // x < 0 written with a sign: magnitude n + f.
        if low == nil || low! < 0 {
            let from = UInt64(high.map { $0 < 0 ? -$0 : 0 } ?? 0)
            if let l = low {
                let top = -l
                if Int64(from) <= top - 1 {
                    alternatives.append("\"-\" ( \(IntegerRange.expression(from: from, through: UInt64(top - 1))) ) \(fraction)")
                }
                alternatives.append("\"-\" \(GrammarBuilder.literal(String(top))) \(zeros)")
            } else {
                alternatives.append("\"-\" ( \(IntegerRange.expression(from: from, through: nil)) ) \(fraction)")
            }
        }
        return g.rule(name, alternatives.map { "( \($0) )" }.joined(separator: " | "))
    }

    // MARK: References and combinations

    private func onlyAnnotations(besides allowed: Set<String>, in s: [String: JSONValue], path: String, keyword: String) throws(SchemaError) {
        for key in s.keys.sorted() where !allowed.contains(key) && !Self.annotations.contains(key) && !key.hasPrefix("x-") && Self.isKeyword(key) {
            throw SchemaError(
                keyword: key, path: join(path, key), reason: "keywords next to '\(keyword)' are not supported; move '\(key)' into its schemas")
        }
    }

    /// Whether `key` is a JSON Schema keyword that constrains values (keywords JSON Schema does not define are ignored).
    static func isKeyword(_ key: String) -> Bool {
        let constraining: Set<String> = [
            "type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
            "uniqueItems", "minLength", "maxLength", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "anyOf", "oneOf", "allOf", "$ref",
        ]
        return constraining.contains(key) || unsupported[key] != nil
    }

    private func reference(_ ref: JSONValue, path: String, _ g: inout GrammarBuilder) throws(SchemaError) -> String {
        guard let pointer = ref.stringValue, pointer.hasPrefix("#") else {
            throw SchemaError(keyword: "$ref", path: path, reason: "only references inside the schema ('#/$defs/…') are supported")
        }
        let key = "\(owner)|\(pointer)"
        if let existing = g.references[key] { return existing }
        let target = try resolve(pointer, path: path)
        let name = g.fresh("\(owner)-ref-\(pointer.split(separator: "/").last ?? "root")")
        g.references[key] = name
        g.define(name, "\"\"")  // placeholder while the target (which may refer back) is converted
        let body = try visit(target, path: path, name: "\(name)-def", &g)
        g.define(name, body)
        return name
    }

    func resolve(_ pointer: String, path: String) throws(SchemaError) -> JSONValue {
        var node = root
        let tokens = pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: true)
        for raw in tokens {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = node.objectValue, let next = object[token] {
                node = next
            } else if let array = node.arrayValue, let index = Int(token), array.indices.contains(index) {
                node = array[index]
            } else {
                throw SchemaError(keyword: "$ref", path: path, reason: "'\(pointer)' does not point into the schema")
            }
        }
        return node
    }

    /// Whether no value can match two of `branches`: pairwise different types, or one required member
    /// with a different constant in each branch.
    private func exclusive(_ branches: [JSONValue]) -> Bool {
        let resolved = branches.map { branch -> [String: JSONValue]? in
            guard var s = branch.objectValue else { return nil }
            var hops = 0
            while let pointer = s["$ref"]?.stringValue, hops < 8, let target = try? resolve(pointer, path: "") {
                guard let next = target.objectValue else { return nil }
                s = next
                hops += 1
            }
            return s
        }
        guard resolved.allSatisfy({ $0 != nil }) else { return false }
        let schemas = resolved.map { $0! }
        // Different types.
        let typeSets = schemas.map { s -> Set<String>? in
            guard let type = s["type"] else { return nil }
            var names = Set(type.stringValue.map { [$0] } ?? type.arrayValue?.compactMap(\.stringValue) ?? [])
            if names.contains("number") { names.insert("integer") }
            return names.isEmpty ? nil : names
        }
        if typeSets.allSatisfy({ $0 != nil }) {
            let sets = typeSets.map { $0! }
            var disjoint = true
            for i in sets.indices {
                for j in sets.indices where j > i && !sets[i].isDisjoint(with: sets[j]) { disjoint = false }
            }
            if disjoint { return true }
        }
        // A discriminator: a member every branch requires, with a distinct constant in each.
        guard let first = schemas.first, let candidates = first["required"]?.arrayValue?.compactMap(\.stringValue) else { return false }
        for key in candidates {
            var seen: [JSONValue] = []
            var ok = true
            for s in schemas {
                guard s["required"]?.arrayValue?.contains(.string(key)) == true,
                    let property = s["properties"]?[key]?.objectValue,
                    let constant = property["const"] ?? (property["enum"]?.arrayValue?.count == 1 ? property["enum"]?.arrayValue?.first : nil),
                    !seen.contains(where: { JSONSchemaValidator.equal($0, constant) })
                else {
                    ok = false
                    break
                }
                seen.append(constant)
            }
            if ok { return true }
        }
        return false
    }

    private func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}
