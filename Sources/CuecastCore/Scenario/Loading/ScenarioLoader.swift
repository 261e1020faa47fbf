import Foundation

/// Turns scenario JSON into a validated ``Scenario``, reporting every problem as `file:line:column: message`.
///
/// jansson parses the text (rejecting syntax errors and duplicate keys with their position); the loader then
/// checks fields, types, values, template references and the timeline's shape, collecting all problems before
/// it gives up, so an author fixes a file in one round.
public enum ScenarioLoader {
    /// Fields a scenario's top-level object may have.
    static let scenarioFields = [
        "$schema", "name", "title", "description", "tags", "mode", "retry", "welcome", "heartbeat", "seed", "ids",
        "loop", "history", "values", "cues", "triggers", "end",
    ]

    /// Default keep-alive interval: short enough for common proxy idle timeouts (30-60 s), long enough to be cheap.
    public static let defaultHeartbeat: Duration = .seconds(15)

    /// Loads one file. `displayPath` is how messages name it (defaults to `path`).
    public static func load(contentsOf path: String, displayPath: String? = nil) throws(ScenarioLoadError) -> Scenario {
        let shown = displayPath ?? path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioLoadError(problems: [ScenarioProblem(file: shown, location: nil, message: "cannot read the file (\(Self.reason(error)))")])
        }
        var scenario = try load(bytes: [UInt8](data), file: shown, defaultName: Self.defaultName(forPath: path))
        scenario.sourcePath = path
        return scenario
    }

    /// Loads scenario JSON held in memory; `file` names it in messages.
    public static func load(text: String, file: String, defaultName: String) throws(ScenarioLoadError) -> Scenario {
        try load(bytes: Array(text.utf8), file: file, defaultName: defaultName)
    }

    public static func load(bytes: [UInt8], file: String, defaultName: String) throws(ScenarioLoadError) -> Scenario {
        try parsed(bytes, file: file) { root, log in read(root, defaultName: defaultName, log: log) }
    }

    /// Parses `bytes` and reads the result with `read`, which reports into the log: a syntax error or any problem
    /// reported fails the load with every problem. Shared by every file format read this way (scenarios, models).
    static func parsed<T>(_ bytes: [UInt8], file: String, _ read: (JSONNode, ProblemLog) -> T?) throws(ScenarioLoadError) -> T {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ScenarioLoadError(problems: [ScenarioProblem(file: file, location: error.location, message: error.message)])
        }
        let log = ProblemLog(file: file)
        let value = read(root, log)
        guard let value, log.isEmpty else { throw ScenarioLoadError(problems: log.problems) }
        return value
    }

    /// The scenario name a file gets when it does not say: its name without `.json`.
    public static func defaultName(forPath path: String) -> String {
        let file = URL(fileURLWithPath: path).lastPathComponent
        return file.hasSuffix(".json") ? String(file.dropLast(5)) : file
    }

    static func reason(_ error: any Error) -> String {
        (error as? CocoaError)?.code == .fileReadNoSuchFile ? "no such file" : "\(error.localizedDescription)"
    }

    // MARK: The top level

    static func read(_ root: JSONNode, defaultName: String, log: ProblemLog) -> Scenario? {
        guard let object = ObjectReader(root, what: "the scenario", allowed: scenarioFields, log: log) else { return nil }

        let name = object.string("name") ?? defaultName
        if !ScenarioName.isValid(name) {
            log.report(
                "scenario name '\(name)' must be 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit (it is part of the URL)",
                at: object["name"]?.location ?? root.location
            )
        }
        let title = object.string("title", required: true) ?? name
        let description = object.string("description") ?? ""
        let tags = readTags(object)
        let mode = readEnum(object, "mode", PlaybackMode.self) ?? .solo
        let retry = object.integer("retry", in: 0...Int64(Int32.max), unit: "milliseconds").map(Int.init)
        let welcome = readWelcome(object, title: title)
        let heartbeat = readHeartbeat(object)
        let seed = object.integer("seed").map { UInt64($0) } ?? 0
        let ids = readEnum(object, "ids", IDPolicy.self) ?? .auto
        let loop = readLoop(object)
        let history = readHistory(object, mode: mode)
        let values = object["values"].map { readValues($0, what: "the scenario's values", log: log) } ?? []
        let cues = readCues(object, log: log)
        let triggers = readTriggers(object, values: values, log: log)
        let end = readEnd(object, looping: loop != nil, log: log)

        let scenario = Scenario(
            name: name, title: title, description: description, tags: tags, mode: mode, retry: retry,
            welcome: welcome, heartbeat: heartbeat, seed: seed, ids: ids, loop: loop, history: history, values: values, cues: cues,
            triggers: triggers, end: end
        )
        checkReferences(scenario, sentinelDataAt: object["end"]?.member("sentinel")?.member("data")?.location, log: log)
        checkTimeline(scenario, object: object, log: log)
        return scenario
    }

    static func readTags(_ object: ObjectReader) -> [String] {
        guard let node = object["tags"] else { return [] }
        guard case .array(let items) = node.kind else {
            object.wrongType("tags", node, expected: "an array of strings")
            return []
        }
        return items.compactMap { item in
            guard case .string(let tag) = item.kind else {
                object.log.report("each tag must be a string, found \(item.typeName)", at: item.location)
                return nil
            }
            return tag
        }
    }

    static func readEnum<T: RawRepresentable & CaseIterable>(_ object: ObjectReader, _ key: String, _: T.Type) -> T? where T.RawValue == String {
        guard let text = object.string(key) else { return nil }
        if let value = T(rawValue: text) { return value }
        let choices = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
        object.log.report("'\(key)' must be \(choices), found '\(text)'", at: object[key]?.location)
        return nil
    }

    static func readWelcome(_ object: ObjectReader, title: String) -> String? {
        guard let node = object["welcome"] else { return title }
        switch node.kind {
        case .string(let text): return text.isEmpty ? nil : text
        case .bool(false): return nil
        default:
            object.wrongType("welcome", node, expected: "a string (or false for none)")
            return nil
        }
    }

    static func readHeartbeat(_ object: ObjectReader) -> Duration? {
        guard let node = object["heartbeat"] else { return defaultHeartbeat }
        if case .bool(false) = node.kind { return nil }
        guard let milliseconds = ObjectReader.integer(node, key: "heartbeat", in: 0...86_400_000, unit: "milliseconds, 0 or false for none", log: object.log) else { return defaultHeartbeat }
        if milliseconds == 0 { return nil }
        if milliseconds < 100 {
            object.log.report("'heartbeat' must be 0 (none) or at least 100 milliseconds, found \(milliseconds)", at: node.location)
        }
        return .milliseconds(milliseconds)
    }

    static func readHistory(_ object: ObjectReader, mode: PlaybackMode) -> HistoryRequest {
        guard let node = object["history"] else { return .all }
        if mode != .live { object.log.report("'history' applies to live scenarios only: a solo stream starts from the beginning", at: node.location) }
        switch node.kind {
        case .string(let text) where text == "none" || text == "all":
            return HistoryRequest(queryValue: text) ?? .all
        case .integer:
            return ObjectReader.integer(node, key: "history", in: 0...1_000_000, unit: "events", log: object.log).map { .last(Int($0)) } ?? .all
        default:
            object.wrongType("history", node, expected: "\"none\", \"all\" or a number of events")
            return .all
        }
    }

    static func readLoop(_ object: ObjectReader) -> LoopPolicy? {
        guard let node = object["loop"] else { return nil }
        switch node.kind {
        case .bool(let flag): return flag ? LoopPolicy() : nil
        case .object:
            guard let loop = ObjectReader(node, what: "the loop object", allowed: ["delay"], log: object.log) else { return nil }
            return LoopPolicy(delay: loop.milliseconds("delay") ?? .zero)
        default:
            object.wrongType("loop", node, expected: "true, false or an object like {\"delay\": 2000}")
            return nil
        }
    }
}

/// The rule for scenario and channel names: they appear in URLs and file names.
public enum ScenarioName {
    public static func isValid(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), let first = name.unicodeScalars.first else { return false }
        let allowed: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
        return name.unicodeScalars.allSatisfy(allowed) && first != "-" && first != "_" && first != "."
    }
}
