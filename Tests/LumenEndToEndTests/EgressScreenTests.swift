import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
@testable import LumenRouter
import Testing

/// Every part of a request that can leave is screened: a sensitive value planted in each of them
/// never reaches the remote backend raw, the decision and the audit record name where it was, and
/// the request is still answered (redacted and restored, or served locally).
@Suite struct EgressScreenTests {
    static let policyYAML = """
        name: egress
        targets:
          - name: local
            kind: openai
            local: true
            base_url: http://127.0.0.1:1/v1
            model: local-model
          - name: remote
            kind: openai
            base_url: http://127.0.0.1:2/v1
            model: remote-model
        rules:
          - name: secrets-local
            override_requested_model: true
            when: { findings: { any_of: [secrets] } }
            route: local
          - name: personal-redacted
            when: { findings: { any_of: [personal] } }
            redact: remote
            fallback: [local]
        default:
          route: remote
          fallback: [local]
        """

    /// A planted value and what it is.
    struct Value: Sendable, CustomStringConvertible {
        var text: String
        var isSecret: Bool
        var placeholderPrefix: String
        var description: String { text }

        static let email = Value(text: "jane.doe@example.com", isSecret: false, placeholderPrefix: "[EMAIL_")
        static let ssn = Value(text: "078-05-1120", isSecret: false, placeholderPrefix: "[SSN_")
        static let awsKey = Value(text: "AKIAZ7QX3MPL5NR2VT4E", isSecret: true, placeholderPrefix: "")
        static let all = [email, ssn, awsKey]
    }

    /// Where a value is planted, the field path the screen must report, and what must happen.
    struct Place: Sendable, CustomStringConvertible {
        enum Expect: Sendable {
            /// Rewritable: redacted and sent (secrets keep it local).
            case redacted
            /// Cannot be rewritten: served locally.
            case local
            /// Not forwarded at all: sent without it, named in the dropped fields.
            case dropped
        }
        var name: String
        var path: String?
        var expect: Expect
        var plant: @Sendable (inout ChatCompletionRequest, String) -> Void
        var description: String { name }
    }

    static func base() -> ChatCompletionRequest {
        ChatCompletionRequest(
            model: "auto",
            messages: [
                ChatMessage(role: .system, text: "You are a helpful assistant."),
                ChatMessage(role: .user, text: "Summarise the plan in three bullet points."),
            ]
        )
    }

    static func schema(description: String? = nil, enumValue: String? = nil) -> JSONValue {
        var who: [String: JSONValue] = ["type": "string"]
        if let description { who["description"] = .string(description) }
        if let enumValue { who["enum"] = [.string(enumValue)] }
        return ["type": "object", "properties": ["who": .object(who)]]
    }

    static func toolRound(_ request: inout ChatCompletionRequest, arguments: String, result: String) {
        request.messages.append(
            ChatMessage(role: .assistant, content: nil, toolCalls: [ToolCall(id: "call_1", function: FunctionCall(name: "lookup", arguments: arguments))])
        )
        var tool = ChatMessage(role: .tool, text: result)
        tool.toolCallId = "call_1"
        request.messages.append(tool)
        request.tools = [Tool(function: FunctionDefinition(name: "lookup", description: "Look a record up.", parameters: schema()))]
    }

    static let places: [Place] = [
        Place(name: "user", path: "user", expect: .redacted) { r, v in r.user = v },
        Place(name: "metadata value", path: "metadata.note", expect: .redacted) { r, v in r.metadata = ["note": .string(v)] },
        Place(name: "unknown top-level field", path: nil, expect: .dropped) { r, v in r.extra["x_note"] = .string(v) },
        Place(name: "message name", path: "messages[1].name", expect: .redacted) { r, v in r.messages[1].name = v },
        Place(name: "tool description", path: "tools[0].function.description", expect: .redacted) { r, v in
            r.tools = [Tool(function: FunctionDefinition(name: "lookup", description: "Look up records of \(v).", parameters: schema()))]
        },
        Place(name: "tool parameter schema", path: "tools[0].function.parameters.properties.who.description", expect: .redacted) { r, v in
            r.tools = [Tool(function: FunctionDefinition(name: "lookup", description: "Look a record up.", parameters: schema(description: "e.g. \(v)")))]
        },
        Place(name: "tool schema enum", path: "tools[0].function.parameters.properties.who.enum[0]", expect: .local) { r, v in
            r.tools = [Tool(function: FunctionDefinition(name: "lookup", description: "Look a record up.", parameters: schema(enumValue: v)))]
        },
        Place(name: "assistant tool-call arguments", path: "messages[2].tool_calls[0].function.arguments", expect: .redacted) { r, v in
            toolRound(&r, arguments: #"{"who":"\#(v)"}"#, result: "found 1 record")
        },
        Place(name: "tool result", path: "messages[3].content", expect: .redacted) { r, v in
            toolRound(&r, arguments: #"{"who":"the owner"}"#, result: "owner: \(v)")
        },
        Place(name: "input_text content part", path: "messages[1].content[0].text", expect: .redacted) { r, v in
            r.messages[1].content = .parts([ContentPart(type: "input_text", text: "Summarise the notes of \(v).")])
        },
        Place(name: "multi-part content", path: "messages[1].content[1].text", expect: .redacted) { r, v in
            r.messages[1].content = .parts([.text("Summarise the plan."), .text("It was written by \(v).")])
        },
        Place(name: "image_url data URI", path: nil, expect: .local) { r, v in
            let data = Data("owner \(v)".utf8).base64EncodedString()
            r.messages[1].content = .parts([
                .text("What does this image say?"),
                ContentPart(type: "image_url", extra: ["image_url": ["url": .string("data:image/png;base64,\(data)")]]),
            ])
        },
        Place(name: "response_format JSON schema", path: "response_format.json_schema.schema.properties.who.description", expect: .redacted) { r, v in
            r.responseFormat = ["type": "json_schema", "json_schema": ["name": "record", "schema": schema(description: "owner, e.g. \(v)")]]
        },
        Place(name: "stop sequence", path: "stop[0]", expect: .local) { r, v in r.stop = .multiple([v]) },
        Place(name: "system prompt", path: "messages[0].content", expect: .redacted) { r, v in
            r.messages[0] = ChatMessage(role: .system, text: "You assist \(v) with planning.")
        },
    ]

    static let cases: [(Place, Value)] = places.flatMap { place in Value.all.map { (place, $0) } }

    struct Setup {
        var router: Router
        var local: FakeBackend
        var remote: FakeBackend
        var dir: URL
        var log: AuditLog
    }

    static func make() async throws -> Setup {
        let policy = try Policy.parse(yaml: policyYAML, file: "egress.yaml", environment: [:])
        let local = FakeBackend(route: .local)
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lumen-egress-\(UUID().uuidString)")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: dir.path))
        let router = Router(
            configuration: RouterConfiguration(policy: policy),
            backends: ["local": .ready(local), "remote": .ready(remote)],
            audit: .log(log),
            logger: Logger(label: "test")
        )
        return Setup(router: router, local: local, remote: remote, dir: dir, log: log)
    }

    static func auditLines(_ setup: Setup) async throws -> [String] {
        try await setup.log.flush()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: setup.dir.path)) ?? []
        return try files.filter { $0.hasSuffix(".jsonl") }.sorted().flatMap {
            try String(contentsOfFile: setup.dir.appendingPathComponent($0).path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    @Test(arguments: cases)
    func plantedValueNeverLeavesRaw(place: Place, value: Value) async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = Self.base()
        place.plant(&request, value.text)
        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .completion(let response, let info) = result else {
            Issue.record("expected a completion")
            return
        }

        // Nothing raw upstream, whatever happened.
        let sent = s.remote.bodies.map { String(decoding: $0, as: UTF8.self) }
        #expect(!sent.contains { $0.contains(value.text) }, "the raw value reached the remote backend")

        switch (place.expect, value.isSecret) {
        case (.dropped, _):
            #expect(info.route == .remote && info.droppedFields == ["x_note"])
            #expect(sent.count == 1)
        case (.local, _), (.redacted, true):
            #expect(info.route == .local, "expected local, got \(info.route) via \(info.rule)")
            #expect(sent.isEmpty)
            #expect(s.local.received.count == 1)
        case (.redacted, false):
            #expect(info.route == .remote && info.redactedValues >= 1, "expected a redacted remote request, got \(info.route) via \(info.rule)")
            #expect(sent.count == 1 && sent[0].contains(value.placeholderPrefix))
            // The answer echoes the last user message as the backend saw it: restored for the client.
            #expect(response.choices[0].message.text == "echo: " + (request.messages.last { $0.role == .user }?.text ?? ""))
        }

        // The decision saw it where it was; the audit names the location, never the value.
        let lines = try await Self.auditLines(s)
        #expect(!lines.joined().contains(value.text))
        if let path = place.path {
            let completion = try #require(lines.first { $0.contains(#""kind":"completion""#) })
            #expect(completion.contains(#""location":"\#(path)""#), "the audit record does not name \(path)")
        }
        if place.name == "image_url data URI" {
            #expect(info.rule == "default" && info.route == .local)
        }
    }

    /// A value in a streamed request's tool arguments is redacted upstream and the stream still works.
    @Test func streamedRequestIsScreenedLikeAWholeOne() async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = Self.base()
        request.stream = true
        Self.toolRound(&request, arguments: #"{"who":"jane.doe@example.com"}"#, result: "ok")
        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .stream(let info, let chunks) = result else {
            Issue.record("expected a stream")
            return
        }
        var text = ""
        for try await chunk in chunks { text += chunk.contentText }
        #expect(info.route == .remote && text.hasPrefix("echo: "))
        let sent = s.remote.bodies.map { String(decoding: $0, as: UTF8.self) }
        #expect(sent.count == 1 && !sent[0].contains("jane.doe@example.com") && sent[0].contains("[EMAIL_1]"))
        #expect(sent[0].contains(#""stream":true"#))
    }

    /// `egress.unknown_fields: strict` refuses undocumented members with a 400 that names them.
    @Test func strictPolicyRefusesUnknownFields() async throws {
        let yaml = Self.policyYAML + "\negress: { unknown_fields: strict }\n"
        let policy = try Policy.parse(yaml: yaml, file: "strict.yaml", environment: [:])
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(FakeBackend(route: .local)), "remote": .ready(remote)],
            audit: .unavailable("test"), logger: Logger(label: "test")
        )
        var request = Self.base()
        request.extra["x_note"] = "hello"
        request.messages[1].extra["x_flag"] = true
        do {
            _ = try await router.handle(request, caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
            Issue.record("accepted")
        } catch {
            #expect(error.status == 400 && error.code == "unknown_field")
            #expect(error.message.contains("x_note") && error.message.contains("messages[1].x_flag"))
        }
        #expect(remote.bodies.isEmpty)
    }

    /// `binary_content: allow` on a rule lets an image leave with that rule; the default keeps it local.
    @Test func aRuleCanAllowBinaryContent() async throws {
        let yaml = Self.policyYAML.replacingOccurrences(
            of: "default:\n  route: remote",
            with: "  - name: images-remote\n    when: { binary_content: true }\n    route: remote\n    binary_content: allow\ndefault:\n  route: remote"
        )
        let policy = try Policy.parse(yaml: yaml, file: "images.yaml", environment: [:])
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let log = try await AuditLog.open(AuditLogConfiguration(directory: FileManager.default.temporaryDirectory.appendingPathComponent("lumen-egress-\(UUID().uuidString)").path))
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(FakeBackend(route: .local)), "remote": .ready(remote)],
            audit: .log(log), logger: Logger(label: "test")
        )
        var request = Self.base()
        request.messages[1].content = .parts([
            .text("What is in this picture?"),
            ContentPart(type: "image_url", extra: ["image_url": ["url": "data:image/png;base64,iVBORw0KGgo="]]),
        ])
        let result = try await router.handle(request, caller: Caller(requestID: "r", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected a completion")
            return
        }
        #expect(info.route == .remote && info.rule == "images-remote")
        #expect(remote.bodies.count == 1 && String(decoding: remote.bodies[0], as: UTF8.self).contains("iVBORw0KGgo="))
    }
}
