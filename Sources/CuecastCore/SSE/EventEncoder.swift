/// The one encoder from `SSEEvent` to `text/event-stream` bytes. Returns UTF-8, never a BOM; the same input
/// always gives the same bytes.
///
/// Layout of an event block, every line ending in LF:
///
///     id: <id>          (if id is set)
///     event: <type>     (if type is set)
///     retry: <ms>       (if retry is set)
///     data: <line>      (one per line of data, if data is set)
///     <blank line>
///
/// A space always follows the colon, so a value that itself starts with a space survives the parser's removal
/// of one leading space. An empty value is written without that space (`data:`, `id:`), the shortest form a
/// parser reads back as the empty string; e.g. `SSEEvent(data: "", id: "-1")` encodes as `id: -1\ndata:\n\n`.
/// `id` comes first so that even a client that stops reading at the first `data:` line has the id.
public enum EventEncoder {
    /// Encodes one event block into a new array.
    public static func encode(_ event: SSEEvent) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(event, into: &buffer)
        return buffer
    }

    /// Appends one event block to `buffer`. Preferred on the fan-out hot path: one buffer can collect many
    /// events (or be reused with `removeAll(keepingCapacity: true)`) without an allocation per event.
    public static func encode(_ event: SSEEvent, into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + estimatedSize(of: event))
        if let id = event.id {
            appendLine(field: "id", value: id, into: &buffer)
        }
        if let type = event.type {
            appendLine(field: "event", value: type, into: &buffer)
        }
        if let retry = event.retry {
            // `String(retry)` is at most 19 digits, stored inline by `String`: no allocation.
            appendLine(field: "retry", value: String(retry), into: &buffer)
        }
        if let data = event.data {
            appendLines(of: data, field: "data", into: &buffer)
        }
        buffer.append(SSEBytes.lf)
    }

    /// A comment block: each line of `text` (split on CRLF, LF, CR) becomes `: line` (or a bare `:` for an
    /// empty line), followed by one blank line. `encodeComment("")` is `:\n\n`, the smallest keep-alive.
    ///
    /// The closing blank line makes the comment a block of its own: it dispatches nothing (the data buffer is
    /// empty) but guarantees the comment never merges with a following event's lines.
    public static func encodeComment(_ text: String) -> [UInt8] {
        var buffer: [UInt8] = []
        encodeComment(text, into: &buffer)
        return buffer
    }

    /// Appends a comment block (see `encodeComment(_:)`) to `buffer`.
    public static func encodeComment(_ text: String, into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + text.utf8.count + 4)
        appendLines(of: text, field: "", into: &buffer)
        buffer.append(SSEBytes.lf)
    }

    // MARK: - Helpers

    /// Bytes needed for the common case of single-line data; more lines only cost a few bytes each, and the
    /// array grows on its own if the estimate is short.
    private static func estimatedSize(of event: SSEEvent) -> Int {
        var size = 1
        if let id = event.id { size += id.utf8.count + 5 }
        if let type = event.type { size += type.utf8.count + 8 }
        if event.retry != nil { size += 8 + 19 }
        if let data = event.data { size += data.utf8.count + 7 }
        return size
    }

    /// `field: value\n`, or `field:\n` when the value is empty. `value` holds no line break (validated).
    private static func appendLine(field: StaticString, value: String, into buffer: inout [UInt8]) {
        appendFieldName(field, into: &buffer)
        buffer.append(SSEBytes.colon)
        if !value.isEmpty {
            buffer.append(SSEBytes.space)
            buffer.append(contentsOf: value.utf8)
        }
        buffer.append(SSEBytes.lf)
    }

    /// One `field: line` per line of `text`, splitting on CRLF, LF and CR (each one line break), so that
    /// `"a\r\nb"` gives two lines and `"a\n"` gives `a` and an empty line. The split is done on bytes: CR and LF
    /// never occur inside a multi-byte UTF-8 sequence.
    private static func appendLines(of text: String, field: StaticString, into buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var lineStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if SSEBytes.isLineBreak(byte) {
                    appendLine(field: field, bytes: UnsafeBufferPointer(rebasing: bytes[lineStart..<index]), into: &buffer)
                    if byte == SSEBytes.cr, index + 1 < bytes.count, bytes[index + 1] == SSEBytes.lf {
                        index += 1
                    }
                    lineStart = index + 1
                }
                index += 1
            }
            appendLine(field: field, bytes: UnsafeBufferPointer(rebasing: bytes[lineStart..<bytes.count]), into: &buffer)
        }
    }

    private static func appendLine(field: StaticString, bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        appendFieldName(field, into: &buffer)
        buffer.append(SSEBytes.colon)
        if !bytes.isEmpty {
            buffer.append(SSEBytes.space)
            buffer.append(contentsOf: bytes)
        }
        buffer.append(SSEBytes.lf)
    }

    private static func appendFieldName(_ field: StaticString, into buffer: inout [UInt8]) {
        field.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }
}
