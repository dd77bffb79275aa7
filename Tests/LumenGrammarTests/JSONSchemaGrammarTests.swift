import Foundation
import LumenCore
import Testing

@testable import LumenGrammar

/// The converter's refusals, its output's shape, and the integer-range construction (checked exhaustively
/// against the numbers themselves through an equivalent regular expression).
@Suite struct JSONSchemaGrammarTests {
    private func schema(_ text: String) -> JSONValue {
        JSONText.parse(text)!
    }

    private func grammar(_ text: String) throws -> String {
        var g = GrammarBuilder()
        let rule = try JSONSchemaGrammar.rule(for: schema(text), in: &g, name: "args")
        g.define("root", rule)
        return g.text
    }

    @Test(arguments: [
        (#"{"type":"string","pattern":"^a+$"}"#, "pattern", "pattern"),
        (#"{"type":"object","properties":{"a":{"type":"string","format":"email"}}}"#, "format", "properties.a.format"),
        (#"{"type":"object","properties":{"a":{"not":{"type":"string"}}}}"#, "not", "properties.a.not"),
        (#"{"type":"array","items":{"type":"integer"},"uniqueItems":true}"#, "uniqueItems", "uniqueItems"),
        (#"{"type":"number","multipleOf":0.5}"#, "multipleOf", "multipleOf"),
        (#"{"oneOf":[{"type":"string"},{"type":"string","maxLength":3}]}"#, "oneOf", "oneOf"),
        (#"{"allOf":[{"type":"string"},{"maxLength":3}]}"#, "allOf", "allOf"),
        (#"{"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}]}"#, "type", "type"),
        (#"{"$ref":"https://example.com/schema.json"}"#, "$ref", "$ref"),
        (##"{"$ref":"#/$defs/missing"}"##, "$ref", "$ref"),
        (#"{"type":"string","maxLength":5000}"#, "maxLength", "maxLength"),
        (#"{"type":"number","exclusiveMinimum":0}"#, "exclusiveMinimum", "exclusiveMinimum"),
        (#"{"type":"number","minimum":0.5}"#, "minimum", "minimum"),
        (#"{"type":"integer","minimum":5,"maximum":4}"#, "minimum", "minimum"),
        (#"{"type":"array","prefixItems":[{"type":"string"}]}"#, "prefixItems", "prefixItems"),
        (#"{"type":"object","patternProperties":{"^x":{"type":"string"}}}"#, "patternProperties", "patternProperties"),
        (#"{"type":"strange"}"#, "type", "type"),
        (#"{"enum":[1,2],"type":"string"}"#, "enum", "enum"),
        (#"false"#, "false", ""),
    ])
    func unsupportedFeaturesAreNamed(_ text: String, _ keyword: String, _ path: String) {
        #expect {
            _ = try grammar(text)
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            return error.keyword == keyword && error.path == path && error.description.contains(keyword)
        }
    }

    @Test(arguments: [
        #"{"type":"object","properties":{"a":{"type":"string","description":"d","title":"t","default":"x","examples":["y"]}},"required":["a"],"$schema":"https://json-schema.org/draft/2020-12/schema"}"#,
        #"{"type":"object","properties":{"kind":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}"#,
        #"{"oneOf":[{"type":"object","properties":{"k":{"const":"a"}},"required":["k"]},{"type":"object","properties":{"k":{"const":"b"},"x":{"type":"integer"}},"required":["k","x"]}]}"#,
        ##"{"type":"object","properties":{"n":{"$ref":"#/$defs/Node"}},"$defs":{"Node":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]}},"required":["next"]}}}"##,
        #"{"type":"object","properties":{"d":{"type":"string","format":"date-time"},"u":{"type":"string","format":"uuid"}}}"#,
        #"{"type":"integer","minimum":-40,"exclusiveMaximum":125}"#,
        #"{"type":"number","minimum":-90,"maximum":90}"#,
        #"{"type":["string","null"],"maxLength":4}"#,
        #"{"x-vendor":{"anything":1},"type":"boolean"}"#,
    ])
    func supportedSchemasConvert(_ text: String) throws {
        let result = try grammar(text)
        #expect(result.hasPrefix("root ::= "))
    }

    @Test func declaredMembersComeInRequiredThenNameOrderWithOptionalsOptional() throws {
        let text = try grammar(
            #"{"type":"object","properties":{"z":{"type":"string"},"b":{"type":"integer"},"a":{"type":"boolean"}},"required":["z"]}"#)
        #expect(text.contains(#"\"z\": "#))
        // The required member opens the object; both optional ones hang off it, each optional.
        let root = text.split(separator: "\n").first { $0.hasPrefix("args ::=") }.map(String.init) ?? ""
        #expect(root.contains("\"{\" args-z-kv"), "\(text)")
        #expect(text.contains("( \", \" args-a-kv )?"))
        #expect(text.contains("( \", \" args-b-kv )?"))
    }

    @Test func freeFormObjectsAndEmptySchemasAdmitAnyJSON() throws {
        #expect(try grammar(#"{"type":"object"}"#).contains("root ::= json-object"))
        #expect(try grammar("{}").contains("root ::= json-value"))
        #expect(try grammar(#"{"type":"object","additionalProperties":false}"#).contains("\"{}\""))
        // Declared empty: free-form in an answer's schema, as JSON Schema reads it; no member for a
        // tool's arguments (a tool that takes none, as frameworks write it).
        #expect(try grammar(#"{"type":"object","properties":{}}"#).contains("root ::= json-object"))
        var g = GrammarBuilder()
        let none = try JSONSchemaGrammar.rule(for: schema(#"{"type":"object","properties":{}}"#), in: &g, name: "args", arguments: true)
        g.define("root", none)
        #expect(g.text.contains("root ::= empty-object") && g.text.contains("\"{}\""), "\(g.text)")
        var h = GrammarBuilder()
        let nested = try JSONSchemaGrammar.rule(
            for: schema(#"{"type":"object","properties":{"attributes":{"type":"object","properties":{}}},"required":["attributes"]}"#), in: &h,
            name: "args", arguments: true)
        h.define("root", nested)
        #expect(h.text.contains("json-object"), "a member declared empty stays free-form: \(h.text)")
    }

    /// The integer-range expression, read as a regular expression, matches exactly the numerals in the range.
    @Test(arguments: [
        (UInt64(0), UInt64?(0)), (0, 9), (0, 10), (1, 100), (7, 7), (13, 987), (95, 105), (100, 999), (199, 1200), (0, 4096), (5, nil),
    ])
    func integerRangesAreExact(_ low: UInt64, _ high: UInt64?) throws {
        let expression = IntegerRange.expression(from: low, through: high)
        let pattern = "^(" + expression.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: " ", with: "") + ")$"
        let regex = try NSRegularExpression(pattern: pattern)
        func matches(_ n: UInt64) -> Bool {
            let s = String(n)
            return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
        for n in 0...UInt64(2500) {
            let inside = n >= low && (high.map { n <= $0 } ?? true)
            #expect(matches(n) == inside, "\(n) in \(low)...\(String(describing: high)): \(expression)")
        }
        // Leading zeros never match.
        let padded = "0" + String(max(low, 1))
        #expect(regex.firstMatch(in: padded, range: NSRange(padded.startIndex..., in: padded)) == nil)
    }
}

@Suite struct JSONSchemaValidatorTests {
    private func valid(_ value: String, _ schema: String) -> Bool {
        JSONSchemaValidator.isValid(JSONText.parse(value)!, against: JSONText.parse(schema)!)
    }

    @Test func typesEnumsAndConstants() {
        #expect(valid("1", #"{"type":"integer"}"#))
        #expect(valid("1.0", #"{"type":"integer"}"#))
        #expect(!valid("1.5", #"{"type":"integer"}"#))
        #expect(valid("1.5", #"{"type":"number"}"#))
        #expect(!valid(#""1""#, #"{"type":"number"}"#))
        #expect(valid("null", #"{"type":["string","null"]}"#))
        #expect(valid("2", #"{"enum":[1,2.0,"x"]}"#))
        #expect(!valid("3", #"{"enum":[1,2]}"#))
        #expect(valid(#"{"b":1,"a":[true]}"#, #"{"const":{"a":[true],"b":1.0}}"#))
    }

    @Test func objectsAndArrays() {
        let schema =
            #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":2}},"required":["a"],"additionalProperties":false}"#
        #expect(valid(#"{"a":"x"}"#, schema))
        #expect(valid(#"{"a":"x","b":[1,2]}"#, schema))
        #expect(!valid(#"{"b":[1]}"#, schema))
        #expect(!valid(#"{"a":"x","c":1}"#, schema))
        #expect(!valid(#"{"a":"x","b":[]}"#, schema))
        #expect(!valid(#"{"a":"x","b":[1,2,3]}"#, schema))
        #expect(!valid(#"{"a":"x","b":["1"]}"#, schema))
        // Members not declared are allowed unless additionalProperties says otherwise.
        #expect(valid(#"{"a":"x","c":1}"#, #"{"type":"object","properties":{"a":{"type":"string"}}}"#))
    }

    @Test func combinationsAndReferences() {
        #expect(valid("1", #"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#))
        #expect(!valid("1", #"{"oneOf":[{"type":"number"},{"type":"integer"}]}"#))
        let recursive =
            ##"{"$ref":"#/$defs/N","$defs":{"N":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/N"},{"type":"null"}]}},"required":["next"]}}}"##
        #expect(valid(#"{"next":{"next":null}}"#, recursive))
        #expect(!valid(#"{"next":{"next":1}}"#, recursive))
    }

    @Test func stringsNumbersAndFormats() {
        #expect(valid(#""héllo""#, #"{"type":"string","minLength":5,"maxLength":5}"#))
        #expect(!valid(#""hé""#, #"{"type":"string","minLength":3}"#))
        #expect(valid("10", #"{"type":"integer","minimum":10,"maximum":10}"#))
        #expect(!valid("10", #"{"type":"integer","exclusiveMaximum":10}"#))
        #expect(!valid("10", #"{"type":"integer","maximum":10,"exclusiveMaximum":true}"#))
        #expect(valid(#""2024-02-29""#, #"{"type":"string","format":"date"}"#))
        #expect(!valid(#""2023-02-29""#, #"{"type":"string","format":"date"}"#))
        #expect(valid(#""2024-01-31T23:59:59.5+01:00""#, #"{"type":"string","format":"date-time"}"#))
        #expect(!valid(#""2024-01-31T24:00:00Z""#, #"{"type":"string","format":"date-time"}"#))
        #expect(!valid(#""12:00:00""#, #"{"type":"string","format":"time"}"#))
        #expect(valid(#""123e4567-e89b-12d3-a456-426614174000""#, #"{"type":"string","format":"uuid"}"#))
        #expect(!valid(#""123e4567e89b12d3a456426614174000""#, #"{"type":"string","format":"uuid"}"#))
    }

    @Test func unimplementedKeywordsAreViolationsNotSkips() {
        #expect(!valid(#""abc""#, #"{"type":"string","pattern":"^a"}"#))
        #expect(!valid(#""a@b.c""#, #"{"type":"string","format":"email"}"#))
    }
}
