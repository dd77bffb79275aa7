import Foundation
import Hummingbird
package import Logging
import LumenCore
import NIOCore

/// Server-wide settings of the fake upstream.
package struct FakeUpstreamOptions: Sendable {
    /// What the scripted tool call prints (`echo` of it), so a test can find it in the final answer.
    package static let toolRoundMarker = "lumen-tool-round-ok"

    /// Answer with the last user message verbatim instead of a hash-derived sentence.
    package var echo: Bool
    /// Play a model in a tool loop: when the request offers a shell-like tool and carries no tool
    /// result yet, call it with `echo <toolRoundMarker>`; when it carries one, answer with its output.
    package var toolRound: Bool
    /// Serve the Anthropic Messages API at `POST /v1/messages` too.
    package var anthropic: Bool
    /// Append every received request as one JSON line to this file.
    package var recordFile: String?
    /// Answer the first `failFirst` completion requests with `failFirstStatus`.
    package var failFirst: Int
    package var failFirstStatus: Int
    /// A fault applied to every request that names none itself (see ``FakeFault``).
    package var defaultFault: FakeFault?
    /// Characters per streamed content chunk.
    package var streamChunkSize: Int
    /// If set, requests must carry this key (`Authorization: Bearer …` or `x-api-key`), else 401.
    package var requiredAPIKey: String?
    /// The model name reported when the request names none.
    package var model: String
    /// Keep every received request in memory (for ``RunningFakeUpstream/recordedRequests()``). The
    /// `lumen fake-upstream` command turns it off so a long load test does not grow its memory.
    package var retainRecords: Bool
    /// Pause between streamed events (nil: send them back to back).
    package var streamInterval: Duration?
    /// Called just before each streamed event is written, with the request's ordinal among completion
    /// requests (1-based), the event's index and the instant (for first-token benchmarks).
    package var onStreamEvent: (@Sendable (_ request: Int, _ event: Int, _ at: ContinuousClock.Instant) -> Void)?

    package init(
        echo: Bool = false,
        toolRound: Bool = false,
        anthropic: Bool = true,
        recordFile: String? = nil,
        failFirst: Int = 0,
        failFirstStatus: Int = 500,
        defaultFault: FakeFault? = nil,
        streamChunkSize: Int = 4,
        requiredAPIKey: String? = nil,
        model: String = "fake-model",
        retainRecords: Bool = true,
        streamInterval: Duration? = nil,
        onStreamEvent: (@Sendable (_ request: Int, _ event: Int, _ at: ContinuousClock.Instant) -> Void)? = nil
    ) {
        self.echo = echo
        self.toolRound = toolRound
        self.anthropic = anthropic
        self.recordFile = recordFile
        self.failFirst = failFirst
        self.failFirstStatus = failFirstStatus
        self.defaultFault = defaultFault
        self.streamChunkSize = max(1, streamChunkSize)
        self.requiredAPIKey = requiredAPIKey
        self.model = model
        self.retainRecords = retainRecords
        self.streamInterval = streamInterval
        self.onStreamEvent = onStreamEvent
    }
}

/// Faults a request can ask for, by header `x-fake-fault: delay=500ms,status=500` or by the magic
/// string `[[fault:delay=500ms,status=500]]` in the last user message.
///
/// Items: `delay=<n>ms|<n>s` (wait before answering), `status=<code>` (answer with that status and an
/// error body), `reset` (close the connection without a response), `cut-after=<n>` (stream `n` events,
/// then drop the connection; a non-streaming answer is cut after `n` bytes), `retry-after=<s>` (the
/// `Retry-After` of a `status=` answer; a 429's is 0 by default).
package struct FakeFault: Sendable, Hashable {
    package var delay: Duration?
    package var status: Int?
    package var reset: Bool
    package var cutAfter: Int?
    package var retryAfter: Int?

    package init(delay: Duration? = nil, status: Int? = nil, reset: Bool = false, cutAfter: Int? = nil, retryAfter: Int? = nil) {
        self.delay = delay
        self.status = status
        self.reset = reset
        self.cutAfter = cutAfter
        self.retryAfter = retryAfter
    }

    /// Parses a comma-separated fault list; throws on an unknown item.
    package init(parsing text: String) throws(FakeUpstreamError) {
        self.init()
        for rawItem in text.split(separator: ",") {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0].lowercased()
            let value = parts.count > 1 ? parts[1] : ""
            switch key {
            case "delay":
                if value.hasSuffix("ms"), let ms = Int(value.dropLast(2)) {
                    delay = .milliseconds(ms)
                } else if value.hasSuffix("s"), let seconds = Double(value.dropLast()) {
                    delay = .milliseconds(Int(seconds * 1000))
                } else {
                    throw FakeUpstreamError("bad fault item \(item): delay needs a value like 500ms or 2s")
                }
            case "status":
                guard let code = Int(value), (100...599).contains(code) else {
                    throw FakeUpstreamError("bad fault item \(item): status needs an HTTP status code")
                }
                status = code
            case "reset":
                reset = true
            case "cut-after":
                guard let n = Int(value), n >= 0 else {
                    throw FakeUpstreamError("bad fault item \(item): cut-after needs a count")
                }
                cutAfter = n
            case "retry-after":
                guard let n = Int(value), n >= 0 else {
                    throw FakeUpstreamError("bad fault item \(item): retry-after needs seconds")
                }
                retryAfter = n
            default:
                throw FakeUpstreamError("unknown fault item \(item) (use delay=, status=, reset, cut-after=, retry-after=)")
            }
        }
    }

    /// Finds `[[fault:…]]` in `text`.
    static func magic(in text: String) throws(FakeUpstreamError) -> FakeFault? {
        guard let start = text.range(of: "[[fault:"), let end = text.range(of: "]]", range: start.upperBound..<text.endIndex) else {
            return nil
        }
        return try FakeFault(parsing: String(text[start.upperBound..<end.lowerBound]))
    }
}

/// An error of the fake upstream (bad fault syntax, failure to bind).
package struct FakeUpstreamError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// One request as the fake upstream received it.
package struct RecordedRequest: Sendable, Hashable, Codable {
    /// ISO-8601 time of arrival.
    package var time: String
    package var method: String
    package var path: String
    /// Headers (lower-cased names); values of `authorization`, `x-api-key` and `api-key` are replaced by `[redacted]`.
    package var headers: [String: String]
    /// The body verbatim (UTF-8 decoded).
    package var body: String
    /// Whether an API key header was present (its value is never recorded).
    package var hadAPIKey: Bool
}

/// A deterministic OpenAI-compatible (and Anthropic) upstream for tests and for trying policies for free.
package enum FakeUpstream {
    /// A logger that only reports critical errors (the in-process default: stopping logs cancellations as errors).
    package static var quietLogger: Logger {
        var logger = Logger(label: "lumen.fake-upstream")
        logger.logLevel = .critical
        return logger
    }

    /// Starts the server in this process and returns once it listens; `port: 0` picks a free port.
    package static func start(
        host: String = "127.0.0.1",
        port: Int = 0,
        options: FakeUpstreamOptions = FakeUpstreamOptions(),
        logger: Logger = FakeUpstream.quietLogger
    ) async throws -> RunningFakeUpstream {
        let state = FakeUpstreamState(options: options)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: makeRouter(state: state),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger
        )
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw FakeUpstreamError("fake upstream on \(host):\(port) stopped before it was listening")
        }
        return RunningFakeUpstream(host: host, port: bound, state: state, task: task)
    }

    /// Runs the server until SIGINT/SIGTERM (for `lumen fake-upstream`).
    package static func run(
        host: String,
        port: Int,
        options: FakeUpstreamOptions,
        logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let state = FakeUpstreamState(options: options)
        let app = Application(
            router: makeRouter(state: state),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
        try await app.runService()
    }

    static func makeRouter(state: FakeUpstreamState) -> Router<FakeContext> {
        let router = Router(context: FakeContext.self)
        for path in ["/v1/chat/completions", "/chat/completions"] {
            router.post(RouterPath(path)) { request, context in
                try await state.handle(request, context: context, api: .openAI)
            }
        }
        router.post("/v1/messages") { request, context in
            try await state.handle(request, context: context, api: .anthropic)
        }
        router.get("/v1/models") { request, context in
            try await state.handle(request, context: context, api: .models)
        }
        return router
    }
}

/// A fake upstream running in this process.
package final class RunningFakeUpstream: Sendable {
    package let host: String
    /// The port actually bound.
    package let port: Int
    let state: FakeUpstreamState
    let task: Task<Void, any Error>

    init(host: String, port: Int, state: FakeUpstreamState, task: Task<Void, any Error>) {
        self.host = host
        self.port = port
        self.state = state
        self.task = task
    }

    /// `http://host:port/v1`, the base URL to give a provider target.
    package var baseURL: String { "http://\(host):\(port)/v1" }

    /// Every request received so far, in order of arrival.
    package func recordedRequests() async -> [RecordedRequest] {
        await state.recorded
    }

    /// Stops the server and waits for it to finish.
    package func shutdown() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Request context that keeps the channel, so faults can close the connection.
struct FakeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
