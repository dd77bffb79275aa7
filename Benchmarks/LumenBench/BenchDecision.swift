import ArgumentParser
import Foundation
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRouter

/// `lumen-bench decision`: classification + policy evaluation throughput and latency, next to
/// LiteLLM's complexity router on the same prompts.
struct BenchDecision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decision",
        abstract: "Decisions per second and p50/p99 latency (classify + evaluate) for 1 KB and 32 KB prompts, vs LiteLLM's complexity router."
    )

    @Option(name: .long, help: "Policy file (default: $LUMEN_POLICY or policies/default.yaml).")
    var policy: String?

    @Option(name: .long, help: "Timed decisions per round for the 1 KB prompt (the 32 KB prompt gets a fifth of it, at least 500).")
    var iterations = 5000

    @Option(name: .long, help: "Rounds per prompt size; the round with the median p99 is reported (the machine may be noisy).")
    var rounds = 5

    @Option(name: .long, help: "Python script timing LiteLLM's complexity router (default: scripts/litellm_complexity.py).")
    var litellmScript: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Option(name: .customLong("case"), help: "Measure only the cases whose label contains this text (e.g. 'chat').")
    var only: String?

    @Option(
        name: .long, help: "Prompt-injection screen of the whole-request cases: on, off, or policy (on when the policy reads it, as the router does)."
    )
    var injection: InjectionMode = .policy

    enum InjectionMode: String, ExpressibleByArgument { case on, off, policy }

    func validate() throws {
        if iterations < 100 { throw ValidationError("--iterations must be at least 100 (a p99 needs samples)") }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1") }
    }

    struct Row: Codable {
        var size: String
        var bytes: Int
        var iterations: Int
        var rounds: Int
        var decisionsPerSecond: Double
        var p50Microseconds: Double
        var p99Microseconds: Double
        /// The p99 of every round, in order (the reported one is their median).
        var roundP99Microseconds: [Double]
        /// Policy evaluation alone (classification done once beforehand).
        var evaluateOnlyP50Microseconds: Double
        /// The host's floor for a task this long: a loop of arithmetic calibrated to the decision's
        /// p50, timed the same way (timer ticks and neighbours interrupt it as often): its p50 and p99.
        var floorP50Microseconds: Double?
        var floorP99Microseconds: Double?
        var litellmP50Microseconds: Double?
        var litellmDecisionsPerSecond: Double?
        var speedup: Double?
    }

    /// A deterministic prompt of about `bytes` UTF-8 bytes: prose with a question, an e-mail and a phone number.
    static func prompt(bytes: Int) -> String {
        let paragraph = """
            Please review the following design note and explain the trade-offs between eventual and strong consistency \
            for a multi-region key-value store, including how vector clocks and CRDTs resolve conflicting writes. \
            Contact jane.doe@example.com or call 415-555-0132 if anything is unclear. 
            """
        var text = ""
        while text.utf8.count < bytes { text += paragraph }
        return String(decoding: Array(text.utf8.prefix(bytes)), as: UTF8.self)
    }

    /// A deterministic Chinese prompt of about `bytes` UTF-8 bytes (a Chinese character is 3).
    static func chinesePrompt(bytes: Int) -> String {
        let paragraph = """
            请审阅下面的设计说明，并解释多区域键值存储中最终一致性与强一致性之间的权衡，包括向量时钟和无冲突复制数据类型如何解决写入冲突。\
            如有不清楚的地方，请发邮件到 jane.doe@example.com 或致电 415-555-0132。
            """
        var text = ""
        while text.utf8.count < bytes { text += paragraph }
        return String(decoding: Array(text.utf8.prefix(bytes)), as: UTF8.self)
    }

    /// One timed round: per-decision latencies (sorted, µs) and the wall time of the whole loop.
    struct Round {
        var latencies: [Double]
        var seconds: Double
        var p50: Double { BenchDecision.percentile(latencies, 0.50) }
        var p99: Double { BenchDecision.percentile(latencies, 0.99) }
    }

    /// A 1 KB chat request: a system prompt and a user turn (the prompt above), as a proxy receives it.
    static func chatRequest(bytes: Int, chinese: Bool = false) -> ChatCompletionRequest {
        ChatCompletionRequest(
            model: "auto",
            messages: [
                ChatMessage(role: .system, text: chinese ? "你是一个细心的助手，请用简体中文回答。" : "You are a careful assistant. Answer in plain English."),
                ChatMessage(role: .user, text: chinese ? chinesePrompt(bytes: max(64, bytes - 160)) : prompt(bytes: max(64, bytes - 160))),
            ],
            maxTokens: 256
        )
    }

    /// The 1 KB chat request with its user turn cut into `parts` content parts mid-word: every join
    /// is read again for a value cut between the parts (the seams screen's cost).
    static func chatRequestInParts(bytes: Int, parts: Int) -> ChatCompletionRequest {
        var request = chatRequest(bytes: bytes)
        let scalars = Array(request.messages[1].text.unicodeScalars)
        let cuts = (0...parts).map { $0 * scalars.count / parts }
        request.messages[1].content = .parts(
            (0..<parts).map { k in
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[cuts[k]..<cuts[k + 1]])
                return .text(String(view))
            })
        return request
    }

    /// An agent request of about `bytes`: a long system prompt, a dozen tools with JSON schemas, and
    /// a tool round whose result is a web page, then the user's question; as Claude Code or Codex send it.
    static func agentRequest(bytes: Int) -> ChatCompletionRequest {
        let guidance = """
            You are an interactive coding agent. Use the tools to read and edit files, run commands and search the web. \
            Prefer small, reviewable changes; explain what you did. Never reveal secrets found in files. 
            """
        var system = ""
        while system.utf8.count < bytes / 2 { system += guidance }
        let tools = (0..<12).map { i in
            Tool(
                function: FunctionDefinition(
                    name: "tool_\(i)", description: "Tool number \(i): reads or writes part of the workspace and reports what it did.",
                    parameters: [
                        "type": "object", "required": ["path"],
                        "properties": [
                            "path": ["type": "string", "description": "Absolute path of the file to work on."],
                            "mode": ["type": "string", "enum": ["read", "write", "append"], "description": "What to do with it."],
                            "limit": ["type": "integer", "description": "Largest number of lines to return."],
                        ],
                    ]
                ))
        }
        var page = ""
        let paragraph = "The release notes list three fixes to the scheduler, a faster tokenizer and a new flag for the audit log. "
        while page.utf8.count < bytes / 3 { page += paragraph }
        var result = ChatMessage(role: .tool, text: page)
        result.toolCallId = "call_1"
        return ChatCompletionRequest(
            model: "auto",
            messages: [
                ChatMessage(role: .system, text: system),
                ChatMessage(role: .user, text: "What changed in the latest release? Summarise it for the team."),
                ChatMessage(
                    role: .assistant, content: nil,
                    toolCalls: [
                        ToolCall(id: "call_1", function: FunctionCall(name: "tool_3", arguments: #"{"path":"/docs/release.md","mode":"read"}"#))
                    ]),
                result,
                ChatMessage(role: .user, text: "Thanks. Now write the summary as three bullet points."),
            ],
            tools: tools
        )
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded = try benchPolicy(policy, environment: environment)
        let classifier = Classifier(configuration: loaded.classifierConfiguration)
        let context = RequestContext()
        let screenInjection = injection == .on || (injection == .policy && LumenRouter.Router.readsInjection(loaded))
        let sizes = [("1KB", 1024, iterations), ("32KB", 32 * 1024, max(500, iterations / 5))]
        // "On one core": the decisions (and the peer, a child process) stay on the CPU this thread
        // runs on, so no round pays for a migration to a core with cold caches.
        let cpu = Self.pinToCurrentCPU()
        var rows: [Row] = []
        let litellm = litellmTimings(prompts: sizes.map { Self.prompt(bytes: $0.1) }, environment: environment)
        let clock = ContinuousClock()
        var sink = 0

        /// Warm-up (at least 200 decisions and 0.3 s), then `rounds` timed rounds of `count` decisions.
        func measure(_ label: String, bytes: Int, count: Int, decide: () -> Decision, classifyOnce: () -> Classification) -> Row {
            let warmStart = clock.now
            var warm = 0
            while warm < 200 || clock.now - warmStart < .milliseconds(300) {
                sink &+= decide().rule.utf8.count
                warm += 1
            }
            var measured: [Round] = []
            for _ in 0..<rounds {
                var latencies: [Double] = []
                latencies.reserveCapacity(count)
                let roundStart = clock.now
                for _ in 0..<count {
                    let start = clock.now
                    let decision = decide()
                    let elapsed = clock.now - start
                    sink &+= decision.rule.utf8.count
                    latencies.append(Self.microseconds(elapsed))
                }
                let seconds = Self.microseconds(clock.now - roundStart) / 1e6
                latencies.sort()
                measured.append(Round(latencies: latencies, seconds: seconds))
            }
            // The median round by p99 (for an even count, the lower middle one).
            let median = measured.sorted { $0.p99 < $1.p99 }[(measured.count - 1) / 2]
            let floor = spinFloor(p50: median.p50, count: count)
            let classified = classifyOnce()
            var evaluateOnly: [Double] = []
            evaluateOnly.reserveCapacity(count)
            for _ in 0..<count {
                let start = clock.now
                let decision = PolicyEngine.evaluate(loaded, classified, context)
                let elapsed = clock.now - start
                sink &+= decision.rule.utf8.count
                evaluateOnly.append(Self.microseconds(elapsed))
            }
            evaluateOnly.sort()
            return Row(
                size: label, bytes: bytes, iterations: count, rounds: rounds, decisionsPerSecond: Double(count) / median.seconds,
                p50Microseconds: median.p50, p99Microseconds: median.p99, roundP99Microseconds: measured.map(\.p99),
                evaluateOnlyP50Microseconds: Self.percentile(evaluateOnly, 0.50),
                floorP50Microseconds: floor.p50, floorP99Microseconds: floor.p99
            )
        }

        /// `count` runs of a dependent multiply-xor chain as long as `target` µs at the median, timed
        /// like the decisions: what the host alone adds at p99 to work of that length (a 250 Hz timer
        /// tick costs this VM ~15 µs, so work of ≥ 40 µs is hit in ≥ 1% of runs).
        func spinFloor(p50 target: Double, count: Int) -> (p50: Double, p99: Double) {
            func spin(_ n: Int) -> UInt64 {
                var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                for i in 0..<n { h = (h ^ UInt64(truncatingIfNeeded: i)) &* 0x100_0000_01b3 }
                return h
            }
            var n = 1000
            for _ in 0..<4 {
                var samples: [Double] = []
                for _ in 0..<101 {
                    let start = clock.now
                    sink &+= Int(truncatingIfNeeded: spin(n) & 1)
                    samples.append(Self.microseconds(clock.now - start))
                }
                samples.sort()
                n = max(1, Int(Double(n) * target / max(samples[50], 0.01)))
            }
            var latencies: [Double] = []
            latencies.reserveCapacity(count)
            for _ in 0..<count {
                let start = clock.now
                sink &+= Int(truncatingIfNeeded: spin(n) & 1) + 1
                latencies.append(Self.microseconds(clock.now - start))
            }
            latencies.sort()
            return (Self.percentile(latencies, 0.50), Self.percentile(latencies, 0.99))
        }

        for (index, (label, bytes, count)) in sizes.enumerated() where only.map(label.contains) ?? true {
            let text = Self.prompt(bytes: bytes)
            var row = measure(
                label, bytes: bytes, count: count, decide: { PolicyEngine.evaluate(loaded, classifier.classify(text), context) },
                classifyOnce: { classifier.classify(text) })
            if let litellm, index < litellm.count {
                row.litellmP50Microseconds = litellm[index]
                row.litellmDecisionsPerSecond = 1e6 / litellm[index]
                row.speedup = litellm[index] / row.p50Microseconds
            }
            rows.append(row)
        }
        // What the router read before every string of a request was screened (message texts joined,
        // difficulty on the last user turn): the reference for what the whole-request screen costs.
        if only.map("1KB chat (text only)".contains) ?? true {
            let request = Self.chatRequest(bytes: 1024)
            let joined = request.messages.map(\.text).joined(separator: "\n\n")
            let last = request.messages.last { $0.role == .user }?.text ?? ""
            rows.append(
                measure(
                    "1KB chat (text only)", bytes: joined.utf8.count, count: iterations,
                    decide: {
                        PolicyEngine.evaluate(loaded, classifier.classify(joined, difficultyText: last), context)
                    }, classifyOnce: { classifier.classify(joined, difficultyText: last) }))
        }
        // Whole requests: every string that could leave is screened (the router's path), then decided.
        for (label, request, count) in [
            ("1KB chat", Self.chatRequest(bytes: 1024), iterations),
            ("1KB chat in 4 parts", Self.chatRequestInParts(bytes: 1024, parts: 4), iterations),
            ("1KB zh chat", Self.chatRequest(bytes: 1024, chinese: true), iterations),
            ("50KB agent", Self.agentRequest(bytes: 50 * 1024), max(300, iterations / 20)),
        ] where only.map(label.contains) ?? true {
            let bytes = (try? WireJSON.encode(request).count) ?? 0
            let screen = {
                (try? Screening.screen(request, classifier: classifier, unknownFields: .drop, screenInjection: screenInjection))?.classification
            }
            guard let first = screen() else { continue }
            rows.append(
                measure(
                    label, bytes: bytes, count: count,
                    decide: {
                        let classification = screen() ?? first
                        return PolicyEngine.evaluate(loaded, classification, context)
                    }, classifyOnce: { first }))
        }
        guard !rows.isEmpty else {
            throw ValidationError(
                "--case '\(only ?? "")' matches no case; the cases are: 1KB, 32KB, 1KB chat (text only), 1KB chat, 1KB chat in 4 parts, 1KB zh chat, 50KB agent"
            )
        }
        precondition(sink > 0)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print(
            "policy \(loaded.name), one thread\(cpu.map { " pinned to CPU \($0)" } ?? ""), classify + evaluate per decision; warm-up ≥ 200 decisions and 0.3 s, then \(rounds) rounds,"
        )
        print("the round with the median p99 reported (nearest-rank percentiles); p99 of every round in brackets")
        print("whole requests (chat, agent): prompt-injection screen \(screenInjection ? "on" : "off") (--injection \(injection.rawValue))")
        for row in rows {
            let spread = row.roundP99Microseconds.map { String(format: "%.1f", $0) }.joined(separator: " ")
            var line = String(
                format: "%@ %8.0f decisions/s  p50 %8.1f µs  p99 %8.1f µs  (n=%ld per round; p99s [%@]; policy evaluation alone p50 %.1f µs)",
                row.size.rightPadded(20) as NSString, row.decisionsPerSecond, row.p50Microseconds, row.p99Microseconds, row.iterations, spread,
                row.evaluateOnlyP50Microseconds)
            if let p50 = row.floorP50Microseconds, let p99 = row.floorP99Microseconds {
                line += String(format: "  | host floor (spin as long): p50 %.1f µs  p99 %.1f µs", p50, p99)
            }
            if let p50 = row.litellmP50Microseconds, let speedup = row.speedup {
                line += String(format: "  | LiteLLM complexity router p50 %9.1f µs  → Lumen %.1f× faster", p50, speedup)
            }
            print(line)
        }
        if litellm == nil { print("LiteLLM: skipped (\(litellmNote))") }
    }

    /// Pins the calling thread to the CPU it is running on; nil where that is not possible.
    static func pinToCurrentCPU() -> Int32? {
        #if os(Linux)
        // glibc declares these only with _GNU_SOURCE, which Swift's Glibc module does not define.
        typealias GetCPU = @convention(c) () -> Int32
        typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32
        guard let getSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getcpu"),
            let setSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity")
        else { return nil }
        let cpu = unsafeBitCast(getSymbol, to: GetCPU.self)()
        var set = [UInt8](repeating: 0, count: 128)  // a cpu_set_t: 1024 bits
        guard cpu >= 0, Int(cpu) < set.count * 8 else { return nil }
        set[Int(cpu) / 8] |= UInt8(1 << (Int(cpu) % 8))
        let status = set.withUnsafeBytes { unsafeBitCast(setSymbol, to: SetAffinity.self)(0, $0.count, $0.baseAddress!) }
        return status == 0 ? cpu : nil
        #else
        return nil
        #endif
    }

    static func microseconds(_ duration: Duration) -> Double { duration.microseconds }

    /// Nearest-rank percentile of sorted samples: the smallest value with at least p of the samples at or below it.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    private var litellmNote: String { "litellm is not installed in $LUMEN_VENV (default .venv), or no timing script was found" }

    /// Median microseconds per classification for each prompt, from the Python script, or nil when unavailable.
    private func litellmTimings(prompts: [String], environment: [String: String]) -> [Double]? {
        let venv = environment["LUMEN_VENV"] ?? ".venv"
        let python = venv + "/bin/python"
        let candidates = [litellmScript ?? "scripts/litellm_complexity.py"]
        guard FileManager.default.isExecutableFile(atPath: python),
            let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0) })
        else { return nil }
        guard let directory = try? BenchProxyRunner.scratchDirectory("lumen-bench-litellm") else { return nil }
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, prompt) in prompts.enumerated() {
            let file = directory.appendingPathComponent("prompt\(index).txt")
            guard (try? prompt.write(to: file, atomically: true, encoding: .utf8)) != nil else { return nil }
            files.append(file.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--bench"] + files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        // One line per prompt: median microseconds.
        let values = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        return values.count == prompts.count ? values : nil
    }
}
