import LumenCore

/// A request the router refuses or cannot serve: an HTTP status, an OpenAI error `type`/`code`
/// and a human message (never containing prompt text, answers or keys).
package struct RouterError: Error, Sendable, CustomStringConvertible {
    package var status: Int
    /// OpenAI error type, e.g. `invalid_request_error`.
    package var type: String
    /// Stable machine-readable code, e.g. `model_not_found`.
    package var code: String
    package var message: String
    package var param: String?
    /// What was decided before the failure (for response headers), if anything.
    package var route: RouteInfo?
    /// Whether the router has already written the request's completion record for this error.
    var recorded = false
    /// Seconds after which a retry may succeed (`Retry-After`), when the error says so.
    package var retryAfter: Int?

    package init(status: Int, type: String, code: String, message: String, param: String? = nil, route: RouteInfo? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.route = route
    }

    package var description: String { "\(status) \(code): \(message)" }

    package static func invalidRequest(_ message: String, param: String? = nil, code: String = "invalid_request") -> RouterError {
        RouterError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }

    /// What a target that returns one choice, without log probabilities, and takes function tools
    /// only as `tools` cannot honour in `request` (the first of `n` > 1, `logprobs`, the deprecated
    /// `functions`/`function_call`): a 400 `unsupported_by_target` in which `target` ("The embedded
    /// local model") says so; nil when there is none.
    static func unsupported(by target: String, _ request: ChatCompletionRequest) -> RouterError? {
        if let n = request.n, n != 1 {
            return .invalidRequest("\(target) returns one choice ('n' must be 1).", param: "n", code: "unsupported_by_target")
        }
        if request.extra["logprobs"]?.boolValue == true {
            return .invalidRequest("\(target) returns no log probabilities ('logprobs').", param: "logprobs", code: "unsupported_by_target")
        }
        for legacy in ["functions", "function_call"] where request.extra[legacy] != nil {
            return .invalidRequest(
                "\(target) takes function tools as 'tools' and 'tool_choice' ('\(legacy)' is OpenAI's deprecated form).", param: legacy,
                code: "unsupported_by_target")
        }
        return nil
    }

    /// The codes of a target's refusal for what it cannot do, rather than for what the request gets
    /// wrong: a later candidate of the rule (a remote model after the local one) may serve it.
    static let capabilityCodes: Set<String> = ["unsupported_by_target", "unsupported_schema", "context_length_exceeded"]

    /// Whether this is a 400 for something the target cannot do (`capabilityCodes`).
    var isCapability: Bool { status == 400 && Self.capabilityCodes.contains(code) }

    /// A backend's refusal of the request (`BackendError.Kind.invalid`), with its code.
    package static func refused(_ error: BackendError) -> RouterError {
        .invalidRequest(error.message, code: error.code ?? "invalid_request")
    }

    package static func modelNotFound(_ model: String, known: [String]) -> RouterError {
        RouterError(
            status: 404, type: "invalid_request_error", code: "model_not_found",
            message: "The model '\(model)' does not exist; use 'auto' or one of: \(known.joined(separator: ", ")).",
            param: "model"
        )
    }

    package static func blocked(_ message: String, route: RouteInfo?) -> RouterError {
        RouterError(status: 403, type: "permission_error", code: "blocked_by_policy", message: message, route: route)
    }

    package static func busy(_ message: String, route: RouteInfo?) -> RouterError {
        // A slot frees as soon as one answer ends: the SDKs wait what `Retry-After` says rather
        // than their own back-off (OpenAI's starts at half a second, Anthropic's too).
        var error = RouterError(status: 429, type: "rate_limit_error", code: "local_busy", message: message, route: route)
        error.retryAfter = 1
        return error
    }

    /// The last target refused the request itself (an upstream 4xx) and no fallback served it: the
    /// client's request as that target read it, not a failure of the gateway. 400-class refusals
    /// keep their status (a client mistake: not retried); 429 stays a rate limit (retried later);
    /// the target refusing Lumen's own credentials (401, 403) is the gateway's failure, 502.
    package static func rejected(status: Int, target: String, message: String, route: RouteInfo?) -> RouterError {
        switch status {
        case 429:
            return RouterError(
                status: 429, type: "rate_limit_error", code: "rate_limited_by_target",
                message: "Target '\(target)' is rate limiting (\(message)); retry later.", route: route)
        case 401, 403:
            return RouterError(
                status: 502, type: "api_error", code: "upstream_auth",
                message: "Target '\(target)' refused Lumen's credentials (\(message)); check its api_key_env.", route: route)
        default:
            return RouterError(
                status: status == 404 || status == 413 || status == 422 ? status : 400, type: "invalid_request_error",
                code: "rejected_by_target", message: "Target '\(target)' rejected the request (\(message)).", route: route)
        }
    }

    package static func upstream(_ message: String, timeout: Bool, route: RouteInfo?) -> RouterError {
        RouterError(
            status: timeout ? 504 : 502, type: "api_error", code: timeout ? "upstream_timeout" : "upstream_error",
            message: message, route: route
        )
    }

    /// The last target was overloaded (an upstream 503, or Anthropic's 529) and no fallback served
    /// the request: a 503 that passes on the target's `Retry-After`, so that a client waits as long as
    /// the target asked instead of retrying at once.
    package static func overloaded(target: String, message: String, retryAfter: Int?, route: RouteInfo?) -> RouterError {
        var error = RouterError(
            status: 503, type: "api_error", code: "upstream_overloaded",
            message: "Target '\(target)' is overloaded (\(message)) and no fallback could serve the request; retry later.", route: route)
        error.retryAfter = retryAfter
        return error
    }

    package static func auditUnavailable(_ message: String, route: RouteInfo?) -> RouterError {
        RouterError(status: 503, type: "api_error", code: "audit_unavailable", message: message, route: route)
    }

    package static func internalError(_ message: String, route: RouteInfo? = nil) -> RouterError {
        RouterError(status: 500, type: "api_error", code: "internal_error", message: message, route: route)
    }
}
