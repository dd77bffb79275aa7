import Hummingbird
import LumenRouter
import NIOConcurrencyHelpers
import NIOCore

/// Notices that a connection's client has gone: it closed its side (`inputClosed`; Hummingbird
/// allows half-closure, so the channel itself stays open for the answer) or the connection ended.
/// Requests wait on it through `ChannelPresence`; it passes everything on unchanged.
final class ClientCloseWatch: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    /// Set by `ConnectionGuard` on every request that arrives over a watched connection.
    static let markerHeader = HTTPFields.Element.Name("x-lumen-connection-watched")!

    private struct State {
        var gone = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = NIOLockedValueBox(State())

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { clientGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientGone()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { clientGone() }

    private func clientGone() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.gone = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the client is gone, or when the calling task is cancelled.
    func gone() async {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.gone || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// A request's client, watched on its connection's channel (`ClientCloseWatch`): an operation is
/// cancelled when the client goes away first, or does not start when it has gone already. Over a
/// connection without a watch (a test's channel), the operation just runs.
struct ChannelPresence: ClientPresence {
    let channel: any Channel
    /// The request came over a connection with a watch (`ClientCloseWatch.markerHeader`): if the
    /// watch is no longer in the pipeline, the connection has closed.
    let watched: Bool

    func whilePresent<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        guard let watch = try? await channel.pipeline.handler(type: ClientCloseWatch.self).get() else {
            // A closed channel has no handlers left: its client went away before the work began.
            if watched { throw CancellationError() }
            return try await operation()
        }
        return try await withoutActuallyEscaping(operation) { operation in
            let work = UncheckedSendable(operation)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await work.value() }
                group.addTask {
                    await watch.gone()
                    return nil
                }
                defer { group.cancelAll() }
                // The first to finish: the answer, or nil when the client went away first.
                guard let first = try await group.next(), let value = first else { throw CancellationError() }
                return value
            }
        }
    }
}

/// A value handed to a child task that the caller awaits before it returns (the operation of
/// `whilePresent`, which does not escape it).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
