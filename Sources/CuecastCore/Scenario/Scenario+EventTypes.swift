extension Scenario {
    /// The event types the scenario can send, as far as they are known before playing: a browser must call
    /// `addEventListener` for each named type (unnamed events arrive as `message`). Types made by a placeholder
    /// are listed when the placeholder picks from a fixed list of strings.
    public var eventTypes: [String] {
        var types: [String] = []
        func add(_ type: String) { if !types.contains(type) { types.append(type) } }
        for cue in cues {
            for template in cue.alternatives {
                guard let type = template.type else { continue }
                if let literal = type.literalText {
                    add(literal)
                } else if let reference = type.soleReference, reference.path.isEmpty,
                    let generator = (cue.values + values).first(where: { $0.name == reference.name })?.generator
                {
                    switch generator {
                    case .pick(let options, _), .sequence(let options):
                        for case .string(let option) in options { add(option) }
                    default: break
                    }
                }
            }
        }
        if let end, case .event(let sentinel) = end.sentinel, let type = sentinel.type { add(type) }
        return types
    }
}
