import CuecastCore

extension EventStreamResponse {
    /// A subscription to a shared hub (a live scenario or a channel): what follows `Last-Event-ID` if the hub
    /// still has it, else the requested history after a notice that says why. `nil` means the client already
    /// has everything there will ever be (the hub finished with that id): answer `204 No Content`.
    static func joining(
        _ hub: BroadcastHub, options: StreamOptions, preamble: [UInt8], closeGracePeriod: Duration,
        unplaced: (String) -> String
    ) -> EventStreamResponse? {
        if let lastEventID = options.lastEventID, hub.isFinished, lastEventID == hub.lastEventID { return nil }
        let outcome = hub.subscribe(lastEventID: options.lastEventID, history: options.history)
        var preamble = preamble
        if outcome.placement == .unknownID, let id = options.lastEventID {
            EventEncoder.encodeComment(unplaced(id), into: &preamble)
        }
        return EventStreamResponse(preamble: preamble, subscription: outcome.subscription, producer: nil, closeGracePeriod: closeGracePeriod)
    }
}
