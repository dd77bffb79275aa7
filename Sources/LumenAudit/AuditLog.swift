package import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// When records reach the disk.
///
/// Every mode but `.never` returns from `append` only once the record is written (group commit:
/// concurrent appends share one write), so a record outlives a crash of the process and a request's
/// record is stored before its answer is sent. The modes differ in when the data is also fsynced
/// (survives a crash of the machine).
package enum AuditFsyncPolicy: Sendable, Hashable {
    /// `append` returns only after the record is written and fsynced (concurrent appends share one fsync).
    case always
    /// `append` returns after the record is written; the fsync follows within 100 ms.
    case write
    /// `append` returns after the record is written; the fsync follows at most `milliseconds` later.
    case interval(milliseconds: Int)
    /// No durability: `append` returns at once, records are written in batches and never fsynced by
    /// the log (generated logs and benchmarks).
    case never

    /// Parses `always`, `write`, `never`, `interval` (100 ms) or `interval:N` / `N` (milliseconds).
    package init(parsing text: String) throws {
        switch text {
        case "always": self = .always
        case "write": self = .write
        case "never": self = .never
        case "interval": self = .interval(milliseconds: 100)
        default:
            let digits = text.hasPrefix("interval:") ? String(text.dropFirst(9)) : text
            guard let ms = Int(digits), ms > 0 else {
                throw AuditError(.invalidArgument, "fsync policy '\(text)': use always, write, never, interval or interval:MS")
            }
            self = .interval(milliseconds: ms)
        }
    }
}

/// Configuration of the audit writer.
package struct AuditLogConfiguration: Sendable {
    /// Directory holding `audit-*.jsonl` (created if missing); unused with another store.
    package var directory: String
    /// A new file starts when the current one would exceed this size, or when the UTC day changes.
    package var maxFileBytes: Int
    /// Fsync policy for records that do not precede egress (completions, local requests, policy records).
    package var fsync: AuditFsyncPolicy
    /// Fsync policy for `decision` records that carry an egress (written before a remote request is sent).
    /// Keep `.always` so a record is on disk before anything leaves.
    package var egressFsync: AuditFsyncPolicy
    /// Unsynced records are written once this many bytes are buffered.
    package var batchBytes: Int
    /// Source of timestamps for records without one.
    package var clock: @Sendable () -> Date
    /// Seals `audit.head` and its witness with an HMAC (nil: unsealed).
    package var headKey: AuditHMAC?
    /// After a failed write, the first retry waits this long; each further one twice as long, up to
    /// `retryMaximum` (seconds).
    package var retryInitial: Double = 0.25
    package var retryMaximum: Double = 2
    /// Fault injection for tests: replaces `write(2)` of the file store (return -1 and set errno).
    package var writeCall: (@Sendable (Int32, UnsafeRawPointer, Int) -> Int)?

    package init(
        directory: String,
        maxFileBytes: Int = 64 << 20,
        fsync: AuditFsyncPolicy = .interval(milliseconds: 100),
        egressFsync: AuditFsyncPolicy = .always,
        batchBytes: Int = 256 << 10,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.directory = directory
        self.maxFileBytes = maxFileBytes
        self.fsync = fsync
        self.egressFsync = egressFsync
        self.batchBytes = batchBytes
        self.clock = clock
    }
}

/// Where a record went in the chain.
package struct AuditReceipt: Sendable, Hashable {
    package var seq: Int
    package var hash: String
}

/// The append-only, hash-chained audit log writer over a store (`AuditLineStore`: files by default,
/// PostgreSQL rows with LumenStore). One chain per log; safe to call from any number of concurrent
/// tasks. Records are sealed here and handed to the store in batches, one batch at a time.
///
/// Durability: see `AuditFsyncPolicy`; `append` returns once the record is stored (except `.never`).
/// After a failed write the log refuses every append (fail closed: remote routes answer 503) and
/// retries in the background, with back-off, until the store takes records again (space freed on
/// the disk, the database back); it then continues the chain from the store's durable tail with a
/// `recovery` record that says what happened.
package actor AuditLog {
    package let configuration: AuditLogConfiguration
    private let encoder = AuditChain.makeEncoder()
    private let store: any AuditLineStore
    private var seq: Int
    private var lastHash: String
    private var pending: [AuditLine] = []
    private var pendingBytes = 0
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var needsSync = false
    private var unsyncedInterval = false
    private var lastSync = DispatchTime.now()
    private var flushing = false
    private var timerArmed = false
    private var failure: AuditError?
    private var failedAt: Date?
    private var recovering = false
    private var closed = false
    private var policiesLogged: Set<String> = []
    private var ledger: BudgetLedger?
    private nonisolated let healthBox = NIOLockedValueBox(AuditHealth.healthy)

    /// What `open` repaired, if the last line was torn by a crash.
    package private(set) var recovered: AuditRecovery?
    /// Times the log resumed after a failed write.
    package private(set) var resumptions = 0

    /// Whether the log takes records (readable from any thread: readiness checks).
    package nonisolated var health: AuditHealth { healthBox.withLockedValue { $0 } }
    /// The store's name for messages.
    package nonisolated let label: String

    /// Opens (or creates) the file log in `configuration.directory`. A torn last line is truncated
    /// and a `recovery` record notes the loss; the chain continues from the last complete record.
    package static func open(_ configuration: AuditLogConfiguration) async throws -> AuditLog {
        try await open(store: AuditFileStore(configuration), configuration: configuration)
    }

    /// Opens a log over `store`, continuing its chain from the store's durable tail.
    package static func open(store: any AuditLineStore, configuration: AuditLogConfiguration) async throws -> AuditLog {
        let opening = try await store.reopen()
        let log = AuditLog(configuration: configuration, store: store, tail: opening.tail)
        if let recovery = opening.repaired {
            await log.setRecovered(recovery)
            var record = AuditRecord(kind: .recovery, id: "recovery-\(opening.tail.seq + 1)", recovery: recovery)
            record.status = AuditStatus(state: "recovered")
            _ = try await log.append(record, fsync: .always)
        }
        return log
    }

    private init(configuration: AuditLogConfiguration, store: any AuditLineStore, tail: AuditTail) {
        self.configuration = configuration
        self.store = store
        self.seq = tail.seq
        self.lastHash = tail.hash
        self.label = store.label
    }

    private func setRecovered(_ recovery: AuditRecovery) { recovered = recovery }

    /// Feeds every completion record written from now on into `ledger` (budgets).
    package func attach(ledger: BudgetLedger) { self.ledger = ledger }

    /// The last sequence number and hash in the chain (including buffered records).
    package var head: AuditReceipt { AuditReceipt(seq: seq, hash: lastHash) }

    /// Appends a record. The fsync policy defaults to `egressFsync` for `decision` records with an
    /// egress and `fsync` otherwise. Throws when the record cannot be encoded, the log is closed or
    /// failed, or (except for `.never`) the write fails.
    @discardableResult
    package func append(_ record: AuditRecord, fsync: AuditFsyncPolicy? = nil) async throws -> AuditReceipt {
        if let failure { throw failure }
        if closed { throw AuditError(.closed, "audit log is closed") }
        var record = record
        if record.timestamp.isEmpty { record.timestamp = AuditFiles.timestamp(configuration.clock()) }
        guard record.timestamp.utf8.count >= 10 else {
            throw AuditError(.invalidRecord, "timestamp '\(record.timestamp)' is not ISO-8601")
        }
        record.seq = seq + 1
        record.prevHash = lastHash
        let sealed = try AuditChain.seal(record, encoder: encoder)
        pending.append(
            AuditLine(
                bytes: sealed.line, day: String(record.timestamp.prefix(10)), seq: record.seq, hash: sealed.hash, prevHash: lastHash,
                kind: record.kind, id: record.id, timestamp: record.timestamp))
        seq = record.seq
        lastHash = sealed.hash
        pendingBytes += sealed.line.count
        let receipt = AuditReceipt(seq: seq, hash: sealed.hash)
        if record.kind == .completion, let ledger { await ledger.record(record) }

        let policy = fsync ?? ((record.kind == .decision && record.egress != nil) ? configuration.egressFsync : configuration.fsync)
        switch policy {
        case .always:
            needsSync = true
            try await waitForWrite()
        case .write, .interval:
            unsyncedInterval = true
            try await waitForWrite()
        case .never:
            if pendingBytes >= configuration.batchBytes { startFlush() } else { armTimer(milliseconds: 20) }
        }
        return receipt
    }

    private func waitForWrite() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiters.append(continuation)
            startFlush()
        }
    }

    /// Writes a `policy` record (name, content hash, price table, budgets) the first time this
    /// process sees the policy hash, so the review CLI can price records without the policy file.
    package func recordPolicy(_ policy: AuditPolicyRef, info: AuditPolicyInfo) async throws {
        guard !policiesLogged.contains(policy.hash) else { return }
        let record = AuditRecord(kind: .policy, id: "policy-\(policy.hash.prefix(16))", policy: policy, policyInfo: info)
        try await append(record, fsync: .always)
        policiesLogged.insert(policy.hash)
    }

    /// Writes and fsyncs everything buffered.
    package func flush() async throws {
        if let failure { throw failure }
        needsSync = true
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiters.append(continuation)
            startFlush()
        }
    }

    /// Flushes, fsyncs and closes the store. Further appends throw.
    package func close() async throws {
        if closed { return }
        var flushError: (any Error)?
        if failure == nil {
            do { try await flush() } catch { flushError = error }
        }
        closed = true
        while flushing { await Task.yield() }
        try await store.close()
        if let flushError { throw flushError }
    }

    private func armTimer(milliseconds: Int) {
        guard !timerArmed else { return }
        timerArmed = true
        Task {
            try? await Task.sleep(nanoseconds: UInt64(milliseconds) * 1_000_000)
            self.timerFired()
        }
    }

    private func timerFired() {
        timerArmed = false
        if flushing || closed || failure != nil { return }  // finishFlush starts the next batch
        if !pending.isEmpty || unsyncedInterval { startFlush() }
    }

    private func intervalMilliseconds() -> Int {
        if case .interval(let ms) = configuration.fsync { return ms }
        return 100
    }

    private func intervalDue() -> Bool {
        guard unsyncedInterval else { return false }
        let elapsed = DispatchTime.now().uptimeNanoseconds &- lastSync.uptimeNanoseconds
        return elapsed >= UInt64(intervalMilliseconds()) * 1_000_000
    }

    private func startFlush() {
        guard !flushing, failure == nil else { return }
        let sync = needsSync || intervalDue()
        guard !pending.isEmpty || sync || !waiters.isEmpty else { return }
        flushing = true
        let batch = pending
        let batchWaiters = waiters
        pending = []
        pendingBytes = 0
        waiters = []
        needsSync = false
        if sync { unsyncedInterval = false }
        let store = self.store
        Task.detached {
            let result: Result<Void, AuditError>
            do {
                try await store.write(batch, sync: sync)
                result = .success(())
            } catch let error as AuditError {
                result = .failure(error)
            } catch {
                result = .failure(AuditError(.io, "\(error)"))
            }
            await self.finishFlush(result, waiters: batchWaiters, synced: sync)
        }
    }

    private func finishFlush(_ result: Result<Void, AuditError>, waiters batchWaiters: [CheckedContinuation<Void, any Error>], synced: Bool) {
        flushing = false
        switch result {
        case .success:
            if synced { lastSync = DispatchTime.now() }
            for waiter in batchWaiters { waiter.resume() }
            // Appends that wait for their write and arrived during this flush go out at once (group
            // commit): they must not sit until the interval timer fires.
            if needsSync || !waiters.isEmpty || pendingBytes >= configuration.batchBytes {
                startFlush()
            } else if !pending.isEmpty || unsyncedInterval {
                armTimer(milliseconds: pending.isEmpty ? intervalMilliseconds() : 20)
            }
        case .failure(let error):
            let failed = AuditError(.failed, "audit write failed, log refuses records until the store takes them again: \(error.message)")
            failure = failed
            if failedAt == nil { failedAt = configuration.clock() }
            healthBox.withLockedValue { $0 = AuditHealth(ok: false, detail: "audit log unavailable (\(label)): \(error.message)", since: failedAt) }
            for waiter in batchWaiters { waiter.resume(throwing: failed) }
            for waiter in waiters { waiter.resume(throwing: failed) }
            waiters = []
            pending = []
            pendingBytes = 0
            startRecovery(after: error)
        }
    }

    // MARK: - Recovery

    private func startRecovery(after error: AuditError) {
        guard !recovering, !closed else { return }
        recovering = true
        let initial = configuration.retryInitial
        let maximum = configuration.retryMaximum
        Task {
            var delay = initial
            while true {
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                if await self.tryResume(cause: error) { return }
                delay = min(delay * 2, maximum)
            }
        }
    }

    /// One attempt to continue after a failure: the store drops what the failed write left and
    /// reports its tail; a `recovery` record notes the gap. True when done (or closed).
    private func tryResume(cause: AuditError) async -> Bool {
        if closed {
            recovering = false
            return true
        }
        let opening: AuditStoreOpening
        do {
            opening = try await store.reopen()
        } catch {
            healthBox.withLockedValue { $0.detail = "audit log unavailable (\(label)): \(error); retrying" }
            return false
        }
        seq = opening.tail.seq
        lastHash = opening.tail.hash
        failure = nil
        var note = opening.repaired ?? AuditRecovery(file: label, line: 0, bytesLost: 0)
        note.reason = "write failed: \(cause.message)"
        note.failedAt = failedAt.map(AuditFiles.timestamp)
        var record = AuditRecord(kind: .recovery, id: "recovery-\(opening.tail.seq + 1)", recovery: note)
        record.status = AuditStatus(state: "recovered")
        recovering = false
        do {
            try await append(record, fsync: .always)
        } catch {
            // The append failed again and started a new recovery of its own.
            return true
        }
        resumptions += 1
        failedAt = nil
        healthBox.withLockedValue { $0 = .healthy }
        return true
    }
}

/// The embedded default store: `audit-*.jsonl` files in a directory (see `AuditFileSink`). Writes and
/// fsyncs block, so they run on NIO's blocking-I/O thread pool, never on a thread that runs tasks or
/// event loops (`lumen serve` runs its tasks on the event loops).
final class AuditFileStore: AuditLineStore {
    private let configuration: AuditLogConfiguration
    private let sink = NIOLockedValueBox<AuditFileSink?>(nil)

    init(_ configuration: AuditLogConfiguration) {
        self.configuration = configuration
    }

    var label: String { "directory \(configuration.directory)" }

    private func current() throws -> AuditFileSink {
        guard let sink = sink.withLockedValue({ $0 }) else { throw AuditError(.closed, "audit directory is not open") }
        return sink
    }

    func write(_ lines: [AuditLine], sync: Bool) async throws {
        let sink = try current()
        try await NIOThreadPool.singleton.runIfActive { try sink.write(lines, sync: sync) }
    }

    func reopen() async throws -> AuditStoreOpening {
        let configuration = self.configuration
        let box = self.sink
        return try await NIOThreadPool.singleton.runIfActive {
            box.withLockedValue { $0?.abandon() }
            let (opened, tail, recovery) = try AuditFileSink.open(configuration)
            box.withLockedValue { $0 = opened }
            return AuditStoreOpening(tail: tail, repaired: recovery)
        }
    }

    func close() async throws {
        let sink = try current()
        try await NIOThreadPool.singleton.runIfActive { try sink.close() }
    }
}
