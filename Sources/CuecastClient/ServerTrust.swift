import Foundation
import NIOSSL

/// Which server certificates an `EventSourceClient` accepts on `https` URLs.
///
/// By default the system's trust store, as browsers and curl do. A local certificate (`cuecast cert`'s, or any
/// self-signed one) needs one of the other two: its CA added to the trust, which keeps the connection
/// authenticated, or no check at all.
///
///     let trust = try ServerTrust.system(adding: "certs/cuecast-ca.pem")
///     try await EventSourceClient.withHTTPClient(trust: trust) { http in ... }
public struct ServerTrust: Sendable {
    private enum Roots: Sendable {
        case system
        case systemAnd([NIOSSLCertificate])
        case anyCertificate
    }

    private let roots: Roots

    /// The system's trust store.
    public static let system = ServerTrust(roots: .system)

    /// Any certificate, for any host name, with no check of who signed it (curl's `--insecure`). The stream is
    /// still encrypted, but anyone on the way could pose as the server.
    public static let anyCertificate = ServerTrust(roots: .anyCertificate)

    /// The system's trust store and the CA certificates in a PEM file, as a browser trusts a CA imported into it.
    ///
    /// The file is read now, so a missing or wrong file is reported before anything connects.
    public static func system(adding caFile: String) throws(ServerTrustError) -> ServerTrust {
        ServerTrust(roots: .systemAnd(try certificates(in: caFile)))
    }

    /// True when certificates are not checked at all.
    public var skipsVerification: Bool {
        if case .anyCertificate = roots { true } else { false }
    }

    /// The client TLS configuration; ALPN is left to AsyncHTTPClient, which offers h2 when `httpVersion` allows it.
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch roots {
        case .system:
            break
        case .systemAnd(let certificates):
            configuration.additionalTrustRoots = [.certificates(certificates)]
        case .anyCertificate:
            configuration.certificateVerification = .none
        }
        return configuration
    }

    private static func certificates(in path: String) throws(ServerTrustError) -> [NIOSSLCertificate] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path) }
        guard !isDirectory.boolValue else { throw .folder(path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            throw .noCertificate(path, holdsKey: text.contains("PRIVATE KEY-----"), isBinary: data.contains(0) || String(data: data, encoding: .utf8) == nil)
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
        } catch {
            throw .damaged(path)
        }
        guard !certificates.isEmpty else { throw .damaged(path) }
        return certificates
    }
}
