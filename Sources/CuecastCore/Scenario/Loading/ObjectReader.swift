/// Reads one JSON object of a scenario: typed fields, required fields, and unknown fields (typos) reported
/// with a suggestion, each at its own position.
struct ObjectReader {
    let node: JSONNode
    let members: [JSONMember]
    let log: ProblemLog
    /// What the object is, for messages ("cue 3", "the end object").
    let what: String

    /// Returns `nil` (and reports) when `node` is not an object.
    init?(_ node: JSONNode, what: String, allowed: [String], log: ProblemLog) {
        guard case .object(let members) = node.kind else {
            log.report("\(what) must be an object, found \(node.typeName)", at: node.location)
            return nil
        }
        self.node = node
        self.members = members
        self.log = log
        self.what = what
        for member in members where !allowed.contains(member.key) && member.key != Self.commentKey {
            var message = "unknown field '\(member.key)' in \(what)"
            if let suggestion = Suggestion.closest(to: member.key, among: allowed) { message += " (did you mean '\(suggestion)'?)" }
            else { message += "; allowed: " + allowed.filter { $0 != "$schema" }.joined(separator: ", ") }
            log.report(message, at: member.keyLocation)
        }
    }

    /// A note for people, allowed in every object and ignored (the JSON Schema convention; JSON has no comments).
    static let commentKey = "$comment"

    subscript(key: String) -> JSONNode? { members.first { $0.key == key }?.value }

    func has(_ key: String) -> Bool { self[key] != nil }

    func missing(_ key: String) {
        log.report("\(what) is missing the required field '\(key)'", at: node.location)
    }

    func wrongType(_ key: String, _ node: JSONNode, expected: String) {
        log.report("'\(key)' must be \(expected), found \(node.typeName)", at: node.location)
    }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = self[key] else {
            if required { missing(key) }
            return nil
        }
        guard case .string(let text) = value.kind else {
            wrongType(key, value, expected: "a string")
            return nil
        }
        return text
    }

    func bool(_ key: String) -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let flag) = value.kind else {
            wrongType(key, value, expected: "true or false")
            return nil
        }
        return flag
    }

    /// An integer in `range`; `unit` names it in messages ("milliseconds").
    func integer(_ key: String, in range: ClosedRange<Int64> = 0...Int64.max, unit: String? = nil, required: Bool = false) -> Int64? {
        guard let value = self[key] else {
            if required { missing(key) }
            return nil
        }
        return Self.integer(value, key: key, in: range, unit: unit, log: log)
    }

    static func integer(_ value: JSONNode, key: String, in range: ClosedRange<Int64>, unit: String?, log: ProblemLog) -> Int64? {
        let unitText = unit.map { " (\($0))" } ?? ""
        guard case .integer(let number) = value.kind else {
            if case .number(let real) = value.kind {
                log.report("'\(key)' must be a whole number\(unitText), found \(real)", at: value.location)
            } else {
                log.report("'\(key)' must be an integer\(unitText), found \(value.typeName)", at: value.location)
            }
            return nil
        }
        guard range.contains(number) else {
            let bound = range.upperBound >= ObjectReader.largestMilliseconds ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            log.report("'\(key)' must be \(bound)\(unitText), found \(number)", at: value.location)
            return nil
        }
        return number
    }

    /// A number (integer or real) in `range`.
    func number(_ key: String, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, required: Bool = false) -> Double? {
        guard let value = self[key] else {
            if required { missing(key) }
            return nil
        }
        return Self.number(value, key: key, in: range, log: log)
    }

    static func number(_ value: JSONNode, key: String, in range: ClosedRange<Double>, log: ProblemLog) -> Double? {
        let number: Double
        switch value.kind {
        case .integer(let integer): number = Double(integer)
        case .number(let real): number = real
        default:
            log.report("'\(key)' must be a number, found \(value.typeName)", at: value.location)
            return nil
        }
        guard range.contains(number) else {
            log.report("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: value.location)
            return nil
        }
        return number
    }

    /// Milliseconds as a `Duration`.
    func milliseconds(_ key: String, minimum: Int64 = 0, required: Bool = false) -> Duration? {
        integer(key, in: minimum...Self.largestMilliseconds, unit: "milliseconds", required: required).map { .milliseconds($0) }
    }

    /// The longest time a scenario may name: what fits in a `Duration` of nanoseconds (about 292 years).
    static let largestMilliseconds = Int64.max / 1_000_000
}

/// "Did you mean" for field and value names, in scenario files and request bodies alike.
public enum Suggestion {
    /// The candidate a typo most likely meant, if one is close enough.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(1, min(3, (word.count + 1) / 3)) ? best.0 : nil
    }

    /// Edit distance counting a swap of two neighbouring letters as one edit ("titel" is one away from "title"),
    /// since that is the commonest typo.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = Swift.min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = Swift.min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
