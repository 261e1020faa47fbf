import CuecastTestSupport
import Foundation
import Synchronization
import Testing

/// curl, run as a real HTTP/2 client (it speaks `--http2-prior-knowledge` and, over TLS, ALPN), for what
/// AsyncHTTPClient cannot do: cleartext HTTP/2. Output is collected as it comes; a test either waits for curl to
/// exit (`finish`, bounded by `--max-time`) or, for a stream that never ends, waits for what it expects and then
/// stops curl (`stop`) rather than sit out `--max-time`.
final class Curl: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let collected = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    /// Starts `curl ARGS` (stdout: the response, with `-i` its head too).
    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let handle = output.fileHandleForReading
        try launch(process)
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.withLock { $0.append(chunk) }
            }
            done.signal()
        }
    }

    /// What curl has printed so far.
    var text: String { String(decoding: collected.withLock { $0 }, as: UTF8.self) }

    /// Waits until curl has printed `expected`; false if it has not within `timeout`.
    func waitFor(_ expected: String, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout) { self.text.contains(expected) }
    }

    /// Ends curl and returns what it printed. SIGKILL: a child inherits ignored signals, and the test process
    /// ignores SIGTERM (its servers watch for it), so curl would ignore `terminate()`.
    func stop() async -> String {
        kill(process.processIdentifier, SIGKILL)
        return await finish()
    }

    /// Waits for curl to exit; what it printed.
    func finish() async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                done.wait()
                process.waitUntilExit()
                continuation.resume()
            }
        }
        return text
    }
}
