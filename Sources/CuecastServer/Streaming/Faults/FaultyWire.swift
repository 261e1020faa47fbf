import CuecastCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Where a stream that asked for faults writes, in front of its writer (`StreamWriter`, HTTP/1 or an HTTP/2 record):
/// the one place a fault touches the stream. The head gets its status and content type, the body goes through the stream's
/// ``FaultTransform`` (line ends, byte order mark, junk, the N-th event), and with `drip` or `latency` every part
/// is queued and written when due, in order, by a timer on the connection's event loop.
///
/// **What it holds counts.** The bytes queued here are the subscriber's as much as those in the socket: `held`
/// says how many, and the stream adds them to its buffer (`StreamConnection`), so a dripping or delayed stream is
/// cut off past its budget like any slow reader. Before this count, ten `?drip=1000` subscribers of a channel fed
/// 150 events of 60 KB took the server from 40 MiB to 4.7 GiB (issue 22): each byte was queued as a part of its
/// own, with its deadline and an array, about 80 bytes of memory for every byte to send. A body is now queued as
/// one buffer, and dripped from it a byte at a time (each byte a slice of it, no copy).
///
/// A stream without faults never makes one, so the ordinary path is what it was. On the loop only.
final class FaultyWire {
    private enum Part {
        case head(HTTPResponse)
        case body(ByteBuffer)
        /// Runs when reached, after everything queued before it was written (the end of the response).
        case action(() -> Void)
    }

    let faults: StreamFaults
    private var transform: FaultTransform
    private let writer: StreamWriter
    /// Parts waiting for their moment, in order; empty unless paced.
    private var queue = CircularBuffer<(due: NIODeadline, part: Part)>()
    private var timer: Scheduled<Void>?
    /// When the last dripped byte was written: the next one waits `drip` after it.
    private var lastByte = NIODeadline.uptimeNanoseconds(0)
    /// Pacing is on (`drip`, `latency`) until the stream hurries to its end.
    private var paced: Bool
    /// Body bytes queued and not yet written.
    private(set) var held = 0
    /// Called after a timer has written what was due: the stream may have room for more now.
    var wrote: (() -> Void)?

    init(faults: StreamFaults, writer: StreamWriter) {
        self.faults = faults
        self.transform = FaultTransform(faults)
        self.writer = writer
        self.paced = faults.drip != nil || faults.latency != nil
    }

    /// The response head, with the status and content type the faults ask for.
    func head(_ head: HTTPResponse) {
        var head = head
        if let status = faults.status { head.status = HTTPResponse.Status(code: status) }
        if let contentType = faults.contentType { head.headerFields[.contentType] = contentType }
        put(.head(head))
    }

    /// Body bytes as the encoder wrote them; says what the stream must do once they are written.
    func body<Bytes: Sequence>(_ bytes: Bytes) -> FaultTransform.After where Bytes.Element == UInt8 {
        let (output, after) = transform.apply(bytes)
        if !output.isEmpty { put(.body(ByteBufferAllocator().buffer(bytes: output))) }
        return after
    }

    /// Runs `action` once everything given before it is written.
    func then(_ action: @escaping () -> Void) { put(.action(action)) }

    /// No more pacing: what is queued goes out now (the server is shutting down, or the stream is cut off, and a
    /// goodbye should not drip).
    func hurry() {
        paced = false
        timer?.cancel()
        timer = nil
        held = 0
        while let (_, part) = queue.popFirst() { write(part) }
    }

    /// The channel is gone: nothing queued can be delivered.
    func cancel() {
        paced = false
        timer?.cancel()
        timer = nil
        held = 0
        queue.removeAll()
    }

    private func put(_ part: Part) {
        guard paced else {
            write(part)
            return
        }
        var due = NIODeadline.now() + TimeAmount(faults.latency ?? .zero)
        if case .body(let bytes) = part {
            held += bytes.readableBytes
            if let drip = faults.drip { due = max(due, lastByte + TimeAmount(drip)) }
        }
        queue.append((due, part))
        if timer == nil { schedule() }
    }

    private func schedule() {
        guard let first = queue.first else { return }
        timer = writer.eventLoop.assumeIsolated().scheduleTask(deadline: first.due) { [weak self] in self?.fire() }
    }

    /// Writes what is due. With `drip`, one byte of the first body, the rest of it waiting `drip` more.
    private func fire() {
        timer = nil
        let now = NIODeadline.now()
        while paced, let first = queue.first, first.due <= now {
            if let drip = faults.drip, case .body(var bytes) = first.part, let byte = bytes.readSlice(length: 1) {
                held -= 1
                lastByte = now
                write(.body(byte))
                if bytes.readableBytes > 0 {
                    queue[queue.startIndex] = (now + TimeAmount(drip), .body(bytes))
                } else {
                    queue.removeFirst()
                    // The next part follows `drip` after this byte, not at once.
                    if let next = queue.first { queue[queue.startIndex] = (max(next.due, now + TimeAmount(drip)), next.part) }
                }
                continue
            }
            queue.removeFirst()
            if case .body(let bytes) = first.part { held -= bytes.readableBytes }
            write(first.part)
        }
        if paced { schedule() }
        wrote?()
    }

    private func write(_ part: Part) {
        switch part {
        case .head(let head):
            // Flushed on its own: a stream whose body starts empty (no welcome, no retry) is still open at once.
            writer.writeHead(head)
            writer.flush()
        case .body(let bytes):
            writer.writeBody(bytes)
            writer.flush()
        case .action(let action):
            action()
        }
    }
}
