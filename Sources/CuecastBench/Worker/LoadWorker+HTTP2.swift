import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS

extension LoadWorker {
    /// What one HTTP/2 connection came to: an outcome per stream it opened, and the subscribers it could not take
    /// because the server allows fewer streams per connection (they go to another connection).
    private struct ConnectionOutcome: Sendable {
        var streams: [SubscribeOutcome]
        var notTaken = 0
        var opened = false
        var serverStreamLimit: Int?
    }

    /// A connection that has the server's SETTINGS: streams can be opened on it.
    private struct Session: Sendable {
        var multiplexer: NIOHTTP2Handler.StreamMultiplexer
        var serverStreamLimit: Int?
    }

    /// Flow-control windows as Chrome sets them (6 MiB a stream, 15 MiB a connection), so the subscriber's window
    /// is never what paces a server, and the server sends as few WINDOW_UPDATE-driven writes as a browser causes.
    private static let streamWindow = 6 * 1024 * 1024
    private static let connectionWindow = 15 * 1024 * 1024

    /// HTTP/2 (`h2c`, or `h2` with `tls`): `streamsPerConnection` subscribers' streams on each connection, as a
    /// browser multiplexes many tabs' EventSources. Each stream is an HTTP/2 stream channel with NIOHTTP2's
    /// HTTP/1-style client codec in front of the same `SubscriberHandler` an HTTP/1.1 connection has.
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
        let session: Session
        do {
            session = try await connect(loop: loop, tls: tls)
        } catch {
            loop.execute { tally.value.noteFailure("\(wire.rawValue) connection to \(host):\(port): \(error)") }
            return ConnectionOutcome(streams: Array(repeating: .failed, count: wanted))
        }
        let limit = session.serverStreamLimit
        guard limit != 0 else {
            loop.execute { tally.value.noteFailure("the server allows no streams (SETTINGS_MAX_CONCURRENT_STREAMS 0)") }
            return ConnectionOutcome(streams: Array(repeating: .failed, count: wanted), opened: true, serverStreamLimit: 0)
        }
        let taken = min(wanted, limit ?? wanted)
        let timeout = responseTimeout
        let outcomes = try? await loop.submit {
            (0..<taken).map { _ in
                let promise = loop.makePromise(of: SubscribeOutcome.self)
                session.multiplexer.createStreamChannel { stream in
                    let handler = SubscriberHandler(request: request, tally: tally.value, outcome: promise)
                    let bound = NIOLoopBound(handler, eventLoop: loop)
                    loop.scheduleTask(in: timeout) { bound.value.timedOut(context: stream) }
                    return stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: tls == nil ? .http : .https))
                        try stream.pipeline.syncOperations.addHandler(handler)
                    }
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

    /// One connection, through TLS with ALPN `h2` or in the clear with prior knowledge, up to the server's SETTINGS.
    private func connect(loop: any EventLoop, tls: NIOSSLContext?) async throws -> Session {
        let ready = loop.makePromise(of: Session.self)
        let host = host
        let bootstrap = ClientBootstrap(group: loop)
            .bind(to: try SocketAddress(ipAddress: sourceAddress, port: 0))
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                // Only until the connection is ready: after that it stays open for as long as the worker runs.
                let deadline = loop.scheduleTask(in: responseTimeout) {
                    ready.fail(BenchError("no HTTP/2 SETTINGS from the server in time"))
                    channel.close(promise: nil)
                }
                ready.futureResult.whenComplete { _ in deadline.cancel() }
                return channel.eventLoop.makeCompletedFuture {
                    guard let tls else { return try Self.speakHTTP2(on: channel, ready: ready) }
                    try channel.pipeline.syncOperations.addHandler(TLSClient.handler(tls, host: host))
                    try channel.pipeline.syncOperations.addHandler(ApplicationProtocolNegotiationHandler { result, channel in
                        guard result == .negotiated("h2") else {
                            let chose = if case .negotiated(let name) = result { "chose \(name)" } else { "agreed to no protocol" }
                            ready.fail(BenchError("the server \(chose) over ALPN, not h2"))
                            return channel.close()
                        }
                        // HTTP/2 goes after the failure handler, so the bytes ALPN held back reach it.
                        return channel.eventLoop.makeCompletedFuture { try Self.speakHTTP2(on: channel, ready: ready) }
                    })
                    try channel.pipeline.syncOperations.addHandler(TLSFailureHandler(ready: ready))
                }
            }
        do {
            _ = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            ready.fail(error)
        }
        return try await ready.futureResult.get()
    }

    /// Adds NIOHTTP2 as a client, and the handler that waits for the server's SETTINGS.
    private static func speakHTTP2(on channel: any Channel, ready: EventLoopPromise<Session>) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .initialWindowSize, value: streamWindow),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 16 * 1024),
        ]
        connection.targetWindowSize = connectionWindow
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = streamWindow
        let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .client, connectionConfiguration: connection, streamConfiguration: stream,
            inboundStreamInitializer: { $0.close() }  // a server push: not wanted (and disabled above)
        )
        let settings = channel.eventLoop.makePromise(of: Int?.self)
        try channel.pipeline.syncOperations.addHandler(ServerSettingsHandler(settings: settings))
        ready.completeWith(settings.futureResult.map { Session(multiplexer: multiplexer, serverStreamLimit: $0) })
    }
}
