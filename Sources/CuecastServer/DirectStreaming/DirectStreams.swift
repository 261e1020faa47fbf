import CuecastCore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// Decides which requests are served as a `StreamConnection` on SwiftNIO, and builds them.
///
/// Only the common case is taken: a plain `GET` for a live stream or a channel, with valid options, that needs
/// an answer of 200, while there is room under the subscriber cap. Everything else (a solo stream, which runs
/// a playback task per client anyway; a bad option; `Last-Event-ID` at the end of a stream; the cap reached;
/// an unknown name) goes to Hummingbird's router, so every error, 204 and 503 has one source of truth. The
/// decisions themselves (options, history, preamble, notices) are the routes' own functions.
struct DirectStreams: Sendable {
    let catalog: ScenarioCatalog
    let channels: ChannelDirectory
    let configuration: ServerConfiguration
    let connections: ConnectionRegistry

    /// A connection for this request, listed and holding a subscriber slot; `nil` leaves it to Hummingbird.
    func takeOver(_ head: PeekedRequest, channel: any Channel) -> StreamConnection? {
        guard head.isPlainGet else { return nil }
        let uri = URI(head.target)
        let lastEventID = head.header("last-event-id")
        let segments = uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        /// A plan, or nil for anything the router should answer (an error, or 204).
        func attempt(_ plan: () throws -> LiveStreamPlan?) -> LiveStreamPlan? { (try? plan()) ?? nil }
        let live: LiveStreamPlan?
        switch (segments.first, segments.count) {
        case ("subscribeToEvents", 1):
            live = attempt {
                try ChannelRoutes<CuecastRequestContext>.plan(
                    channel: ChannelDirectory.defaultChannel, uri: uri, lastEventIDHeader: lastEventID, channels: channels, configuration: configuration
                )
            }
        case ("channels", 2):
            live = attempt {
                try ChannelRoutes<CuecastRequestContext>.plan(
                    channel: String(segments.last!), uri: uri, lastEventIDHeader: lastEventID, channels: channels, configuration: configuration
                )
            }
        case ("streams", 2):
            // Solo streams stay with Hummingbird: each runs its own playback task anyway.
            guard let entry = catalog.entry(named: String(segments.last!)), let station = entry.station else { return nil }
            live = attempt {
                try StreamRoutes<CuecastRequestContext>.livePlan(
                    station, uri: uri, lastEventIDHeader: lastEventID, configuration: configuration
                )
            }
        default:
            live = nil
        }
        guard let live, let slot = try? connections.admit() else { return nil }

        var response = "HTTP/1.1 200 OK\r\n"
        for field in EventStreamResponse.headers { response += "\(field.name): \(field.value)\r\n" }
        response += "X-Cuecast-Connection: \(slot.id)\r\nServer: cuecast\r\n"
        if head.header("origin") != nil {
            response += "Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: \(CrossOrigin.exposedHeaders.joined(separator: ", "))\r\n"
        }
        response += "\r\n"
        var opening = channel.allocator.buffer(capacity: response.utf8.count + live.preamble.count)
        opening.writeString(response)
        opening.writeBytes(live.preamble)
        let connections = self.connections
        let grace = configuration.closeGracePeriod.components
        let connection = StreamConnection(plan: .init(
            hub: live.hub, lastEventID: live.options.lastEventID,
            history: live.options.history, unplaced: live.unplaced, bufferBytes: configuration.subscriberBufferBytes,
            fanoutTurnSize: configuration.fanoutTurnSize,
            closeGracePeriod: .nanoseconds(grace.seconds * 1_000_000_000 + grace.attoseconds / 1_000_000_000),
            finished: { connections.end(slot) }
        ), opening: opening)
        let bound = NIOLoopBound(connection, eventLoop: channel.eventLoop)
        connections.list(ConnectionRegistry.Connection(
            id: slot.id, path: uri.path, label: live.options.client, opened: Date(),
            hangUp: { reason, frame in StreamConnection.end(bound, reason: reason, finalFrame: frame) }
        ))
        return connection
    }
}
