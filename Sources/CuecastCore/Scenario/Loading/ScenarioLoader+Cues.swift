extension ScenarioLoader {
    static let eventFields = ["event", "data", "id", "retry", "comment"]
    static let cueFields = ["at", "after", "repeat", "oneOf", "values", "disconnect"] + eventFields
    static let triggerFields = ["oneOf", "values", "adjust"] + eventFields

    static func readCues(_ object: ObjectReader, log: ProblemLog) -> [Cue] {
        guard let node = object["cues"] else {
            object.missing("cues")
            return []
        }
        guard case .array(let items) = node.kind else {
            object.wrongType("cues", node, expected: "an array of cues")
            return []
        }
        if items.isEmpty { log.report("'cues' is empty: a scenario needs at least one cue", at: node.location) }
        return items.enumerated().compactMap { index, item in readCue(item, number: index + 1, log: log) }
    }

    static func readCue(_ node: JSONNode, number: Int, log: ProblemLog) -> Cue? {
        let what = "cue \(number)"
        guard let cue = ObjectReader(node, what: what, allowed: cueFields, log: log) else { return nil }

        var start = CueStart.after(.zero)
        let at = cue.milliseconds("at")
        let after = cue.milliseconds("after")
        if cue.has("at") && cue.has("after") {
            log.report("\(what) has both 'at' and 'after': use 'at' for a time from the start of the pass, or 'after' for a delay after the previous cue", at: cue["after"]?.location)
        } else if let at {
            start = .at(at)
        } else if let after {
            start = .after(after)
        }

        var repetition: Repetition?
        if let repeatNode = cue["repeat"], let reader = ObjectReader(repeatNode, what: "the repeat of \(what)", allowed: ["every", "count"], log: log) {
            let every = reader.milliseconds("every", minimum: 1, required: true)
            let count = reader.integer("count", in: 1...Int64(Int32.max)).map(Int.init)
            if let every { repetition = Repetition(every: every, count: count) }
        }

        var disconnectEvery: Int?
        if let node = cue["disconnect"] {
            switch node.kind {
            case .bool(let flag): disconnectEvery = flag ? 1 : nil
            default: disconnectEvery = ObjectReader.integer(node, key: "disconnect", in: 1...Int64(Int32.max), unit: "true, or after every N emissions", log: log).map(Int.init)
            }
        }
        guard var emission = readEmission(cue, what: what, log: log) else { return nil }
        emission.start = start
        emission.repeating = repetition
        emission.disconnectEvery = disconnectEvery
        return emission
    }

    /// What a cue or trigger sends: one event template, or `oneOf` alternatives, with local values.
    static func readEmission(_ cue: ObjectReader, what: String, log: ProblemLog) -> Cue? {
        let values = cue["values"].map { readValues($0, what: "the values of \(what)", log: log) } ?? []
        var alternatives: [EventTemplate] = []
        if let oneOf = cue["oneOf"] {
            if let clash = eventFields.first(where: cue.has) {
                log.report("\(what) has both 'oneOf' and '\(clash)': put '\(clash)' inside each alternative", at: cue[clash]?.location)
            }
            alternatives = readAlternatives(oneOf, what: what, log: log)
        } else if let template = readEventTemplate(cue, what: what, weighted: false, log: log) {
            alternatives = [template]
        }
        guard !alternatives.isEmpty else { return nil }
        return Cue(alternatives: alternatives, values: values, location: cue.node.location)
    }

    static func readAlternatives(_ node: JSONNode, what: String, log: ProblemLog) -> [EventTemplate] {
        guard case .array(let items) = node.kind, !items.isEmpty else {
            log.report("'oneOf' of \(what) must be a non-empty array of event objects, found \(node.typeName)", at: node.location)
            return []
        }
        return items.enumerated().compactMap { index, item in
            let label = "alternative \(index + 1) of \(what)"
            guard let reader = ObjectReader(item, what: label, allowed: eventFields + ["weight"], log: log) else { return nil }
            return readEventTemplate(reader, what: label, weighted: true, log: log)
        }
    }

    /// Reads the event fields of a cue or alternative. A template needs at least one of them.
    static func readEventTemplate(_ object: ObjectReader, what: String, weighted: Bool, log: ProblemLog) -> EventTemplate? {
        guard eventFields.contains(where: object.has) else {
            log.report("\(what) sends nothing: give it 'data' (and maybe 'event', 'id'), or a 'comment'", at: object.node.location)
            return nil
        }
        var template = EventTemplate()
        template.type = readTemplate(object, "event", validate: { try SSEEvent.validateType($0) })
        template.id = readTemplate(object, "id", validate: { try SSEEvent.validateID($0) })
        template.comment = readTemplate(object, "comment")
        template.retry = object.integer("retry", in: 0...Int64(Int32.max), unit: "milliseconds").map(Int.init)
        if let data = object["data"] { template.data = readData(data, log: log) }
        for field in eventFields { if let location = object[field]?.location { template.locations[field] = location } }
        if weighted { template.weight = object.number("weight", in: 0.000_001...1e12) ?? 1 }
        return template
    }

    /// A string field that may hold placeholders. Literal text is checked with `validate` now; what placeholders
    /// may produce is checked once generators are known (``checkReferences``).
    static func readTemplate(_ object: ObjectReader, _ key: String, validate: ((String) throws -> Void)? = nil) -> Template? {
        guard let node = object[key] else { return nil }
        guard case .string(let text) = node.kind else {
            object.wrongType(key, node, expected: "a string")
            return nil
        }
        guard let template = parseTemplate(text, at: node.location, log: object.log) else { return nil }
        for case .literal(let literal) in template.parts {
            do {
                try validate?(literal)
            } catch {
                object.log.report("'\(key)' \(reasonText(error))", at: node.location)
                return nil
            }
        }
        return template
    }

    static func parseTemplate(_ text: String, at location: SourceLocation, log: ProblemLog) -> Template? {
        do {
            return try Template.parse(text)
        } catch {
            // Point at the placeholder: the string's opening quote, plus one, plus the offset (exact when no escapes precede it).
            log.report(error.message, at: SourceLocation(line: location.line, column: location.column + 1 + error.offset))
            return nil
        }
    }

    static func reasonText(_ error: any Error) -> String {
        if let field = error as? SSEFieldError { return "is invalid: \(field.reason)" }
        return "is invalid: \(error)"
    }

    static func readData(_ node: JSONNode, log: ProblemLog) -> EventData? {
        switch node.kind {
        case .string(let text):
            return parseTemplate(text, at: node.location, log: log).map(EventData.text)
        case .null:
            log.report("'data' is null: leave 'data' out to send no data line, or write \"null\" to send the text null", at: node.location)
            return nil
        default:
            return readJSONTemplate(node, log: log).map(EventData.json)
        }
    }

    static func readJSONTemplate(_ node: JSONNode, log: ProblemLog) -> JSONTemplate? {
        switch node.kind {
        case .string(let text):
            guard let template = parseTemplate(text, at: node.location, log: log) else { return nil }
            return template.references.isEmpty ? .value(node.value) : .string(template)
        case .array(let items):
            let rendered = items.compactMap { readJSONTemplate($0, log: log) }
            guard rendered.count == items.count else { return nil }
            return rendered.allSatisfy(\.isPlain) ? .value(node.value) : .array(rendered)
        case .object(let members):
            let rendered = members.compactMap { member in readJSONTemplate(member.value, log: log).map { (key: member.key, value: $0) } }
            guard rendered.count == members.count else { return nil }
            return rendered.allSatisfy(\.value.isPlain) ? .value(node.value) : .object(rendered)
        default:
            return .value(node.value)
        }
    }
}

extension JSONTemplate {
    var isPlain: Bool { if case .value = self { true } else { false } }
}
