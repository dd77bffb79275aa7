/// Detection figures for one set of flags against labelled rows.
package struct InjectionMetrics: Sendable, Hashable, Codable {
    package var rows = 0
    package var injections = 0
    package var truePositives = 0
    package var falsePositives = 0
    package var precision = 0.0
    package var recall = 0.0
    package var f1 = 0.0
    /// Ordinary benign rows (`kind` benign) and the share of them flagged.
    package var benign = 0
    package var benignFalsePositiveRate = 0.0
    /// Hard negatives (`benign_security`, `benign_roleplay`) and the share of them flagged.
    package var hardNegatives = 0
    package var hardNegativeFalsePositiveRate = 0.0
    /// Per injection kind: rows and the share flagged.
    package var kindRows: [String: Int] = [:]
    package var recallByKind: [String: Double] = [:]

    package init() {}

    enum CodingKeys: String, CodingKey {
        case rows, injections, precision, recall, f1, benign
        case truePositives = "true_positives"
        case falsePositives = "false_positives"
        case benignFalsePositiveRate = "benign_fpr"
        case hardNegatives = "hard_negatives"
        case hardNegativeFalsePositiveRate = "hard_negative_fpr"
        case kindRows = "kind_rows"
        case recallByKind = "recall_by_kind"
    }
}

/// One detector's figures per language and overall.
package struct InjectionDetectorReport: Sendable, Hashable, Codable {
    package var detector: String
    /// "all", "en", "zh".
    package var byLanguage: [String: InjectionMetrics]

    enum CodingKeys: String, CodingKey {
        case detector
        case byLanguage = "by_language"
    }
}

/// Per held-out source of a leave-one-source-out run.
package struct InjectionSourceResult: Sendable, Hashable, Codable {
    package var source: String
    package var language: String
    package var rows: Int
    package var injections: Int
    /// Share of the source's injections flagged (nil when it has none).
    package var recall: Double?
    /// Share of the source's benign rows flagged (nil when it has none).
    package var falsePositiveRate: Double?

    enum CodingKeys: String, CodingKey {
        case source, language, rows, injections, recall
        case falsePositiveRate = "fpr"
    }
}

/// Metrics, baselines and cross-source runs for the injection screen.
package enum InjectionEvaluation {
    /// Figures for `flagged` (one per example).
    package static func metrics(_ examples: [InjectionExample], flagged: [Bool]) -> InjectionMetrics {
        precondition(examples.count == flagged.count)
        var m = InjectionMetrics()
        var benignFlagged = 0
        var hardFlagged = 0
        var kindFlagged: [String: Int] = [:]
        for (e, f) in zip(examples, flagged) {
            m.rows += 1
            if e.isInjection {
                m.injections += 1
                m.kindRows[e.kind, default: 0] += 1
                if f {
                    m.truePositives += 1
                    kindFlagged[e.kind, default: 0] += 1
                }
            } else {
                if f { m.falsePositives += 1 }
                if e.isHardNegative {
                    m.hardNegatives += 1
                    if f { hardFlagged += 1 }
                } else {
                    m.benign += 1
                    if f { benignFlagged += 1 }
                }
            }
        }
        let predicted = m.truePositives + m.falsePositives
        m.precision = predicted > 0 ? Double(m.truePositives) / Double(predicted) : 0
        m.recall = m.injections > 0 ? Double(m.truePositives) / Double(m.injections) : 0
        m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0
        m.benignFalsePositiveRate = m.benign > 0 ? Double(benignFlagged) / Double(m.benign) : 0
        m.hardNegativeFalsePositiveRate = m.hardNegatives > 0 ? Double(hardFlagged) / Double(m.hardNegatives) : 0
        for (kind, rows) in m.kindRows { m.recallByKind[kind] = Double(kindFlagged[kind, default: 0]) / Double(rows) }
        return m
    }

    /// Figures overall and per language.
    package static func report(_ detector: String, _ examples: [InjectionExample], flagged: [Bool]) -> InjectionDetectorReport {
        var byLanguage = ["all": metrics(examples, flagged: flagged)]
        for language in ["en", "zh"] {
            let picked = examples.indices.filter { examples[$0].language == language }
            guard !picked.isEmpty else { continue }
            byLanguage[language] = metrics(picked.map { examples[$0] }, flagged: picked.map { flagged[$0] })
        }
        return InjectionDetectorReport(detector: detector, byLanguage: byLanguage)
    }

    /// The keyword baseline: the phrases a filter written in an afternoon would hold.
    package static let keywords: [String] = [
        "ignore previous instructions", "ignore all previous instructions", "ignore the above", "ignore all prior",
        "disregard previous", "disregard all previous", "disregard the above", "forget your instructions",
        "forget all previous", "system prompt", "jailbreak", "developer mode", "do anything now", "dan mode",
        "you are now", "no restrictions", "忽略之前", "忽略以上", "忽略上述", "忽略前面", "忽略上面", "无视之前", "忘记之前",
        "系统提示", "提示词", "越狱", "开发者模式", "不受限制", "没有任何限制", "你的prompt",
    ]

    /// True when `text` holds one of `keywords` (case-insensitive).
    package static func keywordFlag(_ text: String) -> Bool {
        let lower = text.lowercased()
        return keywords.contains { lower.contains($0) }
    }

    /// The length (in Unicode scalars) at and above which flagging gives the best F1 on
    /// `examples`: the length baseline, chosen on the very rows it is scored on (so it is an upper
    /// bound for any length cut-off).
    package static func bestLengthCutoff(_ examples: [InjectionExample]) -> Int {
        let lengths = examples.map { $0.text.unicodeScalars.count }
        let candidates = Array(Set(lengths)).sorted()
        var best = (f1: -1.0, cutoff: 0)
        for cutoff in candidates {
            let m = metrics(examples, flagged: lengths.map { $0 >= cutoff })
            if m.f1 > best.f1 { best = (m.f1, cutoff) }
        }
        return best.cutoff
    }

    /// Leave-one-source-out: for each source in `examples` (except the synthetic rows, which
    /// always train), a model trained on every other source plus `extra` scores that source's
    /// rows. Returns one score per example (nil for synthetic rows) and the per-source figures.
    package static func leaveOneSourceOut(
        _ examples: [InjectionExample], extra: [InjectionExample] = [], trainer: InjectionTrainer
    ) throws(InjectionModelError) -> (scores: [Double?], sources: [InjectionSourceResult]) {
        let all = examples + extra
        let bags = InjectionTrainer.bags(all)
        var scores = [Double?](repeating: nil, count: examples.count)
        var results: [InjectionSourceResult] = []
        // Sources in first-seen order, split by language (the hand-written rows come in both).
        var keys: [String] = []
        var seen = Set<String>()
        for e in examples where e.source != InjectionTrainer.syntheticSource {
            if seen.insert(e.source).inserted { keys.append(e.source) }
        }
        for source in keys {
            let train = all.indices.filter { all[$0].source != source }
            let model = try trainer.train(train.map { all[$0] }, bags: train.map { bags[$0] })
            let test = examples.indices.filter { examples[$0].source == source }
            for i in test {
                var best = model.bias
                for w in bags[i] { best = max(best, model.bias + w.sum(model.weights)) }
                scores[i] = sigmoid(best)
            }
            for language in ["en", "zh"] {
                let rows = test.filter { examples[$0].language == language }
                guard !rows.isEmpty else { continue }
                let positives = rows.filter { examples[$0].isInjection }
                let negatives = rows.filter { !examples[$0].isInjection }
                let flagged = { (i: Int) in scores[i]! >= model.threshold }
                results.append(
                    InjectionSourceResult(
                        source: source,
                        language: language,
                        rows: rows.count,
                        injections: positives.count,
                        recall: positives.isEmpty ? nil : Double(positives.filter(flagged).count) / Double(positives.count),
                        falsePositiveRate: negatives.isEmpty ? nil : Double(negatives.filter(flagged).count) / Double(negatives.count)
                    ))
            }
        }
        return (scores, results)
    }
}
