import Foundation
import Logging
import ServiceLifecycle

/// Where the data lives: the embedded SQLite file in a directory, or a PostgreSQL server.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(directory: String)
    case postgres(url: String)

    /// `--database-url` (or `SIYU_DATABASE_URL`) wins over `--data-dir`.
    public init(dataDirectory: String, databaseURL: String?) {
        if let url = databaseURL, !url.isEmpty {
            self = .postgres(url: url)
        } else {
            self = .sqlite(directory: dataDirectory)
        }
    }

    /// Opens the store. The returned services (PostgreSQL's connection pool) must run while it is used.
    public func open(logger: Logger) async throws -> OpenedStore {
        switch self {
        case .sqlite(let directory):
            let store = try SQLiteStore(directory: directory)
            let services: [any Service] = store.database.path.map { [SQLiteCheckpointer(path: $0, logger: logger)] } ?? []
            return OpenedStore(store: store, services: services, description: "SQLite at \(directory)/siyu.sqlite")
        case .postgres(let url):
            let store = try PostgresStore(url: url, logger: logger)
            return OpenedStore(
                store: store,
                services: [store.client],
                description: "PostgreSQL at \(PostgresStore.redacted(url))",
                prepare: store.migrate
            )
        }
    }
}

/// An open store with the services it needs running.
public struct OpenedStore: Sendable {
    public var store: any SiyuStore
    public var services: [any Service]
    public var description: String
    /// Work to do once the services run (PostgreSQL migrations).
    public var prepare: @Sendable () async throws -> Void

    public init(store: any SiyuStore, services: [any Service], description: String, prepare: @escaping @Sendable () async throws -> Void = {}) {
        self.store = store
        self.services = services
        self.description = description
        self.prepare = prepare
    }

    /// Runs `body` with the store's services running, then shuts them down.
    public func withRunning<T: Sendable>(_ body: @escaping @Sendable (any SiyuStore) async throws -> T) async throws -> T {
        if services.isEmpty {
            try await prepare()
            return try await body(store)
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            for service in services {
                group.addTask {
                    try await service.run()
                    return nil
                }
            }
            do {
                try await prepare()
                let result = try await body(store)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
