extension ScenarioLoader {
    /// Reads `"triggers": {"crash": {...}}`: named emissions, each like a cue without timing, plus `adjust`.
    /// A live scenario's trigger reaches its one shared playback; a solo scenario's reaches every open one.
    static func readTriggers(_ object: ObjectReader, values: [NamedGenerator], log: ProblemLog) -> [Trigger] {
        guard let node = object["triggers"] else { return [] }
        guard case .object(let members) = node.kind else {
            object.wrongType("triggers", node, expected: "an object of named triggers")
            return []
        }
        return members.compactMap { member in
            if member.key == ObjectReader.commentKey { return nil }
            let what = "trigger '\(member.key)'"
            guard ScenarioName.isValid(member.key.lowercased()), !member.key.contains("/") else {
                log.report("trigger name '\(member.key)' must be 1-64 letters, digits, '-', '_' or '.' (it is part of a URL)", at: member.keyLocation)
                return nil
            }
            guard let reader = ObjectReader(member.value, what: what, allowed: triggerFields, log: log),
                let emission = readEmission(reader, what: what, log: log)
            else { return nil }
            return Trigger(name: member.key, emission: emission, adjustments: readAdjust(reader, what: what, values: values, log: log))
        }
    }

    /// `"adjust": {"percent": -8, "values": ["aapl"]}`: without `values`, every walk of the scenario moves.
    static func readAdjust(_ trigger: ObjectReader, what: String, values: [NamedGenerator], log: ProblemLog) -> [WalkAdjustment] {
        guard let node = trigger["adjust"],
            let adjust = ObjectReader(node, what: "the adjust of \(what)", allowed: ["percent", "values"], log: log),
            let percent = adjust.number("percent", in: -100...10_000, required: true)
        else { return [] }
        let walks = values.filter { if case .walk = $0.generator { true } else { false } }.map(\.name)
        guard let namesNode = adjust["values"] else {
            if walks.isEmpty { log.report("'adjust' in \(what) has no walk to move: define a 'walk' under the scenario's values", at: node.location) }
            return walks.map { WalkAdjustment(value: $0, percent: percent) }
        }
        guard case .array(let items) = namesNode.kind else {
            adjust.wrongType("values", namesNode, expected: "an array of walk names")
            return []
        }
        return items.compactMap { item in
            guard case .string(let name) = item.kind, walks.contains(name) else {
                var message = "'adjust' can only move the scenario's walks; \(item.value.compactText) is not one"
                if !walks.isEmpty { message += " (walks: \(walks.joined(separator: ", ")))" }
                log.report(message, at: item.location)
                return nil
            }
            return WalkAdjustment(value: name, percent: percent)
        }
    }
}
