import Foundation
import LumenLocalRuntime
import LumenTestSupport

/// The default model for tests (see `Harness.modelPath`).
let testModelPath: String? = Harness.modelPath

let noModelMessage = Harness.noModelReason

/// One runtime shared by most model tests (4 slots, small per-slot context).
let sharedRuntime: LocalRuntime? = {
    guard let path = testModelPath else { return nil }
    return try? LocalRuntime(modelPath: path, options: LocalRuntimeOptions(slots: 4, queueLimit: 8, threads: 1, contextLength: 512))
}()

/// A fresh temporary file path.
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("lumen-local-\(UUID().uuidString)-\(name)").path
}

/// Waits (polling) until `condition` holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Writes a minimal GGUF v3 file with the given string metadata and no tensors.
func writeMinimalGGUF(to path: String, metadata: [(String, String)]) throws {
    var bytes: [UInt8] = Array("GGUF".utf8)
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
    u32(3)
    u64(0)
    u64(UInt64(metadata.count))
    for (key, value) in metadata {
        string(key)
        u32(8)
        string(value)
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// A runtime for the tool tests: tool listings and forced calls need a longer context than `sharedRuntime`.
let toolRuntime: LocalRuntime? = {
    guard let path = testModelPath else { return nil }
    return try? LocalRuntime(modelPath: path, options: LocalRuntimeOptions(slots: 2, queueLimit: 4, threads: 1, contextLength: 2048))
}()
