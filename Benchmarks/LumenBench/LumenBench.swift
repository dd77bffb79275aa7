import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `lumen-bench`: Lumen's benchmarks, each next to a named peer or floor measured in the same run.
/// Kept out of the `lumen` product (as Hummingbird and SwiftNIO keep theirs apart): `swift build
/// --product lumen` compiles none of this. `make bench` runs every subcommand on a release build.
struct LumenBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lumen-bench",
        abstract: "Benchmarks of Lumen, each measured next to a named peer in the same run (use a release build).",
        subcommands: [
            BenchDecision.self, BenchRedaction.self, BenchFirstToken.self, BenchLocal.self, BenchProxy.self,
            BareForwarderCommand.self, AuditGenerateFixture.self,
        ]
    )
}

@main
enum BenchEntry {
    static func main() async {
        // The bare forwarder is the floor of `lumen serve`: it runs its tasks on the NIO event loops
        // the same way (see Sources/lumen/Entry.swift).
        if CommandLine.arguments.dropFirst().first == "bare-forwarder", ProcessInfo.processInfo.environment["LUMEN_EXECUTOR"] != "pool" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await LumenBench.main()
    }
}
