import CuecastCore
import Logging
import PostgresNIO

/// Reads what the cluster stored and feeds it to this instance's hubs, in order, exactly once: it remembers the
/// last number applied per stream and asks the table only for what comes after. A `NOTIFY` is just a nudge;
/// reading from the table is what makes a missed notification (during an outage, or before start) harmless.
struct ClusterFeed {
    /// Where a stream's rows go on this instance.
    let streams: ClusterStreams
    let metrics: ServerMetrics
    let logger: Logger
    private(set) var seen: [String: Int64] = [:]

    init(streams: ClusterStreams, metrics: ServerMetrics, logger: Logger) {
        self.streams = streams
        self.metrics = metrics
        self.logger = logger
    }

    /// Brings every stream up to date: at start (the history kept in the table becomes this instance's history),
    /// and after an outage (what was published meanwhile reaches subscribers before anything newer).
    mutating func catchUpAll(on connection: PostgresConnection) async throws {
        var behind: [String] = []
        let rows = try await connection.query("SELECT stream, last_seq FROM cuecast_streams", logger: logger)
        for try await (stream, last) in rows.decode((String, Int64).self) where last > seen[stream, default: 0] { behind.append(stream) }
        for stream in behind { try await advance(stream, to: nil, on: connection) }
    }

    /// Applies what a notification says. Rows it carries that continue exactly where this instance is are applied
    /// straight from the payload, with no round trip; a notice without rows, or one that leaves a gap after what
    /// was applied (a notice missed while the link was down, a channel this instance has not followed from its
    /// start), sends the feed to the table.
    mutating func receive(_ notice: ClusterNotice, on connection: PostgresConnection) async throws {
        let after = seen[notice.stream, default: 0]
        guard notice.last > after else { return }
        guard let rows = notice.rows, let first = rows.first?.seq, first <= after + 1 else {
            try await advance(notice.stream, to: notice.last, on: connection)
            return
        }
        guard let target = streams.target(for: notice.stream) else { return }
        for (seq, row) in rows where seq > after {
            seen[notice.stream] = seq
            target.apply(row, seq)
        }
        metrics.clusterRowsApplied(Int(notice.last - after), fromTable: false)
    }

    /// Applies the rows of `stream` after the last one applied, up to `number` (or all there are, for `nil`);
    /// nothing if that one was applied already.
    mutating func advance(_ stream: String, to number: Int64?, on connection: PostgresConnection) async throws {
        let after = seen[stream, default: 0]
        if let number, number <= after { return }
        guard let target = streams.target(for: stream) else { return }
        // The newest `limit` rows after `after`, oldest first: an instance far behind keeps what a hub would keep.
        let query: PostgresQuery = """
            SELECT seq, kind, event_type, data, event_id, retry, pass, offset_us, disconnect FROM (
                SELECT * FROM cuecast_events WHERE stream = \(stream) AND seq > \(after) ORDER BY seq DESC LIMIT \(Int64(target.historyLimit))
            ) AS recent ORDER BY seq
            """
        let rows = try await connection.query(query, logger: logger)
        var read = 0
        defer { metrics.clusterRowsApplied(read, fromTable: true) }
        for try await (seq, kind, type, data, id, retry, pass, offset, disconnect) in rows.decode(
            (Int64, Int16, String?, String?, String?, Int64?, Int64, Int64, Bool).self
        ) {
            seen[stream] = seq
            read += 1
            guard let kind = ClusterRow.Kind(rawValue: kind) else { continue }
            let row = ClusterRow(
                kind: kind, type: type, data: data, id: id, retry: retry, pass: pass, offsetMicroseconds: offset, disconnectAfter: disconnect
            )
            target.apply(row, seq)
        }
    }
}

/// A stream's place on this instance: its hub's history limit and what a row does to it.
struct ClusterStreamTarget {
    let historyLimit: Int
    let apply: (ClusterRow, Int64) -> Void
}

/// Names the cluster's streams (`channel:NAME`, `station:NAME`) and finds them on this instance.
struct ClusterStreams: Sendable {
    let channels: ChannelDirectory
    let catalog: ScenarioCatalog
    /// History kept per live station.
    let stationHistoryLimit: Int

    static func channelKey(_ name: String) -> String { "channel:\(name)" }
    static func stationKey(_ name: String) -> String { "station:\(name)" }

    /// The stream's name in the cluster's tables and notifications.
    static func key(_ stream: BackplaneStream) -> String {
        switch stream {
        case .channel(let name): channelKey(name)
        case .station(let name): stationKey(name)
        }
    }

    func target(for key: String) -> ClusterStreamTarget? {
        if key.hasPrefix("channel:") {
            // A channel first published on another instance is made here too (within the channel limit).
            guard let hub = try? channels.channel(named: String(key.dropFirst("channel:".count))) else { return nil }
            return ClusterStreamTarget(historyLimit: channels.configuration.hub.historyLimit) { row, seq in
                guard let event = row.event else { return }
                hub.publish(Frame(event: event), numbered: UInt64(max(0, seq)))
            }
        }
        if key.hasPrefix("station:") {
            // Rows are the timeline entries the playing instance made: this hub does what its own playback would.
            guard let hub = catalog.entry(named: String(key.dropFirst("station:".count)))?.station?.hub else { return nil }
            return ClusterStreamTarget(historyLimit: stationHistoryLimit) { row, _ in
                guard let entry = row.entry else { return }
                hub.play(Playback<ContinuousClock>.Output.entry(entry))
            }
        }
        return nil
    }
}
