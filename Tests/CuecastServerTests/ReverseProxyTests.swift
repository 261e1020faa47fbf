import AsyncHTTPClient
import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Cuecast behind Debian's nginx, configured with `docs/nginx/cuecast.conf`, the configuration `docs/deploy.md`
/// recommends: events pass through at once (not when a buffer fills), `Last-Event-ID` passes through, and
/// `X-Forwarded-For` names the client for the rate limit only when it comes from a trusted proxy.
extension PublishingTests {
    @Suite(.timeLimit(.minutes(1)))
    struct ReverseProxyTests {
        static func configure(_ configuration: inout ServerConfiguration) {
            // nginx connects from 127.0.0.1.
            configuration.trustedProxies = (try? TrustedProxies(["127.0.0.1"])) ?? .none
            configuration.publishRate = 0.01
            configuration.publishBurst = 8
        }

        @Test("an event published through nginx reaches a subscriber through nginx at once, and Last-Event-ID passes through")
        func eventsPassThrough() async throws {
            try await withServer([], configure: Self.configure) { port in
                let nginx = try await Nginx(upstreamPort: port)
                defer { nginx.stop() }
                let subscriber = try await SSEClient.connect(port: nginx.port, path: "/channels/proxied?history=none")
                #expect(subscriber.status == 200)
                #expect(subscriber.header("Content-Type") == "text/event-stream")
                #expect(subscriber.header("X-Accel-Buffering") == nil, "nginx consumes X-Accel-Buffering")

                // Small events, each far below any buffer size: buffering would hold them back for good.
                var delays: [Duration] = []
                let proxyPort = nginx.port
                for n in 1...5 {
                    let sent = ContinuousClock.now
                    async let answer = publish(port: proxyPort, json: #"{"data": "e\#(n)"}"#, channel: "proxied")
                    let event = try await subscriber.nextEvent(timeout: .seconds(2))
                    delays.append(ContinuousClock.now - sent)
                    #expect(event?.data == "e\(n)")
                    #expect(try await answer.status == 202)
                }
                let median = delays.sorted()[delays.count / 2]
                #expect(median < .milliseconds(100), "publish to delivery through nginx: \(delays)")
                await subscriber.close()

                // A browser reconnecting through the proxy sends Last-Event-ID; Cuecast resumes right after it.
                let resumed = try await SSEClient.connect(port: nginx.port, path: "/channels/proxied", headers: [("Last-Event-ID", "3")])
                let rest = try await resumed.events(2)
                #expect(rest.map(\.lastEventId) == ["4", "5"])
                #expect(rest.map(\.data) == ["e4", "e5"])
                await resumed.close()
                #expect(!nginx.errorLog.contains("[error]"), "\(nginx.errorLog)")
            }
        }

        @Test("X-Forwarded-For names the client for the rate limit only when a trusted proxy sent it")
        func forwardedForOnlyFromTrustedProxies() async throws {
            try await withServer([], configure: Self.configure) { port in
                let nginx = try await Nginx(upstreamPort: port)
                defer { nginx.stop() }
                func publish(to target: Int, from source: String, forwardedFor: String?) throws -> (status: Int, body: String) {
                    let header = forwardedFor.map { "X-Forwarded-For: \($0)\r\n" } ?? ""
                    let response = try rawRequest(
                        port: target, from: source,
                        "POST /generateEvent HTTP/1.1\r\nHost: localhost\r\n\(header)Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
                    )
                    let status = Int(response.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
                    let body = response.components(separatedBy: "\r\n\r\n").dropFirst().joined()
                    return (status, body)
                }

                // Straight to Cuecast from 127.0.0.2, which is no proxy: its made-up X-Forwarded-For changes nothing,
                // and the ninth publish is limited as 127.0.0.2's.
                var direct: [(status: Int, body: String)] = []
                for n in 1...9 { direct.append(try publish(to: port, from: "127.0.0.2", forwardedFor: "10.0.0.\(n)")) }
                #expect(direct.prefix(8).allSatisfy { $0.status == 202 }, "\(direct)")
                #expect(direct[8].status == 429)
                #expect(direct[8].body.contains("too many publishes from 127.0.0.2"), "\(direct[8].body)")

                // Through nginx from 127.0.0.3, with a forged header: nginx appends the real address, which is the
                // one Cuecast counts.
                var proxied: [(status: Int, body: String)] = []
                for n in 1...9 { proxied.append(try publish(to: nginx.port, from: "127.0.0.3", forwardedFor: "10.0.1.\(n)")) }
                #expect(proxied.prefix(8).allSatisfy { $0.status == 202 }, "\(proxied)")
                #expect(proxied[8].status == 429)
                #expect(proxied[8].body.contains("too many publishes from 127.0.0.3"), "\(proxied[8].body)")

                // Another client behind the same proxy has a limit of its own, although every request comes from
                // nginx's one address.
                let other = try publish(to: nginx.port, from: "127.0.0.4", forwardedFor: nil)
                #expect(other.status == 202, "\(other.body)")
            }
        }
    }
}

/// The configuration `docs/deploy.md` shows is the file the proxy test runs, word for word.
@Test func deployGuideShowsTheTestedNginxConfiguration() throws {
    let root = CuecastExecutable.packageRoot
    let guide = try String(contentsOf: root.appendingPathComponent("docs/deploy.md"), encoding: .utf8)
    let tested = try String(contentsOf: root.appendingPathComponent("docs/nginx/cuecast.conf"), encoding: .utf8)
    #expect(guide.contains(tested), "docs/deploy.md should quote docs/nginx/cuecast.conf as it is")
}
