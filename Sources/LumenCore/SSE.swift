/// One Server-Sent Event: the `data` lines joined with `\n`, plus optional `event`, `id` and `retry`.
package struct SSEEvent: Sendable, Hashable {
    package var event: String?
    package var data: String
    package var id: String?
    package var retry: Int?

    package init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Whether this is OpenAI's end-of-stream sentinel, `data: [DONE]`.
    package var isDone: Bool { data == "[DONE]" }

    /// The `data: [DONE]` event.
    package static let done = SSEEvent(data: "[DONE]")

    /// The wire form: optional `event:`/`id:`/`retry:` lines, one `data:` line per line of `data`, then a blank line.
    package var encoded: String {
        var out = ""
        if let event { out += "event: \(event)\n" }
        if let id { out += "id: \(id)\n" }
        if let retry { out += "retry: \(retry)\n" }
        var line = String.UnicodeScalarView()
        var afterCR = false
        for scalar in data.unicodeScalars {
            if scalar == "\n" && afterCR {
                afterCR = false
                continue
            }
            afterCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                out += "data: \(String(line))\n"
                line = String.UnicodeScalarView()
            } else {
                line.append(scalar)
            }
        }
        out += "data: \(String(line))\n\n"
        return out
    }

    /// `encoded` as UTF-8 bytes.
    package var encodedBytes: [UInt8] { Array(encoded.utf8) }

    /// A comment line (`: text\n\n`), ignored by clients; used as a keep-alive.
    package static func comment(_ text: String) -> String {
        ": \(text.replacingNewlines())\n\n"
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }
}

/// An incremental Server-Sent-Events parser (WHATWG rules): feed it bytes as they arrive, in chunks
/// split anywhere (even inside a UTF-8 sequence or a CRLF), and it returns each complete event.
///
/// Lines end with LF, CR or CRLF; lines starting with `:` are comments; `data` lines are joined with
/// `\n`; an event is dispatched on a blank line, and only if it has data.
package struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var dataLines: [String] = []
    private var hasData = false
    private var eventType: String?
    private var lastId: String?
    private var retry: Int?
    private var sawFirstByte = false

    package init() {}

    /// Consumes `bytes` and returns the events completed by them.
    package mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [SSEEvent] where Bytes.Element == UInt8 {
        var events: [SSEEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                processLine(into: &events)
            case UInt8(ascii: "\r"):
                lastWasCR = true
                processLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Consumes a string (convenience for tests and small inputs).
    package mutating func feed(_ text: String) -> [SSEEvent] {
        feed(text.utf8)
    }

    /// Ends the stream: a pending line is processed, but an event not closed by a blank line is
    /// discarded, as the SSE specification requires. Returns events completed by the final line.
    package mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty { processLine(into: &events) }
        dataLines = []
        hasData = false
        eventType = nil
        return events
    }

    /// Whether bytes of an unfinished event are buffered (useful to detect a truncated stream).
    package var hasPendingData: Bool { !line.isEmpty || hasData }

    private mutating func processLine(into events: inout [SSEEvent]) {
        var bytes = line
        line.removeAll(keepingCapacity: true)
        if !sawFirstByte {
            sawFirstByte = true
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        }
        if bytes.isEmpty {
            if hasData {
                events.append(SSEEvent(event: eventType, data: dataLines.joined(separator: "\n"), id: lastId, retry: retry))
            }
            dataLines = []
            hasData = false
            eventType = nil
            return
        }
        if bytes.first == UInt8(ascii: ":") { return }
        let field: String
        let value: String
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: bytes[..<colon], as: UTF8.self)
            var start = colon + 1
            if start < bytes.endIndex, bytes[start] == UInt8(ascii: " ") { start += 1 }
            value = String(decoding: bytes[start...], as: UTF8.self)
        } else {
            field = String(decoding: bytes, as: UTF8.self)
            value = ""
        }
        switch field {
        case "data":
            dataLines.append(value)
            hasData = true
        case "event":
            eventType = value
        case "id":
            if !value.utf8.contains(0) { lastId = value }
        case "retry":
            if let ms = Int(value), value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { retry = ms }
        default:
            break
        }
    }
}
