// Runs every detector over one prompt, resolves overlapping spans, and scores the whole prompt.

/// Compiled custom terms: case-folded scalars indexed by their first scalar.
struct CustomTermMatcher: Sendable {
    private struct Entry: Sendable {
        let scalars: [UInt32]
        let latin: Bool
    }

    private let byFirst: [UInt32: [Entry]]

    init(_ terms: [CustomTerm]) {
        var map: [UInt32: [Entry]] = [:]
        for term in terms {
            let trimmed = term.term.trimmingSpaces
            guard !trimmed.isEmpty else { continue }
            let v = Chars.scalars(trimmed)
            let latin = v.allSatisfy { !Chars.isHan($0) && !Chars.isOtherCJK($0) }
            map[v[0], default: []].append(Entry(scalars: v, latin: latin))
        }
        for key in map.keys { map[key]?.sort { $0.scalars.count > $1.scalars.count } }
        byFirst = map
    }

    var isEmpty: Bool { byFirst.isEmpty }

    /// Case-insensitive; whole-word for Latin terms (no letter or digit on either side).
    func scan(_ t: ScalarText, into out: inout [Finding]) {
        guard !byFirst.isEmpty else { return }
        var i = 0
        while i < t.count {
            guard let entries = byFirst[Chars.foldCase(t.v[i])] else {
                i += 1
                continue
            }
            var matchedEnd = -1
            for entry in entries where i + entry.scalars.count <= t.count {
                var ok = true
                for k in 1..<entry.scalars.count where Chars.foldCase(t.v[i + k]) != entry.scalars[k] {
                    ok = false
                    break
                }
                guard ok else { continue }
                let end = i + entry.scalars.count
                if entry.latin && (isWordScalar(t[i - 1]) || isWordScalar(t[end])) { continue }
                matchedEnd = end
                break
            }
            if matchedEnd > 0 {
                out.append(Finding(type: .customTerm, start: i, end: matchedEnd, score: 1.0))
                i = matchedEnd
            } else {
                i += 1
            }
        }
    }

    private func isWordScalar(_ c: UInt32) -> Bool { Chars.isLetter(c) || Chars.isDigit(c) || c == 0x5F }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Chars.isSpace($0.value) }),
            let last = scalars.lastIndex(where: { !Chars.isSpace($0.value) })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// The sensitivity half of the classifier.
struct SensitivityScanner: Sendable {
    let custom: CustomTermMatcher

    init(customTerms: [CustomTerm]) {
        custom = CustomTermMatcher(customTerms)
    }

    struct Result {
        var findings: [Finding]
        var topics: [TopicScore]
        var language: String
        var estimatedTokens: Int
        var sensitivity: Double
    }

    func findings(in text: String) -> [Finding] {
        let t = ScalarText(text)
        let w = t.words()
        return detect(t, w, topics: nil)
    }

    /// Findings, language and size over `text`; topics over `topicText` when given (for a
    /// conversation: what the user and the tools brought, not the client's own instructions).
    func analyse(_ text: String, topicText: String? = nil) -> Result {
        let t = ScalarText(text)
        let w = t.words()
        let topics: [TopicScore]
        if let topicText {
            let subject = ScalarText(topicText)
            topics = Topics.score(subject, subject.words())
        } else {
            topics = Topics.score(t, w)
        }
        let findings = detect(t, w, topics: topics)
        let (language, tokens) = LanguageEstimate.estimate(t, w)
        return Result(
            findings: findings, topics: topics, language: language, estimatedTokens: tokens,
            sensitivity: Self.sensitivity(findings, topics))
    }

    private func detect(_ t: ScalarText, _ w: [Word], topics: [TopicScore]?) -> [Finding] {
        var raw = Self.secretsAndIdentifiers(t)
        SpelledDigits.scan(t, w, into: &raw)
        SpelledEmails.scan(t, w, into: &raw)
        SpelledEmails.scanDefanged(t, w, into: &raw)
        var hasUpper = false
        for x in w where x.isCapitalized {
            hasUpper = true
            break
        }
        let lowercaseText = !hasUpper && w.count >= 3
        // Traditional Chinese is read as simplified by the Chinese detectors (same offsets).
        let chinese = t.hasHan ? TraditionalChinese.simplified(t) ?? t : t
        Addresses.scan(t, w, chinese: chinese, lowercaseText: lowercaseText, into: &raw)
        Names.scan(t, w, lowercaseText: lowercaseText, into: &raw)
        Names.scanChinese(chinese, into: &raw)
        KoreanNames.scan(t, into: &raw)
        JapaneseNames.scan(t, into: &raw)
        var things: [Range<Int>] = []
        StructuredFields.scan(t, into: &raw, things: &things)
        // Only a secret or an identifier covers a run; a name or an address guessed on it does not.
        let scanned = raw.count
        Secrets.scanHighEntropy(t, covered: raw.filter { !TechnicalTokens.isOverridable($0.type) }, into: &raw)
        // A phone or an SSN read in a base64 run's decoded text is one, however technical the run.
        let decoded = raw[scanned...].filter { TechnicalTokens.isOverridable($0.type) }.map { $0.start..<$0.end }
        var resolved = Self.resolve(raw)
        TechnicalTokens.apply(t, &resolved, decoded: decoded)
        Placeholders.weaken(t, &resolved)
        for k in resolved.indices where resolved[k].type == .person { FamousPeople.trimLeadingVerb(t, &resolved[k]) }
        resolved.removeAll { $0.type == .person && FamousPeople.contains(t, $0) }
        // A field that names a thing ("商品", "城市", "字体"): a Chinese value it holds whole is no one
        // (a table's row only where it has the header's cells: `StructuredFields.rows`).
        if !things.isEmpty {
            let cells = Set(things)
            resolved.removeAll { f in
                f.type == .person && cells.contains(f.start..<f.end) && (f.start..<f.end).allSatisfy { Chars.isHan(t.v[$0]) }
            }
        }
        var customs: [Finding] = []
        custom.scan(t, into: &customs)
        let healthy = (topics ?? Topics.score(t, w)).contains { $0.topic == .health && $0.score >= 0.5 }
        Self.boostPeople(&resolved, health: healthy)
        resolved.append(contentsOf: customs)
        resolved.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        return resolved
    }

    /// The secret and structured-identifier detectors' findings, detector by detector (keys, key
    /// formats, assignments, command lines, connection strings, e-mails, IBANs, digit chains, IPv6, passports,
    /// dates of birth); the anchored ones share one pass.
    static func secretsAndIdentifiers(_ t: ScalarText) -> [Finding] {
        var raw: [Finding] = []
        raw.reserveCapacity(8)
        let anchored = AnchorPass.run(t)
        raw += anchored.keys
        raw += anchored.formats
        Secrets.scanAssignments(t, into: &raw)
        raw += anchored.commandLines
        Secrets.scanConnectionStrings(t, into: &raw)
        Secrets.scanDottedTokens(t, into: &raw)
        raw += anchored.emails
        raw += anchored.ibans
        raw += anchored.chains
        Identifiers.scanIPv6(t, into: &raw)
        raw += anchored.passports
        raw += anchored.labelled
        raw += anchored.dates
        return raw
    }

    /// Overlapping spans keep the stronger kind; equal kinds merge.
    static func resolve(_ raw: [Finding]) -> [Finding] {
        let sorted = raw.sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var out: [Finding] = []
        out.reserveCapacity(sorted.count)
        for f in sorted {
            guard var last = out.last, f.start < last.end else {
                out.append(f)
                continue
            }
            if f.type == last.type {
                last.end = max(last.end, f.end)
                last.score = max(last.score, f.score)
                out[out.count - 1] = last
            } else if last.type == .streetAddress && f.type == .phone && f.end <= last.end {
                // A postcode read as a phone inside an address ("Rua Augusta 10, 4100-114 Porto"): the
                // address stays whole.
                continue
            } else if priority(f) > priority(last) {
                // The new span wins; drop (or trim) the previous one.
                out.removeLast()
                // A name a secret starts inside was read off the secret's letters ("Basic YWRtaW…"): dropped.
                if last.start < f.start && priority(last) >= 50 && !(last.type == .person && f.type.isSecret) {
                    last.end = f.start
                    if last.end > last.start && last.type != .phone { out.append(last) }
                }
                // It may also overlap an earlier one.
                if let prev = out.last, prev.end > f.start, priority(prev) >= priority(f) { continue }
                out.append(f)
            } else if f.end > last.end && f.score >= 0.5 {
                // A weaker finding that goes on past the stronger one ("…, 69003 Lyon, tél. 06 72 48" read
                // as an address, then the whole phone number): its rest is covered too, not left in clear.
                last.end = f.end
                out[out.count - 1] = last
            }
        }
        return out
    }

    private static func priority(_ f: Finding) -> Int {
        switch f.type {
        case .privateKey, .awsAccessKey, .githubToken, .openAIKey, .anthropicKey, .slackToken, .stripeKey, .googleAPIKey, .jwt: 100
        case .password: 95
        case .genericSecret: 90
        case .email, .iban, .chineseResidentID, .creditCard: 85
        case .usSSN, .ipAddress: 80
        case .bankAccount, .driverLicense, .medicalRecord, .ukNHS, .taxID, .nationalID: 78
        case .passport, .dateOfBirth: 75
        case .phone: f.score >= 0.7 ? 72 : 45
        case .streetAddress: 60
        case .person: f.score >= 0.8 ? 65 : 50
        default: 40
        }
    }

    /// A name next to an identifier, an address or a health topic identifies someone: raise its score.
    private static func boostPeople(_ findings: inout [Finding], health: Bool) {
        let anchors = findings.filter { $0.type != .person && !$0.type.isSecret && $0.score >= 0.5 }.sorted { $0.start < $1.start }
        guard health || !anchors.isEmpty else { return }
        // The furthest end so far, for a binary search (widened findings may overlap).
        var reach = [Int]()
        reach.reserveCapacity(anchors.count)
        for a in anchors { reach.append(max(reach.last ?? 0, a.end)) }
        /// Whether an anchor lies within 160 scalars of `f`: none before the first whose reach passes
        /// f.start - 160 can (thousands of names and e-mails in one prompt were persons × anchors).
        func near(_ f: Finding) -> Bool {
            var lo = 0
            var hi = anchors.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if reach[mid] + 160 <= f.start { lo = mid + 1 } else { hi = mid }
            }
            while lo < anchors.count, anchors[lo].start < f.end + 160 {
                if anchors[lo].end + 160 > f.start { return true }
                lo += 1
            }
            return false
        }
        // A value reserved for documentation ("John Doe", 张三: `Placeholders`, 0.3) stays weak beside the
        // form's other fields.
        for k in findings.indices where findings[k].type == .person && findings[k].score > Placeholders.score {
            let f = findings[k]
            if health || near(f) { findings[k].score = max(f.score, 0.9) }
        }
    }

    /// 1 - Π(1 - weight·score) over findings and topics.
    static func sensitivity(_ findings: [Finding], _ topics: [TopicScore]) -> Double {
        var keep = 1.0
        for f in findings {
            let weight: Double
            if f.type.isSecret {
                weight = 1.0
            } else if f.type.isStructuredIdentifier || f.type.isLabelledNumber {
                weight = 0.9
            } else if f.type == .customTerm || f.type == .dateOfBirth {
                weight = 0.8
            } else if f.type == .streetAddress {
                weight = 0.7
            } else {
                weight = 0.6
            }
            keep *= 1 - min(1, weight * f.score)
        }
        for topic in topics { keep *= 1 - 0.5 * topic.score }
        return min(1, max(0, 1 - keep))
    }
}
