/// One point of a routing curve: the share of prompts sent to the strong model and the resulting quality.
package struct RoutingPoint: Sendable, Hashable, Codable {
    /// Share of prompts routed strong, in [0, 1].
    package var strongShare: Double
    /// Mean score over all prompts (strong score when routed strong, weak score otherwise).
    package var quality: Double
    /// Performance gap recovered: (quality − weak-only) / (strong-only − weak-only).
    package var pgr: Double

    package init(strongShare: Double, quality: Double, pgr: Double) {
        self.strongShare = strongShare
        self.quality = quality
        self.pgr = pgr
    }
}

/// RouteLLM-style routing metrics for one router on one set of prompts.
package struct RoutingMetrics: Sendable, Hashable, Codable {
    /// Area under the PGR vs strong-share curve (random ≈ 0.5, higher is better).
    package var apgr: Double
    /// Strong-call share needed to recover 50% of the quality gap.
    package var cpt50: Double
    /// Strong-call share needed to recover 80% of the quality gap.
    package var cpt80: Double
    package var weakQuality: Double
    package var strongQuality: Double
    /// The curve, sorted by strong share, including the weak-only and strong-only end points.
    package var points: [RoutingPoint]
}

/// Computes routing metrics: 10 quantile thresholds, strong iff score ≥ threshold.
package enum RoutingEvaluation {
    /// Errors for inputs that cannot give a curve.
    package struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    /// Metrics for `scores` against per-prompt `weak` and `strong` scores (all the same length).
    /// Thresholds are the 0%, 10%, …, 100% quantiles of the scores (linear interpolation);
    /// the curve adds the weak-only (0, 0) and strong-only (1, 1) ends and is integrated by trapezoids.
    package static func evaluate(scores: [Double], weak: [Double], strong: [Double], quantiles: Int = 10) throws(InputError) -> RoutingMetrics {
        let n = scores.count
        guard n > 0 else { throw InputError(message: "no prompts to evaluate") }
        guard weak.count == n, strong.count == n else {
            throw InputError(message: "\(n) scores but \(weak.count) weak and \(strong.count) strong scores")
        }
        guard scores.allSatisfy(\.isFinite) else { throw InputError(message: "a router score is not finite") }
        let weakQuality = weak.reduce(0, +) / Double(n)
        let strongQuality = strong.reduce(0, +) / Double(n)
        let gap = strongQuality - weakQuality
        guard gap > 0 else {
            throw InputError(message: "the strong model is not better than the weak one on these prompts (gap \(gap))")
        }
        let sorted = scores.sorted()
        var points: [RoutingPoint] = [
            RoutingPoint(strongShare: 0, quality: weakQuality, pgr: 0),
            RoutingPoint(strongShare: 1, quality: strongQuality, pgr: 1),
        ]
        for q in 0...quantiles {
            let threshold = quantile(sorted, Double(q) / Double(quantiles))
            var routed = 0
            var quality = 0.0
            for i in 0..<n {
                if scores[i] >= threshold {
                    routed += 1
                    quality += strong[i]
                } else {
                    quality += weak[i]
                }
            }
            quality /= Double(n)
            points.append(RoutingPoint(strongShare: Double(routed) / Double(n), quality: quality, pgr: (quality - weakQuality) / gap))
        }
        points.sort { ($0.strongShare, $0.pgr) < ($1.strongShare, $1.pgr) }
        var unique: [RoutingPoint] = []
        for p in points where unique.last.map({ $0.strongShare != p.strongShare || $0.pgr != p.pgr }) ?? true {
            unique.append(p)
        }
        var area = 0.0
        for i in 1..<unique.count {
            area += (unique[i].strongShare - unique[i - 1].strongShare) * (unique[i].pgr + unique[i - 1].pgr) / 2
        }
        return RoutingMetrics(
            apgr: area,
            cpt50: callsToReach(0.5, unique),
            cpt80: callsToReach(0.8, unique),
            weakQuality: weakQuality,
            strongQuality: strongQuality,
            points: unique
        )
    }

    /// The q-quantile of ascending `sorted` values, linearly interpolated (NumPy's default).
    package static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Smallest strong share at which the piecewise-linear curve reaches `target` PGR.
    static func callsToReach(_ target: Double, _ points: [RoutingPoint]) -> Double {
        if points[0].pgr >= target { return points[0].strongShare }
        for i in 1..<points.count where points[i].pgr >= target {
            let a = points[i - 1]
            let b = points[i]
            if b.pgr == a.pgr { return b.strongShare }
            return a.strongShare + (b.strongShare - a.strongShare) * (target - a.pgr) / (b.pgr - a.pgr)
        }
        return 1
    }
}

extension RoutingMetrics {
    /// The weighted mean of several evaluations (folds, or random rankings): APGR, CPT(50%),
    /// CPT(80%) and the qualities averaged; the curve is each one's sampled at the strong shares
    /// 0, 0.05, …, 1 (linear between its points) and averaged there, since the folds' own points
    /// fall at different shares.
    package static func mean(_ all: [RoutingMetrics], weights: [Double]? = nil) -> RoutingMetrics {
        precondition(!all.isEmpty && (weights?.count ?? all.count) == all.count)
        let w = weights ?? [Double](repeating: 1, count: all.count)
        let total = w.reduce(0, +)
        func average(_ value: (RoutingMetrics) -> Double) -> Double {
            zip(all, w).reduce(0.0) { $0 + value($1.0) * $1.1 } / total
        }
        let shares = (0...20).map { Double($0) / 20 }
        let points = shares.map { x in
            let sampled = all.map { $0.sample(at: x) }
            return RoutingPoint(
                strongShare: x,
                quality: zip(sampled, w).reduce(0.0) { $0 + $1.0.quality * $1.1 } / total,
                pgr: zip(sampled, w).reduce(0.0) { $0 + $1.0.pgr * $1.1 } / total)
        }
        return RoutingMetrics(
            apgr: average(\.apgr), cpt50: average(\.cpt50), cpt80: average(\.cpt80), weakQuality: average(\.weakQuality),
            strongQuality: average(\.strongQuality), points: points)
    }

    /// The curve at strong share `x`: linear between the last point at or below `x` and the next one.
    package func sample(at x: Double) -> RoutingPoint {
        guard let after = points.firstIndex(where: { $0.strongShare > x }) else {
            return points.last ?? RoutingPoint(strongShare: x, quality: strongQuality, pgr: 1)
        }
        guard after > 0 else { return points[0] }
        let a = points[after - 1]
        let b = points[after]
        let t = (x - a.strongShare) / (b.strongShare - a.strongShare)
        return RoutingPoint(strongShare: x, quality: a.quality + t * (b.quality - a.quality), pgr: a.pgr + t * (b.pgr - a.pgr))
    }
}

/// Picks the difficulty threshold that sends a given share of prompts remote.
package enum DifficultyCalibration {
    /// The chosen threshold and the share of `scores` at or above it.
    package struct Result: Sendable, Hashable, Codable {
        package var threshold: Double
        package var remoteShare: Double
    }

    /// The threshold t such that the share of scores ≥ t is the one closest to `remoteShare`
    /// (ties toward the smaller share); t is always one of the scores (or above the maximum for share 0).
    package static func threshold(scores: [Double], remoteShare: Double) throws(RoutingEvaluation.InputError) -> Result {
        guard !scores.isEmpty else { throw RoutingEvaluation.InputError(message: "no prompts to calibrate on") }
        guard remoteShare >= 0, remoteShare <= 1 else {
            throw RoutingEvaluation.InputError(message: "remote share must be in [0, 1], got \(remoteShare)")
        }
        let descending = scores.sorted(by: >)
        let n = descending.count
        // Candidate k = number of prompts sent remote; only k where descending[k-1] > descending[k] is reachable.
        var best = (k: 0, threshold: descending[0].nextUp, distance: remoteShare)
        var k = 0
        while k < n {
            let value = descending[k]
            var end = k
            while end < n && descending[end] == value { end += 1 }
            let share = Double(end) / Double(n)
            let distance = abs(share - remoteShare)
            if distance < best.distance { best = (end, value, distance) }
            k = end
        }
        return Result(threshold: best.threshold, remoteShare: Double(best.k) / Double(n))
    }
}

/// How well scores read as probabilities: expected calibration error and a reliability table.
package struct CalibrationReport: Sendable, Hashable, Codable {
    /// One score bin of the reliability table.
    package struct Bin: Sendable, Hashable, Codable {
        /// Score range [lower, upper) (the last bin includes 1).
        package var lower: Double
        package var upper: Double
        package var count: Int
        /// Mean score in the bin (0 when empty).
        package var meanScore: Double
        /// Share of the bin's prompts where the strong model won (0 when empty).
        package var observedRate: Double
    }

    /// Expected calibration error: Σ_bins (count / n) × |mean score − observed rate|.
    package var ece: Double
    /// Mean squared error of the scores against the outcomes.
    package var brier: Double
    /// Mean score and observed rate over all prompts.
    package var meanScore: Double
    package var observedRate: Double
    package var bins: [Bin]

    /// The report for `scores` (probabilities) against `outcomes` (the strong model won), in `bins`
    /// equal-width bins over [0, 1].
    package static func of(scores: [Double], outcomes: [Bool], bins: Int = 10) throws(RoutingEvaluation.InputError) -> CalibrationReport {
        let n = scores.count
        guard n > 0 else { throw RoutingEvaluation.InputError(message: "no prompts to calibrate on") }
        guard outcomes.count == n else { throw RoutingEvaluation.InputError(message: "\(n) scores but \(outcomes.count) outcomes") }
        guard bins > 0 else { throw RoutingEvaluation.InputError(message: "need at least one bin") }
        guard scores.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else {
            throw RoutingEvaluation.InputError(message: "calibration needs scores in [0, 1]")
        }
        var counts = [Int](repeating: 0, count: bins)
        var sums = [Double](repeating: 0, count: bins)
        var wins = [Int](repeating: 0, count: bins)
        var brier = 0.0
        for (s, won) in zip(scores, outcomes) {
            let b = min(Int(s * Double(bins)), bins - 1)
            counts[b] += 1
            sums[b] += s
            if won { wins[b] += 1 }
            brier += (s - (won ? 1 : 0)) * (s - (won ? 1 : 0))
        }
        var ece = 0.0
        var table: [Bin] = []
        for b in 0..<bins {
            let mean = counts[b] > 0 ? sums[b] / Double(counts[b]) : 0
            let rate = counts[b] > 0 ? Double(wins[b]) / Double(counts[b]) : 0
            ece += Double(counts[b]) / Double(n) * abs(mean - rate)
            table.append(
                Bin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: counts[b], meanScore: mean, observedRate: rate))
        }
        return CalibrationReport(
            ece: ece, brier: brier / Double(n), meanScore: scores.reduce(0, +) / Double(n),
            observedRate: Double(outcomes.filter { $0 }.count) / Double(n), bins: table)
    }
}
