import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: everything `ServerMetrics` counts, in the Prometheus text format, for a Prometheus server (or
/// anything that reads the format) to scrape.
///
/// With a token it needs `Authorization: Bearer <token>`, compared in constant time as the publish token is: a
/// server that listens beyond loopback may not want to show its traffic to everyone.
struct MetricsRoutes<Context: RequestContext>: Sendable {
    let metrics: ServerMetrics
    let token: [UInt8]?

    init(metrics: ServerMetrics, token: String?) {
        self.metrics = metrics
        self.token = token.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    }

    /// The content type Prometheus asks for and understands: the text exposition format, version 0.0.4.
    static var contentType: String { "text/plain; version=0.0.4; charset=utf-8" }

    func add(to router: Router<Context>) {
        router.get("/metrics") { request, _ in try answer(request) }
    }

    func answer(_ request: Request) throws(APIError) -> Response {
        if let token {
            let header = request.headers[.authorization] ?? ""
            guard let given = PublishAccess.bearerToken(header), PublishAccess.constantTimeEqual(given, token) else {
                throw APIError(
                    .unauthorized, code: header.isEmpty ? "token_required" : "bad_token",
                    message: header.isEmpty ? "metrics require Authorization: Bearer <token>" : "the metrics token is wrong",
                    headers: [.wwwAuthenticate: "Bearer realm=\"cuecast-metrics\""]
                )
            }
        }
        metrics.refreshHistory()
        var text = metrics.registry.emitToBuffer()
        text.append(contentsOf: ProcessMetrics.text().utf8)
        return Response(
            status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: text))
        )
    }
}
