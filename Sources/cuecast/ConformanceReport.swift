import CuecastCore
import Foundation

/// `cuecast conformance`'s report card: a line per case; for a failed one what its author needs to act: the problems,
/// the bytes the case sent, what the client dispatched, the requests the server saw, the client's exit and stderr;
/// then the score over the cases run.
struct ConformanceReport {
    let command: [String]
    let results: [ConformanceResult]
    /// `--max-silence`, which the score must not hide: a case's idle stream was held that long at most.
    var maxSilence: Double? = nil

    private static let indent = "         "

    var text: String {
        let width = results.map(\.conformanceCase.name.count).max() ?? 0
        var lines = ["Conformance of: \(command.joined(separator: " "))", ""]
        for result in results {
            let mark: String
            switch result.grade.verdict {
            case .pass: mark = "PASS"
            case .browserBehaviour: mark = "PASS*"
            case .fail: mark = "FAIL"
            case .notSupported: mark = "N/A"
            }
            let name = result.conformanceCase.name.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("\(mark.padding(toLength: 6, withPad: " ", startingAt: 0)) \(name)  \(result.conformanceCase.summary)")
            switch result.grade.verdict {
            case .fail: lines += Self.details(result).map { Self.indent + $0 }
            case .browserBehaviour:
                if let note = result.conformanceCase.note { lines.append(Self.indent + "as browsers do: \(note)") }
            case .notSupported:
                if let capability = result.conformanceCase.capability {
                    lines.append(Self.indent + "needs --supports \(capability.rawValue) (the client \(capability.summary))")
                }
            case .pass: break
            }
        }
        let run = results.filter { $0.grade.verdict != .notSupported }
        let passed = run.filter(\.grade.passed).count
        let browserSide = run.filter { $0.grade.verdict == .browserBehaviour }.count
        let percent = run.isEmpty ? 0 : passed * 100 / run.count
        lines.append("")
        var score = "Score: \(passed)/\(run.count) (\(percent)%)"
        if browserSide > 0 { score += ", \(browserSide) of them as browsers do rather than as the specification says (PASS*)" }
        let skipped = results.count - run.count
        if skipped > 0 { score += "; \(skipped) not supported (N/A: not run)" }
        lines.append(score)
        if let maxSilence {
            lines.append("Silences were cut to at most \(Self.seconds(maxSilence)) s (--max-silence): idle streams were tested for that long only.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `2.5` as "2.5", `3.0` as "3".
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The results for a program (`scripts/conformance-matrix`): each case's verdict, problems and evidence lines.
    var json: JSONValue {
        let run = results.filter { $0.grade.verdict != .notSupported }
        return .object([
            ("command", .array(command.map(JSONValue.string))),
            ("passed", .integer(Int64(run.filter(\.grade.passed).count))), ("run", .integer(Int64(run.count))),
            ("notSupported", .integer(Int64(results.count - run.count))),
            ("cases", .array(results.map { result in
                .object([
                    ("name", .string(result.conformanceCase.name)), ("verdict", .string(result.grade.verdict.rawValue)),
                    ("problems", .array(result.grade.problems.map(JSONValue.string))),
                    ("details", .array(result.grade.verdict == .fail ? Self.details(result).map(JSONValue.string) : [])),
                ])
            })),
        ])
    }

    /// A failed case, for its author: what went wrong, then the evidence.
    static func details(_ result: ConformanceResult) -> [String] {
        var lines = result.grade.problems
        let responses = result.conformanceCase.responses
        lines.append("the case sent:")
        for (index, response) in responses.enumerated() { lines.append("  response \(index + 1): \(response.wire)") }
        lines.append("  response \(responses.count + 1) and later: 204")
        if !result.conformanceCase.request.environment.isEmpty {
            let variables = result.conformanceCase.request.environment.sorted { $0.key < $1.key }
            lines.append("the client was asked: " + variables.map { "\($0.key)=\(String(reflecting: $0.value))" }.joined(separator: " "))
        }
        guard let client = result.client else { return lines }
        var dispatched = "the client dispatched: \(ConformanceGrade.describe(client.events))"
        if !client.comments.isEmpty { dispatched += ", comments \(client.comments)" }
        if client.otherLines > 0 { dispatched += " (and \(client.otherLines) line(s) of stdout that were not an event)" }
        lines.append(dispatched)
        if result.seen.isEmpty {
            lines.append("the server saw no request")
        } else {
            lines.append("the server saw:")
            for (index, request) in result.seen.enumerated() { lines.append("  request \(index + 1): \(request.summary)") }
        }
        if let reason = client.couldNotStart {
            lines.append("the command could not be started: \(reason)")
        } else if client.timedOut {
            lines.append("the client was still running at the timeout and was stopped (a client should stop on 204)")
        } else {
            lines.append("the client exited with status \(client.status.map(String.init) ?? "unknown")")
        }
        let stderr = client.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if !stderr.isEmpty {
            lines.append("its stderr (the end):")
            lines += stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).map { "  | " + $0 }
        }
        return lines
    }
}
