import Foundation
import OrderedCollections
import SiyuCore
import SiyuStore

/// Imports a CSV file of people or orders into a workspace: the bytes go through
/// ``CSVImporter`` (mapping, row checks) and the resulting messages through the same identity
/// resolution and storage as tracked events.
///
/// Re-running an import changes nothing: every row becomes a message with a deterministic id
/// and the store de-duplicates message ids.
public struct CSVImport: Sendable {
    /// What an import did.
    public struct Result: Sendable {
        public var report: ImportReport
        /// Messages stored now.
        public var stored: Int
        /// Messages that a previous run of the same file had stored already.
        public var alreadyImported: Int
        /// Rows of people erased since, which the suppression list keeps out.
        public var suppressed: Int = 0
    }

    public let store: any WorkspaceRepository & EventRepository
    public let workspace: Workspace
    public let kind: ImportKind
    public let mapping: ImportMapping?
    public let options: ImportOptions
    /// Messages per transaction.
    public var transactionSize = 5_000

    /// Prepares an import; `mapping` `nil` guesses columns from the header.
    public init(
        store: any WorkspaceRepository & EventRepository,
        workspace: Workspace,
        kind: ImportKind,
        mapping: ImportMapping?,
        delimiter: CSVDelimiter = .comma,
        currency: String? = nil,
        now: Int64 = SystemClock.nowMillis()
    ) throws {
        guard let zone = TimeZone(identifier: workspace.timeZone) else {
            throw StoreError.invalid("the workspace time zone `\(workspace.timeZone)` is unknown to this machine")
        }
        let timeZone = ImportTimeZone(name: workspace.timeZone) { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))) }
        self.store = store
        self.workspace = workspace
        self.kind = kind
        self.mapping = mapping
        self.options = ImportOptions(
            now: now,
            timeZone: timeZone,
            defaultCurrency: currency ?? workspace.currency,
            delimiter: delimiter,
            batchSize: 1_000
        )
    }

    /// Reads `chunks` (the file's bytes in any slicing) and stores what they hold; `progress` is
    /// told the bytes read so far.
    public func run<Chunks: AsyncSequence>(_ chunks: Chunks, progress: (Int) -> Void = { _ in }) async throws -> Result
    where Chunks.Element: Collection<UInt8> {
        let channels = try await store.channels(workspaceId: workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: workspace.currency, channels: channels),
            extractor: Secrets.extractor(for: workspace)
        )
        var importer = CSVImporter(kind: kind, mapping: mapping, options: options)
        var pending: [Message] = []
        var stored = 0
        var duplicates = 0
        var suppressed = 0
        var bytes = 0
        func flush(_ force: Bool) async throws {
            while pending.count >= transactionSize || (force && !pending.isEmpty) {
                let take = min(transactionSize, pending.count)
                // Amounts were bounded when each row was read, so preparing cannot refuse one here.
                let events = try pending.prefix(take).map { message throws(IngestError) in try preparer.prepare(message) }
                pending.removeFirst(take)
                let result = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: events)])[0]
                stored += result.stored
                duplicates += result.duplicates
                suppressed += result.suppressed
            }
        }
        for try await chunk in chunks {
            try importer.consume(chunk) { pending += $0 }
            bytes += chunk.count
            progress(bytes)
            try await flush(false)
        }
        let report = try importer.finish { pending += $0 }
        try await flush(true)
        return Result(report: report, stored: stored, alreadyImported: duplicates, suppressed: suppressed)
    }
}
