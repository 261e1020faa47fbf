import HTTPTypes
import Hummingbird

/// Counts every answer the router gives, by route pattern and status (`cuecast_http_requests_total`). Stream requests
/// never reach the router: they are counted where they are decided (`StreamRequests`), under the same patterns.
///
/// Hummingbird's own `MetricsMiddleware` counts through the global `MetricsSystem`; this one counts into the
/// server's own `ServerMetrics`, so test servers in one process stay apart. The route is the router's pattern
/// (`/streams/{name}`), never the path, so a scan of random URLs adds no series (they are all `NotFound`).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.answered(route: context.routeLabel, status: response.status)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.answered(route: context.routeLabel, status: status)
            throw error
        }
    }
}
