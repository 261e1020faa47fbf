import CuecastCore
import Foundation
import Logging
import ServiceLifecycle

/// Reloads scenario files while serving, so a teacher can edit live: a good edit takes effect for new playbacks,
/// a broken one is logged as `file:line:column: message` and the last good version keeps playing.
///
/// It polls the folder (modification time and size of each file) rather than using inotify: it is portable,
/// a scenario folder holds a few dozen small files, and a check a second is plenty for a person editing.
struct ScenarioWatcher: Service {
    let directory: String
    let catalog: ScenarioCatalog
    let interval: Duration
    let logger: Logger
    /// Counts each reload, good or broken.
    let metrics: ServerMetrics

    /// What a file looked like when last read.
    struct Stamp: Equatable {
        var modified: Date
        var size: Int
    }

    func run() async throws {
        // Shutdown cuts the sleep short, so a waiting watcher never holds the process after SIGTERM.
        try? await cancelWhenGracefulShutdown {
            var known = Self.stamps(in: directory) ?? [:]
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                // A folder that cannot be read right now (no descriptor left while every socket is taken) has not
                // lost its files: nothing is removed, and the next round looks again.
                guard let now = Self.stamps(in: directory) else { continue }
                for (path, stamp) in now where known[path] != stamp { reload(path) }
                for path in known.keys where now[path] == nil {
                    if let name = catalog.remove(loadedFrom: path) { logger.notice("\(path) was deleted: stopped serving '\(name)'") }
                }
                known = now
            }
        }
    }

    private func reload(_ path: String) {
        do {
            let scenario = try ScenarioLoader.load(contentsOf: path)
            if let other = catalog.entry(named: scenario.name), let otherPath = other.scenario.sourcePath, otherPath != path {
                logger.error("\(path): scenario name '\(scenario.name)' is already used by \(otherPath); keeping what was served")
                metrics.reloaded(good: false)
                return
            }
            let isNew = catalog.scenario(loadedFrom: path) == nil
            catalog.install(scenario)
            metrics.reloaded(good: true)
            logger.notice("\(isNew ? "loaded" : "reloaded") '\(scenario.name)' from \(path)")
        } catch {
            metrics.reloaded(good: false)
            for problem in error.problems { logger.error("\(problem.description)") }
            let kept = catalog.scenario(loadedFrom: path).map { "the last good version of '\($0.name)' keeps playing" } ?? "not served"
            logger.error("\(path) has \(error.problems.count) problem(s): \(kept)")
        }
    }

    /// Each scenario file's stamp; `nil` if the folder exists but cannot be listed (for example `EMFILE`), and
    /// empty if it is gone.
    static func stamps(in directory: String) -> [String: Stamp]? {
        guard let files = try? ScenarioDirectory.scenarioFiles(in: directory) else {
            return FileManager.default.fileExists(atPath: directory) ? nil : [:]
        }
        var stamps: [String: Stamp] = [:]
        for file in files {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { continue }
            stamps[file] = Stamp(
                modified: attributes[.modificationDate] as? Date ?? .distantPast,
                size: (attributes[.size] as? NSNumber)?.intValue ?? 0
            )
        }
        return stamps
    }
}
