import CuecastTestSupport
import AsyncHTTPClient
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// The subscriber cap: streams on every route count together; one past the cap gets a clear `503` with
/// `Retry-After` and a JSON error, while every other route keeps answering; a slot freed is a slot taken again.
@Suite(.timeLimit(.minutes(1)))
struct SubscriberLimitTests {
    static let ticking = """
        {"title": "Ticking", "mode": "live", "heartbeat": false, "loop": true,
         "cues": [{"at": 0, "repeat": {"every": 50, "count": 20}, "data": "t{{$index}}"}]}
        """
    /// Two events with explicit ids and no sentinel: resuming after "b" leaves nothing to send (204).
    static let short = """
        {"title": "Short", "mode": "solo", "heartbeat": false,
         "cues": [{"at": 0, "id": "a", "data": "x"}, {"at": 10, "id": "b", "data": "y"}], "end": {"sentinel": false}}
        """

    /// `/healthz`'s `subscribers` and `maxSubscribers`.
    static func health(port: Int) async throws -> (subscribers: Int, max: Int) {
        let object = try await fetch(port: port, "/healthz").json()
        return (object["subscribers"] as? Int ?? -1, object["maxSubscribers"] as? Int ?? -1)
    }

    @Test("derived from the descriptor limit: 5% (at least 64) kept for other work")
    func defaultDerivation() throws {
        #expect(ServerConfiguration.defaultMaxSubscribers(descriptorLimit: 20_000) == 19_000)
        #expect(ServerConfiguration.defaultMaxSubscribers(descriptorLimit: 1_024) == 960)
        #expect(ServerConfiguration.defaultMaxSubscribers(descriptorLimit: 1_048_576) == 996_148)
        #expect(ServerConfiguration.defaultMaxSubscribers(descriptorLimit: 200) == 136)
        #expect(ServerConfiguration.defaultMaxSubscribers(descriptorLimit: 64) == 1)
        #expect(ServerConfiguration.defaultMaxSubscribers(descriptorLimit: 0) == 1)
        // This process: the configuration's default follows its soft limit.
        let soft = try #require(DescriptorLimit.current()?.soft)
        let expected = ServerConfiguration.defaultMaxSubscribers(descriptorLimit: soft)
        let configured = ServerConfiguration().maxSubscribers
        #expect(ServerConfiguration.defaultMaxSubscribers() == expected)
        #expect(configured == expected)
    }

    @Test("full: a third stream on any route gets 503 + Retry-After + JSON; other routes work; a freed slot is taken again")
    func capAcrossRoutes() async throws {
        try await withServer([try scenario("ticking", Self.ticking)], configure: { $0.maxSubscribers = 2 }) { port in
            let channel = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
            let stream = try await SSEClient.connect(port: port, path: "/streams/ticking?history=none")
            let firstEvent = try await stream.nextEvent()

            let refusedChannel = try await fetch(port: port, "/channels/news")
            let refusedDefault = try await fetch(port: port, "/subscribeToEvents")
            let refusedStream = try await fetch(port: port, "/streams/ticking")
            let error = try refusedChannel.apiError()
            let contentType = refusedChannel.header("Content-Type") ?? ""

            #expect(channel.status == 200)
            #expect(stream.status == 200)
            #expect(firstEvent != nil)
            #expect(refusedChannel.status == 503)
            #expect(refusedDefault.status == 503)
            #expect(refusedStream.status == 503)
            #expect(refusedChannel.header("Retry-After") == "5")
            #expect(refusedStream.header("Retry-After") == "5")
            #expect(contentType.hasPrefix("application/json"))
            #expect(error["status"] as? Int == 503)
            #expect(error["code"] as? String == "too_many_subscribers")
            #expect(error["message"] as? String == "this server is holding its limit of 2 subscribers; retry in 5 s")
            #expect(error["limit"] as? Int == 2)
            let streamError = try refusedStream.apiError()
            #expect(streamError["code"] as? String == "too_many_subscribers")

            // Everything that is not a stream keeps working, publishing included, and reaches the held streams.
            let healthz = try await fetch(port: port, "/healthz")
            let counts = try await Self.health(port: port)
            let scenarios = try await fetch(port: port, "/api/scenarios")
            let connections = try await fetch(port: port, "/api/connections")
            let published = try await post(port: port, "/generateEvent", body: "while full")
            let delivered = try published.json()["delivered"] as? Int
            let received = try await channel.nextEvent()
            #expect(healthz.status == 200)
            #expect(counts.subscribers == 2)
            #expect(counts.max == 2)
            #expect(scenarios.status == 200)
            #expect(connections.status == 200)
            #expect(published.status == 202)
            #expect(delivered == 1)
            #expect(received?.data == "while full")

            // One stream goes away: its slot comes back, and a new stream (on another route) is admitted.
            await stream.close()
            let freed = await eventually { (try? await Self.health(port: port).subscribers) == 1 }
            let again = try await SSEClient.connect(port: port, path: "/channels/news")
            let welcome = try await again.next()
            let afterAdmission = try await Self.health(port: port)
            let fullAgain = try await fetch(port: port, "/streams/ticking")
            #expect(freed)
            #expect(again.status == 200)
            #expect(welcome != nil)
            #expect(afterAdmission.subscribers == 2)
            #expect(fullAgain.status == 503)

            await channel.close()
            await again.close()
            let emptied = await eventually { (try? await Self.health(port: port).subscribers) == 0 }
            #expect(emptied)
        }
    }

    @Test("refused or bodiless answers hold no slot: 400, 404 and a 204 after admission; Retry-After is configurable")
    func answersWithoutAStreamFreeTheirSlot() async throws {
        let scenarios = [try scenario("short", Self.short)]
        try await withServer(scenarios, configure: { $0.maxSubscribers = 1; $0.subscriberRetryAfterSeconds = 7 }) { port in
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(try await fetch(port: port, "/streams/short?speed=0").status)
                statuses.append(try await fetch(port: port, "/streams/nope").status)
                statuses.append(try await fetch(port: port, "/channels/bad%20name").status)
                // Admitted, then nothing to send: the slot is given back with the unused response.
                statuses.append(try await fetch(port: port, "/streams/short", headers: [("Last-Event-ID", "b")]).status)
            }
            let idle = await eventually { (try? await Self.health(port: port).subscribers) == 0 }
            let held = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
            let refused = try await fetch(port: port, "/streams/short")
            let message = try refused.apiError()["message"] as? String

            #expect(statuses == [400, 404, 400, 204, 400, 404, 400, 204, 400, 404, 400, 204])
            #expect(idle)
            #expect(held.status == 200)
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "7")
            #expect(message == "this server is holding its limit of 1 subscribers; retry in 7 s")
            await held.close()
        }
    }

    @Test("admission is atomic: 20 streams at once against a cap of 5 admit exactly 5")
    func concurrentAdmission() async throws {
        try await withServer([], configure: { $0.maxSubscribers = 5 }) { port in
            try await withHTTPClient(connections: 32) { client in
                let results = try await withThrowingTaskGroup(of: (Int, SSEClient).self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            let stream = try await SSEClient.connect(port: port, path: "/channels/c\(index % 3)", client: client)
                            return (stream.status, stream)
                        }
                    }
                    var results: [(Int, SSEClient)] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                let admitted = results.filter { $0.0 == 200 }.count
                let refused = results.filter { $0.0 == 503 }.count
                let counts = try await Self.health(port: port)
                for (_, stream) in results { await stream.close() }
                let emptied = await eventually { (try? await Self.health(port: port).subscribers) == 0 }

                #expect(admitted == 5)
                #expect(refused == 15)
                #expect(counts.subscribers == 5)
                #expect(emptied)
            }
        }
    }

    @Test(
        "cuecast serve --max-subscribers: the cap is logged and enforced; 0 is refused",
        .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests")
    )
    func serveOption() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/ticking.json", Self.ticking)
        let arguments = ["serve", "--port", "0", "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public")]

        let refused = try await CLIProcess.run(arguments + ["--max-subscribers", "0"], in: folder.url, timeout: .seconds(10))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("must be a positive whole number (got 0)"), "\(refused.stderr)")

        let server = try CLIProcess(arguments + ["--max-subscribers", "1"], in: folder.url)
        defer { server.terminate() }
        let port = try await server.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let portNumber = try #require(port.flatMap { Int($0) }, "no serving line; stderr:\n\(server.stderr)")
        let capLine = try await server.waitForOutput(matching: #"max subscribers: 1 \(open-file limit \d+\)"#, timeout: .seconds(5))
        let held = try await SSEClient.connect(port: portNumber, path: "/streams/ticking")
        let second = try await fetch(port: portNumber, "/subscribeToEvents")
        #expect(capLine != nil, "stderr:\n\(server.stderr)")
        #expect(held.status == 200)
        #expect(second.status == 503)
        await held.close()
    }
}
