// Secrets: provider keys by their published formats, PEM private keys, password/token assignments
// in config, .env files and connection strings, and a keyword-gated high-entropy fallback.

enum Secrets {
    private enum Body: Sendable { case alnum, keyChar, keyCharDot, hex }

    private struct Format: Sendable {
        /// As written: the prefixes are case-sensitive ("SG." is SendGrid's, "sg." is not).
        let prefix: [UInt32]
        let type: FindingType
        let minBody: Int
        let maxBody: Int
        let bodyKind: Body
        init(_ prefix: String, _ type: FindingType, body: Body, _ minBody: Int, _ maxBody: Int) {
            self.prefix = prefix.unicodeScalars.map(\.value)
            self.type = type
            self.minBody = minBody
            self.maxBody = maxBody
            self.bodyKind = body
        }
        func body(_ c: UInt32) -> Bool {
            switch bodyKind {
            case .alnum: Secrets.alnum(c)
            case .keyChar: Secrets.keyChar(c)
            case .keyCharDot: Secrets.keyChar(c) || c == 0x2E
            case .hex: Chars.isHexDigit(c)
            }
        }
        func matches(_ t: ScalarText, at i: Int) -> Bool {
            guard i + prefix.count <= t.count else { return false }
            for k in 0..<prefix.count where t.v[i + k] != prefix[k] { return false }
            return true
        }
    }

    fileprivate static func alnum(_ c: UInt32) -> Bool { Chars.isASCIILetter(c) || Chars.isDigit(c) }
    private static func upperAlnum(_ c: UInt32) -> Bool { Chars.isUpperASCII(c) || Chars.isDigit(c) }
    fileprivate static func keyChar(_ c: UInt32) -> Bool { alnum(c) || c == 0x5F || c == 0x2D }
    private static func base64URL(_ c: UInt32) -> Bool { alnum(c) || c == 0x5F || c == 0x2D }

    /// Published key formats. Longest prefixes first so "sk-ant-" wins over "sk-".
    private static let formats: [Format] = [
        Format("sk-ant-", .anthropicKey, body: .keyChar, 20, 200),
        Format("sk-proj-", .openAIKey, body: .keyChar, 20, 200),
        Format("sk-svcacct-", .openAIKey, body: .keyChar, 20, 200),
        Format("sk-", .openAIKey, body: .keyChar, 20, 200),  // also DeepSeek's and OpenRouter's (sk-or-v1-)
        Format("github_pat_", .githubToken, body: .keyChar, 22, 255),
        Format("ghp_", .githubToken, body: .alnum, 36, 36),
        Format("gho_", .githubToken, body: .alnum, 36, 36),
        Format("ghu_", .githubToken, body: .alnum, 36, 36),
        Format("ghs_", .githubToken, body: .alnum, 36, 36),
        Format("ghr_", .githubToken, body: .alnum, 36, 36),
        Format("xoxb-", .slackToken, body: .keyChar, 10, 200),
        Format("xoxp-", .slackToken, body: .keyChar, 10, 200),
        Format("xoxo-", .slackToken, body: .keyChar, 10, 200),
        Format("xoxa-", .slackToken, body: .keyChar, 10, 200),
        Format("xapp-", .slackToken, body: .keyChar, 20, 200),
        Format("sk_live_", .stripeKey, body: .alnum, 16, 200),
        Format("rk_live_", .stripeKey, body: .alnum, 16, 200),
        Format("sk_test_", .stripeKey, body: .alnum, 16, 200),
        Format("rk_test_", .stripeKey, body: .alnum, 16, 200),
        Format("whsec_", .stripeKey, body: .alnum, 24, 64),  // Stripe webhook signing secret
        Format("glpat-", .genericSecret, body: .keyChar, 20, 64),  // GitLab
        Format("hf_", .genericSecret, body: .alnum, 30, 40),  // Hugging Face
        Format("gsk_", .genericSecret, body: .alnum, 40, 64),  // Groq
        Format("xai-", .genericSecret, body: .alnum, 60, 100),  // xAI
        Format("pplx-", .genericSecret, body: .alnum, 40, 64),  // Perplexity
        Format("r8_", .genericSecret, body: .alnum, 30, 45),  // Replicate
        Format("pypi-AgE", .genericSecret, body: .keyChar, 40, 400),  // PyPI upload token (a macaroon)
        Format("npm_", .genericSecret, body: .alnum, 36, 36),
        Format("SG.", .genericSecret, body: .keyCharDot, 60, 72),  // SendGrid: SG.<22>.<43>
        Format("SK", .genericSecret, body: .hex, 32, 32),  // Twilio API key
        Format("dop_v1_", .genericSecret, body: .hex, 64, 64),  // DigitalOcean
        Format("dapi", .genericSecret, body: .hex, 32, 32),  // Databricks
        Format("shpat_", .genericSecret, body: .hex, 32, 32),  // Shopify
        Format("shpss_", .genericSecret, body: .hex, 32, 32),
        Format("shpca_", .genericSecret, body: .hex, 32, 32),
        Format("shppa_", .genericSecret, body: .hex, 32, 32),
        Format("sq0atp-", .genericSecret, body: .keyChar, 20, 50),  // Square
        Format("sq0csp-", .genericSecret, body: .keyChar, 40, 50),
        Format("ya29.", .genericSecret, body: .keyCharDot, 30, 512),  // Google OAuth access token
        Format("ATATT3", .genericSecret, body: .keyChar, 150, 300),  // Atlassian API token
        Format("LTAI", .genericSecret, body: .alnum, 12, 30),  // Alibaba Cloud AccessKey ID
    ]

    /// The first scalars of the prefixes in `formats` (ASCII): where `formatStep` looks.
    static let formatStarts: [UInt32] = formats.reduce(into: []) { starts, f in
        if !starts.contains(f.prefix[0]) { starts.append(f.prefix[0]) }
    }
    /// `formats` by their first scalar, in list order.
    private static let formatsByStart: [[Format]] = (0..<128).map { c in formats.filter { $0.prefix[0] == UInt32(c) } }

    /// At 'A'/'a' (AKIA, ASIA, AIza), 'e' (eyJ) or '-' (PEM) starting a token: an AWS or Google
    /// key, a JWT or a PEM private key.
    @inline(__always) static func keyStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let c = t.v[i]
        guard c == 0x41 || c == 0x61 || c == 0x65 || c == 0x2D else { return i + 1 }
        // Only at the start of a word: after a letter or digit it is inside one. After `_`, `-` or
        // `.` it is not: a key joined to a name ("use_AKIA…", "svc-ghp_…", a tool or message `name`,
        // which allow only letters, digits, `_` and `-`) still leaves with the name.
        if i > 0 && alnum(t.v[i - 1]) { return i + 1 }
        if c == 0x41 || c == 0x41 + 0x20 {  // AKIA / ASIA / AIza
            if let end = matchAWS(t, at: i, into: &out) { return end }
            if let end = matchGoogle(t, at: i, into: &out) { return end }
        }
        if c == 0x65, t[i + 1] == 0x79, t[i + 2] == 0x4A, let end = matchJWT(t, at: i, into: &out) { return end }
        if c == 0x2D, let end = matchPEM(t, at: i, into: &out) { return end }
        return i + 1
    }

    /// The key in a published format starting at `i`: its end and type.
    private static func matchFormat(_ t: ScalarText, at i: Int) -> (end: Int, type: FindingType)? {
        for f in formatsByStart[Int(t.v[i])] where f.matches(t, at: i) {
            let bodyStart = i + f.prefix.count
            var e = bodyStart
            while e < t.count && f.body(t.v[e]) && e - bodyStart <= f.maxBody { e += 1 }
            // A dotted body does not end in its sentence's full stop (an over-long one is no key).
            if f.bodyKind == .keyCharDot && e - bodyStart <= f.maxBody { while e > bodyStart && t.v[e - 1] == 0x2E { e -= 1 } }
            let body = e - bodyStart
            if body >= f.minBody && body <= f.maxBody && !alnum(t[e]) {
                // A placeholder under a longer prefix is no key under a shorter one either ("sk-ant-xxxx…").
                return isPlaceholderBody(t, bodyStart, e) ? nil : (e, f.type)
            }
        }
        return nil
    }

    /// A key's body that is a placeholder: one or two distinct scalars ("sk-ant-xxxxxxxx…",
    /// "ghp_000000…"), or so in its last 16 ("sk-proj-XXXXXXXXXXXXXXXX" read under "sk-"), or no digit
    /// and a word that asks for the key ("sk-proj-REPLACE_ME_WITH_YOUR_KEY", "xoxb-your-token-here").
    /// A random body of 16 or more letters and digits has a digit but for one in 30.
    private static func isPlaceholderBody(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        if fewScalars(t, s, e) || (e - s > 16 && fewScalars(t, e - 16, e)) { return true }
        guard !(s..<e).contains(where: { t.isDigit($0) }) else { return false }
        return placeholderWords.contains { word in (s...(max(s, e - word.count))).contains { t.matches(word, at: $0) } }
    }

    private static func fewScalars(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        let first = t.v[s]
        var second: UInt32?
        for k in s..<e where t.v[k] != first {
            if second == nil { second = t.v[k] } else if t.v[k] != second { return false }
        }
        return true
    }

    /// Words of a placeholder key, lower case.
    private static let placeholderWords = ["your", "replace", "here", "example", "placeholder", "insert", "dummy", "changeme", "redacted"].map(
        Chars.scalars)

    /// At the first scalar of a key prefix (`formatStarts`) starting a token: a provider key.
    @inline(__always) static func formatStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let c = t.v[i]
        guard c < 0x80, !formatsByStart[Int(c)].isEmpty else { return i + 1 }
        if i > 0 && alnum(t.v[i - 1]) { return i + 1 }  // as in keyStep
        if let (end, type) = matchFormat(t, at: i) {
            out.append(Finding(type: type, start: i, end: end, score: 0.97))
            return end
        }
        return i + 1
    }

    private static func matchAWS(_ t: ScalarText, at i: Int, into out: inout [Finding]) -> Int? {
        let p0 = t.v[i]
        let p1 = t[i + 1]
        let p2 = t[i + 2]
        let p3 = t[i + 3]
        let akia = p0 == 0x41 && p1 == 0x4B && p2 == 0x49 && p3 == 0x41
        let asia = p0 == 0x41 && p1 == 0x53 && p2 == 0x49 && p3 == 0x41
        guard akia || asia else { return nil }
        var e = i + 4
        while upperAlnum(t[e]) && e - i < 24 { e += 1 }
        if e - i == 20, !alnum(t[e]) {
            if isPlaceholderBody(t, i + 4, e) { return e }  // "AKIAXXXXXXXXXXXXXXXX"
            out.append(Finding(type: .awsAccessKey, start: i, end: e, score: 0.97))
            return e
        }
        // Split by one space or line break (a wrapped line, a copy from a PDF): twenty key scalars
        // with a digit among the sixteen after the prefix ("ASIA PACIFIC…" is a name, not a key).
        guard e - i < 20, t[e] == 0x20 || t[e] == 0x0A, upperAlnum(t[e + 1]) else { return nil }
        var k = e + 1
        while upperAlnum(t[k]) && k - i - 1 < 24 { k += 1 }
        guard k - i - 1 == 20, !alnum(t[k]) else { return nil }
        var digit = false
        for j in (i + 4)..<k where t.v[j] >= 0x30 && t.v[j] <= 0x39 { digit = true }
        guard digit else { return nil }
        out.append(Finding(type: .awsAccessKey, start: i, end: k, score: 0.9))
        return k
    }

    private static func matchGoogle(_ t: ScalarText, at i: Int, into out: inout [Finding]) -> Int? {
        guard t.v[i] == 0x41, t[i + 1] == 0x49, t[i + 2] == 0x7A, t[i + 3] == 0x61 else { return nil }
        var e = i + 4
        while keyChar(t[e]) && e - i < 40 { e += 1 }
        guard e - i == 39, !alnum(t[e]) else { return nil }
        out.append(Finding(type: .googleAPIKey, start: i, end: e, score: 0.97))
        return e
    }

    private static func matchJWT(_ t: ScalarText, at i: Int, into out: inout [Finding]) -> Int? {
        var e = i
        for part in 0..<3 {
            let s = e
            while base64URL(t[e]) { e += 1 }
            guard e - s >= (part == 2 ? 8 : 10) else { return nil }
            if part < 2 {
                guard t[e] == 0x2E else { return nil }
                e += 1
            }
        }
        out.append(Finding(type: .jwt, start: i, end: e, score: 0.95))
        return e
    }

    private static let pemBegin = Chars.scalars("-----begin ")
    private static let pemEnd = Chars.scalars("-----end ")
    private static let privateKey = Chars.scalars("private key-----")
    private static let privateKeyBlock = Chars.scalars("private key block-----")  // PGP

    private static func matchPEM(_ t: ScalarText, at i: Int, into out: inout [Finding]) -> Int? {
        guard t.matches(pemBegin, at: i) else { return nil }
        // The header must say PRIVATE KEY within the line.
        var k = i + pemBegin.count
        var header = -1
        while k < t.count && t.v[k] != 0x0A && k - i < 60 {
            if t.matches(privateKey, at: k) {
                header = k + privateKey.count
                break
            }
            if t.matches(privateKeyBlock, at: k) {
                header = k + privateKeyBlock.count
                break
            }
            k += 1
        }
        guard header > 0 else { return nil }
        var e = header
        while e < t.count {
            if t.v[e] == 0x2D && t.matches(pemEnd, at: e) {
                var f = e + pemEnd.count
                while f < t.count && t.v[f] != 0x0A && f - e < 60 {
                    if t.matches(privateKey, at: f) || t.matches(privateKeyBlock, at: f) {
                        e = f + (t.matches(privateKey, at: f) ? privateKey.count : privateKeyBlock.count)
                        break
                    }
                    f += 1
                }
                break
            }
            e += 1
        }
        out.append(Finding(type: .privateKey, start: i, end: min(e, t.count), score: 0.99))
        return min(e, t.count)
    }

    // MARK: Assignments: password=…, DB_PASSWORD: "…", "my password is …", 密码：…

    /// Password words, English and other Latin-script languages (`KeyWords` finds them inside a
    /// config key: "DB_PASSWORD", "contraseña", "Kennwort").
    private static let passwordKeys = [
        "password", "passwd", "pwd", "passphrase", "pass", "passcode", "senha", "kennwort", "wachtwoord", "contrase", "salasana",
        "heslo", "haslo", "jelsz", "adgangskode",
    ]
    private static let secretKeys = [
        "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "accountkey", "private_key", "auth",
        "credential", "client_secret", "bearer", "sessionid", "sessid", "session_token", "session-token",
    ]
    /// Key words in other scripts: Chinese (simplified and traditional), Japanese, Korean, Russian.
    private static let otherScriptKeys: [(word: [UInt32], type: FindingType)] =
        ["密码", "口令", "密碼", "パスワード", "暗証番号", "비밀번호", "암호", "пароль", "Пароль", "ПАРОЛЬ"].map { (scalarsAsWritten($0), .password) }
        + ["密钥", "令牌", "秘钥", "密鑰", "金鑰", "秘鑰", "金钥"].map { (scalarsAsWritten($0), .genericSecret) }
    private static let otherScriptKeyStarts = ScalarBitmap(Set(otherScriptKeys.map { $0.word[0] }))

    private static func scalarsAsWritten(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    /// A letter of a config key: ASCII letters, digits, `_`, `-`, `.`, and Latin letters with
    /// diacritics ("contraseña").
    private static func identChar(_ c: UInt32) -> Bool {
        alnum(c) || c == 0x5F || c == 0x2D || c == 0x2E || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7)
    }

    /// The key word in another script starting at `i`: its end and type.
    private static func otherScriptKey(_ t: ScalarText, at i: Int) -> (end: Int, type: FindingType)? {
        guard otherScriptKeyStarts.contains(t.v[i]) else { return nil }
        for key in otherScriptKeys where key.word[0] == t.v[i] && i + key.word.count <= t.count {
            if (1..<key.word.count).allSatisfy({ t.v[i + $0] == key.word[$0] }) { return (i + key.word.count, key.type) }
        }
        return nil
    }

    static func scanAssignments(_ t: ScalarText, into out: inout [Finding]) {
        let keys = assignmentKeys
        var i = 0
        while i < t.count {
            // An identifier (config key) containing a password/secret word, or such a word in another script.
            let c = t.v[i]
            var keyEnd = -1
            var type: FindingType = .password
            var separator: Int?
            var xml = false
            if c < 0x80 {
                // A .pgpass line for any host: "*:*:*:replicator:…".
                if c == 0x2A && t[i + 1] == 0x3A && atLineStart(t, i), let found = pgpassPassword(t, after: i + 1) {
                    out.append(found)
                    i = found.end
                    continue
                }
                guard identChar(c) && !identChar(t[i - 1]) else {
                    i += 1
                    continue
                }
                var e = i
                while identChar(t[e]) && e - i < 64 { e += 1 }
                // Every word of a prompt gets here: test the (rare) separator before the key words.
                // "pw" is the one two-letter key ("my pw is …", "pw=…"), as a whole word only.
                let pw = e - i == 2 && t.v[i] | 0x20 == 0x70 && t.v[i + 1] | 0x20 == 0x77
                if e - i == 3 && t.v[i] | 0x20 == 0x70 && t.v[i + 1] | 0x20 == 0x69 && t.v[i + 2] | 0x20 == 0x6E
                    || e - i == 8 && (t.matches(pinCodeDash, at: i) || t.matches(pinCodeUnderscore, at: i))
                    || (e - i >= 4 && e - i <= 7 && t[e] == 0x20 && t[e + 1] | 0x20 == 0x63 && t.matches(codeWord, at: e + 1)
                        && accessCodeWords.contains(Chars.hash(t.v, i, e)))
                {
                    // "PIN: 7391", "my PIN is 4821", "PIN code 0000", "PIN码：482193", "Card PIN 7391".
                    if let found = pin(t, word: i, after: e) {
                        out.append(found)
                        i = found.end
                    } else {
                        i = e
                    }
                    continue
                }
                guard e - i >= 3 || pw else {
                    i = e
                    continue
                }
                separator = separatorEnd(t, after: e)
                if separator == nil {
                    if t[i - 1] == 0x3C && t[e] == 0x3E {
                        // <password>…</password>
                        separator = e + 1
                        xml = true
                    } else if t[e] == 0x20 && isQualifier(t, at: e + 1) {
                        // "Password for admin: …", "la contraseña del wifi es …"
                        separator = separatorAfterQualifier(t, from: e)
                    }
                }
                if separator == nil && t[e] == 0x20 && t.v[i] | 0x20 == 0x70 && (pw || isPasswordWord(t, i, e)) {
                    // "password Qx7#mP2!vL", "the new password is now …", "PASSWORD changed to …": no
                    // separator, so the value must look like a password.
                    if let (s, end) = bareValue(t, after: e) {
                        out.append(Finding(type: .password, start: s, end: end, score: 0.85))
                        i = end
                        continue
                    }
                }
                if t[e] == 0x3A, atLineStart(t, i), let found = pgpassPassword(t, after: e) {
                    out.append(found)
                    i = found.end
                    continue
                }
                guard separator != nil, let kind = pw ? .password : keys.kind(t, i, e) else {
                    i = e
                    continue
                }
                keyEnd = e
                type = kind
            } else if c == 0xD540 && !KoreanNames.isSyllable(t[i - 1]) {
                // 핀번호, 핀 번호는 …
                if let found = pin(t, word: i, after: i + 1) {
                    out.append(found)
                    i = found.end
                } else {
                    i += 1
                }
                continue
            } else if let (end, kind) = otherScriptKey(t, at: i) {
                keyEnd = end
                type = kind
                separator =
                    separatorEnd(t, after: end) ?? (t[end] == 0x20 && isQualifier(t, at: end + 1) ? separatorAfterQualifier(t, from: end) : nil)
            } else {
                i += 1
                continue
            }
            // After a word in another script a space or a verb may be all that separates the value
            // ("密码 Passw0rd!2024", "密码改成了 Hello@2024", "パスワードを Tokyo#2024 に変更"): then the
            // value must look like one (ASCII, letters with digits or symbols).
            let bare = separator != nil || c < 0x80 ? nil : t[keyEnd] == 0x20 ? keyEnd + 1 : changeVerbEnd(t, after: keyEnd)
            let bareSpace = bare != nil
            // After a bare object particle (を, 를, 을) the value must look like a password on its own,
            // and not be where something happened ("비밀번호를 Windows10에서 …", "パスワードを iPhone15 で …").
            let particle = bare.map { $0 - keyEnd == 1 && objectParticles.contains(t.v[keyEnd]) } ?? false
            guard var k = separator ?? bare else {
                i = keyEnd
                continue
            }
            // A second separator: "==", ":=", "=>", "is:", "是：".
            if t[k] == 0x3D || t[k] == 0x3E || t[k] == 0x3A || t[k] == 0xFF1A { k += 1 }
            while t[k] == 0x20 || t[k] == 0x09 { k += 1 }
            guard let (s, e, quoted) = assignedValue(t, from: k, xml: xml, stopAtNonASCII: c >= 0x80) else {
                i = max(k, keyEnd)
                continue
            }
            let english = c < 0x80 && (keyEnd - i == 2 || isEnglishPasswordKey(t, i, keyEnd))
            let plausible =
                quoted
                || (bareSpace
                    ? (particle ? strongPassword(t, s, e) && !placeParticleAfter(t, e) : mixedASCII(t, s, e) || digitsPassword(t, s, e))
                    : plausibleValue(t, s, e, keys: keys, latinWordsAreProse: c < 0x80 && !english, type: type)
                        && (separator.map { proseValueOK(t, $0, s, e, english: english) } ?? true))
            // "password_max_age: 7776000", "password.hash.iterations=600000": a setting's number, not a password.
            let setting = type == .password && c < 0x80 && (s..<e).allSatisfy({ t.isDigit($0) }) && hasSettingWord(t, i, keyEnd)
            // A session's id in telemetry or a client's metadata is a UUID ("sessionId": "1b2c…"); a
            // session cookie, the credential, is random text (Django's sessionid, PHPSESSID).
            let sessionUUID = type == .genericSecret && c < 0x80 && isUUID(t, s, e) && containsSess(t, i, keyEnd)
            if plausible && !setting && !sessionUUID && isSecretValue(t, s, e, type: type) {
                out.append(Finding(type: type, start: s, end: e, score: type == .password ? 0.9 : 0.8))
            }
            i = max(e, keyEnd)
        }
    }

    /// Words of a config key that make a number its setting: "password_max_age", "PASSWORD_MIN_LENGTH".
    private static let settingWords = Chars.hashSet(
        """
        age ttl length len min max minimum maximum iteration iterations round rounds count expiry expires expire expiration timeout
        attempt attempts size day days hour hours history cost lifetime validity
        """)

    /// A part of the key t[s..<e] (between '_', '.', '-' and lower-to-upper case changes) is one of
    /// `settingWords` ("password_max_age", "passwordMinLength"; not "ADMIN_PASSWORD", "MINIO_ROOT_PASSWORD").
    private static func hasSettingWord(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var part = s
        for p in s...e {
            let boundary =
                p == e || t.v[p] == 0x5F || t.v[p] == 0x2E || t.v[p] == 0x2D
                || (p > s && Chars.isUpperASCII(t.v[p]) && !Chars.isUpperASCII(t.v[p - 1]))
            guard boundary else { continue }
            if p > part && settingWords.contains(Chars.hash(t.v, part, p)) { return true }
            part = t[p] == 0x5F || t[p] == 0x2E || t[p] == 0x2D ? p + 1 : p
        }
        return false
    }

    /// The English password words a value may follow with only a space ("password Qx7#mP2!vL").
    private static let passwordWords = Chars.hashSet("password passwd passphrase passcode pwd")

    @inline(__always) private static func isPasswordWord(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        e - s >= 3 && e - s <= 10 && passwordWords.contains(Chars.hash(t.v, s, e))
    }

    /// Words that may stand between a password word and its value without a separator:
    /// "password changed to …", "password now …", "password reset to …".
    private static let connectives = Chars.hashSet("to now changed set reset updated was has been will be becomes new temporary temp default initial")

    /// After a password word and a space: up to three connective words, then a value that looks
    /// like a password (`strongPassword`), standing alone.
    private static func bareValue(_ t: ScalarText, after e: Int) -> (Int, Int)? {
        var k = e
        for _ in 0..<4 {
            while t[k] == 0x20 { k += 1 }
            var end = k
            while end < t.count && !Chars.isSpace(t.v[end]) && end - k < 65 { end += 1 }
            var valueEnd = end
            while valueEnd > k && (isClosingPunctuation(t.v[valueEnd - 1]) || t.v[valueEnd - 1] == 0x2C || t.v[valueEnd - 1] == 0x3B) {
                valueEnd -= 1
            }
            if strongPassword(t, k, valueEnd) { return (k, valueEnd) }
            guard end > k, end - k <= 9, connectives.contains(Chars.hash(t.v, k, end)) else { return nil }
            k = end
        }
        return nil
    }

    /// A word that is a password on its own: 8–64 ASCII scalars with letters and digits, and a
    /// symbol other than an identifier's `_ - .` ("Qx7#mP2!vL"), or both cases and two digits or
    /// more ("Zima_1999", "Summer2024"; not "reset_token2" or "PasswordField1"); not a path, a URL,
    /// a flag, a variable or a placeholder.
    private static func strongPassword(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s >= 8, e - s <= 64 else { return false }
        let first = t.v[s]
        if first == 0x2D || first == 0x24 || first == 0x7B || first == 0x3C || first == 0x25 { return false }
        // A date or a time stamp: "2024-06-01T10:00:00Z".
        if (s..<e).allSatisfy({ k in
            let c = t.v[k]
            return Chars.isDigit(c) || c == 0x2D || c == 0x3A || c == 0x2E || c == 0x2B || c == 0x54 || c == 0x5A
        }) {
            return false
        }
        // A file name: "Policy_2024.pdf", "rotation-v2.yaml".
        if let dot = (s..<e).last(where: { t.v[$0] == 0x2E }), e - dot - 1 >= 2, e - dot - 1 <= 4, (dot + 1..<e).allSatisfy({ t.isASCIILetter($0) }) {
            return false
        }
        var lower = false
        var upper = false
        var digits = 0
        var symbol = false
        for k in s..<e {
            let c = t.v[k]
            if c >= 0x7F || c <= 0x20 || c == 0x2F || c == 0x5C { return false }
            if Chars.isDigit(c) {
                digits += 1
            } else if Chars.isUpperASCII(c) {
                upper = true
            } else if Chars.isASCIILetter(c) {
                lower = true
            } else if c != 0x5F && c != 0x2D && c != 0x2E {
                symbol = true
            }
        }
        return (lower || upper) && digits > 0 && (symbol || (lower && upper && digits >= 2))
    }

    /// A verb after a password word in Chinese, Japanese or Korean that says what it was set to:
    /// "改成了", "改为", "设为", "设置为", "换成", "重置为", "を", "를": the offset after it.
    private static func changeVerbEnd(_ t: ScalarText, after k: Int) -> Int? {
        for verb in changeVerbs where t.matches(verb, at: k) { return k + verb.count }
        return nil
    }
    /// Six to sixteen digits standing alone: "密码改成了 12345678", "密码 84736251".
    private static func digitsPassword(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        e - s >= 6 && e - s <= 16 && (s..<e).allSatisfy { t.isDigit($0) }
    }

    private static let objectParticles: Set<UInt32> = [0x3092, 0xB97C, 0xC744]  // を 를 을
    /// Particles of place, source or recipient right after a value (a space between allowed):
    /// で, から, 에서, 에게, 부터.
    private static let placeParticles = ["で", "から", "에서", "에게", "부터"].map(scalarsAsWritten)

    private static func placeParticleAfter(_ t: ScalarText, _ e: Int) -> Bool {
        let k = t[e] == 0x20 ? e + 1 : e
        return placeParticles.contains { t.matches($0, at: k) }
    }

    private static let changeVerbs = [
        "改成了", "改成", "改为了", "改为", "改為", "设为", "設為", "设置为", "设置成", "設置為", "设成", "更改为", "修改为", "修改成", "换成", "換成", "变成", "重置为",
        "を", "를", "을",
    ].map(scalarsAsWritten)

    /// Only spaces or tabs between the line's start and `i`.
    private static func atLineStart(_ t: ScalarText, _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && (t.v[k] == 0x20 || t.v[k] == 0x09) { k -= 1 }
        return k < 0 || t.v[k] == 0x0A || t.v[k] == 0x0D
    }

    /// A line of a PostgreSQL password file, `host:port:database:user:password` (port digits or
    /// `*`, database and user without spaces), from the colon after the host: the password, which
    /// ends the line.
    private static func pgpassPassword(_ t: ScalarText, after colon: Int) -> Finding? {
        var k = colon + 1
        let port = k
        if t[k] == 0x2A {
            k += 1
        } else {
            // A port: 3 to 5 digits ("app.py:10:5:E501:…" and "ERROR:2:…" are a file and a log).
            while t.isDigit(k) && k - port <= 5 { k += 1 }
            guard k - port >= 3 else { return nil }
        }
        guard k > port, t[k] == 0x3A else { return nil }
        for _ in 0..<2 {
            let field = k + 1
            k = field
            while k < t.count && t.v[k] != 0x3A && !Chars.isSpace(t.v[k]) && k - field < 64 { k += 1 }
            guard k > field, t[k] == 0x3A, !(field..<k).allSatisfy({ t.isDigit($0) }) else { return nil }
        }
        let s = k + 1
        var e = s
        while e < t.count && !Chars.isSpace(t.v[e]) && e - s < 200 { e += 1 }
        // The password ends the line: more text after it makes this a log line.
        var after = e
        while t[after] == 0x20 || t[after] == 0x09 { after += 1 }
        guard e > s, after >= t.count || t.v[after] == 0x0A || t.v[after] == 0x0D,
            !(s..<e).contains(where: { t.v[$0] == 0x3A && t[$0 - 1] != 0x5C }), isSecretValue(t, s, e, type: .password)
        else { return nil }
        // "host:8080:path:to:file": a common word is no password.
        if (s..<e).allSatisfy({ t.isASCIILetter($0) }) && EnglishWords.common.contains(Chars.hash(t.v, s, e)) { return nil }
        return Finding(type: .password, start: s, end: e, score: 0.9)
    }

    private static let pinQualifiers = ["code", "number", "no", "번호"].map(Chars.scalars)
    /// A code that opens a door or a box, read like a PIN: "lockbox code 4417", "gate code: 2580#" (an
    /// alarm code is a fault's number).
    private static let accessCodeWords = Chars.hashSet("lockbox keybox gate door garage keypad entry access safe")
    private static let codeWord = Chars.scalars("code")
    private static let pinCodeDash = Chars.scalars("pin-code")
    private static let pinCodeUnderscore = Chars.scalars("pin_code")
    /// Words before "PIN" that make a six-digit value an Indian postal code ("India Post PIN 110001").
    private static let postalContext = ContextWords([
        "post", "postal", "delivery", "area", "india", "address", "district", "city", "state", "pincode",
    ])

    /// The PIN after the word "PIN" (at `word`, ending at `e`; or "핀"): optionally "码", "code", "number",
    /// "no" or "번호", a separator or a space, then a PIN: four to eight digits standing alone (a
    /// GPIO pin's number is shorter). Not a year after a bare space ("PIN 2024 roadmap"), nor six
    /// digits after a place ("Bengaluru, Karnataka - PIN 560001": India's postal codes).
    private static func pin(_ t: ScalarText, word: Int, after e: Int) -> Finding? {
        var k = e
        var qualified = false
        if t[k] == 0x7801 {
            k += 1
            qualified = true
        } else if let q = pinQualifiers.first(where: { t.matches($0, at: k) }), q[0] >= 0x80 {
            k += q.count  // PIN번호
            qualified = true
        } else if t[k] == 0x20, let q = pinQualifiers.first(where: { t.matches($0, at: k + 1) && !t.isASCIIAlnum(k + 1 + $0.count) }) {
            k += 1 + q.count
            if t[k] == 0x2E { k += 1 }  // "PIN no. 4822"
            qualified = true
        }
        let separator = separatorEnd(t, after: k)
        // With only a space after it, "PIN" in capitals ("Card PIN 7391"); a lower-case pin is a pin
        // of a board or a header ("GPIO pin 1234").
        if separator == nil && !qualified && !(Chars.isUpperASCII(t[word]) && Chars.isUpperASCII(t[word + 1]) && Chars.isUpperASCII(t[word + 2]))
            && !KoreanNames.isSyllable(t[word])
        {
            return nil
        }
        k = separator ?? k
        while t[k] == 0x20 || t[k] == 0x22 || t[k] == 0x27 || t[k] == 0x3A || t[k] == 0xFF1A { k += 1 }
        let s = k
        while t.isDigit(k) && k - s <= 8 { k += 1 }
        guard k - s >= 4, k - s <= 8, !t.isASCIIAlnum(k), !((t[k] == 0x2E || t[k] == 0x2C || t[k] == 0x2D || t[k] == 0x2F) && t.isDigit(k + 1)) else {
            return nil
        }
        if separator == nil && k - s == 4 && (t.v[s] == 0x31 && t.v[s + 1] == 0x39 || t.v[s] == 0x32 && t.v[s + 1] == 0x30) { return nil }
        if k - s == 6 {
            var b = word - 1
            while b >= 0 && t.v[b] == 0x20 { b -= 1 }
            if b >= 0 && (t.v[b] == 0x2C || t.v[b] == 0x2D) || t.hasContext(postalContext, before: word, window: 40) { return nil }
        }
        return isSecretValue(t, s, k, type: .password) ? Finding(type: .password, start: s, end: k, score: 0.85) : nil
    }

    /// The value from `k`: inside quotes (to the closing one, on the line) or up to a space, a
    /// value stop, '<' in XML, or (after a key in another script) the first non-ASCII scalar of an
    /// ASCII value ("暗証番号は4821です"). Trailing sentence and closing punctuation are left out.
    private static func assignedValue(_ t: ScalarText, from k: Int, xml: Bool, stopAtNonASCII: Bool) -> (Int, Int, Bool)? {
        let open = t[k]
        let close: UInt32? =
            switch open {
            case 0x22, 0x27, 0x60: open
            case 0x300C: 0x300D
            case 0x300E: 0x300F
            default: nil
            }
        var k = k
        if let close {
            if let e = closing(close, openedAt: k, in: t, within: 201) { return (k + 1, e, true) }
            // No closing quote on the line: the value runs as if unquoted, from after the quote
            // (once: a run of unclosed quotes is no value, and must not cost a scan each).
            k += 1
        }
        var e = k
        let ascii = t[k] < 0x80
        while e < t.count && !Chars.isSpace(t.v[e]) && !valueStop(t.v[e]) && e - k < 200 {
            if xml && t.v[e] == 0x3C { break }
            if stopAtNonASCII && ascii && t.v[e] >= 0x80 { break }
            e += 1
        }
        // A bracket the value opened is its own ("P@ssw0rd(dev)", "input()").
        while e > k && isClosingPunctuation(t.v[e - 1]) {
            let c = t.v[e - 1]
            if (c == 0x29 && (k..<e).contains(where: { t.v[$0] == 0x28 })) || (c == 0x5D && (k..<e).contains(where: { t.v[$0] == 0x5B })) { break }
            e -= 1
        }
        return e > k ? (k, e, false) : nil
    }

    /// . ) ? } ] : at the end of a value close its sentence or its code, not the value.
    @inline(__always) private static func isClosingPunctuation(_ c: UInt32) -> Bool {
        c == 0x2E || c == 0x29 || c == 0x3F || c == 0x7D || c == 0x5D || c == 0x3A
    }

    /// An unquoted value that is data, not code or a sentence: not a call or an index
    /// ("os.environ[…]", "input(…)"), a YAML tag ("!ENV"), a dotted reference ("self.password",
    /// "process.env.DB_PASSWORD") or a variable named for what it holds ("confirm_password");
    /// with some ASCII letter or digit ("请联系管理员获取" is an instruction); and when it is a
    /// plain word, not the start of a sentence ("must contain one uppercase letter"), nor — after
    /// a password word of another Latin-script language — a word without inner capitals
    /// ("obligatoire", "falsch"). After "密码：" or "пароль:" a Latin word is a password.
    private static func plausibleValue(
        _ t: ScalarText, _ s: Int, _ e: Int, keys: KeyWords, latinWordsAreProse: Bool, type: FindingType
    ) -> Bool {
        var asciiAlnum = false
        var letters = true
        var identifier = true
        var dots = false
        var digits = false
        var innerUpper = false
        var separators = false
        for k in s..<e {
            let c = t.v[k]
            if Chars.isDigit(c) {
                digits = true
                asciiAlnum = true
                letters = false
            } else if Chars.isASCIILetter(c) {
                asciiAlnum = true
                if k > s && Chars.isUpperASCII(c) { innerUpper = true }
            } else if c >= 0xC0 && c <= 0x24F {
                continue
            } else {
                letters = false
                if c == 0x2E {
                    dots = true
                } else if c == 0x5F || c == 0x2D {
                    separators = true
                } else if c != 0x24 {
                    identifier = false
                }
            }
        }
        guard asciiAlnum else { return false }
        // "(empty)", "[REDACTED]": a note in brackets, not a value.
        if t.v[s] == 0x28 || t.v[s] == 0x5B { return false }
        if isCallOrIndex(t, s, e) { return false }
        // "!ENV ${DB_PASSWORD}", "!vault |"
        if t.v[s] == 0x21 && e - s > 1 && (s + 1..<e).allSatisfy({ t.isASCIILetter($0) }) { return false }
        // A dotted reference ("self.password", "process.env.DB_PASSWORD"), or a variable named like the
        // key ("confirm_password", "dbPassword"); not a word that merely contains one ("compass").
        if identifier && !digits {
            if dots && dottedIdentifier(t, s, e) && (isReceiver(t, s) || keys.kind(t, s, e) != nil) { return false }
            if !dots && (separators || innerUpper) && keys.kind(t, s, e) != nil { return false }
        }
        if letters {
            // "must contain one uppercase letter": a common word that starts a sentence.
            if followedByWords(t, e) && (latinWordsAreProse || EnglishWords.common.contains(Chars.hash(t.v, s, e))) { return false }
            if latinWordsAreProse && type == .password && !innerUpper { return false }
        }
        return true
    }

    /// Code's calls and indexes: a value ending in an open call or index whose argument was quoted
    /// (`os.environ[`, `input(`), a dotted or `::` path called or indexed (`getpass.getpass()`,
    /// `secrets.token_urlsafe(32)`), or a name applied to a name or nothing (`hash_password(raw)`,
    /// `Optional[str]`, `input()`). "Secr3t(42)!" or "P@ss(dev)" are values.
    private static func isCallOrIndex(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard let open = (s..<e).first(where: { t.v[$0] == 0x28 || t.v[$0] == 0x5B }) else { return false }
        var path = false
        for k in s..<open {
            let c = t.v[k]
            if c == 0x2E || c == 0x3A {
                path = true
            } else if !(alnum(c) || c == 0x5F || c == 0x24) {
                return false
            }
        }
        guard open > s, !Chars.isDigit(t.v[s]) else { return false }
        if open == e - 1 || path { return true }
        // name(inner) or name[inner], the whole value (its closing bracket may have been trimmed as
        // punctuation), the inner a name or nothing.
        let close: UInt32 = t.v[open] == 0x28 ? 0x29 : 0x5D
        let inner: Range<Int>
        if t.v[e - 1] == close {
            inner = open + 1..<e - 1
        } else if t[e] == close {
            inner = open + 1..<e
        } else {
            return false
        }
        if inner.isEmpty || (!Chars.isDigit(t.v[inner.lowerBound]) && inner.allSatisfy { alnum(t.v[$0]) || t.v[$0] == 0x5F }) { return true }
        // A snake_case function with keyword arguments: "generate_random_password(length=16)".
        return (s..<open).contains { t.v[$0] == 0x5F } && inner.contains { t.v[$0] == 0x3D }
    }

    private static let receivers = Chars.hashSet(
        "self this args arg argv options opts settings config cfg conf process os env environ req request res params ctx context app user data form body secrets vault credentials creds"
    )

    /// The first part of a dotted path names an object code reads from ("self", "os", "req").
    private static func isReceiver(_ t: ScalarText, _ s: Int) -> Bool {
        var k = s
        while k < t.count && t.v[k] != 0x2E { k += 1 }
        return receivers.contains(Chars.hash(t.v, s, k))
    }

    /// "self.password", "req.body.password": parts separated by dots, none empty or starting with a digit.
    private static func dottedIdentifier(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var partStart = true
        for k in s..<e {
            let c = t.v[k]
            if c == 0x2E {
                if partStart { return false }
                partStart = true
            } else {
                if partStart && Chars.isDigit(c) { return false }
                partStart = false
            }
        }
        return !partStart
    }

    /// More words follow on the line ("must contain one …", "mindestens 8 Zeichen").
    private static func followedByWords(_ t: ScalarText, _ e: Int) -> Bool {
        guard t[e] == 0x20 else { return false }
        var k = e
        while t[k] == 0x20 { k += 1 }
        return Chars.isLetter(t[k]) || Chars.isDigit(t[k])
    }

    private static let passWord = Chars.scalars("pass")
    private static let pwdWord = Chars.scalars("pwd")
    private static let passeWord = Chars.scalars("passe")
    private static let otherPassWords = ["passwort", "passord"].map(Chars.scalars)

    /// The key is an English password word ("password", "passwd", "passphrase", "passcode", "pwd"),
    /// not "passe" ("mot de passe") or a word of another language.
    private static func isEnglishPasswordKey(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        if e - s == 5 && t.matches(passeWord, at: s) { return false }
        // German "Passwort", Norwegian "passord": the same letters, another language.
        for other in otherPassWords where (s...max(s, e - other.count)).contains(where: { t.matches(other, at: $0) }) { return false }
        var k = s
        while k + 3 <= e {
            if k + 4 <= e && t.matches(passWord, at: k) { return true }
            if t.matches(pwdWord, at: k) { return true }
            k += 1
        }
        return false
    }

    /// Words between a key word and its separator: "for", "of", "del", "de", "do", "da", "du",
    /// "des", "für", "von", "voor", "van", "от", "для" ("Password for admin: …", "пароль от почты — …").
    private static let qualifiers: [[UInt32]] = ["for", "of", "del", "de", "do", "da", "du", "des", "für", "von", "voor", "van", "от", "для"]
        .map(Chars.scalars)
    /// Whether an ASCII scalar starts a qualifier (either case), and the other scalars that do (folded).
    private static let qualifierStartsASCII: [Bool] = (0..<128).map { c in qualifiers.contains { $0[0] == Chars.foldCase(UInt32(c)) } }
    private static let qualifierStartsOther: [UInt32] = qualifiers.map { $0[0] }.filter { $0 >= 0x80 }

    /// A word follows at `k` ("for ", "от "): tested after every word followed by a space, so the
    /// first scalar decides most.
    @inline(__always) private static func isQualifier(_ t: ScalarText, at k: Int) -> Bool {
        let first = t[k]
        guard first < 0x80 ? qualifierStartsASCII[Int(first)] : qualifierStartsOther.contains(Chars.foldCase(first)) else { return false }
        let c = Chars.foldCase(first)
        return qualifiers.contains { q in
            q[0] == c && t[k + q.count] == 0x20 && (1..<q.count).allSatisfy { Chars.foldCase(t[k + $0]) == q[$0] }
        }
    }

    /// After a qualifier, at most four words on the line and then a separator.
    private static func separatorAfterQualifier(_ t: ScalarText, from start: Int) -> Int? {
        var k = start
        for _ in 0..<4 {
            guard t[k] == 0x20 else { return nil }
            while t[k] == 0x20 { k += 1 }
            let w = k
            while k < t.count && !Chars.isSpace(t.v[k]) && t.v[k] != 0x3A && t.v[k] != 0xFF1A && t.v[k] != 0x3D && k - w < 40 { k += 1 }
            guard k > w else { return nil }
            if let separator = separatorEnd(t, after: k) { return separator }
        }
        return nil
    }

    /// After a separator that is a word ("is", "ist", "est", "es", "é", "lautet", "是", "为", "は",
    /// "는", "은") the sentence may go on in prose ("the password is required", "密码是什么意思", "das
    /// Kennwort ist falsch"): the value must look like one — ASCII with letters and digits or
    /// symbols, or four or more with a digit ("密码是123456", "暗証番号は4821", "is 84736251"). After
    /// an English key and "is", a single word that is no common English word counts too ("swordfish").
    private static func proseValueOK(_ t: ScalarText, _ separator: Int, _ s: Int, _ e: Int, english: Bool) -> Bool {
        let last = t[separator - 1]
        let particle = last == 0x662F || last == 0x4E3A || last == 0x306F || last == 0xB294 || last == 0xC740
        guard last == 0x20 || particle else { return true }
        if mixedASCII(t, s, e) { return true }
        // Four or more scalars of ASCII with a digit: "my password is 84736251", "… is abc12", "密码是123456".
        if e - s >= 4 && (s..<e).contains(where: { t.isDigit($0) }) && (s..<e).allSatisfy({ t.v[$0] < 0x80 }) { return true }
        if particle { return false }
        let englishIs = english && (t[separator - 3] | 0x20) == 0x69 && (t[separator - 2] | 0x20) == 0x73
        return englishIs && e - s >= 5 && (s..<e).allSatisfy({ t.isASCIILetter($0) }) && !EnglishWords.common.contains(Chars.hash(t.v, s, e))
            && !followedByWords(t, e)  // "Password is hashed with bcrypt"
    }

    /// Quotes (ASCII and Japanese corner brackets), ',', ';', '，', '。' end a value.
    @inline(__always) private static func valueStop(_ c: UInt32) -> Bool {
        c == 0x22 || c == 0x27 || c == 0x60 || c == 0x2C || c == 0x3B || c == 0xFF0C || c == 0x3002 || c == 0x300D || c == 0x300F
    }

    /// After a key ending at `keyEnd`: quotes/spaces, then '=', ':', '：', '＝', "->", a dash between
    /// spaces, "is", "是", "为", "は", "는", "은", "ist", "est", "es", "é", "lautet", "это", or an XML
    /// attribute `value=`. Returns the offset right after the separator, or nil when there is none.
    @inline(__always) private static func separatorEnd(_ t: ScalarText, after keyEnd: Int) -> Int? {
        var k = keyEnd
        while t[k] == 0x22 || t[k] == 0x27 || t[k] == 0x20 || t[k] == 0x09 { k += 1 }
        switch t[k] {
        case 0x3D, 0x3A, 0xFF1A, 0xFF1D, 0x662F, 0x4E3A, 0x306F, 0xB294, 0xC740: return k + 1  // = : ： ＝ 是 为 は 는 은
        case 0x2D, 0x2013, 0x2014:  // "password - …", "пароль — …", "password -> …"
            if t[k] == 0x2D && t[k + 1] == 0x3E { return k + 2 }
            return k > keyEnd && t[k - 1] == 0x20 && t[k + 1] == 0x20 ? k + 1 : nil
        case 0x44D:  // "пароль это …"
            return t[k + 1] == 0x442 && t[k + 2] == 0x43E && t[k + 3] == 0x20 ? k + 4 : nil
        case 0x76:  // <add key="DbPassword" value="…" />
            return k > keyEnd && t.matches(valueAttribute, at: k) ? k + valueAttribute.count : nil
        case 0x49, 0x69, 0x45, 0x65:
            // "is", "is:", and "ist", "est", "es" ("Das Passwort ist …", "le mot de passe est …").
            guard t[k + 1] | 0x20 == 0x73 else { return nil }
            if t[k + 2] == 0x20 || t[k + 2] == 0x3A { return k + 3 }
            return (t[k + 2] | 0x20) == 0x74 && t[k + 3] == 0x20 ? k + 4 : nil
        case 0xE9: return t[k + 1] == 0x20 ? k + 2 : nil  // "a senha é …"
        case 0x6C:  // "Das Kennwort lautet …", "… lautet: …"
            return t.matches(lautet, at: k) && (t[k + lautet.count] == 0x20 || t[k + lautet.count] == 0x3A) ? k + lautet.count + 1 : nil
        default: return nil
        }
    }
    private static let lautet = Chars.scalars("lautet")
    private static let valueAttribute = Chars.scalars("value=")

    private static let assignmentKeys = KeyWords(password: passwordKeys, secret: secretKeys)

    /// The password and secret key words (a ``ContextWords`` list, indexed by first letter) plus a
    /// filter on the second letter, so that the scan of a config key compares only the few words
    /// that can start at each position (it runs on every word of a prompt, so a loop over all the
    /// words there dominated the profile).
    private struct KeyWords: Sendable {
        /// Password words first, then secret words.
        private let words: ContextWords
        private let isPassword: [Bool]
        /// Bit c - 0x40 set when some word has c (0x40..<0x80) as its second scalar.
        private let seconds: UInt64

        init(password: [String], secret: [String]) {
            let all = password + secret
            let lists = all.map(Chars.scalars)
            precondition(lists.allSatisfy { $0.count >= 2 && $0.allSatisfy { $0 < 0x80 } && $0[1] >= 0x40 })
            words = ContextWords(all)
            isPassword = all.indices.map { $0 < password.count }
            seconds = lists.reduce(0) { $0 | 1 << UInt64($1[1] - 0x40) }
        }

        /// `.password` when t[s..<e] contains a password word, else `.genericSecret` when it contains a
        /// secret word, else nil (case-insensitive ASCII; `t` holds only identifier scalars there).
        func kind(_ t: ScalarText, _ s: Int, _ e: Int) -> FindingType? {
            var secret = false
            var start = s
            while start + 1 < e {
                let c = Chars.lowerASCII(t.v[start])
                let d = Chars.lowerASCII(t.v[start + 1])
                defer { start += 1 }
                guard c < 0x80, d >= 0x40, d < 0x80, seconds & (1 << UInt64(d - 0x40)) != 0 else { continue }
                var candidates = words.candidates(c)
                while candidates != 0 {
                    let index = candidates.trailingZeroBitCount
                    candidates &= candidates - 1
                    guard start + words.count(index) <= e, !(secret && !isPassword[index]), words.matches(index, t, at: start) else { continue }
                    // "passport", "passport_no": a passport, which `Identifiers` reads, not a password.
                    if isPassword[index] && start + 8 <= e && (0..<8).allSatisfy({ Chars.lowerASCII(t.v[start + $0]) == Secrets.passport[$0] }) {
                        continue
                    }
                    if isPassword[index] { return .password }
                    secret = true
                }
            }
            return secret ? .genericSecret : nil
        }
    }

    private static let passport = Chars.scalars("passport")

    /// ASCII only, with letters and digits or symbols ("Passw0rd!2024", not "admin" or "123456").
    private static func mixedASCII(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var letters = false
        var others = false
        for k in s..<e {
            let c = t.v[k]
            if c >= 0x80 { return false }
            if Chars.isASCIILetter(c) { letters = true } else { others = true }
        }
        return letters && others && e - s >= 6
    }

    /// 8-4-4-4-12 hexadecimal digits.
    static func isUUID(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 36 else { return false }
        for k in 0..<36 {
            let c = t.v[s + k]
            if k == 8 || k == 13 || k == 18 || k == 23 { if c != 0x2D { return false } } else if !Chars.isHexDigit(c) { return false }
        }
        return true
    }

    /// Whether the key `s..<e` has "sess" in it (any case).
    private static func containsSess(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        e - s >= sessWord.count && (s...(e - sessWord.count)).contains { t.matches(sessWord, at: $0) }
    }
    private static let sessWord = Chars.scalars("sess")

    /// A value worth flagging: 4+ scalars, not a placeholder ("<password>", "${VAR}", "****"), not a plain word for tokens.
    private static func isSecretValue(_ t: ScalarText, _ s: Int, _ e: Int, type: FindingType) -> Bool {
        guard e - s >= 4 else { return false }
        let first = t.v[s]
        if first == 0x3C || first == 0x24 || first == 0x7B || first == 0x25 { return false }
        if (s..<e).allSatisfy({ t.v[$0] == first }) { return false }
        let lower = Chars.hash(t.v, s, e)
        if placeholders.contains(lower) { return false }
        if type == .genericSecret {
            // Prose like "token is expired": a secret value has digits or is long and mixed.
            let hasDigit = (s..<e).contains { t.isDigit($0) }
            return hasDigit && e - s >= 8
        }
        return true
    }

    private static let placeholders = Chars.hashSet(
        """
        none null nil true false required optional redacted hidden example changeme your_password password xxxx
        string secret token value here empty undefined
        """)

    // MARK: Connection strings (scheme://user:pass@host), webhook URLs and bot tokens

    /// URL prefixes (after "://") whose rest is a bearer secret: whoever has the URL can post.
    private static let webhookHosts =
        [
            "hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/", "discord.com/api/webhooks/",
            "discordapp.com/api/webhooks/", "api.telegram.org/bot", "outlook.office.com/webhook/",
        ].map(Chars.scalars)
        + (6...10).flatMap { ["discord.com/api/v\($0)/webhooks/", "discordapp.com/api/v\($0)/webhooks/"] }.map(Chars.scalars)

    private static let slackHooks = Chars.scalars("hooks.slack.com/")

    static func scanConnectionStrings(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasColon else { return }
        var i = 0
        while i + 3 < t.count {
            guard t.v[i] == 0x3A else {
                i += 1
                continue
            }
            guard t[i + 1] == 0x2F, t[i + 2] == 0x2F, t.isASCIILetter(i - 1) else {
                if let end = botToken(t, colon: i, into: &out) {
                    i = end
                } else {
                    i += 1
                }
                continue
            }
            var k = i + 3
            var colon = -1
            var at = -1
            while k < t.count && k - i < 256 {
                let c = t.v[k]
                if Chars.isSpace(c) || c == 0x2F || c == 0x22 || c == 0x27 { break }
                if c == 0x3A && colon < 0 { colon = k }
                if c == 0x40 { at = k }
                k += 1
            }
            if colon > 0, at > colon + 1 {
                out.append(Finding(type: .password, start: colon + 1, end: at, score: 0.95))
            }
            if let host = webhookHosts.first(where: { t.matches($0, at: i + 3) }) {
                let s = i + 3 + host.count
                var e = s
                while e < t.count && !Chars.isSpace(t.v[e]) && !valueStop(t.v[e]) && t.v[e] != 0x3E && t.v[e] != 0x29 && t.v[e] != 0x3F && e - s < 300
                {
                    e += 1
                }
                if e - s >= 20 {
                    // A Slack webhook is a Slack credential: whoever has it posts to the workspace.
                    let type: FindingType = t.matches(Self.slackHooks, at: i + 3) ? .slackToken : .genericSecret
                    out.append(Finding(type: type, start: s, end: e, score: 0.95))
                    k = e
                }
            }
            i = max(k, i + 1)
        }
    }

    /// A Telegram bot token at the colon `colon`: 8-10 digits, ':', then 35 key characters from "AA".
    private static func botToken(_ t: ScalarText, colon: Int, into out: inout [Finding]) -> Int? {
        guard t[colon + 1] == 0x41, t[colon + 2] == 0x41 else { return nil }
        var s = colon
        while s > 0 && t.isDigit(s - 1) && colon - s <= 10 { s -= 1 }
        guard colon - s >= 8, colon - s <= 10, !alnum(t[s - 1]) else { return nil }
        var e = colon + 1
        while keyChar(t[e]) && e - colon <= 36 { e += 1 }
        guard e - colon - 1 == 35, !alnum(t[e]) else { return nil }
        out.append(Finding(type: .genericSecret, start: s, end: e, score: 0.95))
        return e
    }

    // MARK: Command lines: mysql -pSECRET, sshpass -p SECRET, curl -u user:SECRET, --password SECRET

    private enum Command { case mysql, sshpass, login, redis, curl, openssl, ldap, smb, rdp, htpasswd, net, rabbit, other }

    /// The commands whose flags are read. `login`: `-p` is a password once the command is logging in
    /// ("docker login", "helm registry login", "az acr login"); before that it is a port or a path.
    private static let commandNames: [(name: String, command: Command)] =
        ["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlpump", "mariadb", "mariadb-dump"].map { ($0, .mysql) }
        + ["docker", "podman", "nerdctl", "buildah", "skopeo", "helm", "oras", "az", "crane", "regctl"].map { ($0, .login) }
        + ["ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldapwhoami", "ldappasswd"].map { ($0, .ldap) }
        + [
            ("sshpass", .sshpass), ("redis-cli", .redis), ("curl", .curl), ("openssl", .openssl), ("smbclient", .smb), ("rdesktop", .rdp),
            ("xfreerdp", .rdp), ("htpasswd", .htpasswd), ("net", .net), ("rabbitmqctl", .rabbit),
        ]

    /// The commands by word hash (a linear search: a handful of entries).
    private static let commands: [(hash: UInt64, command: Command)] = commandNames.map { (Chars.hash($0.name), $0.command) }

    /// Whether a command starts with these two ASCII letters, at index first << 7 | second.
    private static let commandPrefixes: [Bool] = {
        var table = [Bool](repeating: false, count: 128 * 128)
        for (name, _) in commandNames {
            let v = name.unicodeScalars.map(\.value)
            table[Int(v[0] << 7 | v[1])] = true
        }
        return table
    }()
    /// The first scalars of `commands`, and '-' for "--password".
    static let commandStarts: [UInt32] = (commandNames.map { $0.name.unicodeScalars.first!.value } + [0x2D]).reduce(into: []) {
        if !$0.contains($1) { $0.append($1) }
    }
    private static let longPasswordFlags = ["--password", "--passwd", "--pass"].map(Chars.scalars)
    /// Words after which a positional argument is a password: `net use … /user:NAME PASSWORD`,
    /// `net user NAME PASSWORD`, `rabbitmqctl add_user NAME PASSWORD`, `openssl passwd -6 PASSWORD`
    /// (the count: which positional after the word).
    private static let positionalPasswords: [(word: [UInt32], command: Command, position: Int)] = [
        (Chars.scalars("user"), .net, 2), (Chars.scalars("add_user"), .rabbit, 2), (Chars.scalars("change_password"), .rabbit, 2),
        (Chars.scalars("passwd"), .openssl, 1),
    ]
    /// `openssl passwd` flags that take a value (the value is no password).
    private static let opensslValueFlags = ["-salt", "-in"].map(Chars.scalars)
    private static let netUserFlag = Chars.scalars("/user:")
    private static let execWord = Chars.scalars("exec")
    private static let runWord = Chars.scalars("run")
    private static let dashes = Chars.scalars("--")
    private static let credentialFlags = ["--src-creds", "--dest-creds", "--creds"].map(Chars.scalars)
    private static let loginWord = Chars.scalars("login")

    /// At a word's first scalar (one of `commandStarts`, not after a letter): a password given on a
    /// command line, where the flag says what the next word is. A value that names a variable or a
    /// placeholder ("$MYSQL_PWD", "<password>") is not one.
    @inline(__always) static func commandStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        // Word starts only: after a space, a quote, '(', '/', '|', '&', ';', '$' or '`' ("$(mysql …)", "/usr/bin/mysql").
        guard i == 0 || isCommandBoundary(t.v[i - 1]) else { return i + 1 }
        let n = t.count
        if t.v[i] == 0x2D {
            guard t[i + 1] == 0x2D, let next = passwordFlag(t, at: i, command: .other, into: &out) else { return i + 1 }
            return next
        }
        // Most words are no command: their first two letters already say so.
        let second = t[i + 1]
        guard second < 0x80, commandPrefixes[Int(t.v[i] << 7 | second)] else { return i + 1 }
        var e = i
        while e < n && (alnum(t.v[e]) || t.v[e] == 0x2D) && e - i < 13 { e += 1 }
        guard e - i >= 2, e - i <= 12, e == n || Chars.isSpace(t.v[e]) else { return e }
        guard let command = command(t, i, e) else { return e }
        return scanArguments(t, of: command, from: e, into: &out)
    }

    /// The command named by the word t[i..<e], if it is one of `commands`.
    private static func command(_ t: ScalarText, _ i: Int, _ e: Int) -> Command? {
        guard e - i >= 2, e - i <= 12, t.v[i] < 0x80, t.v[i + 1] < 0x80, commandPrefixes[Int(t.v[i] << 7 | t.v[i + 1])] else { return nil }
        let hash = Chars.hash(t.v, i, e)
        return commands.first(where: { $0.hash == hash })?.command
    }

    /// "--password VALUE" (and "--src-creds user:VALUE") at `i`: flags the value and returns the
    /// offset after it, or nil when no such flag starts there. Outside a known command the value
    /// must look like one (quoted, or letters with digits or symbols): "use the --password flag".
    private static func passwordFlag(_ t: ScalarText, at i: Int, command: Command, into out: inout [Finding]) -> Int? {
        if let flag = longPasswordFlags.first(where: { t.matches($0, at: i) }), Chars.isSpace(t[i + flag.count]) {
            let (s, e, quoted) = nextArgument(t, from: i + flag.count)
            if s < e && (quoted || command != .other || mixedASCII(t, s, e)) && isSecretValue(t, s, e, type: .password) {
                out.append(Finding(type: .password, start: s, end: e, score: 0.9))
            }
            return max(e + (quoted ? 1 : 0), i + flag.count)
        }
        if command != .other, let flag = credentialFlags.first(where: { t.matches($0, at: i) }), Chars.isSpace(t[i + flag.count]) {
            let (s, e, quoted) = nextArgument(t, from: i + flag.count)
            if let (vs, ve) = userPassword(t, s, e), isSecretValue(t, vs, ve, type: .password) {
                out.append(Finding(type: .password, start: vs, end: ve, score: 0.9))
            }
            return max(e + (quoted ? 1 : 0), i + flag.count)
        }
        return nil
    }

    @inline(__always) private static func isCommandBoundary(_ c: UInt32) -> Bool {
        Chars.isSpace(c) || c == 0x22 || c == 0x27 || c == 0x28 || c == 0x2F || c == 0x7C || c == 0x26 || c == 0x3B || c == 0x24 || c == 0x60
    }

    /// The next shell word from `k` on the same line: its value's bounds (inside quotes when quoted).
    private static func nextArgument(_ t: ScalarText, from k: Int) -> (Int, Int, Bool) {
        var s = k
        while t[s] == 0x20 || t[s] == 0x09 || (t[s] == 0x5C && t[s + 1] == 0x0A) { s += t[s] == 0x5C ? 2 : 1 }
        let quote = t[s]
        if quote == 0x22 || quote == 0x27 {
            return closing(quote, openedAt: s, in: t, within: 200).map { (s + 1, $0, true) } ?? (s, s, false)
        }
        var e = s
        while e < t.count && !Chars.isSpace(t.v[e]) && t.v[e] != 0x3B && t.v[e] != 0x7C && t.v[e] != 0x26 && t.v[e] != 0x60 && e - s < 200 { e += 1 }
        return (s, e, false)
    }

    /// A flag's attached value from `s` (after "-p"): inside quotes when it opens one
    /// (`-p"Tr0ub4dor&3"`), else the rest of the word.
    private static func attachedValue(_ t: ScalarText, _ s: Int, _ e: Int) -> (Int, Int) {
        let quote = t[s]
        guard quote == 0x22 || quote == 0x27 else { return (s, e) }
        return closing(quote, openedAt: s, in: t, within: 200).map { (s + 1, $0) } ?? (s, e)
    }

    /// Where `close` ends the quote opened at `open`: on the same line, at most `within` scalars on;
    /// nil when it does not.
    private static func closing(_ close: UInt32, openedAt open: Int, in t: ScalarText, within: Int) -> Int? {
        var e = open + 1
        while e < t.count && t.v[e] != close && t.v[e] != 0x0A && e - open < within { e += 1 }
        return t[e] == close ? e : nil
    }

    /// Reads `command`'s arguments to the end of its line (or a pipe, `;`, `&`) and flags its password.
    private static func scanArguments(
        _ t: ScalarText, of command: Command, from start: Int, into out: inout [Finding], handedOver: Bool = false
    ) -> Int {
        var k = start
        var loggingIn = command != .login
        var words = 0
        var positional = -1  // htpasswd -b FILE USER PASSWORD: positionals after -b
        var passwordAfter = 0  // positionals left to the password after a word of `positionalPasswords`
        var running = false  // after "exec", "run" or "--": a command name starts a command of its own
        var afterFlag = false
        while k < t.count && words < 64 {
            let (s0, e0, quoted) = nextArgument(t, from: k)
            guard e0 > s0 else { return max(e0, k + 1) }
            words += 1
            // The word's own start (before an opening quote).
            let s = quoted ? s0 - 1 : s0
            k = quoted ? e0 + 1 : e0
            var value: (Int, Int)?
            var flagValue = false
            if !quoted && words <= 3 && command == .login && e0 - s0 == loginWord.count && t.matches(loginWord, at: s0) { loggingIn = true }
            // A command run by this one ("docker exec rabbit rabbitmqctl add_user …", "kubectl exec … mysql -p…"): its own
            // arguments follow (once: a line of command names is not read recursively).
            if !handedOver && running && !quoted && !afterFlag && t.v[s0] != 0x2D, let inner = Self.command(t, s0, e0), inner != command {
                return scanArguments(t, of: inner, from: e0, into: &out, handedOver: true)
            }
            if !quoted
                && (e0 - s0 == 4 && t.matches(execWord, at: s0) || e0 - s0 == 3 && t.matches(runWord, at: s0)
                    || e0 - s0 == 2 && t.matches(dashes, at: s0))
            {
                running = true
            }
            // A short flag's value may follow it ("-u net"): no command there.
            afterFlag = !quoted && t.v[s0] == 0x2D && t[s0 + 1] != 0x2D && e0 - s0 == 2
            if !quoted && t.v[s] == 0x2D && t[s + 1] == 0x2D, let next = passwordFlag(t, at: s, command: command, into: &out) {
                k = next
            } else if !quoted && t.v[s] == 0x2D {
                let flag = t[s + 1]
                let attached = e0 - s0 > 2 && t.v[s + 1] != 0x2D
                switch command {
                case .openssl where passwordAfter > 0:  // openssl passwd -6 -salt SALT PASSWORD
                    if opensslValueFlags.contains(where: { $0.count == e0 - s0 && t.matches($0, at: s0) }) { k = nextArgument(t, from: k).1 }
                case .mysql where flag == 0x70 && attached:  // -pSECRET (a bare -p prompts)
                    let (vs, ve) = attachedValue(t, s + 2, e0)
                    value = (vs, ve)
                    k = max(k, ve + (ve < e0 ? 1 : 0))
                case .sshpass where flag == 0x70, .login where loggingIn && flag == 0x70, .redis where flag == 0x61, .ldap where flag == 0x77,
                    .rdp where flag == 0x70, .openssl where flag == 0x6B:
                    if attached { value = (s + 2, e0) } else if e0 - s0 == 2 { flagValue = true }
                case .curl where flag == 0x75 || (e0 - s0 == 6 && t.matches(Chars.scalars("--user"), at: s)):
                    if flag == 0x75 && attached { value = userPassword(t, s + 2, e0) } else { flagValue = true }
                case .smb where flag == 0x55:  // -U user%password
                    let (vs, ve, _) = nextArgument(t, from: k)
                    if let percent = (vs..<ve).first(where: { t.v[$0] == 0x25 }) { value = (percent + 1, ve) }
                    k = max(k, ve)
                case .htpasswd where (s0 + 1..<e0).contains(where: { t.v[$0] == 0x62 }):
                    // -b FILE USER PASSWORD; with -n there is no FILE.
                    positional = (s0 + 1..<e0).contains(where: { t.v[$0] == 0x6E }) ? 1 : 0
                default: break
                }
            } else if command == .openssl, t.matches(Chars.scalars("pass:"), at: s0) {
                value = (s0 + 5, e0)
            } else if command == .rdp, t.matches(Chars.scalars("/p:"), at: s0) {
                value = (s0 + 3, e0)
            } else if command == .net, !quoted, e0 - s0 > netUserFlag.count, t.matches(netUserFlag, at: s0) {
                // net use \\server\share /user:DOMAIN\name PASSWORD: the next word, unless a flag or "*" (a prompt).
                let (vs, ve, q) = nextArgument(t, from: k)
                if ve > vs && (q || mixedASCII(t, vs, ve)) && t.v[vs] != 0x2F { value = (vs, ve) }
                k = max(k, ve + (q ? 1 : 0))
            } else if passwordAfter > 0 {
                if !(command == .net && t.v[s0] == 0x2F) {
                    passwordAfter -= 1
                    // "net" is also an English word ("net user growth reached …"): its password looks like one.
                    if passwordAfter == 0 && (command != .net || quoted || mixedASCII(t, s0, e0)) { value = shellWord(t, s0, e0) }
                }
            } else if words <= 2, !quoted,
                let entry = positionalPasswords.first(where: {
                    $0.command == command && $0.word.count == e0 - s0 && t.matches($0.word, at: s0)
                })
            {
                passwordAfter = entry.position
            } else if positional >= 0 {
                positional += 1
                if positional == 3 { value = (s0, e0) }
            }
            if flagValue {
                let (vs, ve, _) = nextArgument(t, from: k)
                value = command == .curl ? userPassword(t, vs, ve) : (vs, ve)
                k = max(k, ve + (t[ve] == 0x22 || t[ve] == 0x27 ? 1 : 0))
            }
            if let (vs, ve) = value, ve > vs, isSecretValue(t, vs, ve, type: .password) {
                out.append(Finding(type: .password, start: vs, end: ve, score: 0.9))
            }
            // The line ends the command.
            var b = k
            while t[b] == 0x20 || t[b] == 0x09 { b += 1 }
            if b >= t.count || t.v[b] == 0x0A || t.v[b] == 0x7C || t.v[b] == 0x3B || t.v[b] == 0x26 { return b }
        }
        return k
    }

    /// An unquoted word without the closing brackets and quotes of an expression around it
    /// (`"$(openssl passwd -6 Secret123)"`) that it did not open itself.
    private static func shellWord(_ t: ScalarText, _ s: Int, _ e: Int) -> (Int, Int) {
        var e = e
        while e > s, t.v[e - 1] == 0x22 || t.v[e - 1] == 0x27 || t.v[e - 1] == 0x60 || (t.v[e - 1] == 0x29 && !(s..<e).contains { t.v[$0] == 0x28 }) {
            e -= 1
        }
        return (s, e)
    }

    /// "user:secret": the part after the first colon.
    private static func userPassword(_ t: ScalarText, _ s: Int, _ e: Int) -> (Int, Int)? {
        guard let colon = (s..<e).first(where: { t.v[$0] == 0x3A }), colon > s else { return nil }
        return (colon + 1, e)
    }

    // MARK: High-entropy fallback, gated by a keyword nearby.

    /// "repos/owner/repo/issues/123/comments": slash-separated segments, each lower-case letters or
    /// digits only — a path, however varied its letters.
    static func isPlainPath(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var slashes = 0
        var segment = 0
        var letters = false
        var digits = false
        for k in s..<e {
            let c = t.v[k]
            if c == 0x2F {
                slashes += 1
                segment = 0
                letters = false
                digits = false
                continue
            }
            if Chars.isDigit(c) { digits = true } else if c >= 0x61 && c <= 0x7A { letters = true } else { return false }
            // A segment is a word or a number, not both ("v1" and "ab12cd34" are not plain).
            if letters && digits { return false }
            segment += 1
        }
        return slashes >= 2
    }

    static let entropyContext = ContextWords([
        "token", "secret", "key", "password", "passwd", "credential", "auth", "bearer", "api", "signature", "密钥", "令牌", "密码", "秘钥",
        "appsecret", "appkey", "accesskey", "secretkey", "authtoken", "apikey", "apitoken",
    ])

    /// Words that make a run of hexadecimal digits a digest, not a key: "etag 5d41…", "sha256:…",
    /// "commit 3f2a…", "md5 checksum".
    static let digestContext = ContextWords([
        "etag", "sha", "md5", "hash", "digest", "checksum", "commit", "integrity", "fingerprint", "crc", "blake", "xxh", "哈希", "摘要", "校验",
    ])

    /// A run of 32 or more hexadecimal digits with letters and digits, of the entropy random ones
    /// have (a random 32-digit run averages 3.66 bits a scalar, and a third of them fall under the
    /// 3.5 other runs need): a Twilio or WeChat secret, a Zhipu key's id, an API key. It needs a
    /// key word before it (`entropyContext`), or, for exactly 32 digits, a Twilio account id ("AC"
    /// + 32 digits) in the 64 scalars before it (`Client('AC…', '…')`). The caller has ruled out
    /// digests (`digestContext`).
    private static func isHexSecret(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s >= 32, entropy(t, s, e) >= 3.2, (s..<e).contains(where: { t.isDigit($0) }),
            (s..<e).contains(where: { t.isASCIILetter($0) })
        else { return false }
        return t.hasContext(entropyContext, before: s, window: 48) || (e - s == 32 && twilioAccountBefore(t, s))
    }

    /// "AC" and 32 hexadecimal digits ending in the 64 scalars before `s`.
    private static func twilioAccountBefore(_ t: ScalarText, _ s: Int) -> Bool {
        var k = s - 1
        while k >= max(0, s - 64) {
            if k >= 33 && t.v[k - 33] == 0x41 && t.v[k - 32] == 0x43 && !alnum(t[k - 34]) && !alnum(t[k + 1])
                && (k - 31...k).allSatisfy({ Chars.isHexDigit(t.v[$0]) })
            {
                return true
            }
            k -= 1
        }
        return false
    }

    /// Tokens of dot-joined parts a run of 20 cannot see (`scanDottedTokens`): a Discord bot token
    /// (the user's id in base64, 17–20 digits, "." 6 or 7 scalars "." 27 or more) and a Kubernetes
    /// bootstrap token (6 "." 16 lower-case letters and digits, after "token").
    static func scanDottedTokens(_ t: ScalarText, into out: inout [Finding]) {
        let n = t.count
        var i = 1
        while i < n {
            guard t.v[i] == 0x2E else {
                i += 1
                continue
            }
            var s = i
            while s > 0 && base64URLChar(t.v[s - 1]) { s -= 1 }
            var m = i + 1
            while m < n && base64URLChar(t.v[m]) { m += 1 }
            let first = i - s
            let second = m - i - 1
            if first == 6 && second == 16 && !base64URLChar(t[m]) && t[m] != 0x2E && lowerAlnum(t, s, i) && lowerAlnum(t, i + 1, m)
                && (s..<m).contains(where: { t.isDigit($0) }) && !alnum(t[s - 1]) && t.hasContext(bootstrapContext, before: s, window: 24)
            {
                out.append(Finding(type: .genericSecret, start: s, end: m, score: 0.8))
                i = m
                continue
            }
            if (23...28).contains(first) && (6...7).contains(second) && t[m] == 0x2E && !alnum(t[s - 1]) {
                var e = m + 1
                while e < n && base64URLChar(t.v[e]) { e += 1 }
                if (27...40).contains(e - m - 1) && !alnum(t[e]), let id = base64Decode(t, s, s + first - first % 4),
                    id.count >= 15, id.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                {
                    out.append(Finding(type: .genericSecret, start: s, end: e, score: 0.9))
                    i = e
                    continue
                }
            }
            i += 1
        }
    }

    private static let bootstrapContext = ContextWords(["token"])

    private static func base64URLChar(_ c: UInt32) -> Bool { alnum(c) || c == 0x5F || c == 0x2D }

    private static func lowerAlnum(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        (s..<e).allSatisfy { Chars.isDigit(t.v[$0]) || (t.v[$0] >= 0x61 && t.v[$0] <= 0x7A) }
    }

    /// Runs of 20 or more base64 scalars (the first 512 of a longer run) with high entropy, digits
    /// and letters, and a key word shortly before; and runs of 14 or more that encode text holding a
    /// value (`encodedValue`: an encoded mobile number is 15 or 16).
    static func scanHighEntropy(_ t: ScalarText, covered: [Finding], into out: inout [Finding]) {
        let n = t.count
        let spans = CoveredSpans(covered)
        // Only runs of 14+ matter: probe the 14th position from `p` (`p` is 0 or follows a
        // non-base64 scalar, so no run crosses it). A miss there rules out every run starting in
        // the 14 positions; a hit is walked to the run around it, whose end is the next `p`.
        var p = 0
        while p + Self.shortestEncoded <= n {
            let probe = p + Self.shortestEncoded - 1
            guard base64Char(t.v[probe]) else {
                p = probe + 1
                continue
            }
            var i = probe
            while i > p && base64Char(t.v[i - 1]) { i -= 1 }
            var end = probe + 1
            while end < n && base64Char(t.v[end]) { end += 1 }
            p = end + 1
            let e = min(end, i + 512)
            guard end - i >= Self.shortestEncoded, !spans.overlaps(i, e) else { continue }
            // A run under 20 is read only for an encoded value.
            let long = end - i >= 20
            let hex = long && (i..<e).allSatisfy { Chars.isHexDigit(t.v[$0]) }
            if hex && t.hasContext(digestContext, before: i, window: 24) { continue }
            if hex && isHexSecret(t, i, e) {
                out.append(Finding(type: .genericSecret, start: i, end: e, score: 0.8))
            } else if long, !isPlainPath(t, i, e), entropy(t, i, e) >= 3.5,
                (i..<e).contains(where: { t.isDigit($0) }), (i..<e).contains(where: { t.isASCIILetter($0) }),
                t.hasContext(entropyContext, before: i, window: 48) || (e - i == 40 && spans.awsKeyNear(i, e))
            {
                out.append(Finding(type: .genericSecret, start: i, end: e, score: 0.75))
            } else if end - i <= 4096, let encoded = encodedValue(t, i, end) {
                out.append(Finding(type: encoded.type, start: encoded.start, end: end, score: 0.9))
            }
        }
    }

    /// The spans the high-entropy scan must not cover, sorted once so that each run is checked in
    /// O(log n) (a body with thousands of findings and runs was quadratic), and the AWS access
    /// keys among them.
    private struct CoveredSpans {
        /// Starts in order, with the largest end of the spans up to each one.
        private let starts: [Int]
        private let maxEnds: [Int]
        private let awsStarts: [Int]
        private let awsEnds: [Int]

        init(_ covered: [Finding]) {
            let sorted = covered.sorted { $0.start < $1.start }
            starts = sorted.map(\.start)
            var running = Int.min
            maxEnds = sorted.map { f in
                running = max(running, f.end)
                return running
            }
            let aws = covered.filter { $0.type == .awsAccessKey }
            awsStarts = aws.map(\.start).sorted()
            awsEnds = aws.map(\.end).sorted()
        }

        /// The number of values in `sorted` below `value`.
        private static func count(_ sorted: [Int], below value: Int) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid] < value { low = mid + 1 } else { high = mid }
            }
            return low
        }

        /// Some span starts before `e` and ends after `s`.
        func overlaps(_ s: Int, _ e: Int) -> Bool {
            let before = Self.count(starts, below: e)
            return before > 0 && maxEnds[before - 1] > s
        }

        /// An AWS secret key is 40 base64 scalars, often written right after its access key (or
        /// before it) with no label: an access key ends in the 200 scalars before `s`, or starts in
        /// the 200 after `e`.
        func awsKeyNear(_ s: Int, _ e: Int) -> Bool {
            let endsBefore = Self.count(awsEnds, below: s + 1) - Self.count(awsEnds, below: s - 200)
            let startsAfter = Self.count(awsStarts, below: e + 201) - Self.count(awsStarts, below: e)
            return endsBefore > 0 || startsAfter > 0
        }
    }

    private static func base64Char(_ c: UInt32) -> Bool { alnum(c) || c == 0x2B || c == 0x2F || c == 0x3D || c == 0x5F || c == 0x2D }

    /// What a base64 run (standard or URL-safe alphabet) or a run of hex digits encodes, when it decodes to text in which
    /// the detectors find a secret (a Kubernetes Secret's `DATABASE_URL`, an encoded `.env` line, a
    /// registry's `auth`: `.genericSecret`) or a structured identifier or labelled number (an encoded
    /// e-mail address, card or identity number in a Secret's data or a cookie: that type). Random
    /// runs (hashes, identifiers, images) fail the first bytes' test. The value of a `name=value`
    /// run (a cookie, a query) starts after its last '=' but the padding: that start is returned.
    private static func encodedValue(_ t: ScalarText, _ s: Int, _ e: Int) -> (type: FindingType, start: Int)? {
        var e = e
        while e > s && t.v[e - 1] == 0x3D { e -= 1 }
        let s = ((s..<e).last { t.v[$0] == 0x3D } ?? s - 1) + 1
        guard e - s >= Self.shortestEncoded else { return nil }
        let bytes: [UInt8]
        if (e - s) % 2 == 0, (s..<e).allSatisfy({ Chars.isHexDigit(t.v[$0]) }) {
            // Hex-encoded text (a `xxd -p` dump, a hex payload): two digits a byte, the first 9 printable.
            bytes = stride(from: s, to: e, by: 2).map { UInt8(Chars.hexValue(t.v[$0]) << 4 | Chars.hexValue(t.v[$0 + 1])) }
            guard bytes.prefix(9).allSatisfy(printable) else { return nil }
        } else {
            guard (e - s) % 4 != 1 else { return nil }
            // The first 12 scalars decode to 9 bytes: all printable, or the run is no encoded text.
            guard let head = base64Decode(t, s, s + 12), head.allSatisfy(printable) else { return nil }
            guard let decoded = base64Decode(t, s, e) else { return nil }
            bytes = decoded
        }
        guard bytes.count >= 10 else { return nil }
        var readable = 0
        for b in bytes where printable(b) { readable += 1 }
        guard readable * 20 >= bytes.count * 19 else { return nil }
        let decoded = ScalarText(String(decoding: bytes, as: UTF8.self))
        var raw = SensitivityScanner.secretsAndIdentifiers(decoded)
        StructuredFields.scan(decoded, into: &raw)  // {"ssn": "…"}: the values fields name
        var found = SensitivityScanner.resolve(raw)
        TechnicalTokens.apply(decoded, &found)
        Placeholders.weaken(decoded, &found)  // user@example.com is a placeholder encoded too
        if found.contains(where: { $0.type.isSecret && $0.score >= 0.5 }) { return (.genericSecret, s) }
        // An IP address is left out: encoded configuration names hosts, and an address alone is weak.
        let identifier = found.first { f in
            f.score >= 0.5 && f.type != .ipAddress && (f.type.isStructuredIdentifier || f.type.isLabelledNumber)
        }
        return identifier.map { ($0.type, s) }
    }

    /// The shortest run read for an encoded value: 10 bytes are 14 base64 scalars without their
    /// padding (an 11-digit mobile number is 15, `MTM4MTIzNDU2Nzg`, or 16 with its '='); hex needs 20 digits.
    static let shortestEncoded = 14

    @inline(__always) private static func printable(_ b: UInt8) -> Bool { (b >= 0x20 && b < 0x7F) || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Decodes t[s..<e] (no padding; '+' or '-', '/' or '_'), or nil when a scalar is not base64.
    private static func base64Decode(_ t: ScalarText, _ s: Int, _ e: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity((e - s) * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for k in s..<e {
            let c = t.v[k]
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = c - 0x41
            case 0x61...0x7A: v = c - 0x61 + 26
            case 0x30...0x39: v = c - 0x30 + 52
            case 0x2B, 0x2D: v = 62
            case 0x2F, 0x5F: v = 63
            default: return nil
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }

    /// Shannon entropy in bits per scalar.
    static func entropy(_ t: ScalarText, _ s: Int, _ e: Int) -> Double {
        var counts = [Int](repeating: 0, count: 128)
        for k in s..<e where t.v[k] < 128 { counts[Int(t.v[k])] += 1 }
        let n = Double(e - s)
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / n
            h -= p * log2(p)
        }
        return h
    }

    private static func log2(_ x: Double) -> Double {
        // Natural log by atanh series on the mantissa, then scaled: no Foundation in the pure target.
        var m = x
        var exponent = 0.0
        while m >= 2 {
            m /= 2
            exponent += 1
        }
        while m < 1 {
            m *= 2
            exponent -= 1
        }
        let y = (m - 1) / (m + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var k = 1.0
        while k < 40 {
            sum += term / k
            term *= y2
            k += 2
        }
        return exponent + 2 * sum / 0.6931471805599453
    }
}
