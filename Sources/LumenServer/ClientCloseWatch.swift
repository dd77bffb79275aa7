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
        var actions: [Int: @Sendable () -> Void] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// Every connection's watch, by its channel: a request finds its own without a trip to the
    /// channel's event loop (a pipeline lookup cost every remote request one).
    private static let watches = NIOLockedValueBox([ObjectIdentifier: ClientCloseWatch]())

    /// The watch of `channel`'s connection; nil once the connection has closed (or for a channel
    /// without one).
    static func watch(on channel: any Channel) -> ClientCloseWatch? {
        watches.withLockedValue { $0[ObjectIdentifier(channel)] }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        Self.watches.withLockedValue { $0[ObjectIdentifier(context.channel)] = self }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { clientGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientGone()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        Self.watches.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(context.channel)) }
        clientGone()
    }

    private func clientGone() {
        let actions = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.gone = true
            defer { state.actions.removeAll() }
            return Array(state.actions.values)
        }
        for action in actions { action() }
    }

    /// Runs `action` when the client goes (once); nil, and no action, when it has gone already.
    func onGone(_ action: @escaping @Sendable () -> Void) -> Int? {
        state.withLockedValue { state -> Int? in
            guard !state.gone else { return nil }
            state.nextID += 1
            state.actions[state.nextID] = action
            return state.nextID
        }
    }

    /// Forgets the action `onGone` registered as `id` (it will not run, if it has not).
    func remove(_ id: Int) {
        _ = state.withLockedValue { $0.actions.removeValue(forKey: id) }
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
        guard let watch = ClientCloseWatch.watch(on: channel) else {
            // A closed channel has no handlers left: its client went away before the work began.
            if watched { throw ClientGoneBeforeStart() }
            return try await operation()
        }
        return try await withoutActuallyEscaping(operation) { operation in
            // One task for the work, cancelled by the watch when the client goes while it runs (a
            // task group with a second task waiting on the watch cost the proxy ~8% of its throughput).
            let run = NIOLockedValueBox(Run())
            guard let id = watch.onGone({ run.withLockedValue { $0.clientLeft() }?() }) else { throw ClientGoneBeforeStart() }
            defer { watch.remove(id) }
            let work = UncheckedSendable(operation)
            let task = Task {
                defer { run.withLockedValue { $0.done = true } }
                return try await work.value()
            }
            // The client may have gone between the watch's registration and the task's start.
            if run.withLockedValue({ $0.started { task.cancel() } }) { task.cancel() }
            let result = await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel()
            }
            // The client left while the work ran, or the request's own task was cancelled (the server
            // stopping): whatever the work made of its cancellation (an empty stream, a partial
            // answer) is no answer, and no fallback should take it for a failed target's. Work that
            // had finished before the client left stands.
            if run.withLockedValue({ $0.left }) || Task.isCancelled { throw CancellationError() }
            return try result.get()
        }
    }
}

/// The work of one `whilePresent`: how to cancel it, whether it has finished, and whether the
/// client left while it ran.
private struct Run {
    var cancel: (@Sendable () -> Void)?
    var done = false
    var left = false

    /// The client went: how to cancel the work, if it has not finished (nil otherwise).
    mutating func clientLeft() -> (@Sendable () -> Void)? {
        guard !done else { return nil }
        left = true
        return cancel
    }

    /// Keeps how to cancel the work; true when the client left before (cancel it now).
    mutating func started(_ cancel: @escaping @Sendable () -> Void) -> Bool {
        self.cancel = cancel
        return left
    }
}

/// A value handed to a task that the caller awaits before it returns (the operation of
/// `whilePresent`, which does not escape it).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
