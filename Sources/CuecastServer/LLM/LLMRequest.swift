import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore

/// What a scripted model needs from a request body: the model's name, whether to stream, and whether to add the
/// usage chunk. The rest of the body (messages, tools, temperature…) is read as JSON, so a malformed body is
/// refused as a real API would, and otherwise ignored: the scenario decides the reply.
struct LLMRequest: Sendable {
    var model: String
    var stream: Bool
    var includeUsage: Bool

    /// The largest body read: enough for a long conversation with tools, small enough that many concurrent requests
    /// cannot hold much memory.
    static let maxBodyBytes = 1 << 20

    /// Reads and checks the body; every refusal is an `LLMError` the route writes in its provider's shape. The
    /// request keeps the body it read, so a stream can still watch the connection for the client leaving.
    static func read(_ request: inout Request) async throws(LLMError) -> LLMRequest {
        let tooLarge = LLMError(status: 413, message: "The request body is larger than \(maxBodyBytes) bytes.", code: "request_too_large")
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes { throw tooLarge }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw LLMError(status: 400, message: "The request body could not be read: it ended early or its framing is broken.")
        }
        return try parse(Array(body.readableBytesView))
    }

    static func parse(_ bytes: [UInt8]) throws(LLMError) -> LLMRequest {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw LLMError(
                status: 400,
                message: "We could not parse the JSON body of your request (line \(error.location.line), column \(error.location.column): \(error.message))."
            )
        }
        guard case .object(let members) = root.kind else {
            throw LLMError(status: 400, message: "The request body must be a JSON object, found \(root.typeName).")
        }
        let fields = Dictionary(members.map { ($0.key, $0.value.value) }, uniquingKeysWith: { _, last in last })
        guard case .string(let model)? = fields["model"], !model.isEmpty else {
            throw LLMError(status: 400, message: "you must provide a model parameter", param: "model", code: "missing_required_parameter")
        }
        var stream = false
        switch fields["stream"] {
        case nil, .null?: break
        case .bool(let flag)?: stream = flag
        default: throw LLMError(status: 400, message: "'stream' must be a boolean.", param: "stream", code: "invalid_type")
        }
        var includeUsage = false
        if case .object(let options)? = fields["stream_options"], let usage = options.first(where: { $0.0 == "include_usage" })?.1 {
            includeUsage = usage == .bool(true)
        }
        return LLMRequest(model: model, stream: stream, includeUsage: includeUsage)
    }
}
