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
        "db:5432:a:u:", "net use ", "/user:", "net user ", "rabbitmqctl add_user ", "openssl passwd -6 ", "-salt ", "docker exec ", "kubectl exec x -- ",
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
            for _ in 0..<Int.random(in: 1...8, using: &g) { parts.append(Self.cues.randomElement(using: &g)!) }
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
}
