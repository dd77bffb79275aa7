/// Reads one streamed `chat.completion.chunk` without `Codable` when it has the everyday shape (text
/// deltas, finish reasons, token counts, scalar extra members), since the proxy reads one per token.
/// Anything else — tool calls, logprobs, nested extras, fractions, escapes it does not know, malformed
/// input — makes ``read(_:)`` return nil, and the caller decodes with `JSONDecoder` as before. When it
/// returns a chunk, it is the one `JSONDecoder` returns (tests compare them on generated events).
package enum ChunkReader {
    package static func read(_ text: String) -> ChatCompletionChunk? {
        var text = text
        return text.withUTF8 { bytes in
            var parser = Parser(bytes: bytes)
            guard let chunk = parser.chunk() else { return nil }
            parser.whitespace()
            return parser.index == bytes.count ? chunk : nil
        }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func whitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            whitespace()
            guard current == byte else { return false }
            index += 1
            return true
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = word.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            if matches { index += count }
            return matches
        }

        /// `null` (true) or not (false, nothing consumed).
        mutating func null() -> Bool {
            whitespace()
            return literal("null")
        }

        /// Members of an object: calls `member` with each key, after the colon; stops at `}`.
        mutating func object(_ member: (inout Parser, String) -> Bool) -> Bool {
            guard consume(UInt8(ascii: "{")) else { return false }
            var seen = Set<String>()
            if consume(UInt8(ascii: "}")) { return true }
            repeat {
                whitespace()
                guard let key = string(), seen.insert(key).inserted, consume(UInt8(ascii: ":")), member(&self, key) else { return false }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}"))
        }

        /// A string, read by ``FastJSON``'s reader (escapes, surrogate pairs, UTF-8 validation).
        mutating func string() -> String? {
            whitespace()
            var reader = FastJSON.Reader(bytes: bytes)
            reader.index = index
            guard let value = reader.string() else { return nil }
            index = reader.index
            return value
        }

        /// A JSON integer (no fraction or exponent: those go to `JSONDecoder`).
        mutating func integer() -> Int? {
            whitespace()
            let negative = current == UInt8(ascii: "-")
            if negative { index += 1 }
            let start = index
            var value = 0
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                value = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")), !(negative && value == 0) else { return nil }
            if let next = current, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
            return negative ? -value : value
        }

        mutating func chunk() -> ChatCompletionChunk? {
            var chunk = ChatCompletionChunk(id: "", created: 0, model: "", choices: [])
            let ok = object { p, key in
                switch key {
                case "id":
                    return p.optional {
                        chunk.id = $0
                    } read: {
                        $0.string()
                    }
                case "object":
                    return p.optional {
                        chunk.object = $0
                    } read: {
                        $0.string()
                    }
                case "model":
                    return p.optional {
                        chunk.model = $0
                    } read: {
                        $0.string()
                    }
                case "created":
                    return p.optional {
                        chunk.created = $0
                    } read: {
                        $0.integer()
                    }
                case "system_fingerprint":
                    return p.optional {
                        chunk.systemFingerprint = $0
                    } read: {
                        $0.string()
                    }
                case "choices":
                    if p.null() { return true }
                    guard p.consume(UInt8(ascii: "[")) else { return false }
                    if p.consume(UInt8(ascii: "]")) { return true }
                    repeat {
                        guard let choice = p.choice() else { return false }
                        chunk.choices.append(choice)
                    } while p.consume(UInt8(ascii: ","))
                    return p.consume(UInt8(ascii: "]"))
                case "usage":
                    if p.null() { return true }
                    guard let usage = p.usage() else { return false }
                    chunk.usage = usage
                    return true
                default:
                    // Scalar extras only (`service_tier`, `obfuscation`, …).
                    p.whitespace()
                    if p.null() {
                        chunk.extra[key] = .null
                        return true
                    }
                    if p.literal("true") {
                        chunk.extra[key] = .bool(true)
                        return true
                    }
                    if p.literal("false") {
                        chunk.extra[key] = .bool(false)
                        return true
                    }
                    if p.current == UInt8(ascii: "\"") {
                        guard let value = p.string() else { return false }
                        chunk.extra[key] = .string(value)
                        return true
                    }
                    guard let value = p.integer() else { return false }
                    chunk.extra[key] = .integer(Int64(value))
                    return true
                }
            }
            return ok ? chunk : nil
        }

        /// `null` leaves the field as it is (`decodeIfPresent`); otherwise `read` must succeed.
        mutating func optional<T>(_ assign: (T) -> Void, read: (inout Parser) -> T?) -> Bool {
            if null() { return true }
            guard let value = read(&self) else { return false }
            assign(value)
            return true
        }

        mutating func choice() -> ChunkChoice? {
            var index: Int?
            var delta: ChatDelta?
            var finishReason: String?
            let ok = object { p, key in
                switch key {
                case "index":
                    index = p.integer()
                    return index != nil
                case "delta":
                    delta = p.delta()
                    return delta != nil
                case "finish_reason":
                    return p.optional {
                        finishReason = $0
                    } read: {
                        $0.string()
                    }
                case "logprobs": return p.null()
                default: return false
                }
            }
            guard ok, let index, let delta else { return nil }
            return ChunkChoice(index: index, delta: delta, finishReason: finishReason)
        }

        mutating func delta() -> ChatDelta? {
            var delta = ChatDelta()
            let ok = object { p, key in
                switch key {
                case "role":
                    return p.optional {
                        delta.role = ChatRole(rawValue: $0)
                    } read: {
                        $0.string()
                    }
                case "content":
                    return p.optional {
                        delta.content = $0
                    } read: {
                        $0.string()
                    }
                case "refusal":
                    return p.optional {
                        delta.refusal = $0
                    } read: {
                        $0.string()
                    }
                case "tool_calls": return p.null()
                default: return false
                }
            }
            return ok ? delta : nil
        }

        mutating func usage() -> Usage? {
            var prompt: Int?
            var completion: Int?
            var total: Int?
            let ok = object { p, key in
                switch key {
                case "prompt_tokens":
                    return p.optional {
                        prompt = $0
                    } read: {
                        $0.integer()
                    }
                case "completion_tokens":
                    return p.optional {
                        completion = $0
                    } read: {
                        $0.integer()
                    }
                case "total_tokens":
                    return p.optional {
                        total = $0
                    } read: {
                        $0.integer()
                    }
                default: return false
                }
            }
            guard ok else { return nil }
            return Usage(promptTokens: prompt ?? 0, completionTokens: completion ?? 0, totalTokens: total)
        }
    }
}
