import Foundation
import Synchronization
import Testing

/// The built `cuecast` executable, found next to the test bundle (the products directory, e.g. `.build/debug`).
enum CuecastExecutable {
    static let url: URL? = {
        var candidates: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
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
}

/// A `cuecast` process the test started: its output is collected as it comes, and it is killed (by pid) if the
/// test leaves it running.
final class CLIProcess: Sendable {
    private let process: Process
    private let output = Output()

    private final class Output: Sendable {
        let state = Mutex((stdout: Data(), stderr: Data(), openPipes: 2))
    }

    init(_ arguments: [String]) throws {
        let executable = try #require(CuecastExecutable.url, "no cuecast executable next to the tests: run `swift build --build-tests` first")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        self.process = process
        for (pipe, isStdout) in [(stdout, true), (stderr, false)] {
            pipe.fileHandleForReading.readabilityHandler = { [output] handle in
                let data = handle.availableData
                output.state.withLock { output in
                    if data.isEmpty {
                        handle.readabilityHandler = nil
                        output.openPipes -= 1
                    } else if isStdout {
                        output.stdout.append(data)
                    } else {
                        output.stderr.append(data)
                    }
                }
            }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { output.state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    var stderr: String { output.state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Sends `signal` (SIGINT for Ctrl-C) to this process only.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit and its output to be read; its exit status, or nil if it is still running.
    func waitForExit(timeout: Duration) async -> Int32? {
        let exited = await eventually(timeout: timeout, interval: .milliseconds(5)) { !process.isRunning }
        guard exited else { return nil }
        await eventually(timeout: .seconds(2), interval: .milliseconds(5)) { output.state.withLock { $0.openPipes == 0 } }
        return process.terminationStatus
    }

    /// Runs `cuecast` to completion (killing it after `timeout`).
    static func run(_ arguments: [String], timeout: Duration = .seconds(20)) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try CLIProcess(arguments)
        let status = await process.waitForExit(timeout: timeout)
        if status == nil { process.send(SIGKILL) }
        return (status, process.stdout, process.stderr)
    }
}
