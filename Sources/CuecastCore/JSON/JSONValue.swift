/// A plain JSON value: what event data, templates and request bodies use.
///
/// Object members keep their order (text order when parsed), and equality respects it:
/// `{"a":1,"b":2}` and `{"b":2,"a":1}` are different values, because the order is what gets sent.
/// `integer` and `number` are distinct: `1` is `.integer(1)`, while `1.0` and `1e3` are `.number`, and
/// `.integer(1) != .number(1.0)`.
///
/// Members are `(String, JSONValue)` tuples. Tuples cannot synthesize `Hashable`, so the conformance
/// is written by hand below.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent that fits in `Int64`.
    case integer(Int64)
    /// A number written with a fraction or exponent (`1.0`, `1e3`).
    case number(Double)
    /// A string; may contain NUL characters.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object: its members, in order. Keys are unique in parsed values.
    case object([(String, JSONValue)])

    /// Structural equality; object members are compared in order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Hashes consistently with `==` (object members in order).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0)
        case .bool(let value):
            hasher.combine(1)
            hasher.combine(value)
        case .integer(let value):
            hasher.combine(2)
            hasher.combine(value)
        case .number(let value):
            hasher.combine(3)
            hasher.combine(value)
        case .string(let value):
            hasher.combine(4)
            hasher.combine(value)
        case .array(let elements):
            hasher.combine(5)
            hasher.combine(elements)
        case .object(let members):
            hasher.combine(6)
            hasher.combine(members.count)
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }
}
