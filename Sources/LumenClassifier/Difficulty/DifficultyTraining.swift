/// One labelled prompt from a routing file (RouteLLM layout: `source`, `prompt`, `weak_score`, `strong_score`).
package struct RoutingExample: Sendable, Hashable, Codable {
    package var source: String
    package var prompt: String
    package var weakScore: Double
    package var strongScore: Double
    /// Training weight within its file (optional in the file, default 1).
    package var weight: Double?

    enum CodingKeys: String, CodingKey {
        case source, prompt, weight
        case weakScore = "weak_score"
        case strongScore = "strong_score"
    }

    package init(source: String, prompt: String, weakScore: Double, strongScore: Double, weight: Double? = nil) {
        self.source = source
        self.prompt = prompt
        self.weakScore = weakScore
        self.strongScore = strongScore
        self.weight = weight
    }

    /// The strong model beats the weak one.
    package var strongWins: Bool { strongScore > weakScore }

    /// The training target in [0, 1]: the strong model's win rate against the weak one, ties counting
    /// half (1 when strong wins, 0.5 on a tie, 0 when weak wins; (1 + strong − weak) / 2 for graded scores).
    /// Counting ties and losses this way ranks prompts by the expected quality gain of routing them strong.
    package var target: Double { (1 + min(max(strongScore - weakScore, -1), 1)) / 2 }
}

/// The fixed held-out split: whole groups (`source` values such as "mmlu/anatomy" or
/// "alpaca-eval/koala") chosen by a hash, never trained on by `lumen train difficulty`.
package enum DifficultySplit {
    /// True when FNV-1a-64(source) % 4 == 3: 18 of MMLU's 57 subjects (26% of mmlu-dev) and one of
    /// AlpacaEval's five sets (helpful_base, 76 of 468). Handwritten and other single-group
    /// sources that hash to 3 are held out the same way.
    package static func isHeldOut(source: String) -> Bool {
        fnv1a(source) % 4 == 3
    }

    /// The fold (0..<k) of a row in `lumen eval routing --folds k`: a hash of its prompt, so a prompt
    /// that occurs twice is never trained on in one copy and tested in the other, and the folds do not
    /// depend on the order of the file.
    package static func fold(prompt: String, of k: Int) -> Int {
        Int(mixed(prompt) % UInt64(k))
    }

    /// A 32-bit key of a prompt's exact text (a model lists the keys of its training prompts: among
    /// ten thousand, a new prompt collides with one in about 2·10⁻⁶ of cases).
    package static func promptKey(_ prompt: String) -> UInt32 {
        UInt32(truncatingIfNeeded: mixed(prompt) >> 32)
    }

    /// FNV-1a followed by MurmurHash3's 64-bit finalizer: FNV-1a alone barely mixes its last bytes
    /// (its low bits depend only on the bytes' low bits; bits 32–39 hardly change with the last byte),
    /// so "a0", "a2", … would all share a fold.
    private static func mixed(_ text: String) -> UInt64 {
        var z = fnv1a(text)
        z = (z ^ (z >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return z ^ (z >> 33)
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// A named set of labelled prompts with its share of the training weight.
package struct TrainingSource: Sendable, Hashable {
    /// A name for messages (usually the file path).
    package var name: String
    package var examples: [RoutingExample]
    /// Relative share of the total training weight (default 1: every source weighs the same,
    /// however many rows it has).
    package var share: Double

    package init(name: String, examples: [RoutingExample], share: Double = 1) {
        self.name = name
        self.examples = examples
        self.share = share
    }
}

/// K-fold by row over several routing sources (`lumen eval routing --folds`).
package enum RoutingFolds {
    /// The fold of every row of every source (`DifficultySplit.fold`).
    package static func assign(_ sources: [TrainingSource], folds k: Int) -> [[Int]] {
        sources.map { $0.examples.map { DifficultySplit.fold(prompt: $0.prompt, of: k) } }
    }

    /// Model k is trained on the rows of every source outside fold k (`folds`, from `assign`), each
    /// source keeping its share; it is the one that scores fold k.
    package static func models(
        _ sources: [TrainingSource], folds: [[Int]], count k: Int, trainer: DifficultyTrainer = DifficultyTrainer()
    ) throws(DifficultyModelError) -> [DifficultyModel] {
        guard k >= 2 else { throw DifficultyModelError(message: "k-fold needs k ≥ 2, got \(k)") }
        var models: [DifficultyModel] = []
        for fold in 0..<k {
            let training = zip(sources, folds).map { source, of in
                TrainingSource(name: source.name, examples: zip(source.examples, of).filter { $1 != fold }.map(\.0), share: source.share)
            }
            models.append(try trainer.train(training))
        }
        return models
    }
}

/// Trains `DifficultyModel`: a maximum a-posteriori logistic regression (Gaussian priors from
/// `DifficultyPriors`) fitted by Newton's method with a backtracking line search, then Platt-scaled.
///
/// Sources are weighted so that none dominates: source s with share `a_s` gets `a_s / Σa` of the
/// total weight N (the number of rows), spread over its rows in proportion to their `weight`.
/// Deterministic: the same sources in the same order give the same model, bit for bit.
package struct DifficultyTrainer: Sendable {
    package var priors: DifficultyPriors
    /// Newton iterations at most (converges in about 10 on the shipped data).
    package var iterations: Int

    package init(priors: DifficultyPriors = .standard, iterations: Int = 60) {
        self.priors = priors
        self.iterations = iterations
    }

    /// Fits a model on one source.
    package func train(_ examples: [RoutingExample]) throws(DifficultyModelError) -> DifficultyModel {
        try train([TrainingSource(name: "training data", examples: examples)])
    }

    /// The per-row training weights: each source gets its share of the total.
    package static func rowWeights(_ sources: [TrainingSource]) throws(DifficultyModelError) -> [Double] {
        let total = Double(sources.reduce(0) { $0 + $1.examples.count })
        let shares = sources.filter { !$0.examples.isEmpty }.reduce(0.0) { $0 + $1.share }
        guard total > 0 else { throw DifficultyModelError(message: "no training examples") }
        guard shares > 0, shares.isFinite else { throw DifficultyModelError(message: "source shares must be positive") }
        var weights: [Double] = []
        weights.reserveCapacity(Int(total))
        for source in sources {
            guard source.share >= 0, source.share.isFinite else {
                throw DifficultyModelError(message: "bad share \(source.share) for \(source.name)")
            }
            var sum = 0.0
            for example in source.examples {
                let w = example.weight ?? 1
                guard w >= 0, w.isFinite else { throw DifficultyModelError(message: "bad weight \(w) for a prompt from \(source.name)") }
                guard example.target.isFinite else { throw DifficultyModelError(message: "non-finite scores for a prompt from \(source.name)") }
                sum += w
            }
            guard !source.examples.isEmpty else { continue }
            guard sum > 0 else { throw DifficultyModelError(message: "all weights are zero in \(source.name)") }
            let scale = source.share / shares * total / sum
            for example in source.examples { weights.append((example.weight ?? 1) * scale) }
        }
        return weights
    }

    /// Fits a model on `sources` (target: `RoutingExample.target`).
    package func train(_ sources: [TrainingSource]) throws(DifficultyModelError) -> DifficultyModel {
        let weights = try Self.rowWeights(sources)
        let examples = sources.flatMap(\.examples)
        let rows = examples.map { DifficultyFeatures.extract($0.prompt) }
        let labels = examples.map(\.target)
        let d = DifficultyFeatures.count
        guard priors.priors.count == d else {
            throw DifficultyModelError(message: "\(priors.priors.count) priors for \(d) features")
        }
        let total = weights.reduce(0, +)

        // Standardise (for the numerics; priors are converted, the result is converted back).
        var means = [Double](repeating: 0, count: d)
        for (row, w) in zip(rows, weights) {
            for j in 0..<d { means[j] += w * row[j] }
        }
        for j in 0..<d { means[j] /= total }
        var scales = [Double](repeating: 0, count: d)
        for (row, w) in zip(rows, weights) {
            for j in 0..<d { scales[j] += w * (row[j] - means[j]) * (row[j] - means[j]) }
        }
        for j in 0..<d {
            let sd = (scales[j] / total).squareRoot()
            scales[j] = sd > 1e-9 ? sd : 1
        }
        // Free parameters: the weights whose prior is not fixed, then the intercept.
        let free = (0..<d).filter { priors.priors[$0].precision.isFinite }
        let k = free.count
        var priorMean = [Double](repeating: 0, count: k + 1)
        var precision = [Double](repeating: 0, count: k + 1)
        for (p, j) in free.enumerated() {
            let prior = priors.priors[j]
            priorMean[p] = prior.mean * scales[j]
            precision[p] = prior.precision * prior.spread * prior.spread / (scales[j] * scales[j])
        }
        precision[k] = 1e-6
        // Fixed weights enter as an offset.
        let offsets = rows.map { row in
            (0..<d).reduce(0.0) { sum, j in priors.priors[j].precision.isFinite ? sum : sum + priors.priors[j].mean * row[j] }
        }
        let z = rows.map { row in free.map { (row[$0] - means[$0]) / scales[$0] } }

        func objective(_ beta: [Double]) -> Double {
            var value = 0.0
            for i in 0..<z.count {
                var eta = beta[k] + offsets[i]
                for p in 0..<k { eta += beta[p] * z[i][p] }
                value += weights[i] * (softplus(eta) - labels[i] * eta)
            }
            for p in 0...k { value += 0.5 * precision[p] * (beta[p] - priorMean[p]) * (beta[p] - priorMean[p]) }
            return value
        }

        var beta = priorMean
        var current = objective(beta)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: k + 1)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k + 1)
            for i in 0..<z.count {
                var eta = beta[k] + offsets[i]
                for p in 0..<k { eta += beta[p] * z[i][p] }
                let prob = sigmoid(eta)
                let r = weights[i] * (prob - labels[i])
                let h = weights[i] * max(prob * (1 - prob), 1e-12)
                let row = z[i]
                for p in 0..<k {
                    gradient[p] += r * row[p]
                    let hz = h * row[p]
                    for q in 0...p { hessian[p][q] += hz * row[q] }
                    hessian[k][p] += hz
                }
                gradient[k] += r
                hessian[k][k] += h
            }
            for p in 0...k {
                gradient[p] += precision[p] * (beta[p] - priorMean[p])
                hessian[p][p] += precision[p]
            }
            for p in 0...k {
                for q in 0..<p { hessian[q][p] = hessian[p][q] }
            }
            for p in 0..<k { hessian[p][k] = hessian[k][p] }
            let step = try solve(hessian, gradient)
            let (next, value) = Self.backtrack(from: beta, step: step, current: current, objective: objective)
            let change = current - value
            beta = next
            current = value
            if change <= 1e-11 * max(1, abs(current)) { break }
        }

        // Back to raw features.
        var raw = priors.priors.map(\.mean)
        var bias = beta[k]
        for (p, j) in free.enumerated() {
            raw[j] = beta[p] / scales[j]
            bias -= raw[j] * means[j]
        }
        // The ranking comes from the expected gain (`target`: ties count half), which is what
        // routing quality rewards; the score itself should read as the probability that the strong
        // model beats the local one. A logistic fit of the strict label `strongWins` on the gain
        // model's logit (Platt scaling), with its own intercept for answer-option questions (whose
        // win rate differs most from the gain's), gives that; with a positive slope it keeps the
        // ranking within each kind of prompt. It folds into the linear model: weights × a, the
        // `mcq` weight + c, bias × a + b.
        let logits = rows.map { row in zip(raw, row).reduce(bias) { $0 + $1.0 * $1.1 } }
        let strict = examples.map { $0.strongWins ? 1.0 : 0.0 }
        let mcqIndex = DifficultyFeatures.names.firstIndex(of: "mcq")!
        let options = rows.map { $0[mcqIndex] }
        let (a, c, b) = try plattScaling(logits: logits, options: options, labels: strict, weights: weights)
        var scaled = raw.map { a * $0 }
        scaled[mcqIndex] += c
        let trained = sources.filter { $0.share > 0 }.flatMap(\.examples)
        return DifficultyModel(
            features: DifficultyFeatures.names, weights: scaled, bias: a * bias + b, trainedGroups: Set(trained.map(\.source)).sorted(),
            trainedPrompts: DifficultyModel.promptKeyList(trained.map(\.prompt)))
    }

    /// Fits `p = sigmoid(a * logit + c * option + b)` to `labels` by Newton's method with a
    /// backtracking line search (deterministic; ridges keep it defined when a column is constant),
    /// `a` kept in [10⁻⁶, 10³].
    ///
    /// The logits are centred on their weighted mean and every step must lower the objective: with
    /// full steps from an uncentred start, a fit on one source the priors do not describe (AlpacaEval
    /// alone) overshot into saturation and ran away to a ≈ 10⁸, which turned every score on another
    /// source into 0 or 1: a tie that erased the ranking.
    private func plattScaling(
        logits rawLogits: [Double], options: [Double], labels: [Double], weights: [Double]
    ) throws(DifficultyModelError) -> (Double, Double, Double) {
        let totalWeight = weights.reduce(0, +)
        let mean = zip(rawLogits, weights).reduce(0.0) { $0 + $1.0 * $1.1 } / max(totalWeight, 1e-300)
        let logits = rawLogits.map { $0 - mean }
        // A ridge of ten examples' worth on the answer-option intercept: a source with only a few
        // such rows cannot move it far.
        let ridge = [1e-6, 10, 1e-6]
        let prior = [1.0, 0.0, 0.0]
        func objective(_ t: [Double]) -> Double {
            var value = 0.0
            for i in logits.indices {
                let eta = t[0] * logits[i] + t[1] * options[i] + t[2]
                value += weights[i] * (softplus(eta) - labels[i] * eta)
            }
            for u in 0..<3 { value += 0.5 * ridge[u] * (t[u] - prior[u]) * (t[u] - prior[u]) }
            return value
        }
        var theta = prior  // a, c, b
        var current = objective(theta)
        for _ in 0..<100 {
            var g = [0.0, 0.0, 0.0]
            var h = [[ridge[0], 0.0, 0.0], [0.0, ridge[1], 0.0], [0.0, 0.0, ridge[2]]]
            for i in logits.indices {
                let x = [logits[i], options[i], 1.0]
                let p = sigmoid(theta[0] * x[0] + theta[1] * x[1] + theta[2])
                let r = weights[i] * (p - labels[i])
                let w = weights[i] * max(p * (1 - p), 1e-12)
                for u in 0..<3 {
                    g[u] += r * x[u]
                    for v in 0..<3 { h[u][v] += w * x[u] * x[v] }
                }
            }
            for u in 0..<3 { g[u] += ridge[u] * (theta[u] - prior[u]) }
            let step = try solve(h, g)
            guard step.allSatisfy(\.isFinite) else { break }
            // As in the main fit: a full Newton step from a poor start can overshoot into
            // saturation, where the curvature vanishes and the next steps run away (a = 10⁸ on an
            // AlpacaEval-only fit, every score then 0 or 1).
            let (next, value) = Self.backtrack(from: theta, step: step, current: current, objective: objective)
            let change = current - value
            theta = next
            current = value
            if change <= 1e-12 * max(1, abs(current)) { break }
        }
        guard theta.allSatisfy(\.isFinite) else { return (1, 0, 0) }  // uncalibrated: the gain model as it is
        let a = min(max(theta[0], 1e-6), 1e3)
        return (a, theta[1], theta[2] - a * mean)
    }

    /// Backtracking line search for a Newton step: `x − t·step`, halving t from 1 until the objective
    /// does not increase (or t < 10⁻⁶). Returns the point and its objective value.
    private static func backtrack(
        from x: [Double], step: [Double], current: Double, objective: ([Double]) -> Double
    ) -> ([Double], Double) {
        var t = 1.0
        var next = x
        while true {
            for i in x.indices { next[i] = x[i] - t * step[i] }
            let value = objective(next)
            if value <= current || t < 1e-6 { return (next, value) }
            t /= 2
        }
    }

    /// Solves `a x = b` (see `LinearSolve`).
    private func solve(_ a: [[Double]], _ b: [Double]) throws(DifficultyModelError) -> [Double] {
        guard let x = LinearSolve.solve(a, b, tolerance: 1e-300) else { throw DifficultyModelError(message: "training matrix is singular") }
        return x
    }
}

/// log(1 + e^x), numerically safe at both ends.
func softplus(_ x: Double) -> Double {
    x > 0 ? x + logOnePlus(naturalExp(-x)) : logOnePlus(naturalExp(x))
}
