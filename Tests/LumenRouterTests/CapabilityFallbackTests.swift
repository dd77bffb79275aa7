import Foundation
import Logging
import LumenAudit
import LumenCore
import LumenLocalRuntime
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

/// A decided target that cannot do what a request asks (a prompt longer than the local context,
/// `n` > 1, log probabilities, an image for a text model) is passed over for the rule's fallbacks,
/// as a failing one is; with no fallback (a rule that keeps private requests local), or none that
/// can be tried, the client gets the target's 400 and nothing leaves.
@Suite struct CapabilityFallbackTests {
    static let yaml = """
        name: capability
        \(TestPolicies.localAndRemoteTargets)
            price: { input_per_mtok: 1.0, output_per_mtok: 10.0 }
        rules:
          - name: private-local
            when: { metadata: { privacy: local } }
            route: local
        default:
          route: local
          fallback: [remote]
        """

    static let contextRefusal = RouterError.invalidRequest(
        "The embedded local model cannot take this request: prompt is too long.", code: "context_length_exceeded")

    static func router(local: FakeBackend, remote: BackendSlot) async throws -> (Router, URL, AuditLog) {
        let policy = try Policy.parse(yaml: yaml, file: "capability.yaml", environment: [:])
        let dir = try Harness.temporaryDirectory("capability")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir.path, fsync: .never))
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(local), "remote": remote],
            audit: .log(log), logger: Logger(label: "test"))
        return (router, dir, log)
    }

    static func request(private: Bool = false, stream: Bool = false) -> ChatCompletionRequest {
        var request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Tell me a fact.")])
        if `private` { request.metadata = ["privacy": "local"] }
        if stream { request.stream = true }
        return request
    }

    static let caller = Caller(requestID: "r", tenant: "t", keyID: "k")

    static func info(_ result: RouterResult) async throws -> RouteInfo {
        switch result {
        case .completion(_, let info): return info
        case .stream(let info, let chunks):
            for try await _ in chunks {}
            return info
        }
    }

    @Test(arguments: [false, true])
    func aRefusalForWhatTheTargetCannotDoFallsBack(stream: Bool) async throws {
        for refusal in [
            Self.contextRefusal,
            RouterError.invalidRequest("The embedded local model returns one choice ('n' must be 1).", param: "n", code: "unsupported_by_target"),
        ] {
            let local = FakeBackend(route: .local, refusal: refusal)
            let remote = FakeBackend(route: .remote, host: "remote.example")
            let (router, _, _) = try await Self.router(local: local, remote: .ready(remote))
            let info = try await Self.info(router.handle(Self.request(stream: stream), caller: Self.caller))
            #expect(info.target == "remote" && info.route == .remote)
            #expect(info.fallbacks.map(\.from) == ["local"] && info.fallbacks.first?.reason == refusal.message)
            #expect(local.received.isEmpty && remote.received.count == 1)
        }
    }

    /// The same refusal when the runtime finds it only as it starts (a prompt's tokens counted then).
    @Test(arguments: [false, true])
    func aRuntimeRefusalForWhatTheTargetCannotDoFallsBack(stream: Bool) async throws {
        let local = FakeBackend(route: .local, failure: BackendError(.invalid, "prompt is too long", code: "context_length_exceeded"))
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let (router, _, _) = try await Self.router(local: local, remote: .ready(remote))
        let info = try await Self.info(router.handle(Self.request(stream: stream), caller: Self.caller))
        #expect(info.target == "remote" && info.fallbacks.map(\.from) == ["local"])
        #expect(remote.received.count == 1)
    }

    /// Found as the runtime starts and with the fallback unavailable: still the runtime's 400 (the
    /// code agent clients look for), not "no target could serve" (a 502).
    @Test(arguments: [false, true])
    func aRuntimeRefusalWithTheFallbackUnavailableIsThe400(stream: Bool) async throws {
        let local = FakeBackend(route: .local, failure: BackendError(.invalid, "prompt is too long", code: "context_length_exceeded"))
        let (router, _, _) = try await Self.router(local: local, remote: .unavailable("OPENAI_API_KEY is not set"))
        do {
            _ = try await Self.info(router.handle(Self.request(stream: stream), caller: Self.caller))
            Issue.record("served")
        } catch let error as RouterError {
            #expect(error.status == 400 && error.code == "context_length_exceeded", "\(error)")
        }
    }

    /// A rule with no fallback keeps the request where it decided: the 400, and nothing leaves.
    @Test(arguments: [false, true])
    func withoutAFallbackTheRefusalIsTheAnswer(stream: Bool) async throws {
        let local = FakeBackend(route: .local, refusal: Self.contextRefusal)
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let (router, dir, log) = try await Self.router(local: local, remote: .ready(remote))
        do {
            _ = try await Self.info(router.handle(Self.request(private: true, stream: stream), caller: Self.caller))
            Issue.record("a private request the local model cannot take was served")
        } catch let error as RouterError {
            #expect(error.status == 400 && error.code == "context_length_exceeded")
        }
        #expect(remote.received.isEmpty)
        try await log.close()
        let completions = try AuditReader.records(in: dir.path).filter { $0.kind == .completion }
        #expect(completions.map { $0.status?.code } == [400])
    }

    /// The embedded model's refusals: mistakes of the request are `invalid_request` (no fallback),
    /// what the model cannot do is a capability code.
    @Test func theEmbeddedModelsRefusalsAreToldApart() {
        let mistake = LocalBackend.refusal(.invalidTools("'tool_choice' names the function 'x', which is not among the tools", param: "tool_choice"))
        #expect(mistake.code == "invalid_request" && !mistake.isCapability)
        let unable = LocalBackend.refusal(.invalidTools("structured output together with tool_choice 'auto'", param: "response_format"))
        #expect(unable.isCapability)
        #expect(!LocalBackend.refusal(.invalidChat("role 'critic' is not one of system, user, assistant, tool")).isCapability)
    }

    /// A refusal of the request itself (bad parameters) is no reason to try elsewhere.
    @Test func aBadRequestDoesNotFallBack() async throws {
        let local = FakeBackend(route: .local, refusal: .invalidRequest("'tool_choice' names no tool.", param: "tool_choice"))
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let (router, _, _) = try await Self.router(local: local, remote: .ready(remote))
        await #expect(throws: RouterError.self) { try await router.handle(Self.request(), caller: Self.caller) }
        #expect(remote.received.isEmpty)
    }

    /// When the fallback cannot be tried either (no key, breaker open), the client learns why the
    /// decided target refused, not that "no target could serve".
    @Test func withTheFallbackUnavailableTheRefusalIsTheAnswer() async throws {
        let local = FakeBackend(route: .local, refusal: Self.contextRefusal)
        let (router, _, _) = try await Self.router(local: local, remote: .unavailable("OPENAI_API_KEY is not set"))
        do {
            _ = try await router.handle(Self.request(), caller: Self.caller)
            Issue.record("served")
        } catch {
            #expect(error.status == 400 && error.code == "context_length_exceeded" && error.message == Self.contextRefusal.message)
            #expect(error.route?.fallbacks.map(\.from) == ["local", "remote"])
        }
    }

    /// A function's result in OpenAI's deprecated form (`role: "function"`, named by `name`) is a
    /// tool result for the embedded model, not an unknown role.
    @Test func aDeprecatedFunctionResultIsAToolTurn() {
        var result = ChatMessage(role: .function, text: "22 degrees and sunny")
        result.name = "get_weather"
        let request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Weather in Paris?"), result])
        #expect(LocalBackend.turns(request).last == .tool("22 degrees and sunny", callID: "get_weather"))
    }
}
