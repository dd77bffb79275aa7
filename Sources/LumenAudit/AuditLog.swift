public import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// When records reach the disk.
public enum AuditFsyncPolicy: Sendable, Hashable {
    /// `append` returns only after the record is written and fsynced (group commit: concurrent
    /// appends share one fsync).
    case always
    /// `append` returns only after the record is written to the file (group write: concurrent appends
    /// share one `write`), so it survives a crash of the process; the fsync follows within the log's
    /// `fsync` interval. Cheaper than `.always` by the disk's flush latency; loses records only if the
    /// machine itself goes down within that interval.
    case write
    /// `append` returns at once; records are written in batches and fsynced at most `milliseconds` later.
    case interval(milliseconds: Int)
    /// `append` returns at once; records are written in batches, never fsynced by the log.
    case never

    /// Parses `always`, `write`, `never`, `interval` (100 ms) or `interval:N` / `N` (milliseconds).
    public init(parsing text: String) throws {
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
public struct AuditLogConfiguration: Sendable {
    /// Directory holding `audit-*.jsonl` (created if missing).
    public var directory: String
    /// A new file starts when the current one would exceed this size, or when the UTC day changes.
    public var maxFileBytes: Int
    /// Fsync policy for records that do not precede egress (completions, local requests, policy records).
    public var fsync: AuditFsyncPolicy
    /// Fsync policy for `decision` records that carry an egress (written before a remote request is sent).
    /// Keep `.always` so a record is on disk before anything leaves.
    public var egressFsync: AuditFsyncPolicy
    /// Unsynced records are written once this many bytes are buffered.
    public var batchBytes: Int
    /// Source of timestamps for records without one.
    public var clock: @Sendable () -> Date

    public init(
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
public struct AuditReceipt: Sendable, Hashable {
    public var seq: Int
    public var hash: String
}

/// The append-only, hash-chained audit log writer. One instance per directory; safe to call from any
/// number of concurrent tasks (one chain). Every failure throws, and after a failed write the log
/// refuses all further appends (fail closed) until reopened.
///
/// Durability: records whose policy is `.always` (by default the pre-egress `decision` records) are
/// on disk when `append` returns. Other records are batched; a write error on them surfaces on the
/// next `append` or `flush`.
public actor AuditLog {
    public let configuration: AuditLogConfiguration
    private let encoder = AuditChain.makeEncoder()
    private let sink: AuditFileSink
    private var seq: Int
    private var lastHash: String
    private var pending: [AuditFileSink.Line] = []
    private var pendingBytes = 0
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var needsSync = false
    private var unsyncedInterval = false
    private var lastSync = DispatchTime.now()
    private var flushing = false
    private var timerArmed = false
    private var failure: AuditError?
    private var closed = false
    private var policiesLogged: Set<String> = []
    private var ledger: BudgetLedger?

    /// What `open` repaired, if the last line was torn by a crash.
    public private(set) var recovered: AuditRecovery?

    /// Opens (or creates) the log in `configuration.directory`. A torn last line is truncated and a
    /// `recovery` record notes the loss; the chain continues from the last complete record.
    public static func open(_ configuration: AuditLogConfiguration) async throws -> AuditLog {
        let (sink, tail, recovery) = try AuditFileSink.open(configuration)
        let log = AuditLog(configuration: configuration, sink: sink, seq: tail.seq, hash: tail.hash)
        if let recovery {
            await log.setRecovered(recovery)
            var record = AuditRecord(kind: .recovery, id: "recovery-\(tail.seq + 1)", recovery: recovery)
            record.status = AuditStatus(state: "recovered")
            _ = try await log.append(record, fsync: .always)
        }
        return log
    }

    private init(configuration: AuditLogConfiguration, sink: AuditFileSink, seq: Int, hash: String) {
        self.configuration = configuration
        self.sink = sink
        self.seq = seq
        self.lastHash = hash
    }

    private func setRecovered(_ recovery: AuditRecovery) { recovered = recovery }

    /// Feeds every completion record written from now on into `ledger` (budgets).
    public func attach(ledger: BudgetLedger) { self.ledger = ledger }

    /// The last sequence number and hash in the chain (including buffered records).
    public var head: AuditReceipt { AuditReceipt(seq: seq, hash: lastHash) }

    /// Appends a record. The fsync policy defaults to `egressFsync` for `decision` records with an
    /// egress and `fsync` otherwise. Throws when the record cannot be encoded, the log is closed or
    /// failed, or (for `.always`) the write or fsync fails.
    @discardableResult
    public func append(_ record: AuditRecord, fsync: AuditFsyncPolicy? = nil) async throws -> AuditReceipt {
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
        seq = record.seq
        lastHash = sealed.hash
        pending.append(AuditFileSink.Line(bytes: sealed.line, day: String(record.timestamp.prefix(10)), seq: seq, hash: sealed.hash))
        pendingBytes += sealed.line.count
        let receipt = AuditReceipt(seq: seq, hash: sealed.hash)
        if record.kind == .completion, let ledger { await ledger.record(record) }

        let policy = fsync ?? ((record.kind == .decision && record.egress != nil) ? configuration.egressFsync : configuration.fsync)
        switch policy {
        case .always:
            needsSync = true
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.append(continuation)
                startFlush()
            }
        case .write:
            unsyncedInterval = true
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.append(continuation)
                startFlush()
            }
        case .interval(let ms):
            unsyncedInterval = true
            if pendingBytes >= configuration.batchBytes { startFlush() } else { armTimer(milliseconds: ms) }
        case .never:
            if pendingBytes >= configuration.batchBytes { startFlush() } else { armTimer(milliseconds: 20) }
        }
        return receipt
    }

    /// Writes a `policy` record (name, content hash, price table, budgets) the first time this
    /// process sees the policy hash, so the review CLI can price records without the policy file.
    public func recordPolicy(_ policy: AuditPolicyRef, info: AuditPolicyInfo) async throws {
        guard !policiesLogged.contains(policy.hash) else { return }
        let record = AuditRecord(kind: .policy, id: "policy-\(policy.hash.prefix(16))", policy: policy, policyInfo: info)
        try await append(record, fsync: .always)
        policiesLogged.insert(policy.hash)
    }

    /// Writes and fsyncs everything buffered.
    public func flush() async throws {
        if let failure { throw failure }
        needsSync = true
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiters.append(continuation)
            startFlush()
        }
    }

    /// Flushes, fsyncs and closes the file. Further appends throw.
    public func close() async throws {
        if closed { return }
        try await flush()
        closed = true
        while flushing { await Task.yield() }
        try sink.close()
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
        if flushing || closed { return }  // finishFlush starts the next batch
        if !pending.isEmpty || unsyncedInterval { startFlush() }
    }

    private func intervalDue() -> Bool {
        guard unsyncedInterval, case .interval(let ms) = configuration.fsync else { return unsyncedInterval }
        let elapsed = DispatchTime.now().uptimeNanoseconds &- lastSync.uptimeNanoseconds
        return elapsed >= UInt64(ms) * 1_000_000
    }

    private func startFlush() {
        guard !flushing else { return }
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
        let sink = self.sink
        // Writes and fsyncs block: they run on NIO's blocking-I/O thread pool, never on a thread that
        // runs tasks or event loops (`lumen serve` runs its tasks on the event loops).
        Task.detached {
            let result: Result<Void, AuditError>
            do {
                try await NIOThreadPool.singleton.runIfActive { try sink.write(batch, sync: sync) }
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
            // Appends that wait for their write (`.always`, `.write`) and arrived during this flush go
            // out at once: they must not sit until the interval timer fires.
            if needsSync || !waiters.isEmpty || pendingBytes >= configuration.batchBytes {
                startFlush()
            } else if !pending.isEmpty || unsyncedInterval {
                let ms: Int
                if case .interval(let interval) = configuration.fsync { ms = interval } else { ms = 20 }
                armTimer(milliseconds: ms)
            }
        case .failure(let error):
            let failed = AuditError(.failed, "audit write failed, log refuses further records: \(error.message)")
            failure = failed
            for waiter in batchWaiters { waiter.resume(throwing: failed) }
            for waiter in waiters { waiter.resume(throwing: failed) }
            waiters = []
            pending = []
        }
    }
}
