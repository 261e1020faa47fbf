import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

extension ClusterTests {
    /// End to end: three instances behind Debian's nginx as a round-robin balancer, streaming unbuffered, and clients
    /// that keep reconnecting through it, landing on a different instance each time.
    @Suite(.timeLimit(.minutes(2)), .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") || ClusterDatabase.isCI))
    struct Balancer {
        static let ticker = """
            {
              "title": "Ticker", "mode": "live", "heartbeat": false,
              "cues": [{ "at": 0, "repeat": { "every": 50 }, "data": "tick {{$index}}" }]
            }
            """

        @Test func reconnectingClientsGetEveryEventExactlyOnce() async throws {
            let station = uniqueChannel("balanced")
            try await TestCluster.with(3, scenarios: [station: Self.ticker]) { cluster in
                let nginx = try await RoundRobinNginx.start(upstreams: cluster.instances.map(\.port))
                do {
                    let port = nginx.port
                    let channel = uniqueChannel("balanced")
                    // Thirty events published through the balancer (so to every instance in turn) while a client reads
                    // three events per connection and reconnects with Last-Event-ID.
                    let publisher = Task {
                        for number in 1...30 {
                            let answer = try await publish(port: port, json: #"{"data": "e\#(number)"}"#, channel: channel, host: "127.0.0.1")
                            #expect(answer.status == 202, "\(answer.body)")
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    var channelEvents: [ParsedEvent] = []
                    var instancesSeen: Set<String> = []
                    while channelEvents.count < 30 {
                        let headers = channelEvents.last.map { [("Last-Event-ID", $0.lastEventId)] } ?? []
                        let client = try await SSEClient.connect(port: port, path: "/channels/\(channel)", headers: headers, host: "127.0.0.1")
                        #expect(client.status == 200)
                        instancesSeen.insert(String(client.header("X-Cuecast-Connection")?.split(separator: "-").first ?? ""))
                        channelEvents += try await client.events(min(3, 30 - channelEvents.count), timeout: .seconds(10))
                        await client.close()
                    }
                    try await publisher.value
                    #expect(channelEvents.map(\.data) == (1...30).map { "e\($0)" })
                    #expect(channelEvents.map(\.lastEventId) == (1...30).map(String.init))
                    #expect(instancesSeen.count == 3, "round robin spread the reconnections: \(instancesSeen)")

                    // The live station, the same way: ids run on without a gap or a repeat across connections.
                    var ticks: [Int] = []
                    var resumeAfter: String?
                    for _ in 1...6 {
                        let headers = resumeAfter.map { [("Last-Event-ID", $0)] } ?? []
                        let client = try await SSEClient.connect(port: port, path: "/streams/\(station)?history=none", headers: headers, host: "127.0.0.1")
                        let events = try await client.events(3, timeout: .seconds(10))
                        ticks += events.compactMap(\.number)
                        resumeAfter = events.last?.lastEventId
                        await client.close()
                    }
                    #expect(ticks == Array(ticks[0]..<(ticks[0] + 18)), "every tick once, in order: \(ticks)")
                } catch {
                    try? await nginx.stop()
                    throw error
                }
                try await nginx.stop()
            }
        }
    }
}

/// Debian's nginx, run from a temporary prefix as a round-robin balancer in front of `upstreams`.
struct RoundRobinNginx {
    let folder: TemporaryFolder
    let port: Int

    /// The configuration the README shows, with the ports and paths of this run.
    static func configuration(port: Int, upstreams: [Int], prefix: String) -> String {
        """
        daemon on;
        worker_processes 1;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/error.log;
        events { worker_connections 1024; }
        http {
            access_log \(prefix)/access.log;
            client_body_temp_path \(prefix)/body;
            proxy_temp_path \(prefix)/proxy;
            fastcgi_temp_path \(prefix)/fastcgi;
            uwsgi_temp_path \(prefix)/uwsgi;
            scgi_temp_path \(prefix)/scgi;
            upstream cuecast { \(upstreams.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")) }
            server {
                listen 127.0.0.1:\(port);
                location / {
                    proxy_pass http://cuecast;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $http_host;
                    proxy_buffering off;
                    proxy_read_timeout 1h;
                }
            }
        }
        """
    }

    static func start(upstreams: [Int]) async throws -> RoundRobinNginx {
        let folder = try TemporaryFolder()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.url.path)
        let port = try freePort()
        try folder.write("nginx.conf", configuration(port: port, upstreams: upstreams, prefix: folder.url.path))
        try await ClusterDatabase.run("/usr/sbin/nginx", ["-p", folder.url.path, "-c", folder.path("nginx.conf")])
        let nginx = RoundRobinNginx(folder: folder, port: port)
        let up = await eventually(timeout: .seconds(10)) { (try? await send(port: port, .GET, "/healthz", host: "127.0.0.1"))?.status == 200 }
        try #require(up, "nginx did not answer: \((try? String(contentsOfFile: folder.path("error.log"), encoding: .utf8)) ?? "")")
        return nginx
    }

    func stop() async throws {
        try await ClusterDatabase.run("/usr/sbin/nginx", ["-p", folder.url.path, "-c", folder.path("nginx.conf"), "-s", "stop"])
        _ = await eventually(timeout: .seconds(5)) { !FileManager.default.fileExists(atPath: folder.path("nginx.pid")) }
        folder.remove()
    }

    /// A port nothing listens on now (bound, read, released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound, "no free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
