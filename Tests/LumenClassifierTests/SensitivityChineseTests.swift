import Foundation
import Testing

@testable import LumenClassifier

private let classifier = Classifier()

private func texts(_ text: String, _ type: FindingType) -> [String] {
    let scalars = Array(text.unicodeScalars)
    return classifier.findings(in: text).filter { $0.type == type }.map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) }
}

@Suite struct ChineseNameTests {
    @Test(arguments: [
        ("请帮我给张伟写一封邮件", ["张伟"]),
        ("李娜昨天在上海说她要辞职", ["李娜"]),
        ("我叫陈静，在深圳南山区科技园上班", ["陈静"]),
        ("欧阳娜娜今天没来上课", ["欧阳娜娜"]),
        ("主教练王建国表示球队状态不错", ["王建国"]),
        ("导演克里斯托弗·诺兰的新片上映", ["克里斯托弗·诺兰"]),
        ("请联系王女士处理退款", ["王"]),
        ("张某昨天被带走调查", ["张某"]),
    ])
    func names(text: String, expected: [String]) {
        #expect(texts(text, .person) == expected)
    }

    /// Ordinary words, titles and organisations that start with a surname character are not names.
    @Test(arguments: [
        "高度重视这个问题", "请帮我看看这个报错是什么原因，谢谢！", "方面的工作要加强", "我们明天去黄山旅游",
        "《哈利·波特》是一部小说", "国务院发布了新的通知", "今天的天气很好，适合出门", "马上就到了",
        "The meeting with Traceback and KeyError is at 10",
    ])
    func notNames(text: String) {
        #expect(texts(text, .person).isEmpty, "\(texts(text, .person))")
    }

    @Test func modelIsValid() throws {
        try ChineseNameModel.builtIn.validate()
        #expect(ChineseNameModel.builtIn.features == ChineseNameFeatures.names)
    }

    @Test func codeRoundTrips() {
        for x in stride(from: -8.0, through: 7.75, by: 0.25) {
            #expect(ChineseNameModel.Code.quantise(x) == x)
        }
        #expect(ChineseNameModel.Code.quantise(100) == 7.75)
        #expect(ChineseNameModel.Code.quantise(-100) == -8)
    }

    @Test func nameHoldOutIsByString() {
        let held = (0..<2000).map { "名字\($0)" }.filter(NameSplit.isHeldOut(name:)).count
        #expect(held > 500 && held < 700)
        #expect(NameSplit.isHeldOut(name: "张伟") == NameSplit.isHeldOut(name: "张伟"))
        let example = SensitivityExample(id: "x", text: "张伟来了", spans: [Finding(type: .person, start: 0, end: 2, score: 1)])
        #expect(SensitivitySplit.heldoutNames.contains(example) == NameSplit.isHeldOut(name: "张伟"))
        #expect(SensitivitySplit.dev.contains(example) == (!SensitivitySplit.isHeldOut(id: "x") && !NameSplit.isHeldOut(name: "张伟")))
    }

    /// Training on a tiny corpus gives a usable model, twice the same.
    @Test func trainingIsDeterministic() throws {
        let chars = [
            ChineseCharStats(char: "张", background: 100, given: 10, translit: 0, surname: 500),
            ChineseCharStats(char: "伟", background: 50, given: 900, translit: 0, surname: 0),
            ChineseCharStats(char: "说", background: 5000, given: 1, translit: 0, surname: 0),
            ChineseCharStats(char: "斯", background: 100, given: 5, translit: 300, surname: 0),
            ChineseCharStats(char: "克", background: 100, given: 5, translit: 300, surname: 0),
        ]
        let examples = (0..<20).map { k in
            NameTrainingExample(
                id: "\(k)", text: k % 2 == 0 ? "昨天张伟说斯克队赢了" : "斯克说张伟队输了", names: k % 2 == 0 ? [2..<4] : [0..<2],
                decoys: k % 2 == 0 ? [5..<8] : [])
        }
        let a = try ChineseNameTrainer().train(chars: chars, words: [("昨天", 5000)], examples: examples)
        let b = try ChineseNameTrainer().train(chars: chars, words: [("昨天", 5000)], examples: examples)
        #expect(a == b)
        try a.validate()
        #expect(a.swiftSource() == b.swiftSource())
    }
}

/// Latin names and handles inside Chinese text, lists of names, and what is not a name there.
@Suite struct ChineseContextNameTests {
    @Test(arguments: [
        ("人皇Sky和Moon都来了", ["Sky", "Moon"]),
        ("导演JohnCarpenter表示很满意", ["JohnCarpenter"]),
        ("主教练穆里尼奥表示球队状态不错", ["穆里尼奥"]),
        ("欧阳娜娜、周冬雨和王俊凯的新电影定档国庆", ["欧阳娜娜", "周冬雨", "王俊凯"]),
        ("张某昨天被带走调查", ["张某"]),
    ])
    func names(text: String, expected: [String]) {
        #expect(texts(text, .person) == expected)
    }

    /// Developer prompts in Chinese with English words, tools and identifiers; a title's original after it;
    /// an organisation is not a name.
    @Test(arguments: [
        "这个 Nginx 配置为什么 502？请帮我 review 一下这个 PR，顺便 debug 和 refactor",
        "Kafka consumer 一直 rebalance，是什么原因", "请解释一下 Transformer 里的 attention 机制",
        "Redis 的 zset 底层用的是 skiplist 吗", "Flutter 和 ReactNative 哪个更适合做跨平台",
        "pandas 的 groupby 之后怎么 reset_index", "k8s 上一直重启，kubectl describe 显示 Exit Code 137",
        "《朱诺》（juno）上映了", "他在海淀区政府工作",
    ])
    func notNames(text: String) {
        #expect(texts(text, .person).isEmpty, "\(texts(text, .person))")
    }

    /// A lower-case English word or a software word next to Chinese text is no candidate at all.
    @Test func ordinaryLatinRunsAreNoCandidates() {
        let scanner = ChineseNameScanner(.builtIn)
        for text in ["请帮我 review 一下", "用 Python 写", "这个 Exit Code 是", "看 blog 吧"] {
            var latin: [String] = []
            let t = ScalarText(text)
            scanner.forEachCandidate(t) { s, e, kind, _ in if kind == .latin { latin.append(t.string(s, e)) } }
            #expect(latin.isEmpty, "\(text): \(latin)")
        }
        var handles: [String] = []
        let t = ScalarText("人皇Sky说")
        scanner.forEachCandidate(t) { s, e, kind, _ in if kind == .latin { handles.append(t.string(s, e)) } }
        #expect(handles == ["Sky"])
    }

    @Test func joinedFullNamesAreNotCodeNames() {
        let names = ["JohnCarpenter", "SteveNiles"]
        let code = ["KeyError", "UserService", "getUserId", "OrderController"]
        for n in names { #expect(Names.isJoinedFullName(ScalarText(n), 0, n.unicodeScalars.count), "\(n)") }
        for c in code { #expect(!Names.isJoinedFullName(ScalarText(c), 0, c.unicodeScalars.count), "\(c)") }
    }

    /// The surname is the finding; the title stays readable.
    @Test func surnameBeforeTitle() {
        #expect(texts("某银行的李经理告诉记者", .person) == ["李"])
    }

    /// Traditional text is read as its simplified twin, at the same offsets: names, addresses and
    /// phone words (電話, 手機).
    @Test func traditionalChinese() {
        let text = "您好，我是陳冠宇，上週訂購的除濕機還沒收到。收件地址：台北市大安區忠孝東路四段216號8樓，電話0912345678"
        #expect(texts(text, .person) == ["陳冠宇"])
        #expect(texts(text, .streetAddress) == ["台北市大安區忠孝東路四段216號8樓"])
        #expect(texts(text, .phone) == ["0912345678"])
        #expect(texts("請聯絡張家豪先生", .person) == ["張家豪"])
        #expect(TraditionalChinese.simplified(ScalarText("abc 简体中文")) == nil)
    }

    /// A full name before a title that follows full names (师姐, 师兄, 经理…); a common word before one
    /// ("项目经理", "英语老师") and a conjunction ("经理和客户", "同学和老师") are no names.
    @Test func fullNameBeforeTitle() {
        #expect(texts("感谢实验室的林珊师姐、黎浩然师兄在实验设计上的帮助", .person) == ["林珊", "黎浩然"])
        for text in ["我们项目经理说下周上线", "英语老师布置了作业", "区域经理和客户经理开会", "我的同学和老师都来了"] {
            #expect(texts(text, .person).isEmpty, "\(text): \(texts(text, .person))")
        }
        // The conjunction before a name is not part of it.
        #expect(texts("他和梁嘉欣一起去的", .person) == ["梁嘉欣"])
    }
}

@Suite struct ChineseAddressTests {
    @Test(arguments: [
        ("我叫陈静，在深圳南山区科技园上班", "深圳南山区科技园"),
        ("请寄到北京市海淀区中关村大街27号3栋2单元501室", "北京市海淀区中关村大街27号3栋2单元501室"),
        ("我住在上海市浦东新区张江镇祖冲之路888号", "上海市浦东新区张江镇祖冲之路888号"),
        ("收货地址：杭州市西湖区文三路90号", "杭州市西湖区文三路90号"),
        ("他住在幸福小区3栋502", "幸福小区3栋502"),
        ("家住朝阳区望京花园5号楼", "朝阳区望京花园5号楼"),
        // A province whose name starts with a numeral, a road's section, a room after a unit.
        ("房屋坐落：四川省成都市武侯区人民南路四段27号1栋2单元1803号，租金每月3800元", "四川省成都市武侯区人民南路四段27号1栋2单元1803号"),
        ("寄到三亚市天涯区解放路8号", "三亚市天涯区解放路8号"),
    ])
    func addresses(text: String, expected: String) {
        #expect(texts(text, .streetAddress) == [expected])
    }

    @Test(arguments: [
        "福州市晋安区法院一审判决", "东北三省省会城市福彩中心负责人", "广东省深圳市是一个城市", "他在城市里生活",
        "郑州市城市规划局副局长就此回应", "第一中学位于市中心",
    ])
    func notAddresses(text: String) {
        #expect(texts(text, .streetAddress).isEmpty, "\(texts(text, .streetAddress))")
    }
}
