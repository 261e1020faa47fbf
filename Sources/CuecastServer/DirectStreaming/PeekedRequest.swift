import Foundation

/// A request head read straight from the connection's first bytes, just enough to decide whether the request is
/// a plain `GET` for an event stream that `DirectStreams` can serve. Anything unusual (a body, an upgrade, an
/// odd request line) is left to Hummingbird, which parses it properly.
struct PeekedRequest: Sendable {
    let method: String
    let target: String
    let version: String
    /// Header names lowercased, in order.
    let headers: [(name: String, value: String)]

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// A bodiless HTTP/1.x GET that asks for nothing but a response.
    var isPlainGet: Bool {
        method == "GET" && (version == "HTTP/1.1" || version == "HTTP/1.0")
            && header("transfer-encoding") == nil && (header("content-length") ?? "0") == "0"
            && header("upgrade") == nil && header("expect") == nil
    }

    /// Parses `bytes` (the head, through its blank line); nil if it is not a well-formed HTTP/1 request head.
    init?(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst() else { return nil }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/") else { return nil }
        method = String(parts[0])
        target = String(parts[1])
        version = String(parts[2])
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line[..<colon].contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((line[..<colon].lowercased(), value))
        }
        self.headers = headers
    }

    /// Where the head ends (just after its `\r\n\r\n`) in `bytes`, if it has.
    static func headLength(in bytes: some Collection<UInt8>) -> Int? {
        var matched = 0
        var count = 0
        for byte in bytes {
            count += 1
            switch (matched, byte) {
            case (0, 13), (2, 13): matched += 1
            case (1, 10), (3, 10): matched += 1
            case (_, 13): matched = 1
            default: matched = 0
            }
            if matched == 4 { return count }
        }
        return nil
    }
}
