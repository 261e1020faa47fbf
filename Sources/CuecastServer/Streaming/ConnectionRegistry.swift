import CuecastCore
import Foundation
import HTTPTypes
import Synchronization

/// The event streams open right now, across every streaming route (`/streams/{name}`, `/subscribeToEvents`,
/// `/channels/{name}`): it admits them up to the subscriber cap, and it lists them so one can be dropped on
/// request: a teacher shows a browser reconnecting with `Last-Event-ID` by having the server hang up on it
/// (`POST /api/connections/{id}/drop`).
///
/// Each stream response says its id in `X-Cuecast-Connection`. A page whose `EventSource` cannot read headers
/// labels its connection with `?client=LABEL` and drops it by label instead.
final class ConnectionRegistry: Sendable {
    struct Connection: Sendable {
        let id: UInt64
        /// Shared by every stream of the path (see `State.paths`).
        fileprivate(set) var path: String
        let label: String?
        let opened: Date
        /// Ends the stream with a reason and a last frame for the client, from any thread.
        let hangUp: @Sendable (CloseReason, Frame?) -> Void
        /// The clock of a `?clock=manual` playback, which `/api/playbacks/{id}` drives.
        var clock: PlaybackClock? = nil
        /// The client's address (behind a trusted proxy, the one it forwards for) and whether the stream is one of
        /// an HTTP/2 connection's: `GET /api/connections/mine` counts a browser's own streams by them.
        var client: String? = nil
        var http2 = false
    }

    /// A place among the `limit` streams, held from admission until the stream ends. It is given back once, by
    /// ``release()`` or, if the response body never ran (the response was dropped), when the slot is freed.
    final class Slot: Sendable {
        /// The id the response announces in `X-Cuecast-Connection`.
        let id: UInt64
        private let registry: ConnectionRegistry
        private let released = Atomic(false)

        fileprivate init(id: UInt64, registry: ConnectionRegistry) {
            self.id = id
            self.registry = registry
        }

        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            registry.state.withLock { $0.admitted -= 1 }
        }

        deinit { release() }
    }

    private struct State {
        var nextID: UInt64 = 1
        /// Slots held: streams running, and responses admitted whose body has not started yet.
        var admitted = 0
        /// HTTP/2 connections with no stream open (see `holdIdleConnection`).
        var idleConnections = 0
        var open: [UInt64: Connection] = [:]
        /// Every distinct path of an open stream, once, with how many streams list it. A path longer than 15 bytes
        /// (`/subscribeToEvents`, `/streams/stock-ticker`) is a heap allocation of its own (58 B asked of `malloc`,
        /// heaptrack, issue 27), and each request parses its own copy: listing the shared one instead makes every
        /// stream of a path share one string. It holds only paths in use, so no client can grow it past the
        /// streams it holds.
        var paths: [String: Int] = [:]

        /// The shared copy of `path`, counted.
        mutating func intern(_ path: String) -> String {
            guard let index = paths.index(forKey: path) else {
                paths[path] = 1
                return path
            }
            paths.values[index] += 1
            return paths.keys[index]
        }

        mutating func release(_ path: String) {
            guard let count = paths[path] else { return }
            paths[path] = count > 1 ? count - 1 : nil
        }
    }

    /// Streams that may be open at once (``ServerConfiguration/maxSubscribers``).
    let limit: Int
    /// `Retry-After` seconds in the `503` sent when full.
    let retryAfterSeconds: Int
    /// In a cluster, this instance's id: connection ids become `instance-number`, unique across the cluster.
    let instance: String?
    private let state = Mutex(State())

    init(limit: Int = .max, retryAfterSeconds: Int = 5, instance: String? = nil) {
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
        self.instance = instance
    }

    /// The id a client sees (`X-Cuecast-Connection`): the number alone, or `instance-number` in a cluster.
    func publicID(_ id: UInt64) -> String {
        instance.map { "\($0)-\(id)" } ?? String(id)
    }

    /// Takes a slot for a new stream, atomically: the count is checked and raised under one lock, so concurrent
    /// requests can never overshoot the limit. Call it before subscribing to anything, so a refused request
    /// costs nothing. Full: `503` with `Retry-After`, which only refuses streams; other routes keep working.
    func admit() throws(APIError) -> Slot {
        let id: UInt64? = state.withLock { state in
            guard state.admitted + state.idleConnections < limit else { return nil }
            state.admitted += 1
            defer { state.nextID += 1 }
            return state.nextID
        }
        guard let id else { throw full }
        return Slot(id: id, registry: self)
    }

    /// An HTTP/2 connection with no stream open holds a place among the `limit` too: it holds a descriptor all the
    /// same, and under `ulimit -n 256` three hundred connections that sent the preface and nothing more took every
    /// descriptor and `/healthz` stopped answering (issue 22). `false` when every place is taken: the connection is
    /// closed then. Given back with ``releaseIdleConnection()`` when its first stream opens, or it closes. A few
    /// (`idleHeadroom`) may come past the limit, so a client past it still hears its stream's 503 with `Retry-After`;
    /// the default limit leaves far more descriptors than that for other work.
    func holdIdleConnection() -> Bool {
        state.withLock { state in
            guard state.admitted + state.idleConnections < limit.addingReportingOverflow(Self.idleHeadroom).partialValue else { return false }
            state.idleConnections += 1
            return true
        }
    }

    static let idleHeadroom = 16

    func releaseIdleConnection() {
        state.withLock { $0.idleConnections -= 1 }
    }

    /// The answer when every slot is taken.
    var full: APIError {
        APIError(
            .serviceUnavailable, code: "too_many_subscribers",
            message: "this server is holding its limit of \(limit) subscribers; retry in \(retryAfterSeconds) s",
            extra: [("limit", .integer(Int64(limit)))],
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    /// Slots held now (streams open or about to start).
    var admittedCount: Int { state.withLock { $0.admitted } }

    /// Runs `body` with the connection listed; gives back `slot` when it ends.
    func listing<T>(_ connection: Connection, slot: Slot, _ body: () async throws -> T) async rethrows -> T {
        list(connection)
        defer { end(slot) }
        return try await body()
    }

    /// Lists a connection that manages its own lifetime (a `StreamConnection`); it calls ``end(_:)`` when done.
    func list(_ connection: Connection) {
        state.withLock { state in
            var connection = connection
            connection.path = state.intern(connection.path)
            if let replaced = state.open.updateValue(connection, forKey: connection.id) { state.release(replaced.path) }
        }
    }

    /// A stream has ended: unlists its connection and gives back its slot; returns its listing (nil if it was never
    /// listed).
    @discardableResult
    func end(_ slot: Slot) -> Connection? {
        let listing = state.withLock { state in
            let listing = state.open.removeValue(forKey: slot.id)
            if let listing { state.release(listing.path) }
            return listing
        }
        slot.release()
        return listing
    }

    var all: [Connection] { state.withLock { $0.open.values.sorted { $0.id < $1.id } } }

    /// How many streams are open on each path (for the live view), counted under the lock without copying the list.
    var openByPath: [String: Int] {
        state.withLock { state in
            var counts: [String: Int] = [:]
            for connection in state.open.values { counts[connection.path, default: 0] += 1 }
            return counts
        }
    }

    /// Drops one connection; `false` if it is not open.
    func drop(id: UInt64) -> Bool {
        guard let connection = state.withLock({ $0.open[id] }) else { return false }
        Self.hangUp(connection)
        return true
    }

    /// Drops every connection with this label; returns how many.
    func drop(label: String) -> Int {
        let matching = state.withLock { $0.open.values.filter { $0.label == label } }
        matching.forEach(Self.hangUp)
        return matching.count
    }

    private static func hangUp(_ connection: Connection) {
        connection.hangUp(
            .dropped,
            .comment("the server dropped this connection on request (for teaching); a client reconnects after its retry time, sending Last-Event-ID")
        )
    }
}
