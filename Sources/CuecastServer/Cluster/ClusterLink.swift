import CuecastCore
import HTTPTypes
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// This instance's link to the cluster's PostgreSQL (`--cluster`): it publishes into the shared table, listens for
/// what every instance publishes, and feeds it to the local hubs, so a subscriber on any instance gets every event
/// of its stream, in one order, with the same ids.
///
/// Two connections: one listens and reads rows (one task, so rows reach hubs in order), one publishes. When either
/// drops, both are closed, publishes answer `503` until the link is back, the link reconnects with back-off, and
/// the feed catches up on everything stored meanwhile before it relays anything newer. Subscribers stay connected
/// throughout: they only wait.
final class ClusterLink: Service {
    let configuration: ClusterConfiguration
    let streams: ClusterStreams
    let metrics: ServerMetrics
    let logger: Logger
    private let state = Mutex(LinkState())
    /// Who acts on requests sent to whichever instance can serve them (a trigger for the station it plays).
    private let requestHandlers = Mutex<[@Sendable (ClusterRequest) -> Void]>([])

    private struct LinkState {
        /// The publishing connection while the link is up.
        var publisher: PostgresConnection?
        /// Where publishes wait for their statement on that connection while the link is up.
        var inserts: ClusterInsertQueue?
        /// The listener's work queue while the link is up: notifications and catch-up requests, in order.
        var work: AsyncStream<Work>.Continuation?
    }

    private enum Work: Sendable {
        case notified(String)
        case catchUp(String, AsyncStream<Never>.Continuation)
        case lost(String)
    }

    init(configuration: ClusterConfiguration, streams: ClusterStreams, metrics: ServerMetrics, logger: Logger) {
        self.configuration = configuration
        self.streams = streams
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether events can be published now (for `/healthz` and the log).
    var isUp: Bool { state.withLock { $0.publisher != nil } }

    /// The publishing connection while the link is up.
    var publisherConnection: PostgresConnection? { state.withLock { $0.publisher } }

    // MARK: Running

    func run() async throws {
        logger.notice("cluster: connecting to \(configuration.displayURL) as instance \(configuration.instanceID)")
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.reportPresence() }
                group.addTask { await self.keepLinked() }
            }
        }
        setDown()
    }

    /// Connects, relays and reconnects, until cancelled.
    private func keepLinked() async {
        var feed = ClusterFeed(streams: self.streams, metrics: self.metrics, logger: self.logger)
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            var wasUp = false
            do {
                try await self.session(feed: &feed, wasUp: &wasUp)
            } catch {
                if Task.isCancelled { break }
                self.logger.warning("cluster link down: \(String(reflecting: error)); retrying in \(delay)")
            }
            self.setDown()
            if wasUp { delay = .milliseconds(100) }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// One connection's life: connect, make the schema, listen, catch up, then relay until something breaks.
    private func session(feed: inout ClusterFeed, wasUp: inout Bool) async throws {
        let listener = try await connect()
        let publisher: PostgresConnection
        do {
            publisher = try await connect()
        } catch {
            await listener.closeAndWait()
            throw error
        }
        do {
            try await relay(listener: listener, publisher: publisher, feed: &feed, wasUp: &wasUp)
        } catch {
            await listener.closeAndWait()
            await publisher.closeAndWait()
            throw error
        }
        await listener.closeAndWait()
        await publisher.closeAndWait()
    }

    /// Relays over two open connections until one of them is lost or the task is cancelled.
    private func relay(listener: PostgresConnection, publisher: PostgresConnection, feed: inout ClusterFeed, wasUp: inout Bool) async throws {
        let (work, input) = AsyncStream<Work>.makeStream()
        for connection in [listener, publisher] {
            connection.closeFuture.whenComplete { _ in input.yield(.lost("the connection to PostgreSQL closed")) }
        }
        try await ClusterSchema.create(on: listener, logger: logger)
        try await listener.listen(on: ClusterSchema.notifyChannel) { notifications in
            try await feed.catchUpAll(on: listener)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await notification in notifications { input.yield(.notified(notification.payload)) }
                        input.yield(.lost("notifications ended"))
                    } catch {
                        input.yield(.lost("notifications failed: \(error)"))
                    }
                }
                let inserts = ClusterInsertQueue(metrics: metrics)
                group.addTask { await inserts.run(on: publisher, logger: self.logger) }
                defer {
                    // Before the group waits for its children: closing ends the notifications it reads, which do not
                    // stop for cancellation alone (at shutdown, or when the other connection was lost).
                    listener.closeNow()
                    publisher.closeNow()
                    inserts.close(reason: "the link is down")
                    group.cancelAll()
                }
                setUp(publisher: publisher, inserts: inserts, work: input)
                wasUp = true
                logger.notice("cluster link up: \(configuration.displayURL), instance \(configuration.instanceID)")
                for await item in work {
                    switch item {
                    case .notified(let payload) where payload.hasPrefix(ClusterRequest.prefix):
                        if let request = ClusterRequest(payload: payload) { requestHandlers.withLock { $0 }.forEach { $0(request) } }
                    case .notified(let payload):
                        guard let notice = ClusterNotice(payload: payload) else { continue }
                        try await feed.receive(notice, on: listener)
                    case .catchUp(let stream, let done):
                        try await feed.advance(stream, to: nil, on: listener)
                        done.finish()
                    case .lost(let reason):
                        throw ClusterLinkLost(reason: reason)
                    }
                }
            }
        }
    }

    private func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration.connection, id: 1, logger: logger)
    }

    private func setUp(publisher: PostgresConnection, inserts: ClusterInsertQueue, work: AsyncStream<Work>.Continuation) {
        state.withLock {
            $0.publisher = publisher
            $0.inserts = inserts
            $0.work = work
        }
    }

    private func setDown() {
        let work = state.withLock { state -> AsyncStream<Work>.Continuation? in
            defer {
                state.publisher = nil
                state.inserts = nil
                state.work = nil
            }
            return state.work
        }
        work?.finish()
    }

    // MARK: Catching up

    /// Waits (at most `limit`) until this instance has applied everything stored for `stream` so far. A client
    /// resuming here with an id it got from another instance a moment ago may be ahead of this one's feed; it
    /// joins once the feed has caught up, so it neither misses nor repeats an event. Returns at once while the
    /// link is down.
    func caughtUp(_ stream: String, limit: Duration = .seconds(2)) async {
        let (done, signal) = AsyncStream<Never>.makeStream()
        let queued = state.withLock { state -> Bool in
            guard let work = state.work else { return false }
            work.yield(.catchUp(stream, signal))
            return true
        }
        guard queued else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in done {} }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: Requests between instances

    /// Adds a handler of requests from other instances (each handler ignores what is not its business).
    func onRequest(_ handler: @escaping @Sendable (ClusterRequest) -> Void) {
        requestHandlers.withLock { $0.append(handler) }
    }

    /// Sends a request to every instance (this one included); the one that can serve it does.
    func send(_ request: ClusterRequest) async throws(APIError) {
        guard let connection = state.withLock({ $0.publisher }) else { throw Self.unavailable }
        do {
            try await connection.query("SELECT pg_notify(\(ClusterSchema.notifyChannel), \(request.payload))", logger: logger)
        } catch {
            throw Self.unavailable
        }
    }

    // MARK: Publishing

    func publish(_ event: PublishFields, channel: String, hub: BroadcastHub) async throws(APIError) -> ChannelReceipt {
        let id = try await insert(
            ClusterRow(publish: event), stream: ClusterStreams.channelKey(channel), numberedID: event.id == nil,
            historyLimit: streams.channels.configuration.hub.historyLimit
        )
        return ChannelReceipt(id: id, delivered: hub.subscriberCount)
    }

    /// Stores a row under the stream's next number and notifies every instance, trimming the stream to
    /// `historyLimit`; publishes arriving together share one statement (`ClusterInsertQueue`). With `numberedID` the
    /// event's id is its number. Returns the event's id.
    func insert(_ row: ClusterRow, stream: String, numberedID: Bool, historyLimit: Int) async throws(APIError) -> String {
        guard let inserts = state.withLock({ $0.inserts }) else { throw Self.unavailable }
        do {
            return try await inserts.insert(row, stream: stream, numberedID: numberedID, historyLimit: historyLimit)
        } catch {
            logger.warning("cluster publish failed: \(String(reflecting: error))")
            throw Self.unavailable
        }
    }

    /// The answer to a publish while the database cannot be reached: the event would reach this instance alone,
    /// so it is refused rather than half-delivered.
    static var unavailable: APIError {
        APIError(
            .serviceUnavailable, code: "cluster_unavailable",
            message: "the cluster's database cannot be reached, so the event was not published (it would reach this instance only); retry in a moment",
            headers: [.retryAfter: "2"]
        )
    }
}

/// Why a session ended.
struct ClusterLinkLost: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

extension PostgresConnection {
    /// Starts closing, from code that cannot wait (a `defer`); a connection already closed stays so.
    func closeNow() {
        let closing: EventLoopFuture<Void> = close()
        closing.whenComplete { _ in }
    }

    /// Closes and waits until it is closed: a connection must be closed before it is released.
    func closeAndWait() async {
        let closing: EventLoopFuture<Void> = close()
        try? await closing.get()
    }
}
