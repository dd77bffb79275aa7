import Foundation
package import LumenCore

/// Sensitive values planted in every part of a chat request that can leave, for the egress tests
/// (router level and end to end): where each goes, the field path the screen must report, and
/// what must happen to it.
package enum PlantedValues {
    /// A planted value and what it is.
    package struct Value: Sendable, CustomStringConvertible {
        package var text: String
        package var isSecret: Bool
        package var placeholderPrefix: String
        package var description: String { text }

        package static let email = Value(text: "jane.doe@fastmail.fm", isSecret: false, placeholderPrefix: "[EMAIL_")
        package static let ssn = Value(text: "078-05-1120", isSecret: false, placeholderPrefix: "[SSN_")
        package static let awsKey = Value(text: "AKIAZ7QX3MPL5NR2VT4E", isSecret: true, placeholderPrefix: "")
        package static let all = [email, ssn, awsKey]
    }

    /// Where a value is planted, the field path the screen must report, and what must happen.
    package struct Place: Sendable, CustomStringConvertible {
        package enum Expect: Sendable {
            /// Rewritable: redacted and sent (secrets keep it local).
            case redacted
            /// Cannot be rewritten: served locally.
            case local
            /// Not forwarded at all: sent without it, named in the dropped fields.
            case dropped
        }
        package var name: String
        package var path: String?
        package var expect: Expect
        package var plant: @Sendable (inout ChatCompletionRequest, String) -> Void
        package var description: String { name }
    }

    package static func base() -> ChatCompletionRequest {
        ChatCompletionRequest(
            model: "auto",
            messages: [
                ChatMessage(role: .system, text: "You are a helpful assistant."),
                ChatMessage(role: .user, text: "Summarise the plan in three bullet points."),
            ]
        )
    }

    package static func schema(description: String? = nil, enumValue: String? = nil) -> JSONValue {
        var who: [String: JSONValue] = ["type": "string"]
        if let description { who["description"] = .string(description) }
        if let enumValue { who["enum"] = [.string(enumValue)] }
        return ["type": "object", "properties": ["who": .object(who)]]
    }

    package static func toolRound(_ request: inout ChatCompletionRequest, arguments: String, result: String) {
        request.messages.append(
            ChatMessage(
                role: .assistant, content: nil, toolCalls: [ToolCall(id: "call_1", function: FunctionCall(name: "lookup", arguments: arguments))])
        )
        var tool = ChatMessage(role: .tool, text: result)
        tool.toolCallId = "call_1"
        request.messages.append(tool)
        request.tools = [Tool(function: FunctionDefinition(name: "lookup", description: "Look a record up.", parameters: schema()))]
    }

    package static let places: [Place] = [
        Place(name: "user", path: "user", expect: .redacted) { r, v in r.user = v },
        Place(name: "metadata value", path: "metadata.note", expect: .redacted) { r, v in r.metadata = ["note": .string(v)] },
        Place(name: "unknown top-level field", path: nil, expect: .dropped) { r, v in r.extra["x_note"] = .string(v) },
        Place(name: "message name", path: "messages[1].name", expect: .redacted) { r, v in r.messages[1].name = v },
        Place(name: "tool description", path: "tools[0].function.description", expect: .redacted) { r, v in
            r.tools = [Tool(function: FunctionDefinition(name: "lookup", description: "Look up records of \(v).", parameters: schema()))]
        },
        Place(name: "tool parameter schema", path: "tools[0].function.parameters.properties.who.description", expect: .redacted) { r, v in
            r.tools = [
                Tool(function: FunctionDefinition(name: "lookup", description: "Look a record up.", parameters: schema(description: "e.g. \(v)")))
            ]
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

    package static let cases: [(Place, Value)] = places.flatMap { place in Value.all.map { (place, $0) } }
}
