import AsyncHTTPClient
import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// What `curl -I`, a scan of unknown paths and a Prometheus server meet on a live server: HEAD wherever GET is
/// served, a JSON error for every path that does not exist, and a `/metrics` that `promtool check metrics` accepts,
/// with `# HELP` for every family, the process figures and no framework-internal route label.
@Suite(.timeLimit(.minutes(1)))
struct OperatorHTTPTests {
    static let tick = #"{"title": "Tick", "heartbeat": false, "cues": [{"at": 0, "data": "t"}]}"#

    @Test("HEAD answers like GET, without a body, on /, /healthz, the API and pages", arguments: ["/", "/healthz", "/api/scenarios", "/index.html"])
    func head(path: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("public/index.html", "<!doctype html><title>x</title>")
        try await withServer([try scenario("tick", Self.tick)], configure: { $0.publicDirectory = folder.path("public") }) { port in
            let get = try await send(port: port, .GET, path)
            let head = try await send(port: port, .HEAD, path)
            #expect(get.status == 200)
            #expect(head.status == 200, "\(head.body)")
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Type") == get.header("Content-Type"))
        }
    }

    @Test("HEAD on an event stream is 405 (Allow: GET), not a subscriber turned away", arguments: ["/streams/tick", "/subscribeToEvents", "/channels/x", "/api/stats/stream"])
    func headOnStream(path: String) async throws {
        try await withServer([try scenario("tick", Self.tick)]) { port in
            let head = try await send(port: port, .HEAD, path)
            #expect(head.status == 405, "\(path)")
            #expect(head.header("Allow") == "GET", "\(path)")
            let metrics = try PrometheusExposition(parsing: try await send(port: port, .GET, "/metrics").body)
            #expect(metrics.value("cuecast_subscriber_refusals_total") == 0)
        }
    }

    @Test("an unknown path is a 404 with a JSON error, like every other error")
    func unknownPath() async throws {
        try await withServer([try scenario("tick", Self.tick)]) { port in
            let missing = try await send(port: port, .GET, "/no/such/thing")
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type") == "application/json; charset=utf-8")
            let error = try missing.apiError()
            #expect(error["status"] as? Int == 404)
            #expect(error["code"] as? String == "not_found")
            #expect((error["message"] as? String)?.contains("GET /api/openapi.json describes the API") == true, "\(error)")
            // A page's fetch carries Origin: the CORS middleware must not lose the body.
            let fromPage = try await send(port: port, .GET, "/no/such/thing", headers: [("Origin", "http://example.com")])
            #expect(fromPage.status == 404)
            #expect(try fromPage.apiError()["code"] as? String == "not_found", "\(fromPage.body)")
            #expect(fromPage.header("Access-Control-Allow-Origin") == "*")
        }
    }

    @Test("/metrics: HELP and TYPE for every family, process figures, static files under static_file")
    func metricsExposition() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("public/index.html", "<!doctype html><title>x</title>")
        try await withServer([try scenario("tick", Self.tick)], configure: { $0.publicDirectory = folder.path("public") }) { port in
            _ = try await send(port: port, .GET, "/index.html")
            _ = try await send(port: port, .GET, "/nope")
            _ = try await SSEClient.connect(port: port, path: "/streams/tick").readToEnd()
            let text = try await send(port: port, .GET, "/metrics").body
            let exposition = try PrometheusExposition(parsing: text)
            for (family, _) in exposition.types {
                #expect(!(exposition.help[family] ?? "").isEmpty, "no # HELP for \(family)")
            }
            #expect(exposition.types["cuecast_http_requests_total"] == .counter)
            #expect(exposition.value("cuecast_http_requests_total", ["route": "static_file", "status": "200"]) == 1, "\(text)")
            #expect(!text.contains("FileMiddleware"))
            #expect(exposition.value("cuecast_http_requests_total", ["route": "NotFound", "status": "404"]) == 1)
            #expect(exposition.types["process_cpu_seconds_total"] == .counter)
            #expect((exposition.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((exposition.value("process_open_fds") ?? 0) > 3)
            #expect((exposition.value("process_max_fds") ?? 0) >= (exposition.value("process_open_fds") ?? 0))
            let started = exposition.value("process_start_time_seconds") ?? 0
            let now = Date().timeIntervalSince1970
            #expect(started > now - 86_400 * 30 && started <= now + 1, "start time \(started), now \(now)")
            // CI installs promtool (scripts/setup --test), so there its absence fails the test rather than skipping the check.
            if ProcessInfo.processInfo.environment["CI"] != nil { try #require(Self.promtool != nil, "promtool is not installed") }
            if let promtool = Self.promtool {
                let (status, output) = try Self.run(promtool, ["check", "metrics"], input: text)
                #expect(status == 0, "promtool check metrics:\n\(output)")
            }
        }
    }

    /// Debian's `prometheus` package (scripts/setup --test installs it).
    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ executable: String, _ arguments: [String], input: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
