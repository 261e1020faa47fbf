import CuecastCore
import Logging
import PostgresNIO
import Synchronization

/// Publishes that arrive together share one round trip to PostgreSQL (group commit).
///
/// One statement per publish, each waiting for its `INSERT` and `NOTIFY`, held a cluster at about 880 accepted
/// publishes a second (issue 27's hostile run), whatever the number of publishers: every publish paid a whole round
/// trip and a transaction on the one publishing connection. Here the first publish goes out at once, alone; those
/// that arrive while a statement is in flight wait for it and then go out together in the next one, so a quiet
/// cluster answers as fast as before and a busy one sends fewer, larger statements. One prepared statement
/// (`ClusterBatchStatement`) numbers every row of every stream in the batch, stores them, trims the streams that are
/// due, and notifies once per stream with its new last number and, when they fit in the payload, the rows themselves
/// (`ClusterNotice`), so no instance reads them back: the guarantees of one publish at a time are kept (numbers increase per
/// stream in arrival order, a reader that has seen n never finds n - 1 appearing later, one `NOTIFY` payload stays
/// under 8000 bytes).
final class ClusterInsertQueue: Sendable {
    /// One publish waiting for its statement.
    struct Pending: Sendable {
        let row: ClusterRow
        let stream: String
        let numberedID: Bool
        let historyLimit: Int
        let done: CheckedContinuation<String, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var closed = false
    }

    /// At most this many rows, and about this many bytes of event text, go into one statement.
    static let maxRows = 256
    static let maxBytes = 1 << 20

    private let state = Mutex(State())
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>
    private let metrics: ServerMetrics

    init(metrics: ServerMetrics) {
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.metrics = metrics
    }

    /// Queues a row and waits for the statement that stores it; returns the event's id.
    func insert(_ row: ClusterRow, stream: String, numberedID: Bool, historyLimit: Int) async throws -> String {
        try await withCheckedThrowingContinuation { done in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.pending.append(Pending(row: row, stream: stream, numberedID: numberedID, historyLimit: historyLimit, done: done))
                return true
            }
            if accepted { wake.yield() } else { done.resume(throwing: ClusterLinkLost(reason: "the link is down")) }
        }
    }

    /// Sends what is queued, a statement at a time, until `close()` (the link watches its connections and closes
    /// the queue when one is lost).
    func run(on connection: PostgresConnection, logger: Logger) async {
        defer { close(reason: "the link is down") }
        for await _ in wakeups {
            while case let batch = takeBatch(), !batch.isEmpty {
                await send(batch, on: connection, logger: logger)
            }
        }
    }

    /// Stores a batch and answers each of its publishes. A statement that fails as a whole (one row PostgreSQL
    /// refuses) is tried again row by row, so one bad publish is refused alone, as it was before batching.
    private func send(_ batch: [Pending], on connection: PostgresConnection, logger: Logger) async {
        do {
            let ids = try await Self.store(batch, on: connection, logger: logger)
            metrics.clusterBatchStored(rows: batch.count)
            for (pending, id) in zip(batch, ids) { pending.done.resume(returning: id) }
        } catch where batch.count > 1 && !Task.isCancelled {
            logger.debug("cluster: a batch of \(batch.count) failed (\(String(reflecting: error))); storing its rows one by one")
            for pending in batch { await send([pending], on: connection, logger: logger) }
        } catch {
            for pending in batch { pending.done.resume(throwing: error) }
        }
    }

    /// Fails everything queued and refuses what comes later.
    func close(reason: String) {
        let failed = state.withLock { state -> [Pending] in
            state.closed = true
            defer { state.pending = [] }
            return state.pending
        }
        for pending in failed { pending.done.resume(throwing: ClusterLinkLost(reason: reason)) }
        wake.finish()
    }

    /// The oldest queued publishes that fit one statement. It stops before a stream would get more rows than its
    /// history limit: the feed reads only that many newest rows after a notification, so more would skip some.
    private func takeBatch() -> [Pending] {
        state.withLock { state in
            var count = 0
            var bytes = 0
            var perStream: [String: Int] = [:]
            for pending in state.pending {
                let size = (pending.row.data?.utf8.count ?? 0) + (pending.row.type?.utf8.count ?? 0) + (pending.row.id?.utf8.count ?? 0)
                let inStream = perStream[pending.stream, default: 0]
                if count > 0 && (count == Self.maxRows || bytes + size > Self.maxBytes || inStream >= max(1, pending.historyLimit)) { break }
                count += 1
                bytes += size
                perStream[pending.stream] = inStream + 1
            }
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
    }

    /// Stores a batch in one statement; returns each row's event id, in the batch's order.
    static func store(_ batch: [Pending], on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = JSONValue.array(batch.enumerated().map { index, pending in
            let row = pending.row
            return .object([
                ("ord", .integer(Int64(index))), ("stream", .string(pending.stream)), ("kind", .integer(Int64(row.kind.rawValue))),
                ("event_type", row.type.map(JSONValue.string) ?? .null), ("data", row.data.map(JSONValue.string) ?? .null),
                ("event_id", row.id.map(JSONValue.string) ?? .null), ("numbered", .bool(pending.numberedID)),
                ("retry", row.retry.map(JSONValue.integer) ?? .null), ("pass", .integer(row.pass)),
                ("offset_us", .integer(row.offsetMicroseconds)), ("disconnect", .bool(row.disconnectAfter)),
                ("history", .integer(Int64(pending.historyLimit))),
            ])
        })
        var ids = [String](repeating: "", count: batch.count)
        var answered = 0
        for try await (ord, id) in try await connection.execute(ClusterBatchStatement(rows: rows.compactText), logger: logger) {
            guard let index = Int(exactly: ord), ids.indices.contains(index) else { continue }
            ids[index] = id ?? ""
            answered += 1
        }
        guard answered == batch.count else { throw ClusterLinkLost(reason: "the insert returned \(answered) of \(batch.count) rows") }
        return ids
    }
}
