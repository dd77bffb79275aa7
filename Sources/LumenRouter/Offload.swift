import Dispatch

/// CPU-heavy work of one request (classifying a multi-megabyte body, tokenizing a long prompt) on a
/// queue of its own: on the concurrency pool or an event loop it would hold a thread that every
/// other request — `/healthz` included — needs (the pool has one thread per core).
package enum Offload {
    static let queue = DispatchQueue(label: "lumen.offload", qos: .userInitiated, attributes: .concurrent)

    /// Bodies at least this large (UTF-8 bytes of text) are screened off the shared threads; smaller
    /// ones stay inline, where a thread hop would cost more than the work.
    package static let threshold = 256 << 10

    /// Runs `work` on the offload queue and returns its result.
    package static func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
