import GRDB
import Logging
import ServiceLifecycle

/// Copies committed WAL pages into the database file from its own connection, twice a second.
///
/// SQLite would otherwise checkpoint inside a committing transaction, on the single writer's
/// path: moving it here keeps ingestion's commits short. PASSIVE checkpoints never block the
/// writer or readers.
public struct SQLiteCheckpointer: Service {
    let path: String
    let interval: Duration
    let logger: Logger

    public init(path: String, interval: Duration = .milliseconds(500), logger: Logger) {
        self.path = path
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var configuration = Configuration()
        configuration.label = "siyu-checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: interval)
            } catch {
                break
            }
            checkpoint(connection)
        }
        checkpoint(connection)
    }

    private func checkpoint(_ connection: DatabaseQueue) {
        do {
            _ = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            // Another checkpoint is running (the writer's safety net during a bulk load): next time.
            logger.debug("WAL checkpoint skipped", metadata: ["reason": "\(error.resultCode)"])
        } catch {
            logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
