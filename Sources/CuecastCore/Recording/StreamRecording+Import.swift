extension StreamRecording {
    /// A saved stream (what `curl -N URL > FILE` writes, or `curl -i`, whose response head is skipped) as a
    /// recording: parsed by the spec-exact parser, its events `1000 / rate` milliseconds apart from the first at 0.
    /// Comments and `retry` take the moment of the event before them. An unterminated final event is dropped, as
    /// a client drops it.
    public init(importing bytes: [UInt8], eventsPerSecond rate: Double) {
        self.init()
        opened()
        var parser = EventStreamParser()
        let step = 1000 / rate
        var dispatched = 0
        var offset: Int { Int((Double(max(dispatched - 1, 0)) * step).rounded()) }
        var outputs = parser.feed(Self.body(of: bytes))
        outputs += parser.finish()
        for output in outputs {
            switch output {
            case .event(let event):
                dispatched += 1
                self.event(event, at: offset)
            case .comment(let text): comment(text, at: offset)
            case .retry(let milliseconds): retry(milliseconds, at: offset)
            }
        }
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
