import CuecastCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The one stream decision (`decide`): which requests are stream requests, and what each gets.
extension StreamRequests {
    /// The paths whose `GET` is a stream, decided here and never by the router, which answers their other methods
    /// (`Router.answerUnservedMethods`).
    static let paths = ["/streams/:name", "/subscribeToEvents", "/channels/:name", StatsFeed.path]

    /// What a stream path asks for.
    enum Target {
        case stream(String)
        case channel(String)
        case defaultChannel
        case stats
    }

    /// The stream a path asks for, matched as the router matches its patterns (empty segments do not count, so
    /// `/streams/dice/` is `/streams/dice`); `nil` for any other path.
    static func target(of path: String) -> Target? {
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
}
