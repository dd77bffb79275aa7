import CLlama
import Foundation
import LumenGrammar

/// A request accepted by the scheduler, waiting for or holding a slot.
struct ScheduledRequest: Sendable {
    let id: UInt64
    let prompt: [llama_token]
    let parameters: SamplingParameters
    /// Grammars and output reading for tool calls and structured output; nil for plain text.
    let plan: GenerationPlan?
    let sink: EventSink
    let submitted: ContinuousClock.Instant
}

/// Where a request's events go: the consumer's stream, in whichever event type it reads.
struct EventSink: Sendable {
    let yield: @Sendable (AnswerEvent) -> Void
    let finish: @Sendable ((any Error)?) -> Void
}

/// Continuous batching over one `llama_context`: a dedicated thread (not the Swift cooperative pool) runs the
/// decode loop; every step builds one `llama_batch` with the next token of each generating sequence plus
/// prompt chunks of newly admitted ones, so new requests join the running batch.
final class Scheduler: @unchecked Sendable {
    // Safe: the fields in "shared state" are only accessed with `condition` locked; the fields in
    // "loop state" are only accessed by the loop thread (after `init` hands them over before starting it).

    // Shared state.
    private let condition = NSCondition()
    private var queue: [ScheduledRequest] = []
    private var occupiedSlots = 0
    private var cancelled: Set<UInt64> = []
    private var shuttingDown = false
    private var nextID: UInt64 = 1
    /// Tokens generated since start, published by the loop once per step.
    private var generatedTotal = 0

    // Configuration (immutable).
    let model: LlamaModel
    let slotCount: Int
    let queueLimit: Int
    /// Tokens each sequence may hold (prompt + generated).
    let contextPerSlot: Int
    private let batchCapacity: Int
    /// Entries in a row of logits (the model's vocabulary size).
    private let vocabularySize: Int

    // Loop state.
    private let context: OpaquePointer
    private var batch: llama_batch
    private var slots: [Slot]
    /// Tokens generated in the current step, added to `generatedTotal` under the lock.
    private var generatedInStep = 0
    /// Scratch candidates for grammar-constrained sampling (up to the vocabulary size).
    private var candidates: [llama_token_data] = []

    init(model: LlamaModel, options: LocalRuntimeOptions) throws(LocalRuntimeError) {
        let path = model.metadata.path
        guard options.slots >= 1, options.slots <= llama_max_parallel_sequences() else {
            throw .invalidParameters("slots must be between 1 and \(llama_max_parallel_sequences()), got \(options.slots)")
        }
        guard options.queueLimit >= 0 else { throw .invalidParameters("queueLimit must not be negative") }
        guard options.threads >= 1 else { throw .invalidParameters("threads must be at least 1") }
        guard options.batchSize >= 1 else { throw .invalidParameters("batchSize must be at least 1") }
        let trained = Int(llama_model_n_ctx_train(model.pointer))
        let perSlot = options.contextLength ?? min(trained > 0 ? trained : 2048, LocalRuntimeOptions.defaultContextCap)
        guard perSlot >= 16 else { throw .invalidParameters("contextLength must be at least 16, got \(perSlot)") }

        var params = llama_context_default_params()
        params.n_ctx = UInt32(perSlot * options.slots)
        params.n_batch = UInt32(options.batchSize)
        params.n_ubatch = UInt32(options.batchSize)
        params.n_seq_max = UInt32(options.slots)
        params.n_threads = Int32(options.threads)
        params.n_threads_batch = Int32(options.threads)
        params.kv_unified = false
        params.no_perf = true
        if let flash = options.flashAttention {
            params.flash_attn_type = flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED
        }
        LlamaLog.shared.clearRecent()
        let created = llama_init_from_model(model.pointer, params)
        let messages = LlamaLog.shared.recentMessages()
        guard let context = created else {
            throw .loadFailed(path: path, reason: messages.last ?? "llama_init_from_model returned NULL")
        }
        self.model = model
        self.context = context
        slotCount = options.slots
        queueLimit = options.queueLimit
        contextPerSlot = min(perSlot, Int(llama_n_ctx_seq(context)))
        batchCapacity = options.batchSize
        vocabularySize = Int(llama_vocab_n_tokens(model.vocab))
        batch = llama_batch_init(Int32(options.batchSize), 0, 1)
        slots = (0..<options.slots).map { Slot(sequence: llama_seq_id($0)) }

        let thread = Thread { [self] in run() }
        thread.name = "lumen-llama-decode"
        thread.stackSize = 8 << 20
        thread.start()
    }

    // MARK: Called from any thread

    /// Queues a tokenized prompt for plain text; throws `busy` when every slot is taken and the queue is full.
    func submit(
        prompt: [llama_token],
        parameters: SamplingParameters
    ) throws(LocalRuntimeError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self, throwing: (any Error).self)
        let sink = EventSink(
            yield: { event in
                switch event {
                case .text(let text): continuation.yield(.text(text))
                case .finished(let summary): continuation.yield(.finished(summary))
                default: break
                }
            },
            finish: { error in continuation.finish(throwing: error) }
        )
        try enqueue(prompt: prompt, parameters: parameters, plan: nil, sink: sink) { id in
            continuation.onTermination = { [weak self] termination in
                if case .cancelled = termination { self?.cancel(id) }
            }
        }
        return stream
    }

    /// Queues a tokenized prompt with a plan (tools, structured output); throws `busy` like `submit(prompt:parameters:)`.
    func submit(
        prompt: [llama_token],
        parameters: SamplingParameters,
        plan: GenerationPlan
    ) throws(LocalRuntimeError) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: AnswerEvent.self, throwing: (any Error).self)
        let sink = EventSink(yield: { continuation.yield($0) }, finish: { error in continuation.finish(throwing: error) })
        try enqueue(prompt: prompt, parameters: parameters, plan: plan, sink: sink) { id in
            continuation.onTermination = { [weak self] termination in
                if case .cancelled = termination { self?.cancel(id) }
            }
        }
        return stream
    }

    /// Queues the request; `register` runs with its id (under the lock, before the loop can see it).
    private func enqueue(
        prompt: [llama_token], parameters: SamplingParameters, plan: GenerationPlan?, sink: EventSink, register: (UInt64) -> Void
    ) throws(LocalRuntimeError) {
        let submitted = ContinuousClock.now
        condition.lock()
        defer { condition.unlock() }
        guard !shuttingDown else { throw .shutDown }
        guard occupiedSlots + queue.count < slotCount + queueLimit else {
            throw .busy(slots: slotCount, queueLimit: queueLimit)
        }
        let id = nextID
        nextID += 1
        register(id)
        queue.append(ScheduledRequest(id: id, prompt: prompt, parameters: parameters, plan: plan, sink: sink, submitted: submitted))
        condition.signal()
    }

    /// Occupancy right now.
    func status() -> RuntimeStatus {
        condition.lock()
        defer { condition.unlock() }
        return RuntimeStatus(
            slots: slotCount, activeSlots: occupiedSlots, queued: queue.count, queueLimit: queueLimit, generatedTokens: generatedTotal)
    }

    /// Stops the loop: running and queued requests end with `shutDown`; the context is freed by the loop thread.
    func shutdown() {
        condition.lock()
        shuttingDown = true
        condition.signal()
        condition.unlock()
    }

    private func cancel(_ id: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        if let index = queue.firstIndex(where: { $0.id == id }) {
            queue.remove(at: index)
        } else {
            cancelled.insert(id)
            condition.signal()
        }
    }

    // MARK: Loop thread

    private func run() {
        while true {
            condition.lock()
            generatedTotal += generatedInStep
            generatedInStep = 0
            while !shuttingDown, queue.isEmpty, cancelled.isEmpty, !slots.contains(where: { $0.request != nil }) {
                condition.wait()
            }
            if shuttingDown {
                let waiting = queue
                queue.removeAll()
                condition.unlock()
                for request in waiting { request.sink.finish(LocalRuntimeError.shutDown) }
                for slot in slots where slot.request != nil { release(slot, error: .shutDown) }
                break
            }
            var admitted: [Slot] = []
            for slot in slots where slot.request == nil && !queue.isEmpty {
                slot.request = queue.removeFirst()
                occupiedSlots += 1
                admitted.append(slot)
            }
            let cancelledNow = cancelled
            cancelled.removeAll()
            condition.unlock()

            for slot in admitted { start(slot) }
            for slot in slots {
                if let request = slot.request, cancelledNow.contains(request.id) { release(slot, finish: nil) }
            }
            step()
        }
        llama_batch_free(batch)
        llama_free(context)
    }

    private func start(_ slot: Slot) {
        guard let request = slot.request else { return }
        llama_memory_seq_rm(llama_get_memory(context), slot.sequence, -1, -1)
        slot.sampler = Scheduler.makeSampler(request.parameters)
        let plan = request.plan
        slot.parser = AnswerParser(
            syntax: plan?.syntax, start: plan?.start ?? .text, schemas: plan?.schemas ?? [:],
            stops: plan?.stops ?? request.parameters.stop, keepBytesAfterTrigger: plan?.initialGrammar != nil
        )
        slot.promptCursor = 0
        slot.position = 0
        slot.generated = 0
        slot.firstToken = nil
        slot.pending = []
        slot.longestCall = 0
        slot.callStart = 0
        if let grammar = plan?.initialGrammar {
            guard let sampler = makeGrammar(grammar) else {
                release(slot, error: .constraintViolated("llama.cpp rejected the generated grammar"))
                return
            }
            slot.grammar = sampler
        }
    }

    private func makeGrammar(_ text: String) -> UnsafeMutablePointer<llama_sampler>? {
        llama_sampler_init_grammar(model.vocab, text, "root")
    }

    /// One `llama_decode` over every active sequence, then sampling for the sequences that produced logits.
    private func step() {
        var count = 0
        func add(_ token: llama_token, position: Int, sequence: llama_seq_id, logits: Bool) {
            batch.token[count] = token
            batch.pos[count] = llama_pos(position)
            batch.n_seq_id[count] = 1
            batch.seq_id[count]![0] = sequence
            batch.logits[count] = logits ? 1 : 0
            count += 1
        }
        // Running sequences first: one token each (a few when a tool-call trigger was re-tokenized).
        for slot in slots {
            slot.outputIndex = -1
            guard slot.request != nil, !slot.pending.isEmpty, count + slot.pending.count <= batchCapacity else { continue }
            for (offset, token) in slot.pending.enumerated() {
                let last = offset == slot.pending.count - 1
                if last { slot.outputIndex = Int32(count) }
                add(token, position: slot.position, sequence: slot.sequence, logits: last)
                slot.position += 1
            }
            slot.pending = []
        }
        // Then prompt chunks of new sequences, as much as the batch holds.
        for slot in slots {
            guard let request = slot.request, slot.promptCursor < request.prompt.count, slot.outputIndex < 0 else { continue }
            let take = min(request.prompt.count - slot.promptCursor, batchCapacity - count)
            guard take > 0 else { break }
            for offset in 0..<take {
                let index = slot.promptCursor + offset
                let last = index == request.prompt.count - 1
                if last { slot.outputIndex = Int32(count) }
                add(request.prompt[index], position: index, sequence: slot.sequence, logits: last)
            }
            slot.promptCursor += take
            slot.position = slot.promptCursor
        }
        guard count > 0 else { return }
        batch.n_tokens = Int32(count)

        let status = llama_decode(context, batch)
        if status != 0 {
            for slot in slots where slot.request != nil && (slot.outputIndex >= 0 || slot.promptCursor > 0) {
                release(slot, error: .decodeFailed(code: status))
            }
            return
        }

        for slot in slots {
            guard let request = slot.request, slot.outputIndex >= 0 else { continue }
            guard let token = pick(slot) else {
                release(slot, error: slot.grammar == nil ? .decodeFailed(code: -1) : .constraintViolated("no token satisfies the grammar"))
                continue
            }
            let now = ContinuousClock.now
            if slot.firstToken == nil { slot.firstToken = now }
            if model.isEndOfGeneration(token) {
                flushAndFinish(slot, reason: slot.parser.finishedCalls > 0 ? .toolCalls : .stop)
                continue
            }
            if let grammar = slot.grammar { llama_sampler_accept(grammar, token) }
            slot.generated += 1
            generatedInStep += 1
            let bytes = model.piece(token)
            let output = slot.parser.consume(bytes)
            for event in output.events { request.sink.yield(event) }
            if let violation = output.violation {
                release(slot, error: .constraintViolated(violation))
                continue
            }
            if let stopSequence = output.stopSequence {
                release(slot, finish: .stop, stopSequence: stopSequence)
                continue
            }
            if output.repeated {
                // The model repeated a call of this answer word for word (small models loop): end here.
                flushAndFinish(slot, reason: .toolCalls)
                continue
            }
            if output.callClosed {
                // Between calls: end the answer rather than start a call the token budget may not finish.
                slot.longestCall = max(slot.longestCall, slot.generated - slot.callStart)
                slot.callStart = slot.generated
                if request.parameters.maxTokens - slot.generated < slot.longestCall {
                    flushAndFinish(slot, reason: .toolCalls)
                    continue
                }
            }
            var next = [token]
            if let excess = output.triggered, slot.grammar == nil {
                // Free text reached a tool-call trigger: the call's grammar takes over from here. The model is
                // fed the text up to the trigger's end only (what the piece held after it is dropped).
                guard let text = request.plan?.triggerGrammar, let grammar = makeGrammar(text) else {
                    release(slot, error: .constraintViolated("llama.cpp rejected the generated grammar"))
                    continue
                }
                slot.grammar = grammar
                if excess > 0, excess < bytes.count {
                    next = model.tokenize(String(decoding: bytes.dropLast(excess), as: UTF8.self), addSpecial: false, parseSpecial: true)
                    slot.generated += next.count - 1
                }
            }
            if slot.generated >= request.parameters.maxTokens || slot.position + next.count > contextPerSlot {
                flushAndFinish(slot, reason: .length)
            } else {
                slot.pending = next
            }
        }
    }

    /// The next token of `slot`: its sampler (or greedy) on the logits, restricted by its grammar when it
    /// has one. The unconstrained choice is checked first (one grammar test); only when the grammar
    /// rejects it are more candidates tested: the 64 most likely, then the whole vocabulary. Greedy picks
    /// the most likely allowed token either way; sampling draws from the allowed ones (rejection keeps the
    /// distribution exact). Nil when no token is allowed.
    private func pick(_ slot: Slot) -> llama_token? {
        let index = slot.outputIndex
        guard let grammar = slot.grammar else {
            if let sampler = slot.sampler { return llama_sampler_sample(sampler, context, index) }
            guard let logits = llama_get_logits_ith(context, index) else { return nil }
            return Scheduler.greedy(UnsafeBufferPointer(start: logits, count: vocabularySize))
        }
        guard let logits = llama_get_logits_ith(context, index) else { return nil }
        let row = UnsafeBufferPointer(start: logits, count: vocabularySize)
        if let sampler = slot.sampler {
            let token = llama_sampler_sample(sampler, context, index)
            if Scheduler.allows(grammar, token) { return token }
            return constrainedDraw(row, grammar: grammar, sampler: sampler)
        }
        let best = Scheduler.greedy(row)
        if Scheduler.allows(grammar, best) { return best }
        let top = Scheduler.top(row, count: 64)
        candidates.removeAll(keepingCapacity: true)
        for id in top { candidates.append(llama_token_data(id: id, logit: row[Int(id)], p: 0)) }
        if let token = mostLikelyAllowed(grammar) { return token }
        candidates.removeAll(keepingCapacity: true)
        for id in 0..<vocabularySize { candidates.append(llama_token_data(id: llama_token(id), logit: row[id], p: 0)) }
        return mostLikelyAllowed(grammar)
    }

    /// Applies the grammar to `candidates` and returns the surviving token with the largest logit.
    private func mostLikelyAllowed(_ grammar: UnsafeMutablePointer<llama_sampler>) -> llama_token? {
        candidates.withUnsafeMutableBufferPointer { buffer in
            var array = llama_token_data_array(data: buffer.baseAddress, size: buffer.count, selected: -1, sorted: false)
            llama_sampler_apply(grammar, &array)
            var best: llama_token_data?
            for candidate in buffer where candidate.logit.isFinite && candidate.logit > (best?.logit ?? -.infinity) { best = candidate }
            return best?.id
        }
    }

    /// Draws from the sampler chain over the tokens the grammar allows (the whole vocabulary).
    private func constrainedDraw(
        _ row: UnsafeBufferPointer<Float>, grammar: UnsafeMutablePointer<llama_sampler>, sampler: UnsafeMutablePointer<llama_sampler>
    ) -> llama_token? {
        candidates.removeAll(keepingCapacity: true)
        for id in 0..<vocabularySize { candidates.append(llama_token_data(id: llama_token(id), logit: row[id], p: 0)) }
        return candidates.withUnsafeMutableBufferPointer { buffer in
            var array = llama_token_data_array(data: buffer.baseAddress, size: buffer.count, selected: -1, sorted: false)
            llama_sampler_apply(grammar, &array)
            guard buffer.contains(where: { $0.logit.isFinite }) else { return nil }
            llama_sampler_apply(sampler, &array)
            guard array.selected >= 0, array.selected < array.size else { return nil }
            let chosen = array.data[Int(array.selected)]
            return chosen.logit.isFinite ? chosen.id : nil
        }
    }

    /// Whether the grammar allows `token` next.
    static func allows(_ grammar: UnsafeMutablePointer<llama_sampler>, _ token: llama_token) -> Bool {
        var candidate = llama_token_data(id: token, logit: 0, p: 0)
        withUnsafeMutablePointer(to: &candidate) { pointer in
            var array = llama_token_data_array(data: pointer, size: 1, selected: -1, sorted: false)
            llama_sampler_apply(grammar, &array)
        }
        return candidate.logit.isFinite
    }

    private func flushAndFinish(_ slot: Slot, reason: FinishReason) {
        guard let request = slot.request else { return }
        for event in slot.parser.finish() { request.sink.yield(event) }
        if reason == .stop, let schema = request.plan?.textSchema {
            // Structured output: the grammar made it valid; check it all the same before calling it done.
            guard let value = JSONText.parse(slot.parser.text) else {
                release(slot, error: .constraintViolated("the structured answer is not JSON"))
                return
            }
            let problems = JSONSchemaValidator.violations(of: value, against: schema)
            guard problems.isEmpty else {
                release(slot, error: .constraintViolated("the structured answer violates the schema: \(problems.prefix(3).joined(separator: "; "))"))
                return
            }
        }
        release(slot, finish: reason)
    }

    /// Ends the slot's request (with a summary when `finish` is given, silently when the consumer is gone)
    /// and frees the slot: KV cache of the sequence cleared, sampler freed, slot counted free.
    /// The slot is freed before the consumer hears of the end, so a client that resubmits at once finds it free.
    private func release(_ slot: Slot, finish: FinishReason?, stopSequence: String? = nil) {
        guard let request = slot.request else { return }
        let summary = GenerationSummary(
            promptTokens: request.prompt.count,
            completionTokens: slot.generated,
            finishReason: finish ?? .cancelled,
            stopSequence: stopSequence,
            timeToFirstToken: slot.firstToken.map { $0 - request.submitted },
            totalTime: ContinuousClock.now - request.submitted
        )
        clear(slot)
        if finish != nil { request.sink.yield(.finished(summary)) }
        request.sink.finish(nil)
    }

    private func release(_ slot: Slot, error: LocalRuntimeError) {
        guard let request = slot.request else { return }
        clear(slot)
        request.sink.finish(error)
    }

    private func clear(_ slot: Slot) {
        llama_memory_seq_rm(llama_get_memory(context), slot.sequence, -1, -1)
        if let sampler = slot.sampler { llama_sampler_free(sampler) }
        if let grammar = slot.grammar { llama_sampler_free(grammar) }
        slot.sampler = nil
        slot.grammar = nil
        slot.request = nil
        slot.pending = []
        slot.outputIndex = -1
        condition.lock()
        occupiedSlots -= 1
        condition.unlock()
    }

    /// The sampler chain for `parameters`; nil for greedy decoding, which `greedy(_:)` does directly on the logits.
    static func makeSampler(_ parameters: SamplingParameters) -> UnsafeMutablePointer<llama_sampler>? {
        if parameters.temperature <= 0 { return nil }
        let chain = llama_sampler_chain_init(llama_sampler_chain_default_params())
        if parameters.topK > 0 { llama_sampler_chain_add(chain, llama_sampler_init_top_k(Int32(parameters.topK))) }
        if parameters.topP < 1 { llama_sampler_chain_add(chain, llama_sampler_init_top_p(Float(parameters.topP), 1)) }
        llama_sampler_chain_add(chain, llama_sampler_init_temp(Float(parameters.temperature)))
        llama_sampler_chain_add(chain, llama_sampler_init_dist(parameters.seed ?? UInt32(LLAMA_DEFAULT_SEED)))
        return chain
    }
}

extension Scheduler {
    /// The `count` tokens with the largest logits, most likely first.
    static func top(_ logits: UnsafeBufferPointer<Float>, count: Int) -> [llama_token] {
        var best: [(Float, llama_token)] = []
        best.reserveCapacity(count + 1)
        var floor = -Float.infinity
        for (index, logit) in logits.enumerated() where best.count < count || logit > floor {
            let position = best.firstIndex { $0.0 < logit } ?? best.count
            best.insert((logit, llama_token(index)), at: position)
            if best.count > count { best.removeLast() }
            if best.count == count { floor = best[count - 1].0 }
        }
        return best.map(\.1)
    }

    /// The index of the largest logit, the first one on ties: what llama.cpp's greedy sampler picks, without
    /// copying the row into a vocabulary-sized candidate array first (49k entries for SmolLM2, every token).
    static func greedy(_ logits: UnsafeBufferPointer<Float>) -> llama_token {
        guard let base = logits.baseAddress, !logits.isEmpty else { return 0 }
        let raw = UnsafeRawPointer(base)
        let width = SIMD16<Float>.scalarCount
        var lanes = SIMD16<Float>(repeating: -.infinity)
        var index = 0
        while index + width <= logits.count {
            lanes = pointwiseMax(lanes, raw.loadUnaligned(fromByteOffset: index * MemoryLayout<Float>.stride, as: SIMD16<Float>.self))
            index += width
        }
        var best = lanes.max()
        while index < logits.count {
            best = max(best, logits[index])
            index += 1
        }
        return llama_token(logits.firstIndex(of: best) ?? 0)
    }
}

/// One llama.cpp sequence and the request occupying it (loop thread only).
private final class Slot {
    let sequence: llama_seq_id
    var request: ScheduledRequest?
    var sampler: UnsafeMutablePointer<llama_sampler>?
    /// The grammar constraining the next tokens (tool calls, structured output), if any.
    var grammar: UnsafeMutablePointer<llama_sampler>?
    var parser = AnswerParser(syntax: nil, start: .text, schemas: [:], stops: [], keepBytesAfterTrigger: false)
    /// Prompt tokens already submitted to a batch.
    var promptCursor = 0
    /// Position of the next token in this sequence.
    var position = 0
    /// Tokens generated so far.
    var generated = 0
    /// The sampled token still to be fed back, when generating (several after a re-tokenized trigger).
    var pending: [llama_token] = []
    /// Index in the current batch whose logits this slot samples from, or -1.
    var outputIndex: Int32 = -1
    var firstToken: ContinuousClock.Instant?
    /// Tokens generated when the current tool call (or the answer) began, and the most any call took.
    var callStart = 0
    var longestCall = 0

    init(sequence: llama_seq_id) { self.sequence = sequence }
}
