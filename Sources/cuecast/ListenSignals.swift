import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM as an awaitable event, so `listen` can stop cleanly and exit 0 instead of being
/// killed mid-write.
enum ListenSignals {
    /// Returns when SIGINT or SIGTERM arrives, or when the calling task is cancelled.
    static func interrupted() async {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
        let sources = [SIGINT, SIGTERM].map { number in
            // Ignore the default action (terminate) so the dispatch source sees the signal instead.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            continuation.finish()
        }
        for await _ in signals { return }
    }
}
