import Foundation
import HTTPTypes

/// Which requests come from this server's own side of the web, as seen from a browser.
///
/// Two attacks reach a server on loopback from an ordinary web page, and this is the one place that tells them apart
/// from a teacher's own pages:
/// - **DNS rebinding**: a site makes its own name resolve to 127.0.0.1, and then its pages are same-origin with the
///   server. The `Host` header still carries the site's name, so a server bound to loopback answers only to loopback
///   names (`localhost`, `*.localhost`), IP literals (a rebinding attack needs a name) and `--allowed-host` names,
///   as development servers do.
/// - **Cross-site writes**: any page may send a "simple" `POST` (a form, `text/plain`) or an `<img>` `GET` to any
///   address, without asking CORS. Browsers label those requests with `Origin` or `Sec-Fetch-Site`, so a write
///   from a page on another site is recognised and refused unless it holds the publish token.
struct SiteBoundary: Sendable {
    /// Whether the server listens on loopback only; the `Host` check applies only then.
    let bindsLoopback: Bool
    /// Names the server also answers to (lowercased, without port or trailing dot).
    let allowedHosts: Set<String>

    init(host: String, allowedHosts: [String]) {
        bindsLoopback = Self.isLoopbackName(Self.hostName(host))
        self.allowedHosts = Set(allowedHosts.map { Self.hostName($0) })
    }

    /// What the `Host` check says of a request.
    enum HostVerdict: Equatable {
        case allowed
        /// Not one of this server's names while it listens on loopback.
        case notAllowed
        /// More than one `Host` (or an HTTP/2 `host` that differs from `:authority`): which one a proxy or a cache
        /// in front used cannot be known, so the request is answered by none (RFC 9112, 3.2: 400).
        case ambiguous
    }

    /// The one `Host` check, for the router (`HostCheckMiddleware`) and the stream door (`StreamRequests`) alike.
    /// `authority` is the first `Host` (HTTP/1) or `:authority` (HTTP/2); `fields` are the other header fields, where
    /// any further `Host` is left by the conversion to `HTTPRequest`.
    func check(authority: String?, fields: HTTPFields) -> HostVerdict {
        let others = fields[values: Self.host]
        if others.count > 1 || others.contains(where: { $0 != authority }) { return .ambiguous }
        return allowsHost(authority) ? .allowed : .notAllowed
    }

    static let host = HTTPField.Name("Host")!

    /// Whether a request with this `Host` (HTTP/1) or `:authority` (HTTP/2) may be answered. A request without one
    /// (HTTP/1.0) did not come from a browser and is answered.
    private func allowsHost(_ authority: String?) -> Bool {
        guard bindsLoopback, let authority else { return true }
        let name = Self.hostName(authority)
        return Self.isLoopbackName(name) || Self.isIPLiteral(name) || allowedHosts.contains(name)
    }

    /// The browser origin a cross-site request came from, or `nil` when it came from this server's side: a page on a
    /// loopback name or an allowed host, a page of the same origin, or no browser at all (curl sends neither header).
    func crossSiteOrigin(of fields: HTTPFields, authority: String?) -> String? {
        if let origin = fields[.origin] {
            guard origin != "null", let originAuthority = Self.authority(ofOrigin: origin) else { return origin }
            if let authority, originAuthority.lowercased() == authority.lowercased() { return nil }
            let name = Self.hostName(originAuthority)
            return Self.isLoopbackName(name) || allowedHosts.contains(name) ? nil : origin
        }
        // `<img src>` and other no-CORS GETs send no Origin, but every current browser sends Sec-Fetch-Site.
        return fields[Self.fetchSite] == "cross-site" ? "another site" : nil
    }

    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// `localhost`, a name under `.localhost` (RFC 6761: always loopback), `127.x.y.z` or `::1`.
    static func isLoopbackName(_ name: String) -> Bool {
        name == "localhost" || name.hasSuffix(".localhost") || name.hasPrefix("127.") && isIPLiteral(name) || name == "::1"
    }

    /// An IPv4 dotted quad or an IPv6 address (already without brackets).
    static func isIPLiteral(_ name: String) -> Bool {
        if name.contains(":") { return name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part).map { $0 <= 255 } == true
        }
    }

    /// The host of `host`, `host:port`, `[v6]:port` or `v6`: lowercased, without brackets, port or trailing dot.
    static func hostName(_ authority: String) -> String {
        var text = Substring(authority.lowercased())
        if text.hasPrefix("[") {
            text = text.dropFirst().prefix { $0 != "]" }
        } else if text.filter({ $0 == ":" }).count == 1 {
            text = text.prefix { $0 != ":" }
        }
        while text.hasSuffix(".") { text = text.dropLast() }
        return String(text)
    }

    /// `host[:port]` of an origin such as `https://example.com:8443`; `nil` when it has no scheme.
    static func authority(ofOrigin origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        let rest = origin[range.upperBound...]
        return rest.isEmpty ? nil : String(rest.prefix { $0 != "/" })
    }
}
