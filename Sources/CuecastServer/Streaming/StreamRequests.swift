import CuecastCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Turns a request for an event stream into a `StreamConnection`, on any protocol.
///
/// Every `GET` for `/streams/{name}`, `/subscribeToEvents`, `/channels/{name}` or the stats feed is decided here
/// (`decide`), on HTTP/1 by `RequestDoor` and on HTTP/2 by `HTTP2StreamDoor`: opened as a stream, or answered (a bad
/// option, `Last-Event-ID` at the end of a stream, the cap reached, an unknown name, a refused `Host`) with a
/// complete response the door writes. Hummingbird's router never sees such a request, so nothing is matched,
/// checked, counted or logged twice.
///
/// A class, shared by every connection's `RequestDoor`: as a struct, each door carried its own copy of the whole
/// `ServerConfiguration`, hundreds of bytes per idle subscriber.
final class StreamRequests: Sendable {
    let catalog: ScenarioCatalog
    let channels: ChannelDirectory
    let configuration: ServerConfiguration
    let connections: ConnectionRegistry
    let boundary: SiteBoundary
    let stats: StatsFeed
    /// The request log: a stream is logged when it opens and when it ends.
    let logger: Logger
    /// What carries events between processes: a resume this process has not caught up with waits for it.
    let backplane: any ChannelBackplane

    init(
        catalog: ScenarioCatalog, channels: ChannelDirectory, configuration: ServerConfiguration, connections: ConnectionRegistry, stats: StatsFeed,
        logger: Logger, backplane: any ChannelBackplane = LocalBackplane()
    ) {
        self.logger = logger
        self.catalog = catalog
        self.channels = channels
        self.configuration = configuration
        self.connections = connections
        self.boundary = configuration.siteBoundary
        self.stats = stats
        self.backplane = backplane
    }

    /// The paths whose `GET` is a stream, decided here and never by the router, which answers their other methods
    /// (`Router.answerUnservedMethods`).
    static let paths = ["/streams/:name", "/subscribeToEvents", "/channels/:name", StatsFeed.path]

    /// The stream a path asks for, matched as the router matches its patterns (empty segments do not count, so
    /// `/streams/dice/` is `/streams/dice`); `nil` for any other path.
    private enum Target {
        case stream(String)
        case channel(String)
        case defaultChannel
        case stats
    }

    private static func target(of path: String) -> Target? {
        let segments = path.split(separator: "/")
        switch (segments.first, segments.count) {
        case ("subscribeToEvents", 1): return .defaultChannel
        case ("channels", 2): return .channel(String(segments[1]))
        case ("streams", 2): return .stream(String(segments[1]))
        case ("api", 3) where "/" + segments.joined(separator: "/") == StatsFeed.path: return .stats
        default: return nil
        }
    }

    /// The one stream decision, on every protocol and for every answer: a `GET` for a stream path either opens a
    /// stream (`.open`, with its plan and a subscriber slot, for `open`) or is answered here, head and body complete
    /// (`.answer`: a refused `Host`, a path naming nothing, a bad option or name 400/404, `Last-Event-ID` at the end
    /// 204, every slot taken 503 with `Retry-After`). Either way it is counted under the router's route pattern, and
    /// a refusal is logged with the router's request line, here and only here. `admitting` is false while the server
    /// stops: a stream it would open gets the 503 instead. `peer` is the client's address, for the request log.
    func decide(_ request: HTTPRequest, peer: SocketAddress?, admitting: Bool = true) -> StreamDecision {
        guard request.method == .get, let target = request.path else { return .notAStream }
        let uri = URI(target)
        guard let kind = Self.target(of: uri.path) else { return .notAStream }
        let started = ContinuousClock.now
        let metrics = configuration.metrics
        // The router refuses a Host or a path before its CORS middleware, so those refusals carry no CORS headers.
        if let refusal = boundary.refusal(authority: request.authority, fields: request.headerFields) ?? UnnamablePath.refusal(path: uri.path) {
            return answer(StreamAnswer(refusal, crossOrigin: false), to: request, path: uri.path, peer: peer, started: started)
        }
        let crossOrigin = request.headerFields[.origin] != nil
        let found: StreamPlan?
        do {
            found = try plan(kind, uri: uri, request: request)
        } catch {
            // The plan functions throw only `APIError`; anything else is answered as the router would have.
            let refusal = error as? APIError ?? APIError(.internalServerError, code: "internal_server_error", message: "500 Internal Server Error")
            return answer(StreamAnswer(refusal, crossOrigin: crossOrigin), to: request, path: uri.path, peer: peer, started: started)
        }
        guard let plan = found else {
            metrics.answeredNoContent()
            return answer(.noContent(crossOrigin: crossOrigin), to: request, path: uri.path, peer: peer, started: started)
        }
        guard admitting, let slot = try? connections.admit() else {
            metrics.refusedSubscriber()
            return answer(StreamAnswer(connections.full, crossOrigin: crossOrigin), to: request, path: uri.path, peer: peer, started: started)
        }
        return .open(plan, slot)
    }

    /// The plan for a stream request; `nil` when the client already has everything there will ever be (204).
    private func plan(_ target: Target, uri: URI, request: HTTPRequest) throws -> StreamPlan? {
        let lastEventID = request.headerFields[.lastEventID]
        switch target {
        case .defaultChannel:
            return try ChannelRoutes<CuecastRequestContext>.plan(
                channel: ChannelDirectory.defaultChannel, uri: uri, lastEventIDHeader: lastEventID, channels: channels, configuration: configuration,
                mayCreate: true
            )
        case .channel(let name):
            return try ChannelRoutes<CuecastRequestContext>.plan(
                channel: name, uri: uri, lastEventIDHeader: lastEventID, channels: channels, configuration: configuration,
                mayCreate: ChannelRoutes<CuecastRequestContext>.subscriberMayCreate(
                    request.headerFields, authority: request.authority, configuration: configuration
                )
            )
        case .stream(let name):
            return try StreamRoutes.plan(name: name, uri: uri, lastEventIDHeader: lastEventID, catalog: catalog, configuration: configuration)
        case .stats:
            return try stats.plan(uri: uri, lastEventIDHeader: lastEventID, retry: configuration.channelRetry)
        }
    }

    /// Counts and logs an answer, under the names and labels the router's middleware gives its own answers.
    private func answer(_ answer: StreamAnswer, to request: HTTPRequest, path: String, peer: SocketAddress?, started: ContinuousClock.Instant) -> StreamDecision {
        let route = Self.route(of: path)
        configuration.metrics.answered(route: route, status: answer.head.status)
        let client = configuration.trustedProxies.client(peer: peer?.ipAddress ?? "unknown", forwardedFor: request.headerFields[.xForwardedFor])
        RequestLogMiddleware.log(logger, method: request.method, path: path, status: answer.head.status.code, route: route, client: client, started: started)
        return .answer(answer)
    }

    /// Opens the stream `decide` admitted, written through `writer` (an HTTP/1 `RequestDoor`'s context, or an HTTP/2
    /// record from `HTTP2StreamDoor`): listed, counted and logged.
    func open(_ request: HTTPRequest, plan: StreamPlan, slot: ConnectionRegistry.Slot, writer: StreamWriter, peer: SocketAddress?) -> StreamConnection {
        let isHTTP2 = writer.isHTTP2
        let connections = self.connections
        let publicID = connections.publicID(slot.id)
        var head = EventStreamHead.response(connectionID: publicID, crossOrigin: request.headerFields[.origin] != nil, closesConnection: !isHTTP2)
        if plan.clock != nil { head.headerFields[.cuecastPlayback] = String(slot.id) }
        let metrics = configuration.metrics
        let label = plan.label
        metrics.streamOpened(label)
        let path = URI(request.path ?? "/").path
        let route = Self.route(of: path)
        metrics.answered(route: route, status: .ok)
        // The metadata is an autoclosure: below `info` (the benchmark runs at `warning`) none of it is computed.
        let client = configuration.trustedProxies.client(
            peer: peer?.ipAddress ?? "unknown", forwardedFor: request.headerFields[.xForwardedFor])
        logger.info(
            "GET \(path) 200 (stream \(publicID) opened)",
            metadata: [
                "method": "GET", "path": "\(path)", "status": .stringConvertible(200), "route": "\(route)", "connection": "\(publicID)",
                "client": "\(client)",
            ]
        )
        if let found = plan.soloResumeFound { metrics.resumed(found: found) }
        let stream = StreamConnection(
            plan: .init(
                hub: plan.hub, lastEventID: plan.joinAfter, history: plan.options.history, unplaced: plan.unplaced,
                producer: plan.producer, ready: readiness(plan), requests: self, slot: slot, label: label
            ),
            head: head,
            preamble: ByteBufferAllocator().buffer(bytes: plan.preamble), writer: writer, faults: plan.options.faults
        )
        let bound = NIOLoopBound(stream, eventLoop: writer.eventLoop)
        connections.list(ConnectionRegistry.Connection(
            id: slot.id, path: path, label: plan.options.client, opened: Date(),
            hangUp: { reason, frame in StreamConnection.end(bound, reason: reason, finalFrame: frame) },
            clock: plan.clock, client: client, http2: isHTTP2
        ))
        return stream
    }

    /// A stream has ended: its slot and listing are given back, and its close is counted and logged (with the path
    /// and opening time its listing kept, so a stream does not carry them twice).
    func ended(_ slot: ConnectionRegistry.Slot, label: StreamLabel, reason: CloseReason) {
        let listing = connections.end(slot)
        configuration.metrics.streamClosed(label, reason: reason)
        logger.info(
            "stream \(connections.publicID(slot.id)) on \(listing?.path ?? "?") closed (\(reason.metricLabel)) after \(Self.seconds(since: listing?.opened)) s",
            metadata: [
                "path": "\(listing?.path ?? "?")", "connection": "\(connections.publicID(slot.id))", "reason": "\(reason.metricLabel)",
                "seconds": .stringConvertible(Self.seconds(since: listing?.opened)),
            ]
        )
    }

    /// Seconds since `opened`, to a tenth.
    private static func seconds(since opened: Date?) -> Double {
        guard let opened else { return 0 }
        return (Date().timeIntervalSince(opened) * 10).rounded() / 10
    }

    /// The router's pattern for a stream path that `decide` accepted: a stream is counted under the route its path
    /// names in the OpenAPI document, as every other answer is.
    static func route(of path: String) -> String {
        switch target(of: path) {
        case .stream?: "/streams/{name}"
        case .channel?: "/channels/{name}"
        case .defaultChannel?: "/subscribeToEvents"
        case .stats?, nil: StatsFeed.path
        }
    }

    /// In a cluster, a `Last-Event-ID` this instance's hub does not hold may come from another instance, ahead of
    /// this one's feed by a few milliseconds: the stream joins once the feed has caught up. `nil` (join at once)
    /// otherwise.
    private func readiness(_ plan: StreamPlan) -> (@Sendable () async -> Void)? {
        guard let key = plan.clusterKey, let id = plan.joinAfter, !plan.hub.hasEvent(id: id) else { return nil }
        return backplane.catchUp(key)
    }
}
