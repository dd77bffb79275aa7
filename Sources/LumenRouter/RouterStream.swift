import Foundation
import LumenCore
import LumenPolicy
import LumenRedaction

extension Router {
    /// Streams: candidates are tried in order until one produces its first chunk (fallback is
    /// possible until then); after that the route is committed and a failure ends the stream with
    /// an error (the server writes it as an SSE error event). Cost is computed at the end of the
    /// stream from the upstream's usage (always requested) or the local runtime's counts.
    func runStream(
        _ request: ChatCompletionRequest, caller: Caller, plan: Plan, trail: AuditTrail, started: ContinuousClock.Instant,
        estimatedInput: Int
    ) async throws(RouterError) -> RouterResult {
        let (output, continuation) = AsyncThrowingStream<ChatCompletionChunk, any Error>.makeStream()
        let (signal, signalContinuation) = AsyncStream<Result<RouteInfo, RouterError>>.makeStream()
        let task = Task {
            await self.driveStream(
                request, caller: caller, plan: plan, trail: trail, started: started, estimatedInput: estimatedInput,
                output: continuation, signal: signalContinuation
            )
        }
        continuation.onTermination = { _ in task.cancel() }
        for await result in signal {
            switch result {
            case .success(let info): return .stream(info, output)
            case .failure(let error): throw error
            }
        }
        throw .internalError("The stream ended before a route was chosen.")
    }

    // swiftlint:disable:next function_body_length
    func driveStream(
        _ request: ChatCompletionRequest, caller: Caller, plan: Plan, trail: AuditTrail, started: ContinuousClock.Instant,
        estimatedInput: Int, output: AsyncThrowingStream<ChatCompletionChunk, any Error>.Continuation,
        signal: AsyncStream<Result<RouteInfo, RouterError>>.Continuation
    ) async {
        var trail = trail
        var fallbacks: [FallbackEvent] = []
        var lastError: BackendError?
        var lastTarget = plan.candidates.first ?? "none"
        let clientWantsUsage = Wire.includeUsage(request)
        var upstreamRequest = request
        Wire.setIncludeUsage(&upstreamRequest)

        for (index, name) in plan.candidates.enumerated() {
            let next = index + 1 < plan.candidates.count ? plan.candidates[index + 1] : "none"
            let attempt: Attempt
            do {
                switch try await prepare(name, isPrimary: index == 0, original: upstreamRequest, plan: plan, trail: trail) {
                case .skip(let why):
                    fallbacks.append(FallbackEvent(from: name, to: next, reason: why))
                    metrics.fallback(from: name, to: next)
                    continue
                case .ready(let a): attempt = a
                }
            } catch {
                signal.yield(.failure(error))
                signal.finish()
                output.finish()
                return
            }
            lastTarget = name
            let events: AsyncThrowingStream<BackendStreamEvent, any Error>
            var iterator: AsyncThrowingStream<BackendStreamEvent, any Error>.AsyncIterator
            var first: BackendStreamEvent?
            do {
                events = try await attempt.backend.stream(attempt.request)
                iterator = events.makeAsyncIterator()
                first = try await iterator.next()
            } catch {
                let backendError = (error as? BackendError) ?? BackendError(.failure, "\(error)")
                if backendError.kind == .invalid {
                    signal.yield(.failure(.invalidRequest(backendError.message)))
                    signal.finish()
                    output.finish()
                    return
                }
                lastError = backendError
                fallbacks.append(FallbackEvent(from: name, to: next, reason: backendError.description))
                metrics.fallback(from: name, to: next)
                continue
            }
            guard let firstEvent = first else {
                lastError = BackendError(.failure, "empty stream")
                fallbacks.append(FallbackEvent(from: name, to: next, reason: "empty stream"))
                metrics.fallback(from: name, to: next)
                continue
            }

            // Committed to this target.
            let estimate = attempt.target.estimatedCost(inputTokens: estimatedInput, outputTokens: configuration.assumedOutputTokens)
            let info = RouteInfo(
                requestID: caller.requestID, route: attempt.backend.route, target: name, rule: plan.decision.rule,
                costUSD: estimate, egressHost: attempt.backend.host, overrideReason: plan.overrideReason,
                fallbacks: fallbacks, redactedValues: attempt.redaction?.stats.totalValues ?? 0
            )
            signal.yield(.success(info))
            signal.finish()

            var pump = StreamPump(
                session: attempt.redaction, overrideModel: nil,
                clientWantsUsage: clientWantsUsage
            )
            var firstTokenAt: Duration?
            var usage: Usage?
            var sent = 0
            var received = 0
            var streamError: (any Error)?
            var event: BackendStreamEvent? = firstEvent
            do {
                while let current = event {
                    switch current {
                    case .chunk(let chunk):
                        if firstTokenAt == nil, Wire.hasContent(chunk) { firstTokenAt = started.duration(to: .now) }
                        if let u = chunk.usage { usage = u }
                        for out in pump.process(chunk) { output.yield(out) }
                    case .end(let u, let s, let r):
                        if let u { usage = u }
                        sent = s
                        received = r
                    }
                    try Task.checkCancellation()
                    event = try await iterator.next()
                }
            } catch {
                streamError = error
            }
            let counted = Wire.tokens(usage, fallbackPrompt: estimatedInput, fallbackCompletion: pump.emittedCharacters / 4)
            let cost = attempt.target.estimatedCost(inputTokens: counted.prompt, outputTokens: counted.completion)
            if streamError == nil {
                let template = pump.lastChunk
                for out in pump.finish(usage: Wire.makeUsage(counted, cost: cost), template: template) {
                    output.yield(out)
                }
            }
            trail.complete(
                attempt: attempt, status: 200, error: nil, usage: counted, cost: cost, fallbacks: fallbacks,
                bytesSent: sent, bytesReceived: received, restoration: pump.restoration,
                firstToken: firstTokenAt, total: started.duration(to: .now)
            )
            if let streamError {
                let cancelled = streamError is CancellationError || Task.isCancelled
                let status = cancelled ? 499 : ((streamError as? BackendError)?.kind == .timeout ? 504 : 502)
                trail.markStreamError(status: status, error: cancelled ? "client_cancelled" : "stream_cut")
                output.finish(
                    throwing: RouterError.upstream(
                        "The upstream stream failed after it started: \((streamError as? BackendError)?.message ?? "\(streamError)").",
                        timeout: status == 504, route: info
                    )
                )
            } else {
                output.finish()
            }
            await writeCompletion(trail, remote: attempt.backend.route == .remote)
            var finalInfo = info
            finalInfo.costUSD = cost
            record(info: finalInfo, status: streamError == nil ? 200 : 502, usage: counted, cost: cost, sent: sent, received: received)
            return
        }
        let error = await failure(lastError, lastTarget: lastTarget, plan: plan, caller: caller, fallbacks: fallbacks, trail: &trail, started: started)
        signal.yield(.failure(error))
        signal.finish()
        output.finish()
    }
}

/// Turns backend chunks into client chunks: restores placeholders (text and tool-call arguments,
/// per choice, holding back only what could still be a placeholder), rewrites the model name for
/// local targets, drops the upstream's usage chunk (the router emits its own, costed, when the
/// client asked for usage).
struct StreamPump: Sendable {
    let session: RedactionSession?
    let overrideModel: String?
    let clientWantsUsage: Bool
    var textRestorers: [Int: StreamingRestorer] = [:]
    var argumentRestorers: [String: StreamingRestorer] = [:]
    var restoration = RestorationStats()
    var emittedCharacters = 0
    var lastChunk: ChatCompletionChunk?

    init(session: RedactionSession?, overrideModel: String?, clientWantsUsage: Bool) {
        self.session = session
        self.overrideModel = overrideModel
        self.clientWantsUsage = clientWantsUsage
    }

    mutating func process(_ chunk: ChatCompletionChunk) -> [ChatCompletionChunk] {
        var chunk = chunk
        if let overrideModel { chunk.model = overrideModel }
        chunk.usage = nil
        lastChunk = chunk
        if chunk.choices.isEmpty { return [] }
        var extra: [ChatCompletionChunk] = []
        for i in chunk.choices.indices {
            let choiceIndex = chunk.choices[i].index
            if let text = Wire.deltaText(chunk.choices[i]) {
                var restored = text
                if let session {
                    var restorer = textRestorers[choiceIndex] ?? session.makeStreamingRestorer(format: .text)
                    restored = restorer.push(text)
                    textRestorers[choiceIndex] = restorer
                }
                emittedCharacters += restored.count
                Wire.setDeltaText(&chunk.choices[i], restored)
            }
            if let session {
                for (callPosition, arguments) in Wire.deltaToolArguments(chunk.choices[i]) {
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
        emittedCharacters += text.count
        return Wire.flushChunk(template: template, choiceIndex: choiceIndex, text: text, toolArguments: arguments)
    }

    /// Flushes remaining restorers and appends the usage chunk (with cost) when the client asked for it.
    mutating func finish(usage: Usage, template: ChatCompletionChunk?) -> [ChatCompletionChunk] {
        var out: [ChatCompletionChunk] = []
        if let template {
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
