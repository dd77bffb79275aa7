import ArgumentParser
import Foundation
import LumenLocalRuntime
import LumenPolicy

/// The policy a benchmark runs under: `--policy`, else the default (`$LUMEN_POLICY`,
/// policies/default.yaml); a file that does not load is reported with its diagnostics.
func benchPolicy(_ explicit: String?, environment: [String: String]) throws -> Policy {
    let path = explicit ?? PolicyLoader.defaultPath(environment: environment)
    do {
        return try PolicyLoader.load(path: path, environment: environment)
    } catch {
        throw ValidationError(error.description)
    }
}

/// The model a benchmark loads: `--model`, else the default (`LUMEN_MODEL`, the repository's `.venv`).
func benchModelPath(_ explicit: String?) throws -> String {
    if let explicit { return explicit }
    guard let path = LocalRuntime.defaultModelPath(environment: ProcessInfo.processInfo.environment) else { throw LocalRuntimeError.noDefaultModel }
    return path
}

func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeErr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
