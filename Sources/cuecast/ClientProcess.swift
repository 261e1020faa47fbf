import CuecastCore
import Foundation
import Synchronization

/// A client command run by `cuecast conformance`: its stdout read as it comes (events, and comments for the cases
/// of that capability), its stderr kept for the report, told to restart on stdin when the case asks, stopped after
/// a timeout.
enum ClientProcess {
    struct Result: Sendable {
        /// The JSON objects it printed, as events (`type`, `data`, and `id` or `lastEventId`).
        var events: [ParsedEvent]
        /// The `{"comment": …}` objects it printed.
        var comments: [String]
        /// Lines of stdout that were neither.
        var otherLines: Int
        /// Its exit status; `nil` if it could not be started.
        var status: Int32?
        /// It was still running at the timeout, and was stopped.
        var timedOut: Bool
        /// Why it could not be started.
        var launchError: String?
        /// The end of what it wrote on stderr.
        var stderr: String

        /// `env` (which runs the command) exits 126 or 127 when the command cannot be run, and says why on stderr.
        var couldNotStart: String? {
            if let launchError { return launchError }
            guard status == 126 || status == 127, stderr.hasPrefix("/usr/bin/env:") || stderr.hasPrefix("env:") else { return nil }
            return stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// How much of stderr a report shows.
    static let stderrLimit = 4_096

    /// Runs `arguments` (looked up on PATH) with `environment` added to this process's, and "restart" written to its
    /// stdin once it has printed `restartAfterEvents` events.
    static func run(_ arguments: [String], environment: [String: String], restartAfterEvents: Int?, timeout: Duration) async -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = restartAfterEvents == nil ? FileHandle.nullDevice : stdin
        let output = Mutex((data: Data(), open: true, restartSent: false))
        let errors = Mutex((data: Data(), open: true))
        // Each pipe is read by a blocking loop on a thread of its own, not by `readabilityHandler`: on Linux the
        // handler now and then misses the end of a pipe whose last bytes and end come together (a client that
        // prints and exits at once, about one case in fifteen), and each miss held the case 2 s below.
        let readStdout: @Sendable (Data) -> Void = { data in
            let restart = output.withLock { output -> Bool in
                if data.isEmpty {
                    output.open = false
                    return false
                }
                output.data.append(data)
                guard let after = restartAfterEvents, !output.restartSent, parse(output.data).events.count >= after else { return false }
                output.restartSent = true
                return true
            }
            if restart { try? stdin.fileHandleForWriting.write(contentsOf: Data("restart\n".utf8)) }
        }
        let readStderr: @Sendable (Data) -> Void = { data in
            errors.withLock { errors in
                if data.isEmpty {
                    errors.open = false
                } else {
                    errors.data.append(data)
                    if errors.data.count > 2 * stderrLimit { errors.data = errors.data.suffix(stderrLimit) }
                }
            }
        }
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        do {
            try process.run()
        } catch {
            return Result(
                events: [], comments: [], otherLines: 0, status: nil, timedOut: false, launchError: error.localizedDescription, stderr: ""
            )
        }
        for (pipe, read) in [(stdout, readStdout), (stderr, readStderr)] {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread {
                while true {
                    let data = handle.availableData
                    read(data)
                    if data.isEmpty { break }
                }
            }
        }
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exited.stream {}
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if timedOut {
            // Not `exited.stream` again: cancelling the task that iterated it ended it, so it would return at once,
            // before the exit, and `terminationStatus` traps on a running process.
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(2)
            while process.isRunning {
                if ContinuousClock.now > deadline { kill(process.processIdentifier, SIGKILL) }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        try? stdin.fileHandleForWriting.close()
        // The pipes' last bytes may land just after the exit.
        let deadline = ContinuousClock.now + .seconds(2)
        while output.withLock({ $0.open }) || errors.withLock({ $0.open }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let parsed = parse(output.withLock { $0.data })
        let text = String(decoding: errors.withLock { $0.data }.suffix(stderrLimit), as: UTF8.self)
        return Result(
            events: parsed.events, comments: parsed.comments, otherLines: parsed.other, status: process.terminationStatus, timedOut: timedOut,
            launchError: nil, stderr: text
        )
    }

    /// One JSON object per line: an event (`type`, `data`, `id` or `lastEventId`) or a comment (`comment`).
    static func parse(_ data: Data) -> (events: [ParsedEvent], comments: [String], other: Int) {
        var events: [ParsedEvent] = []
        var comments: [String] = []
        var other = 0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard case .object(let fields)? = try? JSONParser.parse(Array(line)).value else {
                other += 1
                continue
            }
            func text(_ key: String) -> String? {
                if case .string(let value)? = fields.first(where: { $0.0 == key })?.1 { return value }
                return nil
            }
            if let type = text("type"), let data = text("data") {
                events.append(ParsedEvent(type: type, data: data, lastEventId: text("lastEventId") ?? text("id") ?? ""))
            } else if let comment = text("comment") {
                comments.append(comment)
            } else {
                other += 1
            }
        }
        return (events, comments, other)
    }

    /// Why `command` cannot be started, if it plainly cannot: not on PATH, or not an executable file.
    static func launchProblem(_ command: String) -> String? {
        let fileManager = FileManager.default
        if command.contains("/") {
            guard fileManager.fileExists(atPath: command) else { return "'\(command)' does not exist" }
            return fileManager.isExecutableFile(atPath: command) ? nil : "'\(command)' is not executable"
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let found = path.split(separator: ":").contains { fileManager.isExecutableFile(atPath: "\($0)/\(command)") }
        return found ? nil : "'\(command)' is not found on PATH (\(path))"
    }
}
