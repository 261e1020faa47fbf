import CuecastClient
import CuecastCore
import Foundation
import Synchronization

/// Drives one `cuecast record`: feeds what the client receives into a `StreamRecording`, with each thing's
/// moment, and decides when to stop.
struct RecordSession: Sendable {
    /// Why the recording stopped.
    enum Ending: Sendable, CustomStringConvertible {
        case countReached
        case idSeen(String)
        case durationPassed
        case interrupted
        /// A posted stream (an LLM API's reply) ended: it is one answer, not a stream to reconnect to.
        case answerEnded
        /// The client stopped for good: 204 ends a stream normally; anything else is a failure.
        case failed(ClientCloseReason)

        var description: String {
            switch self {
            case .countReached: "--count reached"
            case .idSeen(let id): "the event with id \(id) arrived"
            case .durationPassed: "--duration passed"
            case .interrupted: "interrupted"
            case .answerEnded: "the answer ended"
            case .failed(.noContent): "the server said 204: the stream is over"
            case .failed(let reason): "closed: \(reason)"
            }
        }
    }

    let count: Int?
    let untilID: String?
    let lastEventID: String
    let printer: ListenPrinter
    /// Stop when the first connection ends instead of reconnecting (`--data`: a posted request is one answer).
    var stopAtFirstClose = false

    /// Records until a stop condition, Ctrl-C or `duration`; returns what was recorded and why it stopped.
    func run(_ source: EventSourceClient, duration: Duration?) async -> (StreamRecording, Ending) {
        let box = RecordingBox(StreamRecording(lastEventID: lastEventID))
        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask { await record(source, into: box) }
            group.addTask {
                await ListenSignals.interrupted()
                return .interrupted
            }
            if let duration {
                group.addTask {
                    try? await Task.sleep(for: duration)
                    return .durationPassed
                }
            }
            let first = await group.next() ?? .interrupted
            group.cancelAll()
            return first
        }
        var recording = box.take()
        recording.finish()
        return (recording, ending)
    }

    private func record(_ source: EventSourceClient, into box: RecordingBox) async -> Ending {
        // Offsets count time on open connections only: the wait between a drop and the next open is the client's
        // retry time, which a replayed client waits by itself.
        let clock = ContinuousClock()
        var connectedTime: Duration = .zero
        var openedAt: ContinuousClock.Instant?
        var events = 0
        func offset() -> Int {
            let now = openedAt.map { connectedTime + (clock.now - $0) } ?? connectedTime
            return Int((now.seconds * 1000).rounded())
        }
        for await output in source {
            switch output {
            case .connecting(let url, let id):
                printer.status("connecting to \(url)" + (id.map { " with Last-Event-ID: \($0)" } ?? ""))
            case .open:
                openedAt = clock.now
                box.update { $0.opened() }
            case .event(let event):
                let at = offset()
                box.update { $0.event(event, at: at) }
                printer.event(event, received: Date())
                events += 1
                if let count, events >= count { return .countReached }
                if let untilID, event.lastEventId == untilID { return .idSeen(untilID) }
            case .comment(let text):
                let at = offset()
                box.update { $0.comment(text, at: at) }
            case .retry(let milliseconds):
                let at = offset()
                box.update { $0.retry(milliseconds, at: at) }
            case .reconnecting where stopAtFirstClose:
                box.update { $0.closed() }
                return .answerEnded
            case .reconnecting(let delay, _, let cause):
                if let opened = openedAt {
                    connectedTime += clock.now - opened
                    openedAt = nil
                    box.update { $0.closed() }
                }
                printer.status("\(cause); reconnecting in \(delay.milliseconds) ms")
            case .raw:
                break
            case .closed(let reason):
                return .failed(reason)
            }
        }
        return .interrupted
    }
}

/// The recording, shared between the task that fills it and the one that ends the session.
final class RecordingBox: Sendable {
    private let state: Mutex<StreamRecording>

    init(_ recording: StreamRecording) { state = Mutex(recording) }

    func update(_ change: (inout StreamRecording) -> Void) { state.withLock { change(&$0) } }

    func take() -> StreamRecording { state.withLock { $0 } }
}
