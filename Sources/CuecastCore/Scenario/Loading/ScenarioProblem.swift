/// One thing wrong with a scenario file, where it is: printed as `file:line:column: message`, the form editors
/// and terminals turn into a link.
public struct ScenarioProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let location: SourceLocation?
    public let message: String

    public init(file: String, location: SourceLocation?, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        guard let location else { return "\(file): \(message)" }
        return "\(file):\(location.line):\(location.column): \(message)"
    }
}

/// A scenario that could not be loaded, with every problem found (not just the first).
public struct ScenarioLoadError: Error, Sendable, CustomStringConvertible {
    public let problems: [ScenarioProblem]
    public init(problems: [ScenarioProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a file is read, so one pass reports them all.
final class ProblemLog {
    let file: String
    private var reported: [ScenarioProblem] = []

    /// In file order, whatever order the checks ran in; problems without a position come last.
    var problems: [ScenarioProblem] {
        reported.enumerated().sorted { lhs, rhs in
            let l = lhs.element.location.map { ($0.line, $0.column) } ?? (.max, .max)
            let r = rhs.element.location.map { ($0.line, $0.column) } ?? (.max, .max)
            return l != r ? l < r : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// Values whose definition was reported as wrong: a placeholder naming one is not reported again as
    /// naming no value (the author did define it).
    var rejectedValues: Set<String> = []

    init(file: String) { self.file = file }

    func report(_ message: String, at location: SourceLocation?) {
        reported.append(ScenarioProblem(file: file, location: location, message: message))
    }

    var isEmpty: Bool { reported.isEmpty }
}
