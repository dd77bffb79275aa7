import LumenCore

/// Writes the sealed body of an ``AuditRecord`` (every field but `seq`, `prev_hash` and `hash`) as
/// compact JSON with sorted keys, byte for byte what `AuditChain.makeEncoder()` produces, without
/// going through `Codable`: the proxy writes two records per request and `JSONEncoder` was the
/// largest single cost on that path.
///
/// Records with a `policyInfo` or `recovery` part (a handful per process) are left to `JSONEncoder`:
/// ``body(_:)`` returns nil for them. Tests compare both encoders on generated records.
enum AuditRecordWriter {
    /// The record's body, or nil when it must go through `JSONEncoder`.
    static func body(_ record: AuditRecord) -> [UInt8]? {
        guard record.policyInfo == nil, record.recovery == nil else { return nil }
        var writer = JSONBytesWriter(capacity: 1024)
        var object = JSONBytesWriter.Object()
        writer.write(record, &object)
        return writer.bytes
    }

    /// The bytes the chain hashes (see ``AuditChain``): `{"seq":N,"prev_hash":"P"`, then the
    /// record's body after its `{`, in one buffer (what `AuditChain.seal` spliced together from
    /// ``body(_:)``); nil when the record must go through `JSONEncoder`. The record's `seq`,
    /// `prevHash` and `hash` are not read.
    static func canonical(_ record: AuditRecord, seq: Int, prevHash: String) -> [UInt8]? {
        guard record.policyInfo == nil, record.recovery == nil else { return nil }
        var writer = linePrefix(seq: seq, prevHash: prevHash, capacity: 1280)
        var object = JSONBytesWriter.Object.continued
        writer.write(record, &object)
        return writer.bytes
    }

    /// A writer holding a line's chain prefix, `{"seq":N,"prev_hash":"P"`: the record's members
    /// follow, each after a comma.
    static func linePrefix(seq: Int, prevHash: String, capacity: Int) -> JSONBytesWriter {
        var writer = JSONBytesWriter(capacity: capacity)
        writer.raw(contentsOf: AuditChain.seqPrefix)
        writer.number(seq)
        writer.raw(contentsOf: AuditChain.prevPrefix)
        writer.raw(contentsOf: prevHash.utf8)
        writer.raw(UInt8(ascii: "\""))
        return writer
    }
}

/// One writer per audit part, on the shared JSON primitives.
extension JSONBytesWriter {
    // Keys in the order `.sortedKeys` puts them (byte order; all keys here are lower-case ASCII).
    /// The record's members into `o` (a fresh object, or one whose first members are written).
    fileprivate mutating func write(_ r: AuditRecord, _ o: inout Object) {
        if let v = r.api {
            key("api", &o)
            string(v)
        }
        if let v = r.classification {
            key("classification", &o)
            write(v)
        }
        if let v = r.context {
            key("context", &o)
            write(v)
        }
        if let v = r.costUSD {
            key("cost_usd", &o)
            number(v)
        }
        if let v = r.decision {
            key("decision", &o)
            write(v)
        }
        if let v = r.egress {
            key("egress", &o)
            write(v)
        }
        if let v = r.fallbacks {
            key("fallbacks", &o)
            array(v) { writer, fallback in writer.write(fallback) }
        }
        if let v = r.findingCounts {
            key("findings", &o)
            dictionary(v) { writer, n in writer.number(n) }
        }
        key("id", &o)
        string(r.id)
        if let v = r.keyID {
            key("key_id", &o)
            string(v)
        }
        key("kind", &o)
        string(r.kind.rawValue)
        if let v = r.latency {
            key("latency", &o)
            write(v)
        }
        if let v = r.requestedModel {
            key("model", &o)
            string(v)
        }
        if let v = r.policy {
            key("policy", &o)
            write(v)
        }
        if let v = r.redactions {
            key("redactions", &o)
            dictionary(v) { writer, counts in writer.write(counts) }
        }
        if let v = r.status {
            key("status", &o)
            write(v)
        }
        if let v = r.streamed {
            key("streamed", &o)
            bool(v)
        }
        if let v = r.tenant {
            key("tenant", &o)
            string(v)
        }
        key("ts", &o)
        string(r.timestamp)
        if let v = r.usage {
            key("usage", &o)
            write(v)
        }
        key("v", &o)
        number(r.version)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditClassification) {
        var o = Object()
        key("difficulty", &o)
        number(v.difficulty)
        key("estimated_tokens", &o)
        number(v.estimatedTokens)
        key("findings", &o)
        array(v.findings) { writer, finding in writer.write(finding) }
        if let injections = v.injections {
            key("injections", &o)
            array(injections) { writer, injection in writer.write(injection) }
        }
        key("language", &o)
        string(v.language)
        if let omitted = v.omitted {
            key("omitted", &o)
            number(omitted)
        }
        key("sensitivity", &o)
        number(v.sensitivity)
        key("topics", &o)
        array(v.topics) { writer, topic in writer.write(topic) }
        close(o)
    }

    fileprivate mutating func write(_ v: AuditFinding) {
        var o = Object()
        if let area = v.area {
            key("area", &o)
            string(area)
        }
        key("end", &o)
        number(v.end)
        if let fixed = v.fixed {
            key("fixed", &o)
            bool(fixed)
        }
        if let location = v.location {
            key("location", &o)
            string(location)
        }
        if let redacted = v.redacted {
            key("redacted", &o)
            bool(redacted)
        }
        key("score", &o)
        number(v.score)
        key("start", &o)
        number(v.start)
        key("type", &o)
        string(v.type)
        if let hmac = v.valueHMAC {
            key("value_hmac", &o)
            string(hmac)
        }
        close(o)
    }

    fileprivate mutating func write(_ v: AuditInjection) {
        var o = Object()
        key("area", &o)
        string(v.area)
        key("flagged", &o)
        bool(v.flagged)
        key("kinds", &o)
        array(v.kinds) { writer, kind in writer.string(kind) }
        key("location", &o)
        string(v.location)
        key("score", &o)
        number(v.score)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditTopic) {
        var o = Object()
        key("score", &o)
        number(v.score)
        key("topic", &o)
        string(v.topic)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditContext) {
        var o = Object()
        if let parts = v.binaryParts {
            key("binary_parts", &o)
            array(parts) { writer, part in writer.string(part) }
        }
        if let headers = v.headers {
            key("headers", &o)
            dictionary(headers) { writer, value in writer.string(value) }
        }
        if let inputs = v.inputs {
            key("inputs", &o)
            array(inputs) { writer, input in writer.string(input) }
        }
        key("metadata", &o)
        dictionary(v.metadata) { writer, value in writer.string(value) }
        if let remaining = v.remainingUSD {
            key("remaining_usd", &o)
            number(remaining)
        }
        if let remaining = v.tenantRemainingUSD {
            key("tenant_remaining_usd", &o)
            number(remaining)
        }
        close(o)
    }

    fileprivate mutating func write(_ v: AuditDecision) {
        var o = Object()
        key("action", &o)
        string(v.action)
        key("reason", &o)
        string(v.reason)
        key("route", &o)
        string(v.route.rawValue)
        key("rule", &o)
        string(v.rule)
        key("target", &o)
        string(v.target)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditEgress) {
        var o = Object()
        key("bytes_received", &o)
        number(v.bytesReceived)
        key("bytes_sent", &o)
        number(v.bytesSent)
        key("host", &o)
        string(v.host)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditFallback) {
        var o = Object()
        key("from", &o)
        string(v.from)
        key("reason", &o)
        string(v.reason)
        key("to", &o)
        string(v.to)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditLatency) {
        var o = Object()
        key("decision_ms", &o)
        number(v.decisionMs)
        if let first = v.firstTokenMs {
            key("first_token_ms", &o)
            number(first)
        }
        if let total = v.totalMs {
            key("total_ms", &o)
            number(total)
        }
        close(o)
    }

    fileprivate mutating func write(_ v: AuditPolicyRef) {
        var o = Object()
        key("hash", &o)
        string(v.hash)
        key("name", &o)
        string(v.name)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditRedactionCounts) {
        var o = Object()
        key("mangled", &o)
        number(v.mangled)
        key("redacted", &o)
        number(v.redacted)
        key("restored", &o)
        number(v.restored)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditStatus) {
        var o = Object()
        if let code = v.code {
            key("code", &o)
            number(code)
        }
        if let error = v.error {
            key("error", &o)
            string(error)
        }
        key("state", &o)
        string(v.state)
        close(o)
    }

    fileprivate mutating func write(_ v: AuditUsage) {
        var o = Object()
        if let read = v.cacheReadTokens {
            key("cache_read_tokens", &o)
            number(read)
        }
        if let write = v.cacheWriteTokens {
            key("cache_write_tokens", &o)
            number(write)
        }
        key("completion_tokens", &o)
        number(v.completionTokens)
        key("prompt_tokens", &o)
        number(v.promptTokens)
        if let searches = v.webSearches {
            key("web_search_requests", &o)
            number(searches)
        }
        close(o)
    }
}
