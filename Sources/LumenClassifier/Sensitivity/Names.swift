// Person names without an NER model: census lexicons plus context. English/Latin: honorifics
// ("Dr. Berta Szöllössy"), cue phrases ("my name is", "named", "User:"), chat speaker labels
// ("Nicole: …"), census first names followed by capitalised words or initials, census surnames,
// and coordinated lists ("Eklund, Michael and Hodge"). Chinese: the learned character model
// (ChineseNameModel.swift: Chinese-style, transliterated, and Latin names and handles inside Chinese
// text) plus cue words and titles (姓名, 我叫 … / 先生, 女士 …).

enum Names {
    /// Latin-script names: see `LatinNames`.
    static func scan(_ t: ScalarText, _ w: [Word], lowercaseText: Bool, into out: inout [Finding]) {
        latin.scan(t, w, lowercaseText: lowercaseText, into: &out)
    }

    /// Fetched once per scan: every access to a lazily initialised global goes through a `swift_once`
    /// check, and the name scan reads a dozen lexicons and cue hashes at every word of a prompt.
    private static let latin = LatinNames()

    /// "JohnCarpenter", "SteveNiles": a census first name and a census surname (or first name) written
    /// together in CamelCase, letters only: a person, not a code name (Chinese text often drops the space).
    static func isJoinedFullName(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        guard e - s >= 5, Chars.isUpperASCII(t.v[s]) else { return false }
        var split = -1
        for k in (s + 1)..<e {
            let c = t.v[k]
            guard Chars.isASCIILetter(c) else { return false }
            if Chars.isUpperASCII(c) {
                // Exactly one capital after the first, after a lower-case letter and before one.
                guard split < 0, Chars.isASCIILetter(t.v[k - 1]), !Chars.isUpperASCII(t.v[k - 1]), k + 1 < e, !Chars.isUpperASCII(t.v[k + 1]) else {
                    return false
                }
                split = k
            }
        }
        guard split > s + 1 else { return false }
        let first = Chars.hash(t.v, s, split)
        let last = Chars.hash(t.v, split, e)
        return latin.firstNames.contains(first) && (latin.surnames.contains(last) || latin.firstNames.contains(last))
    }

    /// t[s..<e] is a first name of the census lexicons.
    static func isCensusFirstName(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        e > s && latin.firstNames.contains(Chars.hash(t.v, s, e))
    }

    /// t[s..<e] is a surname and a given name in capitals around a slash, as airline bookings write
    /// a passenger ("HOLLOWAY/SIMONE"): a name, not a path.
    static func isSlashedName(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        // A given name of four letters or more: "WAN/LAN", "I/O", "AC/DC" are no names.
        guard let slash = (s..<e).first(where: { t.v[$0] == 0x2F }), slash - s >= 2, e - slash > 4,
            (s..<e).allSatisfy({ $0 == slash || Chars.isUpperASCII(t.v[$0]) })
        else { return false }
        let surname = Chars.hash(t.v, s, slash)
        return (latin.surnames.contains(surname) && latin.firstNames.contains(Chars.hash(t.v, slash + 1, e)))
            || (Pinyin.surnames.contains(surname) && (Pinyin.syllableCount(t, slash + 1, e, most: 3) ?? 0) >= 2)
    }

    // MARK: Chinese

    /// The learned model (ChineseNameModel.swift), decoded once.
    private static let chineseModel = ChineseNameScanner(.builtIn)

    /// Software words of Chinese developer text. A surname character inside one is no name: "字符串"
    /// (string) is no "符串", "数据库" no "库…". Also maths words, and mathematicians' and scientists'
    /// names as their theorems and methods are named ("傅里叶变换", "马尔可夫链", "李代数"; a short
    /// one with its method only, "高斯分布", "泰勒展开": 高斯琪 and 泰勒·史密斯 are people): a
    /// candidate that overlaps one is no person.
    private static let technicalTerms = Chars.hashSet(
        """
        字符串 字符 数据库 数据 服务器 服务端 客户端 接口 函数 变量 参数 数组 对象 线程 进程 容器 集群 节点 索引 缓存 日志 报错 异常 配置
        部署 编译 调试 时间戳 北京时间 代码 程序 脚本 框架 组件 模块 依赖 版本号 构建 环境变量 端口 协议 请求 响应 回调 签名 校验 字段 主键
        外键 事务 查询 排序 分页 内存 磁盘 负载 镜像 仓库 分支 提交 回滚 算法 复杂度 递归 循环 指针 引用 类型 泛型 继承 实例 方法 属性
        路由 中间件 控制器 模板 前端 后端 运维 监控 告警 队列 订阅 令牌 密钥 证书 加密 解密 哈希 编码 解码 字节 浮点 整数 布尔 列表 字典
        元组 迭代器 生成器 装饰器 闭包 异步 同步 并发 死锁 正则 表达式 序列化 反序列化 时区 毫秒 微秒 纳秒 主从 分布式 微服务 容器化 虚拟机
        代数 李代数 李群 矩阵 向量 微分 积分 导数 变换 方程 概率 定理 引理 猜想 傅里叶 拉普拉斯 马尔可夫 马尔科夫 贝叶斯 拉格朗日
        希尔伯特 巴拿赫 诺依曼 薛定谔 海森堡 麦克斯韦 哥德尔 笛卡尔 莱布尼茨 帕斯卡 伯努利 狄利克雷 雅可比 伽罗瓦 庞加莱 洛伦兹
        切比雪夫 柯尔莫哥洛夫 维特比 卡尔曼 斯托克斯 高斯分布 高斯函数 高斯核 高斯消元 泰勒展开 泰勒级数 泰勒公式 欧拉公式 欧拉角
        欧拉函数 牛顿法 牛顿迭代 柯西不等式 黎曼积分 黎曼猜想 泊松分布 图灵机 图灵测试 香农熵 费马小定理 阿贝尔群
        """)

    /// Whether a technical term (two to five characters) covers any character of t[s..<e].
    private static func overlapsTechnicalTerm(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        let terms = technicalTerms
        for p in max(0, s - 4)..<e {
            for n in 2...5 where p + n > s && p + n <= t.count {
                if terms.contains(Chars.hash(t.v, p, p + n)) { return true }
            }
        }
        return false
    }

    /// Brands, companies and apps whose first character is also a surname (华为, 荣耀, 金山文档, 万达,
    /// 平安保险): a candidate that starts with one, or with a conjunction before one ("华为和荣耀"), is
    /// the brand. A name that merely contains such a pair later on ("刘平安", "王长城") stays a name.
    private static let brandTerms = Chars.hashSet(
        """
        华为 荣耀 小米 红米 魅族 中兴 联想 酷派 一加 努比亚 腾讯 阿里 百度 京东 美团 字节 滴滴 网易 携程 拼多多 淘宝 天猫 支付宝
        微信 抖音 快手 微博 知乎 豆瓣 钉钉 飞书 高德 闲鱼 小红书 哔哩 优酷 爱奇艺 搜狐 新浪 金山 金蝶 用友 讯飞 大疆 商汤 旷视 海尔
        格力 美的 海信 康佳 创维 长虹 方太 苏泊尔 九阳 比亚迪 吉利 长城 长安 奇瑞 蔚来 小鹏 红旗 五菱 哈弗 万达 苏宁 国美 永辉 盒马
        瑞幸 喜茶 海底捞 农夫山泉 娃哈哈 伊利 蒙牛 茅台 五粮液 平安 中信 光大 浦发 民生 兴业 招商 工商 万科 恒大 碧桂园 保利 龙湖 融创
        安踏 特步 鸿星尔克 王老吉 加多宝 周大福 周生生 老凤祥 六福 金六福 周黑鸭 绝味 海天 康师傅 统一 白象 今麦郎 雷克萨斯
        """)

    /// Whether the candidate t[s..<e] starts with a brand, or with 和, 与, 跟 or 或 and then one.
    private static func startsWithBrand(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        let terms = brandTerms
        let conjunction = t.v[s] == 0x548C || t.v[s] == 0x4E0E || t.v[s] == 0x8DDF || t.v[s] == 0x6216
        for start in conjunction ? [s, s + 1] : [s] {
            for n in 2...4 where start + n <= t.count && start < e {
                if terms.contains(Chars.hash(t.v, start, start + n)) { return true }
            }
        }
        return false
    }

    /// A Latin run that is a product or an everyday word once its hyphens go: "WiFi", "Wi-Fi", "Bitwarden".
    private static func productWord(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        var h = Chars.hashSeed
        for k in s..<e where t.v[k] != 0x2D { h = Chars.hashStep(h, t.v[k]) }
        return Lexicon.notNames.contains(h) || Lexicon.softwareWords.contains(h)
    }

    /// Last characters of place names, never of a given name: "张家界", "李子园", "黄石市", "王府井".
    private static let placeSuffixes = ScalarBitmap(
        Set("界园區区县縣市省镇鎮村乡鄉路街巷寺庙廟馆館厂廠店站港湾灣岛島庄莊府井坊桥橋楼樓宫宮阁閣关關营營屯堡寨".unicodeScalars.map(\.value)))

    /// Administrative units: a candidate of two characters that ends in one is a place (or a
    /// fragment of one: "谷区" in "渋谷区"), not a surname and a given name.
    private static let adminSuffixes = ScalarBitmap(Set("區区县縣県市省镇鎮乡鄉".unicodeScalars.map(\.value)))

    /// Chinese names: the learned model's spans, plus a surname before a title or after a cue word that
    /// the model may leave out ("王" in "王女士", "张" in "张总", "李雷" in "姓名：李雷"), plus a Latin name in brackets right after a
    /// found name ("布拉德福德（Mark Bradford）").
    /// Traditional text arrives simplified (`TraditionalChinese`: the tables are of simplified text).
    static func scanChinese(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasHan else { return }
        // Japanese text (kana make a tenth of its kana and kanji or more): its kanji words are no
        // Chinese names ("丁寧", "敬語", "申込書"); its names are `JapaneseNames`' (Latin runs stay).
        var kana = 0
        var han = 0
        if t.hasKana {
            for c in t.v {
                if JapaneseNames.isKana(c) { kana += 1 } else if c >= 0x3400 && Chars.isHan(c) { han += 1 }
            }
        }
        let japanese = kana >= 3 && kana * 10 >= kana + han
        let model = chineseModel
        var found: [Finding] = []
        for var c in model.scan(t)
        where
            !(japanese && c.kind != .latin)
            && !(c.kind == .chinese && isConjunction(t, c.start) && c.end - c.start < 3)
            && !(c.kind == .chinese
                && (overlapsTechnicalTerm(t, c.start, c.end) || startsWithBrand(t, c.start, c.end)
                    || (c.end - c.start >= 3 && placeSuffixes.contains(t.v[c.end - 1])) || adminSuffixes.contains(t.v[c.end - 1])))
            && !(c.kind == .latin && productWord(t, c.start, c.end))
            && !(c.kind == .translit && overlapsTechnicalTerm(t, c.start, c.end))
            && !(c.kind == .chinese && grammaticalUse(t, c.start))
            && !(c.kind == .chinese && model.isTaggedOrdinaryWord(t, c.start, c.end))
            && !(c.kind == .chinese && readsAsWord(t, c, model))
        {
            // Probability → score in [0.55, 0.95]; a Latin run stays below 0.7, so that in technical text
            // a lone one is read as a product or a label (`TechnicalTokens.apply`).
            let p = 1 / (1 + Elementary.exp(-c.logit))
            let score = 0.55 + 0.4 * p
            // "和小红", "和梁啟超": the conjunction is not part of the name after it.
            if c.kind == .chinese && isConjunction(t, c.start) { c.start += 1 }
            found.append(Finding(type: .person, start: c.start, end: c.end, score: c.kind == .latin ? min(score, 0.65) : score))
        }
        if !japanese {
            scanCued(t, model, into: &found)
            scanTitled(t, model, into: &found)
            scanCompoundSurnames(t, into: &found)
            var dotted: [Finding] = []
            scanDottedNames(t, model, into: &dotted)
            for d in dotted {
                // The model's reading stands where it is a dotted name itself, two characters or more on
                // each side ("詹姆斯·卡梅隆" in "詹姆斯·卡梅隆执导"); its fragments give way ("佩尔" and "吕克"
                // in "佩尔·施泰因布吕克", "古丽娜尔·阿" in "古丽娜尔·阿不都拉").
                let overlapping = found.filter { $0.start < d.end && $0.end > d.start }
                let whole = overlapping.contains { f in
                    (f.start + 2..<max(f.start + 2, f.end - 2)).contains { ChineseNameScanner.isSeparator(t.v[$0]) }
                }
                if whole { continue }
                found.removeAll { $0.start < d.end && $0.end > d.start }
                found.append(d)
            }
            scanSpeakers(t, model, into: &found)
        }
        for k in found.indices where Chars.isHan(t.v[found[k].start]) {
            trimChineseName(t, &found[k])
        }
        found.sort { $0.start < $1.start }
        var last = -1
        for f in found where f.start >= last {
            out.append(f)
            last = f.end
            // A Latin name in brackets right after: "（markbradford）", "(Mason Alex)".
            if t[f.end] == 0xFF08 || t[f.end] == 0x28 {
                var k = f.end + 1
                while k < t.count && k - f.end <= 40
                    && (Chars.isASCIILetter(t.v[k]) || t.v[k] == 0x20 || t.v[k] == 0x2E || t.v[k] == 0x2D || t.v[k] == 0x27)
                { k += 1 }
                if k > f.end + 2, t[k] == 0xFF09 || t[k] == 0x29, Chars.isASCIILetter(t.v[f.end + 1]) {
                    out.append(Finding(type: .person, start: f.end + 1, end: k, score: f.score))
                    last = k
                }
            }
        }
    }

    /// A name written with a middle dot between its parts, as Uyghur, Kazakh, Tibetan and foreign names
    /// are in Chinese ("阿不都热合曼·买买提", "古丽娜尔·阿不都拉", "艾尔肯·吐尔逊"): two to seven Han characters on
    /// each side of the dot, the run ending at the text's punctuation, a space or a word a name does not
    /// hold (的, 是, 明天, a verb such as 联系 before it); not inside a title's brackets (《哈利·波特》).
    private static func scanDottedNames(_ t: ScalarText, _ model: ChineseNameScanner, into out: inout [Finding]) {
        func commonWord(_ s: Int) -> Bool { Double(model.word(t, s, s + 2)) >= ChineseNameScanner.frequentWord }
        var i = 1
        while i + 2 < t.count {
            defer { i += 1 }
            guard ChineseNameScanner.isSeparator(t.v[i]), t.v[i] != 0x2D, Chars.isHan(t.v[i - 1]), Chars.isHan(t.v[i + 1]) else { continue }
            var s = i
            while s > 0 && i - s < 7 && Chars.isHan(t.v[s - 1]) && !dottedNameStops.contains(t.v[s - 1]) && !(s >= 2 && commonWord(s - 2)) {
                s -= 1
            }
            var e = i + 1
            while e < t.count && e - i - 1 < 7 && Chars.isHan(t.v[e]) && !dottedNameStops.contains(t.v[e]) && !(e > i + 2 && commonWord(e)) {
                e += 1
            }
            guard i - s >= 2, e - i - 1 >= 2, !insideTitle(t, s) else { continue }
            // A name: a part of a Uyghur, Kazakh or Tibetan name in it, or every character one seen in
            // transliterated names (not "龙湖·花墅香醍", a housing estate's name).
            let named =
                minorityNameParts.contains { part in (s...(e - part.count)).contains { k in (0..<part.count).allSatisfy { t.v[k + $0] == part[$0] } }
                }
                || (s..<e).allSatisfy { $0 == i || model.row(t.v[$0]).inTranslit }
            guard named else { continue }
            out.append(Finding(type: .person, start: s, end: e, score: 0.8))
            i = e
        }
    }

    /// Parts of Uyghur, Kazakh and Tibetan names as Chinese writes them (they are rare in the
    /// transliterations of European names the model knows).
    private static let minorityNameParts: [[UInt32]] =
        """
        阿不都 阿卜杜 买买提 麦麦提 艾力 古丽 热依拉 阿依 努尔 吐尔逊 艾尔肯 阿布 热合曼 依明 卡德尔 帕提 迪丽 吾买尔 肉孜 托合提 依力
        米吉提 伊力 买合木提 阿力木 艾合买提 吐逊 牙生 玉苏甫 阿木提 尼亚孜 巴哈尔 再努尔 阿孜 木合塔尔 艾买提 库尔班 塔依尔 斯迪克
        扎西 次仁 多吉 卓玛 央金 格桑 旺堆 达瓦 加措 努尔兰 叶尔兰 别克 哈力 马合 阿斯哈尔 热娜 孜 排 扎 吉 娜
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.count >= 2 }.map { $0.unicodeScalars.map(\.value) }

    /// Characters that end a dotted name's run: function words, time words' first characters and the
    /// verbs and nouns that stand next to a name (联系, 告诉, 同事, 老师).
    private static let dottedNameStops = ScalarBitmap(
        Set("的是和与及跟向对在给把被请让叫由将从为说问找联系知送交告诉事理师生士员们我你他她有到了明今昨来去已会要也先今年月日前后上下里中说".unicodeScalars.map(\.value)))

    /// Whether `s` is inside 《…》 (a title: "《哈利·波特》").
    private static func insideTitle(_ t: ScalarText, _ s: Int) -> Bool {
        var k = s - 1
        while k >= 0 && s - k < 20 {
            if t.v[k] == 0x300A { return true }  // 《
            if t.v[k] == 0x300B { return false }  // 》
            k -= 1
        }
        return false
    }

    /// A Chinese name's edges: a compound surname's first character before it belongs to it ("司马"
    /// + "俊", read as 马俊), and a function word a compound surname's name ran into does not
    /// ("诸葛亮为什么"). (A single surname's name keeps its reading: cut shorter, a candidate the
    /// later filters drop as a word, "郁症跟", would come back as "郁症".)
    private static func trimChineseName(_ t: ScalarText, _ f: inout Finding) {
        if f.end - f.start <= 3, f.start >= 1, Lexicon.isCompoundSurname(t, at: f.start - 1) { f.start -= 1 }
        if f.end - f.start == 4, Lexicon.isCompoundSurname(t, at: f.start), trailingFunctionWords.contains(t.v[f.end - 1]) { f.end -= 1 }
    }

    /// Function words a name runs into: 为 是 在 的 了 和 说 把 被 给 也 都 就 又 还 对 向 跟 从.
    private static let trailingFunctionWords = ScalarBitmap(Set("为是在的了和说把被给也都就又还对向跟从".unicodeScalars.map(\.value)))

    /// A chat's speakers: in a transcript (three lines or more that start with two or three Han
    /// characters and a colon, one label said again), each label that is no common word and no kinship
    /// or role word is a name, and so is the same label elsewhere in the text ("婷婷：谢谢～", "周一婷婷请假";
    /// not "客服：", "老妈：").
    private static func scanSpeakers(_ t: ScalarText, _ model: ChineseNameScanner, into out: inout [Finding]) {
        var labels: [Range<Int>] = []
        var start = 0
        while start < t.count {
            var k = start
            while k < t.count, t.v[k] == 0x20 || t.v[k] == 0x3000 { k += 1 }
            var e = k
            while e < t.count, e - k < 4, Chars.isHan(t.v[e]) { e += 1 }
            if e - k >= 2, e - k <= 3, e < t.count, t.v[e] == 0xFF1A || t.v[e] == 0x3A { labels.append(k..<e) }
            while start < t.count, t.v[start] != 0x0A { start += 1 }
            start += 1
            if labels.count >= 256 { break }
        }
        guard labels.count >= 3 else { return }
        func same(_ a: Range<Int>, _ b: Range<Int>) -> Bool { a.count == b.count && zip(a, b).allSatisfy { t.v[$0] == t.v[$1] } }
        guard labels.indices.contains(where: { i in labels[(i + 1)...].contains { same(labels[i], $0) } }) else { return }
        var names: [[UInt32]] = []
        for label in labels {
            let scalars = Array(t.v[label])
            if names.contains(scalars) || notSpeakers.contains(scalars) { continue }
            // Name-shaped: a surname first, a nickname's 小, 老, 阿 or 大, or a doubled character ("婷婷");
            // no numeral ("步骤一", "第二条", "周三") and no common word, whole or in its first or last two
            // ("客服", "出版社", "面试官").
            let first = scalars[0]
            let doubled = scalars.count == 2 && scalars[0] == scalars[1]
            guard doubled || model.row(first).isSurname || Lexicon.chineseSurnames.contains(first) || nicknamePrefixes.contains(first),
                !scalars.contains(where: { chineseNumerals.contains($0) })
            else { continue }
            let frequent = { (s: Int, e: Int) in Double(model.word(t, s, e)) >= ChineseNameScanner.frequentWord }
            if !doubled,
                frequent(label.lowerBound, label.upperBound) || frequent(label.lowerBound, label.lowerBound + 2)
                    || frequent(label.upperBound - 2, label.upperBound)
            {
                continue
            }
            names.append(scalars)
        }
        guard !names.isEmpty else { return }
        // Each name's other mentions: looked up only where a name's first character stands.
        var byFirst: [UInt32: [[UInt32]]] = [:]
        for name in names { byFirst[name[0], default: []].append(name) }
        let labelStarts = Set(labels.map(\.lowerBound))
        var i = 0
        while i < t.count {
            if let candidates = byFirst[t.v[i]],
                let name = candidates.first(where: { n in i + n.count <= t.count && n.indices.allSatisfy { t.v[i + $0] == n[$0] } })
            {
                out.append(Finding(type: .person, start: i, end: i + name.count, score: labelStarts.contains(i) ? 0.7 : 0.6))
                i += name.count
            } else {
                i += 1
            }
        }
    }

    /// A nickname's first character: 小明, 老秦, 阿杰, 大刘.
    private static let nicknamePrefixes: Set<UInt32> = [0x5C0F, 0x8001, 0x963F, 0x5927]
    /// 一 to 十, 百, 两, 第, 零.
    private static let chineseNumerals: Set<UInt32> = Set("一二三四五六七八九十百两第零".unicodeScalars.map(\.value))

    /// Kinship and role words that label a chat's lines without naming anyone, and field labels.
    private static let notSpeakers: Set<[UInt32]> = Set(
        [
            "老妈", "老爸", "妈妈", "爸爸", "老婆", "老公", "闺女", "儿子", "女儿", "哥哥", "姐姐", "弟弟", "妹妹", "爷爷", "奶奶", "外婆", "外公",
            "舅舅", "阿姨", "叔叔", "宝宝", "客服", "用户", "顾客", "买家", "卖家", "房东", "租客", "医生", "患者", "老师", "学生",
            "家长", "同事", "领导", "主管", "经理", "助手", "系统", "机器人", "管理员", "群主", "我们", "你们", "他们", "自己",
            // A mail's or a form's field labels, which repeat down a thread.
            "发件人", "收件人", "抄送", "密送", "主题", "日期", "时间", "附件", "地址", "电话", "手机", "邮箱", "姓名", "备注", "回复", "问题",
            "答案", "原因", "结果", "状态", "说明", "内容", "标题", "来源", "金额", "单号", "订单",
        ].map { $0.unicodeScalars.map(\.value) })

    /// First scalars of the titles, and last scalars of the cue words (or the colon after them).
    private static let titleFirst = ScalarBitmap(Set(Lexicon.chineseTitles.map { $0[0] }))
    private static let cueLast = ScalarBitmap(Set(Lexicon.chineseNameBefore.map { $0[$0.count - 1] } + [0x3A, 0xFF1A]))

    /// A surname before a title ("王" in "王女士", "张总"; "张某" whole) and cue + surname + given name
    /// ("姓名：李雷", "我叫陈静").
    private static func scanCued(_ t: ScalarText, _ model: ChineseNameScanner, into out: inout [Finding]) {
        var i = 0
        while i < t.count {
            let c = t.v[i]
            guard c >= 0x4E00, Chars.isHan(c), titleFirst.contains(t[i + 1]) || cueLast.contains(t[i - 1]),
                model.row(c).isSurname || Lexicon.chineseSurnames.contains(c), !isConjunction(t, i)
            else {
                i += 1
                continue
            }
            if titleFirst.contains(t[i + 1]), let title = Lexicon.chineseTitles.first(where: { startsWith(t, $0, at: i + 1) }),
                title.count >= 2 || !Chars.isHan(t[i - 1]) || Lexicon.chineseNameBefore.contains(where: { endsWith(t, $0, at: i) })
            {
                // The surname is the name; the title ("女士", "经理") is not personal data and stays ("某" is
                // part of an anonymised name: "张某").
                let anonymised = title.count == 1 && title[0] == 0x67D0
                out.append(Finding(type: .person, start: i, end: anonymised ? i + 2 : i + 1, score: 0.7))
                i += 1 + title.count
                continue
            }
            if cueLast.contains(t[i - 1]) {
                let colon = t[i - 1] == 0x3A || t[i - 1] == 0xFF1A
                let at = colon ? i - 1 : i
                // A title after a surname ("贝先生苏州博物馆") belongs to the name before it: no cue.
                let before = Lexicon.chineseNameBefore.contains { cue in
                    endsWith(t, cue, at: at) && !(Lexicon.chineseTitles.contains(cue) && isSurname(t[at - cue.count - 1], model))
                }
                if before {
                    var g = i + 1
                    while g < t.count && g - i - 1 < 2 && Chars.isHan(t.v[g]) && !Lexicon.chineseNameStops.contains(t.v[g]) { g += 1 }
                    // After a title, which follows a name as often as it precedes one, a frequent word and a
                    // function character are the sentence's: "高峰先生明天到" is no 明天到 ("经理高原。" and
                    // "同事王国平" are names; a span that runs a character long still covers the name).
                    let title = !colon && Lexicon.chineseNameBefore.contains { endsWith(t, $0, at: at) && Lexicon.chineseTitles.contains($0) }
                    if title && g == i + 3 && Self.wordThenFunction(t, i, model) {
                        i += 1
                        continue
                    }
                    if g > i + 1 {
                        out.append(Finding(type: .person, start: i, end: g, score: 0.8))
                        i = g
                        continue
                    }
                }
            }
            i += 1
        }
    }

    /// Compound surnames that are no everyday word (慕容, 闻人, 诸葛, 欧阳…; not 东方 "east", 长孙
    /// "eldest grandson" or the old titles 上官, 单于, 太史), first scalar → second scalars.
    private static let distinctiveCompounds: [UInt32: [UInt32]] = {
        let words: Set<[UInt32]> = Set(["东方", "西门", "长孙", "上官", "单于", "太史", "南宫", "钟离", "司马"].map { $0.unicodeScalars.map(\.value) })
        var out: [UInt32: [UInt32]] = [:]
        for s in Lexicon.chineseCompoundSurnames where !words.contains(s) { out[s[0], default: []].append(s[1]) }
        return out
    }()

    private static let distinctiveCompoundFirst = ScalarBitmap(distinctiveCompounds.keys)

    /// A distinctive compound surname and its one or two given-name characters ("慕容景行负责", "闻人书瑶已过",
    /// "慕容婧女士"): the statistical model, trained on text with few of them, scores them under its cut.
    private static func scanCompoundSurnames(_ t: ScalarText, into out: inout [Finding]) {
        var i = 0
        while i + 2 < t.count {
            guard distinctiveCompoundFirst.contains(t.v[i]), let seconds = distinctiveCompounds[t.v[i]], seconds.contains(t.v[i + 1]) else {
                i += 1
                continue
            }
            func given(_ k: Int) -> Bool { k < t.count && Chars.isHan(t.v[k]) && !Lexicon.chineseNameStops.contains(t.v[k]) }
            func titleAt(_ k: Int) -> Bool {
                Lexicon.chineseNameAfter.contains { startsWith(t, $0, at: k) } || Lexicon.chineseTitles.contains { startsWith(t, $0, at: k) }
            }
            // The model's own reading of it stands ("诸葛亮" before "借东风").
            guard given(i + 2), !titleAt(i + 2), !out.contains(where: { $0.start == i }) else {
                i += 2
                continue
            }
            let end = given(i + 3) && !titleAt(i + 3) ? i + 4 : i + 3
            out.append(Finding(type: .person, start: i, end: end, score: 0.75))
            i = end
        }
    }

    /// A surname character at `s` that the sentence uses as a word of its own: 成 after a verb (整理成表格,
    /// 翻译成英文), 周 before a weekday (周五前), 方 after 甲/乙/买/卖 (a party: 乙方如需), 张 after a
    /// numeral or demonstrative (这张卡), 明 before 早/晚/天 (明早的), 于 after the word it completes
    /// (附于委托书, 位于, 属于, 对于).
    static func grammaticalUse(_ t: ScalarText, _ s: Int) -> Bool {
        let c = t.v[s]
        let before = t[s - 1]
        let after = t[s + 1]
        switch c {
        case 0x6210:  // 成
            return Chars.isHan(before) && resultativeVerbs.contains(before)
        case 0x5468:  // 周
            return weekdayMarks.contains(after)
        case 0x65B9:  // 方
            return parties.contains(before)
        case 0x5F20:  // 张
            return counters.contains(before) || (before >= 0x30 && before <= 0x39)
        case 0x660E:  // 明
            return timesOfDay.contains(after)
        case 0x4E8E, 0x65BC:  // 于, 於 as a preposition after its word (not after a title: 分析师于丽娟)
            return prepositionHosts.contains(before)
        default:
            return false
        }
    }
    private static let resultativeVerbs = ScalarBitmap(Set("理译取改变做写换转分当看弄拆合组构形完达造制编整化列填排汇".unicodeScalars.map(\.value)))
    private static let weekdayMarks = ScalarBitmap(Set("一二三四五六日天末".unicodeScalars.map(\.value)))
    private static let parties = ScalarBitmap(Set("甲乙丙丁买卖買賣双雙对對各另贵貴我本他该該".unicodeScalars.map(\.value)))
    private static let counters = ScalarBitmap(Set("这那這一两兩二三四五六七八九十几幾每哪某半".unicodeScalars.map(\.value)))
    private static let prepositionHosts = ScalarBitmap(
        Set("附位属屬关關基处處出用源限至等对對由始终終早晚高低大小多少易难難忙急勇敢善乐樂便利适適过過属鉴鑒".unicodeScalars.map(\.value)))
    private static let timesOfDay = ScalarBitmap(Set("早晚天年日后後晨".unicodeScalars.map(\.value)))

    /// Whether the Han run t[s..<e] is an ordinary word of the name model's tables: frequent, tagged
    /// as a name but ordinary as often, or a little rarer (two or three characters), and does not read
    /// as a surname and given-name characters all the same ("白菜", "宋体", "金针"; not "徐海").
    private static func isChineseWord(_ t: ScalarText, _ s: Int, _ e: Int, _ model: ChineseNameScanner) -> Bool {
        let n = e - s
        guard n == 2 || n == 3 else { return false }
        if model.isOrdinaryWord(t, s, e) { return true }
        guard model.isRarerWord(t, s, e) || (n == 3 && Double(model.word(t, s, e)) >= ChineseNameScanner.frequentWord) else { return false }
        // Three characters after a surname are a name as often (jieba tags some people as words: 张佑才).
        let surname = model.row(t.v[s]).isSurname
        return !(surname && (n == 3 || model.row(t.v[s + 1]).given >= ChineseNameScanner.givenNameLevel))
    }

    /// Whether a person field's Han value t[s..<e] (a table cell, a JSON member) may be a name: it starts
    /// with a surname ("技术部", "系统", "待分配", "不详" are none; under such a field a word that starts
    /// with one is a name as often: 方圆, 万里, 章程).
    static func isChineseName(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        isSurname(t.v[s], chineseModel) || Lexicon.isCompoundSurname(t, at: s)
    }

    /// Whether a Chinese candidate is an ordinary word the model's character tables took for a name
    /// (not where a title follows it: "徐海老师", "方圆经理"):
    /// - after a conjunction that is also a surname, a word ("实践和努力", "分享和泄露");
    /// - a frequent word (or a doubled character) and a function character ("明天到", "谢谢你", "文本的";
    ///   not "王国平", "王家卫": 平 and 卫 may be a given name's);
    /// - a three-character word, or a somewhat rarer two-character one ("白菜", "房东", "高傲", "文档",
    ///   "向日葵", "高峰期"), unless it reads as a surname and a given name ("徐海", "金华", "张佑才");
    ///   such a name is still found where a cue or a table's column says it is one: "姓名：方圆", a 姓名 column.
    private static func readsAsWord(_ t: ScalarText, _ c: ChineseNameScanner.Candidate, _ model: ChineseNameScanner) -> Bool {
        if titleAfterName(t, at: c.end) { return false }
        let s = isConjunction(t, c.start) ? c.start + 1 : c.start
        if s > c.start && model.isOrdinaryWord(t, s, c.end) { return true }
        if c.end - s == 3 && wordThenFunction(t, s, model) && !Lexicon.isCompoundSurname(t, at: s) { return true }
        return (model.isRarerWord(t, s, c.end) || c.end - s == 3) && isChineseWord(t, s, c.end, model)
    }

    /// A frequent word (or a doubled character, "谢谢") at `s` and then a character that is a function
    /// word's, never a given name's (的, 了, 你, 到, 于…).
    private static func wordThenFunction(_ t: ScalarText, _ s: Int, _ model: ChineseNameScanner) -> Bool {
        guard s + 2 < t.count, Self.functionCharacters.contains(t.v[s + 2]) else { return false }
        return t.v[s] == t.v[s + 1] || Double(model.word(t, s, s + 2)) >= ChineseNameScanner.frequentWord
    }

    /// Function characters no given name holds: `Lexicon.chineseNameStops`' particles, pronouns and
    /// prepositions, and 于 为 后 到 将 未 称 来 那 时 才 能 中 上 下.
    private static let functionCharacters = ScalarBitmap(
        Set("的是在了和与或及说我你他她们这那有也就都把被从向给对于为后到将未称来时才能中上下".unicodeScalars.map(\.value)))

    /// 和, 与, 跟 or 及 after a Han character: a conjunction ("经理和客户", "同学和老师"), not the rare surname.
    @inline(__always) private static func isConjunction(_ t: ScalarText, _ i: Int) -> Bool {
        let c = t.v[i]
        return (c == 0x548C || c == 0x4E0E || c == 0x8DDF || c == 0x53CA) && Chars.isHan(t[i - 1])
    }

    private static let fullNameTitleFirst = ScalarBitmap(Lexicon.chineseNameAfter.map { $0[0] })

    /// Whether a title that follows full names starts at `p` ("先生", "老师", "师姐": `Lexicon.chineseNameAfter`).
    private static func titleAfterName(_ t: ScalarText, at p: Int) -> Bool {
        fullNameTitleFirst.contains(t[p]) && Lexicon.chineseNameAfter.contains(where: { startsWith(t, $0, at: p) })
    }

    /// A surname and one or two given-name characters right before a title that follows full names
    /// ("林珊师姐", "黎浩然师兄", "张伟先生"), after the start, punctuation, a function word or a verb
    /// that introduces a person (感谢, 请, 联系…); not a common word ("项目经理", "英语老师").
    private static func scanTitled(_ t: ScalarText, _ model: ChineseNameScanner, into out: inout [Finding]) {
        var p = 2
        while p < t.count {
            defer { p += 1 }
            guard titleAfterName(t, at: p) else { continue }
            for given in [2, 1] {
                let s = p - given - 1
                guard s >= 0, isSurname(t.v[s], model),
                    (s + 1..<p).allSatisfy({ Chars.isHan(t.v[$0]) && !Lexicon.chineseNameStops.contains(t.v[$0]) }),
                    model.word(t, s, p) == 0, model.word(t, s, s + 2) == 0
                else { continue }
                let before = t[s - 1]
                guard s == 0 || !Chars.isHan(before) || Lexicon.chineseNameStops.contains(before) || Lexicon.chineseNameLeadIns.contains(before)
                else {
                    continue
                }
                out.append(Finding(type: .person, start: s, end: p, score: 0.75))
                break
            }
        }
    }

    @inline(__always) private static func isSurname(_ c: UInt32, _ model: ChineseNameScanner) -> Bool {
        c >= 0x4E00 && Chars.isHan(c) && (model.row(c).isSurname || Lexicon.chineseSurnames.contains(c))
    }

    private static func endsWith(_ t: ScalarText, _ s: [UInt32], at i: Int) -> Bool {
        guard i - s.count >= 0 else { return false }
        for k in 0..<s.count where t.v[i - s.count + k] != s[k] { return false }
        return true
    }

    private static func startsWith(_ t: ScalarText, _ s: [UInt32], at i: Int) -> Bool {
        guard i + s.count <= t.count else { return false }
        for k in 0..<s.count where t.v[i + k] != s[k] { return false }
        return true
    }
}

/// English/Latin person names (see the top of the file). The lexicons are stored properties so that
/// a scan reads them without a `swift_once` check per access.
private struct LatinNames: Sendable {
    private let stopWords = Lexicon.stopWords
    private let notNames = Lexicon.notNames
    private let streetTypes = Lexicon.streetTypes
    private let unitWords = Lexicon.unitWords
    private let honorifics = Lexicon.honorifics
    private let nameCues = Lexicon.nameCues

    let firstNames = Chars.hashSet(NameLexicon.firstNames + "\n" + NameLexicon.worldFirstNames)
    private let pinyinSurnames = Pinyin.surnames
    let surnames = Chars.hashSet(NameLexicon.surnames + "\n" + NameLexicon.worldSurnames)
    private let englishWords = EnglishWords.common
    private let everydayFirstNames = EnglishWords.everydayFirstNames
    private let softwareWords = Lexicon.softwareWords
    private let dobWords = Lexicon.dobContext
    private let passportWords = Lexicon.passportWords
    private let unattendedMailboxes = Lexicon.unattendedMailboxes

    private let nameHash = Chars.hash("name")
    private let isHash = Chars.hash("is")
    private let thisHash = Chars.hash("this")
    private let introductionTails = Chars.hashSet("from here speaking calling writing with at of and again")
    private let userHash = Chars.hash("user")
    private let andHash = Chars.hash("and")
    private let underHash = Chars.hash("under")
    private let itHash = Chars.hash("it")
    private let toHash = Chars.hash("to")
    private let iHash = Chars.hash("i")
    private let amHash = Chars.hash("am")
    private let byHash = Chars.hash("by")
    private let withHash = Chars.hash("with")
    private let addHash = Chars.hash("add")
    private let meHash = Chars.hash("me")
    private let fromHash = Chars.hash("from")
    private let youHash = Chars.hash("you")
    private let missHash = Chars.hash("miss")
    private let callWords = Chars.hashSet("call calls called")
    /// Verbs whose object is a person, written before a name at the start of a request.
    private let nameVerbs = Chars.hashSet(
        "call ask email mail text message ping phone ring tell remind thank invite meet contact cc notify inform forward introduce welcome congratulate pay"
    )

    /// Words that, as the two words before, introduce a name: "name is", "it to", "maybe it's under".
    private let strongCues = Chars.hashSet("named called surname maiden")

    private func candidate(_ x: Word) -> Bool {
        !x.isNumber && x.length >= 2 && !stopWords.contains(x.hash) && !notNames.contains(x.hash)
            && !streetTypes.contains(x.hash) && !unitWords.contains(x.hash)
    }

    private func capitalizedCandidate(_ x: Word) -> Bool {
        candidate(x) && x.isCapitalized && !(x.isAllCaps && x.length > 3)
    }

    /// An initial: one capital letter, optionally followed by a dot.
    private func isInitial(_ t: ScalarText, _ x: Word) -> Bool { x.length == 1 && x.isCapitalized && !x.isNumber }

    /// Whether `b` follows `a` on its line, past a space or an initial's dot ("J. Smith", "Dr. Berta";
    /// "Read. Overwriting" is two sentences).
    private func sameLine(_ t: ScalarText, _ a: Word, _ b: Word) -> Bool {
        guard !b.newlineBefore, b.start - a.end <= 2 else { return false }
        for k in a.end..<b.start {
            if t.v[k] == 0x20 { continue }
            if t.v[k] == 0x2E && (a.length == 1 || honorifics.contains(a.hash)) { continue }
            return false
        }
        return true
    }

    /// Whether `position` is on a table's header row: a row ('|' between cells) that a rule line with
    /// cells follows ("|---|:--|", "+----+-----+"; not a bare "---" or "===" under a line) and no other
    /// row precedes (the last row of a MySQL table has a rule line after it too). Its cells name
    /// columns. Lines are read up to 512 scalars; a longer one is no header (it cannot be told).
    private func tableHeader(_ t: ScalarText, _ position: Int) -> Bool {
        guard let (start, end) = line(t, around: position), (start..<end).contains(where: { t.v[$0] == 0x7C }), end < t.count,
            ruleLine(t, from: end + 1)
        else { return false }
        // No row above it: the line before is none or no row, or a rule (MySQL's top border) with no
        // row above that (a rule after the header, then data rows).
        guard start > 0 else { return true }
        guard let (before, _) = line(t, around: start - 1) else { return false }
        if !ruleLine(t, from: before) { return !(before..<(start - 1)).contains { t.v[$0] == 0x7C } }
        guard before > 0 else { return true }
        guard let (above, _) = line(t, around: before - 1) else { return false }
        return !(above..<(before - 1)).contains { t.v[$0] == 0x7C }
    }

    /// The line holding `position` (its start, and the offset of its newline or the text's end), when
    /// both ends are within 512 scalars.
    private func line(_ t: ScalarText, around position: Int) -> (Int, Int)? {
        var start = position
        while start > 0, t.v[start - 1] != 0x0A {
            guard position - start < 512 else { return nil }
            start -= 1
        }
        var end = position
        while end < t.count, t.v[end] != 0x0A {
            guard end - position < 512 else { return nil }
            end += 1
        }
        return (start, end)
    }

    /// A table's rule line with cells starts at `from`: three dashes or '=' or more with a bar or a
    /// plus ("|---|", "+----+", "---|---"), and only colons and spaces besides.
    private func ruleLine(_ t: ScalarText, from: Int) -> Bool {
        var dashes = 0
        var cells = false
        var k = from
        while k < t.count, k < from + 512, t.v[k] != 0x0A, t.v[k] != 0x0D {
            switch t.v[k] {
            case 0x2D, 0x3D: dashes += 1
            case 0x7C, 0x2B: cells = true
            case 0x3A, 0x20, 0x09: break
            default: return false
            }
            k += 1
        }
        return dashes >= 3 && cells
    }

    /// What precedes `start` on its line, if only a message's time stamp: 0 none, 1 a clock time
    /// ("03:15 ", "[10:03] ", an agenda's "09:00 " too), 2 a date and a clock time, as chat apps export
    /// them ("[02/06/2024, 18:03:11] ", "[10/06/24 07.21] ", "12.06.2024 08:02 "). A log's ISO date
    /// ("2024-06-02 18:03:11 Traefik:") is none. Stamps are read up to 48 scalars back.
    private func stampBefore(_ t: ScalarText, _ start: Int) -> Int {
        var k = start - 1
        while k >= 0, t.v[k] == 0x20 { k -= 1 }
        guard k >= 0, k < start - 1 else { return 0 }
        var end = k + 1
        if t.v[k] == 0x5D {
            end = k
            k -= 1
            while k >= 0, start - k < 48, t.v[k] != 0x5B, t.v[k] != 0x0A { k -= 1 }
            guard k >= 0, t.v[k] == 0x5B else { return 0 }
            k -= 1
        } else {
            while k >= 0, start - k < 32, Chars.isDigit(t.v[k]) || [0x3A, 0x2E, 0x2F, 0x2D, 0x2C, 0x20].contains(t.v[k]) { k -= 1 }
        }
        let stampStart = k + 1
        while k >= 0, t.v[k] == 0x20 || t.v[k] == 0x09 { k -= 1 }
        guard k < 0 || t.v[k] == 0x0A else { return 0 }
        // Runs of digits, each with the scalar after it: a clock is d{1,2}[:.]dd at the start or after
        // a space or a comma, a date d{1,4}[/.]d{1,2}[/.]d{2,4}.
        var runs: [(digits: Int, after: UInt32, before: UInt32)] = []
        var p = stampStart
        while p < end {
            if Chars.isDigit(t.v[p]) {
                var q = p
                while q < end, Chars.isDigit(t.v[q]) { q += 1 }
                runs.append((q - p, q < end ? t.v[q] : 0x20, p > stampStart ? t.v[p - 1] : 0x20))
                p = q
            } else {
                p += 1
            }
        }
        var clock = false
        var date = false
        for r in runs.indices {
            let run = runs[r]
            if run.digits == 4, run.after == 0x2D { return 0 }
            if run.digits >= 1, run.digits <= 4, run.after == 0x2F || run.after == 0x2E, r + 2 < runs.count, runs[r + 1].after == run.after,
                runs[r + 2].digits >= 2
            {
                date = true
            }
            if run.digits >= 1, run.digits <= 2, run.after == 0x3A || (run.after == 0x2E && date), r + 1 < runs.count, runs[r + 1].digits == 2,
                run.before == 0x20 || run.before == 0x2C || run.before == 0x5B
            {
                clock = true
            }
        }
        return clock ? (date ? 2 : 1) : 0
    }

    /// One to three capitalised words from word `i` (a census first name first, or no everyday word),
    /// then the time ("8:02", "10:04 AM") and the line's end, a colon or a dash: the end of the name.
    private func authorBeforeTime(_ t: ScalarText, _ w: [Word], _ i: Int) -> Int? {
        let x = w[i]
        guard candidate(x), nameLike(x) else { return nil }
        var e = i + 1
        while e < w.count, e < i + 3, w[e].isCapitalized, !w[e].isAllCaps, !w[e].isNumber, sameLine(t, w[e - 1], w[e]) { e += 1 }
        // A census first name, a given name and a surname ("Kasia Nowicka"), or one word before a message
        // after a dash ("Anaïs 10:04 — on garde…"); none an everyday word ("Montag 09:00", "Einlass 18:30",
        // "München Hbf 10:04", "Despacito 3:48" are opening hours, timetables and track lists).
        let census = firstNames.contains(x.hash)
        let fullName = e >= i + 2 && w[i..<e].allSatisfy { !englishWords.contains($0.hash) && !softwareWords.contains($0.hash) && $0.length >= 4 }
        // The time: one or two digits, ':', two digits.
        guard e + 1 < w.count, w[e].isNumber, w[e].length <= 2, w[e].next == 0x3A, !w[e].newlineBefore, w[e + 1].isNumber, w[e + 1].length == 2,
            w[e + 1].start == w[e].end + 1, (w[e - 1].end..<w[e].start).allSatisfy({ t.v[$0] == 0x20 || t.v[$0] == 0x09 })
        else { return nil }
        var k = w[e + 1].end
        var clockMark = false
        if k + 2 < t.count, t.v[k] == 0x20, (t.v[k + 1] | 0x20) == 0x61 || (t.v[k + 1] | 0x20) == 0x70, (t.v[k + 2] | 0x20) == 0x6D {
            k += 3
            clockMark = true
        }
        while k < t.count, t.v[k] == 0x20 { k += 1 }
        guard k >= t.count || t.v[k] == 0x0A || t.v[k] == 0x0D || t.v[k] == 0x3A || t.v[k] == 0x2014 || t.v[k] == 0x2013 || t.v[k] == 0x2D else {
            return nil
        }
        // A message after a colon or a dash; a dash before a number is a range of hours ("09:00 - 17:00").
        var message = k < t.count && t.v[k] == 0x3A
        if k < t.count, t.v[k] == 0x2014 || t.v[k] == 0x2013 || t.v[k] == 0x2D {
            var d = k + 1
            while d < t.count, t.v[d] == 0x20 { d += 1 }
            if d < t.count, Chars.isDigit(t.v[d]) { return nil }
            message = d < t.count && Chars.isLetter(t.v[d])
        }
        // At the line's end: with AM/PM, or a message on the next line that is no other name and time
        // ("Tokyo 09:00\nSydney 10:00", "Johannes 3:16" are times of places and a verse).
        if !message, !clockMark {
            let next = e + 2
            guard next < w.count, w[next].newlineBefore,
                !(w[next].isCapitalized && next + 1 < w.count && w[next + 1].isNumber && w[next + 1].next == 0x3A
                    && sameLine(t, w[next], w[next + 1]))
            else { return nil }
        }
        return census || fullName || message ? e : nil
    }

    /// Whether a date-of-birth or passport label starts at `start` and covers the candidate up to `end`.
    private func labelWord(_ t: ScalarText, _ start: Int, _ end: Int) -> Bool {
        covers(dobWords, t, start, end) || covers(passportWords, t, start, end)
    }

    private func covers(_ words: ContextWords, _ t: ScalarText, _ start: Int, _ end: Int) -> Bool {
        var candidates = words.candidates(Chars.foldCase(t.v[start]))
        while candidates != 0 {
            let index = candidates.trailingZeroBitCount
            candidates &= candidates - 1
            if start + words.count(index) >= end, words.matches(index, t, at: start) { return true }
        }
        return false
    }

    /// Word `i` is where a place goes: after a postal code ("69003 Lyon", "4100-114 Porto"; not a badge
    /// number, "Badge 40213 Okafor") or after "in" before a comma, a full stop or the line's end ("a
    /// nurse in Leeds.", "vivo en Bilbao,"; not "loop in Whitlock on the thread"). A surname alone
    /// there is a town.
    private func placeAt(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        guard i > 0, sameLine(t, w[i - 1], w[i]) else { return false }
        let p = w[i - 1]
        if p.isNumber {
            return p.length == 4 || p.length == 5 ? p.previous == 0x2C || p.previous == 0 || p.newlineBefore : p.length == 3 && p.previous == 0x2D
        }
        let next = w[i].next
        return locatives.contains(p.hash) && !p.isCapitalized && (next == 0x2C || next == 0x2E || next == 0x0A || next == 0)
    }

    private let locatives = Chars.hashSet("in en em")

    /// Whether only markdown heading or emphasis marks ('#', '*') and spaces precede `start` on its line.
    private func headingLine(_ t: ScalarText, _ start: Int) -> Bool {
        var k = start - 1
        var marks = 0
        while k >= 0 && t.v[k] != 0x0A {
            let c = t.v[k]
            if c == 0x23 || c == 0x2A { marks += 1 } else if c != 0x20 { return false }
            k -= 1
        }
        return marks > 0
    }

    /// A hyphen before a lower-case English word in t[start..<end] (words keep their inner hyphens;
    /// "Hauta-aho" is a surname, "Session-only" a compound).
    private func hyphenedLowercase(_ t: ScalarText, _ start: Int, _ end: Int) -> Bool {
        (start..<end).contains { k in
            guard t.v[k] == 0x2D, k + 1 < t.count, Chars.isASCIILetter(t.v[k + 1]), !Chars.isUpperASCII(t.v[k + 1]) else { return false }
            var e = k + 1
            while e < t.count && Chars.isASCIILetter(t.v[e]) { e += 1 }
            let word = Chars.hash(t.v, k + 1, e)
            return englishWords.contains(word) && !honorificSuffixes.contains(word)
        }
    }

    /// `x` is a lower-case key before a colon that only indentation or a list dash precede on its line.
    private func yamlKey(_ t: ScalarText, _ x: Word) -> Bool {
        guard !x.isCapitalized, x.next == 0x3A else { return false }
        var k = x.start - 1
        while k >= 0 && (t.v[k] == 0x20 || t.v[k] == 0x2D) { k -= 1 }
        return k < 0 || t.v[k] == 0x0A
    }

    /// Honorifics written after a name with a hyphen: "Watanabe-san", "Kim-ssi", "Sharma-ji".
    private let honorificSuffixes = Chars.hashSet("san sama kun chan sensei senpai ssi nim ji")

    /// "…Opus 4.5": a space and a dotted version number at `end`.
    private func versionAfter(_ t: ScalarText, _ end: Int) -> Bool {
        guard end + 3 < t.count, t.v[end] == 0x20 else { return false }
        var k = end + 1
        let digits = k
        while k < t.count && t.isDigit(k) { k += 1 }
        return k > digits && k + 1 < t.count && t.v[k] == 0x2E && t.isDigit(k + 1)
    }

    /// The end of a mailbox's display name starting at word `i`: two to four capitalised words on one
    /// line (particles between them), none all-caps or a software word, then `<local@domain>`.
    private func displayName(_ t: ScalarText, _ w: [Word], _ i: Int) -> Int? {
        var k = i
        while k + 1 < w.count && k - i < 3 && sameLine(t, w[k], w[k + 1]) {
            let y = w[k + 1]
            let particle = nameParticles.contains(y.hash) && !y.isCapitalized
            guard !y.isNumber, (y.isCapitalized && !y.isAllCaps) || particle else { return nil }
            k += 1
            if !particle && mailboxAfter(t, y.end) {
                return w[i...k].contains { softwareWords.contains($0.hash) } ? nil : k + 1
            }
        }
        return nil
    }

    /// Whether word `i` (a first name) is followed by a software word or an acronym: a product
    /// ("Claude Code", "Claude API", "Ruby Gems"), not a person.
    private func productAfter(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        guard i + 1 < w.count, sameLine(t, w[i], w[i + 1]) else { return false }
        let y = w[i + 1]
        return softwareWords.contains(y.hash) || (y.isAllCaps && y.length >= 2 && !y.isNumber)
    }

    /// Whether an e-mail address in angle brackets follows `end` (past a closing quote and one space):
    /// `<local@domain.tld>`, of a mailbox someone reads.
    private func mailboxAfter(_ t: ScalarText, _ end: Int) -> Bool {
        var k = end
        if k < t.count && t.v[k] == 0x22 { k += 1 }
        guard k + 1 < t.count, t.v[k] == 0x20, t.v[k + 1] == 0x3C else { return false }
        k += 2
        let local = k
        var at = -1
        var dot = false
        while k < t.count && k - local < 254 {
            let c = t.v[k]
            // A no-reply mailbox belongs to a product or a bot ("Claude Code <noreply@anthropic.com>").
            if c == 0x3E { return at > local && dot && k > at + 1 && !unattendedMailboxes.contains(Chars.hash(t.v, local, at)) }
            if c <= 0x20 || c == 0x3C { return false }
            if c == 0x40 {
                if at >= 0 { return false }
                at = k
            } else if c == 0x2E && at >= 0 && k > at + 1 {
                dot = true
            }
            k += 1
        }
        return false
    }

    /// Extends a name from word `i` over capitalised words and initials; returns the index after it.
    private func extendName(_ t: ScalarText, _ w: [Word], _ i: Int, lowercase: Bool, max: Int = 4) -> Int {
        var k = i + 1
        while k < w.count && k - i < max && sameLine(t, w[k - 1], w[k]) {
            let y = w[k]
            if isInitial(t, y) && k + 1 < w.count && sameLine(t, y, w[k + 1]) && capitalizedCandidate(w[k + 1]) {
                k += 1
                continue
            }
            if capitalizedCandidate(y) || (lowercase && candidate(y) && (firstNames.contains(y.hash) || surnames.contains(y.hash))) {
                k += 1
                continue
            }
            if nameParticles.contains(y.hash) && k + 1 < w.count && capitalizedCandidate(w[k + 1]) && sameLine(t, y, w[k + 1]) {
                k += 2
                continue
            }
            break
        }
        // Never end on an initial or a particle.
        while k > i + 1 && (isInitial(t, w[k - 1]) || nameParticles.contains(w[k - 1].hash)) { k -= 1 }
        return k
    }

    /// One to three initials, each with its full stop, then a capitalised surname that is no everyday
    /// English word ("J.K. Abernathy", "R. Singh-Patel"; not "A. Background", "U.S. Army"): the index after it.
    private func initialsName(_ t: ScalarText, _ w: [Word], _ i: Int) -> Int? {
        var k = i
        while k < w.count && k - i < 3 && w[k].length == 1 && w[k].isCapitalized && w[k].next == 0x2E {
            guard k + 1 < w.count, !w[k + 1].newlineBefore else { return nil }
            let gap = w[k + 1].start - w[k].end
            guard gap == 1 || (gap == 2 && t.v[w[k].end + 1] == 0x20) else { return nil }
            k += 1
            if gap == 2 { break }
        }
        guard k > i, k < w.count else { return nil }
        let y = w[k]
        guard y.length >= 2, y.isCapitalized, !y.isAllCaps, !y.isNumber, !englishWords.contains(y.hash), !stopWords.contains(y.hash),
            !notNames.contains(y.hash), !softwareWords.contains(y.hash), !streetTypes.contains(y.hash)
        else { return nil }
        return k + 1
    }

    /// Words `i` and `i + 1`, capitalised alike on one line, are a pinyin surname and a given name of
    /// one or two syllables, or a given name of two syllables and a surname. A surname that is also an
    /// English word ("He", "Long", "Fan") needs a given name of two syllables; neither the given name
    /// nor a trailing surname may be an everyday English word ("Ma Long" is a name, "He Man" is not).
    private func pinyinName(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        let y = w[i + 1]
        guard sameLine(t, x, y), y.start - x.end == 1, y.isCapitalized, x.isAllCaps == y.isAllCaps, !x.hasNonASCII, !y.hasNonASCII,
            !x.isNumber, !y.isNumber
        else { return false }
        func english(_ z: Word) -> Bool { englishWords.contains(z.hash) || stopWords.contains(z.hash) || notNames.contains(z.hash) }
        if pinyinSurnames.contains(x.hash), !english(y), let syllables = Pinyin.syllableCount(t, y.start, y.end, most: 2) {
            return !english(x) || syllables >= 2
        }
        return pinyinSurnames.contains(y.hash) && !english(y) && !english(x) && (Pinyin.syllableCount(t, x.start, x.end, most: 2) ?? 0) >= 2
    }

    /// A word in capitals that is a census name (a given name that is also no everyday English word
    /// when `rare`: "EVELYN", not "ROSE" or "GRACE").
    private func capitalsName(_ x: Word, in names: WordSet, rare: Bool) -> Bool {
        x.isAllCaps && x.length >= 2 && !x.isNumber && names.contains(x.hash) && !notNames.contains(x.hash) && !stopWords.contains(x.hash)
            && !(rare && englishWords.contains(x.hash)) && !capitalsPlaces.contains(x.hash)
    }

    /// Places that are census names too, written in capitals in headings and tickets ("ORLANDO, FLORIDA",
    /// "VIRGINIA BEACH").
    private let capitalsPlaces = Chars.hashSet(
        "florida georgia virginia carolina dakota indiana montana nevada arizona alabama washington jersey york texas beach city county")

    /// A name in capitals from word `i`, the index after it: a given name, middle names or initials and
    /// a surname ("EVELYN ROSE CARTWRIGHT", "BRYCE T. LANDRY"), or a surname, then "/" or "," and the
    /// given names ("HOLLOWAY/SIMONE MARIE", "CALLOWAY, DESHAWN M"). The given name is a census name
    /// that is no everyday English word, so that shouting ("PLEASE HELP") and headings stay.
    private func allCapsName(_ t: ScalarText, _ w: [Word], _ i: Int) -> Int? {
        /// Word `k` follows word `k - 1` after one space (or an initial's dot and a space).
        func follows(_ k: Int) -> Bool {
            guard k < w.count, !w[k].newlineBefore, w[k].isAllCaps || (w[k].length == 1 && w[k].isCapitalized), !w[k].isNumber else { return false }
            let gap = w[k].start - w[k - 1].end
            return gap == 1 && t.v[w[k - 1].end] == 0x20
                || gap == 2 && w[k - 1].length == 1 && t.v[w[k - 1].end] == 0x2E && t.v[w[k - 1].end + 1] == 0x20
        }
        // A middle name (a census name, or a word that is no everyday English word) or an initial
        // ("DALLAS COWBOYS VS HOUSTON" is no name).
        func middle(_ k: Int) -> Bool {
            w[k].length == 1
                || (!stopWords.contains(w[k].hash) && !notNames.contains(w[k].hash)
                    && (firstNames.contains(w[k].hash) || surnames.contains(w[k].hash) || !englishWords.contains(w[k].hash)))
        }
        if capitalsName(w[i], in: firstNames, rare: true) {
            var k = i + 1
            while k < w.count && k - i <= 3 && follows(k) {
                if capitalsName(w[k], in: surnames, rare: false)
                    && !(k + 1 < w.count && follows(k + 1) && capitalsName(w[k + 1], in: surnames, rare: false))
                {
                    return k + 1
                }
                guard middle(k) else { return nil }
                k += 1
            }
        }
        let pinyin = pinyinSurnames.contains(w[i].hash)
        if capitalsName(w[i], in: surnames, rare: false) || pinyin, i + 1 < w.count, !w[i + 1].newlineBefore {
            let gap = w[i + 1].start - w[i].end
            let separator = t.v[w[i].end]
            guard separator == 0x2F && gap == 1 && w[i + 1].length >= 4 || separator == 0x2C && gap == 2 && t.v[w[i].end + 1] == 0x20,
                w[i + 1].isAllCaps,
                capitalsName(w[i + 1], in: firstNames, rare: separator == 0x2C)
                    || (pinyin && !englishWords.contains(w[i + 1].hash) && (Pinyin.syllableCount(t, w[i + 1].start, w[i + 1].end, most: 3) ?? 0) >= 2)
            else { return nil }
            var k = i + 2
            while k < w.count && k - i <= 3 && follows(k) && middle(k) { k += 1 }
            return k
        }
        return nil
    }

    private let nameParticles = Chars.hashSet("van von der den de da di ten ter le la du bin ibn")
    /// Articles of French, Spanish, Italian, Portuguese, German and Dutch that are also first names in the census.
    private let articles = Chars.hashSet("le la les el los las il lo der die das het een un une")
    /// Whether the lone first name `w[i]` (one of the lists, and a candidate: the caller has checked) may
    /// be raised in a text that names people (one that is also in the English word list, as Priya and
    /// Arjun are, only where it does what people do): no assistant's or software's name, no word of
    /// another language or everyday English word more often than a name ("Tu peux", "Season"), and not
    /// where a place or a thing stands: after
    /// a locative or an article ("from Florence", "St. Helena", "un Mercedes", "the Abbey"), before a
    /// place's word ("Victoria station"; "Lake Louise" is after one), beside a number ("Ward 6", "12.
    /// Juli"), or a list's item alone on its line ("- Austin").
    private func proseName(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        guard !assistants.contains(x.hash), !softwareWords.contains(x.hash), !otherLanguagesWords.contains(x.hash),
            !everydayFirstNames.contains(x.hash)
        else { return false }
        func adjacent(_ a: Word, _ b: Word) -> Bool {
            !b.newlineBefore && b.start - a.end <= 3 && !(a.end..<b.start).contains { t.v[$0] == 0x0A }
        }
        if i > 0, adjacent(w[i - 1], x) {
            let p = w[i - 1]
            if p.isNumber || placeBefore.contains(p.hash) || articles.contains(p.hash) { return false }
        }
        if i + 1 < w.count, adjacent(x, w[i + 1]) {
            let n = w[i + 1]
            if n.isNumber || placeAfter.contains(n.hash) { return false }
        }
        // A list's item alone on its line: only a bullet before it, nothing after it.
        if x.next == 0x0A || x.next == 0x0D || x.next == 0 {
            var k = x.start - 1
            while k >= 0, t.v[k] == 0x20 { k -= 1 }
            if k >= 0, t.v[k] == 0x2D || t.v[k] == 0x2A || t.v[k] == 0x2022 {
                k -= 1
                while k >= 0, t.v[k] == 0x20 { k -= 1 }
                if k < 0 || t.v[k] == 0x0A { return false }
            }
        }
        return true
    }

    /// Nouns of kin and of the people around one, in the languages of the name lists, which a name
    /// follows after a possessive ("my sister Ana", "meine Kollegin Julia", "ma sœur Claire").
    private let kinNouns = Chars.hashSet(
        """
        mum mom mother dad father mama papa wife husband partner boyfriend girlfriend fiance fiancé fiancee fiancée spouse \
        son sons daughter daughters kid kids child children brother brothers sister sisters sibling siblings cousin \
        cousins uncle aunt auntie niece nephew grandma grandpa grandmother grandfather granny grandad grandson granddaughter \
        stepson stepdaughter stepmom stepmum stepdad stepfather stepmother friend friends bestie flatmate flatmates roommate \
        roommates housemate housemates colleague colleagues coworker coworkers boss manager supervisor mentor teammate \
        teammates classmate classmates neighbour neighbours neighbor neighbors landlord landlady tenant ex therapist tutor \
        nanny babysitter carer caregiver bf gf hubby mate mates gran nan nana midwife nurse mother-in-law father-in-law \
        sister-in-law brother-in-law son-in-law daughter-in-law
        bruder schwester mutter vater frau mann ehemann ehefrau freundin sohn tochter kollege kollegin chef chefin nachbar \
        nachbarin nachbarn kollegen cousine onkel tante oma opa mitbewohner mitbewohnerin partnerin schwiegermutter \
        schwiegervater
        frère sœur soeur mère père femme mari copain copine ami amie fils fille collègue voisin voisine oncle colocataire \
        belle-mère beau-père
        hermano hermana madre padre mamá papá esposa esposo marido mujer novio novia hijo hija amigo amiga compañero \
        compañera jefe jefa vecino vecina tío tía abuela abuelo suegra suegro
        fratello sorella mamma papà moglie marito ragazzo ragazza figlio figlia amico amica collega vicino vicina \
        cugino cugina zio zia nonna nonno suocera suocero
        irmão irmã mãe pai namorado namorada filho filha colega chefe vizinho vizinha tio tia avó avô sogra sogro
        broer zus moeder vrouw vriend vriendin zoon dochter baas buurman buurvrouw neef nicht oom huisgenoot schoonmoeder
        brat siostra mama tata żona mąż syn córka babcia dziadek szef szefowa kuzyn kuzynka kuzynki sąsiad sąsiadka \
        przyjaciel przyjaciółka kolega koleżanka
        """)
    /// Possessives before a kin noun, English, German and the other languages of the name lists, of the first and
    /// second person (the writer's own people or the reader's) and of the third (a character's, as often). "our"
    /// takes no kin noun that firms stand after: "our partner Acme" is a firm.
    private static let englishOwnPossessiveWords = "my your our"
    private static let englishThirdPossessiveWords = "his her their"
    private static let germanOwnPossessiveWords = "mein meine meinen meinem meiner meines unser unsere unserem unseren unseres"
    private static let germanThirdPossessiveWords = "seine seines ihre ihrem ihrer"
    private static let otherOwnPossessiveWords = """
        mon ma mes ton ta tes notre nos mi mis tu tus nuestro nuestra mio mia miei mie tuo tua nostro nostra meu minha \
        meus minhas teu nosso nossa mijn jouw onze mój moja moje mojego mojej
        """
    private static let otherThirdPossessiveWords = "son sa ses leur su sus suo sua seu zijn haar"
    private static let ownPossessiveWords = [englishOwnPossessiveWords, germanOwnPossessiveWords, otherOwnPossessiveWords]
    private let kinPossessives = Chars.hashSet(
        (ownPossessiveWords + [englishThirdPossessiveWords, germanThirdPossessiveWords, otherThirdPossessiveWords]).joined(separator: " "))
    private let englishPossessives = Chars.hashSet(englishOwnPossessiveWords + " " + englishThirdPossessiveWords)
    private let germanPossessives = Chars.hashSet(germanOwnPossessiveWords + " " + germanThirdPossessiveWords)
    private let lawHash = Chars.hash("law")
    private let inHash = Chars.hash("in")
    private let ourWords = Chars.hashSet("our unser unsere unserem unseren notre nos nuestro nuestra nostro nostra nosso nossa onze")
    /// First- and second-person possessives: the writer's own people or the reader's ("my", "our", "your", "mein",
    /// "ma", "mi", "mijn", "mój"…), where the third person's ("her", "his", "their", "sa", "su") may be a character's.
    private let ownPossessives = Chars.hashSet(ownPossessiveWords.joined(separator: " "))

    /// Whether a kin noun after the possessive `w[p]` is a character's: in a text about a work, where the writer's own
    /// people ("Write a poem for my wife Joy", "a bedtime story for my daughter Emma") are excluded only by a word
    /// that is surely a work's (chapter, novel, episode…), a third person's by any ("In the book, her cousin Elsa").
    private func characterKin(_ w: [Word], _ p: Int, _ facts: () -> TextFacts) -> Bool {
        ownPossessives.contains(w[p].hash) ? facts().aboutAWorkSurely : facts().aboutAWork
    }
    /// Kin nouns that firms, products and places stand after too ("their partner Infosys", "my landlord Foxtons",
    /// "my tutor Khanmigo"): a census first name or a full name must follow them.
    private let firmKin = Chars.hashSet(
        """
        partner partners partnerin landlord landlady tenant mentor tutor boss manager supervisor friends neighbour \
        neighbours neighbor neighbors mate mates chef
        """)
    private let childNouns = Chars.hashSet("kid kids child children")
    /// Words between a possessive and a kin noun: "my best friend", "her late husband", "my older sister".
    private let kinAdjectives = Chars.hashSet(
        "best dear old older elder younger little big baby late new former twin lovely beloved close good oldest youngest eldest")

    /// The index of the name after the kin noun `w[i]`, when a possessive (and an adjective) stands before it and
    /// a name follows on its line, after a space or a comma: a capitalised word that is no everyday word
    /// (census first names are names even then: "my son Jack"), or a census first name in lower case that
    /// is no everyday or software word ("my flatmate jess"). Not a product or an assistant, and not in a text
    /// about a work.
    private func kinName(_ t: ScalarText, _ w: [Word], _ i: Int, _ facts: () -> TextFacts) -> Int? {
        var p = i - 1
        // "my brother in law dev": the kin noun before "in law" ("law" alone is no kin).
        if w[i].hash == lawHash {
            guard p >= 1, w[p].hash == inHash, kinNouns.contains(w[p - 1].hash), sameLine(t, w[p - 1], w[p]), sameLine(t, w[p], w[i]) else {
                return nil
            }
            p -= 2
        }
        guard let q = kinPossessive(t, w, before: p) else { return nil }
        p = q
        guard !(ourWords.contains(w[p].hash) && firmKin.contains(w[i].hash)) else { return nil }
        let j = i + 1
        guard j < w.count, w[i].next == 0x20 || w[i].next == 0x2C, !w[j].newlineBefore, w[j].start - w[i].end <= 2 else { return nil }
        let y = w[j]
        guard !y.isNumber, !y.isAllCaps, candidate(y), !assistants.contains(y.hash), !monthNames.contains(y.hash),
            !kinNouns.contains(y.hash), !productAfter(t, w, j)
        else { return nil }
        // Not in a text about a work, nor children that are pets ("My kids Bella and Coco are indoor cats").
        if titleOrCharacterKin(w, p, i, facts) || (childNouns.contains(w[i].hash) && facts().pets) { return nil }
        if y.isCapitalized {
            // German capitalises every noun ("meinem Bruder Geld geliehen"): there only a census first name.
            if germanPossessives.contains(w[p].hash) { return firstNames.contains(y.hash) ? j : nil }
            if firmKin.contains(w[i].hash) {
                // After a noun that firms stand after too: a census first name, or a full name.
                let e = extendName(t, w, j, lowercase: false)
                return firstNames.contains(y.hash) || e > j + 1 ? j : nil
            }
            return firstNames.contains(y.hash) || !englishWords.contains(y.hash) ? j : nil
        }
        // In lower case only right after the noun: "her husband, sue and be sued" is a verb.
        return w[i].next == 0x20 && plainFirstName(y) ? j : nil
    }

    /// Whether the kin noun `w[i]`, after a possessive (and an adjective) on its line, is in a text about a
    /// work ("her sister Elsa" in a chapter) or in a title (an English kin noun in capitals: "My Brother
    /// Jonathan").
    private func kinTitleOrWork(_ t: ScalarText, _ w: [Word], _ i: Int, _ facts: () -> TextFacts) -> Bool {
        guard let p = kinPossessive(t, w, before: i - 1) else { return false }
        return titleOrCharacterKin(w, p, i, facts)
    }

    /// Whether the kin noun `w[i]` after the possessive `w[p]` is a title's (an English kin noun in capitals: "My
    /// Neighbor Totoro", "My Gran Turismo") or a character's (`characterKin`).
    private func titleOrCharacterKin(_ w: [Word], _ p: Int, _ i: Int, _ facts: () -> TextFacts) -> Bool {
        (englishPossessives.contains(w[p].hash) && w[i].isCapitalized) || characterKin(w, p, facts)
    }

    /// The index of the possessive before a kin noun whose previous word is `w[p]`, on the noun's line, past
    /// one adjective ("my sister", "her late husband").
    private func kinPossessive(_ t: ScalarText, _ w: [Word], before p: Int) -> Int? {
        var p = p
        guard p >= 0, p + 1 < w.count, sameLine(t, w[p], w[p + 1]) else { return nil }
        if kinAdjectives.contains(w[p].hash), p > 0, sameLine(t, w[p - 1], w[p]) { p -= 1 }
        return kinPossessives.contains(w[p].hash) ? p : nil
    }

    /// Whether the name-like `w[i]` is followed by a comma, a possessive (and an adjective) and a kin noun on its
    /// line ("Priyanka, my sister", "Tunde, her late husband"); after a noun firms stand after too, only a census
    /// first name ("Infosys, our partner" is a firm).
    private func appositiveKin(_ t: ScalarText, _ w: [Word], _ i: Int, _ facts: () -> TextFacts) -> Bool {
        let x = w[i]
        let p = i + 1
        // ", my": the comma and one space, then the possessive in lower case.
        guard p + 1 < w.count, !w[p].newlineBefore, w[p].start - x.end == 2, t.v[x.end + 1] == 0x20, kinPossessives.contains(w[p].hash),
            !w[p].isCapitalized
        else { return false }
        var k = p + 1
        if kinAdjectives.contains(w[k].hash), k + 1 < w.count, sameLine(t, w[k], w[k + 1]) { k += 1 }
        // The kin noun, not in capitals and not itself a possessive ("Austin, my sister's city").
        guard sameLine(t, w[k - 1], w[k]), kinNouns.contains(w[k].hash), !w[k].isCapitalized, w[k].next != 0x27, w[k].next != 0x2019 else {
            return false
        }
        guard candidate(x), !assistants.contains(x.hash), !softwareWords.contains(x.hash) else { return false }
        // A census first name; any other word only after an English possessive and inside a sentence ("Merci, mon
        // ami", "Enfin, ma mère" open theirs with an interjection), and never before a noun firms stand after.
        if !firstNames.contains(x.hash) {
            guard !englishWords.contains(x.hash), englishPossessives.contains(w[p].hash), !sentenceStart(x), !firmKin.contains(w[k].hash) else {
                return false
            }
        }
        return !characterKin(w, p, facts)
    }

    /// What is spoken of as someone's own: a partner, a parent as a child speaks of them, and the events of a
    /// life ("Femi's birthday", "Ama's passing", "Lucía's mum"). Not the kin of riddles and word problems
    /// ("Jay's brother has a brother", "Mike's mother had four kids", "Sarah's cousin").
    private let lifeNouns = Chars.hashSet(lifePeopleWords + " " + lifeEventWords)
    private static let lifePeopleWords = "mum mom mam dad wife husband boyfriend girlfriend fiance fiancé fiancee fiancée"
    private static let lifeEventWords = "birthday funeral wedding passing memorial divorce retirement graduation christening baptism"
    /// The events of `lifeNouns` (the rest are people).
    private let eventNouns = Chars.hashSet(lifeEventWords)
    /// Words after a life's event that make it a shop's, a venue's or a plan's ("Macy's wedding registry",
    /// "Denny's birthday deal", "Lowe's retirement plan", "Sainsbury's wedding cakes").
    private let offerNouns = Chars.hashSet(
        """
        registry registries plan plans deal deals offer offers reward rewards club discount discounts coupon coupons menu
        freebie freebies special specials package packages venue venues dress dresses cake cakes community communities
        director directors home homes service services savings account accounts program programme collection
        """)
    /// Spelled ordinals, before a birthday ("Ama's fortieth birthday", "Maeve's twenty-first birthday").
    private let ordinalWords: WordSet = {
        let units = "first second third fourth fifth sixth seventh eighth ninth"
        let single = """
            \(units) tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth
            twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth hundredth
            """
        let tens = "twenty thirty forty fifty sixty seventy eighty ninety".split(separator: " ")
        let compound = tens.flatMap { ten in units.split(separator: " ").map { "\(ten)-\($0)" } }
        return Chars.hashSet(single + " " + compound.joined(separator: " "))
    }()
    /// Words between a possessive and a life's event: "late", "surprise", "upcoming", "ex".
    private let lifeAdjectives = Chars.hashSet("late surprise upcoming ex")
    private let birthdayHash = Chars.hash("birthday")
    private let ordinalEndings = Chars.hashSet("st nd rd th")
    private let petNouns = Chars.hashSet("dog dogs cat cats puppy kitten hamster rabbit bunny parrot horse pony pet pets")

    /// Whether `w[i]`, a name-like word, is followed by "'s" (or "’s") and a word of `lifeNouns`, and the text
    /// is no story ("Elsa's sister" in a book's chapter). "Mother's Day" is no name: an everyday word must be
    /// a census first name.
    private func possessedLife(_ t: ScalarText, _ w: [Word], _ i: Int, _ facts: () -> TextFacts) -> Bool {
        let x = w[i]
        // "Femi's birthday", or "James' birthday" after a name ending in s.
        var life: Int
        if i + 2 < w.count, w[i + 1].start == x.end + 1, w[i + 1].isPossessiveS(t), w[i + 1].next == 0x20,
            sameLine(t, w[i + 1], w[i + 2])
        {
            life = i + 2
        } else if i + 1 < w.count, t.v[x.end - 1] | 0x20 == 0x73, w[i + 1].start == x.end + 2, t.v[x.end + 1] == 0x20 {
            life = i + 1
        } else {
            return false
        }
        // "Femi's 30th birthday", "Ama's fortieth birthday" (an ordinal before a birthday only: "Beyoncé's second
        // wedding" is a famous one's), "Tunde's late wife", "Priya's surprise birthday".
        let k = life
        if w[k].isNumber, k + 2 < w.count, w[k + 1].start == w[k].end, ordinalEndings.contains(w[k + 1].hash), sameLine(t, w[k + 1], w[k + 2]),
            w[k + 2].hash == birthdayHash
        {
            life = k + 2
        } else if ordinalWords.contains(w[k].hash), k + 1 < w.count, sameLine(t, w[k], w[k + 1]), w[k + 1].hash == birthdayHash {
            life = k + 1
        } else if lifeAdjectives.contains(w[k].hash), k + 1 < w.count, sameLine(t, w[k], w[k + 1]) {
            life = k + 1
        }
        guard lifeNouns.contains(w[life].hash) else { return false }
        if life + 1 < w.count, sameLine(t, w[life], w[life + 1]), offerNouns.contains(w[life + 1].hash) { return false }
        guard candidate(x), !assistants.contains(x.hash), !softwareWords.contains(x.hash),
            firstNames.contains(x.hash) || !englishWords.contains(x.hash)
        else { return false }
        // The end of a longer name is a title's or a famous one's ("Queen Elizabeth's funeral").
        if i > 0, sameLine(t, w[i - 1], x), w[i - 1].isCapitalized, !sentenceStart(w[i - 1]) { return false }
        // The writer's own people: a text where the writer speaks of themselves or to someone (famous people's,
        // characters', brands' and riddles' birthdays and wives are asked about in the third person), and no
        // pet's ("Luna's birthday… she's my cat").
        let f = facts()
        guard f.spoken && !f.problem && !f.aboutAWork && !f.pets else { return false }
        // A question that the asker is not in, about the past, about who someone's partner or parent is, or
        // in a quiz or an essay, is about a famous one ("Who is Beyoncé's husband? you're the expert", "When
        // was William's wedding?", "When is Elvis's birthday? I'm making a pub quiz"); not "When is Maeve's
        // birthday party again? I forgot", "Who is coming to Dario's retirement dinner?".
        return !famousQuestion(w, i, lifeNoun: w[life], trivia: f.trivia)
    }

    /// Whether `w[i]` is in a question (a sentence that ends with "?" within 40 words) with no word of the
    /// writer or the reader in it, that asks about the past, asks who a partner or parent is, or is a
    /// quiz's or an essay's (`trivia`).
    private func famousQuestion(_ w: [Word], _ i: Int, lifeNoun: Word, trivia: Bool) -> Bool {
        var k = i
        while k > 0, i - k < 40, !sentenceStart(w[k]) { k -= 1 }
        guard sentenceStart(w[k]) else { return false }
        var past = false
        var m = k
        while m < w.count, m - k < 40 {
            let x = w[m]
            if speaks(x) { return false }
            if pastWords.contains(x.hash) { past = true }
            if x.next == 0x3F {
                guard m >= i else { return false }
                return trivia || past || (whoWords.contains(w[k].hash) && !eventNouns.contains(lifeNoun.hash))
            }
            if x.next == 0x2E || x.next == 0x21 || x.next == 0x0A { return false }
            m += 1
        }
        return false
    }
    private let pastWords = Chars.hashSet("was were happened")
    private let whoWords = Chars.hashSet("who whom")
    /// Words of a quiz, a lesson or an essay: famous people's lives are asked about there.
    private let triviaWords = Chars.hashSet("quiz quizzes trivia essay homework history historical biography lesson exam")

    /// What the kin and life-event rules ask of the whole text, found once per text (a rule that scanned
    /// the text at every kin noun would be quadratic).
    struct TextFacts {
        /// A word of a text about a work (`worksWords`, `weakWorksWords`, or "the book", "a book"…).
        var aboutAWork = false
        /// A word that is surely a work's (`worksWords`: chapter, novel, episode, fanfic…).
        var aboutAWorkSurely = false
        /// A pet's noun.
        var pets = false
        /// The writer speaks of themselves or to someone: a first- or second-person word.
        var spoken = false
        /// A word of a quiz, a lesson or an essay (`triviaWords`).
        var trivia = false
        /// A word problem (`wordProblem`).
        var problem = false
    }

    private func textFacts(_ w: [Word]) -> TextFacts {
        var f = TextFacts(problem: wordProblem(w))
        for (k, x) in w.enumerated() {
            if worksWords.contains(x.hash) {
                f.aboutAWork = true
                f.aboutAWorkSurely = true
            } else if weakWorksWords.contains(x.hash) {
                f.aboutAWork = true
            } else if bookWords.contains(x.hash), k > 0, bookDeterminers.contains(w[k - 1].hash), k + 1 == w.count || w[k + 1].hash != clubHash {
                f.aboutAWork = true  // "the book", "her books"; not "book a table", "our book club"
            }
            if petNouns.contains(x.hash) { f.pets = true }
            if triviaWords.contains(x.hash) { f.trivia = true }
            if speaks(x) { f.spoken = true }
        }
        return f
    }

    /// Words only people in a chat write ("ok" is a log's too).
    private let chatWords = Chars.hashSet(
        """
        lol ugh thanks thx ty sure maybe haha omg pls plz sorry hey hi yeah yep nope cool nice great finally awesome ikr \
        idk tbh i'm i'll i've i'd you're you'll you've we're we'll i’m i’ll i’ve i’d you’re you’ll you’ve we’re we’ll
        """)
    /// A word of the writer speaking of themselves or to the reader (`firstPersonWords`, `secondPersonWords`).
    private func speaks(_ x: Word) -> Bool { firstPersonWords.contains(x.hash) || secondPersonWords.contains(x.hash) }
    private let secondPersonWords = Chars.hashSet(
        "you your yours u ur du dein deine tu ton ta vous votre tú usted jij je jouw you're you've you'll you'd you’re you’ve you’ll you’d")

    /// Whether the first name `w[i]` does what people do, on its line: a verb of saying, thinking,
    /// wanting or dealing with others follows it ("Dario said", "Ngozi thinks", "Fatima proposed"), it is
    /// joined to the writer ("Callum and I", "Me and Aisling"), or "who" follows it ("Kwabena, who is
    /// retiring").
    private func humanRole(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        guard i + 1 < w.count, !w[i + 1].newlineBefore else { return false }
        // What a text is about is no one it deals with ("reading about Napoleon and I wonder…").
        if i > 0, sameLine(t, w[i - 1], x), topicWords.contains(w[i - 1].hash) { return false }
        if x.next == 0x2C { return w[i + 1].hash == whoHash || w[i + 1].hash == whoseHash }
        guard sameLine(t, x, w[i + 1]) else { return false }
        // The verb, after an adverb ("Lars just wants", "Amara sometimes takes") or after a second name
        // joined to this one ("Julien and Mariana agreed", "Lena and Piotr want").
        var k = i + 1
        if conjunctions.contains(w[k].hash), k + 1 < w.count, sameLine(t, w[k], w[k + 1]) {
            let y = w[k + 1]
            if y.hash == iHash || y.hash == meHash { return true }  // "Callum and I"
            guard y.isCapitalized, !y.isAllCaps, firstNames.contains(y.hash), k + 2 < w.count, sameLine(t, y, w[k + 2]) else { return false }
            k += 2
        }
        // Where the person is from, in lower case or as a team's acronym: "Fatima from billing thinks", "Alex from
        // the bank wants", "Priya from HR says". Not a capitalised name: "Jake from State Farm", "Rachel from
        // Friends", "Elsa from Frozen" are brands' and stories' characters as often as people.
        if w[k].hash == fromHash {
            var m = k + 1
            while m < w.count, m <= k + 3, sameLine(t, w[m - 1], w[m]), !humanVerbs.contains(w[m].hash),
                !w[m].isCapitalized || (m == k + 1 && w[m].isAllCaps && w[m].length <= 4)
            {
                m += 1
            }
            guard m > k + 1, m < w.count, sameLine(t, w[m - 1], w[m]) else { return false }
            k = m
        }
        if adverbs.contains(w[k].hash), k + 1 < w.count, sameLine(t, w[k], w[k + 1]) { k += 1 }
        if !w[k].isCapitalized, humanVerbs.contains(w[k].hash) { return true }
        // "Me and Aisling", "I and Tomasz".
        return i >= 2 && sameLine(t, w[i - 1], x) && w[i - 1].hash == andHash && (w[i - 2].hash == iHash || w[i - 2].hash == meHash)
    }

    private let topicWords = Chars.hashSet("about of on regarding like as")
    private let adverbs = Chars.hashSet("just also then still already never always really sometimes often usually")

    private let whoHash = Chars.hash("who")
    private let whoseHash = Chars.hash("whose")
    /// What people do and tools, places and products do not: say, think, want, agree, propose, text, host.
    private let humanVerbs = Chars.hashSet(
        """
        said says told tells asked asks thinks thought wants wanted agreed agrees disagreed disagrees proposed proposes
        suggested suggests prefers preferred knows knew texted emailed messaged replied mentioned promised complained
        apologised apologized joined covers covered hosts hosting invited decided offered refused laughed cried loves
        hates likes feels felt admitted confirmed insisted claims claimed argued argues worries worried reckons wrote
        writes sent sends called phoned rang explained believes believed remembers forgot misses missed want agree think
        say propose suggest prefer know like love hate feel worry argue decide
        sagte sagt meinte meint dit dijo dice detto disse diz zei zegt sa sade säger sagde siger powiedział powiedziała
        dedi bilang nói bảo
        """)
    /// Words of a text about a work or a public sphere, where first names are characters and public people.
    private let worksWords = Chars.hashSet(
        """
        chapter chapters novel novels film films movie movies episode episodes character characters verse verses
        scripture bible fanfic fiction series thee thou thy unto hath doth saith chanson comptine canción lullaby
        """)
    /// Words of works that are also what people ask to have written or do themselves: poems, songs and their lyrics,
    /// stories, plays, a season, players.
    private let weakWorksWords = Chars.hashSet("poem poems song songs lyrics story stories play plays season championship player players league")
    private let bookWords = Chars.hashSet("book books")
    private let bookDeterminers = Chars.hashSet("the a this that his her their its my your our")
    private let clubHash = Chars.hash("club")

    /// Whether `x` is a sentence of its own: a line's or a sentence's start before it, a line's or the
    /// text's end (or a full stop or "!") after it ("…in Italy?\n\nFlorence", "Cheers.\nCormac").
    private func aloneInSentence(_ t: ScalarText, _ x: Word) -> Bool {
        let before = x.newlineBefore || x.previous == 0 || x.previous == 0x2E || x.previous == 0x21 || x.previous == 0x3F
        let after = x.next == 0 || x.next == 0x0A || x.next == 0x0D || x.next == 0x2E || x.next == 0x21
        return before && after
    }

    private let placeBefore = Chars.hashSet(
        "in from at near via visit visiting around towards st saint san santa lake mount mt fort port cape the a an ein eine una uno")
    private let placeAfter = Chars.hashSet(
        """
        station road street st airport city county lake river bay beach park square avenue hall bridge island valley hills
        mountains university college school hospital hotel church cathedral abbey centre center
        """)

    /// A word problem: figures and a question of amount ("How many are left?", "Wie viel Rückgeld bekommt
    /// Lena?", "Quante figurine ha Marco?"); its names are the problem's.
    private func wordProblem(_ w: [Word]) -> Bool {
        guard w.contains(where: \.isNumber) else { return false }
        for k in w.indices {
            if amountQuestions.contains(w[k].hash) { return true }
            if k + 1 < w.count, amountQuestionStarts.contains(w[k].hash), amountQuestionEnds.contains(w[k + 1].hash) { return true }
        }
        return false
    }

    private let amountQuestions = Chars.hashSet(
        "wieviel combien cuántos cuántas cuánto cuánta quanti quante quanto quanta quantos quantas hoeveel berapa kaç")
    private let amountQuestionStarts = Chars.hashSet("how wie hur hvor bao")
    private let amountQuestionEnds = Chars.hashSet("many much viel viele många mycket mange mye meget nhiêu")

    /// Words of correspondence, meetings and the people around one: a text with one is about people the
    /// writer knows ("Please summarise this chat: Fatima proposed…", "my flatmate jess").
    private let socialWords = Chars.hashSet(
        """
        chat chats meeting standup email emails colleague colleagues coworker coworkers boss teammate teammates neighbour
        neighbor flatmate roommate mum mom dad wife husband partner whatsapp slack discord telegram messenger
        """)

    /// Words of the writer speaking of themselves, in the languages the name lists cover: a text with one
    /// is about the writer's own life or work, where a first name that does what people do is someone
    /// they know ("Ngozi thinks we should…", "Callum and I"); word problems and stories are told in the
    /// third person. Words that are also another language's everyday word (mi, ma, min, vi, ja) are left out.
    private let firstPersonWords = Chars.hashSet(
        """
        i my me our we us mine ich mein meine meinen meinem meiner wir unser unsere uns je moi mon mes nous notre nos
        yo mis nosotros nuestro nuestra eu meu minha nós io mio mia noi nostro nostra ik mijn wij onze jag mitt mina
        jeg mitt mine mój moja moje nasz nasza benim biz bizim saya aku kami kita tôi mình
        i'm i've i'll i'd we're we've we'll we'd i’m i’ve i’ll i’d we’re we’ve we’ll we’d
        """)
    /// Words of other languages that the census lists hold as first names, and that a sentence opens
    /// with ("Tu peux…", "Mi riassumi…", "Leider muss ich…", "Yeni adresimiz…"): no evidence of a person
    /// even in a letter.
    private let otherLanguagesWords = Chars.hashSet(
        "tu mi ha hai ja le ma nu ona pero sie su ta ty vi hoy dann leider tod yeni daire elle gia oma opa sol mai")

    /// Word `i + 1` starts a message in lower case on the label's line: a word of letters, not the
    /// local part of an e-mail address.
    private func lowercaseMessage(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        guard i + 1 < w.count, !w[i + 1].newlineBefore, !w[i + 1].isCapitalized, !w[i + 1].isNumber else { return false }
        var k = w[i + 1].end
        while k < t.count, !Chars.isSpace(t.v[k]) {
            if t.v[k] == 0x40 { return false }
            k += 1
        }
        return true
    }

    /// Whether `w[i]` is a lower-case label at a line's start (or after a bullet) before a message on its line:
    /// a census first name that is no everyday word more often, no software's or assistant's name ("priya:",
    /// not "will:", "ruby:", "alexa:").
    private func lowerSpeaker(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        guard x.next == 0x3A, !x.isCapitalized, !x.isNumber, x.newlineBefore || x.previous == 0, candidate(x),
            i + 1 < w.count, !w[i + 1].newlineBefore, firstNames.contains(x.hash), !everydayFirstNames.contains(x.hash),
            !softwareWords.contains(x.hash), !assistants.contains(x.hash)
        else { return false }
        // Only spaces or a bullet between the line's start and the label.
        var k = x.start - 1
        while k >= 0, t.v[k] == 0x20 || t.v[k] == 0x09 { k -= 1 }
        if k >= 0, t.v[k] == 0x2D || t.v[k] == 0x2A || t.v[k] == 0x2022 {
            k -= 1
            while k >= 0, t.v[k] == 0x20 || t.v[k] == 0x09 { k -= 1 }
        }
        return k < 0 || t.v[k] == 0x0A || t.v[k] == 0x0D
    }

    /// Whether the text is a chat written in lower case (see its use in `scan`), from its lower-case labels
    /// (`lowerSpeaker`, the first 64).
    private func isLowerChat(_ t: ScalarText, _ w: [Word]) -> Bool {
        var lowerLabels: [UInt64] = []
        var wordy = 0
        var spoken = false
        for k in w.indices where lowerLabels.count < 64 && lowerSpeaker(t, w, k) {
            lowerLabels.append(w[k].hash)
            if k + 2 < w.count, !w[k + 2].newlineBefore, !w[k + 1].isNumber, !w[k + 2].isNumber, !w[k + 1].isCapitalized { wordy += 1 }
            // People in a chat speak to each other: "i", "you", "we", "lol", "thanks", or a question (the first 40
            // words of the line).
            var m = k + 1
            while !spoken, m < w.count, m <= k + 40, !w[m].newlineBefore {
                if speaks(w[m]) || chatWords.contains(w[m].hash) || w[m].next == 0x3F {
                    spoken = true
                }
                m += 1
            }
        }
        guard lowerLabels.count >= 3, wordy >= 1, spoken else { return false }
        var distinct: [UInt64] = []
        for h in lowerLabels where !distinct.contains(h) { distinct.append(h) }
        return distinct.count >= 2 && distinct.count < lowerLabels.count
    }

    /// A census first name, or no everyday or software word.
    private func nameLike(_ x: Word) -> Bool {
        firstNames.contains(x.hash) || !(englishWords.contains(x.hash) || softwareWords.contains(x.hash))
    }

    /// A word that can label a chat's speaker: name-like, and no mail header.
    private func speakerLabel(_ x: Word) -> Bool { !mailHeaders.contains(x.hash) && nameLike(x) }

    /// A mail's header labels in the languages of its threads ("Von:", "An:", "Betreff:", "Aan:").
    private let mailHeaders = Chars.hashSet(
        """
        von an betreff cc bcc datum gesendet objet de envoyé asunto para enviado onderwerp van aan verzonden oggetto da inviato \
        assunto enviada temat od do wysłano konu kimden kime tarih ämne från till skickat aihe lähettäjä vastaanottaja
        """)

    func scan(_ t: ScalarText, _ w: [Word], lowercaseText: Bool, into out: inout [Finding]) {
        var taken = [Bool](repeating: false, count: w.count)
        // Lone first names found (their indices in `out`, whether each is a sentence of its own and whether
        // it does what people do), and whether a rule of letters and messages fired.
        var lone: [(index: Int, word: Int, plain: Bool, alone: Bool, role: Bool)] = []
        // Vietnamese marks its tones on every syllable: folded, "thứ Sáu" (Friday) would be the name Sau.
        // Looked for once, and only when a word with diacritics is no name as written.
        var vietnamese: Bool?
        func mayFold() -> Bool {
            if vietnamese == nil { vietnamese = t.v.contains { ($0 >= 0x1EA0 && $0 <= 0x1EFF) || $0 == 0x01A1 || $0 == 0x01B0 || $0 == 0x0111 } }
            return !vietnamese!
        }
        var personal = false
        // A transcript: three lines or more start with a speaker's label, one of them said again (a
        // form's labels differ; a mail thread's headers repeat, but their values are no sentences).
        // One label at least must be a census first name ("Frage:/Antwort:", "Zutaten:/Zubereitung:" and
        // a thread's "Konu:/Kime:" repeat too).
        var labels: [UInt64] = []
        var repeated = false
        var person = false
        for x in w where (x.newlineBefore || x.previous == 0) && x.next == 0x3A && x.isCapitalized && !x.isAllCaps && !x.isNumber && speakerLabel(x) {
            if labels.contains(x.hash) { repeated = true }
            if firstNames.contains(x.hash) { person = true }
            labels.append(x.hash)
            if labels.count >= 3 && repeated && person { break }
            if labels.count >= 64 { break }
        }
        let transcript = labels.count >= 3 && repeated && person
        // A chat's stamped speakers: labels after a clock time, two of them different and one said again
        // (an agenda's "09:00 Registrierung:", "09:30 Begrüßung:" are said once; a log's ISO-dated
        // "Traefik:" never counts).
        var stamped: [UInt64] = []
        var stampedAgain = false
        for x in w where x.next == 0x3A && x.isCapitalized && !x.isAllCaps && !x.isNumber && !(x.newlineBefore || x.previous == 0) {
            guard stamped.count < 64, speakerLabel(x), stampBefore(t, x.start) > 0 else { continue }
            if stamped.contains(x.hash) { stampedAgain = true } else { stamped.append(x.hash) }
            if stamped.count >= 2 && stampedAgain { break }
        }
        let chat = stamped.count >= 2 && stampedAgain
        var factsFound: TextFacts?
        func facts() -> TextFacts {
            if factsFound == nil { factsFound = textFacts(w) }
            return factsFound!
        }
        // A chat written in lower case ("priya: ok so sat or sun?\ntom: sun works\npriya: aisha can't"): three lines
        // or more open with a lower-case census first name, two names or more, one said again; a message is of
        // words, and one speaks to someone or asks (a config's keys are said once and take values:
        // fonts, hosts, "max: 10"; a deploy bot's or a host's lines speak to no one).
        let lowerChat = isLowerChat(t, w)
        func add(_ s: Int, _ e: Int, _ score: Double) {
            guard e > s, !(s..<e).contains(where: { taken[$0] }) else { return }
            // A version after it makes it a product ("Claude Opus 4.5", "Gemini 2.5"); a lower-case
            // word hyphened to either end makes it a compound ("Session-only", "CWD-dependent").
            if versionAfter(t, w[e - 1].end) || hyphenedLowercase(t, w[s].start, w[e - 1].end) { return }
            // A month next to a number is a date ("Date: Tue, 4 Jun 2024", "Customer — Jun 9, 2024",
            // "June 3rd"), not the first name it can also be.
            // Other languages write the day first ("4 Juni 2024", "12 Haziran Çarşamba"; "Maja 601 234 567"
            // is a name and a phone number). A census name with the month makes it a name ("2 Julio
            // Ramirez", "John Mayo 0412 …", "Seat 14 Mei Chen").
            if s > 0, w[s - 1].isNumber, sameLine(t, w[s - 1], w[s]), monthNames.contains(w[s].hash) || foreignMonthNames.contains(w[s].hash),
                !w[(s + 1)..<e].contains(where: { firstNames.contains($0.hash) || surnames.contains($0.hash) })
            {
                return
            }
            if e == s + 1, e < w.count, w[e].isNumber, sameLine(t, w[e - 1], w[e]), monthNames.contains(w[s].hash) { return }
            // A label for a date of birth or a passport number is no name ("Doğum Tarihi: 03.08.1979",
            // "Pass-Nr. CZ6K3L1R4").
            if labelWord(t, w[s].start, w[e - 1].end) { return }
            // A table's header row names its columns ("| Candidate | Stage | Contact | Notes |", where a
            // cue word is a column's name); a full name there is a person all the same ("| Patient |
            // Maria Lopez |").
            if e == s + 1, tableHeader(t, w[s].end) { return }
            for k in s..<e { taken[k] = true }
            out.append(Finding(type: .person, start: w[s].start, end: w[e - 1].end, score: score))
        }
        var i = 0
        while i < w.count {
            let x = w[i]
            if x.isNumber {
                i += 1
                continue
            }
            // Names in capitals, as passports, forms and tickets write them.
            if x.isAllCaps && x.length >= 2, let e = allCapsName(t, w, i) {
                add(i, e, 0.8)
                i = e
                continue
            }
            // Initials and a surname: "J.K. Abernathy", "T. Oyelaran", "M. Dubois-Mercier".
            if x.length == 1 && x.isCapitalized && x.next == 0x2E, let e = initialsName(t, w, i) {
                add(i, e, 0.75)
                i = e
                continue
            }
            // A Chinese name in pinyin: "Liu Siyuan", "Siyuan Liu", "JIANG HAORAN".
            if x.isCapitalized && i + 1 < w.count && (pinyinSurnames.contains(x.hash) || pinyinSurnames.contains(w[i + 1].hash))
                && pinyinName(t, w, i)
            {
                add(i, i + 2, 0.8)
                i += 2
                continue
            }
            // Titles of other languages, also in lower case in a sentence: "Mme Boissonnade", "dhr.
            // Zwanenburg", "meneer Zwanenburg", "Frau Könighaus", "Dott. Ferri", "Sra. Echeverría" (not "Sr.": a
            // senior engineer; abbreviations only with their dot: "Sig Sauer", "ING Group" are no titles).
            if i + 1 < w.count, w[i + 1].isCapitalized, x.length <= 11,
                foreignTitles.contains(x.hash) || (x.next == 0x2E && foreignTitleAbbreviations.contains(x.hash)),
                !x.isAllCaps || x.length == 1, !w[i + 1].newlineBefore, w[i + 1].start - x.end <= 2,
                (x.end..<w[i + 1].start).allSatisfy({ t.v[$0] == 0x20 || t.v[$0] == 0x2E }), !w[i + 1].isNumber,
                !stopWords.contains(w[i + 1].hash), !streetTypes.contains(w[i + 1].hash)
            {
                let e = extendName(t, w, i + 1, lowercase: false)
                add(i + 1, e, 0.85)
                i = e
                continue
            }
            // Honorific: "Dr. Berta Szöllössy", "ms. Marcela".
            // Lower case only in lower-case text ("cache miss. Right when…" is no "Miss Right").
            if honorifics.contains(x.hash), i + 1 < w.count, sameLine(t, x, w[i + 1]), x.isCapitalized || lowercaseText,
                !(x.hash == missHash && x.next == 0x2E),
                (w[i + 1].isCapitalized && !w[i + 1].isNumber && !stopWords.contains(w[i + 1].hash)) || (candidate(w[i + 1]) && lowercaseText)
            {
                let e = extendName(t, w, i + 1, lowercase: lowercaseText)
                add(i + 1, e, 0.85)
                i = e
                continue
            }
            // A greeting of another language at a line's start, before the name it greets: "Hallo Jürgen,",
            // "Bonjour Maëlle !", "Chào anh Khoa,", "Hola Sra. Ibáñez:" (English "Dear", "Hi" are cues below).
            if greetings.contains(x.hash), x.newlineBefore || x.previous == 0 || x.previous == 0x22 || x.previous == 0x3A,
                let (s, e) = greeted(t, w, i)
            {
                personal = true
                add(s, e, 0.75)
                i = e
                continue
            }
            // A signature: the name alone on the line after a closing ("Best regards,\nHonza", "Grazie!\nMatteo"),
            // after a closing on its own line ("Cheers, Kemi") or after a dash ("— Tess", "…handover? — Priya");
            // several joined ("Love,\nSophie & James", "Amitiés,\nClaire et Yannick").
            if x.isCapitalized, !x.isAllCaps, let (names, score) = signature(t, w, i) {
                personal = true
                for (s, e) in names { add(s, e, score) }
                i = names[names.count - 1].1
                continue
            }
            // A letter's salutation line of the name alone: "Saoirse,\n\nThanks again for…".
            if x.isCapitalized, !x.isAllCaps, let e = salutationLine(t, w, i) {
                personal = true
                add(i, e, 0.7)
                i = e
                continue
            }
            // Cue phrases: "name is X", "name: X", "name? X", "User: X", "named X", "it to X", "under X". A kin
            // noun after a possessive has the kin rule's exclusions: not in a text about a work ("In chapter 3,
            // her sister Elsa…"), nor in a title ("My Brother Jonathan").
            if i + 1 < w.count, isCue(t, w, i), !(kinNouns.contains(x.hash) && kinTitleOrWork(t, w, i, facts)) {
                var j = i + 1
                if objectPronouns.contains(w[j].hash), j + 1 < w.count { j += 1 }
                let y = w[j]
                // The name follows in the same sentence ("called.\n\nDeferred tools" is no cue), and a
                // lower-case one is no everyday or software word ("is called original", "named workflows").
                let sameSentence = !(w[j - 1].end..<y.start).contains { k in
                    let c = t.v[k]
                    return c == 0x2E || c == 0x21 || c == 0x0A || (c == 0x3F && x.hash != nameHash)
                }
                let plainWord =
                    englishWords.contains(y.hash) || softwareWords.contains(y.hash)
                    || (!lowercaseText && !y.isCapitalized && !firstNames.contains(y.hash) && !surnames.contains(y.hash))
                // "Dear Parent", "Hi Hiring Manager", "Happy birthday, Grandma": a letter to a role or kin; "Hey Siri"
                // calls an assistant.
                let role = addressedRoles.contains(y.hash) || (englishGreetings.contains(x.hash) && assistants.contains(y.hash))
                if sameSentence, !role,
                    (capitalizedCandidate(y)
                        || (lowercaseText || (strongCue(t, w, i) && x.next != 0x3A)) && candidate(y) && !y.isCapitalized && !notNames.contains(y.hash)
                            && !plainWord)
                        && !y.isNumber
                {
                    let e = extendName(t, w, j, lowercase: lowercaseText || !y.isCapitalized)
                    // One everyday word after a YAML key is a step's or a job's name ("- name: Deploy").
                    if !(e == j + 1 && englishWords.contains(y.hash) && !firstNames.contains(y.hash) && yamlKey(t, x)) {
                        // A letter's or a message's greeting ("Hi Julian,"; not "come, dear Fritz" in a poem).
                        if englishGreetings.contains(x.hash), x.newlineBefore || x.previous == 0 || x.previous == 0x3A || x.previous == 0x22 {
                            personal = true
                        }
                        add(j, e, 0.8)
                        i = e
                        continue
                    }
                }
            }
            // A first name addressed at a clause's start: "Maria can you review this?", "Beatrix please don't…",
            // "Sanne jij hebt de sleutel".
            if x.isCapitalized, !x.isAllCaps, plainFirstName(x), addressed(t, w, i) {
                personal = true
                add(i, i + 1, 0.6)
                i += 1
                continue
            }
            // A verb whose object is a person, before a first name: "ask Imani or me", "ty Owen.", "tell
            // Tariq", "remind Dario".
            // So is a verb of correspondence before "to" ("Reply to Ngozi saying…", "write to Domenico").
            let to = correspondenceVerbs.contains(x.hash) && i + 2 < w.count && w[i + 1].hash == toHash && sameLine(t, x, w[i + 1]) ? 1 : 0
            if personVerbs.contains(x.hash) || to == 1, !x.isCapitalized || x.newlineBefore || x.previous == 0, i + 1 + to < w.count,
                sameLine(t, w[i + to], w[i + 1 + to]), w[i + 1 + to].isCapitalized, !w[i + 1 + to].isAllCaps, plainFirstName(w[i + 1 + to]),
                !honorifics.contains(w[i + 1 + to].hash), !productAfter(t, w, i + 1 + to)
            {
                let e = extendName(t, w, i + 1 + to, lowercase: false)
                personal = true
                add(i + 1 + to, e, e > i + 2 + to ? 0.7 : 0.6)
                i = e
                continue
            }
            // A caller or writer introducing themselves: "Hi, this is Fatima from billing" (a first name:
            // "this is Python" is no person).
            if x.hash == thisHash, i + 2 < w.count, w[i + 1].hash == isHash, sameLine(t, x, w[i + 1]), sameLine(t, w[i + 1], w[i + 2]),
                w[i + 2].isCapitalized, !w[i + 2].isAllCaps, firstNames.contains(w[i + 2].hash), !productAfter(t, w, i + 2)
            {
                let e = extendName(t, w, i + 2, lowercase: false)
                // …then the end of the clause or "from", "here", "speaking" ("this is Claude's config" is no greeting).
                let after = w[e - 1].next
                if after == 0x2C || after == 0x2E || after == 0x21 || after == 0x0A || after == 0
                    || (after == 0x20 && e < w.count && sameLine(t, w[e - 1], w[e]) && introductionTails.contains(w[e].hash))
                {
                    add(i + 2, e, 0.75)
                    i = e
                    continue
                }
            }
            // Chat speaker label at a line start or after a message's time stamp: "Nicole: …",
            // "[02/06/2024, 18:03:11] Saoirse: ok so…", "03:22 Ashwin: CPU at 98%".
            // After a time stamp the line is a message whatever follows ("…] Saoirse: ok so bbq is…"),
            // and its label a speaker unless it is an everyday or software word.
            // So is it in a transcript, before a message in lower case ("Priyanka: tue all day", "Chidi:
            // wed or thu"; not a mail header's address, "Kime: destek@…"). A stamped speaker scores 0.7:
            // a chat's time stamps and the tokens in its messages ("2pm-ish", an Eircode) do not make it
            // technical text, where a lone word under 0.7 is taken for a product's or a header's name.
            if x.isCapitalized, candidate(x), x.next == 0x3A, !x.isAllCaps {
                let atLineStart = x.newlineBefore || x.previous == 0
                // A chat app's date and time stamp, or a time and a census name or other stamped speakers.
                let stamp = atLineStart ? 0 : stampBefore(t, x.start)
                let stamped = stamp > 0 && (firstNames.contains(x.hash) || ((stamp == 2 || chat) && speakerLabel(x)))
                if stamped || (atLineStart && (speakerLine(t, w, i) || (transcript && speakerLabel(x) && lowercaseMessage(t, w, i)))) {
                    // One label at a text's start may be a task's ("Esercizio: Marco ha 24 figurine…").
                    if stamped { personal = true }
                    add(i, i + 1, stamped ? 0.7 : 0.6)
                    i += 1
                    continue
                }
            }
            if lowerChat, lowerSpeaker(t, w, i) {
                personal = true
                add(i, i + 1, 0.6)
                i += 1
                continue
            }
            // A chat export's author line: a name and the time ("Kasia Nowicka  8:02 AM", "Anaïs 10:04 —
            // on garde…", "Linnea 08:45: kan någon…").
            if x.isCapitalized, !x.isAllCaps, x.newlineBefore || x.previous == 0, let e = authorBeforeTime(t, w, i) {
                personal = true
                add(i, e, 0.6)
                i = e
                continue
            }
            // A roster's "Surname, Given" at a line's start or in a quoted CSV cell: "Pemberton, Lucy -
            // lpemberton@…", "Tran, Bao — 2009-10-03", "\"Lopez, Daniela\",dani.lopez@…".
            if x.isCapitalized, !x.isAllCaps, x.newlineBefore || x.previous == 0 || x.previous == 0x22, let e = surnameFirst(t, w, i) {
                add(i, e, 0.7)
                i = e
                continue
            }
            // A mailbox's display name: "Priya Raman <p.raman@example.com>", "\"Ana Lima\" <…>" (git
            // authors and trailers, mail headers). Two to four capitalised words, no software word.
            if x.isCapitalized, !x.isAllCaps, !x.isNumber, let e = displayName(t, w, i) {
                personal = true
                add(i, e, 0.75)
                i = e
                continue
            }
            // Someone the writer names by their relation to someone: "my partner Tunde", "my cousin Ciarán",
            // "my flatmate jess", "her late husband Tunde Bakare", "mia sorella Giulia", "mijn collega Joris".
            if kinNouns.contains(x.hash) || x.hash == lawHash, let j = kinName(t, w, i, facts) {
                let e = extendName(t, w, j, lowercase: !w[j].isCapitalized)
                add(j, e, 0.7)
                i = e
                continue
            }
            // A name and, after a comma, its relation to the writer: "Priyanka, my sister, …", "Tunde, her late husband".
            if x.isCapitalized, !x.isAllCaps, x.next == 0x2C, appositiveKin(t, w, i, facts) {
                add(i, i + 1, 0.7)
                i += 1
                continue
            }
            // A name whose family or life events are spoken of: "Lucía's mum", "Femi's birthday", "Ama's passing".
            if x.isCapitalized, !x.isAllCaps, x.next == 0x27 || x.next == 0x2019, possessedLife(t, w, i, facts) {
                add(i, i + 1, 0.6)
                i += 1
                continue
            }
            // Census first name, then capitalised words or initials.
            if capitalizedCandidate(x) || (lowercaseText && candidate(x)) {
                let isFirst = foldedFirstName(t, x, fold: mayFold())
                // A verb that takes a person before a first name is not part of the name: "Call Jane
                // Smith", "Ask Maria Garcia", "Email John about it" (the name starts at the next word).
                // Only these verbs: another capitalised word there may be the surname written first
                // ("Young Kim", "Brown Emily"), and must stay in the span that is redacted.
                if !isFirst, !lowercaseText, nameVerbs.contains(x.hash), i + 1 < w.count,
                    sameLine(t, x, w[i + 1]), w[i + 1].isCapitalized, firstNames.contains(w[i + 1].hash)
                {
                    i += 1
                    continue
                }
                // A first name before a software word or an acronym is a product ("Claude API",
                // "Claude Agent SDK", "Ruby Gems"), not a person.
                if isFirst, productAfter(t, w, i) {
                    i += 2
                    continue
                }
                if isFirst {
                    let e = extendName(t, w, i, lowercase: lowercaseText)
                    // One word said again ("set alpha alpha alpha", "Echo Echo") is a pattern, not a name.
                    let repeated = e > i + 1 && w[(i + 1)..<e].allSatisfy { $0.hash == x.hash }
                    // Alone, an all-caps first name is an acronym ("THE AI ASSISTANT", "ED", "AL"), and
                    // an article of another language is an article ("Le mot de passe …").
                    if !repeated, e > i + 1 || (!lowercaseText && !(x.isAllCaps && x.length > 1) && !articles.contains(x.hash)) {
                        let found = out.count
                        add(i, e, e > i + 1 ? 0.7 : 0.45)
                        // Lone, it may be raised below in a text that names people.
                        if out.count > found, e == i + 1, proseName(t, w, i) {
                            lone.append((found, i, !englishWords.contains(x.hash), aloneInSentence(t, x), humanRole(t, w, i)))
                        }
                        i = e
                        continue
                    }
                }
                // Capitalised pair of non-dictionary words where the second is a census surname, or
                // words written with diacritics typical of names.
                if !lowercaseText, i + 1 < w.count, sameLine(t, x, w[i + 1]) {
                    let e = extendName(t, w, i, lowercase: false, max: 3)
                    if e > i + 1 {
                        let words = w[i..<e]
                        // Title-case common English or software words ("Begin Patch", "Rust
                        // Workspace", "Tool Guidelines") are a heading, not a name, when none is a
                        // census first name (the common-word list leaves those out).
                        if words.allSatisfy({ englishWords.contains($0.hash) || softwareWords.contains($0.hash) }) {
                            // Surnames are common words too ("Kumar Singh", "Wang Chen"): one from the
                            // census keeps the pair, weakly, unless the line is a markdown heading
                            // ("*** Begin Patch").
                            if words.contains(where: { surnames.contains($0.hash) }) && !headingLine(t, w[i].start) { add(i, e, 0.45) }
                            i = e
                            continue
                        }
                        // A surname that is also an everyday word ("Patch", "Rust") is no evidence.
                        let lexical = words.contains {
                            firstNames.contains($0.hash) || (surnames.contains($0.hash) && !englishWords.contains($0.hash))
                        }
                        let accented = words.allSatisfy { !$0.isAllCaps } && words.contains { $0.hasNonASCII }
                        // Two or three capitalised words that are no dictionary word: a name, weakly.
                        let plain = words.allSatisfy { !$0.isAllCaps } && words.last!.next != 0x3A
                        // A sentence's first word is capitalised for being first: a gerund there before
                        // a first name is not part of the name ("Planning Maeve's party", "Meeting John
                        // at noon"; everyday words that are names stay: "Grace Kelly", "Summer Reyes").
                        if lexical, e == i + 2, sentenceStart(x), englishWords.contains(x.hash), !firstNames.contains(x.hash),
                            !surnames.contains(x.hash), firstNames.contains(w[i + 1].hash), x.length >= 5, x.endsWithIng(t)
                        {
                            add(i + 1, e, 0.6)
                            i = e
                            continue
                        }
                        if lexical || accented || plain {
                            add(i, e, lexical || accented ? 0.6 : 0.45)
                            i = e
                            continue
                        }
                    }
                }
                // Census surname alone, not at a sentence start, and no language or tool ("to Rust
                // and Python": the pseudonymised prompt would lose what it is about).
                if !lowercaseText, surnames.contains(x.hash), !sentenceStart(x), !softwareWords.contains(x.hash), !placeAt(t, w, i) {
                    add(i, i + 1, 0.4)
                    i += 1
                    continue
                }
            }
            i += 1
        }
        coordinate(t, w, &taken, lowercaseText: lowercaseText, into: &out)
        repeatMentions(w, &taken, into: &out)
        // A text that names people where letters and messages do (a greeting, a signature, a chat's
        // speakers, a mailbox, someone addressed or asked) names people in its prose too: "Hi Julian, …
        // Ifeoma prefers September. … Marisol", "[09:14] Richard: Dario said he'd look". A census first
        // name alone (0.45 elsewhere: a word problem's Marco, a novel's Harry) is then a person. `lone`
        // holds the indices of those findings in `out`.
        // Where the writer speaks of themselves or of the people around them ("Please summarise this chat:
        // Fatima proposed…", "Callum and I will bring…"), a first name that does what people do is a
        // person: it says, thinks, wants or proposes, it is joined to "I" or "me", "who" follows it. Not
        // any first name there: "I use Hugo for the docs", "We convert Kelvin to Celsius", "My kids love
        // Elsa"; and not in a text about a work (a novel's chapter, a song, a verse).
        let letter = personal || transcript || chat
        // A list of three first names or more, one after the other, is a list of people ("Present: Priya,
        // Rohan, Keisha, Mateus").
        var run = 1
        for k in lone.indices.dropFirst() {
            let (a, b) = (w[lone[k - 1].word], w[lone[k].word])
            run = lone[k].word == lone[k - 1].word + 1 && a.next == 0x2C && !b.newlineBefore ? run + 1 : 1
            if run == 3 { for m in (k - 2)...k { lone[m].role = true } } else if run > 3 { lone[k].role = true }
        }
        if !lone.isEmpty, !wordProblem(w) {
            let own =
                !letter && lone.contains(where: \.role)
                && w.contains(where: { firstPersonWords.contains($0.hash) || socialWords.contains($0.hash) })
                && !w.contains(where: { worksWords.contains($0.hash) })
            for l in lone where letter ? l.plain || l.role : own && l.role && !l.alone { out[l.index].score = 0.55 }
        }
    }

    /// "Surname, Given[ I.]" ending its cell: a census given name after the comma, a surname (or a
    /// word no dictionary has) before it, and then the end of the line, a dash, a tab, a bar, a
    /// bracket or, in a quoted cell, the closing quote ("Dallas, Austin, Houston" is a list of cities).
    /// Returns the index after the name.
    private func surnameFirst(_ t: ScalarText, _ w: [Word], _ i: Int) -> Int? {
        let x = w[i]
        guard x.next == 0x2C, i + 1 < w.count, t[x.end + 1] == 0x20, w[i + 1].start == x.end + 2 else { return nil }
        let y = w[i + 1]
        guard y.isCapitalized, !y.isAllCaps, !y.isNumber, firstNames.contains(y.hash), candidate(x),
            surnames.contains(x.hash) || !(englishWords.contains(x.hash) || softwareWords.contains(x.hash))
        else { return nil }
        var e = i + 2
        // A middle initial: "Hernandez, Maria L."
        if e < w.count, w[e].start == y.end + 1, t[y.end] == 0x20, w[e].length == 1, w[e].isCapitalized, w[e].next == 0x2E { e += 1 }
        var k = w[e - 1].end
        if t[k] == 0x2E, e > i + 2 { k += 1 }
        if x.previous == 0x22 { return t[k] == 0x22 ? e : nil }
        let c = t[k]
        if c == 0 || c == 0x0A || c == 0x0D || c == 0x09 { return e }
        guard c == 0x20 else { return nil }
        let d = t[k + 1]
        // - – — | ( <
        return d == 0x2D || d == 0x2013 || d == 0x2014 || d == 0x7C || d == 0x28 || d == 0x3C ? e : nil
    }

    private let objectPronouns = Chars.hashSet("him her them me")
    /// Month names, English and of the languages whose dates a prompt quotes ("7 Haziran 2024", "4 juin",
    /// "12 maja 2024"): next to a number they are a date, even where a census or another country's list
    /// has the same word as a given name (April, Julio, Mai, Haziran).
    private let monthNames = Chars.hashSet("jan feb mar apr may jun jul aug sep sept oct nov dec april june august")
    private let foreignMonthNames = Chars.hashSet(
        """
        janvier février mars avril mai juin juillet août septembre octobre novembre décembre \
        januar februar märz juni juli oktober dezember \
        enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre \
        janeiro fevereiro março maio junho julho setembro outubro novembro dezembro \
        gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre \
        januari februari maart mei augustus maret agustus desember \
        ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık \
        stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia
        """)
    /// Titles before a surname in French, German, Dutch, Spanish, Portuguese and Italian, written out…
    private let foreignTitles = Chars.hashSet(
        "monsieur madame mademoiselle mme mlle herr frau herrn meneer mevrouw señor señora señorita senhor senhora signor signora signorina")
    /// …and abbreviated (read only with their dot).
    private let foreignTitleAbbreviations = Chars.hashSet("hr fr dhr mevr dott dssa sig sigra ing avv sra srta")

    /// Verbs whose object is a person, in a chat's lower case ("ask Imani", "ty Owen"; not "ping", which takes
    /// hosts and regions: "ping Sydney region", nor "call", "meet", "wish", which take places, teams and
    /// functions as often: "call Austin and confirm", "I wish Jordan would lower its tariffs").
    private let personVerbs = Chars.hashSet("ask asked asking tell told remind thank ty thx cc dm text email tag")
    /// Verbs whose "to" takes the person one writes or speaks to.
    private let correspondenceVerbs = Chars.hashSet(
        "reply replied respond write wrote apologise apologize talk speak spoke explain forward introduce")
    /// Assistants', bots' and products' names that census lists have as first names ("ask Devin", "Travis
    /// please rebuild", "Cassandra can you scale", "Hallo Alexa").
    private let assistants = Chars.hashSet(
        "claude gemini siri alexa cortana copilot bard echo devin jules cody jasper erica athena hermes cassandra travis jenkins hudson kafka sentry sierra aurora jasmine ada harvey"
    )
    /// Words that address the listener right after a name: "please", and pronouns of other languages that
    /// follow no city ("Man you reverse…", "Paris vous attend", "Florence tu es magnifique" are no address).
    private let addressWords = Chars.hashSet("please pls plz jij du você voce kamu")
    /// Modal verbs before "you" or a pronoun of `addressWords` ("Kasia can you", "Joep kan jij").
    private let addressModals = Chars.hashSet("can could would will kan kun kannst peux pouvez puedes podes podés możesz mozesz bisa")
    private let youWords = Chars.hashSet("you u")

    /// A census first name that is no everyday, software or assistant's word and no word that is never a
    /// name: one a chat addresses or a verb takes ("Maria can you", "ask Imani"; not "Man you…", "ask
    /// Devin", "thank Jesus").
    private func plainFirstName(_ x: Word) -> Bool {
        firstNames.contains(x.hash) && !englishWords.contains(x.hash) && !assistants.contains(x.hash) && candidate(x)
            && !softwareWords.contains(x.hash)
    }

    /// Whether `w[i]` starts a clause (a line, a sentence, or after a comma or colon) and the words after it
    /// on its line address it: an address word, or a modal verb and an address word.
    private func addressed(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        guard x.newlineBefore || x.previous == 0 || x.previous == 0x2E || x.previous == 0x21 || x.previous == 0x3F || x.previous == 0x2C,
            i + 1 < w.count, sameLine(t, x, w[i + 1]), !w[i + 1].isCapitalized
        else { return false }
        if addressWords.contains(w[i + 1].hash) { return true }
        return addressModals.contains(w[i + 1].hash) && i + 2 < w.count && sameLine(t, w[i + 1], w[i + 2])
            && (addressWords.contains(w[i + 2].hash) || youWords.contains(w[i + 2].hash))
    }

    /// Greetings of other languages that open a letter or a message ("Hallo", "Bonjour", "Hola", "Ciao",
    /// "Olá", "Hoi", "Hej", "Cześć", "Merhaba", "Ahoj", "Chào"); `Lexicon.notNames` has those that are no
    /// surname or name too (not Lieber, Cher, Gentile, Moin).
    private let greetings = Chars.hashSet(
        """
        hallo moin servus liebe lieber bonjour bonsoir salut cher chère chere hola estimado estimada querido querida \
        ciao buongiorno buonasera gentile gentilissimo gentilissima olá oi prezado prezada hoi beste hej hei cześć \
        czesc witaj szanowny szanowna merhaba sayın ahoj chào kedves drogi droga drodzy kära kjære kære hyvä milý milá \
        değerli dragă stimate tisztelt geachte vážená vážený vážení milí szia gửi
        """)
    /// English greetings, which the cue phrases read ("Dear Parent", "Hey Siri" greet no person).
    private let englishGreetings = Chars.hashSet("hi hello hey dear")
    /// The roles a letter or a notice is addressed to ("Dear Parent,", "Dear Hiring Manager,").
    private let addressedRoles = Chars.hashSet(
        """
        parent parents hiring customer customers valued team sir madam manager applicant candidate recruiter committee editor
        reviewer colleague colleagues friend friends member members resident residents neighbour neighbor guest guests user
        users client clients partner partners student students teacher teachers patient patients shareholder everyone all folks
        recruitment panel hr grandma grandpa granny grandad mom mum dad mommy mummy daddy mother father sis bro guys
        everybody
        """)
    /// Titles of address between a greeting and a name: Vietnamese kinship terms ("Chào anh Khoa"),
    /// and the European titles (`foreignTitles`, "Sr.", "Sra.", "Dr.").
    private let addressTerms = Chars.hashSet("anh chị em bạn cô chú ông bà sr sra srta dr dra pan pani paní pane bay bayan heer dona dom")
    /// Words that end a letter's closing line ("Best regards,", "Thanks!!", "Mit freundlichen Grüßen",
    /// "Grazie!", "Cordialement,", "Trân trọng,", "Terima kasih,"), lower case.
    private let closings = Chars.hashSet(
        """
        regards sincerely respectfully condolences anteilnahme poważaniem çalışmalar saygılarımızla groetjes terveisiä \
        üdvözlettel stimă pozdrav hilsen hilsner terveisin sevgiyle współczucia warmly cordially grüße grüßen gruß grüsse gruss \
        mfg cordialement amitiés salutations saludos atentamente abrazos saluti cordiali distinti abraços atenciosamente \
        cumprimentos groet groeten pozdrawiam pozdrowienia serdecznie saygılarımla selamlar hormat trọng pozdravem hälsningar mvh \
        knus kram láskou
        """)
    /// A device's sign-off ("Sent from my iPhone"): a closing after "sent" only.
    private let devices = Chars.hashSet("iphone ipad android outlook")
    private let sentWords = Chars.hashSet("sent enviado gesendet envoyé inviato verzonden wysłane skickat")
    /// Closing words that are everyday words too ("Which is best?\nAustin", "Play it again\nSam"): a closing
    /// only with a comma or "!" after it ("Best,", "Love,", "thanks!!", "Thanks in advance,").
    private let everydayClosings = Chars.hashSet(
        """
        thanks thank thx ty cheers best yours truly love xoxo hugs wishes care soon again much advance sympathy gratitude friend \
        fuerte bald bientôt vous saludo abrazo abraço presto saya salam ái danke dank lg vg merci gracias grazie obrigado \
        obrigada bedankt dziękuję dzięki tack kiitos kasih teşekkürler děkuji díky bises bisous besos beijos beijinhos pupici \
        puszi makasih ơn
        """)

    /// "Hallo Jürgen,": the name after greeting `w[i]` (and a title of address): one to three name-like
    /// capitalised words on its line, one of them a census name ("Liebe Mitarbeiter", "Estimado Cliente",
    /// "Hallo Zusammen", "Merhaba Dünya" greet no person). Returns the name's range.
    private func greeted(_ t: ScalarText, _ w: [Word], _ i: Int) -> (Int, Int)? {
        var s = i + 1
        guard s < w.count, sameLine(t, w[i], w[s]) else { return nil }
        if addressTerms.contains(w[s].hash) || foreignTitles.contains(w[s].hash) {
            guard s + 1 < w.count, !w[s + 1].newlineBefore, w[s + 1].start - w[s].end <= 2,
                (w[s].end..<w[s + 1].start).allSatisfy({ t.v[$0] == 0x20 || t.v[$0] == 0x2E })
            else { return nil }
            s += 1
        }
        let e = nameWords(t, w, s, max: 3, accented: true)
        return e > s && !assistants.contains(w[s].hash) ? (s, e) : nil
    }

    /// The end of one to `max` name-like capitalised words from `w[s]` on one line, one of them a census
    /// first name or surname, or with `accented`, written with diacritics ("Hola Begoña": a greeting
    /// before it); `s` when there are none.
    private func nameWords(_ t: ScalarText, _ w: [Word], _ s: Int, max: Int, accented: Bool = false) -> Int {
        var e = s
        var census = false
        while e < w.count, e < s + max, capitalizedCandidate(w[e]), !w[e].isAllCaps, nameLike(w[e]), !assistants.contains(w[e].hash),
            e == s || sameLine(t, w[e - 1], w[e])
        {
            census = census || censusName(t, w[e]) || (accented && w[e].hasNonASCII)
            e += 1
        }
        return census ? e : s
    }

    /// Whether `x` is a census first name or surname, also written with diacritics the lists leave out
    /// ("Jürgen" for "juergen", "Ibáñez" for "ibanez").
    private func censusName(_ t: ScalarText, _ x: Word) -> Bool {
        if firstNames.contains(x.hash) || surnames.contains(x.hash) { return true }
        guard let (plain, spelled) = folded(t, x) else { return false }
        return firstNames.contains(plain) || surnames.contains(plain) || firstNames.contains(spelled) || surnames.contains(spelled)
    }

    /// A census first name, also written with the diacritics the lists leave out (Lucía, João, Jürgen)
    /// where `fold` (asked only for such a word); not a word of two letters ("Şu mesajı…" is Turkish "this",
    /// not Su).
    private func foldedFirstName(_ t: ScalarText, _ x: Word, fold: @autoclosure () -> Bool) -> Bool {
        if firstNames.contains(x.hash) { return true }
        guard x.hasNonASCII, x.length >= 3, fold(), let (plain, spelled) = folded(t, x) else { return false }
        return firstNames.contains(plain) || firstNames.contains(spelled)
    }

    /// The hashes of `x` without its diacritics, and with German umlauts written out (ä ae, ö oe, ü ue);
    /// nil for a word of ASCII letters or with a letter that has no base letter.
    private func folded(_ t: ScalarText, _ x: Word) -> (UInt64, UInt64)? {
        guard x.hasNonASCII else { return nil }
        var plain = Chars.hashSeed
        var spelled = Chars.hashSeed
        for k in x.start..<x.end {
            let c = t.v[k]
            guard c >= 0xC0 else {
                plain = Chars.hashStep(plain, c)
                spelled = Chars.hashStep(spelled, c)
                continue
            }
            guard c < 0x180, Self.baseLetters[Int(c) - 0xC0] != UInt8(ascii: "_") else { return nil }
            let base = UInt32(Self.baseLetters[Int(c) - 0xC0])
            plain = Chars.hashStep(plain, base)
            spelled = Chars.hashStep(spelled, base)
            // German umlauts written out: ä ae, ö oe, ü ue.
            if c == 0xE4 || c == 0xC4 || c == 0xF6 || c == 0xD6 || c == 0xFC || c == 0xDC { spelled = Chars.hashStep(spelled, 0x65) }
        }
        return (plain, spelled)
    }

    /// The base letter of each Latin letter U+00C0–U+017F ('_': none, such as × and ĳ).
    private static let baseLetters = Array(
        "aaaaaaaceeeeiiiidnooooo_ouuuuytsaaaaaaaceeeeiiiidnooooo_ouuuuytyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
            .utf8)

    /// Whether nothing but spaces, punctuation and symbols ("Tess.", "Kemi 😊") follows `k` on its line.
    private func bareToLineEnd(_ t: ScalarText, from k: Int) -> Bool {
        var k = k
        while k < t.count, t.v[k] != 0x0A {
            if Chars.isLetter(t.v[k]) || Chars.isDigit(t.v[k]) { return false }
            k += 1
        }
        return true
    }

    /// Whether `w[k]` ends a closing ("Best regards", "Thank you", "Mit freundlichen Grüßen") that
    /// starts its line or a sentence, within four words.
    private func closingEnds(_ t: ScalarText, _ w: [Word], _ k: Int) -> Bool {
        guard k >= 0 else { return false }
        let closing =
            closings.contains(w[k].hash)
            || ((everydayClosings.contains(w[k].hash) || (w[k].hash == youHash && k > 0 && everydayClosings.contains(w[k - 1].hash)))
                && (w[k].next == 0x2C || w[k].next == 0x21))
            || (devices.contains(w[k].hash) && (max(0, k - 3)..<k).contains { sentWords.contains(w[$0].hash) })
        guard closing else { return false }
        func starts(_ x: Word) -> Bool {
            x.newlineBefore || x.previous == 0 || x.previous == 0x2E || x.previous == 0x21 || x.previous == 0x3F
        }
        var j = k
        while j > 0, k - j < 3, !starts(w[j]) { j -= 1 }
        return starts(w[j])
    }

    /// A signature at `w[i]`: name-like capitalised words (at most three, one a census name) alone on
    /// their line, or several such names joined by "&" or "and" in the languages Lumen reads, after a
    /// closing (on the line before, or before a comma on the same line) or after a dash (starting the
    /// line, or an em or en dash ending a message: "…handover? — Priya"). Returns the names and the score.
    private func signature(_ t: ScalarText, _ w: [Word], _ i: Int) -> ([(Int, Int)], Double)? {
        guard i > 0 else { return nil }
        let x = w[i]
        // What comes before decides first (most capitalised words have none of it).
        var score = 0.0
        var lastLineOnly = false
        var d = x.start - 1
        while d >= 0, t.v[d] == 0x20 || t.v[d] == 0x09 { d -= 1 }
        let dash = d >= 0 && (t.v[d] == 0x2014 || t.v[d] == 0x2013 || t.v[d] == 0x7E || (t.v[d] == 0x2D && d == x.start - 1))
        if x.newlineBefore {
            var lineStart = d - 1
            while lineStart >= 0, t.v[lineStart] == 0x20 || t.v[lineStart] == 0x09 { lineStart -= 1 }
            if closingEnds(t, w, i - 1) {
                // "Best regards,\nHonza": the line before is a closing.
                score = 0.7
            } else if dash, lineStart < 0 || t.v[lineStart] == 0x0A {
                // "— Tess", "~ Tess", "-Tess" starting the line ("- Tokyo", with a space, is a list's item).
                score = 0.7
            }
        } else if w[i - 1].next == 0x2C, x.start - w[i - 1].end <= 2, closingEnds(t, w, i - 1) {
            // "Cheers, Kemi", "Thanks. Best, Tess": a closing before a comma on the same line.
            score = 0.7
        } else if i == w.count - 1, d >= 2, t.v[d] == 0x2014 || t.v[d] == 0x2013, t.v[d - 1] == 0x20, x.start > d + 1,
            t.v[d - 2] == 0x2E || t.v[d - 2] == 0x21 || t.v[d - 2] == 0x3F || t.v[d - 2] >= 0x1F000
        {
            // "…work for the handover? — Priya", "phở với Linh không? 🍜 — Mai" ending the message (not a log's
            // or a build's " - Jackson", a quotation's "…ago” — Lincoln", a title's "(May 3) – Madison").
            score = 0.7
            lastLineOnly = true
        }
        guard score > 0 else { return nil }
        var e = nameWords(t, w, i, max: lastLineOnly ? 1 : 3)
        guard e > i else { return nil }
        var names = [(i, e)]
        // "Kirsty & Alasdair", "Anke und Thomas Krüger".
        while !lastLineOnly, e < w.count, !w[e].newlineBefore {
            let between = t.v[w[e - 1].end..<w[e].start]
            var next = e
            if between.count <= 3, between.contains(0x26), between.allSatisfy({ $0 == 0x26 || $0 == 0x20 }) {
                next = e
            } else if between.allSatisfy({ $0 == 0x20 }), conjunctions.contains(w[e].hash), e + 1 < w.count, sameLine(t, w[e], w[e + 1]) {
                next = e + 1
            } else {
                break
            }
            let joined = nameWords(t, w, next, max: 3)
            // Each a first name, and two ("Johnson & Johnson" is a company).
            guard joined > next, firstNames.contains(w[next].hash), w[next].hash != w[i].hash else { break }
            names.append((next, joined))
            e = joined
        }
        // The names end their line (the text, for a name alone after a sentence); a kiss may follow ("Imogen x").
        var end = w[e - 1].end
        if e < w.count, sameLine(t, w[e - 1], w[e]), kisses.contains(w[e].hash) { end = w[e].end }
        guard bareToLineEnd(t, from: end) else { return nil }
        if lastLineOnly, e < w.count { return nil }
        return (names, score)
    }

    /// "and" between names in the languages Lumen reads.
    private let conjunctions = Chars.hashSet("and und et y e og och i a ve dan và és")
    private let kisses = Chars.hashSet("x xx xxx xo xoxo")

    /// A salutation line holding the name alone, after a blank line, a colon or the text's start:
    /// "Saoirse,\n\nThanks again…". One or two name-like capitalised words, one a census name, then
    /// a comma that ends the line.
    private func salutationLine(_ t: ScalarText, _ w: [Word], _ i: Int) -> Int? {
        let x = w[i]
        guard x.newlineBefore || x.previous == 0 else { return nil }
        if x.previous != 0 {
            // A blank line, or a line ending in a colon, before it.
            var k = x.start - 1
            while k >= 0, t.v[k] == 0x20 || t.v[k] == 0x0D { k -= 1 }
            guard k >= 0, t.v[k] == 0x0A else { return nil }
            k -= 1
            while k >= 0, t.v[k] == 0x20 || t.v[k] == 0x0D { k -= 1 }
            guard k < 0 || t.v[k] == 0x0A || t.v[k] == 0x3A || t.v[k] == 0x22 else { return nil }
        }
        let e = nameWords(t, w, i, max: 2)
        guard e > i, w[e - 1].next == 0x2C, bareToLineEnd(t, from: w[e - 1].end + 1), e < w.count, w[e].newlineBefore else { return nil }
        return e
    }

    /// "Nicole: What a day": a label followed by a sentence (a capitalised word of letters, or "I"),
    /// not a header ("Reason: OOMKilled", "ETag: W/…", "Error: connect", "Plan: 0 to add").
    private func speakerLine(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        // A mail header or a field label of an everyday word ("Reviewer: Ingrid Johansson", "Status: done").
        guard speakerLabel(w[i]) else { return false }
        if firstNames.contains(w[i].hash) { return true }
        // A label opening the text is the task's ("Summarise: Ngozi thinks…", "Esercizio: Marco ha…"), unless
        // the next line opens with a label too (a dialogue: "Ubul: What a wife.\nNicole: …").
        if w[i].previous == 0 {
            guard let k = w[(i + 1)...].firstIndex(where: \.newlineBefore), w[k].next == 0x3A, w[k].isCapitalized else { return false }
        }
        guard i + 1 < w.count, t[w[i].end + 1] == 0x20, w[i + 1].start == w[i].end + 2, !w[i + 1].newlineBefore else { return false }
        let y = w[i + 1]
        // A header whose value is a whole name ("Kimden: Selin Akbulut <…>", "Policyholder: Gwendolyn
        // Ashcombe", "Cliente: Guadalupe Ochoa Vidal"): two or three capitalised words that end the line
        // or the field. A sentence after a speaker goes on in lower case ("Nicole: What a day").
        var k = i + 2
        while k < w.count, k <= i + 3, w[k].isCapitalized, !w[k].isNumber, sameLine(t, w[k - 1], w[k]) { k += 1 }
        // …or whose value goes on with a number: a street's house number, a phone ("Anschrift: Am
        // Mühlbach 7, …", "Kontakt: Maja 601 234 567").
        if k < w.count, w[k].isNumber, sameLine(t, w[k - 1], w[k]), !y.isNumber, y.isCapitalized { return false }
        if k >= i + 3 {
            var a = w[k - 1].end
            while a < t.count, t.v[a] == 0x20 { a += 1 }
            let after = a < t.count ? t.v[a] : 0x0A
            if after == 0x0A || after == 0x0D || after == 0x3C || after == 0x2C || after == 0x28 || after == 0x7C || after == 0x09 { return false }
        }
        return !y.isNumber && y.isCapitalized && (y.length == 1 ? y.next == 0x20 || y.next == 0x27 : !y.isAllCaps && !y.hasInnerCapital(t))
    }

    /// Once "Joakim Westgård" is a name, a later "Westgård" (or "Joakim") alone is the same person.
    private func repeatMentions(_ w: [Word], _ taken: inout [Bool], into out: inout [Finding]) {
        var known: [UInt64] = []
        for i in w.indices where taken[i] && w[i].length >= 2 && w[i].isCapitalized { known.append(w[i].hash) }
        guard !known.isEmpty else { return }
        let set = WordSet(known)
        for i in w.indices where !taken[i] && w[i].isCapitalized && !w[i].isNumber && set.contains(w[i].hash) {
            taken[i] = true
            out.append(Finding(type: .person, start: w[i].start, end: w[i].end, score: 0.5))
        }
    }

    private func sentenceStart(_ x: Word) -> Bool {
        x.newlineBefore || x.previous == 0 || x.previous == 0x2E || x.previous == 0x21 || x.previous == 0x3F || x.previous == 0x22
            || x.previous == 0x3A
    }

    private func isCue(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        if x.hash == nameHash {
            // "name is", "name: ", "name? ", "name - "
            if x.next == 0x3A || x.next == 0x3F { return true }
            return false
        }
        if x.hash == isHash, i > 0, w[i - 1].hash == nameHash { return true }
        if x.hash == userHash, x.next == 0x3A { return true }
        if x.hash == underHash, i > 0, w[i - 1].next == 0x27 || w[i - 1].hash == itHash { return true }
        if x.hash == toHash, i > 0, w[i - 1].hash == itHash { return true }
        if x.hash == amHash, i > 0, w[i - 1].hash == iHash { return false }
        if x.hash == meHash, i > 0, callWords.contains(w[i - 1].hash) { return true }
        if x.hash == addHash || x.hash == withHash || x.hash == byHash { return false }
        return strongCues.contains(x.hash) || nameCues.contains(x.hash)
    }

    private func strongCue(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        let x = w[i]
        return x.hash == isHash || x.hash == nameHash || strongCues.contains(x.hash)
    }

    /// A word that may be a name for being listed with one: no acronym ("Rafael Gutierrez, SSN …",
    /// "Franklin, TN") and no everyday word after a comma ("Graham Whitlock, Director, …"), unless a
    /// census has it.
    /// The surname of a full name before a found one, or the last in "A, B and C", may be an everyday
    /// word that is a surname too ("…, Will Baker, Summer Reyes", "Graves and Reed").
    private func coordinable(_ x: Word, andList: Bool = false) -> Bool {
        guard capitalizedCandidate(x) else { return false }
        if firstNames.contains(x.hash) || surnames.contains(x.hash) { return true }
        return !x.isAllCaps && (andList || !englishWords.contains(x.hash))
    }

    /// "Eklund, Michael and Hodge": capitalised words coordinated with a found name are names too.
    private func coordinate(_ t: ScalarText, _ w: [Word], _ taken: inout [Bool], lowercaseText: Bool, into out: inout [Finding]) {
        guard !out.isEmpty, !lowercaseText else { return }
        var changed = true
        var rounds = 0
        while changed && rounds < 3 {
            changed = false
            rounds += 1
            for i in 0..<w.count where taken[i] {
                // Forward: X, Y / X and Y
                // Backward: "Torpy and Salinas" when only Salinas was found.
                if i >= 2, !taken[i - 2], w[i - 1].hash == andHash, i < 1 || !taken[i - 1], coordinable(w[i - 2], andList: true),
                    !w[i - 1].newlineBefore,
                    i < 3 || !taken[i - 3]
                {
                    taken[i - 2] = true
                    out.append(Finding(type: .person, start: w[i - 2].start, end: w[i - 2].end, score: 0.5))
                    changed = true
                }
                if i >= 1, !taken[i - 1], w[i - 1].next == 0x2C, !w[i].newlineBefore,
                    coordinable(w[i - 1], andList: i >= 2 && w[i - 2].isCapitalized && sameLine(t, w[i - 2], w[i - 1]))
                {
                    taken[i - 1] = true
                    out.append(Finding(type: .person, start: w[i - 1].start, end: w[i - 1].end, score: 0.5))
                    changed = true
                }
                var k = i + 1
                if k < w.count && taken[k] { continue }
                let andList = k < w.count && w[k].hash == andHash && w[k - 1].next == 0x20
                if andList { k += 1 } else if w[i].next != 0x2C { continue }
                guard k < w.count, !taken[k], capitalizedCandidate(w[k]), !w[k].newlineBefore else { continue }
                let e = extendName(t, w, k, lowercase: false, max: 2)
                // A given name and a surname are a name ("…, Mo Haddad, Will Baker"); one word alone must
                // be one a list of names can hold.
                guard e > k + 1 || coordinable(w[k], andList: andList), !labelWord(t, w[k].start, w[e - 1].end) else { continue }
                for m in k..<e { taken[m] = true }
                out.append(Finding(type: .person, start: w[k].start, end: w[e - 1].end, score: 0.5))
                changed = true
            }
        }
    }
}
