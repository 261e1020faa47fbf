/// A request one instance sends to the others through `NOTIFY`, for what only one of them can do.
enum ClusterRequest: Sendable, Equatable {
    /// Fire a trigger of a live station: the instance playing it does.
    case fire(station: String, trigger: String)
    /// Drop connection `connection` of instance `instance` (its `X-Cuecast-Connection` is `instance-connection`).
    case drop(instance: String, connection: UInt64)
    /// Drop every connection labelled `label`, on every instance but `origin` (which dropped its own).
    case dropLabel(String, origin: String)

    /// Marks a request among the notifications, which otherwise name a stream (`channel:…`, `station:…`).
    static let prefix = "request\t"

    var payload: String {
        let parts: [String] =
            switch self {
            case .fire(let station, let trigger): ["fire", station, trigger]
            case .drop(let instance, let connection): ["drop", instance, String(connection)]
            case .dropLabel(let label, let origin): ["drop-label", label, origin]
            }
        return Self.prefix + parts.joined(separator: "\t")
    }

    /// Reads a payload; `nil` for anything else (a label with a tab cannot be relayed, and is not).
    init?(payload: String) {
        guard payload.hasPrefix(Self.prefix) else { return nil }
        let parts = payload.dropFirst(Self.prefix.count).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return nil }
        switch parts[0] {
        case "fire": self = .fire(station: parts[1], trigger: parts[2])
        case "drop":
            guard let connection = UInt64(parts[2]) else { return nil }
            self = .drop(instance: parts[1], connection: connection)
        case "drop-label": self = .dropLabel(parts[1], origin: parts[2])
        default: return nil
        }
    }
}
