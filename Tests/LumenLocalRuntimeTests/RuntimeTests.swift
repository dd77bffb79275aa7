import Foundation
import LumenLocalRuntime
import Testing

/// Tests against the real default model; serialized so the shared runtime's slot counts are predictable.
@Suite(.serialized, .enabled(if: testModelPath != nil, Comment(rawValue: noModelMessage)))
struct RuntimeTests {
    let runtime: LocalRuntime

    init() throws {
        runtime = try #require(sharedRuntime, "the default model exists but did not load")
    }

    private let story: [ChatTurn] = [.user("Write a long story about a dragon who learns to cook.")]

    /// Streams and returns the text pieces and the summary.
    private func pieces(_ turns: [ChatTurn], _ parameters: SamplingParameters) async throws -> ([String], GenerationSummary) {
        var texts: [String] = []
        for try await event in try runtime.stream(turns, parameters: parameters) {
            switch event {
            case .text(let text): texts.append(text)
            case .finished(let summary): return (texts, summary)
            }
        }
        throw LocalRuntimeError.shutDown
    }

    @Test func metadataDescribesTheModel() throws {
        let metadata = runtime.metadata
        #expect(metadata.architecture == "llama")
        #expect(metadata.quantization.hasPrefix("Q4_1"))
        #expect(metadata.parameters > 100_000_000 && metadata.parameters < 200_000_000)
        #expect(metadata.fileSize > 50_000_000)
        #expect((metadata.trainingContextLength ?? 0) >= 2048)
        #expect(metadata.chatTemplate?.contains("<|im_start|>") == true)
        #expect(runtime.contextLength == 512)
        let prompt = try runtime.prompt(for: [.system("Be brief."), .user("Hi")])
        #expect(prompt.contains("<|im_start|>system\nBe brief.<|im_end|>"))
        #expect(prompt.hasSuffix("<|im_start|>assistant\n"))
    }

    @Test func greedyIsDeterministic() async throws {
        let question: [ChatTurn] = [.user("What is the capital of France?")]
        let first = try await runtime.complete(question, parameters: .greedy(maxTokens: 24))
        let second = try await runtime.complete(question, parameters: .greedy(maxTokens: 24))
        #expect(first.text == second.text)
        #expect(first.text.contains("Paris"))
        #expect(first.summary.completionTokens > 0)
        #expect(first.summary.promptTokens > 5)
        #expect(first.summary.timeToFirstToken != nil)
    }

    @Test func seededSamplingIsReproducible() async throws {
        let parameters = SamplingParameters(temperature: 0.9, topP: 0.95, topK: 40, seed: 42, maxTokens: 16)
        let first = try await runtime.complete(story, parameters: parameters)
        let second = try await runtime.complete(story, parameters: parameters)
        #expect(first.text == second.text)
    }

    @Test func maxTokensEndsWithLength() async throws {
        let completion = try await runtime.complete(story, parameters: .greedy(maxTokens: 5))
        #expect(completion.summary.completionTokens == 5)
        #expect(completion.summary.finishReason == .length)
        #expect(!completion.text.isEmpty)
    }

    @Test func endOfGenerationEndsWithStop() async throws {
        let completion = try await runtime.complete([.user("Say just the word yes.")], parameters: .greedy(maxTokens: 64))
        #expect(completion.summary.finishReason == .stop)
        #expect(completion.summary.completionTokens < 64)
    }

    @Test func stopSequenceSpanningTokensDoesNotLeak() async throws {
        let (reference, _) = try await pieces(story, .greedy(maxTokens: 48))
        let full = reference.joined()
        // A stop string made of the end of one piece and the start of the next.
        var stop: String?
        var offset = 0
        for index in 1..<reference.count - 1 {
            offset += reference[index - 1].count
            let left = reference[index]
            let right = reference[index + 1]
            guard left.count >= 2, right.count >= 2 else { continue }
            let candidate = String(left.suffix(2)) + String(right.prefix(2))
            let start = full.index(full.startIndex, offsetBy: offset + left.count - 2)
            if let found = full.range(of: candidate), found.lowerBound == start {
                stop = candidate
                break
            }
        }
        let stopString = try #require(stop, "no two adjacent multi-character pieces in \(reference)")
        let expected = String(full[..<full.range(of: stopString)!.lowerBound])

        let (stopped, summary) = try await pieces(story, .greedy(maxTokens: 48, stop: [stopString, "never-appears"]))
        #expect(stopped.joined() == expected)
        #expect(!stopped.joined().contains(stopString))
        #expect(summary.finishReason == .stop && summary.stopSequence == stopString)
    }

    @Test func streamedPiecesAreWholeCharacters() async throws {
        let (texts, _) = try await pieces([.user("Translate 'good morning, friend' into Chinese and Japanese.")], .greedy(maxTokens: 32))
        #expect(!texts.isEmpty)
        for text in texts { #expect(!text.contains("\u{FFFD}")) }
    }

    @Test func countTokens() {
        #expect(runtime.countTokens("") == 0)
        let count = runtime.countTokens("Hello world, this is a test.")
        #expect(count > 3 && count < 15)
    }

    @Test func promptLongerThanTheContextIsRejected() {
        let long = String(repeating: "token ", count: 800)
        #expect {
            _ = try runtime.stream([.user(long)], parameters: .greedy(maxTokens: 4))
        } throws: { error in
            guard case LocalRuntimeError.promptTooLong(let tokens, let context) = error else { return false }
            return tokens > context && context == 512
        }
    }

    @Test func invalidRequestsAreRejected() {
        #expect(throws: LocalRuntimeError.self) { _ = try runtime.stream([.init(role: "wizard", content: "hi")], parameters: .greedy()) }
        #expect(throws: LocalRuntimeError.self) { _ = try runtime.stream([], parameters: .greedy()) }
        #expect(throws: LocalRuntimeError.self) { _ = try runtime.stream([.user("hi")], parameters: .greedy(maxTokens: 0)) }
    }

    @Test func cancellingTheConsumerStopsPromptlyAndFreesTheSlot() async throws {
        let (progress, progressContinuation) = AsyncStream.makeStream(of: Int.self)
        let stream = try runtime.stream(story, parameters: .greedy(maxTokens: 400))
        let consumer = Task {
            var received = 0
            for try await event in stream {
                if case .text = event {
                    received += 1
                    if received == 3 { progressContinuation.yield(received) }
                }
            }
            return received
        }
        let before = runtime.status.generatedTokens
        for await _ in progress { break }
        consumer.cancel()
        let atCancel = runtime.status.generatedTokens
        let received = try await consumer.value
        // Counted in tokens, not seconds (a loaded machine stalls the test's tasks while the runtime's
        // own thread goes on): the slot is freed a few steps after the cancel, long before 400 tokens.
        #expect(await eventually { runtime.status.activeSlots == 0 }, "slot not freed: \(runtime.status)")
        let generated = runtime.status.generatedTokens
        #expect(generated - atCancel < 32, "\(generated - atCancel) tokens generated after the cancel")
        #expect(generated - before < 400 && received < 400)
        let after = try await runtime.complete([.user("What is the capital of France?")], parameters: .greedy(maxTokens: 8))
        #expect(after.summary.completionTokens > 0)
    }

    @Test func concurrentRequestsEachGetTheirOwnAnswer() async throws {
        let words = ["apple", "river", "guitar", "planet"]
        let prompts = words.map { [ChatTurn.user("Repeat the word '\($0)' three times, separated by commas.")] }
        var alone: [String] = []
        for prompt in prompts {
            alone.append(try await runtime.complete(prompt, parameters: .greedy(maxTokens: 20)).text)
        }
        let together = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, prompt) in prompts.enumerated() {
                group.addTask { (index, try await runtime.complete(prompt, parameters: .greedy(maxTokens: 20)).text) }
            }
            var results = [String](repeating: "", count: prompts.count)
            for try await (index, text) in group { results[index] = text }
            return results
        }
        #expect(together == alone)
        for (word, text) in zip(words, together) { #expect(text.lowercased().contains(word), "\(word): \(text)") }
    }
}

/// Busy handling needs a runtime of its own (1 slot, queue of 1).
@Suite(.enabled(if: testModelPath != nil, Comment(rawValue: noModelMessage)))
struct BusyTests {
    @Test func fullSlotsAndQueueAreBusyNotAHang() async throws {
        let path = try #require(testModelPath)
        let runtime = try LocalRuntime(modelPath: path, options: LocalRuntimeOptions(slots: 1, queueLimit: 1, threads: 1, contextLength: 256))
        let turns: [ChatTurn] = [.user("Write a long story about a dragon.")]
        let running = try runtime.stream(turns, parameters: .greedy(maxTokens: 200))
        let waiting = try runtime.stream(turns, parameters: .greedy(maxTokens: 200))
        #expect(throws: LocalRuntimeError.busy(slots: 1, queueLimit: 1)) {
            _ = try runtime.stream(turns, parameters: .greedy(maxTokens: 4))
        }
        let consumers = [running, waiting].map { stream in
            Task { for try await _ in stream {} }
        }
        consumers.forEach { $0.cancel() }
        for consumer in consumers { _ = try? await consumer.value }
        #expect(await eventually { runtime.status.activeSlots == 0 && runtime.status.queued == 0 }, "\(runtime.status)")
        let after = try await runtime.complete(turns, parameters: .greedy(maxTokens: 4))
        #expect(after.summary.completionTokens == 4)
    }

    @Test func backToBackRequestsNeverSeeBusy() async throws {
        let path = try #require(testModelPath)
        let runtime = try LocalRuntime(modelPath: path, options: LocalRuntimeOptions(slots: 1, queueLimit: 0, threads: 1, contextLength: 128))
        for _ in 0..<5 {
            let completion = try await runtime.complete([.user("Hi")], parameters: .greedy(maxTokens: 2))
            #expect(completion.summary.completionTokens > 0)
        }
    }
}
