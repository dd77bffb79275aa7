#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time spent on the calling thread's CPU, for tests that compare how work grows with input size.
/// Wall time is the wrong measure there: `swift test` runs suites in parallel, and on a 2-core CI
/// machine the embedded model's threads preempt a 60 ms measurement (a linear 100 KB input read
/// 80× its 10 KB time in CI while taking 10× on an idle machine). The work measured must be
/// synchronous, so it stays on one thread.
package enum CPUTime {
    /// The least thread CPU time, in seconds, of `runs` runs of `work`.
    package static func best(of runs: Int = 3, _ work: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = now()
            try work()
            best = min(best, now() - start)
        }
        return best
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
