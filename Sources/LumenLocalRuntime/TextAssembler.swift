/// Turns token pieces (raw bytes) into text events: never splits a multi-byte UTF-8 character and never
/// lets a stop string (or the start of one that may still complete) through, even across token boundaries.
/// It also watches for tool-call triggers: text up to a trigger is emitted, the trigger and what follows
/// are handed back.
struct TextAssembler: Sendable {
    private let stops: [[UInt8]]
    private let triggers: [[UInt8]]
    /// Triggers count only at the start of the text (after whitespace).
    private let anchored: Bool
    /// Hold whitespace at the start of the text until something else comes (dropped if a trigger does).
    private let holdLeadingWhitespace: Bool
    /// Bytes of an incomplete UTF-8 character at the end of the stream.
    private var partial: [UInt8] = []
    /// Complete text that could be the start of a stop string or trigger.
    private var held: [UInt8] = []
    /// Whether anything but whitespace has been emitted.
    private var started = false

    init(stop: [String], triggers: [String] = [], anchoredTriggers: Bool = false, holdLeadingWhitespace: Bool = false) {
        stops = stop.filter { !$0.isEmpty }.map { Array($0.utf8) }
        self.triggers = triggers.filter { !$0.isEmpty }.map { Array($0.utf8) }
        anchored = anchoredTriggers
        self.holdLeadingWhitespace = holdLeadingWhitespace
    }

    /// A trigger was found.
    struct Trigger: Equatable {
        /// Bytes of the input after the trigger's end (including an incomplete character).
        var excess: Int
        /// Those bytes.
        var after: [UInt8]
    }

    /// What to emit after a piece, and whether a stop string was found (generation must end; nothing after it is emitted).
    struct Output: Equatable {
        var text: String
        /// The stop string found: generation must end.
        var stopSequence: String? = nil
        var stopped: Bool { stopSequence != nil }
        /// Set when a trigger completed: `text` is what came before it.
        var trigger: Trigger? = nil
    }

    /// Appends the bytes of one token piece.
    mutating func append(_ bytes: some Sequence<UInt8>) -> Output {
        partial.append(contentsOf: bytes)
        let complete = TextAssembler.completePrefixLength(partial)
        held.append(contentsOf: partial[..<complete])
        partial.removeFirst(complete)

        let found = earliestStop()
        let stop = found?.start
        if let (start, length) = earliestTrigger(), start < (stop ?? Int.max) {
            let before = held[..<start]
            let text = !started && before.allSatisfy(TextAssembler.isWhitespace) ? "" : String(decoding: before, as: UTF8.self)
            let after = Array(held[(start + length)...]) + partial
            held.removeAll()
            partial.removeAll()
            return Output(text: text, trigger: Trigger(excess: after.count, after: after))
        }
        if let (cut, index) = found {
            let text = String(decoding: held[..<cut], as: UTF8.self)
            held.removeAll()
            partial.removeAll()
            return Output(text: text, stopSequence: String(decoding: stops[index], as: UTF8.self))
        }
        var keep = longestStopPrefixSuffix()
        if !started {
            // Before any text: whitespace is held while what follows it may still be (the start of) a trigger.
            let rest = held[held.prefix(while: TextAssembler.isWhitespace).count...]
            let mayTrigger = triggers.contains { $0.starts(with: rest) }
            if (holdLeadingWhitespace && (rest.isEmpty || mayTrigger)) || (anchored && mayTrigger) { keep = held.count }
        }
        let emit = held.count - keep
        let text = String(decoding: held[..<emit], as: UTF8.self)
        held.removeFirst(emit)
        if text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { started = true }
        return Output(text: text)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Byte index and length of the earliest trigger occurrence in `held` (anchored: only at the start, after whitespace).
    private func earliestTrigger() -> (Int, Int)? {
        guard !triggers.isEmpty else { return nil }
        if anchored {
            guard !started else { return nil }
            let leading = held.prefix(while: TextAssembler.isWhitespace).count
            for trigger in triggers where held[leading...].starts(with: trigger) { return (leading, trigger.count) }
            return nil
        }
        var best: (Int, Int)?
        for trigger in triggers where trigger.count <= held.count {
            var start = 0
            while start + trigger.count <= held.count, start < (best?.0 ?? Int.max) {
                if held[start] == trigger[0], held[start..<start + trigger.count].elementsEqual(trigger) {
                    best = (start, trigger.count)
                    break
                }
                start += 1
            }
        }
        return best
    }

    /// Everything still held back (generation ended for another reason); an incomplete final character becomes U+FFFD.
    mutating func flush() -> String {
        let text = String(decoding: held + partial, as: UTF8.self)
        held.removeAll()
        partial.removeAll()
        return text
    }

    /// Byte index of the earliest stop-string occurrence in `held`, and which stop string it is.
    private func earliestStop() -> (start: Int, index: Int)? {
        var best: (start: Int, index: Int)?
        for (index, stop) in stops.enumerated() where stop.count <= held.count {
            let last = held.count - stop.count
            var start = 0
            while start <= last, start < (best?.start ?? Int.max) {
                if held[start] == stop[0], held[start..<start + stop.count].elementsEqual(stop) {
                    best = (start, index)
                    break
                }
                start += 1
            }
        }
        return best
    }

    /// Length of the longest suffix of `held` that is a proper prefix of some stop string or (unanchored) trigger.
    private func longestStopPrefixSuffix() -> Int {
        var best = 0
        for stop in stops + (anchored ? [] : triggers) {
            var length = min(stop.count - 1, held.count)
            while length > best {
                if held[(held.count - length)...].elementsEqual(stop[..<length]) {
                    best = length
                    break
                }
                length -= 1
            }
        }
        return best
    }

    /// Length of the longest prefix of `bytes` that does not end inside a UTF-8 character.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        var index = count - 1
        let lowest = max(0, count - 4)
        while index >= lowest {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let needed: Int =
                    switch byte {
                    case 0x00..<0x80: 1
                    case 0xC0..<0xE0: 2
                    case 0xE0..<0xF0: 3
                    case 0xF0..<0xF8: 4
                    default: 1
                    }
                return index + needed > count ? index : count
            }
            index -= 1
        }
        return count
    }
}
