import Foundation
import Logging
import LumenAudit
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRedaction
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

    /// Where the pieces of a value go: parts of one user turn, user turns, or a tool result and the
    /// user turn after it; and the paths the finding must name.
    enum Layout: String, CustomStringConvertible {
        case parts, turns, toolThenTurn
        var description: String { rawValue }

        func plant(_ pieces: [String], in request: inout ChatCompletionRequest) {
            switch self {
            case .parts:
                request.messages[1].content = .parts(pieces.map { .text($0) })
            case .turns:
                request.messages.removeLast()
                for piece in pieces { request.messages.append(ChatMessage(role: .user, text: piece)) }
            case .toolThenTurn:
                PlantedValues.toolRound(&request, arguments: #"{"who":"the owner"}"#, result: pieces[0])
                request.messages.append(ChatMessage(role: .user, text: pieces[1]))
            }
        }

        func path(_ k: Int) -> String {
            switch self {
            case .parts: "messages[1].content[\(k)].text"
            case .turns: "messages[\(k + 1)].content"
            case .toolThenTurn: "messages[\(k + 3)].content"
            }
        }
    }

    /// A value cut between strings a model reads as one text (parts of a turn, turns, a tool result
    /// and the next turn; in two or three pieces, with a blank or invisible part between them, or
    /// padded with invisible characters) never leaves: it is found across the joins, named at every
    /// string it spans, and, as it cannot be pseudonymised in place, kept local.
    @Test(arguments: [
        ("SSN between two parts", ["My SSN is 078-05-", "1120, please fill in the form."], FindingType.usSSN, "078-05-1120", Layout.parts, [0, 1]),
        ("card between two user turns", ["Charge card 4539 1488", "0343 6467 for the renewal."], .creditCard, "4539148803436467", .turns, [0, 1]),
        ("e-mail between two parts", ["Write to jane.doe@fast", "mail.fm about the invoice."], .email, "jane.doe@fastmail.fm", .parts, [0, 1]),
        (
            "AWS key between two parts", ["Deploy with AKIAZ7QX3M", "PL5NR2VT4E as the key id."], .awsAccessKey, "AKIAZ7QX3MPL5NR2VT4E", .parts,
            [0, 1]
        ),
        ("SSN with an invisible character at the join", ["SSN: 078-05-\u{200B}", "1120"], .usSSN, "078-05-1120", .parts, [0, 1]),
        ("phone between two user turns", ["Call the owner on (773) 583-", "6604 tomorrow."], .phone, "(773)583-6604", .turns, [0, 1]),
        (
            "phone between a tool result and the next turn", ["owner: Dana, (773) 583-", "6604 is her number; call her."], .phone, "(773)583-6604",
            .toolThenTurn, [0, 1]
        ),
        ("SSN in three parts", ["SSN 078-", "05-", "1120 on the form"], .usSSN, "078-05-1120", .parts, [0, 1, 2]),
        (
            "e-mail cut after a dot, before a capital", ["Write to Jane.", "Doe@acme-corp.com about it."], .email, "Jane.Doe@acme-corp.com", .parts,
            [0, 1]
        ),
        ("SSN with an empty part between", ["My SSN is 078-05-", "", "1120."], .usSSN, "078-05-1120", .parts, [0, 2]),
        ("SSN with an invisible part between", ["My SSN is 078-05-", "\u{200B}\u{200B}", "1120."], .usSSN, "078-05-1120", .parts, [0, 2]),
        (
            "SSN padded with invisible characters", ["My SSN is 078-05-" + String(repeating: "\u{200B}", count: 300), "1120."], .usSSN, "078-05-1120",
            .parts, [0, 1]
        ),
        // Long padding, anywhere in a value's halves.
        (
            "e-mail with long padding inside its first half",
            ["Please email mthornton" + String(repeating: "\u{200B}", count: 5_000) + "@", "fastmail.fm today."], .email, "mthornton@fastmail.fm",
            .parts, [0, 1]
        ),
        (
            "e-mail with long padding inside its second half",
            ["Please email mthornton@", "fast" + String(repeating: "\u{200B}", count: 5_000) + "mail.fm today."], .email, "mthornton@fastmail.fm",
            .parts, [0, 1]
        ),
        (
            "e-mail with long padding at the start of its second half",
            ["Please email mthornton@", String(repeating: "\u{200B}", count: 5_000) + "fastmail.fm today."], .email, "mthornton@fastmail.fm", .parts,
            [0, 1]
        ),
        (
            "SSN with long padding and a line break at the end of its first half",
            ["My SSN is 078-05-" + String(repeating: "\u{200B}", count: 5_000) + "\n", "1120."], .usSSN, "078-05-1120", .parts, [0, 1]
        ),
    ])
    func valueCutBetweenStringsStaysLocal(
        name: String, pieces: [String], type: FindingType, value: String, layout: Layout, spans: [Int]
    )
        async throws
    {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = PlantedValues.base()
        layout.plant(pieces, in: &request)
        let screened = try Screening.screen(request, classifier: Classifier(), unknownFields: .drop)
        let split = screened.classification.findings.filter { $0.type == type && $0.location?.path.contains(Screening.seamJoin) == true }
        #expect(!split.isEmpty, "\(name): \(screened.classification.findings)")
        let expectedPath = spans.map(layout.path).joined(separator: Screening.seamJoin)
        #expect(split.first?.location?.path == expectedPath, "\(name)")
        #expect(split.first?.location?.rewritable == false)
        // The value the audit digests is the whole value, read across the joins.
        let read = split.first.flatMap(screened.value(of:))
        #expect(read?.unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "\u{200B}" }.map(String.init).joined() == value, "\(name)")
        #expect(screened.classification.sensitivity > 0.5)

        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected a completion")
            return
        }
        #expect(info.route == .local, "\(name): \(info.route) via \(info.rule)")
        #expect(s.remote.bodies.isEmpty)
        let completion = try #require(try await Self.auditLines(s).first { $0.contains(#""kind":"completion""#) })
        #expect(completion.contains(expectedPath))
    }

    /// A value in one string that only the words before it, in the string before, make one ("My SSN
    /// is " then "078.05.1120"; "我叫" then "小王…"): it is that string's own finding, redacted in place.
    @Test(arguments: [
        (["My SSN is ", "078.05.1120, thanks."], FindingType.usSSN, "078.05.1120", "[SSN_"),
        (["我叫", "小王，请帮我写一封求职信。"], .person, "小王", "[PERSON_"),
    ])
    func valueNamedInTheStringBeforeIsRedacted(pieces: [String], type: FindingType, value: String, placeholder: String) async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = PlantedValues.base()
        request.messages[1].content = .parts(pieces.map { .text($0) })
        let screened = try Screening.screen(request, classifier: Classifier(), unknownFields: .drop)
        let labelled = screened.classification.findings.filter { $0.type == type }
        #expect(labelled.first?.location?.path == "messages[1].content[1].text", "\(screened.classification.findings)")
        #expect(labelled.first?.location?.rewritable == true)
        #expect(labelled.first.flatMap(screened.value(of:)) == value)
        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected a completion")
            return
        }
        let sent = s.remote.bodies.map { String(decoding: $0, as: UTF8.self) }
        #expect(info.route == .remote && sent.count == 1, "\(info.route) via \(info.rule)")
        #expect(!sent.contains { $0.contains(value) } && sent.contains { $0.contains(placeholder) }, "\(sent)")
    }

    /// A client's own JSON is read as its members are written: an Anthropic tool_use input's values
    /// beside their names ("ssn": "536228714" is an SSN, "last_name": "Thornton" a person), redacted
    /// in place; and numbers are screened too: an SSN or a card sent as a JSON number cannot be
    /// rewritten, so the request stays local.
    @Test func memberNamesAndNumbersAreRead() async throws {
        let classifier = Classifier()
        let rules = RedactionRules(try Policy.parse(yaml: Self.policyYAML, file: "egress.yaml", environment: [:]).redaction)
        let body = try WireJSON.decode(
            JSONValue.self,
            from: #"""
                {"model":"remote","max_tokens":5,"messages":[{"role":"user","content":"Create the customer record."},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"create_customer",
                   "input":{"first_name":"Margaret","last_name":"Thornton","ssn":"536228714","phone":"4158672291","dob":"1987-03-14"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"created id 8812"}]}]}
                """#)
        let screened = try Screening.screen(try AnthropicInbound.decode(body), classifier: classifier, unknownFields: .drop)
        let input = "messages[1].content[0].input."
        let types = Dictionary(screened.classification.findings.map { ($0.location?.path ?? "?", $0.type) }) { a, _ in a }
        #expect(
            types == [
                input + "first_name": .person, input + "last_name": .person, input + "ssn": .usSSN, input + "phone": .phone,
                input + "dob": .dateOfBirth,
            ], "\(types)")
        let native = try #require(screened.native)
        guard case .send(let final, _, _) = Screening.finalise(native, screened: screened, redact: true, rules: rules, classifier: classifier)
        else {
            Issue.record("the redacted request was not sent")
            return
        }
        let sent = String(decoding: try final.encoded(), as: UTF8.self)
        for raw in ["536228714", "4158672291", "Margaret", "Thornton", "1987-03-14"] { #expect(!sent.contains(raw), "\(raw): \(sent)") }

        // Numbers: in metadata, in a tool_use input, in a schema's default.
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = PlantedValues.base()
        request.metadata = ["customer_ssn": .integer(536_228_714), "card": .integer(4_539_172_638_491_059), "count": .integer(3)]
        let numbers = try Screening.screen(request, classifier: classifier, unknownFields: .drop)
        let found = numbers.classification.findings.map { "\($0.type.rawValue) \($0.location?.path ?? "?") \($0.location?.rewritable == true)" }
        #expect(found.sorted() == ["CREDIT_CARD metadata.card false", "US_SSN metadata.customer_ssn false"], "\(found)")
        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected a completion")
            return
        }
        #expect(info.route == .local && s.remote.bodies.isEmpty, "\(info.route) via \(info.rule)")
        let anthropicNumbers = try WireJSON.decode(
            JSONValue.self,
            from: #"""
                {"model":"remote","max_tokens":5,"messages":[{"role":"user","content":"Create it."},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"create","input":{"ssn":536228714,"card":4539172638491059}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]}
                """#)
        let inAnthropic = try Screening.screen(try AnthropicInbound.decode(anthropicNumbers), classifier: classifier, unknownFields: .drop)
        #expect(Set(inAnthropic.classification.findings.map(\.type)) == [.usSSN, .creditCard])
        guard
            case .local = Screening.finalise(
                try #require(inAnthropic.native), screened: inAnthropic, redact: true, rules: rules, classifier: classifier)
        else {
            Issue.record("numbers that cannot be rewritten left")
            return
        }
        // A chat tool call's arguments become an Anthropic target's tool_use input: their values are
        // read beside their names there too (the screen read them as JSON text).
        var call = ChatMessage(role: .assistant, content: nil)
        call.toolCalls = [ToolCall(id: "c1", function: FunctionCall(name: "create", arguments: #"{"ssn":"536228714","last_name":"Thornton"}"#))]
        let chat = ChatCompletionRequest(
            model: "auto",
            messages: [ChatMessage(role: .user, text: "Create it."), call, ChatMessage(role: .tool, content: .text("ok"), toolCallId: "c1")])
        let chatScreened = try Screening.screen(chat, classifier: classifier, unknownFields: .drop)
        let toAnthropic = try OutboundBody.build(chatScreened.request, format: .anthropicMessages, model: "claude", stream: false)
        guard
            case .send(let anthropicBody, _, _) = Screening.finalise(
                toAnthropic, screened: chatScreened, redact: true, rules: rules, classifier: classifier)
        else {
            Issue.record("the redacted request was not sent")
            return
        }
        let toClaude = String(decoding: try anthropicBody.encoded(), as: UTF8.self)
        #expect(!toClaude.contains("536228714") && !toClaude.contains("Thornton"), "\(toClaude)")
        // An SSN written as a JSON number inside the arguments cannot be rewritten (it would not be
        // JSON any more): the request stays local.
        call.toolCalls = [ToolCall(id: "c1", function: FunctionCall(name: "create", arguments: #"{"ssn":536228714}"#))]
        var numeric = chat
        numeric.messages[1] = call
        let numericScreened = try Screening.screen(numeric, classifier: classifier, unknownFields: .drop)
        let toOpenAI = try OutboundBody.build(numericScreened.request, format: .openAIChat, model: "gpt", stream: false)
        guard case .local = Screening.finalise(toOpenAI, screened: numericScreened, redact: true, rules: rules, classifier: classifier) else {
            Issue.record("a number inside tool-call arguments was rewritten or sent")
            return
        }
        // Values in an array are read beside the array's name.
        let arrays = try WireJSON.decode(
            JSONValue.self,
            from: #"""
                {"model":"remote","max_tokens":5,"messages":[{"role":"user","content":"Create it."},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"create","input":{"ssn":["536228714"]}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]}
                """#)
        let inArray = try Screening.screen(try AnthropicInbound.decode(arrays), classifier: classifier, unknownFields: .drop)
        #expect(
            inArray.classification.findings.map { "\($0.type.rawValue) \($0.location?.path ?? "")" } == ["US_SSN messages[1].content[0].input.ssn[0]"]
        )
        // A plain request's numbers (max_tokens, temperature, a count) are no findings.
        #expect(try Screening.screen(PlantedValues.base(), classifier: classifier, unknownFields: .drop).classification.findings.isEmpty)
    }

    /// Parts and turns whose join is not inside a value go on as before: no finding, sent remote.
    @Test(arguments: [
        ["Summarise the notes below.", "Meeting moved to 10:30 in room 4."],
        ["<system-reminder>Be brief.</system-reminder>", "fix the failing test in Sources/App/main.swift"],
        ["Order 1488", "shipped on 2024-03-01 in 3 boxes."],
        ["Thanks!", "Now list the three main risks."],
    ])
    func joinsThatAreNotValuesChangeNothing(halves: [String]) async throws {
        let s = try await Self.make()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        var request = PlantedValues.base()
        request.messages[1].content = .parts(halves.map { .text($0) })
        let screened = try Screening.screen(request, classifier: Classifier(), unknownFields: .drop)
        #expect(
            !screened.classification.findings.contains { $0.location?.path.contains(Screening.seamJoin) == true },
            "\(screened.classification.findings)")
        let result = try await s.router.handle(request, caller: Caller(requestID: "req", tenant: "t", keyID: "k"))
        guard case .completion(_, let info) = result else {
            Issue.record("expected a completion")
            return
        }
        #expect(info.route == .remote && s.remote.bodies.count == 1, "\(info.route) via \(info.rule)")
    }
}
