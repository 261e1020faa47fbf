import CuecastCore
import Foundation

/// `cuecast conformance`'s report card: a line per case, the problems of the failed ones, the score.
struct ConformanceReport {
    let command: [String]
    let results: [ConformanceResult]

    var text: String {
        let width = results.map(\.conformanceCase.name.count).max() ?? 0
        var lines = ["Conformance of: \(command.joined(separator: " "))", ""]
        for result in results {
            let mark: String
            switch result.grade.verdict {
            case .pass: mark = "PASS"
            case .browserBehaviour: mark = "PASS*"
            case .fail: mark = "FAIL"
            }
            let name = result.conformanceCase.name.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("\(mark.padding(toLength: 6, withPad: " ", startingAt: 0)) \(name)  \(result.conformanceCase.summary)")
            for problem in result.grade.problems { lines.append("         \(problem)") }
            if let error = result.client.launchError { lines.append("         the command could not be started: \(error)") }
            if result.client.timedOut { lines.append("         (still running after the timeout: stopped; a client should stop on 204)") }
            if result.grade.verdict == .browserBehaviour, let note = result.conformanceCase.note { lines.append("         as browsers do: \(note)") }
        }
        let passed = results.filter(\.grade.passed).count
        let browserSide = results.filter { $0.grade.verdict == .browserBehaviour }.count
        let percent = results.isEmpty ? 0 : passed * 100 / results.count
        lines.append("")
        let sides = browserSide > 0 ? ", \(browserSide) of them as browsers do rather than as the specification says (PASS*)" : ""
        lines.append("Score: \(passed)/\(results.count) (\(percent)%)" + sides)
        return lines.joined(separator: "\n") + "\n"
    }
}
