import NIOCore
import NIOHTTP1
import NIOSSL

extension LoadWorker {
    /// What one HTTP/2 connection came to: an outcome per stream it opened, and the subscribers it could not take
    /// because the server allows fewer streams per connection (they go to another connection).
    private struct ConnectionOutcome: Sendable {
        var streams: [SubscribeOutcome]
        var notTaken = 0
        var opened = false
        var serverStreamLimit: Int?
    }

    /// HTTP/2 (`h2c`, or `h2` with `tls`): `streamsPerConnection` subscribers' streams on each connection, as a
    /// browser multiplexes many tabs' EventSources, on the shared `HTTP2ClientConnection` with a browser's windows.
    /// Each stream is an HTTP/2 stream channel with NIOHTTP2's HTTP/1-style client codec in front of the same
    /// `SubscriberHandler` an HTTP/1.1 connection has.
    func connectStreams(loop: any EventLoop, tally: NIOLoopBound<WorkerTally>, tls: NIOSSLContext?) async throws -> Connected {
        let request = try requestHead()
        let perConnection = max(1, streamsPerConnection)
        // About as many requests in flight as over HTTP/1.1.
        let atOnce = max(2, concurrency / perConnection)
        return await withTaskGroup(of: ConnectionOutcome.self) { group in
            var connected = Connected()
            connected.outcomes.reserveCapacity(count)
            var remaining = count
            var running = 0
            // Once a server has said how many streams it allows, later connections ask for no more than that.
            var share: Int { min(perConnection, connected.serverStreamLimit.map { max(1, $0) } ?? perConnection) }
            // Subscribers a connection could not take come back; wait for a full connection's worth of them (or for
            // the last connection in flight), so they are not spread over more connections than needed.
            func startConnections() {
                while remaining > 0, running < atOnce, remaining >= share || running == 0 {
                    let streams = min(remaining, share)
                    remaining -= streams
                    running += 1
                    group.addTask { await openConnection(streams: streams, request: request, loop: loop, tally: tally, tls: tls) }
                }
            }
            startConnections()
            for await outcome in group {
                running -= 1
                connected.outcomes += outcome.streams
                remaining += outcome.notTaken
                if outcome.opened { connected.connections += 1 }
                if let limit = outcome.serverStreamLimit {
                    connected.serverStreamLimit = min(connected.serverStreamLimit ?? limit, limit)
                }
                startConnections()
            }
            return connected
        }
    }

    /// Connects, waits for the server's SETTINGS, and opens up to `streams` streams (no more than the server allows).
    private func openConnection(
        streams wanted: Int, request: HTTPRequestHead, loop: any EventLoop, tally: NIOLoopBound<WorkerTally>, tls: NIOSSLContext?
    ) async -> ConnectionOutcome {
        let connection: HTTP2ClientConnection
        do {
            var configuration = HTTP2ClientConnection.Configuration(host: host, port: port, tls: tls)
            configuration.sourceAddress = sourceAddress
            configuration.windows = .browser
            configuration.timeout = responseTimeout
            connection = try await HTTP2ClientConnection.connect(configuration, on: loop)
        } catch {
            loop.execute { tally.value.noteFailure("\(wire.rawValue) connection to \(host):\(port): \(error)") }
            return ConnectionOutcome(streams: Array(repeating: .failed, count: wanted))
        }
        let limit = connection.serverStreamLimit
        guard limit != 0 else {
            loop.execute { tally.value.noteFailure("the server allows no streams (SETTINGS_MAX_CONCURRENT_STREAMS 0)") }
            return ConnectionOutcome(streams: Array(repeating: .failed, count: wanted), opened: true, serverStreamLimit: 0)
        }
        let taken = min(wanted, limit ?? wanted)
        let timeout = responseTimeout
        let outcomes = try? await loop.submit {
            (0..<taken).map { _ in
                let promise = loop.makePromise(of: SubscribeOutcome.self)
                connection.openStream { stream in
                    let handler = SubscriberHandler(request: request, tally: tally.value, outcome: promise)
                    let bound = NIOLoopBound(handler, eventLoop: loop)
                    loop.scheduleTask(in: timeout) { bound.value.timedOut(context: stream) }
                    return [handler]
                }.whenFailure { error in
                    tally.value.noteFailure("cannot open an HTTP/2 stream: \(error)")
                    promise.succeed(.failed)
                }
                return promise.futureResult
            }
        }.get()
        var streams: [SubscribeOutcome] = []
        streams.reserveCapacity(taken)
        for outcome in outcomes ?? [] { streams.append((try? await outcome.get()) ?? .failed) }
        return ConnectionOutcome(streams: streams, notTaken: wanted - taken, opened: true, serverStreamLimit: limit)
    }
}
