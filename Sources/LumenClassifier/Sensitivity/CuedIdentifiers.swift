// Numbers that only their label tells apart from any other number: a bank account, a routing
// number or a sort code after "account number", "routing", "sort code"; a driving licence after
// "driver's license"; a medical record number after "MRN"; an NHS number; a tax or national
// identifier after "tax ID", "national insurance number", "Aadhaar"… (English, a few other European
// languages, Chinese, Japanese, Korean and Hindi). The number must follow its label in the same
// sentence, on its line or, for a label alone on its line, the next: within 30 scalars (60 for a number
// with check digits, 4 after an abbreviation such as "acc" or "DL", 16 after a label in Chinese,
// Japanese or Korean and before a comma), and have the shape of its kind (a routing number's and an NHS
// number's check digits, a sort code's six digits); a run of letters alone, a date, an amount or a
// short count is never one. Tables, JSON members and SQL rows name these numbers by their column
// (`StructuredFields`).

enum CuedIdentifiers {
    /// What a label announces, and so the shape its number must have.
    enum Kind {
        /// `account` is "account" alone: a longer number, not after a service's name or "ID".
        /// `licence` is "license" alone: a licence number of seven or more.
        case bankAccount, account, routingNumber, sortCode, driverLicense, licence, medicalRecord, nhs, taxID, nationalID

        var type: FindingType {
            switch self {
            case .bankAccount, .account, .routingNumber, .sortCode: .bankAccount
            case .driverLicense, .licence: .driverLicense
            case .medicalRecord: .medicalRecord
            case .nhs: .ukNHS
            case .taxID: .taxID
            case .nationalID: .nationalID
            }
        }
    }

    /// The labels, lower case, a longer one before a shorter one it starts with ("account number"
    /// before "account no"), in traditional Chinese too (the anchor pass reads the text as written).
    private static let all: [(String, Kind)] = [
        // Bank accounts, routing numbers, sort codes.
        ("account number", .bankAccount), ("account no", .bankAccount), ("account #", .bankAccount),
        ("accounts", .account), ("account", .account), ("acct no", .bankAccount), ("acct #", .bankAccount), ("acct", .bankAccount),
        ("acc no", .bankAccount), ("acc", .bankAccount), ("a/c no", .bankAccount), ("a/c", .bankAccount), ("ac no", .bankAccount),
        ("bank account", .bankAccount), ("checking account", .bankAccount), ("savings account", .bankAccount), ("checking", .account),
        ("savings", .account), ("konto", .bankAccount),
        ("kontonummer", .bankAccount), ("numéro de compte", .bankAccount), ("número de cuenta", .bankAccount),
        ("numero di conto", .bankAccount), ("número da conta", .bankAccount), ("número de conta", .bankAccount),
        ("rekeningnummer", .bankAccount), ("银行账号", .bankAccount), ("银行账户", .bankAccount), ("银行卡账号", .bankAccount),
        ("账号", .bankAccount), ("账户", .bankAccount), ("帳號", .bankAccount), ("帳戶", .bankAccount), ("口座番号", .bankAccount),
        ("계좌번호", .bankAccount), ("계좌", .bankAccount), ("खाता संख्या", .bankAccount), ("खाता नंबर", .bankAccount),
        ("routing number", .routingNumber), ("routing no", .routingNumber), ("routing", .routingNumber), ("aba", .routingNumber),
        ("sort code", .sortCode), ("bsb", .sortCode),
        // Driving licences.
        ("driver's license", .driverLicense), ("driver’s license", .driverLicense), ("drivers license", .driverLicense),
        ("driver license", .driverLicense), ("driver's licence", .driverLicense), ("driver’s licence", .driverLicense),
        ("drivers licence", .driverLicense), ("driving licence", .driverLicense), ("driving license", .driverLicense),
        ("license number", .driverLicense), ("licence number", .driverLicense), ("license no", .driverLicense), ("dl/no", .driverLicense),
        ("licence no", .driverLicense), ("lic. no", .driverLicense), ("lic no", .driverLicense), ("dl number", .driverLicense),
        ("dl no", .driverLicense), ("dl#", .driverLicense), ("dl", .driverLicense), ("license", .licence), ("licence", .licence),
        ("führerscheinnummer", .driverLicense),
        ("führerschein", .driverLicense), ("permis de conduire", .driverLicense), ("permis n", .driverLicense),
        ("numéro de permis", .driverLicense), ("licencia de conducir", .driverLicense), ("permiso de conducir", .driverLicense),
        ("carteira de motorista", .driverLicense), ("cnh", .driverLicense), ("patente di guida", .driverLicense),
        ("patente n", .driverLicense), ("rijbewijsnummer", .driverLicense), ("rijbewijs", .driverLicense),
        ("驾驶证", .driverLicense), ("驾照", .driverLicense), ("駕駛證", .driverLicense), ("駕照", .driverLicense),
        ("運転免許", .driverLicense), ("免許証", .driverLicense), ("운전면허", .driverLicense), ("ड्राइविंग लाइसेंस", .driverLicense),
        // Medical record numbers, NHS numbers.
        ("mrn", .medicalRecord), ("medical record number", .medicalRecord), ("medical record no", .medicalRecord),
        ("medical record", .medicalRecord), ("patient id", .medicalRecord), ("patient number", .medicalRecord),
        ("patient no", .medicalRecord), ("hospital number", .medicalRecord), ("hospital no", .medicalRecord), ("hosp no", .medicalRecord),
        ("health record number", .medicalRecord), ("uhid", .medicalRecord), ("ip no", .medicalRecord), ("lab no", .medicalRecord),
        ("accession", .medicalRecord), ("member id", .medicalRecord), ("medicare number", .medicalRecord), ("medicare no", .medicalRecord),
        ("medicare", .medicalRecord), ("health card", .medicalRecord), ("ohip", .medicalRecord), ("versichertennummer", .medicalRecord),
        ("patienten-nr", .medicalRecord),
        ("patientennummer", .medicalRecord), ("patiëntnummer", .medicalRecord), ("prontuário", .medicalRecord), ("ipp", .medicalRecord),
        ("nhc", .medicalRecord), ("historia clínica", .medicalRecord), ("nosologico", .medicalRecord),
        ("病历号", .medicalRecord), ("病案号", .medicalRecord), ("住院号", .medicalRecord), ("就诊卡号", .medicalRecord),
        ("病歷號", .medicalRecord), ("病案號", .medicalRecord), ("住院號", .medicalRecord), ("患者id", .medicalRecord),
        ("환자 등록번호", .medicalRecord), ("nhs number", .nhs), ("nhs no", .nhs), ("nhs", .nhs),
        // Tax identifiers (a person's; a company's registration code, 统一社会信用代码 or 統一編號, is none).
        ("tax id", .taxID), ("tax identification number", .taxID), ("tax file number", .taxID), ("tfn", .taxID),
        ("tax reference number", .taxID), ("tax reference", .taxID), ("unique taxpayer reference", .taxID), ("utr", .taxID), ("ni", .taxID),
        ("taxpayer id", .taxID), ("tax number", .taxID),
        ("tin", .taxID), ("ein", .taxID), ("itin", .taxID), ("national insurance number", .taxID), ("national insurance no", .taxID),
        ("ni number", .taxID), ("nino", .taxID), ("steuer-id", .taxID), ("steuernummer", .taxID),
        ("steueridentifikationsnummer", .taxID), ("codice fiscale", .taxID), ("c.f.", .taxID), ("p.iva", .taxID),
        ("partita iva", .taxID), ("numéro fiscal", .taxID), ("nif", .taxID), ("cpf", .taxID), ("pan", .taxID),
        ("税号", .taxID), ("纳税人识别号", .taxID), ("稅號", .taxID),
        ("पैन", .taxID),
        // National identity numbers.
        ("aadhaar", .nationalID), ("aadhar", .nationalID), ("social insurance number", .nationalID), ("sin", .nationalID),
        ("national id", .nationalID), ("id number", .nationalID), ("id card number", .nationalID), ("nric", .nationalID), ("fin", .nationalID),
        ("identity card number", .nationalID), ("hkid", .nationalID), ("taiwan id", .nationalID), ("香港身份证", .nationalID),
        ("香港身份證", .nationalID), ("身分证", .nationalID),
        ("numéro de registre national", .nationalID), ("n° de registre national", .nationalID), ("numéro de sécurité sociale", .nationalID),
        ("personalausweis", .nationalID),
        ("dni", .nationalID), ("nie", .nationalID), ("curp", .nationalID), ("bsn", .nationalID), ("personnummer", .nationalID),
        ("pesel", .nationalID), ("身分證", .nationalID), ("身份證", .nationalID), ("マイナンバー", .nationalID),
        ("주민등록번호", .nationalID), ("आधार संख्या", .nationalID), ("आधार नंबर", .nationalID),
    ]
    /// Labels that are also everyday words or syllables ("tin", "sin", "nie", "ein" is German "a", "pan",
    /// "acc", "dl"): a label only written in capitals.
    private static let capitalsOnly: Set<String> = [
        "aba", "tin", "ein", "itin", "nif", "cpf", "sin", "dni", "nie", "nino", "pan", "curp", "cnh", "ipp", "nhc", "tfn", "utr", "ni", "nric", "fin",
        "ohip", "dl", "uhid", "hkid",
    ]

    /// Abbreviations that are also code's or other words ("acc" in `reduce((acc, x) => …)`, "DL models"):
    /// their number follows within four scalars ("acc 71559302", "DL# 4417", "a/c: 0012345678").
    private static let shortReach: Set<String> = ["acc", "acct", "a/c", "dl", "dl#", "pan", "cnh", "ipp", "nhc", "uhid"]

    /// One list of labels (a `ContextWords` holds at most 64): the kind each announces, those written
    /// only in capitals (a bit each), the last scalar of each. A class: a scan walks the lists at each
    /// label-like word, and a struct of arrays there was a retain and a release per array.
    fileprivate final class List: Sendable {
        let words: ContextWords
        let kinds: [Kind]
        let capitals: UInt64
        /// Abbreviations whose number follows at once (a bit each: `shortReach`).
        let short: UInt64
        let ends: [UInt32]

        init(_ list: ArraySlice<(String, Kind)>) {
            words = ContextWords(list.map(\.0))
            kinds = list.map(\.1)
            var capitals: UInt64 = 0
            var short: UInt64 = 0
            for (index, (word, _)) in list.enumerated() {
                if CuedIdentifiers.capitalsOnly.contains(word) { capitals |= 1 << UInt64(index) }
                if CuedIdentifiers.shortReach.contains(word) { short |= 1 << UInt64(index) }
            }
            self.capitals = capitals
            self.short = short
            ends = list.map { Chars.scalars($0.0).last! }
        }
    }

    /// Every label. The anchor pass fetches it once per scan (each access to a global goes through a
    /// `swift_once` check) and tests `mayStart` at each word start with a label's first letter.
    struct Labels: Sendable {
        /// The labels in lists of 64 or fewer, in order (a label's longer forms stay before it: each list
        /// is tried in turn, the first match wins).
        fileprivate let lists: [List] = stride(from: 0, to: all.count, by: 64).map { List(all[$0..<min(all.count, $0 + 64)]) }
        /// The lists' first two scalars as written, for ASCII pairs in one table: row `c` (two words of
        /// 64 bits) has bit `next` set when a label starts with `c` and `next` in some case, both capitals
        /// for a label written only in capitals (so "it", "si", "ti" and "ab" words, many in English, are
        /// no "ITIN", "SIN", "TIN" or "ABA").
        private let asciiPairs: [UInt64]
        /// The ASCII first scalars of labels whose second is not ASCII ("führerschein"), in both cases.
        private let beforeOtherScript: [Bool]
        /// For two lower-case letters, the third scalars a label starting with them has: bit k for the
        /// letter a + k, bit 26 for any other scalar, all bits for a label of two scalars. Many English
        /// words start as a label does ("pr" as "prontuário", "co" as "codice fiscale"); few go on as one
        /// (labels starting as common words do, "con…", "reg…", are written longer: "número de conta",
        /// "numéro de registre national").
        private let thirds: [UInt32]

        init() {
            var bits = [UInt64](repeating: 0, count: 256)
            var before = [Bool](repeating: false, count: 128)
            var thirds = [UInt32](repeating: 0, count: 26 * 26)
            for (word, _) in CuedIdentifiers.all {
                let scalars = Chars.scalars(word)
                func cases(_ c: UInt32) -> [UInt32] { Chars.isASCIILetter(c) ? [c, c & ~0x20] : [c] }
                if scalars[0] < 0x80 && scalars[1] >= 0x80 {
                    for c in cases(scalars[0]) { before[Int(c)] = true }
                }
                guard scalars[0] < 0x80, scalars[1] < 0x80 else { continue }
                if let pair = Self.letterPair(scalars[0], scalars[1]) {
                    thirds[pair] |= scalars.count == 2 ? ~0 : Self.thirdBit(scalars[2])
                }
                let capitals = CuedIdentifiers.capitalsOnly.contains(word)
                for c in capitals ? [scalars[0] & ~0x20] : cases(scalars[0]) {
                    for next in capitals ? [scalars[1] & ~0x20] : cases(scalars[1]) {
                        bits[Int(c) * 2 + Int(next >> 6)] |= 1 << UInt64(next & 63)
                    }
                }
            }
            asciiPairs = bits
            beforeOtherScript = before
            self.thirds = thirds
        }

        @inline(__always) private static func letterPair(_ a: UInt32, _ b: UInt32) -> Int? {
            let a = a | 0x20
            let b = b | 0x20
            guard a >= 0x61 && a <= 0x7A && b >= 0x61 && b <= 0x7A else { return nil }
            return Int(a - 0x61) * 26 + Int(b - 0x61)
        }

        @inline(__always) private static func thirdBit(_ c: UInt32) -> UInt32 {
            let lower = c | 0x20
            return lower >= 0x61 && lower <= 0x7A ? 1 << (lower - 0x61) : 1 << 26
        }

        /// Whether a label may start with `c`, as written.
        func startsWith(_ c: UInt32) -> Bool { asciiPairs[Int(c) * 2] | asciiPairs[Int(c) * 2 + 1] != 0 || beforeOtherScript[Int(c)] }

        /// Whether a label may start with `c`, `next` and `third`, as written (the anchor pass's test).
        @inline(__always) func mayStart(_ c: UInt32, _ next: UInt32, _ third: UInt32) -> Bool {
            guard mayStart(c, next) else { return false }
            guard let pair = Self.letterPair(c, next) else { return true }
            return thirds[pair] & Self.thirdBit(third) != 0
        }

        /// Whether a label may start with `c` and `next`, as written.
        @inline(__always) func mayStart(_ c: UInt32, _ next: UInt32) -> Bool {
            if c < 0x80 && next < 0x80 { return asciiPairs[Int(c) * 2 + Int(next >> 6)] & (1 << UInt64(next & 63)) != 0 }
            let c = Chars.lowerASCII(c)
            let next = Chars.lowerASCII(next)
            return lists.contains { $0.words.mayStart(c, next) }
        }
    }
    static let labels = Labels()

    /// The ASCII scalars a label starts with, as written (a capital alone for "EIN", "TIN"…).
    static let asciiFirsts: [Int] = (0..<128).filter { labels.startsWith(UInt32($0)) }
    /// The first scalars of the labels written in other scripts (账, 驾, 病, 税, マ, 주, ख…).
    static let otherFirsts = ScalarBitmap(all.compactMap { Chars.scalars($0.0).first }.filter { $0 >= 0x80 })

    /// At a label's first scalar: the numbers it announces. Where the scan goes on.
    @inline(__always) static func step(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        step(t, i, labels, &out)
    }

    @inline(__always) static func step(_ t: ScalarText, _ i: Int, _ labels: Labels, _ out: inout [Finding]) -> Int {
        if t.v[i] < 0x80 && t.isASCIILetter(i - 1) { return i + 1 }
        guard labels.mayStart(t.v[i], t[i + 1], t[i + 2]) else { return i + 1 }
        guard let (list, index, end) = match(t, i, labels) else { return i + 1 }
        let kind = list.kinds[index]
        let last = list.ends[index]
        let eastAsian = last >= 0x3000 && last < 0xFFEF
        // Not a cloud's or a service's login ("AWS account 123456789012", "AWS 账号 902817364051", "QQ账号").
        if (kind == .account || eastAsian) && serviceBefore(t, i) { return i + 1 }
        // A label in Chinese, Japanese or Korean is written right before its number ("账号：…",
        // "账户是…", "マイナンバー（個人番号）："), up to a comma or a full stop ("他的账户已被冻结，必须拨打
        // 400-…"); a number with check digits may be further on ("NHS number — which I can never
        // remember — is 741 716 2800"); an abbreviation's number right after it ("acc 71559302", not "acc + x,
        // 1000000"; "DL S530-4182-2719", not "DL models with 175000000 parameters").
        let window = eastAsian ? 16 : kind == .nhs || kind == .routingNumber ? 60 : list.short & (1 << UInt64(index)) != 0 ? 4 : 30
        return numbers(t, after: end, window: window, stopAtCommas: eastAsian, kind, labels, &out)
    }

    /// The label at `i`, if any: its list, its index there and its end. A whole word ("tin" is not
    /// "tinder", "routing" not "routings", "acct" not "acct_id"), in capitals where only capitals make it
    /// one ("TIN", not "tin").
    @inline(__always) private static func match(_ t: ScalarText, _ i: Int, _ labels: Labels) -> (List, Int, Int)? {
        let c = Chars.lowerASCII(t.v[i])
        let next = Chars.lowerASCII(t[i + 1])
        for list in labels.lists where list.words.mayStart(c, next) {
            var candidates = list.words.candidates(c)
            while candidates != 0 {
                let index = candidates.trailingZeroBitCount
                candidates &= candidates - 1
                guard list.words.matches(index, t, at: i) else { continue }
                var end = i + list.words.count(index)
                if Chars.isASCIILetter(list.ends[index]) && t.isASCIILetter(end) { continue }
                // A key's "_number" is the label's ("account_number: 30129948871"); another word after '_'
                // makes another name ("acct_id = 12345678").
                if t[end] == 0x5F {
                    guard let suffix = keySuffix(t, end + 1) else { continue }
                    end = suffix
                }
                if list.capitals & (1 << UInt64(index)) != 0 && !(i..<end).allSatisfy({ !Chars.isASCIILetter(t.v[$0]) || Chars.isUpper(t.v[$0]) }) {
                    continue
                }
                return (list, index, end)
            }
        }
        return nil
    }

    /// The end of "number", "no", "num" or "nr" at `k` ending a snake_case key, if there.
    private static func keySuffix(_ t: ScalarText, _ k: Int) -> Int? {
        var e = k
        while t.isASCIILetter(e) { e += 1 }
        guard e > k, t[e] != 0x5F, !t.isDigit(e), keySuffixes.contains(Chars.hash(t.v, k, e)) else { return nil }
        return e
    }
    private static let keySuffixes = Chars.hashSet("number no num nr")

    /// Whether the word before `i` (spaces and a hyphen between) names a service whose account is a
    /// login, not a bank's.
    private static func serviceBefore(_ t: ScalarText, _ i: Int) -> Bool {
        var e = i - 1
        while e >= 0 && (t.v[e] == 0x20 || t.v[e] == 0x2D) { e -= 1 }
        var s = e
        while s >= 0 && t.isASCIILetter(s) { s -= 1 }
        guard e > s else { return false }
        return services.contains(Chars.hash(t.v, s + 1, e + 1))
    }
    private static let services = Chars.hashSet(
        """
        aws gcp azure cloud google microsoft apple amazon stripe paypal github gitlab slack twitter x instagram facebook linkedin
        user service admin root email mail test demo qq wechat weixin steam
        """
    )

    /// The numbers of `kind` within `window` scalars after a label ending at `start`, on its line or, for
    /// a label alone on its line, the next one with text: the first, then more in a list ("12345678 and
    /// 87654321"); not past the end of a sentence, nor with `stopAtCommas` past a comma or a semicolon.
    /// Where the scan goes on.
    private static func numbers(
        _ t: ScalarText, after start: Int, window: Int, stopAtCommas: Bool, _ kind: Kind, _ labels: Labels, _ out: inout [Finding]
    ) -> Int {
        var k = start
        var limit = start + window
        var found = false
        while k < min(t.count, limit) {
            let c = t.v[k]
            if c == 0x0A {
                // A form's label alone on its line, its value on the next ("Sort code\n30-94-57", "Sort code:\n\n…").
                guard !found, (start..<k).allSatisfy({ t.v[$0] == 0x20 || t.v[$0] == 0x3A || t.v[$0] == 0x0D || t.v[$0] == 0x0A }) else { break }
                k += 1
                limit = k + window
                continue
            }
            if c == 0x3002 { break }
            if stopAtCommas && !found && (c == 0xFF0C || c == 0x2C || c == 0xFF1B || c == 0x3B || c == 0x3001) { break }
            // A sentence's end ("close my account. Order #12345678 was refunded"), not an abbreviation's
            // dot ("Account no. 12345678", "Lic. No. A7419023").
            if c == 0x2E && t[k + 1] == 0x20 && Chars.isUpperASCII(t[k + 2]) && !found && !abbreviation(t, before: k) { break }
            guard t.isASCIIAlnum(k) && !t.isASCIIAlnum(k - 1) else {
                k += 1
                continue
            }
            let (e, digits, letters) = token(t, k, capitalsBefore: !found)
            // Another kind's label ends this one's reach ("CURP …, RFC GAHM890517K77"); the same kind's
            // abbreviation does not ("Tax file number (TFN): 437 192 081").
            if digits == 0 && k > start, let (list, index, _) = match(t, k, labels), list.kinds[index].type != kind.type { break }
            // "account ID 123456789012" is a login's.
            if kind == .account && !found && e - k == 2 && digits == 0 && Chars.lowerASCII(t.v[k]) == 0x69 && Chars.lowerASCII(t.v[k + 1]) == 0x64 {
                break
            }
            // An amount of money is no account ("$1234567", "¥ 1234567"), a date no licence ("expires
            // 2026-05-01").
            let money = isCurrency(t[k - 1]) || isCurrency(t[k - 2]) && t[k - 1] == 0x20
            guard !money, Identifiers.parseDate(t, at: k) != e, fits(kind, t, k, e, digits, letters) else {
                // Past words ("number is", "no."), not past another number: that one was the label's
                // ("RFC 1782, CVE-2024-14162", "account number 3 has a balance of 123456").
                if found || digits > 0 { break }
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

    /// Whether the dot at `k` ends an abbreviation a number follows: "no", "nr", "n", "nº", "lic", "acc".
    private static func abbreviation(_ t: ScalarText, before k: Int) -> Bool {
        var s = k
        while s > 0 && (t.isASCIILetter(s - 1) || t.v[s - 1] == 0xBA) { s -= 1 }
        return k - s <= 3 && abbreviations.contains(Chars.hash(t.v, s, k))
    }
    private static let abbreviations = Chars.hashSet("no nr n nº lic acc acct hosp reg")

    /// The finding for a field's whole value `s..<e` when it has the shape of `kind` (`StructuredFields`):
    /// not a decimal number ("0.8414709848" under "sin").
    static func finding(_ t: ScalarText, _ s: Int, _ e: Int, _ kind: Kind) -> Finding? {
        guard e > s, t.isASCIIAlnum(s) else { return nil }
        let (end, digits, letters) = token(t, s)
        guard end == e, fits(kind, t, s, e, digits, letters) else { return nil }
        if letters == 0, let dot = (s..<e).first(where: { t.v[$0] == 0x2E }), !(s..<e).contains(where: { $0 != dot && !t.isDigit($0) }) {
            return nil
        }
        return Finding(type: kind.type, start: s, end: e, score: 0.85)
    }

    /// The token at `s`: ASCII letters and digits, and groups of them joined by one '-', '.', '/' or
    /// space, a group after a space, a dot or a slash holding a digit ("12-34-56", "943 476 5919",
    /// "123.456.789-09", "D123-4567", "ABCD-1234-EFGH"); with `capitalsBefore`, two or three capitals
    /// and a space before the digits ("QQ 12 34 56 C": not for a list's next item, "…, NHS 696 527 6401").
    /// Its end and its count of digits and letters.
    /// A token longer than 40 scalars is none of these numbers: its counts come back too large to fit
    /// any kind (so that a text of "acct-1-acct-1-…" costs 40 scalars a label, not the rest of the text).
    private static func token(_ t: ScalarText, _ s: Int, capitalsBefore: Bool = true) -> (Int, Int, Int) {
        var e = s
        var digits = 0
        var letters = 0
        var groups = 0
        while true {
            guard e - s <= 40 else { return (e, 99, 99) }
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
            groups += 1
            digits += groupDigits
            letters += groupLetters
            e = g
            let sep = t[e]
            guard sep == 0x2D || sep == 0x2E || sep == 0x2F || sep == 0x20, t.isASCIIAlnum(e + 1) else { break }
            if sep == 0x20 || sep == 0x2E {
                // After a space or a dot: a group of digits ("6940579 and", "12345678. Then") or the final
                // capital; a word before it stays out ("is 6940579"), two or three capitals do not ("QQ 12…").
                if lettersOnly && !(capitalsBefore && sep == 0x20 && g - s <= 3 && (s..<g).allSatisfy({ Chars.isUpperASCII(t.v[$0]) })) {
                    break
                }
                if !t.isDigit(e + 1) && !(Chars.isUpperASCII(t.v[e + 1]) && !t.isASCIIAlnum(e + 2) && !lettersOnly) { break }
            }
            e += 1
        }
        // A trailing separator is not the token's.
        while e > s && !t.isASCIIAlnum(e - 1) { e -= 1 }
        // A product key's four groups or more of one length, letters and digits ("4F7A-9C21-88D0-1B3E" after
        // "license number"), is no licence ("K412-730-91-558-0" is Florida's).
        if groups >= 4 && letters > 0 && digits > 0 && (e - s + 1) % groups == 0 && (e - s + 1) / groups >= 5,
            (0..<groups).allSatisfy({ !t.isASCIIAlnum(s + ($0 + 1) * (e - s + 1) / groups - 1) || $0 == groups - 1 })
        {
            return (e, 99, 99)
        }
        return (e, digits, letters)
    }

    private static func fits(_ kind: Kind, _ t: ScalarText, _ s: Int, _ e: Int, _ digits: Int, _ letters: Int) -> Bool {
        switch kind {
        case .bankAccount: return letters == 0 && (6...20).contains(digits)
        // Written whole, as accounts are: a number in groups after "accounts" is a phone's ("the accounts
        // team on 0800 555 0199").
        case .account: return letters == 0 && (8...17).contains(digits) && digits == e - s
        case .routingNumber: return letters == 0 && digits == 9 && abaValid(t, s, e)
        case .sortCode: return letters == 0 && digits == 6
        case .driverLicense: return digits >= 4 && digits + letters >= 5 && digits + letters <= 20 && letters <= 11
        // "texas license 40829157", not "license count 25000".
        case .licence: return digits >= 6 && digits + letters >= 7 && digits + letters <= 20 && letters <= 11
        case .medicalRecord: return digits >= 5 && digits + letters <= 15 && letters <= 8
        case .nhs: return letters == 0 && digits == 10 && nhsValid(t, s, e)
        // Tax numbers of eight or more: a Steuer-ID, India's PAN "AKRPI4182M", a codice fiscale.
        case .taxID: return digits >= 4 && (8...20).contains(digits + letters) && letters <= 9
        // Mexico's CURP has twelve letters ("GAHM890517MJCRRR06").
        case .nationalID: return digits >= 6 && digits + letters <= 20 && letters <= 12
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
