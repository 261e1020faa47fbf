/// How much of what a stream has already sent a new subscriber receives first (`?history=none|all|N`).
public enum HistoryRequest: Sendable, Equatable {
    case none
    /// Everything kept since the current pass began.
    case all
    /// The last N events of the current pass.
    case last(Int)

    /// Parses a query value: `none`, `all`, or a non-negative integer.
    public init?(queryValue: String) {
        switch queryValue {
        case "none": self = .none
        case "all": self = .all
        default:
            guard let count = Int(queryValue), count >= 0, queryValue.allSatisfy(\.isASCII) else { return nil }
            self = .last(count)
        }
    }
}

/// How a new subscriber relates to the stream's past.
public enum Placement: Sendable, Equatable {
    /// No `Last-Event-ID` was given; history was sent as requested.
    case fresh
    /// The id was found; everything after it was sent.
    case resumed
    /// The id is not in the kept history (too old, from before a restart, or never sent).
    case unknownID
}

/// What `publish` reports.
public struct PublishReceipt: Sendable, Equatable {
    /// The number of events published so far, this one included (1, 2, 3, …; a comment does not count).
    public let sequence: UInt64
    /// How many subscribers it was queued for.
    public let delivered: Int
}
