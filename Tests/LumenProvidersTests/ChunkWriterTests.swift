import LumenCore
import Testing

/// `ChatCompletionChunk.wireJSON()` writes what `WireJSON.encode` writes, byte for byte.
@Suite struct ChunkWriterTests {
    static let pieces = [
        "Tell", " me", "", "\"quoted\"", "back\\slash", "line\nbreak", "tab\there", "\u{1}\u{1F}\u{7F}", "a/b</c>",
        "中文", "é", "👋🏽", "[EMAIL_1]", "\r\n", "\u{8}\u{C}", " ", "{\"json\":true}",
    ]

    static func text(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// Usage or none, its cost (if any) one of `costs`; outside everyday answers with an extra member.
    static func usage(_ rng: inout SplitMix64, everyday: Bool, costs: [Double]) -> Usage? {
        guard Bool.random(using: &rng) else { return nil }
        return Usage(
            promptTokens: Int.random(in: 0...100_000, using: &rng), completionTokens: Int.random(in: 0...10_000, using: &rng),
            cost: Bool.random(using: &rng) ? costs.randomElement(using: &rng)! : nil,
            extra: !everyday && Bool.random(using: &rng) ? ["prompt_tokens_details": ["cached_tokens": 3]] : [:]
        )
    }

    static func chunk(_ rng: inout SplitMix64, everyday: Bool) -> ChatCompletionChunk {
        let choices = (0..<Int.random(in: 0...2, using: &rng)).map { index in
            ChunkChoice(
                index: index,
                delta: ChatDelta(
                    role: Bool.random(using: &rng) ? ChatRole(rawValue: ["assistant", "tool", text(&rng)].randomElement(using: &rng)!) : nil,
                    content: Bool.random(using: &rng) ? text(&rng) : nil,
                    toolCalls: !everyday && Bool.random(using: &rng) ? [ToolCallDelta(index: 0, id: "call_1", type: "function", function: nil)] : nil,
                    refusal: Int.random(in: 0..<5, using: &rng) == 0 ? text(&rng) : nil
                ),
                finishReason: Bool.random(using: &rng) ? ["stop", "length", "tool_calls", text(&rng)].randomElement(using: &rng)! : nil,
                logprobs: !everyday && Bool.random(using: &rng) ? .null : nil
            )
        }
        let costs: [Double] = [0, 1, 0.5, 1e-7, 0.000123, 12.75, 3.0e-12, 1234567.25, Double(Int.random(in: 0...1_000_000, using: &rng)) / 1e9]
        let usage = Self.usage(&rng, everyday: everyday, costs: costs)
        return ChatCompletionChunk(
            id: "chatcmpl-" + text(&rng), object: Bool.random(using: &rng) ? "chat.completion.chunk" : text(&rng),
            created: Int.random(in: 0...2_000_000_000, using: &rng), model: text(&rng), choices: choices, usage: usage,
            systemFingerprint: Bool.random(using: &rng) ? "fp_" + text(&rng) : nil,
            extra: !everyday && Bool.random(using: &rng) ? ["service_tier": "default", "aaa": 1, "zzz": [1, 2]] : [:]
        )
    }

    @Test func everydayChunksMatchJSONEncoder() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<3_000 {
            let chunk = Self.chunk(&rng, everyday: true)
            let fast = try chunk.wireJSON()
            let reference = try WireJSON.encode(chunk)
            #expect(fast == reference, "\(String(decoding: fast, as: UTF8.self)) != \(String(decoding: reference, as: UTF8.self))")
            if fast != reference { return }
        }
    }

    @Test func unusualChunksStillMatch() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1_000 {
            let chunk = Self.chunk(&rng, everyday: false)
            #expect(try chunk.wireJSON() == WireJSON.encode(chunk))
        }
    }

    @Test func writtenChunksDecodeBack() throws {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<500 {
            let chunk = Self.chunk(&rng, everyday: true)
            #expect(try WireJSON.decode(ChatCompletionChunk.self, from: chunk.wireJSON()) == chunk)
        }
    }
}
