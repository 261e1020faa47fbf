/// One event as it goes on the wire. Validated on construction, so an invalid event cannot exist.
///
/// Every field is optional because each maps to an optional line of the event block; `EventEncoder` writes
/// exactly the lines whose field is non-nil. An event with every field nil is allowed and encodes to a lone
/// blank line (`"\n"`), which a client treats as "nothing to dispatch".
public struct SSEEvent: Sendable, Hashable {
    /// The `event:` field; nil writes no event line, so browsers dispatch it as a "message" event.
    /// An empty string also means "message" to a browser. Never contains CR or LF.
    public let type: String?
    /// The payload. nil writes no data line at all (browsers then dispatch nothing for this block, though an
    /// `id` in it still takes effect); "" writes one empty `data:` line (dispatched with empty data).
    /// May contain any text: CRLF, LF and CR each become a line break between `data:` lines.
    public let data: String?
    /// The `id:` field; nil writes no id line; "" writes `id:` with an empty value, which resets a browser's
    /// last event ID (it then stops sending `Last-Event-ID` on reconnection). Never contains CR, LF or NUL.
    public let id: String?
    /// The `retry:` field in milliseconds; nil writes no retry line. Never negative.
    public let retry: Int?

    /// Builds an event, refusing any field the wire format cannot carry faithfully.
    /// - Throws: `SSEFieldError` naming the first invalid field (checked in the order type, id, retry).
    public init(type: String? = nil, data: String? = nil, id: String? = nil, retry: Int? = nil) throws(SSEFieldError) {
        if let type { try Self.validateType(type) }
        if let id { try Self.validateID(id) }
        if let retry { try Self.validateRetry(retry) }
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// An event whose fields the caller has already validated (e.g. ``PublishFields``, adding a numeric id),
    /// so no `try!` is needed where validity is known.
    init(validated type: String?, data: String?, id: String?, retry: Int?) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Refuses an event type containing CR or LF: the value would end the `event:` line early and the
    /// remainder would be read as another field.
    public static func validateType(_ type: String) throws(SSEFieldError) {
        if type.utf8.contains(where: SSEBytes.isLineBreak) { throw .eventLineBreak }
    }

    /// Refuses an ID containing CR or LF (it would split the `id:` line) or NUL (browsers ignore an `id`
    /// field whose value contains U+0000, so the ID would silently not take effect).
    public static func validateID(_ id: String) throws(SSEFieldError) {
        for byte in id.utf8 {
            if SSEBytes.isLineBreak(byte) { throw .idLineBreak }
            if byte == SSEBytes.nul { throw .idNUL }
        }
    }

    /// Refuses a negative reconnection time: clients accept only ASCII digits in `retry:`, so a minus sign
    /// would make them ignore the field.
    public static func validateRetry(_ retry: Int) throws(SSEFieldError) {
        if retry < 0 { throw .negativeRetry(retry) }
    }
}
