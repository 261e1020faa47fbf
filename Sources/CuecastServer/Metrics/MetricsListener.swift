import Hummingbird
import Logging
import ServiceLifecycle

/// `GET /metrics` on a listener of its own (``ServerConfiguration/metricsAddress``), run beside the main server
/// and stopped with it. It serves nothing else, so the monitoring port shows no streams or pages.
struct MetricsListener: Service {
    let address: MetricsAddress
    let routes: MetricsRoutes<BasicRequestContext>
    let logger: Logger
    let onRunning: @Sendable (Listener) async -> Void

    func run() async throws {
        let router = Router()
        routes.add(to: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "cuecast"),
            onServerRunning: { channel in
                await onRunning(Listener(scheme: "http", port: channel.localAddress?.port ?? address.port, metricsOnly: true))
            },
            logger: logger
        )
        try await app.run()
    }
}
