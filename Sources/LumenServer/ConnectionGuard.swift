import Hummingbird
import HummingbirdCore
import LumenCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

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

    init(limits: ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // In front of the HTTP parser, which waits for more on an HTTP/0.9 request line.
        try? context.pipeline.syncOperations.addHandler(RequestLineCheck(), position: .first)
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
            // "Expect: 100-continue" (curl sends it with a large body): say go on now, rather than
            // leave the client to wait out its own timer before it sends the body.
            if head.headerFields[.expect]?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
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
            bodyDeadline?.cancel()
            bodyDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
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
