package import LumenClassifier

extension FindingType {
    /// The short upper-case name used in this type's placeholders (`EMAIL` in `[EMAIL_1]`).
    ///
    /// Known types have a fixed readable name; any other type falls back to its raw name
    /// upper-cased, with runs of characters outside `A-Z0-9` turned into one `_`. Names never
    /// start with `ESC_` (reserved for escaped literals) nor with a digit (prefixed with `X_`).
    package var placeholderName: String {
        if let name = PlaceholderCatalogue.nameByType[self] { return name }
        return PlaceholderCatalogue.fallbackName(rawValue)
    }
}

/// Placeholder names of the known finding types, and the grammar of placeholders.
enum PlaceholderCatalogue {
    static let nameByType: [FindingType: String] = [
        .email: "EMAIL",
        .phone: "PHONE",
        .creditCard: "CARD",
        .iban: "IBAN",
        .usSSN: "SSN",
        .chineseResidentID: "CN_ID",
        .passport: "PASSPORT",
        .bankAccount: "BANK_ACCOUNT",
        .driverLicense: "DRIVER_LICENSE",
        .medicalRecord: "MRN",
        .ukNHS: "NHS",
        .taxID: "TAX_ID",
        .nationalID: "NATIONAL_ID",
        .ipAddress: "IP",
        .dateOfBirth: "DOB",
        .streetAddress: "ADDRESS",
        .person: "PERSON",
        .customTerm: "TERM",
        .awsAccessKey: "AWS_KEY",
        .githubToken: "GITHUB_TOKEN",
        .openAIKey: "OPENAI_KEY",
        .anthropicKey: "ANTHROPIC_KEY",
        .slackToken: "SLACK_TOKEN",
        .stripeKey: "STRIPE_KEY",
        .googleAPIKey: "GOOGLE_KEY",
        .jwt: "JWT",
        .privateKey: "PRIVATE_KEY",
        .password: "PASSWORD",
        .genericSecret: "SECRET",
    ]

    /// Known names back to their type (for counting mangled placeholders).
    static let typeByName: [String: FindingType] = {
        var result: [String: FindingType] = [:]
        for (type, name) in nameByType { result[name] = type }
        return result
    }()

    /// The reserved name prefix of escaped literal placeholders: `[EMAIL_1]` written by the
    /// user is sent as `[ESC_EMAIL_1]`.
    static let escapePrefix = "ESC_"

    static func fallbackName(_ raw: String) -> String {
        var name = ""
        var pendingSeparator = false
        for scalar in raw.unicodeScalars {
            let upper: Unicode.Scalar
            switch scalar.value {
            case 0x61...0x7A: upper = Unicode.Scalar(scalar.value - 0x20)!
            case 0x41...0x5A, 0x30...0x39: upper = scalar
            default:
                pendingSeparator = true
                continue
            }
            if pendingSeparator && !name.isEmpty { name.append("_") }
            pendingSeparator = false
            name.unicodeScalars.append(upper)
        }
        if name.isEmpty { return "ITEM" }
        if name == "ESC" || name.hasPrefix(escapePrefix) || name.first!.isNumber { return "X_" + name }
        return name
    }

    static func isUpperWordScalar(_ value: UInt32) -> Bool {
        (0x41...0x5A).contains(value) || (0x30...0x39).contains(value) || value == 0x5F
    }

    static func isDigit(_ value: UInt32) -> Bool { (0x30...0x39).contains(value) }

    /// Splits the inside of a placeholder (`EMAIL_12`) into name and number, if it has the strict
    /// grammar `NAME_DIGITS` with `NAME` = `[A-Z][A-Z0-9_]*`.
    static func splitStrict(_ inner: Substring.UnicodeScalarView) -> (name: Substring, number: Substring)? {
        guard let first = inner.first, (0x41...0x5A).contains(first.value) else { return nil }
        guard inner.allSatisfy({ isUpperWordScalar($0.value) }) else { return nil }
        guard let underscore = inner.lastIndex(where: { $0 == "_" }) else { return nil }
        let digits = inner[inner.index(after: underscore)...]
        guard !digits.isEmpty, digits.allSatisfy({ isDigit($0.value) }) else { return nil }
        let text = Substring(inner)
        return (text[..<underscore], text[text.index(after: underscore)...])
    }
}

/// How values are compared to decide "same value → same placeholder".
enum ValueNormalizer {
    /// The comparison key of `value` for findings of `type`:
    /// - email, IP address: trimmed, lower-cased;
    /// - phone, credit card, US SSN: decimal digits only;
    /// - IBAN, Chinese resident ID, passport and other labelled numbers (`FindingType.isLabelledNumber`): ASCII letters and digits only, upper-cased;
    /// - secrets: exact text, trimmed;
    /// - everything else (person, address, date of birth, terms, unknown types): whitespace runs
    ///   collapsed to one space, trimmed, lower-cased.
    /// A key that comes out empty falls back to the exact text.
    static func key(_ value: String, type: FindingType) -> String {
        let key: String
        switch type {
        case .email, .ipAddress:
            key = collapse(value).lowercased()
        case .phone, .creditCard, .usSSN:
            key = String(String.UnicodeScalarView(value.unicodeScalars.filter { PlaceholderCatalogue.isDigit($0.value) }))
        case _ where type == .iban || type == .chineseResidentID || type.isLabelledNumber:
            key = String(
                String.UnicodeScalarView(
                    value.uppercased().unicodeScalars.filter { PlaceholderCatalogue.isUpperWordScalar($0.value) && $0 != "_" }
                )
            )
        default:
            key = type.isSecret ? trim(value) : collapse(value).lowercased()
        }
        return key.isEmpty ? value : key
    }

    private static func trim(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }

    private static func collapse(_ value: String) -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if pendingSpace && !result.isEmpty { result.append(" ") }
            pendingSpace = false
            result.append(scalar)
        }
        return String(result)
    }
}
