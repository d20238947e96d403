import ArgumentParser
import Foundation
import SiyuCore
import SiyuStore
import SiyuTools

/// `siyu export events|people`: streams a workspace's data out as JSON lines or CSV.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Stream a workspace's events or people out as JSON lines or CSV, so no brand is locked in."
    )

    enum What: String, ExpressibleByArgument, CaseIterable { case events, people }
    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @Argument(help: "events or people") var what: What
    @Option(help: "Workspace name.") var workspace: String
    @Option(help: "jsonl or csv.") var format: Format = .jsonl
    @Option(
        help:
            "Only events at or after this date or date-time, or only people seen since then (ISO 8601; a bare date is cut in the workspace time zone)."
    )
    var since: String?
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let (what, format, name, since) = (self.what, self.format, self.workspace, self.since)
        let sink = try OutputSink(path: output)
        try await store.open().withRunning { store in
            guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
            let sinceMillis = try since.map { text -> Int64 in
                guard let millis = LocalTime.parse(text, timeZone: workspace.timeZone) else {
                    throw CommandFailure("--since `\(text)` is not an ISO 8601 date or date-time")
                }
                return millis
            }
            switch what {
            case .events: try await Exporter.events(store: store, workspace: workspace, format: format, since: sinceMillis, sink: sink)
            case .people: try await Exporter.people(store: store, workspace: workspace, format: format, seenSince: sinceMillis, sink: sink)
            }
        }
        try sink.close()
    }
}

/// Writes export rows.
enum Exporter {
    static let eventColumns = [
        "seq", "messageId", "type", "event", "personId", "userId", "anonymousId", "channel", "timestamp", "receivedAt", "originalTimestamp",
        "sentAt", "revenue", "currency", "properties", "traits", "context",
    ]

    static func events(store: any SiyuStore, workspace: Workspace, format: ExportCommand.Format, since: Int64?, sink: OutputSink) async throws {
        if format == .csv { sink.write(csvLine(eventColumns)) }
        var after: Int64 = 0
        while true {
            let page = try await store.events(workspaceId: workspace.id, afterSeq: after, since: since, limit: 5000)
            guard let last = page.last else { break }
            for event in page {
                switch format {
                case .jsonl: sink.write(JSONWriter.string(event.json) + "\n")
                case .csv:
                    let m = event.message
                    sink.write(
                        csvLine([
                            String(event.seq), m.messageId, m.type.rawValue, m.event ?? "", String(event.personId), m.userId ?? "",
                            m.anonymousId ?? "",
                            event.channel, Timestamp.iso8601(m.timestamp), Timestamp.iso8601(m.receivedAt),
                            m.originalTimestamp.map(Timestamp.iso8601) ?? "", m.sentAt.map(Timestamp.iso8601) ?? "",
                            event.revenueMinor.map { Money(minorUnits: $0, currency: event.currency ?? workspace.currency).decimalText } ?? "",
                            event.currency ?? "", JSONWriter.string(m.properties), m.traits.isEmpty ? "" : JSONWriter.string(m.traits),
                            JSONWriter.string(m.context),
                        ])
                    )
                }
            }
            after = last.seq
        }
    }

    static let peopleColumns = [
        "personId", "userId", "createdAt", "firstSeen", "lastSeen", "firstChannel", "lastChannel", "eventCount", "orderCount", "revenue",
        "currency", "tags", "traits", "identities",
    ]

    static func people(store: any SiyuStore, workspace: Workspace, format: ExportCommand.Format, seenSince: Int64?, sink: OutputSink) async throws {
        if format == .csv { sink.write(csvLine(peopleColumns)) }
        var after: Int64 = 0
        while true {
            let page = try await store.exportPeople(workspaceId: workspace.id, afterId: after, limit: 2000, seenSince: seenSince)
            guard let last = page.last else { break }
            for entry in page {
                let person = entry.profile
                switch format {
                case .jsonl:
                    guard case .object(var object) = person.json(currency: workspace.currency) else { continue }
                    object["tags"] = .array(entry.tags.map(JSONValue.string))
                    object["identities"] = .array(entry.identities.map(\.json))
                    sink.write(JSONWriter.string(.object(object)) + "\n")
                case .csv:
                    sink.write(
                        csvLine([
                            String(person.id), person.userId ?? "", Timestamp.iso8601(person.createdAt),
                            person.firstSeen.map(Timestamp.iso8601) ?? "",
                            person.lastSeen.map(Timestamp.iso8601) ?? "", person.firstChannel ?? "", person.lastChannel ?? "",
                            String(person.eventCount), String(person.orderCount),
                            Money(minorUnits: person.revenueMinor, currency: workspace.currency).decimalText, workspace.currency,
                            entry.tags.joined(separator: ";"), JSONWriter.string(person.traits),
                            entry.identities.map { "\($0.kind):\($0.value)" }.joined(separator: ";"),
                        ])
                    )
                }
            }
            after = last.profile.id
        }
    }
}

/// Standard output or a file, buffered.
final class OutputSink: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let ownsHandle: Bool

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandFailure("cannot write \(path)")
            }
            self.handle = handle
            ownsHandle = true
        } else {
            handle = .standardOutput
            ownsHandle = false
        }
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 20 { flush() }
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        if ownsHandle { try handle.close() }
    }
}

/// One CSV record written by the project's one ``CSVWriter`` (quoting, and a leading `'` before
/// text a spreadsheet would run as a formula), ending in `\n`.
func csvLine(_ fields: [String]) -> String {
    CSVWriter.line(fields) + "\n"
}

/// Dates typed by a user, read in a workspace's time zone when they carry none.
enum LocalTime {
    static func parse(_ text: String, timeZone: String) -> Int64? {
        guard let utc = Timestamp.parseISO8601(text) else { return nil }
        let hasZone = text.hasSuffix("Z") || text.hasSuffix("z") || text.dropFirst(10).contains("+") || text.dropFirst(10).contains("-")
        if hasZone { return utc }
        guard let zone = TimeZone(identifier: timeZone) else { return utc }
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc) / 1000))
        let guess = utc - Int64(offset) * 1000
        let corrected = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess) / 1000))
        return utc - Int64(corrected) * 1000
    }
}
