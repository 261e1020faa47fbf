/// A request as the lab's server saw it: what `RequestCheck`s look at, and what a report shows a client's author.
public struct SeenRequest: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    /// The headers that matter to a case (see `ConformanceLab`), names in lower case, in the order received.
    public var headers: [Header]
    public var body: String

    public init(method: String = "GET", headers: [Header] = [], body: String = "") {
        self.method = method
        self.headers = headers
        self.body = body
    }

    /// The value of `name` (lower case), the first if it came more than once.
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    public var lastEventID: String? { header("last-event-id") }

    /// One line: `GET Last-Event-ID: "7", accept: "text/event-stream"` and the body if any.
    public var summary: String {
        let fields = headers.map { "\($0.name): \(String(reflecting: $0.value))" }.joined(separator: ", ")
        return method + (fields.isEmpty ? " (no header of note)" : " " + fields) + (body.isEmpty ? "" : ", body \(String(reflecting: body))")
    }
}

/// Something every request of a case must carry.
public enum RequestCheck: Sendable {
    /// The header `name` (lower case) with exactly this value.
    case header(String, String)
    case method(String)
    case body(String)

    /// What is wrong with `request` (number `index`, 0-based), if anything.
    func problem(_ request: SeenRequest, index: Int) -> String? {
        let which = "request \(index + 1)"
        switch self {
        case .header(let name, let value):
            guard let got = request.header(name) else { return "\(which) sent no \(name) header, expected \(String(reflecting: value))" }
            return got == value ? nil : "\(which) sent \(name): \(String(reflecting: got)), expected \(String(reflecting: value))"
        case .method(let method):
            return request.method == method ? nil : "\(which) used \(request.method), expected \(method)"
        case .body(let body):
            return request.body == body ? nil : "\(which) sent the body \(String(reflecting: request.body)), expected \(String(reflecting: body))"
        }
    }
}
