import Hummingbird
import HummingbirdCore
import LumenCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Limits on the connections `lumen serve` keeps: a client cannot hold one open forever, whether
/// idle, half-way through its headers or dripping its body, and there are at most so many at once.
package struct ConnectionLimits: Sendable, Hashable {
    /// Seconds a connection may go without a request part: an idle keep-alive connection, or a
    /// request whose headers do not arrive (Hummingbird's idle timeout).
    package var idleTimeout: Double
    /// Seconds from a request's headers (or, behind other requests on the connection, from the
    /// moment it is the one being answered) to the end of its body (408 and closed after that).
    package var bodyTimeout: Double
    /// Connections open at once; one more is closed at once (after a 503 when it sends a request).
    package var maxConnections: Int

    package init(idleTimeout: Double = 60, bodyTimeout: Double = 60, maxConnections: Int = 1024) {
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }
}

/// The count of open connections, shared by every connection's guard.
final class ConnectionCounter: Sendable {
    private let open = NIOLockedValueBox(0)

    /// Takes a place if one is free.
    func enter(limit: Int) -> Bool {
        open.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { open.withLockedValue { $0 -= 1 } }

    var current: Int { open.withLockedValue { $0 } }
}

/// Per-connection guard, after HTTP decoding: counts the connection against the cap, closes a
/// request whose body takes longer than the body timeout (408), and answers a request the HTTP
/// parser refuses (bad framing, HTTP/0.9) with a 400 that carries an OpenAI error object before
/// closing, instead of the empty 400 of the HTTP library or no answer at all.
///
/// It also keeps what HTTP/1 asks per request, in the order requests arrive (a client may send the
/// next before the first is answered): "100 Continue" for a client that waits for it, only once
/// the handler accepts the request (`proceed(on:)`); and the end of the connection after the
/// answer to an HTTP/1.0 request, or to one answered before the body its client held back. If the
/// rest of that request's body is still coming, the connection stops sending, reads and drops what
/// comes for a few seconds, then closes: closing at once with unread bytes would reset the
/// connection, and the client could lose the answer.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A request whose final answer has not been written yet.
    private struct Pending {
        var id: Int
        var http10: Bool
        /// It asked for "100 Continue" and has been told nothing yet.
        var awaitsContinue: Bool
        /// Its body has ended.
        var ended = false
    }

    /// An answer the guard writes itself, in the OpenAI error shape, before it closes.
    private struct Refusal {
        var status: HTTPResponse.Status
        var code: String
        var message: String
        /// The methods allowed, for a method this server does not serve.
        var allow: String? = nil
    }

    /// Seconds a connection that has answered keeps reading (and dropping) the body of the request
    /// before it closes.
    static let lingerSeconds = 5.0

    let limits: ConnectionLimits
    let counter: ConnectionCounter
    private var counted = false
    private var overCap = false
    private var bodyDeadline: Scheduled<Void>?
    /// A response has started and not ended: nothing else may be written.
    private var responding = false
    private var closed = false
    /// Requests read and not yet answered, oldest first.
    private var pending: [Pending] = []
    /// The id of the latest request read (whose body parts arrive now).
    private var inbound = 0
    /// Close the connection after the response in hand.
    private var closeAfterResponse = false
    /// The answer is out and the connection stops sending: what still comes is dropped.
    private var lingering = false
    /// What came after the requests read could not be parsed (or was a CONNECT): what was read is
    /// answered, then the connection closes; nothing more is read.
    private var unreadable = false
    /// Whether the latest request read has ended (its body is all in).
    private var inboundEnded = true
    /// A refusal owed to a request behind others (a CONNECT, a body that could not be parsed),
    /// written when its turn comes, then the connection closes.
    private var owed: Refusal?
    /// The HTTP version of each request, which the typed request parts do not carry.
    private let versionTap = HTTPVersionTap()

    init(limits: ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // In front of the HTTP parser, which waits for more on an HTTP/0.9 request line.
        try? context.pipeline.syncOperations.addHandler(RequestLineCheck(), position: .first)
        // Behind the HTTP/1 parser, in front of the conversion to typed parts, which drops the version.
        if let codec = try? context.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self) {
            try? context.pipeline.syncOperations.addHandler(versionTap, position: .before(codec))
        }
        if counter.enter(limit: limits.maxConnections) {
            counted = true
        } else {
            overCap = true
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    private func release() {
        bodyDeadline?.cancel()
        bodyDeadline = nil
        if counted {
            counted = false
            counter.leave()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if overCap {
            // Over the cap: one answer, no work, and the place is not taken.
            if case .head = part {
                refuse(
                    context,
                    Refusal(
                        status: .serviceUnavailable, code: "too_many_connections", message: "The server has too many open connections; retry later."))
            }
            return
        }
        if lingering || unreadable {
            // The answer is out (or what follows cannot be parsed): the rest is read and dropped
            // until the connection closes.
            if lingering, case .end = part { close(context) }
            return
        }
        switch part {
        case .head(var head):
            inbound += 1
            inboundEnded = false
            guard head.method != .connect else {
                // A tunnel: the parser stops reading HTTP after it. Answered in its turn.
                return owe(
                    context, inbound,
                    Refusal(status: .methodNotAllowed, code: "method_not_allowed", message: "CONNECT is not served here.", allow: "GET, HEAD, POST"))
            }
            // "Expect: 100-continue" (curl sends it with a large body) waits for the handler's go
            // (`proceed`), once the caller is authenticated and the body's length is within the limit;
            // an HTTP/1.0 client sends its body anyway (RFC 9110 §10.1.1).
            let version = versionTap.lastVersion
            let expectations = (head.headerFields[.expect] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            pending.append(
                Pending(
                    id: inbound, http10: version == .http1_0,
                    awaitsContinue: version == .http1_1 && expectations.contains("100-continue") && head.headerFields[.contentLength] != "0"))
            // The request came over a connection with a `ClientCloseWatch` (whatever the client sent
            // under this name is replaced): when that watch is gone, so is the client.
            head.headerFields[ClientCloseWatch.markerHeader] = "1"
            bodyDeadline?.cancel()
            bodyDeadline = nil
            // The body's clock starts when the request is the one being answered: a client that
            // waits for "100 Continue" behind an answer still streaming is not late.
            if pending.count == 1 { startBodyClock(context) }
            return context.fireChannelRead(wrapInboundOut(.head(head)))
        case .end:
            inboundEnded = true
            update(inbound) {
                $0.ended = true
                $0.awaitsContinue = false
            }
            bodyDeadline?.cancel()
            bodyDeadline = nil
        case .body:
            update(inbound) { $0.awaitsContinue = false }  // sent without waiting
        }
        context.fireChannelRead(data)
    }

    /// Gives the latest request `bodyTimeout` seconds for its body: a 408 after that, or (already
    /// answered) the end of the connection without a second answer.
    private func startBodyClock(_ context: ChannelHandlerContext) {
        let seconds = limits.bodyTimeout
        bodyDeadline?.cancel()
        bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) { [weak self] in
            guard let self else { return }
            guard self.pending.contains(where: { $0.id == self.inbound }) else { return self.close(context) }
            self.refuse(
                context,
                Refusal(status: .requestTimeout, code: "request_timeout", message: "The request body did not arrive within \(Int(seconds)) s."))
        }
    }

    private func update(_ id: Int, _ change: (inout Pending) -> Void) {
        if let i = pending.firstIndex(where: { $0.id == id }) { change(&pending[i]) }
    }

    /// Tells a client that waits for "100 Continue" to send its body: the request being answered
    /// (the oldest not answered), when its body is the next thing on the wire. Called on the
    /// connection's event loop, by way of `proceed(on:)`.
    func sendContinue(context: ChannelHandlerContext) {
        guard let first = pending.first, first.id == inbound, first.awaitsContinue, !responding, !closed, !lingering else { return }
        pending[0].awaitsContinue = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Has the connection's guard tell a client that waits for "100 Continue" to send its body:
    /// called by a handler that is about to read the body it accepts.
    static func proceed(on channel: any Channel) {
        channel.eventLoop.execute {
            guard let context = try? channel.pipeline.syncOperations.context(handlerType: ConnectionGuard.self),
                let guardHandler = context.handler as? ConnectionGuard
            else { return }
            guardHandler.sendContinue(context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            responding = true
            // The handler answers the request a refusal was owed to (before reading its broken
            // body): its answer stands instead, and the connection closes after it.
            let answersOwed = pending.isEmpty && owed != nil
            if answersOwed { owed = nil }
            // The oldest request not answered is the one this answers. HTTP/1.0 reads to the end of
            // the connection; a body not read yet (held back for "100 Continue", or refused by its
            // declared length) is not worth reading in full, nor is what follows a request that
            // cannot be parsed.
            let closes = pending.first.map { $0.http10 || !$0.ended || (unreadable && owed == nil && pending.count == 1) } ?? false
            if answersOwed || closes {
                closeAfterResponse = true
                head.headerFields[.connection] = "close"
                return context.write(wrapOutboundOut(.head(head)), promise: promise)
            }
        case .head: break
        case .end:
            responding = false
            let answered = pending.isEmpty ? nil : pending.removeFirst()
            // What follows could not be read and a stream was under way when that was found: this
            // was the last answer.
            if unreadable && owed == nil && pending.isEmpty { closeAfterResponse = true }
            if closeAfterResponse {
                closeAfterResponse = false
                return write(context, data, promise) { guardHandler in
                    // Whether the request's body is all in is read now, not when the answer ended.
                    if answered?.id != guardHandler.inbound || guardHandler.inboundEnded {
                        guardHandler.close(context)
                    } else {
                        guardHandler.linger(context)
                    }
                }
            }
            if owed != nil, pending.isEmpty {
                // The refusal's turn: after this answer is out (unless the handler answers first).
                return write(context, data, promise) { guardHandler in
                    guard let owed = guardHandler.owed, !guardHandler.responding else { return }
                    guardHandler.refuse(context, owed)
                }
            }
            if let next = pending.first, next.id == inbound, !next.ended {
                startBodyClock(context)  // the next request is now the one being answered
            }
        case .body: break
        }
        context.write(data, promise: promise)
    }

    /// Writes the answer's last part, then (once written, or failed) runs `next`; the connection
    /// closes if the guard is gone by then.
    private func write(
        _ context: ChannelHandlerContext, _ data: NIOAny, _ promise: EventLoopPromise<Void>?, then next: @escaping (ConnectionGuard) -> Void
    ) {
        let done = promise ?? context.eventLoop.makePromise()
        done.futureResult.assumeIsolated().whenComplete { [weak self] _ in
            guard let self else { return context.close(promise: nil) }
            next(self)
        }
        context.write(data, promise: done)
    }

    /// Refuses request `id` now if nothing is being answered before it, else when its turn comes
    /// (answers go out in the order requests came); nothing more is read.
    private func owe(_ context: ChannelHandlerContext, _ id: Int, _ refusal: Refusal) {
        unreadable = true
        pending.removeAll { $0.id == id }
        if pending.isEmpty {
            refuse(context, refusal)
        } else {
            owed = refusal
        }
    }

    /// Stops sending and reads (dropping it) the rest of the request's body until it ends or
    /// `lingerSeconds` pass, then closes.
    private func linger(_ context: ChannelHandlerContext) {
        guard !closed else { return }
        lingering = true
        bodyDeadline?.cancel()
        let halfClosed = context.eventLoop.makePromise(of: Void.self)
        // A channel that cannot close one way closes both.
        halfClosed.futureResult.assumeIsolated().whenFailure { [weak self] _ in self?.close(context) }
        context.close(mode: .output, promise: halfClosed)
        bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(Self.lingerSeconds * 1e9))) { [weak self] in
            self?.close(context)
        }
    }

    private func close(_ context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        bodyDeadline?.cancel()
        bodyDeadline = nil
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError || error is ByteToMessageDecoderError else { return context.fireErrorCaught(error) }
        // Bytes the HTTP parser cannot read (or reads after its first error).
        if lingering || closed || unreadable { return close(context) }
        if let last = pending.last, last.ended {
            // Every request read is whole: they are answered, then the connection closes.
            unreadable = true
            return
        }
        // The latest request's body is broken (or no request was read): it is refused in its turn.
        owe(context, inbound, Refusal(status: .badRequest, code: "malformed_http", message: "The HTTP request could not be parsed (\(error))."))
    }

    /// Answers with an OpenAI error object (unless a response is already under way) and closes.
    private func refuse(_ context: ChannelHandlerContext, _ refusal: Refusal) {
        guard !closed else { return }
        guard !lingering else { return close(context) }  // the sending side is shut
        closed = true
        bodyDeadline?.cancel()
        bodyDeadline = nil
        guard !responding else {
            context.close(promise: nil)
            return
        }
        let body = (try? WireJSON.encode(OpenAIErrorBody(message: refusal.message, type: "invalid_request_error", code: refusal.code))) ?? []
        var head = HTTPResponse(status: refusal.status)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        if let allow = refusal.allow { head.headerFields[.allow] = allow }
        head.headerFields[.connection] = "close"
        head.headerFields[.server] = "lumen"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}

/// The first request line of a connection, before the HTTP parser sees it: a line without an
/// HTTP/1.x version (`GET /` — HTTP/0.9) gets a 400 with an OpenAI error object and the connection
/// is closed, where the parser would wait for more until the idle timeout. Removes itself once
/// the line is good.
final class RequestLineCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var seen: [UInt8] = []
    private var done = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        let buffer = unwrapInboundIn(data)
        seen += buffer.readableBytesView.prefix(8192 - seen.count)
        guard let newline = seen.firstIndex(of: UInt8(ascii: "\n")) else {
            // No line yet: pass the bytes on (the parser buffers them); a line longer than 8 KiB is
            // the parser's to refuse.
            context.fireChannelRead(data)
            if seen.count >= 8192 { finish(context) }
            return
        }
        var line = seen[..<newline]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix(" HTTP/1.1") || text.hasSuffix(" HTTP/1.0") || text.isEmpty {
            context.fireChannelRead(data)
            return finish(context)
        }
        done = true
        guard text.split(separator: " ").count < 3 else {
            // Some other version: the parser answers it.
            context.fireChannelRead(data)
            return finish(context)
        }
        let body =
            (try? WireJSON.encode(
                OpenAIErrorBody(
                    message: "HTTP/0.9 requests are not served; send HTTP/1.1.", type: "invalid_request_error", code: "unsupported_http_version"
                ))) ?? []
        let head =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\nServer: lumen\r\n\r\n"
        var out = context.channel.allocator.buffer(capacity: head.utf8.count + body.count)
        out.writeString(head)
        out.writeBytes(body)
        context.writeAndFlush(wrapOutboundOut(out)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func finish(_ context: ChannelHandlerContext) {
        done = true
        seen = []
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// Notes the HTTP version of each request head on its way from the HTTP/1 parser to the
/// conversion into typed request parts, which drops it; and answers an HTTP/1.0 request as
/// HTTP/1.0, whose body the encoder then delimits by closing the connection rather than by
/// chunked framing, which such a client cannot read (a streamed answer has no length). Answers go
/// out in the order requests came, so the oldest version not answered is the one a response head
/// answers.
final class HTTPVersionTap: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The version of the latest request head (HTTP/1.1 until one is seen).
    private(set) var lastVersion: HTTPVersion = .http1_1
    /// The versions of the requests not answered yet, oldest first.
    private var unanswered: [HTTPVersion] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            lastVersion = head.version
            unanswered.append(head.version)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status.code >= 200, !unanswered.isEmpty else {
            return context.write(data, promise: promise)
        }
        guard unanswered.removeFirst() == .http1_0 else { return context.write(data, promise: promise) }
        head.version = .http1_0
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}
