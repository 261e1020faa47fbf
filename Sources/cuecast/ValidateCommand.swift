import ArgumentParser
import Foundation
import CuecastCore

/// `cuecast validate FILE...`: checks scenario files and prints every problem as `file:line:column: message`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files; print every problem as file:line:column: message.",
        discussion: "Exits 0 when every file is valid, 1 otherwise. A folder checks every scenario in it."
    )

    @Argument(help: "Scenario files or folders.")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    func run() throws {
        var failed = 0
        var files: [String] = []
        for path in paths {
            if let inFolder = try? ScenarioDirectory.scenarioFiles(in: path) {
                files += inFolder
                // A scenarios folder's scripted models (`llm/`) are checked with it.
                let models = (path as NSString).appendingPathComponent(ModelScenarioLoader.folder)
                if path != models, (path as NSString).lastPathComponent != ModelScenarioLoader.folder {
                    files += (try? ScenarioDirectory.scenarioFiles(in: models)) ?? []
                }
            } else if path.hasSuffix(".schema.json") {
                // `cuecast validate scenarios/*.json` names the JSON Schema too; like `serve`, skip it.
                if !quiet { print("\(path): skipped (a JSON Schema, not a scenario)") }
            } else {
                files.append(path)
            }
        }
        for file in files {
            do {
                if Self.isModel(file) {
                    let model = try ModelScenarioLoader.load(contentsOf: file)
                    if !quiet { print("\(file): ok (model \(model.name), \(model.outputTokens) token(s))") }
                    continue
                }
                let scenario = try ScenarioLoader.load(contentsOf: file)
                if !quiet { print("\(file): ok (\(scenario.name), \(scenario.mode.rawValue), \(scenario.cues.count) cue(s))") }
            } catch {
                failed += 1
                for problem in error.problems { print(problem.description) }
            }
        }
        if failed > 0 {
            printError("\(failed) of \(files.count) file(s) invalid")
            throw ExitCode(1)
        }
    }

    /// A file in an `llm/` folder is a scripted model (docs/llm.md), not a scenario.
    static func isModel(_ file: String) -> Bool {
        ((file as NSString).deletingLastPathComponent as NSString).lastPathComponent == ModelScenarioLoader.folder
    }
}
