import Foundation

/// What one run measures: one server process, or several Cuecast instances sharing their streams through
/// PostgreSQL (`serve --cluster`), each on its own port. Events are published to the first instance and the
/// subscribers are spread over all of them, so every delivery to the others crosses the database; memory and CPU
/// are the instances' together.
final class Deployment: Sendable {
    let instances: [ServerUnderTest]

    init(_ first: ServerUnderTest, _ others: [ServerUnderTest] = []) {
        instances = [first] + others
    }

    /// "Cuecast", or "Cuecast ×3 (cluster)".
    var name: String { instances.count == 1 ? instances[0].name : "\(instances[0].name) ×\(instances.count) (cluster)" }
    var wire: WireProtocol { instances[0].wire }
    var publishURL: URL { instances[0].publishURL }
    /// The stream URL worker `index` subscribes to: the instances in turn.
    func streamURL(forWorker index: Int) -> URL { instances[index % instances.count].streamURL }

    func waitUntilHealthy() async throws {
        for instance in instances { try await instance.waitUntilHealthy() }
    }

    /// Whether every instance still answers `/healthz`.
    func isHealthy() async -> Bool {
        for instance in instances where await !instance.isHealthy() { return false }
        return true
    }

    /// Resident bytes of all the instances together, or nil if one cannot be read.
    func residentBytes() -> Int? {
        instances.reduce(0 as Int?) { total, instance in total.flatMap { sum in instance.residentBytes().map { sum + $0 } } }
    }

    /// CPU seconds of all the instances together, or nil if one cannot be read.
    func cpuSeconds() -> Double? {
        instances.reduce(0 as Double?) { total, instance in total.flatMap { sum in instance.cpuSeconds().map { sum + $0 } } }
    }

    func stop() {
        for instance in instances { instance.stop() }
    }
}

/// CPU seconds used so far by every process on this machine named `postgres` (the server and its backends): what
/// the cluster's database costs, when it runs here. Nil when there is none to read.
func localPostgresCPUSeconds() -> Double? {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
    var total = 0.0
    var found = false
    for entry in entries where entry.allSatisfy(\.isNumber) {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
              stat[stat.index(after: open)..<close] == "postgres",
              let seconds = processCPUSeconds(stat: stat)
        else { continue }
        total += seconds
        found = true
    }
    return found ? total : nil
}

/// User plus system CPU seconds from the text of `/proc/PID/stat`.
func processCPUSeconds(stat: String) -> Double? {
    guard let close = stat.lastIndex(of: ")") else { return nil }
    // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
