/// How long to wait before reconnecting.
///
/// The spec's rule is to wait the reconnection time (the last `retry`, else a default of 3000 ms as browsers use),
/// then "optionally, wait some more", for instance an exponential back-off when attempts keep failing. So every
/// policy waits at least the reconnection time: a server's `retry` is a floor, never shortened.
public enum BackoffPolicy: Sendable, Equatable {
    /// A browser: always exactly the reconnection time.
    case constant
    /// Doubling per failed attempt, capped, with jitter, never below the reconnection time:
    ///
    ///     ceiling = min(maxDelay, retry × 2^failures)
    ///     equal jitter: delay = max(retry, ceiling/2 + random × ceiling/2)
    ///     full jitter:  delay = max(retry, random × ceiling)
    ///
    /// `failures` is the number of connection attempts in a row that failed to open a stream; it is 0 after a
    /// stream that opened then ended or dropped, so that first reconnection waits exactly the reconnection time
    /// (as a browser), then 2×, 4×, ... while the server stays unreachable, until the cap.
    case exponential(maxDelay: Duration, jitter: Jitter)

    /// Spreads reconnections out so that clients dropped together do not return together.
    public enum Jitter: String, Sendable, Equatable, CaseIterable {
        /// Uniform in [ceiling/2, ceiling]: keeps most of the back-off, still spreads clients.
        case equal
        /// Uniform in [0, ceiling] (then raised to the reconnection time): spreads the most.
        case full
    }

    /// The wait before the next attempt.
    /// - Parameters:
    ///   - reconnectionTime: the current reconnection time (the last `retry`, or the default).
    ///   - failures: connection attempts in a row that failed to open a stream (0 after a stream that opened).
    ///   - random: a number in [0, 1], from the client's random source; tests pass fixed values.
    public func delay(reconnectionTime: Duration, failures: Int, random: Double) -> Duration {
        switch self {
        case .constant:
            return reconnectionTime
        case .exponential(let maxDelay, let jitter):
            let retry = Self.milliseconds(reconnectionTime)
            // 2^62 is far beyond any cap; min() keeps the arithmetic finite.
            let growth = Double(sign: .plus, exponent: min(max(failures, 0), 62), significand: 1)
            let ceiling = min(Self.milliseconds(maxDelay), retry * growth)
            let unit = min(max(random, 0), 1)
            let jittered =
                switch jitter {
                case .equal: ceiling / 2 + unit * ceiling / 2
                case .full: unit * ceiling
                }
            return jittered <= retry ? reconnectionTime : .milliseconds(jittered.rounded())
        }
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
