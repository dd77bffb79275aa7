import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

/// One owner per mapping: what the router logs for a decision is what `lumen replay` derives from
/// the same decision, blocked requests say so everywhere, and a replay sees the inputs the rules saw.
@Suite struct AuditMappingTests {
    static let policyYAML = """
        name: mapping
        custom_terms: [BLOCKME]
        \(TestPolicies.localAndRemoteTargets)
            price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
        rules:
          - name: forbidden
            when: { findings: { any_of: [CUSTOM_TERM] } }
            block: Forbidden here.
          - name: caller-wants-remote
            when: { metadata: { route: [remote] } }
            route: remote
          - name: header-wants-remote
            when: { headers: { x-route: [remote] } }
            route: remote
        default:
          route: local
        """

    struct Setup {
        var router: Router
        var dir: URL
        var log: AuditLog
        var policy: Policy
    }

    static func make(_ yaml: String = policyYAML) async throws -> Setup {
        let policy = try Policy.parse(yaml: yaml, file: "mapping.yaml", environment: [:])
        let dir = try Harness.temporaryDirectory("mapping")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir.path))
        let router = Router(
            configuration: RouterConfiguration(policy: policy),
            backends: ["local": .ready(FakeBackend(route: .local)), "remote": .ready(FakeBackend(route: .remote, host: "remote.example"))],
            audit: .log(log), logger: Logger(label: "test")
        )
        return Setup(router: router, dir: dir, log: log, policy: policy)
    }

    static func request(_ text: String, metadata: [String: String] = [:]) -> ChatCompletionRequest {
        ChatCompletionRequest(
            model: "auto", messages: [ChatMessage(role: .user, text: text)],
            metadata: metadata.isEmpty ? nil : .object(metadata.mapValues { .string($0) })
        )
    }

    static func records(_ s: Setup) async throws -> [AuditRecord] {
        try await s.log.flush()
        let files = try AuditFiles.logFiles(in: s.dir.path)
        return try files.flatMap { file in
            try String(contentsOfFile: s.dir.appendingPathComponent(file).path, encoding: .utf8)
                .split(separator: "\n").map { try WireJSON.decode(AuditRecord.self, from: String($0)) }
        }
    }

    /// Serves one request (whole or streamed) through a remote target that reports `upstreamUsage`,
    /// into a fresh audit directory (the policy's price record first, as `lumen serve` writes it);
    /// returns its completion record and the directory (the caller removes it).
    static func serveOne(
        _ policy: Policy, upstreamUsage: Usage, stream: Bool, id: String, presence: (any ClientPresence)? = nil
    ) async throws -> (AuditRecord, URL) {
        let dir = try Harness.temporaryDirectory("serve-one")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir.path))
        try await log.recordPolicy(AuditPolicyRef(name: policy.name, hash: policy.contentHash), info: AuditPolicyInfo(policy))
        let router = Router(
            configuration: RouterConfiguration(policy: policy),
            backends: [
                "local": .ready(FakeBackend(route: .local)),
                "remote": .ready(FakeBackend(route: .remote, host: "remote.example", usage: upstreamUsage)),
            ],
            audit: .log(log), logger: Logger(label: "test"))
        var request = Self.request("Tell me a fact.", metadata: ["route": "remote"])
        request.stream = stream
        do {
            let result = try await router.handle(request, caller: Caller(requestID: id, tenant: "t", keyID: "k", presence: presence))
            if case .stream(_, let chunks) = result { for try await _ in chunks {} }
        } catch let error as RouterError where presence != nil {
            #expect(error.status == 499, "\(error)")
        }
        try await log.close()
        let s = Setup(router: router, dir: dir, log: log, policy: policy)
        return (try #require(try await Self.records(s).first { $0.id == id && $0.kind == .completion }), dir)
    }

    /// A client gone before the work starts (`started` false), or while it runs.
    struct GonePresence: ClientPresence {
        let started: Bool
        func whilePresent<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
            if !started { throw ClientGoneBeforeStart() }
            throw CancellationError()
        }
    }

    /// A client that hangs up on a remote request: once the request went out, the provider read the
    /// prompt and the record (and the budget) are charged for it; a request the client left before it
    /// was sent costs nothing.
    @Test(arguments: [(false, false), (true, false), (true, true)])
    func aClientThatLeavesPaysForThePromptOnlyIfItWentOut(started: Bool, stream: Bool) async throws {
        let policy = try Policy.parse(yaml: Self.policyYAML, file: "gone.yaml", environment: [:])
        let (record, dir) = try await Self.serveOne(
            policy, upstreamUsage: Usage(promptTokens: 1, completionTokens: 1), stream: stream, id: "g", presence: GonePresence(started: started))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(record.status?.code == 499 && record.status?.error == "client_cancelled", "\(record)")
        if started {
            let prompt = try #require(record.usage?.promptTokens)
            #expect(prompt > 0 && abs((record.costUSD ?? 0) - Double(prompt) * 1.0 / 1_000_000) < 1e-15, "\(record)")
        } else {
            #expect(record.costUSD == 0 && record.usage == nil, "\(record)")
        }
    }

    /// An answer partly read from the provider's prompt cache: the record keeps the cache's counts,
    /// whole and streamed, and a replay and the summary's baseline price them at the cache's rate
    /// (an agent's follow-up turns are mostly cache reads: at the input price a replay overstated
    /// their cost tenfold).
    @Test(arguments: [false, true]) func promptCacheCountsAreLoggedAndPricedAtTheirRate(stream: Bool) async throws {
        let yaml = Self.policyYAML.replacingOccurrences(
            of: "price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }",
            with: "price: { input_per_mtok: 1.0, output_per_mtok: 2.0, cache_read_per_mtok: 0.1, cache_write_per_mtok: 1.25 }")
        let policy = try Policy.parse(yaml: yaml, file: "cache.yaml", environment: [:])
        // 1,000 prompt tokens: 800 read from the cache, 100 written to it; 10 out.
        let usage = Usage(
            promptTokens: 1_000, completionTokens: 10,
            extra: ["cache_read_input_tokens": 800, "cache_creation_input_tokens": 100])
        let (record, dir) = try await Self.serveOne(policy, upstreamUsage: usage, stream: stream, id: "c1")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(record.usage == AuditUsage(promptTokens: 1_000, completionTokens: 10, cacheReadTokens: 800, cacheWriteTokens: 100))
        let expected = (100 * 1.0 + 800 * 0.1 + 100 * 1.25 + 10 * 2.0) / 1_000_000
        #expect(abs((record.costUSD ?? 0) - expected) < 1e-12, "\(record.costUSD ?? 0)")
        // Replayed on the same policy: the same cost, not the 1,000 tokens at the input price.
        let replay = try AuditReplay.run(directory: dir.path, policy: policy)
        #expect(abs(replay.after.costUSD - expected) < 1e-12 && abs(replay.before.costUSD - expected) < 1e-12, "\(replay.after.costUSD)")
        let price = AuditTargetPrice(try #require(policy.target(named: "remote")))
        #expect(abs(price.cost(try #require(record.usage)) - expected) < 1e-12)
        // Counts a tampered log may hold neither trap nor price below zero.
        for odd in [
            AuditUsage(promptTokens: .max, completionTokens: 0, cacheReadTokens: -1, cacheWriteTokens: .max),
            AuditUsage(promptTokens: 0, completionTokens: 0, cacheReadTokens: .min, cacheWriteTokens: .min),
            AuditUsage(promptTokens: 10, completionTokens: 0, cacheReadTokens: -1_000, cacheWriteTokens: 1_000),
        ] {
            #expect(price.cost(odd) >= 0, "\(odd)")
        }
        // The CSV export has them in columns of their own.
        let columns = AuditCSV.header.split(separator: ",").map(String.init)
        let row = AuditCSV.row(record).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(row.count == columns.count)
        let cells = Dictionary(uniqueKeysWithValues: zip(columns, row))
        #expect(cells["cache_read_tokens"] == "800" && cells["cache_write_tokens"] == "100" && cells["prompt_tokens"] == "1000")
    }

    /// Web searches an Anthropic target ran (its server tool) are billed per call: the record counts
    /// them, the cost includes them at the target's rate (Anthropic's $10 per thousand unless the
    /// policy says otherwise), and a replay prices them the same.
    @Test(arguments: [false, true]) func webSearchesAreLoggedAndPriced(stream: Bool) async throws {
        let yaml = Self.policyYAML.replacingOccurrences(
            of: "price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }",
            with: "price: { input_per_mtok: 1.0, output_per_mtok: 2.0, web_search_per_1k: 8 }\n"
                + "  - name: premium\n    kind: openai\n    base_url: http://127.0.0.1:3/v1\n    model: premium-model\n"
                + "    price: { input_per_mtok: 10.0, output_per_mtok: 20.0 }")
        let policy = try Policy.parse(yaml: yaml, file: "search.yaml", environment: [:])
        #expect(try #require(policy.target(named: "remote")).webSearchPrice == 8)
        let usage = Usage(promptTokens: 1_000, completionTokens: 10, extra: ["server_tool_use": ["web_search_requests": 3]])
        let (record, dir) = try await Self.serveOne(policy, upstreamUsage: usage, stream: stream, id: "s1")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(record.usage == AuditUsage(promptTokens: 1_000, completionTokens: 10, webSearches: 3))
        let expected = (1_000 * 1.0 + 10 * 2.0) / 1_000_000 + 3 * 8.0 / 1_000
        #expect(abs((record.costUSD ?? 0) - expected) < 1e-12, "\(record.costUSD ?? 0)")
        let replay = try AuditReplay.run(directory: dir.path, policy: policy)
        #expect(abs(replay.after.costUSD - expected) < 1e-12 && abs(replay.before.costUSD - expected) < 1e-12, "\(replay.after.costUSD)")
        let summary = try AuditSummary.compute(directory: dir.path, by: .target)
        #expect(summary.total.webSearches == 3 && abs(summary.total.costUSD - expected) < 1e-12, "\(summary.total)")
        // The baseline (the policy's most expensive remote target, which prices no searches) pays the
        // same searches: no saving is made of them, only of the tokens' prices.
        let baseline = (1_000 * 10.0 + 10 * 20.0) / 1_000_000 + 3 * 8.0 / 1_000
        #expect(abs(summary.total.baselineUSD - baseline) < 1e-12, "\(summary.total) \(summary.baselineTargets)")
        let columns = AuditCSV.header.split(separator: ",").map(String.init)
        let row = AuditCSV.row(record).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(Dictionary(uniqueKeysWithValues: zip(columns, row))["web_search_requests"] == "3")
        // Anthropic's published rate for a priced Anthropic target that names none; free elsewhere.
        let anthropic = Self.policyYAML.replacingOccurrences(of: "- name: remote\n    kind: openai", with: "- name: remote\n    kind: anthropic")
        #expect(anthropic != Self.policyYAML)
        #expect(try #require(try Policy.parse(yaml: anthropic, file: "d.yaml", environment: [:]).target(named: "remote")).webSearchPrice == 10)
        #expect(try #require(policy.target(named: "local")).webSearchPrice == 0)
        #expect(
            AuditTargetPrice(try #require(policy.target(named: "local"))).cost(AuditUsage(promptTokens: 0, completionTokens: 0, webSearches: .max))
                == 0)
    }

    /// A budget reservation covers the web searches a request may make an Anthropic target run:
    /// each web search tool's max_uses (10 without one), at the target's search price.
    @Test func webSearchesAreReservedAtTheirWorstCase() throws {
        let yaml = Self.policyYAML.replacingOccurrences(of: "- name: remote\n    kind: openai", with: "- name: remote\n    kind: anthropic")
        let target = try #require(try Policy.parse(yaml: yaml, file: "r.yaml", environment: [:]).target(named: "remote"))
        func body(_ tools: [JSONValue], format: WireFormat = .anthropicMessages) -> OutboundBody {
            OutboundBody(format: format, json: ["tools": .array(tools)])
        }
        let function: JSONValue = ["name": "f", "input_schema": ["type": "object"]]
        #expect(BudgetReservation.maxWebSearches(body([["type": "web_search_20250305", "name": "web_search", "max_uses": 3], function])) == 3)
        #expect(BudgetReservation.maxWebSearches(body([["type": "web_search_20250305", "name": "web_search"]])) == 10)
        #expect(BudgetReservation.maxWebSearches(body([["type": "web_search_20250305", "name": "web_search", "max_uses": -5], function])) == 0)
        #expect(BudgetReservation.maxWebSearches(body([function])) == 0)
        #expect(BudgetReservation.maxWebSearches(body([["type": "web_search_20250305"]], format: .openAIChat)) == 0)
        var request = Self.request("Search for a fact.")
        request.maxTokens = 10
        let reserved = try #require(
            BudgetReservation.request(
                requestID: "r", tenant: nil, target: target, request: request, estimatedPromptTokens: 100, bodyBytes: 0, webSearches: 3))
        #expect(abs(reserved.amountUSD - ((100 * 1.0 + 10 * 2.0) / 1_000_000 + 3 * 10.0 / 1_000)) < 1e-12, "\(reserved.amountUSD)")
        // A target that prices only its searches still reserves them; a hostile count costs a bounded amount.
        let searchOnly = try #require(
            try Policy.parse(
                yaml: yaml.replacingOccurrences(of: "price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }", with: "price: { web_search_per_1k: 10 }"),
                file: "s.yaml", environment: [:]
            ).target(named: "remote"))
        #expect(
            BudgetReservation.request(
                requestID: "r", tenant: nil, target: searchOnly, request: request, estimatedPromptTokens: 100, bodyBytes: 0, webSearches: 2)?
                .amountUSD == 0.02)
        #expect(PolicyTarget.Price.searchCost(.max, perThousand: 10) == 100 && PolicyTarget.Price.searchCost(.min, perThousand: 10) == 0)
    }

    @Test func blockedIsABlockedRouteEverywhere() async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        do {
            _ = try await s.router.handle(Self.request("please BLOCKME"), caller: Caller(requestID: "b1", tenant: "t", keyID: "k"))
            Issue.record("not blocked")
        } catch {
            #expect(error.status == 403)
            #expect(error.route?.route == .blocked && error.route?.target == "none")
        }
        let record = try #require(try await Self.records(s).first { $0.id == "b1" && $0.kind == .completion })
        #expect(record.decision?.route == .blocked && record.decision?.target == "none")
        // The router's record holds exactly what the one mapping gives for the same decision.
        let screened = try Screening.screen(
            Self.request("please BLOCKME"), classifier: Classifier(configuration: s.policy.classifierConfiguration), unknownFields: .drop)
        let decision = PolicyEngine.evaluate(s.policy, screened.classification, RequestContext(tenant: "t", requestedModel: "auto"))
        #expect(record.decision == AuditDecision(decision, policy: s.policy))
    }

    @Test func replayWithTheSamePolicyChangesNothing() async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let caller = Caller(requestID: "m1", tenant: "t", keyID: "k")
        _ = try await s.router.handle(Self.request("Tell me a fact.", metadata: ["route": "remote", "note": "not read by any rule"]), caller: caller)
        _ = try await s.router.handle(
            Self.request("Tell me another fact."),
            caller: Caller(requestID: "h1", tenant: "t", keyID: "k", headers: ["x-route": "remote", "x-other": "ignored"])
        )
        _ = try await s.router.handle(Self.request("And a third."), caller: Caller(requestID: "l1", tenant: "t", keyID: "k"))
        try await s.log.close()
        let records = try await Self.records(s)
        let logged = try #require(records.first { $0.id == "m1" && $0.kind == .completion })
        #expect(logged.decision?.route == .remote && logged.decision?.rule == "caller-wants-remote")
        // Only the inputs the rules read are kept.
        #expect(logged.context?.metadata == ["route": "remote"])
        #expect(logged.context?.inputs == ["header.x-route", "metadata.route"])
        let viaHeader = try #require(records.first { $0.id == "h1" && $0.kind == .completion })
        #expect(viaHeader.context?.headers == ["x-route": "remote"])

        let report = try AuditReplay.run(directory: s.dir.path, policy: s.policy)
        #expect(report.requests == 3)
        #expect(report.changed == 0, "transitions: \(report.transitions)")
        #expect(report.unrecordedInputs.isEmpty)

        // A policy reading a key the log never recorded: reported as such, not silently "re-decided".
        let other = try Policy.parse(
            yaml: Self.policyYAML.replacingOccurrences(of: "metadata: { route: [remote] }", with: "metadata: { team: [research] }"),
            file: "other.yaml", environment: [:]
        )
        let otherReport = try AuditReplay.run(directory: s.dir.path, policy: other)
        #expect(otherReport.unrecordedInputs == ["metadata.team": 3])
    }
}
