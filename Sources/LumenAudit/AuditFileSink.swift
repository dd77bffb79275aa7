import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file side of the writer: appends sealed lines, rotates files, fsyncs, keeps `audit.head`.
///
/// `@unchecked Sendable`: its mutable state is touched only by `open`, by the single in-flight flush
/// of `AuditLog` (the actor starts a flush only when none is running, and the actor hop between
/// flushes orders the accesses) and by `close`, which waits until no flush is running.
final class AuditFileSink: @unchecked Sendable {
    typealias Line = AuditLine
    typealias Tail = AuditTail

    private let directory: String
    private let maxFileBytes: Int
    /// Seals `audit.head` and its witness when set (a forger needs the key to move them).
    private let headKey: AuditHMAC?
    /// Replaces `write(2)` in tests (to inject ENOSPC); nil = the system call.
    private let writeCall: (@Sendable (Int32, UnsafeRawPointer, Int) -> Int)?
    /// Size of the current file before the batch being written, so a failed write can be undone.
    private var batchStart = 0
    private var witnessFD: Int32 = -1
    private var fd: Int32 = -1
    private var fileName = ""
    private var fileDay = ""
    private var fileCounter = 0
    private var fileBytes = 0
    private var fileLines = 0
    /// Where the last record written stands, while `audit.head` does not show it yet.
    private var unwrittenHead: Head?
    private var headWrittenAt: UInt64 = 0
    private var headFD: Int32 = -1

    struct Head {
        var file: String
        var line: Int
        var seq: Int
        var hash: String
    }

    private init(directory: String, maxFileBytes: Int, headKey: AuditHMAC?, writeCall: (@Sendable (Int32, UnsafeRawPointer, Int) -> Int)?) {
        self.directory = directory
        self.maxFileBytes = maxFileBytes
        self.headKey = headKey
        self.writeCall = writeCall
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        if headFD >= 0 { Glibc.close(headFD) }
        if witnessFD >= 0 { Glibc.close(witnessFD) }
    }

    /// Opens the directory, repairs a torn last line, and finds the chain's tail.
    static func open(_ configuration: AuditLogConfiguration) throws -> (AuditFileSink, Tail, AuditRecovery?) {
        let directory = configuration.directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AuditError(.io, "cannot create audit directory \(directory): \(error.localizedDescription)")
        }
        let sink = AuditFileSink(
            directory: directory, maxFileBytes: configuration.maxFileBytes, headKey: configuration.headKey, writeCall: configuration.writeCall)
        var tail = Tail(seq: 0, hash: AuditChain.genesisHash)
        var recovery: AuditRecovery?
        let files = try AuditFiles.logFiles(in: directory)
        for name in files.reversed() {
            let path = directory + "/" + name
            guard var data = FileManager.default.contents(atPath: path) else {
                throw AuditError(.io, "cannot read \(path)")
            }
            if let last = data.last, last != UInt8(ascii: "\n") {
                let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
                let lost = data.count - keep
                let lineNumber = data[..<keep].reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } + 1
                guard truncate(path, off_t(keep)) == 0 else {
                    throw AuditError(.io, "cannot truncate torn line of \(path): \(String(cString: strerror(errno)))")
                }
                data = data.prefix(keep)
                recovery = AuditRecovery(file: name, line: lineNumber, bytesLost: lost)
            }
            if sink.fileName.isEmpty, let parsed = AuditFiles.parse(name) {
                // Keep appending to the newest file.
                sink.fileName = name
                sink.fileDay = parsed.day
                sink.fileCounter = parsed.counter
                sink.fileBytes = data.count
                sink.fileLines = data.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            }
            if data.isEmpty { continue }
            let end = data.count - 1
            let start = (data[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            let lastLine = Array(data[start..<end])
            let header = lastLine.withUnsafeBufferPointer { AuditChain.check($0, computeHash: false) }
            guard let header else {
                throw AuditError(.corruptTail, "last line of \(path) is not an audit record; run `lumen audit verify` and repair by hand")
            }
            tail = Tail(seq: header.seq, hash: header.hash)
            break
        }
        if !sink.fileName.isEmpty {
            try sink.openCurrent()
        }
        return (sink, tail, recovery)
    }

    private func openCurrent() throws {
        let path = directory + "/" + fileName
        fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw AuditError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    private func rotate(day: String) throws {
        if fd >= 0 {
            guard fsync(fd) == 0 else { throw AuditError(.io, "fsync \(fileName): \(String(cString: strerror(errno)))") }
            Glibc.close(fd)
            fd = -1
        }
        fileCounter = day == fileDay ? fileCounter + 1 : 1
        fileDay = day
        fileName = AuditFiles.name(day: day, counter: fileCounter)
        fileBytes = 0
        fileLines = 0
        try openCurrent()
        let dirFD = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            Glibc.close(dirFD)
        }
    }

    /// Appends lines in order, rotating on day change or size; fsyncs when `sync`. Updates `audit.head`.
    func write(_ lines: [Line], sync: Bool) throws {
        batchStart = fileBytes
        let linesBefore = fileLines
        do {
            try writeLines(lines, sync: sync)
        } catch {
            // Undo this batch in the current file so no torn line stays behind (ftruncate needs no
            // free space); what is left is whole records. `reopen` re-reads the tail from disk.
            if fd >= 0, ftruncate(fd, off_t(batchStart)) == 0 {
                fileBytes = batchStart
                if fileLines >= linesBefore { fileLines = linesBefore }
            }
            throw error
        }
    }

    private func writeLines(_ lines: [Line], sync: Bool) throws {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count })
        for line in lines {
            if fd < 0 || line.day > fileDay || (fileBytes + buffer.count > 0 && fileBytes + buffer.count + line.bytes.count > maxFileBytes) {
                try writeAll(buffer)
                buffer.removeAll(keepingCapacity: true)
                try rotate(day: max(line.day, fileDay))
                batchStart = 0
            }
            buffer += line.bytes
            fileLines += 1
        }
        try writeAll(buffer)
        if sync, fd >= 0 {
            guard fsync(fd) == 0 else { throw AuditError(.io, "fsync \(fileName): \(String(cString: strerror(errno)))") }
        }
        if let last = lines.last { unwrittenHead = Head(file: fileName, line: fileLines, seq: last.seq, hash: last.hash) }
        // The head shows only data that is on disk, and is rewritten at most every `headInterval`
        // (it used to be replaced by a rename after every flush, which held every waiting append up
        // for milliseconds). A head that lags a little weakens the check only for the records
        // written since; `close` brings it up to date.
        let now = DispatchTime.now().uptimeNanoseconds
        if sync, let head = unwrittenHead, now &- headWrittenAt >= Self.headInterval {
            writeHead(head)
            headWrittenAt = now
            unwrittenHead = nil
        }
    }

    /// The shortest time between two replacements of `audit.head` (nanoseconds).
    static let headInterval: UInt64 = 100_000_000

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        try bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n =
                    writeCall.map { $0(fd, raw.baseAddress! + offset, raw.count - offset) }
                    ?? Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AuditError(.io, "write \(fileName): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        fileBytes += bytes.count
    }

    /// Best effort: the head is an extra check against removed tail records, not part of the chain.
    /// It is overwritten in place, padded with spaces to a fixed width (valid JSON whatever the
    /// previous content's length): no rename and no truncation to zero, which on ext4 would force the file's
    /// blocks out and stall the writer for milliseconds.
    ///
    /// Two copies are kept, `audit.head` and `audit.witness` (the second witness: removing the head
    /// together with the last records still leaves the witness pointing past the end). With a key
    /// (`LUMEN_AUDIT_HMAC_KEY`) each carries a `mac` over its fields, so neither can be rewritten to
    /// match a shortened log without the key.
    private func writeHead(_ head: Head) {
        var text = #"{"file":"\#(head.file)","line":\#(head.line),"seq":\#(head.seq),"hash":"\#(head.hash)""#
        if let headKey { text += #","mac":"\#(AuditFiles.headMAC(file: head.file, line: head.line, seq: head.seq, hash: head.hash, key: headKey))""# }
        text += "}"
        var bytes = Array(text.utf8)
        if bytes.count < Self.headWidth - 1 { bytes += [UInt8](repeating: UInt8(ascii: " "), count: Self.headWidth - 1 - bytes.count) }
        bytes.append(UInt8(ascii: "\n"))
        for name in [AuditFiles.headName, AuditFiles.witnessName] {
            var handle = name == AuditFiles.headName ? headFD : witnessFD
            if handle < 0 {
                handle = Glibc.open(directory + "/" + name, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
                guard handle >= 0 else { continue }
                if name == AuditFiles.headName { headFD = handle } else { witnessFD = handle }
            }
            let written = bytes.withUnsafeBytes { pwrite(handle, $0.baseAddress!, $0.count, 0) }
            if written == bytes.count { _ = ftruncate(handle, off_t(bytes.count)) }  // drops a longer old head's tail
        }
    }

    /// `audit.head`'s fixed width in bytes (a longer head is written whole).
    static let headWidth = 256

    func close() throws {
        guard fd >= 0 else { return }
        let result = fsync(fd)
        Glibc.close(fd)
        fd = -1
        guard result == 0 else { throw AuditError(.io, "fsync \(fileName): \(String(cString: strerror(errno)))") }
        if let head = unwrittenHead {
            writeHead(head)
            unwrittenHead = nil
        }
        if headFD >= 0 {
            Glibc.close(headFD)
            headFD = -1
        }
        if witnessFD >= 0 {
            Glibc.close(witnessFD)
            witnessFD = -1
        }
    }

    /// Closes the descriptors without flushing (after a failed write, before `open` runs again).
    func abandon() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        if headFD >= 0 { Glibc.close(headFD) }
        headFD = -1
        if witnessFD >= 0 { Glibc.close(witnessFD) }
        witnessFD = -1
    }
}
