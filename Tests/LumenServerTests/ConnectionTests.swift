import Foundation
import HummingbirdTesting
import LumenCore
import LumenTestSupport
import Testing

@testable import LumenServer

#if canImport(Glibc)
import Glibc
#endif

/// The connection edge over real sockets: timeouts, the connection cap, answers to what the HTTP
/// parser refuses, methods and paths, and the probes behind the key.
@Suite struct ConnectionTests {
    /// A client socket to the test server.
    final class Socket: @unchecked Sendable {
        // The descriptor is used by one reader at a time (the test awaits each read).
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        }

        deinit { close(fd) }

        /// Sends all of `text`; false when the connection refused some of it (reset or closed).
        @discardableResult
        func send(_ text: String) -> Bool {
            text.utf8CString.dropLast().withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    guard n > 0 else { return false }
                    offset += n
                }
                return true
            }
        }

        /// Everything the server sends until it closes the connection, or until `timeout` seconds
        /// pass (then `closed` is false). The blocking reads run on a thread of their own: on the
        /// concurrency pool they would starve the server under test of its threads.
        func readToEnd(timeout: Double, until marker: String? = nil) async -> (text: String, closed: Bool) {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: self.blockingRead(timeout: timeout, until: marker)) }.start()
            }
        }

        /// Reads until the connection closes, `timeout` passes, or (when given) the text read ends with `marker`.
        private func blockingRead(timeout: Double, until marker: String?) -> (text: String, closed: Bool) {
            var bytes: [UInt8] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while Date() < deadline {
                if let marker, bytes.count >= marker.utf8.count, bytes.suffix(marker.utf8.count).elementsEqual(marker.utf8) { break }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 100)
                guard ready > 0 else { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return (String(decoding: bytes, as: UTF8.self), true) }
                bytes += buffer[0..<n]
            }
            return (String(decoding: bytes, as: UTF8.self), false)
        }
    }

    /// A body the router refuses (an unknown model): answered at once, whatever the backends do.
    static let unknownModel = #"{"model":"nonexistent-model","messages":[{"role":"user","content":"hi"}]}"#

    /// A chat-completions request as bytes: `version`, `auth`, a JSON body of `length` bytes (the
    /// body's own by default), optionally `Expect: 100-continue` and `Connection: close`, then the
    /// body itself unless `holdBody`.
    static func chat(
        _ version: String = "HTTP/1.1", auth: String = "Bearer \(HTTPEdgeTests.key)", body: String = HTTPEdgeTests.chat, length: String? = nil,
        expect: Bool = false, close: Bool = false, holdBody: Bool = false
    ) -> String {
        "POST /v1/chat/completions \(version)\r\nHost: x\r\nAuthorization: \(auth)\r\nContent-Type: application/json\r\n"
            + (expect ? "Expect: 100-continue\r\n" : "") + "Content-Length: \(length ?? String(body.utf8.count))\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n" + (holdBody ? "" : body)
    }

    static func errorCode(_ response: String) -> String? {
        guard let start = response.range(of: "\r\n\r\n") else { return nil }
        let body = String(response[start.upperBound...])
        return (try? WireJSON.decode(JSONValue.self, from: body))?["error"]?["code"]?.stringValue
    }

    static func live(
        _ connections: ConnectionLimits, openProbes: Bool = false, local: FakeBackend = FakeBackend(route: .local),
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        try await HTTPEdgeTests.app(local: local, connections: connections, openProbes: openProbes).test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    @Test func anIdleConnectionAndHalfSentHeadersAreClosed() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 0.5, bodyTimeout: 5)) { port in
            let idle = try Socket(port: port)
            #expect(await idle.readToEnd(timeout: 30).closed, "an idle connection stayed open")
            let half = try Socket(port: port)
            half.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
            #expect(await half.readToEnd(timeout: 30).closed, "half-sent headers kept the connection")
            // A keep-alive connection after an answer is idle too.
            let kept = try Socket(port: port)
            kept.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = await kept.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 200") && answer.closed)
        }
    }

    @Test func aSlowBodyIs408AndClosed() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 0.5)) { port in
            let slow = try Socket(port: port)
            slow.send(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(HTTPEdgeTests.key)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\""
            )
            let answer = await slow.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 408"), "\(answer.text)")
            #expect(Self.errorCode(answer.text) == "request_timeout" && answer.closed)
        }
    }

    /// A client that asks before sending its body is told to go on once the request is accepted, then answered.
    @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30)) { port in
            let body = Self.unknownModel
            let client = try Socket(port: port)
            client.send(Self.chat(body: body, expect: true, close: true, holdBody: true))
            // (until the go: on a busy machine the handler may take a while to accept the request)
            let first = await client.readToEnd(timeout: 30, until: "100 Continue\r\n\r\n")
            #expect(first.text == "HTTP/1.1 100 Continue\r\n\r\n" && !first.closed, "\(first.text)")
            client.send(body)
            let answer = await client.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 "), "\(answer.text)")
            #expect(!answer.text.hasPrefix("HTTP/1.1 100") && answer.text.contains("model"), "\(answer.text)")
        }
    }

    /// A client that waits for "100 Continue" and would be refused gets its final answer at once,
    /// without being told to send a body first, and the connection closes (its body never came).
    @Test(arguments: [
        ("Bearer wrong-key", 100, "401"),
        ("Bearer \(HTTPEdgeTests.key)", 5000, "413"),  // the test server's limit is 4096 bytes
    ])
    func expectContinueIsNotSentToARequestThatWillBeRefused(auth: String, length: Int, status: String) async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30)) { port in
            let client = try Socket(port: port)
            client.send(Self.chat(auth: auth, length: String(length), expect: true, holdBody: true))
            let answer = await client.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 \(status)"), "\(answer.text)")
            #expect(!answer.text.contains(" 100 Continue") && answer.closed, "\(answer.text)")
        }
    }

    /// An HTTP/1.0 client sends its body with its headers whatever it expects: no "100 Continue";
    /// and it reads its answer to the end of the connection, which closes after the answer.
    @Test func expectContinueIsIgnoredForHTTP10() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30)) { port in
            let client = try Socket(port: port)
            client.send(Self.chat("HTTP/1.0", body: Self.unknownModel, expect: true))
            let answer = await client.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.0 "), "\(answer.text)")
            #expect(!answer.text.contains(" 100 Continue") && answer.text.contains("model"), "\(answer.text)")
            #expect(answer.closed && answer.text.lowercased().contains("connection: close"), "\(answer.text)")
        }
    }

    /// A streamed answer to an HTTP/1.0 client is an HTTP/1.0 response delimited by the end of the
    /// connection: no chunked framing, which that client cannot read.
    @Test func aStreamToAnHTTP10ClientIsNotChunked() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30)) { port in
            let body = #"{"model":"auto","stream":true,"messages":[{"role":"user","content":"hello there"}]}"#
            let client = try Socket(port: port)
            client.send(Self.chat("HTTP/1.0", body: body))
            let answer = await client.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.0 200"), "\(answer.text)")
            #expect(!answer.text.lowercased().contains("transfer-encoding"), "\(answer.text)")
            #expect(answer.text.contains("data: [DONE]") && answer.closed, "\(answer.text)")
        }
    }

    /// Requests sent before the first is answered: each answer follows its own request's rules —
    /// "100 Continue" for the second only when the handler takes it, HTTP/1.0 and the end of the
    /// connection only for the HTTP/1.0 one.
    @Test func pipelinedRequestsKeepTheirOwnRules() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30)) { port in
            let body = Self.unknownModel
            let client = try Socket(port: port)
            client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + Self.chat(body: body, expect: true, close: true, holdBody: true))
            let first = await client.readToEnd(timeout: 30, until: "100 Continue\r\n\r\n")
            #expect(first.text.hasPrefix("HTTP/1.1 200") && !first.closed, "\(first.text)")
            #expect(!first.text.lowercased().contains("connection: close") && first.text.hasSuffix("HTTP/1.1 100 Continue\r\n\r\n"), "\(first.text)")
            client.send(body)
            let answer = await client.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 ") && answer.text.contains("model") && answer.closed, "\(answer.text)")

            // Bytes after an HTTP/1.0 request (whose connection ends with its answer) cannot be parsed:
            // the valid request is still answered, not replaced by a 400.
            let after10 = try Socket(port: port)
            after10.send("GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let answered = await after10.readToEnd(timeout: 30)
            #expect(answered.text.hasPrefix("HTTP/1.0 200") && !answered.text.contains(" 400 ") && answered.closed, "\(answered.text)")

            let mixed = try Socket(port: port)
            mixed.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
            let both = await mixed.readToEnd(timeout: 30)
            // Two answers: HTTP/1.1 for the first, HTTP/1.0 after its body ("ok\n") for the second, then the end.
            #expect(both.text.hasPrefix("HTTP/1.1 200 OK\r\n") && both.text.contains("ok\nHTTP/1.0 200 OK\r\n"), "\(both.text)")
            #expect(both.text.components(separatedBy: "HTTP/1.").count == 3 && both.closed, "\(both.text)")
        }
    }

    /// What cannot be served behind requests already read is refused in its turn, after their
    /// answers: a CONNECT (405), a body that cannot be parsed (400 at once, not a 408 after the
    /// body timeout); bytes that cannot be parsed after whole requests end the connection after
    /// their answers.
    @Test func refusalsWaitTheirTurn() async throws {
        // A 60 s body clock, so that the broken body's answer (which must not wait for it) is told
        // apart from a wait for it with room for a loaded machine.
        try await Self.live(ConnectionLimits(idleTimeout: 90, bodyTimeout: 60), local: FakeBackend(route: .local, delay: .milliseconds(300))) {
            port in
            let post = Self.chat()
            let connect = try Socket(port: port)
            connect.send(post + "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            let first = await connect.readToEnd(timeout: 30)
            #expect(first.text.hasPrefix("HTTP/1.1 200") && first.text.contains("echo: Hello there"), "\(first.text)")
            #expect(
                first.text.contains("}HTTP/1.1 405 ") && first.text.lowercased().contains("allow: get, head, post") && first.closed, "\(first.text)")

            let broken = try Socket(port: port)
            let started = Date()
            broken.send(
                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(HTTPEdgeTests.key)\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n"
            )
            let answers = await broken.readToEnd(timeout: 90)
            #expect(answers.text.hasPrefix("HTTP/1.1 200") && answers.text.contains("ok\nHTTP/1.1 400 ") && answers.closed, "\(answers.text)")
            #expect(Date().timeIntervalSince(started) < 30, "the broken body waited for the body timeout")

            let garbage = try Socket(port: port)
            garbage.send(post)
            try await Task.sleep(for: .milliseconds(100))
            garbage.send("\u{01}garbage\r\n\r\n")
            let last = await garbage.readToEnd(timeout: 30)
            #expect(last.text.hasPrefix("HTTP/1.1 200") && last.text.lowercased().contains("connection: close") && last.closed, "\(last.text)")
            #expect(!last.text.contains(" 400 "), "\(last.text)")
        }
    }

    /// A request refused by its declared length before its body is read gets one answer: no 408
    /// when the body it still sends is slow.
    @Test func aRequestAnsweredBeforeItsBodyGetsNoSecondAnswer() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 3)) { port in
            let client = try Socket(port: port)
            client.send(Self.chat(body: String(repeating: "x", count: 1000), length: "100000"))
            let answer = await client.readToEnd(timeout: 15)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text)")
            #expect(answer.text.components(separatedBy: "HTTP/1.1 ").count == 2, "\(answer.text)")
        }
    }

    /// An HTTP/1.0 client refused before its large body is read can still send all of it and read
    /// the answer: the connection reads and drops the rest before it closes, instead of resetting.
    @Test func anHTTP10ClientRefusedMidBodyIsNotReset() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30)) { port in
            let client = try Socket(port: port)
            let sent = client.send(Self.chat("HTTP/1.0", auth: "Bearer wrong-key", body: String(repeating: "x", count: 400_000)))
            let answer = await client.readToEnd(timeout: 30)
            #expect(sent, "the connection refused the body")
            #expect(answer.text.hasPrefix("HTTP/1.0 401") && answer.closed, "\(answer.text.prefix(200))")
        }
    }

    /// A pipelined request waiting for "100 Continue" behind an answer still going is not late:
    /// its body's clock starts when it is the one being answered. A CONNECT is refused, not left
    /// hanging (405, with what is allowed); a declared length too large for an integer is over the limit; the GET routes
    /// answer HEAD, and other methods there with 405 and `Allow: GET, HEAD`.
    @Test func pipelinedBodyClockConnectHugeLengthAndHead() async throws {
        // The body clock is 10 s, not 2: the test must send the body within it after "100 Continue",
        // and on a loaded machine its task can wait seconds for a thread while the server's timer runs.
        try await Self.live(ConnectionLimits(idleTimeout: 60, bodyTimeout: 10), local: FakeBackend(route: .local, delay: .seconds(12))) {
            port in
            let body = Self.unknownModel
            let slow = try Socket(port: port)
            // The first answer takes 12 s, longer than the body timeout; the second request waits for
            // "100 Continue" all that time, and is not timed out for it.
            slow.send(Self.chat() + Self.chat(body: body, expect: true, close: true, holdBody: true))
            let first = await slow.readToEnd(timeout: 30, until: "100 Continue\r\n\r\n")
            #expect(first.text.hasPrefix("HTTP/1.1 200") && first.text.hasSuffix("HTTP/1.1 100 Continue\r\n\r\n") && !first.closed, "\(first.text)")
            slow.send(body)
            let second = await slow.readToEnd(timeout: 30)
            #expect(second.text.hasPrefix("HTTP/1.1 ") && second.text.contains("model") && !second.text.contains(" 408 "), "\(second.text)")

            let connect = try Socket(port: port)
            connect.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            let refused = await connect.readToEnd(timeout: 30)
            #expect(
                refused.text.hasPrefix("HTTP/1.1 405") && refused.text.lowercased().contains("allow: get, head, post") && refused.closed,
                "\(refused.text)")

            let huge = try Socket(port: port)
            huge.send(Self.chat(length: "18446744073709551615", expect: true, holdBody: true))
            let tooLarge = await huge.readToEnd(timeout: 30)
            #expect(tooLarge.text.hasPrefix("HTTP/1.1 413") && !tooLarge.text.contains("100 Continue") && tooLarge.closed, "\(tooLarge.text)")

            for path in ["/healthz", "/v1/models", "/readyz"] {
                let head = try Socket(port: port)
                head.send("HEAD \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(HTTPEdgeTests.key)\r\nConnection: close\r\n\r\n")
                let answer = await head.readToEnd(timeout: 30)
                #expect(answer.text.hasPrefix("HTTP/1.1 200") && answer.text.hasSuffix("\r\n\r\n") && answer.closed, "\(path): \(answer.text)")
            }
            let post = try Socket(port: port)
            post.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            let notAllowed = await post.readToEnd(timeout: 30)
            #expect(notAllowed.text.hasPrefix("HTTP/1.1 405") && notAllowed.text.lowercased().contains("allow: get, head"), "\(notAllowed.text)")
        }
    }

    @Test func connectionsBeyondTheCapAre503AndTheirPlacesComeBack() async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 30, bodyTimeout: 30, maxConnections: 3)) { port in
            var held = try (0..<3).map { _ in try Socket(port: port) }
            for socket in held {  // the three are served (and so counted: answered, not merely connected)
                socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = await socket.readToEnd(timeout: 30, until: "ok\n")
            }
            let extra = try Socket(port: port)
            extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let refused = await extra.readToEnd(timeout: 30)
            #expect(refused.text.hasPrefix("HTTP/1.1 503") && Self.errorCode(refused.text) == "too_many_connections" && refused.closed)
            held.removeAll()  // closes them
            // Their places come back once the server has seen the closes (on a loaded machine that
            // can take longer than a fixed wait): retried, for up to 60 s.
            var answer = ""
            let deadline = ContinuousClock.now + .seconds(60)
            repeat {
                try await Task.sleep(for: .milliseconds(100))
                let again = try Socket(port: port)
                again.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = await again.readToEnd(timeout: 30).text
            } while answer.hasPrefix("HTTP/1.1 503") && ContinuousClock.now < deadline
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        }
    }

    @Test(arguments: [
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "400", "malformed_http"),
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400", "malformed_http"),
        ("GET /\r\n", "400", "unsupported_http_version"),
        ("GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "405", "method_not_allowed"),
        // Anthropic's path: Anthropic's error shape (no code; its error type).
        ("DELETE /v1/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "405", "anthropic:invalid_request_error"),
        ("GET /v2/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "404", "not_found"),
    ])
    func refusalsCarryTheAPIsErrorObject(request: String, status: String, code: String) async throws {
        try await Self.live(ConnectionLimits(idleTimeout: 5, bodyTimeout: 5)) { port in
            let socket = try Socket(port: port)
            socket.send(request)
            let answer = await socket.readToEnd(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 \(status)"), "\(answer.text)")
            if code.hasPrefix("anthropic:") {
                #expect(answer.text.contains(#""type":"error""#) && answer.text.contains(#""type":"\#(code.dropFirst(10))""#), "\(answer.text)")
            } else {
                #expect(Self.errorCode(answer.text) == code, "\(answer.text)")
            }
            #expect(answer.closed)
            if status == "405" { #expect(answer.text.lowercased().contains("allow: post")) }
        }
    }

    @Test(arguments: [false, true])
    func probesNeedTheKeyUnlessOpened(open: Bool) async throws {
        try await Self.live(ConnectionLimits(), openProbes: open) { port in
            for path in ["/metrics", "/readyz"] {
                let socket = try Socket(port: port)
                socket.send("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                let answer = await socket.readToEnd(timeout: 30).text
                if open {
                    #expect(answer.hasPrefix("HTTP/1.1 200") || (path == "/readyz" && answer.hasPrefix("HTTP/1.1 503")), "\(path): \(answer)")
                } else {
                    #expect(answer.hasPrefix("HTTP/1.1 401"), "\(path): \(answer)")
                }
                let keyed = try Socket(port: port)
                keyed.send("GET \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(HTTPEdgeTests.key)\r\nConnection: close\r\n\r\n")
                let keyedAnswer = await keyed.readToEnd(timeout: 30).text
                #expect(keyedAnswer.hasPrefix("HTTP/1.1 200"), "\(path) with the key: \(keyedAnswer)")
            }
            let health = try Socket(port: port)
            health.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await health.readToEnd(timeout: 30).text.hasPrefix("HTTP/1.1 200"))
        }
    }
}
