import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Publishes benchmark events, one request at a time on a kept-alive connection, each carrying its sequence
/// number and the monotonic time it was sent (`data: SEQUENCE SENT_NANOSECONDS` on the wire).
///
/// One at a time keeps the numbering honest: the server sees events in the order they are numbered, so a
/// subscriber that sees a smaller number after a larger one has really seen a reordering.
final class Publisher: Sendable {
    private let client: HTTPClient
    private let url: URL

    init(url: URL) {
        self.url = url
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends event `sequence`; throws unless the server accepted it (2xx).
    func publish(_ sequence: UInt64) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain")
        let body = "\(sequence) \(Monotonic.nanoseconds())"
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw BenchError("publishing to \(url) answered \(response.status.code)")
        }
    }

    /// Sends events at `rate` a second for `count` events, starting from `first`.
    func steady(from first: UInt64, count: Int, rate: Double) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<count {
            try await clock.sleep(until: start + .seconds(Double(index) / rate))
            try await publish(first + UInt64(index))
        }
    }

    /// Sends `count` events as fast as the server takes them.
    func burst(from first: UInt64, count: Int) async throws {
        for index in 0..<count { try await publish(first + UInt64(index)) }
    }

    func shutdown() async throws { try await client.shutdown() }
}
