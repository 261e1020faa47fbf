import Foundation
import HTTPTypes
import NIOCore

/// Which peers may speak for the client: the reverse proxies named with `--trusted-proxy`.
///
/// A request that arrives from one of them carries the real client in `X-Forwarded-For`; any other request's
/// header is whatever its sender wrote, so it is ignored. The client is found as nginx's `realip` module finds it:
/// the addresses of the header are read from the right (each proxy appends the peer it saw), trusted proxies are
/// skipped, and the first address that is not one is the client. A forged entry a client put at the left of the
/// header is never reached, because the proxy in front appended the client's real address after it.
///
/// Used for the publish rate limit and the request log, and nowhere else: access is never granted by address.
public struct TrustedProxies: Sendable, Equatable {
    /// Normalized addresses (`SocketAddress.ipAddress`'s spelling: `127.0.0.1`, `::1`).
    public let addresses: Set<String>

    /// `addresses` are IP addresses (v4 or v6, an IPv6 one with or without brackets); `nil` names the first that
    /// is not one.
    public init(_ addresses: [String]) throws(InvalidAddress) {
        var normalized = Set<String>()
        for address in addresses {
            guard let ip = Self.normalize(address) else { throw InvalidAddress(text: address) }
            normalized.insert(ip)
        }
        self.addresses = normalized
    }

    /// Trusts no one: every request's client is its peer.
    public init() { addresses = [] }

    public static let none = TrustedProxies()

    /// The address a request came from: `peer`, or, when `peer` is a trusted proxy, the rightmost address of
    /// `X-Forwarded-For` that is not a trusted proxy (the leftmost if all of them are). A header that is missing
    /// or holds something other than IP addresses leaves the peer.
    public func client(peer: String, forwardedFor: String?) -> String {
        guard !addresses.isEmpty, let peerIP = Self.normalize(peer), addresses.contains(peerIP), let forwardedFor else { return peer }
        var hops: [String] = []
        for item in forwardedFor.split(separator: ",") {
            guard let ip = Self.normalize(item.trimmingCharacters(in: .whitespaces)) else { return peer }
            hops.append(ip)
        }
        guard let leftmost = hops.first else { return peer }
        return hops.last { !addresses.contains($0) } ?? leftmost
    }

    /// The address in `SocketAddress`'s spelling, or `nil` if `text` is not an IP address.
    static func normalize(_ text: String) -> String? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard !text.isEmpty, let address = try? SocketAddress(ipAddress: String(text), port: 0) else { return nil }
        return address.ipAddress
    }

    public struct InvalidAddress: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "'\(text)' is not an IP address (a trusted proxy is named by its address, such as 127.0.0.1 or ::1)" }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
