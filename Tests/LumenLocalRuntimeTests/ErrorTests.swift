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
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
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

    @Test(
        .enabled(if: testModelPath != nil, Comment(rawValue: noModelMessage)),
        arguments: ["inside the header", "half the tensor data", "the last 16 bytes missing"])
    func truncatedModel(cut: String) throws {
        let source = try #require(testModelPath)
        let data = try Data(contentsOf: URL(fileURLWithPath: source), options: .alwaysMapped)
        let path = temporaryPath("truncated.gguf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let keep =
            switch cut {
            case "inside the header": data.count / 100
            case "half the tensor data": data.count / 2
            default: data.count - 16  // passes the header check; llama.cpp's bounds check must catch it
            }
        try data.prefix(keep).write(to: URL(fileURLWithPath: path))
        let error = loadError(path)
        #expect(error?.code == "corrupt_model", "got \(String(describing: error))")
    }
}
