import CuecastServer
import Metrics

/// The process's metrics system, bootstrapped once, here in the executable: libraries that count through
/// swift-metrics' global factory land in the same Prometheus registry as the server's own figures, which the server
/// is given explicitly (tests make their own and never touch the global).
enum MetricsBootstrap {
    static func serverMetrics() -> ServerMetrics {
        let metrics = ServerMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }
}
