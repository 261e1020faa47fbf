import ArgumentParser
import CuecastBench
import CuecastServer
import Foundation

/// `cuecast bench`: the load generator. Starts Cuecast and the Node.js reference server in turn, holds N
/// subscribers to each with worker processes, publishes a steady phase and a burst, and writes a results table.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure fan-out: hold N subscribers, publish events, report throughput, latency and memory.",
        discussion: """
            Runs each server in turn on a free loopback port: Cuecast (this executable's `serve`, with no scenarios \
            and publishing unthrottled) and the plain Node.js reference server in Benchmarks/node. Subscribers are \
            held by worker processes (this executable's hidden `bench-worker`), at most --per-worker each, every \
            worker on its own 127.x.y.z source address. Events carry their sequence number and send time, so the \
            workers measure publish-to-arrival latency and count lost and reordered events. Memory is the server's \
            resident set (/proc/PID/status) before and while holding the idle subscribers.

            --protocol picks how subscribers connect, and a comma list runs each in turn, side by side in the \
            tables (with a protocol column, and server CPU per delivery by protocol): http1 (the default: HTTP/1.1, \
            one connection per subscriber), https (HTTP/1.1 over TLS, ALPN http/1.1), h2 (HTTP/2 over TLS, ALPN h2) \
            and h2c (HTTP/2 with prior knowledge, in the clear). Over HTTP/2, --streams-per-connection subscribers \
            share a connection, as a browser's tabs do; if the server's SETTINGS_MAX_CONCURRENT_STREAMS is lower, \
            more connections are opened and the report says so. Cuecast is started with --https-port, --tls-cert \
            and --tls-key for https and h2 (h2c is served on its plain --port); Node.js with the same certificate on \
            http2.createSecureServer (allowHTTP1) or http2.createServer (h2c). The certificate is a throwaway made \
            by `cuecast cert` (or openssl when that is missing), and the workers do not verify it. Publishing always \
            goes over HTTP/1.1 on the plain port.

            --instances runs Cuecast as that many processes, each on its own port, sharing every stream through the \
            PostgreSQL given by --cluster (serve --cluster): events are published to the first instance, the \
            subscribers spread over all of them, and memory and CPU are the instances' together, with this machine's \
            PostgreSQL CPU per event beside them. 1 is the default single process with everything in memory, so \
            --instances 1,3 shows what the database hop costs; in such a comparison, a subscriber count over 19,000 per \
            instance is skipped. Node.js has no cluster mode and runs with 1 only.

            Example: cuecast bench --subscribers 10000 --protocol http1,h2c,h2 --streams-per-connection 100
            Example: cuecast bench --targets cuecast --subscribers 15000,45000 --instances 1,3 --cluster postgres://postgres@127.0.0.1:5432/postgres
            """
    )

    // Defaults come from LoadTest.Settings, so the command and the library cannot drift apart.
    @Option(help: "Subscriber counts to run, comma-separated.")
    var subscribers: String = LoadTest.Settings().subscriberCounts.map(String.init).joined(separator: ",")

    @Option(help: "Servers to measure, comma-separated: cuecast, node.")
    var targets: String = "cuecast,node"

    @Option(name: .customLong("protocol"), help: "How subscribers connect, comma-separated: http1, https, h2, h2c.")
    var protocols: String = LoadTest.Settings().protocols.map(\.rawValue).joined(separator: ",")

    @Option(help: "HTTP/2 (h2, h2c): subscribers' streams per connection.")
    var streamsPerConnection: Int = LoadTest.Settings().streamsPerConnection

    @Option(help: "Steady phase: events a second.")
    var rate: Double = LoadTest.Settings().rate

    @Option(help: "Steady phase: seconds.")
    var duration: Double = LoadTest.Settings().steadySeconds

    @Option(help: "Burst phase: events published back to back (0 skips it).")
    var burst: Int = LoadTest.Settings().burst

    @Option(help: "Seconds the server settles before each memory reading (0: a delivery-only smoke run).")
    var settle: Double = LoadTest.Settings().settleSeconds

    @Option(help: "Subscribers per worker process.")
    var perWorker: Int = LoadTest.Settings().perWorker

    @Option(help: "Passed to cuecast serve --max-subscribers.")
    var maxSubscribers: Int?

    @Option(help: "Cuecast instances per run, comma-separated; more than 1 shares streams through --cluster.")
    var instances: String = LoadTest.Settings().instanceCounts.map(String.init).joined(separator: ",")

    @Option(help: "PostgreSQL URL for the instances of a multi-instance run (serve --cluster).")
    var cluster: String?

    @Option(help: "Node.js executable.")
    var node: String = "node"

    @Option(help: "The Node.js reference server.")
    var nodeServer: String = "Benchmarks/node/fanout-server.js"

    @Option(help: "Also write the results table (Markdown) to this file.")
    var output: String?

    func validate() throws {
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--subscribers takes positive counts separated by commas (got '\(subscribers)')")
        }
        guard !targetList.isEmpty else {
            throw ValidationError("--targets takes cuecast and/or node, comma-separated (got '\(targets)')")
        }
        guard WireProtocol.list(protocols) != nil else {
            throw ValidationError("--protocol takes http1, https, h2 and/or h2c, comma-separated (got '\(protocols)')")
        }
        guard (1...10_000).contains(streamsPerConnection) else { throw ValidationError("--streams-per-connection must be from 1 to 10000") }
        guard !instanceCounts.isEmpty, instanceCounts.allSatisfy({ (1...64).contains($0) }) else {
            throw ValidationError("--instances takes counts from 1 to 64 separated by commas (got '\(instances)')")
        }
        if instanceCounts.contains(where: { $0 > 1 }) {
            guard let cluster, cluster.hasPrefix("postgres://") || cluster.hasPrefix("postgresql://") else {
                throw ValidationError("--instances over 1 needs --cluster postgres://user@host:port/database (scripts/postgres start makes a throwaway one)")
            }
        }
        guard rate > 0, duration > 0 else { throw ValidationError("--rate and --duration must be positive") }
        guard settle >= 0 else { throw ValidationError("--settle must be 0 or more") }
        guard burst >= 0 else { throw ValidationError("--burst must be 0 or more") }
        guard (1...19_000).contains(perWorker) else { throw ValidationError("--per-worker must be from 1 to 19000 (a process holds at most about 20,000 descriptors)") }
        if targetList.contains(.node), !FileManager.default.fileExists(atPath: nodeServer) {
            throw ValidationError("no Node.js reference server at '\(nodeServer)': run from the Cuecast folder, pass --node-server, or --targets cuecast")
        }
    }

    private var counts: [Int] { Self.list(subscribers) }
    private var instanceCounts: [Int] { Self.list(instances) }

    /// Whole numbers separated by commas; empty if any item is not one.
    private static func list(_ text: String) -> [Int] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return items.contains(nil) ? [] : items.compactMap { $0 }
    }
    private var targetList: [LoadTest.Target] {
        let names = targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let parsed = names.compactMap(LoadTest.Target.init(rawValue:))
        return parsed.count == names.count ? parsed : []
    }

    func run() async throws {
        var settings = LoadTest.Settings()
        settings.subscriberCounts = counts
        settings.rate = rate
        settings.steadySeconds = duration
        settings.burst = burst
        settings.settleSeconds = settle
        settings.perWorker = perWorker
        settings.maxSubscribers = maxSubscribers
        settings.protocols = WireProtocol.list(protocols) ?? [.http1]
        settings.streamsPerConnection = streamsPerConnection
        settings.instanceCounts = instanceCounts
        settings.cluster = cluster
        let test = LoadTest(
            settings: settings, executable: CuecastExecutable.path, node: node, nodeScript: nodeServer,
            log: { printError($0) }
        )
        let results: [BenchResult]
        do {
            results = try await test.run(targets: targetList)
        } catch let error as BenchError {
            printError("cuecast bench: \(error.description)")
            throw ExitCode(1)
        }
        let table = ResultsTable.markdown(results, settings: settings)
        print(table, terminator: "")
        if let output { try table.write(toFile: output, atomically: true, encoding: .utf8) }
    }
}

/// `cuecast bench-worker`: one load-generator process, driven by `cuecast bench` over its standard input.
struct BenchWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-worker", abstract: "One process of `cuecast bench`'s load generator.", shouldDisplay: false
    )

    @Option var url: String
    @Option var count: Int
    @Option var source: String = "127.0.0.1"
    @Option(name: .customLong("protocol")) var wire: String = WireProtocol.http1.rawValue
    @Option var streamsPerConnection: Int?

    func run() async throws {
        guard let target = URL(string: url) else { throw ValidationError("--url is not a URL: \(url)") }
        guard let wire = WireProtocol(rawValue: wire) else { throw ValidationError("--protocol is one of http1, https, h2, h2c") }
        // A worker may hold up to 19,000 subscribers: take every descriptor the hard limit allows, as `serve` does.
        _ = DescriptorLimit.raiseToHard()
        let commands = AsyncStream<String> { continuation in
            Thread.detachNewThread {
                while let line = readLine() { continuation.yield(line) }
                continuation.finish()
            }
        }
        let encoder = JSONEncoder()
        var worker = LoadWorker(url: target, count: count, sourceAddress: source)
        worker.wire = wire
        if let streamsPerConnection { worker.streamsPerConnection = streamsPerConnection }
        try await worker.run(commands: commands) { report in
            var line = (try? encoder.encode(report)) ?? Data("{}".utf8)
            line.append(0x0A)
            FileHandle.standardOutput.write(line)
        }
    }
}

/// This executable's own path, so `bench` can start `serve` and its workers from the same build.
enum CuecastExecutable {
    static var path: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
