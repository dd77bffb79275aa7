import Foundation
package import Logging
package import LumenAudit
import LumenClassifier
package import LumenCore
package import LumenPolicy
import LumenRedaction
import Synchronization

/// Who sent a request, as established by the HTTP edge.
package struct Caller: Sendable {
    package var requestID: String
    package var tenant: String
    /// Key id (from the key file, or a hash prefix); "none" without authentication.
    package var keyID: String
    /// Request headers, lower-cased names, authentication headers removed.
    package var headers: [String: String]
    /// Watches the client's connection while a local answer is generated or waits for a slot,
    /// streamed or not, so that a client that goes away frees its slot (nil: not watched).
    package var presence: (any ClientPresence)?

    package init(requestID: String, tenant: String, keyID: String, headers: [String: String] = [:], presence: (any ClientPresence)? = nil) {
        self.requestID = requestID
        self.tenant = tenant
        self.keyID = keyID
        self.headers = headers
        self.presence = presence
    }
}

/// The client of one request, as the server sees its connection.
package protocol ClientPresence: Sendable {
    /// Runs `operation`, cancelling it when the client closes its side of the connection first.
    func whilePresent<T: Sendable>(_ operation: () async throws -> T) async throws -> T
}

/// The router's answer: a whole response or a stream of chunks (already restored, costed, final
/// chunk carrying `usage.cost` when the client asked for usage).
package enum RouterResult: Sendable {
    case completion(ChatCompletionResponse, RouteInfo)
    case stream(RouteInfo, AsyncThrowingStream<ChatCompletionChunk, any Error>)
}

/// A policy target's backend, or why it cannot be used (e.g. its API key variable is unset).
package enum BackendSlot: Sendable {
    case ready(any ChatBackend)
    case unavailable(String)
}

/// Remaining budget and spend recording (the audit stage's `BudgetLedger` behind closures, so the
/// router can be tested without a log).
package struct BudgetHooks: Sendable {
    /// (global remaining USD, tenant remaining USD); nil = unlimited.
    package var remaining: @Sendable (_ tenant: String) async -> (global: Double?, tenant: Double?)
    /// Called with every completion record once it is written (adds its cost to the spend and
    /// settles the request's reservations).
    package var record: @Sendable (_ record: AuditRecord) async -> Void
    /// Reserves a remote request's worst-case cost before it leaves (#17; see `BudgetReservation`).
    package var reserve: @Sendable (_ request: BudgetReservationRequest) async -> BudgetReservationOutcome

    package init(
        remaining: @escaping @Sendable (_ tenant: String) async -> (global: Double?, tenant: Double?),
        record: @escaping @Sendable (_ record: AuditRecord) async -> Void = { _ in },
        reserve: @escaping @Sendable (_ request: BudgetReservationRequest) async -> BudgetReservationOutcome = { _ in .granted }
    ) {
        self.remaining = remaining
        self.record = record
        self.reserve = reserve
    }

    /// No budgets.
    package static let unlimited = BudgetHooks(remaining: { _ in (nil, nil) })
}

/// Settings of the router core.
package struct RouterConfiguration: Sendable {
    package var policy: Policy
    /// Output length assumed for cost estimates before an answer exists (stream cost headers).
    package var assumedOutputTokens: Int
    /// HMAC for finding values in audit records (nil: no value digests).
    package var auditHMAC: AuditHMAC?
    /// The policy's version in the shared store (nil: a policy file), shown by `/readyz`.
    package var policyVersion: Int?

    package init(policy: Policy, assumedOutputTokens: Int = 256, auditHMAC: AuditHMAC? = nil, policyVersion: Int? = nil) {
        self.policy = policy
        self.assumedOutputTokens = assumedOutputTokens
        self.auditHMAC = auditHMAC
        self.policyVersion = policyVersion
    }
}

/// The audit log, or why it could not be opened (remote routes then fail closed with 503).
package enum AuditSink: Sendable {
    case log(AuditLog)
    case unavailable(String)
}

/// The router core: classify → decide → (redact) → dispatch with fallbacks → audit.
///
/// Classification covers every message text (system, user, assistant, tool), joined, so findings
/// anywhere in the conversation count; difficulty is scored on the last user turn only (earlier
/// turns are context, the last one is what the model must answer now).
package final class Router: Sendable {
    package let configuration: RouterConfiguration
    let backends: [String: BackendSlot]
    let audit: AuditSink
    let budget: BudgetHooks
    let classifier: Classifier
    let logger: Logger
    let metrics = RouterMetrics()
    /// One circuit breaker per target (shared across policy reloads).
    let breakers: CircuitBreakers
    /// How many records of refused requests may be written (`recordRefusal`), for callers with a
    /// valid key and for those without.
    let refusalRecords = RefusalRecords()
    let unauthenticatedRefusalRecords = RefusalRecords()
    let localReadiness: @Sendable () -> (Bool, String)
    /// Whether the policy reads the prompt-injection screen (only then does every request pay for it).
    let screensInjection: Bool
    /// The policy's redaction rules, built once (they were rebuilt for every remote attempt).
    let redactionRules: RedactionRules

    /// - Parameters:
    ///   - backends: one slot per policy target name.
    ///   - readiness: extra readiness check (e.g. the embedded model is loaded).
    package init(
        configuration: RouterConfiguration,
        backends: [String: BackendSlot],
        audit: AuditSink,
        budget: BudgetHooks = .unlimited,
        logger: Logger,
        breakers: CircuitBreakers = CircuitBreakers(),
        readiness: @escaping @Sendable () -> (Bool, String) = { (true, "ready") }
    ) {
        self.breakers = breakers
        self.configuration = configuration
        self.backends = backends
        self.audit = audit
        self.budget = budget
        self.classifier = Classifier(configuration: configuration.policy.classifierConfiguration)
        self.logger = logger
        self.localReadiness = readiness
        self.screensInjection = Self.readsInjection(configuration.policy)
        self.redactionRules = RedactionRules(configuration.policy.redaction)
    }

    /// Whether some rule of `policy` reads the prompt-injection screen.
    package static func readsInjection(_ policy: Policy) -> Bool {
        policy.rules.contains { readsInjection($0.condition) }
    }

    static func readsInjection(_ condition: PolicyCondition) -> Bool {
        switch condition {
        case .injection: true
        case .all(let parts), .any(let parts): parts.contains(where: readsInjection)
        case .not(let part): readsInjection(part)
        default: false
        }
    }

    var policy: Policy { configuration.policy }

    /// `auto` followed by every target name (for `GET /v1/models`).
    package var modelIDs: [String] { [RequestedModel.autoName] + policy.targets.map(\.name) }

    /// The 404 for a model name no target and no `models:` pattern takes, naming those that are.
    package func unknownModel(_ model: String) -> RouterError {
        .modelNotFound(model, known: modelIDs + policy.modelAliases.map(\.pattern))
    }

    /// Whether the server should receive traffic, and a one-line explanation.
    package func readiness() -> (ready: Bool, detail: String) {
        for target in policy.targets {
            if case .unavailable(let why) = backends[target.name] ?? .unavailable("no backend"), target.kind == .embedded {
                return (false, "embedded target '\(target.name)' unavailable: \(why)")
            }
        }
        if let problem = auditProblem { return (false, "not ready: \(problem)") }  // #18 item 6
        let (ok, detail) = localReadiness()
        let version = configuration.policyVersion.map { " version \($0)" } ?? ""
        return (ok, ok ? "ready: policy '\(policy.name)' \(policy.contentHash.prefix(12))\(version)" : detail)
    }

    // MARK: - Entry point

    /// The input tokens a request would have, as Lumen estimates them over every string it would send
    /// (Anthropic's `count_tokens`): nothing is sent, nothing is decided.
    package func countTokens(_ inbound: InboundRequest) throws(RouterError) -> Int {
        // An unknown model is the 404 the request itself would get.
        guard policy.resolveRequestedModel(inbound.conversation.model) != nil else {
            throw unknownModel(inbound.conversation.model)
        }
        return try Screening.screen(inbound, classifier: classifier, unknownFields: .drop).classification.estimatedTokens
    }

    /// Serves one chat completion request.
    package func handle(_ request: ChatCompletionRequest, caller: Caller) async throws(RouterError) -> RouterResult {
        try await handle(.chat(request), caller: caller)
    }

    /// Serves one request from any client API: its conversation goes through the same pipeline, and
    /// the answer comes back in the conversation's shapes (the server encodes them for the client).
    package func handle(_ inbound: InboundRequest, caller: Caller) async throws(RouterError) -> RouterResult {
        let clock = ContinuousClock()
        let started = clock.now
        let request = inbound.conversation
        // Screen everything that could leave (pure), then decide (pure). A request refused before
        // the decision (invalid, an unknown model, unknown fields under `strict`) is recorded.
        var screened: ScreenedRequest
        let (classifier, unknownFields, screensInjection) = (self.classifier, policy.egress.unknownFields, self.screensInjection)
        do throws(RouterError) {
            try Self.validate(request)
            guard policy.resolveRequestedModel(request.model) != nil else {
                throw unknownModel(request.model)
            }
            if Self.textBytes(request) + 256 * request.messages.count >= Offload.threshold {
                // A multi-megabyte body takes a while to classify: not on a thread the others need.
                screened = try await Offload.run { () throws(RouterError) in
                    try Screening.screen(inbound, classifier: classifier, unknownFields: unknownFields, screenInjection: screensInjection)
                }
            } else {
                screened = try Screening.screen(inbound, classifier: classifier, unknownFields: unknownFields, screenInjection: screensInjection)
            }
        } catch {
            throw await recordRefusal(
                error, requestID: caller.requestID, tenant: caller.tenant, keyID: caller.keyID, api: inbound.api, model: request.model)
        }
        let classification = screened.classification
        // #18 item 6: unauditable ⇒ on_audit_failure. Known before the budget is read: with the shared
        // store down, that read waits out its deadline, and the refusal needs nothing of it.
        if let refusal = auditRefusal() { throw refusal }
        let remaining = await budget.remaining(caller.tenant)
        let context = RequestContext(
            tenant: caller.tenant,
            requestedModel: request.model,
            metadata: Wire.metadata(of: screened.request),
            headers: caller.headers,
            remainingUSD: remaining.global,
            tenantRemainingUSD: remaining.tenant,
            binaryParts: screened.binaryParts,
            requestedOutputTokens: request.effectiveMaxTokens,
            choices: request.n ?? 1
        )
        let decision = PolicyEngine.evaluate(policy, classification, context)
        let decisionElapsed = started.duration(to: clock.now)
        metrics.decision(nanoseconds: decisionElapsed.nanoseconds)

        var trail = AuditTrail(
            requestID: caller.requestID, caller: caller, policy: policy, decision: decision,
            screened: screened, context: context, hmac: configuration.auditHMAC,
            requestedModel: request.model, streamed: request.stream == true, decisionLatency: decisionElapsed
        )
        let estimatedInput = max(classification.estimatedTokens, 1)
        // Spotlighting rewrites flagged untrusted texts before any model sees them (the target's body
        // is then screened again before it leaves).
        let spotlighted =
            decision.spotlight.isEmpty
            ? [] : Spotlight.apply(classification.injections, areas: Set(decision.spotlight), to: &screened.request)
        // The spotlighted texts live in the conversation: a client's own body no longer carries them.
        if !spotlighted.isEmpty { screened.native = nil }
        let injectionHeader = Self.injectionSummary(decision, classification, spotlighted: spotlighted)

        switch decision.action {
        case .block:
            let message = decision.blockMessage ?? "Blocked by policy rule '\(decision.rule)'."
            var info = RouteInfo(requestID: caller.requestID, route: .blocked, target: "none", rule: decision.rule)
            info.droppedFields = screened.droppedFields
            info.injection = injectionHeader
            trail.fail(status: 403, error: "blocked", fallbacks: [], target: "none", route: .blocked, total: started.duration(to: .now))
            await writeCompletion(trail)
            metrics.request(route: RouteKind.blocked.rawValue, target: "none", status: 403)
            throw .blocked(message, route: info)
        case .route, .redact:
            break
        }

        var plan = Plan(decision: decision, policy: policy)
        plan.injection = injectionHeader
        plan.estimatedInputTokens = estimatedInput
        do {
            if request.stream == true {
                return try await runStream(screened, caller: caller, plan: plan, trail: trail, started: started, estimatedInput: estimatedInput)
            }
            return try await runComplete(screened, caller: caller, plan: plan, trail: trail, started: started)
        } catch {
            // A refusal on the way (a target that cannot take the request, a redaction that blocks):
            // the request still gets its completion record.
            if !error.recorded {
                let target = plan.candidates.first ?? "none"
                let route = error.route?.route ?? routeKind(of: target)
                trail.fail(status: error.status, error: error.code, fallbacks: [], target: target, route: route, total: started.duration(to: .now))
                await writeCompletion(trail)
                metrics.request(route: route.rawValue, target: target, status: error.status)
            }
            throw error
        }
    }

    // MARK: - Planning

    /// The candidates in order: the decided target, then the rule's fallbacks.
    struct Plan: Sendable {
        var decision: Decision
        var candidates: [String]
        /// The `x-lumen-injection` header, when a rule marked the request.
        var injection: String?
        /// The request's input tokens as the classifier estimates them.
        var estimatedInputTokens = 0

        init(decision: Decision, policy: Policy) {
            self.decision = decision
            var seen = Set<String>()
            var list: [String] = []
            for name in [decision.target].compactMap({ $0 }) + decision.fallback where seen.insert(name).inserted {
                list.append(name)
            }
            // `redact` may find types that must stay local (secrets): a local target must be reachable.
            if decision.action == .redact {
                for target in policy.localTargets where seen.insert(target.name).inserted {
                    list.append(target.name)
                }
            }
            self.candidates = list
        }
    }

    /// A candidate ready to send: backend, target, the request as it will leave, and the redaction session.
    /// Notes that the decided target `from` cannot take the request (`refusal`: a capability it lacks)
    /// and `to` is tried next; the first such refusal is the answer if no later candidate is tried.
    func passOver(_ refusal: RouterError, from: String, to: String, unable: inout RouterError?, fallbacks: inout [FallbackEvent]) {
        if unable == nil { unable = refusal }
        fallBack(&fallbacks, from: from, to: to, reason: refusal.message)
    }

    /// Notes that target `from` was passed over for `to`, for the record and the metrics.
    func fallBack(_ fallbacks: inout [FallbackEvent], from: String, to: String, reason: String) {
        fallbacks.append(FallbackEvent(from: from, to: to, reason: reason))
        metrics.fallback(from: from, to: to)
    }

    /// The route of an answer from `attempt`, as the headers, metrics and records report it.
    /// `sentTo`: a remote host an earlier attempt sent the request to (the request left even though
    /// another target answered).
    func routeInfo(_ attempt: Attempt, plan: Plan, caller: Caller, cost: Double, fallbacks: [FallbackEvent], sentTo: String?) -> RouteInfo {
        RouteInfo(
            requestID: caller.requestID, route: attempt.backend.route, target: attempt.name, rule: plan.decision.rule,
            costUSD: cost, egressHost: attempt.backend.host ?? sentTo, overrideReason: plan.overrideReason,
            fallbacks: fallbacks, redactedValues: attempt.redaction?.stats.totalValues ?? 0,
            droppedFields: attempt.droppedFields, injection: plan.injection, estimatedInputTokens: plan.estimatedInputTokens
        )
    }

    /// What the `x-lumen-injection` header says of a request a `flag` or `spotlight` rule marked:
    /// kinds, the location with the highest score, that score, the rules and what was spotlighted.
    static func injectionSummary(_ decision: Decision, _ classification: Classification, spotlighted: [String]) -> String? {
        guard !decision.flaggedBy.isEmpty || !spotlighted.isEmpty, let top = classification.injection() else { return nil }
        let kinds = Set(classification.injections.filter(\.assessment.flagged).flatMap(\.assessment.kinds)).sorted()
        var parts = [
            "kinds=\(kinds.map(\.rawValue).joined(separator: ","))", "location=\(top.location.path)",
            "score=\(String(format: "%.2f", top.assessment.score))",
        ]
        if !decision.flaggedBy.isEmpty { parts.append("rules=\(decision.flaggedBy.joined(separator: ","))") }
        if !spotlighted.isEmpty { parts.append("spotlighted=\(spotlighted.joined(separator: ","))") }
        return parts.joined(separator: "; ")
    }

    struct Attempt: Sendable {
        var name: String
        var target: PolicyTarget
        var backend: any ChatBackend
        var request: ChatCompletionRequest
        /// The encoded body a remote backend sends, screened (and redacted) by `Screening.finalise`.
        var body: EncodedBody?
        var redaction: RedactionSession?
        var redactedTypes: Set<FindingType>
        /// Request members not sent to this target: dropped at the door, and those its API does not take.
        var droppedFields: [String]
    }

    enum Preparation: Sendable {
        case ready(Attempt)
        /// Skip this candidate (recorded as a fallback event).
        case skip(String)
        /// The decided target cannot do what the request asks (a context too small, `n` > 1, an image
        /// for a text model): the rule's fallbacks are tried, and the refusal is the answer when none
        /// of them is (recorded as a fallback event).
        case unable(RouterError)
    }

    /// Prepares one candidate: availability, capability, and for remote targets the body that will
    /// leave, screened and (under `redact`) pseudonymised by `Screening.finalise`, and the durable
    /// pre-egress audit record.
    func prepare(
        _ name: String, isPrimary: Bool, screened original: ScreenedRequest, stream: Bool, plan: Plan, trail: AuditTrail
    ) async throws(RouterError) -> Preparation {
        guard let target = policy.target(named: name) else { return .skip("target '\(name)' is not in the policy") }
        var screened = original
        if let cap = target.outputCap { Self.hold(&screened, to: cap) }
        let backend: any ChatBackend
        switch backends[name] ?? .unavailable("no backend configured") {
        case .ready(let b): backend = b
        case .unavailable(let why): return .skip(why)
        }
        let request = screened.request
        do {
            try backend.validate(request)
        } catch {
            if isPrimary {
                if error.isCapability && plan.candidates.count > 1 { return .unable(error) }
                throw error
            }
            return .skip(error.message)
        }
        var dropped = screened.droppedFields
        guard backend.route == .remote else {
            return .ready(
                Attempt(
                    name: name, target: target, backend: backend, request: request, body: nil, redaction: nil, redactedTypes: [],
                    droppedFields: dropped))
        }
        let outbound: OutboundBody
        do {
            guard let built = try backend.outboundBody(for: screened, stream: stream) else {
                return .skip("the backend of '\(name)' builds no request body")
            }
            outbound = built
        } catch {
            if error.kind == .invalid && isPrimary { throw .refused(error) }
            return .skip(error.description)
        }
        let passedThrough = screened.native != nil && outbound.format == screened.native?.format
        if passedThrough {
            dropped.removeAll { $0.hasSuffix(InboundRequest.anthropicOnlyMarker) }
        } else {
            // Named once: a member the adapter already named (`top_k (Anthropic targets only)`) is not
            // named again as a member the target's body does not carry.
            let named = Set(
                dropped.map { $0.hasSuffix(InboundRequest.anthropicOnlyMarker) ? String($0.dropLast(InboundRequest.anthropicOnlyMarker.count)) : $0 })
            let model = outbound.json["model"]?.stringValue ?? ""
            dropped += Wire.unsentFields(of: request, format: outbound.format, model: model).filter { !named.contains($0) }
        }
        let final: OutboundBody
        let session: RedactionSession?
        let redactedTypes: Set<FindingType>
        switch Screening.finalise(
            outbound, screened: screened, redact: plan.decision.action == .redact, rules: redactionRules, classifier: classifier)
        {
        case .local(let why):
            return .skip(why)
        case .block(let message):
            throw .blocked(message, route: RouteInfo(requestID: trail.requestID, route: .blocked, target: "none", rule: plan.decision.rule))
        case .send(let body, let redaction, let types):
            final = body
            session = redaction
            redactedTypes = types
        }
        let bytes: EncodedBody
        do {
            bytes = try EncodedBody(final)
        } catch {
            return .skip("the request could not be encoded for '\(name)'")
        }
        // A target whose breaker is open is skipped at once: the request falls back.
        let admission = breakers.admit(name)
        if case .skip(let left) = admission {
            return .skip(
                left > 0
                    ? String(format: "circuit open after %d failures in a row (next probe in %.0f s)", breakers.settings.failures, left)
                    : "circuit half-open (another request is probing)"
            )
        }
        // Durable record before anything leaves; failure → 503, nothing is sent.
        switch audit {
        case .unavailable(let why):
            if admission == .probe { breakers.released(name) }
            throw .auditUnavailable("The audit log is unavailable (\(why)); remote routes are refused.", route: nil)
        case .log(let log):
            // The worst case is reserved against the budgets first (#17); settled by the completion record.
            if let refused = try await reserveBudget(
                target: target, screened: screened, body: final, bytes: bytes.bytes.count, trail: trail, plan: plan)
            {
                if case .route(let local)? = policy.budgets.onExhausted, local != name {
                    logger.info(
                        "budget reservation refused, serving locally", metadata: ["request_id": "\(trail.requestID)", "reason": "\(refused)"])
                    return try await prepare(local, isPrimary: false, screened: screened, stream: stream, plan: plan, trail: trail)
                }
                return .skip(refused)
            }
            do {
                try await log.append(
                    trail.decisionRecord(
                        target: target, host: backend.host, bytesOut: bytes.bytes.count, redactedTypes: redactedTypes, redaction: session?.stats))
            } catch {
                if admission == .probe { breakers.released(name) }
                logger.error("audit write failed before egress", metadata: ["request_id": "\(trail.requestID)", "error": "\(error)"])
                throw .auditUnavailable("The audit log could not be written; the request was not sent.", route: nil)
            }
        }
        return .ready(
            Attempt(
                name: name, target: target, backend: backend, request: request, body: bytes, redaction: session, redactedTypes: redactedTypes,
                droppedFields: dropped))
    }

    // MARK: - Non-streaming

    func runComplete(
        _ screened: ScreenedRequest, caller: Caller, plan: Plan, trail: AuditTrail, started: ContinuousClock.Instant
    ) async throws(RouterError) -> RouterResult {
        var trail = trail
        var fallbacks: [FallbackEvent] = []
        var lastError: BackendError?
        var unable: RouterError?
        var lastTarget = plan.candidates.first ?? "none"
        for (index, name) in plan.candidates.enumerated() {
            let next = index + 1 < plan.candidates.count ? plan.candidates[index + 1] : "none"
            let attempt: Attempt
            switch try await prepare(name, isPrimary: index == 0, screened: screened, stream: false, plan: plan, trail: trail) {
            case .skip(let why):
                fallBack(&fallbacks, from: name, to: next, reason: why)
                continue
            case .unable(let refusal):
                passOver(refusal, from: name, to: next, unable: &unable, fallbacks: &fallbacks)
                continue
            case .ready(let a): attempt = a
            }
            lastTarget = name
            var unrecorded = false
            do throws(BackendError) {
                let result: BackendCompletion
                trail.sending(attempt)
                do {
                    result = try await complete(attempt, presence: caller.presence)
                } catch {
                    report(error, from: attempt)
                    trail.failed(attempt, error)
                    throw error
                }
                if attempt.backend.route == .remote { breakers.succeeded(name) }
                var response = result.response
                var restoration = RestorationStats()
                if let session = attempt.redaction {
                    restoration = Wire.restore(&response, session: session)
                }
                let usage = Wire.usage(of: response, estimatedInput: plan.estimatedInputTokens)
                let cost = Wire.cost(usage, usage: response.usage, on: attempt.target)
                Wire.setUsage(&response, usage, cost: cost)
                if response.model.isEmpty {
                    response.model = attempt.target.model ?? attempt.target.name
                }
                let info = routeInfo(attempt, plan: plan, caller: caller, cost: cost, fallbacks: fallbacks, sentTo: trail.attemptedEgress?.host)
                trail.complete(
                    attempt: attempt, status: 200, error: nil, usage: usage, reported: response.usage, cost: cost,
                    fallbacks: fallbacks,
                    bytesSent: result.bytesSent, bytesReceived: result.bytesReceived, restoration: restoration,
                    firstToken: nil, total: started.duration(to: .now)
                )
                // The record is stored before the answer is sent (#18 item 5); without it, no answer.
                if await writeCompletion(trail) || answersWithoutRecord {
                    record(info: info, status: 200, usage: usage, cost: cost, sent: result.bytesSent, received: result.bytesReceived)
                    return .completion(response, info)
                }
                unrecorded = true
            } catch {
                if error.kind == .cancelled {
                    // Nobody is waiting for a fallback's answer.
                    if !error.isBeforeStart { trail.clientLeft(attempt, estimatedInput: plan.estimatedInputTokens) }
                    lastError = error
                    break
                }
                if error.kind == .invalid {
                    guard error.isCapability && next != "none" else {
                        throw refusal(error, target: name, plan: plan, caller: caller, fallbacks: fallbacks, trail: trail)
                    }
                    // Found as it started (a prompt's tokens counted then): the fallbacks are tried, and
                    // this refusal is the answer if none of them is.
                    let refused = refusal(error, target: name, plan: plan, caller: caller, fallbacks: fallbacks, trail: trail)
                    passOver(refused, from: name, to: next, unable: &unable, fallbacks: &fallbacks)
                    continue
                }
                logger.warning(
                    "target failed", metadata: ["request_id": "\(caller.requestID)", "target": "\(name)", "error": "\(error.kind.rawValue)"])
                lastError = error
                fallBack(&fallbacks, from: name, to: next, reason: error.description)
            }
            if unrecorded {
                throw .auditUnavailable("The audit log could not record the answer, so it is not sent (on_audit_failure: refuse).", route: nil)
            }
        }
        throw await failure(
            lastError, unable: unable, lastTarget: lastTarget, plan: plan, caller: caller, fallbacks: fallbacks, trail: &trail, started: started)
    }

    /// An attempt's answer, generated while the client waits for it (`whileClientWaits`).
    func complete(_ attempt: Attempt, presence: (any ClientPresence)?) async throws(BackendError) -> BackendCompletion {
        do {
            return try await whileClientWaits(for: attempt, presence: presence) { () async throws -> BackendCompletion in
                try await attempt.backend.complete(attempt.request, body: attempt.body)
            }
        } catch {
            throw BackendError.from(error)
        }
    }

    /// Runs `operation` for `attempt` while the client is watched, so that a client that closes its
    /// connection cancels it: a local generation (or its wait for a slot) stops and frees the slot; a
    /// remote request is closed, so the provider stops generating (and billing) an answer nobody
    /// reads, instead of Lumen noticing at the provider's first byte or whole answer.
    func whileClientWaits<T: Sendable>(
        for attempt: Attempt, presence: (any ClientPresence)?, _ operation: () async throws -> T
    ) async throws -> T {
        guard let presence else { return try await operation() }
        return try await presence.whilePresent(operation)
    }

    /// A backend's refusal of the request (`invalid`: no fallback helps), with the route so far. A
    /// remote target that refused the request has still received it: the answer says where it went.
    func refusal(_ error: BackendError, target name: String, plan: Plan, caller: Caller, fallbacks: [FallbackEvent], trail: AuditTrail) -> RouterError
    {
        var refused = RouterError.refused(error)
        var route = routeInfo(name, plan: plan, caller: caller, fallbacks: fallbacks)
        route.egressHost = route.egressHost ?? trail.attemptedEgress?.host
        refused.route = route
        return refused
    }

    /// Maps the last backend error (or "nothing available") to the HTTP error and audits it. When no
    /// candidate was tried after the decided target could not take the request (`unable`), its
    /// refusal is the answer: a 400 that says what the request asks of it.
    func failure(
        _ lastError: BackendError?, unable: RouterError?, lastTarget: String, plan: Plan, caller: Caller, fallbacks: [FallbackEvent],
        trail: inout AuditTrail, started: ContinuousClock.Instant
    ) async -> RouterError {
        let route = routeKind(of: lastTarget)
        var info = routeInfo(lastTarget, plan: plan, caller: caller, fallbacks: fallbacks)
        info.egressHost = info.egressHost ?? trail.attemptedEgress?.host
        var error: RouterError
        switch lastError?.kind {
        case nil where unable != nil:
            error = unable!
            error.route = info
        case .busy?:
            error = .busy("The local model is busy (all slots and the queue are full); retry later.", route: info)
        case .timeout?:
            error = .upstream("The target timed out and no fallback could serve the request.", timeout: true, route: info)
        case .failure? where (400..<500).contains(lastError?.status ?? 0) && lastError?.status != 408:
            error = .rejected(status: lastError?.status ?? 400, target: lastTarget, message: lastError?.message ?? "", route: info)
            if error.status == 429 { error.retryAfter = lastError?.retryAfter }
        case .failure? where lastError?.status == 503 || lastError?.status == 529:
            error = .overloaded(target: lastTarget, message: lastError?.message ?? "", retryAfter: lastError?.retryAfter, route: info)
        case .cancelled?:
            error = RouterError(
                status: 499, type: "invalid_request_error", code: "client_cancelled",
                message: "The client closed the connection before the answer was ready.", route: info)
        case .failure?, .invalid?:
            error = .upstream("The target failed (\(lastError?.message ?? "")) and no fallback could serve the request.", timeout: false, route: info)
        case nil:
            let reasons = fallbacks.map { "\($0.from): \($0.reason)" }.joined(separator: "; ")
            error = .upstream("No target could serve the request (\(reasons)).", timeout: false, route: info)
        }
        trail.fail(status: error.status, error: error.code, fallbacks: fallbacks, target: lastTarget, route: route, total: started.duration(to: .now))
        await writeCompletion(trail)
        metrics.request(route: route.rawValue, target: lastTarget, status: error.status)
        var recorded = error
        recorded.recorded = true
        return recorded
    }

    /// Tells a remote target's breaker how an attempt went: its own failures and timeouts count;
    /// a refusal of the request (an HTTP 4xx other than 408 and 429) means the target is up (one
    /// client replaying a history the provider rejects must not take the target down for all); a
    /// rate limit (429) says nothing either way.
    func report(_ error: BackendError, from attempt: Attempt) {
        guard attempt.backend.route == .remote else { return }
        if error.kind == .failure, let status = error.status, (400..<500).contains(status), status != 408 {
            if status != 429 { breakers.succeeded(attempt.name) }
            return
        }
        switch error.kind {
        case .failure, .timeout:
            if breakers.failed(attempt.name) {
                logger.warning(
                    "circuit opened", metadata: ["target": "\(attempt.name)", "seconds": "\(breakers.settings.openFor.components.seconds)"])
            }
        case .invalid, .busy:
            breakers.succeeded(attempt.name)
        case .cancelled:
            break  // says nothing about the target
        }
    }

    /// The UTF-8 bytes of the conversation's text and tool-call arguments (O(messages): string
    /// lengths are stored); with a per-message allowance, the measure of what screening costs.
    static func textBytes(_ request: ChatCompletionRequest) -> Int {
        var total = 0
        for message in request.messages {
            for segment in message.content?.textSegments ?? [] { total += segment.utf8.count }
            for call in message.toolCalls ?? [] { total += call.function.arguments.utf8.count }
        }
        return total
    }

    /// What every request must satisfy before it is classified (the server, and `lumen route
    /// --request` so that it refuses what the server refuses).
    package static func validate(_ request: ChatCompletionRequest) throws(RouterError) {
        guard !request.messages.isEmpty else {
            throw .invalidRequest("'messages' must contain at least one message.", param: "messages")
        }
        try checkLimits(request)
    }

    /// Nonsense limits are a 400, not silently a 1: `max_tokens`/`max_completion_tokens` below 1,
    /// `n` outside 1…128 (OpenAI's range).
    static func checkLimits(_ request: ChatCompletionRequest) throws(RouterError) {
        for (value, name) in [(request.maxTokens, "max_tokens"), (request.maxCompletionTokens, "max_completion_tokens")] {
            if let value, value < 1 { throw .invalidRequest("'\(name)' must be at least 1, found \(value).", param: name) }
        }
        if let n = request.n, !(1...128).contains(n) {
            throw .invalidRequest("'n' must be between 1 and 128, found \(n).", param: "n")
        }
        // OpenAI's ranges (Anthropic's temperature range, [0, 1], is within it: an Anthropic target
        // gets min(t, 1)).
        if let t = request.temperature, !(0...2).contains(t) {
            throw .invalidRequest("'temperature' must be between 0 and 2, found \(t).", param: "temperature")
        }
        if let p = request.topP, !(0...1).contains(p) {
            throw .invalidRequest("'top_p' must be between 0 and 1, found \(p).", param: "top_p")
        }
    }

    /// Holds the answer's length to a target's cap (`max_output_tokens`; the embedded model's
    /// default): in the conversation and in a client's body passed through.
    static func hold(_ screened: inout ScreenedRequest, to cap: Int) {
        if let value = screened.request.maxTokens, value > cap { screened.request.maxTokens = cap }
        if let value = screened.request.maxCompletionTokens, value > cap { screened.request.maxCompletionTokens = cap }
        if var native = screened.native, case .object(var object) = native.json, let value = object["max_tokens"]?.intValue, value > cap {
            object["max_tokens"] = .integer(Int64(cap))
            native.json = .object(object)
            screened.native = native
        }
    }

    /// What the response headers say of a request that `target` answered (or failed).
    func routeInfo(_ target: String, plan: Plan, caller: Caller, fallbacks: [FallbackEvent]) -> RouteInfo {
        RouteInfo(
            requestID: caller.requestID, route: routeKind(of: target), target: target, rule: plan.decision.rule,
            overrideReason: plan.overrideReason, fallbacks: fallbacks, injection: plan.injection,
            estimatedInputTokens: plan.estimatedInputTokens
        )
    }

    func routeKind(of name: String) -> RouteKind {
        if case .ready(let backend)? = backends[name] { return backend.route }
        return .local
    }

    func record(info: RouteInfo, status: Int, usage: (prompt: Int, completion: Int), cost: Double, sent: Int, received: Int) {
        metrics.request(route: info.route.rawValue, target: info.target, status: status)
        metrics.tokens(target: info.target, prompt: usage.prompt, completion: usage.completion)
        metrics.cost(target: info.target, usd: cost)
        if let host = info.egressHost { metrics.egress(host: host, sent: sent, received: received) }
    }

    // MARK: - Audit helpers

    /// Writes the completion record of a request refused before any decision (a body that cannot
    /// be read, an unknown model, a member of the wrong type, a caller without a valid key): who
    /// asked, through which API, for which model (a known one), and the answer's status and code,
    /// nothing of its content. An auditor looks for exactly these. At most `RefusalRecords.perSecond`
    /// a second are written (a flood of refused requests cannot fill the disk); the others are
    /// counted in the warning the next one written logs. Returns the error marked as recorded.
    package func recordRefusal(
        _ error: RouterError, requestID: String, tenant: String?, keyID: String?, api: InboundAPI, model: String?
    ) async -> RouterError {
        var recorded = error
        recorded.recorded = true
        metrics.request(route: "refused", target: "none", status: error.status)
        guard case .log(let log) = audit else { return recorded }
        // Callers without a valid key have a bucket of their own: a flood of them does not cost the
        // tenants' refusals their records.
        let (allowed, suppressed) = (tenant == nil ? unauthenticatedRefusalRecords : refusalRecords).admit()
        guard allowed else { return recorded }
        if suppressed > 0 { logger.warning("refused requests not recorded (over the rate)", metadata: ["count": "\(suppressed)"]) }
        var record = AuditRecord(
            kind: .completion, id: requestID, tenant: tenant, keyID: keyID, policy: AuditPolicyRef(name: policy.name, hash: policy.contentHash),
            // The model only when the policy knows it: an unknown name is the client's text, which the
            // log never holds.
            requestedModel: model.flatMap { policy.resolveRequestedModel($0) != nil ? $0 : nil }, costUSD: 0,
            status: AuditStatus(state: "error", code: error.status, error: error.code))
        record.api = api.rawValue
        record.timestamp = AuditFiles.timestamp(Date())
        do {
            try await log.append(record)
        } catch {
            logger.error("audit refusal write failed", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
        }
        return recorded
    }

    @discardableResult
    func writeCompletion(_ trail: AuditTrail) async -> Bool {
        guard case .log(let log) = audit else { return false }
        var record = trail.completionRecord()
        record.timestamp = AuditFiles.timestamp(Date())
        var written = true
        do {
            try await log.append(record)
        } catch {
            // The decision record (before egress) was durable; the completion failing is logged, and
            // the log refuses further remote routes by itself (fail closed).
            logger.error("audit completion write failed", metadata: ["request_id": "\(trail.requestID)", "error": "\(error)"])
            written = false
        }
        await budget.record(record)  // settles the request's reservation whether or not the record was written
        return written
    }

}

extension Router.Plan {
    var overrideReason: String? {
        decision.overrodeRequestedModel ? (decision.overrideReason ?? "policy rule '\(decision.rule)'") : nil
    }
}

/// A token bucket for the records of refused requests: `perSecond` a second, bursts of `burst`.
final class RefusalRecords: Sendable {
    static let perSecond = 50.0
    static let burst = 100.0
    private let state = Mutex((tokens: RefusalRecords.burst, last: ContinuousClock.now, suppressed: 0))

    /// Whether one more may be written now, and how many were not since the last one that was.
    func admit() -> (allowed: Bool, suppressed: Int) {
        state.withLock { s in
            let now = ContinuousClock.now
            s.tokens = min(Self.burst, s.tokens + (now - s.last).seconds * Self.perSecond)
            s.last = now
            guard s.tokens >= 1 else {
                s.suppressed += 1
                return (false, 0)
            }
            s.tokens -= 1
            defer { s.suppressed = 0 }
            return (true, s.suppressed)
        }
    }
}
