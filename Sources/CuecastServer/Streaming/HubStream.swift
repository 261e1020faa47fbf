import CuecastCore
import Foundation
import Hummingbird

/// A stream on a shared hub (a live scenario or a channel), as the routes decide it: the hub, the options after
/// the route's adjustments, the preamble, and the notice for an id history does not have. Hummingbird's routes
/// and `DirectStreams` both serve from it, so the two paths cannot disagree.
struct LiveStreamPlan: Sendable {
    let hub: BroadcastHub
    let options: StreamOptions
    let preamble: [UInt8]
    let unplaced: @Sendable (String) -> String

    /// `nil` when the client already has everything there will ever be (the hub finished with the id it sent):
    /// the answer is `204 No Content`, which stops a browser's `EventSource` for good.
    init?(hub: BroadcastHub, options: StreamOptions, preamble: [UInt8], unplaced: @escaping @Sendable (String) -> String) {
        if let lastEventID = options.lastEventID, hub.isFinished, lastEventID == hub.lastEventID { return nil }
        self.hub = hub
        self.options = options
        self.preamble = preamble
        self.unplaced = unplaced
    }
}

extension LiveStreamPlan {
    /// The router's answer: `204` for `nil`, else a subscriber slot (`503` when every slot is taken, before
    /// anything is subscribed) and a subscription that replays what follows `Last-Event-ID` if the hub still has
    /// it, else the requested history after a notice that says why.
    static func response(
        _ plan: LiveStreamPlan?, for request: Request, connections: ConnectionRegistry, closeGracePeriod: Duration
    ) throws -> Response {
        guard let plan else { return Response(status: .noContent) }
        let slot = try connections.admit()
        let outcome = plan.hub.subscribe(lastEventID: plan.options.lastEventID, history: plan.options.history)
        var preamble = plan.preamble
        if outcome.placement == .unknownID, let id = plan.options.lastEventID {
            EventEncoder.encodeComment(plan.unplaced(id), into: &preamble)
        }
        let stream = EventStreamResponse(preamble: preamble, subscription: outcome.subscription, producer: nil, closeGracePeriod: closeGracePeriod)
        return stream.response(for: request, connections: connections, slot: slot, label: plan.options.client)
    }
}
