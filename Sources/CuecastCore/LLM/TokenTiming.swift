/// When each token of a reply is sent: a first-token delay (the model "thinking"), then a gap between tokens,
/// each moved by up to `jitter` either way, drawn from a seeded generator so the same request always gets the
/// same timing (a recorded model instead lists every gap as it was).
public struct TokenTiming: Sendable, Equatable {
    public var firstToken: Duration
    public var gap: Duration
    public var jitter: Duration
    public var seed: UInt64
    /// Gaps recorded from a real stream, one per token; when set, they replace `firstToken`, `gap` and `jitter`.
    public var recordedGaps: [Duration]?

    public init(firstToken: Duration = .milliseconds(200), gap: Duration = .milliseconds(30), jitter: Duration = .zero, seed: UInt64 = 0) {
        self.firstToken = firstToken
        self.gap = gap
        self.jitter = jitter
        self.seed = seed
    }

    /// The offset from the start of the reply at which each of `count` tokens goes out; `firstToken` replaces the
    /// scenario's first-token delay (the slow-first-token fault).
    public func offsets(count: Int, firstToken override: Duration? = nil) -> [Duration] {
        var random = SeededRandom(seed: seed)
        var offsets: [Duration] = []
        offsets.reserveCapacity(count)
        var at: Duration = .zero
        for index in 0..<count {
            var delay: Duration
            if let recordedGaps, index < recordedGaps.count {
                delay = recordedGaps[index]
            } else {
                delay = index == 0 ? firstToken : gap
                if jitter > .zero {
                    let spread = Double(jitter.milliseconds) * (random.nextUnit() * 2 - 1)
                    delay = max(.zero, delay + .milliseconds(Int64(spread.rounded())))
                }
            }
            if index == 0, let override { delay = override }
            at += delay
            offsets.append(at)
        }
        return offsets
    }
}
