// Numbers that only their label tells apart from any other number: a bank account, a routing
// number or a sort code after "account number", "routing", "sort code"; a driving licence after
// "driver's license"; a medical record number after "MRN"; an NHS number; a tax or national
// identifier after "tax ID", "national insurance number", "Aadhaar"… (English, a few other European
// languages, Chinese, Japanese and Korean). The number must follow its label within 30 scalars (6 after
// a label in Chinese, Japanese or Korean) on the same line and have the shape of its kind (a routing number's and an NHS number's check digits, a
// sort code's six digits); a run of letters alone or a short count is never one.

enum CuedIdentifiers {
    /// What a label announces, and so the shape its number must have.
    enum Kind {
        case bankAccount, routingNumber, sortCode, driverLicense, medicalRecord, nhs, taxID, nationalID

        var type: FindingType {
            switch self {
            case .bankAccount, .routingNumber, .sortCode: .bankAccount
            case .driverLicense: .driverLicense
            case .medicalRecord: .medicalRecord
            case .nhs: .ukNHS
            case .taxID: .taxID
            case .nationalID: .nationalID
            }
        }
    }

    /// The labels, lower case, a longer one before a shorter one it starts with ("account number"
    /// before "account no"). Two lists: a `ContextWords` holds at most 64.
    private static let money: [(String, Kind)] = [
        ("account number", .bankAccount), ("account no", .bankAccount), ("account #", .bankAccount),
        ("acct no", .bankAccount), ("acct #", .bankAccount), ("acct", .bankAccount), ("a/c no", .bankAccount), ("a/c", .bankAccount),
        ("bank account", .bankAccount), ("checking account", .bankAccount), ("savings account", .bankAccount),
        ("kontonummer", .bankAccount), ("numéro de compte", .bankAccount), ("número de cuenta", .bankAccount),
        ("numero di conto", .bankAccount), ("número da conta", .bankAccount), ("rekeningnummer", .bankAccount),
        ("银行账号", .bankAccount), ("银行账户", .bankAccount), ("银行卡账号", .bankAccount), ("账号", .bankAccount), ("账户", .bankAccount),
        ("口座番号", .bankAccount), ("계좌번호", .bankAccount),
        ("routing number", .routingNumber), ("routing no", .routingNumber), ("routing", .routingNumber), ("aba", .routingNumber),
        ("sort code", .sortCode), ("bsb", .sortCode),
        ("driver's license", .driverLicense), ("driver’s license", .driverLicense), ("drivers license", .driverLicense),
        ("driver license", .driverLicense), ("driver's licence", .driverLicense), ("driver’s licence", .driverLicense),
        ("drivers licence", .driverLicense), ("driving licence", .driverLicense), ("driving license", .driverLicense),
        ("license number", .driverLicense), ("licence number", .driverLicense), ("license no", .driverLicense),
        ("licence no", .driverLicense), ("dl number", .driverLicense), ("dl no", .driverLicense), ("dl#", .driverLicense),
        ("führerschein", .driverLicense), ("permis de conduire", .driverLicense), ("licencia de conducir", .driverLicense),
        ("carteira de motorista", .driverLicense), ("patente di guida", .driverLicense), ("rijbewijs", .driverLicense),
        ("驾驶证", .driverLicense), ("驾照", .driverLicense), ("運転免許", .driverLicense), ("운전면허", .driverLicense),
    ]
    private static let identity: [(String, Kind)] = [
        ("mrn", .medicalRecord), ("medical record number", .medicalRecord), ("medical record no", .medicalRecord),
        ("medical record", .medicalRecord), ("patient id", .medicalRecord), ("patient number", .medicalRecord),
        ("patient no", .medicalRecord), ("hospital number", .medicalRecord), ("health record number", .medicalRecord),
        ("病历号", .medicalRecord), ("病案号", .medicalRecord), ("住院号", .medicalRecord), ("就诊卡号", .medicalRecord),
        ("nhs number", .nhs), ("nhs no", .nhs), ("nhs", .nhs),
        ("tax id", .taxID), ("tax identification number", .taxID), ("taxpayer id", .taxID), ("tax number", .taxID),
        ("tin", .taxID), ("ein", .taxID), ("itin", .taxID), ("national insurance number", .taxID), ("national insurance no", .taxID),
        ("ni number", .taxID), ("nino", .taxID), ("steuer-id", .taxID), ("steuernummer", .taxID),
        ("steueridentifikationsnummer", .taxID), ("codice fiscale", .taxID), ("nif", .taxID), ("cpf", .taxID),
        ("税号", .taxID), ("纳税人识别号", .taxID),
        ("aadhaar", .nationalID), ("aadhar", .nationalID), ("social insurance number", .nationalID), ("sin", .nationalID),
        ("national id", .nationalID), ("id card number", .nationalID), ("identity card number", .nationalID),
        ("personalausweis", .nationalID), ("dni", .nationalID), ("nie", .nationalID), ("bsn", .nationalID),
        ("personnummer", .nationalID), ("pesel", .nationalID), ("マイナンバー", .nationalID), ("주민등록번호", .nationalID),
    ]
    /// Labels that are also everyday words or syllables ("tin", "sin", "nie", "ein" is German "a"): a
    /// label only written in capitals.
    private static let capitalsOnly: Set<String> = ["aba", "tin", "ein", "itin", "nif", "cpf", "sin", "dni", "nie", "bsn", "bsb", "nino"]

    private struct Labels {
        let words: ContextWords
        let kinds: [Kind]
        let capitals: UInt64
        let ends: [[UInt32]]

        init(_ list: [(String, Kind)]) {
            words = ContextWords(list.map(\.0))
            kinds = list.map(\.1)
            var capitals: UInt64 = 0
            for (index, (word, _)) in list.enumerated() where CuedIdentifiers.capitalsOnly.contains(word) { capitals |= 1 << UInt64(index) }
            self.capitals = capitals
            ends = list.map { [Chars.scalars($0.0).last!] }
        }
    }
    private static let lists = [Labels(money), Labels(identity)]

    /// The ASCII scalars a label starts with, lower case.
    static let asciiFirsts: [Int] = Array(Set(lists.flatMap(\.words.asciiFirsts))).sorted()
    /// The first scalars of the labels written in other scripts (账, 驾, 病, 税, マ, 주…).
    static let otherFirsts = ScalarBitmap((money + identity).compactMap { Chars.scalars($0.0).first }.filter { $0 >= 0x80 })

    /// Whether a label may start with `c` and `next` (both lower-cased): the anchor pass's cheap test.
    @inline(__always) static func mayStart(_ c: UInt32, _ next: UInt32) -> Bool {
        lists[0].words.mayStart(c, next) || lists[1].words.mayStart(c, next)
    }

    /// At a label's first scalar: the numbers it announces. Where the scan goes on.
    @inline(__always) static func step(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let c = Chars.lowerASCII(t.v[i])
        if c < 0x80 && t.isASCIILetter(i - 1) { return i + 1 }
        let next = Chars.lowerASCII(t[i + 1])
        for labels in lists where labels.words.mayStart(c, next) {
            var candidates = labels.words.candidates(c)
            while candidates != 0 {
                let index = candidates.trailingZeroBitCount
                candidates &= candidates - 1
                guard labels.words.matches(index, t, at: i) else { continue }
                let end = i + labels.words.count(index)
                // A whole word: "tin" is not "tinder", "routing" not "routings".
                if Chars.isASCIILetter(labels.ends[index][0]) && t.isASCIILetter(end) { continue }
                if labels.capitals & (1 << UInt64(index)) != 0 && !(i..<end).allSatisfy({ !Chars.isASCIILetter(t.v[$0]) || Chars.isUpper(t.v[$0]) }) {
                    continue
                }
                // A label in Chinese, Japanese or Korean is written right before its number ("账号：…",
                // "账户是…"); further on, "账户" is only an account ("他的账户已被冻结，必须拨打 400-…").
                let window = labels.ends[index][0] < 0x80 ? 30 : 6
                return numbers(t, after: end, window: window, labels.kinds[index], &out)
            }
        }
        return i + 1
    }

    /// The numbers of `kind` within `window` scalars after a label ending at `start`, on its line: the first,
    /// then more in a list ("12345678 and 87654321"). Where the scan goes on.
    private static func numbers(_ t: ScalarText, after start: Int, window: Int, _ kind: Kind, _ out: inout [Finding]) -> Int {
        var k = start
        var limit = start + window
        var found = false
        while k < min(t.count, limit) {
            let c = t.v[k]
            if c == 0x0A || c == 0x3002 { break }
            guard t.isASCIIAlnum(k) && !t.isASCIIAlnum(k - 1) && !t.isDigit(k - 1) else {
                k += 1
                continue
            }
            let (e, digits, letters) = token(t, k)
            // An amount of money is no account: "$1234567", "1234567 USD" (never a number label's value).
            let money = isCurrency(t[k - 1]) || isCurrency(t[k - 2]) && t[k - 1] == 0x20
            guard !money, fits(kind, t, k, e, digits, letters) else {
                if found { break }
                k = e
                continue
            }
            out.append(Finding(type: kind.type, start: k, end: e, score: 0.85))
            found = true
            // More of them in a list: only separators and "and", "or" between ("12345678 and 87654321").
            k = e
            while k < t.count && k - e < 8 && (listSeparators.contains(t.v[k]) || t.matches(andWord, at: k) || t.matches(orWord, at: k)) {
                k += t.matches(andWord, at: k) ? 3 : t.matches(orWord, at: k) ? 2 : 1
            }
            guard k > e, t.isASCIIAlnum(k) else { break }
            limit = k + 1
        }
        // Where the last number ends; without one, the scan goes on right after the label (another
        // label may be within the window: "account 0001234, routing 021000021").
        return found ? k : start
    }

    /// The token at `s`: ASCII letters and digits, and groups of them joined by one '-', '.', '/' or
    /// space, a group after a space, a dot or a slash holding a digit ("12-34-56", "943 476 5919",
    /// "123.456.789-09", "D123-4567", "ABCD-1234-EFGH").
    /// Its end and its count of digits and letters.
    private static func token(_ t: ScalarText, _ s: Int) -> (Int, Int, Int) {
        var e = s
        var digits = 0
        var letters = 0
        while true {
            var g = e
            var groupDigits = 0
            var groupLetters = 0
            while t.isASCIIAlnum(g) {
                if t.isDigit(g) { groupDigits += 1 } else { groupLetters += 1 }
                g += 1
            }
            // A later group holds a digit, or is the one capital that ends a National Insurance number
            // ("QQ 12 34 56 C").
            let finalLetter = g == e + 1 && Chars.isUpperASCII(t.v[e]) && digits > 0
            guard g > e, e == s || groupDigits > 0 || finalLetter || t[e - 1] == 0x2D else { break }
            let lettersOnly = groupDigits == 0
            digits += groupDigits
            letters += groupLetters
            e = g
            let sep = t[e]
            guard sep == 0x2D || sep == 0x2E || sep == 0x2F || sep == 0x20, t.isASCIIAlnum(e + 1) else { break }
            if sep == 0x20 || sep == 0x2E {
                // After a space or a dot: a group of digits ("6940579 and", "12345678. Then") or the final
                // capital; a word before it stays out ("is 6940579"), two or three capitals do not ("QQ 12…").
                if lettersOnly && !(sep == 0x20 && g - s <= 3 && (s..<g).allSatisfy({ Chars.isUpperASCII(t.v[$0]) })) { break }
                if !t.isDigit(e + 1) && !(Chars.isUpperASCII(t.v[e + 1]) && !t.isASCIIAlnum(e + 2) && !lettersOnly) { break }
            }
            e += 1
        }
        // A trailing separator is not the token's.
        while e > s && !t.isASCIIAlnum(e - 1) { e -= 1 }
        return (e, digits, letters)
    }

    private static func fits(_ kind: Kind, _ t: ScalarText, _ s: Int, _ e: Int, _ digits: Int, _ letters: Int) -> Bool {
        switch kind {
        case .bankAccount: return letters == 0 && (6...19).contains(digits)
        case .routingNumber: return letters == 0 && digits == 9 && abaValid(t, s, e)
        case .sortCode: return letters == 0 && digits == 6
        case .driverLicense: return digits >= 4 && digits + letters >= 5 && digits + letters <= 20 && letters <= 11
        case .medicalRecord: return digits >= 5 && digits + letters <= 15 && letters <= 4
        case .nhs: return letters == 0 && digits == 10 && nhsValid(t, s, e)
        case .taxID, .nationalID: return digits >= 6 && digits + letters <= 20 && letters <= 9
        }
    }

    private static func digitValues(_ t: ScalarText, _ s: Int, _ e: Int) -> [Int] {
        (s..<e).filter { t.isDigit($0) }.map { Int(t.v[$0] - 0x30) }
    }

    /// An ABA routing number's check: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
    static func abaValid(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        let d = digitValues(t, s, e)
        guard d.count == 9 else { return false }
        return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0
    }

    /// An NHS number's check digit: 11 - (Σ dᵢ·(11 - i) for the first nine) mod 11, never 10.
    static func nhsValid(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        let d = digitValues(t, s, e)
        guard d.count == 10 else { return false }
        var sum = 0
        for k in 0..<9 { sum += d[k] * (10 - k) }
        let check = (11 - sum % 11) % 11
        return check != 10 && check == d[9]
    }

    private static let listSeparators = ScalarBitmap([0x20, 0x2C, 0x3B, 0x2F, 0x26, 0x3001, 0xFF0C, 0xFF1B, 0x548C, 0x53CA])
    private static let andWord = Chars.scalars("and")
    private static let orWord = Chars.scalars("or")

    @inline(__always) private static func isCurrency(_ c: UInt32) -> Bool {
        c == 0x24 || c == 0x20AC || c == 0xA3 || c == 0xA5 || c == 0xFFE5
    }
}
