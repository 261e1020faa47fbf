import Foundation

/// A worker process seen from the coordinator: commands go to its standard input, and each command is
/// answered by one JSON line on its standard output.
final class WorkerProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()
    private let decoder = JSONDecoder()

    /// Starts `executable bench-worker --url URL --count N --source ADDRESS`.
    init(executable: String, url: URL, count: Int, sourceAddress: String) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["bench-worker", "--url", url.absoluteString, "--count", String(count), "--source", sourceAddress]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// The first report: sent once every subscriber is held, refused or failed.
    func ready() async throws -> WorkerReport { try await readReport() }

    func send(_ command: String) async throws -> WorkerReport {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return try await readReport()
    }

    func quit() {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func readReport() async throws -> WorkerReport {
        let line = try await readLine()
        return try decoder.decode(WorkerReport.self, from: line)
    }

    /// One line from the worker, read on a thread of its own so no cooperative thread blocks.
    private func readLine() async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { [self] in
                while true {
                    if let newline = buffered.firstIndex(of: 0x0A) {
                        let line = buffered[buffered.startIndex..<newline]
                        buffered = Data(buffered[(newline + 1)...])
                        continuation.resume(returning: Data(line))
                        return
                    }
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty {
                        continuation.resume(throwing: BenchError("a load worker exited early (status \(process.isRunning ? "running" : String(process.terminationStatus)))"))
                        return
                    }
                    buffered.append(chunk)
                }
            }
        }
    }
}
