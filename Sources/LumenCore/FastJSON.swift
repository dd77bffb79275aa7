/// JSON read into ``JSONValue`` and written from it without `Codable`, for the proxy's hot path (each
/// proxied request decodes its body and the upstream's answer, and encodes the upstream body and the
/// answer; through Foundation's `JSONDecoder`/`JSONEncoder` that was the largest share of Lumen's own
/// CPU per request).
///
/// Exactness is the contract: ``parse(_:)`` returns the value `JSONDecoder` decodes as `JSONValue`, or
/// nil when it is not sure — malformed input, a duplicate key, an integral number written with a
/// fraction or an exponent (`1.0`, `1e3`), an integer beyond `Int64`, `-0`, a lone surrogate — and
/// the caller then decodes with `JSONDecoder` as before (so every error is still Foundation's).
/// ``write(_:into:)`` writes what ``WireJSON/encode(_:)`` writes (sorted keys, unescaped slashes);
/// non-finite doubles, which `JSONEncoder` refuses, make ``encode(_:)`` return nil.
/// Tests compare both with Foundation on generated and recorded bodies.
package enum FastJSON {
    /// The value of a whole JSON text, or nil (see the type's contract).
    package static func parse<Bytes: Collection>(_ bytes: Bytes) -> JSONValue? where Bytes.Element == UInt8 {
        if let value = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) { return value }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var reader = Reader(bytes: buffer)
        guard let value = reader.value(depth: 0) else { return nil }
        reader.whitespace()
        // Not a ternary: `JSONValue` is `ExpressibleByNilLiteral`, and `cond ? value : nil` would be `.null`.
        guard reader.index == buffer.count else { return Optional.none }
        return value
    }

    /// The compact encoding of `value`, or nil when it holds a non-finite double.
    package static func encode(_ value: JSONValue) -> [UInt8]? {
        var out = JSONBytesWriter(capacity: 1024)
        return write(value, into: &out) ? out.bytes : nil
    }

    /// Appends `value`; false (with `out` partly written) when it holds a non-finite double.
    package static func write(_ value: JSONValue, into out: inout JSONBytesWriter) -> Bool {
        switch value {
        case .null: out.null()
        case .bool(let flag): out.bool(flag)
        case .integer(let number): out.number(Int(number))
        case .double(let number):
            guard number.isFinite else { return false }
            out.number(number)
        case .string(let text): out.string(text)
        case .array(let elements):
            out.raw(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.raw(UInt8(ascii: "]"))
        case .object(let members):
            out.raw(UInt8(ascii: "{"))
            if members.count == 1, let (key, member) = members.first {
                out.string(key)
                out.raw(UInt8(ascii: ":"))
                guard write(member, into: &out) else { return false }
            } else {
                for (index, key) in members.keys.sorted(by: JSONBytesWriter.sortedKeysOrder).enumerated() {
                    if index > 0 { out.raw(UInt8(ascii: ",")) }
                    out.string(key)
                    out.raw(UInt8(ascii: ":"))
                    guard write(members[key]!, into: &out) else { return false }
                }
            }
            out.raw(UInt8(ascii: "}"))
        }
        return true
    }

    /// Deeper nesting goes to `JSONDecoder` (which has its own limit).
    static let maxDepth = 256

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func whitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) -> JSONValue? {
            whitespace()
            guard index < bytes.count, depth < FastJSON.maxDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONValue] = [:]
                whitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    whitespace()
                    guard let key = string() else { return nil }
                    whitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    guard let member = value(depth: depth + 1) else { return nil }
                    // A duplicate key (or two spellings Swift's String equality merges) is left to JSONDecoder.
                    guard members.updateValue(member, forKey: key) == nil else { return nil }
                    whitespace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { return nil }
                    index += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var elements: [JSONValue] = []
                whitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                while true {
                    guard let element = value(depth: depth + 1) else { return nil }
                    elements.append(element)
                    whitespace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { return nil }
                    index += 1
                    return .array(elements)
                }
            case UInt8(ascii: "t"): return literal("true") ? JSONValue.bool(true) : Optional.none
            case UInt8(ascii: "f"): return literal("false") ? JSONValue.bool(false) : Optional.none
            case UInt8(ascii: "n"): return literal("null") ? JSONValue.null : Optional.none
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = word.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            guard matches else { return false }
            index += count
            // `truex` is not `true`: the next byte must end the token.
            if index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): break
                default: return false
                }
            }
            return true
        }

        /// A JSON number: `.integer` when it has no fraction or exponent and fits `Int64`, `.double` when
        /// it has one and is not integral; anything else (or not a number) nil.
        mutating func number() -> JSONValue? {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let intStart = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            let intDigits = index - intStart
            guard intDigits > 0, !(intDigits > 1 && bytes[intStart] == UInt8(ascii: "0")) else { return nil }
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > fractionStart else { return nil }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                let exponentStart = index
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > exponentStart else { return nil }
            }
            if index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): break
                default: return nil
                }
            }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
            if isInteger {
                var value: Int64 = 0
                let negative = bytes[start] == UInt8(ascii: "-")
                for byte in UnsafeBufferPointer(rebasing: bytes[intStart..<index]) {
                    let (times, o1) = value.multipliedReportingOverflow(by: 10)
                    let digit = Int64(byte - UInt8(ascii: "0"))
                    let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                    guard !o1, !o2 else { return nil }
                    value = next
                }
                guard !(negative && value == 0) else { return nil }
                return .integer(value)
            }
            guard let double = Double(String(decoding: text, as: UTF8.self)), double.isFinite, double.rounded(.towardZero) != double else {
                return nil
            }
            return .double(double)
        }

        /// A string at `index` (which must be at its opening quote).
        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(validating: slice, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
                if byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// The rest of a string that has escapes, its first `index - start` bytes already scanned.
        mutating func escapedString(from start: Int) -> String? {
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let high = hex4() else { return nil }
                        var scalarValue = high
                        if (0xD800..<0xDC00).contains(high) {
                            guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                return nil
                            }
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalarValue = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                        out.append(contentsOf: String(Character(scalar)).utf8)
                    default:
                        return nil
                    }
                default:
                    if byte < 0x20 { return nil }
                    out.append(byte)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}
