import Hummingbird
import SiyuCore
import SiyuStore

/// `POST /api/v1/imports/people` and `/api/v1/imports/orders`: the same CSV import as
/// `siyu import`, with the file as the request body (UTF-8 CSV, streamed).
///
/// Query: `map=field=column` (repeatable), `delimiter=comma|semicolon|tab`, `currency=CNY`.
/// Answers the counts and the first 1,000 refused rows with their line and reason.
struct ImportController: Sendable {
    let store: any SiyuStore
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("imports/:kind") { request, context in try await self.run(request, context: context) }
    }

    func run(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let kind: ImportKind
        switch context.parameters.get("kind") {
        case "people": kind = .people
        case "orders": kind = .orders
        default: throw APIError.notFound("imports are of `people` or `orders`")
        }
        let query = request.uri.queryParameters
        let delimiterName = query.get("delimiter") ?? "comma"
        guard let delimiter = CSVDelimiter(name: delimiterName) else {
            throw APIError.badRequest("delimiter must be comma, semicolon or tab", field: "delimiter")
        }
        let pairs = query.getAll("map")
        var mapping: ImportMapping?
        do {
            if !pairs.isEmpty { mapping = try ImportMapping.parse(arguments: pairs, kind: kind) }
        } catch {
            throw APIError.badRequest(error.description, field: "map")
        }
        let currency = query.get("currency")
        if let currency, !Money.isCurrencyCode(currency) { throw APIError.badRequest("currency must be an ISO 4217 code", field: "currency") }
        let importer = try CSVImport(
            store: store,
            workspace: workspace,
            kind: kind,
            mapping: mapping,
            delimiter: delimiter,
            currency: currency,
            now: clock()
        )
        do {
            let result = try await importer.run(request.body.map { $0.readableBytesView })
            return JSONResponse.make(result.json)
        } catch let error as ImportError {
            throw APIError(.badRequest, code: "invalid_file", message: error.description)
        }
    }
}
