import PostgresNIO
import SiyuCore

extension PostgresStore: AttributeRepository {
    public func saveValueFit(workspaceId: Int64, fit: ValueFitRecord, attributes: [String: [Int64: Double]]) async throws -> ValueFitRecord {
        try AttributeValidation.check(attributes)
        // Under the writer lock: merges must not move people while their values are written.
        return try await serializedWrite { connection in
            for (name, values) in attributes.sorted(by: { $0.key < $1.key }) {
                try await connection.run("DELETE FROM person_attributes WHERE workspace_id = \(workspaceId) AND name = \(name)", logger: logger)
                let people = Array(values.keys)
                let numbers = people.map { values[$0]! }
                try await connection.run(
                    """
                    INSERT INTO person_attributes (workspace_id, name, person_id, value)
                    SELECT \(workspaceId), \(name), p.canonical_id, t.value
                    FROM unnest(\(people)::bigint[], \(numbers)::float8[]) AS t(person, value)
                    JOIN persons p ON p.id = t.person AND p.workspace_id = \(workspaceId)
                    ON CONFLICT (workspace_id, name, person_id) DO UPDATE SET value = excluded.value
                    """,
                    logger: logger
                )
            }
            let id = try await connection.value(
                Int64.self,
                """
                INSERT INTO value_fits (workspace_id, model, fitted_at, cutoff, customers, report)
                VALUES (\(workspaceId), \(fit.model), \(fit.fittedAt), \(fit.cutoff), \(Int64(fit.customers)), \(fit.report)) RETURNING id
                """,
                logger: logger
            )
            var stored = fit
            stored.id = id ?? 0
            try await recordLabelChange(connection, workspaceId: workspaceId)
            return stored
        }
    }

    public func valueFits(workspaceId: Int64, limit: Int) async throws -> [ValueFitRecord] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT id, model, fitted_at, cutoff, customers, report FROM value_fits WHERE workspace_id = \(workspaceId)
                ORDER BY id DESC LIMIT \(Int64(limit))
                """,
                logger: logger
            ).map { row in
                let (id, model, fittedAt, cutoff, customers, report) = try row.decode((Int64, String, Int64, Int64, Int64, String).self)
                return ValueFitRecord(id: id, model: model, fittedAt: fittedAt, cutoff: cutoff, customers: Int(customers), report: report)
            }
        }
    }

    public func allAttributes(workspaceId: Int64) async throws -> [String: [Int64: Double]] {
        try await read { connection in
            var attributes: [String: [Int64: Double]] = [:]
            for row in try await connection.rows(
                "SELECT name, person_id, value FROM person_attributes WHERE workspace_id = \(workspaceId)",
                logger: logger
            ) {
                let (name, person, value) = try row.decode((String, Int64, Double).self)
                attributes[name, default: [:]][person] = value
            }
            return attributes
        }
    }

    public func attributes(personId: Int64, workspaceId: Int64) async throws -> [String: Double] {
        try await read { connection in
            let canonical = try await canonicalId(connection, personId: personId, workspaceId: workspaceId)
            var attributes: [String: Double] = [:]
            for row in try await connection.rows(
                "SELECT name, value FROM person_attributes WHERE workspace_id = \(workspaceId) AND person_id = \(canonical)",
                logger: logger
            ) {
                let (name, value) = try row.decode((String, Double).self)
                attributes[name] = value
            }
            return attributes
        }
    }
}

extension PostgresStore: SettingsRepository {
    public func settings(workspaceId: Int64) async throws -> JSONObject {
        try await read { connection in try await settings(connection, workspaceId: workspaceId, lock: false) }
    }

    public func saveSetting(workspaceId: Int64, key: String, value: JSONValue?) async throws -> JSONObject {
        try await transaction { connection in
            var settings = try await settings(connection, workspaceId: workspaceId, lock: true)
            settings[key] = value
            try await connection.run(
                "UPDATE workspaces SET settings = \(JSONWriter.string(settings))::json WHERE id = \(workspaceId)",
                logger: logger
            )
            return settings
        }
    }

    func settings(_ connection: PostgresConnection, workspaceId: Int64, lock: Bool) async throws -> JSONObject {
        guard
            let text = try await connection.value(
                String.self,
                "SELECT settings::text FROM workspaces WHERE id = \(workspaceId) \(unescaped: lock ? "FOR UPDATE" : "")",
                logger: logger
            )
        else { throw StoreError.notFound("no workspace \(workspaceId)") }
        return (try? JSONParser.parse(text))?.objectValue ?? [:]
    }
}
