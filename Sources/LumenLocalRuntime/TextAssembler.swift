/// Turns token pieces (raw bytes) into text events: never splits a multi-byte UTF-8 character and never
/// lets a stop string (or the start of one that may still complete) through, even across token boundaries.
struct TextAssembler: Sendable {
    private let stops: [[UInt8]]
    /// Bytes of an incomplete UTF-8 character at the end of the stream.
    private var partial: [UInt8] = []
    /// Complete text that could be the start of a stop string.
    private var held: [UInt8] = []

    init(stop: [String]) {
        stops = stop.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// What to emit after a piece, and whether a stop string was found (generation must end; nothing after it is emitted).
    struct Output: Equatable {
        var text: String
        var stopped: Bool
    }

    /// Appends the bytes of one token piece.
    mutating func append(_ bytes: some Sequence<UInt8>) -> Output {
        partial.append(contentsOf: bytes)
        let complete = TextAssembler.completePrefixLength(partial)
        held.append(contentsOf: partial[..<complete])
        partial.removeFirst(complete)

        if let cut = earliestStop() {
            let text = String(decoding: held[..<cut], as: UTF8.self)
            held.removeAll()
            partial.removeAll()
            return Output(text: text, stopped: true)
        }
        let keep = longestStopPrefixSuffix()
        let emit = held.count - keep
        let text = String(decoding: held[..<emit], as: UTF8.self)
        held.removeFirst(emit)
        return Output(text: text, stopped: false)
    }

    /// Everything still held back (generation ended for another reason); an incomplete final character becomes U+FFFD.
    mutating func flush() -> String {
        let text = String(decoding: held + partial, as: UTF8.self)
        held.removeAll()
        partial.removeAll()
        return text
    }

    /// Byte index of the earliest stop-string occurrence in `held`.
    private func earliestStop() -> Int? {
        var best: Int?
        for stop in stops where stop.count <= held.count {
            let last = held.count - stop.count
            var start = 0
            while start <= last, start < (best ?? Int.max) {
                if held[start] == stop[0], held[start..<start + stop.count].elementsEqual(stop) {
                    best = start
                    break
                }
                start += 1
            }
        }
        return best
    }

    /// Length of the longest suffix of `held` that is a proper prefix of some stop string.
    private func longestStopPrefixSuffix() -> Int {
        var best = 0
        for stop in stops {
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
