import CuecastCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Turns a request for an event stream into a `StreamConnection`, on any protocol.
///
/// Every `GET` for `/streams/{name}`, `/subscribeToEvents` or `/channels/{name}` that needs an answer of 200 and
/// gets a subscriber slot is served here. Anything else (a bad option, `Last-Event-ID` at the end of a stream, the
/// cap reached, an unknown name) is left to Hummingbird's router, which answers from the same plan functions, so
/// every error, 204 and 503 has one source of truth.
///
/// A class, shared by every connection's `RequestDoor`: as a struct, each door carried its own copy of the whole
/// `ServerConfiguration`, hundreds of bytes per idle subscriber.
final class StreamRequests: Sendable {
    let catalog: ScenarioCatalog
    let channels: ChannelDirectory
    let configuration: ServerConfiguration
    let connections: ConnectionRegistry
    /// The cluster this instance belongs to, if any: a resume it has not caught up with waits for it.
    let cluster: ClusterLink?

    init(
        catalog: ScenarioCatalog, channels: ChannelDirectory, configuration: ServerConfiguration, connections: ConnectionRegistry,
        cluster: ClusterLink? = nil
    ) {
        self.catalog = catalog
        self.channels = channels
        self.configuration = configuration
        self.connections = connections
        self.cluster = cluster
    }

    /// The plan for a stream request, or `nil` for one the router should answer (not a stream, an error, or 204).
    func plan(for request: HTTPRequest) -> StreamPlan? {
        guard request.method == .get, let target = request.path else { return nil }
        let uri = URI(target)
        let lastEventID = request.headerFields[.lastEventID]
        let segments = uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard let first = segments.first, let last = segments.last else { return nil }
        do {
            switch (first, segments.count) {
            case ("subscribeToEvents", 1):
                return try ChannelRoutes<CuecastRequestContext>.plan(
                    channel: ChannelDirectory.defaultChannel, uri: uri, lastEventIDHeader: lastEventID, channels: channels, configuration: configuration
                )
            case ("channels", 2):
                return try ChannelRoutes<CuecastRequestContext>.plan(
                    channel: String(last), uri: uri, lastEventIDHeader: lastEventID, channels: channels, configuration: configuration
                )
            case ("streams", 2):
                return try StreamRoutes<CuecastRequestContext>.plan(
                    name: String(last), uri: uri, lastEventIDHeader: lastEventID, catalog: catalog, configuration: configuration
                )
            default:
                return nil
            }
        } catch {
            return nil
        }
    }

    /// A stream for this request, listed and holding a subscriber slot, written through `context` (a
    /// `RequestDoor`'s); `nil` leaves the request to Hummingbird.
    func open(
        _ request: HTTPRequest, context: ChannelHandlerContext, isHTTP2: Bool, multiplexed: HTTP2ConnectionHandler?, onEnd: @escaping () -> Void
    ) -> StreamConnection? {
        guard let plan = plan(for: request), let slot = try? connections.admit() else { return nil }
        let connections = self.connections
        let stream = StreamConnection(
            plan: .init(
                hub: plan.hub, lastEventID: plan.joinAfter, history: plan.options.history, unplaced: plan.unplaced,
                fanoutTurnSize: configuration.fanoutTurnSize,
                closeGracePeriod: TimeAmount(configuration.closeGracePeriod),
                producer: plan.producer,
                ready: readiness(plan),
                finished: { connections.end(slot) }
            ),
            head: EventStreamHead.response(connectionID: connections.publicID(slot.id), crossOrigin: request.headerFields[.origin] != nil, closesConnection: !isHTTP2),
            preamble: context.channel.allocator.buffer(bytes: plan.preamble),
            context: context, multiplexed: multiplexed, onEnd: onEnd
        )
        let bound = NIOLoopBound(stream, eventLoop: context.eventLoop)
        connections.list(ConnectionRegistry.Connection(
            id: slot.id, path: URI(request.path ?? "/").path, label: plan.options.client, opened: Date(),
            hangUp: { reason, frame in StreamConnection.end(bound, reason: reason, finalFrame: frame) }
        ))
        return stream
    }

    /// In a cluster, a `Last-Event-ID` this instance's hub does not hold may come from another instance, ahead of
    /// this one's feed by a few milliseconds: the stream joins once the feed has caught up. `nil` (join at once)
    /// otherwise.
    private func readiness(_ plan: StreamPlan) -> (@Sendable () async -> Void)? {
        guard let cluster, let key = plan.clusterKey, let id = plan.joinAfter, !plan.hub.hasEvent(id: id) else { return nil }
        return { await cluster.caughtUp(key) }
    }
}
