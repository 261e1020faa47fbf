import HTTPTypes
import Hummingbird

/// Lists the headers a page from another origin may read on every cross-origin answer, errors included.
///
/// Hummingbird's `CORSMiddleware` sends `Access-Control-Expose-Headers` only on preflight answers, but browsers
/// read it from the actual response; without it a page cannot see `Retry-After` on a 429, `WWW-Authenticate` on a
/// 401, or a stream's `X-Cuecast-Connection`. Goes after `CORSMiddleware`, so preflights never reach it.
struct ExposeHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let exposed: String

    init(_ names: [String]) {
        exposed = names.joined(separator: ", ")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers.contains(.origin) else { return try await next(request, context) }
        do {
            var response = try await next(request, context)
            response.headers[.accessControlExposeHeaders] = exposed
            return response
        } catch let error as any HTTPResponseError {
            throw WithHeaders(original: error, headers: [.accessControlExposeHeaders: exposed])
        }
    }

    /// An error answered as the original, plus headers.
    struct WithHeaders: HTTPResponseError {
        let original: any HTTPResponseError
        let headers: HTTPFields

        var status: HTTPResponse.Status { original.status }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            var response = try original.response(from: request, context: context)
            response.headers.append(contentsOf: headers)
            return response
        }
    }
}
