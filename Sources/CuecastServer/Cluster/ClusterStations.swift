import CuecastCore
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// In a cluster, plays each live station on exactly one instance at a time, and moves it when that instance dies.
///
/// Each instance holds one connection for elections and tries `pg_try_advisory_lock` on every station it does not
/// play, twice a second. The winner plays the station: its entries go to the shared table (and from there to every
/// instance's hub, its own included). An advisory lock lives as long as its session, so when the player dies
/// (even `kill -9`), PostgreSQL ends its session, the lock is free, and another instance wins it within half a
/// second. The new player recomputes the timeline, as a resumed solo stream does, and continues after the last
/// event stored: ids keep increasing, nothing is repeated.
final class ClusterStations: Service {
    let link: ClusterLink
    let catalog: ScenarioCatalog
    let historyLimit: Int
    let logger: Logger
    /// Live stations of the catalog, by name (the first ones and those a reload makes).
    private let known = Mutex<[String: Station]>([:])
    /// The stations this instance plays now, by name, for triggers.
    private let playing = Mutex<[String: Station]>([:])
    /// Both ints of the two-key advisory lock: this number, then the station's `hashtext`.
    static let lockSpace: Int32 = 0x6375_6563

    init(link: ClusterLink, catalog: ScenarioCatalog, historyLimit: Int, logger: Logger) {
        self.link = link
        self.catalog = catalog
        self.historyLimit = historyLimit
        self.logger = logger
        link.onRequest { [weak self] request in
            guard case .fire(let name, let trigger) = request, let player = self?.player(of: name) else { return }
            _ = try? player.fire(trigger: trigger)
        }
    }

    /// The station this instance plays under `name`, if it plays it.
    func player(of name: String) -> Station? { playing.withLock { $0[name] } }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await station in self.catalog.stationsToRun { self.known.withLock { $0[station.scenario.name] = station } }
                }
                group.addTask { await self.elect() }
                group.addTask { await self.keepAlive() }
            }
        }
    }

    /// Elections, over one connection, for as long as the server runs; a lost connection stops every player here
    /// (their locks are gone with it) and starts over.
    private func elect() async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: link.configuration.connection, id: 2, logger: logger)
                do {
                    try await run(on: connection)
                } catch {
                    await connection.closeAndWait()
                    throw error
                }
                await connection.closeAndWait()
            } catch {
                if Task.isCancelled { return }
                logger.warning("cluster: station elections stopped: \(String(reflecting: error)); retrying in 1 s")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Holds elections over `connection`, and runs the players of the stations won, until it is lost or the task is
    /// cancelled.
    private func run(on connection: PostgresConnection) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var won: Set<String> = []
            while !Task.isCancelled {
                guard !connection.isClosed else { throw ClusterLinkLost(reason: "the election connection closed") }
                // A player stores what it plays through the link: no election is won while it is down.
                guard link.isUp else {
                    try await Task.sleep(for: .milliseconds(100))
                    continue
                }
                for (name, station) in known.withLock({ $0 }) where !won.contains(name) {
                    guard try await tryLock(ClusterStreams.stationKey(name), on: connection) else { continue }
                    won.insert(name)
                    group.addTask { try await self.play(station, on: connection) }
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func tryLock(_ key: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockSpace), hashtext(\(key)))", logger: logger)
        for try await won in rows.decode(Bool.self) { return won }
        return false
    }

    /// Plays a station this instance won, from where the cluster left it, until it ends or storing an entry fails
    /// (which stops every player here, so the stations move to an instance that can store them).
    private func play(_ station: Station, on connection: PostgresConnection) async throws {
        let name = station.scenario.name
        let key = ClusterStreams.stationKey(name)
        let rows = try await connection.query(
            """
            SELECT (SELECT event_id FROM cuecast_events WHERE stream = \(key) AND kind = 0 AND event_id IS NOT NULL ORDER BY seq DESC LIMIT 1),
                EXISTS (SELECT 1 FROM cuecast_events WHERE stream = \(key) AND kind = \(ClusterRow.Kind.end.rawValue))
            """, logger: logger
        )
        var last: (id: String?, ended: Bool) = (nil, false)
        for try await (id, ended) in rows.decode((String?, Bool).self) { last = (id, ended) }
        guard !last.ended else { return }  // the stream ended while another instance played it; every hub knows
        var timeline = Timeline(scenario: station.scenario)
        var origin: Duration = .zero
        if let id = last.id {
            switch timeline.resume(after: id) {
            case .after(let offset): origin = offset
            case .ended: return
            case .notFound:
                logger.warning("cluster: live stream \(name) cannot find its last event \(id) in its timeline: starting it over")
            }
        }
        let (entries, input) = AsyncStream<TimelineEntry>.makeStream()
        let player = Station(scenario: station.scenario, hub: station.hub, timeline: timeline, origin: origin, outlet: { input.yield($0) })
        playing.withLock { $0[name] = player }
        defer { playing.withLock { $0[name] = nil } }
        logger.notice("cluster: playing live stream \(name) on this instance\(last.id.map { ", after event \($0)" } ?? ", from its start")")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { input.finish() }
                try await player.run(clock: ContinuousClock())
            }
            group.addTask {
                for await entry in entries {
                    do {
                        _ = try await self.link.insert(ClusterRow(entry), stream: key, numberedID: false, historyLimit: self.historyLimit)
                    } catch {
                        throw ClusterLinkLost(reason: "live stream \(name) could not store an entry: \(error)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Heartbeats for the stations this instance relays: only the player's playback makes them, and they are not
    /// stored, so each instance keeps its own listeners' connections alive.
    private func keepAlive() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            for station in known.withLock({ Array($0.values) }) {
                if let heartbeat = station.scenario.heartbeat { station.hub.heartbeatIfIdle(for: heartbeat) }
            }
        }
    }
}
