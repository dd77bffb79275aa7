package import LumenClassifier
package import LumenCore

/// What the screen may do with one string of an outbound body.
package enum StringKind: String, Sendable, Hashable {
    /// Free text: screened, and rewritten by redaction.
    case text
    /// A JSON document inside a string (tool-call arguments): screened, rewritten inside its strings.
    case jsonText
    /// Sent verbatim (member names, numbers, stop sequences, schema enums, ids, URLs): screened, never rewritten,
    /// so a value that must be pseudonymised keeps the request local.
    case fixed
    /// Encoded data (base64 images, audio, files): cannot be scanned; the policy's `binary_content` decides.
    case binary
    /// Written by Lumen from its configuration (the target's model name): not the client's data.
    case lumen
}

/// One string of an outbound body with its place and what the screen may do with it.
package struct OutboundString: Sendable, Hashable {
    package var path: JSONPath
    package var text: String
    /// A member name rather than a value.
    package var isKey: Bool
    package var kind: StringKind
    package var area: TextArea

    /// Whether redaction may rewrite this string.
    package var isRewritable: Bool { !isKey && (kind == .text || kind == .jsonText) }

    /// Whether the classifier reads this string.
    package var isScreened: Bool { kind != .binary && kind != .lumen }

    /// `path` as written in findings and audit records (`messages[2].content`, with `#key` for a member name).
    package var location: String { isKey ? "\(path)#key" : path.description }
}

/// The single definition of "what leaves": every string of an outbound body, classified by place,
/// for each wire format Lumen sends. The screen, redaction, `lumen route --explain` and the tests all
/// read bodies through this.
package enum OutboundStrings {
    /// Every string of `body` (member names included), in document order (members by name). A number
    /// is one too (its digits; sent verbatim): a card or an SSN written as a JSON number leaves as
    /// surely as one in quotes.
    package static func of(_ body: OutboundBody) -> [OutboundString] {
        var out: [OutboundString] = []
        walk(body) { path, text, isKey, kind, area in
            out.append(OutboundString(path: path, text: text, isKey: isKey, kind: kind, area: area))
        }
        return out
    }

    /// Calls `visit` for every string of `body` with its place, in the order of ``of(_:)``, without
    /// building the list: `path` is the walk's own stack, valid during the call only.
    package static func walk(
        _ body: OutboundBody, _ visit: (_ path: JSONPath, _ text: String, _ isKey: Bool, _ kind: StringKind, _ area: TextArea) -> Void
    ) {
        var path = JSONPath()
        path.components.reserveCapacity(12)
        walk(body.json, &path, area: .request, format: body.format, textSource: false, visit)
    }

    /// `textSource`: the value is the `data` of a source object whose `type` is "text" (an
    /// Anthropic plain-text document), the one `source.data` that is not encoded.
    private static func walk(
        _ value: JSONValue, _ path: inout JSONPath, area: TextArea, format: WireFormat, textSource: Bool,
        _ visit: (JSONPath, String, Bool, StringKind, TextArea) -> Void
    ) {
        switch value {
        case .string(let text):
            visit(path, text, false, kind(path, text: text, format: format, textSource: textSource), area)
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                path.components.append(.index(i))
                walk(element, &path, area: childArea(area, path, element, format), format: format, textSource: false, visit)
                path.components.removeLast()
            }
        case .object(let members):
            // Members by name (the order `keys.sorted()` gives), without looking each one up again.
            let isTextSource = isTextSource(value, at: path)
            for (name, child) in members.sorted(by: { $0.key < $1.key }) {
                path.components.append(.key(name))
                let childArea = childArea(area, path, child, format)
                visit(path, name, true, .fixed, childArea)
                walk(child, &path, area: childArea, format: format, textSource: isTextSource && name == "data", visit)
                path.components.removeLast()
            }
        case .integer(let number):
            visit(path, String(number), false, .fixed, area)
        case .double(let number):
            visit(path, numberText(number), false, .fixed, area)
        case .null, .bool:
            break
        }
    }

    /// A JSON number as the screen reads it: a whole number in digits (4539172638491059, which the
    /// encoder may write as 4.539172638491059e+15), anything else as written.
    static func numberText(_ number: Double) -> String {
        if number.isFinite, number == number.rounded(), abs(number) < 1e18 { return String(Int64(number)) }
        return number.description
    }

    /// Whether `value`, at `path`, is a `source` object of type "text" (an Anthropic plain-text
    /// document), whose `data` is text rather than encoded content.
    static func isTextSource(_ value: JSONValue?, at path: JSONPath) -> Bool {
        path.key(path.count - 1) == "source" && value?["type"]?.stringValue == "text"
    }

    static func kind(_ path: JSONPath, text: String, format: WireFormat, textSource: Bool) -> StringKind {
        switch format {
        case .openAIChat: openAIKind(path, text: text)
        case .anthropicMessages: anthropicKind(path, textSource: textSource)
        }
    }

    /// The area of the value at `path` (just entered), from its parent's area.
    static func childArea(_ parent: TextArea, _ path: JSONPath, _ value: JSONValue, _ format: WireFormat) -> TextArea {
        switch (format, path.count) {
        case (.openAIChat, 1):
            switch path.key(0) {
            case "tools", "functions", "response_format", "tool_choice", "function_call": return .toolDefinition
            case "metadata", "user", "safety_identifier", "prompt_cache_key": return .metadata
            case "prediction": return .assistant
            default: return .request
            }
        case (.openAIChat, 2) where path.key(0) == "messages":
            switch value["role"]?.stringValue {
            case "system", "developer": return .system
            case "assistant": return .assistant
            case "tool", "function": return .toolResult
            default: return .user
            }
        case (.anthropicMessages, 1):
            switch path.key(0) {
            case "system": return .system
            case "tools", "tool_choice": return .toolDefinition
            case "metadata": return .metadata
            default: return .request
            }
        case (.anthropicMessages, 2) where path.key(0) == "messages":
            return value["role"]?.stringValue == "assistant" ? .assistant : .user
        case (.anthropicMessages, 4) where path.key(0) == "messages" && path.key(2) == "content":
            return value["type"]?.stringValue == "tool_result" ? .toolResult : parent
        default:
            return parent
        }
    }

    /// Where `text` is in `body` (kind and area), as ``walk(_:_:)`` reports it.
    static func place(_ path: JSONPath, isKey: Bool, text: String, in body: OutboundBody) -> (StringKind, TextArea) {
        var area = TextArea.request
        var prefix = JSONPath()
        for component in path.components {
            prefix.components.append(component)
            guard let value = body.json[path: prefix] else { break }
            area = childArea(area, prefix, value, body.format)
        }
        let parent = JSONPath(Array(path.components.dropLast()))
        let textSource = path.key(path.count - 1) == "data" && isTextSource(body.json[path: parent], at: parent)
        return (isKey ? .fixed : kind(path, text: text, format: body.format, textSource: textSource), area)
    }

    // MARK: OpenAI chat completions

    static func openAIKind(_ path: JSONPath, text: String) -> StringKind {
        let n = path.count
        switch path.key(0) {
        case "model" where n == 1:
            return .lumen
        case "messages":
            guard path.index(1) != nil, let member = path.key(2) else { return .fixed }
            switch member {
            case "content":
                if n == 3 { return .text }
                guard path.index(3) != nil, let field = path.key(4) else { return .fixed }
                switch (field, n) {
                case ("text", 5), ("refusal", 5): return .text
                case ("image_url", 5):  // the URL given as a bare string
                    return isDataURI(text) ? .binary : .fixed
                case ("image_url", 6) where path.key(5) == "url", ("file", 6) where path.key(5) == "file_url":  // (a document's URL)
                    return isDataURI(text) ? .binary : .fixed
                case ("input_audio", 6) where path.key(5) == "data": return .binary
                case ("file", 6) where path.key(5) == "file_data": return .binary
                case ("file", 6) where path.key(5) == "filename": return .text
                default: return .fixed
                }
            case "name", "refusal":
                return n == 3 ? .text : .fixed
            case "tool_calls":
                return n == 6 && path.key(4) == "function" && path.key(5) == "arguments" ? .jsonText : .fixed
            case "function_call":
                return n == 4 && path.key(3) == "arguments" ? .jsonText : .fixed
            default:
                return .fixed
            }
        case "tools":
            guard path.index(1) != nil, path.key(2) == "function" else { return .fixed }
            if n == 4 && path.key(3) == "description" { return .text }
            if path.key(3) == "parameters" { return schemaKind(path, from: 4) }
            return .fixed
        case "functions":
            guard path.index(1) != nil else { return .fixed }
            if n == 3 && path.key(2) == "description" { return .text }
            if path.key(2) == "parameters" { return schemaKind(path, from: 3) }
            return .fixed
        case "response_format":
            guard path.key(1) == "json_schema" else { return .fixed }
            if n == 3 && path.key(2) == "description" { return .text }
            if path.key(2) == "schema" { return schemaKind(path, from: 3) }
            return .fixed
        case "metadata":
            return n == 2 ? .text : .fixed
        case "user":
            return n == 1 ? .text : .fixed
        case "prediction":
            guard path.key(1) == "content" else { return .fixed }
            if n == 2 { return .text }
            return n == 4 && path.key(3) == "text" ? .text : .fixed
        default:
            return .fixed
        }
    }

    // MARK: Anthropic Messages

    static func anthropicKind(_ path: JSONPath, textSource: Bool) -> StringKind {
        let n = path.count
        switch path.key(0) {
        case "model" where n == 1:
            return .lumen
        case "system":
            if n == 1 { return .text }
            return n == 3 && path.key(2) == "text" ? .text : .fixed
        case "messages":
            guard path.index(1) != nil, path.key(2) == "content" else { return .fixed }
            if n == 3 { return .text }
            guard path.index(3) != nil, let field = path.key(4) else { return .fixed }
            return anthropicBlockKind(field, path, at: 4, textSource: textSource)
        case "tools":
            guard path.index(1) != nil else { return .fixed }
            if n == 3 && path.key(2) == "description" { return .text }
            if path.key(2) == "input_schema" { return schemaKind(path, from: 3) }
            return .fixed
        case "metadata":
            return n == 2 && path.key(1) == "user_id" ? .text : .fixed
        default:
            return .fixed
        }
    }

    /// A string inside a content block; `field` is the block member at `position`.
    static func anthropicBlockKind(_ field: String, _ path: JSONPath, at position: Int, textSource: Bool) -> StringKind {
        let n = path.count
        switch field {
        case "text":
            return n == position + 1 ? .text : .fixed
        case "source":
            // Encoded data (an image, a PDF) cannot be read; only a plain-text document's `data`
            // (source type "text") is text, screened like any. A source of any other or no type is
            // encoded, whatever its characters.
            guard path.key(position + 1) == "data" else { return .fixed }
            return textSource ? .text : .binary
        case "input":
            // A tool_use block's arguments, as a JSON object: its string values are free text.
            return .text
        case "content":
            // A tool_result's content: a string, or blocks.
            if n == position + 1 { return .text }
            guard path.index(position + 1) != nil, let inner = path.key(position + 2) else { return .fixed }
            return anthropicBlockKind(inner, path, at: position + 2, textSource: textSource)
        default:
            return .fixed
        }
    }

    // MARK: JSON Schema

    /// A string inside a JSON schema that starts at `path[start]`: descriptions and titles of schemas
    /// are text; everything else (member names, enums, constants, defaults, patterns) is fixed.
    static func schemaKind(_ path: JSONPath, from start: Int) -> StringKind {
        enum State { case schema, schemaMap, schemaList, data }
        var state = State.schema
        var position = start
        while position < path.count - 1 {
            let component = path.components[position]
            switch (state, component) {
            case (.schema, .key(let name)):
                switch name {
                case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
                    state = .schemaMap
                case "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                    "additionalItems", "unevaluatedProperties", "unevaluatedItems":
                    state = .schema
                case "anyOf", "allOf", "oneOf", "prefixItems":
                    state = .schemaList
                default:
                    state = .data
                }
            case (.schema, .index):
                state = .schema  // `items` given as a list of schemas
            case (.schemaMap, .key):
                state = .schema
            case (.schemaList, .index):
                state = .schema
            default:
                state = .data
            }
            position += 1
        }
        guard state == .schema, let last = path.lastKey else { return .fixed }
        return last == "description" || last == "title" || last == "$comment" ? .text : .fixed
    }

    /// Whether `text` is a data URI. The scheme is case-insensitive (RFC 2397), and leading
    /// whitespace does not stop a client or provider reading one ("DATA:image/png…", " data:…").
    static func isDataURI(_ text: String) -> Bool {
        let bytes = text.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard bytes.count >= 5 else { return false }
        return zip(bytes.prefix(5), "data:".utf8).allSatisfy { byte, expected in (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == expected }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
