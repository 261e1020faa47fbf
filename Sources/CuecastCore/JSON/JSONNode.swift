/// A parsed JSON value together with where it came from, so a loader can report
/// `file:line:column: message` for any value or key it rejects.
public struct JSONNode: Sendable {
    /// Where the value starts: its first character (the opening quote of a string,
    /// the `{` or `[` of a container, the first character of a number or literal).
    public let location: SourceLocation
    /// The value, with positioned children.
    public let kind: Kind

    /// A JSON value whose children are ``JSONNode``s (the same cases as ``JSONValue``).
    public enum Kind: Sendable {
        /// `null`.
        case null
        /// `true` or `false`.
        case bool(Bool)
        /// A number written without a fraction or exponent.
        case integer(Int64)
        /// A number written with a fraction or exponent.
        case number(Double)
        /// A string; may contain NUL characters.
        case string(String)
        /// An array.
        case array([JSONNode])
        /// An object's members, in text order.
        case object([JSONMember])
    }

    /// The same value without positions.
    public var value: JSONValue {
        switch kind {
        case .null: .null
        case .bool(let value): .bool(value)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .string(let value): .string(value)
        case .array(let elements): .array(elements.map(\.value))
        case .object(let members): .object(members.map { ($0.key, $0.value.value) })
        }
    }

    /// The JSON type's name for error messages: "null", "boolean", "integer", "number", "string",
    /// "array" or "object".
    public var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// One member of a parsed object: the key, where the key is written, and the value.
public struct JSONMember: Sendable {
    /// The key, unescaped.
    public let key: String
    /// Where the key's opening quote is, for errors about the key itself ("unknown field").
    public let keyLocation: SourceLocation
    /// The member's value, with its own location.
    public let value: JSONNode
}
