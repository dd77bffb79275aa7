// Personal data in named fields of structured text, as agents' tool results and database dumps carry
// it: JSON members ("first_name": "Leah", "dob": "1984-02-09", also escaped inside a JSON string:
// \"last_name\": \"Goldberg\") and SQL INSERT rows, whose column list names each value
// (INSERT INTO customers (id, first_name, last_name, dob) VALUES (1041, 'Hannah', 'Whitfield', '1951-03-14')),
// and tables whose header names each column (CSV with commas or semicolons, tab-separated, Markdown: "name,email,phone,ssn").
// A field named for a person's name holds a person when its value is shaped like a name; one named
// for a date of birth holds one when its value is a date; one named for an SSN, a phone number or
// a card holds one when its value has that one's digits; one named for an account, a licence, a
// medical record, a tax or a national number ("account_number", "routingNumber", "nhs_no", "tin",
// "Steuer-ID", 病案号) when its value has that number's shape (`CuedIdentifiers`).

enum StructuredFields {
    /// `thing`: a field that names no person (a product, a city, a dish, a font): a Chinese value there
    /// is no name, whatever the name model reads in it.
    enum Kind: Equatable { case name, genericName, role, dateOfBirth, ssn, phone, card, pan, thing, labelled(CuedIdentifiers.Kind) }

    /// The kind of a field from its name, lower case without '_', '-', '.' and spaces.
    static func kind(_ t: ScalarText, _ s: Int, _ e: Int) -> Kind? {
        // Every field name below ends in e, b, y, o, r, m, h, t, n, l, x, d, g, a, s, f, i or p ("name",
        // "dob", "birthday", "nombre", "ssn", "tel", "fax", "card", "routing", "aba", "nhs", "nif", "dni",
        // "curp"…), or in a Han, kana or Hangul character (手机号, 电话, 卡号, 이름).
        guard e - s >= 2, e - s <= 24 else { return nil }
        let last = t.v[e - 1]
        switch last | 0x20 {
        case 0x65, 0x62, 0x79, 0x6F, 0x72, 0x6D, 0x68, 0x74, 0x6E, 0x6C, 0x78, 0x64, 0x67, 0x61, 0x73, 0x66, 0x69, 0x70:
            guard e - s >= 3 else { return nil }
        default: guard Chars.isHan(last) || Chars.isOtherCJK(last) else { return nil }
        }
        var h = Chars.hashSeed
        for k in s..<e where t.v[k] != 0x5F && t.v[k] != 0x2D && t.v[k] != 0x20 && t.v[k] != 0x2E { h = Chars.hashStep(h, t.v[k]) }
        if nameFields.contains(h) { return .name }
        if personFields.contains(h) { return .genericName }
        if roleFields.contains(h) { return .role }
        if dobFields.contains(h) { return .dateOfBirth }
        if ssnFields.contains(h) { return .ssn }
        if phoneFields.contains(h) { return .phone }
        if cardFields.contains(h) { return .card }
        if h == panField { return .pan }
        if thingFields.contains(h) { return .thing }
        if let kind = labelledFields[h] { return .labelled(kind) }
        return nil
    }

    /// Fields for the numbers a label names (`CuedIdentifiers`), by kind.
    private static let labelledFields: WordMap<CuedIdentifiers.Kind> = {
        let lists: [(CuedIdentifiers.Kind, String)] = [
            (
                .bankAccount,
                """
                accountnumber accountno acctno acctnumber accno bankaccount bankaccountnumber bankacno bankacctno kontonummer
                rekeningnummer 银行账号 银行账户 账号 账户 帳號 帳戶 口座番号 계좌번호
                """
            ),
            (.account, "account"),
            (.routingNumber, "routingnumber routing routingno aba abanumber bankrouting bankroutingnumber"),
            (.sortCode, "sortcode bsb"),
            (
                .driverLicense,
                """
                driverslicense driverlicense driverslicence driverlicence drivinglicence drivinglicense licenseno licensenumber
                licenceno licencenumber dlnumber dlno führerscheinnummer 驾驶证号 驾驶证 駕照號碼 免許証番号
                """
            ),
            (.medicalRecord, "mrn patientid patientno patientnumber medicalrecordnumber hospno hospitalnumber hospitalno uhid 病案号 病历号 住院号 病歷號碼"),
            (.nhs, "nhs nhsnumber nhsno"),
            (
                .taxID,
                """
                tin ein itin taxid taxnumber nino ninumber nationalinsurancenumber steuerid steuernummer codicefiscale nif cpf
                pannumber 税号 纳税人识别号
                """
            ),
            (.nationalID, "aadhaar aadhar aadhaarnumber sinnumber bsn nationalid personnummer pesel dni nie curp mynumber 주민등록번호"),
        ]
        var map: [UInt64: CuedIdentifiers.Kind] = [:]
        for (kind, names) in lists {
            for name in names.split(whereSeparator: { $0 == " " || $0 == "\n" }) { map[Chars.hash(String(name))] = kind }
        }
        return WordMap(map)
    }()

    /// Fields for numbers whose field name is their only context: a bare nine digits is an SSN
    /// under "ssn", ten digits a phone number under "phone" (the row's own words say nothing).
    private static let ssnFields = Chars.hashSet("ssn socialsecurity socialsecuritynumber socialsecurityno ssnumber ssnno")
    private static let phoneFields = Chars.hashSet(
        """
        phone phonenumber phoneno telephone telephonenumber tel mobile mobilephone mobilenumber mobileno cellphone
        contactnumber contactphone homephone workphone fax 手机 手机号 手机号码 电话 电话号码 联系电话 联系方式
        """)
    private static let cardFields = Chars.hashSet("card cardnumber cardno creditcard creditcardnumber ccnumber 卡号 银行卡号 信用卡号")
    /// A card's primary account number, or India's PAN (a tax number: "BQJPK7729K").
    private static let panField = Chars.hash("pan")

    /// Fields that hold a part of a person's name: any name-shaped value.
    private static let nameFields = Chars.hashSet(
        """
        firstname lastname givenname familyname surname middlename apellido 姓名 名字 全名 真实姓名 客户姓名 患者姓名 员工姓名
        学生姓名 联系人姓名 收件人姓名 持卡人姓名 氏名 名前 이름 성명
        """)
    /// Fields that hold a person's name as often as a company's, a product's or a role's ("displayName":
    /// "Python", "customer_name": "Acme Corp"): a value with a census first name, or Han or Hangul.
    private static let personFields = Chars.hashSet(
        """
        name fullname customername contactname patientname clientname employeename membername ownername holdername
        accountholder cardholder cardholdername recipientname sendername guestname passengername studentname tenantname
        applicantname beneficiaryname displayname legalname nomecompleto nombre nome nom user username author autor owner
        sender recipient speaker agent member tenant guest destinatario remitente mittente absender empfänger
        """)
    /// Fields for the person in a role in a ticket or a CRM record ("assignee": "Priya", "agente": "Marisa"):
    /// also one census first name, unless an assistant's or a bot's ("assignee": "Devin").
    private static let roleFields = Chars.hashSet(
        """
        assignee assignedto reporter requester contact customer client cliente patient employee agente responsable kunde
        ansprechpartner 联系人 收件人 收货人 持卡人 户名 患者 客户 申请人 负责人 经办人 值班人 审批人 提交人 创建人 处理人 操作人 签收人
        担当者
        """)
    private static let assistants = Chars.hashSet(
        "claude gemini siri alexa cortana copilot bard devin jules cody jasper sierra aurora travis jenkins")
    private static let dobFields = Chars.hashSet("dob dateofbirth birthdate birthday birthdt geburtsdatum 出生日期 生日 出生年月日 生年月日")

    /// Fields that name things, not people: a Chinese value there that a name finding covers whole is
    /// no person ("商品": "白菜", "| 城市 |" 金华, "字体": "宋体"; `SensitivityScanner`).
    private static let thingFields = Chars.hashSet(
        """
        product productname itemname category city country region province location color colour language font brand dish
        food fruit plant species weather genre department dept course
        商品 商品名 商品名称 产品 产品名称 品名 物品 类别 分类 类型 城市 省份 地区 国家 景点 地点 颜色 语言 字体 品牌 型号 菜名 菜品 口味
        植物 品种 天气 部门 课程 科目 书名 歌名 电影 游戏
        """)

    /// One pass: a member at each double quote, a row list at each "VALUES"; then tables.
    static func scan(_ t: ScalarText, into out: inout [Finding]) {
        var things: [Range<Int>] = []
        scan(t, into: &out, things: &things)
    }

    /// `scan`, and the values of fields that name things (`Kind.thing`) into `things`.
    static func scan(_ t: ScalarText, into out: inout [Finding], things: inout [Range<Int>]) {
        defer { scanTables(t, into: &out, things: &things) }
        var i = 0
        let n = t.count
        while i < n {
            // To the next '"' or 'v' / 'V' (most scalars are neither).
            i = t.v.withUnsafeBufferPointer { v in
                var k = i
                while k < n && v[k] != 0x22 && v[k] | 0x20 != 0x76 { k += 1 }
                return k
            }
            guard i < n else { return }
            if t.v[i] == 0x22 {
                i = member(t, at: i, into: &out, things: &things)
            } else if i + 6 < n && !t.isASCIILetter(i - 1) && t.matches(valuesWord, at: i) && !t.isASCIILetter(i + 6) {
                i = insertRows(t, values: i, into: &out, things: &things)
            } else {
                i += 1
            }
        }
    }

    /// At a double quote: `"key": "value"` (quotes may be escaped with a backslash, for JSON inside
    /// a JSON string). Where the scan goes on.
    private static func member(_ t: ScalarText, at i: Int, into out: inout [Finding], things: inout [Range<Int>]) -> Int {
        // The key: letters (Han, kana and Hangul too: "姓名", "이름"), digits, '_' and '-', then a quote
        // (after an optional backslash).
        let s = i + 1
        var e = s
        while e < t.count && e - s <= 24
            && (Chars.isASCIILetter(t.v[e]) || Chars.isDigit(t.v[e]) || t.v[e] == 0x5F || t.v[e] == 0x2D || Chars.isHan(t.v[e])
                || Chars.isOtherCJK(t.v[e]))
        { e += 1 }
        var k = e
        if t[k] == 0x5C { k += 1 }
        guard e > s, t[k] == 0x22 else { return max(i + 1, e) }
        k += 1
        while t[k] == 0x20 { k += 1 }
        // A member's name (a colon after it) and one of the personal fields.
        guard t[k] == 0x3A else { return k }
        k += 1
        while t[k] == 0x20 { k += 1 }
        let escaped = t[k] == 0x5C
        if escaped { k += 1 }
        guard t[k] == 0x22 else { return k }
        guard let kind = kind(t, s, e) else {
            // Another member's string value: past it (its words are no keys), up to an escaped quote,
            // where JSON inside the string may begin (\"first_name\": …).
            var q = k + 1
            while q < t.count && t.v[q] != 0x22 && t.v[q] != 0x0A && t.v[q] != 0x5C { q += 1 }
            return min(q, t.count)
        }
        let vs = k + 1
        var ve = vs
        while ve < t.count && ve - vs <= 80 && t.v[ve] != 0x22 && t.v[ve] != 0x5C && t.v[ve] != 0x0A { ve += 1 }
        record(t, vs, ve, kind, into: &out, things: &things)
        return max(ve, i + 1)
    }

    /// At "VALUES" of `INSERT INTO table (col, …) VALUES (v, …), (…)`: each row's values under the
    /// column list. Where the scan goes on.
    private static func insertRows(_ t: ScalarText, values i: Int, into out: inout [Finding], things: inout [Range<Int>]) -> Int {
        // The column list: the parenthesis that closes just before VALUES.
        var c = i - 1
        while c >= 0 && Chars.isSpace(t.v[c]) { c -= 1 }
        guard c > 0, t.v[c] == 0x29 else { return i + 6 }
        var open = c - 1
        while open >= 0 && c - open < 2_000 && t.v[open] != 0x28 && t.v[open] != 0x29 { open -= 1 }
        guard open >= 0, t.v[open] == 0x28 else { return i + 6 }
        var columns: [Kind?] = []
        var cs = open + 1
        for k in (open + 1)...c where k == c || t.v[k] == 0x2C {
            var a = cs
            var b = k
            while a < b && (Chars.isSpace(t.v[a]) || t.v[a] == 0x60 || t.v[a] == 0x22) { a += 1 }
            while b > a && (Chars.isSpace(t.v[b - 1]) || t.v[b - 1] == 0x60 || t.v[b - 1] == 0x22) { b -= 1 }
            columns.append(kind(t, a, b))
            cs = k + 1
        }
        guard columns.contains(where: { $0 != nil }) else { return i + 6 }
        // The rows: parenthesised tuples separated by commas (and spaces, line breaks).
        var k = i + 6
        while true {
            while k < t.count && (Chars.isSpace(t.v[k]) || t.v[k] == 0x2C) { k += 1 }
            guard k < t.count, t.v[k] == 0x28 else { break }
            k += 1
            var column = 0
            while k < t.count && t.v[k] != 0x29 {
                while k < t.count && t.v[k] == 0x20 { k += 1 }
                var vs = k
                var ve = k
                if t[k] == 0x27 {
                    // A quoted value ('' is a quote inside it).
                    vs = k + 1
                    ve = vs
                    while ve < t.count && !(t.v[ve] == 0x27 && t[ve + 1] != 0x27) { ve += t.v[ve] == 0x27 ? 2 : 1 }
                    ve = min(ve, t.count)
                    k = min(t.count, ve + 1)
                } else {
                    while ve < t.count && t.v[ve] != 0x2C && t.v[ve] != 0x29 { ve += 1 }
                    k = ve
                }
                if column < columns.count, let kind = columns[column] { record(t, vs, ve, kind, into: &out, things: &things) }
                column += 1
                while k < t.count && t.v[k] == 0x20 { k += 1 }
                if k < t.count && t.v[k] == 0x2C { k += 1 }
            }
            k += 1
        }
        return max(i + 6, k)
    }
    private static let valuesWord = Chars.scalars("values")

    /// Records a field's value: its finding (`value`), or its span when the field names a thing.
    private static func record(_ t: ScalarText, _ s: Int, _ e: Int, _ kind: Kind, into out: inout [Finding], things: inout [Range<Int>]) {
        if kind == .thing {
            if e > s { things.append(s..<e) }
        } else if let finding = value(t, s, e, kind) {
            out.append(finding)
        }
    }

    /// The finding for a field's value, when the value has the field's shape.
    private static func value(_ t: ScalarText, _ s: Int, _ e: Int, _ kind: Kind) -> Finding? {
        guard e > s else { return nil }
        switch kind {
        case .thing:
            return nil  // `record` keeps its span
        case .dateOfBirth:
            guard t.isDigit(s), let end = Identifiers.parseDate(t, at: s), end == e else { return nil }
            return Finding(type: .dateOfBirth, start: s, end: e, score: 0.85)
        case .name, .genericName, .role:
            guard nameShaped(t, s, e, generic: kind != .name) || (kind == .role && oneFirstName(t, s, e)) else { return nil }
            return Finding(type: .person, start: s, end: e, score: 0.8)
        case .labelled(let kind):
            return CuedIdentifiers.finding(t, s, e, kind)
        case .pan where (s..<e).contains(where: { t.isASCIILetter($0) }):
            return CuedIdentifiers.finding(t, s, e, .taxID)
        case .ssn, .phone, .card, .pan:
            // Digits, with the spaces, dashes, parentheses and '+' numbers are written with (not dots:
            // "120.0.6099.144" under "Mobile" is a version).
            var digits: [UInt8] = []
            for k in s..<e {
                let c = t.v[k]
                if Chars.isDigit(c) {
                    digits.append(UInt8(c - 0x30))
                } else if !(c == 0x20 || c == 0x2D || c == 0x28 || c == 0x29 || (c == 0x2B && k == s)) {
                    return nil
                }
            }
            guard t.isDigit(s) || t.v[s] == 0x2B || t.v[s] == 0x28, t.isDigit(e - 1) else { return nil }
            switch kind {
            case .ssn:
                guard digits.count == 9, Identifiers.ssnValid(digits) else { return nil }
                return Finding(type: .usSSN, start: s, end: e, score: 0.9)
            case .phone:
                // Bare digits are a phone number of ten or more ("1250000" under "mobile" is a count);
                // written in groups or after '+', of seven or more.
                guard (7...15).contains(digits.count), digits.count >= 10 || digits.count < e - s else { return nil }
                return Finding(type: .phone, start: s, end: e, score: 0.85)
            default:
                guard (13...19).contains(digits.count), Identifiers.luhn(digits) else { return nil }
                return Finding(type: .creditCard, start: s, end: e, score: 0.95)
            }
        }
    }

    // MARK: Tables

    /// The rows of a table whose header names a personal field ("name,email,phone,ssn", "| 姓名 |
    /// 手机号 |", a database client's tab-separated output): each row's value in that column, read as
    /// the field says (`value`). The header is a line of at least two cells, split by '|', a tab, a
    /// comma or a semicolon, without a cell of digits (a digit among two letters or more: "HbA1c"); the rows are the lines below it split the same way (a Markdown rule
    /// line is passed over), to the first line without the separator.
    static func scanTables(_ t: ScalarText, into out: inout [Finding], things: inout [Range<Int>]) {
        var lineStart = 0
        while lineStart < t.count {
            var lineEnd = lineStart
            var separators: (pipe: Int, tab: Int, comma: Int, semicolon: Int) = (0, 0, 0, 0)
            var digits = false
            t.v.withUnsafeBufferPointer { v in
                while lineEnd < v.count && v[lineEnd] != 0x0A {
                    switch v[lineEnd] {
                    case 0x7C: separators.pipe += 1
                    case 0x09: separators.tab += 1
                    case 0x2C: separators.comma += 1
                    case 0x3B: separators.semicolon += 1
                    case 0x30...0x39: digits = true
                    default: break
                    }
                    lineEnd += 1
                }
            }
            let separator: UInt32? =
                separators.pipe >= 1
                ? 0x7C : separators.tab >= 1 ? 0x09 : separators.comma >= 1 ? 0x2C : separators.semicolon >= 1 ? 0x3B : nil
            // A header's names may hold a digit among letters ("HbA1c", "address2"), on a short line; a
            // row's values are numbers ("54", "7.2", "555-1234").
            if let separator, lineEnd - lineStart <= (digits ? 200 : 500) {
                let header = cells(t, lineStart, lineEnd, separator)
                let named =
                    !digits
                    || header.allSatisfy { cell in
                        !(cell.0..<cell.1).contains(where: { t.isDigit($0) }) || (cell.0..<cell.1).count(where: { t.isASCIILetter($0) }) >= 2
                    }
                let columns = named ? header.map { columnKind(t, $0.0, $0.1) } : []
                if columns.count >= 2, columns.contains(where: { $0 != nil }) {
                    lineStart = rows(t, from: lineEnd + 1, separator, columns, into: &out, things: &things)
                    continue
                }
            }
            lineStart = lineEnd + 1
        }
    }

    /// The kind of a column from its header cell, which may name it twice, in Chinese and in English
    /// ("姓名 Name", "手机 Mobile", "Name（姓名）"): the cell's kind, else its Han run's, else the kind of
    /// what it has in Latin letters.
    static func columnKind(_ t: ScalarText, _ s: Int, _ e: Int) -> Kind? {
        if let kind = kind(t, s, e) { return kind }
        guard e - s <= 40, let h = (s..<e).first(where: { Chars.isHan(t.v[$0]) }), let l = (s..<e).first(where: { t.isASCIILetter($0) })
        else { return nil }
        var he = h
        while he < e && Chars.isHan(t.v[he]) { he += 1 }
        var le = (s..<e).last(where: { t.isASCIILetter($0) })! + 1
        if le < e && t.v[le] == 0x2E { le += 1 }  // "ID No."
        guard !(h..<he).overlaps(l..<le) else { return nil }
        let kinds = [kind(t, h, he), kind(t, l, le)]
        // A person's field in either language names the column ("| 名称 Name |", "| 项目 Owner |").
        return kinds.first { $0 == .name || $0 == .genericName || $0 == .role } ?? kinds.compactMap { $0 }.first
    }

    /// The cells of the line `s..<e` split at `separator`, trimmed (`ScalarText.trimmedCell`).
    private static func cells(_ t: ScalarText, _ s: Int, _ e: Int, _ separator: UInt32) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var a = s
        for k in s...e where k == e || t.v[k] == separator {
            out.append(t.trimmedCell(a, k))
            a = k + 1
        }
        return out
    }

    /// The rows from `start`: findings in the named columns. Where the table ends.
    private static func rows(
        _ t: ScalarText, from start: Int, _ separator: UInt32, _ columns: [Kind?], into out: inout [Finding], things: inout [Range<Int>]
    ) -> Int {
        var rowStart = start
        while rowStart < t.count {
            var rowEnd = rowStart
            var split = false
            while rowEnd < t.count && t.v[rowEnd] != 0x0A {
                if t.v[rowEnd] == separator { split = true }
                rowEnd += 1
            }
            guard split else { return rowStart }
            let row = cells(t, rowStart, rowEnd, separator)
            for (column, (a, b)) in row.enumerated() where column < columns.count {
                // A thing's column only in a row of the header's cells (not prose after the table, not a
                // row with a field missing).
                if let kind = columns[column], kind != .thing || row.count == columns.count {
                    record(t, a, b, kind, into: &out, things: &things)
                }
            }
            rowStart = rowEnd + 1
        }
        return t.count
    }

    /// One capitalised census first name, no assistant's.
    private static func oneFirstName(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s >= 2, Chars.isUpper(t.v[s]), (s..<e).allSatisfy({ Chars.isLetter(t.v[$0]) }) else { return false }
        return Names.isCensusFirstName(t, s, e) && !assistants.contains(Chars.hash(t.v, s, e))
    }

    /// One to four words of letters (with '-', ''', '.' and ',' between: "Lopez, Daniela", "J.K. Abernathy"),
    /// the first capitalised or in a script without case. A generic "name" field (a product or a job is
    /// named "name" too) needs two Han or Hangul characters or more, or two or three words starting
    /// with a census first name.
    private static func nameShaped(_ t: ScalarText, _ s: Int, _ e: Int, generic: Bool) -> Bool {
        guard e - s >= 2, e - s <= 60, Chars.isLetter(t.v[s]) || Chars.isHan(t.v[s]) || Chars.isOtherCJK(t.v[s]) else { return false }
        var words = 1
        var han = 0
        for k in s..<e {
            let c = t.v[k]
            if c == 0x20 {
                if t[k - 1] != 0x20 { words += 1 }
            } else if Chars.isHan(c) || (c >= 0xAC00 && c <= 0xD7A3) {
                han += 1
            } else if !(Chars.isLetter(c) || c == 0x2D || c == 0x27 || c == 0x2E || c == 0x2C || c == 0x2019) {
                return false
            }
        }
        guard words <= 4 else { return false }
        // Chinese: a name starts with a surname ("技术部", "系统", "待分配", "不详" under 负责人 or 姓名
        // are none).
        if han == e - s, Chars.isHan(t.v[s]), !Names.isChineseName(t, s, e) { return false }
        let first = t.v[s]
        let cased = Chars.isUpper(first) || han > 0 || first > 0x2FF
        guard cased else { return false }
        guard generic else { return true }
        if han >= 2 && han <= 4 && han == e - s { return true }
        var firstEnd = s
        while firstEnd < e && Chars.isLetter(t.v[firstEnd]) { firstEnd += 1 }
        return words >= 2 && words <= 3 && Names.isCensusFirstName(t, s, firstEnd)
    }
}
