// Micro benchmark: classify() and the Chinese name scan alone on ~1 KB prompts of Chinese text
// (consecutive CLUENER sentences) and on the 1 KB English prompt of `lumen bench decision`.
import Glibc

func now() -> UInt64 { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec) }

var sentences: [String] = []
if let f = fopen(CommandLine.arguments[1], "r") {
    var line: UnsafeMutablePointer<CChar>? = nil; var cap = 0
    while getline(&line, &cap, f) > 0 { var s = String(cString: line!); s.removeLast(); sentences.append(s) }
}
var prompts: [String] = []
var cur = ""
for s in sentences {
    if cur.utf8.count + s.utf8.count > 1024 { prompts.append(cur); cur = ""; if prompts.count == 200 { break } }
    cur += s
}
let paragraph = "Please review the following design note and explain the trade-offs between eventual and strong consistency for a multi-region key-value store, including how vector clocks and CRDTs resolve conflicting writes. Contact jane.doe@example.com or call 415-555-0132 if anything is unclear. "
var english = ""
while english.utf8.count < 1024 { english += paragraph }
english = String(decoding: Array(english.utf8.prefix(1024)), as: UTF8.self)

let classifier = Classifier()
func fmt(_ x: Double) -> String { let v = (x * 10).rounded() / 10; return "\(v)" }
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
    print(label + String(repeating: " ", count: max(0, 22 - label.count)), "µs/KB mean", fmt(total / Double(bytes) * 1024), " p50", fmt(all[all.count / 2]), " p99", fmt(all[all.count * 99 / 100]),
          " median of per-prompt minima", fmt(mins[mins.count / 2]), " max of minima", fmt(mins[mins.count - 1]), " (sink \(sink % 7))")
}
measure("classify zh 1KB", prompts) { classifier.classify($0).findings.count }
measure("scanChinese zh 1KB", prompts) { var out: [Finding] = []; Names.scanChinese(ScalarText($0), into: &out); return out.count }
measure("classify en 1KB", [english]) { classifier.classify($0).findings.count }
