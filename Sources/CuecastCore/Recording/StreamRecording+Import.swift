extension StreamRecording {
    /// Why a saved stream cannot be imported; each message says what to do.
    public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file holds no event (not a saved event stream, or a stream that sent none).
        case noEvents(comments: Int)
        /// Events larger than a client keeps (16 MiB of data or a 16 MiB line): importing without them would
        /// write a scenario that silently misses them.
        case eventsTooLarge(count: Int)

        public var description: String {
            switch self {
            case .noEvents(let comments):
                "no events found\(comments > 0 ? " (only \(comments) comment line(s))" : ""): is it a saved event stream (curl -N URL > FILE)?"
            case .eventsTooLarge(let count):
                "\(count) event(s) larger than 16 MiB: a client drops such events, so a scenario made without them would miss them; nothing was written"
            }
        }
    }

    /// The largest `retry` a scenario takes (the loader's bound, a 32-bit count of milliseconds, about 24.8 days).
    public static let largestRetry = Int(Int32.max)

    /// A saved stream (what `curl -N URL > FILE` writes, or `curl -i`, whose response head is skipped) as a
    /// recording: parsed by the spec-exact parser, its events `1000 / rate` milliseconds apart from the first at 0.
    /// Comments and `retry` take the moment of the event before them. An unterminated final event is dropped, as
    /// a client drops it. A `retry` beyond what a scenario takes is kept as the largest it takes (a client waits
    /// either one "forever"). Every event is kept, or the import is refused (``ImportError``).
    public init(importing bytes: [UInt8], eventsPerSecond rate: Double) throws(ImportError) {
        self.init()
        opened()
        var parser = EventStreamParser()
        let step = 1000 / rate
        var dispatched = 0
        var comments = 0
        var offset: Int { Int((Double(max(dispatched - 1, 0)) * step).rounded()) }
        var outputs = parser.feed(Self.body(of: bytes))
        outputs += parser.finish()
        for output in outputs {
            switch output {
            case .event(let event):
                dispatched += 1
                self.event(event, at: offset)
            case .comment(let text):
                comments += 1
                comment(text, at: offset)
            case .retry(let milliseconds): retry(min(milliseconds, Self.largestRetry), at: offset)
            }
        }
        if parser.discardedEvents > 0 { throw .eventsTooLarge(count: parser.discardedEvents) }
        guard dispatched > 0 else { throw .noEvents(comments: comments) }
        finish()
    }

    /// The body of a saved response: everything after the head when the file starts with one (`HTTP/…`).
    static func body(of bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard bytes.starts(with: Array("HTTP/".utf8)) else { return bytes[...] }
        let separators: [[UInt8]] = [[0x0D, 0x0A, 0x0D, 0x0A], [0x0A, 0x0A]]
        var index = 0
        while index < bytes.count {
            for separator in separators where bytes[index...].starts(with: separator) {
                return bytes[(index + separator.count)...]
            }
            index += 1
        }
        return bytes[...]
    }
}
