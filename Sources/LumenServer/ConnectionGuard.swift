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
    /// Seconds from a request's headers to the end of its body (408 and closed after that).
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
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: ConnectionLimits
    let counter: ConnectionCounter
    private var counted = false
    private var overCap = false
    private var bodyDeadline: Scheduled<Void>?
    /// A response has started and not ended: nothing else may be written.
    private var responding = false
    private var closed = false
    /// The request in hand asked for "100 Continue" and has not been told to go on.
    private var awaitingContinue = false
    /// Close the connection after the response in hand: it came before the body its client held
    /// back, or the client speaks HTTP/1.0.
    private var closeAfterResponse = false
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
                    context, status: .serviceUnavailable, code: "too_many_connections",
                    message: "The server has too many open connections; retry later.")
            }
            return
        }
        switch part {
        case .head(var head):
            // "Expect: 100-continue" (curl sends it with a large body): the handler says go on
            // (`proceed`) once the caller is authenticated and the body's length is within the
            // limit; an HTTP/1.0 client sends its body anyway (RFC 9110 §10.1.1).
            awaitingContinue =
                head.headerFields[.expect]?.lowercased() == "100-continue" && versionTap.lastVersion == .http1_1
                && head.headerFields[.contentLength] != "0"
            // An HTTP/1.0 client reads its answer to the end of the connection: close it after the answer.
            if versionTap.lastVersion == .http1_0 { closeAfterResponse = true }
            // The request came over a connection with a `ClientCloseWatch` (whatever the client sent
            // under this name is replaced): when that watch is gone, so is the client.
            head.headerFields[ClientCloseWatch.markerHeader] = "1"
            bodyDeadline?.cancel()
            let seconds = limits.bodyTimeout
            bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) { [weak self] in
                self?.refuse(
                    context, status: .requestTimeout, code: "request_timeout", message: "The request body did not arrive within \(Int(seconds)) s.")
            }
            return context.fireChannelRead(wrapInboundOut(.head(head)))
        case .end:
            awaitingContinue = false
            bodyDeadline?.cancel()
            bodyDeadline = nil
        case .body:
            awaitingContinue = false
        }
        context.fireChannelRead(data)
    }

    /// Tells a client that waits for "100 Continue" to send its body (a no-op for any other request).
    /// Called on the connection's event loop, by way of `proceed(on:)`.
    func sendContinue(context: ChannelHandlerContext) {
        guard awaitingContinue, !responding, !closed else { return }
        awaitingContinue = false
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
            if awaitingContinue || closeAfterResponse {
                // Answered before the body was asked for (a refused key, a body over the limit): the
                // client will not send it, so the connection cannot carry another request.
                awaitingContinue = false
                closeAfterResponse = true
                head.headerFields[.connection] = "close"
                return context.write(wrapOutboundOut(.head(head)), promise: promise)
            }
        case .head: break
        case .end:
            responding = false
            if closeAfterResponse {
                context.write(data).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                promise?.succeed()
                return
            }
        case .body: break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParserError {
            refuse(context, status: .badRequest, code: "malformed_http", message: "The HTTP request could not be parsed (\(parseError)).")
            return
        }
        context.fireErrorCaught(error)
    }

    /// Answers with an OpenAI error object (unless a response is already under way) and closes.
    private func refuse(_ context: ChannelHandlerContext, status: HTTPResponse.Status, code: String, message: String) {
        guard !closed else { return }
        closed = true
        bodyDeadline?.cancel()
        bodyDeadline = nil
        guard !responding else {
            context.close(promise: nil)
            return
        }
        let body = (try? WireJSON.encode(OpenAIErrorBody(message: message, type: "invalid_request_error", code: code))) ?? []
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
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
/// chunked framing, which such a client cannot read (a streamed answer has no length).
final class HTTPVersionTap: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The version of the latest request head (HTTP/1.1 until one is seen).
    private(set) var lastVersion: HTTPVersion = .http1_1

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { lastVersion = head.version }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard lastVersion == .http1_0, case .head(var head) = unwrapOutboundIn(data), head.status.code >= 200 else {
            return context.write(data, promise: promise)
        }
        head.version = .http1_0
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}
