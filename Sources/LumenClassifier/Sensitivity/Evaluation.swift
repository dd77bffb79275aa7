// Span-level evaluation of the sensitivity findings against labelled examples (Presidio entity names;
// the few Presidio names for one country's form of a type Lumen names for any, US_DRIVER_LICENSE…, are
// read under Lumen's name: `FindingType.presidioAliases`).
//
// Matching rules, per type:
// - overlap: a predicted span is correct when it overlaps a gold span of the same type; a gold span is
//   found when a predicted span of the same type overlaps it (so one predicted address covering three
//   gold pieces finds all three, and counts as one correct prediction);
// - exact: the same with identical (start, end).
// Precision = correct predictions / predictions, recall = found gold / gold, F2 weighs recall 4x.

/// One labelled example: a text and its gold spans (offsets in Unicode scalars).
package struct SensitivityExample: Sendable, Hashable {
    package var id: String
    package var text: String
    package var spans: [Finding]
    /// Spans that are not personal data (titles, organisations, positions…; the type says which): a
    /// personal-data finding that overlaps one is a false positive counted in the decoy rate.
    package var decoys: [Finding]

    package init(id: String, text: String, spans: [Finding], decoys: [Finding] = []) {
        self.id = id
        self.text = text
        self.spans = spans
        self.decoys = decoys
    }

    /// The texts of the PERSON spans (for the name hold-out).
    package var personNames: [String] {
        let scalars = Array(text.unicodeScalars)
        return spans.filter { $0.type == .person && $0.start >= 0 && $0.end <= scalars.count && $0.start < $0.end }.map {
            String(String.UnicodeScalarView(scalars[$0.start..<$0.end]))
        }
    }
}

/// Which part of a labelled file to evaluate: a deterministic split by a hash of the example id.
package enum SensitivitySplit: String, Sendable, CaseIterable {
    /// ~70% of the examples, used for tuning.
    case dev
    /// ~30% of the examples, only evaluated on.
    case heldout
    /// Sentences with a person name held out by its string (`NameSplit`): names never trained on.
    case heldoutNames = "heldout-names"
    case all

    /// FNV-1a of the id's UTF-8 bytes; buckets 0-2 of 10 are held out.
    package static func isHeldOut(id: String) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h % 10 < 3
    }

    package func contains(id: String) -> Bool {
        switch self {
        case .all: true
        case .heldout: Self.isHeldOut(id: id)
        case .heldoutNames: false
        case .dev: !Self.isHeldOut(id: id)
        }
    }

    /// Whether the split holds an example (`heldout-names` looks at its person names; `dev` leaves out
    /// those too, so that it is what `lumen train names` trains on).
    package func contains(_ example: SensitivityExample) -> Bool {
        switch self {
        case .heldoutNames: NameSplit.hasHeldOutName(example.personNames)
        case .dev: !Self.isHeldOut(id: example.id) && !NameSplit.hasHeldOutName(example.personNames)
        default: contains(id: example.id)
        }
    }
}

/// Counts for one finding type under one matching rule.
package struct SpanCounts: Sendable, Hashable, Codable {
    package var predicted = 0
    package var correctPredictions = 0
    package var gold = 0
    package var foundGold = 0

    package init() {}

    package var precision: Double { predicted == 0 ? (gold == 0 ? 1 : 0) : Double(correctPredictions) / Double(predicted) }
    package var recall: Double { gold == 0 ? 1 : Double(foundGold) / Double(gold) }
    package var f2: Double {
        let p = precision
        let r = recall
        return p + r == 0 ? 0 : 5 * p * r / (4 * p + r)
    }

    static func + (a: SpanCounts, b: SpanCounts) -> SpanCounts {
        var c = SpanCounts()
        c.predicted = a.predicted + b.predicted
        c.correctPredictions = a.correctPredictions + b.correctPredictions
        c.gold = a.gold + b.gold
        c.foundGold = a.foundGold + b.foundGold
        return c
    }
}

/// The result of `SensitivityEvaluation.run`.
package struct SensitivityReport: Sendable, Codable {
    package var examples: Int
    /// Types Lumen detects that occur in the gold data: scored.
    package var overlap: [FindingType: SpanCounts]
    package var exact: [FindingType: SpanCounts]
    /// Micro-average over the scored types.
    package var microOverlap: SpanCounts
    package var microExact: SpanCounts
    /// Structured identifiers (email, phone, card, IBAN, SSN, IP, CN ID) under the overlap rule.
    package var structuredOverlap: SpanCounts
    /// Gold types Lumen has no detector for (ORGANIZATION, GPE, …) with their gold counts.
    package var undetectedGoldTypes: [FindingType: Int]
    /// Types Lumen predicted that the file never labels (not scored), with prediction counts.
    package var unlabelledPredictions: [FindingType: Int]
    /// Decoy spans (not personal data) per decoy type, and how many a personal-data finding overlaps.
    package var decoys: [String: Int]
    package var flaggedDecoys: [String: Int]
    /// Examples with at least one personal-data finding (not a secret or custom term) that overlaps no
    /// gold span of its type.
    package var rowsWithFalsePersonalData: Int

    /// Flagged decoys over all decoys (0 without decoys).
    package var decoyRate: Double {
        let n = decoys.values.reduce(0, +)
        return n == 0 ? 0 : Double(flaggedDecoys.values.reduce(0, +)) / Double(n)
    }
}

/// Runs the classifier over labelled examples and scores its spans.
package enum SensitivityEvaluation {
    /// Every type the sensitivity scanner can emit.
    package static let detectedTypes = FindingType.reported

    /// `minScore`: only findings scored at least this count (0.5 is what the shipped policies act on;
    /// 0, every finding, is what redaction with a lower threshold would see).
    package static func run(_ examples: [SensitivityExample], classifier: Classifier, minScore: Double = 0) -> SensitivityReport {
        let predictions = examples.map { classifier.findings(in: $0.text).filter { $0.score >= minScore } }
        return score(examples, predictions: predictions)
    }

    /// Scores precomputed predictions (one array per example).
    package static func score(_ examples: [SensitivityExample], predictions: [[Finding]]) -> SensitivityReport {
        var overlap: [FindingType: SpanCounts] = [:]
        var exact: [FindingType: SpanCounts] = [:]
        var undetected: [FindingType: Int] = [:]
        var predictedCounts: [FindingType: Int] = [:]
        let goldTypes = Set(examples.flatMap { $0.spans.map(\.type) })
        var decoys: [String: Int] = [:]
        var flagged: [String: Int] = [:]
        var falseRows = 0
        for (example, predicted) in zip(examples, predictions) {
            let personal = predicted.filter { !$0.type.isSecret && $0.type != .customTerm }
            for d in example.decoys {
                decoys[d.type.rawValue, default: 0] += 1
                if personal.contains(where: { $0.start < d.end && d.start < $0.end }) { flagged[d.type.rawValue, default: 0] += 1 }
            }
            if personal.contains(where: { p in !example.spans.contains { $0.type == p.type && $0.start < p.end && p.start < $0.end } }) {
                falseRows += 1
            }
            for g in example.spans where !detectedTypes.contains(g.type) { undetected[g.type, default: 0] += 1 }
            for p in predicted { predictedCounts[p.type, default: 0] += 1 }
            for type in goldTypes.intersection(detectedTypes) {
                let gold = example.spans.filter { $0.type == type }
                let pred = predicted.filter { $0.type == type }
                var o = overlap[type] ?? SpanCounts()
                var e = exact[type] ?? SpanCounts()
                o.gold += gold.count
                e.gold += gold.count
                o.predicted += pred.count
                e.predicted += pred.count
                o.foundGold += gold.filter { g in pred.contains { $0.start < g.end && g.start < $0.end } }.count
                o.correctPredictions += pred.filter { p in gold.contains { $0.start < p.end && p.start < $0.end } }.count
                e.foundGold += gold.filter { g in pred.contains { $0.start == g.start && $0.end == g.end } }.count
                e.correctPredictions += pred.filter { p in gold.contains { $0.start == p.start && $0.end == p.end } }.count
                overlap[type] = o
                exact[type] = e
            }
        }
        let structured = overlap.filter { $0.key.isStructuredIdentifier }.values.reduce(SpanCounts(), +)
        return SensitivityReport(
            examples: examples.count,
            overlap: overlap,
            exact: exact,
            microOverlap: overlap.values.reduce(SpanCounts(), +),
            microExact: exact.values.reduce(SpanCounts(), +),
            structuredOverlap: structured,
            undetectedGoldTypes: undetected,
            unlabelledPredictions: predictedCounts.filter { !goldTypes.contains($0.key) },
            decoys: decoys,
            flaggedDecoys: flagged,
            rowsWithFalsePersonalData: falseRows
        )
    }
}
