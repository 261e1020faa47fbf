import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Plays solo streams opened with `?clock=manual&client=LABEL` to their end on the manual clock: while `body` runs,
/// the playback labelled `label` is moved to its next cue (`POST /api/playbacks/LABEL/next`), again and again.
///
/// A scenario's test then takes as long as its requests, not as long as its cues: no wall-clock wait, and each
/// cue still comes in order, at its own moment of the stream's clock. A playback that does not exist yet (the
/// client is still connecting, or reconnecting after the server hung up) or has finished is waited for, briefly.
public func stepping<T: Sendable>(port: Int, label: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            var request = HTTPClientRequest(url: "http://localhost:\(port)/api/playbacks/\(label)/next")
            request.method = .POST
            while !Task.isCancelled {
                var moved = false
                if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) {
                    moved = response.status.code == 200
                    _ = try? await response.body.collect(upTo: 1 << 16)
                }
                if !moved { try? await Task.sleep(for: .milliseconds(5)) }
            }
            return nil
        }
        group.addTask { try await body() }
        while let next = try await group.next() {
            if let result = next {
                group.cancelAll()
                return result
            }
        }
        throw CancellationError()
    }
}
