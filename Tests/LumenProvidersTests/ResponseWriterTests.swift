import Foundation
import LumenCore
import Testing

/// `ChatCompletionResponse.everydayWireJSON()` writes what the `JSONValue` path (`FastJSON` over
/// `wireValue`) and `JSONEncoder` write, byte for byte, and declines every answer it does not cover.
@Suite struct ResponseWriterTests {
    static func response(_ rng: inout SplitMix64, everyday: Bool) -> ChatCompletionResponse {
        let choices = (0..<Int.random(in: 0...3, using: &rng)).map { index in
            let content: MessageContent? =
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: nil
                case 1 where !everyday: .parts([ContentPart(type: "text", text: ChunkWriterTests.text(&rng))])
                default: .text(ChunkWriterTests.text(&rng))
                }
            var message = ChatMessage(
                role: ChatRole(rawValue: ["assistant", "tool", ChunkWriterTests.text(&rng)].randomElement(using: &rng)!), content: content)
            if !everyday {
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: message.name = "n"
                case 1: message.toolCalls = [ToolCall(id: "call_1", type: "function", function: FunctionCall(name: "f", arguments: "{}"))]
                case 2: message.toolCallId = "call_1"
                case 3: message.extra = ["annotations": []]
                default: break
                }
            }
            return ChatChoice(
                index: index, message: message,
                finishReason: Bool.random(using: &rng) ? ["stop", "length", ChunkWriterTests.text(&rng)].randomElement(using: &rng)! : nil,
                logprobs: !everyday && Bool.random(using: &rng) ? .null : nil
            )
        }
        let costs: [Double] = [0, 1, 0.5, 1e-7, 1.3799999999999998e-05, 12.75, 3.0e-12, 1234567.25, 1e21]
        let usage = ChunkWriterTests.usage(&rng, everyday: everyday, costs: costs)
        return ChatCompletionResponse(
            id: "chatcmpl-" + ChunkWriterTests.text(&rng), object: Bool.random(using: &rng) ? "chat.completion" : ChunkWriterTests.text(&rng),
            created: Int.random(in: 0...2_000_000_000, using: &rng), model: ChunkWriterTests.text(&rng), choices: choices, usage: usage,
            systemFingerprint: Bool.random(using: &rng) ? "fp_" + ChunkWriterTests.text(&rng) : nil,
            extra: !everyday && Bool.random(using: &rng) ? ["service_tier": "default"] : [:]
        )
    }

    @Test func everydayAnswersMatchTheJSONValuePathAndJSONEncoder() throws {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<3_000 {
            let response = Self.response(&rng, everyday: true)
            let fast = try #require(response.everydayWireJSON())
            let tree = try #require(FastJSON.encode(response.wireValue))
            #expect(fast == tree, "\(String(decoding: fast, as: UTF8.self)) != \(String(decoding: tree, as: UTF8.self))")
            #expect(fast == (try FastJSONTests.foundationEncode(response)))
            if fast != tree { return }
        }
    }

    @Test func otherAnswersAreDeclinedOrStillMatch() throws {
        var rng = SplitMix64(seed: 77)
        var declined = 0
        for _ in 0..<1_000 {
            let response = Self.response(&rng, everyday: false)
            if let fast = response.everydayWireJSON() {
                #expect(fast == FastJSON.encode(response.wireValue))
            } else {
                declined += 1
            }
            #expect(try WireJSON.encode(response) == FastJSONTests.foundationEncode(response))
        }
        #expect(declined > 0)
    }

    @Test func aNonFiniteCostIsLeftToTheEncoder() {
        var response = ChatCompletionResponse(
            id: "x", created: 1, model: "m", choices: [ChatChoice(message: ChatMessage(role: "assistant", text: "hi"), finishReason: "stop")],
            usage: nil)
        response.usage = Usage(promptTokens: 1, completionTokens: 1, cost: .infinity)
        #expect(response.everydayWireJSON() == nil)
    }
}
