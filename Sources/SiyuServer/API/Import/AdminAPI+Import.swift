import SiyuAPI
import SiyuCore
import SiyuStore

/// `POST /api/v1/imports/people` and `/api/v1/imports/orders`: the same CSV import as
/// `siyu import`, with the file as the request body (UTF-8 CSV, streamed).
extension AdminAPI {
    /// Query: `map=field=column` (repeatable), `delimiter=comma|semicolon|tab`, `currency=CNY`.
    /// Answers the counts and the first 1,000 refused rows with their line and reason.
    func importCSV(_ input: Operations.ImportCSV.Input) async throws -> Operations.ImportCSV.Output {
        let workspace = try workspace
        let kind: ImportKind
        switch input.path.kind {
        case "people": kind = .people
        case "orders": kind = .orders
        default: throw APIError.notFound("imports are of `people` or `orders`")
        }
        let delimiter: CSVDelimiter
        switch input.query.delimiter ?? .comma {
        case .comma: delimiter = .comma
        case .semicolon: delimiter = .semicolon
        case .tab: delimiter = .tab
        }
        var mapping: ImportMapping?
        do {
            if let pairs = input.query.map, !pairs.isEmpty { mapping = try ImportMapping.parse(arguments: pairs, kind: kind) }
        } catch {
            throw APIError.badRequest(error.description, field: "map")
        }
        let currency = input.query.currency
        if let currency, !Money.isCurrencyCode(currency) { throw APIError.badRequest("currency must be an ISO 4217 code", field: "currency") }
        guard case .csv(let body) = input.body else { throw APIError.badRequest("the request body must be CSV") }
        let importer = try CSVImport(
            store: importStore,
            workspace: workspace,
            kind: kind,
            mapping: mapping,
            delimiter: delimiter,
            currency: currency,
            now: clock()
        )
        do {
            let result = try await importer.run(body)
            return .ok(.init(body: .json(.init(result))))
        } catch let error as ImportError {
            throw APIError(.badRequest, code: "invalid_file", message: error.description)
        }
    }
}

extension Components.Schemas.ImportResult {
    init(_ result: CSVImport.Result) {
        let report = result.report
        self.init(
            rowsRead: report.rowsRead,
            converted: report.converted,
            stored: result.stored,
            alreadyImported: result.alreadyImported,
            suppressed: result.suppressed,
            rejected: report.rejected,
            skipped: report.skipped,
            duplicateRows: report.duplicates,
            summary: report.summary,
            issues: report.issues.prefix(1_000).map { issue in
                .init(
                    line: issue.line,
                    column: issue.column,
                    value: issue.value,
                    reason: issue.reason,
                    outcome: .init(rawValue: "\(issue.outcome)") ?? .rejected
                )
            },
            issuesNotListed: report.issuesNotListed + max(0, report.issues.count - 1_000),
            mapping: report.mapping.map { mapping in
                .init(additionalProperties: Dictionary(mapping.columns.map { ($0.field.name, $0.name) }, uniquingKeysWith: { first, _ in first }))
            },
            unmappedColumns: report.mapping.flatMap { $0.unmappedColumns.isEmpty ? nil : $0.unmappedColumns },
            warnings: report.mapping.flatMap { $0.warnings.isEmpty ? nil : $0.warnings }
        )
    }
}
