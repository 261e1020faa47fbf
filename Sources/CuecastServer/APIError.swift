import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore

/// A client error with a JSON body: `{"error": {"status": 400, "code": "bad_speed", "message": "..."}}`.
///
/// Every 4xx Cuecast sends says what was wrong in a sentence a person can act on, and a stable code a program can
/// test for.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var extra: [(String, JSONValue)] = []
    /// Headers the answer needs besides the JSON content type (`Retry-After`, `WWW-Authenticate`).
    public var extraHeaders: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, extra: [(String, JSONValue)] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.extraHeaders = headers
    }

    public var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers.append(contentsOf: extraHeaders)
        return headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// The JSON body, the one encoding of every error: the router's answers and the stream door's (`StreamAnswer`).
    var body: ByteBuffer {
        let body: JSONValue = .object([
            ("error", .object([("status", .integer(Int64(status.code))), ("code", .string(code)), ("message", .string(message))] + extra))
        ])
        return ByteBuffer(string: body.compactText + "\n")
    }
}

extension Response {
    /// A JSON response from a ``JSONValue``.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.compactText + "\n"))
        )
    }
}
