/// How a client did on one case.
public struct ConformanceGrade: Sendable {
    public enum Verdict: String, Sendable {
        /// As the specification says.
        case pass
        /// As browsers do, where they part ways with the specification.
        case browserBehaviour = "pass (browser behaviour)"
        case fail
        /// The case needs a capability the client does not have: not run, and not counted in the score.
        case notSupported = "not supported"
    }

    public let verdict: Verdict
    /// What went wrong, one sentence each (empty unless it failed).
    public let problems: [String]

    public var passed: Bool { verdict == .pass || verdict == .browserBehaviour }

    /// The grade of a case the client cannot run.
    public static let notSupported = ConformanceGrade(verdict: .notSupported, problems: [])

    private init(verdict: Verdict, problems: [String]) {
        self.verdict = verdict
        self.problems = problems
    }

    /// Compares what a client dispatched, and the requests the server saw, with what the case expects.
    public init(_ conformanceCase: ConformanceCase, got outcome: ConformanceCase.Outcome, seen: [SeenRequest] = []) {
        let requestProblems = seen.enumerated().flatMap { index, request in
            conformanceCase.checks.compactMap { $0.problem(request, index: index) }
        }
        let compared = conformanceCase.expected.comments == nil ? Self.withoutComments(outcome) : outcome
        if compared == conformanceCase.expected, requestProblems.isEmpty {
            self.init(verdict: .pass, problems: [])
        } else if let browsers = conformanceCase.browsers, compared == browsers, requestProblems.isEmpty {
            self.init(verdict: .browserBehaviour, problems: [])
        } else {
            let expected = conformanceCase.expected
            var problems: [String] = []
            if outcome.events != expected.events {
                problems.append("dispatched \(Self.describe(outcome.events)), expected \(Self.describe(expected.events))")
            }
            if let comments = expected.comments, outcome.comments ?? [] != comments {
                problems.append("reported the comments \(outcome.comments ?? []), expected \(comments)")
            }
            if outcome.requests.count != expected.requests.count {
                problems.append(
                    "made \(outcome.requests.count) request(s) (Last-Event-ID \(Self.describe(outcome.requests))), "
                        + "expected \(expected.requests.count) (\(Self.describe(expected.requests)))"
                )
            } else if outcome.requests != expected.requests {
                problems.append("sent Last-Event-ID \(Self.describe(outcome.requests)), expected \(Self.describe(expected.requests))")
            }
            self.init(verdict: .fail, problems: problems + requestProblems)
        }
    }

    private static func withoutComments(_ outcome: ConformanceCase.Outcome) -> ConformanceCase.Outcome {
        var outcome = outcome
        outcome.comments = nil
        return outcome
    }

    public static func describe(_ events: [ParsedEvent]) -> String {
        "[" + events.map { "\($0.type) \(quoted($0.data)) id \(quoted($0.lastEventId))" }.joined(separator: ", ") + "]"
    }

    /// A string in quotes with its escapes; a long one cut to its start and end, with its length.
    public static func quoted(_ text: String) -> String {
        guard text.count > 160 else { return String(reflecting: text) }
        return String(reflecting: String(text.prefix(60))) + "…" + String(reflecting: String(text.suffix(20))) + " (\(text.count) characters)"
    }

    public static func describe(_ headers: [String?]) -> String {
        "[" + headers.map { $0.map(quoted) ?? "none" }.joined(separator: ", ") + "]"
    }
}
