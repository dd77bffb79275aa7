import Foundation
import Metrics
import Synchronization

/// When a target's breaker opens, and for how long.
package struct BreakerSettings: Sendable, Hashable {
    /// Consecutive failures (errors and timeouts of the target itself) that open the breaker.
    package var failures: Int
    /// How long an open breaker sends every request past the target; then one request probes it.
    package var openFor: Duration

    package init(failures: Int = 5, openFor: Duration = .seconds(30)) {
        self.failures = failures
        self.openFor = openFor
    }
}

/// One circuit breaker per target: after `failures` consecutive failures a target is skipped at
/// once (the request falls back, recorded as a fallback "circuit open") for `openFor`; then one
/// request at a time probes it (half-open): a success closes the breaker, a failure opens it for
/// another window. A dead upstream thus costs one timeout per window, not one per request.
///
/// Shared by the routers of successive policy reloads (like the budget ledger), so a reload does
/// not forget a dead upstream.
package final class CircuitBreakers: Sendable {
    enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        /// A probe is out; others keep falling back until it reports.
        case probing
    }

    /// What the router does with a target now.
    package enum Admission: Sendable, Equatable {
        case allow
        /// The breaker is half-open and this request is its probe.
        case probe
        /// Skip it: open, with the seconds left.
        case skip(secondsLeft: Double)
    }

    package let settings: BreakerSettings
    private let states = Mutex<[String: State]>([:])
    /// The time, read only here: a test passes its own and moves it instead of sleeping.
    private let now: @Sendable () -> ContinuousClock.Instant

    package init(settings: BreakerSettings = BreakerSettings(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.settings = settings
        self.now = now
    }

    package func admit(_ target: String) -> Admission {
        let now = now()
        return states.withLock { states in
            switch states[target] ?? .closed(failures: 0) {
            case .closed: return .allow
            case .probing: return .skip(secondsLeft: 0)
            case .open(let until):
                guard now >= until else {
                    let left = until - now
                    return .skip(secondsLeft: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
                }
                states[target] = .probing
                Self.gauge(target, 0.5)
                return .probe
            }
        }
    }

    package func succeeded(_ target: String) {
        let changed = states.withLock { states -> Bool in
            let was = states[target]
            states[target] = .closed(failures: 0)
            return was != nil && was != .closed(failures: 0)
        }
        if changed {
            Self.gauge(target, 0)
            Counter(label: "lumen_circuit_transitions_total", dimensions: [("target", target), ("to", "closed")]).increment()
        }
    }

    /// Records a failure; returns whether the breaker opened with it.
    @discardableResult
    package func failed(_ target: String) -> Bool {
        let until = now() + settings.openFor
        let opened = states.withLock { states -> Bool in
            switch states[target] ?? .closed(failures: 0) {
            case .closed(let failures):
                if failures + 1 >= settings.failures {
                    states[target] = .open(until: until)
                    return true
                }
                states[target] = .closed(failures: failures + 1)
                return false
            case .probing, .open:
                states[target] = .open(until: until)
                return true
            }
        }
        if opened {
            Self.gauge(target, 1)
            Counter(label: "lumen_circuit_transitions_total", dimensions: [("target", target), ("to", "open")]).increment()
        }
        return opened
    }

    /// A probe that ended without a verdict on the target (the request was refused before it
    /// reached it): the next request probes instead.
    package func released(_ target: String) {
        states.withLock { states in
            if states[target] == .probing { states[target] = .open(until: now()) }
        }
    }

    /// `lumen_circuit_open{target}`: 0 closed, 0.5 probing, 1 open.
    static func gauge(_ target: String, _ value: Double) {
        Gauge(label: "lumen_circuit_open", dimensions: [("target", target)]).record(value)
    }
}
