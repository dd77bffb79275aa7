import Foundation
import LumenCore
import Testing

/// `ChunkReader.read` returns what `JSONDecoder` returns, or nil (and `JSONDecoder` takes over).
@Suite struct ChunkReaderTests {
    static func decoded(_ text: String) -> ChatCompletionChunk? {
        try? WireJSON.decode(ChatCompletionChunk.self, from: text)
    }

    /// Everyday chunks (no cost: fractions go to `JSONDecoder`), as `JSONEncoder` writes them.
    static func everyday(_ rng: inout SplitMix64) -> ChatCompletionChunk {
        var chunk = ChunkWriterTests.chunk(&rng, everyday: true)
        chunk.usage?.cost = nil
        return chunk
    }

    @Test func readsWhatJSONEncoderWrote() throws {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let chunk = Self.everyday(&rng)
            let text = try WireJSON.encodeString(chunk)
            let fast = ChunkReader.read(text)
            #expect(fast != nil, "fell back on \(text)")
            #expect(fast == Self.decoded(text), "\(text)")
        }
    }

    /// The same chunks written the way other servers write them: any key order, white space, explicit
    /// nulls, `\/` and `\u` escapes (surrogate pairs included), scalar extra members.
    static func variant(_ chunk: ChatCompletionChunk, _ rng: inout SplitMix64) -> String {
        func ws() -> String { ["", "", " ", "\n", "\t ", "\r\n  "].randomElement(using: &rng)! }
        func str(_ s: String) -> String { FastJSONTests.escaped(s, &rng) }
        func object(_ members: [(String, String)]) -> String {
            "{" + ws() + members.shuffled(using: &rng).map { str($0.0) + ws() + ":" + ws() + $0.1 }.joined(separator: ws() + "," + ws()) + ws() + "}"
        }
        func optional(_ s: String?) -> String? { s.map(str) ?? (Bool.random(using: &rng) ? "null" : nil) }
        let choices = chunk.choices.map { choice -> String in
            var delta: [(String, String)] = []
            if let v = optional(choice.delta.role?.rawValue) { delta.append(("role", v)) }
            if let v = optional(choice.delta.content) { delta.append(("content", v)) }
            if let v = optional(choice.delta.refusal) { delta.append(("refusal", v)) }
            var members: [(String, String)] = [("index", String(choice.index)), ("delta", object(delta))]
            if let v = optional(choice.finishReason) { members.append(("finish_reason", v)) }
            if Bool.random(using: &rng) { members.append(("logprobs", "null")) }
            return object(members)
        }
        var members: [(String, String)] = [
            ("id", str(chunk.id)), ("object", str(chunk.object)), ("created", String(chunk.created)), ("model", str(chunk.model)),
            ("choices", "[" + ws() + choices.joined(separator: "," + ws()) + ws() + "]"),
        ]
        if let v = optional(chunk.systemFingerprint) { members.append(("system_fingerprint", v)) }
        if let usage = chunk.usage {
            members.append(
                (
                    "usage",
                    object([
                        ("prompt_tokens", String(usage.promptTokens)), ("completion_tokens", String(usage.completionTokens)),
                        ("total_tokens", String(usage.totalTokens)),
                    ])
                ))
        } else if Bool.random(using: &rng) {
            members.append(("usage", "null"))
        }
        if Bool.random(using: &rng) { members.append(("service_tier", str("default"))) }
        if Bool.random(using: &rng) { members.append(("obfuscation", str("aB3x"))) }
        if Bool.random(using: &rng) { members.append(("n", String(Int.random(in: -5...5, using: &rng)))) }
        if Bool.random(using: &rng) { members.append(("flag", Bool.random(using: &rng) ? "true" : "false")) }
        return ws() + object(members) + ws()
    }

    @Test func readsOtherServersSpelling() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<2_000 {
            let text = Self.variant(Self.everyday(&rng), &rng)
            let fast = ChunkReader.read(text)
            #expect(fast != nil, "fell back on \(text)")
            #expect(fast == Self.decoded(text), "\(text)")
        }
    }

    @Test func everyPrefixOfAChunkIsRefused() throws {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<50 {
            let text = Self.variant(Self.everyday(&rng), &rng)
            let bytes = Array(text.utf8)
            for end in 0..<bytes.count where String(validating: bytes[..<end], as: UTF8.self) != nil {
                let prefix = String(decoding: bytes[..<end], as: UTF8.self)
                guard Self.decoded(prefix) == nil else { continue }  // a prefix that is whole JSON (trailing white space cut)
                #expect(ChunkReader.read(prefix) == nil, "\(prefix)")
            }
        }
    }

    @Test func unusualShapesFallBack() {
        let texts = [
            #"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t"}]}}]}"#,
            #"{"id":"c","choices":[{"index":0,"delta":{},"logprobs":{"content":[]}}]}"#,
            #"{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.5}}"#,
            #"{"id":"c","choices":[],"usage":{"prompt_tokens":1,"prompt_tokens_details":{"cached_tokens":0}}}"#,
            #"{"error":{"message":"boom","type":"server_error"}}"#,
            #"{"id":"c","created":1.5,"choices":[]}"#,
            #"{"id":"c","id":"d","choices":[]}"#,
            #"{"id":"c","choices":[{"delta":{}}]}"#,
            #"{"id":"c","extra":[1,2]}"#,
            #"{"id":"\ud800"}"#,
            #"{"id":"a\qb"}"#,
            #"{"id":"c"} x"#,
            "[1]",
        ]
        for text in texts {
            #expect(ChunkReader.read(text) == nil, "\(text)")
        }
    }
}
