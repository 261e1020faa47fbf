import NIOCore
import NIOHTTP1

/// How one subscriber's request was answered.
enum SubscribeOutcome: Sendable {
    case held
    case refused(retryAfter: Bool)
    case failed
}

/// One benchmark subscriber: sends the GET, reads the response head, then scans the body for benchmark events.
///
/// The same handler serves every protocol: it sits on an HTTP/1.1 connection (behind TLS for `https`), or on one
/// HTTP/2 stream channel behind NIOHTTP2's `HTTP2FramePayloadToHTTP1ClientCodec` (`h2`, `h2c`).
///
/// The generator shares the machine with the server it measures, so this does as little as it can: no SSE
/// object model, only a line scanner that recognises `data: SEQUENCE SENT_NANOSECONDS` (what the publisher
/// sends), one clock reading per read, and a few counters. Everything runs on the worker's one event loop.
final class SubscriberHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State { case requesting, streaming, finished }

    private let request: HTTPRequestHead
    private let tally: WorkerTally
    private let outcome: EventLoopPromise<SubscribeOutcome>
    private var state = State.requesting
    /// The unfinished line at the end of the last read.
    private var partialLine: [UInt8] = []
    /// Newest sequence number seen.
    private var lastSequence: UInt64 = 0
    /// In-order events received in the current phase (`WorkerTally.startPhase` sets it back to zero).
    var phaseReceived = 0

    init(request: HTTPRequestHead, tally: WorkerTally, outcome: EventLoopPromise<SubscribeOutcome>) {
        self.request = request
        self.tally = tally
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            guard state == .requesting else { return }
            if response.status == .ok {
                state = .streaming
                tally.streams[ObjectIdentifier(self)] = self
                outcome.succeed(.held)
            } else {
                state = .finished
                let retryAfter = response.headers.contains(name: "retry-after")
                if response.status != .serviceUnavailable { tally.noteFailure("answered \(response.status.code) \(response.status.reasonPhrase)") }
                outcome.succeed(response.status == .serviceUnavailable ? .refused(retryAfter: retryAfter) : .failed)
                context.close(promise: nil)
            }
        case .body(let buffer):
            guard state == .streaming else { return }
            scan(buffer, now: Monotonic.nanoseconds())
        case .end:
            if state == .streaming { streamEnded() }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .requesting:
            state = .finished
            tally.noteFailure("closed before the response head")
            outcome.succeed(.failed)
        case .streaming:
            streamEnded()
        case .finished:
            break
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if state == .requesting { tally.noteFailure(String(describing: error)) }
        context.close(promise: nil)
    }

    /// Gives up on a subscriber that got no answer in time.
    func timedOut(context channel: any Channel) {
        guard state == .requesting else { return }
        state = .finished
        tally.noteFailure("no response head in time")
        outcome.succeed(.failed)
        channel.close(promise: nil)
    }

    private func streamEnded() {
        state = .finished
        tally.streams[ObjectIdentifier(self)] = nil
        tally.report.dropped += 1
    }

    // MARK: Scanning

    private func scan(_ buffer: ByteBuffer, now: UInt64) {
        buffer.withUnsafeReadableBytes { bytes in
            var start = 0
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") {
                    if partialLine.isEmpty {
                        line(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), now: now)
                    } else {
                        partialLine.append(contentsOf: bytes[start..<index])
                        partialLine.withUnsafeBytes { line($0, now: now) }
                        partialLine.removeAll(keepingCapacity: true)
                    }
                    start = index + 1
                }
                index += 1
            }
            if start < bytes.count { partialLine.append(contentsOf: bytes[start...]) }
        }
    }

    private func line(_ line: UnsafeRawBufferPointer, now: UInt64) {
        guard let (sequence, sent) = Self.benchmarkEvent(line) else { return }
        if sequence <= lastSequence {
            tally.report.reordered += 1
            return
        }
        lastSequence = sequence
        guard sequence >= tally.phaseFirstSequence else { return }  // a straggler from an earlier phase
        phaseReceived += 1
        tally.arrived(latencyNanoseconds: now >= sent ? now - sent : 0, at: now)
    }

    private static let dataPrefix: [UInt8] = Array("data: ".utf8)

    /// `data: SEQUENCE SENT` (a trailing CR allowed), or nil for any other line.
    static func benchmarkEvent(_ line: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        let prefix = dataPrefix
        guard line.count > prefix.count, zip(line, prefix).allSatisfy({ $0 == $1 }) else { return nil }
        var index = prefix.count
        func number() -> UInt64? {
            var value: UInt64 = 0
            let start = index
            while index < line.count, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
                value = value &* 10 &+ UInt64(line[index] - UInt8(ascii: "0"))
                index += 1
            }
            return index > start ? value : nil
        }
        guard let sequence = number(), index < line.count, line[index] == UInt8(ascii: " ") else { return nil }
        index += 1
        guard let sent = number() else { return nil }
        if index < line.count, line[index] == UInt8(ascii: "\r") { index += 1 }
        return index == line.count ? (sequence, sent) : nil
    }
}
