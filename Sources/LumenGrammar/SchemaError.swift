/// A JSON Schema that the grammar converter cannot turn into a grammar that admits exactly valid values
/// (or only valid ones): the keyword and where it is, so a client is told what to change.
package struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending keyword (`pattern`, `oneOf`, …), or `schema` for a malformed schema.
    package var keyword: String
    /// Where the keyword is, as a dotted path from the schema's root (e.g. `properties.address.pattern`).
    package var path: String
    /// Why it cannot be honoured.
    package var reason: String

    /// Creates an error.
    package init(keyword: String, path: String, reason: String) {
        self.keyword = keyword
        self.path = path
        self.reason = reason
    }

    package var description: String {
        "JSON Schema keyword '\(keyword)' at \(path.isEmpty ? "the root" : path) is not supported for constrained generation: \(reason)"
    }
}
