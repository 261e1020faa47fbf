import CuecastCore

/// The one way a channel publish reaches subscribers: straight into this process's hub (one instance, the default),
/// or through the cluster's database, which numbers it and hands it to every instance (``ClusterLink``).
protocol ChannelPublisher: Sendable {
    /// Publishes `event` on `channel` (whose hub on this instance is `hub`); the receipt names the id it got.
    func publish(_ event: PublishFields, channel: String, hub: BroadcastHub) async throws(APIError) -> ChannelReceipt
}

/// What a publish got: its id and how many subscribers of this instance it was queued for (the cluster's other
/// instances deliver it a moment later, and do not report back).
struct ChannelReceipt: Sendable {
    let id: String
    let delivered: Int
}

/// Today's single process: the hub numbers the event under its lock and queues it for every subscriber.
struct LocalChannelPublisher: ChannelPublisher {
    func publish(_ event: PublishFields, channel: String, hub: BroadcastHub) async throws(APIError) -> ChannelReceipt {
        let receipt = hub.publish { number in
            // Fields were validated when the request was read; the id defaults to the channel's event number.
            Frame(event: event.event(number: number))
        }
        return ChannelReceipt(id: event.id ?? String(receipt.sequence), delivered: receipt.delivered)
    }
}
