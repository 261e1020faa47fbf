import CuecastCore
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// One streamed reply while it plays: listed with the connections (so the subscriber cap counts it, `GET
/// /api/connections` shows it, `POST /api/connections/{id}/drop` cuts it, and `/api/playbacks` steps its manual
/// clock), counted by the stream metrics, and stopped by a graceful shutdown.
///
/// The body is written through Hummingbird's response writer, which suspends while the socket is not writable:
/// a client that never reads holds one chunk of the reply and its task, never a queue.
struct LLMStream: Sendable {
    let playback: LLMPlayback
    let slot: ConnectionRegistry.Slot
    let path: String
    let label: String?
    let connections: ConnectionRegistry
    let metrics: ServerMetrics
    let stream: StreamLabel

    /// The longest a stalled stream is held before it is cut: a stall is for a client's timeout to fire, and no
    /// client should hold a slot for ever by asking for one.
    static let stallLimit: Duration = .seconds(300)

    /// Why a stream stops before its provider's end: thrown out of the response body, it makes Hummingbird close
    /// the connection without the response's last chunk, so the client sees a broken stream.
    struct Cut: Error {}

    /// What the writer does next: the timing task decides, the writer (which cannot leave this task) does it.
    private enum Output: Sendable {
        case bytes([UInt8])
        case complete
        case cut
    }

    func play<C: Clock>(on clock: C, request: Request, writer: inout any ResponseBodyWriter) async throws where C.Duration == Duration {
        // Unbounded, but holds at most the reply's own chunks (a scenario's size) plus a hang-up or two.
        let (outputs, output) = AsyncStream<Output>.makeStream()
        connections.list(ConnectionRegistry.Connection(
            id: slot.id, path: path, label: label, opened: Date(), hangUp: { _, _ in output.yield(.cut) }, clock: clock as? PlaybackClock
        ))
        metrics.streamOpened(stream)
        var reason = CloseReason.clientGone
        defer {
            connections.end(slot)
            metrics.streamClosed(stream, reason: reason)
        }
        let start = clock.now
        try await withGracefulShutdownHandler {
            // The client leaving is a hang-up too: without it a stalled or slow reply would keep its slot until its
            // next write found the socket gone.
            try await request.body.consumeWithInboundCloseHandler { _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { [playback] in
                        for chunk in playback.chunks {
                            try await clock.sleep(until: start.advanced(by: chunk.at), tolerance: nil)
                            output.yield(.bytes(chunk.bytes))
                        }
                        switch playback.ending {
                        case .complete:
                            output.yield(.complete)
                        case .cut(let at):
                            try await clock.sleep(until: start.advanced(by: at), tolerance: nil)
                            output.yield(.cut)
                        case .stall:
                            try await clock.sleep(until: clock.now.advanced(by: Self.stallLimit), tolerance: nil)
                            output.yield(.cut)
                        }
                    }
                    defer { group.cancelAll() }
                    for await next in outputs {
                        switch next {
                        case .bytes(let bytes):
                            try await writer.write(ByteBuffer(bytes: bytes))
                        case .complete:
                            reason = .finished
                            try await writer.finish(nil)
                            return
                        case .cut:
                            reason = .dropped
                            throw Cut()
                        }
                    }
                }
            } onInboundClosed: {
                output.yield(.cut)
            }
        } onGracefulShutdown: {
            output.yield(.cut)
        }
    }
}
