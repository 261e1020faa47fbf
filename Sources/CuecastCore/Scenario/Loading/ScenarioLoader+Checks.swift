extension ScenarioLoader {
    /// Every placeholder must name a built-in or a generator in scope, with fields that exist; event names and ids
    /// must not be able to receive a line break from a generator. The sentinel's data sees the scenario's values.
    static func checkReferences(_ scenario: Scenario, sentinelDataAt sentinelLocation: SourceLocation? = nil, log: ProblemLog) {
        let owners = zip(1..., scenario.cues).map { ("cue \($0)", $1) } + scenario.triggers.map { ("trigger '\($0.name)'", $0.emission) }
        for (owner, cue) in owners {
            let scope = cue.values + scenario.values.filter { shared in !cue.values.contains { $0.name == shared.name } }
            for template in cue.alternatives {
                var fields: [(String, [Reference])] = [
                    ("event", template.type?.references ?? []), ("id", template.id?.references ?? []),
                    ("comment", template.comment?.references ?? []),
                ]
                switch template.data {
                case .text(let text): fields.append(("data", text.references))
                case .json(let json): fields.append(("data", json.references))
                case nil: break
                }
                for (field, references) in fields {
                    for reference in references {
                        check(reference, field: field, scope: scope, owner: owner, at: template.locations[field] ?? cue.location, log: log)
                    }
                }
            }
        }
        if let end = scenario.end, case .event(let sentinel) = end.sentinel {
            let references: [Reference]
            switch sentinel.data {
            case .text(let text): references = text.references
            case .json(let json): references = json.references
            }
            for reference in references {
                check(reference, field: "data", scope: scenario.values, owner: "the sentinel", at: sentinelLocation, log: log)
            }
        }
    }

    /// `owner` names what holds the placeholder in messages: "cue 3", "the sentinel".
    private static func check(_ reference: Reference, field: String, scope: [NamedGenerator], owner: String, at location: SourceLocation?, log: ProblemLog) {
        if reference.isBuiltin {
            if !EmissionContext.builtinNames.contains(reference.name) {
                log.report("\(owner): unknown built-in '{{\(reference.name)}}'; built-ins are \(EmissionContext.builtinNames.joined(separator: ", "))", at: location)
            } else if !reference.path.isEmpty {
                log.report("\(owner): built-in '{{\(reference.name)}}' has no fields", at: location)
            } else if field == "event" && reference.name == "$now" {
                log.report("\(owner): '{{$now}}' cannot be part of an event name", at: location)
            }
            return
        }
        guard let generator = scope.first(where: { $0.name == reference.name })?.generator else {
            if log.rejectedValues.contains(reference.name) { return }  // its definition is already reported
            var message = "\(owner): '{{\(reference)}}' in '\(field)' names no value"
            if let suggestion = Suggestion.closest(to: reference.name, among: scope.map(\.name) + EmissionContext.builtinNames) {
                message += " (did you mean '\(suggestion)'?)"
            } else if scope.isEmpty {
                message += "; define it under \"values\""
            }
            log.report(message, at: location)
            return
        }
        if let field = reference.path.first, !canHave(field: field, generator) {
            log.report("\(owner): '{{\(reference)}}': value '\(reference.name)' has no field '\(field)'", at: location)
        }
        if (field == "event" || field == "id") && generator.canProduceLineBreak {
            log.report("\(owner): value '\(reference.name)' can produce a line break or NUL, which an event \(field == "id" ? "id" : "name") must never contain", at: location)
        }
    }

    private static func canHave(field: String, _ generator: ValueGenerator) -> Bool {
        if generator.fieldNames.contains(field) { return true }
        switch generator {
        case .pick(let values, _), .sequence(let values):
            return values.allSatisfy { value in
                if case .object(let members) = value { return members.contains { $0.0 == field } }
                return false
            }
        default:
            return false
        }
    }

    /// The timeline must be playable: no `after` following a cue that never ends, a loop that can come round,
    /// and an explicit end that can be reached.
    static func checkTimeline(_ scenario: Scenario, object: ObjectReader, log: ProblemLog) {
        var endless: Int?
        for (number, cue) in zip(1..., scenario.cues) {
            if let endless, case .after = cue.start {
                log.report("cue \(number) starts 'after' cue \(endless), which repeats forever: give cue \(number) an 'at' time", at: cue.location)
            }
            if cue.emissionCount == nil { endless = endless ?? number }
        }
        if let endless, scenario.loop != nil {
            log.report("'loop' can never come round: cue \(endless) repeats forever (give its repeat a 'count')", at: object["loop"]?.location)
        }
        if let loop = scenario.loop, endless == nil, loop.delay == .zero, scenario.passLength == .zero {
            log.report("'loop' would replay instantly forever: the cues take no time; add a 'delay' or space the cues out", at: object["loop"]?.location)
        }
        if let endNode = object["end"], scenario.end?.afterEvents == nil {
            if scenario.loop != nil {
                log.report("a looping scenario never reaches its end: give 'end' an 'afterEvents' count, or remove 'loop'", at: endNode.location)
            } else if let endless {
                log.report("the end is never reached: cue \(endless) repeats forever; give 'end' an 'afterEvents' count", at: endNode.location)
            }
        }
    }
}

extension JSONNode {
    /// The value of `key`, when this node is an object that has it.
    func member(_ key: String) -> JSONNode? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }
}
