import Foundation
import Testing

/// curl, run as a real HTTP/2 client (it speaks `--http2-prior-knowledge` and, over TLS, ALPN), for what
/// AsyncHTTPClient cannot do: cleartext HTTP/2. Output is collected until curl exits (`--max-time` bounds it).
final class Curl: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private var collected = Data()
    private let done = DispatchSemaphore(value: 0)

    /// Starts `curl ARGS` (stdout: the response, with `-i` its head too).
    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let handle = output.fileHandleForReading
        try process.run()
        Thread.detachNewThread { [self] in
            collected = handle.readDataToEndOfFile()
            done.signal()
        }
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
        return String(decoding: collected, as: UTF8.self)
    }
}
