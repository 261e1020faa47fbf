import CuecastCore
import Foundation
import Synchronization

/// A client command run by `cuecast conformance`: its stdout read as it comes, stopped after a timeout.
enum ClientProcess {
    struct Result: Sendable {
        /// The JSON objects it printed, as events (`type`, `data`, and `id` or `lastEventId`).
        var events: [ParsedEvent]
        /// Lines of stdout that were not such an object.
        var otherLines: Int
        /// Its exit status; `nil` if it could not be started.
        var status: Int32?
        /// It was still running at the timeout, and was stopped.
        var timedOut: Bool
        /// Why it could not be started.
        var launchError: String?
    }

    /// Runs `arguments` (looked up on PATH) with stdin closed and stderr discarded.
    static func run(_ arguments: [String], timeout: Duration) async -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let output = Mutex((data: Data(), open: true))
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.withLock { output in
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    output.open = false
                } else {
                    output.data.append(data)
                }
            }
        }
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        do {
            try process.run()
        } catch {
            return Result(events: [], otherLines: 0, status: nil, timedOut: false, launchError: error.localizedDescription)
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
            process.terminate()
            for await _ in exited.stream {}
        }
        // The pipe's last bytes may land just after the exit.
        let deadline = ContinuousClock.now + .seconds(2)
        while output.withLock({ $0.open }), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        let (events, other) = parse(output.withLock { $0.data })
        return Result(events: events, otherLines: other, status: process.terminationStatus, timedOut: timedOut)
    }

    /// One JSON object per line.
    static func parse(_ data: Data) -> ([ParsedEvent], Int) {
        var events: [ParsedEvent] = []
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
            guard let type = text("type"), let data = text("data") else {
                other += 1
                continue
            }
            events.append(ParsedEvent(type: type, data: data, lastEventId: text("lastEventId") ?? text("id") ?? ""))
        }
        return (events, other)
    }
}
