import Foundation
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRedaction

extension Router {
    /// Streams: candidates are tried in order until one produces its first chunk (fallback is
    /// possible until then); after that the route is committed and a failure ends the stream with
    /// an error (the server writes it as an SSE error event). Cost is computed at the end of the
    /// stream from the upstream's usage (always requested) or the local runtime's counts.
    ///
    /// Everything runs in the caller's task: the route is chosen here, and the returned stream is
    /// pulled by the server's response writer, so a chunk goes from the backend to the client
    /// without a thread hop through a task of the router's own.
    func runStream(
        _ screened: ScreenedRequest, caller: Caller, plan: Plan, trail: AuditTrail, started: ContinuousClock.Instant,
        estimatedInput: Int
    ) async throws(RouterError) -> RouterResult {
        var trail = trail
        var fallbacks: [FallbackEvent] = []
        var lastError: BackendError?
        var unable: RouterError?
        var lastTarget = plan.candidates.first ?? "none"
        let clientWantsUsage = Wire.includeUsage(screened.request)

        for (index, name) in plan.candidates.enumerated() {
            let next = index + 1 < plan.candidates.count ? plan.candidates[index + 1] : "none"
            let attempt: Attempt
            switch try await prepare(name, isPrimary: index == 0, screened: screened, stream: true, plan: plan, trail: trail) {
            case .skip(let why):
                fallBack(&fallbacks, from: name, to: next, reason: why)
                continue
            case .unable(let refusal):
                passOver(refusal, from: name, to: next, unable: &unable, fallbacks: &fallbacks)
                continue
            case .ready(let a): attempt = a
            }
            lastTarget = name
            var iterator: AsyncThrowingStream<BackendStreamEvent, any Error>.AsyncIterator
            let first: BackendStreamEvent?
            trail.sending(attempt)
            do {
                let events = try await attempt.backend.stream(attempt.request, body: attempt.body)
                iterator = events.makeAsyncIterator()
                // A local stream's first token can wait for a slot, a remote one for the provider: a
                // client that leaves meanwhile frees its place in the queue, or closes the remote request, at once.
                var waiting = iterator
                first = try await whileClientWaits(for: attempt, presence: caller.presence) { try await waiting.next() }
                iterator = waiting
            } catch {
                let backendError = BackendError.from(error)
                report(backendError, from: attempt)
                trail.failed(attempt, backendError)
                if backendError.kind == .cancelled {
                    // Nobody is waiting for a fallback's answer.
                    if !backendError.isBeforeStart { trail.clientLeft(attempt, estimatedInput: estimatedInput) }
                    lastError = backendError
                    break
                }
                if backendError.isCapability && next != "none" {
                    // Found as it started: the fallbacks are tried, and this refusal is the answer if none of them is.
                    let refused = refusal(backendError, target: name, plan: plan, caller: caller, fallbacks: fallbacks, trail: trail)
                    passOver(refused, from: name, to: next, unable: &unable, fallbacks: &fallbacks)
                    continue
                }
                if backendError.kind == .invalid {
                    throw refusal(backendError, target: name, plan: plan, caller: caller, fallbacks: fallbacks, trail: trail)
                }
                lastError = backendError
                fallBack(&fallbacks, from: name, to: next, reason: backendError.description)
                continue
            }
            guard let firstEvent = first else {
                report(BackendError(.failure, "empty stream"), from: attempt)
                lastError = BackendError(.failure, "empty stream")
                fallBack(&fallbacks, from: name, to: next, reason: "empty stream")
                continue
            }

            // Committed to this target.
            if attempt.backend.route == .remote { breakers.succeeded(name) }
            let estimate = attempt.target.estimatedCost(inputTokens: estimatedInput, outputTokens: configuration.assumedOutputTokens)
            let info = routeInfo(attempt, plan: plan, caller: caller, cost: estimate, fallbacks: fallbacks, sentTo: trail.attemptedEgress?.host)
            let cursor = CommittedStream(
                router: self, attempt: attempt, iterator: iterator, first: firstEvent, info: info, trail: trail,
                fallbacks: fallbacks, started: started, estimatedInput: estimatedInput, clientWantsUsage: clientWantsUsage
            )
            return .stream(info, AsyncThrowingStream { try await cursor.next() })
        }
        throw await failure(
            lastError, unable: unable, lastTarget: lastTarget, plan: plan, caller: caller, fallbacks: fallbacks, trail: &trail, started: started)
    }
}

/// A stream committed to one target, pulled chunk by chunk by the client's response writer:
/// restores placeholders, costs the answer at its end and writes the completion record. A client
/// that goes away (the stream is dropped unfinished) still gets its completion record, as cancelled.
final class CommittedStream: @unchecked Sendable {
    // Safe: the mutable state is touched only by `next()`, which `AsyncThrowingStream(unfolding:)`
    // calls for one element at a time (one consumer, awaiting each call), and by `deinit`, which
    // runs after the last call.
    private let router: Router
    private let attempt: Router.Attempt
    private var iterator: AsyncThrowingStream<BackendStreamEvent, any Error>.AsyncIterator
    private var pendingEvent: BackendStreamEvent?
    private let info: RouteInfo
    private let trail: AuditTrail
    private let fallbacks: [FallbackEvent]
    private let started: ContinuousClock.Instant
    private let estimatedInput: Int
    private var pump: StreamPump
    private var out: [ChatCompletionChunk] = []
    private var outIndex = 0
    private var firstTokenAt: Duration?
    private var usage: Usage?
    private var sent = 0
    private var received = 0
    private var finished = false

    init(
        router: Router, attempt: Router.Attempt, iterator: AsyncThrowingStream<BackendStreamEvent, any Error>.AsyncIterator,
        first: BackendStreamEvent, info: RouteInfo, trail: AuditTrail, fallbacks: [FallbackEvent], started: ContinuousClock.Instant,
        estimatedInput: Int, clientWantsUsage: Bool
    ) {
        self.router = router
        self.attempt = attempt
        self.iterator = iterator
        self.pendingEvent = first
        self.info = info
        self.trail = trail
        self.fallbacks = fallbacks
        self.started = started
        self.estimatedInput = estimatedInput
        self.pump = StreamPump(session: attempt.redaction, clientWantsUsage: clientWantsUsage)
        // The body left before the first chunk came: until the upstream's own count (at the end),
        // that is what was sent, also for a stream cut or cancelled before then.
        self.sent = attempt.body?.bytes.count ?? 0
    }

    deinit {
        guard !finished else { return }
        // The client stopped reading: close the record as cancelled (the upstream stream is dropped with us).
        let closing = close(streamError: (499, "client_cancelled"))
        Task { await closing.write() }
    }

    func next() async throws -> ChatCompletionChunk? {
        while true {
            if outIndex < out.count {
                outIndex += 1
                return out[outIndex - 1]
            }
            out.removeAll(keepingCapacity: true)
            outIndex = 0
            if finished { return nil }
            let event: BackendStreamEvent?
            if let pending = pendingEvent {
                event = pending
                pendingEvent = nil
            } else {
                do {
                    event = try await iterator.next()
                    if event == nil { try Task.checkCancellation() }
                } catch {
                    throw await end(with: error)
                }
            }
            guard let event else {
                await endNormally()
                continue
            }
            switch event {
            case .chunk(let chunk):
                if firstTokenAt == nil, Wire.hasContent(chunk) { firstTokenAt = started.duration(to: .now) }
                if let u = chunk.usage { usage = u }
                out = pump.process(chunk)
            case .end(let u, let s, let r):
                if let u { usage = u }
                sent = s
                received = r
            }
        }
    }

    /// What is written and counted when the stream ends: the completion record, costed from the
    /// upstream's usage (or the emitted text), and the route's metrics.
    struct Closing: Sendable {
        let router: Router
        let trail: AuditTrail
        let info: RouteInfo
        let status: Int
        let counted: (prompt: Int, completion: Int)
        let cost: Double
        let sent: Int
        let received: Int

        func write() async {
            await router.writeCompletion(trail)
            router.record(info: info, status: status, usage: counted, cost: cost, sent: sent, received: received)
        }
    }

    private func costed() -> (counted: (prompt: Int, completion: Int), cost: Double) {
        let counted = Wire.tokens(usage, fallbackPrompt: estimatedInput, fallbackCompletion: pump.generated.tokens)
        return (counted, Wire.cost(counted, usage: usage, searchesIfUncounted: pump.searchesStarted, on: attempt.target))
    }

    /// Ends the stream. `costs` defaults to the cost as of now; the record takes the restoration
    /// counts as of now (so flush the restorers first).
    private func close(streamError: (status: Int, code: String)?, costs: (counted: (prompt: Int, completion: Int), cost: Double)? = nil) -> Closing {
        finished = true
        let (counted, cost) = costs ?? costed()
        var trail = self.trail
        trail.complete(
            attempt: attempt, status: 200, error: nil, usage: counted, reported: usage, searchesIfUncounted: pump.searchesStarted, cost: cost,
            fallbacks: fallbacks,
            bytesSent: sent, bytesReceived: received, restoration: pump.restoration,
            firstToken: firstTokenAt, total: started.duration(to: .now)
        )
        if let streamError { trail.markStreamError(status: streamError.status, error: streamError.code) }
        var finalInfo = info
        finalInfo.costUSD = cost
        return Closing(
            router: router, trail: trail, info: finalInfo,
            // The metrics count what the record says (499 for a client that left, 504 for a timeout).
            status: streamError?.status ?? 200, counted: counted, cost: cost, sent: sent, received: received
        )
    }

    private func endNormally() async {
        let costs = costed()
        out = pump.finish(usage: Wire.makeUsage(costs.counted, cost: costs.cost, from: usage), template: pump.lastChunk)
        outIndex = 0
        await close(streamError: nil, costs: costs).write()
    }

    /// A failure after the first chunk: the record says so and the client gets an error event.
    private func end(with error: any Error) async -> RouterError {
        if let moved = (error as? BackendError)?.egress {
            sent = max(sent, moved.sent)
            received = max(received, moved.received)
        }
        let cancelled = error is CancellationError || Task.isCancelled
        let status = cancelled ? 499 : ((error as? BackendError)?.kind == .timeout ? 504 : 502)
        await close(streamError: (status, cancelled ? "client_cancelled" : "stream_cut")).write()
        return RouterError.upstream(
            "The upstream stream failed after it started: \((error as? BackendError)?.message ?? "\(error)").",
            timeout: status == 504, route: info
        )
    }
}

/// Turns backend chunks into client chunks: restores placeholders (text and tool-call arguments,
/// per choice, holding back only what could still be a placeholder), drops the upstream's usage chunk (the router emits its own, costed, when the
/// client asked for usage).
struct StreamPump: Sendable {
    let session: RedactionSession?
    let clientWantsUsage: Bool
    var textRestorers: [Int: StreamingRestorer] = [:]
    var argumentRestorers: [String: StreamingRestorer] = [:]
    var restoration = RestorationStats()
    /// What the upstream generated (text, tool-call arguments, thinking and refusals, before restoration): the
    /// completion's size when the upstream does not report its usage (a cut stream).
    var generated = TokenTally()
    /// Web searches an Anthropic target began in this stream (its `server_tool_use` blocks): what a
    /// stream cut before the provider's final count still cost.
    var searchesStarted = 0
    /// The open server tool block's input (its query), restored as it streams.
    var serverInputRestorer: StreamingRestorer?
    var lastChunk: ChatCompletionChunk?

    init(session: RedactionSession?, clientWantsUsage: Bool) {
        self.session = session
        self.clientWantsUsage = clientWantsUsage
    }

    mutating func process(_ chunk: ChatCompletionChunk) -> [ChatCompletionChunk] {
        var chunk = chunk
        chunk.usage = nil
        lastChunk = chunk
        if chunk.choices.isEmpty { return [] }
        var extra: [ChatCompletionChunk] = []
        for i in chunk.choices.indices {
            let choiceIndex = chunk.choices[i].index
            switch chunk.choices[i].delta.anthropicBlock {
            case .start(let block)? where block["type"]?.stringValue == "server_tool_use":
                if block["name"]?.stringValue == "web_search" { searchesStarted += 1 }
                if let session {
                    let restored = Wire.restoreBlock(block, session: session)
                    restoration.merge(restored.stats)
                    chunk.choices[i].delta.anthropicBlock = .start(restored.block)
                    serverInputRestorer = session.makeStreamingRestorer(format: .jsonArguments)
                }
            case .delta(let delta)? where delta["type"]?.stringValue == "input_json_delta":
                // A server tool's query as it streams: restored like a tool call's arguments.
                if var restorer = serverInputRestorer, var object = delta.objectValue {
                    object["partial_json"] = .string(restorer.push(delta["partial_json"]?.stringValue ?? ""))
                    serverInputRestorer = restorer
                    chunk.choices[i].delta.anthropicBlock = .delta(.object(object))
                }
            case .stop?:
                if let held = flushServerInput(template: chunk, choiceIndex: choiceIndex) { extra.append(held) }
            default:
                break
            }
            if session != nil, chunk.choices[i].delta.anthropicBlock?.startsBlock == true,
                var restorer = textRestorers.removeValue(forKey: choiceIndex)
            {
                // A new block of an Anthropic answer: text held back so far belongs to the block before.
                let held = restorer.finish()
                restoration.merge(restorer.stats)
                if !held.isEmpty { extra.append(Wire.flushChunk(template: chunk, choiceIndex: choiceIndex, text: held, toolArguments: [])) }
            }
            if let text = Wire.deltaText(chunk.choices[i]) {
                generated.add(text)
                var restored = text
                if let session {
                    var restorer = textRestorers[choiceIndex] ?? session.makeStreamingRestorer(format: .text)
                    restored = restorer.push(text)
                    textRestorers[choiceIndex] = restorer
                }
                Wire.setDeltaText(&chunk.choices[i], restored)
            }
            let toolArguments = Wire.deltaToolArguments(chunk.choices[i])
            for (_, arguments) in toolArguments { generated.add(arguments) }
            if case .thinking(let thinking) = chunk.choices[i].delta.reasoning { generated.add(thinking) }
            if let refusal = chunk.choices[i].delta.refusal { generated.add(refusal) }
            if let session {
                for (callPosition, arguments) in toolArguments {
                    let key = "\(choiceIndex)/\(callPosition)"
                    var restorer = argumentRestorers[key] ?? session.makeStreamingRestorer(format: .jsonArguments)
                    Wire.setDeltaToolArguments(&chunk.choices[i], position: callPosition, restorer.push(arguments))
                    argumentRestorers[key] = restorer
                }
                if Wire.finishReason(chunk.choices[i]) != nil {
                    // Flush what was held back before the choice finishes.
                    if let flushChunk = flush(choiceIndex: choiceIndex, template: chunk) { extra.append(flushChunk) }
                }
            }
        }
        return extra.isEmpty ? [chunk] : extra + [chunk]
    }

    mutating func flush(choiceIndex: Int, template: ChatCompletionChunk) -> ChatCompletionChunk? {
        var text = ""
        if var restorer = textRestorers.removeValue(forKey: choiceIndex) {
            text = restorer.finish()
            restoration.merge(restorer.stats)
        }
        var arguments: [(Int, String)] = []
        for key in argumentRestorers.keys.sorted() where key.hasPrefix("\(choiceIndex)/") {
            guard var restorer = argumentRestorers.removeValue(forKey: key), let position = Int(key.split(separator: "/")[1]) else { continue }
            let rest = restorer.finish()
            restoration.merge(restorer.stats)
            if !rest.isEmpty { arguments.append((position, rest)) }
        }
        guard !text.isEmpty || !arguments.isEmpty else { return nil }
        return Wire.flushChunk(template: template, choiceIndex: choiceIndex, text: text, toolArguments: arguments)
    }

    /// Ends the open server tool block's query restoration: what its restorer held back, as one more
    /// `input_json_delta` (nil when nothing was held, or no block is open).
    mutating func flushServerInput(template: ChatCompletionChunk, choiceIndex: Int) -> ChatCompletionChunk? {
        guard var restorer = serverInputRestorer else { return nil }
        serverInputRestorer = nil
        let rest = restorer.finish()
        restoration.merge(restorer.stats)
        guard !rest.isEmpty else { return nil }
        var held = Wire.flushChunk(template: template, choiceIndex: choiceIndex, text: "", toolArguments: [])
        held.choices[0].delta.anthropicBlock = .delta(["type": "input_json_delta", "partial_json": .string(rest)])
        return held
    }

    /// Flushes remaining restorers and appends the usage chunk (with cost) when the client asked for it.
    mutating func finish(usage: Usage, template: ChatCompletionChunk?) -> [ChatCompletionChunk] {
        var out: [ChatCompletionChunk] = []
        if let template {
            // A server tool's block the stream never closed: what its query's restorer held back.
            if let held = flushServerInput(template: template, choiceIndex: 0) { out.append(held) }
            for index in Set(textRestorers.keys).union(argumentRestorers.keys.compactMap { Int($0.split(separator: "/")[0]) }).sorted() {
                if let chunk = flush(choiceIndex: index, template: template) { out.append(chunk) }
            }
        }
        if clientWantsUsage, let template {
            out.append(Wire.usageChunk(template: template, usage: usage))
        }
        return out
    }
}
