import Histogram

/// A worker's counters and its open streams. Lives on the worker's single event loop; only that loop touches it.
final class WorkerTally {
    var report = WorkerReport()
    var streams: [ObjectIdentifier: SubscriberHandler] = [:]
    /// The first sequence number published in the current phase.
    var phaseFirstSequence: UInt64 = 0

    /// Keeps the first failure's reason; the rest only count.
    func noteFailure(_ reason: @autoclosure () -> String) {
        if report.firstFailure == nil { report.firstFailure = reason() }
    }

    func arrived(latencyNanoseconds: UInt64, at now: UInt64) {
        report.events += 1
        if report.firstArrival == 0 { report.firstArrival = now }
        report.lastArrival = now
        _ = report.latency.record(max(1, latencyNanoseconds / 1000))
    }

    /// Starts a phase: clears delivery counters; events numbered below `firstSequence` no longer count.
    func startPhase(firstSequence: UInt64) {
        phaseFirstSequence = firstSequence
        for stream in streams.values { stream.phaseReceived = 0 }
        report.events = 0
        report.reordered = 0
        report.firstArrival = 0
        report.lastArrival = 0
        report.latency = WorkerReport.emptyHistogram()
    }

    /// The report, with losses counted against `expected` events per held subscriber in this phase.
    func snapshot(expected: Int) -> WorkerReport {
        var snapshot = report
        snapshot.held = streams.count
        snapshot.lost = streams.values.reduce(0) { $0 + max(0, expected - $1.phaseReceived) }
        return snapshot
    }

    var progress: WorkerProgress { WorkerProgress(held: streams.count, events: report.events) }
}
