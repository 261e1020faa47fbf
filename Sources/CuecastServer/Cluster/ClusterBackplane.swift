import CuecastCore
import Logging
import ServiceLifecycle

/// The backplane of a cluster sharing PostgreSQL (`--cluster`): publishes go through the link's table and reach
/// every instance, live stations are played by the instance elected for each, and a trigger or a drop that another
/// instance must carry out is sent to it as a `NOTIFY` (``ClusterRequest``).
struct ClusterBackplane: ChannelBackplane {
    let cluster: ClusterLink
    let players: ClusterStations

    /// Builds the link and the station elections, and has this instance carry out the drops others send it.
    init(
        configuration: ClusterConfiguration, channels: ChannelDirectory, catalog: ScenarioCatalog, connections: ConnectionRegistry,
        historyLimit: Int, metrics: ServerMetrics, logger: Logger
    ) {
        cluster = ClusterLink(
            configuration: configuration, streams: ClusterStreams(channels: channels, catalog: catalog, stationHistoryLimit: historyLimit),
            metrics: metrics, logger: logger
        )
        players = ClusterStations(link: cluster, catalog: catalog, historyLimit: historyLimit, logger: logger)
        cluster.onRequest { request in
            switch request {
            case .drop(let instance, let id) where instance == connections.instance: _ = connections.drop(id: id)
            case .dropLabel(let label, let origin) where origin != connections.instance: _ = connections.drop(label: label)
            default: break
            }
        }
    }

    func publish(_ event: PublishFields, channel: String, hub: BroadcastHub) async throws(APIError) -> ChannelReceipt {
        try await cluster.publish(event, channel: channel, hub: hub)
    }

    func player(of name: String, local: Station) -> Station? { players.player(of: name) }

    func relayTrigger(_ trigger: String, station: String) async throws(APIError) {
        try await cluster.send(.fire(station: station, trigger: trigger))
    }

    func relayDrop(connection: UInt64, of instance: String) async throws(APIError) -> Bool {
        try await cluster.send(.drop(instance: instance, connection: connection))
        return true
    }

    func relayDrop(label: String, from origin: String) async throws(APIError) -> Bool {
        // A request's fields are tab-separated: a label with a tab cannot be relayed (names never have one).
        guard !label.contains("\t") else { return false }
        try await cluster.send(.dropLabel(label, origin: origin))
        return true
    }

    func subscribersElsewhere() async -> SubscriberCounts {
        guard let counts = await cluster.otherInstancesSubscribers() else { return SubscriberCounts(counted: "instance", byChannel: [:]) }
        return SubscriberCounts(counted: "cluster", byChannel: counts)
    }

    func catchUp(_ stream: BackplaneStream) -> (@Sendable () async -> Void)? {
        let key = ClusterStreams.key(stream)
        return { [cluster] in await cluster.caughtUp(key) }
    }

    var health: (String, JSONValue)? {
        // Still 200 while the link is down: this instance keeps serving its subscribers; only publishing waits.
        ("cluster", .object([("link", .string(cluster.isUp ? "up" : "down")), ("instance", .string(cluster.configuration.instanceID))]))
    }

    var link: (any Service)? { cluster }

    var stations: (any Service)? { players }
}
