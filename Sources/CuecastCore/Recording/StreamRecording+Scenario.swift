import Foundation

extension StreamRecording {
    /// The generator that writes a literal `{{`: in a scenario's text `{{` always starts a placeholder, so recorded
    /// text that holds one places this value instead (a sequence of one string draws that string every time).
    static let bracesValue = "lbraces"

    /// The recording as a scenario file: a solo stream with explicit ids (`ids: none`), no heartbeat of its own
    /// (recorded heartbeats are comment cues) and no sentinel of its own (a recorded sentinel is an event cue, and
    /// its id coming back still earns `204`, since nothing follows it). One cue per line, so a diff reads well.
    public func scenarioText(title: String, description: String) -> String {
        var needsBraces = false
        func text(_ value: String) -> JSONValue {
            guard value.contains("{{") else { return .string(value) }
            needsBraces = true
            return .string(value.replacingOccurrences(of: "{{", with: "{{\(Self.bracesValue)}}"))
        }
        var cues: [JSONValue] = []
        for (index, entry) in entries.enumerated() {
            var fields: [(String, JSONValue)] = [("at", .integer(Int64(entry.at)))]
            switch entry.item {
            case .comment(let comment):
                fields.append(("comment", text(comment)))
            case .event(let type, let id, let data, let retry):
                if let id { fields.append(("id", text(id))) }
                if type != "message" { fields.append(("event", text(type))) }
                if let retry { fields.append(("retry", .integer(Int64(retry)))) }
                if let data { fields.append(("data", text(data))) }
            }
            // The last cue ends the stream anyway: a hang-up recorded there is the end, not a drop to replay.
            if entry.disconnect, index < entries.count - 1 { fields.append(("disconnect", .bool(true))) }
            cues.append(.object(fields))
        }
        var head: [(String, JSONValue)] = [
            ("$schema", .string("./scenario.schema.json")),
            ("title", .string(title)),
            ("description", .string(description)),
            ("tags", .array([.string("recorded")])),
            ("mode", .string("solo")),
        ]
        if let retry { head.append(("retry", .integer(Int64(retry)))) }
        head.append(("welcome", welcome.map(text) ?? .bool(false)))
        head.append(("heartbeat", .bool(false)))
        head.append(("ids", .string("none")))
        if needsBraces {
            head.append(("values", .object([(Self.bracesValue, .object([("sequence", .array([.string("{{")]))]))])))
        }
        var lines = ["{"]
        for (key, value) in head { lines.append("  \(JSONValue.string(key).compactText): \(value.compactText),") }
        lines.append("  \"cues\": [")
        // A scenario needs a cue: an empty recording says so in a comment at its start.
        let nothing = JSONValue.object([("at", .integer(0)), ("comment", .string("nothing was recorded"))])
        let cueLines = (cues.isEmpty ? [nothing] : cues).map(\.compactText)
        for (index, line) in cueLines.enumerated() { lines.append("    \(line)" + (index < cueLines.count - 1 ? "," : "")) }
        lines.append("  ],")
        lines.append("  \"end\": {\"sentinel\": false}")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
