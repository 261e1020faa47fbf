import CuecastCore
import Foundation
import Synchronization

/// The event streams open right now, so one can be dropped on request: a teacher shows a browser reconnecting
/// with `Last-Event-ID` by having the server hang up on it (`POST /api/connections/{id}/drop`).
///
/// Each stream response says its id in `X-Cuecast-Connection`. A page whose `EventSource` cannot read headers
/// labels its connection with `?client=LABEL` and drops it by label instead.
final class ConnectionRegistry: Sendable {
    struct Connection: Sendable {
        let id: UInt64
        let path: String
        let label: String?
        let opened: Date
        let subscription: Subscription
    }

    private struct State {
        var nextID: UInt64 = 1
        var open: [UInt64: Connection] = [:]
    }

    private let state = Mutex(State())

    /// The id a response announces before its body (and registration) starts.
    func reserveID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Runs `body` with the connection listed.
    func listing<T>(_ connection: Connection, _ body: () async throws -> T) async rethrows -> T {
        state.withLock { $0.open[connection.id] = connection }
        defer { _ = state.withLock { $0.open.removeValue(forKey: connection.id) } }
        return try await body()
    }

    var all: [Connection] { state.withLock { $0.open.values.sorted { $0.id < $1.id } } }

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
        connection.subscription.close(
            .dropped,
            finalFrame: .comment("the server dropped this connection on request (for teaching); a client reconnects after its retry time, sending Last-Event-ID")
        )
    }
}
