import HTTPTypes
import Hummingbird
import Logging

/// The request log: one `info` line per answer the router gives (method, path, status, route, client, duration).
/// Stream requests never reach the router: they are logged where they are decided, opened and closed
/// (`StreamRequests`), with this line for a refusal.
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
        Self.log(
            logger, method: request.method, path: request.uri.path, status: status, route: context.routeLabel,
            client: proxies.client(peer: context.clientAddress, forwardedFor: request.headers[.xForwardedFor]), started: started
        )
    }

    /// The one line of an answer, for the router's answers and the stream door's refusals (`StreamRequests.decide`).
    static func log(
        _ logger: Logger, method: HTTPRequest.Method, path: String, status: Int, route: String, client: String, started: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "\(method) \(path) \(status)",
            metadata: [
                "method": "\(method)", "path": "\(path)", "status": .stringConvertible(status),
                "route": "\(route)", "client": "\(client)",
                "ms": .stringConvertible((milliseconds * 10).rounded() / 10),
            ]
        )
    }
}
