import Foundation

/// A worker process seen from the coordinator: commands go to its standard input, and each command is
/// answered by one JSON line on its standard output.
final class WorkerProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    /// Reply lines, read by one thread of their own so no cooperative thread blocks on the pipe.
    private var lines: AsyncStream<Data>.Iterator
    private let decoder = JSONDecoder()

    /// Starts `executable bench-worker --url URL --count N --source ADDRESS`, and for a protocol other than HTTP/1.1
    /// `--protocol NAME --streams-per-connection N`.
    init(executable: String, url: URL, count: Int, sourceAddress: String, wire: WireProtocol = .http1, streamsPerConnection: Int = 100) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["bench-worker", "--url", url.absoluteString, "--count", String(count), "--source", sourceAddress]
        if wire != .http1 {
            process.arguments? += ["--protocol", wire.rawValue, "--streams-per-connection", String(streamsPerConnection)]
        }
        process.standardInput = input
        process.standardOutput = output
        let reading = output.fileHandleForReading
        lines = AsyncStream<Data> { continuation in
            Thread.detachNewThread {
                var buffered = Data()
                while true {
                    let chunk = reading.availableData
                    if chunk.isEmpty { break }
                    buffered.append(chunk)
                    while let newline = buffered.firstIndex(of: 0x0A) {
                        continuation.yield(Data(buffered[buffered.startIndex..<newline]))
                        buffered = Data(buffered[(newline + 1)...])
                    }
                }
                continuation.finish()
            }
        }.makeAsyncIterator()
        try process.run()
    }

    /// The first report: sent once every subscriber is held, refused or failed.
    func ready() async throws -> WorkerReport { try await read(WorkerReport.self) }

    /// Sends `command` and decodes its one-line answer.
    func send<Reply: Decodable>(_ command: String, as reply: Reply.Type = WorkerReport.self) async throws -> Reply {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return try await read(reply)
    }

    func quit() {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func read<Reply: Decodable>(_ reply: Reply.Type) async throws -> Reply {
        guard let line = await lines.next() else {
            throw BenchError("a load worker exited early (status \(process.isRunning ? "running" : String(process.terminationStatus)))")
        }
        return try decoder.decode(reply, from: line)
    }
}
