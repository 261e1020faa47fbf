import CuecastCore
import FuzzSupport

/// The encoder and the parser agree: events built from fuzzed fields either are refused for a reason the field
/// really has (a line break in the type or id, a NUL in the id, a negative retry), or encode to bytes that the
/// parser, fed in random chunks, reads back as exactly those events: same type, data (line breaks as LF), id and
/// retry, and nothing else. Comment blocks read back as their lines and never as an event.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventRoundTrip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    var random = SplitRandom(seededBy: bytes)
    var input = FuzzInput(bytes)
    var wire = ExpectedWire()
    // Fields are separated by 0xFF, a byte valid UTF-8 never holds; each event starts with a byte of flags
    // saying which of its fields are present.
    while !input.isEmpty {
        let flags = input.byte()
        let text = { (input: inout FuzzInput) in String(decoding: input.field(upTo: 0xFF), as: UTF8.self) }
        let type = flags & 1 != 0 ? text(&input) : nil
        let payload = flags & 2 != 0 ? text(&input) : nil
        let id = flags & 4 != 0 ? text(&input) : nil
        let retry = flags & 8 != 0 ? Int(Int16(truncatingIfNeeded: UInt16(input.byte()) << 8 | UInt16(input.byte()))) * 1000 : nil
        if flags & 16 != 0 {
            wire.appendComment(payload ?? "")
            continue
        }
        let mustRefuse = type.map { $0.utf8.contains { $0 == 0x0A || $0 == 0x0D } } ?? false
            || id.map { $0.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 } } ?? false
            || (retry ?? 0) < 0
        do {
            let event = try SSEEvent(type: type, data: payload, id: id, retry: retry)
            expect(!mustRefuse, "accepted an event the wire cannot carry: type \(String(describing: type)), id \(String(describing: id)), retry \(String(describing: retry))")
            wire.append(event)
        } catch {
            expect(mustRefuse, "refused a valid event (\(error)): type \(String(describing: type)), id \(String(describing: id))")
        }
    }
    wire.verify(using: &random, "encoder round trip")
    return 0
}
