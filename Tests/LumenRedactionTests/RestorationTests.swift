import Foundation
import LumenClassifier
import LumenCore
import LumenRedaction
import Testing

@Suite struct RestorationTests {
    /// A session issuing [PERSON_1], [EMAIL_1], [EMAIL_2], [PHONE_1], [IP_1] … [IP_12] and an escape.
    static func makeSession() throws -> RedactionSession {
        var text = #"Ann "The Quill" O'Neil\ (ann@fastmail.fm, ann2@fastmail.fm) phone 555-3100, wrote [EMAIL_3]."#
        text += " 张伟 hosts"
        var findings = [
            finding(#"Ann "The Quill" O'Neil\"#, in: text, .person),
            finding("ann@fastmail.fm", in: text, .email),
            finding("ann2@fastmail.fm", in: text, .email),
            finding("555-3100", in: text, .phone),
            finding("张伟", in: text, .person),
        ]
        for host in 1...12 {
            let ip = "10.0.0.\(host)"
            text += " \(ip)"
            findings.append(finding(ip, in: text, .ipAddress))
        }
        return try RedactionSession(texts: [text], findings: [findings], pseudonymise: [.person, .email, .phone, .ipAddress])
    }

    @Test func wholeTextRestoration() throws {
        let session = try Self.makeSession()
        #expect(session.placeholders.prefix(5) == ["[PERSON_1]", "[EMAIL_1]", "[EMAIL_2]", "[PHONE_1]", "[PERSON_2]"])
        let answer = "Dear [PERSON_1], we reply to [EMAIL_2] from [IP_12] and [IP_1] ([ESC_EMAIL_3]); [PERSON_2]."
        let restored = session.restore(answer)
        #expect(
            restored.text
                == #"Dear Ann "The Quill" O'Neil\, we reply to ann2@fastmail.fm from 10.0.0.12 and 10.0.0.1 ([EMAIL_3]); 张伟."#
        )
        #expect(restored.stats.restored == ["PERSON": 2, "EMAIL_ADDRESS": 1, "IP_ADDRESS": 2])
        #expect(restored.stats.escapedLiterals == 1)
        #expect(restored.stats.mangled.isEmpty)
    }

    @Test func toolCallArgumentsRestoreInsideJSONStringsWithEscaping() throws {
        let session = try Self.makeSession()
        let arguments = #"{"to":"[PERSON_1] <[EMAIL_1]>","cc":["[EMAIL_2]"],"note":"say \"[PERSON_2]\"\\[PHONE_1]","raw":[EMAIL_1],"n":[1,2]}"#
        let restored = session.restore(arguments, format: .jsonArguments)
        #expect((try? JSONSerialization.jsonObject(with: Data(restored.text.utf8))) == nil, "outside a string the placeholder is left")

        let valid = #"{"to":"[PERSON_1] <[EMAIL_1]>","cc":["[EMAIL_2]"],"note":"say \"[PERSON_2]\"\\[PHONE_1]","n":[1,2]}"#
        let good = session.restore(valid, format: .jsonArguments)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(good.text.utf8)) as? [String: Any])
        #expect(decoded["to"] as? String == #"Ann "The Quill" O'Neil\ <ann@fastmail.fm>"#)
        #expect(decoded["cc"] as? [String] == ["ann2@fastmail.fm"])
        #expect(decoded["note"] as? String == #"say "张伟"\555-3100"#)
        #expect(good.stats.restored == ["PERSON": 2, "EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1])
        // The invalid one restored the strings and counted the bare placeholder as mangled.
        #expect(restored.stats.mangled == ["EMAIL_ADDRESS": 1])
        #expect(restored.text.contains(#""raw":[EMAIL_1]"#))
    }

    @Test func jsonEscapingCoversControlCharacters() throws {
        let text = "v: a\"b\\c\nd\te\u{01}f\u{08}\u{0C}\r/é"
        let value = String(text.dropFirst(3))
        let session = try RedactionSession(texts: [text], findings: [[finding(value, in: text, .customTerm)]], pseudonymise: [.customTerm])
        let restored = session.restore(#"{"k":"[TERM_1]"}"#, format: .jsonArguments)
        #expect(restored.text == #"{"k":"a\"b\\c\nd\te\u0001f\b\f\r/é"}"#)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(restored.text.utf8)) as? [String: String])
        #expect(decoded["k"] == value)
    }

    static let streamSamples: [(String, RestorationFormat)] = [
        ("Hi [PERSON_1], mail [EMAIL_2]!", .text),
        ("[IP_12][IP_1][[EMAIL_1]]", .text),
        ("Literal [ESC_EMAIL_3] and [EMAIL 1] then 张伟[PERSON_2]😀", .text),
        (#"{"a":"x[EMAIL_1]y","b":"\"[PHONE_1]\"","c":[IP_1]}"#, .jsonArguments),
    ]

    @Test(arguments: 0..<4)
    func streamingEveryTwoAndThreeChunkSplitMatchesWholeRestoration(sample: Int) throws {
        let session = try Self.makeSession()
        let (text, format) = Self.streamSamples[sample]
        let whole = session.restore(text, format: format)
        let count = text.unicodeScalars.count
        for i in 0...count {
            let (output, restorer) = stream(split(text, at: [i]), session, format: format)
            #expect(output == whole.text, "cut at \(i)")
            #expect(restorer.stats == whole.stats, "cut at \(i)")
            for j in i...count {
                let (output3, restorer3) = stream(split(text, at: [i, j]), session, format: format)
                #expect(output3 == whole.text, "cuts at \(i), \(j)")
                #expect(restorer3.stats == whole.stats, "cuts at \(i), \(j)")
            }
        }
    }

    @Test func oneScalarPerChunk() throws {
        let session = try Self.makeSession()
        for (text, format) in Self.streamSamples {
            let chunks = text.unicodeScalars.map { String($0) }
            let (output, restorer) = stream(chunks, session, format: format)
            let whole = session.restore(text, format: format)
            #expect(output == whole.text)
            #expect(restorer.stats == whole.stats)
        }
    }

    @Test func holdsBackOnlyWhatCanStillBecomeAPlaceholder() throws {
        let session = try Self.makeSession()
        var restorer = session.makeStreamingRestorer()
        #expect(restorer.push("Hello ") == "Hello ")
        #expect(restorer.heldBackCount == 0)
        #expect(restorer.push("[") == "")
        #expect(restorer.push("EM") == "")
        #expect(restorer.heldBackCount == 3)
        // `[EMX` can no longer become a placeholder: everything goes out at once.
        #expect(restorer.push("X") == "[EMX")
        #expect(restorer.heldBackCount == 0)
        // `[` followed by something no placeholder starts with is emitted immediately.
        #expect(restorer.push("[x") == "[x")
        #expect(restorer.push("[1] ") == "[1] ")
        #expect(restorer.push("[EMAIL_1") == "")
        // `[EMAIL_1` could still become `[EMAIL_1x]`? No such key, but `[EMAIL_1]` is one: held.
        #expect(restorer.heldBackCount == 8)
        #expect(restorer.push("]") == "ann@fastmail.fm")
        #expect(restorer.push("[IP_1") == "")
        // `[IP_1` may still become `[IP_10]`, `[IP_11]`, `[IP_12]` or `[IP_1]`.
        #expect(restorer.push("2") == "")
        #expect(restorer.push("3") == "[IP_123")
        #expect(restorer.push("[PERS") == "")
        #expect(restorer.finish() == "[PERS")
        #expect(restorer.heldBackCount == 0)
        // JSON arguments: a `[` outside a string is an array, never held.
        var json = session.makeStreamingRestorer(format: .jsonArguments)
        #expect(json.push(#"{"a":["#) == #"{"a":["#)
        #expect(json.push(#""[EM"#) == #"""#)
        #expect(json.push(#"AIL_1]"]}"#) == #"ann@fastmail.fm"]}"#)
    }

    @Test func mangledPlaceholdersAreLeftAsTheyAreAndCounted() throws {
        let session = try Self.makeSession()
        let answer =
            "[EMAIL 1], [Email_1], EMAIL_1, [EMAIL_9], [EMAIL-1], [EMAIL1], (PHONE_1), [person_1], [IP 12]. "
            + "Not counted: email_1, [EMAIL_], [TODO_1], EMAIL, [EMAIL 1x], ESC_EMAIL_3. Restored: [EMAIL_1]."
        let restored = session.restore(answer)
        #expect(restored.text == answer.replacingOccurrences(of: "Restored: [EMAIL_1]", with: "Restored: ann@fastmail.fm"))
        #expect(restored.stats.mangled == ["EMAIL_ADDRESS": 6, "PHONE_NUMBER": 1, "PERSON": 1, "IP_ADDRESS": 1])
        #expect(restored.stats.restored == ["EMAIL_ADDRESS": 1])
        // Never-issued names of known types count too (no CARD was issued here).
        #expect(session.restore("[CARD_1]").stats.mangled == ["CREDIT_CARD": 1])
    }

    @Test func restorerNeverHoldsBackMoreThanAPlaceholderAndIsReusable() throws {
        let session = try Self.makeSession()
        var restorer = session.makeStreamingRestorer()
        #expect(restorer.maximumHoldBack == session.longestPlaceholderLength - 1)
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("[]_EMAILPHONIP0123456789 x张".unicodeScalars)
        for round in 0..<3 {
            var input = ""
            var output = ""
            for _ in 0..<2000 {
                let length = Int.random(in: 1...8, using: &generator)
                let chunk = String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
                input += chunk
                output += restorer.push(chunk)
                #expect(restorer.heldBackCount <= restorer.maximumHoldBack)
                // What is held is exactly the unemitted tail, and a proper prefix of an issued key.
                let held = String(input.unicodeScalars.suffix(restorer.heldBackCount))
                if restorer.heldBackCount > 0 {
                    #expect(session.placeholders.contains { $0.hasPrefix(held) && $0 != held } || "[ESC_EMAIL_3]".hasPrefix(held))
                }
            }
            output += restorer.finish()
            #expect(output == session.restore(input).text, "round \(round)")
        }
    }

    @Test func randomTextsWithRandomChunkingsMatchWholeRestoration() throws {
        let session = try Self.makeSession()
        let fragments = [
            "[PERSON_1]", "[PERSON_2]", "[EMAIL_1]", "[EMAIL_2]", "[PHONE_1]", "[IP_1]", "[IP_12]", "[ESC_EMAIL_3]",
            "[EMAIL_3]", "[EMAIL 1]", "[Email_2]", "EMAIL_1", "[", "]", "_", "[EMAIL", "[IP_1", "PERSON", "1", "\"", "\\",
            "{", "}", ":", ",", " ", "hello", "张伟", "😀", "👨‍👩‍👧", "é", "\n",
        ]
        var generator = SplitMix64(seed: 2026)
        for iteration in 0..<400 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
            let format: RestorationFormat = iteration % 3 == 0 ? .jsonArguments : .text
            let whole = session.restore(text, format: format)
            let count = text.unicodeScalars.count
            var cuts: [Int] = []
            var position = 0
            while true {
                position += Int.random(in: 1...8, using: &generator)
                if position >= count { break }
                cuts.append(position)
            }
            let (output, restorer) = stream(split(text, at: cuts), session, format: format)
            #expect(output == whole.text, "iteration \(iteration)")
            #expect(restorer.stats == whole.stats, "iteration \(iteration)")
        }
    }

    @Test func sessionWithoutPlaceholdersPassesTextThrough() throws {
        let session = try RedactionSession(texts: ["nothing here"], findings: [[]], pseudonymise: [.email])
        var restorer = session.makeStreamingRestorer()
        #expect(restorer.maximumHoldBack == 0)
        #expect(restorer.push("[EMAIL_") == "[EMAIL_")
        #expect(restorer.push("1]") == "1]")
        #expect(restorer.finish() == "")
        #expect(restorer.stats.mangled == ["EMAIL_ADDRESS": 1])
    }
}
