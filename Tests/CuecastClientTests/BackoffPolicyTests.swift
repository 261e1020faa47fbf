import CuecastClient
import Testing

/// The reconnection wait: exactly `retry` for a browser, capped doubling with jitter when asked, never below `retry`.
struct BackoffPolicyTests {
    let retry = Duration.milliseconds(1000)

    @Test("constant: always the reconnection time, however many failures")
    func constant() {
        let delays = [0, 1, 5, 100].map { BackoffPolicy.constant.delay(reconnectionTime: retry, failures: $0, random: 0.3) }
        #expect(delays == [retry, retry, retry, retry])
    }

    @Test("equal jitter: uniform in [ceiling/2, ceiling], ceiling = min(cap, retry × 2^failures)")
    func equalJitter() {
        let policy = BackoffPolicy.exponential(maxDelay: .seconds(5), jitter: .equal)
        // failures 0: ceiling is the retry time; the floor keeps it exactly the retry time (a browser's first wait).
        let first = [0.0, 0.5, 1.0].map { policy.delay(reconnectionTime: retry, failures: 0, random: $0) }
        #expect(first == [retry, retry, retry])
        // failures 1: ceiling 2000 → [1000, 2000].
        let second = [0.0, 0.5, 1.0].map { policy.delay(reconnectionTime: retry, failures: 1, random: $0) }
        #expect(second == [.milliseconds(1000), .milliseconds(1500), .milliseconds(2000)])
        // failures 2: ceiling 4000 → [2000, 4000].
        let third = [0.0, 1.0].map { policy.delay(reconnectionTime: retry, failures: 2, random: $0) }
        #expect(third == [.milliseconds(2000), .milliseconds(4000)])
        // failures 3: 8000 capped to 5000 → [2500, 5000].
        let capped = [0.0, 1.0].map { policy.delay(reconnectionTime: retry, failures: 3, random: $0) }
        #expect(capped == [.milliseconds(2500), .milliseconds(5000)])
    }

    @Test("full jitter: uniform in [0, ceiling], raised to the reconnection time")
    func fullJitter() {
        let policy = BackoffPolicy.exponential(maxDelay: .seconds(60), jitter: .full)
        let delays = [0.0, 0.1, 0.5, 1.0].map { policy.delay(reconnectionTime: retry, failures: 3, random: $0) }
        #expect(delays == [retry, retry, .milliseconds(4000), .milliseconds(8000)])
    }

    @Test("the cap never shortens the server's retry; huge failure counts do not overflow")
    func limits() {
        let lowCap = BackoffPolicy.exponential(maxDelay: .milliseconds(200), jitter: .equal)
        #expect(lowCap.delay(reconnectionTime: retry, failures: 4, random: 1) == retry)
        let policy = BackoffPolicy.exponential(maxDelay: .seconds(30), jitter: .equal)
        #expect(policy.delay(reconnectionTime: retry, failures: Int.max, random: 1) == .seconds(30))
        #expect(policy.delay(reconnectionTime: .zero, failures: 10, random: 1) == .zero)
    }
}
