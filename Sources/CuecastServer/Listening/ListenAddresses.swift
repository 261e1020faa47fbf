import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The addresses `serve` listens on, for what the start-up log and a failed start say about them.
public struct ListenAddresses {
    /// `(host, port)` of the plain port, then the HTTPS port and the metrics listener when there are any.
    public let all: [(host: String, port: Int)]

    public init(_ configuration: ServerConfiguration) {
        var all: [(host: String, port: Int)] = [(host: configuration.host, port: configuration.port)]
        if let https = configuration.https { all.append((host: configuration.host, port: https.port)) }
        if let metrics = configuration.metricsAddress { all.append((host: metrics.host, port: metrics.port)) }
        self.all = all
    }

    /// The error for a start that failed because an address is taken (NIO says only "Address already in use
    /// (errno: 98)", naming no port), or `nil` for any other failure. Each address is tried once more to find the
    /// one that is taken.
    public func explain(_ error: any Error) -> String? {
        guard let error = error as? IOError, error.errnoCode == EADDRINUSE else { return nil }
        let taken = all.filter { $0.port != 0 && Self.isTaken(host: $0.host, port: $0.port) }
        let named = (taken.isEmpty ? all : taken).map { Self.url(host: $0.host, port: $0.port) }.joined(separator: " or ")
        return "cuecast: cannot listen on \(named): the address is already in use (is another cuecast running?). "
            + "Stop it, or choose another port with --port N (--port 0 picks a free one)."
    }

    public static func url(host: String, port: Int) -> String {
        "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// Whether binding `host:port` fails with `EADDRINUSE` now.
    private static func isTaken(host: String, port: Int) -> Bool {
        guard let address = try? SocketAddress.makeAddressResolvingHost(host, port: port) else { return false }
        let descriptor = socket(address.protocolFamily, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockAddr { pointer, length in bind(descriptor, pointer, socklen_t(length)) }
        return result != 0 && errno == EADDRINUSE
    }

    /// The hosts a client can type to reach a server listening on `host`: for the wildcard addresses (`0.0.0.0`,
    /// `::`), which no one can connect to, the machine's interface addresses, those other machines can reach first
    /// (a workshop's students need the LAN address, not `0.0.0.0`); otherwise `host` itself.
    public static func reachableHosts(for host: String) -> [String] {
        let wildcardV4 = host == "0.0.0.0", wildcardV6 = host == "::" || host == "[::]"
        guard wildcardV4 || wildcardV6, let devices = try? System.enumerateDevices() else { return [host] }
        var seen = Set<String>()
        let addresses = devices.compactMap { device -> (String, Bool)? in
            guard let address = device.address, let ip = address.ipAddress, seen.insert(ip).inserted else { return nil }
            switch address {
            case .v4: break
            // Link-local IPv6 needs a zone (`%eth0`) that a browser's address bar does not take.
            case .v6 where wildcardV6 && !ip.lowercased().hasPrefix("fe80"): break
            default: return nil
            }
            return (ip, ip.hasPrefix("127.") || ip == "::1")
        }
        let ordered = addresses.filter { !$0.1 } + addresses.filter { $0.1 }
        return ordered.isEmpty ? [host] : ordered.map(\.0)
    }
}
