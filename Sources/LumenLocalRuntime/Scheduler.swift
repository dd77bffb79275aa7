import CLlama
import Foundation

/// A request accepted by the scheduler, waiting for or holding a slot.
struct ScheduledRequest: Sendable {
    let id: UInt64
    let prompt: [llama_token]
    let parameters: SamplingParameters
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let submitted: ContinuousClock.Instant
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

    /// Queues a tokenized prompt; throws `busy` when every slot is taken and the queue is full.
    func submit(
        prompt: [llama_token],
        parameters: SamplingParameters
    ) throws(LocalRuntimeError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self, throwing: (any Error).self)
        let submitted = ContinuousClock.now
        condition.lock()
        defer { condition.unlock() }
        guard !shuttingDown else { throw .shutDown }
        guard occupiedSlots + queue.count < slotCount + queueLimit else {
            throw .busy(slots: slotCount, queueLimit: queueLimit)
        }
        let id = nextID
        nextID += 1
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel(id) }
        }
        queue.append(ScheduledRequest(id: id, prompt: prompt, parameters: parameters, continuation: continuation, submitted: submitted))
        condition.signal()
        return stream
    }

    /// Occupancy right now.
    func status() -> RuntimeStatus {
        condition.lock()
        defer { condition.unlock() }
        return RuntimeStatus(slots: slotCount, activeSlots: occupiedSlots, queued: queue.count, queueLimit: queueLimit)
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
            while !shuttingDown, queue.isEmpty, cancelled.isEmpty, !slots.contains(where: { $0.request != nil }) {
                condition.wait()
            }
            if shuttingDown {
                let waiting = queue
                queue.removeAll()
                condition.unlock()
                for request in waiting { request.continuation.finish(throwing: LocalRuntimeError.shutDown) }
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
        slot.assembler = TextAssembler(stop: request.parameters.stop)
        slot.promptCursor = 0
        slot.position = 0
        slot.generated = 0
        slot.firstToken = nil
        slot.pending = nil
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
        // Running sequences first: one token each.
        for slot in slots {
            slot.outputIndex = -1
            guard slot.request != nil, let token = slot.pending, count < batchCapacity else { continue }
            slot.outputIndex = Int32(count)
            add(token, position: slot.position, sequence: slot.sequence, logits: true)
            slot.position += 1
            slot.pending = nil
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
            let token: llama_token
            if let sampler = slot.sampler {
                token = llama_sampler_sample(sampler, context, slot.outputIndex)
            } else if let logits = llama_get_logits_ith(context, slot.outputIndex) {
                token = Scheduler.greedy(UnsafeBufferPointer(start: logits, count: vocabularySize))
            } else {
                release(slot, error: .decodeFailed(code: -1))
                continue
            }
            let now = ContinuousClock.now
            if slot.firstToken == nil { slot.firstToken = now }
            if model.isEndOfGeneration(token) {
                flushAndFinish(slot, reason: .stop)
                continue
            }
            slot.generated += 1
            let output = slot.assembler.append(model.piece(token))
            if !output.text.isEmpty { request.continuation.yield(.text(output.text)) }
            if output.stopped {
                release(slot, finish: .stop)
            } else if slot.generated >= request.parameters.maxTokens || slot.position + 1 > contextPerSlot {
                flushAndFinish(slot, reason: .length)
            } else {
                slot.pending = token
            }
        }
    }

    private func flushAndFinish(_ slot: Slot, reason: FinishReason) {
        let rest = slot.assembler.flush()
        if !rest.isEmpty { slot.request?.continuation.yield(.text(rest)) }
        release(slot, finish: reason)
    }

    /// Ends the slot's request (with a summary when `finish` is given, silently when the consumer is gone)
    /// and frees the slot: KV cache of the sequence cleared, sampler freed, slot counted free.
    /// The slot is freed before the consumer hears of the end, so a client that resubmits at once finds it free.
    private func release(_ slot: Slot, finish: FinishReason?) {
        guard let request = slot.request else { return }
        let summary = GenerationSummary(
            promptTokens: request.prompt.count,
            completionTokens: slot.generated,
            finishReason: finish ?? .cancelled,
            timeToFirstToken: slot.firstToken.map { $0 - request.submitted },
            totalTime: ContinuousClock.now - request.submitted
        )
        clear(slot)
        if finish != nil { request.continuation.yield(.finished(summary)) }
        request.continuation.finish()
    }

    private func release(_ slot: Slot, error: LocalRuntimeError) {
        guard let request = slot.request else { return }
        clear(slot)
        request.continuation.finish(throwing: error)
    }

    private func clear(_ slot: Slot) {
        llama_memory_seq_rm(llama_get_memory(context), slot.sequence, -1, -1)
        if let sampler = slot.sampler { llama_sampler_free(sampler) }
        slot.sampler = nil
        slot.request = nil
        slot.pending = nil
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
    var assembler = TextAssembler(stop: [])
    /// Prompt tokens already submitted to a batch.
    var promptCursor = 0
    /// Position of the next token in this sequence.
    var position = 0
    /// Tokens generated so far.
    var generated = 0
    /// The sampled token still to be fed back, when generating.
    var pending: llama_token?
    /// Index in the current batch whose logits this slot samples from, or -1.
    var outputIndex: Int32 = -1
    var firstToken: ContinuousClock.Instant?

    init(sequence: llama_seq_id) { self.sequence = sequence }
}
