/// A request one instance sends to the others through `NOTIFY`, for what only one of them can do.
enum ClusterRequest: Sendable, Equatable {
    /// Fire a trigger of a live station: the instance playing it does.
    case fire(station: String, trigger: String)

    /// Marks a request among the notifications, which otherwise name a stream (`channel:…`, `station:…`).
    static let prefix = "request\t"

    var payload: String {
        switch self {
        case .fire(let station, let trigger): "\(Self.prefix)fire\t\(station)\t\(trigger)"
        }
    }

    init?(payload: String) {
        let parts = payload.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] + "\t" == Self.prefix, parts[1] == "fire" else { return nil }
        self = .fire(station: parts[2], trigger: parts[3])
    }
}
