import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import NIOHTTP1
import Testing

extension PublishingTests {
    /// Who may publish: a token when one is set; without one, anyone on a loopback server, no one on a server
    /// reachable from the network unless anonymous publishing is allowed. And CORS, so pages from other origins can
    /// subscribe and publish.
    @Suite(.timeLimit(.minutes(1)))
    struct PublishAccessTests {
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

        /// Every way to publish, each sent once to `host`.
        static func publishStatuses(port: Int, host: String = "localhost", headers: [(String, String)] = []) async throws -> [Int] {
            let posted = try await post(port: port, "/generateEvent", body: "hi", headers: headers, host: host)
            let catFact = try await send(port: port, .GET, "/generateEvent", headers: headers, host: host)
            let trigger = try await send(port: port, .POST, "/streams/bells/triggers/ring", headers: headers, host: host)
            return [posted.status, catFact.status, trigger.status]
        }

        @Test("with a token, every way to publish needs Authorization: Bearer <token>; subscribing does not")
        func token() async throws {
            try await withServer(Self.scenarios(), configure: { $0.publishToken = "s3cret-token" }) { port in
                let subscriber = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                #expect(subscriber.status == 200)

                let none = try await Self.publishStatuses(port: port)
                #expect(none == [401, 401, 401])
                let missing = try await post(port: port, "/generateEvent", body: "hi")
                let missingError = try missing.apiError()
                #expect(missingError["code"] as? String == "token_required")
                #expect(missing.header("WWW-Authenticate") == #"Bearer realm="cuecast""#)

                for wrong in ["Bearer wrong", "Bearer s3cret-toke", "Bearer s3cret-token-and-more", "Basic czNjcmV0LXRva2Vu", "s3cret-token"] {
                    let response = try await post(port: port, "/generateEvent", body: "hi", headers: [("Authorization", wrong)])
                    #expect(response.status == 401, "\(wrong)")
                    #expect(try response.apiError()["code"] as? String == "bad_token", "\(wrong)")
                    #expect(response.header("WWW-Authenticate") == #"Bearer realm="cuecast""#)
                }

                let right = try await Self.publishStatuses(port: port, headers: [("Authorization", "Bearer s3cret-token")])
                #expect(right == [202, 202, 202])
                // The auth scheme is case-insensitive (RFC 9110).
                let lowercase = try await post(port: port, "/generateEvent", body: "lower", headers: [("Authorization", "bearer s3cret-token")])
                #expect(lowercase.status == 202)

                // Only the authorised publishes went out.
                let events = try await subscriber.events(3)
                let data = events.map(\.data)
                #expect(data[0] == "hi")
                #expect(events[1].type == "catFact")
                #expect(data[2] == "lower")
                await subscriber.close()
            }
        }

        @Test("on a non-loopback address without a token, publishing is refused (403); subscribing works")
        func nonLoopbackRefused() async throws {
            try await withServer(Self.scenarios(), configure: { $0.host = "0.0.0.0" }) { port in
                let statuses = try await Self.publishStatuses(port: port, host: "127.0.0.1")
                #expect(statuses == [403, 403, 403])
                let response = try await post(port: port, "/generateEvent", body: "hi", host: "127.0.0.1")
                let error = try response.apiError()
                #expect(error["code"] as? String == "publishing_disabled")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("--publish-token"), "the refusal says how to open publishing: \(message)")
                // Sending a token changes nothing when none is configured.
                let withToken = try await post(port: port, "/generateEvent", body: "hi", headers: [("Authorization", "Bearer x")], host: "127.0.0.1")
                #expect(withToken.status == 403)

                let subscriber = try await SSEClient.connect(port: port, path: "/subscribeToEvents", host: "127.0.0.1")
                #expect(subscriber.status == 200)
                let stream = try await SSEClient.connect(port: port, path: "/streams/bells?history=none", host: "127.0.0.1")
                let tick = try await stream.nextEvent()
                #expect(tick?.data == "tick")
                let channels = try await send(port: port, .GET, "/api/channels", host: "127.0.0.1")
                #expect(channels.status == 200)
                await subscriber.close()
                await stream.close()
            }
        }

        @Test("on a non-loopback address, allowAnonymousPublish opens publishing to anyone")
        func anonymousAllowed() async throws {
            let configure: (inout ServerConfiguration) -> Void = {
                $0.host = "0.0.0.0"
                $0.allowAnonymousPublish = true
            }
            try await withServer(Self.scenarios(), configure: configure) { port in
                let statuses = try await Self.publishStatuses(port: port, host: "127.0.0.1")
                #expect(statuses == [202, 202, 202])
            }
        }

        @Test("on a non-loopback address with a token, the token decides")
        func nonLoopbackWithToken() async throws {
            let configure: (inout ServerConfiguration) -> Void = {
                $0.host = "0.0.0.0"
                $0.publishToken = "t"
            }
            try await withServer(Self.scenarios(), configure: configure) { port in
                let without = try await Self.publishStatuses(port: port, host: "127.0.0.1")
                #expect(without == [401, 401, 401])
                let with = try await Self.publishStatuses(port: port, host: "127.0.0.1", headers: [("Authorization", "Bearer t")])
                #expect(with == [202, 202, 202])
            }
        }

        @Test("on loopback without a token, anyone may publish", arguments: ["127.0.0.1", "localhost"])
        func loopbackOpen(host: String) async throws {
            try await withServer(Self.scenarios(), configure: { $0.host = host }) { port in
                let statuses = try await Self.publishStatuses(port: port)
                #expect(statuses == [202, 202, 202])
            }
        }

        // MARK: CORS

        @Test("CORS preflight allows other origins to publish with Authorization and Content-Type, and to resume with Last-Event-ID",
              arguments: ["/generateEvent", "/generateEvent?channel=room", "/channels/room", "/subscribeToEvents", "/streams/bells/triggers/ring"])
        func preflight(path: String) async throws {
            // With a token set: the preflight itself carries no credentials and must not be refused for it.
            try await withServer(Self.scenarios(), configure: { $0.publishToken = "t" }) { port in
                let response = try await send(
                    port: port, .OPTIONS, path,
                    headers: [
                        ("Origin", "https://workshop.example"), ("Access-Control-Request-Method", "POST"),
                        ("Access-Control-Request-Headers", "authorization, content-type, last-event-id"),
                    ]
                )
                #expect(response.status == 204 || response.status == 200)
                #expect(response.header("Access-Control-Allow-Origin") == "*")
                let methods = Set((response.header("Access-Control-Allow-Methods") ?? "").uppercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                let allowedHeaders = Set((response.header("Access-Control-Allow-Headers") ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(methods.isSuperset(of: ["GET", "POST"]), "\(methods)")
                #expect(allowedHeaders.isSuperset(of: ["authorization", "content-type", "last-event-id"]), "\(allowedHeaders)")
            }
        }

        @Test("cross-origin answers carry Access-Control-Allow-Origin: streams, publishes, and refusals")
        func crossOriginAnswers() async throws {
            try await withServer(Self.scenarios(), configure: { $0.publishToken = "t" }) { port in
                let origin = ("Origin", "https://workshop.example")
                let stream = try await SSEClient.connect(port: port, path: "/subscribeToEvents", headers: [origin])
                #expect(stream.status == 200)
                #expect(stream.header("Access-Control-Allow-Origin") == "*")

                let published = try await post(port: port, "/generateEvent", body: "from afar", headers: [origin, ("Authorization", "Bearer t")])
                #expect(published.status == 202)
                #expect(published.header("Access-Control-Allow-Origin") == "*")
                let event = try await stream.nextEvent()
                #expect(event?.data == "from afar")

                // A refusal a page can read: the status, the JSON body, and the CORS header.
                let refused = try await post(port: port, "/generateEvent", body: "no token", headers: [origin])
                #expect(refused.status == 401)
                #expect(refused.header("Access-Control-Allow-Origin") == "*")
                #expect(try refused.apiError()["code"] as? String == "token_required")
                let bad = try await post(
                    port: port, "/generateEvent", body: #"{"event": 1}"#, contentType: "application/json", headers: [origin, ("Authorization", "Bearer t")]
                )
                #expect(bad.status == 400)
                #expect(bad.header("Access-Control-Allow-Origin") == "*")
                #expect(try bad.apiError()["code"] as? String == "bad_event")
                await stream.close()
            }
        }

        /// The headers named in `Access-Control-Expose-Headers`, lowercased.
        static func exposed(_ response: FetchedResponse) -> Set<String> {
            let list = response.headers["Access-Control-Expose-Headers"].joined(separator: ",")
            return Set(list.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }

        @Test("a page from another origin can read why it was refused: Retry-After on 429, WWW-Authenticate on 401")
        func exposedHeaders() async throws {
            let configure: (inout ServerConfiguration) -> Void = {
                $0.publishToken = "t"
                $0.publishRate = 0.01
                $0.publishBurst = 1
            }
            try await withServer(Self.scenarios(), configure: configure) { port in
                let origin = ("Origin", "https://workshop.example")
                // A browser hides every response header but a few unless the response lists it as exposed.
                let unauthorized = try await post(port: port, "/generateEvent", body: "x", headers: [origin])
                #expect(unauthorized.status == 401)
                let unauthorizedExposed = Self.exposed(unauthorized)
                #expect(unauthorizedExposed.contains("www-authenticate"), "\(unauthorizedExposed)")

                let authorized = [origin, ("Authorization", "Bearer t")]
                let first = try await post(port: port, "/generateEvent", body: "x", headers: authorized)
                #expect(first.status == 202)
                let limited = try await post(port: port, "/generateEvent", body: "x", headers: authorized)
                #expect(limited.status == 429)
                #expect(limited.header("Access-Control-Allow-Origin") == "*")
                let limitedExposed = Self.exposed(limited)
                #expect(limitedExposed.contains("retry-after"), "\(limitedExposed)")

                // A stream's connection id, for dropping it by id.
                let stream = try await SSEClient.connect(port: port, path: "/subscribeToEvents", headers: [origin])
                let streamExposed = (stream.headers["Access-Control-Expose-Headers"].first ?? "").lowercased()
                #expect(streamExposed.contains("x-cuecast-connection"), "\(streamExposed)")
                await stream.close()
            }
        }
    }
}
