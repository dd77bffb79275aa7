import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The floor under `lumen serve` for `lumen-bench proxy`: the same HTTP stack (Hummingbird in front,
/// AsyncHTTPClient to the upstream, tasks on the same event loops) forwarding each
/// `POST /v1/chat/completions` body verbatim to one upstream and streams its answer verbatim back — no
/// parsing, classification, policy, audit or metrics. What `lumen serve` adds over this is Lumen's own
/// cost; what this adds over the upstream directly is the cost of any proxy built on this stack.
enum BareForwarder {
    /// Serves until SIGINT/SIGTERM. `upstream` is the full URL to post to.
    static func run(host: String, port: Int, upstream: String, authorization: String?, logger: Logger) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 << 20)
            var outgoing = HTTPClientRequest(url: upstream)
            outgoing.method = .POST
            outgoing.headers.add(name: "content-type", value: "application/json")
            if let authorization { outgoing.headers.add(name: "authorization", value: authorization) }
            outgoing.body = .bytes(body)
            let answer = try await client.execute(outgoing, timeout: .seconds(30))
            // The answer streams through as it arrives (SSE included), as Lumen's does.
            var headers = HTTPFields()
            headers[.contentType] = answer.headers.first(name: "content-type") ?? "application/json"
            if let length = answer.headers.first(name: "content-length") { headers[.contentLength] = length }
            return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(asyncSequence: answer.body))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "lumen-forwarder"),
            logger: logger
        )
        do {
            try await app.runService()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
