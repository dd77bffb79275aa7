import ArgumentParser
import Foundation
import LumenLocalRuntime

/// Sampling and model options shared by `generate` and `chat`.
struct LocalGenerationOptions: ParsableArguments {
    @Option(help: "GGUF model file (default: $LUMEN_MODEL, else the SmolLM2 GGUF in the repository's .venv).")
    var model: String?

    @Option(help: "Maximum tokens to generate.")
    var maxTokens: Int = 256

    @Option(help: "Sampling temperature (0 = greedy, deterministic).")
    var temperature: Double = 0.7

    @Option(help: "Nucleus sampling threshold (1 = off).")
    var topP: Double = 0.95

    @Option(help: "Top-k sampling (0 = off).")
    var topK: Int = 40

    @Option(help: "Random seed (default: a fresh one per request).")
    var seed: UInt32?

    @Option(help: "Stop sequence (repeatable); not included in the output.")
    var stop: [String] = []

    @Option(help: "System message.")
    var system: String?

    @Option(help: "CPU threads for llama.cpp.")
    var threads: Int = LocalRuntimeOptions.defaultThreads

    @Option(help: "Context length (tokens).")
    var contextLength: Int?

    @Flag(help: "Show llama.cpp's own log output.")
    var verbose = false

    var sampling: SamplingParameters {
        SamplingParameters(temperature: temperature, topP: topP, topK: topK, seed: seed, maxTokens: maxTokens, stop: stop)
    }

    func loadRuntime(slots: Int = 1) throws -> LocalRuntime {
        let path = try resolveModelPath(model)
        return try LocalRuntime(
            modelPath: path,
            options: LocalRuntimeOptions(slots: slots, queueLimit: 0, threads: threads, contextLength: contextLength, verboseLlamaLog: verbose)
        )
    }
}

/// The model to use: `--model`, else the default (`LUMEN_MODEL`, the repository's `.venv`).
func resolveModelPath(_ explicit: String?) throws -> String {
    if let explicit { return explicit }
    guard let path = LocalRuntime.defaultModelPath(environment: ProcessInfo.processInfo.environment) else { throw LocalRuntimeError.noDefaultModel }
    return path
}

/// Runs `body`, turning runtime errors into a message on standard error and exit code 1.
func reportingLocalErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as LocalRuntimeError {
        FileHandle.standardError.write(Data("lumen: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}

func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeErr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a reply to PROMPT with the embedded llama.cpp runtime, streamed to standard output."
    )

    @OptionGroup var options: LocalGenerationOptions

    @Flag(help: "Print token usage and speed to standard error at the end.")
    var stats = false

    @Argument(help: "The user message.")
    var prompt: String

    func run() async throws {
        try await reportingLocalErrors {
            let runtime = try options.loadRuntime()
            var turns: [ChatTurn] = []
            if let system = options.system { turns.append(.system(system)) }
            turns.append(.user(prompt))
            for try await event in try runtime.stream(turns, parameters: options.sampling) {
                switch event {
                case .text(let piece):
                    writeOut(piece)
                case .finished(let summary):
                    writeOut("\n")
                    if stats { writeErr(describe(summary) + "\n") }
                }
            }
        }
    }
}

/// One line of usage and speed for a finished request.
func describe(_ summary: GenerationSummary) -> String {
    let total = summary.totalTime.seconds
    let ttft = summary.timeToFirstToken?.seconds ?? total
    let generation = total - ttft
    let rate = summary.completionTokens > 1 && generation > 0 ? Double(summary.completionTokens - 1) / generation : 0
    return String(
        format: "[%d prompt + %d completion tokens, finish: %@, first token %.0f ms, %.1f tokens/s]",
        summary.promptTokens, summary.completionTokens, summary.finishReason.rawValue, ttft * 1000, rate
    )
}

struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with the local model: one user message per line on standard input (interactive or piped)."
    )

    @OptionGroup var options: LocalGenerationOptions

    func run() async throws {
        try await reportingLocalErrors {
            let runtime = try options.loadRuntime()
            let interactive = isatty(STDIN_FILENO) == 1
            var turns: [ChatTurn] = []
            if let system = options.system { turns.append(.system(system)) }
            if interactive { writeErr("lumen chat — \(runtime.metadata.name); one message per line, Ctrl-D to quit\n") }
            while true {
                if interactive { writeErr("> ") }
                guard let line = readLine() else { break }
                let message = line.trimmingCharacters(in: .whitespaces)
                if message.isEmpty { continue }
                turns.append(.user(message))
                let answer = try await reply(runtime, turns: &turns)
                turns.append(.assistant(answer))
            }
        }
    }

    /// Streams the assistant's answer; when the conversation outgrows the context, the oldest turns are dropped.
    private func reply(_ runtime: LocalRuntime, turns: inout [ChatTurn]) async throws -> String {
        while true {
            do {
                var answer = ""
                for try await event in try runtime.stream(turns, parameters: options.sampling) {
                    if case .text(let piece) = event {
                        answer += piece
                        writeOut(piece)
                    }
                }
                writeOut("\n")
                return answer
            } catch LocalRuntimeError.promptTooLong(let promptTokens, let contextLength) {
                let first = turns.first?.role == "system" ? 1 : 0
                guard turns.count - first > 1 else {
                    throw LocalRuntimeError.promptTooLong(promptTokens: promptTokens, contextLength: contextLength)
                }
                turns.removeSubrange(first..<min(first + 2, turns.count - 1))
            }
        }
    }
}

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List local GGUF models (the default, $LUMEN_MODEL, --dir) and their metadata."
    )

    @Option(help: "Also list the GGUF files in this directory (repeatable).")
    var dir: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    struct Entry: Codable {
        var source: String
        var path: String
        var metadata: ModelMetadata?
        var error: String?
    }

    func run() async throws {
        var candidates: [(String, String)] = []
        if let path = ProcessInfo.processInfo.environment["LUMEN_MODEL"], !path.isEmpty { candidates.append(("LUMEN_MODEL", path)) }
        for root in ModelLocator.repositoryRoots() {
            if let path = ModelLocator.smolLMInVenv(URL(fileURLWithPath: root).appendingPathComponent(".venv").path) {
                candidates.append(("default (.venv)", path))
                break
            }
        }
        for directory in dir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                writeErr("lumen: --dir \(directory) is not a directory\n")
                throw ExitCode.failure
            }
            candidates += ModelLocator.ggufFiles(in: directory).map { ("--dir \(directory)", $0) }
        }
        var seen: Set<String> = []
        var entries: [Entry] = []
        for (source, path) in candidates {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            guard seen.insert(absolute).inserted else { continue }
            do {
                entries.append(Entry(source: source, path: absolute, metadata: try ModelMetadata.read(path: path), error: nil))
            } catch {
                entries.append(Entry(source: source, path: absolute, metadata: nil, error: error.description))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            writeOut(String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n")
            return
        }
        if entries.isEmpty {
            writeOut("no local models found (set LUMEN_MODEL, pass --dir, or run scripts/setup.sh)\n")
            return
        }
        for entry in entries {
            guard let m = entry.metadata else {
                writeOut("\(entry.path)  [\(entry.source)]\n  error: \(entry.error ?? "unknown")\n\n")
                continue
            }
            writeOut(
                """
                \(m.name)  [\(entry.source)]
                  path:          \(m.path)
                  architecture:  \(m.architecture)
                  parameters:    \(String(format: "%.1fM", Double(m.parameters) / 1e6))
                  context:       \(m.trainingContextLength.map(String.init) ?? "unknown") tokens (trained)
                  quantisation:  \(m.quantization)
                  file size:     \(String(format: "%.1f MiB", Double(m.fileSize) / 1_048_576))
                  layers:        \(m.layers.map(String.init) ?? "unknown"), embedding \(m.embeddingLength.map(String.init) ?? "unknown")
                  chat template: \(m.chatTemplate.map { "embedded (\($0.count) characters)" } ?? "none (llama.cpp default: chatml)")
                  GGUF version:  \(m.ggufVersion)


                """
            )
        }
    }
}
