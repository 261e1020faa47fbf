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
    /// Connections attempted at once.
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
        let started = Monotonic.nanoseconds()
        let outcomes = try await connectAll(loop: loop, tally: tally)
        let connectSeconds = Double(Monotonic.nanoseconds() - started) / 1e9
        try await loop.submit {
            var report = tally.value.report
            report.connectSeconds = connectSeconds
            for outcome in outcomes {
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

    private func connectAll(loop: any EventLoop, tally: NIOLoopBound<WorkerTally>) async throws -> [SubscribeOutcome] {
        let request = try requestHead()
        let host = url.host ?? "127.0.0.1"
        let port = url.port ?? 80
        let source = try SocketAddress(ipAddress: sourceAddress, port: 0)
        let timeout = responseTimeout
        return await withTaskGroup(of: SubscribeOutcome.self) { group in
            var outcomes: [SubscribeOutcome] = []
            outcomes.reserveCapacity(count)
            var started = 0
            func startOne() {
                started += 1
                group.addTask {
                    let promise = loop.makePromise(of: SubscribeOutcome.self)
                    let bootstrap = ClientBootstrap(group: loop)
                        .bind(to: source)
                        .connectTimeout(.seconds(10))
                        .channelInitializer { channel in
                            let handler = SubscriberHandler(request: request, tally: tally.value, outcome: promise)
                            let bound = NIOLoopBound(handler, eventLoop: loop)
                            loop.scheduleTask(in: timeout) { bound.value.timedOut(context: channel) }
                            return channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                                try channel.pipeline.syncOperations.addHandler(handler)
                            }
                        }
                    do {
                        _ = try await bootstrap.connect(host: host, port: port).get()
                    } catch {
                        promise.succeed(.failed)
                    }
                    return (try? await promise.futureResult.get()) ?? .failed
                }
            }
            while started < min(concurrency, count) { startOne() }
            for await outcome in group {
                outcomes.append(outcome)
                if started < count { startOne() }
            }
            return outcomes
        }
    }

    private func requestHead() throws -> HTTPRequestHead {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), url.scheme == "http" else {
            throw BenchError("only http:// URLs can be benchmarked (got \(url))")
        }
        let path = (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
            + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(url.host ?? "localhost"):\(url.port ?? 80)")
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
