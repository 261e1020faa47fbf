import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import ServiceLifecycle

/// Builds the router: streams, channels, publishing, the catalog, CORS for other origins, and the static pages.
func buildRouter(
    catalog: ScenarioCatalog, channels: ChannelDirectory, configuration: ServerConfiguration, connections: ConnectionRegistry,
    logger: Logger, conformance: ConformanceLab = ConformanceLab(), backplane: any ChannelBackplane = LocalBackplane()
) -> Router<CuecastRequestContext> {
    // HEAD is answered wherever GET is (the GET answer's head, no body): `curl -I` on any page or API route.
    let router = Router(context: CuecastRequestContext.self, options: .autoGenerateHeadEndpoints)
    // First, so it counts every answer, the CORS preflights, the static files and the refused hosts too.
    router.add(middleware: RequestMetricsMiddleware(metrics: configuration.metrics))
    router.add(middleware: RequestLogMiddleware(logger: logger, proxies: configuration.trustedProxies))
    router.add(middleware: HostCheckMiddleware(boundary: configuration.siteBoundary))
    router.add(middleware: UnnamablePathMiddleware())
    let exposedHeaders = CrossOrigin.exposedHeaders
    router.add(middleware: CORSMiddleware(
        allowOrigin: .all,
        allowHeaders: [.accept, .authorization, .contentType, .origin, .lastEventID, .cacheControl],
        allowMethods: [.get, .post, .head, .options],
        exposedHeaders: exposedHeaders
    ))
    router.add(middleware: ExposeHeadersMiddleware(exposedHeaders))
    // Inside CORS, which wraps what it sees in an error of its own: a page's fetch of an unknown path gets JSON too.
    router.add(middleware: JSONErrorMiddleware())
    if let publicDirectory = configuration.publicDirectory {
        router.add(middleware: FileMiddleware(
            fileProvider: ConfinedFileSystem(rootFolder: publicDirectory, logger: Logger(label: "FileMiddleware")), searchForIndexHtml: true
        ))
    }
    let gate = PublishGate(configuration: configuration)
    // Stream requests (`StreamRequests.paths`) never reach the router: its doors decide them (`StreamRequests.decide`).
    ChannelRoutes(channels: channels, backplane: backplane).add(to: router)
    PublishRoutes(channels: channels, catalog: catalog, configuration: configuration, gate: gate, backplane: backplane).add(to: router)
    ConnectionRoutes(connections: connections, gate: gate, backplane: backplane).add(to: router)
    PlaybackRoutes(connections: connections, gate: gate).add(to: router)
    ConformanceRoutes(lab: conformance).add(to: router)
    CatalogRoutes(catalog: catalog, connections: connections, backplane: backplane, historyBudget: configuration.historyBudget).add(to: router)
    LLMRoutes(catalog: ModelCatalog(configuration.models), connections: connections, metrics: configuration.metrics, sequences: FaultSequences())
        .add(to: router)
    if configuration.metricsAddress == nil {
        MetricsRoutes(metrics: configuration.metrics, token: configuration.metricsToken).add(to: router)
    }
    router.answerUnservedMethods(streamPaths: StreamRequests.paths)
    return router
}

/// Builds the whole server: catalog, live stations, channels, router, the plain port and, when configured, the
/// HTTPS port. `onRunning` learns each bound port (useful with port 0).
public func buildApplication(
    scenarios: [Scenario], configuration: ServerConfiguration, logger: Logger, conformance: ConformanceLab = ConformanceLab(),
    onRunning: @escaping @Sendable (_ listener: Listener) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let metrics = configuration.metrics
    metrics.watchHistory(configuration.historyBudget)
    let catalog = ScenarioCatalog(scenarios: scenarios, hubConfiguration: configuration.hubConfiguration) { events in
        metrics.published(events, from: .scenario)
    }
    let channels = ChannelDirectory(configuration: configuration.channelConfiguration)
    let connections = ConnectionRegistry(
        limit: configuration.maxSubscribers, retryAfterSeconds: configuration.subscriberRetryAfterSeconds, instance: configuration.cluster?.instanceID
    )
    let backplane: any ChannelBackplane = configuration.cluster.map {
        ClusterBackplane(
            configuration: $0, channels: channels, catalog: catalog, connections: connections, historyLimit: configuration.historyLimit,
            metrics: metrics, logger: logger
        ) as any ChannelBackplane
    } ?? LocalBackplane()
    let stats = StatsFeed()
    let router = buildRouter(
        catalog: catalog, channels: channels, configuration: configuration, connections: connections, logger: logger,
        conformance: conformance, backplane: backplane
    )
    let streams = StreamRequests(
        catalog: catalog, channels: channels, configuration: configuration, connections: connections, stats: stats, logger: logger, backplane: backplane
    )
    let secure = configuration.https.map { https in
        SecureListener(host: configuration.host, https: https, streams: streams, logger: logger, onRunning: onRunning)
    }
    var services = services(
        catalog: catalog, channels: channels, connections: connections, configuration: configuration, logger: logger, stations: backplane.stations
    )
    services.append(StatsService(feed: stats, sampler: StatsSampler(metrics: metrics, connections: connections), interval: configuration.statsInterval))
    if let address = configuration.metricsAddress {
        services.append(MetricsListener(
            address: address, routes: MetricsRoutes(metrics: metrics, token: configuration.metricsToken), logger: logger, onRunning: onRunning
        ))
    }
    // Services stop in reverse order, after the plain port: the HTTPS port stops next, then the drain waits.
    if let secure { services.append(secure) }
    // First in the list, so it starts before the stations that publish through it and stops after them.
    if let link = backplane.link { services.insert(link, at: 0) }
    return Application(
        router: router,
        server: .cuecast(streams: streams, secure: secure),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cuecast"),
        services: services,
        onServerRunning: { channel in await onRunning(Listener(scheme: "http", port: channel.localAddress?.port ?? configuration.port)) },
        logger: logger
    )
}

/// What a page from another origin may read: why it must wait or authenticate, and a stream's connection id.
enum CrossOrigin {
    static let exposedHeaders = ["X-Cuecast-Connection", "X-Cuecast-Playback", "Retry-After", "WWW-Authenticate"]
}

/// What runs beside the HTTP server: live playbacks, channel heartbeats, the wait for streams to close at
/// shutdown and, when on, the scenario watcher.
func services(
    catalog: ScenarioCatalog, channels: ChannelDirectory, connections: ConnectionRegistry, configuration: ServerConfiguration, logger: Logger,
    stations: (any Service)? = nil
) -> [any Service] {
    var services: [any Service] = [
        // In a cluster each live station plays on one instance, elected; alone, this process plays them all.
        stations ?? LiveStationsService(catalog: catalog, logger: logger),
        ChannelHeartbeatService(channels: channels, interval: configuration.channelHeartbeat),
        IdleChannelService(channels: channels, logger: logger),
        StreamDrainService(connections: connections, limit: configuration.closeGracePeriod + .seconds(1)),
    ]
    if let interval = configuration.reloadInterval, !configuration.scenariosDirectory.isEmpty {
        services.append(ScenarioWatcher(
            directory: configuration.scenariosDirectory, catalog: catalog, interval: interval, logger: logger, metrics: configuration.metrics
        ))
    }
    return services
}

extension ServerConfiguration {
    /// One line for the start-up log: who may publish.
    public var publishingSummary: String {
        PublishAccess(token: publishToken, host: host, allowAnonymous: allowAnonymousPublish).summary
    }

    /// One line for the start-up log: where `/metrics` is and who may read it; `nil` when nothing needs saying.
    public var metricsSummary: String? {
        guard metricsAddress == nil, metricsToken == nil, !PublishAccess.isLoopback(host) else { return nil }
        return "/metrics is open to anyone who can reach this port: pass --metrics-token, or --metrics-address to serve it on an address of its own"
    }
}
