// Micro benchmark: the prompt-injection screen alone (InjectionModel.assess), µs per KB, on ~1 KB
// prompts of consecutive dev rows per language, on the 1 KB prompts of `lumen-bench decision`
// (English and Chinese) and on a 50 KB tool result; classify() on the same prompts for scale.
// (now, lines, measure: scripts/bench-common/Measure.swift)

/// Up to 200 prompts of at most 1 KB, each of consecutive rows (a row longer than 1 KB is cut at 1 KB).
func prompts(_ rows: [String]) -> [String] {
    var out: [String] = []
    var cur = ""
    for row in rows {
        let s = String(decoding: Array(row.utf8.prefix(1024)), as: UTF8.self) + " "
        if cur.utf8.count + s.utf8.count > 1024 { out.append(cur); cur = ""; if out.count == 200 { break } }
        cur += s
    }
    return out
}

func repeated(_ paragraph: String, bytes: Int) -> String {
    var text = ""
    while text.utf8.count < bytes { text += paragraph }
    return String(decoding: Array(text.utf8.prefix(bytes)), as: UTF8.self)
}

let en = prompts(lines(CommandLine.arguments[1]))
let zh = prompts(lines(CommandLine.arguments[2]))
let englishPrompt = repeated("Please review the following design note and explain the trade-offs between eventual and strong consistency for a multi-region key-value store, including how vector clocks and CRDTs resolve conflicting writes. Contact jane.doe@example.com or call 415-555-0132 if anything is unclear. ", bytes: 1024)
let chinesePrompt = repeated("请审阅下面的设计说明，并解释多区域键值存储中最终一致性与强一致性之间的权衡，包括向量时钟和无冲突复制数据类型如何解决写入冲突。如有不清楚的地方，请发邮件到 jane.doe@example.com 或致电 415-555-0132。", bytes: 1024)
let toolResult = repeated("The release notes list three fixes to the scheduler, a faster tokenizer and a new flag for the audit log. ", bytes: 50 * 1024)

let model = InjectionModel.builtIn
let classifier = Classifier()
print("\(en.count) English and \(zh.count) Chinese prompts of ~1 KB from the dev rows")
measure("injection en dev 1KB", en) { Int(model.assess($0).score * 1000) }
measure("injection zh dev 1KB", zh) { Int(model.assess($0).score * 1000) }
measure("injection en prompt 1KB", [englishPrompt]) { Int(model.assess($0).score * 1000) }
measure("injection zh prompt 1KB", [chinesePrompt]) { Int(model.assess($0).score * 1000) }
measure("injection tool result 50KB", [toolResult]) { Int(model.assess($0).score * 1000) }
measure("classify en dev 1KB", en) { classifier.classify($0).findings.count }
measure("classify zh dev 1KB", zh) { classifier.classify($0).findings.count }
measure("classify en prompt 1KB", [englishPrompt]) { classifier.classify($0).findings.count }
measure("classify zh prompt 1KB", [chinesePrompt]) { classifier.classify($0).findings.count }
