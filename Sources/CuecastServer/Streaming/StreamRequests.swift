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

    /// In a cluster, a `Last-Event-ID` this instance's hub does not hold may come from another instance, ahead of
    /// this one's feed by a few milliseconds: the stream joins once the feed has caught up. `nil` (join at once)
    /// otherwise.
    private func readiness(_ plan: StreamPlan) -> (@Sendable () async -> Void)? {
        guard let key = plan.clusterKey, let id = plan.joinAfter, !plan.hub.hasEvent(id: id) else { return nil }
        return backplane.catchUp(key)
    }
}
