import Hummingbird
import Logging

/// The request log: one `info` line per answer the router gives (method, path, status, route, client, duration).
/// Streams the door serves are logged where they open and close (`StreamRequests`).
///
/// It never writes a header or a query string: the publish and metrics tokens travel in `Authorization`, and a
/// token pasted into a URL by mistake should not land in a log collector either.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CuecastRequestContext

    let logger: Logger
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context: context, status: status, started: started)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "\(request.method) \(request.uri.path) \(status)",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": .stringConvertible(status),
                "route": "\(context.routeLabel)", "client": "\(proxies.client(peer: context.clientAddress, forwardedFor: request.headers[.xForwardedFor]))",
                "ms": .stringConvertible((milliseconds * 10).rounded() / 10),
            ]
        )
    }
}
