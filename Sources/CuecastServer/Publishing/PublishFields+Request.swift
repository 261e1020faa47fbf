import CuecastCore
import HTTPTypes
import NIOCore

extension PublishFields {
    /// Reads a publish request's body (see ``PublishFields/init(body:contentType:query:)``, where the decoding
    /// lives), answering what it refuses with a 400 that names the field and, in JSON, the line and column.
    init(body: ByteBuffer, contentType: String?, query: [String: String]) throws(APIError) {
        do {
            try self.init(body: Array(body.readableBytesView), contentType: contentType, query: query)
        } catch {
            throw APIError(error)
        }
    }
}

extension APIError {
    /// A refused publish body as a 400: `field`, then `line` and `column`, in the error object when known.
    init(_ error: PublishFieldsError) {
        var extra: [(String, JSONValue)] = []
        if let field = error.field { extra.append(("field", .string(field))) }
        if let location = error.location {
            extra += [("line", .integer(Int64(location.line))), ("column", .integer(Int64(location.column)))]
        }
        self.init(.badRequest, code: error.code, message: error.message, extra: extra)
    }
}
