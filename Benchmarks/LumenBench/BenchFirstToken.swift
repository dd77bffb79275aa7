import ArgumentParser
import Foundation
import LumenCore
import LumenFakeUpstream

#if canImport(Glibc)
import Glibc
#endif

/// `lumen-bench first-token`: how long a streamed token takes from the moment the upstream sends it
/// to the moment the client has it, through `lumen serve` (redaction and restoration on) and, as the
/// peer, straight from the upstream to the same client.
///
/// The fake upstream runs in this process and notes the instant just before it writes each SSE event;
/// `lumen serve` runs as a child process; the client is a blocking socket on its own thread that notes
/// the instant the bytes of the first content token arrive. All instants are CLOCK_MONOTONIC, which is
/// one clock for every process on the machine.
struct BenchFirstToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "first-token",
        abstract:
            "Streamed first-token delay added by the proxy (upstream send → client receive): Chat Completions plain and with a restored placeholder, Anthropic Messages and Responses plain.",
        discussion: """
            Cases: 'plain' (a prompt without personal data, streamed as is) and 'placeholder' (the answer \
            starts with an e-mail address, which left as [EMAIL_1] and is restored in the stream; the clock \
            starts when the upstream sends the event that completes the placeholder), both on \
            /v1/chat/completions; 'messages' (POST /v1/messages to an Anthropic-shaped target, passed \
            through) and 'responses' (POST /v1/responses, translated to an OpenAI-shaped target). The \
            floor is a bare forwarder to the same upstream endpoint that Lumen's target uses, with the \
            body that endpoint takes. Events are 4 characters each, --interval apart. Target: p99 ≤ 1 ms \
            after the upstream sent it, and within 1 ms of the floor.
            """
    )

    @Option(help: "Streamed requests per case.")
    var requests = 200

    @Option(help: "Milliseconds between the upstream's events.")
    var interval = 2

    func validate() throws {
        guard requests >= 10 else { throw ValidationError("--requests must be at least 10") }
        guard interval >= 0 else { throw ValidationError("--interval must not be negative") }
    }

    func run() async throws {
        let binary = try BenchProxyRunner.lumenBinary()
        let forwarderBinary = BenchProxyRunner.benchBinary()
        let work = try BenchProxyRunner.scratchDirectory("lumen-bench-ft")
        defer { try? FileManager.default.removeItem(at: work) }

        let sent = SendLog()
        let chunkSize = 4
        let upstream = try await LumenFakeUpstream.FakeUpstream.start(
            options: FakeUpstreamOptions(
                echo: true, streamChunkSize: chunkSize,
                streamInterval: interval > 0 ? .milliseconds(interval) : nil,
                onStreamEvent: { request, event, at in sent.note(request: request, event: event, at: at) }
            )
        )
        let proxyPort = try BenchProxyRunner.freePort()
        let policyPath = work.appendingPathComponent("first-token.yaml").path
        try """
        name: bench-first-token
        description: Everything to the fake upstream; personal data pseudonymised, for lumen-bench first-token.
        targets:
          - name: remote
            kind: openai
            base_url: \(upstream.baseURL)
            model: bench-model
            api_key_env: LUMEN_REMOTE_API_KEY
            price: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
          - name: claude
            kind: anthropic
            base_url: \(upstream.baseURL)
            model: bench-model
            api_key_env: LUMEN_REMOTE_API_KEY
            price: { input_per_mtok: 3.0, output_per_mtok: 15.0 }
        models:
          "claude-*": claude
        rules:
          - name: personal-redacted
            when:
              findings: { any_of: [personal], min_score: 0.5 }
            redact: remote
        default:
          route: remote
        redaction:
          default: pseudonymise
        """.write(toFile: policyPath, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["LUMEN_REMOTE_API_KEY"] = "bench-key"
        let proxy = try BenchProxyRunner.spawn(
            binary,
            [
                "serve", "--policy", policyPath, "--host", "127.0.0.1", "--port", String(proxyPort),
                "--audit-dir", work.appendingPathComponent("audit").path,
            ],
            environment: environment
        )
        defer { BenchProxyRunner.stop(proxy) }
        try BenchProxyRunner.waitForPort(proxyPort)
        // The floor: the same HTTP stack streaming the upstream's bytes through, nothing of Lumen
        // (one per upstream endpoint: the forwarder posts every body to its one URL).
        let (forwarder, forwarderPort) = try BenchProxyRunner.startForwarder(forwarderBinary, upstream: upstream.baseURL + "/chat/completions")
        defer { BenchProxyRunner.stop(forwarder) }
        let (messagesForwarder, messagesForwarderPort) = try BenchProxyRunner.startForwarder(
            forwarderBinary, upstream: upstream.baseURL + "/messages")
        defer { BenchProxyRunner.stop(messagesForwarder) }

        let email = "jane.doe@example.com"
        let placeholder = "[EMAIL_1]"
        let plain = "Tell me about lighthouses and the ships they guide home."
        let cases: [(name: String, api: InboundAPI, prompt: String, expected: String, event: Int)] = [
            // Event 0 is the role chunk; event 1 carries the first 4 characters.
            ("plain", .chatCompletions, plain, "Tell", 1),
            (
                "placeholder", .chatCompletions, "\(email) asked about lighthouses and the ships they guide home.", email,
                (placeholder.count + chunkSize - 1) / chunkSize
            ),
            // Anthropic events: message_start, ping, content_block_start, then the first text_delta.
            ("messages", .anthropicMessages, plain, "Tell", 3),
            ("responses", .responses, plain, "Tell", 1),
        ]
        print(
            "lumen-bench first-token — upstream send → client receive of the first token, \(requests) streamed requests per case and route (routes taken in turn), events every \(interval) ms"
        )
        var ordinal = 0
        for streamCase in cases {
            // The upstream endpoint Lumen's target uses for this API, and the body it takes.
            let anthropic = streamCase.api == .anthropicMessages
            let routes = [
                ("direct", upstream.port, anthropic ? "/v1/messages" : "/v1/chat/completions"),
                ("floor", anthropic ? messagesForwarderPort : forwarderPort, "/v1/chat/completions"),
                ("lumen", proxyPort, Self.path(of: streamCase.api)),
            ]
            // What each route is sent and what its first token must be.
            let probes = try routes.map { route, port, path in
                // The peers get what the upstream would get from Lumen: the redacted prompt.
                let lumen = route == "lumen"
                let prompt = lumen ? streamCase.prompt : streamCase.prompt.replacingOccurrences(of: email, with: placeholder)
                let body: JSONValue
                switch (lumen, streamCase.api) {
                case (true, .responses):
                    body = ["model": "auto", "stream": true, "max_output_tokens": 64, "input": .string(prompt)]
                case (_, .anthropicMessages):
                    body = [
                        "model": lumen ? "claude-bench" : "bench-model", "stream": true, "max_tokens": 64,
                        "messages": [["role": "user", "content": .string(prompt)]],
                    ]
                default:
                    body = [
                        "model": lumen ? "auto" : "bench-model", "stream": true, "max_tokens": 64,
                        "messages": [["role": "user", "content": .string(prompt)]],
                    ]
                }
                return (
                    route: route,
                    endpoint: Endpoint(
                        port: port, path: path, body: try WireJSON.encodeString(body),
                        authorization: route == "direct" ? "Bearer bench-key" : nil
                    ),
                    expected: !lumen && streamCase.name == "placeholder" ? "[EMA" : streamCase.expected,
                    event: lumen || anthropic ? streamCase.event : 1
                )
            }
            var delays = Array(repeating: [Double](), count: probes.count)
            var lumenOrdinals: [Int] = []
            // One request per route in turn, so the three see the same moments of a noisy host.
            for index in 0..<(requests + 10) {
                for (position, probe) in probes.enumerated() {
                    guard let received = StreamClient.firstContent(probe.endpoint) else {
                        throw ValidationError("\(probe.route) \(streamCase.name): the stream failed or carried no content")
                    }
                    ordinal += 1
                    if probe.route == "lumen" { lumenOrdinals.append(ordinal) }
                    // The first delta may carry only part of the expected text (Lumen re-chunks restored values).
                    guard received.text.hasPrefix(probe.expected) || probe.expected.hasPrefix(received.text) else {
                        throw ValidationError("\(probe.route) \(streamCase.name): first content was '\(received.text)', expected '\(probe.expected)'")
                    }
                    guard let at = sent.instant(request: ordinal, event: probe.event) else {
                        throw ValidationError("the upstream did not note event \(probe.event) of request \(ordinal)")
                    }
                    if index >= 10 { delays[position].append((received.at - at).seconds * 1e6) }
                }
            }
            if streamCase.name == "placeholder" {
                // The measurement means something only if the value really left as a placeholder.
                let recorded = await upstream.recordedRequests().filter { $0.path.hasSuffix("/chat/completions") || $0.path.hasSuffix("/messages") }
                guard recorded.count == ordinal,
                    lumenOrdinals.allSatisfy({ recorded[$0 - 1].body.contains(placeholder) && !recorded[$0 - 1].body.contains(email) })
                else {
                    throw ValidationError("the upstream received the raw e-mail address: the bench policy did not redact")
                }
            }
            let floorP99 = BenchDecision.percentile(delays[1].sorted(), 0.99)
            for (position, probe) in probes.enumerated() {
                let sorted = delays[position].sorted()
                func pick(_ p: Double) -> Double { BenchDecision.percentile(sorted, p) }
                var verdict = ""
                if probe.route == "lumen" {
                    let over = pick(0.99) - floorP99
                    verdict = String(
                        format: "   (p99 ≤ 1000 µs %@; floor + %.0f µs, within 1000 µs %@)",
                        pick(0.99) <= 1000 ? "✔" : "✘", over, over <= 1000 ? "✔" : "✘"
                    )
                }
                print(
                    String(
                        format: "  %@ %@ p50 %7.0f µs  p99 %7.0f µs  max %7.0f µs%@",
                        streamCase.name.rightPadded(11) as NSString,
                        probe.route.rightPadded(6) as NSString,
                        pick(0.5), pick(0.99), pick(1.0), verdict as NSString
                    ))
            }
        }
        print("(the placeholder case starts the clock at the upstream event that completes \(placeholder): a restorer cannot emit the value earlier;")
        print(" floor: a bare forwarder on the same HTTP stack, Hummingbird in and AsyncHTTPClient out, streaming the bytes through)")
        await upstream.shutdown()
    }
}

extension BenchFirstToken {
    static func path(of api: InboundAPI) -> String {
        switch api {
        case .chatCompletions: return "/v1/chat/completions"
        case .anthropicMessages: return "/v1/messages"
        case .responses: return "/v1/responses"
        }
    }
}

/// Instants at which the in-process fake upstream sent each event, by request ordinal.
final class SendLog: Sendable {
    // Mutex-guarded dictionary.
    private let state = LockedValue<[Int: [Int: ContinuousClock.Instant]]>([:])

    func note(request: Int, event: Int, at: ContinuousClock.Instant) {
        state.withLock { $0[request, default: [:]][event] = at }
    }

    func instant(request: Int, event: Int) -> ContinuousClock.Instant? {
        state.withLock { $0[request]?[event] }
    }
}

/// A value behind an `NSLock`.
final class LockedValue<Value>: @unchecked Sendable {
    // Safe: `value` is only read or written inside `withLock`, which holds `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// A blocking SSE client: sends one streaming request and notes when the first content token arrives,
/// then reads the stream to its end (so the connection and the upstream's request finish cleanly).
enum StreamClient {
    struct FirstContent {
        var text: String
        var at: ContinuousClock.Instant
    }

    static func firstContent(_ endpoint: Endpoint) -> FirstContent? {
        guard let fd = LoadGenerator.connectTo(port: endpoint.port) else { return nil }
        defer { close(fd) }
        // One request per connection, so the end of the stream is the end of the connection.
        var request = endpoint.requestBytes
        let head = Array("\r\n\r\n".utf8)
        if let end = LoadGenerator.find(request, head) {
            request.insert(contentsOf: Array("\r\nConnection: close".utf8), at: end)
        }
        let sentBytes = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sentBytes == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var pending: [UInt8] = []
        var body: [UInt8] = []
        var headerDone = false
        var chunked = false
        var first: FirstContent?
        var sawDone = false
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            let now = ContinuousClock.now
            pending.append(contentsOf: buffer[0..<n])
            if !headerDone {
                guard let end = LoadGenerator.find(pending, head) else { continue }
                let header = String(decoding: pending[0..<end], as: UTF8.self)
                guard header.split(separator: " ").dropFirst().first == "200" else { return nil }
                chunked = header.lowercased().contains("transfer-encoding: chunked")
                pending.removeFirst(end + 4)
                headerDone = true
            }
            if chunked {
                dechunk(&pending, into: &body)
            } else {
                body += pending
                pending.removeAll()
            }
            if first == nil, let text = firstContentText(in: body) { first = FirstContent(text: text, at: now) }
            // The end of the stream in each API: [DONE], message_stop, response.completed.
            if ["[DONE]", "\"message_stop\"", "\"response.completed\""].contains(where: { LoadGenerator.find(body, Array($0.utf8)) != nil }) {
                sawDone = true
            }
        }
        return sawDone ? first : nil
    }

    /// Moves the payload of every complete HTTP/1.1 chunk at the start of `raw` into `body`: a
    /// server that streams bytes as they come (the bare forwarder) may split an SSE event across chunks.
    static func dechunk(_ raw: inout [UInt8], into body: inout [UInt8]) {
        let crlf = Array("\r\n".utf8)
        while let lineEnd = LoadGenerator.find(raw, crlf) {
            let sizeText = String(decoding: raw[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return }
            let start = lineEnd + 2
            guard raw.count >= start + size + 2 else { return }
            body += raw[start..<(start + size)]
            raw.removeFirst(start + size + 2)
        }
    }

    /// The first non-empty text delta among the complete `data:` events in `bytes` (the body,
    /// chunked transfer framing already removed): a Chat Completions `delta.content`, an Anthropic
    /// `text_delta` or a Responses `response.output_text.delta`.
    static func firstContentText(in bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        var rest = Substring(text)
        while let start = rest.range(of: "data: ") {
            guard let end = rest.range(of: "\n", range: start.upperBound..<rest.endIndex) else { return nil }
            let payload = rest[start.upperBound..<end.lowerBound]
            rest = rest[end.upperBound...]
            guard payload.hasPrefix("{"), let json = try? WireJSON.decode(JSONValue.self, from: String(payload)) else { continue }
            if let content = json["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue, !content.isEmpty { return content }
            if json["delta"]?["type"]?.stringValue == "text_delta", let text = json["delta"]?["text"]?.stringValue, !text.isEmpty { return text }
            if json["type"]?.stringValue == "response.output_text.delta", let text = json["delta"]?.stringValue, !text.isEmpty { return text }
        }
        return nil
    }
}
