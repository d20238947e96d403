import ArgumentParser
import Foundation
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTools

/// `siyu import people|orders FILE.csv`: brings exports of shops, CRMs and ad platforms in.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import people or orders from a CSV file (UTF-8), idempotently.",
        discussion: """
            Columns are guessed from the header (English or Chinese: user_id/会员ID, phone/手机号, order_id/订单号, 实付金额, 支付时间, …)
            unless mapped with --map field=column (repeatable) or --mapping FILE.json. People fields: userId, anonymousId, email,
            phone, openid, unionid, timestamp, channel, trait.NAME. Order fields: orderId, userId (or another person key), revenue,
            currency, timestamp, channel, productId, sku, quantity, productName, category, price, status, property.NAME.

            Rows that cannot be imported are listed with their line and reason in FILE.errors.csv; the others are stored.
            Importing the same file again changes nothing. Exit status: 0 all rows imported, 2 some rows refused, 1 failed.
            """
    )

    enum What: String, ExpressibleByArgument, CaseIterable { case people, orders }

    @Argument(help: "people or orders") var what: What
    @Argument(help: "The CSV file (- for standard input).") var file: String
    @Option(help: "Workspace name.") var workspace: String
    @Option(name: .customLong("map"), help: "field=column, e.g. --map userId=会员ID --map trait.city=城市 (repeatable).") var map: [String] = []
    @Option(help: "A JSON mapping file: {\"userId\": \"member_id\", \"traits\": {\"city\": \"城市\"}}.") var mapping: String?
    @Option(help: "comma, semicolon or tab.") var delimiter = "comma"
    @Option(help: "Currency of amounts without one (default: the workspace's).") var currency: String?
    @Option(help: "Where to write the rows that were refused (default: FILE.errors.csv).") var errors: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let kind: ImportKind = what == .people ? .people : .orders
        guard let delimiter = CSVDelimiter(name: delimiter) else { throw CommandFailure("--delimiter must be comma, semicolon or tab") }
        var columnMapping: ImportMapping?
        do {
            if let mapping {
                guard let data = FileManager.default.contents(atPath: mapping) else { throw CommandFailure("cannot read mapping file \(mapping)") }
                columnMapping = try ImportMapping.parse(json: Array(data), kind: kind)
            }
            if !map.isEmpty {
                let given = try ImportMapping.parse(arguments: map, kind: kind)
                if var existing = columnMapping {
                    for (field, column) in given.columns { existing.columns[field] = column }
                    existing.defaultCurrency = given.defaultCurrency ?? existing.defaultCurrency
                    columnMapping = existing
                } else {
                    columnMapping = given
                }
            }
        } catch let error as ImportError {
            throw CommandFailure(error.description)
        }
        let input: FileHandle
        var size = 0
        if file == "-" {
            input = .standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw CommandFailure("cannot read \(file)") }
            input = handle
            size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        }
        let (name, currency, mappingToUse, fileName, fileSize) = (workspace, self.currency, columnMapping, file, size)
        let result = try await store.open().withRunning { store -> CSVImport.Result in
            guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
            let importer = try CSVImport(
                store: store,
                workspace: workspace,
                kind: kind,
                mapping: mappingToUse,
                delimiter: delimiter,
                currency: currency
            )
            let bar = ProgressBar("Importing \(fileName == "-" ? "standard input" : (fileName as NSString).lastPathComponent)", total: fileSize)
            do {
                let result = try await importer.run(FileChunks(handle: input)) { bytes in bar.update(bytes, note: "\(bytes / 1024) KB") }
                bar.finish()
                return result
            } catch let error as ImportError {
                bar.finish(note: "stopped")
                throw CommandFailure("import stopped: \(error.description)")
            }
        }
        let report = result.report
        print(report.summary)
        print(
            "\(result.stored) stored, \(result.alreadyImported) already imported by an earlier run"
                + (result.suppressed > 0 ? ", \(result.suppressed) of erased people not stored (suppression list)" : "")
        )
        if let mapping = report.mapping {
            print("columns: " + mapping.columns.map { "\($0.field.name)=\($0.name)" }.joined(separator: ", "))
            if !mapping.unmappedColumns.isEmpty { print("not imported: " + mapping.unmappedColumns.joined(separator: ", ")) }
            for warning in mapping.warnings { print("warning: \(warning)") }
        }
        if !report.issues.isEmpty || report.issuesNotListed > 0 {
            let path = errors ?? (file == "-" ? "import.errors.csv" : file + ".errors.csv")
            guard FileManager.default.createFile(atPath: path, contents: Data(report.errorReportCSV().utf8)) else {
                throw CommandFailure("cannot write the error report \(path)")
            }
            print("rows not imported are listed in \(path)")
            if report.rejected > 0 { throw ExitCode(2) }
        }
    }
}

/// A file read in 1 MiB chunks, as an async sequence.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        mutating func next() async throws -> [UInt8]? {
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            return Array(data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}
