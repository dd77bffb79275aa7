// One pass over the prompt for every detector that starts at a trigger scalar ('@', a digit, the
// first letter of a key prefix or a cue word…), instead of one pass per detector: each detector
// keeps its own "next position", and the pass calls a detector's step only where its trigger
// appears. The findings are the same, in the same order, as running each detector's step over the
// whole prompt on its own (checked by the tests).

enum AnchorPass {
    /// What the anchored detectors found, one list per detector.
    struct Found {
        var keys: [Finding] = []
        var formats: [Finding] = []
        var emails: [Finding] = []
        var ibans: [Finding] = []
        var chains: [Finding] = []
        var passports: [Finding] = []
        var labelled: [Finding] = []
        var dates: [Finding] = []
        var commandLines: [Finding] = []
    }

    private static let email: UInt16 = 1 << 0
    private static let chain: UInt16 = 1 << 1
    private static let iban: UInt16 = 1 << 2
    private static let passport: UInt16 = 1 << 3
    private static let date: UInt16 = 1 << 4
    private static let key: UInt16 = 1 << 5
    private static let format: UInt16 = 1 << 6
    private static let command: UInt16 = 1 << 7
    private static let labelled: UInt16 = 1 << 8
    /// Detectors whose ASCII trigger never starts a match right after an ASCII letter.
    private static let tokenStart: UInt16 = passport | date | key | format | command | labelled

    /// For each ASCII scalar, the detectors it may trigger (each step re-checks its own condition).
    private static let triggers: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 128)
        table[0x40] |= email  // @
        table[0x25] |= email  // %40
        for digit in 0x30...0x39 { table[digit] |= chain | iban }  // an IBAN's check digits follow two letters
        table[0x2B] |= chain  // +
        table[0x28] |= chain  // (
        // The first letters of the words that announce a passport or a date of birth, in both cases
        // (p, r, h, c …; d, b, g, n, f, s, u, t, j …).
        for c in Lexicon.passportWords.asciiFirsts {
            table[c] |= passport
            if Chars.isASCIILetter(UInt32(c)) { table[c & ~0x20] |= passport }
        }
        for c in Lexicon.dobContext.asciiFirsts {
            table[c] |= date
            if Chars.isASCIILetter(UInt32(c)) { table[c & ~0x20] |= date }
        }
        for c in CuedIdentifiers.asciiFirsts { table[c] |= labelled }  // as written: "E" for "EIN", not "e"
        for c in [0x41, 0x61, 0x65, 0x2D] { table[c] |= key }  // A a e -
        for c in Secrets.formatStarts { table[Int(c)] |= format }  // s g x r h S n p …
        for c in Secrets.commandStarts { table[Int(c)] |= command }  // m s d … and '-' ("--password")
        return table
    }()

    static func run(_ t: ScalarText) -> Found {
        var found = Found()
        var scratch = Identifiers.Chain(start: 0)
        var nextKey = 0
        var nextFormat = 0
        var nextEmail = 0
        var nextIBAN = 0
        var nextChain = 0
        var nextPassport = 0
        var nextDate = 0
        var nextCommand = 0
        var nextLabelled = 0
        let n = t.count
        let triggers = Self.triggers
        let passportWords = Lexicon.passportWords
        let dobWords = Lexicon.dobContext
        let otherLabelFirsts = CuedIdentifiers.otherFirsts
        let labels = CuedIdentifiers.labels
        var afterLetter = false
        var i = 0
        while i < n {
            // Past the scalars that trigger nothing (most of a prose prompt), in a loop of its own that
            // keeps its few variables in registers.
            var m: UInt16 = 0
            t.v.withUnsafeBufferPointer { v in
                triggers.withUnsafeBufferPointer { table in
                    while i < n {
                        let c = v[i]
                        if c < 0x80 {
                            m = table[Int(c)]
                            if afterLetter { m &= ~tokenStart }
                            afterLetter = Chars.isASCIILetter(c)
                        } else {
                            // Han cues: 出生 (dates of birth), 护照, 護照, 旅券 (passports); パスポート, 여권 (passports);
                            // 账号, 驾驶证, マイナンバー… (labelled numbers).
                            m =
                                c >= 0x4E00
                                ? (c == 0x62A4 || c == 0x8B77 || c == 0x65C5 || c == 0xC5EC ? date | passport : date) : (c == 0x30D1 ? passport : 0)
                            if otherLabelFirsts.contains(c) { m |= labelled }
                            afterLetter = false
                        }
                        if m != 0 { return }
                        i += 1
                    }
                }
            }
            guard i < n else { break }
            let c = t.v[i]
            defer { i += 1 }
            if m & email != 0 && i >= nextEmail { nextEmail = Identifiers.emailStep(t, i, &found.emails) }
            if m & chain != 0 && i >= nextChain { nextChain = Identifiers.digitChainStep(t, i, &scratch, &found.chains) }
            if m & iban != 0 && i >= 2 && i - 2 >= nextIBAN && i + 2 < n {
                nextIBAN = Identifiers.ibanStep(t, i - 2, &found.ibans)
            }
            // The words' first two letters first (one table load), before the call: "t", "u", "c" start
            // many words and few labels.
            if m & (passport | date | labelled) != 0 {
                let lower = Chars.lowerASCII(c)
                let next = Chars.lowerASCII(t[i + 1])
                if m & passport != 0 && !passportWords.mayStart(lower, next) { m &= ~passport }
                if m & date != 0 && !dobWords.mayStart(lower, next) { m &= ~date }
                if m & labelled != 0 && !labels.mayStart(c, t[i + 1], t[i + 2]) { m &= ~labelled }
            }
            if m & passport != 0 && i >= nextPassport { nextPassport = Identifiers.passportStep(t, i, &found.passports) }
            if m & labelled != 0 && i >= nextLabelled { nextLabelled = CuedIdentifiers.step(t, i, labels, &found.labelled) }
            if m & date != 0 && i >= nextDate { nextDate = Identifiers.dateOfBirthStep(t, i, &found.dates) }
            if m & key != 0 && i >= nextKey { nextKey = Secrets.keyStep(t, i, &found.keys) }
            if m & format != 0 && i >= nextFormat { nextFormat = Secrets.formatStep(t, i, &found.formats) }
            if m & command != 0 && i >= nextCommand { nextCommand = Secrets.commandStep(t, i, &found.commandLines) }
        }
        return found
    }
}
