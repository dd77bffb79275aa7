/// The host (and port, when the URL names one) that requests to `baseURL` go to, without scheme,
/// path or credentials: "api.openai.com", "127.0.0.1:9100". Audit records, the egress header and
/// `lumen replay` name hosts this way, so the same target is the same host everywhere.
package func egressHost(of baseURL: String) -> String {
    var rest = Substring(baseURL)
    if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
    if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
    if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
    return String(rest)
}
