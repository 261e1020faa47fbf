import Synchronization

/// Named broadcast channels for events that people publish (`POST /generateEvent?channel=`), created the first
/// time anyone subscribes or publishes to them, and removed once unused.
///
/// Channels come and go so that the channel limit bounds memory without locking anyone out: a channel with no
/// subscribers, on which nothing was published or subscribed for `idleAfter`, is removed (`removeIdle`, run by a
/// ticker), and when the limit is reached a new channel takes the place of the one unused longest among those
/// without subscribers (unused for at least `reclaimAfter`). Only channels that all have subscribers hold the
/// limit. The default channel is never removed.
///
/// Each channel is a ``BroadcastHub`` whose ids are its own event numbers, so they strictly increase per channel.
public final class ChannelDirectory: Sendable {
    /// The channel `/subscribeToEvents` streams and `generateEvent` publishes to when no channel is named.
    public static let defaultChannel = "default"

    public struct Configuration: Sendable {
        public var hub: BroadcastHub.Configuration
        /// Channels that may exist at once; a bound on what strangers can make the server allocate.
        public var maxChannels: Int
        /// How long a channel without subscribers stays after its last publish or subscriber.
        public var idleAfter: Duration
        /// How long a channel without subscribers must have been unused before a new channel may take its place at
        /// the limit: long enough that a channel just handed to a subscriber is never taken before it joins.
        public var reclaimAfter: Duration
        public init(
            hub: BroadcastHub.Configuration = .init(historyLimit: 100), maxChannels: Int = 1000, idleAfter: Duration = .seconds(300),
            reclaimAfter: Duration = .seconds(1)
        ) {
            self.hub = hub
            self.maxChannels = maxChannels
            self.idleAfter = idleAfter
            self.reclaimAfter = reclaimAfter
        }
    }

    /// Why a channel could not be had.
    public enum Failure: Error, Sendable, Equatable {
        case invalidName(String)
        /// Every channel has subscribers (or was used within `reclaimAfter`).
        case tooManyChannels(limit: Int)
        /// The channel does not exist, and this request may not create it.
        case unknownChannel(String)
    }

    public let configuration: Configuration
    private let channels: Mutex<[String: BroadcastHub]>

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.channels = Mutex([Self.defaultChannel: BroadcastHub(configuration: configuration.hub)])
    }

    /// Letters, digits, `-`, `_` and `.`, at most 64, starting with a letter or digit: safe in a URL path and a
    /// query string as it is (no `.` or `..` path segments).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) else { return false }
        return (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// The channel, made on first use when `create` allows; at the limit it replaces the channel unused longest
    /// among those without subscribers.
    public func channel(named name: String, create: Bool = true, now: ContinuousClock.Instant = .now) throws(Failure) -> BroadcastHub {
        guard Self.isValidName(name) else { throw .invalidName(name) }
        return try channels.withLock { channels throws(Failure) -> BroadcastHub in
            if let hub = channels[name] {
                hub.touch(now)
                return hub
            }
            guard create else { throw .unknownChannel(name) }
            if channels.count >= configuration.maxChannels {
                let unused = channels.filter { $0.key != Self.defaultChannel && $0.value.subscriberCount == 0 }
                    .map { (name: $0.key, lastUsed: $0.value.lastUsed) }
                    .filter { now - $0.lastUsed >= configuration.reclaimAfter }
                guard let oldest = unused.min(by: { $0.lastUsed < $1.lastUsed }) else {
                    throw .tooManyChannels(limit: configuration.maxChannels)
                }
                channels[oldest.name] = nil
            }
            let hub = BroadcastHub(configuration: configuration.hub)
            channels[name] = hub
            return hub
        }
    }

    /// Removes every channel without subscribers that has not been used for `idleAfter`; returns their names.
    /// A channel seen with subscribers counts as used now, so its idle time starts when the last one leaves.
    @discardableResult
    public func removeIdle(now: ContinuousClock.Instant = .now) -> [String] {
        channels.withLock { channels in
            var removed: [String] = []
            for (name, hub) in channels where name != Self.defaultChannel {
                if hub.subscriberCount > 0 {
                    hub.touch(now)
                } else if now - hub.lastUsed >= configuration.idleAfter {
                    removed.append(name)
                }
            }
            for name in removed { channels[name] = nil }
            return removed
        }
    }

    /// How many channels exist now.
    public var count: Int { channels.withLock { $0.count } }

    /// Every channel, by name.
    public var all: [(name: String, hub: BroadcastHub)] {
        channels.withLock { $0.map { (name: $0.key, hub: $0.value) } }.sorted { $0.name < $1.name }
    }
}
