import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `cuecast serve --log-format json`, through the real executable: every line of the log is one JSON object with
/// `time`, `level`, `label` and `message`; the request log says what was asked and answered; no token ever appears.
@Suite(.timeLimit(.minutes(1)))
struct LogFormatCLITests {
    static let token = "tok-3e1f9c7a5b"

    @Test("--log-format json: one JSON object per line, a request log at info, and never a token")
    func jsonLines() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/tick.json", #"{"title": "Tick", "heartbeat": false, "cues": [{"at": 0, "data": "t"}]}"#)
        let server = try CLIProcess(
            [
                "serve", "--port", "0", "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public"),
                "--log-format", "json", "--publish-token", Self.token, "--metrics-token", "metrics-\(Self.token)",
            ],
            in: folder.url
        )
        let port = try await server.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let portNumber = try #require(port.flatMap { Int($0) }, "no serving line; stderr:\n\(server.stderr)")

        let accepted = try await publish(port: portNumber, json: #"{"data": "hello"}"#, headers: [("Authorization", "Bearer \(Self.token)")])
        let refused = try await publish(port: portNumber, json: #"{"data": "hello"}"#, headers: [("Authorization", "Bearer wrong-\(Self.token)")])
        let query = try await send(port: portNumber, .GET, "/api/channels?token=\(Self.token)")
        let metrics = try await send(port: portNumber, .GET, "/metrics", headers: [("Authorization", "Bearer metrics-\(Self.token)")])
        let stream = try await SSEClient.connect(port: portNumber, path: "/streams/tick").readToEnd()
        #expect(accepted.status == 202)
        #expect(refused.status == 401)
        #expect(query.status == 200)
        #expect(metrics.status == 200)
        #expect(stream.events.first?.data == "t")
        let closed = try await server.waitForOutput(matching: #"stream \d+ on /streams/tick closed"#, timeout: .seconds(5))
        #expect(closed != nil)
        server.terminate()
        _ = await server.waitForExit(timeout: .seconds(5))

        let lines = server.stderr.split(separator: "\n").map(String.init)
        try #require(lines.count >= 5, "stderr:\n\(server.stderr)")
        var objects: [[String: Any]] = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let object else {
                Issue.record("not a JSON object: \(line)")
                continue
            }
            #expect(object["time"] is String && object["level"] is String && object["message"] is String, "\(line)")
            objects.append(object)
        }
        #expect(!server.stderr.contains(Self.token), "a token reached the log:\n\(server.stderr)")
        #expect(server.stdout.isEmpty, "the log goes to stderr; stdout:\n\(server.stdout)")

        func request(_ method: String, _ path: String, _ status: Int) -> [String: Any]? {
            objects.first { object in
                let metadata = object["metadata"] as? [String: Any] ?? [:]
                return object["level"] as? String == "info" && metadata["method"] as? String == method && metadata["path"] as? String == path
                    && metadata["status"] as? Int == status
            }
        }
        let logged202 = request("POST", "/generateEvent", 202)
        let logged401 = request("POST", "/generateEvent", 401)
        let loggedStream = request("GET", "/streams/tick", 200)
        let loggedMetrics = request("GET", "/metrics", 200)
        #expect(logged202 != nil, "no request-log line for the publish:\n\(server.stderr)")
        #expect(logged401 != nil)
        #expect(loggedStream != nil)
        #expect(loggedMetrics != nil)
        // Figures are JSON numbers, not strings, so a collector can compare and sum them.
        let metadata202 = logged202?["metadata"] as? [String: Any] ?? [:]
        #expect(metadata202["ms"] is Double || metadata202["ms"] is Int, "ms: \(String(describing: metadata202["ms"]))")
        #expect(server.stderr.contains(#""status":202"#), "stderr:\n\(server.stderr)")
        let closedLine = objects.first { ($0["message"] as? String)?.contains("closed") == true }
        let closedMetadata = closedLine?["metadata"] as? [String: Any] ?? [:]
        #expect(closedMetadata["seconds"] is Double || closedMetadata["seconds"] is Int, "\(closedMetadata)")
        let time = logged202?["time"] as? String ?? ""
        #expect(time.hasSuffix("Z") && time.contains("T"), "time is ISO 8601 in UTC: \(time)")
    }
}
