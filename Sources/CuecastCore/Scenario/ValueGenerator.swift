/// A source of values for templates. Every random choice comes from the playback's seeded generator, so a
/// scenario and seed always produce the same values in the same order.
public enum ValueGenerator: Sendable {
    /// One of the values, uniformly or by weight.
    case pick([JSONValue], weights: [Double]?)
    /// The values in order, starting over after the last.
    case sequence([JSONValue])
    /// A uniform integer in `min...max`.
    case integer(min: Int64, max: Int64)
    /// A uniform real in `min...max`, rounded to `decimals` places.
    case real(min: Double, max: Double, decimals: Int)
    /// Starts at `start`, then adds `step` on every draw.
    case counter(start: Int64, step: Int64)
    /// A bounded random walk, like a price: each draw moves by a uniform amount in `-step...step`.
    case walk(RandomWalk)

    /// Fields a template may read with `{{name.field}}` besides the value's own object fields.
    public var fieldNames: [String] {
        switch self {
        case .walk: return RandomWalk.fieldNames
        default: return []
        }
    }

    /// Whether a drawn value's text could contain a line break, which an event name or id must never hold.
    public var canProduceLineBreak: Bool {
        switch self {
        case .pick(let values, _), .sequence(let values):
            return values.contains { value in
                guard case .string(let text) = value else { return false }
                return text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) || text.contains("\0")
            }
        case .integer, .real, .counter, .walk:
            return false
        }
    }
}

/// Parameters of a random walk.
public struct RandomWalk: Sendable, Equatable {
    public var start: Double
    public var step: Double
    public var min: Double
    public var max: Double
    public var decimals: Int

    public init(start: Double, step: Double, min: Double = -.greatestFiniteMagnitude, max: Double = .greatestFiniteMagnitude, decimals: Int = 2) {
        self.start = start
        self.step = step
        self.min = min
        self.max = max
        self.decimals = decimals
    }

    /// `{{p.change}}` and `{{p.changePercent}}` since the start (like a day's change), `{{p.delta}}` since the
    /// previous draw, `{{p.previous}}` and `{{p.start}}`.
    public static let fieldNames = ["change", "changePercent", "delta", "previous", "start"]
}
