import CuecastCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One event someone asked to publish, read from JSON, a form, or plain text, and validated before anything is
/// sent: a name or id with a line break, or a bad retry, is a 400 that says which field and why.
struct PublishRequest: Sendable {
    var event: String?
    var data: String
    var id: String?
    var retry: Int?

    static let fields = ["event", "data", "id", "retry"]

    /// Reads the body by its `Content-Type`:
    /// - `application/json`: `{"event": ..., "data": <text or any JSON>, "id": ..., "retry": ...}`;
    /// - `application/x-www-form-urlencoded` with any of those fields: a form;
    /// - anything else, including a form without them (`curl -d 'hello'`): the whole body is the data.
    /// `event`, `id` and `retry` may also come from the query string; the body wins, but a bad query value is refused
    /// even when the body overrides it: it is still a mistake in the request.
    init(body: ByteBuffer, contentType: String?, query: [String: String]) throws(APIError) {
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var fields: [String: String] = query.filter { Self.fields.contains($0.key) && $0.key != "data" }
        var queryOnly = PublishRequest(event: nil, data: "")
        try queryOnly.apply(fields)
        var data: String?
        if mediaType == "application/json" || mediaType.hasSuffix("+json") {
            let json = try Self.readJSON(body)
            fields.merge(json.fields) { _, body in body }
            data = json.data
        } else {
            let text = try Self.text(body)
            if mediaType == "application/x-www-form-urlencoded", var form = try Self.readForm(text) {
                data = form.removeValue(forKey: "data")
                fields.merge(form) { _, body in body }
            } else {
                data = text
            }
        }
        self.data = data ?? ""
        try apply(fields)
    }

    /// Checks `event`, `id` and `retry` and takes them.
    private mutating func apply(_ fields: [String: String]) throws(APIError) {
        if let event = fields["event"] {
            try Self.check(field: "event") { () throws(SSEFieldError) in try SSEEvent.validateType(event) }
            // The wire format carries a NUL in a name, but it is never what was meant (a C string cut short, a
            // stray escape): refused like a line break, as ids are.
            if event.utf8.contains(0) {
                throw APIError(
                    .badRequest, code: "bad_event", message: "event is invalid: an event name cannot contain a NUL character (U+0000)",
                    extra: [("field", .string("event"))]
                )
            }
            self.event = event.isEmpty ? nil : event
        }
        if let id = fields["id"] {
            try Self.check(field: "id") { () throws(SSEFieldError) in try SSEEvent.validateID(id) }
            self.id = id
        }
        if let retry = fields["retry"] {
            guard !retry.isEmpty, retry.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(retry), value <= Int(Int32.max) else {
                throw APIError(.badRequest, code: "bad_retry", message: "retry must be a non-negative whole number of milliseconds, got '\(retry)'", extra: [("field", .string("retry"))])
            }
            self.retry = value
        }
    }

    private static func check(field: String, _ validate: () throws(SSEFieldError) -> Void) throws(APIError) {
        do {
            try validate()
        } catch {
            throw APIError(.badRequest, code: "bad_\(field)", message: "\(field) is invalid: \(error.reason)", extra: [("field", .string(field))])
        }
    }

    private static func text(_ body: ByteBuffer) throws(APIError) -> String {
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
            throw APIError(.badRequest, code: "bad_encoding", message: "the body is not valid UTF-8")
        }
        return text
    }

    /// A JSON object with the four fields; `data` that is not a string is sent as compact JSON.
    private static func readJSON(_ body: ByteBuffer) throws(APIError) -> (fields: [String: String], data: String?) {
        let node: JSONNode
        do {
            node = try JSONParser.parse(Array(body.readableBytesView))
        } catch {
            throw APIError(
                .badRequest, code: "bad_json", message: "the body is not valid JSON: line \(error.location.line), column \(error.location.column): \(error.message)",
                extra: [("line", .integer(Int64(error.location.line))), ("column", .integer(Int64(error.location.column)))]
            )
        }
        guard case .object(let members) = node.kind else {
            throw APIError(.badRequest, code: "bad_json", message: "the body must be a JSON object like {\"event\": \"greeting\", \"data\": \"hello\"}, found \(node.typeName)")
        }
        var fields: [String: String] = [:]
        var data: String?
        for member in members {
            let at: [(String, JSONValue)] = [("line", .integer(Int64(member.keyLocation.line))), ("column", .integer(Int64(member.keyLocation.column)))]
            switch (member.key, member.value.kind) {
            case ("data", .string(let text)): data = text
            case ("data", .null): data = nil
            case ("data", _): data = member.value.value.compactText
            case ("event", .string(let text)), ("id", .string(let text)): fields[member.key] = text
            case ("id", .integer(let number)): fields["id"] = String(number)
            case ("retry", .integer(let number)): fields["retry"] = String(number)
            // JSON has one kind of number: `5.0` is the whole number 5 (JSON Schema agrees), whatever the parser calls it.
            case ("id", .number(let number)) where Self.isWholeNumber(number), ("retry", .number(let number)) where Self.isWholeNumber(number):
                fields[member.key] = String(Int64(number))
            case ("event", .null), ("id", .null), ("retry", .null): continue
            case ("event", _), ("id", _), ("retry", _):
                let expected = member.key == "retry" ? "a whole number of milliseconds" : "a string"
                throw APIError(
                    .badRequest, code: "bad_\(member.key)", message: "'\(member.key)' must be \(expected), found \(member.value.typeName)",
                    extra: [("field", .string(member.key))] + at
                )
            default:
                var message = "unknown field '\(member.key)'; an event has event, data, id and retry"
                if let guess = Suggestion.closestField(to: member.key, among: fields.keys + Self.fields) { message = "unknown field '\(member.key)' (did you mean '\(guess)'?)" }
                throw APIError(.badRequest, code: "unknown_field", message: message, extra: [("field", .string(member.key))] + at)
            }
        }
        return (fields, data)
    }

    /// Whether a JSON number read as a fraction is a whole number that fits in an `Int64` (so `Int64(number)` is safe).
    private static func isWholeNumber(_ number: Double) -> Bool {
        number.isFinite && number.rounded(.towardZero) == number && abs(number) < 9.0e18
    }

    /// Form fields, or `nil` when the body does not look like a form of event fields (then it is the data).
    private static func readForm(_ text: String) throws(APIError) -> [String: String]? {
        let pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
        guard pairs.contains(where: { fields.contains($0.0) }) else { return nil }
        var form: [String: String] = [:]
        for (key, value) in pairs {
            guard fields.contains(key) else {
                throw APIError(.badRequest, code: "unknown_field", message: "unknown form field '\(key)'; an event has event, data, id and retry", extra: [("field", .string(key))])
            }
            form[key] = value
        }
        return form
    }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }
}

extension Suggestion {
    static func closestField(to word: String, among candidates: some Sequence<String>) -> String? {
        closest(to: word, among: Array(Set(candidates)))
    }
}
