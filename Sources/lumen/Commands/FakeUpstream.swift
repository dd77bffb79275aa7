import ArgumentParser
import Foundation
import Logging
import LumenFakeUpstream

/// `lumen fake-upstream`: a deterministic OpenAI-compatible (and Anthropic) upstream for trying policies for free.
struct FakeUpstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-upstream",
        abstract: "Run a deterministic fake OpenAI-compatible upstream (and Anthropic /v1/messages with --anthropic).",
        discussion: """
            Faults per request: header `x-fake-fault: delay=500ms,status=500,reset,cut-after=3`, or the
            magic string `[[fault:status=429]]` in the last user message.
            """
    )

    @Option(help: "Port to listen on (0 picks a free port, printed on stdout).")
    var port: Int

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Append every received request as one JSON line to this file.")
    var record: String?

    @Flag(help: "Answer with the last user message verbatim.")
    var echo = false

    @Flag(name: .customLong("tool-round"), help: "Play a model in a tool loop: call an offered shell tool with `echo`, then answer with its output.")
    var toolRound = false

    @Flag(help: "Also serve the Anthropic Messages API at POST /v1/messages.")
    var anthropic = false

    @Option(name: .customLong("fail-first"), help: "Answer the first N completion requests with HTTP 500.")
    var failFirst: Int = 0

    @Option(help: "A fault applied to every request that names none (same syntax as x-fake-fault).")
    var fault: String?

    @Option(name: .customLong("api-key"), help: "Require this API key (Bearer or x-api-key).")
    var apiKey: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard failFirst >= 0 else { throw ValidationError("--fail-first must not be negative") }
        if let fault {
            do {
                _ = try FakeFault(parsing: fault)
            } catch {
                throw ValidationError("--fault: \(error.message)")
            }
        }
    }

    func run() async throws {
        var logger = Logger(label: "lumen.fake-upstream")
        logger.logLevel = .warning
        let options = FakeUpstreamOptions(
            echo: echo,
            toolRound: toolRound,
            anthropic: anthropic,
            recordFile: record,
            failFirst: failFirst,
            defaultFault: try fault.map { try FakeFault(parsing: $0) },
            requiredAPIKey: apiKey,
            retainRecords: false
        )
        let host = self.host
        try await LumenFakeUpstream.FakeUpstream.run(host: host, port: port, options: options, logger: logger) { bound in
            FileHandle.standardOutput.write(Data("fake upstream listening on http://\(host):\(bound)/v1\n".utf8))
        }
    }
}
