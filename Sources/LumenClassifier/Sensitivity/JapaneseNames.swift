// Japanese names in kanji, only in Japanese text (it has kana) and only where the text says a
// person is meant: after a label ("氏名：佐々木 智也", "予約者：田村 優子", "担当の中村健太"), before an
// honorific ("高橋美咲様", "井上拓海さん", a surname alone: "鈴木先生"), or as a chat line's speaker at a line's start ("山本 彩花：…").
// The name starts with one of the common surnames; the given name is one to three kanji (or kana).
// Chinese text has no kana, so its names are left to the Chinese model.

enum JapaneseNames {
    static func scan(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasKana else { return }
        var i = 0
        while i < t.count {
            guard isKanji(t.v[i]), !isKanji(t[i - 1]), let surname = surnameLength(t, i) else {
                i += 1
                continue
            }
            // The given name: kanji or kana after the surname, with at most one space between.
            var g = i + surname
            if t[g] == 0x20 || t[g] == 0x3000 { g += 1 }
            let givenStart = g
            let kanaGiven = isKana(t[g]) && !isKanji(t[g])
            while g < t.count && g - givenStart < 4 && (kanaGiven ? isKana(t.v[g]) && !particles.contains(t.v[g]) : isKanji(t.v[g]))
                && !honorifics.contains(where: { t.matches($0, at: g) })
            {
                g += 1
            }
            let given = g - givenStart
            // The honorific may follow a space ("佐々木 健太 様", as an envelope is addressed).
            let titled = honorifics.contains { t.matches($0, at: g) || (t[g] == 0x20 || t[g] == 0x3000) && t.matches($0, at: g + 1) }
            // A surname of two kanji or more alone before an honorific: "鈴木先生", "佐藤様".
            if given == 0 && titled && surname >= 2 && givenStart == i + surname {
                out.append(Finding(type: .person, start: i, end: g, score: 0.75))
                i = g
                continue
            }
            guard given >= 1, given <= 3 else {
                i += surname
                continue
            }
            // A one-kanji surname (林, 森, 原) starts many words (原因, 原文, 原本): only an honorific says a
            // person is meant. A "given name" ending in 県, 区, 市… is a place (千葉県, 中野区).
            let labelled = surname >= 2 && labelBefore(t, i)
            let speaker = surname >= 2 && atLineStart(t, i) && (t[g] == 0xFF1A || t[g] == 0x3A)
            if (labelled || titled || speaker) && !placeEnds.contains(t.v[g - 1]) {
                out.append(Finding(type: .person, start: i, end: g, score: labelled || titled ? 0.8 : 0.7))
                i = g
                continue
            }
            i += surname
        }
    }

    @inline(__always) static func isKana(_ c: UInt32) -> Bool { (0x3041...0x30FF).contains(c) && c != 0x30FB }
    /// Kanji, and the iteration mark 々 ("佐々木").
    @inline(__always) static func isKanji(_ c: UInt32) -> Bool { Chars.isHan(c) || c == 0x3005 }

    private static func atLineStart(_ t: ScalarText, _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && (t.v[k] == 0x20 || t.v[k] == 0x3000) { k -= 1 }
        return k < 0 || t.v[k] == 0x0A
    }

    /// A label and a colon, or a label word, right before `i` ("氏名：", "予約者: ", "担当の", "宛先 ").
    private static func labelBefore(_ t: ScalarText, _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0 && (t.v[k] == 0x20 || t.v[k] == 0x3000) { k -= 1 }
        if k >= 0 && (t.v[k] == 0xFF1A || t.v[k] == 0x3A || t.v[k] == 0x306E) { k -= 1 }  // ： : の
        while k >= 0 && (t.v[k] == 0x20 || t.v[k] == 0x3000) { k -= 1 }
        return labels.contains { label in t.matches(label, at: k - label.count + 1) }
    }

    /// The length of the surname at `i` (longest first), or nil.
    private static func surnameLength(_ t: ScalarText, _ i: Int) -> Int? {
        for length in [3, 2, 1] where i + length <= t.count && surnames.contains(Chars.hash(t.v, i, i + length)) { return length }
        return nil
    }

    /// Kana that end a given name written in kana: particles ("は", "が", "を", "に", "の", "と", "も", "さ" of さん).
    private static let particles = Set("はがをにのともでへやかさくち".unicodeScalars.map(\.value))

    /// Last characters of places: prefectures, wards, cities, towns, villages.
    private static let placeEnds: Set<UInt32> = Set("県区市町村都府道郡".unicodeScalars.map(\.value))

    private static let honorifics = ["様", "さん", "さま", "氏", "君", "くん", "ちゃん", "先生", "殿", "教授", "部長", "課長", "社長"].map(Chars.scalars)

    private static let labels = [
        "氏名", "お名前", "名前", "予約者", "予約名", "宿泊者", "担当", "担当者", "宛先", "宛名", "申請者", "申込者", "契約者", "患者名", "患者", "送り主", "受取人",
        "依頼者", "差出人", "連絡先", "保護者", "代表者", "利用者",
    ].map(Chars.scalars)

    /// The common Japanese surnames (about 150 of the most frequent).
    private static let surnames = Chars.hashSet(
        """
        佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下
        中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田
        竹内 小野 田村 中山 和田 石田 森田 上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 谷口 今井 工藤 高田 増田 丸山 杉山 村田
        大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井 千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 市川 菊地 杉本 古川 大西 島田 水野 桜井 高野
        渡部 吉川 山内 西田 飯田 菊池 西川 小松 北村 安田 五十嵐 川口 平田 中田 久保田 服部 岩田 土屋 川崎 福島 本田 樋口 秋山 田口 永井 山中
        中西 吉村 川上 石原 大橋 松岡 馬場 浜田 森本 星野 矢野 浅野 大久保 松下 吉岡 小池 野田 荒木 大谷 内藤 松浦 熊谷 黒田 尾崎 永田 川村
        望月 田辺 松村 荒井 大島 平井 早川 菅野 栗原 西山 広瀬 横田 石橋 萩原 岩本 片山 関口 宮田 大石 渡邊 齋藤 髙橋
        """)
}

/// Japanese addresses after a postal mark: "〒154-0004 東京都世田谷区太子堂3-15-8 コーポ三軒茶屋202". The mark
/// and a seven-digit code say an address follows; it runs to the end of its line (or a bracket,
/// a full stop, a comma or 40 scalars).
enum JapaneseAddresses {
    static func scan(_ t: ScalarText, into out: inout [Finding]) {
        guard t.hasPostalMark else { return }
        var i = 0
        while i < t.count {
            guard t.v[i] == 0x3012 else {  // 〒
                i += 1
                continue
            }
            var k = i + 1
            while t[k] == 0x20 { k += 1 }
            let code = k
            while t.isDigit(k) || t[k] == 0x2D { k += 1 }
            guard k - code == 8, t[code + 3] == 0x2D else {
                i = k
                continue
            }
            var e = k
            while t[e] == 0x20 || t[e] == 0x3000 { e += 1 }
            let street = e
            while e < t.count && e - street < 40 && !stops.contains(t.v[e]) { e += 1 }
            while e > k && (t.v[e - 1] == 0x20 || t.v[e - 1] == 0x3000) { e -= 1 }
            out.append(Finding(type: .streetAddress, start: i, end: e, score: 0.85))
            i = max(e, i + 1)
        }
    }

    /// What ends the address: a line break, a bracket, a full stop or a comma (Japanese or ASCII).
    private static let stops: Set<UInt32> = [0x0A, 0x0D, 0x3002, 0x3001, 0xFF08, 0x28, 0x2C, 0xFF0C, 0x300C, 0x300D]
}
