import Foundation
import LumenClassifier
import LumenCore
import LumenPolicy
import LumenRedaction
import LumenTestSupport
import Testing

@testable import LumenRouter

/// Generated requests with sensitive values planted at random places: nothing is sent that the
/// screen did not read, and nothing that must not leave leaves raw.
@Suite struct OutboundBodyTests {
    static let values = ["jane.doe@fastmail.fm", "078-05-1120", "AKIAZ7QX3MPL5NR2VT4E", "+1 415-555-3142"]
    static let words = ["plan", "report", "summary", "Paris", "data", "the", "quick", "review", "日程", "会议", "x", "ok"]

    /// A random request; every string slot gets words, and with probability 1/4 a planted value.
    static func request(_ g: inout SplitMix64) -> ChatCompletionRequest {
        func text() -> String {
            var parts = (0..<Int.random(in: 1...6, using: &g)).map { _ in words.randomElement(using: &g)! }
            if Int.random(in: 0..<4, using: &g) == 0 {
                parts.insert(values.randomElement(using: &g)!, at: Int.random(in: 0...parts.count, using: &g))
            }
            return parts.joined(separator: " ")
        }
        func schema() -> JSONValue {
            var properties: [String: JSONValue] = [:]
            for i in 0..<Int.random(in: 0...3, using: &g) {
                var p: [String: JSONValue] = ["type": "string", "description": .string(text())]
                if Bool.random(using: &g) { p["enum"] = [.string(text()), .string(text())] }
                if Bool.random(using: &g) { p["items"] = ["type": "object", "properties": ["n\(i)": ["type": "string", "title": .string(text())]]] }
                properties["p\(i)"] = .object(p)
            }
            return ["type": "object", "properties": .object(properties), "required": []]
        }
        var messages: [ChatMessage] = [ChatMessage(role: .system, text: text())]
        for turn in 0..<Int.random(in: 1...3, using: &g) {
            var user: ChatMessage
            switch Int.random(in: 0..<3, using: &g) {
            case 0: user = ChatMessage(role: .user, text: text())
            case 1: user = ChatMessage(role: .user, content: .parts([.text(text()), ContentPart(type: "input_text", text: text())]))
            default:
                user = ChatMessage(
                    role: .user,
                    content: .parts([
                        .text(text()),
                        ContentPart(
                            type: "image_url",
                            extra: [
                                "image_url": [
                                    "url": .string(Bool.random(using: &g) ? "data:image/png;base64,QUJD" : "https://example.com/\(turn).png")
                                ]
                            ]),
                    ]))
            }
            if Bool.random(using: &g) { user.name = text() }
            messages.append(user)
            if Bool.random(using: &g) {
                let arguments = "{\"q\":\"\(text())\"}"
                messages.append(
                    ChatMessage(
                        role: .assistant, content: nil, toolCalls: [ToolCall(id: "c\(turn)", function: FunctionCall(name: "f", arguments: arguments))]
                    ))
                var result = ChatMessage(role: .tool, text: text())
                result.toolCallId = "c\(turn)"
                messages.append(result)
            }
        }
        messages.append(ChatMessage(role: .user, text: text()))
        var request = ChatCompletionRequest(model: "auto", messages: messages)
        if Bool.random(using: &g) { request.user = text() }
        if Bool.random(using: &g) { request.metadata = ["a": .string(text()), "b": .string(text())] }
        if Bool.random(using: &g) { request.stop = .multiple([text()]) }
        if Bool.random(using: &g) { request.tools = [Tool(function: FunctionDefinition(name: "f", description: text(), parameters: schema()))] }
        if Bool.random(using: &g) {
            request.responseFormat = ["type": "json_schema", "json_schema": ["name": "r", "description": .string(text()), "schema": schema()]]
        }
        if Bool.random(using: &g) { request.extra["x_\(Int.random(in: 0..<9, using: &g))"] = .string(text()) }
        if Bool.random(using: &g) { request.extra["logit_bias"] = ["50256": -100] }
        if Bool.random(using: &g) { request.temperature = [0.0, 0.7, 1.0][Int.random(in: 0..<3, using: &g)] }
        request.stream = Bool.random(using: &g) ? true : nil
        return request
    }

    /// Every string of a JSON document, member names included, minus the target's model name and
    /// binary payloads (what the screen does not read by design).
    static func sentStrings(_ bytes: [UInt8], format: WireFormat) throws -> Set<String> {
        let json = try WireJSON.decode(JSONValue.self, from: bytes)
        let body = OutboundBody(format: format, json: json)
        var all = Set<String>()
        json.forEachString { _, text, _ in all.insert(text) }
        // Numbers leave too: their digits, as the screen reads them.
        func numbers(_ value: JSONValue) {
            switch value {
            case .integer(let number): all.insert(String(number))
            case .double(let number): all.insert(OutboundStrings.numberText(number))
            case .array(let elements): elements.forEach(numbers)
            case .object(let members): members.values.forEach(numbers)
            default: break
            }
        }
        numbers(json)
        let unread = OutboundStrings.of(body).filter { !$0.isScreened }.map(\.text)
        return all.subtracting(unread)
    }

    static let policy = try! Policy.parse(yaml: EgressScreenTests.policyYAML, file: "egress.yaml", environment: [:])

    /// A tool call's arguments are JSON in a string: values hidden behind escapes ("\\u0040" for "@")
    /// are found, and what leaves (redacted) carries neither them nor the escapes that hid them.
    @Test func escapedToolArgumentsAreScreenedDecoded() throws {
        let classifier = Classifier()
        var call = ChatMessage(role: .assistant, content: nil)
        call.toolCalls = [
            ToolCall(
                id: "c1",
                function: FunctionCall(name: "send", arguments: #"{"mail":"john.doe\u0040acme-corp.com","key":"AKIA\u0051\u0033EGZ7XKJ4PLM2RT"}"#))
        ]
        let request = ChatCompletionRequest(
            model: "auto",
            messages: [ChatMessage(role: .user, text: "Send it."), call, ChatMessage(role: .tool, content: .text("sent"), toolCallId: "c1")])
        let screened = try Screening.screen(request, classifier: classifier, unknownFields: .drop)
        let types = Set(screened.classification.findings.map { $0.type })
        #expect(types.contains(FindingType.email) && types.contains(FindingType.awsAccessKey), "\(types)")
        #expect(
            screened.request.messages[1].toolCalls?.first?.function.arguments == #"{"key":"AKIAQ3EGZ7XKJ4PLM2RT","mail":"john.doe@acme-corp.com"}"#)
        // Arguments without escapes, or not JSON, are sent as written.
        #expect(Screening.plainJSON(#"{"b":1,"a":2}"#) == nil && Screening.plainJSON(#"{"a":"\u00"#) == nil)
    }

    /// Screening and reading the values of a text full of findings is linear in its length: one
    /// long token ("aB3aB3…"), a name said 10,000 times ("张伟张伟…") and an address list each held a
    /// server thread for a minute at 40,000 characters (the technical-token check, the Chinese
    /// name choice and the value reader were quadratic).
    @Test(arguments: ["aB3", "张伟", "a@b.io "])
    func screeningIsLinearInLength(unit: String) throws {
        let classifier = Classifier()
        func seconds(_ text: String) throws -> Double {
            try CPUTime.best {
                let screened = try Screening.screen(
                    ChatCompletionRequest(model: "auto", messages: [ChatMessage(role: .user, text: text)]), classifier: classifier,
                    unknownFields: .drop)
                let value = screened.valueReader()
                for finding in screened.classification.findings { _ = value(finding) }
            }
        }
        let small = try seconds(String(repeating: unit, count: 1_000))
        let large = try seconds(String(repeating: unit, count: 8_000))
        // 8× the text: linear is ~8×, quadratic ~64×. A generous bound against noise.
        #expect(large < small * 24 + 0.05, "8x the text took \(large / small)x the time (\(small) s → \(large) s)")
    }

    /// A tool result written by a Python tool escapes every non-ASCII character (`json.dumps`):
    /// "\\u5f20\\u4f1f" is 张伟 to the model that reads it, and to the screen; redacted, neither
    /// the escapes nor the name leave.
    @Test func escapedToolResultsAreScreenedDecoded() throws {
        let classifier = Classifier()
        let result = #"{"customer": "\u5f20\u4f1f", "mail": "zhang.wei\u0040example.com", "phone": "138 1234 5678"}"#
        let request = ChatCompletionRequest(
            model: "auto",
            messages: [
                ChatMessage(role: .user, text: "Summarise the customer record."),
                { () -> ChatMessage in
                    var call = ChatMessage(role: .assistant, content: nil)
                    call.toolCalls = [ToolCall(id: "c1", function: FunctionCall(name: "lookup", arguments: "{}"))]
                    return call
                }(),
                ChatMessage(role: .tool, content: .text(result), toolCallId: "c1"),
            ])
        let screened = try Screening.screen(request, classifier: classifier, unknownFields: .drop)
        let values = screened.classification.findings.compactMap { screened.value(of: $0) }
        #expect(values.contains(#"\u5f20\u4f1f"#) && values.contains(#"zhang.wei\u0040example.com"#), "\(values)")
        let body = try OutboundBody.build(screened.request, format: .openAIChat, model: "remote-model", stream: false)
        guard
            case .send(let final, _, _) = Screening.finalise(
                body, screened: screened, redact: true, rules: RedactionRules(Self.policy.redaction), classifier: classifier)
        else {
            Issue.record("the redacted request was not sent")
            return
        }
        let sent = String(decoding: try final.encoded(), as: UTF8.self)
        for raw in ["u5f20", "u4f1f", "zhang.wei", "1234 5678"] { #expect(!sent.contains(raw), "\(raw) left: \(sent)") }
    }

    @Test func everyStringSentWasScreened() throws {
        var g = SplitMix64(seed: 20261204)
        let classifier = Classifier()
        let rules = RedactionRules(Self.policy.redaction)
        var sentBodies = 0
        for _ in 0..<400 {
            let request = Self.request(&g)
            let screened = try Screening.screen(request, classifier: classifier, unknownFields: .drop)
            let decided = screened.screenedTexts
            for format in WireFormat.allCases {
                let body = try OutboundBody.build(screened.request, format: format, model: "target-model", stream: request.isStreaming)
                for redact in [false, true] {
                    guard
                        case .send(let final, _, _) = Screening.finalise(
                            body, screened: screened, redact: redact, rules: rules, classifier: classifier)
                    else {
                        continue
                    }
                    let bytes = try final.encoded()
                    sentBodies += 1
                    let sent = try Self.sentStrings(bytes, format: format)
                    // The encoding holds exactly the strings the last check read.
                    let checked = Set(OutboundStrings.of(final).filter(\.isScreened).map(\.text))
                    #expect(sent == checked)
                    if format == .openAIChat && !redact {
                        // What leaves is exactly what the decision screened: nothing more, nothing less.
                        #expect(sent == decided, "sent but not screened: \(sent.subtracting(decided).sorted().prefix(3))")
                    }
                    if redact {
                        // Under redaction nothing the screen found leaves raw, and secrets never leave.
                        let text = String(decoding: bytes, as: UTF8.self)
                        for finding in screened.classification.findings {
                            guard let value = screened.value(of: finding) else { continue }
                            #expect(!text.contains(value), "\(finding.type.rawValue) at \(finding.location?.path ?? "?") left raw")
                        }
                    }
                }
            }
        }
        #expect(sentBodies > 400)
    }

    /// Through the decision: whatever the policy sends remote carries no raw value the screen found
    /// (the egress policy redacts personal data and keeps secrets and binary content local).
    @Test func decidedRequestsLeaveOnlyRedacted() throws {
        var g = SplitMix64(seed: 4)
        let classifier = Classifier()
        let rules = RedactionRules(Self.policy.redaction)
        var remote = 0
        for _ in 0..<400 {
            let request = Self.request(&g)
            let screened = try Screening.screen(request, classifier: classifier, unknownFields: .drop)
            let context = RequestContext(requestedModel: "auto", binaryParts: screened.binaryParts)
            let decision = PolicyEngine.evaluate(Self.policy, screened.classification, context)
            guard decision.target == "remote" else { continue }
            #expect(screened.binaryParts.isEmpty)
            let body = try OutboundBody.build(screened.request, format: .openAIChat, model: "remote-model", stream: false)
            guard
                case .send(let final, _, _) = Screening.finalise(
                    body, screened: screened, redact: decision.action == .redact, rules: rules, classifier: classifier)
            else {
                continue
            }
            remote += 1
            let text = String(decoding: try final.encoded(), as: UTF8.self)
            for finding in screened.classification.findings {
                guard let value = screened.value(of: finding) else { continue }
                #expect(!text.contains(value), "\(finding.type.rawValue) at \(finding.location?.path ?? "?") left raw")
            }
        }
        #expect(remote > 50)
    }

    /// Strings are classified together, but a context word in one ("token count" in a tool result)
    /// is no cue for the next ("prompt_cache_key", a session UUID): the look-back stops between them.
    @Test func contextDoesNotCrossStrings() throws {
        var request = ChatCompletionRequest(
            model: "auto",
            messages: [
                ChatMessage(role: .user, text: "Run a shell command."),
                ChatMessage(role: .tool, text: "Process exited with code 0\nOriginal token count: 5\nOutput:\nok"),
            ])
        request.messages[1].extra["tool_call_id"] = "call_1"
        request.extra["prompt_cache_key"] = "01a2436f-a2ce-7c51-bb92-a6d5b4208163"
        let screened = try Screening.screen(request, classifier: Classifier(), unknownFields: .drop)
        #expect(screened.classification.findings.isEmpty, "\(screened.classification.findings)")
        // Within one string the cue still counts.
        request.messages[0] = ChatMessage(role: .user, text: "my api token is Zq8vN3kP0wL5xR7tY2mB9cD4fG6hJ1s")
        let keyed = try Screening.screen(request, classifier: Classifier(), unknownFields: .drop)
        #expect(keyed.classification.findings.map(\.type) == [.genericSecret])
    }

    /// Topics are what the user and the tools brought, not an agent client's own instructions.
    @Test func topicsComeFromTheConversationNotTheInstructions() throws {
        let instructions = ChatMessage(
            role: .system,
            text: "Review the account balance and the verdict of each code review; salary and benefits questions go to HR; diagnose the failing test."
        )
        let plain = ChatCompletionRequest(model: "auto", messages: [instructions, ChatMessage(role: .user, text: "Run a shell command.")])
        #expect(try Screening.screen(plain, classifier: Classifier(), unknownFields: .drop).classification.topics.isEmpty)
        let medical = ChatCompletionRequest(
            model: "auto",
            messages: [
                instructions,
                ChatMessage(role: .user, text: "My doctor changed my insulin dose after the diabetes diagnosis; what are the side effects?"),
            ])
        #expect(try Screening.screen(medical, classifier: Classifier(), unknownFields: .drop).classification.topics.map(\.topic).contains(.health))
    }

    /// The hand-built OpenAI body equals the `Codable` encoding of the same request.
    @Test func directBodyMatchesCodable() throws {
        var g = SplitMix64(seed: 77)
        for _ in 0..<300 {
            let request = Self.request(&g)
            let viaCodable = try WireJSON.decode(JSONValue.self, from: try WireJSON.encode(request))
            let direct = OpenAIChatWire.value(of: request)
            #expect(try WireJSON.encode(direct) == WireJSON.encode(viaCodable))

            var upstream = request
            upstream.model = "m"
            upstream.extra = upstream.extra.filter { OpenAIChatWire.documentedFields.contains($0.key) }
            if request.isStreaming {
                upstream.streamOptions = StreamOptions(includeUsage: true)
            } else {
                upstream.stream = nil
                upstream.streamOptions = nil
            }
            let expected = try WireJSON.decode(JSONValue.self, from: try WireJSON.encode(upstream))
            #expect(try WireJSON.encode(OpenAIChatWire.body(request, model: "m", stream: request.isStreaming)) == WireJSON.encode(expected))
        }
    }

    /// The screen's scalar count (eight bytes at a time) equals the standard library's.
    @Test func scalarCountMatchesTheStandardLibrary() {
        var g = SplitMix64(seed: 99)
        let pieces = ["a", "é", "日", "🙂", "\u{0301}", "z9", "\n", "ÿ", "Ω"]
        for length in 0..<200 {
            let text = (0..<length).map { _ in pieces.randomElement(using: &g)! }.joined()
            #expect(Screening.scalarCount(text) == text.unicodeScalars.count)
        }
    }

    @Test func placesAreClassified() {
        func place(_ path: JSONPath, _ json: JSONValue, _ format: WireFormat = .openAIChat) -> (StringKind, TextArea) {
            let text = json[path: path]?.stringValue ?? ""
            return OutboundStrings.place(path, isKey: false, text: text, in: OutboundBody(format: format, json: json))
        }
        let chat: JSONValue = [
            "model": "m",
            "messages": [
                ["role": "developer", "content": "rules"],
                [
                    "role": "user",
                    "content": [["type": "text", "text": "hi"], ["type": "image_url", "image_url": ["url": "data:image/png;base64,AA"]]],
                ],
                ["role": "tool", "tool_call_id": "c1", "content": "result"],
            ],
            "tools": [
                [
                    "type": "function",
                    "function": [
                        "name": "f", "description": "d",
                        "parameters": [
                            "type": "object", "properties": ["description": ["type": "string", "description": "the description", "enum": ["a"]]],
                        ],
                    ],
                ]
            ],
            "stop": ["END"],
        ]
        #expect(place([.key("model")], chat) == (.lumen, .request))
        #expect(place([.key("messages"), .index(0), .key("content")], chat) == (.text, .system))
        #expect(place([.key("messages"), .index(1), .key("content"), .index(0), .key("text")], chat) == (.text, .user))
        #expect(place([.key("messages"), .index(1), .key("content"), .index(1), .key("image_url"), .key("url")], chat) == (.binary, .user))
        // The scheme is case-insensitive and may follow spaces: still a data URI, still binary.
        for url in ["DATA:image/png;base64,AAAA", " data:image/png;base64,AAAA", "Data:text/plain,x"] {
            #expect(OutboundStrings.isDataURI(url), "\(url)")
        }
        #expect(!OutboundStrings.isDataURI("https://example.com/data:x") && !OutboundStrings.isDataURI("dat"))
        #expect(place([.key("messages"), .index(2), .key("content")], chat) == (.text, .toolResult))
        #expect(place([.key("messages"), .index(2), .key("tool_call_id")], chat) == (.fixed, .toolResult))
        let property: JSONPath = [.key("tools"), .index(0), .key("function"), .key("parameters"), .key("properties"), .key("description")]
        #expect(place(property.appending("description"), chat) == (.text, .toolDefinition))
        #expect(place(property.appending("enum").appending(0), chat) == (.fixed, .toolDefinition))
        #expect(place(property.appending("type"), chat) == (.fixed, .toolDefinition))
        #expect(place([.key("stop"), .index(0)], chat) == (.fixed, .request))

        let anthropic: JSONValue = [
            "model": "m", "system": "rules",
            "messages": [
                [
                    "role": "user",
                    "content": [
                        ["type": "tool_result", "tool_use_id": "t", "content": "out"],
                        ["type": "image", "source": ["type": "base64", "data": "AA"]],
                        ["type": "document", "source": ["type": "text", "media_type": "text/plain", "data": "Call Ann at 555-3100."]],
                        ["type": "document", "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBERi0x\nLjQK"]],
                        ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "data:image/png;base64,iVBOR.w0K"]],
                        ["type": "document", "source": ["media_type": "text/plain", "data": "John Smith SSN 123-45-6789"]],
                    ],
                ],
                ["role": "assistant", "content": [["type": "tool_use", "id": "t", "name": "f", "input": ["q": "value"]]]],
            ],
        ]
        #expect(place([.key("system")], anthropic, .anthropicMessages) == (.text, .system))
        #expect(
            place([.key("messages"), .index(0), .key("content"), .index(0), .key("content")], anthropic, .anthropicMessages) == (.text, .toolResult))
        #expect(
            place([.key("messages"), .index(0), .key("content"), .index(1), .key("source"), .key("data")], anthropic, .anthropicMessages) == (
                .binary, .user
            ))
        // A plain-text document is read (screened) like any text; encoded data, even wrapped in lines, is not.
        let document: JSONPath = [.key("messages"), .index(0), .key("content"), .index(2), .key("source"), .key("data")]
        #expect(place(document, anthropic, .anthropicMessages) == (.text, .user))
        let pdf: JSONPath = [.key("messages"), .index(0), .key("content"), .index(3), .key("source"), .key("data")]
        #expect(place(pdf, anthropic, .anthropicMessages) == (.binary, .user))
        // Only the source's type makes data text: a base64 image with stray punctuation, or data
        // with no source type, stays binary (the policy's binary_content decides).
        let image: JSONPath = [.key("messages"), .index(0), .key("content"), .index(4), .key("source"), .key("data")]
        #expect(place(image, anthropic, .anthropicMessages) == (.binary, .user))
        let untyped: JSONPath = [.key("messages"), .index(0), .key("content"), .index(5), .key("source"), .key("data")]
        #expect(place(untyped, anthropic, .anthropicMessages) == (.binary, .user))
        // The walk (what is screened) agrees with `place` (what is checked before a body leaves).
        let walked = OutboundStrings.of(OutboundBody(format: .anthropicMessages, json: anthropic))
        for path in [document, pdf, image, untyped] {
            #expect(walked.first { $0.path == path && !$0.isKey }?.kind == place(path, anthropic, .anthropicMessages).0)
        }
        #expect(
            place([.key("messages"), .index(1), .key("content"), .index(0), .key("input"), .key("q")], anthropic, .anthropicMessages) == (
                .text, .assistant
            ))
        #expect(
            place([.key("messages"), .index(1), .key("content"), .index(0), .key("name")], anthropic, .anthropicMessages) == (.fixed, .assistant))
    }
}
