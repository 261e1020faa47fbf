import CuecastCore
import Hummingbird

/// What a stream request gets, as the routes decide it: the hub it joins, the options after the route's
/// adjustments, the preamble, the notice for an id history does not have and, for a solo stream, the playback
/// that feeds its private hub. `StreamRequests.decide` makes one for every stream request it opens; its absence
/// (`nil` from the plan functions) is the 204.
struct StreamPlan: Sendable {
    let hub: BroadcastHub
    /// How the metrics name this stream.
    let label: StreamLabel
    let options: StreamOptions
    let preamble: [UInt8]
    /// What a client whose `Last-Event-ID` is not in history gets before the replay (`ResumeGap`).
    let unplaced: @Sendable (_ lastEventID: String, _ replayFrom: String?) -> [UInt8]
    /// The id the stream joins its hub after: the client's `Last-Event-ID` on a shared hub; `nil` on a solo
    /// stream, whose playback itself resumes after it.
    let joinAfter: String?
    /// A solo playback: runs while the stream is open, feeding `hub`.
    let producer: (@Sendable () async -> Void)?
    /// The clock of a `?clock=manual` solo playback, driven over `/api/playbacks/{id}`.
    let clock: PlaybackClock?
    /// A solo stream resumed with `Last-Event-ID`: whether its timeline had the id. (A shared hub's resume is
    /// placed when the stream joins it, so it is counted there.)
    let soloResumeFound: Bool?
    /// The stream a shared hub is fed by, on the backplane (`ChannelBackplane`); `nil` for a solo stream.
    var clusterKey: BackplaneStream?

    /// `nil` when the client already has everything there will ever be (the hub finished with the id it sent):
    /// the answer is `204 No Content`, which stops a browser's `EventSource` for good.
    init?(
        hub: BroadcastHub, label: StreamLabel, options: StreamOptions, preamble: [UInt8], clusterKey: BackplaneStream? = nil,
        unplaced: @escaping @Sendable (String, String?) -> [UInt8]
    ) {
        if let lastEventID = options.lastEventID, hub.isFinished, lastEventID == hub.lastEventID { return nil }
        self.hub = hub
        self.label = label
        self.options = options
        self.preamble = preamble
        self.unplaced = unplaced
        self.joinAfter = options.lastEventID
        self.producer = nil
        self.clock = nil
        self.soloResumeFound = nil
        self.clusterKey = clusterKey
    }

    /// A solo stream: a private hub fed by `producer`.
    init(
        soloHub hub: BroadcastHub, label: StreamLabel, options: StreamOptions, preamble: [UInt8], resumeFound: Bool?, clock: PlaybackClock? = nil,
        producer: @escaping @Sendable () async -> Void
    ) {
        self.clock = clock
        self.hub = hub
        self.label = label
        self.soloResumeFound = resumeFound
        self.options = options
        self.preamble = preamble
        self.unplaced = { _, _ in [] }
        self.joinAfter = nil
        self.producer = producer
    }
}
