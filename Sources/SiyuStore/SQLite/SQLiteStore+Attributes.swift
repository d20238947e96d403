import GRDB
import SiyuCore

extension SQLiteStore: AttributeRepository {
    public func saveValueFit(workspaceId: Int64, fit: ValueFitRecord, attributes: [String: [Int64: Double]]) async throws -> ValueFitRecord {
        try AttributeValidation.check(attributes)
        return try await write { db in
            let insert = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO person_attributes (workspace_id, name, person_id, value)
                    SELECT workspace_id, ?, canonical_id, ? FROM persons WHERE id = ? AND workspace_id = ?
                    """
            )
            for (name, values) in attributes.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "DELETE FROM person_attributes WHERE workspace_id = ? AND name = ?", arguments: [workspaceId, name])
                for (person, value) in values { try insert.execute(arguments: [name, value, person, workspaceId]) }
            }
            try db.execute(
                sql: "INSERT INTO value_fits (workspace_id, model, fitted_at, cutoff, customers, report) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [workspaceId, fit.model, fit.fittedAt, fit.cutoff, fit.customers, fit.report]
            )
            var stored = fit
            stored.id = db.lastInsertedRowID
            try Self.recordLabelChange(db, workspaceId: workspaceId)
            return stored
        }
    }

    public func valueFits(workspaceId: Int64, limit: Int) async throws -> [ValueFitRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM value_fits WHERE workspace_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [workspaceId, limit]
            ).map {
                ValueFitRecord(
                    id: $0["id"],
                    model: $0["model"],
                    fittedAt: $0["fitted_at"],
                    cutoff: $0["cutoff"],
                    customers: $0["customers"],
                    report: $0["report"]
                )
            }
        }
    }

    public func allAttributes(workspaceId: Int64) async throws -> [String: [Int64: Double]] {
        try await read { db in
            var attributes: [String: [Int64: Double]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT name, person_id, value FROM person_attributes WHERE workspace_id = ?",
                arguments: [workspaceId]
            ) {
                attributes[row[0], default: [:]][row[1]] = row[2]
            }
            return attributes
        }
    }

    public func attributes(personId: Int64, workspaceId: Int64) async throws -> [String: Double] {
        try await read { db in
            let canonical = try Self.canonicalId(db, personId: personId, workspaceId: workspaceId)
            var attributes: [String: Double] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT name, value FROM person_attributes WHERE workspace_id = ? AND person_id = ?",
                arguments: [workspaceId, canonical]
            ) {
                attributes[row[0]] = row[1]
            }
            return attributes
        }
    }
}

enum AttributeValidation {
    static func check(_ attributes: [String: [Int64: Double]]) throws {
        for (name, values) in attributes {
            guard !name.isEmpty, name.count <= 64 else { throw StoreError.invalid("an attribute name is 1 to 64 characters") }
            if values.values.contains(where: { !$0.isFinite }) {
                throw StoreError.invalid("attribute `\(name)` has a value that is not a finite number")
            }
        }
    }
}

extension SQLiteStore: SettingsRepository {
    public func settings(workspaceId: Int64) async throws -> JSONObject {
        try await read { db in try Self.settings(db, workspaceId: workspaceId) }
    }

    public func saveSetting(workspaceId: Int64, key: String, value: JSONValue?) async throws -> JSONObject {
        try await write { db in
            var settings = try Self.settings(db, workspaceId: workspaceId)
            settings[key] = value
            try db.execute(sql: "UPDATE workspaces SET settings = ? WHERE id = ?", arguments: [JSONWriter.string(settings), workspaceId])
            return settings
        }
    }

    static func settings(_ db: Database, workspaceId: Int64) throws -> JSONObject {
        guard let text = try String.fetchOne(db, sql: "SELECT settings FROM workspaces WHERE id = ?", arguments: [workspaceId]) else {
            throw StoreError.notFound("no workspace \(workspaceId)")
        }
        return (try? JSONParser.parse(text))?.objectValue ?? [:]
    }
}
