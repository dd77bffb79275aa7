import LumenCore
import Testing

@testable import LumenClassifier

/// The classifier runs the anchored detectors in one shared pass and probes for long base64 runs;
/// these tests hold both to the plain one-detector-at-a-time loops on generated text full of
/// near-misses (glued digits, cut keys, runs of 19/20/512/513 scalars, Han next to digits).
@Suite struct AnchorPassTests {
    static let pieces = [
        "jane.doe@fastmail.fm", "a@b", "@@x.y", "x.@y.co", "415-555-3132", "+86 138 1234 5678", "13812345678", "(555) 123-4567",
        "4539 1488 0343 6467", "6222021234567890123", "GB43 NWBK 6016 1348 2759 17", "DE44500105175407324931", "123-45-6789",
        "11010519491231002X", "account no 12345678", "routing 021000021", "MRN 00456789", "NHS 943 476 5919", "TIN 12-3456789",
        "driver's license D1234567", "账号6222021234567890", "sort code 12-34-56, 87654321", "passport number X1234567",
        "Führerscheinnummer F1704L9KR71", "आधार संख्या 2345 6789 0123", "계좌번호 110-392-847105", "acct-1-", "tin 123456789",
        "account_number: 30129948871", "acct_id 12345678", "DL# K412-730-91-558-0", "Sort code:\n\n30-94-57", "account. Order 12345678",
        "e-passport 123456789",
        "x'passport A1234567", "护照号码 E12345678",
        "192.168.0.1", "2001:db8::1", "born on 12/03/1985", "DOB: 1985-03-12", "date of birth March 3, 1985", "出生日期 1985年3月12日",
        "AKIAQ3EGRTSX4Z7MNB2K", "AIzaSyA1234567890abcdefghijklmnopqrstuv", "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "sk-proj-Ab3Ab3Ab3Ab3Ab3Ab3Ab3Ab3Ab3Ab3", "xoxb-123456789012-abcdefghij", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "password=hunter22",
        "postgres://admin:pa55w0rd@db.internal:5432/app", "12+34", "1+(5", "ab12cd", "AB12", "x1.2-3", "密码：abc12345",
        "the", "and", "dob", "bad", "sake", "rk", "a-", "Ab", "de", "BB", "p", "api key", "token:", "secret =",
    ]
    static let alphabet = Array("abcdeprsgxABDEPSX0123456789-_.:@+()=/ \n'\"，。：中文护照出生账号".unicodeScalars)
    static let base64 = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=_-".unicodeScalars)

    static func text(_ g: inout SplitMix64) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 1...24, using: &g) {
            switch Int.random(in: 0..<10, using: &g) {
            case 0..<4: s.append(contentsOf: pieces.randomElement(using: &g)!.unicodeScalars)
            case 4..<6:
                let length = [5, 19, 20, 21, 40, 511, 512, 513].randomElement(using: &g)!
                for _ in 0..<length { s.append(base64.randomElement(using: &g)!) }
            default:
                for _ in 0..<Int.random(in: 1...12, using: &g) { s.append(alphabet.randomElement(using: &g)!) }
            }
            if Bool.random(using: &g) { s.append(" ") }
        }
        return String(s)
    }

    /// A detector's own loop: its step at every position from 0 while `i < end` (the prompt's
    /// length by default), jumping where the step says.
    static func run(_ t: ScalarText, _ out: inout [Finding], until end: Int? = nil, _ step: (ScalarText, Int, inout [Finding]) -> Int) {
        var i = 0
        while i < (end ?? t.count) { i = step(t, i, &out) }
    }

    @Test func onePassFindsWhatTheSeparateDetectorsFind() {
        var g = SplitMix64(seed: 20261201)
        for _ in 0..<3_000 {
            let t = ScalarText(Self.text(&g))
            // Each step over the whole prompt on its own, in the scanner's order of detectors.
            var separate: [Finding] = []
            Self.run(t, &separate, Secrets.keyStep)
            Self.run(t, &separate, Secrets.formatStep)
            Secrets.scanAssignments(t, into: &separate)
            Secrets.scanConnectionStrings(t, into: &separate)
            Self.run(t, &separate, Identifiers.emailStep)
            Self.run(t, &separate, until: t.count - 4, Identifiers.ibanStep)
            var chain = Identifiers.Chain(start: 0)
            Self.run(t, &separate) { t, i, out in Identifiers.digitChainStep(t, i, &chain, &out) }
            Identifiers.scanIPv6(t, into: &separate)
            Self.run(t, &separate, Identifiers.passportStep)
            Self.run(t, &separate, CuedIdentifiers.step)
            Self.run(t, &separate, Identifiers.dateOfBirthStep)
            #expect(SensitivityScanner.secretsAndIdentifiers(t) == separate, "\(t.string(0, t.count))")
        }
    }

    /// The high-entropy scan before the probing: every run start, the first 512 scalars of a run.
    static func highEntropyByEveryRun(_ t: ScalarText) -> [Finding] {
        func base64(_ c: UInt32) -> Bool {
            Chars.isASCIILetter(c) || Chars.isDigit(c) || c == 0x2B || c == 0x2F || c == 0x3D || c == 0x5F || c == 0x2D
        }
        var out: [Finding] = []
        var i = 0
        while i < t.count {
            guard base64(t.v[i]), !base64(t[i - 1]) else {
                i += 1
                continue
            }
            var e = i
            while e < t.count && base64(t.v[e]) && e - i < 512 { e += 1 }
            if e - i >= 20, Secrets.entropy(t, i, e) >= 3.5, (i..<e).contains(where: { t.isDigit($0) }),
                (i..<e).contains(where: { t.isASCIILetter($0) }), t.hasContext(Secrets.entropyContext, before: i, window: 48)
            {
                out.append(Finding(type: .genericSecret, start: i, end: e, score: 0.75))
            }
            i = max(e, i + 1)
        }
        return out
    }

    @Test func probingForLongRunsMissesNone() {
        var g = SplitMix64(seed: 7)
        var flagged = 0
        for _ in 0..<1_500 {
            let t = ScalarText(Self.text(&g))
            var probed: [Finding] = []
            Secrets.scanHighEntropy(t, covered: [], into: &probed)
            #expect(probed == Self.highEntropyByEveryRun(t), "\(t.string(0, t.count))")
            flagged += probed.count
        }
        #expect(flagged > 50)
    }
}

/// The UTF-8 decoding takes eight ASCII bytes at a time; it must agree with `unicodeScalars` and
/// count exactly what a scalar-by-scalar count gives, wherever the non-ASCII bytes fall.
@Suite struct ScalarTextDecodingTests {
    @Test func decodingAndCountsMatchTheScalarByScalarReading() {
        var g = SplitMix64(seed: 42)
        let alphabet = Array("aZ09 \t\n\r:@[`{~\u{7F}éß中😀\u{A0}\u{3000}".unicodeScalars)
        for _ in 0..<2_000 {
            var s = String.UnicodeScalarView()
            let ascii = Bool.random(using: &g)
            for _ in 0..<Int.random(in: 0...40, using: &g) {
                let c = alphabet.randomElement(using: &g)!
                if !ascii || c.value < 0x80 { s.append(c) }
            }
            let text = String(s)
            let t = ScalarText(text)
            let scalars = text.unicodeScalars.map(\.value)
            #expect(t.v == scalars)
            #expect(t.isASCII == scalars.allSatisfy { $0 < 0x80 })
            #expect(t.hasColon == scalars.contains(0x3A))
            // Counted among the ASCII scalars, whatever else the text holds.
            #expect(t.asciiLetters == scalars.count { Chars.isASCIILetter($0) })
            #expect(t.asciiOthers == scalars.count { $0 < 0x80 && !Chars.isASCIILetter($0) && !Chars.isSpace($0) })
        }
    }
}

/// What the classifier reads of a prompt's technical tokens where a finding may be dropped.
@Suite struct TechnicalTokenReadingTests {
    /// The technical tokens read only near some ranges (`TechnicalTokens.spans(_:near:)`) are those of
    /// the whole-text reading that overlap a range: none missed, none made up, with ranges in any
    /// order, overlapping or empty.
    @Test func technicalTokensNearRangesAreTheWholeReadingsThere() {
        var g = SplitMix64(seed: 20261207)
        for _ in 0..<3_000 {
            let t = ScalarText(AnchorPassTests.text(&g))
            let all = TechnicalTokens.spans(t)
            var ranges: [Range<Int>] = []
            for _ in 0..<Int.random(in: 0...6, using: &g) {
                let s = Int.random(in: 0...t.count, using: &g)
                ranges.append(s..<min(t.count, s + Int.random(in: 0...40, using: &g)))
            }
            let near = TechnicalTokens.spans(t, near: ranges)
            // Every span read near the ranges is one of the whole reading's, in order.
            #expect(near.allSatisfy { all.contains($0) } && near == near.sorted { $0.lowerBound < $1.lowerBound }, "\(t.string(0, t.count))")
            // Every span of the whole reading that overlaps a range was read.
            for span in all where ranges.contains(where: { span.overlaps($0) }) {
                #expect(near.contains(span), "\(span) of \(t.string(0, t.count)) near \(ranges)")
            }
        }
    }
}
