import HTTPTypes
import Hummingbird

/// Makes every error the router gives a JSON one. Cuecast's own routes throw ``APIError``; what Hummingbird throws
/// itself (an unknown path's `404`, a file it cannot read) is an `HTTPError` with an empty body, which broke the
/// promise that every error is `{"error": {"status", "code", "message"}}`: a client that reads `error.message` got
/// nothing to show.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            throw APIError(error.status, code: Self.code(for: error.status), message: error.body ?? Self.message(for: error.status), headers: error.headers)
        }
    }

    /// `not_found`, `request_entity_too_large`...: the status's reason phrase, as a code.
    static func code(for status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }

    static func message(for status: HTTPResponse.Status) -> String {
        switch status {
        // The path is not echoed: an answer never repeats what a client made up.
        case .notFound: "nothing is served at this path: GET / lists the streams, and GET /api/openapi.json describes the API"
        default: "\(status.code) \(status.reasonPhrase)"
        }
    }
}
