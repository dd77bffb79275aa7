import LumenCore
import Testing

@testable import LumenProviders

/// The OpenAI-compatible stream decoder reads each event once: chunks, error events and garbage.
@Suite struct StreamDecoderTests {
    func decoder() -> StreamDecoder { StreamDecoder(kind: .openAICompatible, model: "m", created: 1) }

    @Test func chunkEventsDecodeWithTheirFinishReason() throws {
        var decoder = decoder()
        let first = try decoder.decode(
            SSEEvent(data: #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#))
        #expect(first.map(\.contentText) == ["Hi"])
        let last = try decoder.decode(SSEEvent(data: #"{"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#))
        #expect(last.first?.choices.first?.finishReason != nil)
        #expect(try decoder.decode(SSEEvent(data: "[DONE]")).isEmpty)
        #expect(decoder.isComplete)
    }

    @Test func usageOnlyChunkIsAChunkNotAnError() throws {
        var decoder = decoder()
        let chunks = try decoder.decode(
            SSEEvent(data: #"{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#))
        #expect(chunks.first?.usage?.completionTokens == 2)
    }

    @Test func errorEventIsAStreamError() {
        var decoder = decoder()
        do {
            _ = try decoder.decode(SSEEvent(data: #"{"error":{"type":"server_error","message":"overloaded"}}"#))
            Issue.record("an error event must fail the stream")
        } catch let failure as AttemptFailure {
            guard case .streamError(let type) = failure.kind else {
                Issue.record("expected a stream error, got \(failure.kind)")
                return
            }
            #expect(type == "server_error")
            #expect(failure.message.contains("overloaded"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func nonJSONAndWrongShapesAreDecodingFailures() {
        for data in ["not json", #"{"choices":"nope"}"#] {
            var decoder = decoder()
            do {
                _ = try decoder.decode(SSEEvent(data: data))
                Issue.record("'\(data)' must fail")
            } catch let failure as AttemptFailure {
                guard case .decoding = failure.kind else {
                    Issue.record("expected a decoding failure for '\(data)', got \(failure.kind)")
                    return
                }
                #expect(failure.message.contains(data == "not json" ? "not JSON" : "unreadable"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
