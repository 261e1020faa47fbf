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
            return Draw(value: .number(Self.round(min + (max - min) * random.nextUnit(), decimals: decimals)))
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
            return Draw(
                value: .number(value),
                fields: [
                    "change": .number(change),
                    "changePercent": .number(percent),
                    "delta": .number(Self.round(value - previous, decimals: walk.decimals)),
                    "previous": .number(previous),
                    "start": .number(walk.start),
                ]
            )
        }
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

    /// Rounds half away from zero to a number of decimals, so generated prices print as people expect (187.25).
    static func round(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded(.toNearestOrAwayFromZero) / scale
        return rounded == 0 ? 0 : rounded  // no "-0.0" on the wire
    }
}
