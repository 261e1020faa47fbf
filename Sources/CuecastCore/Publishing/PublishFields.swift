import Foundation

/// One event someone asked to publish, read from a request body (JSON, a form, or plain text) and validated
/// before anything is sent: a name or id with a line break, or a bad retry, is an error that says which field
/// and why. Pure bytes in, fields or a ``PublishFieldsError`` out, so it is fuzzed without a server.
public struct PublishFields: Sendable, Equatable {
    /// The event type; nil for the default "message" (an empty name is read as nil too).
    public private(set) var event: String?
    public private(set) var data: String
    /// The id; nil lets the channel number the event.
    public private(set) var id: String?
    public private(set) var retry: Int?

    /// The fields an event has, in request bodies, forms and query strings alike.
    public static let names = ["event", "data", "id", "retry"]

    /// Validates the fields of an event made by the server or read from a request.
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) throws(PublishFieldsError) {
        try Self.validate(event: event, id: id, retry: retry)
        self.event = event?.isEmpty == true ? nil : event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Checks the fields that have rules, in the order event, id, retry, so the first bad one is the one reported.
    static func validate(event: String?, id: String?, retry: Int?) throws(PublishFieldsError) {
        if let event {
            try Self.check(field: "event") { () throws(SSEFieldError) in try SSEEvent.validateType(event) }
            // The wire format carries a NUL in a name, but it is never what was meant (a C string cut short, a
            // stray escape): refused like a line break, as ids are.
            if event.utf8.contains(0) {
                throw PublishFieldsError(code: "bad_event", message: "event is invalid: an event name cannot contain a NUL character (U+0000)", field: "event")
            }
        }
        if let id { try Self.check(field: "id") { () throws(SSEFieldError) in try SSEEvent.validateID(id) } }
        if let retry, !(0...Int(Int32.max)).contains(retry) {
            throw PublishFieldsError(code: "bad_retry", message: "retry must be a non-negative whole number of milliseconds, got '\(retry)'", field: "retry")
        }
    }

    /// Reads a request body by its `Content-Type`:
    /// - `application/json` (or `+json`): `{"event": ..., "data": <text or any JSON>, "id": ..., "retry": ...}`;
    /// - `application/x-www-form-urlencoded` with any of those fields: a form;
    /// - anything else, including a form without them (`curl -d 'hello'`): the whole body is the data.
    /// `event`, `id` and `retry` may also come from the query string; the body wins, but a bad query value is refused
    /// even when the body overrides it: it is still a mistake in the request.
    public init(body: [UInt8], contentType: String?, query: [String: String]) throws(PublishFieldsError) {
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var fields: [String: String] = query.filter { Self.names.contains($0.key) && $0.key != "data" }
        try Self.validate(event: fields["event"], id: fields["id"], retry: nil)
        if let text = fields["retry"] { _ = try Self.retry(text) }
        var data: String?
        if mediaType == "application/json" || mediaType.hasSuffix("+json") {
            let json = try Self.readJSON(body)
            fields.merge(json.fields) { _, body in body }
            data = json.data
        } else {
            guard let text = String(validating: body, as: UTF8.self) else {
                throw PublishFieldsError(code: "bad_encoding", message: "the body is not valid UTF-8")
            }
            if mediaType == "application/x-www-form-urlencoded", var form = try Self.readForm(text) {
                data = form.removeValue(forKey: "data")
                fields.merge(form) { _, body in body }
            } else {
                data = text
            }
        }
        // Checked in the order event, id, retry, so the first bad field is the one reported.
        try self.init(event: fields["event"], data: data ?? "", id: fields["id"])
        if let text = fields["retry"] { retry = try Self.retry(text) }
    }

    /// A `retry` given as text (a query string, a form, or a JSON number): milliseconds, 0 to 2,147,483,647.
    private static func retry(_ text: String) throws(PublishFieldsError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(text), value <= Int(Int32.max) else {
            throw PublishFieldsError(code: "bad_retry", message: "retry must be a non-negative whole number of milliseconds, got '\(text)'", field: "retry")
        }
        return value
    }

    /// Whether a JSON number read as a fraction is a whole number that fits in an `Int64` (so `Int64(number)` is safe).
    private static func isWholeNumber(_ number: Double) -> Bool {
        number.isFinite && number.rounded(.towardZero) == number && abs(number) < 9.0e18
    }

    /// The event to broadcast; `number` (the channel's next event number) is its id when the request gave none.
    public func event(number: UInt64) -> SSEEvent {
        SSEEvent(validated: event, data: data, id: id ?? String(number), retry: retry)
    }

    private static func check(field: String, _ validate: () throws(SSEFieldError) -> Void) throws(PublishFieldsError) {
        do {
            try validate()
        } catch {
            throw PublishFieldsError(code: "bad_\(field)", message: "\(field) is invalid: \(error.reason)", field: field)
        }
    }

    /// A JSON object with the four fields; `data` that is not a string is sent as compact JSON.
    private static func readJSON(_ body: [UInt8]) throws(PublishFieldsError) -> (fields: [String: String], data: String?) {
        let node: JSONNode
        do {
            node = try JSONParser.parse(body)
        } catch {
            throw PublishFieldsError(
                code: "bad_json", message: "the body is not valid JSON: line \(error.location.line), column \(error.location.column): \(error.message)",
                location: error.location)
        }
        guard case .object(let members) = node.kind else {
            throw PublishFieldsError(code: "bad_json", message: "the body must be a JSON object like {\"event\": \"greeting\", \"data\": \"hello\"}, found \(node.typeName)")
        }
        var fields: [String: String] = [:]
        var data: String?
        for member in members {
            switch (member.key, member.value.kind) {
            case ("data", .string(let text)): data = text
            case ("data", .null): data = nil
            case ("data", _): data = member.value.value.compactText
            case ("event", .string(let text)), ("id", .string(let text)): fields[member.key] = text
            case ("id", .integer(let number)): fields["id"] = String(number)
            case ("retry", .integer(let number)): fields["retry"] = String(number)
            // JSON has one kind of number: `5.0` is the whole number 5 (JSON Schema agrees), whatever the parser calls it.
            case ("id", .number(let number)) where isWholeNumber(number), ("retry", .number(let number)) where isWholeNumber(number):
                fields[member.key] = String(Int64(number))
            case ("event", .null), ("id", .null), ("retry", .null): continue
            case ("event", _), ("id", _), ("retry", _):
                let expected = member.key == "retry" ? "a whole number of milliseconds" : "a string"
                throw PublishFieldsError(
                    code: "bad_\(member.key)", message: "'\(member.key)' must be \(expected), found \(member.value.typeName)",
                    field: member.key, location: member.keyLocation)
            default:
                var message = "unknown field '\(member.key)'; an event has event, data, id and retry"
                if let guess = Suggestion.closest(to: member.key, among: names) { message = "unknown field '\(member.key)' (did you mean '\(guess)'?)" }
                throw PublishFieldsError(code: "unknown_field", message: message, field: member.key, location: member.keyLocation)
            }
        }
        return (fields, data)
    }

    /// Form fields, or `nil` when the body does not look like a form of event fields (then it is the data).
    private static func readForm(_ text: String) throws(PublishFieldsError) -> [String: String]? {
        let pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts.first ?? ""), parts.count > 1 ? decode(parts[1]) : "")
        }
        guard pairs.contains(where: { names.contains($0.0) }) else { return nil }
        var form: [String: String] = [:]
        for (key, value) in pairs {
            guard names.contains(key) else {
                throw PublishFieldsError(code: "unknown_field", message: "unknown form field '\(key)'; an event has event, data, id and retry", field: key)
            }
            form[key] = value
        }
        return form
    }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }
}

/// Why a publish request's body was refused: a stable `code` (`bad_json`, `bad_event`, `unknown_field` ...), a
/// sentence a person can act on, and, where known, the field and the position in a JSON body.
public struct PublishFieldsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let field: String?
    public let location: SourceLocation?

    public init(code: String, message: String, field: String? = nil, location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.location = location
    }

    public var description: String { "\(code): \(message)" }
}
