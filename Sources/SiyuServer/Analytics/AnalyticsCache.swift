import Foundation
import Logging
import SiyuCore
import SiyuStore

/// Keeps each workspace's events and people in memory as a ``Dataset`` for the analytics
/// kernels, and brings it up to date from the store when it has moved on.
///
/// New events are appended (loaded by sequence number, never re-read); people are reloaded
/// only when the store says they changed beyond their counters (new people, merges, traits,
/// tags, erasure). Property columns are loaded on demand, per key, and kept until the next rebuild.
public actor AnalyticsCache {
    private struct Entry {
        var version = AnalyticsVersion(eventSeq: 0, peopleVersion: -1)
        var log = EventLog()
        var people: [DatasetBuilder.Person] = []
        var canonical: [Int64: Int64] = [:]
        var dataset = Dataset()
        var rawToSorted: [Int32] = []
        var properties: [String: PropertyColumn] = [:]
        var checkedAt: Int64?
    }

    private let store: any SiyuStore
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    /// A dataset younger than this is used without asking the store whether it moved on
    /// (0: always ask — one cheap query).
    private let maximumStalenessMillis: Int64
    private var entries: [Int64: Entry] = [:]

    public init(store: any SiyuStore, clock: @escaping @Sendable () -> Int64, logger: Logger, maximumStalenessMillis: Int64 = 0) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.maximumStalenessMillis = maximumStalenessMillis
    }

    /// The workspace's dataset, current, with the property columns `keys` loaded.
    public func dataset(workspaceId: Int64, propertyKeys keys: [String] = []) async throws -> Dataset {
        var entry = entries[workspaceId] ?? Entry()
        let now = clock()
        if entry.checkedAt.map({ now - $0 >= maximumStalenessMillis }) ?? true {
            let version = try await store.analyticsVersion(workspaceId: workspaceId)
            let structural = version.eventSeq != entry.version.eventSeq || version.peopleVersion != entry.version.peopleVersion
            if structural || entry.people.isEmpty {
                let started = ContinuousClock.now
                if version.eventSeq > (entry.log.seqs.last ?? 0) {
                    var after = entry.log.seqs.last ?? 0
                    while true {
                        let chunk = try await store.analyticsEvents(workspaceId: workspaceId, afterSeq: after, limit: 250_000)
                        guard let last = chunk.seqs.last else { break }
                        entry.log.append(chunk)
                        after = last
                        if chunk.count < 250_000 { break }
                    }
                }
                if version.peopleVersion != entry.version.peopleVersion || entry.people.isEmpty {
                    entry.people = try await store.analyticsPeople(workspaceId: workspaceId)
                    entry.canonical = try await store.canonicalMap(workspaceId: workspaceId)
                }
                entry.dataset = Dataset.build(people: entry.people, events: entry.log, canonical: entry.canonical, rawToSorted: &entry.rawToSorted)
                try await loadLabels(&entry, workspaceId: workspaceId)
                entry.properties = [:]
                entry.version = version
                logger.debug(
                    "analytics dataset rebuilt",
                    metadata: [
                        "workspace": "\(workspaceId)", "events": "\(entry.dataset.eventCount)", "people": "\(entry.dataset.personCount)",
                        "seconds": "\(ContinuousClock.now - started)",
                    ]
                )
            } else if version.labelsVersion != entry.version.labelsVersion {
                // Only labels or model values moved: swap those columns, keep everything else.
                try await loadLabels(&entry, workspaceId: workspaceId)
                entry.version = version
            }
            entry.checkedAt = now
        }
        for key in Set(keys) where entry.properties[key] == nil {
            let values = try await store.eventPropertyValues(workspaceId: workspaceId, key: key, names: nil)
            entry.properties[key] = entry.dataset.propertyColumn(values, logSeqs: entry.log.seqs, rawToSorted: entry.rawToSorted)
        }
        entries[workspaceId] = entry
        var dataset = entry.dataset
        for key in keys { dataset.properties[key] = entry.properties[key] }
        return dataset
    }

    /// Loads the stored labels and model values into the dataset's columns (replacing earlier ones).
    private func loadLabels(_ entry: inout Entry, workspaceId: Int64) async throws {
        let labels = try await store.allLabels(workspaceId: workspaceId)
        let attributes = try await store.allAttributes(workspaceId: workspaceId)
        entry.dataset.labels = [:]
        entry.dataset.labelDictionary = []
        for (scheme, values) in labels { entry.dataset.setLabels(scheme, values) }
        entry.dataset.attributes = [:]
        for (name, values) in attributes {
            var column = [Double](repeating: .nan, count: entry.dataset.personCount)
            for (person, value) in values {
                if let index = entry.dataset.personIndex(of: person) { column[index] = value }
            }
            entry.dataset.attributes[name] = column
        }
    }

    /// Forgets a workspace (after it is deleted).
    public func forget(workspaceId: Int64) { entries[workspaceId] = nil }
}

extension LocalCalendar {
    /// The calendar of an IANA time zone, with its offset transitions from 1970 to 2100.
    public static func zone(_ identifier: String) -> LocalCalendar? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var transitions: [(from: Int64, offsetSeconds: Int)] = []
        var date = Date(timeIntervalSince1970: 0)
        transitions.append((Int64.min, zone.secondsFromGMT(for: date)))
        let end = Date(timeIntervalSince1970: 4_102_444_800)
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end {
            transitions.append((Int64((next.timeIntervalSince1970 * 1000).rounded()), zone.secondsFromGMT(for: next)))
            date = next
        }
        return LocalCalendar(name: identifier, transitions: transitions)
    }
}
