import Foundation
import LumenCore
import Testing

/// `FastJSON` and the wire types' `init?(wire:)` / `wireValue` agree with Foundation: whatever the
/// fast path reads is what `JSONDecoder` reads (and where `JSONDecoder` throws, the fast path gives
/// up), and what it writes is what `JSONEncoder` writes, byte for byte.
@Suite struct FastJSONTests {
    static func foundationEncode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func foundationDecode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    // MARK: Generated JSON texts

    /// A JSON string for `s` with randomly chosen spellings: `\/` or `/`, `\u` escapes (either case,
    /// surrogate pairs) for some non-ASCII scalars, the short escapes for control characters.
    static func escaped(_ s: String, _ rng: inout SplitMix64) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += Bool.random(using: &rng) ? "\\/" : "/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (scalar.value > 0x7E && Bool.random(using: &rng)) {
                    for unit in String(scalar).utf16 { out += String(format: Bool.random(using: &rng) ? "\\u%04x" : "\\u%04X", unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Writes JSON texts the way different clients and servers do: any key order, white space, `\/`
    /// and `\u` escapes (surrogate pairs included), numbers in every spelling.
    struct Spelling {
        var rng: SplitMix64
        /// Spellings the fast path leaves to `JSONDecoder` on purpose (integral fractions, `-0`,
        /// integers beyond Int64, duplicate keys).
        var uncertain: Bool

        mutating func ws() -> String { ["", "", "", " ", "\n", "\t ", "\r\n  "].randomElement(using: &rng)! }

        mutating func string(_ s: String) -> String { FastJSONTests.escaped(s, &rng) }

        mutating func number() -> String {
            let plain = [
                "0", "1", "-1", "42", "-7", "9223372036854775807", "-9223372036854775808", "0.5", "-0.25", "3.14159", "1e-7", "2.5E-3",
                "1.5e-300", "6.02214076e-23", "0.1", "123456.789", "-1.0000000000000002", "4.9e-324", "1.25E-2",
            ]
            let odd = [
                "1.0", "-0", "0.0", "1e3", "2E2", "2.5E+3", "6.02214076e23", "1.7976931348623157e308", "9223372036854775808", "-9223372036854775809",
                "100000000000000000000000", "1e400", "-0.0", "1e-400",
            ]
            if uncertain, Int.random(in: 0..<4, using: &rng) == 0 { return odd.randomElement(using: &rng)! }
            return Bool.random(using: &rng) ? plain.randomElement(using: &rng)! : String(Int.random(in: -1_000_000...1_000_000, using: &rng))
        }

        mutating func value(depth: Int = 0) -> String {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &rng) {
            case 0: return "null"
            case 1: return Bool.random(using: &rng) ? "true" : "false"
            case 2, 3: return number()
            case 4: return string(ChunkWriterTests.text(&rng))
            case 5:
                return "[" + ws() + (0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth: depth + 1) }.joined(separator: ws() + "," + ws())
                    + ws() + "]"
            default:
                var keys = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                    ["a", "b", "type", "text", "é", "中", "", "z/y", ChunkWriterTests.text(&rng)].randomElement(using: &rng)!
                }
                if !uncertain {
                    keys = Array(Set(keys))
                } else if let first = keys.first, Int.random(in: 0..<6, using: &rng) == 0 {
                    keys.append(first)
                }
                return object(keys.map { ($0, value(depth: depth + 1)) })
            }
        }

        mutating func object(_ members: [(String, String)]) -> String {
            var members = members
            members.shuffle(using: &rng)
            var parts: [String] = []
            for (key, value) in members { parts.append(string(key) + ws() + ":" + ws() + value) }
            return "{" + ws() + parts.joined(separator: ws() + "," + ws()) + ws() + "}"
        }
    }

    /// Breaks a text the ways a bad client does: a byte dropped, doubled or replaced.
    static func damaged(_ text: String, _ rng: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "" }
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(bytes[at], at: at)
        default: bytes[at] = Array("{}[],:\"\\x0-e.n".utf8).randomElement(using: &rng)!
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func readsWhatJSONDecoderReads() {
        var spelling = Spelling(rng: SplitMix64(seed: 5), uncertain: false)
        for _ in 0..<3_000 {
            let text = spelling.value()
            let fast = FastJSON.parse(Array(text.utf8))
            #expect(fast != nil, "fell back on \(text)")
            #expect(fast == Self.foundationDecode(JSONValue.self, text), "\(text)")
        }
    }

    @Test func neverDisagreesOnOddOrBrokenTexts() {
        var spelling = Spelling(rng: SplitMix64(seed: 6), uncertain: true)
        var rng = SplitMix64(seed: 7)
        var fell = 0
        for round in 0..<4_000 {
            var text = spelling.value()
            if round % 2 == 1 { text = Self.damaged(text, &rng) }
            guard let fast = FastJSON.parse(Array(text.utf8)) else {
                fell += 1
                continue
            }
            #expect(fast == Self.foundationDecode(JSONValue.self, text), "\(text)")
        }
        #expect(fell > 100)
    }

    @Test(arguments: [
        "1.0", "-0", "1e3", "9223372036854775808", #"{"a":1,"a":2}"#, #""\ud800""#, "[1,]", "truex", "nul", "01", "1.", ".5", "-", "[1 2]",
        #"{"a" 1}"#, "\"\u{1}\"", "1e400", "[", "",
    ])
    func leavesUncertainOrBadTextsToFoundation(_ text: String) {
        #expect(FastJSON.parse(Array(text.utf8)) == nil)
    }

    @Test func writesWhatJSONEncoderWrites() throws {
        var spelling = Spelling(rng: SplitMix64(seed: 8), uncertain: false)
        for _ in 0..<3_000 {
            let text = spelling.value()
            guard let value = Self.foundationDecode(JSONValue.self, text) else { continue }
            #expect(FastJSON.encode(value) == (try Self.foundationEncode(value)), "\(text)")
        }
        let doubles: [Double] = [
            0.5, -0.0, 1e-7, 1e21, 1e-5, 123.456, .leastNonzeroMagnitude, 1.7976931348623157e308, 1.0799999999999998e-05, 1e16, 0.1 + 0.2,
        ]
        for double in doubles {
            let value = JSONValue.array([.double(double), .object(["x": .double(-double)])])
            #expect(FastJSON.encode(value) == (try Self.foundationEncode(value)), "\(double)")
        }
        #expect(FastJSON.encode(.double(.nan)) == nil)
        #expect(FastJSON.encode(.array([.double(.infinity)])) == nil)
    }

    // MARK: Requests and responses

    /// A chat request body; with `wrongTypes`, some members have a type `JSONDecoder` refuses.
    static func requestBody(_ s: inout Spelling, wrongTypes: Bool) -> String {
        func pick(_ good: [String], _ bad: [String]) -> String {
            wrongTypes && !bad.isEmpty && Int.random(in: 0..<8, using: &s.rng) == 0
                ? bad.randomElement(using: &s.rng)! : good.randomElement(using: &s.rng)!
        }
        func maybe(_ members: inout [(String, String)], _ key: String, _ value: @autoclosure () -> String) {
            switch Int.random(in: 0..<4, using: &s.rng) {
            case 0: members.append((key, value()))
            case 1: members.append((key, "null"))
            default: break
            }
        }
        var messages: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &s.rng) {
            var m: [(String, String)] = [
                ("role", pick([s.string("user"), s.string("assistant"), s.string("system"), s.string("tool")], ["1", "null"]))
            ]
            let part = s.object([
                ("type", pick([s.string("text"), s.string("image_url")], ["7"])), ("text", s.string(ChunkWriterTests.text(&s.rng))),
            ])
            let extraPart = s.object([("type", s.string("image_url")), ("image_url", s.object([("url", s.string("https://x/y.png"))]))])
            maybe(&m, "content", pick([s.string(ChunkWriterTests.text(&s.rng)), "[" + part + "," + extraPart + "]", "[]"], ["5", "{}", "[1]"]))
            maybe(&m, "name", pick([s.string("alice")], ["2"]))
            let call = s.object([
                ("id", s.string("call_1")), ("type", s.string("function")),
                ("function", s.object([("name", s.string("f")), ("arguments", s.string("{\"a\":1}"))])),
            ])
            maybe(&m, "tool_calls", pick(["[" + call + "]"], ["[{}]", "{}"]))
            maybe(&m, "tool_call_id", pick([s.string("call_1")], ["[]"]))
            if Bool.random(using: &s.rng) { m.append(("refusal", s.value())) }
            messages.append(s.object(m))
        }
        var members: [(String, String)] = [
            ("model", pick([s.string("auto"), s.string("gpt-4o")], ["1", "null", "[]"])),
            ("messages", pick(["[" + messages.joined(separator: ",") + "]"], ["{}", "null", "[1]"])),
        ]
        if wrongTypes, Int.random(in: 0..<20, using: &s.rng) == 0 { members.removeFirst() }
        maybe(&members, "temperature", pick(["0.7", "1", "0", "1.25"], [s.string("hot"), "true"]))
        maybe(&members, "top_p", pick(["0.9", "1"], ["[]"]))
        maybe(&members, "max_tokens", pick(["32", "4096"], ["3.5", s.string("3")]))
        maybe(&members, "max_completion_tokens", pick(["16"], ["false"]))
        maybe(&members, "stop", pick([s.string("\n"), "[" + s.string("END") + "," + s.string("STOP") + "]", "[]"], ["3", "[1]"]))
        maybe(&members, "seed", pick(["7", "-1"], ["0.5"]))
        maybe(&members, "user", pick([s.string("u-1")], ["1"]))
        maybe(&members, "n", pick(["1", "2"], ["1.5"]))
        maybe(&members, "stream", pick(["true", "false"], ["1", s.string("yes")]))
        maybe(
            &members, "stream_options",
            pick(
                [s.object([("include_usage", "true")]), s.object([("include_usage", "false"), ("x", "1")])],
                ["1", s.object([("include_usage", "2")])]))
        let tool = s.object([
            ("type", s.string("function")),
            (
                "function",
                s.object([("name", s.string("get_weather")), ("description", s.string("d")), ("parameters", s.value()), ("strict", "true")])
            ),
        ])
        maybe(&members, "tools", pick(["[" + tool + "]", "[]"], ["[" + s.object([("type", "1")]) + "]", "{}"]))
        maybe(
            &members, "tool_choice",
            pick(
                [
                    s.string("auto"), s.string("none"),
                    s.object([("type", s.string("function")), ("function", s.object([("name", s.string("f"))]))]), s.value(),
                ], []))
        maybe(&members, "response_format", s.value())
        maybe(&members, "metadata", s.value())
        if Bool.random(using: &s.rng) { members.append(("parallel_tool_calls", s.value())) }
        if Bool.random(using: &s.rng) { members.append(("reasoning_effort", s.value())) }
        return s.object(members)
    }

    @Test func requestsReadAsJSONDecoderReadsThem() {
        var spelling = Spelling(rng: SplitMix64(seed: 9), uncertain: false)
        for _ in 0..<1_500 {
            let text = Self.requestBody(&spelling, wrongTypes: false)
            let fast = WireJSON.fastDecode(ChatCompletionRequest.self, from: Array(text.utf8))
            #expect(fast != nil, "fell back on \(text)")
            #expect(fast == Self.foundationDecode(ChatCompletionRequest.self, text), "\(text)")
        }
    }

    @Test func requestsOfWrongTypesAreLeftToJSONDecoder() {
        var spelling = Spelling(rng: SplitMix64(seed: 10), uncertain: true)
        var refused = 0
        for _ in 0..<3_000 {
            let text = Self.requestBody(&spelling, wrongTypes: true)
            let reference = Self.foundationDecode(ChatCompletionRequest.self, text)
            if reference == nil { refused += 1 }
            if let fast = WireJSON.fastDecode(ChatCompletionRequest.self, from: Array(text.utf8)) {
                #expect(fast == reference, "\(text)")
            }
        }
        #expect(refused > 300)
    }

    static func response(_ rng: inout SplitMix64) -> ChatCompletionResponse {
        let text = ChunkWriterTests.text
        let choices = (0..<Int.random(in: 0...2, using: &rng)).map { index in
            var message = ChatMessage(role: Bool.random(using: &rng) ? .assistant : ChatRole(rawValue: text(&rng)), content: nil)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: message.content = nil
            case 1: message.content = .parts([.text(text(&rng)), ContentPart(type: "image_url", extra: ["image_url": ["url": "u"]])])
            default: message.content = .text(text(&rng))
            }
            if Bool.random(using: &rng) {
                message.toolCalls = [ToolCall(id: "call_" + text(&rng), function: FunctionCall(name: "f", arguments: text(&rng)))]
            }
            if Bool.random(using: &rng) { message.extra = ["refusal": .null, "annotations": [], "audio": ["id": "a"]] }
            return ChatChoice(
                index: index, message: message, finishReason: Bool.random(using: &rng) ? "stop" : nil,
                logprobs: Bool.random(using: &rng) ? ["content": [["token": "x", "logprob": -0.25]]] : nil
            )
        }
        let costs: [Double] = [
            0, 1, 0.5, 1e-7, 0.000123, 12.75, 3.0e-12, 1.0799999999999998e-05, Double(Int.random(in: 0...1_000_000, using: &rng)) / 1e9,
        ]
        let usage: Usage? =
            Bool.random(using: &rng)
            ? Usage(
                promptTokens: Int.random(in: 0...100_000, using: &rng), completionTokens: Int.random(in: 0...10_000, using: &rng),
                cost: Bool.random(using: &rng) ? costs.randomElement(using: &rng)! : nil,
                extra: Bool.random(using: &rng) ? ["prompt_tokens_details": ["cached_tokens": 3, "audio_tokens": .null]] : [:]
            ) : nil
        return ChatCompletionResponse(
            id: "chatcmpl-" + text(&rng), object: Bool.random(using: &rng) ? "chat.completion" : text(&rng),
            created: Int.random(in: 0...2_000_000_000, using: &rng), model: text(&rng), choices: choices, usage: usage,
            systemFingerprint: Bool.random(using: &rng) ? "fp_" + text(&rng) : nil,
            extra: Bool.random(using: &rng) ? ["service_tier": "default", "aaa": 1, "zzz": [1, 2.5], "id": "stale"] : [:]
        )
    }

    @Test func responsesRoundTripAsFoundationDoes() throws {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<2_000 {
            let response = Self.response(&rng)
            let reference = try Self.foundationEncode(response)
            #expect(try WireJSON.encode(response) == reference, "\(String(decoding: reference, as: UTF8.self))")
            let text = String(decoding: reference, as: UTF8.self)
            let fast = WireJSON.fastDecode(ChatCompletionResponse.self, from: reference)
            #expect(fast != nil, "fell back on \(text)")
            #expect(fast == Self.foundationDecode(ChatCompletionResponse.self, text), "\(text)")
        }
    }

    @Test func brokenResponsesAreLeftToJSONDecoder() throws {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<3_000 {
            let text = Self.damaged(String(decoding: try Self.foundationEncode(Self.response(&rng)), as: UTF8.self), &rng)
            if let fast = WireJSON.fastDecode(ChatCompletionResponse.self, from: Array(text.utf8)) {
                #expect(fast == Self.foundationDecode(ChatCompletionResponse.self, text), "\(text)")
            }
        }
        for text in [
            #"{"choices":null}"#, #"{"id":1,"choices":[]}"#, #"{"choices":[{"message":{"role":"assistant"}}]}"#,
            #"{"choices":[],"usage":{"cost":"x"}}"#,
        ] {
            #expect(WireJSON.fastDecode(ChatCompletionResponse.self, from: Array(text.utf8)) == nil, "\(text)")
            #expect(Self.foundationDecode(ChatCompletionResponse.self, text) == nil, "\(text)")
        }
    }
}
