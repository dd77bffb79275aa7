import LumenCore
import Testing

@testable import LumenClassifier

/// The scanner reads every prompt a client sends, so no text may trap it. A label at the very end
/// of a text once did ("담당자:" read past the end): these texts are built from the cues the
/// detectors start at (labels, titles, particles, flags, colons, key words, base64), and each is
/// classified whole and cut after every cue, where a detector's look-ahead meets the end.
@Suite struct ScannerRobustnessTests {
    static let cues = [
        "담당자:", "이름: ", "고객명：", "김민수", "님", " 님께", "씨", "과장", "남궁", "비밀번호를 ", "비밀번호는", "핀 번호는 ", "PIN번호", "PIN ", "PIN: ",
        "pin_code=", "PIN no.", "password ", "password changed to ", "密码改成了 ", "密码", "パスワードを ", "を ", "に", "で", "에서", "*:", "*:*:*:u:",
        "db:5432:a:u:", "net use ", "/user:", "net user ", "rabbitmqctl add_user ", "openssl passwd -6 ", "-salt ", "docker exec ",
        "kubectl exec x -- ",
        "mysql -p", "-u ", "exec ", "--", "\"$(", ")\"", "Basic ", "data:\n  K: ", "cGFzc3dvcmQ9U3VtbWVy", "MjAyNCE=", "QUtJQU", "=", "Version ",
        "Page 3 ", "12 ", "Figure ", "Puruntie ", "Le ", "张家界", "WiFi", "Wi-Fi", "ADMIN_PASSWORD=", "password_max_age: ", "2024-06-01T10:00:00Z",
        "Qx7#mP2!vL", "4729", "110001", ":", "：", " ", "\n", "",
    ]

    @Test func cutAndMixedCuesNeverTrap() {
        let classifier = Classifier()
        var g = SplitMix64(seed: 20261205)
        var texts = 0
        for _ in 0..<1_500 {
            var parts: [String] = []
            for _ in 0..<Int.random(in: 1...8, using: &g) {
                // Today's cues and the anchored detectors' pieces (keys, identifiers, dates, passports).
                parts.append(Bool.random(using: &g) ? Self.cues.randomElement(using: &g)! : AnchorPassTests.pieces.randomElement(using: &g)!)
            }
            var text = ""
            for part in parts {
                text += part
                // Every cut after a cue: the detectors' look-ahead meets the end of the text there.
                _ = classifier.classify(text)
                texts += 1
            }
        }
        #expect(texts > 5_000)
    }

    /// The reading form's byte scan (eight bytes at a time) against the plain definition: a lead
    /// byte of a scalar to fold, and a `\u` with four hex digits, anywhere.
    @Test func byteScanMatchesThePlainDefinition() {
        let pieces = [
            "a", "\\", "\\u", "\\u00", "\\u0040", "\\uD83D\\uDE00", "\\uzzzz", "u1234", "１", "\u{00A0}", "中", "，", "é", "Ж", "12345678", " ",
        ]
        var g = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &g) { text += pieces.randomElement(using: &g)! }
            let bytes = Array(text.utf8)
            let special = bytes.contains { $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF || $0 == 0xE1 || (0xCE...0xD1).contains($0) }
            let hex = Set("0123456789abcdefABCDEF".utf8)
            let escape = bytes.indices.contains { i in
                i + 6 <= bytes.count && bytes[i] == 0x5C && bytes[i + 1] == 0x75 && bytes[(i + 2)..<(i + 6)].allSatisfy { hex.contains($0) }
            }
            let found = ReadingForm.scanBytes(text.utf8)
            #expect(found.special == special && found.escape == escape, "\(text.debugDescription)")
        }
    }

    /// Random scalars of every script the detectors treat differently (ASCII letters, digits and
    /// punctuation, Hangul, Han, kana, Cyrillic, full-width forms, combining marks, emoji, controls),
    /// whole and cut at random places.
    @Test func randomScalarsNeverTrap() {
        let classifier = Classifier()
        let ranges: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x30...0x39, 0x3A...0x40, 0xAC00...0xAC40, 0xB000...0xB010, 0xC528...0xC52A, 0xD540...0xD541, 0x4E00...0x4E40,
            0x7801...0x7801, 0x3040...0x309F, 0x0410...0x044F, 0xFF01...0xFF5E, 0x0300...0x036F, 0x1F600...0x1F64F, 0x00...0x1F, 0x3000...0x3003,
        ]
        var g = SplitMix64(seed: 20261205)
        for _ in 0..<3_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...160, using: &g) {
                let range = ranges.randomElement(using: &g)!
                if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &g)) { scalars.append(scalar) }
            }
            let text = String(scalars)
            _ = classifier.classify(text)
            for _ in 0..<3 {
                let cut = Int.random(in: 0...scalars.count, using: &g)
                _ = classifier.classify(String(String.UnicodeScalarView(scalars.prefix(cut))))
            }
        }
    }
}
