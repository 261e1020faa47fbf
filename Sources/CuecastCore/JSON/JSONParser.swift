private import CJansson

/// Parses JSON text into ``JSONNode``s: jansson decides validity and produces the values, then a
/// ``JSONPositionScanner`` walks the same text in lockstep with jansson's tree to attach a location to
/// every value and key. This is the only file that sees jansson.
///
/// ```swift
/// let node = try JSONParser.parse(#"{"title": "Launch"}"#)
/// ```
public enum JSONParser {
    /// Parses any JSON text (an object, array, or a bare scalar), rejecting duplicate keys.
    /// NUL characters in strings are allowed (written `\u0000`) and preserved.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        var text = text
        return try text.withUTF8 { parse(buffer: $0) }.get()
    }

    /// Parses UTF-8 bytes, e.g. a file's contents, like the `String` overload. Invalid UTF-8 is a syntax error.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        try bytes.withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    /// The flags every parse uses: bare scalars allowed at top level, duplicate keys rejected (jansson
    /// would otherwise keep the last one silently), and `\u0000` allowed in strings.
    private static let flags = Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONNode, JSONSyntaxError> {
        // jansson reports a BOM as "invalid token near '<invisible character>'": say what it is instead.
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            return .failure(JSONSyntaxError(
                location: SourceLocation(line: 1, column: 1),
                message: "byte order mark (U+FEFF) before the JSON text; save the file as UTF-8 without a BOM"))
        }
        var error = json_error_t()
        // jansson rejects a NULL buffer even with length 0; an empty input must reach its tokenizer.
        let root = withUnsafePointer(to: CChar(0)) { emptyBuffer in
            let start = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            return json_loadb(start ?? emptyBuffer, buffer.count, flags, &error)
        }
        guard let root else { return .failure(syntaxError(from: &error)) }
        defer { json_decref(root) }

        var walker = TreeWalker(scanner: JSONPositionScanner(buffer))
        do throws(JSONPositionScanner.OutOfStep) {
            let node = try walker.node(for: root)
            walker.scanner.skipWhitespace()
            guard walker.scanner.isAtEnd else { throw JSONPositionScanner.OutOfStep(location: walker.scanner.location, expected: "the end of the text") }
            return .success(node)
        } catch {
            // Never expected (the fuzzer checks it): refuse the text rather than report wrong positions or crash.
            return .failure(JSONSyntaxError(
                location: error.location,
                message: "internal error: the position scanner expected \(error.expected) here; please report this file"))
        }
    }

    private static func syntaxError(from error: inout json_error_t) -> JSONSyntaxError {
        let message = withUnsafeBytes(of: &error.text) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        // jansson says column 0 for an empty input; editors and `file:line:column` readers expect >= 1.
        let location = SourceLocation(line: max(Int(error.line), 1), column: max(Int(error.column), 1))
        return JSONSyntaxError(location: location, message: message)
    }
}

/// Converts jansson's tree to ``JSONNode``s, stepping the scanner over each value's text as it goes.
/// Relies on jansson iterating object members in insertion (= text) order, which 2.14 does.
private struct TreeWalker {
    var scanner: JSONPositionScanner

    mutating func node(for json: UnsafeMutablePointer<json_t>) throws(JSONPositionScanner.OutOfStep) -> JSONNode {
        scanner.skipWhitespace()
        let location = scanner.location
        let kind: JSONNode.Kind
        switch json.pointee.type {
        case JSON_OBJECT:
            kind = .object(try members(of: json))
        case JSON_ARRAY:
            kind = .array(try elements(of: json))
        case JSON_STRING:
            try scanner.skipString()
            kind = .string(string(json_string_value(json), count: json_string_length(json)))
        case JSON_INTEGER:
            scanner.skipScalar()
            kind = .integer(Int64(json_integer_value(json)))
        case JSON_REAL:
            scanner.skipScalar()
            kind = .number(json_real_value(json))
        case JSON_TRUE:
            scanner.skipScalar()
            kind = .bool(true)
        case JSON_FALSE:
            scanner.skipScalar()
            kind = .bool(false)
        case JSON_NULL:
            scanner.skipScalar()
            kind = .null
        default:
            throw JSONPositionScanner.OutOfStep(location: location, expected: "a value of a type jansson 2.14 has (got type \(json.pointee.type.rawValue))")
        }
        return JSONNode(location: location, kind: kind)
    }

    private mutating func elements(of array: UnsafeMutablePointer<json_t>) throws(JSONPositionScanner.OutOfStep) -> [JSONNode] {
        try scanner.consume("[")
        let count = json_array_size(array)
        var elements: [JSONNode] = []
        elements.reserveCapacity(count)
        for index in 0..<count {
            if index > 0 { try separator() }
            guard let element = json_array_get(array, index) else { throw .init(location: scanner.location, expected: "an array element") }
            elements.append(try node(for: element))
        }
        scanner.skipWhitespace()
        try scanner.consume("]")
        return elements
    }

    private mutating func members(of object: UnsafeMutablePointer<json_t>) throws(JSONPositionScanner.OutOfStep) -> [JSONMember] {
        try scanner.consume("{")
        var members: [JSONMember] = []
        members.reserveCapacity(json_object_size(object))
        var iterator = json_object_iter(object)
        while let current = iterator {
            if !members.isEmpty { try separator() }
            scanner.skipWhitespace()
            let keyLocation = scanner.location
            try scanner.skipString()
            scanner.skipWhitespace()
            try scanner.consume(":")
            let key = string(json_object_iter_key(current), count: json_object_iter_key_len(current))
            guard let value = json_object_iter_value(current) else { throw .init(location: scanner.location, expected: "a member value") }
            members.append(JSONMember(key: key, keyLocation: keyLocation, value: try node(for: value)))
            iterator = json_object_iter_next(object, current)
        }
        scanner.skipWhitespace()
        try scanner.consume("}")
        return members
    }

    private mutating func separator() throws(JSONPositionScanner.OutOfStep) {
        scanner.skipWhitespace()
        try scanner.consume(",")
    }

    /// Builds a string from jansson's bytes by length, so NUL characters survive.
    private func string(_ characters: UnsafePointer<CChar>?, count: Int) -> String {
        guard let characters else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: characters, count: count), as: UTF8.self)
    }
}
