import AsyncHTTPClient
import Foundation
import LumenCore
import LumenTestSupport
import Testing

/// `lumen fake-upstream` end to end: the built binary on a free port, hit over HTTP, `--record` checked.
@Suite struct FakeUpstreamCLITests {
    @Test(.enabled(if: Harness.hasBinary, Comment(rawValue: Harness.noBinaryReason)))
    func fakeUpstreamCommand() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("fake-upstream-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: record) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["fake-upstream", "--port", "0", "--host", "127.0.0.1", "--record", record.path, "--echo", "--anthropic"]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }

        // First stdout line: "fake upstream listening on http://127.0.0.1:PORT/v1".
        var line = ""
        while !line.hasSuffix("\n") {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line += String(decoding: byte, as: UTF8.self)
        }
        let baseURL = try #require(line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(baseURL.hasPrefix("http://127.0.0.1:"))

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func post(_ path: String, _ json: String, headers: [(String, String)] = []) async throws -> (Int, String) {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "authorization", value: "Bearer sk-cli-secret-999")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(Array(json.utf8))
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(decoding: body.readableBytesView, as: UTF8.self))
        }
        do {
            let body = #"{"model":"m","messages":[{"role":"user","content":"echo this"}],"x_unknown":{"k":[1,2]}}"#
            let (status, text) = try await post("/chat/completions", body)
            #expect(status == 200)
            #expect(try WireJSON.decode(ChatCompletionResponse.self, from: text).text == "echo this")

            let (streamStatus, sse) = try await post(
                "/chat/completions", #"{"model":"m","stream":true,"messages":[{"role":"user","content":"abcdefghij"}]}"#)
            #expect(streamStatus == 200)
            var parser = SSEParser()
            let events = parser.feed(sse)
            #expect(events.last?.isDone == true)
            let chunks = try events.dropLast().map { try WireJSON.decode(ChatCompletionChunk.self, from: $0.data) }
            #expect(chunks.map(\.contentText) == ["", "abcd", "efgh", "ij", ""])

            let (anthropicStatus, message) = try await post(
                "/messages", #"{"model":"c","max_tokens":5,"messages":[{"role":"user","content":"hi claude"}]}"#)
            #expect(anthropicStatus == 200)
            #expect(message.contains(#""text":"hi claude""#))

            let (faultStatus, _) = try await post("/chat/completions", body, headers: [("x-fake-fault", "status=429")])
            #expect(faultStatus == 429)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }

        let lines = try String(contentsOf: record, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        let first = try WireJSON.decode(JSONValue.self, from: String(lines[0]))
        #expect(first["method"] == "POST")
        #expect(first["path"] == "/v1/chat/completions")
        #expect(first["body"] == #"{"model":"m","messages":[{"role":"user","content":"echo this"}],"x_unknown":{"k":[1,2]}}"#)
        #expect(first["headers"]?["authorization"] == "[redacted]")
        #expect(first["time"]?.stringValue?.isEmpty == false)
        #expect(!lines.joined().contains("sk-cli-secret-999"))
    }
}
