import ArgumentParser
import CuecastCore
import CuecastServer
import Foundation
import Hummingbird
import Logging

/// `cuecast serve`: loads every scenario in a folder and serves them until SIGINT/SIGTERM.
///
/// Each option is declared once, here, with no default of its own (an optional, an empty list, an unset flag): its
/// help is `--help`'s, printing the default from `ServeDefaults`, and its value, if given, is the command line's
/// layer of `OptionSources` (command line, then `CUECAST_*` environment, then the `--config` JSON file, then the
/// default). `ServeSettings` reads and checks them all. To add an option, declare it here, give it a key in
/// `ServeOption` (`CommandLineOptions.swift`) and read it in `ServeSettings`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the scenarios in a folder as Server-Sent Events streams.",
        discussion: """
            Every option can also come from the environment, as CUECAST_ and the option's name in capitals \
            (--max-body-bytes is CUECAST_MAX_BODY_BYTES; a list is comma-separated), or from a JSON file given with \
            --config (or CUECAST_CONFIG), as the option's name in camelCase ({"maxBodyBytes": 65536, "trustedProxy": \
            ["127.0.0.1"]}). The command line wins over the environment, which wins over the file. \
            The plain port speaks HTTP/1.1 and cleartext HTTP/2 with prior knowledge; with a certificate, the HTTPS port \
            speaks HTTP/2 (ALPN h2) and HTTP/1.1. `cuecast cert` makes a certificate for localhost. A scenario with \
            problems stops the server from starting (each problem is printed as file:line:column: message) unless \
            --skip-invalid is given.
            """
    )

    @Option(help: "A JSON file of options (keys in camelCase, such as \"maxBodyBytes\"); the command line and the environment win over it.")
    var config: String?

    @Option(help: "Address to listen on (default \(ServeDefaults.host)).")
    var host: String?

    @Option(help: "Port to listen on (default \(ServeDefaults.port); 0 picks a free one).")
    var port: Int?

    @Option(help: "Folder of scenario files, *.json (default \(ServeDefaults.scenariosDirectory)).")
    var scenarios: String?

    @Option(help: "Folder of static pages (default \(ServeDefaults.publicDirectory)).")
    var `public`: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (default \(ServeDefaults.logLevel.rawValue)).")
    var logLevel: String?

    @Option(help: "text (human-readable) or json, one JSON object per line with time, level, label, message and metadata (default \(ServeDefaults.logFormat.rawValue)).")
    var logFormat: String?

    @Flag(help: "Start even if some scenarios are invalid, serving the valid ones.")
    var skipInvalid = false

    @Option(help: "Require 'Authorization: Bearer <token>' to publish (generateEvent, triggers).")
    var publishToken: String?

    @Flag(help: "Let anyone publish even when listening beyond loopback without a token.")
    var allowAnonymousPublish = false

    @Option(help: "A name this server answers to besides localhost and loopback addresses while it listens on loopback (repeatable); pages on it may publish without a token.")
    var allowedHost: [String] = []

    @Option(help: "Largest publish body, in bytes (default \(ServeDefaults.maxBodyBytes)).")
    var maxBodyBytes: Int?

    @Option(help: "Publishes a second allowed per client, bursts of twice that (default \(ServeDefaults.publishRate.helpText)).")
    var publishRate: Double?

    @Option(help: "Events each channel keeps for Last-Event-ID resume (default \(ServeDefaults.channelHistoryLimit)).")
    var channelHistory: Int?

    @Option(help: ArgumentHelp(
        "Bytes every channel's and live stream's history may hold together (default \(ServeDefaults.historyMemoryBytes), \(ServeDefaults.historyMemoryBytes >> 20) MiB).",
        discussion: "Past it the oldest retained events go first; a client resuming from one gets a cuecast-reset event."
    ))
    var historyMemory: Int?

    @Option(help: "Seconds a channel with no subscribers stays after its last publish or subscriber before it is removed (default \(ServeDefaults.channelIdleAfter.secondsText)).")
    var channelIdle: Double?

    @Option(help: "Also serve HTTPS on this port (default \(ServeDefaults.httpsPort) when --tls-cert is given; 0 picks a free one).")
    var httpsPort: Int?

    @Option(help: "PEM certificate (chain) for HTTPS; `cuecast cert` makes one for localhost.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "Seconds a connection may wait for a complete request head (idle, or a head still arriving) before it is closed (default \(ServeDefaults.idleTimeout.secondsText)).")
    var idleTimeout: Double?

    @Option(help: "Seconds a request body may take to arrive (default \(ServeDefaults.requestBodyTimeout.secondsText)).")
    var requestBodyTimeout: Double?

    @Option(help: ArgumentHelp(
        "Event streams open at once, over all stream routes; one more gets 503 with Retry-After.",
        discussion: "Default: the open-file limit (raised to its hard limit at start-up) less 5% (at least 64) for other work."
    ))
    var maxSubscribers: Int?

    @Option(help: "A reverse proxy's address whose X-Forwarded-For names the client for rate limits and the log (repeatable).")
    var trustedProxy: [String] = []

    @Option(help: "Require 'Authorization: Bearer <token>' for GET /metrics.")
    var metricsToken: String?

    @Option(help: "Serve GET /metrics on this HOST:PORT alone instead of the main port (0 picks a free port).")
    var metricsAddress: String?

    @Option(help: ArgumentHelp(
        "Share every stream with other instances through this PostgreSQL (postgres://user:password@host:port/database).",
        discussion: "Without it, Cuecast is one process with everything in memory."
    ))
    var cluster: String?

    func run() async throws {
        let settings: ServeSettings
        switch await resolveSettings() {
        case .success(let resolved): settings = resolved
        case .failure(let error): throw ValidationError(error.description)
        }
        settings.logFormat.bootstrap(level: settings.logLevel)
        var logger = Logger(label: "cuecast")
        logger.logLevel = settings.logLevel

        let scenariosFolder = settings.scenarios
        let loaded = ScenarioDirectory.load(scenariosFolder)
        for problem in loaded.problems { printError(problem.description) }
        if !loaded.problems.isEmpty && !settings.skipInvalid {
            printError("cuecast: not starting: \(loaded.problems.count) problem(s) in \(scenariosFolder) (fix them, or pass --skip-invalid to serve the rest)")
            throw ExitCode(1)
        }
        if loaded.scenarios.isEmpty { logger.warning("no scenarios found", metadata: ["folder": "\(scenariosFolder)"]) }
        let modelsFolder = (scenariosFolder as NSString).appendingPathComponent(ModelScenarioLoader.folder)
        let models = ModelScenarioLoader.loadFolder(modelsFolder)
        for problem in models.problems { printError(problem.description) }
        if !models.problems.isEmpty && !settings.skipInvalid {
            printError("cuecast: not starting: \(models.problems.count) problem(s) in \(modelsFolder) (fix them, or pass --skip-invalid to serve the rest)")
            throw ExitCode(1)
        }

        var publicFolder: String? = settings.publicFolder
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: settings.publicFolder, isDirectory: &isDirectory) || !isDirectory.boolValue {
            logger.warning("no public folder: serving no pages", metadata: ["folder": "\(settings.publicFolder)"])
            publicFolder = nil
        }
        // Each subscriber is a socket: take every descriptor the hard limit allows before the default cap is derived.
        let descriptors = DescriptorLimit.raiseToHard()
        var configuration = ServerConfiguration(host: settings.host, port: settings.port, scenariosDirectory: scenariosFolder, publicDirectory: publicFolder)
        let derivedCap = configuration.maxSubscribers
        if let subscriberCap = settings.maxSubscribers {
            configuration.maxSubscribers = subscriberCap
            if subscriberCap > derivedCap {
                logger.warning(
                    "--max-subscribers \(subscriberCap) is more than the open-file limit leaves room for (\(derivedCap)): connections past that wait in the backlog until descriptors free up"
                )
            }
        }
        settings.apply(to: &configuration)
        configuration.models = models.models
        configuration.metrics = MetricsBootstrap.serverMetrics()
        if let tls = settings.tls {
            do {
                let files = TLSFiles(certificatePath: tls.certificate, keyPath: tls.key)
                let serverTLS = try files.serverConfiguration()
                for warning in files.warnings() { logger.warning("\(warning)") }
                configuration.https = try HTTPSConfiguration(port: tls.port, tls: serverTLS)
            } catch {
                printError("cuecast: cannot serve HTTPS: \(error)")
                throw ExitCode(1)
            }
        }
        let publishing = configuration.publishingSummary
        let metricsWarning = configuration.metricsSummary
        let capacity =
            "max subscribers: \(configuration.maxSubscribers) (open-file limit \(descriptors.map(String.init) ?? "unknown")); "
            + "a stream past that gets 503 with Retry-After: \(configuration.subscriberRetryAfterSeconds)"
        let scenarios = loaded.scenarios
        let host = settings.host
        let log = logger
        let metricsAccess = configuration.metricsToken == nil ? "" : " (Authorization: Bearer <token>)"
        let metricsAddress = configuration.metricsAddress
        let app = buildApplication(scenarios: scenarios, configuration: configuration, logger: logger) { listener in
            if listener.metricsOnly, let metricsAddress {
                let host = metricsAddress.host
                log.info("metrics: http://\(host.contains(":") ? "[\(host)]" : host):\(listener.port)/metrics\(metricsAccess)")
                return
            }
            let hosts = ListenAddresses.reachableHosts(for: host)
            let bases = hosts.map { "\(listener.scheme)://\(ListenAddresses.url(host: $0, port: listener.port))" }
            let base = bases[0]
            let everywhere = hosts != [host] ? " on every address of this machine (\(host)), so at \(bases.map { $0 + "/" }.joined(separator: " "))" : " at \(base)/"
            guard listener.scheme == "http" else {
                log.info("cuecast is serving HTTPS\(everywhere) (HTTP/2 over TLS, or HTTP/1.1); try: curl -N --http2 -k \(base)/streams/clock")
                return
            }
            log.info("cuecast is serving \(scenarios.count) scenario(s)\(everywhere) (HTTP/1.1, and HTTP/2 with prior knowledge)")
            for scenario in scenarios {
                log.info("  \(scenario.mode.rawValue) \(base)/streams/\(scenario.name)  (\(scenario.title))")
            }
            log.info("channels: \(base)/subscribeToEvents and \(base)/channels/{name}; publish with POST \(base)/generateEvent")
            if metricsAddress == nil { log.info("metrics: \(base)/metrics\(metricsAccess)") }
            if let metricsWarning { log.notice("\(metricsWarning)") }
            log.notice("\(publishing)")
            log.notice("\(capacity)")
        }
        do {
            try await app.runService()
        } catch {
            guard let explained = ListenAddresses(configuration).explain(error) else { throw error }
            printError(explained)
            throw ExitCode(1)
        }
    }
}

extension ServeCommand {
    /// Every option from its source, read and checked (`OptionSources`, `ServeSettings`).
    func resolveSettings() async -> Result<ServeSettings, OptionError> {
        let environment = ProcessInfo.processInfo.environment
        let file = config ?? environment["CUECAST_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let options = try await OptionSources.load(commandLine: givenOptions, environment: environment, file: file, knownKeys: ServeOption.keys)
            return .success(try ServeSettings(options))
        } catch {
            return .failure(error)
        }
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
