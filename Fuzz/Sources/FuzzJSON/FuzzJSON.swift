import CuecastCore
import FuzzSupport

/// The JSON layer (jansson plus the position scanner) on any bytes:
/// - a rejection's line and column lie inside the input;
/// - an accepted text's every value and key is located inside the input, on the character that starts it
///   (`{`, `[`, `"`, a digit or `-`, `t`, `f`, `n`);
/// - the value serializes to one line (no CR, LF, U+2028 or U+2029) that parses back to the same value and
///   serializes to the same bytes again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let bounds = TextBounds(bytes)
    let node: JSONNode
    do {
        node = try JSONParser.parse(bytes)
    } catch {
        expect(bounds.contains(error.location), "error at \(error.location) outside the input: \(error.message)")
        expect(!error.message.isEmpty, "an error without a message at \(error.location)")
        expect(!error.message.hasPrefix("internal error"), "the position scanner fell out of step with jansson: \(error)")
        return 0
    }
    checkLocations(node, bounds)

    let text = node.value.compactText
    expect(!text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" },
           "compact text is not one line: \(text.debugDescription)")
    do {
        let again = try JSONParser.parse(text).value
        expect(again == node.value, "\(text) parses back to a different value")
        expect(again.compactText.utf8.elementsEqual(text.utf8), "\(text) re-serializes as \(again.compactText)")
    } catch {
        fatalError("invariant broken: the compact text of an accepted value is refused (\(error)): \(text)")
    }
    return 0
}

private func checkLocations(_ node: JSONNode, _ bounds: TextBounds) {
    let first = bounds.byte(at: node.location)
    let starts: Bool =
        switch node.kind {
        case .null: first == UInt8(ascii: "n")
        case .bool(let value): first == UInt8(ascii: value ? "t" : "f")
        case .integer, .number: first.map { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) } ?? false
        case .string: first == UInt8(ascii: "\"")
        case .array: first == UInt8(ascii: "[")
        case .object: first == UInt8(ascii: "{")
        }
    expect(starts, "a \(node.typeName) located at \(node.location), where the input has \(first.map { String($0) } ?? "nothing")")
    switch node.kind {
    case .array(let elements):
        elements.forEach { checkLocations($0, bounds) }
    case .object(let members):
        for member in members {
            expect(bounds.byte(at: member.keyLocation) == UInt8(ascii: "\""), "key '\(member.key)' located at \(member.keyLocation), not on a quote")
            checkLocations(member.value, bounds)
        }
    default:
        break
    }
}
