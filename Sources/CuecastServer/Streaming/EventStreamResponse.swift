import Foundation
import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Turns a subscription into a `text/event-stream` response, and makes sure it stops when it should.
///
/// The preamble (welcome comment, `retry`, notices) is written and flushed before anything else. Then batches of
/// frames are written as they arrive, one write per batch. The stream stops when the subscription ends (end of
/// the scenario), when the client goes away (noticed at once, not at the next write), when the server shuts down,
/// or when the subscriber falls too far behind; if a stop is asked for but the write is stuck on a client that
/// does not read, the connection is closed after a grace period.
struct EventStreamResponse: Sendable {
    let preamble: [UInt8]
    let subscription: Subscription
    /// Work that feeds the subscription for this connection only (a solo playback); cancelled when the stream ends.
    let producer: (@Sendable () async -> Void)?
    let closeGracePeriod: Duration

    /// `Connection: close` because Hummingbird closes the connection once a response that watched for the client
    /// going away (`consumeWithInboundCloseHandler`) ends; saying so stops a keep-alive client from sending its next
    /// request on a connection that is about to close (it would fail with "connection closed").
    static let headers: HTTPFields = [
        .contentType: "text/event-stream",
        .cacheControl: "no-cache, no-transform",
        .accelBuffering: "no",
        .connection: "close",
    ]

    /// The response, holding `slot` (taken with ``ConnectionRegistry/admit()`` before subscribing) until the stream
    /// ends, and listed in `connections` while it streams (so it can be dropped on request) under the id its
    /// `X-Cuecast-Connection` header announces, and the `?client=` label if one was given. If the body never runs,
    /// the slot is given back when the response is dropped.
    func response(for request: Request, connections: ConnectionRegistry, slot: ConnectionRegistry.Slot, label: String?) -> Response {
        var headers = Self.headers
        headers[.cuecastConnection] = String(slot.id)
        let connection = ConnectionRegistry.Connection(
            id: slot.id, path: request.uri.path, label: label, opened: Date(),
            hangUp: { [subscription] reason, frame in subscription.close(reason, finalFrame: frame) }
        )
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await connections.listing(connection, slot: slot) {
                try await run(request: request, writer: &writer)
            }
        })
    }

    private func run(request: Request, writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(bytes: preamble))
        let subscription = self.subscription
        try await request.body.consumeWithInboundCloseHandler { _ in
            try await withGracefulShutdownHandler {
                try await pump(into: &writer)
            } onGracefulShutdown: {
                subscription.close(.shutdown, finalFrame: .comment("the server is shutting down; reconnect in a moment"))
            }
        } onInboundClosed: {
            subscription.close(.clientGone)
        }
        try await writer.finish(nil)
    }

    /// Writes until the subscription ends; a watcher closes a stuck connection once a stop has been asked for.
    private func pump(into writer: inout any ResponseBodyWriter) async throws {
        // The writer only ever runs in the one child task below; the box carries it there.
        let box = UnsafeWriterBox(writer: writer)
        let subscription = self.subscription
        let grace = closeGracePeriod
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var writer = box.writer
                for await batch in subscription {
                    try await writer.write(Self.buffer(batch))
                }
                return true
            }
            group.addTask {
                let reason = await subscription.closed()
                try await Task.sleep(for: reason == .clientGone ? .milliseconds(100) : grace)
                throw StreamStopped(reason: reason)
            }
            if let producer {
                group.addTask {
                    await producer()
                    return false
                }
            }
            while let writerFinished = try await group.next() {
                if writerFinished {
                    group.cancelAll()
                    return
                }
            }
        }
    }

    /// One buffer for a whole batch: one write, one syscall, however many events were waiting.
    static func buffer(_ batch: [Frame]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: batch.reduce(0) { $0 + $1.bytes.count })
        for frame in batch { buffer.writeBytes(frame.bytes) }
        return buffer
    }
}

/// A stream that was told to stop and did not finish writing within the grace period.
struct StreamStopped: Error {
    let reason: CloseReason
}

/// Carries the response writer into the task that writes; no other task touches it.
private struct UnsafeWriterBox: @unchecked Sendable {
    let writer: any ResponseBodyWriter
}
