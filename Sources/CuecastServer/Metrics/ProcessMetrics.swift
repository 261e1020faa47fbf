import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process figures every Prometheus user expects from a server, under the names Prometheus' own client libraries
/// give them (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_open_fds`...), so dashboards
/// and alerts written for any other service work on Cuecast unchanged. Read from `/proc` at each scrape, not kept:
/// a scrape every few seconds costs a few small file reads, and nothing runs between scrapes.
enum ProcessMetrics {
    /// The families in the text format, with `# HELP` and `# TYPE`; empty where there is no `/proc` (not Linux).
    static func text() -> String {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return "" }
        // After the command name (which may hold spaces, hence the last ')'), field 3 (state) comes first.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { number - 3 < fields.count ? Double(fields[number - 3]) : nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        var families: [(name: String, type: String, help: String, value: Double?)] = [
            ("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
             field(14).flatMap { user in field(15).map { (user + $0) / ticks } }),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", field(24).map { $0 * pageSize }),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", field(23)),
            ("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
             field(22).flatMap { started in bootTime().map { $0 + started / ticks } }),
        ]
        let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        families.append(("process_open_fds", "gauge", "Number of open file descriptors.", descriptors.map(Double.init)))
        var limit = rlimit()
        let maximum = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Double(limit.rlim_cur) : nil
        families.append(("process_max_fds", "gauge", "Maximum number of open file descriptors.", maximum))
        return families.compactMap { family in
            family.value.map { "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n\(family.name) \(format($0))\n" }
        }.joined()
        #else
        return ""
        #endif
    }

    /// When the machine booted, in seconds since the epoch (`btime` in `/proc/stat`): a process's start time in
    /// `/proc/self/stat` counts clock ticks from boot.
    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }

    /// Whole numbers without a fraction, as Prometheus' clients print them.
    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
