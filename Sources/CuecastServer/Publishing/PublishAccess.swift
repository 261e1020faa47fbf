import Foundation
import HTTPTypes
import Hummingbird

/// Who may publish: a workshop teacher shares the stream URL without handing out the power to send.
///
/// With a token, every publishing request needs `Authorization: Bearer <token>`, compared in constant time.
/// Without one, publishing is open only when the server listens on loopback (or when anonymous publishing was
/// asked for explicitly), so exposing a server on a network never exposes publishing by accident. Open publishing is
/// open to programs and to this server's own pages, never to a page on another site (``SiteBoundary``): any page
/// can send a form `POST` to 127.0.0.1, and it must not be able to publish, fire triggers or drop connections.
struct PublishAccess: Sendable {
    enum Policy: Sendable, Equatable {
        case token([UInt8])
        case anonymous
        /// Non-loopback address, no token, no opt-in.
        case refused
    }

    let policy: Policy
    let boundary: SiteBoundary

    init(token: String?, host: String, allowAnonymous: Bool, boundary: SiteBoundary? = nil) {
        self.boundary = boundary ?? SiteBoundary(host: host, allowedHosts: [])
        if let token, !token.isEmpty {
            policy = .token(Array(token.utf8))
        } else if allowAnonymous || Self.isLoopback(host) {
            policy = .anonymous
        } else {
            policy = .refused
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// What the start-up log says about publishing.
    var summary: String {
        switch policy {
        case .token: "publishing requires Authorization: Bearer <token>"
        case .anonymous: "publishing is open to anyone who can reach the server"
        case .refused: "publishing is disabled: the server listens beyond loopback and no --publish-token is set (pass --publish-token, or --allow-anonymous-publish to open it)"
        }
    }

    func check(_ request: Request) throws(APIError) {
        switch policy {
        case .anonymous:
            try refuseCrossSite(request, doing: "publish, fire triggers or drop connections")
        case .refused:
            throw APIError(.forbidden, code: "publishing_disabled", message: summary)
        case .token(let expected):
            let header = request.headers[.authorization] ?? ""
            guard let token = Self.bearerToken(header), Self.constantTimeEqual(token, expected) else {
                throw APIError(
                    .unauthorized, code: header.isEmpty ? "token_required" : "bad_token",
                    message: header.isEmpty
                        ? "publishing requires Authorization: Bearer <token>, the server's --publish-token; in a browser, open a Cuecast page once with ?token=<token> (the pages keep it and send it)"
                        : "the publish token is wrong: it must be the server's --publish-token; in a browser, open a Cuecast page with ?token=<token> to replace the one it keeps",
                    headers: [.wwwAuthenticate: "Bearer realm=\"cuecast\""]
                )
            }
        }
    }

    /// For reading the list of open connections (each stream's path, its `client` label, when it opened, and the ids a
    /// drop needs). Beyond loopback it is as privileged as publishing (the token, or an explicit anonymous opening):
    /// a server on a network listed every open stream to anyone. On loopback, where only this machine reaches it, the
    /// token is enough but not needed, as before, so the inspector on localhost works without one; a page on
    /// another site is refused either way.
    func checkListing(_ request: Request) throws(APIError) {
        guard boundary.bindsLoopback else { return try check(request) }
        if case .token(let expected) = policy, let token = Self.bearerToken(request.headers[.authorization] ?? ""),
           Self.constantTimeEqual(token, expected) {
            return
        }
        try refuseCrossSite(request, doing: "list connections")
    }

    private func refuseCrossSite(_ request: Request, doing what: String) throws(APIError) {
        guard let origin = boundary.crossSiteOrigin(of: request.headers, authority: request.head.authority) else { return }
        throw APIError(
            .forbidden, code: "cross_site_refused",
            message: "a page on another site (\(origin)) may read streams and the catalog, but not \(what): "
                + "serve the page from this server or localhost, name its host with --allowed-host, or set --publish-token and send it"
        )
    }

    /// The credentials of `Bearer <token>`; the scheme is case-insensitive (RFC 9110, 11.1), so `bearer` works too.
    static func bearerToken(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count, bytes[scheme.count] == UInt8(ascii: " "),
              String(decoding: bytes[..<scheme.count], as: UTF8.self).lowercased() == "bearer" else { return nil }
        return Array(bytes[(scheme.count + 1)...].drop { $0 == UInt8(ascii: " ") })
    }

    /// Compares without an early exit, so the time taken does not reveal how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
