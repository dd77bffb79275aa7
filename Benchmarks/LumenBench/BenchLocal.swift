import ArgumentParser
import Foundation
import LumenLocalRuntime

struct BenchLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract:
            "Local runtime speed (prompt processing, generation, time to first token, 1/2/4 concurrent requests) next to llama-cpp-python on the same model, threads, prompt and token budget; a grammar-constrained tool call against plain generation of the same length.",
        discussion: "Use a release build for meaningful numbers: swift build -c release, then .build/release/lumen-bench local."
    )

    @Option(help: "GGUF model file (default: $LUMEN_MODEL, else the SmolLM2 GGUF in the repository's .venv).")
    var model: String?

    @Option(help: "CPU threads, for both runtimes.")
    var threads: Int = LocalRuntimeOptions.defaultThreads

    @Option(help: "Tokens to generate per request.")
    var maxTokens: Int = 128

    @Option(help: "Measured runs per configuration (the median is reported).")
    var runs: Int = 3

    @Option(help: "Python virtualenv with llama-cpp-python (default: $LUMEN_VENV, else .venv in the repository).")
    var venv: String?

    @Flag(help: "Skip the llama-cpp-python peer.")
    var skipPython = false

    @Flag(help: "Use flash attention in both runtimes (llama-cpp-python's default is off, so off here too).")
    var flashAttention = false

    @Flag(help: "Only the grammar-constrained tool call against plain generation of the same length.")
    var toolsOnly = false

    @Flag(help: "Skip the constrained tool call measurement.")
    var skipTools = false

    /// A fixed prompt of a few hundred tokens that asks for a long answer.
    static let turns: [ChatTurn] = [
        .system("You are a helpful assistant who writes clear, detailed and well organised answers."),
        .user(
            """
            Here are some notes about a small coastal town. The town has a harbour with fishing boats, a lighthouse \
            on the northern cliffs, a market square where farmers sell vegetables every Saturday, a library in an old \
            stone building, a school with two hundred pupils, and a railway station with trains to the city twice a day. \
            In winter, storms often close the harbour and the ferry to the island stops running. In summer, tourists \
            come for the beaches, the seafood restaurants and the music festival in the park. The town council wants \
            to attract more visitors in spring and autumn without harming the quiet character of the place.
            Write a detailed plan for the town council with at least ten concrete ideas, explaining for each idea who \
            would organise it, what it would cost, and how it would help the town.
            """
        ),
    ]

    struct Measure {
        var promptTokens = 0
        var completionTokens = 0
        var ttft = 0.0
        var total = 0.0
        var promptRate: Double { ttft > 0 ? Double(promptTokens) / ttft : 0 }
        var generationRate: Double { completionTokens > 1 && total > ttft ? Double(completionTokens - 1) / (total - ttft) : 0 }
    }

    struct PythonRun: Decodable {
        var prompt_tokens: Int
        var completion_tokens: Int
        var ttft_s: Double
        var total_s: Double
        var error: String?
    }

    func run() async throws {
        do {
            guard runs >= 1, maxTokens >= 2, threads >= 1 else {
                throw LocalRuntimeError.invalidParameters("--runs ≥ 1, --max-tokens ≥ 2 and --threads ≥ 1 are required")
            }
            let path = try benchModelPath(model)
            let runtime = try LocalRuntime(
                modelPath: path,
                options: LocalRuntimeOptions(slots: 4, queueLimit: 0, threads: threads, contextLength: 1024, flashAttention: flashAttention)
            )
            if toolsOnly {
                writeOut(try await ToolCallBench(runtime: runtime, runs: runs).run(plainTurns: BenchLocal.turns))
                return
            }
            let prompt = try runtime.prompt(for: BenchLocal.turns)
            let parameters = SamplingParameters.greedy(maxTokens: maxTokens)
            writeErr("bench: \(runtime.metadata.name), \(threads) threads, \(maxTokens) max tokens, \(runs) runs each (medians)\n")

            _ = try await runtime.completePrompt(prompt, parameters: .greedy(maxTokens: 4))  // warm-up
            // Single requests interleaved with the peer's runs, so both see the same machine load.
            var single: [Measure] = []
            var python: [Measure] = []
            var pythonNote: String?
            for _ in 0..<runs {
                single.append(try await measure(runtime, prompt: prompt, parameters: parameters))
                if !skipPython, pythonNote == nil {
                    do {
                        python += try runPython(model: path, prompt: prompt)
                    } catch {
                        pythonNote = "llama-cpp-python peer failed: \(error)"
                    }
                }
            }
            var aggregate: [Int: [Concurrent]] = [:]
            for concurrency in [1, 2, 4] {
                for _ in 0..<runs {
                    aggregate[concurrency, default: []].append(
                        try await measureConcurrent(runtime, prompt: prompt, parameters: parameters, concurrency: concurrency)
                    )
                }
            }

            report(single: single, aggregate: aggregate, python: python, pythonNote: pythonNote)
            if !skipPython { writeOut(batchedCeiling(model: path, prompt: prompt)) }
            if !skipTools { writeOut(try await ToolCallBench(runtime: runtime, runs: runs).run(plainTurns: BenchLocal.turns)) }
        }
    }

    private func measure(_ runtime: LocalRuntime, prompt: String, parameters: SamplingParameters) async throws -> Measure {
        let summary = try await runtime.completePrompt(prompt, parameters: parameters).summary
        return Measure(
            promptTokens: summary.promptTokens,
            completionTokens: summary.completionTokens,
            ttft: summary.timeToFirstToken?.seconds ?? summary.totalTime.seconds,
            total: summary.totalTime.seconds
        )
    }

    /// Throughput of `concurrency` simultaneous requests.
    struct Concurrent {
        /// All generated tokens over the wall time from submission to the last answer, prompt processing included.
        var endToEnd = 0.0
        /// Tokens generated while every request was decoding (after the last first token, before the first answer ended),
        /// over that window: what batching the decode steps buys, without the prompt processing it cannot speed up.
        var decoding = 0.0
    }

    /// One request's stream as the client saw it: when each piece of text arrived, and the final summary.
    private struct Observed: Sendable {
        var arrivals: [ContinuousClock.Instant] = []
        var summary: GenerationSummary?
    }

    private func measureConcurrent(
        _ runtime: LocalRuntime, prompt: String, parameters: SamplingParameters, concurrency: Int
    ) async throws -> Concurrent {
        let start = ContinuousClock.now
        let observed = try await withThrowingTaskGroup(of: Observed.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var seen = Observed()
                    for try await event in try runtime.streamPrompt(prompt, parameters: parameters) {
                        switch event {
                        case .text: seen.arrivals.append(.now)
                        case .finished(let summary): seen.summary = summary
                        }
                    }
                    return seen
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let wall = (ContinuousClock.now - start).seconds
        let tokens = observed.reduce(0) { $0 + ($1.summary?.completionTokens ?? 0) }
        var result = Concurrent(endToEnd: Double(tokens) / wall)
        // The steady-state window in which all requests were decoding; text pieces are counted in it and
        // scaled to tokens by each request's tokens-per-piece (1 for plain English text).
        guard let windowStart = observed.compactMap(\.arrivals.first).max(),
            let windowEnd = observed.compactMap(\.arrivals.last).min(), windowEnd > windowStart
        else { return result }
        var decoded = 0.0
        for request in observed {
            let inside = request.arrivals.count(where: { $0 > windowStart && $0 <= windowEnd })
            decoded += Double(inside) * Double(request.summary?.completionTokens ?? 0) / Double(request.arrivals.count)
        }
        result.decoding = decoded / (windowEnd - windowStart).seconds
        return result
    }

    private struct PeerError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `scripts/NAME` with the virtualenv's Python, the prompt in a file (`--prompt-file`) and the
    /// model (`--model`), and returns its standard output's lines (one JSON object each).
    private func runPeerScript(_ name: String, model: String, prompt: String, arguments: [String]) throws -> [Substring] {
        let roots = ModelLocator.repositoryRoots()
        guard let root = roots.first(where: { FileManager.default.fileExists(atPath: "\($0)/scripts/\(name)") }) else {
            throw PeerError(description: "scripts/\(name) not found (run from the repository)")
        }
        let venvPath = venv ?? ProcessInfo.processInfo.environment["LUMEN_VENV"] ?? "\(root)/.venv"
        let python = "\(venvPath)/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw PeerError(description: "\(python) not found (run scripts/setup.sh or set LUMEN_VENV)")
        }
        let promptFile = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-bench-prompt-\(UUID().uuidString).txt")
        try Data(prompt.utf8).write(to: promptFile)
        defer { try? FileManager.default.removeItem(at: promptFile) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["\(root)/scripts/\(name)", "--model", model, "--prompt-file", promptFile.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerError(description: "\(name) exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
    }

    private func runPython(model: String, prompt: String) throws -> [Measure] {
        let lines = try runPeerScript(
            "bench_llama_cpp_python.py", model: model, prompt: prompt,
            arguments: ["--threads", String(threads), "--max-tokens", String(maxTokens), "--context", "1024", "--runs", "1"]
                + (flashAttention ? ["--flash-attn"] : [])
        )
        let decoder = JSONDecoder()
        return try lines.map { line in
            let run = try decoder.decode(PythonRun.self, from: Data(line.utf8))
            if let error = run.error { throw PeerError(description: error) }
            return Measure(promptTokens: run.prompt_tokens, completionTokens: run.completion_tokens, ttft: run.ttft_s, total: run.total_s)
        }
    }

    struct BatchedRun: Decodable {
        var sequences: Int?
        var decode_tps: Double?
        var ratio_to_one: Double?
        var error: String?
    }

    /// llama.cpp's own multi-sequence decode of the same prompt (one token of every sequence per
    /// `llama_decode`, no scheduler), through llama-cpp-python's low-level bindings: what batching can
    /// buy on this machine, model and thread count, for any runtime on this libllama.
    private func batchedCeiling(model: String, prompt: String) -> String {
        do {
            let lines = try runPeerScript(
                "bench_llama_batched.py", model: model, prompt: prompt,
                arguments: ["--threads", String(threads), "--steps", String(maxTokens), "--sequences", "1,2,4", "--rounds", String(runs)]
                    + (flashAttention ? ["--flash-attn"] : [])
            )
            var text =
                "llama.cpp's own batched decode (llama-cpp-python low-level API, same libllama, \(threads) threads, \(maxTokens) steps; the ceiling for any runtime on it):\n"
            for line in lines {
                let run = try JSONDecoder().decode(BatchedRun.self, from: Data(line.utf8))
                if let error = run.error { throw PeerError(description: error) }
                guard let n = run.sequences, let rate = run.decode_tps, let ratio = run.ratio_to_one else { continue }
                text += String(format: "  %d sequence%@: %.1f tokens/s decoding (%.2f× of 1)\n", n, n == 1 ? "" : "s", rate, ratio)
            }
            return text
        } catch {
            return "llama.cpp batched-decode ceiling not measured: \(error)\n"
        }
    }

    private func report(single: [Measure], aggregate: [Int: [Concurrent]], python: [Measure], pythonNote: String?) {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        func row(_ name: String, _ lumen: Double, _ peer: Double?, higherIsBetter: Bool = true, format: String = "%.1f") -> String {
            let left = String(format: format, lumen)
            guard let peer, peer > 0 else { return name.padding(toLength: 38, withPad: " ", startingAt: 0) + left.leftPadded(12) + "\n" }
            let ratio = higherIsBetter ? lumen / peer : peer / lumen
            return name.padding(toLength: 38, withPad: " ", startingAt: 0) + left.leftPadded(12)
                + String(format: format, peer).leftPadded(18) + String(format: "%.2f×", ratio).leftPadded(10) + "\n"
        }
        let hasPeer = !python.isEmpty
        let peer = { (values: [Double]) -> Double? in hasPeer ? median(values) : nil }
        let first = single.first ?? Measure()
        var text = "prompt: \(first.promptTokens) tokens; completion: \(first.completionTokens) tokens (greedy)"
        if let p = python.first { text += "; llama-cpp-python: \(p.promptTokens) prompt, \(p.completionTokens) completion tokens" }
        text += "\n\n" + "".padding(toLength: 38, withPad: " ", startingAt: 0) + "lumen".leftPadded(12)
        text += (hasPeer ? "llama-cpp-python".leftPadded(18) + "ratio".leftPadded(10) : "") + "\n"
        text += row("prompt processing (tokens/s)", median(single.map(\.promptRate)), peer(python.map(\.promptRate)))
        text += row("generation (tokens/s)", median(single.map(\.generationRate)), peer(python.map(\.generationRate)))
        text += row(
            "time to first token (ms)", median(single.map { $0.ttft * 1000 }), peer(python.map { $0.ttft * 1000 }), higherIsBetter: false,
            format: "%.0f"
        )
        // The peer serves one request at a time: its aggregate at any concurrency is its single-request rate.
        let peerEndToEnd = peer(python.map { $0.total > 0 ? Double($0.completionTokens) / $0.total : 0 })
        let peerDecoding = peer(python.map(\.generationRate))
        let measures: [(String, KeyPath<Concurrent, Double>, Double?)] = [
            ("end to end", \.endToEnd, peerEndToEnd), ("decoding", \.decoding, peerDecoding),
        ]
        for (label, path, peerValue) in measures {
            let base = median((aggregate[1] ?? []).map { $0[keyPath: path] })
            for concurrency in [1, 2, 4] {
                let value = median((aggregate[concurrency] ?? []).map { $0[keyPath: path] })
                let name = "\(concurrency) concurrent, \(label) (tokens/s)"
                text += row(name, value, peerValue).dropLast() + (base > 0 ? String(format: "   (%.2f× of 1)", value / base) : "") + "\n"
            }
        }
        text += "(end to end: all generated tokens over the wall time of the N requests, each one's prompt processing included;\n"
        text += " decoding: tokens/s while all N requests were generating. llama-cpp-python serves one request at a time,\n"
        text += " so its column is its single-request rate.)\n"
        if let pythonNote { text += pythonNote + "\n" }
        writeOut(text)
    }
}
