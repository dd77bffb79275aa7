// Street addresses. Latin script: a house number with a street name and a street type ("1668 Glyn
// St"), a number-name-number block ("28245 Puruntie 82"), a street prefix ("Rue de Virton 38", "ul.
// Miła 53"), unit and military forms ("Apt. 595", "PSC 6293, Box 8158", "FPO AE 12382"), "the corner
// of X and Y"; followed by unit, city, region, country and postcode lines; and a street part before
// ", <postcode> <Town>" ("Am Mühlbach 7, 93047 Regensburg"). Chinese: component chains
// (ChineseAddresses.swift).

enum Addresses {
    /// `chinese`: the text with traditional Chinese simplified (`TraditionalChinese`), or the text.
    static func scan(_ t: ScalarText, _ w: [Word], chinese: ScalarText, lowercaseText: Bool, into out: inout [Finding]) {
        latin.scan(t, w, lowercaseText: lowercaseText, into: &out)
        ChineseAddresses.scan(chinese, into: &out)
        JapaneseAddresses.scan(t, into: &out)
    }

    /// Fetched once per scan: every access to a lazily initialised global goes through a `swift_once`
    /// check, and the address scan reads several lexicons and word hashes at every word of a prompt.
    private static let latin = LatinAddresses()

    /// A letter written onto a house number ("221B Baker Street", "12a Mill Lane"): a, b, c, e or f in
    /// either case (not a unit or a size: "3D", "5G", "4K", "10x", "24h", "2m").
    @inline(__always) static func isHouseLetter(_ c: UInt32) -> Bool {
        switch c | 0x20 {
        case 0x61, 0x62, 0x63, 0x65, 0x66: true
        default: false
        }
    }
}

/// Latin-script street addresses (see the top of the file). The lexicons are stored properties so
/// that a scan reads them without a `swift_once` check per access.
private struct LatinAddresses: Sendable {
    private let streetTypes = Lexicon.streetTypes
    private let streetEndings = Lexicon.streetEndings
    private let stopWords = Lexicon.stopWords
    private let militaryUnit = Lexicon.militaryUnit
    private let unitWords = Lexicon.unitWords
    private let streetPrefixes = Lexicon.streetPrefixes
    private let notNames = Lexicon.notNames
    private let militaryPost = Lexicon.militaryPost
    private let englishWords = EnglishWords.common

    func scan(_ t: ScalarText, _ w: [Word], lowercaseText: Bool, into out: inout [Finding]) {
        var i = 0
        while i < w.count {
            if let (end, score) = matchAt(t, w, i, lowercaseText: lowercaseText) {
                let (extended, endWord) = extend(t, w, from: end)
                // Units and numbers only ("Room 12 Floor 3 has the projector", "Building 4, Floor 2"): a
                // place inside a building, not an address.
                if unitWords.contains(w[i].hash), w[i..<max(endWord, i + 1)].allSatisfy({ $0.isNumber || unitWords.contains($0.hash) }) {
                    i = max(endWord, i + 1)
                    continue
                }
                out.append(Finding(type: .streetAddress, start: w[i].start, end: extended, score: score))
                i = max(endWord, i + 1)
                continue
            }
            i += 1
        }
        postcodeAddresses(t, w, into: &out)
    }

    /// "<street and number>, <postcode> <Town>", as most of Europe and Latin America write an address
    /// ("27 cours de l'Intendance, 33000 Bordeaux", "Am Mühlbach 7, 93047 Regensburg", "Keizersgracht
    /// 214-II, 1016 DZ Amsterdam", "Bağdat Caddesi No: 145 D: 6, 34728 Kadıköy/İstanbul"): a postcode
    /// after a comma with a town after it anchors the street part before the comma, which must end in
    /// a house number. Overlaps with the other forms merge when findings are resolved.
    private func postcodeAddresses(_ t: ScalarText, _ w: [Word], into out: inout [Finding]) {
        var p = 2
        while p + 1 < w.count {
            defer { p += 1 }
            let code = w[p]
            guard code.isNumber, code.length == 4 || code.length == 5, !code.newlineBefore, code.previous == 0x2C else { continue }
            // Portugal's "4100-114", the Netherlands' "1016 DZ".
            var c = p + 1
            if w[c].isNumber, w[c].length == 3, w[c].start == code.end + 1, t.v[code.end] == 0x2D { c += 1 }
            if c + 1 < w.count, w[c].isAllCaps, w[c].length == 2, !w[c].isNumber, !w[c].newlineBefore, w[c].start == w[c - 1].end + 1 { c += 1 }
            // A year is no postcode ("June 3, 2024 Berlin"), unless a suffix makes it one ("2011 AB Haarlem").
            if c == p + 1, code.length == 4,
                (t.v[code.start] == 0x31 && t.v[code.start + 1] == 0x39) || (t.v[code.start] == 0x32 && t.v[code.start + 1] == 0x30)
            {
                continue
            }
            guard c < w.count, !w[c].newlineBefore, w[c].start == w[c - 1].end + 1, t.v[w[c - 1].end] == 0x20, town(w[c]) else { continue }
            var end = w[c].end
            var k = c + 1
            while k < w.count, k <= c + 3, !w[k].newlineBefore, w[k].start == end + 1, t.v[end] == 0x20 || t.v[end] == 0x2F || t.v[end] == 0x2D,
                town(w[k]) || (particles.contains(w[k].hash) && k + 1 < w.count && town(w[k + 1]))
            {
                end = w[k].end
                k += 1
            }
            guard let start = streetBefore(t, w, comma: p - 1) else { continue }
            out.append(Finding(type: .streetAddress, start: w[start].start, end: end, score: 0.8))
            p = k - 1
        }
    }

    /// A number, or a house number with a letter or a part after it ("12b", "214-II").
    private func numeric(_ t: ScalarText, _ x: Word) -> Bool { x.isNumber || Chars.isDigit(t.v[x.start]) }

    /// An elided article before a name: "l'Intendance", "d'Italia", "dell'Orso".
    private func elided(_ t: ScalarText, _ x: Word) -> Bool {
        (x.start + 1..<min(x.end, x.start + 5)).contains { t.v[$0] == 0x27 || t.v[$0] == 0x2019 }
    }

    /// A town's word: capitalised, not an acronym or a function word.
    private func town(_ x: Word) -> Bool { x.isCapitalized && !x.isNumber && !x.isAllCaps && !stopWords.contains(x.hash) }

    /// The first word of the street part that ends at word `last` (before a postcode's comma): up to
    /// eight words back on the line, past spaces, hyphens, apostrophes, a dot after an initial or an
    /// abbreviation ("Av. Insurgentes", "No. 27"; a sentence's full stop ends it) and a colon after a
    /// short word ("No: 145"); capitalised words, numbers, particles and street words, from after a
    /// month. It must start or end in a house number (within its last three words) and name a street.
    private func streetBefore(_ t: ScalarText, _ w: [Word], comma last: Int) -> Int? {
        guard last >= 0 else { return nil }
        var start = last
        while start > 0, last - start < 8 {
            let a = w[start - 1]
            let b = w[start]
            if b.newlineBefore || b.start - a.end > 2 { break }
            let gapOK = (a.end..<b.start).allSatisfy { k in
                let c = t.v[k]
                return c == 0x20 || c == 0x2D || c == 0x27 || c == 0x2019 || (c == 0x3A && a.length <= 2)
                    || (c == 0x2E && (a.length == 1 || abbreviations.contains(a.hash)))
            }
            guard gapOK else { break }
            guard
                numeric(t, a) || a.isCapitalized || particles.contains(a.hash) || streetPrefixes.contains(a.hash) || streetTypes.contains(a.hash)
                    || a.length == 1 || elided(t, a)
            else { break }
            start -= 1
        }
        // Not from before a month ("on 3 Mar. Am Mühlbach 7, …").
        if let month = w[start...last].lastIndex(where: { Lexicon.months[$0.hash] != nil }) { start = month + 1 }
        // From a house number or a capitalised word, not a particle or a lower-case street word.
        while start < last, !numeric(t, w[start]), !w[start].isCapitalized { start += 1 }
        guard start < last else { return nil }
        let part = w[start...last]
        let named = part.filter { !numeric(t, $0) && $0.length > 1 }
        guard part.count >= 2, numeric(t, w[start]) || w[max(start, last - 2)...last].contains(where: { numeric(t, $0) }),
            // A street's name: a street word, or a word no everyday English has ("Am Mühlbach 7"; not a
            // label and its number: "Windows Server 2019, 8000 Clients", "See Table 2, 5000 Iterations").
            part.contains(where: { streetPrefixes.contains($0.hash) || isStreetType($0) || hasStreetEnding(t, $0) })
                || named.contains(where: { $0.hasNonASCII || !englishWords.contains($0.hash) }) && (numeric(t, w[start]) || named.count >= 2)
        else { return nil }
        return start
    }

    /// Abbreviations a dot may follow inside a street ("Av. Insurgentes", "No. 27", "Jl. Kemang").
    private let abbreviations = Chars.hashSet("av avda no nr str st ul al pl jl jln col dr rd blvd bd apt ste mah cad sok blv bulv")
    /// "No." and "Nr." before a house number.
    private let numberWords = Chars.hashSet("no nr nº")
    /// Street prefixes written short, with their dot: "Av.", "Avda.", "Jl.".
    private let dottedPrefixes = Chars.hashSet("av avda jl jln")

    @inline(__always) private func isStreetType(_ x: Word) -> Bool { !x.isNumber && streetTypes.contains(x.hash) }

    private func hasStreetEnding(_ t: ScalarText, _ x: Word) -> Bool {
        guard !x.isNumber, x.length >= 5 else { return false }
        for ending in streetEndings where ending.count < x.length {
            var ok = true
            for k in 0..<ending.count where Chars.foldCase(t.v[x.end - ending.count + k]) != ending[k] {
                ok = false
                break
            }
            if ok { return true }
        }
        return false
    }

    /// A word that can be part of a street name: a name-like word, not a function word.
    private func isNameWord(_ x: Word, lowercaseText: Bool) -> Bool {
        guard !x.isNumber else { return false }
        if stopWords.contains(x.hash) { return x.length <= 3 && !x.isCapitalized && particles.contains(x.hash) }
        return x.isCapitalized || x.hasNonASCII || lowercaseText || particles.contains(x.hash)
    }

    private let particles = Chars.hashSet("de des del della di da do dos das la le les van von der den du el al ter ten y e")

    /// Same line and only spaces, commas or dots between two words, or an apostrophe before a possessive
    /// "s" ("King's Road", "St Mary’s Place": the tokenizer splits it off).
    private func adjacent(_ t: ScalarText, _ a: Word, _ b: Word, allowComma: Bool = false) -> Bool {
        guard !b.newlineBefore, b.start - a.end <= 3 else { return false }
        if b.start == a.end + 1, b.isPossessiveS(t) { return true }
        for k in a.end..<b.start {
            let c = t.v[k]
            if c == 0x20 || c == 0x2E || (allowComma && c == 0x2C) { continue }
            return false
        }
        return true
    }

    /// Whether an address starts at word `i`; returns the end offset of the core and a score.
    private func matchAt(_ t: ScalarText, _ w: [Word], _ i: Int, lowercaseText: Bool) -> (Int, Double)? {
        let x = w[i]
        // "the corner of X and Y"
        if x.hash == cornerHash, i >= 2, w[i - 1].hash == theHash, i + 1 < w.count, w[i + 1].hash == ofHash {
            return nil
        }
        if x.hash == theHash, i + 3 < w.count, w[i + 1].hash == cornerHash, w[i + 2].hash == ofHash {
            var k = i + 3
            var seenAnd = false
            var last = w[i + 2].end
            while k < w.count && k - i < 14 && !w[k].newlineBefore {
                if w[k].hash == andHash {
                    if seenAnd { break }
                    seenAnd = true
                    k += 1
                    continue
                }
                if !(w[k].isNumber || isNameWord(w[k], lowercaseText: lowercaseText) || isStreetType(w[k])) { break }
                if !adjacent(t, w[k - 1], w[k]) && w[k - 1].hash != andHash { break }
                last = w[k].end
                k += 1
            }
            if seenAnd { return (last, 0.85) }
        }
        // Military and unit forms: PSC 1234, Box 5678 / Unit 1234 Box 5678 / USNS Name, then APO/FPO/DPO AA 12345.
        if militaryUnit.contains(x.hash), i + 1 < w.count {
            if let end = militaryTail(t, w, from: i + 1) { return (end, 0.9) }
        }
        if unitWords.contains(x.hash), x.isCapitalized, i + 1 < w.count, w[i + 1].isNumber, adjacent(t, x, w[i + 1]) {
            // "Apt. 675" alone is weak; it becomes an address with what follows.
            return (w[i + 1].end, 0.6)
        }
        // P.O. Box 123
        if x.hash == poHash
            || (x.length == 1 && (t.v[x.start] | 0x20) == 0x70 && i + 2 < w.count && w[i + 1].length == 1 && (t.v[w[i + 1].start] | 0x20) == 0x6F)
        {
            var k = i + 1
            while k < w.count && k - i < 3 && w[k].hash != boxHash { k += 1 }
            if k + 1 < w.count, w[k].hash == boxHash, w[k + 1].isNumber { return (w[k + 1].end, 0.85) }
        }
        // Street prefix + name + number: "Rue de Virton 38", "ul. Miła 53", "Via Franscini 71", "Av.
        // Providencia 2133", "Jl. Kemang Raya 27" (these only capitalised and with their dot: "2 av 3").
        if (streetPrefixes.contains(x.hash) && (x.isCapitalized || lowercaseText || x.length <= 2))
            || (dottedPrefixes.contains(x.hash) && x.isCapitalized && x.next == 0x2E)
        {
            var k = i + 1
            while k < w.count && k - i <= 5 && isNameWord(w[k], lowercaseText: true) && adjacent(t, w[k - 1], w[k]) { k += 1 }
            // "No." or "Nr." before the number: "Jl. Kebon Jeruk Raya No. 27", "Bağdat Cad. No: 145".
            if k > i + 1, k + 1 < w.count, numberWords.contains(w[k].hash), w[k + 1].isNumber, w[k + 1].length <= 5, adjacent(t, w[k - 1], w[k]),
                !w[k + 1].newlineBefore, w[k + 1].start - w[k].end <= 2,
                (w[k].end..<w[k + 1].start).allSatisfy({ t.v[$0] == 0x2E || t.v[$0] == 0x3A || t.v[$0] == 0x20 })
            {
                return (w[k + 1].end, 0.8)
            }
            if k > i + 1, k < w.count, w[k].isNumber, w[k].length <= 5, adjacent(t, w[k - 1], w[k]) { return (w[k].end, 0.8) }
        }
        // House number first; an HTTP status and its reason ("502 Bad Gateway", "504 Gateway Timeout") is none.
        if x.isNumber && x.length <= 6 && !(x.previous == 0x24 || x.previous == 0x23) && !httpStatus(t, w, i) {
            var k = i + 1
            // Up to two more leading numbers ("370 3911 Fourth Avenue"), or a unit ("0912 P.O. Box 287").
            while k < w.count && k - i < 3 && w[k].isNumber && w[k].length <= 6 && adjacent(t, w[k - 1], w[k]) { k += 1 }
            // A letter written onto the house number ("221B Baker Street", "12a Mill Lane").
            if k < w.count, w[k].length == 1, w[k].start == w[k - 1].end, Addresses.isHouseLetter(t.v[w[k].start]) {
                k += 1
            }
            if k < w.count, adjacent(t, w[k - 1], w[k]) {
                let nameStart = k
                var sawType = false
                var sawPrefix = false
                var sawEnding = false
                while k < w.count && k - nameStart < 6 && adjacent(t, w[k - 1], w[k]) {
                    let y = w[k]
                    if y.isNumber { break }
                    // One lower-case letter ("3e" in a hex dump) or a month ("12 Mar 2025") is no street name; a
                    // possessive's "s" is part of one ("5 King's Road").
                    if !y.isCapitalized && y.isPossessiveS(t) {
                        k += 1
                        continue
                    }
                    if (y.length == 1 && !y.isCapitalized) || Lexicon.months[y.hash] != nil { break }
                    if isStreetType(y) && k > nameStart {
                        sawType = true
                        k += 1
                        break
                    }
                    if streetPrefixes.contains(y.hash) { sawPrefix = true }
                    if !isNameWord(y, lowercaseText: lowercaseText) && !streetPrefixes.contains(y.hash) { break }
                    if hasStreetEnding(t, y) { sawEnding = true }
                    k += 1
                }
                let names = k - nameStart
                if names >= 1 {
                    if sawType {
                        // Optional number after the type ("Drive 12" is rare; "St 5" not): keep the core.
                        return (w[k - 1].end, 0.8)
                    }
                    // Number, name, number: not when a name word is upper case (a keyword or a code:
                    // "LIMIT 100 OFFSET 200", "UA 961 FRA-EWR 11:05"); without a street prefix or
                    // ending, only names apart from both numbers ("28245 Puruntie 82", "2407 tawastintie 6"
                    // in a lower-case text; not "5 mg 3", "138 col 13", "take 10 tablets 3 times" or "-6 Secret123").
                    // Nor a count or a score after a label ("Page 3 Figure 2", "Take 2 Advil 3", "Lakers
                    // 102 Celtics 99"): a house number there has two digits or more and no capitalised
                    // word right before it.
                    if k < w.count, w[k].isNumber, w[k].length <= 5, adjacent(t, w[k - 1], w[k]),
                        sawPrefix || sawEnding
                            || (!w[nameStart..<k].contains(where: { !numberedStreetName($0, lowercaseText: lowercaseText) })
                                && w[nameStart].start > w[nameStart - 1].end && w[k].start > w[k - 1].end
                                && x.length >= 2 && !(i > 0 && labelBefore(t, w[i - 1], x)))
                    {
                        return (w[k].end, sawPrefix || sawEnding ? 0.8 : 0.7)
                    }
                    if sawPrefix || sawEnding { return (w[k - 1].end, 0.65) }
                }
            }
        }
        // Street name with a typical ending or type, then a number: "Hersnapvej 75", "Csabai kapu 39". In a text
        // with capitals it starts with a capital or with the street's own word ("adressen är Storgatan 12": "är"
        // is a verb; "bor på nørrebrogade 12" is a street).
        if !x.isNumber && isNameWord(x, lowercaseText: lowercaseText) && !notNames.contains(x.hash)
            && (x.isCapitalized || lowercaseText || hasStreetEnding(t, x))
        {
            var k = i
            var sawEnding = false
            while k < w.count && k - i < 4 && isNameWord(w[k], lowercaseText: lowercaseText) && (k == i || adjacent(t, w[k - 1], w[k])) {
                if hasStreetEnding(t, w[k]) || (isStreetType(w[k]) && k > i) { sawEnding = true }
                k += 1
            }
            if sawEnding, k < w.count, w[k].isNumber, w[k].length <= 5, adjacent(t, w[k - 1], w[k]),
                !(i > 0 && w[i - 1].isNumber && adjacent(t, w[i - 1], x))
            {
                return (w[k].end, 0.7)
            }
            // Named street with a type, no number, after "on"/"at": "on Marina Fort Street".
            if sawEnding, k - i >= 2, isStreetType(w[k - 1]), i > 0, placeCue.contains(w[i - 1].hash), x.isCapitalized {
                return (w[k - 1].end, 0.55)
            }
        }
        return nil
    }

    /// A word of a street name between two numbers: capitalised (not all capitals: a keyword or a
    /// code) or in another alphabet, or in a lower-case text a word of five letters or more that is
    /// no common English word.
    private func numberedStreetName(_ x: Word, lowercaseText: Bool) -> Bool {
        if x.isAllCaps { return false }
        if x.isCapitalized || x.hasNonASCII { return true }
        return lowercaseText && x.length >= 5 && !EnglishWords.common.contains(x.hash)
    }

    /// A capitalised word right before a number on the same line ("Page 3", "Lakers 102"), not a
    /// word that introduces an address ("at", "To").
    private func labelBefore(_ t: ScalarText, _ y: Word, _ x: Word) -> Bool {
        guard y.isCapitalized, !y.isNumber, !placeCue.contains(y.hash), !stopWords.contains(y.hash), !x.newlineBefore else { return false }
        return (y.end..<x.start).allSatisfy { t.v[$0] == 0x20 }
    }

    private let placeCue = Chars.hashSet("on at to in near")
    private let gatewayHash = Chars.hash("gateway")
    private let badHash = Chars.hash("bad")

    /// A three-digit status 100–599 followed by a reason phrase with a street type in it.
    private func httpStatus(_ t: ScalarText, _ w: [Word], _ i: Int) -> Bool {
        guard w[i].length == 3, (0x31...0x35).contains(t.v[w[i].start]), i + 1 < w.count else { return false }
        let y = w[i + 1]
        if y.hash == badHash { return i + 2 < w.count && w[i + 2].hash == gatewayHash }
        // "504 Gateway Timeout", not "502 Gateway Blvd".
        return y.hash == gatewayHash && !(i + 2 < w.count && isStreetType(w[i + 2]))
    }

    private func militaryTail(_ t: ScalarText, _ w: [Word], from start: Int) -> Int? {
        var k = start
        while k < w.count && k - start < 6 {
            if militaryPost.contains(w[k].hash), k + 2 < w.count, w[k + 1].length == 2, !w[k + 1].isNumber, w[k + 2].isNumber, w[k + 2].length == 5 {
                return w[k + 2].end
            }
            k += 1
        }
        // "PSC 1234, Box 5678" without the post line.
        if start + 2 < w.count, w[start].isNumber, w[start + 1].hash == boxHash, w[start + 2].isNumber { return w[start + 2].end }
        return nil
    }

    /// Extends an address over units, cities, regions, countries and postcodes on the same or the next lines.
    private func extend(_ t: ScalarText, _ w: [Word], from end: Int) -> (Int, Int) {
        var k = 0
        // Find the first word at or after `end` (binary search).
        var lo = 0
        var hi = w.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if w[mid].start < end { lo = mid + 1 } else { hi = mid }
        }
        k = lo
        var last = end
        var lines = 0
        var lineWords = 0
        while k < w.count {
            let y = w[k]
            // What lies between the last accepted scalar and this word.
            var gapOK = true
            var newlines = 0
            for p in last..<y.start {
                let c = t.v[p]
                if c == 0x0A {
                    newlines += 1
                    continue
                }
                if c == 0x20 || c == 0x2C || c == 0x2E || c == 0x3E || c == 0x09 || c == 0x28 || c == 0x29 || c == 0x3F && newlines > 0 { continue }
                gapOK = false
                break
            }
            if !gapOK || newlines > 2 || y.start - last > 12 { break }
            // A full stop after a postcode or a number ends the address ("OX11 7QP. Pt presents…").
            if newlines == 0, k > 0, w[k - 1].end == last, w[k - 1].isAllCaps || w[k - 1].isNumber,
                (last..<y.start).contains(where: { t.v[$0] == 0x2E })
            {
                break
            }
            if newlines > 0 {
                lines += 1
                lineWords = 0
            }
            // A new line that opens with a label is the next field or message ("…Göteborg\nJonte: bjuder på pizza",
            // "…Göteborg\nCity: Göteborg"): the gap after a label's colon is never crossed, so the address would end
            // on the label.
            if newlines > 0, y.next == 0x3A { break }
            // A new line of number groups is a phone number, not a postcode.
            if newlines > 0, y.isNumber, k + 1 < w.count, w[k + 1].isNumber, !w[k + 1].newlineBefore { break }
            if lines > 4 || lineWords >= 6 { break }
            let isUnit = unitWords.contains(y.hash) && k + 1 < w.count && w[k + 1].isNumber
            if y.isNumber {
                if y.length > 6 { break }
            } else if isUnit {
            } else if stopWords.contains(y.hash) && !(particles.contains(y.hash) && !y.isCapitalized) {
                break
            } else if !(y.isCapitalized || y.isAllCaps || y.hasNonASCII || (y.length <= 3 && lines > 0)) {
                break
            }
            last = y.end
            lineWords += 1
            k += 1
        }
        return (last, k)
    }

    private let theHash = Chars.hash("the")
    private let cornerHash = Chars.hash("corner")
    private let ofHash = Chars.hash("of")
    private let andHash = Chars.hash("and")
    private let boxHash = Chars.hash("box")
    private let poHash = Chars.hash("po")
}
