/// What the policy engine knows about a request besides its prompt.
package struct RequestContext: Sendable, Hashable, Codable {
    package var tenant: String?
    /// The request's `model` field: `auto` (or nil) lets the policy decide; a target name asks for it.
    package var requestedModel: String?
    package var metadata: [String: String]
    /// Request headers; names are lower-cased on initialisation.
    package var headers: [String: String]
    /// USD left in the global budget (nil = unlimited).
    package var remainingUSD: Double?
    /// USD left in this tenant's budget (nil = unlimited).
    package var tenantRemainingUSD: Double?
    /// Field paths of content that cannot be screened (base64 images, audio, files).
    package var binaryParts: [String]
    /// The output tokens the request asks for per answer (`max_tokens`, `max_completion_tokens`,
    /// `max_output_tokens`), if it names a limit, and how many answers (`n`): the budget check
    /// counts the worst case.
    package var requestedOutputTokens: Int?
    package var choices: Int

    package init(
        tenant: String? = nil,
        requestedModel: String? = nil,
        metadata: [String: String] = [:],
        headers: [String: String] = [:],
        remainingUSD: Double? = nil,
        tenantRemainingUSD: Double? = nil,
        binaryParts: [String] = [],
        requestedOutputTokens: Int? = nil,
        choices: Int = 1
    ) {
        self.requestedOutputTokens = requestedOutputTokens
        self.choices = choices
        self.tenant = tenant
        self.requestedModel = requestedModel
        self.metadata = metadata
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.remainingUSD = remainingUSD
        self.tenantRemainingUSD = tenantRemainingUSD
        self.binaryParts = binaryParts
    }
}
