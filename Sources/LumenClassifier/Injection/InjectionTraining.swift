/// One labelled text of an injection file: `{id, text, label, kind, source}` (see the data README).
package struct InjectionExample: Sendable, Hashable, Codable {
    package var id: String
    package var text: String
    /// 1 injection, 0 benign.
    package var label: Int
    /// `override`, `goal_hijack`, `prompt_leak`, `role_forge`, `indirect` for injections;
    /// `benign`, `benign_security`, `benign_roleplay` for benign rows.
    package var kind: String
    /// Where the row comes from (a repository, `handwritten`, or `lumen/synthetic`).
    package var source: String

    package init(id: String, text: String, label: Int, kind: String, source: String) {
        self.id = id
        self.text = text
        self.label = label
        self.kind = kind
        self.source = source
    }

    package var isInjection: Bool { label == 1 }

    /// A benign row written to look like an injection (prompts about security, role-play).
    package var isHardNegative: Bool { kind == "benign_security" || kind == "benign_roleplay" }

    /// "zh" when Han characters make up at least a fifth of the letters, else "en".
    package var language: String { InjectionExample.language(of: text) }

    package static func language(of text: String) -> String {
        var han = 0
        var latin = 0
        for s in text.unicodeScalars {
            if InjectionTokenizer.isHan(s.value) { han += 1 } else if s.properties.isAlphabetic { latin += 1 }
        }
        return han * 5 >= han + latin && han > 0 ? "zh" : "en"
    }
}

/// The fixed held-out split of the dev files: whole groups (a BIPIA context with all its
/// attacked variants, a jailbreak template, a near-duplicate family) chosen by a hash.
package enum InjectionSplit {
    /// The group a row belongs to: BIPIA rows by their context id, JailBench rows by template
    /// (the first 24 characters), in-the-wild jailbreaks by their first eight words, others alone.
    package static func group(of example: InjectionExample) -> String {
        if example.id.hasPrefix("bipia/") {
            return example.id.split(separator: "/").prefix(3).joined(separator: "/")
        }
        if example.source == "STAIR-BUPT/JailBench" {
            return "jailbench:" + String(example.text.unicodeScalars.prefix(24).map(Character.init))
        }
        if example.source == "NVIDIA/garak" {
            let words = example.text.lowercased().split(whereSeparator: { !$0.isLetter }).prefix(8)
            return "garak:" + words.joined(separator: " ")
        }
        return example.id
    }

    /// True for about 30% of the groups: FNV-1a-64(group) % 10 < 3. Hand-written synthetic rows
    /// (`lumen/synthetic`) are never held out.
    package static func isHeldOut(_ example: InjectionExample) -> Bool {
        guard example.source != InjectionTrainer.syntheticSource else { return false }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in group(of: example).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash % 10 < 3
    }
}

/// Trains `InjectionModel`: multiple-instance logistic regression. A text is a bag of windows and
/// scores as its best window; the first round fits on each text's union of window features, the
/// next rounds on each text's best window under the previous fit (the window that decides its
/// score). Each round is an L2-regularised logistic regression fitted by Newton's method.
/// Deterministic: the same examples in the same order give the same model, bit for bit.
package struct InjectionTrainer: Sendable {
    /// The `source` of the hand-written synthetic rows (`data/injection-synthetic.jsonl`).
    package static let syntheticSource = "lumen/synthetic"

    /// L2 penalty on the weights (not on the bias), in units of examples.
    package var l2: Double
    /// Rounds of best-window re-selection after the first fit.
    package var rounds: Int
    /// The flag threshold stored in the model.
    package var threshold: Double

    package init(l2: Double = 2, rounds: Int = 4, threshold: Double = 0.4) {
        self.l2 = l2
        self.rounds = rounds
        self.threshold = threshold
    }

    /// Per text, the feature sets of its windows (one empty set for a text with no cue).
    static func bags(_ examples: [InjectionExample]) -> [[InjectionFeatureSet]] {
        let lexicon = InjectionFeatures.standard
        return examples.map { example in
            let windows = lexicon.scan(example.text).windows.map(\.features)
            return windows.isEmpty ? [InjectionFeatureSet()] : windows
        }
    }

    /// Fits a model on `examples`. Each language's injections and benign rows weigh the same in
    /// total, so neither a language nor a class dominates.
    package func train(_ examples: [InjectionExample]) throws(InjectionModelError) -> InjectionModel {
        try train(examples, bags: Self.bags(examples))
    }

    func train(_ examples: [InjectionExample], bags: [[InjectionFeatureSet]]) throws(InjectionModelError) -> InjectionModel {
        guard !examples.isEmpty else { throw InjectionModelError(message: "no training examples") }
        guard examples.contains(where: \.isInjection), examples.contains(where: { !$0.isInjection }) else {
            throw InjectionModelError(message: "training needs both injections and benign rows")
        }
        let d = InjectionFeatures.standard.count
        let labels = examples.map { $0.isInjection ? 1.0 : 0.0 }
        var groupCounts: [String: Int] = [:]
        for e in examples { groupCounts["\(e.language)/\(e.label)", default: 0] += 1 }
        let groups = Double(groupCounts.count)
        let weights = examples.map { e -> Double in
            Double(examples.count) / (groups * Double(groupCounts["\(e.language)/\(e.label)"]!))
        }

        // Round 0: the union of a text's windows.
        var instances = bags.map { bag -> InjectionFeatureSet in
            var union = InjectionFeatureSet()
            for w in bag {
                union.low |= w.low
                union.high |= w.high
            }
            return union
        }
        var beta = [Double](repeating: 0, count: d + 1)
        beta = try fit(instances, labels: labels, weights: weights, start: beta)
        for _ in 0..<rounds {
            let w = Array(beta[0..<d])
            instances = bags.map { bag in
                var best = bag[0]
                var bestScore = best.sum(w)
                for window in bag.dropFirst() {
                    let s = window.sum(w)
                    if s > bestScore {
                        best = window
                        bestScore = s
                    }
                }
                return best
            }
            beta = try fit(instances, labels: labels, weights: weights, start: beta)
        }
        return InjectionModel(
            features: InjectionFeatures.standard.names,
            weights: Array(beta[0..<d]),
            bias: beta[d],
            threshold: threshold
        )
    }

    /// L2-regularised weighted logistic regression on binary features with each weight's sign
    /// kept as `InjectionFeatures.signs` says: a weight that comes out with the wrong sign is fixed
    /// at zero and the rest refitted, until none does.
    private func fit(_ rows: [InjectionFeatureSet], labels: [Double], weights: [Double], start: [Double]) throws(InjectionModelError) -> [Double] {
        let signs = InjectionFeatures.standard.signs
        var fixed = [Bool](repeating: false, count: signs.count)
        var beta = start
        for j in signs.indices where Double(signs[j]) * beta[j] < 0 { beta[j] = 0 }
        for _ in 0...signs.count {
            beta = try newton(rows, labels: labels, weights: weights, start: beta, fixed: fixed)
            var changed = false
            for j in signs.indices where !fixed[j] && Double(signs[j]) * beta[j] < 0 {
                fixed[j] = true
                beta[j] = 0
                changed = true
            }
            if !changed { break }
        }
        return beta
    }

    /// Newton's method; weights marked `fixed` stay where they are.
    private func newton(
        _ rows: [InjectionFeatureSet], labels: [Double], weights: [Double], start: [Double], fixed: [Bool]
    ) throws(InjectionModelError) -> [Double] {
        let d = start.count - 1
        let active = rows.map { $0.indices.filter { !fixed[$0] } }
        var beta = start
        for _ in 0..<50 {
            var gradient = [Double](repeating: 0, count: d + 1)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d + 1)
            for i in rows.indices {
                var eta = beta[d]
                for j in active[i] { eta += beta[j] }
                let p = sigmoid(eta)
                let r = weights[i] * (p - labels[i])
                let h = weights[i] * max(p * (1 - p), 1e-12)
                for j in active[i] {
                    gradient[j] += r
                    for k in active[i] { hessian[j][k] += h }
                    hessian[j][d] += h
                    hessian[d][j] += h
                }
                gradient[d] += r
                hessian[d][d] += h
            }
            for j in 0..<d {
                gradient[j] += l2 * beta[j]
                hessian[j][j] += l2
            }
            let step = try solve(hessian, gradient)
            var largest = 0.0
            for j in 0...d {
                beta[j] -= step[j]
                largest = max(largest, abs(step[j]))
            }
            if largest < 1e-10 { break }
        }
        return beta
    }

    /// Solves `a x = b` (see `LinearSolve`).
    private func solve(_ a: [[Double]], _ b: [Double]) throws(InjectionModelError) -> [Double] {
        guard let x = LinearSolve.solve(a, b, tolerance: 1e-12) else { throw InjectionModelError(message: "training matrix is singular") }
        return x
    }
}
