import Foundation
import Testing

@testable import LumenLocalRuntime

@Suite struct GGUFTests {
    @Test func parsesAMinimalHeader() throws {
        let path = temporaryPath("minimal.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeMinimalGGUF(to: path, metadata: [("general.architecture", "llama"), ("general.name", "Tiny")])
        let header = try GGUFHeader.read(path: path)
        #expect(header.version == 3)
        #expect(header.tensorCount == 0)
        #expect(header.architecture == "llama")
        #expect(header.metadata["general.name"]?.string == "Tiny")
    }

    @Test func badMagicIsNotGGUF() {
        let bytes: [UInt8] = Array("GGML this is not it".utf8)
        #expect(throws: GGUFHeader.ParseError.badMagic) {
            try bytes.withUnsafeBytes { try GGUFHeader.parse($0) }
        }
    }

    @Test func everyTruncationOfAHeaderIsReportedNotCrashed() throws {
        let path = temporaryPath("cut.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeMinimalGGUF(to: path, metadata: [("general.architecture", "llama"), ("tokenizer.chat_template", "{{ x }}")])
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        for length in 4..<full.count {
            let prefix = [UInt8](full.prefix(length))
            #expect(throws: GGUFHeader.ParseError.self) {
                try prefix.withUnsafeBytes { try GGUFHeader.parse($0) }
            }
        }
    }

    @Test func hugeCountsAreRejected() {
        var bytes: [UInt8] = Array("GGUF".utf8)
        withUnsafeBytes(of: UInt32(3).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64.max.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64.max.littleEndian) { bytes.append(contentsOf: $0) }
        #expect(throws: GGUFHeader.ParseError.self) {
            try bytes.withUnsafeBytes { try GGUFHeader.parse($0) }
        }
    }
}
