import CuecastCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// What a subscriber asked for, from the query string and headers, validated.
struct StreamOptions: Sendable {
    var history: HistoryRequest = .all
    var speed: Double = 1
    var seed: UInt64?
    /// From the `Last-Event-ID` header (what browsers send when they reconnect), else the `lastEventId` query
    /// parameter (what EventSource polyfills send).
    var lastEventID: String?
    /// A label for this connection (`?client=`), so a page can drop its own `EventSource` by name.
    var client: String?
    /// Misbehaviour asked for on purpose, to test a client (docs/faults.md); empty for an ordinary stream.
    var faults = StreamFaults()
    /// `?clock=manual`: a solo playback that moves only when told over HTTP (`/api/playbacks/{id}/…`).
    var manualClock = false

    static let speedRange = 0.1...100.0

    /// Query parameters a stream understands; anything else is refused, so a typo (`?histroy=`) is not ignored.
    static let knownParameters: Set<Substring> = Set(["history", "speed", "seed", "lastEventId", "client", "clock"])
        .union(StreamFaults.queryParameters)

    init(request: Request, mode: PlaybackMode) throws {
        try self.init(uri: request.uri, lastEventIDHeader: request.headers[.lastEventID], mode: mode)
    }

    /// From the request target and its `Last-Event-ID` header: the same rules for Hummingbird's routes and for
    /// `StreamRequests`.
    init(uri: URI, lastEventIDHeader header: String?, mode: PlaybackMode) throws {
        let query = uri.queryParameters
        for (key, _) in query where !Self.knownParameters.contains(key) {
            throw APIError(
                .badRequest, code: "unknown_parameter",
                message: "unknown query parameter '\(key)'; streams take history, speed, seed, lastEventId, client, clock "
                    + "and the faults in docs/faults.md"
            )
        }
        if let value = query["history"] {
            guard let history = HistoryRequest(queryValue: String(value)) else {
                throw APIError(.badRequest, code: "bad_history", message: "history must be 'none', 'all' or a number of events, got '\(value)'")
            }
            self.history = history
        }
        if let value = query["speed"] {
            guard mode == .solo else {
                throw APIError(.badRequest, code: "speed_on_live", message: "speed applies to solo streams only: a live stream is shared by every listener")
            }
            guard let speed = Double(String(value)), Self.speedRange.contains(speed) else {
                throw APIError(.badRequest, code: "bad_speed", message: "speed must be a number from 0.1 to 100, got '\(value)'")
            }
            self.speed = speed
        }
        if let value = query["seed"] {
            guard mode == .solo else {
                throw APIError(.badRequest, code: "seed_on_live", message: "seed applies to solo streams only: a live stream has one shared playback")
            }
            guard let seed = UInt64(String(value)) else {
                throw APIError(.badRequest, code: "bad_seed", message: "seed must be a non-negative integer, got '\(value)'")
            }
            self.seed = seed
        }
        if let value = query["client"] {
            guard ChannelDirectory.isValidName(String(value)) else {
                throw APIError(.badRequest, code: "bad_client", message: "client labels are 1-64 letters, digits, '-', '_' or '.', got '\(value)'")
            }
            self.client = String(value)
        }
        faults = try StreamFaults(query: query)
        if let value = query["clock"] {
            guard value == "manual" || value == "real" else {
                throw APIError(
                    .badRequest, code: "bad_clock", message: "clock must be 'manual' (moves when told, over /api/playbacks) or 'real', got '\(value)'"
                )
            }
            guard mode == .solo || value == "real" else {
                throw APIError(
                    .badRequest, code: "clock_on_live", message: "clock=manual applies to solo streams only: a live stream has one shared playback"
                )
            }
            manualClock = value == "manual"
        }
        let id = header ?? query["lastEventId"].map(String.init)
        if let id {
            if let reason = Self.problem(withID: id) {
                throw APIError(.badRequest, code: "bad_last_event_id", message: "Last-Event-ID is invalid: \(reason)")
            }
            self.lastEventID = id
        }
    }
}

extension StreamOptions {
    /// Why an id cannot be used, or `nil` if it can.
    static func problem(withID id: String) -> String? {
        do {
            try SSEEvent.validateID(id)
            return nil
        } catch {
            return error.reason
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
    static let accelBuffering = Self("X-Accel-Buffering")!
    static let cuecastConnection = Self("X-Cuecast-Connection")!
    static let cuecastPlayback = Self("X-Cuecast-Playback")!
}
