import ServiceLifecycle

/// Holds a stopping server until its event streams have closed, so every subscriber gets its goodbye comment.
///
/// Hummingbird's server finishes its graceful shutdown once its connection tasks have ended. A stream it serves
/// keeps its task until the stream closes, but a stream (`StreamConnection`) has none: the server would
/// return, the process would exit, and a client could see its connection drop before the quiesce event (which
/// makes each stream write the notice and close) had run on the connection's loop. Services stop in the
/// reverse order of their registration, all after the server; this one waits until no stream holds a slot, or
/// until `limit` has passed (a stream whose client stops reading is closed after the grace period anyway).
struct StreamDrainService: Service {
    let connections: ConnectionRegistry
    let limit: Duration

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the process is not stopping gracefully, so there is nothing to wait for
        }
        let deadline = ContinuousClock.now + limit
        while connections.admittedCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
