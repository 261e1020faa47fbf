import CuecastCore
import HTTPTypes
import Hummingbird

/// Everything a publishing request passes before it publishes: access (token, loopback rule), then the
/// per-client rate limit.
struct PublishGate: Sendable {
    let access: PublishAccess
    let limiter: RateLimiter
    let proxies: TrustedProxies

    init(configuration: ServerConfiguration) {
        access = PublishAccess(
            token: configuration.publishToken, host: configuration.host, allowAnonymous: configuration.allowAnonymousPublish,
            boundary: configuration.siteBoundary
        )
        limiter = RateLimiter(rate: configuration.publishRate, burst: configuration.publishBurst)
        proxies = configuration.trustedProxies
    }

    /// `peer` is the connection's address; behind a trusted proxy the limit is kept per client it forwards for.
    func admit(_ request: Request, client peer: String) throws(APIError) {
        try access.check(request)
        let client = proxies.client(peer: peer, forwardedFor: request.headers[.xForwardedFor])
        if let wait = limiter.take(for: client) {
            let seconds = max(1, Int(wait.seconds.rounded(.up)))
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "too many publishes from \(client): at most \(Self.format(limiter.rate)) a second (bursts of \(Int(limiter.burst))); try again in \(seconds) s",
                headers: [.retryAfter: String(seconds)]
            )
        }
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}
