extension ScenarioLoader {
    /// Reads `end`. Without one, a scenario that loops never ends and one that does not ends after its last cue
    /// with the classic sentinel.
    static func readEnd(_ object: ObjectReader, looping: Bool, log: ProblemLog) -> EndPolicy? {
        guard let node = object["end"] else { return looping ? nil : EndPolicy() }
        guard let end = ObjectReader(node, what: "the end object", allowed: ["afterEvents", "delay", "sentinel"], log: log) else { return nil }
        var policy = EndPolicy()
        policy.afterEvents = end.integer("afterEvents", in: 1...Int64(Int32.max)).map(Int.init)
        policy.delay = end.milliseconds("delay") ?? .zero
        if let sentinel = end["sentinel"] {
            switch sentinel.kind {
            case .bool(false):
                policy.sentinel = .none
            case .object:
                if let event = readSentinel(sentinel, log: log) { policy.sentinel = .event(event) }
            default:
                end.wrongType("sentinel", sentinel, expected: "an object like {\"id\": \"-1\", \"data\": \"\"} or false")
            }
        }
        return policy
    }

    /// A sentinel's `id` defaults to `-1`: the id is what lets the server answer a browser's reconnect with 204.
    static func readSentinel(_ node: JSONNode, log: ProblemLog) -> SentinelEvent? {
        guard let reader = ObjectReader(node, what: "the sentinel", allowed: ["event", "id", "data"], log: log) else { return nil }
        var sentinel = SentinelEvent.classic
        if let type = reader.string("event") {
            do {
                try SSEEvent.validateType(type)
                sentinel.type = type
            } catch {
                log.report("the sentinel's 'event' \(reasonText(error))", at: reader["event"]?.location)
            }
        }
        if let idNode = reader["id"] {
            switch idNode.kind {
            case .null:
                sentinel.id = nil
            case .string(let id):
                do {
                    try SSEEvent.validateID(id)
                    sentinel.id = id
                } catch {
                    log.report("the sentinel's 'id' \(reasonText(error))", at: idNode.location)
                }
            default:
                reader.wrongType("id", idNode, expected: "a string (or null for no id)")
            }
        }
        if let data = reader["data"], let parsed = readData(data, log: log) { sentinel.data = parsed }
        return sentinel
    }
}
