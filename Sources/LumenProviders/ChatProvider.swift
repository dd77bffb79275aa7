package import Logging
package import LumenCore

/// A finished non-streaming remote completion.
package struct ProviderResult: Sendable {
    /// The answer in OpenAI form (Anthropic answers are translated). `model` is what the upstream reported.
    package var response: ChatCompletionResponse
    /// Bytes exchanged, attempts made, host contacted.
    package var egress: EgressStats
    /// Wall time from the first attempt to the end of the body.
    package var latency: Duration

    package init(response: ChatCompletionResponse, egress: EgressStats, latency: Duration) {
        self.response = response
        self.egress = egress
        self.latency = latency
    }
}

/// An event of a streamed remote completion.
package enum ProviderStreamEvent: Sendable {
    /// A chunk in OpenAI form. The provider always asks the upstream for usage, so the last chunk
    /// before `.finished` normally has empty `choices` and a `usage`; drop it if the client did not
    /// ask for `stream_options.include_usage`.
    case chunk(ChatCompletionChunk)
    /// The stream ended normally; the last event.
    case finished(EgressStats)
}

/// Something that answers chat completions at a remote target (OpenAI-compatible or Anthropic).
///
/// Errors are ``ProviderError``s. A streamed answer that fails after its first chunk throws
/// ``ProviderError/Kind/streamCut(afterChunks:)`` (or `.streamError`) from the stream.
package protocol ChatProvider: Sendable {
    /// Sends `request` (its `model` replaced by `target.model`) and returns the whole answer.
    func complete(_ request: ChatCompletionRequest, target: ProviderTarget, logger: Logger) async throws -> ProviderResult

    /// Sends `request` with `stream: true` and yields its chunks as they arrive; cancelling the
    /// consuming task cancels the upstream request.
    func stream(_ request: ChatCompletionRequest, target: ProviderTarget, logger: Logger) -> AsyncThrowingStream<ProviderStreamEvent, any Error>

    /// Sends an encoded body as it is (the router built and screened it), with `headers` besides the
    /// provider's own, and returns the whole answer.
    func complete(body: [UInt8], headers: [String: String], target: ProviderTarget, logger: Logger) async throws -> ProviderResult

    /// Sends an encoded streaming body as it is and yields its chunks as they arrive.
    func stream(
        body: [UInt8], headers: [String: String], target: ProviderTarget, logger: Logger
    ) -> AsyncThrowingStream<ProviderStreamEvent, any Error>
}
