package import Foundation
package import LumenPolicy
import PostgresNIO

/// One stored policy version.
package struct StoredPolicy: Sendable, Hashable {
    package var version: Int
    package var name: String
    /// Content hash of the policy as parsed when applied.
    package var hash: String
    /// The YAML as applied, and the files it names (`custom_terms_file`), by the name it uses.
    package var yaml: String
    package var files: [String: String]
    package var author: String
    package var createdAt: Date

    /// Parses the stored text (with `environment` for `${VAR}`), as every instance does.
    package func policy(environment: [String: String]) throws(PolicyError) -> Policy {
        let files = self.files
        return try Policy.parse(yaml: yaml, file: "store:v\(version)", environment: environment) { files[$0] }
    }
}

/// One line of `lumen policy history`.
package struct PolicyActivation: Sendable, Hashable {
    package var id: Int
    package var version: Int
    package var name: String
    package var hash: String
    /// `apply` or `rollback`.
    package var action: String
    package var author: String
    package var at: Date
}

extension SharedStore {
    /// The channel instances LISTEN on; the payload is the newly active version.
    package static let policyChannel = "lumen_policy"

    /// Stores `yaml` as a new version and makes it active (one transaction; every instance is told
    /// by NOTIFY when it commits). The caller validated it. Applying the active policy's exact
    /// content again stores nothing and returns the active version. `onlyIfNone`: only when the store
    /// has no policy yet (checked under the same lock: two instances seeding an empty store at once
    /// store one version, not two that race).
    package func applyPolicy(
        yaml: String, files: [String: String], policy: Policy, author: String, onlyIfNone: Bool = false
    ) async throws(StoreError) -> (version: Int, created: Bool) {
        let filesJSON = String(decoding: (try? JSONEncoder().encode(files)) ?? Data("{}".utf8), as: UTF8.self)
        let logger = self.logger
        return try await transaction("apply policy") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(StoreMigrations.lockKey + 1))", logger: logger)
            var active: (Int, String)?
            for try await row in try await connection.query(
                "SELECT p.version, p.hash FROM lumen_policy_activations a JOIN lumen_policies p USING (version) ORDER BY a.id DESC LIMIT 1",
                logger: logger
            ).decode((Int, String).self) {
                active = row
            }
            if let active, active.1 == policy.contentHash || onlyIfNone { return (active.0, false) }
            var version = 0
            for try await value in try await connection.query(
                """
                INSERT INTO lumen_policies (name, hash, yaml, files, author) VALUES (\(policy.name), \(policy.contentHash), \(yaml), \(filesJSON), \(author))
                RETURNING version
                """, logger: logger
            ).decode(Int.self) {
                version = value
            }
            try await connection.query(
                "INSERT INTO lumen_policy_activations (version, action, author) VALUES (\(version), 'apply', \(author))", logger: logger)
            try await connection.query("SELECT pg_notify(\(Self.policyChannel), \(String(version)))", logger: logger)
            return (version, true)
        }
    }

    /// Makes `version` (default: the version active before the current one) active again.
    package func rollbackPolicy(to version: Int?, author: String) async throws(StoreError) -> Int {
        let logger = self.logger
        return try await transaction("roll back policy") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(StoreMigrations.lockKey + 1))", logger: logger)
            var history: [Int] = []
            for try await value in try await connection.query("SELECT version FROM lumen_policy_activations ORDER BY id DESC", logger: logger).decode(
                Int.self)
            {
                history.append(value)
            }
            guard let current = history.first else {
                throw StoreError(.invalidArgument, "the store has no policy yet: `lumen policy apply FILE --store URL` first")
            }
            let target: Int
            if let version {
                var exists = false
                for try await _ in try await connection.query("SELECT 1 FROM lumen_policies WHERE version = \(version)", logger: logger).decode(
                    Int.self)
                {
                    exists = true
                }
                guard exists else { throw StoreError(.invalidArgument, "there is no policy version \(version) (see `lumen policy history`)") }
                target = version
            } else {
                guard let previous = history.first(where: { $0 != current }) else {
                    throw StoreError(.invalidArgument, "no earlier policy version to roll back to (only version \(current) was ever active)")
                }
                target = previous
            }
            guard target != current else { throw StoreError(.invalidArgument, "version \(target) is already active") }
            try await connection.query(
                "INSERT INTO lumen_policy_activations (version, action, author) VALUES (\(target), 'rollback', \(author))", logger: logger)
            try await connection.query("SELECT pg_notify(\(Self.policyChannel), \(String(target)))", logger: logger)
            return target
        }
    }

    /// The active version's number (nil: none applied yet).
    package func activePolicyVersion() async throws(StoreError) -> Int? {
        let rows = try await run("read active policy", "SELECT version FROM lumen_policy_activations ORDER BY id DESC LIMIT 1")
        return try? rows.first?.decode(Int.self)
    }

    /// One stored version.
    package func policy(version: Int) async throws(StoreError) -> StoredPolicy {
        let rows = try await run(
            "read policy", "SELECT version, name, hash, yaml, files, author, created_at FROM lumen_policies WHERE version = \(version)")
        guard let row = rows.first,
            let (v, name, hash, yaml, filesJSON, author, created) = try? row.decode((Int, String, String, String, String, String, Date).self)
        else { throw StoreError(.invalidArgument, "there is no policy version \(version)") }
        let files = (try? JSONDecoder().decode([String: String].self, from: Data(filesJSON.utf8))) ?? [:]
        return StoredPolicy(version: v, name: name, hash: hash, yaml: yaml, files: files, author: author, createdAt: created)
    }

    /// Activations, newest first.
    package func policyHistory(limit: Int = 50) async throws(StoreError) -> [PolicyActivation] {
        let rows = try await run(
            "read policy history",
            """
            SELECT a.id, a.version, p.name, p.hash, a.action, a.author, a.at FROM lumen_policy_activations a JOIN lumen_policies p USING (version)
            ORDER BY a.id DESC LIMIT \(limit)
            """)
        return rows.compactMap { row in
            (try? row.decode((Int, Int, String, String, String, String, Date).self)).map {
                PolicyActivation(id: $0.0, version: $0.1, name: $0.2, hash: $0.3, action: $0.4, author: $0.5, at: $0.6)
            }
        }
    }

    /// Calls `changed` with each version announced on the policy channel until cancelled,
    /// re-listening with back-off when the connection drops (the caller also polls, so a
    /// notification missed while reconnecting is not lost).
    package func watchPolicies(_ changed: @escaping @Sendable (Int) async -> Void) async {
        var delay = 0.2
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.policyChannel) { notifications in
                        delay = 0.2
                        for try await notification in notifications {
                            if let version = Int(notification.payload) { await changed(version) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("policy channel lost, listening again", metadata: ["error": "\(StoreError.explain(error))"])
            }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            delay = min(delay * 2, 5)
        }
    }
}

/// A policy file with the files it names (`custom_terms_file`), read for `policy apply`: what the
/// store keeps, so every instance parses the same text whatever its working directory.
package struct PolicyBundle: Sendable {
    package var yaml: String
    package var files: [String: String]
    package var policy: Policy

    /// Reads and validates `path` as `PolicyLoader.load` does, keeping the text of every file it reads.
    package static func load(path: String, environment: [String: String]) throws(PolicyError) -> PolicyBundle {
        guard let yaml = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PolicyError(file: path, message: "no such file, or not UTF-8 text")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var files: [String: String] = [:]
        let policy = try Policy.parse(yaml: yaml, file: path, environment: environment) { relative in
            let resolved = relative.hasPrefix("/") ? relative : (directory.isEmpty ? relative : directory + "/" + relative)
            let text = try? String(contentsOfFile: resolved, encoding: .utf8)
            if let text { files[relative] = text }
            return text
        }
        return PolicyBundle(yaml: yaml, files: files, policy: policy)
    }
}
