@testable import CuecastCore
import Foundation
import FuzzSupport

/// The template parser and renderer on any text:
/// - a refusal points at a `{{` inside the text (its offset counts characters, as the loader's column does);
/// - text without `{{` is one literal, the text itself;
/// - an accepted template, written back out (`{{name.path}}` for each placeholder), parses to the same parts;
/// - rendering gives the literals and each placeholder's value text, in order (built-ins only: `$index` and the
///   like have fixed values here, and any other name renders as `null`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: inputBytes(data, size), as: UTF8.self)
    let template: Template
    do {
        template = try Template.parse(text)
    } catch {
        let characters = Array(text)
        expect(error.offset >= 0 && error.offset < characters.count, "error offset \(error.offset) outside \(text.debugDescription)")
        expect(!error.message.isEmpty, "an error without a message")
        return 0
    }
    if !text.contains("{{") {
        expect(template.literalText.map { $0.utf8.elementsEqual(text.utf8) } ?? false, "text without placeholders changed: \(template.parts)")
    }
    var written = ""
    for part in template.parts {
        switch part {
        case .literal(let literal): written += literal
        case .placeholder(let reference): written += "{{\(reference.description)}}"
        }
    }
    do {
        let reparsed = try Template.parse(written)
        expect(reparsed == template, "\(written.debugDescription) parses to \(reparsed.parts), not \(template.parts)")
    } catch {
        fatalError("invariant broken: \(written.debugDescription), written from an accepted template, is refused: \(error.message)")
    }

    var context = EmissionContext(
        cueIndex: 0, cue: Cue(alternatives: []), scenarioValues: [], index: 3, eventNumber: 7, pass: 2, elapsed: .milliseconds(1500),
        now: Date(timeIntervalSince1970: 1_750_000_000))
    var store = ValueStore()
    var random = SeededRandom(seed: 1)
    let rendered = template.render(&context, store: &store, random: &random)
    var expected = ""
    for part in template.parts {
        switch part {
        case .literal(let literal): expected += literal
        case .placeholder(let reference): expected += builtinText(reference)
        }
    }
    expect(rendered.utf8.elementsEqual(expected.utf8), "rendered \(rendered.debugDescription), expected \(expected.debugDescription)")
    return 0
}

/// What each built-in renders as with the context above; a path into a number, or an unknown name, is `null`.
private func builtinText(_ reference: Reference) -> String {
    guard reference.path.isEmpty else { return "null" }
    switch reference.name {
    case "$index": return "3"
    case "$event": return "7"
    case "$pass": return "2"
    case "$elapsed": return "1500"
    case "$unix": return "1750000000"
    case "$now": return "2025-06-15T15:06:40.000Z"
    default: return "null"
    }
}
