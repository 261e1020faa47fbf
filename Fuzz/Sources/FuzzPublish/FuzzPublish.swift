import CuecastCore
import FuzzSupport

/// Publish-request decoding (JSON, form, plain text; fields from the query string too) on any body:
/// - a refusal is an error value with a known code, and a JSON position inside the body;
/// - an accepted request becomes an event that goes on the wire and reads back with exactly its fields (type,
///   data, id, retry) and nothing else: no injected field, no second event;
/// - a plain-text body is the data, byte for byte.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPublish(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    var random = SplitRandom(seededBy: bytes)
    var input = FuzzInput(bytes)
    let contentType = contentTypes[Int(input.byte()) % contentTypes.count]
    let queryFlags = input.byte()
    var query: [String: String] = [:]
    for (bit, name) in ["event", "id", "retry", "data", "channel"].enumerated() where queryFlags & (1 << bit) != 0 {
        query[name] = String(decoding: input.field(upTo: 0xFF), as: UTF8.self)
    }
    let body = input.rest()

    let fields: PublishFields
    do {
        fields = try PublishFields(body: body, contentType: contentType, query: query)
    } catch {
        expect(knownCodes.contains(error.code) && !error.message.isEmpty, "unexpected refusal \(error)")
        if let location = error.location {
            expect(TextBounds(body).contains(location), "refusal at \(location), outside the body: \(error)")
        }
        return 0
    }
    let isText = !(contentType?.lowercased().contains("json") ?? false) && !(contentType?.lowercased().contains("form") ?? false)
    if isText {
        expect(fields.data.utf8.elementsEqual(body), "plain-text data \(fields.data.debugDescription) is not the body")
    }
    let event = fields.event(number: 42)
    expect(event.type == fields.event && event.data == fields.data && event.id == (fields.id ?? "42") && event.retry == fields.retry,
           "the event \(event) does not carry the fields \(fields)")
    var wire = ExpectedWire()
    wire.append(event)
    wire.verify(using: &random, "published \(fields)")
    return 0
}

private let contentTypes: [String?] = [
    "application/json", "application/json; charset=utf-8", "application/merge-patch+json", "application/x-www-form-urlencoded",
    " Application/X-WWW-Form-URLencoded ; charset=utf-8", "text/plain", "text/plain; charset=utf-8", nil, "",
]

private let knownCodes: Set = ["bad_json", "bad_event", "bad_id", "bad_retry", "bad_encoding", "unknown_field"]
