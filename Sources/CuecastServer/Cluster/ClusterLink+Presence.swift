import CuecastCore
import Logging
import PostgresNIO

/// Subscriber counts across the cluster: each instance writes its channels' counts every two seconds into
/// `cuecast_presence`, and `/api/channels` adds up the other instances' recent rows to its own live counts. A dead
/// instance's rows stop counting after ten seconds.
extension ClusterLink {
    static let presenceInterval = Duration.seconds(2)

    /// Writes this instance's counts, for as long as the server runs (skipping turns while the link is down).
    func reportPresence() async {
        var reported: Set<String> = []
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.presenceInterval)
            guard let connection = publisherConnection else { continue }
            let counts = streams.channels.all.map { (name: $0.name, subscribers: Int64($0.hub.subscriberCount)) }
                // Channels with listeners, and those that had some (so their count goes back to zero).
                .filter { $0.subscribers > 0 || reported.contains($0.name) }
            guard !counts.isEmpty else { continue }
            let names = counts.map(\.name)
            let numbers = counts.map(\.subscribers)
            let query: PostgresQuery = """
                INSERT INTO cuecast_presence (instance, stream, subscribers, updated)
                SELECT \(configuration.instanceID), name, subscribers, now() FROM unnest(\(names)::text[], \(numbers)::bigint[]) AS counts (name, subscribers)
                ON CONFLICT (instance, stream) DO UPDATE SET subscribers = EXCLUDED.subscribers, updated = now()
                """
            do {
                try await connection.query(query, logger: logger)
                reported = Set(counts.filter { $0.subscribers > 0 }.map(\.name))
            } catch {
                continue  // the link notices a lost connection itself
            }
        }
    }

    /// Subscribers of each channel on the other instances, by channel name; `nil` while the link is down.
    func otherInstancesSubscribers() async -> [String: Int64]? {
        guard let connection = publisherConnection else { return nil }
        let query: PostgresQuery = """
            SELECT stream, sum(subscribers)::bigint FROM cuecast_presence
            WHERE instance <> \(configuration.instanceID) AND updated > now() - interval '10 seconds'
            GROUP BY stream
            """
        do {
            var counts: [String: Int64] = [:]
            for try await (name, count) in try await connection.query(query, logger: logger).decode((String, Int64).self) { counts[name] = count }
            return counts
        } catch {
            return nil
        }
    }
}
