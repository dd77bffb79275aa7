// Chinese names written in pinyin, as Chinese users write their own and their colleagues' names in
// English text, forms and bookings: "Liu Siyuan", "Siyuan Liu", "JIANG HAORAN", "ZHOU/YUXUAN". The
// census lexicons hold few of them. A surname from the common pinyin surnames and a given name that
// spells one or two pinyin syllables (and is no everyday English word) make a name.

enum Pinyin {
    /// The syllables of Mandarin in pinyin without tones (ü as v).
    private static let syllables: Set<String> = Set(
        """
        a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai
        chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da
        dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei
        fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he
        hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka
        kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian
        liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min
        ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv
        nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong
        qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai
        shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta
        tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia
        xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai
        zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui
        zhun zhuo zi zong zou zu zuan zui zun zuo
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// Common Chinese surnames in pinyin (the hundred or so most frequent, and the compound ones).
    static let surnames = Chars.hashSet(
        """
        wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang han feng deng
        cao peng zeng xiao tian dong yuan pan yu jiang cai du ye cheng wei su lv ding ren shen yao lu cui zhong tan fan jin shi
        liao jia xia fu fang bai zou meng xiong qin qiu yin xue yan duan lei hou long tao gu mao hao gong shao wan qian dai mo kong
        xiang chang niu kang qi wen ouyang shangguan situ zhuge murong sima xiahou dongfang huangfu
        """)

    /// Whether the ASCII letters t[s..<e] spell one to `most` pinyin syllables (an apostrophe or a
    /// hyphen may separate them: "Xi'an", "Xiao-Ming").
    static func spells(_ t: ScalarText, _ s: Int, _ e: Int, most: Int) -> Bool { syllableCount(t, s, e, most: most) != nil }

    /// The fewest pinyin syllables that spell the ASCII letters t[s..<e] (as `spells`), nil when it
    /// takes more than `most` or none do: a given name is two ("Siyuan"), a single syllable alone
    /// ("Ma", "Li") is too common a word to be one.
    static func syllableCount(_ t: ScalarText, _ s: Int, _ e: Int, most: Int) -> Int? {
        var letters: [UInt8] = []
        for k in s..<e {
            let c = t.v[k]
            if Chars.isASCIILetter(c) {
                letters.append(UInt8(c | 0x20))
            } else if c != 0x27 && c != 0x2D {
                return nil
            }
        }
        let n = letters.count
        guard n > 0, n <= 6 * most else { return nil }
        // fewest[i]: the fewest syllables that spell letters[i...] (Int.max: none do).
        var fewest = [Int](repeating: .max, count: n + 1)
        fewest[n] = 0
        for i in stride(from: n - 1, through: 0, by: -1) {
            for length in 1...min(6, n - i) where fewest[i + length] != .max {
                if syllables.contains(String(decoding: letters[i..<(i + length)], as: UTF8.self)) {
                    fewest[i] = min(fewest[i], fewest[i + length] + 1)
                }
            }
        }
        return fewest[0] <= most ? fewest[0] : nil
    }
}
