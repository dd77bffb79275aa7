// Micro benchmark: classify() and the Chinese name scan alone on ~1 KB prompts of Chinese text
// (consecutive CLUENER sentences) and on the 1 KB English prompt of `lumen bench decision`.
// (now, lines, measure: scripts/bench-common/Measure.swift)
let sentences = lines(CommandLine.arguments[1])
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
measure("classify zh 1KB", prompts) { classifier.classify($0).findings.count }
measure("scanChinese zh 1KB", prompts) { var out: [Finding] = []; Names.scanChinese(ScalarText($0), into: &out); return out.count }
measure("classify en 1KB", [english]) { classifier.classify($0).findings.count }
