import Foundation

/// Text with `{{placeholders}}` that name generated values, parsed once at load time.
///
/// `{{price}}` inserts a value, `{{price.change}}` one of its fields, `{{$index}}` a built-in. Parsing happens when
/// a scenario is loaded so that a typo in a placeholder is reported with its file position, never while streaming.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(Reference)
    }

    public let parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// A template without placeholders.
    public init(literal: String) { self.parts = literal.isEmpty ? [] : [.literal(literal)] }

    /// The placeholder, if the template is exactly one placeholder and nothing else. In JSON data such a string
    /// takes the value's own JSON type (`"{{price}}"` becomes a number), not its text.
    public var soleReference: Reference? {
        if parts.count == 1, case .placeholder(let reference) = parts[0] { return reference }
        return nil
    }

    public var references: [Reference] {
        parts.compactMap { if case .placeholder(let r) = $0 { r } else { nil } }
    }

    /// The text itself, when the template has no placeholders.
    public var literalText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let literal) = part else { return nil }
            text += literal
        }
        return text
    }
}

/// A placeholder's target: a generator (or built-in, starting with `$`) and an optional path into its value.
public struct Reference: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let path: [String]
    public init(name: String, path: [String] = []) {
        self.name = name
        self.path = path
    }
    public var isBuiltin: Bool { name.hasPrefix("$") }
    public var description: String { ([name] + path).joined(separator: ".") }
}

/// Why a template string could not be parsed.
public struct TemplateSyntaxError: Error, Sendable, Equatable {
    /// Offset in characters from the start of the string, for pointing at the column.
    public let offset: Int
    public let message: String
}

extension Template {
    /// Parses `{{name}}`, `{{name.field}}` and `{{ $builtin }}` placeholders; everything else is literal text.
    public static func parse(_ text: String) throws(TemplateSyntaxError) -> Template {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        var offset = 0
        // The standard library's search, not Foundation's `range(of:)`: that one bridges to NSString and rebuilds its
        // UTF-16 index of the text on every call, so a long template took time in the square of its length.
        while let open = rest.firstRange(of: "{{") {
            literal += rest[rest.startIndex..<open.lowerBound]
            let openOffset = offset + rest.distance(from: rest.startIndex, to: open.lowerBound)
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstRange(of: "}}") else {
                throw TemplateSyntaxError(offset: openOffset, message: "'{{' starts a placeholder that is never closed with '}}'")
            }
            let inner = afterOpen[afterOpen.startIndex..<close.lowerBound].trimmingSpaces()
            let reference = try parseReference(inner, offset: openOffset)
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
            parts.append(.placeholder(reference))
            offset = openOffset + 2 + afterOpen.distance(from: afterOpen.startIndex, to: close.upperBound)
            rest = afterOpen[close.upperBound...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return Template(parts: parts)
    }

    private static func parseReference(_ inner: Substring, offset: Int) throws(TemplateSyntaxError) -> Reference {
        let segments = inner.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = segments.first, !first.isEmpty else {
            throw TemplateSyntaxError(offset: offset, message: "empty placeholder '{{}}': write '{{name}}' with the name of a value")
        }
        for (index, segment) in segments.enumerated() where !isIdentifier(segment, allowDollar: index == 0) {
            throw TemplateSyntaxError(
                offset: offset,
                message: "'{{\(inner)}}' is not a placeholder: use letters, digits, '_' or '-', and '.' between fields"
            )
        }
        return Reference(name: first, path: Array(segments.dropFirst()))
    }

    private static func isIdentifier(_ text: String, allowDollar: Bool) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if allowDollar, scalars.first == "$" { scalars = scalars.dropFirst() }
        guard let first = scalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return scalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}

/// JSON event data whose strings may hold placeholders. Subtrees without any are kept as plain values.
public indirect enum JSONTemplate: Sendable {
    case value(JSONValue)
    case string(Template)
    case array([JSONTemplate])
    case object([(key: String, value: JSONTemplate)])

    public var references: [Reference] {
        switch self {
        case .value: return []
        case .string(let template): return template.references
        case .array(let items): return items.flatMap(\.references)
        case .object(let members): return members.flatMap(\.value.references)
        }
    }
}
