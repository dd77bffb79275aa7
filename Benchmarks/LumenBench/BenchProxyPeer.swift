import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The LiteLLM proxy (PyPI `litellm[proxy]`, installed into `.venv-bench` by `scripts/setup.sh
/// --bench-tools`), the named peer of `lumen-bench proxy`: one worker, the model price map read from
/// its own package (`LITELLM_LOCAL_MODEL_COST_MAP=True`, nothing fetched), and one model, `auto`,
/// routed as an OpenAI-compatible model to the same fake upstream that Lumen forwards to. No master
/// key (Lumen runs without keys in the benchmark too) and LiteLLM's other settings at their defaults.
enum LiteLLMPeer {
    struct Running {
        var process: Process
        var port: Int
        var version: String
    }

    /// Starts the proxy and waits until it answers a chat completion; on failure, the reason (with the
    /// end of its log) and nothing left running.
    static func start(venv: String, upstreamPort: Int, body: String, work: URL, timeout: Double = 240) -> Result<Running, PeerError> {
        let executable = URL(fileURLWithPath: venv).appendingPathComponent("bin/litellm").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            return .failure(
                PeerError("\(executable) not found: run `bash scripts/setup.sh --bench-tools` (installs litellm[proxy] into .venv-bench)"))
        }
        let python = URL(fileURLWithPath: venv).appendingPathComponent("bin/python").path
        let version =
            (try? output(python, ["-c", "import importlib.metadata as m; print(m.version('litellm'))"]))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        let port: Int
        do {
            port = try BenchProxyRunner.freePort()
        } catch {
            return .failure(PeerError("no free port: \(error)"))
        }
        let config = work.appendingPathComponent("litellm.yaml")
        let log = work.appendingPathComponent("litellm.log")
        do {
            try """
            model_list:
              - model_name: auto
                litellm_params:
                  model: openai/bench-model
                  api_base: http://127.0.0.1:\(upstreamPort)/v1
                  api_key: bench-key
            general_settings:
              # No key on either side of the comparison (lumen serve runs without --keys here).
              dangerously_permit_weak_or_unset_master_key: true
            """.write(to: config, atomically: true, encoding: .utf8)
            try Data().write(to: log)
        } catch {
            return .failure(PeerError("could not write its config: \(error)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config", config.path, "--host", "127.0.0.1", "--port", String(port), "--num_workers", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        process.environment = environment
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: log)
        } catch {
            return .failure(PeerError("could not open its log: \(error)"))
        }
        process.standardOutput = handle
        process.standardError = handle
        do {
            try process.run()
        } catch {
            return .failure(PeerError("could not start \(executable): \(error)"))
        }
        func failed(_ why: String) -> Result<Running, PeerError> {
            BenchProxyRunner.stop(process)
            let tail = (try? String(contentsOf: log, encoding: .utf8)).map { tailLines($0, 12) } ?? ""
            return .failure(PeerError(why + (tail.isEmpty ? "" : "; the end of its log:\n" + tail)))
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard process.isRunning else { return failed("it exited with status \(process.terminationStatus) while starting") }
            if let fd = LoadGenerator.connectTo(port: port) {
                close(fd)
                break
            }
            guard Date() < deadline else { return failed("nothing listened on port \(port) within \(Int(timeout)) s") }
            usleep(250_000)
        }
        let check = LoadGenerator.closedLoop(
            Endpoint(port: port, path: "/v1/chat/completions", body: body, authorization: nil), total: 100, connections: 4)
        guard check.errors == 0 else {
            return failed("warm-up failed: \(check.errors) of 100 requests (first status \(check.firstBadStatus ?? 0))")
        }
        return .success(Running(process: process, port: port, version: version))
    }

    struct PeerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func tailLines(_ text: String, _ count: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).map { "    " + $0 }.joined(separator: "\n")
    }

    /// What `executable` prints on standard output (its standard error is dropped).
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
