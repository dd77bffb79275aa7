import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenTestSupport
import Testing

@testable import LumenRouter

/// Every part of a request that can leave is screened: a sensitive value planted in each of them
/// never reaches the remote backend raw, the decision and the audit record name where it was, and
/// the request is still answered (redacted and restored, or served locally).
@Suite struct EgressScreenTests {
    static let policyYAML = """
        name: egress
        \(TestPolicies.localAndRemoteTargets)
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

    @Test(arguments: PlantedValues.cases)
    func plantedValueNeverLeavesRaw(place: PlantedValues.Place, value: PlantedValues.Value) async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = PlantedValues.base()
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
        var request = PlantedValues.base()
        request.stream = true
        PlantedValues.toolRound(&request, arguments: #"{"who":"jane.doe@fastmail.fm"}"#, result: "ok")
        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .stream(let info, let chunks) = result else {
            Issue.record("expected a stream")
            return
        }
        var text = ""
        for try await chunk in chunks { text += chunk.contentText }
        #expect(info.route == .remote && text.hasPrefix("echo: "))
        let sent = s.remote.bodies.map { String(decoding: $0, as: UTF8.self) }
        #expect(sent.count == 1 && !sent[0].contains("jane.doe@fastmail.fm") && sent[0].contains("[EMAIL_1]"))
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
        var request = PlantedValues.base()
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
            with:
                "  - name: images-remote\n    when: { binary_content: true }\n    route: remote\n    binary_content: allow\ndefault:\n  route: remote"
        )
        let policy = try Policy.parse(yaml: yaml, file: "images.yaml", environment: [:])
        let remote = FakeBackend(route: .remote, host: "remote.example")
        let log = try await AuditLog.open(
            AuditLogConfiguration(directory: FileManager.default.temporaryDirectory.appendingPathComponent("lumen-egress-\(UUID().uuidString)").path))
        let router = Router(
            configuration: RouterConfiguration(policy: policy), backends: ["local": .ready(FakeBackend(route: .local)), "remote": .ready(remote)],
            audit: .log(log), logger: Logger(label: "test")
        )
        var request = PlantedValues.base()
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
