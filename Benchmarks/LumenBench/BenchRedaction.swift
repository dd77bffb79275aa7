import ArgumentParser
import Foundation
import LumenClassifier
import LumenCore
import LumenRedaction

/// `lumen-bench redaction`: what the redaction stage adds to a request and to a streamed answer.
struct BenchRedaction: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redaction",
        abstract: "Redaction and streaming-restoration latency, next to a passthrough copy and a buffer-then-replace peer.",
        discussion: """
            Streaming: a synthetic answer (with placeholders, escapes and mangled placeholders) cut into \
            SSE-like deltas of 1–8 characters is pushed through a StreamingRestorer; each push is timed. \
            The peer 'passthrough' copies the same deltas unchanged (the floor any filter pays); \
            'buffer+replace' is the naive alternative that waits for the whole answer. \
            Hold-back: for every input scalar, how many scalars of later deltas had to arrive before it was emitted. \
            Redaction: RedactionSession.decide on a 4-message prompt of 1 KB / 32 KB with 10 / 100 findings.
            """
    )

    @Option(help: "Synthetic answer length in Unicode scalars.")
    var answerLength = 200_000

    @Option(help: "Timed repetitions of each redaction case.")
    var iterations = 200

    @Option(help: "Random seed (the run is deterministic for a seed).")
    var seed: UInt64 = 42

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard answerLength >= 1_000 else { throw ValidationError("--answer-length must be at least 1000") }
        guard iterations >= 10 else { throw ValidationError("--iterations must be at least 10") }
    }

    func run() async throws {
        var generator = SplitMix64(seed: seed)
        let streaming = try benchStreaming(&generator)
        var redaction: [RedactionCase] = []
        for (bytes, count) in [(1_024, 10), (1_024, 100), (32_768, 10), (32_768, 100)] {
            for propagate in [true, false] {
                redaction.append(try benchRedaction(bytes: bytes, findings: count, propagate: propagate, &generator))
            }
        }
        let report = BenchRedactionReport(streaming: streaming, redaction: redaction)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }

    // MARK: Streaming

    private func benchStreaming(_ generator: inout SplitMix64) throws -> StreamingResult {
        let prompt = BenchPrompt.make(bytes: 8_192, findings: 40, &generator)
        guard
            case .redacted(let session) = try RedactionSession.decide(
                texts: prompt.texts,
                findings: prompt.findings,
                rules: RedactionRules(pseudonymise: BenchPrompt.types)
            )
        else { throw ValidationError("benchmark prompt unexpectedly not redactable") }
        let answer = BenchPrompt.answer(length: answerLength, session: session, &generator)
        var deltas: [String] = []
        var scalars = Array(answer.unicodeScalars)[...]
        while !scalars.isEmpty {
            let length = min(scalars.count, Int.random(in: 1...8, using: &generator))
            deltas.append(String(String.UnicodeScalarView(scalars.prefix(length))))
            scalars = scalars.dropFirst(length)
        }
        let clock = ContinuousClock()

        // Warm-up, then the timed pass.
        var warm = session.makeStreamingRestorer()
        for delta in deltas.prefix(2_000) { _ = warm.push(delta) }
        _ = warm.finish()

        var restorer = session.makeStreamingRestorer()
        var plain: [Int64] = []
        var marked: [Int64] = []
        plain.reserveCapacity(deltas.count)
        var output = ""
        output.reserveCapacity(answer.utf8.count * 2)
        // Hold-back accounting: scalar k is emitted by the first push after which consumed - held > k.
        var consumed = 0
        var emittedUpTo = 0
        var maxDelayScalars = 0
        var maxDelayPushes = 0
        var maxHeld = 0
        var delayHistogram: [Int: Int] = [:]
        var arrivalPush: [Int] = []
        var arrivalConsumed: [Int] = []
        arrivalPush.reserveCapacity(answer.unicodeScalars.count)
        arrivalConsumed.reserveCapacity(answer.unicodeScalars.count)
        for (pushIndex, delta) in deltas.enumerated() {
            let heldBefore = restorer.heldBackCount
            let start = clock.now
            let emitted = restorer.push(delta)
            let ns = (clock.now - start).nanoseconds
            output += emitted
            if heldBefore > 0 || restorer.heldBackCount > 0 || delta.unicodeScalars.contains("[") {
                marked.append(ns)
            } else {
                plain.append(ns)
            }
            let count = delta.unicodeScalars.count
            consumed += count
            for _ in 0..<count {
                arrivalPush.append(pushIndex)
                arrivalConsumed.append(consumed)
            }
            let ready = consumed - restorer.heldBackCount
            while emittedUpTo < ready {
                // Scalars that arrived in later deltas before this one could go out.
                let delayScalars = consumed - arrivalConsumed[emittedUpTo]
                maxDelayScalars = max(maxDelayScalars, delayScalars)
                maxDelayPushes = max(maxDelayPushes, pushIndex - arrivalPush[emittedUpTo])
                delayHistogram[delayScalars, default: 0] += 1
                emittedUpTo += 1
            }
            maxHeld = max(maxHeld, restorer.heldBackCount)
        }
        output += restorer.finish()
        let whole = session.restore(answer)
        guard output == whole.text else { throw ValidationError("streamed and whole restoration differ (bug)") }

        // Peers on the same deltas.
        var passthrough: [Int64] = []
        passthrough.reserveCapacity(deltas.count)
        var copy = ""
        copy.reserveCapacity(answer.utf8.count)
        for delta in deltas {
            let start = clock.now
            var out = String.UnicodeScalarView()
            out.append(contentsOf: delta.unicodeScalars)
            copy += String(out)
            passthrough.append((clock.now - start).nanoseconds)
        }
        let bufferStart = clock.now
        var naive = deltas.joined()
        for placeholder in session.placeholders {
            naive = naive.replacingOccurrences(of: placeholder, with: session.originalValue(of: placeholder) ?? placeholder)
        }
        let bufferElapsed = clock.now - bufferStart
        let wholeStart = clock.now
        _ = session.restore(answer)
        let wholeElapsed = clock.now - wholeStart

        // Exact per-scalar delay: one scalar per push, so "later scalars before emission" is observable.
        var single = session.makeStreamingRestorer()
        var singleConsumed = 0
        var singleEmitted = 0
        var maxScalarDelay = 0
        for scalar in answer.unicodeScalars {
            _ = single.push(String(scalar))
            singleConsumed += 1
            while singleEmitted < singleConsumed - single.heldBackCount {
                maxScalarDelay = max(maxScalarDelay, singleConsumed - 1 - singleEmitted)
                singleEmitted += 1
            }
        }
        _ = single.finish()

        let delayed = delayHistogram.filter { $0.key > 0 }.values.reduce(0, +)
        return StreamingResult(
            deltas: deltas.count,
            answerScalars: answer.unicodeScalars.count,
            placeholdersIssued: session.placeholders.count,
            longestPlaceholder: session.longestPlaceholderLength,
            restored: whole.stats.totalRestored,
            mangled: whole.stats.totalMangled,
            escapedLiterals: whole.stats.escapedLiterals,
            pushAll: Percentiles(plain + marked),
            pushPlain: Percentiles(plain),
            pushWithPlaceholderChars: Percentiles(marked),
            passthrough: Percentiles(passthrough),
            bufferThenReplaceMicroseconds: Double(bufferElapsed.nanoseconds) / 1_000,
            wholeRestoreMicroseconds: Double(wholeElapsed.nanoseconds) / 1_000,
            maxHeldBackScalars: maxHeld,
            maxDelayScalars: maxDelayScalars,
            maxDelayPushes: maxDelayPushes,
            maxDelayScalarsOnePerPush: maxScalarDelay,
            delayedScalarFraction: Double(delayed) / Double(max(1, emittedUpTo))
        )
    }

    // MARK: Redaction

    private func benchRedaction(bytes: Int, findings: Int, propagate: Bool, _ generator: inout SplitMix64) throws -> RedactionCase {
        let prompt = BenchPrompt.make(bytes: bytes, findings: findings, &generator)
        let rules = RedactionRules(pseudonymise: BenchPrompt.types, propagateValues: propagate)
        let clock = ContinuousClock()
        var samples: [Int64] = []
        var issued = 0
        for iteration in 0..<(iterations + 10) {
            let start = clock.now
            let decision = try RedactionSession.decide(texts: prompt.texts, findings: prompt.findings, rules: rules)
            let elapsed = clock.now - start
            guard case .redacted(let session) = decision else { throw ValidationError("benchmark prompt unexpectedly not redactable") }
            issued = session.placeholders.count
            if iteration >= 10 { samples.append(elapsed.nanoseconds) }
        }
        return RedactionCase(
            promptBytes: prompt.texts.reduce(0) { $0 + $1.utf8.count },
            findings: prompt.findings.reduce(0) { $0 + $1.count },
            placeholders: issued,
            propagateValues: propagate,
            time: Percentiles(samples)
        )
    }
}

/// Synthetic prompts and answers with known findings.
private enum BenchPrompt {
    static let types: Set<FindingType> = [.email, .person, .phone, .creditCard, .ipAddress]

    static let words = [
        "the", "report", "quarterly", "customer", "please", "review", "numbers", "attached", "meeting", "我们", "客户",
        "需要", "报告", "because", "budget", "update", "schedule", "😀", "and", "with", "from", "about", "清单",
    ]
    static let names = ["Ann Lee", "Bob Stone", "张伟", "李娜", "Carla Diaz", "Dmitri Ivanov", "Eve", "王芳"]

    struct Prompt {
        var texts: [String]
        var findings: [[Finding]]
    }

    static func value(_ index: Int, _ generator: inout SplitMix64) -> (String, FindingType) {
        // About one value in three repeats an earlier one (consistency path).
        let id = Int.random(in: 0..<3, using: &generator) == 0 ? index / 2 : index
        switch id % 5 {
        case 0: return ("user\(id)@example.com", .email)
        case 1: return (names[id % names.count] + (id >= names.count ? " \(id)" : ""), .person)
        case 2: return ("+1 555 \(String(format: "%03d", id % 1000)) \(1000 + id)", .phone)
        case 3: return ("10.1.\(id / 256 % 256).\(id % 256)", .ipAddress)
        default: return ("4111 1111 1111 \(String(format: "%04d", id % 10_000))", .creditCard)
        }
    }

    /// Four messages totalling about `bytes` UTF-8 bytes with `findings` findings spread over them.
    static func make(bytes: Int, findings: Int, _ generator: inout SplitMix64) -> Prompt {
        var texts = Array(repeating: "", count: 4)
        var spans: [[Finding]] = Array(repeating: [], count: 4)
        var scalarCounts = Array(repeating: 0, count: 4)
        let perFinding = bytes / max(1, findings)
        for index in 0..<findings {
            let message = index % 4
            let (value, type) = value(index, &generator)
            var filler = ""
            while filler.utf8.count + value.utf8.count + 2 < perFinding {
                filler += words.randomElement(using: &generator)! + " "
            }
            texts[message] += filler
            scalarCounts[message] += filler.unicodeScalars.count
            let start = scalarCounts[message]
            texts[message] += value + ". "
            scalarCounts[message] += value.unicodeScalars.count + 2
            spans[message].append(Finding(type: type, start: start, end: start + value.unicodeScalars.count, score: 0.9))
        }
        return Prompt(texts: texts, findings: spans)
    }

    /// An answer mixing prose, issued placeholders, an unissued one, a mangled one and stray brackets.
    static func answer(length: Int, session: RedactionSession, _ generator: inout SplitMix64) -> String {
        let placeholders = session.placeholders
        let extras = ["[EMAIL 1]", "[Email_2]", "[see 1]", "[", "]", "[EMAIL_999]", "arr[0]", "\n"]
        var result = ""
        var count = 0
        while count < length {
            let roll = Int.random(in: 0..<20, using: &generator)
            let piece: String
            switch roll {
            case 0..<3: piece = placeholders.randomElement(using: &generator)! + " "
            case 3: piece = extras.randomElement(using: &generator)! + " "
            default: piece = words.randomElement(using: &generator)! + " "
            }
            result += piece
            count += piece.unicodeScalars.count
        }
        return result
    }
}

/// p50 / p90 / p99 / max of nanosecond samples.
private struct Percentiles: Encodable {
    var count: Int
    var p50: Int64
    var p90: Int64
    var p99: Int64
    var max: Int64

    init(_ samples: [Int64]) {
        let sorted = samples.sorted()
        func at(_ q: Double) -> Int64 { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] }
        count = sorted.count
        p50 = at(0.5)
        p90 = at(0.9)
        p99 = at(0.99)
        max = sorted.last ?? 0
    }

    var nanoseconds: String { "p50 \(p50) ns  p90 \(p90) ns  p99 \(p99) ns  max \(max) ns  (n=\(count))" }

    var microseconds: String {
        func us(_ value: Int64) -> String { String(format: "%.1f", Double(value) / 1_000) }
        return "p50 \(us(p50)) µs  p90 \(us(p90)) µs  p99 \(us(p99)) µs  max \(us(max)) µs  (n=\(count))"
    }
}

private struct StreamingResult: Encodable {
    var deltas: Int
    var answerScalars: Int
    var placeholdersIssued: Int
    var longestPlaceholder: Int
    var restored: Int
    var mangled: Int
    var escapedLiterals: Int
    var pushAll: Percentiles
    var pushPlain: Percentiles
    var pushWithPlaceholderChars: Percentiles
    var passthrough: Percentiles
    var bufferThenReplaceMicroseconds: Double
    var wholeRestoreMicroseconds: Double
    var maxHeldBackScalars: Int
    var maxDelayScalars: Int
    var maxDelayPushes: Int
    /// Same answer pushed one scalar at a time: later scalars that had to arrive before a scalar went out.
    var maxDelayScalarsOnePerPush: Int
    var delayedScalarFraction: Double
}

private struct RedactionCase: Encodable {
    var promptBytes: Int
    var findings: Int
    var placeholders: Int
    var propagateValues: Bool
    var time: Percentiles
}

private struct BenchRedactionReport: Encodable {
    var streaming: StreamingResult
    var redaction: [RedactionCase]

    var table: String {
        let s = streaming
        var lines = [
            "Streaming restoration: \(s.deltas) deltas of 1–8 scalars, \(s.answerScalars) scalars, "
                + "\(s.placeholdersIssued) placeholders issued (longest \(s.longestPlaceholder) scalars); "
                + "restored \(s.restored), mangled \(s.mangled), escapes \(s.escapedLiterals)",
            "  push → emit, all deltas           \(s.pushAll.nanoseconds)",
            "  push → emit, plain deltas         \(s.pushPlain.nanoseconds)",
            "  push → emit, placeholder deltas   \(s.pushWithPlaceholderChars.nanoseconds)",
            "  peer: passthrough copy            \(s.passthrough.nanoseconds)",
            "  peer: buffer whole answer, then replaceOccurrences: \(String(format: "%.0f", s.bufferThenReplaceMicroseconds)) µs "
                + "before the first byte (whole-text restore: \(String(format: "%.0f", s.wholeRestoreMicroseconds)) µs)",
            "  held back: max \(s.maxHeldBackScalars) scalars at once (bound: longest placeholder − 1 = \(s.longestPlaceholder - 1)); "
                + "max delay \(s.maxDelayPushes) later deltas (\(s.maxDelayScalars) scalars of later deltas); "
                + "\(String(format: "%.2f", s.delayedScalarFraction * 100))% of scalars delayed at all",
            "  held back, one scalar per push: max delay \(s.maxDelayScalarsOnePerPush) later scalars "
                + "(bound: longest placeholder − 1 = \(s.longestPlaceholder - 1))",
            "",
            "Redaction (RedactionSession.decide, 4 messages):",
        ]
        for c in redaction {
            lines.append(
                "  \(String(c.promptBytes).padding(toLength: 6, withPad: " ", startingAt: 0)) B, "
                    + "\(String(c.findings).padding(toLength: 3, withPad: " ", startingAt: 0)) findings, "
                    + "\(String(c.placeholders).padding(toLength: 3, withPad: " ", startingAt: 0)) placeholders, "
                    + "propagation \(c.propagateValues ? "on " : "off"): \(c.time.microseconds)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
