/// What one streamed request sends, and when: a provider's `WireScript` with the request's fault applied, as
/// blocks of bytes each due at an offset from the start. I/O-free: the server sleeps on its clock until each is
/// due and writes it, then ends as `ending` says.
public struct LLMPlayback: Sendable, Equatable {
    public struct Chunk: Sendable, Equatable {
        /// Since the stream started.
        public var at: Duration
        public var bytes: [UInt8]
    }

    /// How the stream ends after its last chunk.
    public enum Ending: Sendable, Equatable {
        /// The provider's own end (or its end after an in-band error): the response completes.
        case complete
        /// The connection is cut at `at`, without the final event and without the response's own end (no
        /// last chunk of HTTP/1.1 chunked framing), so a client sees a broken stream, not a short one.
        case cut(at: Duration)
        /// Nothing more is sent; the stream stays open until the client leaves or the server stops.
        case stall
    }

    public var chunks: [Chunk]
    public var ending: Ending

    /// - Parameters:
    ///   - ids: number every block with `id:` (Cuecast's own extension: the providers send none) so a dropped
    ///     stream can be resumed with `Last-Event-ID`.
    ///   - resumeAfter: a `Last-Event-ID` the client sent: blocks up to it are skipped, and the rest keep their
    ///     gaps from it.
    public init(script: WireScript, wire: some ProviderWire, fault: LLMFault, ids: Bool = false, resumeAfter: Int? = nil) {
        var timed: [(at: Duration, message: WireMessage)] = script.opening.map { (.zero, $0) }
        let kept: Int
        switch fault {
        case .inBandError(let n), .truncate(let n), .stall(let n): kept = min(n, script.steps.count)
        default: kept = script.steps.count
        }
        for step in script.steps.prefix(kept) { timed += step.messages.map { (step.at, $0) } }
        let next = kept < script.steps.count ? script.steps[kept].at : script.steps.last?.at ?? .zero
        switch fault {
        case .inBandError:
            timed.append((next, wire.inBandError(sequence: timed.count)))
            ending = .complete
        case .truncate:
            ending = .cut(at: next)
        case .stall:
            ending = .stall
        default:
            let end = script.steps.last?.at ?? .zero
            timed += script.closing.map { (end, $0) }
            ending = .complete
        }
        let skip = resumeAfter.map { min(max($0, 0), timed.count) } ?? 0
        let origin = skip > 0 ? timed[skip - 1].at : .zero
        // Blocks due at the same moment (an opening, a block's stop and the next one's start, the closing) go out
        // in one write: a write costs a task switch and a syscall, and 200 slow streams made that cost visible.
        var chunks: [Chunk] = []
        for (index, entry) in timed.enumerated().dropFirst(skip) {
            let bytes = entry.message.bytes(id: ids ? index + 1 : nil)
            if let last = chunks.last, last.at == entry.at - origin {
                chunks[chunks.count - 1].bytes += bytes
            } else {
                chunks.append(Chunk(at: entry.at - origin, bytes: bytes))
            }
        }
        self.chunks = chunks
        if case .cut(let at) = ending { ending = .cut(at: max(.zero, at - origin)) }
    }
}
