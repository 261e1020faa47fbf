import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A server the benchmark starts, measures through `/proc`, and stops: Cuecast itself or the Node.js reference.
///
/// Publishing and `/healthz` always go over HTTP/1.1 on the plain port, so every protocol pays the same for a
/// publish; only the subscribers' streams use the protocol being measured (on the TLS port for `https` and `h2`).
final class ServerUnderTest: @unchecked Sendable {
    let name: String
    let wire: WireProtocol
    let streamURL: URL
    let publishURL: URL
    let healthURL: URL
    private let process: Process
    let logFile: URL
    /// Started with `--cluster`: healthy once its link to PostgreSQL is up.
    private let clustered: Bool

    private init(
        name: String, wire: WireProtocol, arguments: [String], executable: String, port: Int, streamPort: Int, streamPath: String,
        logFile: URL
    ) throws {
        self.name = name
        self.clustered = arguments.contains("--cluster")
        self.wire = wire
        let base = URL(string: "http://127.0.0.1:\(port)")!
        let streamBase = URL(string: "\(wire.usesTLS ? "https" : "http")://127.0.0.1:\(streamPort)")!
        self.streamURL = URL(string: streamPath, relativeTo: streamBase)!.absoluteURL
        self.publishURL = URL(string: "/generateEvent", relativeTo: base)!.absoluteURL
        self.healthURL = URL(string: "/healthz", relativeTo: base)!.absoluteURL
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// `cuecast serve` on the channel route, with no scenarios, no pages and publishing unthrottled; for `https` and
    /// `h2` also on a TLS port (`--https-port`, ALPN h2 and http/1.1); `h2c` is served on the plain port. With
    /// `cluster`, an instance sharing its streams through that PostgreSQL (`--cluster`).
    static func cuecast(
        executable: String, port: Int, wire: WireProtocol, certificate: BenchCertificate?, maxSubscribers: Int?,
        cluster: String? = nil, workFolder: URL
    ) throws -> ServerUnderTest {
        let scenarios = workFolder.appendingPathComponent("no-scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        var arguments = [
            "serve", "--host", "127.0.0.1", "--port", String(port), "--scenarios", scenarios.path,
            "--public", workFolder.appendingPathComponent("no-pages").path, "--publish-rate", "1000000", "--log-level", "warning",
        ]
        if let maxSubscribers { arguments += ["--max-subscribers", String(maxSubscribers)] }
        if let cluster { arguments += ["--cluster", cluster] }
        var streamPort = port
        if wire.usesTLS {
            let certificate = try require(certificate, for: wire)
            streamPort = try freePort(other: port)
            arguments += ["--https-port", String(streamPort), "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath]
        }
        return try ServerUnderTest(
            name: "Cuecast", wire: wire, arguments: arguments, executable: executable, port: port, streamPort: streamPort,
            streamPath: "/subscribeToEvents?history=none", logFile: workFolder.appendingPathComponent("cuecast-\(port).log")
        )
    }

    /// The plain Node.js fan-out server in `Benchmarks/node`: HTTP/1.1 on `--port` as always, and for the other
    /// protocols a second server sharing its subscribers: `--h2c-port` (`http2.createServer`) or `--https-port`
    /// (`http2.createSecureServer`, ALPN h2 and http/1.1).
    static func node(
        node: String, script: String, port: Int, wire: WireProtocol, certificate: BenchCertificate?, workFolder: URL
    ) throws -> ServerUnderTest {
        var arguments = [node, script, "--host", "127.0.0.1", "--port", String(port)]
        var streamPort = port
        if wire != .http1 { streamPort = try freePort(other: port) }
        switch wire {
        case .http1: break
        case .h2c: arguments += ["--h2c-port", String(streamPort)]
        case .https, .h2:
            let certificate = try require(certificate, for: wire)
            arguments += ["--https-port", String(streamPort), "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath]
        }
        // Through env, which finds `node` on the PATH and then becomes it (same process id, so /proc still measures it).
        return try ServerUnderTest(
            name: "Node.js", wire: wire, arguments: arguments, executable: "/usr/bin/env", port: port, streamPort: streamPort,
            streamPath: "/subscribeToEvents", logFile: workFolder.appendingPathComponent("node-\(port).log")
        )
    }

    private static func require(_ certificate: BenchCertificate?, for wire: WireProtocol) throws -> BenchCertificate {
        guard let certificate else { throw BenchError("\(wire.rawValue) needs a TLS certificate, and none was made") }
        return certificate
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until `/healthz` answers 200 and the streams' port takes connections (and, for an instance of a cluster,
    /// until `/healthz` says its link to PostgreSQL is up: before that a publish is refused with 503), or fails with
    /// the server's log if it exits or takes over 30 s.
    func waitUntilHealthy() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            let listening = streamURL.port == healthURL.port || isListening(port: streamURL.port ?? 0)
            if listening, clustered ? await clusterLinkIsUp() : await isHealthy() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw BenchError("\(name) did not become healthy at \(healthURL); its output:\n\(log)")
    }

    /// Resident memory in bytes (`VmRSS`).
    func residentBytes() -> Int? { Self.status(pid: pid, field: "VmRSS:") }

    /// User plus system CPU seconds the process has used.
    func cpuSeconds() -> Double? {
        (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)).flatMap(processCPUSeconds(stat:))
    }

    var isRunning: Bool { process.isRunning }

    /// Whether `/healthz` answers 200 with `"cluster": {"link": "up"}`.
    private func clusterLinkIsUp() async -> Bool {
        guard process.isRunning,
              let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: healthURL.absoluteString), timeout: .seconds(2)),
              response.status == .ok,
              let body = try? await response.body.collect(upTo: 1 << 16),
              let health = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let cluster = health["cluster"] as? [String: Any]
        else { return false }
        return cluster["link"] as? String == "up"
    }

    /// Whether it is running and `/healthz` answers 200 within 2 s.
    func isHealthy() async -> Bool {
        guard process.isRunning,
              let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: healthURL.absoluteString), timeout: .seconds(2))
        else { return false }
        return response.status == .ok
    }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    private static func status(pid: Int32, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            let kilobytes = line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}
