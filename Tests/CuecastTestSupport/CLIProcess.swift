import Foundation
import Synchronization
import Testing

/// The built `cuecast` executable, found next to the test bundle (the products directory, e.g. `.build/debug`).
public enum CuecastExecutable {
    public static let url: URL? = {
        var candidates: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Walk up a few levels from each (a macOS .xctest bundle nests its binary in Contents/MacOS).
        for start in candidates {
            var directory = start
            for _ in 0..<4 {
                let executable = directory.appendingPathComponent("cuecast")
                if FileManager.default.isExecutableFile(atPath: executable.path) { return executable }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }()

    /// The package root, from this file's path: scenarios live there.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A `cuecast` process the test started: its output is collected as it comes, and it is killed (by pid) if the
/// test leaves it running.
public final class CLIProcess: Sendable {
    private let process: Process
    private let output = Output()

    /// What the process wrote, collected by the pipes' handlers.
    private final class Output: Sendable {
        let state = Mutex((stdout: Data(), stderr: Data(), openPipes: 2))
    }

    /// Starts `cuecast` with `arguments`, in the package root unless told otherwise, with `environment` added to
    /// this process's own.
    public init(_ arguments: [String], in directory: URL = CuecastExecutable.packageRoot, environment: [String: String] = [:]) throws {
        let executable = try #require(CuecastExecutable.url, "no cuecast executable next to the tests: run `swift build --build-tests` first")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given } }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try launch(process)
        // A blocking read on a thread of its own per pipe, not `readabilityHandler`: on Linux the handler now and
        // then misses the end of a pipe whose last bytes and end come together (about one run in fifteen of a
        // process that prints and exits at once), and each miss cost a test the 2 s wait in `waitForExit`.
        for (pipe, isStdout) in [(stdout, true), (stderr, false)] {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [output] in
                while true {
                    let data = handle.availableData
                    let ended = output.state.withLock { output -> Bool in
                        if data.isEmpty {
                            output.openPipes -= 1
                        } else if isStdout {
                            output.stdout.append(data)
                        } else {
                            output.stderr.append(data)
                        }
                        return data.isEmpty
                    }
                    if ended { break }
                }
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }
    public var stdout: String { output.state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    public var stderr: String { output.state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Sends SIGTERM, as a service manager would.
    public func terminate() { send(SIGTERM) }

    /// Sends `signal` (SIGINT for Ctrl-C) to this process only.
    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit and its output to be read; its exit status, or nil if it is still running.
    public func waitForExit(timeout: Duration) async -> (status: Int32, reason: Process.TerminationReason)? {
        let exited = await eventually(timeout: timeout, interval: .milliseconds(5)) { !process.isRunning }
        guard exited else { return nil }
        await eventually(timeout: .seconds(2), interval: .milliseconds(5)) { output.state.withLock { $0.openPipes == 0 } }
        return (process.terminationStatus, process.terminationReason)
    }

    /// Waits until stdout or stderr contains a match for `pattern`; returns the first capture group (or the match).
    public func waitForOutput(matching pattern: String, timeout: Duration) async throws -> String? {
        let regex = try NSRegularExpression(pattern: pattern)
        var found: String?
        await eventually(timeout: timeout, interval: .milliseconds(10)) {
            let text = self.stdout + "\n" + self.stderr
            guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return !process.isRunning }
            let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            found = Range(range, in: text).map { String(text[$0]) }
            return true
        }
        return found
    }

    /// Runs `cuecast` to completion (killing it after `timeout`).
    public static func run(
        _ arguments: [String], in directory: URL = CuecastExecutable.packageRoot, environment: [String: String] = [:], timeout: Duration = .seconds(20)
    ) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try CLIProcess(arguments, in: directory, environment: environment)
        let exit = await process.waitForExit(timeout: timeout)
        if exit == nil { kill(process.pid, SIGKILL) }
        return (exit?.status, process.stdout, process.stderr)
    }
}

/// Starts `process`, one at a time across the test run: with hundreds of tests at once, a test process crashed
/// inside Foundation's `Process.run` (a `memcpy`) while others were starting theirs. Starting is quick; only the
/// start is serialized, not the processes.
public func launch(_ process: Process) throws {
    try launching.withLock { _ in try process.run() }
}

private let launching = Mutex(())

/// A fresh temporary folder, removed by `remove()`.
public struct TemporaryFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cuecast-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
