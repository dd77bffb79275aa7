import Foundation
import LumenClassifier
import LumenTestSupport
import Testing

/// Values cut in two between strings (`Classifier.findings(across:_:)`), measured on the repository's
/// labelled sets: every value the classifier finds in a whole text is cut in its middle and read
/// across the cut; and the end of each text is put beside the start of an unrelated one, where
/// nothing may be found across the join.
///
/// Today (2026-12-06, 7 privacy probes and 3 technical sets; a cut counts when `mayContinue` lets
/// the screen read it): structured identifiers 1,248 / 1,248 found across the cut, street addresses
/// 380 / 382, passports 43 / 43, secrets 328 / 352 (the rest are private keys and tokens cut further
/// than 128 characters from their header), dates of birth 159 / 180 (their "DOB" column header is
/// further away); a person's name 1,245 / 2,126 across the cut and 2,108 found across or whole in
/// the first half (whose screen redacts it). Unrelated texts side by side: 7 findings in 1,314 joins
/// (a token run on into a word, a word read as a name after a label).
@Suite struct SplitValueTests {
    static let files = [
        "privacy-probe-a.jsonl", "privacy-probe-b.jsonl", "privacy-probe-c.jsonl", "privacy-probe-d.jsonl", "privacy-probe-e.jsonl",
        "privacy-probe-f.jsonl", "privacy-probe-g.jsonl", "technical-prompts.jsonl", "technical-heldout.jsonl", "technical-probe.jsonl",
    ]

    static func texts(_ file: String) throws -> [String] {
        let text = try String(contentsOf: Harness.repoRoot.appendingPathComponent("data").appendingPathComponent(file), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
        }
    }

    static func window(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range.clamped(to: 0..<scalars.count)]))
    }

    @Test func valuesCutInTwoAreFoundAcrossTheCut() throws {
        let classifier = Classifier()
        // Per kind: found across the cut, found across or whole in the first half, values cut.
        var counts: [String: (across: Int, protected: Int, all: Int)] = [:]
        for file in Self.files {
            for text in try Self.texts(file) {
                let scalars = Array(text.unicodeScalars)
                for value in classifier.findings(in: text) where value.score >= 0.5 && value.end - value.start >= 4 {
                    let cut = (value.start + value.end) / 2
                    let first = Self.window(scalars, cut - 128..<cut)
                    let second = Self.window(scalars, cut..<cut + 128)
                    let across =
                        Classifier.mayContinue(first, second)
                        && classifier.findings(across: first, second).contains { $0.type == value.type && $0.start < first.unicodeScalars.count }
                    let whole =
                        across || classifier.findings(in: first).contains { $0.type == value.type && $0.end >= first.unicodeScalars.count - 1 }
                    let kind = value.type.isSecret ? "secret" : value.type.isStructuredIdentifier ? "structured" : value.type.rawValue
                    counts[kind, default: (0, 0, 0)].across += across ? 1 : 0
                    counts[kind, default: (0, 0, 0)].protected += whole ? 1 : 0
                    counts[kind, default: (0, 0, 0)].all += 1
                }
            }
        }
        print(
            "values cut in two (across / across or whole in the first half / all):", counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        )
        func share(_ kind: String, _ count: Int) -> Double { Double(count) / Double(max(1, counts[kind]?.all ?? 0)) }
        #expect((counts["structured"]?.all ?? 0) > 1000 && (counts["secret"]?.all ?? 0) > 300)
        #expect(share("structured", counts["structured"]?.across ?? 0) >= 0.99)
        #expect(share(FindingType.streetAddress.rawValue, counts[FindingType.streetAddress.rawValue]?.across ?? 0) >= 0.97)
        #expect(share("secret", counts["secret"]?.across ?? 0) >= 0.9)
        #expect(share(FindingType.person.rawValue, counts[FindingType.person.rawValue]?.protected ?? 0) >= 0.97)
    }

    /// Which joins are read: all but after a tag, a blank string, or a sentence's end before a
    /// capital that starts a plain word.
    @Test func joinsThatAreRead() {
        #expect(Classifier.mayContinue("My SSN is 078-05-", "1120"))
        #expect(Classifier.mayContinue("Write to Jane.", "Doe@acme.com"))
        #expect(Classifier.mayContinue("key AKIAZ7QX3M", "PL5NR2VT4E"))
        #expect(Classifier.mayContinue("password: Gr4nite!", "x9"))
        #expect(Classifier.mayContinue("我叫", "小王"))
        #expect(!Classifier.mayContinue("Answer in plain English.", "Please review the note."))
        #expect(!Classifier.mayContinue("Done!", "Thanks."))
        #expect(!Classifier.mayContinue("<system-reminder>Be brief.</system-reminder>", "fix the test"))
        #expect(!Classifier.mayContinue("078-05-", " \u{200B} "))
        #expect(!Classifier.mayContinue("", "1120"))
    }

    @Test func unrelatedTextsSideBySideAreNoValue() throws {
        let classifier = Classifier()
        var texts: [String] = []
        for file in Self.files + ["task-categories-a.jsonl", "task-categories-b.jsonl"] { texts += try Self.texts(file) }
        var joins = 0
        var found: [String] = []
        for k in texts.indices {
            let first = String(texts[k].unicodeScalars.suffix(128))
            let second = String(texts[(k * 7 + 13) % texts.count].unicodeScalars.prefix(128))
            guard Classifier.mayContinue(first, second) else { continue }
            joins += 1
            for finding in classifier.findings(across: first, second) where finding.score >= 0.5 {
                found.append("\(finding.type.rawValue): …\(first.suffix(20))|\(second.prefix(20))…")
            }
        }
        print("unrelated texts side by side: \(joins) joins that may continue a value, \(found.count) findings across them")
        #expect(joins > 500)
        #expect(found.count <= joins / 100, "\(found)")
    }
}
