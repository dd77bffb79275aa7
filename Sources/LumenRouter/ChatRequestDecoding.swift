package import Foundation
package import LumenCore

extension Router {
    /// The integer members of a Chat Completions request (JSONDecoder does not say which one did not fit).
    static let chatIntegers: [String: MemberType] = [
        "max_tokens": .integer, "max_completion_tokens": .integer, "n": .integer, "seed": .integer, "top_logprobs": .integer,
    ]

    /// A Chat Completions body as the conversation, or the 400 that says what is wrong with it: the
    /// server and `lumen route --request` read bodies the same way.
    package static func decodeChat(_ data: Data) throws(RouterError) -> ChatCompletionRequest {
        let request = try decodeChatBody(data)
        try checkMessages(request)
        return request
    }

    /// What the OpenAI API requires of each message and the JSON types cannot say: a known role, a
    /// user, system or developer message's `content`, a tool message's `tool_call_id`.
    static func checkMessages(_ request: ChatCompletionRequest) throws(RouterError) {
        for (index, message) in request.messages.enumerated() {
            let at = "messages[\(index)]"
            switch message.role.rawValue {
            case "user", "system", "developer":
                if message.content == nil {
                    throw .invalidRequest("\(at): a \(message.role.rawValue) message needs 'content'.", param: "\(at).content")
                }
            case "tool":
                if message.toolCallId == nil {
                    throw .invalidRequest("\(at): a tool message needs 'tool_call_id'.", param: "\(at).tool_call_id")
                }
            case "assistant", "function":
                break
            default:
                throw .invalidRequest(
                    "\(at).role: '\(message.role.rawValue)' is not a role (system, developer, user, assistant, tool, function).",
                    param: "\(at).role")
            }
        }
    }

    static func decodeChatBody(_ data: Data) throws(RouterError) -> ChatCompletionRequest {
        if let request = WireJSON.fastDecode(ChatCompletionRequest.self, from: data) { return request }
        do {
            return try JSONDecoder().decode(ChatCompletionRequest.self, from: data)
        } catch let error as DecodingError {
            // Parseable JSON with a value that does not fit (a fractional or huge max_tokens) is
            // not malformed: say what did not fit.
            if case .dataCorrupted(let context) = error, let object = (try? WireJSON.decode(JSONValue.self, from: data))?.objectValue {
                do {
                    try MemberType.check(object, chatIntegers)
                } catch {
                    throw .invalidRequest(error.message, param: error.param)
                }
                if !context.codingPath.isEmpty {
                    throw .invalidRequest("Invalid request: \(WireJSON.describe(error))", code: "invalid_value")
                }
                throw .invalidRequest("Invalid request: the body is valid JSON, but a value does not fit its field.", code: "invalid_value")
            }
            throw .invalidRequest("Invalid request JSON: \(WireJSON.describe(error))", code: "invalid_json")
        } catch {
            throw .invalidRequest("Invalid request JSON.", code: "invalid_json")
        }
    }
}
