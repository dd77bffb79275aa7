// Korean names (Hangul), only where the text says a person is meant: after a label ("담당자:
// 김민수", "고객명: 박지훈") or before a title or honorific ("이영희 님께", "김민수님", "박지훈 과장").
// A Hangul word that merely starts with a surname syllable is most often an everyday word ("이번",
// "정보", "전화"), so there is no guess without such a cue.

enum KoreanNames {
    static func scan(_ t: ScalarText, into out: inout [Finding]) {
        guard !t.isASCII else { return }
        let n = t.count
        var i = 0
        while i < n {
            guard isSyllable(t.v[i]) else {
                i += 1
                continue
            }
            var e = i
            while e < n && isSyllable(t.v[e]) { e += 1 }
            if let name = labelled(t, label: i, e) {
                out.append(Finding(type: .person, start: name.0, end: name.1, score: 0.8))
                i = name.1
                continue
            }
            if let end = titled(t, i, e) {
                out.append(Finding(type: .person, start: i, end: end, score: 0.75))
            }
            i = e
        }
    }

    @inline(__always) static func isSyllable(_ c: UInt32) -> Bool { c >= 0xAC00 && c <= 0xD7A3 }

    /// A label word (the whole Hangul run `s..<e`), ':' and a name: the name's bounds. The name is a
    /// surname and one to three syllables, without a title or particle after it.
    private static func labelled(_ t: ScalarText, label s: Int, _ e: Int) -> (Int, Int)? {
        // "받는 분:", "보내는 사람:": a two-word label.
        let twoWords = e - s <= 2 && pairLabels.contains { label in t.matches(label, at: e - label.count) }
        guard twoWords || (e - s >= 2 && e - s <= 3 && labels.contains(Chars.hash(t.v, s, e))) else { return nil }
        var k = e
        while t[k] == 0x20 { k += 1 }
        // Without a colon, only a name that ends at punctuation or the line's end: "예약자 정유나, 여권번호 …"
        // ("예약자 정보를 확인" goes on).
        let colon = t[k] == 0x3A || t[k] == 0xFF1A
        guard colon || (k > e && !twoWords && bareLabels.contains(Chars.hash(t.v, s, e))) else { return nil }
        if !colon {
            var end = k
            while isSyllable(t[end]) { end += 1 }
            let next = t[end]
            guard next == 0x2C || next == 0x28 || next == 0x0A || next == 0 || next == 0xFF0C || next == 0x2E else { return nil }
        }
        if colon { k += 1 }
        while t[k] == 0x20 { k += 1 }
        let start = k
        while isSyllable(t[k]) { k += 1 }
        // "담당자:" at the end of a form: no name.
        guard k - start >= 2 else { return nil }
        var end = k
        // A title right after the name ("김민수 과장" is the next case; "김민수님", "박지훈과장").
        for offset in 2...4 where start + offset < k && titleAt(t, start + offset, k) {
            end = start + offset
            break
        }
        let surname = surnameLength(t, start)
        guard surname > 0, end - start >= surname + 1, end - start <= surname + 2, !isNoun(t, start, end) else { return nil }
        // "담당자: 시스템 관리자": a phrase, not a name — another word follows that is no title or copula.
        if end == k, t[k] == 0x20, isSyllable(t[k + 1]) {
            var w = k + 1
            while isSyllable(t[w]) { w += 1 }
            if !titleAt(t, k + 1, w) && !copulas.contains(where: { t.matches($0, at: k + 1) }) { return nil }
        }
        return (start, end)
    }

    /// A name with a title: a surname and two syllables (three with a two-syllable surname), then a
    /// title attached ("김민수님께") or as the next word ("이영희 님께", "박지훈 과장"). The name's end.
    private static func titled(_ t: ScalarText, _ s: Int, _ e: Int) -> Int? {
        let surname = surnameLength(t, s)
        guard surname > 0 else { return nil }
        let end = s + surname + 2
        guard end <= e, !isNoun(t, s, end) else { return nil }
        if e > end {
            // An attached "씨" that ends a word is no title: 날씨 (weather), 솜씨, 글씨 ("서울날씨").
            if t.v[end] == ssi && ssiWords.contains(t.v[end - 1]) { return nil }
            return titleAt(t, end, e) ? end : nil
        }
        guard e == end, t[e] == 0x20 else { return nil }
        var k = e + 1
        let next = k
        while isSyllable(t[k]) { k += 1 }
        return titleAt(t, next, k) ? end : nil
    }

    /// One of `titles` starts at `k` in the run that ends at `e`, and at most a particle follows it.
    private static func titleAt(_ t: ScalarText, _ k: Int, _ e: Int) -> Bool {
        titles.contains { title in
            k + title.count <= e && e - (k + title.count) <= 2 && t.matches(title, at: k)
        }
    }

    private static let ssi: UInt32 = 0xC528  // 씨
    /// Syllables that make a word with 씨: 날씨, 솜씨, 말씨, 글씨, 불씨, 꽃씨, 맵씨, 홀씨, 마음씨.
    private static let ssiWords = Set("날솜말글불꽃맵홀음".unicodeScalars.map(\.value))

    /// The length of the surname at `s` (two-syllable ones first), or 0.
    private static func surnameLength(_ t: ScalarText, _ s: Int) -> Int {
        if isSyllable(t[s + 1]), compoundSurnames.contains(where: { $0[0] == t[s] && $0[1] == t[s + 1] }) { return 2 }
        return surnames.contains(t[s]) ? 1 : 0
    }

    private static let surnames = Set(
        """
        김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌팽승간상시갈
        """.unicodeScalars.map(\.value).filter(isSyllable))
    private static let compoundSurnames = ["남궁", "제갈", "선우", "독고", "황보", "사공", "서문"].map { $0.unicodeScalars.map(\.value) }

    /// Honorifics and job titles said after a name, longest first where one starts another.
    private static let titles = [
        "선생님", "교수님", "고객님", "대표님", "사장님", "부장님", "과장님", "차장님", "대리님", "팀장님", "원장님", "박사님", "회장님", "실장님", "이사님",
        "매니저님", "책임님", "선임님", "프로님", "작가님", "선배님", "기사님",
        "선생", "교수", "대표", "사장", "부장", "과장", "차장", "대리", "팀장", "원장", "기자", "의원", "변호사", "박사", "회장", "실장", "주임", "님", "씨",
    ].map { $0.unicodeScalars.map(\.value) }

    /// Words that label a person's name in a form or a message.
    private static let labels = Set(
        [
            "이름", "성명", "성함", "고객명", "담당자", "작성자", "신청인", "신청자", "수신인", "수신자", "발신인", "발신자", "보호자", "환자명", "예금주",
            "계약자", "대표자", "고객", "환자", "예약자", "수령인", "수취인", "탑승자", "주문자", "구매자", "임차인", "임대인", "세입자", "집주인",
        ].map(Chars.hash))
    /// Labels that name one person even without a colon ("예약자 정유나,"; not "고객 지원", "환자 정보,").
    private static let bareLabels = Set(["예약자", "수령인", "수취인", "탑승자", "주문자", "신청인", "신청자"].map(Chars.hash))
    /// Labels of two words: "받는 분", "보내는 사람".
    private static let pairLabels = ["받는 분", "보내는 분", "받는 사람", "보내는 사람"].map { $0.unicodeScalars.map(\.value) }

    /// A word that takes a title but names a role or a team, not a person: one of `roles`, or one
    /// ending in a team's or a role's syllable ("인사팀 과장님", "전산실", "구독자님", "전문가님", "한국어 선생님").
    private static func isNoun(_ t: ScalarText, _ s: Int, _ e: Int) -> Bool {
        roles.contains(Chars.hash(t.v, s, e)) || nounEndings.contains(t.v[e - 1])
    }

    /// Three-syllable words for people or organisations that start with a surname syllable and take
    /// a title ("정회원님", "조합원님"), or fill a name field ("이름: 시스템 …"), and that
    /// `nounEndings` does not already cover (사용자, 구독자, 수강생 end in 자 and 생).
    private static let roles = Set(
        [
            "정회원", "준회원", "조합원", "연구원", "상담원", "안내원", "공무원", "은행원", "사무원", "승무원", "구성원", "시스템", "고객님", "선생님",
            "한겨레", "신세계",
        ].map(Chars.hash))
    /// Last syllables of team, organisation and role words, never of a Korean given name: 팀 실 부
    /// 과 국 처 (teams, offices), 당 (parties: 민주당), 차 (현대차), 사 (회사, 신문사), 자 가
    /// (roles: 구독자, 전문가), 어 (languages: 한국어), 생 (students).
    private static let nounEndings = Set("팀실부과국처당차사자가어생".unicodeScalars.map(\.value))
    /// What may follow a name in a field: "이름: 이준 입니다".
    private static let copulas = ["입니", "이에", "예요", "이고", "이며", "이다"].map { $0.unicodeScalars.map(\.value) }
}
