import ArgumentParser
import CuecastCore
import CuecastServer
import Foundation
import Hummingbird
import Logging

/// `cuecast serve`: loads every scenario in a folder and serves them until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the scenarios in a folder as Server-Sent Events streams.",
        discussion: """
            Every option can also be set in the environment: CUECAST_HOST, CUECAST_PORT, CUECAST_SCENARIOS, \
            CUECAST_PUBLIC, CUECAST_LOG_LEVEL, CUECAST_PUBLISH_TOKEN, CUECAST_ALLOW_ANONYMOUS_PUBLISH=1, \
            CUECAST_MAX_BODY_BYTES, CUECAST_PUBLISH_RATE, CUECAST_CHANNEL_HISTORY, CUECAST_MAX_SUBSCRIBERS, \
            CUECAST_HTTPS_PORT, CUECAST_TLS_CERT, CUECAST_TLS_KEY, CUECAST_IDLE_TIMEOUT, CUECAST_BODY_TIMEOUT, CUECAST_CLUSTER. \
            The plain port speaks HTTP/1.1 and cleartext HTTP/2 with prior knowledge; with a certificate, the HTTPS port \
            speaks HTTP/2 (ALPN h2) and HTTP/1.1. `cuecast cert` makes a certificate for localhost. A scenario with problems stops the server from starting (each problem \
            is printed as file:line:column: message) unless --skip-invalid is given.
            """
    )

    @Option(help: "Address to listen on.")
    var host: String = Environment.value("CUECAST_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = Environment.value("CUECAST_PORT").flatMap { Int($0) } ?? 8080

    @Option(help: "Folder of scenario files (*.json).")
    var scenarios: String = Environment.value("CUECAST_SCENARIOS") ?? "scenarios"

    @Option(name: .customLong("public"), help: "Folder of static pages.")
    var publicDirectory: String = Environment.value("CUECAST_PUBLIC") ?? "public"

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = Environment.value("CUECAST_LOG_LEVEL") ?? "info"

    @Flag(help: "Start even if some scenarios are invalid, serving the valid ones.")
    var skipInvalid = false

    @Option(help: "Require 'Authorization: Bearer <token>' to publish (generateEvent, triggers). Also CUECAST_PUBLISH_TOKEN.")
    var publishToken: String?

    @Flag(help: "Let anyone publish even when listening beyond loopback without a token.")
    var allowAnonymousPublish = Environment.value("CUECAST_ALLOW_ANONYMOUS_PUBLISH") == "1"

    @Option(help: "Largest publish body, in bytes.")
    var maxBodyBytes: Int = Environment.value("CUECAST_MAX_BODY_BYTES").flatMap { Int($0) } ?? 64 * 1024

    @Option(help: "Publishes a second allowed per client (bursts of twice that).")
    var publishRate: Double = Environment.value("CUECAST_PUBLISH_RATE").flatMap { Double($0) } ?? 10

    @Option(help: "Events each channel keeps for Last-Event-ID resume.")
    var channelHistory: Int = Environment.value("CUECAST_CHANNEL_HISTORY").flatMap { Int($0) } ?? 100

    @Option(name: .customLong("https-port"), help: "Also serve HTTPS on this port (default 8443 when --tls-cert is given; 0 picks a free one).")
    var httpsPortOption: Int?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate (chain) for HTTPS; `cuecast cert` makes one for localhost.")
    var tlsCertOption: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKeyOption: String?

    /// `--https-port`, else `CUECAST_HTTPS_PORT` (a bad number there is reported as -1, and refused).
    var httpsPort: Int? { httpsPortOption ?? Environment.value("CUECAST_HTTPS_PORT").map { Int($0) ?? -1 } }
    var tlsCert: String? { tlsCertOption ?? Environment.value("CUECAST_TLS_CERT") }
    var tlsKey: String? { tlsKeyOption ?? Environment.value("CUECAST_TLS_KEY") }

    @Option(help: "Seconds a connection may wait for a complete request head (idle, or a head still arriving) before it is closed.")
    var idleTimeout: Double = Environment.value("CUECAST_IDLE_TIMEOUT").flatMap { Double($0) } ?? 15

    @Option(help: "Seconds a request body may take to arrive.")
    var requestBodyTimeout: Double = Environment.value("CUECAST_BODY_TIMEOUT").flatMap { Double($0) } ?? 30

    @Option(help: ArgumentHelp(
        "Event streams open at once, over all stream routes; one more gets 503 with Retry-After.",
        discussion: "Default: the open-file limit (raised to its hard limit at start-up) less 5% (at least 64) for other work."
    ))
    var maxSubscribers: Int?

    @Option(help: ArgumentHelp(
        "Share every stream with other instances through this PostgreSQL (postgres://user:password@host:port/database). Also CUECAST_CLUSTER.",
        discussion: "Without it, Cuecast is one process with everything in memory."
    ))
    var cluster: String?

    /// `--cluster`, else `CUECAST_CLUSTER`, checked: a URL that cannot be used stops the server at start.
    var clusterConfiguration: ClusterConfiguration? {
        get throws { try (cluster ?? Environment.value("CUECAST_CLUSTER")).map { try ClusterConfiguration(url: $0) } }
    }

    /// `--max-subscribers`, else `CUECAST_MAX_SUBSCRIBERS` (a bad number there is reported as -1, and refused).
    var subscriberCap: Int? {
        maxSubscribers ?? Environment.value("CUECAST_MAX_SUBSCRIBERS").map { Int($0) ?? -1 }
    }

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got '\(logLevel)')")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535 (got \(port))") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive (got \(maxBodyBytes))") }
        guard publishRate > 0 else { throw ValidationError("--publish-rate must be positive (got \(publishRate))") }
        guard (1...100_000).contains(channelHistory) else { throw ValidationError("--channel-history must be from 1 to 100000 (got \(channelHistory))") }
        if let subscriberCap, subscriberCap < 1 {
            throw ValidationError("--max-subscribers (or CUECAST_MAX_SUBSCRIBERS) must be a positive whole number (got \(maxSubscribers.map(String.init) ?? Environment.value("CUECAST_MAX_SUBSCRIBERS") ?? ""))")
        }
        switch (tlsCert, tlsKey) {
        case (.some, nil): throw ValidationError("--tls-cert needs --tls-key (the certificate's private key, PEM)")
        case (nil, .some): throw ValidationError("--tls-key needs --tls-cert (the certificate, PEM)")
        case (nil, nil) where httpsPort != nil:
            throw ValidationError("--https-port needs a certificate: --tls-cert FILE --tls-key FILE (run `cuecast cert` to make one for localhost)")
        default: break
        }
        if let httpsPort {
            guard (0...65535).contains(httpsPort) else { throw ValidationError("--https-port must be from 0 to 65535 (got \(httpsPort))") }
            guard httpsPort != port || port == 0 else { throw ValidationError("--https-port must differ from --port (both are \(port))") }
        }
        do {
            _ = try clusterConfiguration
        } catch {
            throw ValidationError("--cluster (or CUECAST_CLUSTER): \(error)")
        }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be a positive number of seconds (got \(idleTimeout))") }
        guard requestBodyTimeout > 0 else { throw ValidationError("--request-body-timeout must be a positive number of seconds (got \(requestBodyTimeout))") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: scenarios, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("no scenarios folder at '\(scenarios)': run from the Cuecast folder or pass --scenarios DIR")
        }
    }

    func run() async throws {
        var logger = Logger(label: "cuecast")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let loaded = ScenarioDirectory.load(scenarios)
        for problem in loaded.problems { printError(problem.description) }
        if !loaded.problems.isEmpty && !skipInvalid {
            printError("cuecast: not starting: \(loaded.problems.count) problem(s) in \(scenarios) (fix them, or pass --skip-invalid to serve the rest)")
            throw ExitCode(1)
        }
        if loaded.scenarios.isEmpty { logger.warning("no scenarios found", metadata: ["folder": "\(scenarios)"]) }

        var publicFolder: String? = publicDirectory
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: publicDirectory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            logger.warning("no public folder: serving no pages", metadata: ["folder": "\(publicDirectory)"])
            publicFolder = nil
        }
        // Each subscriber is a socket: take every descriptor the hard limit allows before the default cap is derived.
        let descriptors = DescriptorLimit.raiseToHard()
        var configuration = ServerConfiguration(host: host, port: port, scenariosDirectory: scenarios, publicDirectory: publicFolder)
        let derivedCap = configuration.maxSubscribers
        if let subscriberCap {
            configuration.maxSubscribers = subscriberCap
            if subscriberCap > derivedCap {
                logger.warning(
                    "--max-subscribers \(subscriberCap) is more than the open-file limit leaves room for (\(derivedCap)): connections past that wait in the backlog until descriptors free up"
                )
            }
        }
        configuration.publishToken = publishToken ?? Environment.value("CUECAST_PUBLISH_TOKEN")
        configuration.allowAnonymousPublish = allowAnonymousPublish
        configuration.maxBodyBytes = maxBodyBytes
        configuration.publishRate = publishRate
        configuration.publishBurst = publishRate * 2
        configuration.channelHistoryLimit = channelHistory
        configuration.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.requestBodyTimeout = .milliseconds(Int64(requestBodyTimeout * 1000))
        configuration.cluster = try clusterConfiguration
        if let tlsCert, let tlsKey {
            do {
                let files = TLSFiles(certificatePath: tlsCert, keyPath: tlsKey)
                let tls = try files.serverConfiguration()
                for warning in files.warnings() { logger.warning("\(warning)") }
                configuration.https = try HTTPSConfiguration(port: httpsPort ?? 8443, tls: tls)
            } catch {
                printError("cuecast: cannot serve HTTPS: \(error)")
                throw ExitCode(1)
            }
        }
        let publishing = configuration.publishingSummary
        let capacity =
            "max subscribers: \(configuration.maxSubscribers) (open-file limit \(descriptors.map(String.init) ?? "unknown")); "
            + "a stream past that gets 503 with Retry-After: \(configuration.subscriberRetryAfterSeconds)"
        let scenarios = loaded.scenarios
        let host = self.host
        let log = logger
        let app = buildApplication(scenarios: scenarios, configuration: configuration, logger: logger) { listener in
            let base = "\(listener.scheme)://\(host.contains(":") ? "[\(host)]" : host):\(listener.port)"
            guard listener.scheme == "http" else {
                log.info("cuecast is serving HTTPS at \(base)/ (HTTP/2 over TLS, or HTTP/1.1); try: curl -N --http2 -k \(base)/streams/clock")
                return
            }
            log.info("cuecast is serving \(scenarios.count) scenario(s) at \(base)/ (HTTP/1.1, and HTTP/2 with prior knowledge)")
            for scenario in scenarios {
                log.info("  \(scenario.mode.rawValue) \(base)/streams/\(scenario.name)  (\(scenario.title))")
            }
            log.info("channels: \(base)/subscribeToEvents and \(base)/channels/{name}; publish with POST \(base)/generateEvent")
            log.notice("\(publishing)")
            log.notice("\(capacity)")
        }
        try await app.runService()
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
