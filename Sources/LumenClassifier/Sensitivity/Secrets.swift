// Secrets: provider keys by their published formats, PEM private keys, password/token assignments
// in config, .env files and connection strings, and a keyword-gated high-entropy fallback.

enum Secrets {
    private enum Body: Sendable { case alnum, keyChar }

    private struct Format: Sendable {
        let prefix: [UInt32]
        let type: FindingType
        let minBody: Int
        let maxBody: Int
        let bodyKind: Body
        init(prefix: [UInt32], type: FindingType, minBody: Int, maxBody: Int, body: Body) {
            self.prefix = prefix
            self.type = type
            self.minBody = minBody
            self.maxBody = maxBody
            self.bodyKind = body
        }
        func body(_ c: UInt32) -> Bool { bodyKind == .alnum ? Secrets.alnum(c) : Secrets.keyChar(c) }
    }

    fileprivate static func alnum(_ c: UInt32) -> Bool { Chars.isASCIILetter(c) || Chars.isDigit(c) }
    private static func upperAlnum(_ c: UInt32) -> Bool { Chars.isUpperASCII(c) || Chars.isDigit(c) }
    fileprivate static func keyChar(_ c: UInt32) -> Bool { alnum(c) || c == 0x5F || c == 0x2D }
    private static func base64URL(_ c: UInt32) -> Bool { alnum(c) || c == 0x5F || c == 0x2D }

    /// Longest prefixes first so "sk-ant-" wins over "sk-".
    private static let formats: [Format] = [
        Format(prefix: Chars.scalars("sk-ant-"), type: .anthropicKey, minBody: 20, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("sk-proj-"), type: .openAIKey, minBody: 20, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("sk-svcacct-"), type: .openAIKey, minBody: 20, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("sk-"), type: .openAIKey, minBody: 20, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("github_pat_"), type: .githubToken, minBody: 22, maxBody: 255, body: .keyChar),
        Format(prefix: Chars.scalars("ghp_"), type: .githubToken, minBody: 36, maxBody: 36, body: .alnum),
        Format(prefix: Chars.scalars("gho_"), type: .githubToken, minBody: 36, maxBody: 36, body: .alnum),
        Format(prefix: Chars.scalars("ghu_"), type: .githubToken, minBody: 36, maxBody: 36, body: .alnum),
        Format(prefix: Chars.scalars("ghs_"), type: .githubToken, minBody: 36, maxBody: 36, body: .alnum),
        Format(prefix: Chars.scalars("ghr_"), type: .githubToken, minBody: 36, maxBody: 36, body: .alnum),
        Format(prefix: Chars.scalars("xoxb-"), type: .slackToken, minBody: 10, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("xoxp-"), type: .slackToken, minBody: 10, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("xoxo-"), type: .slackToken, minBody: 10, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("xoxa-"), type: .slackToken, minBody: 10, maxBody: 200, body: .keyChar),
        Format(prefix: Chars.scalars("sk_live_"), type: .stripeKey, minBody: 16, maxBody: 200, body: .alnum),
        Format(prefix: Chars.scalars("rk_live_"), type: .stripeKey, minBody: 16, maxBody: 200, body: .alnum),
        Format(prefix: Chars.scalars("sk_test_"), type: .stripeKey, minBody: 16, maxBody: 200, body: .alnum),
        Format(prefix: Chars.scalars("glpat-"), type: .genericSecret, minBody: 20, maxBody: 64, body: .keyChar),  // GitLab
        Format(prefix: Chars.scalars("hf_"), type: .genericSecret, minBody: 30, maxBody: 40, body: .alnum),  // Hugging Face
    ]

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

    private static func matchFormat(_ t: ScalarText, at i: Int) -> Int? {
        let c = t.v[i]
        guard c == 0x73 || c == 0x67 || c == 0x78 || c == 0x72 || c == 0x68 else { return nil }
        for f in formats where f.prefix[0] == c {
            guard t.matches(f.prefix, at: i), (0..<f.prefix.count).allSatisfy({ t.v[i + $0] == f.prefix[$0] }) else { continue }
            var e = i + f.prefix.count
            while e < t.count && f.body(t.v[e]) && e - i - f.prefix.count <= f.maxBody { e += 1 }
            let body = e - i - f.prefix.count
            if body >= f.minBody && body <= f.maxBody && !alnum(t[e]) {
                return e
            }
        }
        return nil
    }

    /// At 's', 'g', 'x', 'r' or 'h' starting a token (every prefix in `formats` starts so): a provider key.
    @inline(__always) static func formatStep(_ t: ScalarText, _ i: Int, _ out: inout [Finding]) -> Int {
        let c = t.v[i]
        guard c == 0x73 || c == 0x67 || c == 0x78 || c == 0x72 || c == 0x68 else { return i + 1 }
        if i > 0 && alnum(t.v[i - 1]) { return i + 1 }  // as in keyStep
        if let end = matchFormat(t, at: i) {
            let type =
                formats.first { f in t.matches(f.prefix, at: i) && (0..<f.prefix.count).allSatisfy({ t.v[i + $0] == f.prefix[$0] }) }?.type
                ?? .genericSecret
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
        guard e - i == 20, !alnum(t[e]) else { return nil }
        out.append(Finding(type: .awsAccessKey, start: i, end: e, score: 0.97))
        return e
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
            k += 1
        }
        guard header > 0 else { return nil }
        var e = header
        while e < t.count {
            if t.v[e] == 0x2D && t.matches(pemEnd, at: e) {
                var f = e + pemEnd.count
                while f < t.count && t.v[f] != 0x0A && f - e < 60 {
                    if t.matches(privateKey, at: f) {
                        e = f + privateKey.count
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

    private static let passwordKeys = ["password", "passwd", "pwd", "passphrase", "pass"]
    private static let secretKeys = [
        "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "private_key", "auth", "credential",
        "client_secret", "bearer",
    ]
    private static let chinesePassword = Array("密码".unicodeScalars.map(\.value))
    private static let chineseSecret = Array("密钥".unicodeScalars.map(\.value))
    private static let chineseToken = Array("令牌".unicodeScalars.map(\.value))

    private static func identChar(_ c: UInt32) -> Bool { alnum(c) || c == 0x5F || c == 0x2D || c == 0x2E }

    static func scanAssignments(_ t: ScalarText, into out: inout [Finding]) {
        let password0 = chinesePassword[0]
        let password1 = chinesePassword[1]
        let secret0 = chineseSecret[0]
        let secret1 = chineseSecret[1]
        let token0 = chineseToken[0]
        let token1 = chineseToken[1]
        let keys = assignmentKeys
        var i = 0
        while i < t.count {
            // An identifier (config key) containing a password/secret word, or the Chinese words.
            let c = t.v[i]
            var keyEnd = -1
            var type: FindingType = .password
            if c < 0x80 {
                if identChar(c) && !identChar(t[i - 1]) {
                    var e = i
                    while identChar(t[e]) && e - i < 64 { e += 1 }
                    // Every word of a prompt gets here: test the (rare) separator before the key words.
                    guard e - i >= 3, separatorEnd(t, after: e) != nil, let kind = keys.kind(t, i, e) else {
                        i = e
                        continue
                    }
                    keyEnd = e
                    type = kind
                }
            } else if c == password0 && t[i + 1] == password1 {
                keyEnd = i + 2
            } else if (c == secret0 && t[i + 1] == secret1) || (c == token0 && t[i + 1] == token1) {
                keyEnd = i + 2
                type = .genericSecret
            }
            guard keyEnd >= 0 else {
                i += 1
                continue
            }
            // After the Chinese words a space may be all that separates the value ("密码 Passw0rd!2024"):
            // then the value must look like one (ASCII, letters with digits or symbols).
            let separator = separatorEnd(t, after: keyEnd)
            let bareSpace = separator == nil && c >= 0x80 && t[keyEnd] == 0x20
            guard var k = separator ?? (bareSpace ? keyEnd + 1 : nil) else {
                i = keyEnd
                continue
            }
            if t[k] == 0x3D { k += 1 }
            while t[k] == 0x20 || t[k] == 0x09 || t[k] == 0x22 || t[k] == 0x27 || t[k] == 0x60 { k += 1 }
            let s = k
            while k < t.count && !Chars.isSpace(t.v[k]) && t.v[k] != 0x22 && t.v[k] != 0x27 && t.v[k] != 0x60 && t.v[k] != 0x2C
                && t.v[k] != 0x3B && t.v[k] != 0xFF0C && t.v[k] != 0x3002 && k - s < 200
            { k += 1 }
            // Trailing sentence punctuation is not part of the value.
            while k > s && (t.v[k - 1] == 0x2E || t.v[k - 1] == 0x29 || t.v[k - 1] == 0x3F) { k -= 1 }
            if isSecretValue(t, s, k, type: type) && (!bareSpace || mixedASCII(t, s, k)) {
                out.append(Finding(type: type, start: s, end: k, score: type == .password ? 0.9 : 0.8))
            }
            i = max(k, keyEnd)
        }
    }

    /// After a key ending at `keyEnd`: quotes/spaces, then '=', ':', '：', "is", "是", "为". Returns the
    /// offset right after the separator, or nil when there is none.
    @inline(__always) private static func separatorEnd(_ t: ScalarText, after keyEnd: Int) -> Int? {
        var k = keyEnd
        while t[k] == 0x22 || t[k] == 0x27 || t[k] == 0x20 || t[k] == 0x09 { k += 1 }
        if t[k] == 0x3D || t[k] == 0x3A || t[k] == 0xFF1A || t[k] == 0x662F || t[k] == 0x4E3A { return k + 1 }
        if (t[k] | 0x20) == 0x69 && (t[k + 1] | 0x20) == 0x73 && t[k + 2] == 0x20 { return k + 3 }
        return nil
    }

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
                    if isPassword[index] { return .password }
                    secret = true
                }
            }
            return secret ? .genericSecret : nil
        }
    }

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

    // MARK: Connection strings: scheme://user:pass@host

    static func scanConnectionStrings(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasColon else { return }
        var i = 0
        while i + 3 < t.count {
            guard t.v[i] == 0x3A, t[i + 1] == 0x2F, t[i + 2] == 0x2F, t.isASCIILetter(i - 1) else {
                i += 1
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
            i = max(k, i + 1)
        }
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
    ])

    /// Runs of 20 or more base64 scalars (the first 512 of a longer run) with high entropy, digits
    /// and letters, and a key word shortly before.
    static func scanHighEntropy(_ t: ScalarText, covered: [Finding], into out: inout [Finding]) {
        let n = t.count
        // Only runs of 20+ matter: probe the 20th position from `p` (`p` is 0 or follows a
        // non-base64 scalar, so no run crosses it). A miss there rules out every run starting in
        // the 20 positions; a hit is walked to the run around it, whose end is the next `p`.
        var p = 0
        while p + 20 <= n {
            let probe = p + 19
            guard base64Char(t.v[probe]) else {
                p = probe + 1
                continue
            }
            var i = probe
            while i > p && base64Char(t.v[i - 1]) { i -= 1 }
            var end = probe + 1
            while end < n && base64Char(t.v[end]) { end += 1 }
            p = end + 1
            guard end - i >= 20 else { continue }
            let e = min(end, i + 512)
            if !covered.contains(where: { $0.start < e && i < $0.end }), !isPlainPath(t, i, e), entropy(t, i, e) >= 3.5,
                (i..<e).contains(where: { t.isDigit($0) }), (i..<e).contains(where: { t.isASCIILetter($0) }),
                t.hasContext(entropyContext, before: i, window: 48)
            {
                out.append(Finding(type: .genericSecret, start: i, end: e, score: 0.75))
            }
        }
    }

    private static func base64Char(_ c: UInt32) -> Bool { alnum(c) || c == 0x2B || c == 0x2F || c == 0x3D || c == 0x5F || c == 0x2D }

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
