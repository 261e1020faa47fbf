import Synchronization

@testable import CuecastCore

/// Helpers for hub tests: frames as text, listeners that join a hub the way the server's connections do, and
/// looking at a hub's history.
enum HubTest {
    /// An event frame `id: <id>\ndata: <data>\n\n`.
    static func event(_ id: Int, data: String? = nil) -> Frame {
        Frame(event: try! SSEEvent(data: data ?? "e\(id)", id: String(id)))
    }

    static func text(_ frame: Frame) -> String { String(decoding: frame.bytes, as: UTF8.self) }

    static func texts(_ frames: [Frame]) -> [String] { frames.map(text) }

    /// The wire text of event `id` as `event(id)` makes it.
    static func eventText(_ id: Int) -> String { "id: \(id)\ndata: e\(id)\n\n" }

    /// The key of the sink most tests join, as if every listener were on one event loop.
    static let loop = Loop()

    /// Stands for a server event loop: the hub keeps one sink per key (`ObjectIdentifier(loop)` in the server).
    final class Loop: Sendable {}

    /// Joins `hub` through `BroadcastHub.join`, the call every server stream makes, with a `ListeningSink` for
    /// `loop`: the listener starts with the replay the hub chose and hears everything published afterwards.
    static func listen(
        to hub: BroadcastHub, lastEventID: String? = nil, history: HistoryRequest = .all, on loop: Loop = HubTest.loop
    ) -> Listener {
        let listener = Listener()
        hub.join(
            sinkKey: ObjectIdentifier(loop), make: { ListeningSink() }, lastEventID: lastEventID, history: history
        ) { sink, admission in
            sink.admit(listener, admission)
        }
        return listener
    }

    /// What a new subscriber asking for `request` would replay (without staying for live frames).
    static func history(of hub: BroadcastHub, _ request: HistoryRequest = .all) -> [String] {
        let listener = listen(to: hub, history: request)
        listener.leave()
        return listener.received
    }
}

/// A `FrameSink` that keeps what each member was given, in order, as the server's `LoopFanout` writes it.
///
/// The hub calls a sink under its lock, so this one only appends, as the protocol asks: what a listener holds is
/// exactly the order in which the hub handed out joins, frames and endings.
final class ListeningSink: FrameSink {
    private let members = Mutex<[Listener]>([])

    var memberCount: Int { members.withLock { $0.count } }

    func receive(_ frame: Frame) -> Int {
        members.withLock { members in
            for member in members { member.take([frame]) }
            return members.count
        }
    }

    /// Like `LoopFanout`, an ending empties the sink; members may join it again later.
    func end(reason: CloseReason, finalFrame: Frame?) {
        let ending = members.withLock { members in
            defer { members.removeAll() }
            return members
        }
        for member in ending { member.close(reason, finalFrame: finalFrame) }
    }

    /// Called under the hub's lock, from `BroadcastHub.join`.
    func admit(_ listener: Listener, _ admission: SinkAdmission) {
        listener.start(admission, sink: self)
        if admission.finished {
            listener.close(.finished, finalFrame: nil)
        } else {
            members.withLock { $0.append(listener) }
        }
    }

    func remove(_ listener: Listener) {
        members.withLock { $0.removeAll { $0 === listener } }
    }
}

/// One member of a `ListeningSink`: where it was placed, what it received, and why it was closed.
final class Listener: Sendable {
    private struct State {
        var placement: Placement?
        var replayed = 0
        var frames: [Frame] = []
        var closeReason: CloseReason?
        var sink: ListeningSink?
        var waiters: [CheckedContinuation<CloseReason, Never>] = []
    }

    private let state = Mutex(State())

    /// How the hub placed the listener; `nil` before it joined.
    var placement: Placement? { state.withLock { $0.placement } }
    /// Frames of history (or after `Last-Event-ID`) the hub gave it on joining.
    var replayed: Int { state.withLock { $0.replayed } }
    /// Everything received so far.
    var frames: [Frame] { state.withLock { $0.frames } }
    /// Everything received so far, as wire text.
    var received: [String] { HubTest.texts(frames) }
    /// Why it was closed; `nil` while open.
    var closeReason: CloseReason? { state.withLock { $0.closeReason } }

    /// Waits until the listener is closed, and says why.
    func closed() async -> CloseReason {
        await withCheckedContinuation { continuation in
            let reason = state.withLock { state -> CloseReason? in
                if state.closeReason == nil { state.waiters.append(continuation) }
                return state.closeReason
            }
            if let reason { continuation.resume(returning: reason) }
        }
    }

    /// Waits until the listener is closed; everything it received.
    func readToEnd() async -> [String] {
        _ = await closed()
        return received
    }

    /// Leaves the hub, as a client that goes away does.
    func leave() {
        let sink = state.withLock { state in
            defer { state.sink = nil }
            return state.sink
        }
        sink?.remove(self)
    }

    fileprivate func start(_ admission: SinkAdmission, sink: ListeningSink) {
        state.withLock { state in
            state.placement = admission.placement
            state.replayed = admission.replay.count
            state.frames = admission.replay
            state.sink = sink
        }
    }

    fileprivate func take(_ frames: [Frame]) {
        state.withLock { $0.frames += frames }
    }

    fileprivate func close(_ reason: CloseReason, finalFrame: Frame?) {
        let waiters = state.withLock { state -> [CheckedContinuation<CloseReason, Never>] in
            guard state.closeReason == nil else { return [] }
            if let finalFrame { state.frames.append(finalFrame) }
            state.closeReason = reason
            state.sink = nil
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }
}
