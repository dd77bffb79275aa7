import Foundation
import Testing

@testable import LumenClassifier

/// APGR / CPT on hand-computed cases, the random baseline, calibration, and the held-out floor.
struct DifficultyRoutingTests {
    /// scores 0.9, 0.6, 0.3, 0.1; weak 0, 0, 1, 1; strong 1, 1, 1, 0 (weak-only 0.5, strong-only 0.75).
    /// Quantile thresholds give the points (share, PGR): (1, 1), (0.75, 2), (0.5, 2), (0.25, 1), plus (0, 0).
    /// Area = 0.125 + 0.375 + 0.5 + 0.375 = 1.375; PGR 0.5 at share 0.125, PGR 0.8 at share 0.2.
    @Test func handComputedExample() throws {
        let m = try RoutingEvaluation.evaluate(scores: [0.9, 0.6, 0.3, 0.1], weak: [0, 0, 1, 1], strong: [1, 1, 1, 0])
        #expect(abs(m.apgr - 1.375) < 1e-12)
        #expect(abs(m.cpt50 - 0.125) < 1e-12)
        #expect(abs(m.cpt80 - 0.2) < 1e-12)
        #expect(m.weakQuality == 0.5 && m.strongQuality == 0.75)
        #expect(m.points.map(\.strongShare) == [0, 0.25, 0.5, 0.75, 1])
        #expect(m.points.map(\.pgr) == [0, 1, 2, 2, 1])
    }

    @Test func perfectAndInvertedRouters() throws {
        let weak: [Double] = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
        let strong: [Double] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        let good = try RoutingEvaluation.evaluate(scores: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], weak: weak, strong: strong)
        let bad = try RoutingEvaluation.evaluate(scores: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], weak: weak, strong: strong)
        #expect(good.apgr > 0.85)
        #expect(bad.apgr < 0.2)
        #expect(good.cpt80 < bad.cpt80)
    }

    @Test func quantileInterpolatesLikeNumPy() {
        #expect(RoutingEvaluation.quantile([0.1, 0.3, 0.6, 0.9], 0.1) == 0.1 + 0.2 * 0.3)
        #expect(RoutingEvaluation.quantile([1, 2, 3], 1) == 3)
        #expect(RoutingEvaluation.quantile([5], 0.5) == 5)
    }

    @Test func randomScoresGiveAboutOneHalf() throws {
        var generator = TestGenerator(seed: 7)
        let n = 2000
        let weak = (0..<n).map { _ in Double(generator.next() % 100 < 60 ? 1 : 0) }
        let strong = (0..<n).map { _ in Double(generator.next() % 100 < 80 ? 1 : 0) }
        var total = 0.0
        for _ in 0..<20 {
            let scores = (0..<n).map { _ in Double(generator.next() >> 11) }
            total += try RoutingEvaluation.evaluate(scores: scores, weak: weak, strong: strong).apgr
        }
        #expect(abs(total / 20 - 0.5) < 0.03)
    }

    @Test func rejectsBadInput() {
        #expect(throws: RoutingEvaluation.InputError.self) { try RoutingEvaluation.evaluate(scores: [], weak: [], strong: []) }
        #expect(throws: RoutingEvaluation.InputError.self) { try RoutingEvaluation.evaluate(scores: [1], weak: [1, 0], strong: [1]) }
        #expect(throws: RoutingEvaluation.InputError.self) { try RoutingEvaluation.evaluate(scores: [1, 2], weak: [1, 1], strong: [1, 1]) }
        #expect(throws: RoutingEvaluation.InputError.self) { try DifficultyCalibration.threshold(scores: [0.1], remoteShare: 1.5) }
        #expect(throws: RoutingEvaluation.InputError.self) { try DifficultyCalibration.threshold(scores: [], remoteShare: 0.3) }
    }

    @Test func calibrateOnFixture() throws {
        let scores = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 1.0, 0.6]
        let r = try DifficultyCalibration.threshold(scores: scores, remoteShare: 0.3)
        #expect(r.threshold == 0.8)
        #expect(r.remoteShare == 0.3)
        #expect(scores.filter { $0 >= r.threshold }.count == 3)
        // Ties: 3 equal top scores cannot be split; the closest reachable share wins.
        let tied = try DifficultyCalibration.threshold(scores: [0.5, 0.5, 0.5, 0.1], remoteShare: 0.5)
        #expect(tied.threshold == 0.5 && tied.remoteShare == 0.75)
        let none = try DifficultyCalibration.threshold(scores: [0.2, 0.4], remoteShare: 0)
        #expect(none.remoteShare == 0 && none.threshold > 0.4)
        let all = try DifficultyCalibration.threshold(scores: [0.2, 0.4], remoteShare: 1)
        #expect(all.remoteShare == 1 && all.threshold == 0.2)
    }

    /// Floor for the built-in model on the held-out MMLU subjects (measured 0.683; length-only 0.654).
    @Test func heldOutAPGRFloor() throws {
        // CI has the shared data at ../shared beside the repository; LUMEN_SHARED overrides (e.g. in a worktree).
        let shared = ProcessInfo.processInfo.environment["LUMEN_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot().deletingLastPathComponent().appendingPathComponent("shared")
        let url = shared.appendingPathComponent("data/routing/mmlu-dev.jsonl")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            print("skipping heldOutAPGRFloor: \(url.path) not found (shared data absent)")
            return
        }
        let decoder = JSONDecoder()
        let rows = try String(decoding: data, as: UTF8.self).split(separator: "\n")
            .map { try decoder.decode(RoutingExample.self, from: Data($0.utf8)) }
            .filter { DifficultySplit.isHeldOut(source: $0.source) }
        #expect(rows.count > 1500)
        let model = DifficultyModel.builtIn
        let m = try RoutingEvaluation.evaluate(scores: rows.map { model.score($0.prompt) }, weak: rows.map(\.weakScore), strong: rows.map(\.strongScore))
        let length = try RoutingEvaluation.evaluate(
            scores: rows.map { Double($0.prompt.unicodeScalars.count) }, weak: rows.map(\.weakScore), strong: rows.map(\.strongScore))
        #expect(m.apgr >= 0.65, "held-out APGR \(m.apgr)")
        #expect(m.apgr > length.apgr, "held-out APGR \(m.apgr) vs length-only \(length.apgr)")
    }
}

struct TestGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
