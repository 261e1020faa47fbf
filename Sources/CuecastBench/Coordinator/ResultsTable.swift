import Foundation

/// The benchmark's results as Markdown tables, the form BENCHMARKS.md keeps them in.
public enum ResultsTable {
    public static func markdown(_ results: [BenchResult], settings: LoadTest.Settings) -> String {
        var lines: [String] = []
        lines.append("#### Holding subscribers (idle)")
        lines.append("")
        lines.append("| server | subscribers | held | failed | 503 (with Retry-After) | connects/s | RSS before | RSS holding | RSS per subscriber |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for result in results {
            lines.append(
                "| \(result.server) | \(count(result.requested)) | \(count(result.held)) | \(count(result.failed)) "
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
            lines.append("| server | subscribers | deliveries | deliveries/s | p50 | p99 | max | lost | reordered | server CPU µs/delivery |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for (result, phase) in rows {
                lines.append(
                    "| \(result.server) | \(count(result.held)) | \(count(phase.deliveries)) | \(count(Int(phase.deliveriesPerSecond))) "
                        + "| \(milliseconds(phase.p50Milliseconds)) | \(milliseconds(phase.p99Milliseconds)) | \(milliseconds(phase.maxMilliseconds)) "
                        + "| \(count(phase.lost)) | \(count(phase.reordered)) | \(phase.serverMicrosecondsPerDelivery.map { String(format: "%.2f", $0) } ?? "-") |"
                )
            }
        }
        let unhealthy = results.filter { !$0.healthyAfter }.map { "\($0.server) at \($0.requested)" }
        lines.append("")
        lines.append(unhealthy.isEmpty
            ? "Every server still answered `/healthz` after its run; \(count(results.reduce(0) { $0 + $1.dropped })) streams ended early."
            : "Did not answer `/healthz` after the run: \(unhealthy.joined(separator: ", ")).")
        return lines.joined(separator: "\n") + "\n"
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
    static func format(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
