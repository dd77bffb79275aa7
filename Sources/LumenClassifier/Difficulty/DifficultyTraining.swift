/// One labelled prompt from a routing file (RouteLLM layout: `source`, `prompt`, `weak_score`, `strong_score`).
public struct RoutingExample: Sendable, Hashable, Codable {
    public var source: String
    public var prompt: String
    public var weakScore: Double
    public var strongScore: Double
    /// Training weight (optional in the file, default 1).
    public var weight: Double?

    enum CodingKeys: String, CodingKey {
        case source, prompt, weight
        case weakScore = "weak_score"
        case strongScore = "strong_score"
    }

    public init(source: String, prompt: String, weakScore: Double, strongScore: Double, weight: Double? = nil) {
        self.source = source
        self.prompt = prompt
        self.weakScore = weakScore
        self.strongScore = strongScore
        self.weight = weight
    }

    /// The strong model beats the weak one.
    public var strongWins: Bool { strongScore > weakScore }

    /// The training target in [0, 1]: the strong model's win rate against the weak one, ties counting
    /// half (1 when strong wins, 0.5 on a tie, 0 when weak wins; (1 + strong − weak) / 2 for graded scores).
    /// Counting ties and losses this way ranks prompts by the expected quality gain of routing them strong.
    public var target: Double { (1 + min(max(strongScore - weakScore, -1), 1)) / 2 }
}

/// The fixed held-out split: whole MMLU subjects chosen by a hash of `source`, never trained on.
public enum DifficultySplit {
    /// True when the example's subject is held out: `source` starts with "mmlu/" and
    /// FNV-1a-64(source) % 4 == 3 (18 of 57 subjects, 26% of mmlu-dev). Other sources always train.
    public static func isHeldOut(source: String) -> Bool {
        guard source.hasPrefix("mmlu/") else { return false }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in source.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash % 4 == 3
    }
}

/// Trains `DifficultyModel`: L2-regularised logistic regression fitted by Newton's method.
/// Deterministic: the same examples in the same order give the same model, bit for bit.
public struct DifficultyTrainer: Sendable {
    /// L2 penalty on the standardised weights (not on the bias), in units of examples.
    public var l2: Double
    /// Newton iterations (converges in under 10 on the shipped data).
    public var iterations: Int

    public init(l2: Double = 100, iterations: Int = 25) {
        self.l2 = l2
        self.iterations = iterations
    }

    /// Fits a model on `examples` (target: `target`, weighted by `weight ?? 1`).
    public func train(_ examples: [RoutingExample]) throws(DifficultyModelError) -> DifficultyModel {
        guard !examples.isEmpty else { throw DifficultyModelError(message: "no training examples") }
        let rows = examples.map { DifficultyFeatures.extract($0.prompt) }
        let labels = examples.map(\.target)
        let weights = try examples.map { (example: RoutingExample) throws(DifficultyModelError) -> Double in
            let w = example.weight ?? 1
            guard example.target.isFinite else { throw DifficultyModelError(message: "non-finite scores for a prompt from \(example.source)") }
            guard w >= 0, w.isFinite else { throw DifficultyModelError(message: "bad weight \(w) for a prompt from \(example.source)") }
            return w
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw DifficultyModelError(message: "all training weights are zero") }
        let d = DifficultyFeatures.count

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
        let z = rows.map { row in (0..<d).map { (row[$0] - means[$0]) / scales[$0] } }

        // Parameters: d weights then the bias.
        var beta = [Double](repeating: 0, count: d + 1)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: d + 1)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d + 1)
            for i in 0..<z.count {
                var eta = beta[d]
                for j in 0..<d { eta += beta[j] * z[i][j] }
                let p = sigmoid(eta)
                let r = weights[i] * (p - labels[i])
                let h = weights[i] * max(p * (1 - p), 1e-12)
                for j in 0..<d {
                    gradient[j] += r * z[i][j]
                    let hz = h * z[i][j]
                    for k in 0...j { hessian[j][k] += hz * z[i][k] }
                    hessian[d][j] += hz
                }
                gradient[d] += r
                hessian[d][d] += h
            }
            for j in 0..<d {
                gradient[j] += l2 * beta[j]
                hessian[j][j] += l2
            }
            for j in 0...d {
                for k in 0..<j { hessian[k][j] = hessian[j][k] }
            }
            for j in 0..<d { hessian[j][d] = hessian[d][j] }
            let step = try solve(hessian, gradient)
            var largest = 0.0
            for j in 0...d {
                beta[j] -= step[j]
                largest = max(largest, abs(step[j]))
            }
            if largest < 1e-10 { break }
        }
        // The ranking comes from the expected gain (`target`: ties count half), which is what routing
        // quality rewards; the score itself should read as the probability that the strong model
        // beats the local one. A one-dimensional logistic fit (Platt scaling) of the strict label
        // `strongWins` on the gain model's logit gives that, and being monotone (slope > 0) it keeps
        // the ranking. It folds into the linear model: weights × a, bias × a + b.
        let logits = z.map { row in (0..<d).reduce(beta[d]) { $0 + beta[$1] * row[$1] } }
        let strict = examples.map { $0.strongWins ? 1.0 : 0.0 }
        let (a, b) = plattScaling(logits: logits, labels: strict, weights: weights)
        return DifficultyModel(
            features: DifficultyFeatures.names,
            means: means,
            scales: scales,
            weights: beta[0..<d].map { a * $0 },
            bias: a * beta[d] + b
        )
    }

    /// Fits `p = sigmoid(a * logit + b)` to `labels` by Newton's method (deterministic), with `a` kept
    /// positive so the ranking is unchanged.
    private func plattScaling(logits: [Double], labels: [Double], weights: [Double]) -> (Double, Double) {
        var a = 1.0, b = 0.0
        for _ in 0..<50 {
            var ga = 0.0, gb = 0.0, haa = 1e-9, hab = 0.0, hbb = 1e-9
            for i in logits.indices {
                let p = sigmoid(a * logits[i] + b)
                let r = weights[i] * (p - labels[i])
                let h = weights[i] * max(p * (1 - p), 1e-12)
                ga += r * logits[i]
                gb += r
                haa += h * logits[i] * logits[i]
                hab += h * logits[i]
                hbb += h
            }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det
            let db = (haa * gb - hab * ga) / det
            a -= da
            b -= db
            if max(abs(da), abs(db)) < 1e-12 { break }
        }
        return (max(a, 1e-6), b)
    }

    /// Solves the symmetric positive-definite system `a x = b` by Gaussian elimination with partial pivoting.
    private func solve(_ a: [[Double]], _ b: [Double]) throws(DifficultyModelError) -> [Double] {
        let n = b.count
        var m = a
        var x = b
        for col in 0..<n {
            var pivot = col
            for row in (col + 1)..<n where abs(m[row][col]) > abs(m[pivot][col]) { pivot = row }
            guard abs(m[pivot][col]) > 1e-12 else { throw DifficultyModelError(message: "training matrix is singular") }
            if pivot != col {
                m.swapAt(pivot, col)
                x.swapAt(pivot, col)
            }
            for row in (col + 1)..<n {
                let f = m[row][col] / m[col][col]
                if f == 0 { continue }
                for k in col..<n { m[row][k] -= f * m[col][k] }
                x[row] -= f * x[col]
            }
        }
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = x[row]
            for k in (row + 1)..<n { s -= m[row][k] * x[k] }
            x[row] = s / m[row][row]
        }
        return x
    }
}
