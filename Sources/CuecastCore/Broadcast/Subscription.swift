/// One subscriber's view of a hub: an async sequence of frame batches.
///
/// Each element is everything queued since the last one, so a writer that falls a little behind catches up with
/// one write instead of many. The sequence ends when the subscription is closed, after any frames the close
/// reason lets it drain. Dropping the subscription removes the subscriber from the hub.
public final class Subscription: AsyncSequence, Sendable {
    public typealias Element = [Frame]

    let hub: BroadcastHub
    let id: UInt64

    init(hub: BroadcastHub, id: UInt64) {
        self.hub = hub
        self.id = id
    }

    deinit { hub.remove(id) }

    /// The next batch of frames, waiting if none is queued; `nil` once the subscription is closed and drained.
    /// Cancelling the waiting task closes the subscription.
    public func next() async -> [Frame]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in hub.next(id, continuation: continuation) }
        } onCancel: {
            hub.close(id, reason: .cancelled, finalFrame: nil)
        }
    }

    /// Closes the subscription. `finalFrame` is queued last (a notice to the client), for reasons that drain.
    public func close(_ reason: CloseReason, finalFrame: Frame? = nil) {
        hub.close(id, reason: reason, finalFrame: finalFrame)
    }

    /// Waits until the subscription is closed, by anyone, and says why.
    public func closed() async -> CloseReason {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in hub.waitUntilClosed(id, continuation: continuation) }
        } onCancel: {
            hub.close(id, reason: .cancelled, finalFrame: nil)
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: Subscription
        public mutating func next() async -> [Frame]? { await subscription.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}
