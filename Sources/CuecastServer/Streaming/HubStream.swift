import CuecastCore

extension EventStreamResponse {
    /// A subscription to a shared hub (a live scenario or a channel): what follows `Last-Event-ID` if the hub
    /// still has it, else the requested history after a notice that says why.
    static func joining(_ plan: LiveStreamPlan, closeGracePeriod: Duration) -> EventStreamResponse {
        let outcome = plan.hub.subscribe(lastEventID: plan.options.lastEventID, history: plan.options.history)
        var preamble = plan.preamble
        if outcome.placement == .unknownID, let id = plan.options.lastEventID {
            EventEncoder.encodeComment(plan.unplaced(id), into: &preamble)
        }
        return EventStreamResponse(preamble: preamble, subscription: outcome.subscription, producer: nil, closeGracePeriod: closeGracePeriod)
    }
}
