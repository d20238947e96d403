import Metrics
import Prometheus
import Synchronization

/// The Prometheus registry behind swift-metrics, bootstrapped once per process.
public struct SiyuMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    private static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultValueHistogramBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2500, 5000, 10000, 20000]
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The process-wide registry (swift-metrics can be bootstrapped only once).
    public static var process: SiyuMetrics { SiyuMetrics(registry: shared) }
}
