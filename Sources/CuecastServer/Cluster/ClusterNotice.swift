import CuecastCore

/// What one `NOTIFY` on a stream says: its new last number and, when they fit, the rows that led there.
///
/// The payload is `STREAM:LAST`, or `STREAM:LAST`, a newline, and a JSON array of the batch's rows of that stream,
/// oldest first, each `[seq, kind, type, data, id, retry, pass, offset_us, disconnect]`. A notice without rows
/// (over `NOTIFY`'s 8000-byte limit, or written by an older instance) is only a nudge: the reader fetches the rows
/// from the table, as every notice once required. Carrying the rows saves each instance one `SELECT` per stream
/// and batch, which is what made three instances take fewer publishes than one (BENCHMARKS.md, the publish ceiling).
struct ClusterNotice: Sendable {
    let stream: String
    let last: Int64
    /// The rows numbered up to `last`, oldest first; `nil` when the payload carries none, or none it could read.
    let rows: [(seq: Int64, row: ClusterRow)]?

    /// The largest payload the statement sends with rows; PostgreSQL refuses one of 8000 bytes or more.
    static let payloadLimit = 7900

    /// Reads a payload; `nil` for one that names no stream and number (a request, or something else's).
    init?(payload: String) {
        // The statement adds rows only for a stream whose name has no line break: for any other, the whole payload
        // is the head, as it was before rows were carried.
        var head = Substring(payload)
        var body: Substring?
        if let newline = payload.firstIndex(of: "\n"), Self.split(payload[..<newline]) != nil {
            head = payload[..<newline]
            body = payload[payload.index(after: newline)...]
        }
        guard let parts = Self.split(head) else { return nil }
        let last = parts.last
        stream = parts.stream
        self.last = last
        // Rows that do not read cleanly, or do not end at `last`, are dropped: the table has them.
        rows = body.flatMap { Self.rows(json: String($0)) }.flatMap { $0.last?.seq == last ? $0 : nil }
    }

    /// `STREAM:LAST` read as its two parts.
    private static func split(_ head: Substring) -> (stream: String, last: Int64)? {
        guard let colon = head.lastIndex(of: ":"), let last = Int64(head[head.index(after: colon)...]) else { return nil }
        return (String(head[..<colon]), last)
    }

    private static func rows(json: String) -> [(seq: Int64, row: ClusterRow)]? {
        guard case .array(let elements) = (try? JSONParser.parse(json))?.value else { return nil }
        var rows: [(seq: Int64, row: ClusterRow)] = []
        rows.reserveCapacity(elements.count)
        for element in elements {
            guard case .array(let fields) = element, fields.count == 9,
                case .integer(let seq) = fields[0], case .integer(let kindNumber) = fields[1],
                let kind = Int16(exactly: kindNumber).flatMap(ClusterRow.Kind.init(rawValue:)),
                case .integer(let pass) = fields[6], case .integer(let offset) = fields[7], case .bool(let disconnect) = fields[8]
            else { return nil }
            var retry: Int64?
            switch fields[5] {
            case .null: retry = nil
            case .integer(let value): retry = value
            default: return nil
            }
            guard let type = text(fields[2]), let data = text(fields[3]), let id = text(fields[4]) else { return nil }
            let row = ClusterRow(
                kind: kind, type: type, data: data, id: id, retry: retry, pass: pass, offsetMicroseconds: offset, disconnectAfter: disconnect
            )
            rows.append((seq, row))
        }
        // Consecutive numbers only: anything else is not what the statement sends.
        for (earlier, later) in zip(rows, rows.dropFirst()) where later.seq != earlier.seq + 1 { return nil }
        return rows
    }

    /// A nullable text field: `.some(nil)` for JSON null, `nil` for anything that is not text.
    private static func text(_ value: JSONValue) -> String?? {
        switch value {
        case .null: .some(nil)
        case .string(let text): .some(text)
        default: nil
        }
    }
}
