/// Compact JSON written straight into bytes, byte for byte what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` (``WireJSON``'s settings) writes, for the hot paths where `Codable` was the
/// largest cost: audit records (two per proxied request) and streamed chunks (one per token).
/// Callers write members in sorted order themselves; tests compare every user against `JSONEncoder`.
package struct JSONBytesWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// Where an object stands: no member written yet, or some.
    package struct Object {
        var first = true
        package init() {}

        /// An object whose `{` and first members are already in the bytes (see ``raw(contentsOf:)``):
        /// the next member follows a `,`.
        package static var continued: Object {
            var object = Object()
            object.first = false
            return object
        }
    }

    /// Opens the object on its first member; writes `"name":`.
    package mutating func key(_ name: StaticString, _ object: inout Object) {
        bytes.append(object.first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        object.first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    package mutating func close(_ object: Object) {
        if object.first { bytes.append(UInt8(ascii: "{")) }
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func array<T>(_ values: [T], _ element: (inout JSONBytesWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Dictionary members in `.sortedKeys` order.
    package mutating func dictionary<T>(_ values: [String: T], _ element: (inout JSONBytesWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in values.keys.sorted(by: Self.sortedKeysOrder).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            element(&self, values[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The order `JSONEncoder`'s `.sortedKeys` uses: by UTF-8 bytes.
    package static func sortedKeysOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// One structural byte (`[`, `,`, `:`, …), as is.
    package mutating func raw(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Bytes the caller has already made valid JSON (a prefix it frames itself), as they are.
    package mutating func raw(contentsOf bytes: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: bytes)
    }

    package mutating func null() {
        bytes.append(contentsOf: Self.nullBytes)
    }

    package mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    private static let nullBytes = Array("null".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    package mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Like `JSONEncoder`: the shortest round-trip form, without a trailing `.0`.
    package mutating func number(_ value: Double) {
        // `description` is ASCII: the `.0` is cut as bytes (not with String's grapheme-aware `hasSuffix`).
        var text = value.description
        text.withUTF8 { utf8 in
            var count = utf8.count
            if count >= 2, utf8[count - 2] == UInt8(ascii: "."), utf8[count - 1] == UInt8(ascii: "0") { count -= 2 }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[..<count]))
        }
    }

    /// A JSON string with `JSONEncoder`'s escapes (`.withoutEscapingSlashes`): `"`, `\`, and control
    /// characters; everything else as UTF-8.
    package mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: their UTF-8 goes in with one copy.
        var value = value
        let needsEscapes = value.withUTF8 { utf8 -> Bool in
            if utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return true }
            bytes.append(contentsOf: utf8)
            return false
        }
        if needsEscapes { escaped(value) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The inside of a JSON string, escaped byte by byte.
    private mutating func escaped(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0x08:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "b"))
            case 0x0C:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "f"))
            case 0x0A:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            case 0x0D:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "r"))
            case 0x09:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                bytes.append(contentsOf: Self.unicodeEscape)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
    }

    private static let unicodeEscape = Array("\\u00".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension ChatCompletionChunk {
    /// The chunk as ``WireJSON/encode(_:)`` would write it, without `Codable` when the chunk has the
    /// everyday shape (text deltas, finish reasons, usage, no extra members, tool calls or logprobs);
    /// other chunks go through `JSONEncoder`.
    package func wireJSON() throws -> [UInt8] {
        guard extra.isEmpty, usage?.extra.isEmpty ?? true,
            choices.allSatisfy({ $0.logprobs == nil && $0.delta.toolCalls == nil })
        else { return try WireJSON.encode(self) }
        var out = JSONBytesWriter(capacity: 256)
        var o = JSONBytesWriter.Object()
        out.key("choices", &o)
        out.array(choices) { out, choice in
            var c = JSONBytesWriter.Object()
            out.key("delta", &c)
            var d = JSONBytesWriter.Object()
            if let content = choice.delta.content {
                out.key("content", &d)
                out.string(content)
            }
            if let refusal = choice.delta.refusal {
                out.key("refusal", &d)
                out.string(refusal)
            }
            if let role = choice.delta.role {
                out.key("role", &d)
                out.string(role.rawValue)
            }
            out.close(d)
            out.key("finish_reason", &c)
            if let reason = choice.finishReason { out.string(reason) } else { out.null() }
            out.key("index", &c)
            out.number(choice.index)
            out.close(c)
        }
        out.closeAnswer(o, created: created, id: id, model: model, object: object, systemFingerprint: systemFingerprint, usage: usage)
        return out.bytes
    }
}

extension JSONBytesWriter {
    /// The members a chat answer and a stream chunk end with, after `choices` (`created`, `id`,
    /// `model`, `object`, `system_fingerprint`, `usage`: sorted order), then the object's close.
    mutating func closeAnswer(
        _ o: Object, created: Int, id: String, model: String, object: String, systemFingerprint: String?, usage: Usage?
    ) {
        var o = o
        key("created", &o)
        number(created)
        key("id", &o)
        string(id)
        key("model", &o)
        string(model)
        key("object", &o)
        string(object)
        if let systemFingerprint {
            key("system_fingerprint", &o)
            string(systemFingerprint)
        }
        if let usage {
            key("usage", &o)
            var u = JSONBytesWriter.Object()
            key("completion_tokens", &u)
            number(usage.completionTokens)
            if let cost = usage.cost {
                key("cost", &u)
                number(cost)
            }
            key("prompt_tokens", &u)
            number(usage.promptTokens)
            key("total_tokens", &u)
            number(usage.totalTokens)
            close(u)
        }
        close(o)
    }
}
