import Foundation

/// JSON encoding and decoding of the wire types with Lumen's settings (sorted keys, unescaped slashes),
/// on plain byte arrays so callers need not import Foundation.
package enum WireJSON {
    /// Encodes `value` as compact JSON.
    package static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let fast = fastEncode(value) { return fast }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Encodes `value` as indented JSON with sorted keys, for people to read.
    package static func encodePretty<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Encodes `value` as a compact JSON string.
    package static func encodeString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// Decodes a `T` from JSON bytes.
    package static func decode<T: Decodable, Bytes: Sequence>(_ type: T.Type, from bytes: Bytes) throws -> T
    where Bytes.Element == UInt8 {
        if let fast = fastDecode(type, from: bytes) { return fast }
        return try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Decodes a `T` from a JSON string.
    package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        if let fast = fastDecode(type, from: text.utf8) { return fast }
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The hot types without `Codable` (``FastJSON``, ``ChatCompletionRequest/init(wire:)``, …): the
    /// value `JSONDecoder` would return, or nil to let `JSONDecoder` decode (and report any error).
    package static func fastDecode<T, Bytes: Sequence>(_ type: T.Type, from bytes: Bytes) -> T? where Bytes.Element == UInt8 {
        let parse: () -> JSONValue? = {
            bytes.withContiguousStorageIfAvailable { FastJSON.parse(buffer: $0) } ?? FastJSON.parse(Array(bytes))
        }
        if type == JSONValue.self { return parse() as? T }
        if type == ChatCompletionRequest.self { return parse().flatMap(ChatCompletionRequest.init(wire:)) as? T }
        if type == ChatCompletionResponse.self { return parse().flatMap(ChatCompletionResponse.init(wire:)) as? T }
        return nil
    }

    /// What `encode` writes for the hot types, without `JSONEncoder`; nil for other types (and for
    /// values `JSONEncoder` refuses, such as a non-finite double).
    static func fastEncode<T>(_ value: T) -> [UInt8]? {
        if let json = value as? JSONValue { return FastJSON.encode(json) }
        if let response = value as? ChatCompletionResponse { return response.everydayWireJSON() ?? FastJSON.encode(response.wireValue) }
        return nil
    }

    /// A one-line description of a decoding failure that names the JSON path (`messages[2].content`);
    /// bytes that are not JSON at all are "malformed JSON". Every inbound API and `lumen route
    /// --request` say it this way.
    package static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return out.isEmpty ? "body" : out
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): missing \(type) value"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required field is missing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "malformed JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
