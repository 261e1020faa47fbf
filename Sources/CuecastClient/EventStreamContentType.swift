/// Whether a response's `Content-Type` opens an event stream.
///
/// WHATWG: the MIME type's essence must be `text/event-stream` (case-insensitive, parameters allowed). Chromium
/// also fails the connection when a `charset` parameter names anything but UTF-8, since the stream is always
/// decoded as UTF-8; we do the same, so a server that announces another charset is told so instead of having its
/// text silently mangled.
enum EventStreamContentType {
    /// True if `headerValues` (every `Content-Type` value received) is acceptable.
    static func isAcceptable(_ headerValues: [String]) -> Bool {
        guard let type = extract(headerValues) else { return false }
        guard type.essence == "text/event-stream" else { return false }
        if let charset = type.parameters["charset"], charset.lowercased() != "utf-8" { return false }
        return true
    }

    /// A parsed MIME type: lowercase essence, parameters with lowercase names.
    struct MIMEType: Equatable {
        var essence: String
        var parameters: [String: String]
    }

    /// Fetch's "extract a MIME type", simplified: of all the values (a header may be repeated or
    /// comma-combined), the last one that parses wins.
    static func extract(_ headerValues: [String]) -> MIMEType? {
        var result: MIMEType?
        for value in headerValues {
            for part in splitOutsideQuotes(value, separator: ",") {
                if let type = parse(part), type.essence != "*/*" { result = type }
            }
        }
        return result
    }

    /// Parses `type/subtype; name=value; name="quoted value"`. Nil when there is no `type/subtype`.
    static func parse(_ text: Substring) -> MIMEType? {
        let pieces = splitOutsideQuotes(text, separator: ";")
        guard let first = pieces.first else { return nil }
        let essence = trimmed(first).lowercased()
        let halves = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, halves.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isTokenCharacter) }) else { return nil }
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = trimmed(piece[..<equals]).lowercased()
            var value = trimmed(piece[piece.index(after: equals)...])
            if value.hasPrefix("\""), value.count >= 2, value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingBackslashEscapes()
            }
            // The first occurrence of a parameter wins.
            if !name.isEmpty, parameters[name] == nil { parameters[name] = value }
        }
        return MIMEType(essence: essence, parameters: parameters)
    }

    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(character)
    }

    private static func trimmed(_ text: Substring) -> String {
        // HTTP whitespace: space, tab, CR, LF.
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        return String(text.drop(while: isWhitespace).reversed().drop(while: isWhitespace).reversed())
    }

    private static func splitOutsideQuotes<S: StringProtocol>(_ text: S, separator: Character) -> [Substring] {
        let text = Substring(text)
        var parts: [Substring] = []
        var start = text.startIndex
        var inQuotes = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if escaped {
                escaped = false
            } else if inQuotes && character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == separator && !inQuotes {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
        }
        parts.append(text[start...])
        return parts
    }
}

extension String {
    /// `\x` becomes `x` inside a quoted parameter value.
    fileprivate func replacingBackslashEscapes() -> String {
        var result = ""
        var escaped = false
        for character in self {
            if !escaped && character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            result.append(character)
        }
        return result
    }
}
