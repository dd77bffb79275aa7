import Foundation
import LumenCore
import LumenRouter
import NIOConcurrencyHelpers
import NIOCore

/// How one client API writes a streamed answer: each chunk of the conversation's answer as its SSE
/// events, its end, and its error event for a stream cut after it started.
protocol StreamEncoding: Sendable {
    mutating func encode(_ chunk: ChatCompletionChunk) throws -> [ByteBuffer]
    mutating func finish() -> [ByteBuffer]
    mutating func fail(_ error: RouterError) -> [ByteBuffer]
}

/// A named SSE event (`event: NAME` then `data: JSON`).
func namedEvent(_ name: String, _ data: JSONValue) -> ByteBuffer {
    var buffer = ByteBuffer(string: "event: \(name)\ndata: ")
    buffer.writeBytes((try? WireJSON.encode(data)) ?? Array("{}".utf8))
    buffer.writeString("\n\n")
    return buffer
}

/// Chat Completions: `data: CHUNK` events, then `data: [DONE]`.
struct ChatSSE: StreamEncoding {
    mutating func encode(_ chunk: ChatCompletionChunk) throws -> [ByteBuffer] {
        // A server tool's block or a citation from an Anthropic target: Chat Completions has no place for it.
        chunk.isAnthropicOnly ? [] : [Handler.sseEvent(try chunk.wireJSON())]
    }

    mutating func finish() -> [ByteBuffer] { [ByteBuffer(string: "data: [DONE]\n\n")] }

    mutating func fail(_ error: RouterError) -> [ByteBuffer] {
        [Handler.sseEvent((try? WireJSON.encode(Handler.errorBody(error))) ?? [])]
    }
}

/// Anthropic Messages: `message_start` … `message_stop`; an `error` event for a cut stream.
struct AnthropicSSE: StreamEncoding {
    var encoder: AnthropicInbound.StreamEncoder

    mutating func encode(_ chunk: ChatCompletionChunk) throws -> [ByteBuffer] {
        encoder.encode(chunk).map { namedEvent($0.name, $0.data) }
    }

    mutating func finish() -> [ByteBuffer] {
        encoder.finish(usage: nil).map { namedEvent($0.name, $0.data) }
    }

    mutating func fail(_ error: RouterError) -> [ByteBuffer] {
        [namedEvent("error", AnthropicInbound.error(status: error.status, message: error.message))]
    }
}

/// OpenAI Responses: `response.created` … `response.completed`; `error` and `response.failed` for a
/// cut stream. A completed answer goes into the response store, when there is one.
struct ResponsesSSE: StreamEncoding {
    var encoder: ResponsesInbound.StreamEncoder
    let store: ResponsesStore?
    let tenant: String
    let conversation: [ChatMessage]

    mutating func encode(_ chunk: ChatCompletionChunk) throws -> [ByteBuffer] {
        let events = encoder.encode(chunk)
        if encoder.finished { remember() }
        return events.map { namedEvent($0.name, $0.data) }
    }

    mutating func finish() -> [ByteBuffer] {
        let events = encoder.finish(usage: nil)
        if !events.isEmpty { remember() }
        return events.map { namedEvent($0.name, $0.data) }
    }

    mutating func fail(_ error: RouterError) -> [ByteBuffer] {
        encoder.failure(code: error.code, message: error.message).map { namedEvent($0.name, $0.data) }
    }

    func remember() {
        store?.store(id: encoder.id, tenant: tenant, conversation: conversation, answer: encoder.answer, object: encoder.completed)
    }
}

/// A bounded, in-memory store of Responses conversations for `previous_response_id`, and of the
/// response objects for `GET /v1/responses/{id}`: the last `capacity` responses, oldest dropped
/// first. Never written anywhere (nothing of it reaches the audit log).
final class ResponsesStore: Sendable {
    private struct State {
        /// Each response's conversation and object, with the tenant whose request it answered.
        var conversations: [String: (tenant: String, messages: [ChatMessage], object: JSONValue?)] = [:]
        var order: [String] = []
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Keeps the conversation a response answered for `tenant`, with its answer, under the response's id.
    func store(id: String, tenant: String, conversation: [ChatMessage], answer: ChatMessage?, object: JSONValue? = nil) {
        var messages = conversation
        if let answer { messages.append(answer) }
        state.withLockedValue { state in
            state.conversations[id] = (tenant, messages, object)
            state.order.append(id)
            while state.order.count > capacity {
                state.conversations[state.order.removeFirst()] = nil
            }
        }
    }

    /// The conversation up to and including response `id`'s answer, for the tenant it answered only:
    /// another tenant's `previous_response_id` finds nothing (it would carry that tenant's
    /// conversation into this one's request, and to wherever it is sent).
    func conversation(of id: String, tenant: String) -> [ChatMessage]? {
        state.withLockedValue { state in
            guard let stored = state.conversations[id], stored.tenant == tenant else { return nil }
            return stored.messages
        }
    }

    /// Response `id` as it was answered, for the tenant it answered only.
    func object(of id: String, tenant: String) -> JSONValue? {
        state.withLockedValue { state in
            guard let stored = state.conversations[id], stored.tenant == tenant else { return nil }
            return stored.object
        }
    }

    /// Forgets response `id` (its tenant's only); whether it was there.
    func delete(_ id: String, tenant: String) -> Bool {
        state.withLockedValue { state in
            guard let stored = state.conversations[id], stored.tenant == tenant else { return false }
            state.conversations[id] = nil
            state.order.removeAll { $0 == id }
            return true
        }
    }
}
