import Foundation

/// A metadata value from a GGUF header (arrays are summarised by element type and count).
package enum GGUFValue: Sendable, Hashable {
    case unsigned(UInt64)
    case signed(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array(elementType: UInt32, count: UInt64)

    /// The value as an integer, when it is one.
    package var integer: Int64? {
        switch self {
        case .unsigned(let v): v <= UInt64(Int64.max) ? Int64(v) : nil
        case .signed(let v): v
        default: nil
        }
    }

    /// The value as a string, when it is one.
    package var string: String? {
        if case .string(let s) = self { s } else { nil }
    }
}

/// The parsed header of a GGUF file: version, counts, key/value metadata and tensor layout bounds.
package struct GGUFHeader: Sendable, Hashable {
    /// GGUF format version (1–3).
    package var version: UInt32
    /// Number of tensors.
    package var tensorCount: UInt64
    /// Metadata key/value pairs.
    package var metadata: [String: GGUFValue]
    /// Byte offset where tensor data starts (after alignment).
    package var dataOffset: UInt64
    /// The largest tensor data offset (relative to `dataOffset`); the file must extend beyond it.
    package var maxTensorOffset: UInt64
    /// Total number of tensor elements (the model's parameter count).
    package var parameterCount: UInt64

    /// The GGUF magic, "GGUF" as bytes.
    package static let magic: [UInt8] = Array("GGUF".utf8)

    /// `general.architecture`, when present.
    package var architecture: String? { metadata["general.architecture"]?.string }

    /// Why a byte buffer is not a valid GGUF header.
    package enum ParseError: Error, Sendable, Hashable {
        case badMagic
        case truncated(String)
        case malformed(String)
    }

    /// Parses the header of a GGUF file held in `bytes`, checking that every declared field lies within it.
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> GGUFHeader {
        var reader = Reader(bytes: bytes)
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else { throw .badMagic }
        reader.offset = 4
        let version = try reader.u32("version")
        guard (1...3).contains(version) else { throw .malformed("unsupported GGUF version \(version)") }
        let wide = version >= 2
        let tensorCount = wide ? try reader.u64("tensor count") : UInt64(try reader.u32("tensor count"))
        let kvCount = wide ? try reader.u64("metadata count") : UInt64(try reader.u32("metadata count"))
        // Each key/value needs at least 13 bytes; each tensor info at least 25.
        guard kvCount <= UInt64(bytes.count) / 13 else { throw .truncated("metadata count \(kvCount) exceeds the file") }
        guard tensorCount <= UInt64(bytes.count) / 25 else { throw .truncated("tensor count \(tensorCount) exceeds the file") }

        var metadata: [String: GGUFValue] = [:]
        for _ in 0..<kvCount {
            let key = try reader.string("metadata key", wide: wide)
            let type = try reader.u32("type of \(key)")
            metadata[key] = try reader.value(type: type, context: key, wide: wide)
        }

        var maxOffset: UInt64 = 0
        var parameters: UInt64 = 0
        for index in 0..<tensorCount {
            let name = try reader.string("tensor \(index) name", wide: wide)
            let dims = try reader.u32("dimensions of \(name)")
            guard dims <= 8 else { throw .malformed("tensor \(name) has \(dims) dimensions") }
            var elements: UInt64 = 1
            for _ in 0..<dims {
                let extent = wide ? try reader.u64("shape of \(name)") : UInt64(try reader.u32("shape of \(name)"))
                let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw .malformed("tensor \(name) has an impossible shape") }
                elements = product
            }
            parameters &+= elements
            _ = try reader.u32("type of \(name)")
            let offset = try reader.u64("offset of \(name)")
            maxOffset = max(maxOffset, offset)
        }

        let alignment = UInt64(metadata["general.alignment"]?.integer ?? 32)
        guard alignment > 0, alignment.nonzeroBitCount == 1 else { throw .malformed("alignment \(alignment) is not a power of two") }
        let headerEnd = UInt64(reader.offset)
        let dataOffset = (headerEnd + alignment - 1) / alignment * alignment
        if tensorCount > 0, dataOffset + maxOffset >= UInt64(bytes.count) {
            throw .truncated("tensor data ends before the last tensor (file is \(bytes.count) bytes, needs more than \(dataOffset + maxOffset))")
        }
        return GGUFHeader(
            version: version, tensorCount: tensorCount, metadata: metadata, dataOffset: dataOffset, maxTensorOffset: maxOffset,
            parameterCount: parameters
        )
    }

    /// Reads and parses the header of the GGUF file at `path` (memory-mapped, so large files are cheap).
    package static func read(path: String) throws(LocalRuntimeError) -> GGUFHeader {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .modelNotFound(path: path) }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let result: Result<GGUFHeader, ParseError> = data.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let header): return header
        case .failure(.badMagic): throw .notGGUF(path: path)
        case .failure(.truncated(let reason)): throw .corruptModel(path: path, reason: "truncated: \(reason)")
        case .failure(.malformed(let reason)): throw .corruptModel(path: path, reason: reason)
        }
    }
}

/// A bounds-checked little-endian cursor over the header bytes.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFHeader.ParseError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - offset else { throw .truncated("file ends inside \(what())") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFHeader.ParseError) -> T {
        let raw = try take(MemoryLayout<T>.size, what())
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: raw) }
        return T(littleEndian: value)
    }

    mutating func u32(_ what: @autoclosure () -> String) throws(GGUFHeader.ParseError) -> UInt32 { try integer(UInt32.self, what()) }
    mutating func u64(_ what: @autoclosure () -> String) throws(GGUFHeader.ParseError) -> UInt64 { try integer(UInt64.self, what()) }

    mutating func string(_ what: @autoclosure () -> String, wide: Bool) throws(GGUFHeader.ParseError) -> String {
        let length = wide ? try u64(what()) : UInt64(try u32(what()))
        guard length <= UInt64(bytes.count - offset) else { throw .truncated("file ends inside \(what())") }
        let raw = try take(Int(length), what())
        return String(decoding: raw, as: UTF8.self)
    }

    /// Size in bytes of a fixed-size GGUF scalar type, nil for strings/arrays/unknown.
    static func scalarSize(_ type: UInt32) -> Int? {
        switch type {
        case 0, 1, 7: 1
        case 2, 3: 2
        case 4, 5, 6: 4
        case 10, 11, 12: 8
        default: nil
        }
    }

    mutating func value(type: UInt32, context: String, wide: Bool) throws(GGUFHeader.ParseError) -> GGUFValue {
        switch type {
        case 0: return .unsigned(UInt64(try integer(UInt8.self, context)))
        case 1: return .signed(Int64(try integer(Int8.self, context)))
        case 2: return .unsigned(UInt64(try integer(UInt16.self, context)))
        case 3: return .signed(Int64(try integer(Int16.self, context)))
        case 4: return .unsigned(UInt64(try u32(context)))
        case 5: return .signed(Int64(try integer(Int32.self, context)))
        case 6: return .float(Double(Float(bitPattern: try u32(context))))
        case 7: return .bool(try integer(UInt8.self, context) != 0)
        case 8: return .string(try string(context, wide: wide))
        case 9:
            let elementType = try u32(context)
            let count = wide ? try u64(context) : UInt64(try u32(context))
            if let size = Reader.scalarSize(elementType) {
                guard count <= UInt64(bytes.count - offset) / UInt64(size) else { throw .truncated("file ends inside array \(context)") }
                _ = try take(Int(count) * size, context)
            } else if elementType == 8 {
                guard count <= UInt64(bytes.count - offset) / 8 else { throw .truncated("file ends inside array \(context)") }
                for _ in 0..<count {
                    let length = wide ? try u64(context) : UInt64(try u32(context))
                    guard length <= UInt64(bytes.count - offset) else { throw .truncated("file ends inside array \(context)") }
                    _ = try take(Int(length), context)
                }
            } else if elementType == 9 {
                throw .malformed("nested arrays in \(context)")
            } else {
                throw .malformed("unknown array element type \(elementType) in \(context)")
            }
            return .array(elementType: elementType, count: count)
        case 10: return .unsigned(try u64(context))
        case 11: return .signed(try integer(Int64.self, context))
        case 12: return .float(Double(bitPattern: try u64(context)))
        default: throw .malformed("unknown value type \(type) for \(context)")
        }
    }
}
