// People everyone can name: historical, literary and public figures that general questions ask
// about ("What did Abraham Lincoln say at Gettysburg?", "李白的诗有什么特点？", "诸葛亮为什么要六出
// 祁山"). A question about them holds no one's personal data; read as a person, it was kept local
// or sent with the name replaced, and answered worse. A closed list, as the name lists are:
// full names in Latin script (and surnames no one else is known by), and names in Chinese.

enum FamousPeople {
    /// Whether the finding `f` (a person) is exactly one of the names.
    static func contains(_ t: ScalarText, _ f: Finding) -> Bool {
        let length = f.end - f.start
        guard length >= 2, length <= 32 else { return false }
        if Chars.isHan(t.v[f.start]) { return chinese.contains(t.string(f.start, f.end)) }
        return latin.contains(t.string(f.start, f.end).lowercased())
    }

    /// A request's verb that a name was read together with ("Summarize Abraham Lincoln's address",
    /// "Explain Albert Einstein's papers"): the name starts after it.
    static func trimLeadingVerb(_ t: ScalarText, _ f: inout Finding) {
        var k = f.start
        while k < f.end && Chars.isASCIILetter(t.v[k]) { k += 1 }
        guard k > f.start, k + 1 < f.end, t.v[k] == 0x20, Chars.isUpperASCII(t.v[k + 1]),
            requestVerbs.contains(Chars.hash(t.v, f.start, k))
        else { return }
        f.start = k + 1
    }

    private static let requestVerbs = Chars.hashSet(
        "summarize summarise explain describe compare write translate analyze analyse review draft list discuss evaluate critique rewrite")

    private static let latin: Set<String> = Set(
        """
        abraham lincoln|albert einstein|alan turing|linus torvalds|isaac newton|charles darwin|marie curie|nikola tesla|thomas edison|\
        william shakespeare|george washington|thomas jefferson|benjamin franklin|winston churchill|martin luther king|\
        martin luther king jr|martin luther|nelson mandela|mahatma gandhi|napoleon bonaparte|julius caesar|karl marx|adolf hitler|joseph stalin|\
        vladimir lenin|mao zedong|leonardo da vinci|vincent van gogh|pablo picasso|ludwig van beethoven|wolfgang amadeus mozart|\
        johann sebastian bach|elon musk|steve jobs|bill gates|mark zuckerberg|jeff bezos|barack obama|donald trump|joe biden|\
        queen elizabeth|john f. kennedy|john f kennedy|john lennon|michael jackson|elvis presley|stephen hawking|richard feynman|\
        ada lovelace|grace hopper|dennis ritchie|ken thompson|guido van rossum|tim berners-lee|john von neumann|claude shannon|\
        donald knuth|edsger dijkstra|sigmund freud|galileo galilei|johannes kepler|nicolaus copernicus|jane austen|charles dickens|\
        mark twain|ernest hemingway|george orwell|leo tolstoy|fyodor dostoevsky|franklin d. roosevelt|franklin roosevelt|\
        theodore roosevelt|ronald reagan|margaret thatcher|vladimir putin|xi jinping|angela merkel|emmanuel macron|\
        christopher columbus|genghis khan|alexander the great|cleopatra|confucius|aristotle|plato|socrates|\
        einstein|shakespeare|churchill|gandhi|mandela|beethoven|mozart|picasso|torvalds|feynman|dijkstra|copernicus|\
        galileo|darwin|hawking|dostoevsky|tolstoy|hemingway|napoleon|machiavelli|nietzsche|descartes|voltaire
        """.split(separator: "|").map(String.init))

    private static let chinese: Set<String> = Set(
        """
        孔子 孟子 老子 庄子 荀子 韩非子 墨子 孙子 李白 杜甫 白居易 苏轼 苏东坡 王维 李清照 辛弃疾 陶渊明 屈原 司马迁 诸葛亮 曹操 刘备
        关羽 张飞 孙权 赵云 周瑜 吕布 司马懿 秦始皇 嬴政 汉武帝 刘邦 项羽 唐太宗 李世民 武则天 朱元璋 康熙 乾隆 雍正 成吉思汗 忽必烈
        岳飞 文天祥 郑和 孙中山 孙文 毛泽东 周恩来 邓小平 刘少奇 朱德 蒋介石 鲁迅 胡适 巴金 老舍 茅盾 钱钟书 金庸 莫言 王安石 范仲淹
        欧阳修 韩愈 柳宗元 杨贵妃 西施 王昭君 貂蝉 林黛玉 贾宝玉 薛宝钗 孙悟空 猪八戒 唐僧 沙僧 马云 马化腾 雷军 李彦宏 任正非 刘强东
        姚明 刘翔 李小龙 成龙 周杰伦 袁隆平 屠呦呦 钱学森 杨振宁 李政道 华罗庚 祖冲之 张衡 李时珍 华佗 张仲景 曹雪芹 施耐庵 罗贯中
        吴承恩 蒲松龄 王羲之 颜真卿 林则徐 曾国藩 李鸿章 慈禧 袁世凯 梁启超 康有为 爱因斯坦 牛顿 达尔文 莎士比亚 拿破仑 马克思
        恩格斯 列宁 斯大林 华盛顿 林肯 丘吉尔 甘地 曼德拉 贝多芬 莫扎特 毕加索 达芬奇 伽利略 霍金 图灵 乔布斯 比尔·盖茨 马斯克
        列夫·托尔斯泰 卡尔·马克思 史蒂夫·乔布斯 埃隆·马斯克 唐纳德·特朗普 乔·拜登 阿尔伯特·爱因斯坦 艾萨克·牛顿 威廉·莎士比亚
        查尔斯·达尔文 迈克尔·乔丹 马丁·路德·金 哈利·波特 夏洛克·福尔摩斯 拿破仑·波拿巴 列奥纳多·达·芬奇 托尔斯泰
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
