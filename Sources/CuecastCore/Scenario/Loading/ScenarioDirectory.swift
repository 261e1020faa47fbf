import Foundation

/// Loads every scenario in a folder: each `*.json` file except JSON Schemas (`*.schema.json`).
public enum ScenarioDirectory {
    public struct Result: Sendable {
        public var scenarios: [Scenario]
        public var problems: [ScenarioProblem]
    }

    /// Files that hold scenarios, sorted by name so every run loads (and lists) them in the same order.
    public static func scenarioFiles(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") && !$0.hasPrefix(".") }.sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Loads what it can and reports the rest; two files may not claim the same name.
    public static func load(_ directory: String) -> Result {
        let files: [String]
        do {
            files = try scenarioFiles(in: directory)
        } catch {
            return Result(scenarios: [], problems: [ScenarioProblem(file: directory, location: nil, message: "cannot read the folder (\(error.localizedDescription))")])
        }
        var result = Result(scenarios: [], problems: [])
        for file in files {
            do {
                let scenario = try ScenarioLoader.load(contentsOf: file)
                if let first = result.scenarios.first(where: { $0.name == scenario.name }) {
                    result.problems.append(
                        ScenarioProblem(file: file, location: nil, message: "scenario name '\(scenario.name)' is already used by \(first.sourcePath ?? "another file")")
                    )
                } else {
                    result.scenarios.append(scenario)
                }
            } catch {
                result.problems.append(contentsOf: error.problems)
            }
        }
        return result
    }
}
