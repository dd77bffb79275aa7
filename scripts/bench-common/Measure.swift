// Shared by the release-build micro benchmarks under scripts/ (bench-zh, bench-injection): a
// monotonic clock, reading a file's lines, and the timing loop with its one-line report.
import Glibc

func now() -> UInt64 { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec) }

/// The lines of a file, without their line ends.
func lines(_ path: String) -> [String] {
    var out: [String] = []
    guard let f = fopen(path, "r") else { fatalError("cannot open \(path)") }
    var line: UnsafeMutablePointer<CChar>? = nil; var cap = 0
    while getline(&line, &cap, f) > 0 { var s = String(cString: line!); if s.last == "\n" { s.removeLast() }; out.append(s) }
    free(line)
    fclose(f)
    return out
}

func fmt(_ x: Double) -> String { let v = (x * 100).rounded() / 100; return "\(v)" }

/// Times `body` on every input (at least 5 passes, about 3000 calls in all) after one warm-up
/// pass: µs per KB (mean), per-call p50 and p99, and the median of the per-input minima.
func measure(_ label: String, _ inputs: [String], _ body: (String) -> Int) {
    var sink = 0
    for p in inputs { sink &+= body(p) }
    var all: [Double] = []
    var mins = [Double](repeating: 1e18, count: inputs.count)
    var bytes = 0, total = 0.0
    for _ in 0..<max(5, 3000 / inputs.count) {
        for (k, p) in inputs.enumerated() {
            let s = now(); sink &+= body(p); let d = Double(now() - s) / 1000
            all.append(d); mins[k] = min(mins[k], d); bytes += p.utf8.count; total += d
        }
    }
    all.sort(); mins.sort()
    let kb = Double(bytes) / Double(all.count) / 1024
    print(label + String(repeating: " ", count: max(0, 26 - label.count)), "µs/KB mean", fmt(total / Double(bytes) * 1024),
          " per call (\(fmt(kb)) KB) p50", fmt(all[all.count / 2]), " p99", fmt(all[all.count * 99 / 100]),
          " median of per-input minima", fmt(mins[mins.count / 2]), " max of minima", fmt(mins[mins.count - 1]), " (sink \(sink % 7))")
}
