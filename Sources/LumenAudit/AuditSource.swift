import Foundation

/// The lines of one chain held in memory (a PostgreSQL chain, read for review).
package struct AuditSourceChunk: Sendable {
    /// The chain's name (used where a file name would be).
    package var name: String
    /// The sealed lines, without newline, in chain order.
    package var lines: [[UInt8]]

    package init(name: String, lines: [[UInt8]]) {
        self.name = name
        self.lines = lines
    }
}

/// Where the review commands read records from: an audit directory, or the chains of the shared
/// store (fetched by LumenStore). Both give the same lines, so every analysis has one code path and
/// the same output for the same records.
package enum AuditSource: Sendable {
    case directory(String)
    case chains([AuditSourceChunk])

    /// A store's records from more than one chain (several instances).
    package var hasSeveralChains: Bool {
        if case .chains(let chunks) = self { return Set(chunks.map(\.name)).count > 1 }
        return false
    }

    /// Calls `body` with each line as `AuditReader.forEachLine` does (file = chain name for chains).
    func forEachLine(_ body: (_ file: String, _ line: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ complete: Bool) throws -> Void) throws {
        switch self {
        case .directory(let directory):
            try AuditReader.forEachLine(in: directory, body)
        case .chains(let chunks):
            for chunk in chunks {
                for (index, line) in chunk.lines.enumerated() {
                    try line.withUnsafeBufferPointer { try body(chunk.name, index + 1, $0, true) }
                }
            }
        }
    }

    /// The lines in memory (a directory is read whole; complete lines only).
    package func chunks() throws -> [AuditSourceChunk] {
        switch self {
        case .chains(let chunks): return chunks
        case .directory(let directory):
            var lines: [[UInt8]] = []
            try AuditReader.forEachLine(in: directory) { _, _, bytes, complete in
                if complete, !bytes.isEmpty { lines.append(Array(bytes)) }
            }
            return [AuditSourceChunk(name: directory, lines: lines)]
        }
    }

    /// The chain fields of a line (nil when it is not an audit record line).
    package static func header(_ bytes: [UInt8]) -> (seq: Int, hash: String, prevHash: String)? {
        bytes.withUnsafeBufferPointer { AuditChain.check($0, computeHash: false) }.map { ($0.seq, $0.hash, $0.prevHash) }
    }
}

extension AuditReader {
    /// Decodes each complete line of `source` as `T`, skipping lines older than `since`.
    package static func forEach<T: Decodable>(
        source: AuditSource, as type: T.Type, since: String? = nil, containing needle: String? = nil, _ body: (T) throws -> Void
    ) throws {
        try forEachInChain(source: source, as: type, since: since, containing: needle) { value, _ in try body(value) }
    }

    /// Like `forEach(source:as:since:containing:_:)`, with the chain each record is in: a store's
    /// chain name when it has several chains (several instances), else "" (a directory, or a store
    /// of one chain, reads the same).
    package static func forEachInChain<T: Decodable>(
        source: AuditSource, as type: T.Type, since: String? = nil, containing needle: String? = nil, _ body: (T, String) throws -> Void
    ) throws {
        let decoder = JSONDecoder()
        let sinceBytes = since.map { Array($0.utf8) }
        let needleBytes = needle.map { Array($0.utf8) }
        let chains = source.hasSeveralChains
        try source.forEachLine { file, line, bytes, complete in
            if let value = try AuditReader.decodeLine(
                bytes, complete: complete, as: T.self, decoder: decoder, since: sinceBytes, containing: needleBytes, at: "\(file):\(line)"
            ) {
                try body(value, chains ? file : "")
            }
        }
    }

    /// Every complete record of `source` (optionally from `since`) in chain order.
    package static func records(source: AuditSource, since: String? = nil) throws -> [AuditRecord] {
        var out: [AuditRecord] = []
        try forEach(source: source, as: AuditRecord.self, since: since) { out.append($0) }
        return out
    }
}
