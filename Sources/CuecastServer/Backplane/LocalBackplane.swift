import CuecastCore
import ServiceLifecycle

/// One process alone: a publish goes straight into its hub, every live station plays here, and there is no one
/// else to relay a trigger or a drop to, nor to wait for.
struct LocalBackplane: ChannelBackplane {
    func publish(_ event: PublishFields, channel: String, hub: BroadcastHub) async throws(APIError) -> ChannelReceipt {
        let receipt = hub.publish { number in
            // Fields were validated when the request was read; the id defaults to the channel's event number.
            Frame(event: event.event(number: number))
        }
        return ChannelReceipt(id: event.id ?? String(receipt.sequence), delivered: receipt.delivered)
    }

    func player(of name: String, local: Station) -> Station? { local }

    func relayTrigger(_ trigger: String, station: String) async throws(APIError) {}

    func relayDrop(connection: UInt64, of instance: String) async throws(APIError) -> Bool { false }

    func relayDrop(label: String, from origin: String) async throws(APIError) -> Bool { false }

    func subscribersElsewhere() async -> SubscriberCounts { SubscriberCounts(counted: "server", byChannel: [:]) }

    func catchUp(_ stream: BackplaneStream) -> (@Sendable () async -> Void)? { nil }

    var health: (String, JSONValue)? { nil }

    var link: (any Service)? { nil }

    var stations: (any Service)? { nil }
}
