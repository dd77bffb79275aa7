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
        RouterError(status: 429, type: "rate_limit_error", code: "local_busy", message: message, route: route)
    }

    package static func upstream(_ message: String, timeout: Bool, route: RouteInfo?) -> RouterError {
        RouterError(
            status: timeout ? 504 : 502, type: "api_error", code: timeout ? "upstream_timeout" : "upstream_error",
            message: message, route: route
        )
    }

    package static func auditUnavailable(_ message: String, route: RouteInfo?) -> RouterError {
        RouterError(status: 503, type: "api_error", code: "audit_unavailable", message: message, route: route)
    }

    package static func internalError(_ message: String, route: RouteInfo? = nil) -> RouterError {
        RouterError(status: 500, type: "api_error", code: "internal_error", message: message, route: route)
    }
}
