/// The running state of a playback's generators: counters, walks and sequences remember where they are.
///
/// A generator advances only when an emission refers to it, and at most once per emission, so `{{price}}` and
/// `{{price.change}}` in the same event agree and an unrelated cue never moves another cue's walk.
struct ValueStore: Sendable {
    /// A drawn value and the extra fields templates may read from it.
    struct Draw: Sendable {
        var value: JSONValue
        var fields: [String: JSONValue] = [:]
    }

    private var counters: [GeneratorKey: Int64] = [:]
    private var walks: [GeneratorKey: Double] = [:]
    private var positions: [GeneratorKey: Int] = [:]

    /// Generators are identified by the cue that owns them (or the scenario, `cue == nil`) and their name.
    struct GeneratorKey: Hashable, Sendable {
        var cue: Int?
        var name: String
    }

    mutating func draw(_ generator: ValueGenerator, key: GeneratorKey, random: inout SeededRandom) -> Draw {
        switch generator {
        case .pick(let values, let weights):
            return Draw(value: values[Self.pickIndex(count: values.count, weights: weights, random: &random)])
        case .sequence(let values):
            let position = positions[key, default: 0]
            positions[key] = (position + 1) % values.count
            return Draw(value: values[position])
        case .integer(let min, let max):
            let span = UInt64(bitPattern: max &- min)
            let offset = span == .max ? random.next() : random.next(upperBound: span + 1)
            return Draw(value: .integer(min &+ Int64(bitPattern: offset)))
        case .real(let min, let max, let decimals):
            return Draw(value: Self.number(Self.round(min + (max - min) * random.nextUnit(), decimals: decimals), decimals: decimals))
        case .counter(let start, let step):
            let value = counters[key, default: start]
            counters[key] = value &+ step
            return Draw(value: .integer(value))
        case .walk(let walk):
            let previous = walks[key, default: walk.start]
            let moved = previous + (random.nextUnit() * 2 - 1) * walk.step
            let value = Self.round(Swift.min(Swift.max(moved, walk.min), walk.max), decimals: walk.decimals)
            walks[key] = value
            let change = Self.round(value - walk.start, decimals: walk.decimals)
            let percent = walk.start == 0 ? 0 : Self.round((value - walk.start) / walk.start * 100, decimals: 2)
            let places = walk.decimals
            return Draw(
                value: Self.number(value, decimals: places),
                fields: [
                    "change": Self.number(change, decimals: places),
                    "changePercent": .number(percent),
                    "delta": Self.number(Self.round(value - previous, decimals: places), decimals: places),
                    "previous": Self.number(previous, decimals: places),
                    "start": Self.number(walk.start, decimals: places),
                ]
            )
        }
    }

    /// Scales a walk's current value, as a trigger's adjustment does; the next draw walks on from there.
    mutating func adjustWalk(_ walk: RandomWalk, key: GeneratorKey, percent: Double) {
        let current = walks[key, default: walk.start]
        let scaled = current * (1 + percent / 100)
        walks[key] = Self.round(Swift.min(Swift.max(scaled, walk.min), walk.max), decimals: walk.decimals)
    }

    /// Picks an index uniformly, or in proportion to `weights` when given (the loader checked they are positive).
    static func pickIndex(count: Int, weights: [Double]?, random: inout SeededRandom) -> Int {
        guard let weights else { return Int(random.next(upperBound: UInt64(count))) }
        let total = weights.reduce(0, +)
        var target = random.nextUnit() * total
        for (index, weight) in weights.enumerated() {
            if target < weight { return index }
            target -= weight
        }
        return count - 1
    }

    /// With no decimals a generated number is a whole number on the wire (`1240`, not `1240.0`).
    static func number(_ value: Double, decimals: Int) -> JSONValue {
        if decimals == 0, let whole = Int64(exactly: value.rounded()) { return .integer(whole) }
        return .number(value)
    }

    /// Rounds half away from zero to a number of decimals, so generated prices print as people expect (187.25).
    static func round(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded(.toNearestOrAwayFromZero) / scale
        return rounded == 0 ? 0 : rounded  // no "-0.0" on the wire
    }
}
