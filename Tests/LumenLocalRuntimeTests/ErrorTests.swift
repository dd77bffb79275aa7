import Foundation
import LumenLocalRuntime
import Testing

@Suite struct LoadErrorTests {
    private func loadError(_ path: String) -> LocalRuntimeError? {
        do {
            _ = try LocalRuntime(modelPath: path, options: LocalRuntimeOptions(slots: 1, threads: 1, contextLength: 64))
            return nil
        } catch let error as LocalRuntimeError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func missingFile() {
        let path = "/nonexistent/lumen/model.gguf"
        let error = loadError(path)
        #expect(error == .modelNotFound(path: path))
        #expect(error?.description.contains(path) == true)
    }

    @Test func notAGGUF() throws {
        let path = temporaryPath("text.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("this is a text file, not a model\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(loadError(path)?.code == "not_gguf")
    }

    @Test func emptyFile() throws {
        let path = temporaryPath("empty.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data())
        #expect(loadError(path)?.code == "not_gguf")
    }

    @Test func directoryIsUnreadable() {
        #expect(loadError(FileManager.default.temporaryDirectory.path)?.code == "model_unreadable")
    }

    @Test func unsupportedArchitecture() throws {
        let path = temporaryPath("alien.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeMinimalGGUF(to: path, metadata: [("general.architecture", "nosucharch"), ("general.name", "Alien")])
        let error = loadError(path)
        #expect(error?.code == "unsupported_architecture", "got \(String(describing: error))")
        #expect(error?.description.contains("nosucharch") == true)
    }

    @Test(.enabled(if: testModelPath != nil, Comment(rawValue: noModelMessage)), arguments: [0.01, 0.5, 0.999])
    func truncatedModel(fraction: Double) throws {
        let source = try #require(testModelPath)
        let data = try Data(contentsOf: URL(fileURLWithPath: source), options: .alwaysMapped)
        let path = temporaryPath("truncated-\(fraction).gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: path))
        let error = loadError(path)
        #expect(error?.code == "corrupt_model", "got \(String(describing: error))")
    }
}
