internal import Foundation

/// Reads a policy file from disk and parses it; the only file access in this module.
package enum PolicyLoader {
    /// The policy file used when none is named: `$LUMEN_POLICY`, else `policies/default.yaml`.
    package static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["LUMEN_POLICY"], !path.isEmpty { return path }
        return "policies/default.yaml"
    }

    /// Loads `path`, resolving `custom_terms_file` relative to the policy file's directory.
    /// `environment` expands `${VAR}` references (the CLI passes its process environment).
    package static func load(path: String, environment: [String: String]) throws(PolicyError) -> Policy {
        let yaml = try readText(path)
        let directory = (path as NSString).deletingLastPathComponent
        return try Policy.parse(yaml: yaml, file: path, environment: environment) { relative in
            let resolved = relative.hasPrefix("/") ? relative : (directory.isEmpty ? relative : directory + "/" + relative)
            return try? String(contentsOfFile: resolved, encoding: .utf8)
        }
    }

    /// Loads a test-cases file (see `PolicyTestSuite`).
    package static func loadTestSuite(path: String) throws(PolicyError) -> PolicyTestSuite {
        try PolicyTestSuite.parse(yaml: readText(path), file: path)
    }

    static func readText(_ path: String) throws(PolicyError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PolicyError(file: path, message: "no such file")
        }
        guard !isDirectory.boolValue else { throw PolicyError(file: path, message: "is a directory, not a policy file") }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyError(file: path, message: "cannot read the file as UTF-8 text")
        }
    }
}
