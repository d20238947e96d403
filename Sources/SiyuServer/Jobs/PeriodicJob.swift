import Foundation
import ServiceLifecycle

/// A job the server runs again and again until it stops: after `firstDelay`, then every `interval`.
/// Graceful shutdown (not only cancellation) ends it at once.
public struct PeriodicJob: Service {
    let firstDelay: Duration
    let interval: Duration
    let body: @Sendable () async -> Void

    public init(firstDelay: Duration, interval: Duration, _ body: @escaping @Sendable () async -> Void) {
        self.firstDelay = firstDelay
        self.interval = interval
        self.body = body
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: firstDelay)
            while !Task.isCancelled {
                await body()
                try await Task.sleep(for: interval)
            }
        }
    }
}
