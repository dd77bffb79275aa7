import Foundation
import LumenCore
import LumenLocalRuntime

/// Random tool schemas of the kinds agents send: nested objects, arrays, enums, optional members,
/// bounded numbers and strings, nullable members, dates and ids. Deterministic for a seed.
struct ToolSchemaGenerator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private static let names = [
        "city", "count", "unit", "tags", "when", "id", "price", "enabled", "mode", "address", "items", "note", "limit", "score",
        "kind", "filters", "query", "path", "days", "level",
    ]

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    /// 1–3 tools, each with an object schema.
    mutating func tools() -> [FunctionTool] {
        let verbs = ["get", "search", "create", "update", "list", "book"]
        let nouns = ["weather", "flights", "ticket", "events", "files", "orders"]
        var tools: [FunctionTool] = []
        for i in 0..<int(1...3) {
            let name = "\(verbs[int(0...verbs.count - 1)])_\(nouns[int(0...nouns.count - 1)])_\(i)"
            tools.append(
                FunctionTool(name: name, description: "Tool \(i): \(name.replacingOccurrences(of: "_", with: " ")).", parameters: object(depth: 0)))
        }
        return tools
    }

    mutating func object(depth: Int) -> JSONValue {
        var pool = Self.names
        var properties: [String: JSONValue] = [:]
        var required: [JSONValue] = []
        for _ in 0..<int(1...(depth == 0 ? 4 : 3)) {
            let name = pool.remove(at: int(0...pool.count - 1))
            properties[name] = value(depth: depth)
            if chance(0.6) { required.append(.string(name)) }
        }
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required) }
        if chance(0.5) { schema["additionalProperties"] = false }
        if chance(0.3) { schema["description"] = "An object." }
        return .object(schema)
    }

    mutating func value(depth: Int) -> JSONValue {
        switch int(0...11) {
        case 0: return ["type": "string", "description": "Free text."]
        case 1:
            var s: [String: JSONValue] = ["type": "string", "maxLength": .integer(Int64(int(1...24)))]
            if chance(0.5) { s["minLength"] = .integer(Int64(int(0...1))) }
            return .object(s)
        case 2: return ["type": "integer"]
        case 3:
            let low = int(-50...50)
            return ["type": "integer", "minimum": .integer(Int64(low)), "maximum": .integer(Int64(low + int(0...500)))]
        case 4:
            return chance(0.5)
                ? ["type": "number"] : ["type": "number", "minimum": .integer(Int64(int(-10...0))), "maximum": .integer(Int64(int(1...100)))]
        case 5: return ["type": "boolean"]
        case 6:
            let options = ["celsius", "fahrenheit", "kelvin", "low", "medium", "high", "asc", "desc"].shuffled(using: &random).prefix(int(2...4))
            return ["type": "string", "enum": .array(options.map { .string($0) })]
        case 7:
            var s: [String: JSONValue] = ["type": "array", "items": depth < 1 && chance(0.3) ? object(depth: depth + 1) : simple()]
            if chance(0.5) { s["minItems"] = .integer(Int64(int(0...2))) }
            if chance(0.5) { s["maxItems"] = .integer(Int64(int(2...4))) }
            return .object(s)
        case 8: return depth < 2 ? object(depth: depth + 1) : simple()
        case 9: return ["anyOf": [simple(), ["type": "null"]]]
        case 10: return ["type": "string", "format": .string(["date", "date-time", "uuid", "time"][int(0...3)])]
        default: return ["enum": [1, 2, 3, "auto"]]
        }
    }

    private mutating func simple() -> JSONValue {
        switch int(0...3) {
        case 0: return ["type": "string", "maxLength": 16]
        case 1: return ["type": "integer", "minimum": 0, "maximum": 100]
        case 2: return ["type": "boolean"]
        default: return ["type": "string", "enum": ["red", "green", "blue"]]
        }
    }
}
