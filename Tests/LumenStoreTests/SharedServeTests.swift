import AsyncHTTPClient
import Foundation
import Logging
import LumenFakeUpstream
import LumenStore
import LumenTestSupport
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// #17 "done": three `lumen serve` instances on loopback sharing one PostgreSQL database (a
/// throwaway cluster started here), the in-process fake upstream behind them.
@Suite(
    .serialized,
    .enabled(if: PostgresCluster.available, "\(PostgresCluster.unavailableReason)"),
    .enabled(if: Harness.hasBinary, "\(Harness.noBinaryReason)"))
struct SharedServeTests {
    /// One answer as the client saw it.
    struct Answer: Sendable {
        var status: Int
        var requestID: String?
        var instance: Int
        var body: String
    }

    /// A cluster, a database, the fake upstream and three servers.
    final class Fleet: @unchecked Sendable {
        // Safe: set up once in `start`, then only read (servers are replaced only by the test's own
        // sequential code); `stopped` is guarded by `stopLock`.
        let cluster: PostgresCluster
        let url: String
        let upstream: RunningFakeUpstream
        let dir: URL
        /// Added to every server's environment.
        let environment: [String: String]
        var servers: [ServerProcess] = []
        /// Shut down by `stop()` or `abandon()` (a client dropped open crashes the run). One
        /// connection per concurrent request (a burst of 300 must not queue for the pool's default 8
        /// connections per instance, which times out on a loaded machine), generous timeouts.
        let http: HTTPClient = {
            var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(20), read: .seconds(120)))
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }()
        private let stopLock = NSLock()
        private var stopped = false

        init(cluster: PostgresCluster, url: String, upstream: RunningFakeUpstream, dir: URL, environment: [String: String]) {
            self.environment = environment
            self.cluster = cluster
            self.url = url
            self.upstream = upstream
            self.dir = dir
        }

        static func start(
            policy: String, upstream options: FakeUpstreamOptions = FakeUpstreamOptions(retainRecords: true), environment: [String: String] = [:]
        ) async throws -> Fleet {
            let cluster = try await PostgresCluster.starting()
            let url = try await cluster.creatingDatabase("fleet")
            let upstream = try await FakeUpstream.start(host: "127.0.0.1", port: 0, options: options)
            let dir = try Harness.temporaryDirectory("fleet")
            // Generous store deadlines and stale interval (30 s, the product's are 5 s): a loaded CI
            // machine that stalls a server for seconds must not turn its requests into 503s or expire
            // its reservations; tests about those timings set their own.
            let fleet = Fleet(
                cluster: cluster, url: url, upstream: upstream, dir: dir,
                environment: ["LUMEN_STORE_QUERY_TIMEOUT": "30", "LUMEN_STORE_STALE_SECONDS": "30"].merging(environment, uniquingKeysWith: { $1 }))
            do {
                try policy.write(to: dir.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
                for n in 0..<3 { fleet.servers.append(try await fleet.startServer(n)) }
            } catch {
                await fleet.stop()
                throw error
            }
            return fleet
        }

        func startServer(_ n: Int) async throws -> ServerProcess {
            let server = try ServerProcess(
                arguments: [
                    "--policy", dir.appendingPathComponent("policy.yaml").path, "--store", url, "--instance", "i\(n)",
                    "--audit-dir", dir.appendingPathComponent("unused-audit-\(n)").path,
                ],
                environment: ["LUMEN_REMOTE_BASE_URL": upstream.baseURL, "LUMEN_REMOTE_API_KEY": "test-key", "LOG_LEVEL": "warning"].merging(
                    environment, uniquingKeysWith: { $1 }))
            try await server.waitUntilListening(timeout: 60)
            return server
        }

        /// Stops the servers (SIGTERM, so they drain), the fake upstream and the cluster. Idempotent.
        func stop() async {
            guard claimStop() else { return }
            for server in servers { _ = await server.terminate() }
            try? await http.shutdown()
            await upstream.shutdown()
            cluster.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        /// For `defer` when a test throws before its `stop()`: kills what is left, at once.
        func abandon() {
            guard claimStop() else { return }
            for server in servers where server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
            http.shutdown { _ in }
            let upstream = self.upstream
            Task { await upstream.shutdown() }
            cluster.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        private func claimStop() -> Bool {
            stopLock.withLock {
                defer { stopped = true }
                return !stopped
            }
        }

        /// Posts one chat request to instance `n`.
        func ask(_ n: Int, _ prompt: String, stream: Bool = false, maxTokens: Int = 64) async -> Answer {
            var request = HTTPClientRequest(url: servers[n].baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            let body = #"{"model":"auto","max_tokens":\#(maxTokens),"stream":\#(stream),"messages":[{"role":"user","content":"\#(prompt)"}]}"#
            request.body = .bytes(ByteBuffer(string: body))
            do {
                let response = try await http.execute(request, timeout: .seconds(120))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                return Answer(
                    status: Int(response.status.code), requestID: response.headers.first(name: "x-lumen-request-id"), instance: n, body: text)
            } catch {
                return Answer(status: 0, requestID: nil, instance: n, body: "\(error)")
            }
        }

        /// Posts a streamed request to instance `n`, reads its first event and hangs up; false when
        /// no event came.
        func hangUp(_ n: Int, _ prompt: String) async -> Bool {
            var request = HTTPClientRequest(url: servers[n].baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(
                ByteBuffer(string: #"{"model":"auto","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"\#(prompt)"}]}"#))
            let reading = Task { () -> Bool in
                let response = try await http.execute(request, timeout: .seconds(60))
                for try await _ in response.body { return true }  // dropping the body closes the connection
                return false
            }
            let first = (try? await reading.value) ?? false
            reading.cancel()
            return first
        }

        func get(_ n: Int, _ path: String) async -> String {
            guard let response = try? await http.execute(HTTPClientRequest(url: servers[n].baseURL + path), timeout: .seconds(5)),
                let body = try? await response.body.collect(upTo: 1 << 20)
            else { return "" }
            return String(buffer: body)
        }

        func lumen(_ arguments: [String]) async throws -> Harness.Run {
            let (dir, base) = (self.dir, upstream.baseURL)
            return try await PostgresCluster.offPool {
                try Harness.runLumen(arguments, directory: dir, environment: ["LUMEN_REMOTE_BASE_URL": base, "LUMEN_REMOTE_API_KEY": "test-key"])
            }
        }

        func scalar(_ sql: String) async throws -> String {
            try await cluster.query(sql, database: "fleet1").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// A remote-only policy: every request goes to the fake upstream at a price that makes each
    /// answer cost a few cents; the global daily budget is `budget` USD; exhausted ⇒ 403.
    static func policy(budget: Double?, description: String = "three instances, one budget") -> String {
        """
        name: shared
        description: \(description)
        targets:
          - name: remote
            kind: openai
            base_url: ${LUMEN_REMOTE_BASE_URL}
            model: fake-remote-model
            api_key_env: LUMEN_REMOTE_API_KEY
            price: { input_per_mtok: 1000.0, output_per_mtok: 1000.0 }
        rules: []
        default:
          route: remote

        """
            + (budget.map {
                """
                budgets:
                  global: { daily_usd: \($0) }
                  on_exhausted:
                    block: The shared budget is spent.

                """
            } ?? "")
    }

    static let prompt = "Summarise the water cycle in one sentence."

    /// The first 12-hex-digit token (a short policy hash) in `text`.
    static func hex12(_ text: String) -> String? {
        text.firstMatch(of: /\b[0-9a-f]{12}\b/).map { String($0.output) }
    }

    /// Fires `count` requests at once, spread over the three instances.
    static func burst(_ fleet: Fleet, count: Int, stream: Bool) async -> [Answer] {
        await withTaskGroup(of: Answer.self) { group in
            for i in 0..<count { group.addTask { await fleet.ask(i % 3, Self.prompt, stream: stream) } }
            var answers: [Answer] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
    }

    /// The real cost of one answer to `prompt`, measured through a single instance of a fleet
    /// without budgets (the fake upstream is deterministic).
    static func unitCost() async throws -> Double { try await UnitCost.shared.value() }

    static func measureUnitCost() async throws -> Double {
        let fleet = try await Fleet.start(policy: policy(budget: 1_000_000))
        defer { fleet.abandon() }
        let answer = await fleet.ask(0, prompt)
        #expect(answer.status == 200, "\(answer.body)")
        let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        let cost = (json?["usage"] as? [String: Any])?["cost"] as? Double
        await fleet.stop()
        return try #require(cost)
    }

    @Test("300 concurrent remote requests, a global budget worth ~100: spend ≤ budget, none answered past it", arguments: [false, true])
    func sharedBudget(stream: Bool) async throws {
        let unit = try await Self.unitCost()
        let budget = (unit * 100 * 1_000_000).rounded() / 1_000_000
        let fleet = try await Fleet.start(policy: Self.policy(budget: budget))
        defer { fleet.abandon() }
        let answers = await Self.burst(fleet, count: 300, stream: stream)
        let ok = answers.filter { $0.status == 200 }
        let refused = answers.filter { $0.status == 403 }
        #expect(
            ok.count + refused.count == 300,
            "other statuses: \(Set(answers.map(\.status))) \(answers.first { $0.status != 200 && $0.status != 403 }?.body ?? "")")
        if stream { #expect(ok.allSatisfy { $0.body.contains("data: [DONE]") }) }
        // Settlements are batched off the answer's path: wait until none is open.
        let settling = ContinuousClock.now
        while settling.duration(to: .now) < .seconds(60),
            (Double(try await fleet.scalar("SELECT coalesce(sum(reserved_usd), 0) FROM lumen_budget_counters")) ?? 1) > 1e-12
        {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let spent =
            Double(try await fleet.scalar("SELECT coalesce(sum(spent_usd), 0) FROM lumen_budget_counters WHERE scope = '' AND period LIKE 'd:%'"))
            ?? -1
        let reserved =
            Double(try await fleet.scalar("SELECT coalesce(sum(reserved_usd), 0) FROM lumen_budget_counters WHERE scope = '' AND period LIKE 'd:%'"))
            ?? -1
        let recorded =
            Double(
                try await fleet.scalar(
                    "SELECT coalesce(sum((line::json->>'cost_usd')::float8), 0) FROM lumen_audit_records WHERE kind = 'completion'")) ?? -1
        let upstreamCalls = await fleet.upstream.recordedRequests().count
        print(
            "shared budget (stream: \(stream)): unit $\(unit), budget $\(budget); \(ok.count) answered, \(refused.count) refused (403); upstream calls \(upstreamCalls); recorded spend $\(recorded), counters spent $\(spent) reserved $\(reserved)"
        )
        #expect(recorded <= budget + reserved + 1e-9, "recorded spend \(recorded) > budget \(budget) + open reservations \(reserved)")
        #expect(abs(recorded - spent) < 1e-6, "audit records and budget counters disagree")
        #expect(upstreamCalls == ok.count, "requests reached the upstream without an answer, or answers without a call")
        #expect(Double(ok.count) * unit <= budget + 1e-9)
        #expect(ok.count >= 50, "the budget should have paid for most of its ~100 requests (got \(ok.count))")
        // Spend what is left (the burst may leave room for a request or two, and each instance's
        // view of the remaining budget is up to 250 ms old), until every instance refuses; then,
        // with settlements landed and the views fresh, none answers any more.
        var extra = 0
        var refusals = 0
        while extra < 30, refusals < 3 {
            if await fleet.ask(extra % 3, Self.prompt, stream: stream).status == 200 {
                extra += 1
                refusals = 0
            } else {
                refusals += 1
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }
        #expect(refusals == 3, "the budget never ran out")
        try await Task.sleep(nanoseconds: 400_000_000)
        for n in 0..<3 {
            let after = await fleet.ask(n, Self.prompt, stream: stream)
            #expect(after.status == 403, "instance \(n) answered past the budget: \(after.status)")
        }
        let final =
            Double(try await fleet.scalar("SELECT coalesce(sum(spent_usd), 0) FROM lumen_budget_counters WHERE scope = '' AND period LIKE 'd:%'"))
            ?? -1
        #expect(final <= budget + 1e-9, "spent \(final) of \(budget) after \(extra) more answers")
        let verify = try await fleet.lumen(["audit", "verify", "--store", fleet.url])
        #expect(verify.status == 0 && verify.stdout.contains("chain intact"), "\(verify.stdout)\(verify.stderr)")
        await fleet.stop()
    }

    @Test(
        "kill -9 of one instance in the middle of the budget load: every answer has its records, the store verifies, its reservations expire, the budget holds"
    )
    func killNine() async throws {
        let unit = try await Self.unitCost()
        let budget = (unit * 100 * 1_000_000).rounded() / 1_000_000
        var options = FakeUpstreamOptions(retainRecords: true)
        // Slow enough that the load lasts several seconds: a poll through psql on a busy machine (the
        // whole suite runs in parallel on two cores) takes long enough to miss a shorter one.
        options.defaultFault = FakeFault(delay: .milliseconds(500))
        // The dead instance's reservations expire after 20 s of silence (the product's 5 s would let
        // a live but stalled instance look dead on a loaded machine too).
        let fleet = try await Fleet.start(policy: Self.policy(budget: budget), upstream: options, environment: ["LUMEN_STORE_STALE_SECONDS": "20"])
        defer { fleet.abandon() }
        let victim = fleet.servers[1]
        let load = Task { await Self.burst(fleet, count: 300, stream: false) }
        // Kill once instance 1 has reservations open (requests in flight at the slow upstream).
        let deadline = ContinuousClock.now + .seconds(60)
        var inFlight = 0
        while ContinuousClock.now < deadline {
            inFlight = Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_reservations WHERE instance_id LIKE 'i1-%'")) ?? 0
            if inFlight >= 3 { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(inFlight >= 3, "instance 1 never had requests in flight")
        kill(victim.process.processIdentifier, SIGKILL)
        let killedAt = ContinuousClock.now
        // What the dead instance left open (it can settle nothing any more; the others expire its
        // reservations only once its heartbeat is 20 s old).
        // In one query with those already expired: a sweep may run between the kill and this read.
        let orphans = Set(
            try await fleet.scalar(
                "SELECT request_id FROM lumen_budget_reservations WHERE instance_id LIKE 'i1-%' UNION SELECT request_id FROM lumen_budget_spend WHERE outcome = 'expired' AND instance_id LIKE 'i1-%'"
            ).split(separator: "\n").map(String.init))
        #expect(!orphans.isEmpty, "the kill left no reservation open")
        let answers = await load.value
        let loadTime = killedAt.duration(to: .now)
        let ok = answers.filter { $0.status == 200 }
        let refused = answers.filter { $0.status == 403 }
        let cut = answers.filter { $0.status == 0 }
        #expect(cut.allSatisfy { $0.instance == 1 }, "requests to the live instances were cut")
        #expect(cut.count > 0, "no request was cut by the kill")
        #expect(ok.count + refused.count + cut.count == 300, "other statuses: \(Set(answers.map(\.status)))")
        // Every request that got an answer (200 or the budget's 403) has its completion record; every
        // 200 its pre-egress decision record too.
        let completed = Set(
            try await fleet.scalar("SELECT request_id FROM lumen_audit_records WHERE kind = 'completion'").split(separator: "\n").map(String.init))
        let decided = Set(
            try await fleet.scalar("SELECT request_id FROM lumen_audit_records WHERE kind = 'decision'").split(separator: "\n").map(String.init))
        let missing =
            ok.compactMap(\.requestID).filter { !completed.contains($0) || !decided.contains($0) }
            + refused.compactMap(\.requestID).filter { !completed.contains($0) }
        #expect(ok.allSatisfy { $0.requestID != nil } && refused.allSatisfy { $0.requestID != nil })
        #expect(missing.isEmpty, "\(missing.count) answered requests without records, e.g. \(missing.prefix(3))")
        // The dead instance's reservations expire (the others sweep every ~10 s, stale after 20 s).
        var left = -1
        while killedAt.duration(to: .now) < .seconds(90) {
            left = Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_reservations WHERE instance_id LIKE 'i1-%'")) ?? -1
            if left == 0 { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let expiredAfter = killedAt.duration(to: .now)
        let expiredIDs = Set(
            try await fleet.scalar("SELECT request_id FROM lumen_budget_spend WHERE outcome = 'expired' AND instance_id LIKE 'i1-%'").split(
                separator: "\n"
            ).map(String.init))
        let expiredLive =
            Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_spend WHERE outcome = 'expired' AND instance_id NOT LIKE 'i1-%'")) ?? -1
        #expect(left == 0, "the dead instance still holds \(left) reservations")
        // Every reservation seen open after the kill expired, and none of a live instance did. (A
        // reservation whose commit was on its way when the process died can land after the snapshot:
        // it expires too, so the two sets are not compared for equality.)
        #expect(orphans.isSubset(of: expiredIDs), "expired \(expiredIDs.count), left open by the kill \(orphans.count)")
        #expect(expiredLive == 0, "\(expiredLive) reservations of live instances expired")
        // The live instances' settlements land too; then the budget holds: what the counters charge
        // (real costs + the dead instance's reservations at their worst case) stays within it, and
        // covers every recorded answer.
        let settling = ContinuousClock.now
        while settling.duration(to: .now) < .seconds(30),
            (Double(try await fleet.scalar("SELECT coalesce(sum(reserved_usd), 0) FROM lumen_budget_counters")) ?? 1) > 1e-12
        {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let spent =
            Double(try await fleet.scalar("SELECT coalesce(sum(spent_usd), 0) FROM lumen_budget_counters WHERE scope = '' AND period LIKE 'd:%'"))
            ?? -1
        let recorded =
            Double(
                try await fleet.scalar(
                    "SELECT coalesce(sum((line::json->>'cost_usd')::float8), 0) FROM lumen_audit_records WHERE kind = 'completion'")) ?? -1
        let expiredUSD = Double(try await fleet.scalar("SELECT coalesce(sum(cost_usd), 0) FROM lumen_budget_spend WHERE outcome = 'expired'")) ?? -1
        let upstreamCalls = await fleet.upstream.recordedRequests().count
        print(
            "kill -9: unit $\(unit), budget $\(budget); \(ok.count) answered, \(refused.count) refused (403), \(cut.count) cut; load ended \(loadTime) after the kill; instance 1 left \(orphans.count) reservations open, all gone \(expiredAfter) after the kill ($\(expiredUSD) charged at worst case); counters spent $\(spent), recorded $\(recorded), upstream calls \(upstreamCalls)"
        )
        // The live instances answer what the dead one's reservations, charged at their worst case,
        // left of the budget (how many were in flight at the kill depends on the host's speed: 14
        // in one run, 31 — the whole budget — in another).
        let room = Int(((budget - expiredUSD) / unit).rounded(.down))
        #expect(ok.count >= min(30, room - 5), "too few answers: \(ok.count) with room for \(room)")
        #expect(spent <= budget + 1e-9, "spent \(spent) > budget \(budget)")
        #expect(recorded <= spent + 1e-9, "recorded answers cost more than the counters charge")
        #expect(Double(ok.count) * unit <= budget + 1e-9)
        let verify = try await fleet.lumen(["audit", "verify", "--store", fleet.url])
        #expect(verify.status == 0 && verify.stdout.contains("chain intact"), "\(verify.stdout)\(verify.stderr)")
        await fleet.stop()
    }

    /// The instances' poll of the active policy is off (an hour), so each switch they report came by
    /// NOTIFY; how long it took is printed (about 0.1 s on an idle machine), not bounded by a
    /// timer a loaded CI machine can outlast.
    @Test("policy apply and rollback: all three instances switch by NOTIFY, no request fails")
    func policySwitch() async throws {
        let fleet = try await Fleet.start(policy: Self.policy(budget: 1_000), environment: ["LUMEN_STORE_POLICY_POLL_SECONDS": "3600"])
        defer { fleet.abandon() }
        let second = fleet.dir.appendingPathComponent("second.yaml")
        try Self.policy(budget: 2_000, description: "the second version").write(to: second, atomically: true, encoding: .utf8)
        // Background load on every instance while the policy changes.
        let stop = StopFlag()
        let load = Task {
            await withTaskGroup(of: [Answer].self) { group in
                for n in 0..<3 {
                    group.addTask {
                        var answers: [Answer] = []
                        while !stop.isSet { answers.append(await fleet.ask(n, Self.prompt)) }
                        return answers
                    }
                }
                var all: [Answer] = []
                for await part in group { all += part }
                return all
            }
        }
        func hashes() async -> [String] {
            var out: [String] = []
            for n in 0..<3 { out.append(await fleet.get(n, "/readyz")) }
            return out
        }
        func waitFor(_ hash: String) async -> Duration? {
            let started = ContinuousClock.now
            while started.duration(to: .now) < .seconds(90) {
                if await hashes().allSatisfy({ $0.contains(hash) }) { return started.duration(to: .now) }
                try? await Task.sleep(nanoseconds: 10_000_000)
            }
            return nil
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        let applied = try await fleet.lumen(["policy", "apply", second.path, "--store", fleet.url])
        #expect(applied.status == 0, "\(applied.stderr)")
        let newHash = try #require(Self.hex12(applied.stdout))
        let applyTime = await waitFor(String(newHash))
        let rolled = try await fleet.lumen(["policy", "rollback", "--store", fleet.url])
        #expect(rolled.status == 0, "\(rolled.stderr)")
        let oldHash = try #require(Self.hex12(rolled.stdout))
        let rollbackTime = await waitFor(String(oldHash))
        // Requests go on a little after the rollback too (the switch takes milliseconds; on a busy
        // machine the load would otherwise be a handful of requests).
        try await Task.sleep(nanoseconds: 500_000_000)
        stop.set()
        let answers = await load.value
        print(
            "policy switch: apply seen by all three after \(applyTime.map { "\($0)" } ?? "never"), rollback after \(rollbackTime.map { "\($0)" } ?? "never"); \(answers.count) requests during, \(answers.filter { $0.status != 200 }.count) failed"
        )
        #expect(applyTime != nil && applyTime! < .seconds(60), "apply: \(String(describing: applyTime))")
        #expect(rollbackTime != nil && rollbackTime! < .seconds(60), "rollback: \(String(describing: rollbackTime))")
        #expect(answers.count > 10)
        #expect(
            answers.allSatisfy { $0.status == 200 },
            "failed during the switch: \(answers.filter { $0.status != 200 }.prefix(3).map { "\($0.status) \($0.body)" })")
        // /metrics shows the version per instance, the records name the policy hash in force.
        #expect(await fleet.get(0, "/metrics").contains("lumen_policy_version{instance=\"i0-"))
        let history = try await fleet.lumen(["policy", "history", "--store", fleet.url])
        #expect(history.stdout.contains("rollback") && history.stdout.contains("version 2"), "\(history.stdout)")
        let policyRecords =
            Int(try await fleet.scalar("SELECT count(*) FROM lumen_audit_records WHERE kind = 'policy' AND line LIKE '%\(newHash)%'")) ?? 0
        #expect(policyRecords == 3, "each chain records the new version once")

        // A request in flight during a switch finishes under the version it started with; its records
        // name that version's hash, the next request's the new one.
        let quiet = ContinuousClock.now
        while quiet.duration(to: .now) < .seconds(30), (Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_reservations")) ?? 1) > 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let slow = Task { await fleet.ask(2, "[[fault:delay=3s]] " + Self.prompt) }
        let inFlight = ContinuousClock.now
        while inFlight.duration(to: .now) < .seconds(30), (Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_reservations")) ?? 0) == 0 {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let third = fleet.dir.appendingPathComponent("third.yaml")
        try Self.policy(budget: 3_000, description: "the third version").write(to: third, atomically: true, encoding: .utf8)
        let appliedThird = try await fleet.lumen(["policy", "apply", third.path, "--store", fleet.url])
        let thirdHash = try #require(Self.hex12(appliedThird.stdout))
        let thirdTime = await waitFor(thirdHash)
        let slowAnswer = await slow.value
        #expect(slowAnswer.status == 200, "the request in flight failed: \(slowAnswer.status) \(slowAnswer.body)")
        #expect(thirdTime != nil && thirdTime! < .seconds(60), "third: \(String(describing: thirdTime))")
        let slowID = try #require(slowAnswer.requestID)
        let slowLines = try await fleet.scalar("SELECT line FROM lumen_audit_records WHERE request_id = '\(slowID)' ORDER BY id").split(
            separator: "\n")
        #expect(slowLines.count == 2, "decision and completion: \(slowLines.count)")
        #expect(
            slowLines.allSatisfy { $0.contains(oldHash) && !$0.contains(thirdHash) },
            "the request in flight was not recorded under its starting version")
        let fresh = await fleet.ask(2, Self.prompt)
        #expect(fresh.status == 200)
        let freshLines = try await fleet.scalar("SELECT line FROM lumen_audit_records WHERE request_id = '\(fresh.requestID ?? "")' ORDER BY id")
            .split(separator: "\n")
        #expect(freshLines.count == 2 && freshLines.allSatisfy { $0.contains(thirdHash) }, "the next request is not under the new version")
        print(
            "policy switch with a request in flight: the third version seen by all three after \(thirdTime.map { "\($0)" } ?? "never"); the request in flight answered \(slowAnswer.status) under \(oldHash)"
        )
        await fleet.stop()
    }

    @Test("reservations settle to the real cost however the answer ends: failed, reset, cut mid-stream, hung up by the client, or complete")
    func settlesEveryEnd() async throws {
        var options = FakeUpstreamOptions(retainRecords: true)
        options.streamInterval = .milliseconds(50)
        options.streamChunkSize = 2
        let fleet = try await Fleet.start(policy: Self.policy(budget: 1_000), upstream: options)
        defer { fleet.abandon() }
        let hungUp = await withTaskGroup(of: Answer?.self) { group in
            for n in 0..<3 {
                group.addTask { await fleet.ask(n, "[[fault:status=500]] " + Self.prompt) }
                group.addTask { await fleet.ask(n, "[[fault:status=500]] " + Self.prompt, stream: true) }
                group.addTask { await fleet.ask(n, "[[fault:reset]] " + Self.prompt) }
                group.addTask { await fleet.ask(n, "[[fault:cut-after=3]] " + Self.prompt, stream: true) }
                group.addTask { await fleet.ask(n, Self.prompt) }
                group.addTask { await fleet.ask(n, Self.prompt, stream: true) }
                group.addTask { await fleet.hangUp(n, Self.prompt) ? nil : Answer(status: -1, requestID: nil, instance: n, body: "") }
            }
            var failed = 0
            for await answer in group where answer?.status == -1 { failed += 1 }
            return 3 - failed
        }
        #expect(hungUp == 3, "the client could not hang up mid-stream")
        // The instances stay up, so only settlement can close a reservation: wait until none is open.
        let settling = ContinuousClock.now
        var open = -1
        while settling.duration(to: .now) < .seconds(60) {
            open = Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_reservations")) ?? -1
            if open == 0 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(open == 0, "\(open) reservations never settled")
        let decisions = Int(try await fleet.scalar("SELECT count(DISTINCT request_id) FROM lumen_audit_records WHERE kind = 'decision'")) ?? -1
        let settled = Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_spend WHERE outcome = 'settled'")) ?? -1
        let expired = Int(try await fleet.scalar("SELECT count(*) FROM lumen_budget_spend WHERE outcome <> 'settled'")) ?? -1
        // Each settlement is the request's recorded cost, at most what was reserved.
        let mismatched =
            Int(
                try await fleet.scalar(
                    """
                    SELECT count(*) FROM lumen_budget_spend s JOIN lumen_audit_records r ON r.request_id = s.request_id AND r.kind = 'completion'
                    WHERE abs(s.cost_usd - coalesce((r.line::json->>'cost_usd')::numeric, 0)) > 1e-9 OR s.cost_usd > s.reserved_usd
                    """)) ?? -1
        let unrecorded =
            Int(
                try await fleet.scalar(
                    "SELECT count(*) FROM lumen_budget_spend s WHERE NOT EXISTS (SELECT 1 FROM lumen_audit_records r WHERE r.request_id = s.request_id AND r.kind = 'completion')"
                )) ?? -1
        let ends = try await fleet.scalar(
            "SELECT e || ' ' || count(*) FROM (SELECT coalesce(line::json->'status'->>'error', 'ok') AS e FROM lumen_audit_records WHERE kind = 'completion') c GROUP BY e ORDER BY e"
        )
        let spent =
            Double(try await fleet.scalar("SELECT coalesce(sum(spent_usd), 0) FROM lumen_budget_counters WHERE scope = '' AND period LIKE 'd:%'"))
            ?? -1
        let recorded =
            Double(
                try await fleet.scalar(
                    "SELECT coalesce(sum((line::json->>'cost_usd')::float8), 0) FROM lumen_audit_records WHERE kind = 'completion'")) ?? -1
        print(
            "settlement: \(decisions) requests left, \(settled) settled, \(expired) expired; ends: \(ends.replacingOccurrences(of: "\n", with: ", ")); spent $\(spent), recorded $\(recorded)"
        )
        #expect(decisions >= 18 && settled == decisions, "\(settled) settled of \(decisions) that left")
        #expect(expired == 0)
        #expect(mismatched == 0 && unrecorded == 0)
        #expect(abs(spent - recorded) < 1e-9)
        #expect(ends.contains("client_cancelled"), "no record of a client hanging up: \(ends)")
        await fleet.stop()
    }

    /// With a budget the reservation is what fails first; without one, the pre-egress audit record.
    @Test(
        "the database restarts: remote routes answer 503 and nothing leaves while it is down, the instances reconnect by themselves, the chains verify",
        arguments: [1_000.0, nil])
    func databaseRestart(budget: Double?) async throws {
        // A 15 s store deadline: a loaded machine's stalls stay well inside the margins below.
        let deadline = 15.0
        let fleet = try await Fleet.start(policy: Self.policy(budget: budget), environment: ["LUMEN_STORE_QUERY_TIMEOUT": "\(Int(deadline))"])
        defer { fleet.abandon() }
        #expect(await fleet.ask(0, Self.prompt).status == 200)
        let callsBefore = await fleet.upstream.recordedRequests().count
        try await fleet.cluster.stoppingServer()
        // Requests are refused promptly: a store known to be down is not waited for at every query.
        // Each instance's first request waits out one deadline (it used to wait out two), so the
        // three are sent together; the later ones wait out none.
        let first = await withTaskGroup(of: (Int, Duration).self) { group in
            for n in 0..<3 {
                group.addTask {
                    let asked = ContinuousClock.now
                    let down = await fleet.ask(n, Self.prompt)
                    #expect(down.status == 503, "\(down.status) \(down.body)")
                    return (n, asked.duration(to: .now))
                }
            }
            return await group.reduce(into: [Duration]()) { $0.append($1.1) }
        }
        var waits: [Duration] = []
        for n in 0..<3 {
            for stream in [true, false] {
                let asked = ContinuousClock.now
                let down = await fleet.ask(n, Self.prompt, stream: stream)
                #expect(down.status == 503, "\(down.status) \(down.body)")
                waits.append(asked.duration(to: .now))
            }
        }
        print(
            "database down: first requests refused in \(first.map { "\($0)" }.joined(separator: ", ")); the next in \(waits.map { "\($0)" }.joined(separator: ", "))"
        )
        #expect(first.allSatisfy { $0 < .seconds(deadline * 1.85) }, "two deadlines would be \(2 * deadline) s: \(first)")
        #expect(waits.allSatisfy { $0 < .seconds(deadline * 0.9) }, "one deadline would be \(deadline) s: \(waits)")
        #expect(await fleet.upstream.recordedRequests().count == callsBefore, "a request reached the provider while the store was down")
        #expect(!(await fleet.get(1, "/readyz")).hasPrefix("ready"))
        try await fleet.cluster.startingServer()
        let started = ContinuousClock.now
        var back: [Int] = []
        while started.duration(to: .now) < .seconds(120) {
            back = []
            for n in 0..<3 { back.append(await fleet.ask(n, Self.prompt).status) }
            if back.allSatisfy({ $0 == 200 }) { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        print(
            "database restart (budget: \(budget.map { "$\($0)" } ?? "none")): all three instances answer again \(started.duration(to: .now)) after it came back"
        )
        #expect(back == [200, 200, 200])
        let verify = try await fleet.lumen(["audit", "verify", "--store", fleet.url])
        #expect(verify.status == 0 && verify.stdout.contains("chain intact"), "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("recovery"), "the chain should note the outage: \(verify.stdout)")
        // An export of several instances' chains says which chain each record is in (`seq` counts within one).
        let csv = try await fleet.lumen(["audit", "export", "--format", "csv", "--store", fleet.url])
        let rows = csv.stdout.split(separator: "\n")
        #expect(csv.status == 0 && rows.first?.hasSuffix(",chain") == true, "\(csv.stderr)")
        #expect(Set(rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).last ?? "" }).count == 3)
        let jsonl = try await fleet.lumen(["audit", "export", "--format", "jsonl", "--store", fleet.url])
        #expect(jsonl.stdout.split(separator: "\n").allSatisfy { $0.contains(#""chain":"#) }, "\(jsonl.stdout.prefix(300))")
        await fleet.stop()
    }
}

/// The unit cost, measured once for the suite (each measurement starts a fleet).
actor UnitCost {
    static let shared = UnitCost()
    private var measured: Double?
    func value() async throws -> Double {
        if let measured { return measured }
        let unit = try await SharedServeTests.measureUnitCost()
        measured = unit
        return unit
    }
}

/// A flag one task sets and others poll.
final class StopFlag: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var value = false
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
