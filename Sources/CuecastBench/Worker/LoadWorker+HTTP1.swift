import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

extension LoadWorker {
    /// HTTP/1.1 (`http1`, or `https` with `tls`): one connection per subscriber, `concurrency` attempted at once.
    func connectEach(loop: any EventLoop, tally: NIOLoopBound<WorkerTally>, tls: NIOSSLContext?) async throws -> Connected {
        let request = try requestHead()
        let (host, port) = (host, port)
        let source = try SocketAddress(ipAddress: sourceAddress, port: 0)
        let timeout = responseTimeout
        let outcomes = await withTaskGroup(of: SubscribeOutcome.self) { group in
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
                                if let tls { try channel.pipeline.syncOperations.addHandler(TLSClient.handler(tls, host: host)) }
                                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                                try channel.pipeline.syncOperations.addHandler(handler)
                            }
                        }
                    do {
                        _ = try await bootstrap.connect(host: host, port: port).get()
                    } catch {
                        loop.execute { tally.value.noteFailure("cannot connect to \(host):\(port): \(error)") }
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
        return Connected(outcomes: outcomes, connections: count)
    }
}
