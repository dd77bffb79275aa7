// Chinese street addresses as a chain of components, each a short name and a level suffix:
// province (省, 自治区) → city (市, 州, 盟) → district (区, 县, 旗) → town (镇, 乡, 街道, 村) →
// road (路, 街, 大道, 巷, 胡同…) → house number (12号, 3弄) → estate or building (小区, 花园, 大厦,
// 科技园…) → building, unit and room numbers (5栋, 2单元, 301室). Provinces and large cities also
// count without their suffix (深圳, 广东). A chain is an address when it carries street-level
// evidence (a road with a number, a road after a district, an estate or building with a number, a
// district followed by an estate) or follows an address cue (地址, 住在, 寄到…); a chain of
// administrative units alone ("广东省深圳市"), or one that names an organisation (…区法院, …市政府),
// is not.

enum ChineseAddresses {
    enum Level: Int, Comparable {
        case province = 0, city, district, town, road, number, estate, unit
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var isAdministrative: Bool { self <= .town }
    }

    /// A short word (at most six scalars) stored inline, so that scanning a list retains nothing.
    struct Word: Sendable {
        var s: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0)
        var count = 0
        var level = Level.province

        init(_ v: [UInt32], _ level: Level = .province) {
            precondition(v.count <= 6)
            withUnsafeMutableBytes(of: &s) { raw in
                let b = raw.bindMemory(to: UInt32.self)
                for (k, c) in v.enumerated() { b[k] = c }
            }
            count = v.count
            self.level = level
        }

        @inline(__always) func at(_ k: Int) -> UInt32 {
            switch k {
            case 0: s.0
            case 1: s.1
            case 2: s.2
            case 3: s.3
            case 4: s.4
            default: s.5
            }
        }
    }

    private static func list(_ words: String) -> [Word] {
        words.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Word($0.unicodeScalars.map(\.value)) }.sorted { $0.count > $1.count }
    }

    /// Suffixes after a name, longest first, with their level.
    private static let nameSuffixes: [Word] = {
        var out: [Word] = []
        func add(_ words: String, _ level: Level) { for w in list(words) { out.append(Word((0..<w.count).map(w.at), level)) } }
        add("省 自治区 特别行政区", .province)
        add("市 自治州 州 盟 地区", .city)
        add("区 县 旗 新区 开发区", .district)
        add("镇 乡 街道 村 社区 屯", .town)
        add("路 街 大街 大道 道 巷 胡同 里 弄 环路 公路", .road)
        add("小区 花园 大厦 公寓 新村 家园 苑 园 园区 科技园 产业园 工业园 广场 大楼 中心 商城 城 府 庭 湾 里弄 宿舍 村委", .estate)
        return out.sorted { $0.count > $1.count }
    }()

    /// Suffixes after a number: 12号, 3弄, 5栋, 2单元, 301室, 三区, 二期.
    private static let numberSuffixes: [Word] = {
        var out: [Word] = []
        for w in list("号 弄 巷 号院") { out.append(Word((0..<w.count).map(w.at), .number)) }
        // A complex's numbered zone or phase: "三区", "二期", "A区".
        for w in list("区 期") { out.append(Word((0..<w.count).map(w.at), .estate)) }
        for w in list("栋 幢 座 单元 楼 层 室 号楼 号房 户 门") { out.append(Word((0..<w.count).map(w.at), .unit)) }
        return out.sorted { $0.count > $1.count }
    }()

    /// Provinces and large cities, often written without their suffix.
    private static let places: [Word] = {
        let provinces = """
            北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃
            青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门
            """
        let cities = """
            深圳 广州 杭州 南京 苏州 成都 武汉 西安 郑州 长沙 沈阳 大连 青岛 济南 厦门 福州 合肥 南昌 昆明 贵阳 南宁 海口 三亚 石家庄 太原
            哈尔滨 长春 呼和浩特 兰州 西宁 银川 乌鲁木齐 拉萨 宁波 温州 无锡 常州 佛山 东莞 珠海 中山 惠州 汕头 烟台 潍坊 唐山 保定 徐州 南通
            扬州 绍兴 嘉兴 金华 台州 泉州 洛阳 宜昌 襄阳 株洲 岳阳 桂林 柳州 绵阳 遵义 大理 丽江
            """
        var out: [Word] = []
        for w in list(provinces) { out.append(Word((0..<w.count).map(w.at), .province)) }
        for w in list(cities) { out.append(Word((0..<w.count).map(w.at), .city)) }
        return out.sorted { $0.count > $1.count }
    }()

    /// What follows an administrative chain when it names an organisation, not a place to live.
    private static let organisations = list(
        """
        法院 检察院 政府 人民政府 公安局 公安 分局 局 委 委员会 厅 办 办公室 中学 小学 大学 学院 学校 医院 银行 分行 支行 公司 集团 派出所 人民 税务 交警
        工商 财政 法制 规划 国土 商务 教育 卫生 民政 人大 政协 党委 市委 区委 县委 省委 支队 大队 中队 代表团 队 协会 联社 商会 电视台 日报 晚报
        分公司 供电 邮政 监狱 看守所 图书馆 博物馆 体育馆 机场 火车站 站 景区 旅游 赛区 地区
        """)

    private static let organisationFirst = ScalarBitmap(Set(organisations.map { $0.at(0) }))
    private static let organisationLast = ScalarBitmap(Set(organisations.map { $0.at($0.count - 1) }))

    private static let cues = list("地址 住址 住在 住于 家住 家在 寄到 寄往 送到 送至 搬到 搬去 收货地址 通讯地址 户籍 居住")

    /// Characters that never belong to a component's name.
    private static let stopList: Set<UInt32> = Set(
        "的是在了和与或及说到住于从向给对我你他她们这那个也都就把被有要会想去来位将并而但已所为以其时各该每些，。、：；！？（）《》“”\u{2018}\u{2019}".unicodeScalars.map(\.value))

    private static let stops = ScalarBitmap(stopList)
    private static let numerals = ScalarBitmap(Set("0123456789０１２３４５６７８９一二三四五六七八九十百零〇两".unicodeScalars.map(\.value)))

    /// Words grouped by their first scalar, each group in the list's order (longest first): a
    /// position's candidates are read from one group instead of testing every word.
    struct FirstScalarIndex: Sendable {
        private let words: [Word]
        private let starts: [Int]
        private let group: [UInt8]

        init(_ list: [Word]) {
            var firsts: [UInt32] = []
            for w in list where !firsts.contains(w.at(0)) { firsts.append(w.at(0)) }
            precondition(firsts.count < 255 && firsts.allSatisfy { $0 < 0x10000 })
            var group = [UInt8](repeating: 0, count: 0x10000)
            var words: [Word] = []
            var starts = [0]
            for (g, first) in firsts.enumerated() {
                group[Int(first)] = UInt8(g + 1)
                words += list.filter { $0.at(0) == first }
                starts.append(words.count)
            }
            self.words = words
            self.starts = starts
            self.group = group
        }

        /// The words starting with `c`, longest first.
        @inline(__always) func forEach(startingWith c: UInt32, _ body: (Word) -> Bool) {
            guard c < 0x10000 else { return }
            let g = Int(group[Int(c)])
            guard g > 0 else { return }
            for k in starts[g - 1]..<starts[g] where !body(words[k]) { return }
        }
    }

    private struct Component {
        var start: Int
        var end: Int
        var level: Level
    }

    @inline(__always) private static func matches(_ t: ScalarText, _ w: Word, at i: Int) -> Bool {
        guard i >= 0, i + w.count <= t.count else { return false }
        for k in 0..<w.count where t.v[i + k] != w.at(k) { return false }
        return true
    }

    @inline(__always) private static func isNumeral(_ c: UInt32) -> Bool { numerals.contains(c) }

    /// First scalars of the suffixes and of the place names: a position far from any of them starts nothing.
    private static let triggers = ScalarBitmap(Set((nameSuffixes + numberSuffixes + places).map { $0.at(0) }))
    private static let placeIndex = FirstScalarIndex(places)
    private static let nameSuffixIndex = FirstScalarIndex(nameSuffixes)
    private static let numberSuffixIndex = FirstScalarIndex(numberSuffixes)

    @inline(__always) private static func isTrigger(_ c: UInt32) -> Bool { triggers.contains(c) }

    /// The components starting at `i` above `minimum` (every reading: "中关村" as a village and
    /// "中关村大街" as a road).
    private static func components(_ t: ScalarText, at i: Int, after minimum: Level?) -> [Component] {
        guard i < t.count else { return [] }
        var out: [Component] = []
        func allowed(_ level: Level) -> Bool {
            guard let minimum else { return true }
            return level > minimum || (level == .estate && minimum == .estate) || (level == .unit && minimum == .unit)
        }
        // Numbered: digits (or a letter: "A座"), with '-' between groups, then a number suffix.
        if isNumeral(t.v[i]) || (Chars.isUpperASCII(t.v[i]) && !Chars.isASCIILetter(t[i + 1])) {
            if t.isASCIIAlnum(i - 1) { return [] }
            var k = i
            while k < t.count && k - i < 10 && (isNumeral(t.v[k]) || t.v[k] == 0x2D || (k == i && Chars.isUpperASCII(t.v[k]))) { k += 1 }
            if t.isASCIIAlnum(k) && !Chars.isUpperASCII(t.v[k]) { return [] }
            // A road's section: "人民南路四段", "一环路2段".
            if minimum == .road && k > i && t[k] == 0x6BB5 { return [Component(start: i, end: k + 1, level: .road)] }  // 段
            // A room after a building and unit: "2单元1803号".
            if minimum == .unit && k > i && t[k] == 0x53F7 { return [Component(start: i, end: k + 1, level: .unit)] }  // 号
            if k < t.count {
                numberSuffixIndex.forEach(startingWith: t.v[k]) { suffix in
                    guard allowed(suffix.level) && matches(t, suffix, at: k) else { return true }
                    out.append(Component(start: i, end: k + suffix.count, level: suffix.level))
                    return false
                }
            }
            // "3-2-501" after a unit: the rest of the unit number.
            if out.isEmpty, minimum == .unit, k > i, Chars.isDigit(t.v[k - 1]) { out.append(Component(start: i, end: k, level: .unit)) }
            // A numeral that starts a name ("四川省", "三亚市", "五道口") is read as a name below.
            if !out.isEmpty || !Chars.isHan(t.v[i]) { return out }
        }
        guard Chars.isHan(t.v[i]), !stops.contains(t.v[i]) else { return [] }
        placeIndex.forEach(startingWith: t.v[i]) { name in
            guard allowed(name.level) && matches(t, name, at: i) else { return true }
            var end = i + name.count
            if end < t.count {
                nameSuffixIndex.forEach(startingWith: t.v[end]) { suffix in
                    guard suffix.level == name.level && matches(t, suffix, at: end) else { return true }
                    end += suffix.count
                    return false
                }
            }
            out.append(Component(start: i, end: end, level: name.level))
            return true
        }
        // A name of 1-5 Han characters, then a suffix.
        var k = i
        while k < t.count && k - i < 5 && Chars.isHan(t.v[k]) && !stops.contains(t.v[k]) {
            k += 1
            guard k < t.count else { continue }
            nameSuffixIndex.forEach(startingWith: t.v[k]) { suffix in
                // Administrative names are at least two characters ("南山区", not "山区").
                if allowed(suffix.level) && matches(t, suffix, at: k) && !(suffix.level.isAdministrative && k - i < 2) {
                    out.append(Component(start: i, end: k + suffix.count, level: suffix.level))
                }
                return true
            }
        }
        return out
    }

    /// The best address chain from `first` on: the highest score, then the furthest end.
    /// `budget`: the chains still to look at from this start. Text whose every position reads as a
    /// component in several ways ("园园园…": a name and the suffix 园, of one to five characters) has
    /// exponentially many chains; a real address has a few dozen.
    private static func best(_ t: ScalarText, _ chain: inout [Component], _ result: inout (Double, Int, [Component])?, _ budget: inout Int) {
        budget -= 1
        if let (score, _) = judge(t, chain) {
            let end = chain.last!.end
            if result == nil || score > result!.0 || (score == result!.0 && end > result!.1) { result = (score, end, chain) }
        }
        guard chain.count < 10, budget > 0 else { return }
        let last = chain.last!
        for next in components(t, at: last.end, after: last.level) {
            chain.append(next)
            best(t, &chain, &result, &budget)
            chain.removeLast()
            if budget <= 0 { return }
        }
    }

    /// Chains looked at per start position at most.
    static let chainBudget = 128

    static func scan(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasHan else { return }
        // Chains looked at in the whole text at most: linear in its length whatever it holds (only
        // text made to branch at every position, such as thousands of 园, exhausts it).
        var textBudget = max(4_096, 4 * t.count)
        // The next position holding a trigger scalar, so that most positions are skipped at once.
        var nextTrigger = -1
        var i = 0
        while i < t.count {
            if nextTrigger < i {
                nextTrigger = i
                while nextTrigger < t.count && !isTrigger(t.v[nextTrigger]) { nextTrigger += 1 }
            }
            if nextTrigger >= t.count { return }
            // A component ends in a suffix at most 5 names + 2 scalars after its start, or is a place name.
            if nextTrigger - i > 12 {
                i = nextTrigger - 12
                continue
            }
            let c = t.v[i]
            guard Chars.isHan(c) || Chars.isDigit(c) else {
                i += 1
                continue
            }
            var result: (Double, Int, [Component])? = nil
            var budget = min(chainBudget, textBudget)
            let before = budget
            for first in components(t, at: i, after: nil) where budget > 0 {
                var chain = [first]
                best(t, &chain, &result, &budget)
            }
            textBudget -= before - budget
            if let (score, end, _) = result {
                out.append(Finding(type: .streetAddress, start: i, end: end, score: score))
                i = end
                continue
            }
            i += 1
        }
    }

    /// Whether a chain is an address: its score and the index of its last component.
    private static func judge(_ t: ScalarText, _ chain: [Component]) -> (Double, Int)? {
        let levels = chain.map(\.level)
        let admin = levels.filter(\.isAdministrative).count
        let hasRoad = levels.contains(.road)
        let hasNumber = levels.contains(.number)
        let hasEstate = levels.contains(.estate)
        let hasUnit = levels.contains(.unit)
        let cue = cues.contains { w in
            (1...3).contains { gap in matches(t, w, at: chain[0].start - w.count - gap + 1) }
        }
        var score = 0.0
        if hasRoad && hasNumber {
            score = 0.9
        } else if hasEstate && hasUnit {
            score = 0.85
        } else if admin >= 1 && hasRoad {
            score = 0.75
        } else if admin >= 2 && hasEstate && levels.contains(.district) {
            score = 0.75
        } else if admin >= 1 && (hasEstate || hasUnit) && levels.contains(.district) {
            score = 0.7
        } else if cue && chain.count >= 2 {
            score = 0.7
        } else if cue && (hasRoad || hasEstate) {
            score = 0.65
        }
        guard score > 0 else { return nil }
        // An organisation right after the chain or after one of its administrative units ("…区法院",
        // "…县委县政府"), or read as the end of a component ("海淀区政府" as an estate in "…府").
        if !hasNumber && !hasUnit {
            let organisation = chain.indices.contains { k in
                let c = chain[k]
                if (c.level.isAdministrative || k == chain.count - 1) && organisationFirst.contains(t[c.end])
                    && organisations.contains(where: { matches(t, $0, at: c.end) })
                {
                    return true
                }
                return organisationLast.contains(t[c.end - 1]) && organisations.contains { $0.count >= 2 && matches(t, $0, at: c.end - $0.count) }
            }
            if organisation { return nil }
        }
        return (score, chain.count - 1)
    }
}
