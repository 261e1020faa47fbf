import Foundation
import Histogram

/// Runs the benchmark: for each server and subscriber count, start the server, hold the subscribers with worker
/// processes, measure memory while idle, then publish a steady phase and a burst, and collect what arrived.
public struct LoadTest: Sendable {
    public enum Target: String, Sendable {
        case cuecast, node
    }

    public struct Settings: Sendable {
        public var subscriberCounts: [Int] = [1000, 10_000]
        /// Steady phase: events a second, for this many seconds.
        public var rate = 5.0
        public var steadySeconds = 10.0
        /// Burst phase: events published back to back.
        public var burst = 200
        /// Subscribers per worker process (each has its own descriptor limit and source address).
        public var perWorker = 5000
        /// Passed to `cuecast serve --max-subscribers` when set.
        public var maxSubscribers: Int?
        /// Seconds to let the server settle before each memory reading: after the warm-up publish (the baseline)
        /// and after the subscribers connect (the idle memory). A smoke run that checks delivery only passes 0.
        public var settleSeconds = 2.0
        /// How subscribers connect; each protocol is a run of its own, side by side in the tables.
        public var protocols: [WireProtocol] = [.http1]
        /// HTTP/2: subscribers' streams per connection (more connections if the server allows fewer).
        public var streamsPerConnection = 100
        /// Cuecast instances per run, each a run of its own: 1 is one process with everything in memory (the
        /// default `serve`); more share their streams through `cluster`, each on its own port.
        public var instanceCounts = [1]
        /// The PostgreSQL URL that instances of a multi-instance run pass to `serve --cluster`.
        public var cluster: String?
        /// What one process holds (about 20,000 descriptors): in a run comparing instance counts, a subscriber count
        /// over this many per instance is skipped rather than measured as mostly refused.
        public var perInstanceCapacity = 19_000
        public init() {}

        /// Whether the tables need a protocol column: anything but the HTTP/1.1-only run they always were.
        public var comparesProtocols: Bool { protocols != [.http1] }
    }

    public var settings: Settings
    /// This executable (for `serve` and `bench-worker`), Node.js, and the reference server script.
    public var executable: String
    public var node: String
    public var nodeScript: String
    public var log: @Sendable (String) -> Void

    public init(settings: Settings, executable: String, node: String, nodeScript: String, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.executable = executable
        self.node = node
        self.nodeScript = nodeScript
        self.log = log
    }

    public func run(targets: [Target]) async throws -> [BenchResult] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cuecast-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let certificate = try settings.protocols.contains(where: \.usesTLS)
            ? BenchCertificate.make(in: work, executable: executable) : nil
        var results: [BenchResult] = []
        var runIndex = 0
        for count in settings.subscriberCounts {
            for instances in settings.instanceCounts {
                if settings.instanceCounts.count > 1, count > instances * settings.perInstanceCapacity {
                    log("\(count) subscribers on \(instances) instance(s): skipped (one process holds about \(settings.perInstanceCapacity))")
                    continue
                }
                for wire in settings.protocols {
                    for target in targets {
                        if instances > 1 && target != .cuecast { continue }  // only Cuecast has a cluster mode
                        runIndex += 1
                        let deployment = try start(target, instances: instances, wire: wire, certificate: certificate, work: work)
                        defer { deployment.stop() }
                        log("\(deployment.name)\(settings.comparesProtocols ? " over \(wire.rawValue)" : ""), \(count) subscribers: starting")
                        results.append(try await measure(deployment, subscribers: count, runIndex: runIndex))
                    }
                }
            }
        }
        return results
    }

    /// Starts the server, or for more than one instance that many `serve --cluster` processes on ports of their own.
    private func start(_ target: Target, instances: Int, wire: WireProtocol, certificate: BenchCertificate?, work: URL) throws -> Deployment {
        switch target {
        case .node:
            return Deployment(try .node(node: node, script: nodeScript, port: try freePort(), wire: wire, certificate: certificate, workFolder: work))
        case .cuecast:
            var ports: [Int] = []
            while ports.count < instances {
                let port = try freePort()
                if !ports.contains(port) { ports.append(port) }
            }
            let cluster = instances > 1 ? settings.cluster : nil
            if instances > 1 && cluster == nil { throw BenchError("\(instances) instances need a PostgreSQL to share their streams: pass --cluster postgres://…") }
            var servers: [ServerUnderTest] = []
            do {
                for port in ports {
                    servers.append(try .cuecast(
                        executable: executable, port: port, wire: wire, certificate: certificate,
                        maxSubscribers: settings.maxSubscribers, cluster: cluster, workFolder: work
                    ))
                }
            } catch {
                servers.forEach { $0.stop() }
                throw error
            }
            return Deployment(servers[0], Array(servers.dropFirst()))
        }
    }

    /// One server (or cluster) at one subscriber count.
    func measure(_ server: Deployment, subscribers count: Int, runIndex: Int) async throws -> BenchResult {
        let publisher = Publisher(url: server.publishURL)
        var result = BenchResult(server: server.name, requested: count)
        result.instances = server.instances.count
        result.wire = server.wire
        result.streamsPerConnection = server.wire.isHTTP2 ? settings.streamsPerConnection : 1
        var workers: [WorkerProcess] = []
        func finish() async throws {
            workers.forEach { $0.quit() }
            try await publisher.shutdown()
        }
        do {
            try await server.waitUntilHealthy()
            try await publisher.publish(0)  // warm the publish path before the baseline reading
            try await Task.sleep(for: .seconds(min(1, settings.settleSeconds)))
            result.residentBefore = server.residentBytes()

            workers = try startWorkers(count: count, server: server, runIndex: runIndex)
            var ready = WorkerReport()
            for worker in workers { ready.merge(try await worker.ready()) }
            result.held = ready.held
            result.failed = ready.failed
            result.refused = ready.refused
            result.refusedWithRetryAfter = ready.refusedWithRetryAfter
            result.connectSeconds = ready.connectSeconds
            result.connections = ready.connections
            result.serverStreamLimit = ready.serverStreamLimit
            result.firstFailure = ready.firstFailure
            log("  held \(ready.held), failed \(ready.failed), refused \(ready.refused) in \(String(format: "%.1f", ready.connectSeconds)) s")
            if let limit = result.limitedStreams {
                let asked = settings.streamsPerConnection
                log("  the server allows \(limit) streams per connection (asked for \(asked)): \(ready.connections) connections")
            }
            if ready.failed > 0, let reason = ready.firstFailure { log("  first failure: \(reason)") }
            try await Task.sleep(for: .seconds(settings.settleSeconds))
            result.residentHolding = server.residentBytes()

            let steadyCount = max(1, Int(settings.rate * settings.steadySeconds))
            result.steady = try await phase(server: server, workers: workers, first: 1, count: steadyCount) {
                try await publisher.steady(from: 1, count: steadyCount, rate: settings.rate)
            }
            log("  steady: \(describe(result.steady))")
            if settings.burst > 0 {
                let burstCount = settings.burst
                let first = UInt64(steadyCount) + 1
                result.burst = try await phase(server: server, workers: workers, first: first, count: burstCount) {
                    try await publisher.burst(from: first, count: burstCount)
                }
                log("  burst: \(describe(result.burst))")
            }
            var last = WorkerReport()
            for worker in workers { last.merge(try await worker.send("report 0")) }
            result.dropped = last.dropped
            result.healthyAfter = await server.isHealthy()
        } catch {
            try? await finish()
            throw error
        }
        try await finish()
        return result
    }

    /// Publishes with `publish`, waits until every held subscriber has every event (or arrivals stop), and
    /// collects the workers' counts.
    private func phase(
        server: Deployment, workers: [WorkerProcess], first: UInt64, count: Int,
        publish: () async throws -> Void
    ) async throws -> PhaseResult {
        for worker in workers { _ = try await worker.send("phase \(first)") }
        let cpuBefore = server.cpuSeconds()
        let clustered = server.instances.count > 1
        let databaseBefore = clustered ? localPostgresCPUSeconds() : nil
        let started = Monotonic.nanoseconds()
        try await publish()
        var lastEvents = -1
        var quietSince = ContinuousClock.now
        while true {
            var events = 0
            var held = 0
            for worker in workers {
                let progress = try await worker.send("progress", as: WorkerProgress.self)
                events += progress.events
                held += progress.held
            }
            if events >= held * count { break }
            if events != lastEvents {
                lastEvents = events
                quietSince = .now
            } else if ContinuousClock.now - quietSince > .seconds(5) {
                break  // nothing more is arriving: what is missing is lost
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        var merged = WorkerReport()
        for worker in workers { merged.merge(try await worker.send("report \(count)")) }
        var result = PhaseResult()
        result.published = count
        result.deliveries = merged.events
        result.lost = merged.lost
        result.reordered = merged.reordered
        result.seconds = merged.lastArrival > started ? Double(merged.lastArrival - started) / 1e9 : 0
        result.p50Milliseconds = Double(merged.latency.valueAtPercentile(50)) / 1000
        result.p99Milliseconds = Double(merged.latency.valueAtPercentile(99)) / 1000
        result.maxMilliseconds = Double(merged.latency.max) / 1000
        if let before = cpuBefore, let after = server.cpuSeconds() { result.serverCPUSeconds = after - before }
        if let before = databaseBefore, let after = localPostgresCPUSeconds() { result.databaseCPUSeconds = after - before }
        return result
    }

    /// Workers of at most `perWorker` subscribers, each on its own loopback source address, and on the instances
    /// in turn (so at least one worker per instance). Addresses differ from run to run too, so one run's closing
    /// connections (TIME_WAIT) never take the next run's ports.
    private func startWorkers(count: Int, server: Deployment, runIndex: Int) throws -> [WorkerProcess] {
        let per = max(1, settings.perWorker)
        let workerCount = max((count + per - 1) / per, min(count, server.instances.count))
        return try (0..<workerCount).map { index in
            let share = count / workerCount + (index < count % workerCount ? 1 : 0)
            let address = "127.\(1 + runIndex % 250).\(index / 250).\(2 + index % 250)"
            return try WorkerProcess(
                executable: executable, url: server.streamURL(forWorker: index), count: share, sourceAddress: address, wire: server.wire,
                streamsPerConnection: settings.streamsPerConnection
            )
        }
    }

    private func describe(_ phase: PhaseResult?) -> String {
        guard let phase else { return "-" }
        return String(
            format: "%d deliveries in %.2f s (%.0f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms, lost %d, reordered %d",
            phase.deliveries, phase.seconds, phase.deliveriesPerSecond, phase.p50Milliseconds, phase.p99Milliseconds,
            phase.maxMilliseconds, phase.lost, phase.reordered
        )
    }
}
