import Metrics

/// The router's metrics, emitted through swift-metrics (exported by `lumen serve` at `/metrics`).
///
/// Names: `lumen_requests_total{route,target,status}`, `lumen_decision_seconds` (classification +
/// policy), `lumen_tokens_total{target,kind}`, `lumen_cost_usd_total{target}`,
/// `lumen_egress_bytes_total{host,direction}`, `lumen_fallbacks_total{from,to}`.
struct RouterMetrics: Sendable {
    func request(route: String, target: String, status: Int) {
        Counter(label: "lumen_requests_total", dimensions: [("route", route), ("target", target), ("status", String(status))])
            .increment()
    }

    func decision(nanoseconds: Int64) {
        Metrics.Timer(label: "lumen_decision_seconds").recordNanoseconds(nanoseconds)
    }

    func tokens(target: String, prompt: Int, completion: Int) {
        if prompt > 0 {
            Counter(label: "lumen_tokens_total", dimensions: [("target", target), ("kind", "prompt")]).increment(by: prompt)
        }
        if completion > 0 {
            Counter(label: "lumen_tokens_total", dimensions: [("target", target), ("kind", "completion")]).increment(by: completion)
        }
    }

    func cost(target: String, usd: Double) {
        guard usd > 0 else { return }
        FloatingPointCounter(label: "lumen_cost_usd_total", dimensions: [("target", target)]).increment(by: usd)
    }

    func egress(host: String, sent: Int, received: Int) {
        if sent > 0 {
            Counter(label: "lumen_egress_bytes_total", dimensions: [("host", host), ("direction", "sent")]).increment(by: sent)
        }
        if received > 0 {
            Counter(label: "lumen_egress_bytes_total", dimensions: [("host", host), ("direction", "received")]).increment(by: received)
        }
    }

    func fallback(from: String, to: String) {
        Counter(label: "lumen_fallbacks_total", dimensions: [("from", from), ("to", to)]).increment()
    }
}
