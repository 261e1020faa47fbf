import CuecastCore
import CuecastServer
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// A live server with HTTPS beside plain HTTP, as `withHTTPSServer` runs it.
public struct TestHTTPSServer: Sendable {
    /// The plain HTTP port.
    public let plainPort: Int
    /// The HTTPS port: HTTP/2 by ALPN, HTTP/1.1 for clients that do not offer h2.
    public let httpsPort: Int
    /// The throwaway certificate it serves, valid for localhost, 127.0.0.1 and ::1.
    public let certificate: LocalCertificate
    /// `certificate`'s CA written to a file, as `cuecast cert` writes `certs/cuecast-ca.pem`.
    public let caFile: String
}

/// Runs the real application with HTTPS on a free port (beside the plain one, also free) for the duration of `body`,
/// serving `certificate` (by default a fresh `LocalCertificate`; pass one to make a client that trusts it before the
/// server starts). The HTTPS port is learned from `buildApplication`'s `onRunning`.
public func withHTTPSServer<T: Sendable>(
    _ scenarios: [Scenario], certificate: LocalCertificate? = nil, _ body: @Sendable (_ server: TestHTTPSServer) async throws -> T
) async throws -> T {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let certificate = try certificate ?? LocalCertificate.generate()
    let files = try certificate.write(to: folder.path("certs"))
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, scenariosDirectory: "", publicDirectory: nil)
    configuration.https = try HTTPSConfiguration(
        port: 0, tls: TLSFiles(certificatePath: files.certificate, keyPath: files.key).serverConfiguration()
    )
    let ports = Mutex<[String: Int]>([:])
    var logger = Logger(label: "cuecast-test")
    logger.logLevel = .warning
    let app = buildApplication(scenarios: scenarios, configuration: configuration, logger: logger) { listener in
        ports.withLock { $0[listener.scheme] = listener.port }
    }
    return try await app.test(.live) { _ in
        let both = await eventually { ports.withLock { $0.count == 2 } }
        try #require(both, "the HTTPS listener did not start")
        let (plain, https) = ports.withLock { ($0["http"] ?? 0, $0["https"] ?? 0) }
        return try await body(TestHTTPSServer(plainPort: plain, httpsPort: https, certificate: certificate, caFile: files.ca))
    }
}
