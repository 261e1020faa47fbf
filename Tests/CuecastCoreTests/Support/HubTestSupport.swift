@testable import CuecastCore

/// Helpers for hub tests: frames as text, reading subscriptions, and looking at a hub's history.
enum HubTest {
    /// An event frame `id: <id>\ndata: <data>\n\n`.
    static func event(_ id: Int, data: String? = nil) -> Frame {
        Frame(event: try! SSEEvent(data: data ?? "e\(id)", id: String(id)))
    }

    static func text(_ frame: Frame) -> String { String(decoding: frame.bytes, as: UTF8.self) }

    static func texts(_ frames: [Frame]) -> [String] { frames.map(text) }

    /// The wire text of event `id` as `event(id)` makes it.
    static func eventText(_ id: Int) -> String { "id: \(id)\ndata: e\(id)\n\n" }

    /// Reads until the subscription ends; every frame's text, in order.
    static func read(_ subscription: Subscription) async -> [String] {
        var frames: [Frame] = []
        while let batch = await subscription.next() { frames += batch }
        return texts(frames)
    }

    /// Reads batches until at least `count` frames have arrived (or the subscription ends).
    static func read(_ subscription: Subscription, count: Int) async -> [String] {
        var frames: [Frame] = []
        while frames.count < count, let batch = await subscription.next() { frames += batch }
        return texts(frames)
    }

    /// What a new subscriber asking for `request` would replay (without waiting for live frames).
    static func history(of hub: BroadcastHub, _ request: HistoryRequest = .all) async -> [String] {
        let outcome = hub.subscribe(history: request)
        guard outcome.replayed > 0 else { return [] }
        return texts(await outcome.subscription.next() ?? [])
    }
}
