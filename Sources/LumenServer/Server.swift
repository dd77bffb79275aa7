import Foundation
package import Hummingbird
package import Logging
import LumenAudit
import LumenCore
package import LumenRouter
import NIOCore
package import Prometheus

/// Settings for the HTTP edge of `lumen serve`.
package struct ServerConfiguration: Sendable {
    package var host: String
    package var port: Int
    /// Request bodies larger than this are refused with 413.
    package var maxBodyBytes: Int
    /// Accepted API keys; nil = no authentication (the CLI then allows loopback hosts only).
    package var keys: KeyStore?
    /// Tenant used when no key file is configured.
    package var defaultTenant: String
    /// Responses kept in memory for `previous_response_id` (0: none; such a request is a 400).
    package var responsesStore: Int
    /// Timeouts and the cap on open connections.
    package var connections: ConnectionLimits
    /// Serve `/metrics` and `/readyz` without a key even when keys are on (`/metrics` shows cost
    /// and egress hosts, so by default it needs a key like the API; `/healthz` never does).
    package var openProbes: Bool
    /// Web origins allowed to call the API from a browser (CORS; `*`: any); a request from any other
    /// origin is a 403 (`AllowedOrigins`).
    package var corsOrigins: [String]

    package init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 4 << 20, keys: KeyStore? = nil, defaultTenant: String = "default",
        responsesStore: Int = 0, connections: ConnectionLimits = ConnectionLimits(), openProbes: Bool = false, corsOrigins: [String] = []
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.keys = keys
        self.defaultTenant = defaultTenant
        self.responsesStore = responsesStore
        self.connections = connections
        self.openProbes = openProbes
        self.corsOrigins = corsOrigins
    }

    /// Whether every address `host` resolves to is a loopback address (127.0.0.0/8 or ::1): what
    /// "only this machine can reach it" means. A name is resolved, not read (`127.example.com` can
    /// resolve anywhere); a name that does not resolve counts as not loopback.
    package static func resolvesToLoopbackOnly(_ host: String) -> Bool {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return false }
        defer { freeaddrinfo(first) }
        var node: UnsafeMutablePointer<addrinfo>? = first
        var found = false
        while let current = node {
            guard let address = current.pointee.ai_addr else { return false }
            switch Int32(current.pointee.ai_family) {
            case AF_INET:
                let ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                guard UInt32(bigEndian: ipv4) >> 24 == 127 else { return false }
            case AF_INET6:
                let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
                let isLoopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
                let isMappedLoopback = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
                guard isLoopback || isMappedLoopback else { return false }
            default:
                return false
            }
            found = true
            node = current.pointee.ai_next
        }
        return found
    }

    /// Whether an address a socket is bound to is loopback (checked after binding, too).
    package static func isLoopback(boundAddress address: String?) -> Bool {
        guard let address else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}

/// Builds the Hummingbird application that serves the OpenAI-compatible API in front of a `Router`.
package enum LumenHTTPServer {
    /// The answer's headers a page may read under CORS: Lumen's route and cost, the SDKs' request ids.
    static let exposedHeaders = [
        Handler.requestIDField, Handler.sdkRequestIDField, Handler.anthropicRequestIDField, Handler.routeField, Handler.targetField,
        Handler.ruleField, Handler.costField, Handler.egressField, Handler.overrideField, Handler.fallbackField, Handler.redactionsField,
        Handler.droppedField, Handler.injectionField, Handler.shouldRetry, HTTPFields.Element.Name.retryAfter,
    ].map(\.canonicalName).joined(separator: ", ")

    /// Routes: `POST /v1/chat/completions`, `POST /v1/messages` (+ `/count_tokens`), `POST /v1/responses`,
    /// `GET /v1/models`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
    /// - Parameters:
    ///   - router: the router for the next request (read once per request, so a policy reload
    ///     takes effect between requests).
    ///   - onListening: called with the bound port once the server accepts connections.
    package static func makeApplication(
        router: @escaping @Sendable () -> LumenRouter.Router,
        configuration: ServerConfiguration,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let handler = Handler(
            router: router, configuration: configuration, registry: registry, logger: logger,
            responses: configuration.responsesStore > 0 ? ResponsesStore(capacity: configuration.responsesStore) : nil
        )
        let httpRouter = Hummingbird.Router(context: LumenRequestContext.self)
        // Web pages: the origins `--cors-origin` allows get CORS (the preflight answered before
        // routing), any other is refused before anything runs (a middleware applies to the routes
        // added after it).
        httpRouter.middlewares.add(AllowedOrigins(origins: configuration.corsOrigins, loopbackHostOnly: configuration.keys == nil))
        httpRouter.post("/v1/chat/completions") { request, context in await handler.chatCompletions(request, channel: context.channel) }
        httpRouter.post("/chat/completions") { request, context in await handler.chatCompletions(request, channel: context.channel) }
        httpRouter.post("/v1/messages") { request, context in await handler.serve(request, api: .anthropicMessages, channel: context.channel) }
        httpRouter.post("/v1/messages/count_tokens") { request, context in
            await handler.serve(request, api: .anthropicMessages, countTokensOnly: true, channel: context.channel)
        }
        httpRouter.post("/v1/responses") { request, context in await handler.serve(request, api: .responses, channel: context.channel) }
        httpRouter.post("/responses") { request, context in await handler.serve(request, api: .responses, channel: context.channel) }
        // Azure OpenAI's paths (the SDK's AzureOpenAI client, key in `api-key`): a deployment's chat
        // completions (the body names the model as well; `api-version` is not read) and the v1 API.
        for path in ["/openai/deployments/:deployment/chat/completions", "/openai/v1/chat/completions"] {
            httpRouter.post(RouterPath(path)) { request, context in await handler.chatCompletions(request, channel: context.channel) }
        }
        for path in ["/openai/responses", "/openai/v1/responses"] {
            httpRouter.post(RouterPath(path)) { request, context in await handler.serve(request, api: .responses, channel: context.channel) }
        }
        // GET routes answer HEAD too (the same head, no body: RFC 9110 §9.3.2).
        for method in [HTTPRequest.Method.get, .head] {
            httpRouter.on("/v1/models", method: method) { request, _ in handler.models(request) }
            httpRouter.on("/v1/models/:id", method: method) { request, context in handler.model(request, id: context.parameters.get("id") ?? "") }
            httpRouter.on("/v1/responses/:id", method: method) { request, context in
                handler.storedResponse(request, id: context.parameters.get("id") ?? "", delete: false)
            }
            httpRouter.on("/healthz", method: method) { _, _ in handler.plain(.ok, "ok\n") }
            httpRouter.on("/readyz", method: method) { request, _ in handler.probe(request) { handler.ready() } }
            httpRouter.on("/metrics", method: method) { request, _ in handler.probe(request) { handler.metrics() } }
        }
        httpRouter.delete("/v1/responses/:id") { request, context in
            handler.storedResponse(request, id: context.parameters.get("id") ?? "", delete: true)
        }
        // The API's paths answer other methods with 405 and what they allow, in the API's error shape.
        let posts = [
            "/v1/chat/completions", "/chat/completions", "/v1/messages", "/v1/messages/count_tokens", "/v1/responses", "/responses",
            "/openai/deployments/:deployment/chat/completions", "/openai/v1/chat/completions", "/openai/responses", "/openai/v1/responses",
        ]
        for path in posts {
            for method in [HTTPRequest.Method.get, .put, .delete, .patch, .head, .options] {
                httpRouter.on(RouterPath(path), method: method) { request, _ in handler.methodNotAllowed(request, allow: "POST") }
            }
        }
        for path in ["/v1/models", "/v1/models/:id", "/healthz", "/readyz", "/metrics"] {
            for method in [HTTPRequest.Method.post, .put, .delete, .patch, .options] {
                httpRouter.on(RouterPath(path), method: method) { request, _ in handler.methodNotAllowed(request, allow: "GET, HEAD") }
            }
        }
        for method in [HTTPRequest.Method.post, .put, .patch, .options] {
            httpRouter.on("/v1/responses/:id", method: method) { request, _ in
                handler.methodNotAllowed(request, allow: "GET, HEAD, DELETE")
            }
        }
        httpRouter.middlewares.add(NotFoundBodyMiddleware())
        let counter = ConnectionCounter()
        let limits = configuration.connections
        return Application(
            router: httpRouter,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter), ClientCloseWatch()],
                    idleTimeout: .nanoseconds(Int64(limits.idleTimeout * 1e9))
                )
            ),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lumen"),
            onServerRunning: { channel in
                // Without keys the server must be reachable from this machine only: the address it is
                // bound to decides, whatever name was given.
                if configuration.keys == nil, !ServerConfiguration.isLoopback(boundAddress: channel.localAddress?.ipAddress) {
                    logger.critical(
                        "bound to a non-loopback address without --keys: closing",
                        metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                    try? await channel.close()
                    return
                }
                await onListening(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
    }
}

/// A path Lumen does not serve: 404 with an OpenAI error object, not an empty body.
struct NotFoundBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Handler.refusal(.notFound, "Unknown path \(request.uri.path).", code: "not_found", request: request)
        }
    }
}

/// Hummingbird's basic request context plus the connection's channel, through which a handler
/// watches its client (`ClientCloseWatch`).
struct LumenRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Per-server request handling; stateless apart from its immutable collaborators.
struct Handler: Sendable {
    let router: @Sendable () -> LumenRouter.Router
    let configuration: ServerConfiguration
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    /// Earlier Responses conversations for `previous_response_id` (nil: no store).
    let responses: ResponsesStore?

    static let jsonType = "application/json"
    func chatCompletions(_ request: Request, channel: (any Channel)? = nil) async -> Response {
        await serve(request, api: .chatCompletions, channel: channel)
    }

    /// One request of any client API: authentication, body limits, decoding by the API's adapter,
    /// the router, and the answer encoded back in the API's shapes (errors in its error shape).
    func serve(_ request: Request, api: InboundAPI, countTokensOnly: Bool = false, channel: (any Channel)? = nil) async -> Response {
        let requestID = Self.newRequestID()
        // Authentication first: nothing is read from an unauthenticated caller. Its refusal is
        // recorded (with the presented key's id, never the key), as every refusal below is.
        let identity: KeyIdentity
        switch authenticate(request) {
        case .success(let id): identity = id
        case .failure(let error):
            let keyID = Self.presentedKey(request).map { AuditRecord.keyID(forAPIKey: $0) }
            _ = await router().recordRefusal(error, requestID: requestID, tenant: nil, keyID: keyID, api: api, model: nil)
            return errorResponse(error, requestID: requestID, api: api)
        }
        return await readAndAnswer(request, api: api, requestID: requestID, identity: identity, countTokensOnly: countTokensOnly, channel: channel)
    }

    /// The rest of `serve` for an authenticated caller: a refusal before the router (a body too
    /// large, not UTF-8, not a request) is recorded; the router records its own.
    private func readAndAnswer(
        _ request: Request, api: InboundAPI, requestID: String, identity: KeyIdentity, countTokensOnly: Bool = false, channel: (any Channel)?
    ) async -> Response {
        func refuse(_ error: RouterError) async -> Response {
            if !countTokensOnly {
                _ = await self.router().recordRefusal(
                    error, requestID: requestID, tenant: identity.tenant, keyID: identity.keyID, api: api, model: nil)
            }
            return errorResponse(error, requestID: requestID, api: api)
        }
        // Body: size limit (by its declared length before a byte is read), UTF-8, JSON.
        let tooLarge = RouterError(
            status: 413, type: "invalid_request_error", code: "request_too_large",
            message: "Request body exceeds the limit of \(configuration.maxBodyBytes) bytes."
        )
        if let declared = request.headers[.contentLength], Int(declared).map({ $0 > configuration.maxBodyBytes }) ?? true {
            // (a length the parser took that does not fit an Int is over any limit)
            return await refuse(tooLarge)
        }
        // A compressed body is refused by name before it is read (it would read as bad UTF-8).
        if let coding = request.headers[.contentEncoding], !coding.isEmpty, coding.lowercased() != "identity" {
            return await refuse(
                RouterError(
                    status: 415, type: "invalid_request_error", code: "unsupported_content_encoding",
                    message: "Request bodies are read uncompressed; Content-Encoding '\(coding)' is not supported.",
                    param: nil))
        }
        // A client waiting for "100 Continue" sends its body now, not before it is accepted.
        if let channel { ConnectionGuard.proceed(on: channel) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return await refuse(tooLarge)
        } catch {
            return await refuse(.invalidRequest("Could not read the request body."))
        }
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return await refuse(.invalidRequest("Request body is not valid UTF-8.", code: "invalid_utf8"))
        }
        var headers: [String: String] = [:]
        for field in request.headers where !Self.secretHeaders.contains(field.name.canonicalName) {
            headers[field.name.canonicalName] = field.value
        }
        let inbound: InboundRequest
        do {
            if bytes.count >= Offload.threshold {
                // Decoding megabytes of JSON takes a while: not on a thread the others need.
                let data = Data(bytes)
                let handler = self
                let headers = headers
                inbound = try await Offload.run { () throws -> InboundRequest in
                    try handler.decode(data, api: api, headers: headers, countTokensOnly: countTokensOnly, tenant: identity.tenant)
                }
            } else {
                inbound = try decode(Data(bytes), api: api, headers: headers, countTokensOnly: countTokensOnly, tenant: identity.tenant)
            }
        } catch {
            return await refuse((error as? RouterError) ?? .internalError("Internal error."))
        }
        let router = router()
        if countTokensOnly {
            do {
                return encoded(
                    .ok, ["input_tokens": JSONValue.integer(Int64(try router.countTokens(inbound)))] as JSONValue,
                    headers: Self.lumenHeaders(nil, requestID: requestID))
            } catch {
                return errorResponse(error, requestID: requestID, api: api)
            }
        }
        // A local answer is generated while the client's connection is watched: a client that goes
        // away frees its slot.
        let presence = channel.map { ChannelPresence(channel: $0, watched: request.headers[ClientCloseWatch.markerHeader] != nil) }
        let caller = Caller(requestID: requestID, tenant: identity.tenant, keyID: identity.keyID, headers: headers, presence: presence)
        return await answer(inbound, caller: caller, router: router, api: api)
    }

    /// The router's answer (or error) to a decoded request, in the API's shapes.
    func answer(_ inbound: InboundRequest, caller: Caller, router: LumenRouter.Router, api: InboundAPI) async -> Response {
        let requestID = caller.requestID
        let tenant = caller.tenant
        do {
            switch try await router.handle(inbound, caller: caller) {
            case .completion(let response, let info):
                switch api {
                case .chatCompletions:
                    return jsonResponse(.ok, response, info: info, requestID: requestID)
                case .anthropicMessages:
                    return jsonResponse(
                        .ok, AnthropicInbound.response(response, requestedModel: inbound.conversation.model), info: info, requestID: requestID)
                case .responses:
                    let id = Self.responseID()
                    let object = ResponsesInbound.response(response, id: id, request: inbound.conversation)
                    if let storable = inbound.storable {
                        responses?.store(id: id, tenant: tenant, conversation: storable, answer: response.choices.first?.message, object: object)
                    }
                    return jsonResponse(.ok, object, info: info, requestID: requestID)
                }
            case .stream(let info, let stream):
                switch api {
                case .chatCompletions:
                    return streamResponse(info: info, stream: stream, requestID: requestID, encoder: ChatSSE(), presence: caller.presence)
                case .anthropicMessages:
                    let encoder = AnthropicSSE(
                        encoder: AnthropicInbound.StreamEncoder(
                            requestedModel: inbound.conversation.model, inputTokensEstimate: info.estimatedInputTokens)
                    )
                    return streamResponse(info: info, stream: stream, requestID: requestID, encoder: encoder, presence: caller.presence)
                case .responses:
                    let encoder = ResponsesSSE(
                        encoder: ResponsesInbound.StreamEncoder(
                            id: Self.responseID(), created: Int(Date().timeIntervalSince1970), request: inbound.conversation),
                        store: inbound.storable == nil ? nil : responses, tenant: tenant, conversation: inbound.storable ?? []
                    )
                    return streamResponse(info: info, stream: stream, requestID: requestID, encoder: encoder, presence: caller.presence)
                }
            }
        } catch {
            return errorResponse(error, requestID: requestID, api: api)
        }
    }

    /// The API's adapter: its body into the conversation (a 400 in the API's shape when it cannot).
    func decode(
        _ data: Data, api: InboundAPI, headers: [String: String], countTokensOnly: Bool, tenant: String
    ) throws(RouterError) -> InboundRequest {
        switch api {
        case .chatCompletions:
            return .chat(try Router.decodeChat(data))
        case .anthropicMessages, .responses:
            let json: JSONValue
            do {
                json = try WireJSON.decode(JSONValue.self, from: data)
            } catch {
                throw .invalidRequest("Invalid request JSON: \(WireJSON.describe(error))", code: "invalid_json")
            }
            do {
                if api == .responses {
                    return try ResponsesInbound.decode(json, history: responses.map { store in { store.conversation(of: $0, tenant: tenant) } })
                }
                var body = json
                if countTokensOnly, var object = body.objectValue, object["max_tokens"] == nil {
                    object["max_tokens"] = 1
                    body = .object(object)
                }
                return try AnthropicInbound.decode(body, headers: headers)
            } catch {
                throw .invalidRequest(error.message, param: error.param)
            }
        }
    }

    static func responseID() -> String {
        "resp_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    func models(_ request: Request) -> Response {
        if case .failure(let error) = authenticate(request) {
            return errorResponse(error, requestID: Self.newRequestID(), api: Self.errorAPI(request))
        }
        let router = router()
        let aliases = router.configuration.policy.modelAliases.map { ModelInfo(id: $0.pattern, ownedBy: "lumen", mapsTo: $0.target) }
        var list = ModelList(data: router.modelIDs.map { ModelInfo(id: $0, ownedBy: "lumen") } + aliases)
        // A page, when the client asks for one (Anthropic's `limit`, `after_id`, `before_id`); else
        // the whole list (OpenAI's list has no pages).
        let query = request.uri.queryParameters
        let (limitText, after, before) = (query["limit"].map(String.init), query["after_id"].map(String.init), query["before_id"].map(String.init))
        guard limitText != nil || after != nil || before != nil else { return encoded(.ok, list, headers: [:]) }
        let api = Self.errorAPI(request)
        guard let limit = Int(limitText ?? "20"), (1...1000).contains(limit) else {
            return errorResponse(
                .invalidRequest("'limit' must be an integer from 1 to 1000.", param: "limit"), requestID: Self.newRequestID(), api: api)
        }
        var page = list.data[...]
        for (cursor, name, isAfter) in [(after, "after_id", true), (before, "before_id", false)] {
            guard let cursor else { continue }
            guard let index = page.firstIndex(where: { $0.id == cursor }) else {
                return errorResponse(
                    .invalidRequest("'\(name)' names no listed model: '\(cursor)'.", param: name), requestID: Self.newRequestID(), api: api)
            }
            page = isAfter ? page[page.index(after: index)...] : page[..<index]
        }
        list.hasMore = page.count > limit
        list.data = Array(before != nil && after == nil ? page.suffix(limit) : page.prefix(limit))
        return encoded(.ok, list, headers: [:])
    }

    /// `GET /v1/models/{id}`: a model id `/v1/models` lists, or a name one of the policy's patterns
    /// takes (`claude-sonnet-4-5` for `claude-*`, with what it maps to); else 404 naming the known ids.
    func model(_ request: Request, id: String) -> Response {
        if case .failure(let error) = authenticate(request) {
            return errorResponse(error, requestID: Self.newRequestID(), api: Self.errorAPI(request))
        }
        let router = router()
        if router.modelIDs.contains(id) { return encoded(.ok, ModelInfo(id: id, ownedBy: "lumen"), headers: [:]) }
        if let alias = router.configuration.policy.modelAliases.first(where: { $0.matches(id) }) {
            return encoded(.ok, ModelInfo(id: id, ownedBy: "lumen", mapsTo: alias.target), headers: [:])
        }
        return errorResponse(router.unknownModel(id), requestID: Self.newRequestID(), api: Self.errorAPI(request))
    }

    /// `GET /v1/responses/{id}` (the SDK's `responses.retrieve`) and `DELETE` (`responses.delete`):
    /// a response this server answered and stored, for the tenant it answered.
    func storedResponse(_ request: Request, id: String, delete: Bool) -> Response {
        let identity: KeyIdentity
        switch authenticate(request) {
        case .success(let found): identity = found
        case .failure(let error): return errorResponse(error, requestID: Self.newRequestID(), api: .responses)
        }
        if let responses {
            if delete, responses.delete(id, tenant: identity.tenant) {
                return encoded(.ok, ["id": .string(id), "object": "response.deleted", "deleted": true] as JSONValue, headers: [:])
            }
            if !delete, let object = responses.object(of: id, tenant: identity.tenant) { return encoded(.ok, object, headers: [:]) }
        }
        let notFound = RouterError(
            status: 404, type: "invalid_request_error", code: "not_found",
            message: responses == nil
                ? "Response '\(id)' not found: this server keeps no responses (--responses-store 0)."
                : "Response '\(id)' not found: it was not stored (store: false), is no longer kept, or another tenant's.")
        return errorResponse(notFound, requestID: Self.newRequestID(), api: .responses)
    }

    /// The API whose error shape a request outside an API's own handler gets (models, wrong
    /// methods, unknown paths): Anthropic's under /v1/messages or when the client says its version
    /// (every Anthropic SDK sends `anthropic-version`), else OpenAI's.
    /// An answer refused before any handler runs (a middleware's), in the error shape of the API the
    /// client speaks, with the request-id headers every answer carries.
    static func refusal(_ status: HTTPResponse.Status, _ message: String, code: String, request: Request) -> Response {
        let body =
            errorAPI(request) == .anthropicMessages
            ? (try? WireJSON.encode(AnthropicInbound.error(status: status.code, message: message)))
            : (try? WireJSON.encode(OpenAIErrorBody(message: message, type: "invalid_request_error", code: code)))
        var headers = lumenHeaders(nil, requestID: newRequestID())
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body ?? [])))
    }

    static func errorAPI(_ request: Request) -> InboundAPI {
        request.uri.path.hasPrefix("/v1/messages") || request.headers[Self.field("anthropic-version")] != nil ? .anthropicMessages : .chatCompletions
    }

    /// `/readyz` and `/metrics`: behind the API key when keys are on, unless opened.
    func probe(_ request: Request, _ answer: () -> Response) -> Response {
        if configuration.keys != nil, !configuration.openProbes, case .failure(let error) = authenticate(request) {
            return errorResponse(error, requestID: Self.newRequestID())
        }
        return answer()
    }

    func methodNotAllowed(_ request: Request, allow: String) -> Response {
        var response = errorResponse(
            RouterError(status: 405, type: "invalid_request_error", code: "method_not_allowed", message: "\(request.uri.path) takes \(allow) only."),
            requestID: Self.newRequestID(), api: Self.errorAPI(request)
        )
        response.headers[.allow] = allow
        return response
    }

    func ready() -> Response {
        let status = router().readiness()
        return plain(status.ready ? .ok : .serviceUnavailable, status.detail + "\n")
    }

    func metrics() -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16_384)
        registry.emit(into: &bytes)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Authentication

    /// Headers that never reach the router (nor a target): credentials, and Lumen's own marker.
    static let secretHeaders: Set<String> = [
        "authorization", "x-api-key", "api-key", "cookie", "proxy-authorization", ClientCloseWatch.markerHeader.canonicalName,
    ]

    /// The key a request presents: `Authorization: Bearer KEY`, else `x-api-key` (Anthropic clients),
    /// else `api-key` (Azure OpenAI clients).
    static func presentedKey(_ request: Request) -> String? {
        var presented: String?
        if let auth = request.headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { presented = String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        if presented == nil, let key = request.headers[Self.anthropicKeyField] ?? request.headers[Self.azureKeyField] { presented = key }
        return presented.flatMap { $0.isEmpty ? nil : $0 }
    }

    func authenticate(_ request: Request) -> Result<KeyIdentity, RouterError> {
        guard let keys = configuration.keys else {
            return .success(KeyIdentity(tenant: configuration.defaultTenant, keyID: "none"))
        }
        guard let key = Self.presentedKey(request) else {
            return .failure(
                RouterError(
                    status: 401, type: "invalid_request_error", code: "missing_api_key",
                    message: "No API key provided. Send `Authorization: Bearer KEY` (or `x-api-key: KEY`, or `api-key: KEY`)."
                )
            )
        }
        guard let identity = keys.identity(forKey: key) else {
            return .failure(RouterError(status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided."))
        }
        return .success(identity)
    }

    // MARK: - Responses

    /// `req_` and 24 lowercase hex digits (96 random bits), written without `UUID`'s string round trip.
    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt32
        let digits = Array("0123456789abcdef".utf8)
        var out = Array("req_".utf8)
        out.reserveCapacity(28)
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((high >> UInt64(shift)) & 0xF)]) }
        for shift in stride(from: 28, through: 0, by: -4) { out.append(digits[Int((low >> UInt32(shift)) & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func field(_ name: String) -> HTTPFields.Element.Name { HTTPFields.Element.Name(name)! }

    static let requestIDField = field("x-lumen-request-id")
    static let sdkRequestIDField = field("x-request-id")
    static let anthropicRequestIDField = field("request-id")
    static let routeField = field("x-lumen-route")
    static let targetField = field("x-lumen-target")
    static let ruleField = field("x-lumen-rule")
    static let costField = field("x-lumen-cost-usd")
    static let egressField = field("x-lumen-egress")
    static let overrideField = field("x-lumen-policy-override")
    static let fallbackField = field("x-lumen-fallback")
    static let redactionsField = field("x-lumen-redactions")
    static let droppedField = field("x-lumen-dropped-fields")
    static let injectionField = field("x-lumen-injection")

    /// `x-lumen-*` headers: present on every answer of the chat endpoint (errors included; fields
    /// not decided yet are `none`).
    static func lumenHeaders(_ info: RouteInfo?, requestID: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[requestIDField] = requestID
        // The ids the SDKs read into their answers and errors (`x-request-id`: OpenAI's;
        // `request-id`: Anthropic's, `e.request_id`).
        headers[sdkRequestIDField] = requestID
        headers[anthropicRequestIDField] = requestID
        headers[routeField] = info?.route.rawValue ?? "none"
        headers[targetField] = info?.target ?? "none"
        headers[ruleField] = info?.rule ?? "none"
        headers[costField] = formatCost(info?.costUSD ?? 0)
        headers[egressField] = info?.egressHost ?? "none"
        if let info {
            if let reason = info.overrideReason { headers[overrideField] = headerSafe(reason) }
            if !info.fallbacks.isEmpty {
                headers[fallbackField] = headerSafe(info.fallbacks.map { "\($0.from)->\($0.to)" }.joined(separator: ","))
            }
            if info.redactedValues > 0 { headers[redactionsField] = String(info.redactedValues) }
            if !info.droppedFields.isEmpty { headers[droppedField] = headerSafe(info.droppedFields.joined(separator: ",")) }
            if let injection = info.injection { headers[injectionField] = headerSafe(injection) }
        }
        return headers
    }

    /// `%.10f`, through C's formatter on a stack buffer (Foundation's `String(format:)` cost ~1% of a
    /// proxied request's CPU); a value too long for the buffer takes the Foundation path.
    static func formatCost(_ usd: Double) -> String {
        let formatted: String? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
            let count = withVaList([usd]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.10f", $0) }
            guard count > 0, count < buffer.count else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(count)), as: UTF8.self)
        }
        return formatted ?? String(format: "%.10f", usd)
    }

    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? Character($0) : "?" })
    }

    func jsonResponse(_ status: HTTPResponse.Status, _ value: some Encodable, info: RouteInfo?, requestID: String) -> Response {
        encoded(status, value, headers: Self.lumenHeaders(info, requestID: requestID))
    }

    func encoded(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = Self.jsonType
        do {
            let bytes = try WireJSON.encode(value)
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch {
            logger.error("could not encode a response", metadata: ["error": "\(error)"])
            return Response(
                status: .internalServerError, headers: headers,
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"error":{"message":"encoding failure","type":"api_error","param":null,"code":"internal_error"}}"#)))
        }
    }

    func errorResponse(_ error: any Error, requestID: String, api: InboundAPI = .chatCompletions) -> Response {
        errorResponse((error as? RouterError) ?? .internalError("Internal error."), requestID: requestID, api: api)
    }

    /// An error in the client API's own shape: an OpenAI error object (Chat Completions, Responses)
    /// or an Anthropic one.
    func errorResponse(_ routerError: RouterError, requestID: String, api: InboundAPI = .chatCompletions) -> Response {
        let status = HTTPResponse.Status(code: routerError.status)
        var headers = Self.lumenHeaders(routerError.route, requestID: requestID)
        // The hint the OpenAI and Anthropic SDKs (and Claude Code) read before their own retry
        // rules: a wrong key or a refused request will not pass on a second try.
        if (400..<500).contains(routerError.status), ![408, 409, 429].contains(routerError.status) {
            headers[Self.shouldRetry] = "false"
        }
        if let seconds = routerError.retryAfter { headers[.retryAfter] = String(seconds) }
        switch api {
        case .anthropicMessages:
            return encoded(status, AnthropicInbound.error(status: routerError.status, message: routerError.message), headers: headers)
        case .chatCompletions, .responses:
            return encoded(status, Self.errorBody(routerError), headers: headers)
        }
    }

    static let shouldRetry = field("x-should-retry")
    static let anthropicKeyField = field("x-api-key")
    static let azureKeyField = field("api-key")
    /// `Host` as a header field: where HTTP/1's `Host` is not the authority (a request built in a test).
    static let hostField = field("host")

    static func errorBody(_ error: RouterError) -> OpenAIErrorBody {
        OpenAIErrorBody(message: error.message, type: error.type, param: error.param, code: error.code)
    }

    /// A local stream is written while its client is watched (`presence`): one that hangs up while
    /// its request waits for a slot, or between tokens, is cancelled at once instead of at the next
    /// write (a queued stream writes nothing until it has a slot). A remote stream's writes follow
    /// the upstream's chunks closely enough.
    func streamResponse(
        info: RouteInfo, stream: AsyncThrowingStream<ChatCompletionChunk, any Error>, requestID: String, encoder: some StreamEncoding,
        presence: (any ClientPresence)? = nil
    ) -> Response {
        var headers = Self.lumenHeaders(info, requestID: requestID)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let logger = self.logger
        let watch = info.route == .local ? presence : nil
        let body = ResponseBody { (writer: inout any ResponseBodyWriter) async throws in
            var encoder = encoder
            guard let watch else {
                return try await Self.pumpSSE(stream, into: &writer, encoder: &encoder, logger: logger, requestID: requestID)
            }
            do {
                try await watch.whilePresent {
                    try await Self.pumpSSE(stream, into: &writer, encoder: &encoder, logger: logger, requestID: requestID)
                }
            } catch is CancellationError {
                logger.debug("stream cancelled: the client left", metadata: ["request_id": "\(requestID)"])
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    static func sseEvent(_ json: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }

    /// Writes the chunks as the client API's SSE events, then its end. A stream that fails after its
    /// first byte ends with the API's error event, never a silent truncation.
    static func pumpSSE(
        _ stream: AsyncThrowingStream<ChatCompletionChunk, any Error>, into writer: inout any ResponseBodyWriter, encoder: inout some StreamEncoding,
        logger: Logger, requestID: String
    ) async throws {
        var failure: RouterError?
        do {
            for try await chunk in stream {
                for buffer in try encoder.encode(chunk) { try await writer.write(buffer) }
            }
        } catch let error as RouterError {
            failure = error
        } catch is CancellationError {
            logger.debug("stream cancelled", metadata: ["request_id": "\(requestID)"])
            return
        } catch {
            failure = .upstream("The stream failed.", timeout: false, route: nil)
        }
        let closing = failure.map { encoder.fail($0) } ?? encoder.finish()
        for buffer in closing { try await writer.write(buffer) }
        try await writer.finish(nil)
    }
}

/// Requests from web pages. A browser names the page's origin (`Origin`) on every cross-origin
/// request, and sends some without asking first (a `text/plain` POST needs no preflight): such a
/// request from an origin `--cors-origin` does not name (`*`: any) is refused with a 403 before it
/// is read, so no page the user opens can spend through a local Lumen. One from a named origin gets
/// CORS (Hummingbird's `CORSMiddleware`, echoing the origin). Clients that are no browser send no
/// `Origin` and pass.
struct AllowedOrigins<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    let cors = CORSMiddleware<Context>(
        allowOrigin: .originBased,
        // The SDKs' own headers (x-stainless-*, anthropic-*) pass by the wildcard, which does not
        // cover Authorization (named apart).
        allowHeaders: [.authorization, HTTPFields.Element.Name("*")!],
        allowMethods: [.get, .head, .post, .delete, .options],
        maxAge: .seconds(600)
    )

    /// A keyless server (loopback only) answers only requests addressed to a loopback name: a page
    /// that rebinds its own name to 127.0.0.1 reaches it as "attacker.example" (DNS rebinding).
    let loopbackHostOnly: Bool

    init(origins: [String], loopbackHostOnly: Bool = false) {
        self.origins = Set(origins.map { $0.lowercased() })
        self.loopbackHostOnly = loopbackHostOnly
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if loopbackHostOnly, let authority = request.headers[Handler.hostField] ?? request.head.authority, !Self.isLoopback(authority) {
            return Handler.refusal(
                .forbidden, "A server without keys answers requests to localhost, 127.x.x.x or [::1] only.", code: "host_not_allowed",
                request: request)
        }
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard origins.contains("*") || origins.contains(origin.lowercased()) else {
            return Handler.refusal(
                .forbidden, "Requests from web pages are refused unless lumen serve allows their origin (--cors-origin ORIGIN).",
                code: "origin_not_allowed", request: request)
        }
        var response = try await cors.handle(request, context: context, next: next)
        // Hummingbird names them on the preflight only; the browser reads them off the answer.
        if request.method != .options { response.headers[.accessControlExposeHeaders] = LumenHTTPServer.exposedHeaders }
        return response
    }

    /// Whether a `Host` names this machine by a loopback name (a port after it, or none).
    static func isLoopback(_ authority: String) -> Bool {
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            return host[host.index(after: host.startIndex)..<end] == "::1"
        }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        // 127.0.0.0/8, written as an address (a name such as 127.0.0.1.nip.io resolves anywhere).
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
