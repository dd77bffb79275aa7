import Foundation
import NIOCore
import NIOPosix

/// The `lumen` executable's entry point.
///
/// `lumen serve` and `lumen fake-upstream` spend their time moving bytes between sockets: they run
/// Swift concurrency's tasks on the NIO event loops that do the I/O, so a request's handler, its
/// upstream call and its response stay on one thread instead of hopping between Swift's pool and
/// NIO's. Nothing in them blocks a task (audit writes go to NIO's blocking-I/O thread pool,
/// llama.cpp decodes on its own thread). `LUMEN_EXECUTOR=pool` keeps Swift's default pool. The
/// other commands keep it anyway: some of them block while they wait for child processes.
@main
enum Entry {
    static func main() async {
        let command = CommandLine.arguments.dropFirst().first
        if command == "serve" || command == "fake-upstream", ProcessInfo.processInfo.environment["LUMEN_EXECUTOR"] != "pool" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await Lumen.main()
    }
}
