import AsyncHTTPClient
import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// HTTPS on its own port beside the plain one: HTTP/2 by ALPN for a client that offers it (AsyncHTTPClient does),
/// with a certificate from `LocalCertificate`, trusted by the client through its CA alone.
@Suite("HTTPS streams")
struct HTTPSStreamTests {
    /// A live server with HTTPS on a free port; `body` gets both ports and a client that trusts the certificate.
    static func withHTTPSServerAndClient(
        _ scenarios: [Scenario], _ body: @Sendable (_ plain: Int, _ https: Int, _ client: HTTPClient) async throws -> Void
    ) async throws {
        let certificate = try LocalCertificate.generate()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificate.caCertificatePEM.utf8)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            try await withHTTPSServer(scenarios, certificate: certificate) { server in
                try await body(server.plainPort, server.httpsPort, client)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test("a stream over HTTPS is HTTP/2, with the stream's headers, resume after Last-Event-ID and 204 after the sentinel")
    func streamOverH2() async throws {
        let counted = try scenario(
            "counted",
            #"{"title": "Counted", "mode": "solo", "cues": [{"at": 0, "repeat": {"every": 10, "count": 3}, "data": "n{{$index}}"}], "end": {"delay": 10, "sentinel": {"id": "END", "data": "[DONE]"}}}"#
        )
        try await Self.withHTTPSServerAndClient([counted]) { _, https, client in
            let response = try await client.execute(HTTPClientRequest(url: "https://localhost:\(https)/streams/counted"), timeout: .seconds(10))
            #expect(response.version == .http2)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            #expect(response.headers.first(name: "connection") == nil)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            var parser = EventStreamParser()
            let events = parser.feed(Array(text.utf8)).events
            #expect(events.map(\.data) == ["n0", "n1", "n2", "[DONE]"], "\(text.debugDescription)")

            var resume = HTTPClientRequest(url: "https://127.0.0.1:\(https)/streams/counted")
            resume.headers.add(name: "Last-Event-ID", value: try #require(events.first?.lastEventId))
            let resumed = try await client.execute(resume, timeout: .seconds(10))
            let rest = parser.feed(Array(String(buffer: try await resumed.body.collect(upTo: 1 << 20)).utf8)).events
            #expect(rest.map(\.data) == ["n1", "n2", "[DONE]"])

            var done = HTTPClientRequest(url: "https://localhost:\(https)/streams/counted")
            done.headers.add(name: "Last-Event-ID", value: "END")
            #expect(try await client.execute(done, timeout: .seconds(10)).status == .noContent)
        }
    }

    @Test("/api/scenarios gives https URLs on the HTTPS port and http ones on the plain port")
    func urlsFollowTheScheme() async throws {
        try await Self.withHTTPSServerAndClient([try scenario("one", #"{"title": "One", "cues": [{"at": 0, "data": "x"}]}"#)]) { plain, https, client in
            let secure = String(buffer: try await client.execute(HTTPClientRequest(url: "https://localhost:\(https)/api/scenarios"), timeout: .seconds(5)).body.collect(upTo: 1 << 20))
            #expect(secure.contains("https://localhost:\(https)/streams/one"), "\(secure)")
            let cleartext = try await fetch(port: plain, "/api/scenarios").body
            #expect(cleartext.contains("http://localhost:\(plain)/streams/one"), "\(cleartext)")
        }
    }
}
