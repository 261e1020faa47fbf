import CuecastCore
import HTTPTypes
import HummingbirdCore

extension StreamFaults {
    /// The query parameters that ask for a fault (docs/faults.md).
    static let queryParameters: Set<Substring> = [
        "drip", "latency", "lineEnding", "bom", "junk", "closeAfter", "closeMidEvent", "stallAfter", "status", "contentType",
    ]

    static let pauseRange = 0...60_000
    static let dripRange = 0...1000

    /// The faults asked for in `query`, each checked: a bad value is a 400 naming the option, like every other
    /// stream option.
    init(query: FlatDictionary<Substring, Substring>) throws(APIError) {
        self.init()
        if let value = query["drip"] { drip = .milliseconds(try Self.number(value, "drip", Self.dripRange, unit: "milliseconds between bytes")) }
        if let value = query["latency"] { latency = .milliseconds(try Self.number(value, "latency", Self.pauseRange, unit: "milliseconds")) }
        if let value = query["lineEnding"] {
            guard let ending = LineEnding(rawValue: String(value).lowercased()) else {
                throw Self.bad("lineEnding", "lineEnding must be lf, crlf or cr, got '\(value)'")
            }
            lineEnding = ending
        }
        if let value = query["bom"] { byteOrderMark = try Self.flag(value, "bom") }
        if let value = query["junk"] { junk = try Self.flag(value, "junk") }
        if let value = query["closeAfter"] { closeAfter = try Self.number(value, "closeAfter", 1...1_000_000, unit: "events") }
        if let value = query["closeMidEvent"] { closeMidEvent = try Self.number(value, "closeMidEvent", 1...1_000_000, unit: "events") }
        if let value = query["stallAfter"] { stallAfter = try Self.number(value, "stallAfter", 1...1_000_000, unit: "events") }
        if let value = query["status"] {
            // 1xx is not a final answer, and 204, 205 and 304 cannot carry the body this fault sends.
            guard let code = Int(value), (200...599).contains(code), ![204, 205, 304].contains(code) else {
                throw Self.bad("status", "status must be a code from 200 to 599 (not 204, 205 or 304, which carry no body), got '\(value)'")
            }
            status = code
        }
        if let value = query["contentType"] {
            guard !value.isEmpty, value.count <= 200, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw Self.bad("contentType", "contentType must be 1 to 200 printable ASCII characters, e.g. text/plain")
            }
            contentType = String(value)
        }
    }

    private static func number(_ value: Substring, _ name: String, _ range: ClosedRange<Int>, unit: String) throws(APIError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw bad(name, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound) (\(unit)), got '\(value)'")
        }
        return number
    }

    private static func flag(_ value: Substring, _ name: String) throws(APIError) -> Bool {
        switch value {
        case "1", "true": return true
        case "0", "false": return false
        default: throw bad(name, "\(name) must be 1 or 0, got '\(value)'")
        }
    }

    private static func bad(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "bad_fault", message: message, extra: [("field", .string(name))])
    }
}
