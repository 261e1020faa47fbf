extension ScenarioLoader {
    static let generatorKinds = ["pick", "sequence", "int", "float", "counter", "walk"]

    /// Reads `{"name": generator, ...}`. A bare array is short for `{"pick": [...]}`.
    static func readValues(_ node: JSONNode, what: String, log: ProblemLog) -> [NamedGenerator] {
        guard case .object(let members) = node.kind else {
            log.report("\(what) must be an object of named generators, found \(node.typeName)", at: node.location)
            return []
        }
        return members.compactMap { member in
            if member.key == ObjectReader.commentKey { return nil }
            guard isValueName(member.key) else {
                log.report("value name '\(member.key)' must start with a letter or '_' and hold only letters, digits, '_' or '-'", at: member.keyLocation)
                log.rejectedValues.insert(member.key)
                return nil
            }
            guard let generator = readGenerator(member.value, name: member.key, log: log) else {
                log.rejectedValues.insert(member.key)
                return nil
            }
            return NamedGenerator(name: member.key, generator: generator)
        }
    }

    static func isValueName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    static func readGenerator(_ node: JSONNode, name: String, log: ProblemLog) -> ValueGenerator? {
        if case .array = node.kind {
            return readList(node, key: name, log: log).map { .pick($0, weights: nil) }
        }
        let what = "value '\(name)'"
        guard case .object(let members) = node.kind else {
            log.report("\(what) must be a list to pick from or an object like {\"int\": [1, 6]}, found \(node.typeName)", at: node.location)
            return nil
        }
        let kinds = members.filter { generatorKinds.contains($0.key) }
        guard kinds.count == 1, let kind = kinds.first else {
            let found = kinds.isEmpty ? "none" : kinds.map { "'\($0.key)'" }.joined(separator: " and ")
            log.report("\(what) needs exactly one of \(generatorKinds.map { "'\($0)'" }.joined(separator: ", ")); found \(found)", at: node.location)
            _ = ObjectReader(node, what: what, allowed: generatorKinds + ["weights", "decimals"], log: log)
            return nil
        }
        switch kind.key {
        case "pick":
            guard let reader = ObjectReader(node, what: what, allowed: ["pick", "weights"], log: log),
                let values = readList(kind.value, key: "pick", log: log)
            else { return nil }
            var weights: [Double]?
            if let weightsNode = reader["weights"] {
                guard case .array(let items) = weightsNode.kind, items.count == values.count else {
                    log.report("'weights' must be an array with one number per value (\(values.count))", at: weightsNode.location)
                    return nil
                }
                let numbers = items.compactMap { ObjectReader.number($0, key: "weights", in: 0...1e12, log: log) }
                guard numbers.count == items.count else { return nil }
                guard numbers.contains(where: { $0 > 0 }) else {
                    log.report("'weights' must not all be zero", at: weightsNode.location)
                    return nil
                }
                weights = numbers
            }
            return .pick(values, weights: weights)
        case "sequence":
            guard ObjectReader(node, what: what, allowed: ["sequence"], log: log) != nil else { return nil }
            return readList(kind.value, key: "sequence", log: log).map(ValueGenerator.sequence)
        case "int":
            guard ObjectReader(node, what: what, allowed: ["int"], log: log) != nil, let (low, high) = readBounds(kind.value, key: "int", integers: true, log: log) else { return nil }
            return .integer(min: Int64(low), max: Int64(high))
        case "float":
            guard let reader = ObjectReader(node, what: what, allowed: ["float", "decimals"], log: log),
                let (low, high) = readBounds(kind.value, key: "float", integers: false, log: log)
            else { return nil }
            return .real(min: low, max: high, decimals: Int(reader.integer("decimals", in: 0...12) ?? 2))
        case "counter":
            guard ObjectReader(node, what: what, allowed: ["counter"], log: log) != nil else { return nil }
            if case .integer(let start) = kind.value.kind { return .counter(start: start, step: 1) }
            guard let counter = ObjectReader(kind.value, what: "the counter of \(what)", allowed: ["start", "step"], log: log) else { return nil }
            return .counter(start: counter.integer("start", in: Int64.min...Int64.max) ?? 1, step: counter.integer("step", in: Int64.min...Int64.max) ?? 1)
        default:  // walk
            guard ObjectReader(node, what: what, allowed: ["walk"], log: log) != nil,
                let walk = ObjectReader(kind.value, what: "the walk of \(what)", allowed: ["start", "step", "min", "max", "decimals"], log: log),
                let start = walk.number("start", required: true), let step = walk.number("step", in: 0...1e15, required: true)
            else { return nil }
            let low = walk.number("min") ?? -Double.greatestFiniteMagnitude
            let high = walk.number("max") ?? Double.greatestFiniteMagnitude
            guard low <= start, start <= high else {
                log.report("the walk of \(what) must start between its 'min' and 'max'", at: walk["start"]?.location)
                return nil
            }
            return .walk(RandomWalk(start: start, step: step, min: low, max: high, decimals: Int(walk.integer("decimals", in: 0...12) ?? 2)))
        }
    }

    static func readList(_ node: JSONNode, key: String, log: ProblemLog) -> [JSONValue]? {
        guard case .array(let items) = node.kind, !items.isEmpty else {
            log.report("'\(key)' must be a non-empty array of values, found \(node.typeName == "array" ? "an empty array" : node.typeName)", at: node.location)
            return nil
        }
        return items.map(\.value)
    }

    /// `[min, max]`, with `min <= max`.
    static func readBounds(_ node: JSONNode, key: String, integers: Bool, log: ProblemLog) -> (Double, Double)? {
        let expected = "'\(key)' must be [min, max] with two \(integers ? "integers" : "numbers")"
        guard case .array(let items) = node.kind, items.count == 2 else {
            log.report("\(expected), found \(node.typeName)", at: node.location)
            return nil
        }
        var bounds: [Double] = []
        for item in items {
            switch item.kind {
            case .integer(let value) where value.magnitude <= 1 << 53: bounds.append(Double(value))
            case .integer:
                log.report("'\(key)' bounds must be within ±9007199254740992", at: item.location)
                return nil
            case .number(let value) where !integers: bounds.append(value)
            default:
                log.report("\(expected), found \(item.typeName)", at: item.location)
                return nil
            }
        }
        guard bounds[0] <= bounds[1] else {
            log.report("'\(key)' has min \(items[0].value.compactText) greater than max \(items[1].value.compactText)", at: node.location)
            return nil
        }
        return (bounds[0], bounds[1])
    }
}
