// Values reserved for documentation and tests: no person's, and no reason to keep a prompt local.
//
// Developers paste API docs, fixtures and test data: `jane.doe@example.com` (RFC 2606 reserves the
// example domains), `+1 202-555-0101` (555-0100…0199 are fictional in the North American plan),
// `192.0.2.10` (RFC 5737's documentation networks, `2001:db8::/32` for IPv6), Stripe's test cards,
// AWS's documentation key pair, the IBANs of the standards' examples and the names forms use for
// "anyone" (John Doe, Max Mustermann, 张三). They are still reported,
// weakly (0.3, as a no-reply mailbox is), so a policy's threshold does not act on them.

enum Placeholders {
    static let score = 0.3

    /// Lowers the findings whose value is reserved for documentation or tests.
    static func weaken(_ t: ScalarText, _ findings: inout [Finding]) {
        for k in findings.indices where findings[k].score > score && isPlaceholder(t, findings[k]) {
            findings[k].score = score
        }
    }

    /// Read on the scalars, without building strings for the common types: a long text holds
    /// hundreds of findings, and this runs for each.
    static func isPlaceholder(_ t: ScalarText, _ f: Finding) -> Bool {
        switch f.type {
        case .email: return reservedMailDomain(t, f.start, f.end)
        case .phone: return fictionalPhone(t, f.start, f.end)
        case .ipAddress: return documentationIP(t, f.start, f.end)
        case .creditCard: return digitValue(t, f.start, f.end).map(testCards.contains) ?? false
        case .iban: return exampleIBANs.contains(alphanumerics(t, f.start, f.end))
        case .awsAccessKey, .genericSecret: return exampleSuffixes.contains { endsWith(t, f.end, $0, start: f.start) }
        case .githubToken: return f.end - f.start == 40 && exampleTokens.contains(t.string(f.start, f.end))
        case .jwt: return f.end - f.start == jwtIOSample.count && t.string(f.start, f.end) == jwtIOSample
        case .person:
            return f.end - f.start <= 20 && placeholderNameStarts.contains(Chars.lowerASCII(t.v[f.start]))
                && placeholderNames.contains(t.string(f.start, f.end).lowercased())
        default: return false
        }
    }

    /// Whether `t[..<end]` ends with `suffix` (lower-case ASCII, matched in any case), not before `start`.
    private static func endsWith(_ t: ScalarText, _ end: Int, _ suffix: [UInt32], start: Int) -> Bool {
        end - start >= suffix.count && t.matches(suffix, at: end - suffix.count)
    }

    private static let exampleDomains = ["example.com", "example.net", "example.org"].map(Chars.scalars)
    private static let reservedTLDs = [".example", ".test", ".invalid", ".localhost"].map(Chars.scalars)
    private static let documentationNetworks = ["192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:", "2001:0db8:"].map(Chars.scalars)
    /// The token jwt.io shows ("John Doe", signed with "your-256-bit-secret"), pasted in questions about JWTs.
    private static let jwtIOSample =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    private static let exampleSuffixes = ["example", "examplekey"].map(Chars.scalars)

    /// example.com / .net / .org and their subdomains, and the reserved top-level names.
    private static func reservedMailDomain(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        for domain in exampleDomains where endsWith(t, e, domain, start: s) {
            let before = t[e - domain.count - 1]
            if before == 0x40 || before == 0x2E || before == 0x30 { return true }  // @, a subdomain's dot, %40
        }
        return reservedTLDs.contains { endsWith(t, e, $0, start: s) }
    }

    /// A North American number in 555-0100…0199: seven, ten or eleven (1…) digits whose last seven are 55501xx.
    private static func fictionalPhone(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var count = 0
        var last7 = 0
        var first: UInt32 = 0
        for k in s..<e where Chars.isDigit(t.v[k]) {
            if count == 0 { first = t.v[k] }
            count += 1
            last7 = (last7 * 10 + Int(t.v[k] - 0x30)) % 10_000_000
        }
        guard count == 7 || count == 10 || (count == 11 && first == 0x31) else { return false }
        return last7 / 100 == 55501
    }

    /// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 2001:db8::/32 (RFC 3849).
    /// RFC 5737's networks; public resolvers (a DNS question names 8.8.8.8 or 114.114.114.114, no
    /// person's address); a netmask ("255.255.255.0").
    private static func documentationIP(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        if documentationNetworks.contains(where: { e - s >= $0.count && t.matches($0, at: s) }) { return true }
        guard e - s <= 15 else { return false }
        let text = t.string(s, e)
        return publicResolvers.contains(text) || isNetmask(text)
    }

    private static let publicResolvers: Set<String> = [
        "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112", "208.67.222.222", "208.67.220.220", "114.114.114.114",
        "114.114.115.115", "223.5.5.5", "223.6.6.6", "119.29.29.29", "180.76.76.76", "94.140.14.14", "76.76.2.0",
    ]

    /// Four octets whose bits are ones then zeros, starting with 255.
    private static func isNetmask(_ text: String) -> Bool {
        let octets = text.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets[0] == 255, octets.allSatisfy({ $0 <= 255 }) else { return false }
        let bits = octets.reduce(UInt32(0)) { $0 << 8 | $1 }
        let hostBits = ~bits
        return hostBits & (hostBits &+ 1) == 0
    }

    /// The digits of `s..<e` as a number (nil past 19 digits).
    private static func digitValue(_ t: ScalarText, _ s: Int, _ e: Int) -> UInt64? {
        var value: UInt64 = 0
        var count = 0
        for k in s..<e where Chars.isDigit(t.v[k]) {
            count += 1
            guard count <= 19 else { return nil }
            value = value * 10 + UInt64(t.v[k] - 0x30)
        }
        return value
    }

    private static func alphanumerics(_ t: ScalarText, _ s: Int, _ e: Int) -> String {
        String(
            String.UnicodeScalarView((s..<e).compactMap { Chars.isDigit(t.v[$0]) || Chars.isASCIILetter(t.v[$0]) ? Unicode.Scalar(t.v[$0]) : nil })
        )
        .uppercased()
    }

    /// The card numbers payment providers publish for tests (Stripe's list and the classic ones).
    private static let testCards: Set<UInt64> = [
        4242424242424242, 4000056655665556, 5555555555554444, 2223003122003222, 5200828282828210, 5105105105105100,
        378282246310005, 371449635398431, 6011111111111117, 6011000990139424, 3056930009020004, 36227206271667,
        3566002020360505, 6200000000000005, 4111111111111111, 4012888888881881, 4000000000000002, 4000000000009995,
        4000000000000069, 4000000000000127, 4000000000000119, 4000002500003155, 4000002760003184, 4000003800000446,
        4000000000003220, 4000000000003063, 4000008400001629, 4000000000000077, 4000000000000093, 4000000000000101,
        4000000000000341, 4000000000009235, 4000000000009987, 4000000000009979, 4000000000000259, 4000000000001976,
        4000000000005423,
    ]

    /// The IBANs of the standards' and banks' documentation examples.
    private static let exampleIBANs: Set<String> = [
        "GB82WEST12345698765432", "GB29NWBK60161331926819", "DE89370400440532013000", "FR1420041010050500013M02606",
        "NL91ABNA0417164300", "ES9121000418450200051332", "IT60X0542811101000000123456", "BE68539007547034", "CH9300762011623852957",
        "AT611904300234573201", "SE4550000000058398257466", "PL61109010140000071219812874", "NO9386011117947", "DK5000400440116243",
        "FI2112345600000785", "IE29AIBK93115212345678",
    ]

    /// The names forms and docs use for "anyone": John Doe, Max Mustermann, 张三, 陳大文.
    private static let placeholderNames: Set<String> = [
        "john doe", "jane doe", "john roe", "jane roe", "richard roe", "john q. public", "joe bloggs", "max mustermann",
        "erika mustermann", "张三", "李四", "王五", "赵六", "王小明", "陈大文", "陳大文", "張三", "趙六", "山田太郎", "홍길동",
    ]

    /// First scalars of `placeholderNames` (lower-cased).
    private static let placeholderNameStarts = ScalarBitmap(Set(placeholderNames.compactMap { $0.unicodeScalars.first?.value }))

    /// Tokens from GitHub's own documentation.
    private static let exampleTokens: Set<String> = ["ghp_16C7e42F292c6912E7710c838347Ae178B4a"]
}
