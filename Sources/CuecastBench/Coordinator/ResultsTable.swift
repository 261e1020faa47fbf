import Foundation

/// The benchmark's results as Markdown tables, the form BENCHMARKS.md keeps them in.
public enum ResultsTable {
    public static func markdown(_ results: [BenchResult], settings: LoadTest.Settings) -> String {
        // A run of more than HTTP/1.1 gets a protocol column (and, for HTTP/2, the connections used); an HTTP/1.1
        // run keeps the tables it always had.
        let byProtocol = settings.comparesProtocols
        func lead(_ result: BenchResult) -> String { byProtocol ? "| \(result.server) | \(result.wire.rawValue) |" : "| \(result.server) |" }
        let leadHeader = byProtocol ? ("| server | protocol |", "|---|---|") : ("| server |", "|---|")
        var lines: [String] = []
        lines.append("#### Holding subscribers (idle)")
        lines.append("")
        lines.append(leadHeader.0 + " subscribers |" + (byProtocol ? " connections |" : "")
            + " held | failed | 503 (with Retry-After) | connects/s | RSS before | RSS holding | RSS per subscriber |")
        lines.append(leadHeader.1 + "---:|" + (byProtocol ? "---:|" : "") + "---:|---:|---:|---:|---:|---:|---:|")
        for result in results {
            lines.append(
                "\(lead(result)) \(count(result.requested)) |" + (byProtocol ? " \(count(result.connections)) |" : "")
                    + " \(count(result.held)) | \(count(result.failed)) "
                    + "| \(count(result.refused)) (\(count(result.refusedWithRetryAfter))) | \(count(Int(result.connectsPerSecond))) "
                    + "| \(megabytes(result.residentBefore)) | \(megabytes(result.residentHolding)) | \(kibibytes(result.bytesPerSubscriber)) |"
            )
        }
        for (title, pick) in [
            ("Steady: \(format(settings.rate)) events/s for \(format(settings.steadySeconds)) s", { (r: BenchResult) in r.steady }),
            ("Burst: \(settings.burst) events published back to back", { (r: BenchResult) in r.burst }),
        ] as [(String, (BenchResult) -> PhaseResult?)] {
            let rows = results.compactMap { result in pick(result).map { (result, $0) } }
            guard !rows.isEmpty else { continue }
            lines.append("")
            lines.append("#### \(title)")
            lines.append("")
            lines.append(leadHeader.0 + " subscribers | deliveries | deliveries/s | p50 | p99 | max | lost | reordered | server CPU µs/delivery |")
            lines.append(leadHeader.1 + "---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for (result, phase) in rows {
                lines.append(
                    "\(lead(result)) \(count(result.held)) | \(count(phase.deliveries)) | \(count(Int(phase.deliveriesPerSecond))) "
                        + "| \(milliseconds(phase.p50Milliseconds)) | \(milliseconds(phase.p99Milliseconds)) | \(milliseconds(phase.maxMilliseconds)) "
                        + "| \(count(phase.lost)) | \(count(phase.reordered)) | \(microseconds(phase.serverMicrosecondsPerDelivery)) |"
                )
            }
        }
        if byProtocol { lines += cpuByProtocol(results, settings: settings) + protocolNotes(results, settings: settings) }
        if results.contains(where: { $0.instances > 1 }) { lines += database(results) }
        let unhealthy = results.filter { !$0.healthyAfter }.map { "\($0.server)\(byProtocol ? " over \($0.wire.rawValue)" : "") at \($0.requested)" }
        lines.append("")
        lines.append(unhealthy.isEmpty
            ? "Every server still answered `/healthz` after its run; \(count(results.reduce(0) { $0 + $1.dropped })) streams ended early."
            : "Did not answer `/healthz` after the run: \(unhealthy.joined(separator: ", ")).")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The key figure side by side: server CPU per delivery, a column per protocol, steady / burst.
    private static func cpuByProtocol(_ results: [BenchResult], settings: LoadTest.Settings) -> [String] {
        var lines = ["", "#### Server CPU µs per delivery by protocol (steady / burst)", ""]
        lines.append("| server | subscribers | " + settings.protocols.map(\.rawValue).joined(separator: " | ") + " |")
        lines.append("|---|---:|" + String(repeating: "---:|", count: settings.protocols.count))
        var seen: [String] = []
        for result in results {
            let key = "\(result.server) \(result.requested)"
            guard !seen.contains(key) else { continue }
            seen.append(key)
            let cells = settings.protocols.map { wire in
                results.first { $0.server == result.server && $0.requested == result.requested && $0.wire == wire }.map {
                    "\(microseconds($0.steady?.serverMicrosecondsPerDelivery)) / \(microseconds($0.burst?.serverMicrosecondsPerDelivery))"
                } ?? "-"
            }
            lines.append("| \(result.server) | \(count(result.requested)) | " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// For cluster runs: the instances' CPU beside that of this machine's PostgreSQL, per published event.
    private static func database(_ results: [BenchResult]) -> [String] {
        var lines = ["", "#### The cluster's database (PostgreSQL on this machine)", ""]
        lines.append("| server | subscribers | steady: PostgreSQL CPU µs/event | burst: PostgreSQL CPU µs/event | instances' CPU s (steady / burst) |")
        lines.append("|---|---:|---:|---:|---:|")
        for result in results where result.instances > 1 {
            let seconds = [result.steady, result.burst].map { phase in phase?.serverCPUSeconds.map { String(format: "%.2f", $0) } ?? "-" }
            lines.append(
                "| \(result.server) | \(count(result.held)) | \(microseconds(result.steady?.databaseMicrosecondsPerEvent)) "
                    + "| \(microseconds(result.burst?.databaseMicrosecondsPerEvent)) | \(seconds.joined(separator: " / ")) |"
            )
        }
        return lines
    }

    /// Servers that allowed fewer streams per connection than asked for, and why subscribers failed.
    private static func protocolNotes(_ results: [BenchResult], settings: LoadTest.Settings) -> [String] {
        var notes: [String] = []
        for result in results {
            if let limit = result.limitedStreams {
                notes.append(
                    "\(result.server) over \(result.wire.rawValue) allowed \(limit) streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS; "
                        + "asked for \(settings.streamsPerConnection)): \(count(result.requested)) subscribers over "
                        + "\(count(result.connections)) connections."
                )
            }
            if result.failed > 0, let reason = result.firstFailure {
                notes.append(
                    "\(result.server) over \(result.wire.rawValue) at \(count(result.requested)): \(count(result.failed)) failed; "
                        + "the first: \(reason)"
                )
            }
        }
        return notes.isEmpty ? [] : [""] + notes.map { "- \($0)" }
    }

    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0, character != "-" { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    static func megabytes(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "-" }
    static func kibibytes(_ bytes: Double?) -> String { bytes.map { String(format: "%.2f KiB", $0 / 1024) } ?? "-" }
    static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }
    static func microseconds(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
    static func format(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
