import Foundation

/// Resolves a single emission's placeholders: each generator is drawn at most once, on first use.
///
/// Built-ins: `$index` (0-based emission of this cue), `$event` (1-based event number in the playback, the auto
/// id), `$pass` (1-based loop pass), `$elapsed` (milliseconds of scenario time since the playback started) and
/// `$now` (the wall-clock time of the emission, ISO 8601) and `$unix` (the same in whole seconds since 1970); those
/// two are the only values a seed does not fix.
struct EmissionContext {
    let cueIndex: Int
    let cue: Cue
    let scenarioValues: [NamedGenerator]
    let index: Int
    let eventNumber: Int
    let pass: Int
    let elapsed: Duration
    let now: Date
    private var drawn: [String: ValueStore.Draw] = [:]

    init(cueIndex: Int, cue: Cue, scenarioValues: [NamedGenerator], index: Int, eventNumber: Int, pass: Int, elapsed: Duration, now: Date) {
        self.cueIndex = cueIndex
        self.cue = cue
        self.scenarioValues = scenarioValues
        self.index = index
        self.eventNumber = eventNumber
        self.pass = pass
        self.elapsed = elapsed
        self.now = now
    }

    mutating func resolve(_ reference: Reference, store: inout ValueStore, random: inout SeededRandom) -> JSONValue {
        let draw: ValueStore.Draw
        if reference.isBuiltin {
            draw = ValueStore.Draw(value: builtin(reference.name))
        } else if let cached = drawn[reference.name] {
            draw = cached
        } else {
            draw = drawValue(named: reference.name, store: &store, random: &random)
            drawn[reference.name] = draw
        }
        return Self.follow(reference.path, in: draw)
    }

    private func drawValue(named name: String, store: inout ValueStore, random: inout SeededRandom) -> ValueStore.Draw {
        if let local = cue.values.first(where: { $0.name == name }) {
            return store.draw(local.generator, key: .init(cue: cueIndex, name: name), random: &random)
        }
        if let shared = scenarioValues.first(where: { $0.name == name }) {
            return store.draw(shared.generator, key: .init(cue: nil, name: name), random: &random)
        }
        return ValueStore.Draw(value: .null)  // the loader rejects unknown names; kept total for safety
    }

    private func builtin(_ name: String) -> JSONValue {
        switch name {
        case "$index": return .integer(Int64(index))
        case "$event": return .integer(Int64(eventNumber))
        case "$pass": return .integer(Int64(pass))
        case "$elapsed": return .integer(elapsed.milliseconds)
        case "$now": return .string(now.formatted(Self.timestampStyle))
        case "$unix": return .integer(Int64(now.timeIntervalSince1970.rounded(.down)))
        default: return .null
        }
    }

    /// Built-in names templates may use; the loader checks references against this list.
    static let builtinNames = ["$index", "$event", "$pass", "$elapsed", "$now", "$unix"]

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func follow(_ path: [String], in draw: ValueStore.Draw) -> JSONValue {
        guard let first = path.first else { return draw.value }
        var current: JSONValue
        var rest = path[...]
        if let field = draw.fields[first] {
            current = field
            rest = rest.dropFirst()
        } else {
            current = draw.value
        }
        for key in rest {
            guard case .object(let members) = current, let next = members.first(where: { $0.0 == key })?.1 else { return .null }
            current = next
        }
        return current
    }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
