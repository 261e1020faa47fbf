import CuecastCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Where a stream that asked for faults writes, instead of straight into its context: the one place a fault
/// touches the stream. The head gets its status and content type, the body goes through the stream's
/// ``FaultTransform`` (line ends, byte order mark, junk, the N-th event), and with `drip` or `latency` every part
/// is queued and written when due, in order, by a timer on the connection's event loop.
///
/// A stream without faults never makes one, so the ordinary path is what it was. On the loop only.
final class FaultyWire {
    private enum Part {
        case head(HTTPResponse)
        case body([UInt8])
        /// Runs when reached, after everything queued before it was written (the end of the response).
        case action(() -> Void)
    }

    let faults: StreamFaults
    private var transform: FaultTransform
    private let context: ChannelHandlerContext
    /// Parts waiting for their moment, in order; empty unless paced.
    private var queue = CircularBuffer<(due: NIODeadline, part: Part)>()
    private var lastDue = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?
    /// Pacing is on (`drip`, `latency`) until the stream hurries to its end.
    private var paced: Bool

    init(faults: StreamFaults, context: ChannelHandlerContext) {
        self.faults = faults
        self.transform = FaultTransform(faults)
        self.context = context
        self.paced = faults.drip != nil || faults.latency != nil
    }

    /// The response head, with the status and content type the faults ask for.
    func head(_ head: HTTPResponse) {
        var head = head
        if let status = faults.status { head.status = HTTPResponse.Status(code: status) }
        if let contentType = faults.contentType { head.headerFields[.contentType] = contentType }
        put(.head(head), spacing: .zero)
    }

    /// Body bytes as the encoder wrote them; says what the stream must do once they are written.
    func body<Bytes: Sequence>(_ bytes: Bytes) -> FaultTransform.After where Bytes.Element == UInt8 {
        let (output, after) = transform.apply(bytes)
        if let drip = faults.drip, paced {
            for byte in output { put(.body([byte]), spacing: TimeAmount(drip)) }
        } else if !output.isEmpty {
            put(.body(output), spacing: .zero)
        }
        return after
    }

    /// Runs `action` once everything given before it is written.
    func then(_ action: @escaping () -> Void) { put(.action(action), spacing: .zero) }

    /// No more pacing: what is queued goes out now (the server is shutting down, and a goodbye should not drip).
    func hurry() {
        paced = false
        timer?.cancel()
        timer = nil
        while let (_, part) = queue.popFirst() { write(part) }
    }

    /// The channel is gone: nothing queued can be delivered.
    func cancel() {
        paced = false
        timer?.cancel()
        timer = nil
        queue.removeAll()
    }

    private func put(_ part: Part, spacing: TimeAmount) {
        guard paced else {
            write(part)
            return
        }
        let now = NIODeadline.now()
        let due = max(now + TimeAmount(faults.latency ?? .zero), lastDue + spacing)
        lastDue = due
        queue.append((due, part))
        if timer == nil { schedule() }
    }

    private func schedule() {
        guard let first = queue.first else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: first.due) { [weak self] in self?.fire() }
    }

    private func fire() {
        timer = nil
        let now = NIODeadline.now()
        while let first = queue.first, first.due <= now {
            queue.removeFirst()
            write(first.part)
        }
        if paced { schedule() }
    }

    private func write(_ part: Part) {
        switch part {
        case .head(let head):
            // Flushed on its own: a stream whose body starts empty (no welcome, no retry) is still open at once.
            context.writeAndFlush(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        case .body(let bytes):
            context.writeAndFlush(NIOAny(HTTPResponsePart.body(context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        case .action(let action):
            action()
        }
    }
}
