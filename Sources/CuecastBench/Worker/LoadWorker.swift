import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One generator process: holds `count` subscribers to an SSE URL from one loopback source address, and answers
/// the coordinator's commands on standard input with a JSON `WorkerReport` line each.
///
/// A process can hold at most about 20,000 descriptors here and a source address has about 28,000 ports, so the
/// coordinator runs several workers, each on its own source address. Commands:
/// - `phase FIRST_SEQUENCE`: start counting deliveries afresh, from that event number;
/// - `progress`: subscribers held and events received so far (a `WorkerProgress`);
/// - `report EXPECTED`: the counters, with losses counted against EXPECTED events per subscriber;
/// - `quit` (or end of input): close everything and exit.
public struct LoadWorker: Sendable {
    public var url: URL
    public var count: Int
    public var sourceAddress: String
    /// HTTP/1.1 or HTTP/2, in the clear or over TLS (an `https` URL).
    public var wire = WireProtocol.http1
    /// HTTP/2: subscribers' streams per connection, unless the server allows fewer.
    public var streamsPerConnection = 100
    /// Requests in flight at once while connecting (over HTTP/2, this many streams' worth of connections).
    public var concurrency = 256
    /// How long a subscriber waits for the response head before it counts as failed.
    public var responseTimeout: TimeAmount = .seconds(20)

    public init(url: URL, count: Int, sourceAddress: String) {
        self.url = url
        self.count = count
        self.sourceAddress = sourceAddress
    }

    public func run(commands: AsyncStream<String>, reply: @escaping @Sendable (any Encodable & Sendable) -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let tally = try await loop.submit { NIOLoopBound(WorkerTally(), eventLoop: loop) }.get()
        let tls = try wire.alpn.map { try TLSClient.context(offering: $0) }
        let started = Monotonic.nanoseconds()
        let connected = wire.isHTTP2
            ? try await connectStreams(loop: loop, tally: tally, tls: tls)
            : try await connectEach(loop: loop, tally: tally, tls: tls)
        let connectSeconds = Double(Monotonic.nanoseconds() - started) / 1e9
        try await loop.submit {
            var report = tally.value.report
            report.connectSeconds = connectSeconds
            report.connections = connected.connections
            report.serverStreamLimit = connected.serverStreamLimit
            for outcome in connected.outcomes {
                switch outcome {
                case .held: break
                case .refused(let retryAfter):
                    report.refused += 1
                    if retryAfter { report.refusedWithRetryAfter += 1 }
                case .failed: report.failed += 1
                }
            }
            tally.value.report = report
        }.get()
        reply(try await loop.submit { tally.value.snapshot(expected: 0) }.get())

        for await command in commands {
            let words = command.split(separator: " ")
            guard let verb = words.first else { continue }
            let argument = words.count > 1 ? Int(words[1]) ?? 0 : 0
            switch verb {
            case "phase":
                reply(try await loop.submit {
                    tally.value.startPhase(firstSequence: UInt64(argument))
                    return tally.value.snapshot(expected: 0)
                }.get())
            case "progress":
                reply(try await loop.submit { tally.value.progress }.get())
            case "report":
                reply(try await loop.submit { tally.value.snapshot(expected: argument) }.get())
            case "quit":
                try await group.shutdownGracefully()
                return
            default:
                continue
            }
        }
        try await group.shutdownGracefully()
    }

    /// What connecting all the subscribers came to.
    struct Connected {
        var outcomes: [SubscribeOutcome] = []
        var connections = 0
        var serverStreamLimit: Int?
    }

    var host: String { url.host ?? "127.0.0.1" }
    var port: Int { url.port ?? (wire.usesTLS ? 443 : 80) }

    /// The subscriber's GET. Over HTTP/2, NIOHTTP2's client codec turns it into `:method`, `:scheme`, `:path` and
    /// `:authority` (from `Host`).
    func requestHead() throws -> HTTPRequestHead {
        let scheme = wire.usesTLS ? "https" : "http"
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), url.scheme == scheme else {
            throw BenchError("\(wire.rawValue) needs a \(scheme):// URL (got \(url))")
        }
        let path = (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
            + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Accept", value: "text/event-stream")
        headers.add(name: "User-Agent", value: "cuecast-bench")
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
    }
}

/// A benchmark that cannot go on, with a message for the person running it.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
