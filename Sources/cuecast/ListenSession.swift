import CuecastClient
import CuecastCore
import Foundation

/// Drives one `cuecast listen`: consumes the client's outputs, prints them, and decides when to stop.
struct ListenSession {
    /// How listening ended.
    enum Outcome: Sendable {
        case countReached(Int)
        case idSeen(String)
        case timedOut
        case interrupted
        case closed(ClientCloseReason)
    }

    let source: EventSourceClient
    let printer: ListenPrinter
    let showComments: Bool
    /// Stop after this many events.
    let count: Int?
    /// Stop after the event whose lastEventId is this.
    let untilID: String?

    /// Reads until `count`, `untilID`, or the client closing for good; cancellation ends it with `.interrupted`.
    func run() async -> Outcome {
        let configuredURL = source.configuration.url
        var events = 0
        // Servers usually resend the same `retry` on every connection; only a change is news.
        var reconnectionTime = source.configuration.defaultReconnectionTime.milliseconds
        for await output in source {
            switch output {
            case .connecting(let url, let lastEventID):
                printer.status("connecting to \(url)" + (lastEventID.map { " with Last-Event-ID: \($0)" } ?? ""))
            case .open(let opened):
                let redirected = opened.url == configuredURL ? "" : " (redirected to \(opened.url))"
                printer.status("open: \(opened.protocolName) \(opened.status) \(opened.contentType ?? "")\(redirected)")
            case .raw(let bytes):
                printer.raw(bytes)
            case .event(let event):
                // The server could not place our Last-Event-ID: say so where status goes, then show the event as any.
                if let gap = ResumeGap(type: event.type, data: event.data) { printer.warning(gap.summary) }
                printer.event(event, received: Date())
                events += 1
                if let count, events >= count { return .countReached(events) }
                if let untilID, event.lastEventId == untilID { return .idSeen(untilID) }
            case .comment(let text):
                if showComments { printer.comment(text, received: Date()) }
            case .retry(let milliseconds):
                if Int64(clamping: milliseconds) != reconnectionTime {
                    reconnectionTime = Int64(clamping: milliseconds)
                    printer.status("reconnection time is now \(milliseconds) ms (retry)")
                }
            case .reconnecting(let delay, let lastEventID, let cause):
                let header = lastEventID.map { "with Last-Event-ID: \($0)" } ?? "without Last-Event-ID"
                printer.status("\(cause); reconnecting in \(delay.milliseconds) ms \(header)")
            case .closed(let reason):
                return .closed(reason)
            }
        }
        return .interrupted
    }
}
