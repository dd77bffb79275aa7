import Testing

@testable import LumenLocalRuntime

@Suite struct TextAssemblerTests {
    /// Feeds pieces and returns the emitted texts and whether a stop was hit.
    private func run(_ pieces: [[UInt8]], stop: [String] = []) -> (emitted: [String], stopped: Bool, rest: String) {
        var assembler = TextAssembler(stop: stop)
        var emitted: [String] = []
        for piece in pieces {
            let output = assembler.append(piece)
            if !output.text.isEmpty { emitted.append(output.text) }
            if output.stopped { return (emitted, true, "") }
        }
        return (emitted, false, assembler.flush())
    }

    @Test func multiByteCharacterSplitAcrossPiecesIsNeverSplit() {
        let bytes = Array("a€b中😀".utf8)  // 1 + 3 + 1 + 3 + 4 bytes
        let pieces = bytes.map { [$0] }
        let result = run(pieces)
        #expect(result.emitted == ["a", "€", "b", "中", "😀"])
        #expect(result.rest == "")
    }

    @Test func stopStringSplitAcrossPiecesDoesNotLeak() {
        let result = run([Array("Hello wor".utf8), Array("ld, EN".utf8), Array("D more".utf8)], stop: ["END"])
        #expect(result.stopped)
        #expect(result.emitted.joined() == "Hello world, ")
        #expect(!result.emitted.joined().contains("E"))
    }

    @Test func heldPrefixIsReleasedWhenTheStopDoesNotComplete() {
        let result = run([Array("a <".utf8), Array("|x".utf8), Array("y".utf8)], stop: ["<|end|>"])
        #expect(!result.stopped)
        #expect(result.emitted.joined() + result.rest == "a <|xy")
        #expect(result.emitted.first == "a ")
    }

    @Test func earliestOfSeveralStopsWins() {
        let result = run([Array("one two three".utf8)], stop: ["three", "two"])
        #expect(result.stopped)
        #expect(result.emitted == ["one "])
        // And it is the one reported (Anthropic's `stop_sequence`).
        var assembler = TextAssembler(stop: ["three", "", "two"])
        #expect(assembler.append(Array("one tw".utf8)).stopSequence == nil)
        #expect(assembler.append(Array("o three".utf8)).stopSequence == "two")
    }

    @Test func multiByteStopString() {
        let result = run(Array("答案：四。完".utf8).map { [$0] }, stop: ["。"])
        #expect(result.stopped)
        #expect(result.emitted.joined() == "答案：四")
    }

    @Test func incompleteTrailingBytesFlushAsReplacement() {
        let result = run([[0x61, 0xE2, 0x82]])
        #expect(result.emitted == ["a"])
        #expect(result.rest == "\u{FFFD}")
    }

    @Test(arguments: [
        ([UInt8](), 0), ([0x61], 1), ([0xE2, 0x82], 0), ([0x61, 0xE2, 0x82, 0xAC], 4), ([0x61, 0xF0, 0x9F], 1),
    ])
    func completePrefixLength(bytes: [UInt8], expected: Int) {
        #expect(TextAssembler.completePrefixLength(bytes) == expected)
    }
}
