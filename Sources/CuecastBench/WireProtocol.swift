import Foundation

/// How a benchmark subscriber talks to the server: the same SSE stream over HTTP/1.1 or HTTP/2, in the clear or
/// over TLS. The option names (`--protocol http1,https,h2,h2c`) are the raw values.
public enum WireProtocol: String, Sendable, Codable, CaseIterable {
    /// HTTP/1.1 in the clear, one connection per subscriber: what the benchmark has always measured.
    case http1
    /// HTTP/1.1 over TLS (ALPN offers only `http/1.1`), one connection per subscriber.
    case https
    /// HTTP/2 over TLS (ALPN `h2`), many subscribers' streams on each connection.
    case h2
    /// HTTP/2 in the clear with prior knowledge (`curl --http2-prior-knowledge`), many streams per connection.
    case h2c

    public var usesTLS: Bool { self == .https || self == .h2 }
    public var isHTTP2: Bool { self == .h2 || self == .h2c }

    /// The ALPN protocol a worker offers over TLS, or nil in the clear.
    var alpn: String? {
        switch self {
        case .https: "http/1.1"
        case .h2: "h2"
        case .http1, .h2c: nil
        }
    }

    /// Parses a comma-separated list (`h2c,h2`); nil if any name is unknown or the list is empty. Repeats are dropped.
    public static func list(_ text: String) -> [WireProtocol]? {
        var protocols: [WireProtocol] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let wire = WireProtocol(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
            if !protocols.contains(wire) { protocols.append(wire) }
        }
        return protocols.isEmpty ? nil : protocols
    }
}
