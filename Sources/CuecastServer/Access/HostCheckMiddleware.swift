import HTTPTypes
import Hummingbird

/// Refuses a request whose `Host` is not one of this server's names while it listens on loopback: the guard against
/// DNS rebinding (see ``SiteBoundary``); and, wherever it listens, a request with more than one `Host`. A stream
/// request never reaches the router: `StreamRequests.decide` asks the same boundary and answers with the same
/// refusal (`SiteBoundary.refusal`).
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let boundary: SiteBoundary

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = boundary.refusal(authority: request.head.authority, fields: request.headers) { throw refusal }
        return try await next(request, context)
    }
}

extension SiteBoundary {
    /// The answer to a request whose `Host` is refused, for the router and the stream door alike; `nil` when allowed.
    func refusal(authority: String?, fields: HTTPFields) -> APIError? {
        switch check(authority: authority, fields: fields) {
        case .allowed:
            return nil
        case .ambiguous:
            return APIError(
                .badRequest, code: "ambiguous_host",
                message: "the request carries more than one Host (or a host that differs from :authority): which server it is for is ambiguous"
            )
        case .notAllowed:
            let host = authority ?? ""
            return APIError(
                .forbidden, code: "host_not_allowed",
                message: "this server listens on loopback and answers to localhost, loopback addresses and --allowed-host names only; "
                    + "Host '\(host)' was refused (a guard against DNS rebinding). Start it with --allowed-host \(SiteBoundary.hostName(host)) if that name is yours"
            )
        }
    }
}
