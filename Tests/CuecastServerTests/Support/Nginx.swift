import CuecastTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx, started by the test in front of one Cuecast server or several (round-robin, nginx's default for an
/// `upstream`): an unprivileged prefix in a temporary folder (its pid file, logs and temporary files inside it), a
/// free port, and `docs/nginx/cuecast.conf`, the configuration `docs/deploy.md` and the README recommend, included
/// as it is.
final class Nginx {
    let port: Int
    let folder: TemporaryFolder
    private let process: Process

    static let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let recommended = CuecastExecutable.packageRoot.appendingPathComponent("docs/nginx/cuecast.conf").path

    /// Starts nginx proxying to Cuecast on `upstreamPort`; returns once it accepts connections.
    convenience init(upstreamPort: Int) async throws {
        try await self.init(upstreams: [upstreamPort])
    }

    /// Starts nginx balancing over the Cuecast instances on `upstreams`, in turn; returns once it accepts connections.
    init(upstreams: [Int]) async throws {
        let binary = try #require(Self.binary, "nginx is not installed: run scripts/setup --test (apt-get install nginx)")
        folder = try TemporaryFolder()
        port = try Self.freePort()
        let prefix = folder.url.path
        try FileManager.default.createDirectory(atPath: prefix + "/logs", withIntermediateDirectories: true)
        let configuration = """
            daemon off;
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/logs/error.log info;
            events { worker_connections 1024; }
            http {
                access_log \(prefix)/logs/access.log;
                client_body_temp_path \(prefix)/client_body;
                proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi;
                uwsgi_temp_path \(prefix)/uwsgi;
                scgi_temp_path \(prefix)/scgi;
                upstream cuecast { \(upstreams.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")) }
                server {
                    listen 127.0.0.1:\(port);
                    include \(Self.recommended);
                }
            }

            """
        try folder.write("nginx.conf", configuration)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", prefix, "-c", prefix + "/nginx.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let port = self.port
        let listening = await eventually(timeout: .seconds(10)) { Self.accepts(port: port) }
        guard listening else {
            let log = (try? String(contentsOfFile: prefix + "/logs/error.log", encoding: .utf8)) ?? ""
            stop()
            Issue.record("nginx did not start on port \(port):\n\(log)")
            throw TimedOut(what: "nginx on port \(port)")
        }
    }

    deinit { stop() }

    /// Stops this nginx (its master process, by pid; the worker follows).
    func stop() {
        guard process.isRunning else {
            folder.remove()
            return
        }
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
        folder.remove()
    }

    var errorLog: String { (try? String(contentsOfFile: folder.url.path + "/logs/error.log", encoding: .utf8)) ?? "" }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TimedOut(what: "a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
