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
