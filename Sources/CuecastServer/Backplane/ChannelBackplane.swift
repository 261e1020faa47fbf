import CuecastCore
import ServiceLifecycle

/// What the routes and the stream door ask of whatever carries events between server processes: publishing,
/// triggers and drops that another process must carry out, subscriber counts, catch-up before a resume, and
/// health. One process alone is ``LocalBackplane``; a cluster sharing PostgreSQL is `ClusterBackplane` (in
/// `Cluster/`), and nothing outside that folder names the PostgreSQL link.
///
/// Before this seam, six files outside `Cluster/` held an optional PostgreSQL link and tested it for `nil` to
/// choose between the two behaviours (issue 22, "Seams"); now each question has one answer per backplane.
protocol ChannelBackplane: Sendable {
    /// Publishes `event` on `channel` (whose hub on this process is `hub`); the receipt names the id it got.
    func publish(_ event: PublishFields, channel: String, hub: BroadcastHub) async throws(APIError) -> ChannelReceipt

    /// The station to fire a trigger of live station `name` on, here: `local` when this process plays it, `nil`
    /// when another one does (then ``relayTrigger(_:station:)`` asks it to).
    func player(of name: String, local: Station) -> Station?
    /// Asks the process playing live station `station` to fire `trigger`.
    func relayTrigger(_ trigger: String, station: String) async throws(APIError)

    /// Asks process `instance` to drop its connection `connection`; `false` when there is no other process to ask.
    func relayDrop(connection: UInt64, of instance: String) async throws(APIError) -> Bool
    /// Asks every other process to drop its connections labelled `label` (`origin` has dropped its own); `false`
    /// when there is no other process to ask.
    func relayDrop(label: String, from origin: String) async throws(APIError) -> Bool

    /// Subscribers of each channel in the other processes, and whose subscribers the counts cover.
    func subscribersElsewhere() async -> SubscriberCounts

    /// What a resume after an id this process's hub does not hold waits for before it joins (the id may come from
    /// another process, a moment ahead of this one); `nil` to join at once.
    func catchUp(_ stream: BackplaneStream) -> (@Sendable () async -> Void)?

    /// The `/healthz` member that reports the backplane, if any.
    var health: (String, JSONValue)? { get }

    /// What runs for the backplane beside the server, first to start and last to stop (a link to other processes).
    var link: (any Service)? { get }
    /// Who plays the live stations: `nil` for this process alone (every station plays here).
    var stations: (any Service)? { get }
}

/// A stream that the backplane carries: a channel or a live station, by name.
enum BackplaneStream: Sendable, Hashable {
    case channel(String)
    case station(String)
}

/// What a publish got: its id and how many subscribers of this process it was queued for (other processes
/// deliver it a moment later, and do not report back).
struct ChannelReceipt: Sendable {
    let id: String
    let delivered: Int
}

/// Subscriber counts of the other processes, by channel name.
struct SubscriberCounts: Sendable {
    /// Whose subscribers `/api/channels` counts: `server` (one process), `instance` (a cluster whose other
    /// instances cannot be asked now), or `cluster`.
    let counted: String
    let byChannel: [String: Int64]
}
