/// Writes the sealed body of an ``AuditRecord`` (every field but `seq`, `prev_hash` and `hash`) as
/// compact JSON with sorted keys, byte for byte what `AuditChain.makeEncoder()` produces, without
/// going through `Codable`: the proxy writes two records per request and `JSONEncoder` was the
/// largest single cost on that path.
///
/// Records with a `policyInfo` or `recovery` part (a handful per process) are left to `JSONEncoder`:
/// ``write(_:)`` returns nil for them. Tests compare both encoders on generated records.
struct AuditRecordWriter {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    /// The record's body, or nil when it must go through `JSONEncoder`.
    static func body(_ record: AuditRecord) -> [UInt8]? {
        guard record.policyInfo == nil, record.recovery == nil else { return nil }
        var writer = AuditRecordWriter()
        writer.write(record)
        return writer.bytes
    }

    // Keys in the order `.sortedKeys` puts them (byte order; all keys here are lower-case ASCII).
    private mutating func write(_ r: AuditRecord) {
        var o = ObjectState()
        if let v = r.classification { key("classification", &o); write(v) }
        if let v = r.context { key("context", &o); write(v) }
        if let v = r.costUSD { key("cost_usd", &o); number(v) }
        if let v = r.decision { key("decision", &o); write(v) }
        if let v = r.egress { key("egress", &o); write(v) }
        if let v = r.fallbacks {
            key("fallbacks", &o)
            array(v) { writer, fallback in writer.write(fallback) }
        }
        if let v = r.findingCounts { key("findings", &o); dictionary(v) { writer, n in writer.number(n) } }
        key("id", &o); string(r.id)
        if let v = r.keyID { key("key_id", &o); string(v) }
        key("kind", &o); string(r.kind.rawValue)
        if let v = r.latency { key("latency", &o); write(v) }
        if let v = r.requestedModel { key("model", &o); string(v) }
        if let v = r.policy { key("policy", &o); write(v) }
        if let v = r.redactions { key("redactions", &o); dictionary(v) { writer, counts in writer.write(counts) } }
        if let v = r.status { key("status", &o); write(v) }
        if let v = r.streamed { key("streamed", &o); bool(v) }
        if let v = r.tenant { key("tenant", &o); string(v) }
        key("ts", &o); string(r.timestamp)
        if let v = r.usage { key("usage", &o); write(v) }
        key("v", &o); number(r.version)
        close(o)
    }

    private mutating func write(_ v: AuditClassification) {
        var o = ObjectState()
        key("difficulty", &o); number(v.difficulty)
        key("estimated_tokens", &o); number(v.estimatedTokens)
        key("findings", &o); array(v.findings) { writer, finding in writer.write(finding) }
        key("language", &o); string(v.language)
        key("sensitivity", &o); number(v.sensitivity)
        key("topics", &o); array(v.topics) { writer, topic in writer.write(topic) }
        close(o)
    }

    private mutating func write(_ v: AuditFinding) {
        var o = ObjectState()
        key("end", &o); number(v.end)
        if let redacted = v.redacted { key("redacted", &o); bool(redacted) }
        key("score", &o); number(v.score)
        key("start", &o); number(v.start)
        key("type", &o); string(v.type)
        if let hmac = v.valueHMAC { key("value_hmac", &o); string(hmac) }
        close(o)
    }

    private mutating func write(_ v: AuditTopic) {
        var o = ObjectState()
        key("score", &o); number(v.score)
        key("topic", &o); string(v.topic)
        close(o)
    }

    private mutating func write(_ v: AuditContext) {
        var o = ObjectState()
        key("metadata", &o); dictionary(v.metadata) { writer, value in writer.string(value) }
        close(o)
    }

    private mutating func write(_ v: AuditDecision) {
        var o = ObjectState()
        key("action", &o); string(v.action)
        key("reason", &o); string(v.reason)
        key("route", &o); string(v.route.rawValue)
        key("rule", &o); string(v.rule)
        key("target", &o); string(v.target)
        close(o)
    }

    private mutating func write(_ v: AuditEgress) {
        var o = ObjectState()
        key("bytes_received", &o); number(v.bytesReceived)
        key("bytes_sent", &o); number(v.bytesSent)
        key("host", &o); string(v.host)
        close(o)
    }

    private mutating func write(_ v: AuditFallback) {
        var o = ObjectState()
        key("from", &o); string(v.from)
        key("reason", &o); string(v.reason)
        key("to", &o); string(v.to)
        close(o)
    }

    private mutating func write(_ v: AuditLatency) {
        var o = ObjectState()
        key("decision_ms", &o); number(v.decisionMs)
        if let first = v.firstTokenMs { key("first_token_ms", &o); number(first) }
        if let total = v.totalMs { key("total_ms", &o); number(total) }
        close(o)
    }

    private mutating func write(_ v: AuditPolicyRef) {
        var o = ObjectState()
        key("hash", &o); string(v.hash)
        key("name", &o); string(v.name)
        close(o)
    }

    private mutating func write(_ v: AuditRedactionCounts) {
        var o = ObjectState()
        key("mangled", &o); number(v.mangled)
        key("redacted", &o); number(v.redacted)
        key("restored", &o); number(v.restored)
        close(o)
    }

    private mutating func write(_ v: AuditStatus) {
        var o = ObjectState()
        if let code = v.code { key("code", &o); number(code) }
        if let error = v.error { key("error", &o); string(error) }
        key("state", &o); string(v.state)
        close(o)
    }

    private mutating func write(_ v: AuditUsage) {
        var o = ObjectState()
        key("completion_tokens", &o); number(v.completionTokens)
        key("prompt_tokens", &o); number(v.promptTokens)
        close(o)
    }

    // MARK: JSON primitives

    private struct ObjectState {
        var first = true
    }

    private mutating func key(_ name: StaticString, _ state: inout ObjectState) {
        bytes.append(state.first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        state.first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func close(_ state: ObjectState) {
        if state.first { bytes.append(UInt8(ascii: "{")) }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func array<T>(_ values: [T], _ element: (inout AuditRecordWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Dictionary members in `.sortedKeys` order.
    private mutating func dictionary<T>(_ values: [String: T], _ element: (inout AuditRecordWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in values.keys.sorted(by: Self.sortedKeysOrder).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            element(&self, values[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The order `JSONEncoder`'s `.sortedKeys` uses: by UTF-8 bytes.
    static func sortedKeysOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    private mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Like `JSONEncoder`: the shortest round-trip form, without a trailing `.0`.
    private mutating func number(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string with `JSONEncoder`'s escapes (`.withoutEscapingSlashes`): `"`, `\`, and control
    /// characters; everything else as UTF-8.
    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
