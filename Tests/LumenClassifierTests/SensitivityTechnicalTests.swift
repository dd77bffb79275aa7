import Foundation
import LumenClassifier
import Testing

private let classifier = Classifier()

/// The findings as (type, text) pairs.
private func found(_ text: String) -> [(FindingType, String)] {
    let scalars = Array(text.unicodeScalars)
    return classifier.findings(in: text).map { f in (f.type, String(String.UnicodeScalarView(scalars[f.start..<f.end]))) }
}

private func personal(_ text: String) -> [String] {
    found(text).filter { !$0.0.isSecret && $0.0 != .customTerm }.map { "\($0.0.rawValue): \($0.1)" }
}

private func texts(_ text: String, _ type: FindingType) -> [String] { found(text).filter { $0.0 == type }.map(\.1) }

/// Findings a policy acts on (the shipped policies ask for a score of 0.5 or more).
private func strong(_ text: String, _ type: FindingType) -> [String] {
    let scalars = Array(text.unicodeScalars)
    return classifier.findings(in: text).filter { $0.type == type && $0.score >= 0.5 }
        .map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) }
}

@Suite struct TechnicalIdentifierTests {
    /// Software identifiers, in English and Chinese text: no personal-data finding at all.
    @Test(arguments: [
        "The request 550e8400-e29b-41d4-a716-446655440000 failed with 502",
        "请求 550e8400-e29b-41d4-a716-446655440000 返回 502，怎么排查？",
        "git show 9fceb02d0ae598e95dc970b74767f19372d61af8 broke the build",
        "回滚到提交 9fceb02 之后就好了",
        "docker pull nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        "Upgraded from v1.24.3 to 2.0.0-rc.1 (build 48213)",
        "aws ec2 describe-vpcs --vpc-ids vpc-0a1b2c3d4e5f67890 i-0123456789abcdef0 subnet-0bb1c79de3EXAMPLE",
        "arn:aws:iam::123456789012:role/ci-deployer is not authorized",
        "Stripe returned cus_NffrFeUfNV2Hib and pi_3MtwBwLkdIwHu7ix28a3tqPa for ch_3MmlLrLkdIwHu7ix0snN0B15",
        "created at 1700000000, expires 1712345678901",
        "2025-03-12T10:11:12.345Z ERROR worker crashed",
        "magic 0xDEADBEEF = 3735928559, colour #1a2b3c and #fff",
        "listening on 0.0.0.0:8080 and 127.0.0.1:5432",
        "  File \"/srv/app/handlers/orders.py\", line 42, in create_order",
        "src/components/UserTable.tsx:118:7 error 'data' is possibly undefined",
        "ISBN 978-0-306-40615-7, doi:10.1038/nphys1170, arXiv:2106.09685v2",
        "f(x) = 3x^2 - 1200x + 4155553199 at x = 12.5",
        "Traceback (most recent call last):\nKeyError: 'customer_id'",
        "Benchmark took 0.42s; timestamps are in UTC",
        "Exit Code: 137, Reason: OOMKilled",
        "X-RateLimit-Reset: 1653302156\nETag: W/\"f54fb0\"",
        "Job id 13419707773, run 4709567518 attempt 2", "Version 415.555.3142 released", "release 212-555-3142 is out",
        "Max Pooling and Mean Squared Error explained",
        "10.0.22232.774 and 00 01 00 00 00 00 in the hex dump",
        "订单 202403150001234 支付回调失败, traceId=4bf92f3577b34da6a3ce929d0e0e4736",
        "请帮我看看这个报错是什么原因，谢谢！",
    ])
    func noPersonalData(text: String) {
        #expect(personal(text).isEmpty, "\(personal(text))")
    }

    /// Real personal data inside technical text is still found.
    @Test func personalDataInsideTechnicalText() {
        let trace = "Traceback (most recent call last):\n  File \"/app/mail.py\", line 9\n    send(\"jane.doe@fastmail.fm\")\nSMTPRecipientsRefused"
        #expect(texts(trace, .email) == ["jane.doe@fastmail.fm"])
        let config = "DATABASE_URL=postgres://app@db:5432/app\nDB_PASSWORD=Sup3r-Secret!\nBUILD=4821"
        #expect(found(config).contains { $0.0 == .password && $0.1 == "Sup3r-Secret!" })
        #expect(texts(config, .email).isEmpty)
        let support = "[2025-03-12T10:11:12Z] INFO customer callback requested, phone: +1 415-555-3173, session=a8f3k2"
        #expect(texts(support, .phone) == ["+1 415-555-3173"])
        let chinese = "2025-03-12 10:11:12 INFO SmsSender - send code to 13812345678 result=FAIL requestId=550e8400-e29b-41d4-a716-446655440000"
        #expect(texts(chinese, .phone) == ["13812345678"])
        #expect(found("export OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345").contains { $0.0 == .openAIKey })
    }

    @Test func publicAndInternalIPs() {
        #expect(texts("blocked 179.177.214.91 again", .ipAddress) == ["179.177.214.91"])
        #expect(texts("upstream 10.0.3.7 and 192.168.1.20 and 127.0.0.1", .ipAddress).isEmpty)
    }

    @Test func phonesNeedShapeOrContext() {
        #expect(texts("call me at 4155553199", .phone) == ["4155553199"])
        #expect(texts("epoch 4155553199 in the log", .phone).isEmpty)
        #expect(texts("781 1704 office", .phone) == ["781 1704"])
        #expect(texts("HTTP/1.1\" 502 5971 \"-\"", .phone).isEmpty)
        // Quantities and ranges with a unit are not phone numbers; phone numbers with their kind attached are.
        #expect(texts("Defaults to 10000 ms; effective range is 250-30000 ms.", .phone).isEmpty)
        #expect(texts("empty polls wait 5000-300000 ms by default", .phone).isEmpty)
        #expect(texts("082 490 1693-Office, +41 (0)69 979 80 58-Fax", .phone) == ["082 490 1693", "+41 (0)69 979 80 58"])
        #expect(texts("Can someone call me on 01.84.17.61.18? Thanks", .phone) == ["01.84.17.61.18"])
        #expect(texts("no message on my registered 668 5702. Could you check?", .phone) == ["668 5702"])
        #expect(texts("Cron: \"30 14 28 2 *\" = Feb 28 at 2:30pm", .phone).isEmpty)
    }

    /// An agent's own instructions: headings in title case and acronyms are no names a policy acts on
    /// (a pair of everyday words with a census surname among them stays a weak finding).
    @Test(arguments: [
        "Example 1:\n\n1. Create CLI tool\n2. Add Markdown parser\n3. Convert to HTML",
        "# Tool Guidelines\n\n## Shell commands",
        "*** Begin Patch\n[ one or more file sections ]\n*** End Patch",
        "introduce with a bolded keyword (e.g., “Binaries” under “Rust Workspace”)",
        "IMPORTANT NOTE TO THE AI ASSISTANT: summarise the file",
        "pay the cache miss. Right when there's no point",
        "even if it is renamed or called original.",
        "Use for parameterized named workflows (e.g. a research query)",
        "definitions for deferred tools so they can be called.\n\nDeferred tools appear by name",
        "You are a Claude agent, built on Anthropic's Claude Agent SDK. See the Claude API reference.",
        "switches the session to Claude Opus. You are powered by the model named Opus 4.5.",
        "fully replacing one you've already Read. Overwriting an existing file",
        "If the result says \"Session-only\" after durable: true, tell the user",
        "- Clears CWD-dependent caches (system prompt sections)",
        "for a Remote Control, cloud or Claude Desktop session nothing reports",
    ])
    func agentInstructionsHaveNoNames(text: String) {
        #expect(strong(text, .person).isEmpty, "\(strong(text, .person))")
    }

    /// The same rules leave real names alone.
    @Test func namesStillFound() {
        #expect(texts("Our son is named oliver and he starts school", .person) == ["oliver"])
        #expect(texts("Please ask Miss Hartley about it", .person) == ["Hartley"])
        #expect(texts("Signed by Jane K. Whitfield yesterday", .person) == ["Jane K. Whitfield"])
        #expect(texts("Claude Monet painted it in 1872.", .person) == ["Claude Monet"])
        #expect(texts("\"It is the right direction,\" says Hauta-aho.", .person) == ["Hauta-aho"])
    }

    /// A card is grouped as cards are (fours, Amex 4-6-5, Diners 4-6-4) or not at all; a process id
    /// and a numeric run in a temp path ("lumen-test-agent-clis-13246-12345678") is no card, even
    /// when the digits pass Luhn.
    @Test func cardsAreGroupedAsCards() {
        #expect(texts("cwd: /tmp/lumen-test-agent-clis-13246-12345671/home", .creditCard).isEmpty)
        #expect(texts("run 70123-91823455 finished", .creditCard).isEmpty)
        #expect(texts("card 4539 1488 0343 6467 expires", .creditCard) == ["4539 1488 0343 6467"])
        #expect(texts("card 4539-1488-0343-6467 expires", .creditCard) == ["4539-1488-0343-6467"])
        #expect(texts("amex 3782 822463 10005 on file", .creditCard) == ["3782 822463 10005"])
        #expect(texts("paid with 4539148803436467 today", .creditCard) == ["4539148803436467"])
    }

    /// A URL path after "api" is no secret, however varied its letters; a key after "api" still is.
    @Test func pathsAreNoSecrets() {
        #expect(found("gh api \"repos/owner/repo/issues/123/comments?since=$last\"").isEmpty)
        #expect(found("the api key is q8Zt3vN0kP5wL7xR2mB9cD4fG6hJ1sYa").contains { $0.0.isSecret })
    }

    /// A git trailer's no-reply mailbox reaches nobody; a person's address is still found.
    @Test func unattendedMailboxes() {
        let trailer = "End git commit messages with:\nCo-Authored-By: Claude Opus 5.5 <noreply@anthropic.com>"
        #expect(found(trailer).map(\.0) == [.email])
        #expect(classifier.findings(in: trailer).allSatisfy { $0.score < 0.5 })
        #expect(strong("from no-reply@github.com and jane.roe@mailbox.org", .email) == ["jane.roe@mailbox.org"])
    }

    /// A mailbox's display name is a person's name, even of words a dictionary lists ("Priya Raman"),
    /// in a git log, a trailer or a mail header; a bot, a product or a team mailbox is not.
    @Test func displayNamesOfMailboxes() {
        let log = "84002b123ba1ae8bbca07cd444beb7421a9bee35 Priya Raman <m.keller@acme-corp.de> fix: retry on 503"
        #expect(texts(log, .person) == ["Priya Raman"])
        #expect(strong("Signed-off-by: Amal Noor Haddad <amal@mailbox.org>", .person) == ["Amal Noor Haddad"])
        #expect(strong("From: \"Sung Park\" <sung.park@corp.example>\nSubject: logs", .person) == ["Sung Park"])
        #expect(strong("作者：Priya Raman <p.raman@fastmail.fm>", .person) == ["Priya Raman"])
        #expect(texts("be53e889 github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> chore", .person).isEmpty)
        #expect(texts("Author: GitHub Actions <actions@github.com>", .person).isEmpty)
        #expect(strong("End git commit messages with:\nCo-Authored-By: Claude Code <noreply@anthropic.com>", .person).isEmpty)
        #expect(texts("From: ACME SUPPORT <support@acme.example>", .person).isEmpty)
        // Angle brackets without an address are generics, not a mailbox.
        #expect(texts("Return Result <Value, Error> from the handler", .person).isEmpty)
    }

    /// Field labels, SQL keywords and self-introductions in support text.
    @Test func supportAndQueryText() {
        #expect(strong("Reviewer: Ingrid Johansson\nStatus: changes requested", .person) == ["Ingrid Johansson"])
        #expect(personal("SELECT * FROM orders WHERE status = 'PENDING' LIMIT 100 OFFSET 200;").isEmpty)
        #expect(strong("Hi, this is Fatima from the billing team.", .person) == ["Fatima"])
        #expect(strong("Hi, this is Python 3.12 on Debian.", .person).isEmpty)
        #expect(strong("Note that this is Claude Code, Anthropic's CLI.", .person).isEmpty)
        #expect(strong("Whether this is Claude's global config file", .person).isEmpty)
        #expect(strong("Hello, this is Kenji speaking.", .person) == ["Kenji"])
        #expect(strong("Please ask Arjun Patel to rotate the key; his number is 07700 900123.", .phone) == ["07700 900123"])
        #expect(texts("LIMIT 100 OFFSET 200", .streetAddress).isEmpty)
        #expect(texts("2. UA 961 FRA-EWR 11:05", .streetAddress).isEmpty)
        #expect(texts("28245 Puruntie 82, Helsinki", .streetAddress).first?.hasPrefix("28245 Puruntie 82") == true)
    }

    /// Chinese developer text: software words are no names, a password after 密码 and a space is found.
    @Test func chineseDeveloperText() {
        #expect(personal("请用 Go 写一个函数，把时间戳 1710489600 转成北京时间字符串").isEmpty)
        #expect(personal("写一个 SQL 查询，统计每个用户的平均订单金额").isEmpty)
        #expect(strong("测试账号 test_user01 密码 Passw0rd!2024 在预发环境登录报 401", .password) == ["Passw0rd!2024"])
        #expect(texts("密码 错误次数太多", .password).isEmpty)
        #expect(texts("密码 admin 不行", .password).isEmpty)
        #expect(strong("用户张伟（手机号 13912345678）反馈登录不了", .person) == ["张伟"])
    }

    /// An HTTP status and its reason phrase is no street address; a street named Gateway still is.
    @Test func httpStatusesAreNoAddresses() {
        #expect(personal("nginx returned HTTP 502 Bad Gateway, then 504 Gateway Timeout").isEmpty)
        #expect(texts("ship it to 502 Gateway Blvd", .streetAddress) == ["502 Gateway Blvd"])
    }

    @Test func personNeedsMoreThanOneCapitalisedWord() {
        #expect(texts("Nicole: What a week it was", .person) == ["Nicole"])
        #expect(texts("Error: connect ECONNREFUSED", .person).isEmpty)
        #expect(texts("Please forward this to Jane Rao today", .person) == ["Jane Rao"])
    }
}

/// No finding starts or ends inside a run of ASCII letters and digits.
@Suite struct TokenBoundaryPropertyTests {
    /// Deterministic generator (SplitMix64).
    private struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    private static let pieces = [
        "550e8400-e29b-41d4-a716-446655440000", "9fceb02d0ae5", "sha256:0d17b565c37bcbd8", "v1.2.3", "1700000000",
        "jane.doe@fastmail.fm", "+1 415-555-3173", "13812345678", "4539 1488 0343 6467", "DE44 5001 0517 5407 3249 31",
        "054-28-6917", "1668 Glyn St", "Dr. Berta Szöllössy", "Jane Rao", "张伟", "李娜", "北京市海淀区中关村大街27号",
        "password=hunter2hunter2", "sk-proj-abcdefghijklmnopqrstuvwxyz012345", "AKIAQ3EGRTSX4Z7MNB2K", "x86_64", "KeyError",
        "abc123def456", "42", "Street", "Apt 5", "Main", "St", "the", "and", "call", "phone:", "，", "。", " ", " ", " ", "\n", "-", "_",
        ".", ":", "/", "(", ")", "#", "0x1F", "我叫", "在", "上海", "ISBN", "a", "Z", "7",
    ]

    @Test func findingsNeverSplitAToken() {
        var g = Generator(state: 20261204)
        for _ in 0..<1500 {
            var text = ""
            let count = 3 + Int(g.next() % 14)
            for _ in 0..<count { text += g.pick(Self.pieces) }
            let v = text.unicodeScalars.map(\.value)
            func alnum(_ i: Int) -> Bool {
                guard i >= 0 && i < v.count else { return false }
                let c = v[i]
                return (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
            }
            for f in classifier.findings(in: text) {
                #expect(!(alnum(f.start - 1) && alnum(f.start)), "starts inside a token: \(f) in \(text.debugDescription)")
                #expect(!(alnum(f.end - 1) && alnum(f.end)), "ends inside a token: \(f) in \(text.debugDescription)")
                #expect(f.start < f.end && f.end <= v.count)
            }
        }
    }
}

/// A probe of the screen with text it had never seen (292 prompts written by a helper, 2026-12-07):
/// credentials without a known prefix or an `=`, platforms' own token shapes, first-generation
/// Chinese IDs, and the developer text that was read as secrets or cards.
@Suite struct UnseenTextProbeTests {
    /// Each of these left the machine on a remote request before.
    @Test(arguments: [
        ("Twilio auth token 22f828767efc2f91624a8940f1f836f9 not working for the Verify API, why?", "22f828767efc2f91624a8940f1f836f9"),
        (
            "client = Client('ACb210779895feefb37c986847182905b0', 'e600fe7bc5c246dd3292aa1c30da8da8') -- SMS not sending",
            "e600fe7bc5c246dd3292aa1c30da8da8"
        ),
        ("小程序 appid wx8f3a2b1c9d4e5f60，appsecret 8498ec62ec9854ccec1833fcf08810d2，获取 access_token 报 40125", "8498ec62ec9854ccec1833fcf08810d2"),
        ("智谱 GLM 的 API Key：57f880e255e8e20ecf8a4f09d0285c8b.s7oRjHL7LTz5lGXK，用 zhipuai SDK 调用时报 401", "57f880e255e8e20ecf8a4f09d0285c8b"),
        (
            "My discord.py bot won't log in: client.run('MzM1MzU2NDg2NTI0MTQwNjg2.v0KWfn.m2uLDv7p1g9Ml9acqK_B78Tw7REGrhXSPB2Y3L')",
            "MzM1MzU2NDg2NTI0MTQwNjg2.v0KWfn.m2uLDv7p1g9Ml9acqK_B78Tw7REGrhXSPB2Y3L"
        ),
        ("kubeadm join 10.1.0.5:6443 --token 77r7vf.8tg9ad551xqbdnor --discovery-token-ca-cert-hash sha256:3327", "77r7vf.8tg9ad551xqbdnor"),
        ("阿里云 AccessKey ID: LTAI5t82ywdmSP1BpWwSolAl 上传 OSS 报 SignatureDoesNotMatch", "LTAI5t82ywdmSP1BpWwSolAl"),
    ])
    func credentialsWithoutALabelOrAKnownPrefix(text: String, secret: String) {
        let scalars = Array(text.unicodeScalars)
        let secrets = classifier.findings(in: text).filter { $0.type.isSecret && $0.score >= 0.5 }
            .map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) }
        #expect(secrets == [secret], "\(secrets)")
    }

    /// Digests, ids and placeholders: no secret and no card a policy acts on.
    @Test(arguments: [
        "the api returned etag 184915bc0930ae7dafbcd6289eeeec5a twice; is If-None-Match handled?",
        "docker pull ghcr.io/acme/token-service@sha256:7121dd22615220bff02a2a0ee8c1f4a0b1e7c0d5b9a4c3e2f1a0b9c8d7e6f5a4",
        "Pull by digest: docker pull ghcr.io/acme/api@sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904a1b2c3d4e5f6a7b8c9d0e1f2",
        "git commit 3f2a9c8e7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f fixed the api key bug",
        "the md5 checksum is 5d41402abc4b2a76b9719d911017c592",
        "Tweet id 1758531924205421572 returns 404 from the v2 API, was it deleted?",
        "Discord message id 1249731456812318720 and channel 1102345678901234567",
        "README: copy .env.example to .env and set OPENAI_API_KEY=sk-proj-REPLACE_ME_WITH_YOUR_KEY, then run",
        "The Slack docs say `export SLACK_BOT_TOKEN=xoxb-your-token-here`; where do I find my real one?",
        "Tool description: \"Calls the billing API. Example: api_key='sk-proj-XXXXXXXXXXXXXXXX'\"",
        "variable \"aws_access_key\" { default = \"AKIAXXXXXXXXXXXXXXXX\" }",
        "abcdef.0123456789abcdef is the format, and 1.2.3.4567890 a version",
        "order 110105710923152 shipped yesterday",
        "The jwt.io sample token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c decodes how?",
    ])
    func digestsIdsAndPlaceholders(text: String) {
        let acted = classifier.findings(in: text).filter { $0.score >= 0.5 && ($0.type.isSecret || $0.type == .creditCard) }
        #expect(acted.isEmpty, "\(acted)")
    }

    /// A real key under a provider's prefix, without digits, is still a key; a real card number is still a card.
    @Test func realValuesStayFound() {
        #expect(strong("key sk-proj-abcdefghijklmnopqrstuvwxyzABCDEF", .openAIKey) == ["sk-proj-abcdefghijklmnopqrstuvwxyzABCDEF"])
        #expect(strong("paid with 4539148803436467 today", .creditCard) == ["4539148803436467"])
        #expect(strong("card number 1234 5678 9012 3452 (a UATP card)", .creditCard) == ["1234 5678 9012 3452"])
    }

    /// The first-generation Chinese ID (15 digits, no check digit) where an ID card is named.
    @Test func firstGenerationChineseIDs() {
        #expect(strong("老身份证是15位的：110105710923152，怎么升级成18位？", .chineseResidentID) == ["110105710923152"])
        #expect(strong("身份证号：110105710923152，这是老版 15 位的", .chineseResidentID) == ["110105710923152"])
        // Not a province's code, or not a date: no ID.
        #expect(strong("身份证号：990105710923152", .chineseResidentID).isEmpty)
        #expect(strong("身份证号：110105711323152", .chineseResidentID).isEmpty)
    }

    /// Clinical shorthand and hiring's words: the regulated-topic rules (0.6) see them.
    @Test func clinicalAndHiringVocabulary() {
        func topic(_ text: String, _ topic: Topic) -> Double {
            classifier.classify(text).topics.first { $0.topic == topic }?.score ?? 0
        }
        #expect(topic("Summarize this note: 'Pt. Maria Gonzalez, presents with chest pain, troponin elevated, hx of T2DM.'", .health) >= 0.6)
        #expect(topic("Write a performance improvement plan for Kevin Alvarez, who missed 3 deadlines.", .hr) >= 0.6)
        #expect(topic("请把面试结果通知给候选人田雨萱", .hr) >= 0.6)
        #expect(topic("服务器登录用的私钥如下，帮我转换成 ppk 格式", .hr) == 0)
    }
}

/// The same probe's people, places and numbers.
@Suite struct UnseenTextPeopleTests {
    private func people(_ text: String) -> [String] { texts(text, .person) }

    /// Historical and public figures a general question asks about are no one's personal data.
    @Test(arguments: [
        "What did Abraham Lincoln say at Gettysburg?", "Why did Linus Torvalds write git?", "李白的诗有什么特点？",
        "诸葛亮为什么要六出祁山", "毛泽东思想的历史地位", "鲁迅和胡适的文学观有何不同",
    ])
    func famousPeopleAreNoPersonalData(text: String) {
        #expect(people(text).isEmpty, "\(people(text))")
    }

    /// A request's verb is no part of the name after it; tools and counts in Chinese text are no people
    /// or phone numbers.
    @Test func verbsToolsAndCounts() {
        #expect(people("Summarize Abraham Lincoln's Gettysburg Address and compare it to Martin Luther King Jr.'s speech").isEmpty)
        #expect(people("Summarize Kevin Alvarez's performance review") == ["Kevin Alvarez"])
        #expect(people("服务器 192.168.1.10 ping 不通 192.168.1.1").isEmpty && people("用 Canvas 画一个钟表动画").isEmpty)
        #expect(texts("Benchmark: 13812345678 iterations took 4.2s", .phone).isEmpty)
        #expect(texts("我的手机 13812345678 打不通", .phone) == ["13812345678"])
    }

    /// A compound surname is part of the name; private people are still found.
    @Test func compoundSurnamesAndPrivatePeople() {
        #expect(people("请把报告发给司马俊") == ["司马俊"])
        #expect(people("员工夏侯云舒，女，出生日期1988年12月") == ["夏侯云舒"])
        #expect(people("My colleague Alan Turing Smith is out today") == ["Alan Turing Smith"])
        #expect(people("张伟在北京工作，电话13812345678").contains("张伟"))
    }

    /// Uyghur and other names written with a middle dot are one name; a housing estate's or a title's
    /// dotted name is none; famous ones stay out.
    @Test func dottedNames() {
        #expect(people("阿不都热合曼·买买提 的报销单被退回了") == ["阿不都热合曼·买买提"])
        #expect(people("买买提·艾力明天来上班") == ["买买提·艾力"])
        #expect(people("古丽娜尔·阿不都拉是我们的会计") == ["古丽娜尔·阿不都拉"])
        #expect(people("请联系艾尔肯·吐尔逊") == ["艾尔肯·吐尔逊"])
        #expect(people("德国财政部长佩尔·施泰因布吕克18日放出狠话") == ["佩尔·施泰因布吕克"])
        #expect(people("《哈利·波特》第一部").isEmpty && people("比尔·盖茨创办了微软").isEmpty)
        #expect(!people("龙湖·花墅香醍营销主管颜龙").contains { $0.contains("·") })
    }

    /// A residential address runs through its zone, building, unit and flat.
    @Test func chineseAddressesRunToTheFlat() {
        #expect(texts("我家在北京市朝阳区望京西园三区312号楼2单元1102，物业电话多少？", .streetAddress) == ["北京市朝阳区望京西园三区312号楼2单元1102"])
        #expect(texts("住在成都市武侯区棕北小区二期5栋3单元1203", .streetAddress) == ["成都市武侯区棕北小区二期5栋3单元1203"])
        #expect(texts("这个区的人口是多少", .streetAddress).isEmpty)
        // Only a numbered zone or phase: "…二区王艳总结星期" is no address that runs on to 星期.
        #expect(texts("10月29号歙县二区王艳总结星期10月29日", .streetAddress).allSatisfy { !$0.contains("星期") })
    }

    /// Hong Kong and Taiwan identity numbers after their labels.
    @Test func hongKongAndTaiwanIDs() {
        #expect(!strong("HKID A123456(3) and Taiwan ID F131104093 need to be stored encrypted", .nationalID).isEmpty)
        #expect(strong("身分證字號 F131104093", .nationalID) == ["F131104093"])
    }
}
