import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import ServiceLifecycle

/// Builds the router: stream routes, the catalog, CORS for other origins, and the static pages.
public func buildRouter(catalog: ScenarioCatalog, configuration: ServerConfiguration) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: CORSMiddleware(
        allowOrigin: .all,
        allowHeaders: [.accept, .authorization, .contentType, .origin, .lastEventID, .cacheControl],
        allowMethods: [.get, .post, .head, .options]
    ))
    if let publicDirectory = configuration.publicDirectory {
        router.add(middleware: FileMiddleware(publicDirectory, searchForIndexHtml: true))
    }
    StreamRoutes(catalog: catalog, configuration: configuration).add(to: router)
    CatalogRoutes(catalog: catalog).add(to: router)
    return router
}

/// Builds the whole server: catalog, live stations, router. `onRunning` learns the bound port (useful with port 0).
public func buildApplication(
    scenarios: [Scenario], configuration: ServerConfiguration, logger: Logger,
    onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let catalog = ScenarioCatalog(scenarios: scenarios, hubConfiguration: configuration.hubConfiguration)
    let router = buildRouter(catalog: catalog, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cuecast"),
        services: [LiveStationsService(catalog: catalog, logger: logger)],
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
