import Synchronization

/// Named broadcast channels for events that people publish (`POST /generateEvent?channel=`), created the first
/// time anyone subscribes or publishes to them.
///
/// Each channel is a ``BroadcastHub`` whose ids are its own event numbers, so they strictly increase per channel.
public final class ChannelDirectory: Sendable {
    /// The channel `/subscribeToEvents` streams and `generateEvent` publishes to when no channel is named.
    public static let defaultChannel = "default"

    public struct Configuration: Sendable {
        public var hub: BroadcastHub.Configuration
        /// Channels that may exist at once; a bound on what strangers can make the server allocate.
        public var maxChannels: Int
        public init(hub: BroadcastHub.Configuration = .init(historyLimit: 100), maxChannels: Int = 1000) {
            self.hub = hub
            self.maxChannels = maxChannels
        }
    }

    /// Why a channel could not be had.
    public enum Failure: Error, Sendable, Equatable {
        case invalidName(String)
        case tooManyChannels(limit: Int)
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

    /// The channel, made on first use.
    public func channel(named name: String) throws(Failure) -> BroadcastHub {
        guard Self.isValidName(name) else { throw .invalidName(name) }
        return try channels.withLock { channels throws(Failure) -> BroadcastHub in
            if let hub = channels[name] { return hub }
            guard channels.count < configuration.maxChannels else { throw .tooManyChannels(limit: configuration.maxChannels) }
            let hub = BroadcastHub(configuration: configuration.hub)
            channels[name] = hub
            return hub
        }
    }

    /// Every channel, by name.
    public var all: [(name: String, hub: BroadcastHub)] {
        channels.withLock { $0.map { (name: $0.key, hub: $0.value) } }.sorted { $0.name < $1.name }
    }
}
