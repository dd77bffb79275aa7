import ArgumentParser
import Foundation
import Logging
import LumenAudit
import LumenPolicy
import LumenStore

/// `lumen audit …`: review the cost and egress audit log.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify and review the audit log (cost, egress, decisions).",
        subcommands: [
            AuditVerify.self, AuditSummaryCommand.self, AuditEgressCommand.self, AuditTail.self, AuditExport.self, AuditReport.self,
            AuditImport.self,
        ]
    )
}

struct AuditDirectoryOption: ParsableArguments {
    @Argument(help: "Audit directory (default: LUMEN_AUDIT_DIR or ./audit), or a postgres:// store URL.")
    var directory: String?

    @Option(help: "Read the shared store instead of a directory: postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var store: String?

    var path: String { directory ?? AuditFiles.defaultDirectory(ProcessInfo.processInfo.environment) }

    /// The store URL when one is named (by --store, or as the argument).
    var storeURL: String? { store ?? directory.flatMap { StoreURL.isStoreURL($0) ? $0 : nil } }

    /// Connects to the named store (nil when reading a directory).
    func openStore() async throws -> SharedStore? {
        guard let text = storeURL else { return nil }
        do {
            let store = try await SharedStore.connect(try StoreURL(parsing: text), logger: Logger(label: "lumen.audit"), queryTimeout: 120)
            try await store.requireSchema()
            return store
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }

    /// The records to review: the directory, or every chain of the store (since `since`).
    func source(since: String? = nil) async throws -> AuditSource {
        guard let store = try await openStore() else { return .directory(path) }
        defer { store.shutdown() }
        do {
            return .chains(try await store.auditLines(since: since))
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}

extension AuditDirectoryOption {
    /// Why the figures of a log whose hash chain does not verify cannot be trusted, or nil when it
    /// verifies (a torn last line, repaired on the writer's next start, is no tampering).
    func chainWarning() async throws -> String? {
        if let report = try await verifyStore(publicKey: nil) {
            return report.intact ? nil : Self.warning(issues: report.issues.filter(\.isTampering).count)
        }
        let report = try verifyDirectory()
        return report.intact ? nil : Self.warning(issues: report.issues.filter(\.isTampering).count)
    }

    /// The named store's chains verified (nil when reading a directory); `publicKey` defaults to
    /// `$LUMEN_STORE_PUBLIC_KEY`.
    func verifyStore(publicKey: String?) async throws -> StoreVerifyReport? {
        guard let store = try await openStore() else { return nil }
        defer { store.shutdown() }
        do {
            return try await store.verifyAudit(publicKey: publicKey ?? ProcessInfo.processInfo.environment[CheckpointSigner.publicEnvironmentKey])
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }

    /// The directory's chain verified (with `$LUMEN_AUDIT_HMAC_KEY` when set).
    func verifyDirectory() throws -> AuditVerifyReport {
        try failing { try AuditVerifier.verify(directory: path, key: AuditHMAC.fromEnvironment(ProcessInfo.processInfo.environment)) }
    }

    static func warning(issues: Int) -> String {
        "the audit log's hash chain does not verify (\(issues) issue\(issues == 1 ? "" : "s"); `lumen audit verify` lists them): records may have been altered or removed, so these figures cannot be trusted"
    }

    /// After the figures: the warning on standard error and exit status 1, as `verify` has.
    func failIfTampered(_ warning: String?) throws {
        guard let warning else { return }
        FileHandle.standardError.write(Data("lumen audit: warning: \(warning)\n".utf8))
        throw ExitCode(1)
    }
}

private func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

private func usd(_ value: Double) -> String { String(format: "$%.4f", value) }

/// A wrong argument (`--since abc`) is a usage error (exit 64, with the usage); a log that cannot be
/// read is an error of its own (exit 1, the message only).
func failing<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as AuditError where error.code == .invalidArgument {
        throw ValidationError(error.message)
    }
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the whole hash chain; exit 1 on tampering.")
    @OptionGroup var dir: AuditDirectoryOption

    @Option(
        name: .customLong("public-key"),
        help: "With --store: the checkpoint signer's Ed25519 public key (hex) to require (default: $LUMEN_STORE_PUBLIC_KEY).")
    var publicKey: String?

    static func describe(_ recovery: (file: String, line: Int, recovery: AuditRecovery)) -> String {
        if let reason = recovery.recovery.reason {
            return
                "\(recovery.file):\(recovery.line): recovery: \(reason)\(recovery.recovery.failedAt.map { " (since \($0))" } ?? ""); the chain resumed here"
                + (recovery.recovery.bytesLost > 0 ? ", \(recovery.recovery.bytesLost) bytes of a partial write dropped" : "")
        }
        return
            "\(recovery.file):\(recovery.line): recovery: torn line \(recovery.recovery.file):\(recovery.recovery.line) truncated after a crash (\(recovery.recovery.bytesLost) bytes lost)"
    }

    func run() async throws {
        if let report = try await dir.verifyStore(publicKey: publicKey) {
            for issue in report.issues { print(issue) }
            for recovery in report.recoveries { print(Self.describe(recovery)) }
            let signers = report.signers.sorted().map { String($0.prefix(16)) + "…" }.joined(separator: ", ")
            print(
                String(
                    format: "%d records in %d chains, %d signed checkpoints%@, %.2f s: %@", report.records, report.chains, report.checkpoints,
                    signers.isEmpty ? "" : " (signers \(signers))", report.seconds, report.intact ? "chain intact" : "TAMPERED"))
            if !report.intact { throw ExitCode(1) }
            return
        }
        let report = try dir.verifyDirectory()
        for issue in report.issues { print(issue) }
        for recovery in report.recoveries { print(Self.describe(recovery)) }
        print(
            String(
                format: "%d records in %d files, %.2f s (%.0f records/s): %@", report.records, report.files, report.seconds, report.recordsPerSecond,
                report.verdict))
        if !report.intact { throw ExitCode(1) }
    }
}

struct AuditSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary", abstract: "Requests, tokens, cost, local share and savings.")
    @OptionGroup var dir: AuditDirectoryOption
    @Option(help: "Only records since: 7d, 24h, 2026-11-20 or an ISO timestamp.") var since: String?
    @Option(help: "Group by target, tenant, rule or day.") var by: String = "target"
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        guard let grouping = AuditGrouping(rawValue: by) else { throw ValidationError("--by must be target, tenant, rule or day") }
        let cutoff = try failing { try since.map { try AuditFiles.since($0) } }
        let source = try await dir.source()
        let summary = try failing { try AuditSummary.compute(source: source, since: cutoff, by: grouping) }
        let warning = try await dir.chainWarning()
        try show(summary, grouping: grouping, cutoff: cutoff)
        try dir.failIfTampered(warning)
    }

    private func show(_ summary: AuditSummary, grouping: AuditGrouping, cutoff: String?) throws {
        if json { return try printJSON(summary) }
        print("by \(grouping.rawValue)\(cutoff.map { " since \($0)" } ?? "")")
        print("key".padding(toLength: 24, withPad: " ", startingAt: 0) + "  requests  local%    prompt_tok  compl_tok       cost    savings")
        for group in summary.groups + [summary.total] {
            print(
                group.key.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(
                        format: " %9d  %5.1f %12d %10d %10@ %10@", group.requests, group.localShare * 100, group.promptTokens, group.completionTokens,
                        usd(group.costUSD), usd(group.savingsUSD)))
        }
        let baselines = Set(summary.baselineTargets.values).sorted().joined(separator: ", ")
        print("savings vs. sending everything to the most expensive remote target (\(baselines.isEmpty ? "no price table in log" : baselines))")
        if summary.total.unpriced > 0 { print("\(summary.total.unpriced) requests without a price table in the log (not in savings)") }
        if summary.incomplete > 0 { print("\(summary.incomplete) decisions without completion") }
        let total = summary.total
        if total.webSearches > 0 { print("\(total.webSearches) web searches run by providers (priced per search, in the cost above)") }
        if !total.injectionsByKind.isEmpty || !total.injectionsByArea.isEmpty {
            func list(_ counts: [String: Int]) -> String {
                counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            print("prompt injections flagged: by kind \(list(total.injectionsByKind)); by location \(list(total.injectionsByArea))")
        }
    }
}

struct AuditEgressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egress", abstract: "What left, to which hosts, what was redacted, what stayed local.")
    @OptionGroup var dir: AuditDirectoryOption
    @Option(help: "Only records since: 7d, 24h, 2026-11-20 or an ISO timestamp.") var since: String?
    @Option(help: "A finding value to look up by HMAC (needs LUMEN_AUDIT_HMAC_KEY).") var value: String?
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        let cutoff = try failing { try since.map { try AuditFiles.since($0) } }
        let source = try await dir.source(since: cutoff)
        let report = try failing {
            try AuditEgressReport.compute(
                source: source, since: cutoff, value: value, hmac: AuditHMAC.fromEnvironment(ProcessInfo.processInfo.environment))
        }
        let warning = try await dir.chainWarning()
        try show(report)
        try dir.failIfTampered(warning)
    }

    private func show(_ report: AuditEgressReport) throws {
        if json { return try printJSON(report) }
        for host in report.hosts {
            let redacted = host.redacted.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
            print(
                "\(host.host): \(host.requests) requests, \(host.bytesSent) bytes sent, \(host.bytesReceived) bytes received; redacted before leaving: \(redacted.isEmpty ? "none" : redacted)"
            )
        }
        if report.hosts.isEmpty { print("nothing left the machine") }
        print(
            "kept local with findings: \(report.keptLocalSensitive) requests; by type: \(report.keptLocalByType.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")); by rule: \(report.keptLocalByRule.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))"
        )
        if let matches = report.matches {
            print("value found in \(matches.count) record(s)")
            for match in matches { print("  \(match.timestamp) \(match.id) \(match.type) \(match.outcome)\(match.host.map { " → \($0)" } ?? "")") }
        }
    }
}

struct AuditTail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tail", abstract: "Print the last records; -f follows new ones.")
    @OptionGroup var dir: AuditDirectoryOption
    @Flag(name: .short, help: "Follow.") var follow = false
    @Option(name: .short, help: "Number of records.") var n = 10

    func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be 0 or more (got \(n))") }
    }

    func run() async throws {
        if let store = try await dir.openStore() {
            defer { store.shutdown() }
            do {
                // The newest record (read even for -n 0) is where following starts.
                let last = try await store.lastAuditLines(max(n, 1))
                for line in last.suffix(n) { print(line.line) }
                var lastID = last.last?.id ?? 0
                while follow, !Task.isCancelled {
                    try await Task.sleep(nanoseconds: 250_000_000)
                    let lines = try await store.lastAuditLines(n, after: lastID)
                    for line in lines { print(line.line) }
                    lastID = lines.last?.id ?? lastID
                }
            } catch {
                throw CLIFailure(storeMessage(error))
            }
            return
        }
        var files = try failing { try AuditFiles.logFiles(in: dir.path) }
        // The newest files back until n lines are found (one file per day: a quiet log spans many).
        var lines: [String] = []
        for name in files.reversed() where lines.count < n {
            let path = dir.path + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CLIFailure("cannot read \(path) as UTF-8 text: not an audit log file")
            }
            lines = text.split(separator: "\n").map(String.init) + lines
        }
        for line in lines.suffix(n) { print(line) }
        guard follow else { return }
        var current = files.last
        var offset = current.flatMap { (try? FileManager.default.attributesOfItem(atPath: dir.path + "/" + $0)[.size] as? Int) ?? 0 } ?? 0
        while !Task.isCancelled {
            try await Task.sleep(nanoseconds: 250_000_000)
            files = (try? AuditFiles.logFiles(in: dir.path)) ?? files
            guard let last = files.last else { continue }
            if last != current {
                current = last
                offset = 0
            }
            guard let handle = FileHandle(forReadingAtPath: dir.path + "/" + last) else { continue }
            try handle.seek(toOffset: UInt64(offset))
            let data = handle.readDataToEndOfFile()
            try handle.close()
            if let end = data.lastIndex(of: 0x0A) {
                FileHandle.standardOutput.write(data[data.startIndex...end])
                offset += end - data.startIndex + 1
            }
        }
    }
}

struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export records as CSV or JSON lines.")
    @OptionGroup var dir: AuditDirectoryOption
    @Option(help: "csv or jsonl.") var format: String = "jsonl"
    @Option(help: "Only records since: 7d, 24h, 2026-11-20 or an ISO timestamp.") var since: String?

    func run() async throws {
        guard format == "csv" || format == "jsonl" else { throw ValidationError("--format must be csv or jsonl") }
        let cutoff = try failing { try since.map { try AuditFiles.since($0) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let source = try await dir.source(since: cutoff)
        if format == "csv" {
            print(AuditCSV.header(chains: source.hasSeveralChains))
        }
        try failing {
            try AuditReader.forEachInChain(source: source, as: AuditRecord.self, since: cutoff) { record, chain in
                if format == "csv" {
                    // `chain` is empty unless the store has several chains (then the header has the column).
                    print(AuditCSV.row(record, chain: chain.isEmpty ? nil : chain))
                } else if chain.isEmpty {
                    print(String(decoding: try encoder.encode(record), as: UTF8.self))
                } else {
                    // From a store: which chain (instance) the record is in, since `seq` counts within one.
                    print(String(decoding: try encoder.encode(ChainedRecord(chain: chain, record: record)), as: UTF8.self))
                }
            }
        }
    }
}

/// A store's record in `export --format jsonl`: the record's own fields and its chain.
private struct ChainedRecord: Encodable {
    var chain: String
    var record: AuditRecord

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(chain, forKey: .chain)
    }

    private enum Key: String, CodingKey { case chain }
}

struct AuditReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Write a self-contained HTML report.")
    @OptionGroup var dir: AuditDirectoryOption
    @Option(help: "Output HTML file.") var out: String = "report.html"
    @Option(help: "Only records since: 7d, 24h, 2026-11-20 or an ISO timestamp.") var since: String?

    func run() async throws {
        let cutoff = try failing { try since.map { try AuditFiles.since($0) } }
        let source = try await dir.source()
        let warning = try await dir.chainWarning()
        let html = try failing { try AuditHTMLReport.render(source: source, since: cutoff, warning: warning) }
        var isDirectory: ObjCBool = false
        let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIFailure("cannot write the report to \(out): it is a directory (give a file name, e.g. \(out)/report.html)")
        }
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIFailure("cannot write the report to \(out): there is no directory \(parent)")
        }
        do {
            try html.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw CLIFailure("cannot write the report to \(out): \(error.localizedDescription)")
        }
        print("wrote \(out)")
        try dir.failIfTampered(warning)
    }
}

/// `lumen replay`: re-decide every logged request with another policy, from the stored classifier
/// outputs (no prompts needed), and report what would change.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-decide logged requests with another policy and report what changes (route share, cost, egress, rules)."
    )
    @Option(help: "The policy to replay with.") var policy: String
    @OptionGroup var dir: AuditDirectoryOption
    @Option(help: "Only records since: 7d, 24h, 2026-11-20 or an ISO timestamp.") var since: String?
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        let loaded = try PolicyPaths.load(policy, environment: ProcessInfo.processInfo.environment)
        let source = try await dir.source()
        let cutoff = try failing { try since.map { try AuditFiles.since($0) } }
        let report = try failing { try AuditReplay.run(source: source, since: cutoff, policy: loaded) }
        if json { return try printJSON(report) }
        print(
            "replayed \(report.requests) requests with policy '\(loaded.name)' (\(loaded.contentHash.prefix(12))): \(report.changed) decisions change"
        )
        func share(_ n: Int) -> String {
            report.requests == 0 ? "-" : String(format: "%.1f%%", 100 * Double(n) / Double(report.requests))
        }
        print("")
        print("                 before        after")
        for (label, before, after) in [
            ("local", report.before.local, report.after.local),
            ("remote", report.before.remote, report.after.remote),
            ("blocked", report.before.blocked, report.after.blocked),
        ] {
            print(
                label.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + "\(before) (\(share(before)))".leftPadded(13) + "\(after) (\(share(after)))".leftPadded(13))
        }
        print("cost        " + usd(report.before.costUSD).leftPadded(13) + usd(report.after.costUSD).leftPadded(13))
        let hosts = Set(report.before.egressByHost.keys).union(report.after.egressByHost.keys).sorted()
        if !hosts.isEmpty {
            print("\negress (requests by host)")
            for host in hosts {
                print("  \(host): \(report.before.egressByHost[host] ?? 0) -> \(report.after.egressByHost[host] ?? 0)")
            }
        }
        let rules = Set(report.before.byRule.keys).union(report.after.byRule.keys).sorted()
        print("\nrequests by rule")
        for rule in rules {
            print("  \(rule): \(report.before.byRule[rule] ?? 0) -> \(report.after.byRule[rule] ?? 0)")
        }
        if !report.unrecordedInputs.isEmpty {
            print("\nnot re-decidable: the log did not record these inputs, which rules of '\(loaded.name)' read;")
            print("those rules were evaluated as if the input were absent")
            for (input, count) in report.unrecordedInputs.sorted(by: { $0.key < $1.key }) {
                print("  \(input): \(count) request\(count == 1 ? "" : "s")")
            }
        }
        if !report.transitions.isEmpty {
            print("\nchanged decisions (old rule -> new rule)")
            for (transition, count) in report.transitions.sorted(by: { $0.value > $1.value }) {
                print("  \(transition): \(count)")
            }
        }
    }
}

/// `lumen audit import DIR --store URL`: loads an existing audit directory into the shared store as
/// a chain of its own (line for line, so it still verifies), for one trail across old and new.
struct AuditImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Load an audit directory into the shared store (--store URL).")
    @Argument(help: "Audit directory to load.") var directory: String
    @Option(help: "The store: postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: $LUMEN_STORE).") var store: String?
    @Option(help: "Name of the imported chain (default: the directory's name).") var name: String?

    func run() async throws {
        let report = try failing { try AuditVerifier.verify(directory: directory) }
        guard report.intact else {
            for issue in report.issues { print(issue) }
            throw ValidationError("\(directory) does not verify; import refused (repair or inspect it with `lumen audit verify`)")
        }
        guard let text = store ?? ProcessInfo.processInfo.environment["LUMEN_STORE"] else {
            throw ValidationError("give --store URL (or set LUMEN_STORE)")
        }
        do {
            let shared = try await SharedStore.connect(try StoreURL(parsing: text), logger: Logger(label: "lumen.audit"), queryTimeout: 120)
            defer { shared.shutdown() }
            try await shared.migrate()
            let chainName = name ?? URL(fileURLWithPath: directory).lastPathComponent
            let (count, chain) = try await shared.importAudit(directory: directory, name: chainName)
            print("imported \(count) records from \(directory) as chain \(chain)")
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}
