import Foundation
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRedaction

/// Small helpers over the OpenAI wire types used by the router.
enum Wire {
    static func text(of message: ChatMessage) -> String { message.text }

    static func role(of message: ChatMessage) -> String { message.role.rawValue }

    /// Request metadata as strings (non-string values as compact JSON), for policy conditions.
    static func metadata(of request: ChatCompletionRequest) -> [String: String] {
        guard let object = request.metadata?.objectValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let s): result[key] = s
            case .integer(let i): result[key] = String(i)
            case .double(let d): result[key] = String(d)
            case .bool(let b): result[key] = String(b)
            case .null: continue
            default: result[key] = (try? WireJSON.encodeString(value)) ?? ""
            }
        }
        return result
    }

    static func includeUsage(_ request: ChatCompletionRequest) -> Bool {
        request.streamOptions?.includeUsage == true
    }

    /// Top-level members of `request` that a body in `format` does not carry.
    static func unsentFields(of request: ChatCompletionRequest, format: WireFormat, model: String) -> [String] {
        switch format {
        case .openAIChat:
            (request.extra.keys.filter { !OpenAIChatWire.documentedFields.contains($0) }
                + OpenAIChatWire.refusedMembers(of: request, model: model)).sorted()
        case .anthropicMessages: AnthropicTranslation.unsentFields(of: request)
        }
    }

    /// The tokens of a whole answer: the backend's usage, or (missing or implausible) Lumen's estimates:
    /// the classifier's count of the input and the same estimate over the answer's text, tool-call
    /// arguments and thinking (`estimatedTokens(of:)`).
    static func usage(of response: ChatCompletionResponse, estimatedInput: Int) -> (prompt: Int, completion: Int) {
        // The answer is tallied only when the estimate is needed.
        tokens(response.usage, fallbackPrompt: estimatedInput, fallbackCompletion: estimatedTokens(of: response))
    }

    /// The estimated tokens of an answer's text, tool-call arguments and thinking, when the backend did not count them.
    static func estimatedTokens(of response: ChatCompletionResponse) -> Int {
        var tally = TokenTally()
        for choice in response.choices {
            tally.add(choice.message.text)
            for call in choice.message.toolCalls ?? [] { tally.add(call.function.arguments) }
            for block in choice.message.reasoning ?? [] { tally.add(block.thinking ?? "") }
        }
        return tally.tokens
    }

    /// The answer's usage as Lumen counted and priced it (the backend's own extra members kept).
    static func setUsage(_ response: inout ChatCompletionResponse, _ counted: (prompt: Int, completion: Int), cost: Double) {
        var usage = response.usage ?? Usage(promptTokens: 0, completionTokens: 0)
        if usage.promptTokens != counted.prompt || usage.completionTokens != counted.completion {
            // Lumen's estimate instead of the backend's counts: its cache counts no longer add up.
            var extra = usage.extra
            if !isOwn(usage, counted) {
                for key in Usage.cacheMemberNames { extra[key] = nil }
            }
            usage = Usage(promptTokens: counted.prompt, completionTokens: counted.completion, extra: extra)
        }
        usage.cost = cost
        response.usage = usage
    }

    /// Token counts from a backend's usage, or the fallbacks when it sent none or counts no request can
    /// have (negative, or beyond `plausibleTokens`): an upstream's numbers become cost, budget spend
    /// and audit totals, and a broken or hostile one must not make them negative or overflow them.
    static func tokens(_ usage: Usage?, fallbackPrompt: Int, fallbackCompletion: @autoclosure () -> Int) -> (prompt: Int, completion: Int) {
        guard let usage, (0...plausibleTokens).contains(usage.promptTokens), (0...plausibleTokens).contains(usage.completionTokens) else {
            return (fallbackPrompt, fallbackCompletion())
        }
        return (usage.promptTokens, usage.completionTokens)
    }

    /// More tokens than any request or answer has (context windows are ten million at most today).
    static let plausibleTokens = 1_000_000_000

    /// A stream's final usage: the counts and cost, with the backend's other members (prompt-cache
    /// counts, token details) when the counts are its own.
    static func makeUsage(_ counted: (prompt: Int, completion: Int), cost: Double, from usage: Usage?) -> Usage {
        let extra = usage.flatMap { isOwn($0, counted) ? $0.extra : nil }
        return Usage(promptTokens: counted.prompt, completionTokens: counted.completion, cost: cost, extra: extra ?? [:])
    }

    /// What an answer costs on `target`: its counted tokens, the prompt cache's reads and writes
    /// priced apart when the counts are the backend's own (a cache read costs a tenth of an input
    /// token at Anthropic, a write a quarter more).
    static func cost(_ counted: (prompt: Int, completion: Int), usage: Usage?, searchesIfUncounted: Int = 0, on target: PolicyTarget) -> Double {
        // Web searches the provider ran are billed per call, whatever the token counts: its own count
        // (a call past `max_uses` begins but is not run or billed), else those a stream cut before
        // the count was seen to begin.
        let searches = PolicyTarget.Price.searchCost(usage.map(\.webSearchRequests) ?? searchesIfUncounted, perThousand: target.webSearchPrice)
        guard let cache = cacheCounts(counted, usage: usage) else {
            return target.estimatedCost(inputTokens: counted.prompt, outputTokens: counted.completion) + searches
        }
        return target.cost(
            inputTokens: counted.prompt, outputTokens: counted.completion, cacheReadTokens: cache.read, cacheWriteTokens: cache.write) + searches
    }

    /// Whether the counts are the backend's own (not Lumen's estimate): only then do its other
    /// members (the prompt cache's counts, token details) still add up.
    static func isOwn(_ usage: Usage, _ counted: (prompt: Int, completion: Int)) -> Bool { usage.promptTokens == counted.prompt }

    /// The prompt cache's reads and writes of an answer, when its counts are the backend's own and
    /// it used the cache (nil otherwise): what the cost and the audit record take apart.
    static func cacheCounts(_ counted: (prompt: Int, completion: Int), usage: Usage?) -> (read: Int, write: Int)? {
        guard let usage, isOwn(usage, counted) else { return nil }
        let read = usage.cacheReadTokens
        let write = usage.cacheWriteTokens
        return read > 0 || write > 0 ? (read, write) : nil
    }

    // MARK: - Restoration

    /// Restores placeholders in a whole answer: message content and tool-call arguments (JSON-aware).
    static func restore(_ response: inout ChatCompletionResponse, session: RedactionSession) -> RestorationStats {
        var stats = RestorationStats()
        for c in response.choices.indices {
            var message = response.choices[c].message
            if let content = message.content {
                let segments = content.textSegments.map { segment -> String in
                    let restored = session.restore(segment, format: .text)
                    stats.merge(restored.stats)
                    return restored.text
                }
                message = message.replacingTextSegments(segments) ?? message.replacingText(segments.joined(separator: "\n"))
            }
            if let blocks = message.anthropicContent {
                // The same text, block by block, for an Anthropic client (counted once, above), and a
                // server tool's input (a web search's query).
                message.anthropicContent = blocks.map { block in
                    let restored = restoreBlock(block, session: session)
                    stats.merge(restored.stats)
                    return restored.block
                }
            }
            if let calls = message.toolCalls {
                message.toolCalls = calls.map { call in
                    var call = call
                    let restored = session.restore(call.function.arguments, format: .jsonArguments)
                    stats.merge(restored.stats)
                    call.function.arguments = restored.text
                    return call
                }
            }
            response.choices[c].message = message
        }
        return stats
    }

    /// An Anthropic block with its placeholders restored: a text block's text (its counts are the
    /// message content's, not returned again), a server tool's input (counted).
    static func restoreBlock(_ block: JSONValue, session: RedactionSession) -> (block: JSONValue, stats: RestorationStats) {
        guard var object = block.objectValue else { return (block, RestorationStats()) }
        var stats = RestorationStats()
        switch block["type"]?.stringValue {
        case "text":
            guard let text = block["text"]?.stringValue else { return (block, stats) }
            object["text"] = .string(session.restore(text, format: .text).text)
        case "server_tool_use":
            guard let input = block["input"], let json = try? WireJSON.encodeString(input) else { return (block, stats) }
            let restored = session.restore(json, format: .jsonArguments)
            guard let value = try? WireJSON.decode(JSONValue.self, from: restored.text) else { return (block, stats) }
            object["input"] = value
            stats = restored.stats
        default:
            return (block, stats)
        }
        return (.object(object), stats)
    }

    // MARK: - Chunks

    static func hasContent(_ chunk: ChatCompletionChunk) -> Bool {
        chunk.choices.contains { !($0.delta.content ?? "").isEmpty || !($0.delta.toolCalls ?? []).isEmpty || $0.delta.reasoning != nil }
    }

    static func deltaText(_ choice: ChunkChoice) -> String? { choice.delta.content }

    static func setDeltaText(_ choice: inout ChunkChoice, _ text: String) { choice.delta.content = text }

    /// (position in the delta's tool_calls array keyed by the tool call's index, arguments fragment).
    static func deltaToolArguments(_ choice: ChunkChoice) -> [(Int, String)] {
        (choice.delta.toolCalls ?? []).compactMap { call in
            call.function?.arguments.map { (call.index, $0) }
        }
    }

    static func setDeltaToolArguments(_ choice: inout ChunkChoice, position: Int, _ text: String) {
        guard let i = choice.delta.toolCalls?.firstIndex(where: { $0.index == position }) else { return }
        choice.delta.toolCalls?[i].function?.arguments = text
    }

    static func finishReason(_ choice: ChunkChoice) -> String? { choice.finishReason }

    static func flushChunk(template: ChatCompletionChunk, choiceIndex: Int, text: String, toolArguments: [(Int, String)]) -> ChatCompletionChunk {
        var chunk = template
        chunk.usage = nil
        let calls = toolArguments.map { ToolCallDelta(index: $0.0, function: .init(arguments: $0.1)) }
        chunk.choices = [
            ChunkChoice(index: choiceIndex, delta: ChatDelta(content: text.isEmpty ? nil : text, toolCalls: calls.isEmpty ? nil : calls))
        ]
        return chunk
    }

    static func usageChunk(template: ChatCompletionChunk, usage: Usage) -> ChatCompletionChunk {
        var chunk = template
        chunk.choices = []
        chunk.usage = usage
        return chunk
    }
}
