/// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests that read `GET /metrics`.
///
/// It follows the format's grammar rather than matching strings: `# HELP` and `# TYPE` lines, samples as
/// `name{label="value",...} value [timestamp]`, escapes in label values (`\\`, `\"`, `\n`) and help text, and
/// float values including `NaN` and `±Inf`. It refuses what a Prometheus server would refuse or misread: a bad metric
/// or label name, a label given twice, an unterminated or badly escaped value, a second `TYPE` for a family or one
/// after its samples, an unknown type, a sample that does not belong to the family its `TYPE` announced, and the
/// same series twice.
public struct PrometheusExposition: Sendable {
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public enum MetricType: String, Sendable {
        case counter, gauge, histogram, summary, untyped
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    public private(set) var samples: [Sample] = []
    public private(set) var types: [String: MetricType] = [:]
    public private(set) var help: [String: String] = [:]

    public init(parsing text: String) throws(ParseError) {
        var seriesSeen = Set<String>()
        var familiesWithSamples = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                try readComment(Substring(line), line: number, familiesWithSamples: familiesWithSamples)
                continue
            }
            var scanner = Scanner(text: Substring(line), line: number)
            let sample = try scanner.sample()
            let family = family(of: sample.name)
            if let type = types[family] ?? types[sample.name], !Self.belongs(sample.name, to: family, type: type) {
                throw ParseError(line: number, message: "sample '\(sample.name)' does not belong to \(type.rawValue) '\(family)'")
            }
            let key = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seriesSeen.insert(key).inserted else { throw ParseError(line: number, message: "series \(key) appears twice") }
            familiesWithSamples.insert(family)
            samples.append(sample)
        }
        if !text.isEmpty, !text.hasSuffix("\n") { throw ParseError(line: 0, message: "the exposition must end with a line feed") }
    }

    /// The value of the one series named `name` with exactly these labels; `nil` if there is none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every series of `name`.
    public func series(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    // MARK: Comments

    private mutating func readComment(_ line: Substring, line number: Int, familiesWithSamples: Set<String>) throws(ParseError) {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { return }  // a plain comment
        let name = String(parts[2])
        guard Self.isMetricName(name) else { throw ParseError(line: number, message: "bad metric name '\(name)' in \(parts[1])") }
        let rest = parts.count > 3 ? parts[3] : ""
        if parts[1] == "TYPE" {
            guard let type = MetricType(rawValue: String(rest)) else { throw ParseError(line: number, message: "unknown type '\(rest)' for '\(name)'") }
            guard types[name] == nil else { throw ParseError(line: number, message: "a second TYPE line for '\(name)'") }
            guard !familiesWithSamples.contains(name) else { throw ParseError(line: number, message: "TYPE for '\(name)' after its samples") }
            types[name] = type
        } else {
            guard help[name] == nil else { throw ParseError(line: number, message: "a second HELP line for '\(name)'") }
            var text = ""
            var escaped = false
            for character in rest {
                if escaped {
                    switch character {
                    case "\\": text.append("\\")
                    case "n": text.append("\n")
                    default: throw ParseError(line: number, message: "bad escape '\\\(character)' in HELP for '\(name)'")
                    }
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    text.append(character)
                }
            }
            guard !escaped else { throw ParseError(line: number, message: "HELP for '\(name)' ends in a lone backslash") }
            help[name] = text
        }
    }

    /// The family a sample belongs to: itself, or for a histogram or summary the name without its suffix.
    private func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == .histogram || type == .summary { return base }
        }
        return name
    }

    private static func belongs(_ name: String, to family: String, type: MetricType) -> Bool {
        switch type {
        case .counter, .gauge, .untyped: name == family
        case .histogram: name == family + "_bucket" || name == family + "_sum" || name == family + "_count"
        case .summary: name == family || name == family + "_sum" || name == family + "_count"
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }
}

/// Reads one sample line, character by character.
private struct Scanner {
    let text: Substring
    let line: Int
    var index: Substring.Index

    init(text: Substring, line: Int) {
        self.text = text
        self.line = line
        self.index = text.startIndex
    }

    func fail(_ message: String) -> PrometheusExposition.ParseError { .init(line: line, message: message) }

    var current: Character? { index < text.endIndex ? text[index] : nil }

    mutating func advance() { index = text.index(after: index) }

    mutating func sample() throws(PrometheusExposition.ParseError) -> PrometheusExposition.Sample {
        let name = take { $0 != "{" && $0 != " " }
        guard PrometheusExposition.isMetricName(name) else { throw fail("bad metric name '\(name)'") }
        var labels: [String: String] = [:]
        if current == "{" {
            advance()
            while current != "}" {
                let label = take { $0 != "=" }
                guard PrometheusExposition.isLabelName(label) else { throw fail("bad label name '\(label)' on '\(name)'") }
                guard current == "=" else { throw fail("label '\(label)' has no '='") }
                advance()
                let value = try quoted()
                guard labels.updateValue(value, forKey: label) == nil else { throw fail("label '\(label)' given twice on '\(name)'") }
                if current == "," {
                    advance()
                } else if current != "}" {
                    throw fail("expected ',' or '}' after label '\(label)' on '\(name)'")
                }
            }
            advance()
        }
        guard current == " " else { throw fail("expected a space before the value of '\(name)'") }
        advance()
        let fields = text[index...].split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || fields.count == 2, let value = Self.number(fields[0]) else {
            throw fail("expected a value (and an optional timestamp) for '\(name)', found '\(text[index...])'")
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw fail("bad timestamp '\(fields[1])' for '\(name)'") }
        return .init(name: name, labels: labels, value: value)
    }

    /// A label value: `"..."` with `\\`, `\"` and `\n` escapes.
    mutating func quoted() throws(PrometheusExposition.ParseError) -> String {
        guard current == "\"" else { throw fail("a label value must be quoted") }
        advance()
        var value = ""
        while let character = current {
            advance()
            switch character {
            case "\"": return value
            case "\\":
                guard let escaped = current else { throw fail("a label value ends in a lone backslash") }
                advance()
                switch escaped {
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                case "n": value.append("\n")
                default: throw fail("bad escape '\\\(escaped)' in a label value")
                }
            default: value.append(character)
            }
        }
        throw fail("unterminated label value")
    }

    mutating func take(while keep: (Character) -> Bool) -> String {
        let start = index
        while let character = current, keep(character) { advance() }
        return String(text[start..<index])
    }

    /// A Go `ParseFloat` value as Prometheus writes it: decimal or exponent notation, `NaN`, `+Inf`, `-Inf`.
    static func number(_ field: Substring) -> Double? {
        switch field {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard field.unicodeScalars.allSatisfy({ $0.isASCIIDigit || "+-.eE".unicodeScalars.contains($0) }) else { return nil }
            return Double(field)
        }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
