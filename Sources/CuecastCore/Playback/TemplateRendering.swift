extension Template {
    /// The template's text with every placeholder replaced by its value's text.
    func render(_ context: inout EmissionContext, store: inout ValueStore, random: inout SeededRandom) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal):
                text += literal
            case .placeholder(let reference):
                text += context.resolve(reference, store: &store, random: &random).templateText
            }
        }
        return text
    }
}

extension JSONTemplate {
    /// The JSON value with placeholders filled in. A string that is exactly one placeholder keeps the value's type.
    func render(_ context: inout EmissionContext, store: inout ValueStore, random: inout SeededRandom) -> JSONValue {
        switch self {
        case .value(let value):
            return value
        case .string(let template):
            if let reference = template.soleReference {
                return context.resolve(reference, store: &store, random: &random)
            }
            return .string(template.render(&context, store: &store, random: &random))
        case .array(let items):
            return .array(items.map { $0.render(&context, store: &store, random: &random) })
        case .object(let members):
            return .object(members.map { ($0.key, $0.value.render(&context, store: &store, random: &random)) })
        }
    }
}

extension JSONValue {
    /// How a value reads inside text: strings as themselves, everything else as compact JSON.
    var templateText: String {
        if case .string(let text) = self { return text }
        return compactText
    }
}
