import CuecastCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Channels that anyone allowed can publish to: `GET /subscribeToEvents` (the default channel),
/// `GET /channels/{name}`, and `GET /api/channels`. Same headers, heartbeat, retry, history and resume rules as
/// `/streams`.
struct ChannelRoutes<Context: RequestContext>: Sendable {
    let channels: ChannelDirectory
    /// In a cluster, `/api/channels` counts every instance's subscribers.
    var backplane: any ChannelBackplane = LocalBackplane()

    /// `GET /api/channels`. A channel's stream (`/subscribeToEvents`, `/channels/{name}`) is opened or answered by
    /// `StreamRequests.decide` from `plan`, never by the router.
    func add(to router: Router<Context>) {
        router.get("/api/channels") { request, _ in
            let base = CatalogRoutes<Context>.baseURL(request)
            let others = await backplane.subscribersElsewhere()
            return Response.json(.object([
                ("channels", .array(channels.all.map { describe($0.name, $0.hub, base: base, elsewhere: others.byChannel[$0.name] ?? 0) })),
                // Whose subscribers are counted: this instance's alone, or the cluster's (when its link is up).
                ("subscribersCounted", .string(others.counted)),
            ]))
        }
    }

    /// What a channel subscriber gets (`StreamRequests.decide`); `nil` when the client already has everything
    /// there will ever be (answer 204).
    static func plan(
        channel name: String, uri: URI, lastEventIDHeader: String?, channels: ChannelDirectory, configuration: ServerConfiguration, mayCreate: Bool
    ) throws -> StreamPlan? {
        let hub = try Self.hub(named: name, in: channels, create: mayCreate)
        let options = try StreamOptions(uri: uri, lastEventIDHeader: lastEventIDHeader, mode: .live)
        let welcome = "channel '\(name)': events published with POST /generateEvent\(name == ChannelDirectory.defaultChannel ? "" : "?channel=\(name)") arrive here"
        let historyLimit = channels.configuration.hub.historyLimit
        let label = StreamLabel(kind: .channel, name: configuration.metrics.channelLabels.label(for: name))
        return StreamPlan(
            hub: hub, label: label, options: options, preamble: Frame.preamble(welcome: welcome, retry: configuration.channelRetry),
            clusterKey: .channel(name)
        ) { id, replayFrom in
            let gap = ResumeGap(lastEventID: id, reason: ResumeGap.reason(for: id, newest: hub.sequence), oldestEventID: replayFrom, replay: "history")
            let why = gap.reason == .expired ? "is older than this channel's history (at most \(historyLimit) events, within the server's memory budget)" : "was never sent on this channel"
            return gap.bytes(comment: "Last-Event-ID \(id) \(why): events may have been missed; here is all that is kept")
        }
    }

    func describe(_ name: String, _ hub: BroadcastHub, base: String, elsewhere: Int64 = 0) -> JSONValue {
        let query = name == ChannelDirectory.defaultChannel ? "" : "?channel=\(name)"
        return .object([
            ("name", .string(name)), ("subscribers", .integer(Int64(hub.subscriberCount) + elsewhere)),
            ("lastEventId", hub.lastEventID.map(JSONValue.string) ?? .null), ("events", .integer(Int64(hub.sequence))),
            ("stream", .string("/channels/\(name)")), ("publish", .string("/generateEvent\(query)")),
            ("curl", .string("curl -N \(base)/channels/\(name)")),
        ])
    }

    /// Whether a subscriber may create the channel it asks for: yes for programs (curl, SDKs) and this server's own
    /// pages, no for a page on another site. Subscribing is open to every page (that is what CORS is for), but a
    /// page on any site looping over `new EventSource('/channels/junk' + i)` made 1,000 channels and locked everyone
    /// out of new ones; such a page may still join a channel that exists, which is what a student's page needs.
    static func subscriberMayCreate(_ fields: HTTPFields, authority: String?, configuration: ServerConfiguration) -> Bool {
        configuration.siteBoundary.crossSiteOrigin(of: fields, authority: authority) == nil
    }

    /// The channel, or a 400/404/503 that says what is wrong.
    static func hub(named name: String, in channels: ChannelDirectory, create: Bool = true) throws(APIError) -> BroadcastHub {
        do {
            return try channels.channel(named: name, create: create)
        } catch {
            switch error {
            case .invalidName(let bad):
                throw APIError(
                    .badRequest, code: "bad_channel", message: "channel names are 1-64 letters, digits, '-', '_' or '.', got '\(bad)'",
                    extra: [("field", .string("channel"))]
                )
            case .tooManyChannels(let limit):
                throw APIError(
                    .serviceUnavailable, code: "too_many_channels",
                    message: "the server already has \(limit) channels, each with subscribers or used in the last moment; a channel without subscribers makes room",
                    headers: [.retryAfter: "5"]
                )
            case .unknownChannel(let name):
                throw APIError(
                    .notFound, code: "unknown_channel",
                    message: "no channel '\(name)' yet, and a page on another site may join channels but not create them: publish to it first, or open it from this server's pages or a program"
                )
            }
        }
    }
}
