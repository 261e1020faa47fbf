import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// A request the stub server received.
struct StubRequest: Sendable {
    let path: String
    let headers: HTTPFields

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

/// What a stub route answers: any status, any headers, any bytes in any chunks, then an end of our choosing.
struct StubResponse: Sendable {
    enum Ending: Sendable {
        /// End the body normally.
        case end
        /// Fail mid-body: the connection is cut without the final chunk (a dropped connection).
        case fail
        /// Keep the stream open, writing a comment at this interval (which notices a client that went away).
        case stayOpen(every: Duration)
        /// Say nothing for this long, then end the body (or as soon as the test is done with the server).
        case silence(Duration)
    }

    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [.contentType: "text/event-stream"]
    var chunks: [[UInt8]] = []
    var ending: Ending = .end

    /// An event stream of `bytes`, written `chunkSize` bytes at a time (1: every byte its own write).
    static func stream(_ bytes: [UInt8], chunkSize: Int = .max, contentType: String = "text/event-stream", ending: Ending = .end) -> StubResponse {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let end = bytes.count - index > chunkSize ? index + chunkSize : bytes.count
            chunks.append(Array(bytes[index..<end]))
            index = end
        }
        var response = StubResponse(chunks: chunks, ending: ending)
        response.headers[.contentType] = contentType
        return response
    }

    static func stream(_ text: String, chunkSize: Int = .max, contentType: String = "text/event-stream", ending: Ending = .end) -> StubResponse {
        stream(Array(text.utf8), chunkSize: chunkSize, contentType: contentType, ending: ending)
    }

    /// A response with no stream: a status (a redirect's `Location`, say), a short text body.
    static func status(_ status: HTTPResponse.Status, headers: HTTPFields = [:], body: String = "") -> StubResponse {
        StubResponse(status: status, headers: headers, chunks: body.isEmpty ? [] : [Array(body.utf8)])
    }
}

/// Every request the stub server received, in order.
final class RequestLog: Sendable {
    private let requests = Mutex<[StubRequest]>([])

    /// Records a request; returns how many requests to the same path came before it.
    func record(_ request: StubRequest) -> Int {
        requests.withLock { requests in
            let earlier = requests.count { $0.path == request.path }
            requests.append(request)
            return earlier
        }
    }

    var all: [StubRequest] { requests.withLock { $0 } }
    func to(_ path: String) -> [StubRequest] { all.filter { $0.path == path } }
}

/// A route: gets the request and how many requests to this path came before (0 for the first).
typealias StubRoute = @Sendable (_ request: StubRequest, _ earlier: Int) -> StubResponse

struct StubWriteFailed: Error {}

/// Runs a tiny HTTP server answering `routes` (path to answer) on an ephemeral port for the duration of `body`.
func withStubServer<T: Sendable>(
    _ routes: [String: StubRoute], _ body: @Sendable (_ port: Int, _ log: RequestLog) async throws -> T
) async throws -> T {
    let log = RequestLog()
    // Set once `body` returns: a silence still running then ends at once, rather than hold the server's shutdown.
    let done = Mutex(false)
    let router = Router()
    for (path, route) in routes {
        router.get(RouterPath(path)) { request, _ -> Response in
            let stub = StubRequest(path: path, headers: request.headers)
            let answer = route(stub, log.record(stub))
            return Response(status: answer.status, headers: answer.headers, body: ResponseBody { writer in
                for chunk in answer.chunks {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                switch answer.ending {
                case .end:
                    try await writer.finish(nil)
                case .fail:
                    throw StubWriteFailed()
                case .stayOpen(let interval):
                    for _ in 0..<100 {
                        try await Task.sleep(for: interval)
                        try await writer.write(ByteBuffer(string: ": still here\n"))
                    }
                    try await writer.finish(nil)
                case .silence(let duration):
                    let deadline = ContinuousClock.now + duration
                    while ContinuousClock.now < deadline, !done.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                    try await writer.finish(nil)
                }
            })
        }
    }
    var logger = Logger(label: "cuecast-stub")
    logger.logLevel = .critical
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    return try await app.test(.live) { client in
        let port = try #require(client.port)
        defer { done.withLock { $0 = true } }
        return try await body(port, log)
    }
}
