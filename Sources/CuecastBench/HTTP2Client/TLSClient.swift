import NIOCore
import NIOSSL

/// The workers' side of TLS: one context per worker, shared by all its connections, that trusts any certificate
/// (the benchmark's certificate is a throwaway made for the run) and offers exactly one ALPN protocol, so the
/// server cannot pick a different protocol from the one being measured.
enum TLSClient {
    static func context(offering alpn: String) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configuration.applicationProtocols = [alpn]
        return try NIOSSLContext(configuration: configuration)
    }

    /// The client handler for one connection. Server Name Indication carries names only, never an IP address.
    static func handler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
    }
}
