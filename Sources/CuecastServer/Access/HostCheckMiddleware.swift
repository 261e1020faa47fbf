import Hummingbird

/// Refuses a request whose `Host` is not one of this server's names while it listens on loopback: the guard against
/// DNS rebinding (see ``SiteBoundary``); and, wherever it listens, a request with more than one `Host`. Streams
/// served straight from a connection (`StreamRequests`) ask the same boundary and leave a refused request to the
/// router, so this is where every refusal is written.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let boundary: SiteBoundary

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch boundary.check(authority: request.head.authority, fields: request.headers) {
        case .allowed:
            return try await next(request, context)
        case .ambiguous:
            throw APIError(
                .badRequest, code: "ambiguous_host",
                message: "the request carries more than one Host (or a host that differs from :authority): which server it is for is ambiguous"
            )
        case .notAllowed:
            let host = request.head.authority ?? ""
            throw APIError(
                .forbidden, code: "host_not_allowed",
                message: "this server listens on loopback and answers to localhost, loopback addresses and --allowed-host names only; "
                    + "Host '\(host)' was refused (a guard against DNS rebinding). Start it with --allowed-host \(SiteBoundary.hostName(host)) if that name is yours"
            )
        }
    }
}
