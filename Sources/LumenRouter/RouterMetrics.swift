import Metrics
import NIOConcurrencyHelpers

/// The router's metrics, emitted through swift-metrics (exported by `lumen serve` at `/metrics`).
///
/// Names: `lumen_requests_total{route,target,status}`, `lumen_decision_seconds` (classification +
/// policy), `lumen_tokens_total{target,kind}`, `lumen_cost_usd_total{target}`,
/// `lumen_egress_bytes_total{host,direction}`, `lumen_fallbacks_total{from,to}`.
///
/// The handles are made once per label set and kept: making a `Counter` goes through the metrics
/// factory (a lock, a lookup by name and labels in the registry, an allocation), and a served request
/// touched seven of them.
struct RouterMetrics: Sendable {
    private let handles = Handles()

    func request(route: String, target: String, status: Int) {
        handles.requests.handle(Key(route, target, String(status))) {
            Counter(label: "lumen_requests_total", dimensions: [("route", route), ("target", target), ("status", String(status))])
        }.increment()
    }

    func decision(nanoseconds: Int64) {
        handles.decision.handle(Key("")) { Metrics.Timer(label: "lumen_decision_seconds") }.recordNanoseconds(nanoseconds)
    }

    func tokens(target: String, prompt: Int, completion: Int) {
        if prompt > 0 {
            handles.tokens.handle(Key(target, "prompt")) {
                Counter(label: "lumen_tokens_total", dimensions: [("target", target), ("kind", "prompt")])
            }.increment(by: prompt)
        }
        if completion > 0 {
            handles.tokens.handle(Key(target, "completion")) {
                Counter(label: "lumen_tokens_total", dimensions: [("target", target), ("kind", "completion")])
            }.increment(by: completion)
        }
    }

    func cost(target: String, usd: Double) {
        guard usd > 0 else { return }
        handles.cost.handle(Key(target)) {
            FloatingPointCounter(label: "lumen_cost_usd_total", dimensions: [("target", target)])
        }.increment(by: usd)
    }

    func egress(host: String, sent: Int, received: Int) {
        if sent > 0 {
            handles.egress.handle(Key(host, "sent")) {
                Counter(label: "lumen_egress_bytes_total", dimensions: [("host", host), ("direction", "sent")])
            }.increment(by: sent)
        }
        if received > 0 {
            handles.egress.handle(Key(host, "received")) {
                Counter(label: "lumen_egress_bytes_total", dimensions: [("host", host), ("direction", "received")])
            }.increment(by: received)
        }
    }

    func fallback(from: String, to: String) {
        handles.fallbacks.handle(Key(from, to)) {
            Counter(label: "lumen_fallbacks_total", dimensions: [("from", from), ("to", to)])
        }.increment()
    }

    /// The label values of one handle, in the order of its dimensions.
    struct Key: Hashable, Sendable {
        var first: String
        var second: String = ""
        var third: String = ""

        init(_ first: String, _ second: String = "", _ third: String = "") {
            self.first = first
            self.second = second
            self.third = third
        }
    }

    /// Handles of one metric by label values, made on first use.
    final class Table<Handle: Sendable>: Sendable {
        private let handles = NIOLockedValueBox<[Key: Handle]>([:])

        func handle(_ key: Key, make: () -> Handle) -> Handle {
            if let handle = handles.withLockedValue({ $0[key] }) { return handle }
            let handle = make()
            return handles.withLockedValue { table in
                if let existing = table[key] { return existing }
                table[key] = handle
                return handle
            }
        }
    }

    /// One table per metric (made on first use, so after `lumen serve` has bootstrapped the factory).
    final class Handles: Sendable {
        let requests = Table<Counter>()
        let tokens = Table<Counter>()
        let cost = Table<FloatingPointCounter>()
        let egress = Table<Counter>()
        let fallbacks = Table<Counter>()
        let decision = Table<Metrics.Timer>()
    }
}
