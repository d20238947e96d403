import Foundation
import Logging
import ServiceLifecycle
import SiyuStore

/// The background side of ``AnalyticsCache``: merges a workspace's news as soon as the event
/// writer commits it (and every second, for writes by other processes such as an import), and
/// saves the datasets' snapshot files now and then and at shutdown.
public struct AnalyticsRefresher: Service {
    let cache: AnalyticsCache
    let commits: AsyncStream<Int64>
    let pollInterval: Duration
    let snapshotInterval: Duration
    let logger: Logger

    /// A refresher and the continuation the event writer tells about each commit.
    public static func make(
        cache: AnalyticsCache,
        pollInterval: Duration = .seconds(1),
        snapshotInterval: Duration = .seconds(600),
        logger: Logger
    ) -> (AnalyticsRefresher, AsyncStream<Int64>.Continuation) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(4_096))
        return (
            AnalyticsRefresher(cache: cache, commits: stream, pollInterval: pollInterval, snapshotInterval: snapshotInterval, logger: logger),
            continuation
        )
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                await cache.warmUp()
                group.addTask {
                    // Commits come in bursts: merge each workspace once per burst.
                    for await id in commits {
                        await cache.refresh(workspaceId: id)
                    }
                }
                group.addTask {
                    var sinceSnapshot = Duration.zero
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: pollInterval) } catch { break }
                        await cache.refreshAll()
                        sinceSnapshot += pollInterval
                        if sinceSnapshot >= snapshotInterval {
                            sinceSnapshot = .zero
                            await cache.saveSnapshots()
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        // Shutting down: the next start reads the datasets instead of building them.
        await cache.saveSnapshots()
    }
}
