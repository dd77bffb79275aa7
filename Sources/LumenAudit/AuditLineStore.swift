package import Foundation

/// One sealed record as the log hands it to its store: the exact line bytes (with newline) that
/// `AuditChain` hashed, and the fields a store indexes.
package struct AuditLine: Sendable {
    /// The line, newline included; the chain hash covers these bytes (see `AuditChain`).
    package var bytes: [UInt8]
    /// UTC day of the record (`YYYY-MM-DD`), for file rotation.
    package var day: String
    package var seq: Int
    package var hash: String
    package var prevHash: String
    package var kind: AuditRecordKind
    /// Request id (decision and completion share it).
    package var id: String
    package var timestamp: String

    package init(bytes: [UInt8], day: String, seq: Int, hash: String, prevHash: String, kind: AuditRecordKind, id: String, timestamp: String) {
        self.bytes = bytes
        self.day = day
        self.seq = seq
        self.hash = hash
        self.prevHash = prevHash
        self.kind = kind
        self.id = id
        self.timestamp = timestamp
    }
}

/// Where the chain stands: the last durable record's sequence number and hash.
package struct AuditTail: Sendable, Hashable {
    package var seq: Int
    package var hash: String

    package init(seq: Int, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    package static let genesis = AuditTail(seq: 0, hash: AuditChain.genesisHash)
}

/// What a store found when it (re)opened its chain: the tail and, if a torn or partial write had
/// to be dropped, what was repaired.
package struct AuditStoreOpening: Sendable {
    package var tail: AuditTail
    package var repaired: AuditRecovery?

    package init(tail: AuditTail, repaired: AuditRecovery? = nil) {
        self.tail = tail
        self.repaired = repaired
    }
}

/// The persistence behind an `AuditLog`: the embedded default writes files (`AuditFileSink`), the
/// shared store writes rows (LumenStore's PostgreSQL chain). The log seals records and batches them
/// (group commit); a store writes one batch at a time, in order, and is durable when `write` returns
/// (`sync`: also flushed to stable storage where the store distinguishes the two).
package protocol AuditLineStore: Sendable {
    /// Appends `lines` in order. Throws when any of them may not be stored; the log then stops
    /// taking records and calls `reopen()` until it succeeds.
    func write(_ lines: [AuditLine], sync: Bool) async throws
    /// Drops whatever a failed write left half done and returns the durable tail (after a crash or
    /// a failed write). Throws while the store is still unusable (disk full, database down).
    func reopen() async throws -> AuditStoreOpening
    /// Flushes and releases the store.
    func close() async throws
    /// A human name for messages (`directory /var/audit`, `postgres chain host-1/ab12`).
    var label: String { get }
}

/// Whether the log takes records, and if not why (for readiness and the router's refusals).
package struct AuditHealth: Sendable, Hashable {
    package var ok: Bool
    package var detail: String
    /// When the failure began (nil while healthy).
    package var since: Date?

    package static let healthy = AuditHealth(ok: true, detail: "audit log writable", since: nil)
}
