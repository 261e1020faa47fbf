import CuecastCore
import Synchronization

/// A token bucket per client address: `rate` publishes a second on average, bursts up to `burst`.
///
/// Keyed by the client's address: the connection's, or behind a trusted proxy the one it forwards for
/// (`TrustedProxies`; an untrusted peer's `X-Forwarded-For` is whatever it wrote, and is ignored). Idle buckets are
/// dropped so a stream of new addresses cannot grow memory without bound.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private static let maxBuckets = 10_000

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes a token for `client`; on refusal, says how long until one is available.
    func take(for client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            if buckets.count >= Self.maxBuckets { buckets = buckets.filter { now - $0.value.updated < .seconds(burst / rate) } }
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = (now - bucket.updated).seconds
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.updated = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .seconds((1 - bucket.tokens) / rate)
        }
    }
}
