import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Locations and processes for the end-to-end tests: the built `lumen` binary (env `LUMEN_BIN`,
/// else `.build/debug/lumen` under the repository root), the repository's Python venv (env
/// `LUMEN_VENV`, else `.venv`) with the `openai` SDK, and the default model.
enum Harness {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        ProcessInfo.processInfo.environment["LUMEN_BIN"] ?? repoRoot.appendingPathComponent(".build/debug/lumen").path
    }

    static var venv: String {
        ProcessInfo.processInfo.environment["LUMEN_VENV"] ?? repoRoot.appendingPathComponent(".venv").path
    }

    static var python: String { venv + "/bin/python" }

    static var hasBinary: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    static var hasOpenAISDK: Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let libs = (try? FileManager.default.contentsOfDirectory(atPath: venv + "/lib")) ?? []
        return libs.contains { FileManager.default.fileExists(atPath: "\(venv)/lib/\($0)/site-packages/openai") }
    }

    /// The default GGUF (LUMEN_MODEL, else SmolLM2 inside the venv).
    static var modelPath: String? {
        if let path = ProcessInfo.processInfo.environment["LUMEN_MODEL"], FileManager.default.fileExists(atPath: path) { return path }
        guard let enumerator = FileManager.default.enumerator(atPath: venv + "/lib") else { return nil }
        while let item = enumerator.nextObject() as? String {
            if item.hasSuffix(".gguf") && item.contains("SmolLM2") { return venv + "/lib/" + item }
        }
        return nil
    }

    static var ready: Bool { hasBinary && hasOpenAISDK && modelPath != nil }

    static var skipReason: String {
        if !hasBinary { return "lumen binary not found at \(binary) (build first or set LUMEN_BIN)" }
        if !hasOpenAISDK { return "openai SDK not found in \(venv) (run scripts/setup.sh or set LUMEN_VENV)" }
        return "no default model found (run scripts/setup.sh or set LUMEN_MODEL)"
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-e2e-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Lines read from a child's stdout, shared with the test (guarded by a lock).
final class OutputLines: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    func append(_ data: Data) {
        lock.lock()
        buffer += String(decoding: data, as: UTF8.self)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }
}

/// A `lumen serve` child process on a free port.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let stdout = OutputLines()
    let stderr = OutputLines()
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
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

    /// Waits for "listening on http://127.0.0.1:PORT" (the model load can take a few seconds).
    func waitUntilListening(timeout: Double = 120) async throws {
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
    func terminate(timeout: Double = 30) async -> Int32? {
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

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `scripts/e2e_openai_sdk.py SUITE…` with the venv's Python against a server.
func runSDKSuites(_ suites: [String], server: ServerProcess, key: String, extraEnvironment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Harness.python)
    process.arguments = [Harness.repoRoot.appendingPathComponent("scripts/e2e_openai_sdk.py").path] + suites
    var env = ProcessInfo.processInfo.environment
    env["LUMEN_URL"] = server.baseURL
    env["LUMEN_KEY"] = key
    for (k, v) in extraEnvironment { env[k] = v }
    process.environment = env
    let output = OutputLines()
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
    try process.run()
    while process.isRunning { try await Task.sleep(nanoseconds: 50_000_000) }
    try? await Task.sleep(nanoseconds: 100_000_000)
    pipe.fileHandleForReading.readabilityHandler = nil
    output.append(pipe.fileHandleForReading.readDataToEndOfFile())
    return (process.terminationStatus, output.text)
}
