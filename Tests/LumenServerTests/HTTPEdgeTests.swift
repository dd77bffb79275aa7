import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LumenAudit
import LumenCore
import LumenPolicy
import LumenRouter
import LumenTestSupport
import NIOCore
import Prometheus
import Testing

@testable import LumenServer

/// The HTTP edge in-process (HummingbirdTesting's router framework: no sockets): authentication,
/// body limits, malformed input, headers, SSE error events, key files and the loopback guard.
@Suite struct HTTPEdgeTests {
    static let policyYAML = """
        name: edge
        custom_terms: [BLOCKME]
        \(TestPolicies.localAndRemoteTargets)
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        models:
          claude-*: auto
        rules:
          - name: forbidden
            when: { findings: { any_of: [CUSTOM_TERM] } }
            block: Forbidden here.
          - name: to-remote
            when: { metadata: { route: remote } }
            route: remote
        default:
          route: local
        """
    static let key = "edge-test-key"

    static func app(
        keys: Bool = true, maxBodyBytes: Int = 4096, remote: FakeBackend = FakeBackend(route: .remote, host: "remote.example"),
        local: FakeBackend = FakeBackend(route: .local), connections: ConnectionLimits = ConnectionLimits(), openProbes: Bool = false,
        log: AuditLog? = nil, responsesStore: Int = 0, corsOrigins: [String] = []
    ) async throws -> some ApplicationProtocol {
        let policy = try Policy.parse(yaml: policyYAML, file: "edge.yaml", environment: [:])
        let auditLog: AuditLog
        if let log {
            auditLog = log
        } else {
            auditLog = try await AuditLog.open(AuditLogConfiguration(directory: try Harness.temporaryDirectory("edge").path, fsync: .never))
        }
        let router = LumenRouter.Router(
            configuration: RouterConfiguration(policy: policy),
            backends: ["local": .ready(local), "remote": .ready(remote)],
            audit: .log(auditLog), logger: Logger(label: "test")
        )
        let store = keys ? KeyStore(hashedKeys: [KeyStore.hash(key: key): KeyIdentity(tenant: "acme", keyID: "acme-1")]) : nil
        return LumenHTTPServer.makeApplication(
            router: { router },
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes, keys: store, responsesStore: responsesStore, connections: connections,
                openProbes: openProbes, corsOrigins: corsOrigins
            ),
            registry: PrometheusCollectorRegistry(), logger: Logger(label: "test")
        )
    }

    static func headers(auth: String? = "Bearer \(key)") -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        if let auth { fields[.authorization] = auth }
        return fields
    }

    static let chat = #"{"model":"auto","messages":[{"role":"user","content":"Hello there"}]}"#

    /// The OpenAI error object of a response body.
    static func error(_ body: ByteBuffer) throws -> (type: String, code: String, message: String) {
        let json = try WireJSON.decode(JSONValue.self, from: Array(buffer: body))
        let error = try #require(json["error"])
        return (error["type"]?.stringValue ?? "", error["code"]?.stringValue ?? "", error["message"]?.stringValue ?? "")
    }

    /// Browser front-ends (`--cors-origin`): an allowed origin's preflight is a 204 naming what it may
    /// send, its answers carry the origin and let the page read Lumen's headers; another origin gets
    /// no CORS header (the browser keeps the answer from the page), and without the flag a preflight
    /// is a 405 like any method the path does not take.
    @Test func corsForTheOriginsNamedOnly() async throws {
        let origin = HTTPFields.Element.Name("origin")!
        let allowOrigin = HTTPFields.Element.Name("access-control-allow-origin")!
        @Sendable func preflight(from page: String) -> HTTPFields {
            var fields = HTTPFields()
            fields[origin] = page
            fields[HTTPFields.Element.Name("access-control-request-method")!] = "POST"
            fields[HTTPFields.Element.Name("access-control-request-headers")!] = "authorization, content-type, x-stainless-os"
            return fields
        }
        try await Self.app(corsOrigins: ["http://localhost:3000"]).test(.router) { client in
            try await client.execute(uri: "/v1/chat/completions", method: .options, headers: preflight(from: "http://localhost:3000")) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[allowOrigin] == "http://localhost:3000")
                let allowed = response.headers[HTTPFields.Element.Name("access-control-allow-headers")!] ?? ""
                #expect(allowed.lowercased().contains("authorization") && allowed.contains("*"), "\(allowed)")
                #expect(response.headers[HTTPFields.Element.Name("access-control-allow-methods")!]?.contains("POST") == true)
            }
            var headers = Self.headers()
            headers[origin] = "http://localhost:3000"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: Self.chat)) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[allowOrigin] == "http://localhost:3000")
                #expect(response.headers[HTTPFields.Element.Name("access-control-expose-headers")!]?.contains("x-lumen-route") == true)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .options, headers: preflight(from: "https://evil.example")) { response in
                #expect(response.status == .forbidden && response.headers[allowOrigin] == nil)
            }
            // A page of another origin is refused before anything runs, even where the browser
            // asks nothing first (a text/plain POST) and would only keep the answer from the page.
            headers[origin] = "https://evil.example"
            headers[.contentType] = "text/plain"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: Self.chat)) {
                response in
                #expect(response.status == .forbidden && response.headers[allowOrigin] == nil)
            }
        }
        let local = FakeBackend(route: .local)
        try await Self.app(local: local).test(.router) { client in
            var headers = Self.headers()
            headers[origin] = "http://localhost:3000"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: Self.chat)) {
                response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .options, headers: preflight(from: "http://localhost:3000")) { response in
                #expect(response.status == .forbidden && response.headers[allowOrigin] == nil)
            }
            // Without an origin (no browser) the API's paths answer other methods with 405 and Allow.
            try await client.execute(uri: "/v1/chat/completions", method: .options) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "POST")
            }
        }
        #expect(local.received.isEmpty, "a web page's request reached the model")
    }

    /// A full local queue is a 429 that says when to try again (a slot frees when one answer ends).
    @Test func aBusyLocalModelSaysWhenToRetry() async throws {
        try await Self.app(local: FakeBackend(route: .local, failure: BackendError(.busy, "all slots and the queue are full"))).test(.router) {
            client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: Self.chat)) {
                (response: TestResponse) async throws in
                #expect(response.status == .tooManyRequests && response.headers[.retryAfter] == "1")
                #expect(try Self.error(response.body).code == "local_busy")
            }
        }
    }

    /// A target's rate limit or overload with nothing to fall back to: the client's 429 or 503 says
    /// what the target asked.
    @Test(arguments: [(429, 429, "rate_limited_by_target"), (503, 503, "upstream_overloaded"), (529, 503, "upstream_overloaded")])
    func aTargetsRetryAfterReachesTheClient(upstream: Int, status: Int, code: String) async throws {
        var limited = BackendError(.failure, "HTTP \(upstream) from remote.example", status: upstream)
        limited.retryAfter = 30
        try await Self.app(remote: FakeBackend(route: .remote, host: "remote.example", failure: limited)).test(.router) { client in
            let body = #"{"model":"auto","metadata":{"route":"remote"},"messages":[{"role":"user","content":"Hello there"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: body)) {
                (response: TestResponse) async throws in
                #expect(response.status.code == status && response.headers[.retryAfter] == "30")
                #expect(try Self.error(response.body).code == code)
            }
        }
    }

    /// A keyless server is reached by loopback names only: a page that rebinds its own name to
    /// 127.0.0.1 (DNS rebinding) is refused.
    @Test func aKeylessServerAnswersLoopbackNamesOnly() async throws {
        #expect(AllowedOrigins<LumenRequestContext>.isLoopback("127.0.0.1:8080") && AllowedOrigins<LumenRequestContext>.isLoopback("localhost"))
        #expect(AllowedOrigins<LumenRequestContext>.isLoopback("[::1]:8080") && AllowedOrigins<LumenRequestContext>.isLoopback("LOCALHOST:1"))
        #expect(
            !AllowedOrigins<LumenRequestContext>.isLoopback("attacker.example:8080")
                && !AllowedOrigins<LumenRequestContext>.isLoopback("127.0.0.1.nip.io"))
        let local = FakeBackend(route: .local)
        try await Self.app(keys: false, local: local).test(.router) { client in
            var headers = Self.headers(auth: nil)
            headers[HTTPFields.Element.Name("host")!] = "attacker.example:8080"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: Self.chat)) {
                response in
                #expect(response.status == .forbidden)
            }
        }
        #expect(local.received.isEmpty)
    }

    /// A compressed body is named as such, not read as bad UTF-8.
    @Test func aCompressedBodyIs415() async throws {
        try await Self.app().test(.router) { client in
            var headers = Self.headers()
            headers[.contentEncoding] = "gzip"
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(bytes: [0x1f, 0x8b, 8, 0])) {
                (response: TestResponse) async throws in
                #expect(response.status == .unsupportedMediaType)
                let error = try Self.error(response.body)
                #expect(error.code == "unsupported_content_encoding" && error.message.contains("gzip"))
            }
        }
    }

    /// Azure OpenAI clients: a deployment's path (with `api-version`) and the key in `api-key`.
    @Test func azurePathsAndKeyHeader() async throws {
        try await Self.app().test(.router) { client in
            var headers = Self.headers(auth: nil)
            headers[HTTPFields.Element.Name("api-key")!] = Self.key
            for path in ["/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", "/openai/v1/chat/completions"] {
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: Self.chat)) {
                    (response: TestResponse) async throws in
                    #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
                }
            }
            headers[HTTPFields.Element.Name("api-key")!] = "wrong"
            try await client.execute(uri: "/openai/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: Self.chat)) {
                (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func missingOrWrongKeyIs401AndNothingRuns() async throws {
        let remote = FakeBackend(route: .remote, host: "remote.example")
        try await Self.app(remote: remote).test(.router) { client in
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(auth: nil), body: ByteBuffer(string: Self.chat)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
                #expect(try Self.error(response.body).code == "missing_api_key")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-request-id")!] != nil)
            }
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(auth: "Bearer nope"), body: ByteBuffer(string: Self.chat)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
                #expect(try Self.error(response.body).code == "invalid_api_key")
            }
            var apiKey = Self.headers(auth: nil)
            apiKey[HTTPFields.Element.Name("x-api-key")!] = Self.key
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: apiKey, body: ByteBuffer(string: Self.chat)) {
                (response: TestResponse) async throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.headers(auth: nil)) { (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(remote.received.isEmpty)
    }

    /// A request refused before any decision leaves a completion record too: who asked (the wrong
    /// key's id, never the key), through which API, the status and the code, nothing of its body.
    @Test func refusalsBeforeADecisionAreRecorded() async throws {
        let dir = try Harness.temporaryDirectory("edge-refusals")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir.path, fsync: .never))
        try await Self.app(log: log).test(.router) { client in
            let attempts: [(HTTPFields, String, String)] = [
                (Self.headers(auth: nil), "/v1/chat/completions", Self.chat),
                (Self.headers(auth: "Bearer wrong-key-123"), "/v1/chat/completions", Self.chat),
                (Self.headers(), "/v1/chat/completions", "not json at all"),
                (Self.headers(), "/v1/chat/completions", #"{"model":"no-such-model","messages":[{"role":"user","content":"secret plans"}]}"#),
                (Self.headers(), "/v1/messages", #"{"model":"auto","max_tokens":5,"messages":"secret plans"}"#),
            ]
            for (headers, uri, body) in attempts {
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    (response: TestResponse) async throws in
                    #expect((400..<500).contains(Int(response.status.code)))
                }
            }
        }
        try await log.flush()
        let lines = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }.sorted().flatMap {
            try String(contentsOfFile: dir.appendingPathComponent($0).path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let records = try lines.map { try WireJSON.decode(JSONValue.self, from: $0) }.filter { $0["kind"] == "completion" }
        #expect(records.map { $0["status"]?["code"]?.intValue ?? 0 } == [401, 401, 400, 404, 400], "\(lines)")
        #expect(records[0]["key_id"] == nil && records[0]["tenant"] == nil)
        #expect(records[1]["key_id"]?.stringValue == AuditRecord.keyID(forAPIKey: "wrong-key-123"))
        #expect(records[2...].allSatisfy { $0["tenant"] == "acme" && $0["key_id"] == "acme-1" })
        // An unknown model's name is the client's text: not in the log.
        #expect(records[3]["model"] == nil && records[3]["status"]?["error"] == "model_not_found")
        #expect(records[4]["api"] == "anthropic-messages")
        #expect(!lines.contains { $0.contains("wrong-key-123") || $0.contains("secret plans") || $0.contains("no-such-model") })
    }

    /// `GET /v1/responses/{id}` and `DELETE` (the SDK's `responses.retrieve` and `.delete`): a stored
    /// response as it was answered; not one sent with `store: false`, nor a deleted one.
    @Test func storedResponsesAreRetrievedAndDeleted() async throws {
        try await Self.app(responsesStore: 8).test(.router) { client in
            var id = ""
            var answered: JSONValue = .null
            try await client.execute(
                uri: "/v1/responses", method: .post, headers: Self.headers(), body: ByteBuffer(string: #"{"model":"auto","input":"Hello"}"#)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                answered = try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))
                id = answered["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body)) == answered)
            }
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: Self.headers(auth: nil)) {
                (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/responses/\(id)", method: .delete, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))["deleted"] == true)
            }
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/responses", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"model":"auto","input":"Hello","store":false}"#)
            ) { (response: TestResponse) async throws in
                id = try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
                #expect(try Self.error(response.body).code == "not_found")
            }
        }
    }

    /// `GET /v1/models/{id}`: a listed id or a name a policy pattern takes, in both APIs' shapes
    /// (the OpenAI and Anthropic SDKs' `models.retrieve`); an unknown name is a 404 naming the known ones.
    @Test func modelRetrieve() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/v1/models/local", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                let model = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(model["id"] as? String == "local" && model["object"] as? String == "model" && model["type"] as? String == "model")
                #expect(model["display_name"] as? String == "local" && model["created_at"] as? String == "1970-01-01T00:00:00Z")
                #expect(model["lifecycle"] as? String == "active")
            }
            try await client.execute(uri: "/v1/models/claude-sonnet-4-5", method: .get, headers: Self.headers()) {
                (response: TestResponse) async throws in
                #expect(response.status == .ok)
                let model = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(model["id"] as? String == "claude-sonnet-4-5" && model["maps_to"] as? String == "auto")
            }
            try await client.execute(uri: "/v1/models/gpt-9", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
                #expect(try Self.error(response.body).message.contains("claude-*"))
            }
            // An Anthropic client (it sends anthropic-version) gets Anthropic's error shape.
            var anthropic = Self.headers()
            anthropic[HTTPFields.Element.Name("anthropic-version")!] = "2023-06-01"
            try await client.execute(uri: "/v1/models/gpt-9", method: .get, headers: anthropic) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
                let body = try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))
                #expect(body["type"] == "error" && body["error"]?["type"] == "not_found_error")
                // The SDKs' own request-id headers carry Lumen's id (the anthropic SDK's e.request_id).
                let id = response.headers[HTTPFields.Element.Name("x-lumen-request-id")!]
                #expect(id != nil && response.headers[HTTPFields.Element.Name("request-id")!] == id)
                #expect(response.headers[HTTPFields.Element.Name("x-request-id")!] == id)
            }
            try await client.execute(uri: "/v1/models/local", method: .get, headers: Self.headers(auth: nil)) {
                (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(list["has_more"] as? Bool == false && list["first_id"] as? String == "auto")
            }
            // Pages, as the Anthropic SDK asks for them: limit, after_id, before_id.
            let pages: [(String, [String], Bool)] = [
                ("limit=2", ["auto", "local"], true), ("limit=2&after_id=local", ["remote", "claude-*"], false),
                ("limit=1&before_id=remote", ["local"], true), ("after_id=auto", ["local", "remote", "claude-*"], false),
            ]
            for (query, ids, more) in pages {
                try await client.execute(uri: "/v1/models?\(query)", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                    let list = try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))
                    #expect(list["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids, "\(query)")
                    #expect(list["has_more"]?.boolValue == more && list["last_id"]?.stringValue == ids.last, "\(query)")
                }
            }
            for query in ["limit=0", "limit=x", "after_id=nope"] {
                try await client.execute(uri: "/v1/models?\(query)", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                    #expect(response.status == .badRequest, "\(query)")
                }
            }
        }
    }

    /// Wrong methods and unknown paths under the Anthropic API answer in Anthropic's error shape,
    /// with the request-id headers; elsewhere in OpenAI's.
    @Test func anthropicPathsAnswerErrorsInAnthropicsShape() async throws {
        try await Self.app().test(.router) { client in
            for (uri, method, status) in [
                ("/v1/messages", HTTPRequest.Method.get, HTTPResponse.Status.methodNotAllowed), ("/v1/messages/batches", .post, .notFound),
            ] {
                try await client.execute(uri: uri, method: method, headers: Self.headers()) { (response: TestResponse) async throws in
                    #expect(response.status == status)
                    let body = try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))
                    #expect(body["type"] == "error" && body["error"]?["message"]?.stringValue?.isEmpty == false, "\(uri): \(body)")
                    #expect(response.headers[HTTPFields.Element.Name("request-id")!] != nil)
                }
            }
            try await client.execute(uri: "/v1/nope", method: .get, headers: Self.headers()) { (response: TestResponse) async throws in
                #expect(response.status == .notFound)
                #expect(try Self.error(response.body).code == "not_found")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-request-id")!] != nil)
            }
        }
    }

    /// Valid JSON with a value that does not fit is named as such, not called malformed JSON.
    @Test func aValueThatDoesNotFitIsNamed() async throws {
        try await Self.app().test(.router) { client in
            for body in [
                #"{"model":"auto","max_tokens":4.5,"messages":[{"role":"user","content":"hi"}]}"#,
                #"{"model":"auto","max_tokens":1e20,"messages":[{"role":"user","content":"hi"}]}"#,
            ] {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: body)) {
                    (response: TestResponse) async throws in
                    #expect(response.status == .badRequest)
                    let message = try Self.error(response.body).message
                    #expect(message.contains("max_tokens") && !message.contains("malformed"), "\(message)")
                }
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: #"{"model":"#)) {
                (response: TestResponse) async throws in
                #expect(try Self.error(response.body).message.contains("malformed JSON"))
            }
        }
    }

    /// Every inbound API calls bytes that are not JSON "malformed JSON", and a member that does not
    /// fit is named by its path.
    @Test func badJSONIsDescribedAlikeOnEveryAPI() async throws {
        try await Self.app().test(.router) { client in
            for uri in ["/v1/chat/completions", "/v1/messages", "/v1/responses"] {
                try await client.execute(
                    uri: uri, method: .post, headers: Self.headers(), body: ByteBuffer(string: #"{"model": "auto", "messages": [}"#)
                ) {
                    (response: TestResponse) async throws in
                    #expect(response.status == .badRequest)
                    let message = try Self.error(response.body).message
                    #expect(message == "Invalid request JSON: malformed JSON", "\(uri): \(message)")
                }
            }
            let badContent = #"{"model":"auto","messages":[{"role":"user","content":"hi"},{"role":"user","content":42}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: badContent)) {
                (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                let message = try Self.error(response.body).message
                #expect(message.hasPrefix("Invalid request: messages[1].content: message content must be"), "\(message)")
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await Self.app(maxBodyBytes: 64).test(.router) { client in
            let body = #"{"model":"auto","messages":[{"role":"user","content":"\#(String(repeating: "x", count: 200))"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: body)) {
                (response: TestResponse) async throws in
                #expect(response.status == .contentTooLarge)
                #expect(try Self.error(response.body).code == "request_too_large")
            }
        }
    }

    @Test func malformedJSONAndBadUTF8Are400WithTheirCodes() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: #"{"model": "auto", "messages": ["#)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try Self.error(response.body).code == "invalid_json")
            }
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(bytes: [0x7B, 0xFF, 0xFE, 0x7D])
            ) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try Self.error(response.body).code == "invalid_utf8")
            }
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"model":"auto","messages":[{"role":"user"}],"max_tokens":"x"}"#)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try Self.error(response.body).message.contains("max_tokens"))
            }
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"model":"auto","seed":9223372036854775808,"messages":[{"role":"user","content":"hi"}]}"#)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try Self.error(response.body).message.contains("'seed' is out of range"))
            }
            // What the API requires of a message beyond its JSON types: a user message's content, a
            // tool message's tool_call_id, a known role.
            let messages = [
                (#"[{"role":"user"}]"#, "messages[0].content"),
                (#"[{"role":"user","content":"hi"},{"role":"tool","content":"42"}]"#, "messages[1].tool_call_id"),
                (#"[{"role":"wizard","content":"hi"}]"#, "messages[0].role"),
            ]
            for (list, param) in messages {
                try await client.execute(
                    uri: "/v1/chat/completions", method: .post, headers: Self.headers(),
                    body: ByteBuffer(string: #"{"model":"auto","messages":"# + list + "}")
                ) { (response: TestResponse) async throws in
                    #expect(response.status == .badRequest, "\(list)")
                    let json = try WireJSON.decode(JSONValue.self, from: Array(buffer: response.body))
                    #expect(json["error"]?["param"]?.stringValue == param, "\(list)")
                }
            }
        }
    }

    @Test func answersCarryTheRouteHeaders() async throws {
        try await Self.app().test(.router) { client in
            let remoteBody = #"{"model":"auto","metadata":{"route":"remote"},"x_extra":1,"messages":[{"role":"user","content":"Hi"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: remoteBody)) {
                (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-route")!] == "remote")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-target")!] == "remote")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-rule")!] == "to-remote")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-egress")!] == "remote.example")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-dropped-fields")!] == "x_extra")
                #expect(Double(response.headers[HTTPFields.Element.Name("x-lumen-cost-usd")!] ?? "") ?? 0 > 0)
            }
            try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(),
                body: ByteBuffer(string: #"{"model":"auto","messages":[{"role":"user","content":"BLOCKME please"}]}"#)
            ) { (response: TestResponse) async throws in
                #expect(response.status == .forbidden)
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-route")!] == "blocked")
                #expect(response.headers[HTTPFields.Element.Name("x-lumen-egress")!] == "none")
                #expect(try Self.error(response.body).message == "Forbidden here.")
            }
        }
    }

    @Test func aStreamCutAfterItsFirstChunkEndsWithAnErrorEvent() async throws {
        let remote = FakeBackend(route: .remote, host: "remote.example", failure: BackendError(.failure, "cut"), failAfterChunks: 1)
        try await Self.app(remote: remote).test(.router) { client in
            let body = #"{"model":"auto","stream":true,"metadata":{"route":"remote"},"messages":[{"role":"user","content":"Tell me a long story"}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(), body: ByteBuffer(string: body)) {
                (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                let events = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }
                #expect(events.count >= 2)
                #expect(!text.contains("[DONE]"), "a cut stream must not look complete")
                let last = try #require(events.last)
                let error = try WireJSON.decode(JSONValue.self, from: String(last.dropFirst(6)))
                #expect(error["error"]?["code"]?.stringValue == "upstream_error")
            }
        }
    }

    @Test func keyFilesParseOrSayWhy() throws {
        let hash = KeyStore.hash(key: "k1")
        let yaml = "keys:\n  - sha256: \(hash)\n    tenant: acme\n    id: ci\n"
        let store = try KeyStore.parse(yaml)
        #expect(store.identity(forKey: "k1") == KeyIdentity(tenant: "acme", keyID: "ci"))
        #expect(store.identity(forKey: "k2") == nil)
        let list = try KeyStore.parse(#"[{"sha256":"\#(hash.uppercased())","tenant":"t"}]"#)
        #expect(list.identity(forKey: "k1")?.keyID == String(hash.prefix(12)))
        for (bad, reason) in [
            ("keys:\n  - sha256: abc\n    tenant: t\n", "64 hex digits"),
            ("keys:\n  - sha256: \(hash)\n    tenant: \"\"\n", "tenant must not be empty"),
            ("keys:\n  - sha256: \(hash)\n    tenant: a\n  - sha256: \(hash)\n    tenant: b\n", "duplicate"),
            ("keys: []\n", "no keys"),
            ("not: [a key file", "expected a list"),
        ] {
            do {
                _ = try KeyStore.parse(bad, file: "k.yaml")
                Issue.record("accepted: \(bad)")
            } catch {
                #expect(error.description.contains(reason), "\(error.description)")
                #expect(error.description.hasPrefix("k.yaml: error:"))
            }
        }
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("localhost", true), ("::1", true), ("[::1]", true), ("127.1.2.3", true),
        ("0.0.0.0", false), ("::", false), ("10.0.0.1", false), ("127.example.com", false), ("no-such-host.invalid", false),
    ])
    func theLoopbackGuardResolvesNames(host: String, loopback: Bool) {
        #expect(ServerConfiguration.resolvesToLoopbackOnly(host) == loopback, "\(host)")
    }

    @Test func theBoundAddressIsCheckedToo() {
        #expect(ServerConfiguration.isLoopback(boundAddress: "127.0.0.1"))
        #expect(ServerConfiguration.isLoopback(boundAddress: "::1"))
        #expect(!ServerConfiguration.isLoopback(boundAddress: "0.0.0.0"))
        #expect(!ServerConfiguration.isLoopback(boundAddress: "192.168.1.7"))
        #expect(!ServerConfiguration.isLoopback(boundAddress: nil))
    }
}

/// `previous_response_id` continues a conversation for the tenant it belongs to only: another
/// tenant's request naming it would carry that conversation into its own, and out to its target.
@Suite struct ResponsesStoreTenantTests {
    @Test func anotherTenantsResponseIsNotFound() {
        let store = ResponsesStore(capacity: 4)
        store.store(
            id: "resp_1", tenant: "alpha", conversation: [ChatMessage(role: .user, text: "private note")],
            answer: ChatMessage(role: .assistant, text: "noted"))
        #expect(store.conversation(of: "resp_1", tenant: "alpha")?.map(\.text) == ["private note", "noted"])
        #expect(store.conversation(of: "resp_1", tenant: "beta") == nil)
        #expect(store.conversation(of: "resp_2", tenant: "alpha") == nil)
    }
}

@Suite struct StoreSettingsTests {
    /// The policy poll, the query deadline and the stale interval are read from the environment: a
    /// positive number of seconds, or a clear error.
    @Test func policyPollSecondsFromTheEnvironment() throws {
        let url = "postgres://lumen@127.0.0.1:5432/lumen"
        #expect(try ServeConfiguration.storeSettings(url: url, environment: [:]).policyPollSeconds == 2)
        #expect(try ServeConfiguration.storeSettings(url: url, environment: ["LUMEN_STORE_POLICY_POLL_SECONDS": "0.5"]).policyPollSeconds == 0.5)
        #expect(try ServeConfiguration.storeSettings(url: url, environment: [:]).queryTimeoutSeconds == 5)
        #expect(try ServeConfiguration.storeSettings(url: url, environment: ["LUMEN_STORE_QUERY_TIMEOUT": "15"]).queryTimeoutSeconds == 15)
        #expect(try ServeConfiguration.storeSettings(url: url, environment: ["LUMEN_STORE_STALE_SECONDS": "30"]).staleSeconds == 30)
        #expect(throws: ServeError.self) { try ServeConfiguration.storeSettings(url: url, environment: ["LUMEN_STORE_STALE_SECONDS": "1"]) }
        for name in ["LUMEN_STORE_POLICY_POLL_SECONDS", "LUMEN_STORE_QUERY_TIMEOUT", "LUMEN_STORE_STALE_SECONDS"] {
            for bad in ["0", "-1", "soon", "inf"] {
                #expect(throws: ServeError.self) { try ServeConfiguration.storeSettings(url: url, environment: [name: bad]) }
            }
        }
    }
}
