import CuecastCore
import Synchronization

/// A stream as the metrics name it: its kind and a name from a bounded set.
struct StreamLabel: Hashable, Sendable {
    enum Kind: String, Sendable {
        /// `/streams/{name}`: named after the scenario, which the catalog bounds.
        case scenario
        /// `/subscribeToEvents` and `/channels/{name}`.
        case channel
        /// Cuecast's own figures (`/api/stats/stream`).
        case stats
        /// `/v1/chat/completions`, `/v1/responses`, `/v1/messages`: named after the scripted model, which its folder bounds.
        case model
    }

    let kind: Kind
    let name: String
}

/// Which channel names get a label of their own: the default channel and the first ``limit`` others seen. Anyone
/// allowed to publish can make channels up, and each label value is a series a Prometheus server keeps, so the rest
/// share `other`. A workshop's few channels all get their own names.
final class ChannelLabels: Sendable {
    static let limit = 32
    static let other = "other"

    private let named = Mutex<Set<String>>([])

    /// The label for channel `name` (a valid channel name, so already short and plain).
    func label(for name: String) -> String {
        if name == ChannelDirectory.defaultChannel { return name }
        return named.withLock { named in
            if named.contains(name) { return name }
            guard named.count < Self.limit else { return Self.other }
            named.insert(name)
            return name
        }
    }
}
