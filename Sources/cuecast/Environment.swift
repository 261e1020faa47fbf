import Foundation

/// Reads `CUECAST_*` settings, so every `serve` option can also come from the environment (containers, CI).
enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
