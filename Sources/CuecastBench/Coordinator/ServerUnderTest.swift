import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A server the benchmark starts, measures through `/proc`, and stops: Cuecast itself or the Node.js reference.
final class ServerUnderTest: @unchecked Sendable {
    let name: String
    let streamURL: URL
    let publishURL: URL
    let healthURL: URL
    private let process: Process
    let logFile: URL

    private init(name: String, arguments: [String], executable: String, base: URL, streamPath: String, logFile: URL) throws {
        self.name = name
        self.streamURL = URL(string: streamPath, relativeTo: base)!.absoluteURL
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

    /// `cuecast serve` on the channel route, with no scenarios, no pages and publishing unthrottled.
    static func cuecast(executable: String, port: Int, maxSubscribers: Int?, workFolder: URL) throws -> ServerUnderTest {
        let scenarios = workFolder.appendingPathComponent("no-scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        var arguments = [
            "serve", "--host", "127.0.0.1", "--port", String(port), "--scenarios", scenarios.path,
            "--public", workFolder.appendingPathComponent("no-pages").path, "--publish-rate", "1000000", "--log-level", "warning",
        ]
        if let maxSubscribers { arguments += ["--max-subscribers", String(maxSubscribers)] }
        return try ServerUnderTest(
            name: "Cuecast", arguments: arguments, executable: executable, base: URL(string: "http://127.0.0.1:\(port)")!,
            streamPath: "/subscribeToEvents?history=none", logFile: workFolder.appendingPathComponent("cuecast-\(port).log")
        )
    }

    /// The plain Node.js `http` fan-out server in `Benchmarks/node`.
    static func node(node: String, script: String, port: Int, workFolder: URL) throws -> ServerUnderTest {
        // Through env, which finds `node` on the PATH and then becomes it (same process id, so /proc still measures it).
        try ServerUnderTest(
            name: "Node.js", arguments: [node, script, "--host", "127.0.0.1", "--port", String(port)], executable: "/usr/bin/env",
            base: URL(string: "http://127.0.0.1:\(port)")!, streamPath: "/subscribeToEvents",
            logFile: workFolder.appendingPathComponent("node-\(port).log")
        )
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until `/healthz` answers 200, or fails with the server's log if it exits or takes over 30 s.
    func waitUntilHealthy() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if await isHealthy() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw BenchError("\(name) did not become healthy at \(healthURL); its output:\n\(log)")
    }

    /// Resident memory in bytes (`VmRSS`).
    func residentBytes() -> Int? { Self.status(pid: pid, field: "VmRSS:") }

    /// User plus system CPU seconds the process has used.
    func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    var isRunning: Bool { process.isRunning }

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
