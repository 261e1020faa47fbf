import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import NIOHTTP1
import Testing

/// What a web page on another site can do to a server on loopback (issue 13, finding 7): read streams and the
/// catalog, nothing more; and a `Host` that is not the server's own is refused, so DNS rebinding gets nowhere.
@Suite(.timeLimit(.minutes(1)))
struct SiteBoundaryTests {
    static func scenarios() throws -> [Scenario] {
        [
            try scenario(
                "bells",
                """
                { "title": "Bells", "mode": "live", "heartbeat": false, "cues": [{ "at": 0, "repeat": { "every": 200 }, "data": "tick" }],
                  "triggers": { "ring": { "event": "bell", "data": "ring" } } }
                """
            )
        ]
    }

    /// Status of a GET with this `Host` header, answered by the router or by the streaming path.
    static func status(port: Int, _ path: String, host: String) async throws -> (Int, FetchedResponse?) {
        if path.hasPrefix("/streams/") || path.hasPrefix("/subscribeToEvents") || path.hasPrefix("/channels/") {
            let stream = try await SSEClient.connect(port: port, path: path, headers: [("Host", host)])
            await stream.close()
            return (stream.status, nil)
        }
        let response = try await send(port: port, .GET, path, headers: [("Host", host)])
        return (response.status, response)
    }

    @Test("on loopback, a request whose Host is another name is refused with 403 on every route, streams included")
    func foreignHostRefused() async throws {
        try await withServer(Self.scenarios()) { port in
            let witness = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
            for path in ["/api/scenarios", "/healthz", "/streams/bells", "/subscribeToEvents", "/channels/room", "/api/connections"] {
                for host in ["rebind.example", "rebind.example:\(port)", "LOCALHOST.evil.example", "127.0.0.1.evil.example:\(port)"] {
                    let (status, response) = try await Self.status(port: port, path, host: host)
                    #expect(status == 403, "\(path) with Host \(host)")
                    if let response {
                        let error = try response.apiError()
                        #expect(error["code"] as? String == "host_not_allowed")
                        #expect((error["message"] as? String ?? "").contains("--allowed-host"))
                    }
                }
            }
            let published = try await post(port: port, "/generateEvent", body: "rebound", headers: [("Host", "rebind.example:\(port)")])
            #expect(published.status == 403)
            let own = try await post(port: port, "/generateEvent", body: "own")
            #expect(own.status == 202)
            // The witness got the server's own publish and nothing from the refused one.
            #expect(try await witness.nextEvent()?.data == "own")
            await witness.close()
        }
    }

    @Test("loopback names, *.localhost and IP literals are the server's own", arguments: [
        "localhost", "127.0.0.1", "[::1]", "app.localhost", "10.1.2.3", "LocalHost.",
    ])
    func ownHostsAnswered(name: String) async throws {
        try await withServer(Self.scenarios()) { port in
            for path in ["/api/scenarios", "/streams/bells"] {
                let (status, _) = try await Self.status(port: port, path, host: "\(name):\(port)")
                #expect(status == 200, "\(path) with Host \(name):\(port)")
            }
        }
    }

    @Test("--allowed-host adds a name; a server beyond loopback answers to any name")
    func allowedHostsAndNonLoopback() async throws {
        try await withServer(Self.scenarios(), configure: { $0.allowedHosts = ["Classroom.test"] }) { port in
            let named = try await Self.status(port: port, "/streams/bells", host: "classroom.test:\(port)").0
            let bare = try await Self.status(port: port, "/api/scenarios", host: "classroom.test").0
            let other = try await Self.status(port: port, "/api/scenarios", host: "other.test").0
            #expect([named, bare, other] == [200, 200, 403] as [Int])
        }
        try await withServer(Self.scenarios(), configure: { $0.host = "0.0.0.0" }) { port in
            let response = try await send(port: port, .GET, "/api/scenarios", headers: [("Host", "cuecast.example.org")], host: "127.0.0.1")
            #expect(response.status == 200)
        }
    }

    @Test("over HTTP/2 the :authority is checked the same way")
    func http2Authority() async throws {
        try await withServer(Self.scenarios()) { port in
            let refused = try Curl(["-s", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "--http2-prior-knowledge", "--max-time", "5",
                                    "-H", "Host: rebind.example", "http://127.0.0.1:\(port)/streams/bells"])
            #expect(await refused.finish() == "403 2")
            let own = try Curl(["-s", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "--http2-prior-knowledge", "--max-time", "5",
                                "http://127.0.0.1:\(port)/api/scenarios"])
            #expect(await own.finish() == "200 2")
        }
    }

    /// Every way to change the server, each sent once with `headers`: publish, cat fact, trigger, drop by label.
    static func writeStatuses(port: Int, headers: [(String, String)]) async throws -> [Int] {
        [
            try await post(port: port, "/generateEvent", body: "from a page", headers: headers).status,
            try await send(port: port, .GET, "/generateEvent", headers: headers).status,
            try await send(port: port, .POST, "/streams/bells/triggers/ring", headers: headers).status,
            try await send(port: port, .POST, "/api/connections/drop?client=witness", headers: headers).status,
        ]
    }

    @Test("without a token, a page on another site cannot publish, fire triggers, drop or list connections; it can still subscribe")
    func crossSiteWritesRefused() async throws {
        try await withServer(Self.scenarios()) { port in
            let witness = try await SSEClient.connect(port: port, path: "/subscribeToEvents?client=witness")
            for headers in [[("Origin", "https://evil.example")], [("Origin", "null")], [("Sec-Fetch-Site", "cross-site")],
                            [("Origin", "http://localhost.evil.example:\(port)")]] {
                #expect(try await Self.writeStatuses(port: port, headers: headers) == [403, 403, 403, 403], "\(headers)")
                let refused = try await post(port: port, "/generateEvent", body: "x", headers: headers)
                let error = try refused.apiError()
                #expect(error["code"] as? String == "cross_site_refused")
                if headers[0].0 == "Origin" { #expect(refused.header("Access-Control-Allow-Origin") == "*", "the page can read why") }
                #expect(try await send(port: port, .GET, "/api/connections", headers: headers).status == 403)
            }
            // Reading is open to every page: the catalog, channels and streams.
            let evil = [("Origin", "https://evil.example")]
            #expect(try await send(port: port, .GET, "/api/scenarios", headers: evil).status == 200)
            #expect(try await send(port: port, .GET, "/api/channels", headers: evil).status == 200)
            let stream = try await SSEClient.connect(port: port, path: "/streams/bells", headers: evil)
            #expect(stream.status == 200)
            #expect(stream.header("Access-Control-Allow-Origin") == "*")
            await stream.close()

            // Pages on loopback origins (another dev server's port, this server's own pages) and programs write freely.
            for headers in [[("Origin", "http://localhost:3000")], [("Origin", "http://127.0.0.1:\(port)")], [("Sec-Fetch-Site", "same-origin")], []] {
                #expect(try await post(port: port, "/generateEvent", body: "ok \(headers.count)", headers: headers).status == 202, "\(headers)")
                #expect(try await send(port: port, .GET, "/api/connections", headers: headers).status == 200)
            }
            // The witness is still connected (no refused drop reached it) and saw only the allowed publishes.
            let events = try await witness.events(4)
            #expect(events.map(\.data) == ["ok 1", "ok 1", "ok 1", "ok 0"])
            await witness.close()
        }
    }

    @Test("with a token, a page on another site that holds it may write; --allowed-host pages may write without one")
    func tokenAndAllowedOrigins() async throws {
        try await withServer(Self.scenarios(), configure: { $0.publishToken = "t" }) { port in
            let evil = ("Origin", "https://workshop.example")
            let writes = try await Self.writeStatuses(port: port, headers: [evil, ("Authorization", "Bearer t")])
            #expect(writes == [202, 202, 202, 202])
            let listWithToken = try await send(port: port, .GET, "/api/connections", headers: [evil, ("Authorization", "Bearer t")]).status
            let listWithout = try await send(port: port, .GET, "/api/connections", headers: [evil]).status
            let listByProgram = try await send(port: port, .GET, "/api/connections").status
            #expect([listWithToken, listWithout, listByProgram] == [200, 403, 200] as [Int])
        }
        try await withServer(Self.scenarios(), configure: { $0.allowedHosts = ["classroom.test"] }) { port in
            let page = [("Origin", "http://classroom.test:8000")]
            let writes = try await Self.writeStatuses(port: port, headers: page)
            #expect(writes == [202, 202, 202, 202])
        }
    }
}
