import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

/// Request limits (#18 item 8): nonsense is a 400, a target's cap holds every answer, and the
/// budget counts the worst case of `n` answers of `max_tokens` each.
@Suite struct LimitsTests {
    static func router(budget: String = "", remoteCap: String = "") async throws -> (Router, FakeBackend, FakeBackend) {
        let yaml = """
            name: limits
            targets:
              - name: local
                kind: embedded
              - name: remote
                kind: openai
                base_url: http://127.0.0.1:2/v1
                model: remote-model
                price: { input_per_mtok: 1.0, output_per_mtok: 10.0 }
            \(remoteCap)
            rules:
              - name: to-remote
                when: { metadata: { route: remote } }
                route: remote
            default:
              route: local
            \(budget)
            """
        let policy = try Policy.parse(yaml: yaml, file: "limits.yaml", environment: [:])
        let local = FakeBackend(route: .local)
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: try Harness.temporaryDirectory("limits").path, fsync: .never))
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(local), "remote": .ready(remote)],
            audit: .log(log), logger: Logger(label: "test")
        )
        return (router, local, remote)
    }

    static func request(maxTokens: Int? = nil, n: Int? = nil, remote: Bool = false) -> ChatCompletionRequest {
        var request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Tell me a fact.")])
        request.maxTokens = maxTokens
        request.n = n
        if remote { request.metadata = ["route": "remote"] }
        return request
    }

    static let caller = Caller(requestID: "r", tenant: "t", keyID: "k")

    /// The input estimate counts what a model reads of a request's tools: their schemas' structure
    /// and vocabulary, and repeated strings. Ten tools and a short turn are 1,115 tokens to SmolLM2's
    /// tokenizer; the classified text alone was 40% of it.
    @Test func toolSchemasCountTowardTheInputEstimate() async throws {
        let (router, _, _) = try await Self.router()
        var request = ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: "Run the tests.")])
        let description =
            "Executes a given bash command in a persistent shell session with optional timeout, ensuring proper handling and security measures."
        let parameters: JSONValue = [
            "type": "object", "required": ["command"],
            "properties": [
                "command": ["type": "string", "description": "The command to execute"],
                "timeout": ["type": "number", "description": "Optional timeout in milliseconds (max 600000)"],
            ],
        ]
        request.tools = (0..<10).map { Tool(function: FunctionDefinition(name: "tool_\($0)", description: description, parameters: parameters)) }
        let estimate = try router.countTokens(.chat(request))
        #expect(abs(estimate - 1115) <= 250, "\(estimate)")
    }

    @Test(arguments: [(0, nil), (-5, nil), (nil, 0), (nil, 1000), (nil, -1)] as [(Int?, Int?)])
    func nonsenseIs400(maxTokens: Int?, n: Int?) async throws {
        let (router, local, remote) = try await Self.router()
        do {
            _ = try await router.handle(Self.request(maxTokens: maxTokens, n: n), caller: Self.caller)
            Issue.record("accepted max_tokens \(String(describing: maxTokens)), n \(String(describing: n))")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == (maxTokens != nil ? "max_tokens" : "n"))
        }
        #expect(local.received.isEmpty && remote.received.isEmpty)
    }

    /// Sampling parameters outside OpenAI's ranges are refused, not forwarded or ignored.
    @Test(arguments: [(5.0, nil), (-0.1, nil), (nil, 1.5), (nil, -1.0)] as [(Double?, Double?)])
    func samplingOutOfRangeIs400(temperature: Double?, topP: Double?) async throws {
        let (router, local, remote) = try await Self.router()
        var request = Self.request()
        request.temperature = temperature
        request.topP = topP
        do {
            _ = try await router.handle(request, caller: Self.caller)
            Issue.record("accepted temperature \(String(describing: temperature)), top_p \(String(describing: topP))")
        } catch {
            #expect(error.status == 400 && error.param == (temperature != nil ? "temperature" : "top_p"))
        }
        #expect(local.received.isEmpty && remote.received.isEmpty)
        request.temperature = 2
        request.topP = 1
        _ = try await router.handle(request, caller: Self.caller)
    }

    @Test func theEmbeddedModelHoldsAnswersToItsCap() async throws {
        let (router, local, _) = try await Self.router()
        _ = try await router.handle(Self.request(maxTokens: Int.max), caller: Self.caller)
        #expect(local.received.first?.maxTokens == PolicyTarget.defaultEmbeddedMaxOutputTokens)
        _ = try await router.handle(Self.request(maxTokens: 100), caller: Self.caller)
        #expect(local.received.last?.maxTokens == 100)
    }

    @Test func aRemoteTargetsCapHoldsToo() async throws {
        let (router, _, remote) = try await Self.router(remoteCap: "    max_output_tokens: 512")
        _ = try await router.handle(Self.request(maxTokens: 100_000, remote: true), caller: Self.caller)
        #expect(remote.received.first?.maxTokens == 512)
    }

    @Test func theBudgetCountsEveryChoiceOfTheLongestAnswer() throws {
        let policy = try Policy.parse(
            yaml: """
                name: b
                targets:
                  - name: local
                    kind: embedded
                  - name: remote
                    kind: openai
                    base_url: http://127.0.0.1:2/v1
                    model: m
                    price: { input_per_mtok: 1.0, output_per_mtok: 10.0 }
                rules: []
                default:
                  route: remote
                budgets:
                  global:
                    daily_usd: 1.0
                  on_exhausted: { route: local }
                """,
            file: "b.yaml", environment: [:]
        )
        let classification = Classifier().classify("Tell me a fact.")
        // 0.05 USD left: one answer of 1,000 tokens costs 0.01; ten of them 0.10.
        let one = PolicyEngine.evaluate(policy, classification, RequestContext(remainingUSD: 0.05, requestedOutputTokens: 1000, choices: 1))
        #expect(one.target == "remote")
        let ten = PolicyEngine.evaluate(policy, classification, RequestContext(remainingUSD: 0.05, requestedOutputTokens: 1000, choices: 10))
        #expect(ten.target == "local" && ten.rule == "budget")
        let huge = PolicyEngine.evaluate(policy, classification, RequestContext(remainingUSD: 0.05, requestedOutputTokens: Int.max, choices: 128))
        #expect(huge.target == "local")
    }
}
