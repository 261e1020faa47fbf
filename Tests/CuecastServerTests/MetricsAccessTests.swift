import AsyncHTTPClient
import CuecastCore
import CuecastServer
import CuecastTestSupport
import Hummingbird
import NIOHTTP1
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Where `/metrics` is served and who may read it, and that what it shows stays bounded.
@Suite(.timeLimit(.minutes(1)))
struct MetricsAccessTests {
    @Test("with --metrics-token, /metrics needs the bearer token")
    func token() async throws {
        try await withServer([], configure: { $0.metricsToken = "watch" }) { port in
            let none = try await send(port: port, .GET, "/metrics")
            let wrong = try await send(port: port, .GET, "/metrics", headers: [("Authorization", "Bearer nope")])
            let metrics = try await scrape(port: port, headers: [("Authorization", "Bearer watch")])
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(try none.apiError()["code"] as? String == "token_required")
            #expect(wrong.status == 401)
            #expect(try wrong.apiError()["code"] as? String == "bad_token")
            #expect(metrics.types["cuecast_deliveries_total"] == .counter)
        }
    }

    @Test("publishing refused beyond loopback without a token is counted as 403")
    func forbiddenPublish() async throws {
        try await withServer([], configure: { $0.host = "0.0.0.0" }) { port in
            let refused = try await send(port: port, .POST, "/generateEvent", body: Array("hi".utf8), headers: [("Content-Type", "text/plain")])
            let metrics = try await scrape(port: port)
            #expect(refused.status == 403)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "403"]) == 1)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "202"]) == nil)
            #expect(metrics.value("cuecast_events_published_total", ["source": "publish"]) == 0)
        }
    }

    @Test("with --metrics-address, /metrics has a listener of its own and the main port does not serve it")
    func ownAddress() async throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, scenariosDirectory: "", publicDirectory: nil)
        configuration.metricsAddress = MetricsAddress(host: "127.0.0.1", port: 0)
        let metricsPort = Mutex<Int?>(nil)
        var logger = Logger(label: "cuecast-test")
        logger.logLevel = .warning
        let app = buildApplication(scenarios: [], configuration: configuration, logger: logger) { listener in
            if listener.metricsOnly { metricsPort.withLock { $0 = listener.port } }
        }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let started = await eventually { metricsPort.withLock { $0 != nil } }
            try #require(started, "the metrics listener did not start")
            let own = try #require(metricsPort.withLock { $0 })
            _ = try await send(port: port, .GET, "/subscribeToEvents?history=none&nonsense=1")
            let main = try await send(port: port, .GET, "/metrics")
            let metrics = try await scrape(port: own)
            let elsewhere = try await send(port: own, .GET, "/api/scenarios")
            #expect(main.status == 404)
            #expect(elsewhere.status == 404)
            // The main port's answers are counted, and shown on the metrics port.
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/metrics", "status": "404"]) == nil)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/subscribeToEvents", "status": "400"]) == 1)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "NotFound", "status": "404"]) == 1)
        }
    }

    @Test("channel names made up by publishers share one label past the first few, and paths collapse to routes")
    func boundedLabels() async throws {
        try await withServer([]) { port in
            let names = (1...(ChannelLabelsLimit.value + 8)).map { "class-\($0)" }
            for name in names {
                let stream = try await SSEClient.connect(port: port, path: "/channels/\(name)?history=none")
                await stream.close()
            }
            for n in 1...20 { _ = try await send(port: port, .GET, "/no/such/page/\(n)") }
            let metrics = try await scrape(port: port)
            let opened = metrics.series("cuecast_streams_open").filter { $0.labels["kind"] == "channel" }
            let labels = Set(opened.compactMap { $0.labels["stream"] })
            #expect(labels.count == ChannelLabelsLimit.value + 1, "\(labels.sorted())")
            #expect(labels.contains("other"))
            #expect(labels.contains("class-1"))
            #expect(!labels.contains("class-\(ChannelLabelsLimit.value + 1)"))
            let routes = Set(metrics.series("cuecast_http_requests_total").compactMap { $0.labels["route"] })
            #expect(routes == ["/channels/{name}", "NotFound"])
            #expect(metrics.value("cuecast_http_requests_total", ["route": "NotFound", "status": "404"]) == 20)
            #expect(metrics.value("cuecast_connections_opened_total", ["kind": "channel"]) == Double(names.count))
        }
    }
}

/// `ChannelLabels.limit`, as the tests see it (the type is internal to the server).
enum ChannelLabelsLimit {
    static let value = 32
}
