import Synchronization

/// One memory budget, in bytes, for the history every hub keeps (channels and live stations together).
///
/// Each hub already keeps at most N events, but N says nothing about size: 50 channels given 100 events of 60 KB
/// each, with nobody subscribed, took a server from 40 MiB to 327 MiB, and the 1,000-channel limit allowed 5.6 GiB.
/// With a budget, a hub reports every byte it retains or lets go; once the total passes the limit, the oldest
/// retained frames, across all hubs, are dropped until it fits. A client resuming after a dropped event is told
/// so (``Placement/unknownID``).
///
/// Hubs report outside their own lock and eviction takes one hub's lock at a time, never the budget's with it, so
/// no two locks are ever held together.
public final class HistoryBudget: Sendable {
    /// 64 MiB: a small machine (a 512 MiB VM, a Raspberry Pi) survives it next to the server's own needs.
    public static let defaultLimitBytes = 64 * 1024 * 1024

    /// What a retained frame costs besides its bytes: the array's header, the frame's fields and the history slot.
    static let frameOverhead = 64

    public let limitBytes: Int
    private let used = Atomic<Int>(0)
    private let evicted = Atomic<Int>(0)
    /// Orders retained frames across hubs, so "oldest" means the same everywhere.
    private let clock = Atomic<UInt64>(0)
    private let hubs = Mutex<[ObjectIdentifier: WeakHub]>([:])
    /// Held by the one caller evicting; others leave it to that one.
    private let evicting = Atomic<Bool>(false)

    public init(limitBytes: Int = HistoryBudget.defaultLimitBytes) {
        self.limitBytes = max(0, limitBytes)
    }

    /// Bytes all histories hold now.
    public var usedBytes: Int { used.load(ordering: .relaxed) }
    /// Frames dropped to stay under the limit since the server started.
    public var evictedFrames: Int { evicted.load(ordering: .relaxed) }

    /// The cost a frame is counted at.
    static func cost(of frame: Frame) -> Int { frame.bytes.count + frameOverhead }

    /// The next stamp, taken under the retaining hub's lock so a hub's stamps increase along its history.
    func stamp() -> UInt64 { clock.add(1, ordering: .relaxed).newValue }

    /// A hub retained (positive) or let go of (negative) `bytes`; called outside its lock. Evicts if over.
    func charge(_ bytes: Int, by hub: BroadcastHub) {
        guard bytes != 0 else { return }
        if bytes > 0 {
            let key = ObjectIdentifier(hub)
            hubs.withLock { if $0[key] == nil { $0[key] = WeakHub(hub) } }
        }
        let total = used.add(bytes, ordering: .relaxed).newValue
        if total > limitBytes { evictOldest() }
    }

    /// A hub is gone (a channel removed): its history no longer counts.
    func forget(_ key: ObjectIdentifier, bytes: Int) {
        hubs.withLock { $0[key] = nil }
        if bytes != 0 { used.subtract(bytes, ordering: .relaxed) }
    }

    /// Drops the oldest retained frame of all hubs until the total fits. One evictor at a time: a publisher that
    /// finds another evicting leaves the work to it (which re-reads the total before it stops).
    private func evictOldest() {
        var exhausted = false
        while !exhausted, used.load(ordering: .relaxed) > limitBytes {
            guard evicting.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
            while used.load(ordering: .relaxed) > limitBytes {
                let live = liveHubs()
                var oldest: (hub: BroadcastHub, stamp: UInt64)?
                for hub in live {
                    guard let stamp = hub.oldestRetainedStamp else { continue }
                    if oldest == nil || stamp < oldest!.stamp { oldest = (hub, stamp) }
                }
                guard let oldest else {
                    exhausted = true  // nothing left to drop: what remains is counted but not held by any history
                    break
                }
                let freed = oldest.hub.dropOldestRetained()
                if freed > 0 {
                    used.subtract(freed, ordering: .relaxed)
                    evicted.add(1, ordering: .relaxed)
                }
            }
            evicting.store(false, ordering: .releasing)
        }
    }

    /// The hubs still alive. Weak references are only copied under the lock, never loaded there: loading one makes
    /// a strong reference, and if it were the last, the hub's `deinit` would call `forget` and take this lock again.
    private func liveHubs() -> [BroadcastHub] {
        let entries = hubs.withLock { $0 }
        var live: [BroadcastHub] = []
        var gone: [ObjectIdentifier] = []
        for (key, entry) in entries {
            if let hub = entry.hub { live.append(hub) } else { gone.append(key) }
        }
        if !gone.isEmpty { hubs.withLock { for key in gone { $0[key] = nil } } }
        return live
    }

    private struct WeakHub {
        weak var hub: BroadcastHub?
        init(_ hub: BroadcastHub) { self.hub = hub }
    }
}
