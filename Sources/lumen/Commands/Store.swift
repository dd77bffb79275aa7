import ArgumentParser
import Foundation
import Logging
import LumenPolicy
import LumenStore

/// `lumen store …`: the shared PostgreSQL store of several `lumen serve` instances (#17).
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Create, migrate and inspect the shared PostgreSQL store (audit chains, budgets, policy versions).",
        subcommands: [StoreMigrate.self, StoreStatus.self, StoreKeygen.self]
    )
}

/// `--store URL` (default `$LUMEN_STORE`).
struct StoreOption: ParsableArguments {
    @Option(help: "The store: postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: $LUMEN_STORE).")
    var store: String?

    /// Connects (clear message when the URL is wrong or the database unreachable).
    func connect(migrate: Bool = false) async throws -> SharedStore {
        guard let text = store ?? ProcessInfo.processInfo.environment["LUMEN_STORE"], !text.isEmpty else {
            throw ValidationError("give --store postgres://USER:PASSWORD@HOST:PORT/DATABASE (or set LUMEN_STORE)")
        }
        do {
            let shared = try await SharedStore.connect(try StoreURL(parsing: text), logger: Logger(label: "lumen.store"))
            do {
                if migrate { try await shared.migrate() } else { try await shared.requireSchema() }
            } catch {
                shared.shutdown()
                throw error
            }
            return shared
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}

struct StoreMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the store's schema (versioned; `lumen serve --store` also does it at start).")
    @OptionGroup var options: StoreOption

    func run() async throws {
        guard let text = options.store ?? ProcessInfo.processInfo.environment["LUMEN_STORE"], !text.isEmpty else {
            throw ValidationError("give --store postgres://USER:PASSWORD@HOST:PORT/DATABASE (or set LUMEN_STORE)")
        }
        do {
            let shared = try await SharedStore.connect(try StoreURL(parsing: text), logger: Logger(label: "lumen.store"))
            defer { shared.shutdown() }
            let before = try await shared.schemaVersion()
            let applied = try await shared.migrate()
            if applied.isEmpty {
                print("store \(shared.url): schema at version \(before), up to date")
            } else {
                for migration in applied { print("applied migration \(migration.version): \(migration.name)") }
                print("store \(shared.url): schema at version \(StoreMigrations.latest)")
            }
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}

struct StoreStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Instances (heartbeat, policy version), budgets (spent, reserved), open reservations, active policy.")
    @OptionGroup var options: StoreOption

    func run() async throws {
        let store = try await options.connect()
        defer { store.shutdown() }
        do {
            let active = try await store.activePolicyVersion()
            print("store \(store.url): schema \(try await store.schemaVersion()), active policy version \(active.map(String.init) ?? "none")")
            print("instances:")
            for instance in try await store.instances() {
                let state = instance.stopped ? "stopped" : String(format: "heartbeat %.1f s ago", instance.heartbeatAgeSeconds)
                print(
                    "  \(instance.id) (\(instance.host) pid \(instance.pid)): \(state), policy version \(instance.policyVersion.map(String.init) ?? "-") \(instance.policyHash.map { String($0.prefix(12)) } ?? "")"
                )
            }
            print("budgets:")
            for row in try await store.budgetStatus() {
                print(
                    String(
                        format: "  %@ %@: spent $%.6f, reserved $%.6f", row.scope.isEmpty ? "global" : row.scope, row.period, row.spentUSD,
                        row.reservedUSD))
            }
            let open = try await store.openReservations()
            print(
                "open reservations: \(open.isEmpty ? "none" : open.map { String(format: "%@ %d ($%.6f)", $0.instance, $0.count, $0.usd) }.joined(separator: ", "))"
            )
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}

struct StoreKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Print a new Ed25519 key pair for signing the store's audit checkpoints.")

    func run() async throws {
        let pair = CheckpointSigner.generate()
        print("\(CheckpointSigner.environmentKey)=\(pair.privateKey)")
        print("\(CheckpointSigner.publicEnvironmentKey)=\(pair.publicKey)")
    }
}

// MARK: - lumen policy apply / history / rollback

/// `lumen policy apply FILE --store URL`: validates the file and stores it as the new active version;
/// every instance switches within a second (LISTEN/NOTIFY).
struct PolicyApply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Validate a policy file and make it the active version in the shared store (all instances switch).")
    @Argument(help: "Policy file.") var file: String
    @OptionGroup var options: StoreOption
    @Option(help: "Who applies it (default: $USER).") var author: String?
    @Option(help: "Seconds to wait for every live instance to report the new version (0: do not wait).") var wait: Double = 0

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let bundle: PolicyBundle
        do {
            bundle = try PolicyBundle.load(path: file, environment: environment)
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
        let store = try await options.connect(migrate: true)
        defer { store.shutdown() }
        do {
            let who = author ?? environment["USER"] ?? "unknown"
            let (version, created) = try await store.applyPolicy(yaml: bundle.yaml, files: bundle.files, policy: bundle.policy, author: who)
            print(
                created
                    ? "applied \(file) as policy version \(version) ('\(bundle.policy.name)' \(bundle.policy.contentHash.prefix(12)))"
                    : "\(file) is the active policy already (version \(version), \(bundle.policy.contentHash.prefix(12)))")
            if wait > 0 { try await PolicyApply.waitForInstances(store, version: version, seconds: wait) }
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }

    /// Waits until every live instance reports `version`; prints how long it took.
    static func waitForInstances(_ store: SharedStore, version: Int, seconds: Double) async throws {
        let started = ContinuousClock.now
        while started.duration(to: .now) < .seconds(seconds) {
            let live = try await store.instances().filter { !$0.stopped && $0.heartbeatAgeSeconds < 5 }
            if live.allSatisfy({ $0.policyVersion == version }) {
                print("all \(live.count) live instance(s) serve version \(version) after \(started.duration(to: .now))")
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw ValidationError("not every live instance reported version \(version) within \(seconds) s (see `lumen store status`)")
    }
}

struct PolicyHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The shared store's policy versions, newest activation first.")
    @OptionGroup var options: StoreOption

    func run() async throws {
        let store = try await options.connect()
        defer { store.shutdown() }
        do {
            let formatter = ISO8601DateFormatter()
            let history = try await store.policyHistory()
            if history.isEmpty { print("no policy applied yet") }
            for (index, entry) in history.enumerated() {
                print(
                    "\(index == 0 ? "*" : " ") version \(entry.version)  \(formatter.string(from: entry.at))  \(entry.action.padding(toLength: 8, withPad: " ", startingAt: 0)) '\(entry.name)' \(entry.hash.prefix(12))  by \(entry.author)"
                )
            }
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}

struct PolicyRollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Make an earlier policy version active again (default: the one before the current).")
    @OptionGroup var options: StoreOption
    @Option(help: "Version to return to.") var to: Int?
    @Option(help: "Who rolls back (default: $USER).") var author: String?
    @Option(help: "Seconds to wait for every live instance to report the version (0: do not wait).") var wait: Double = 0

    func run() async throws {
        let store = try await options.connect()
        defer { store.shutdown() }
        do {
            let version = try await store.rollbackPolicy(to: to, author: author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown")
            let stored = try await store.policy(version: version)
            print("policy version \(version) ('\(stored.name)' \(stored.hash.prefix(12))) is active again")
            if wait > 0 { try await PolicyApply.waitForInstances(store, version: version, seconds: wait) }
        } catch {
            throw CLIFailure(storeMessage(error))
        }
    }
}

/// The message of a store (or any) error, for `ValidationError`.
func storeMessage(_ error: any Error) -> String {
    (error as? StoreError)?.message ?? "\(error)"
}

/// A failure reported as `Error: MESSAGE` without the usage text (that is for argument mistakes).
struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
