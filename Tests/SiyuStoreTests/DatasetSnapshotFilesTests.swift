import Foundation
import Logging
import SiyuCore
import Testing

@testable import SiyuStore

/// The analytics dataset saved beside the store reads back as it was written, and a file that
/// is damaged or belongs to another workspace is ignored.
@Suite struct DatasetSnapshotFilesTests {
    static let logger = Logger(label: "test")

    /// A dataset with merged people, out-of-order events, a large amount, labels and values.
    static func sample() -> LiveDataset {
        var log = EventLog()
        log.names = ["view", "Order Completed"]
        log.channels = ["douyin", "app"]
        for (index, (person, time, name, channel, amount)) in [
            (1, 500, 0, 0, 0), (2, 100, 1, 1, 12_990), (1, 50, 1, -1, 6_000_000_000), (3, 700, 0, 1, 0), (2, 100, 0, 0, 0),
        ].enumerated() {
            log.seqs.append(Int64(10 + index))
            log.originPersons.append(Int64(person))
            log.timestamps.append(Int64(time))
            log.nameCodes.append(Int32(name))
            log.types.append(0)
            log.channelCodes.append(Int32(channel))
            log.revenue.append(Int64(amount))
            log.isOrder.append(name == 1)
        }
        let people = [
            DatasetBuilder.Person(id: 1, userId: "u1", traits: ["city": "上海"], tags: ["vip"], identityKinds: ["user_id"]),
            DatasetBuilder.Person(id: 2, firstChannel: "app", traits: ["n": 2]),
        ]
        var live = LiveDataset.build(people: people, events: log, canonical: [3: 1])
        live.setLabels(["rfm8": [1: "importantValue", 2: "generalWinBack"]], attributes: ["clv": [1: 123.5]])
        return live
    }

    static func describe(_ dataset: Dataset) -> [String] {
        (0..<dataset.personCount).map { p in
            let events = (dataset.eventStart(p)..<dataset.eventEnd(p)).map { e in
                "\(dataset.timestamps[e])/\(dataset.names[e] < 0 ? "-" : dataset.nameDictionary[Int(dataset.names[e])])/"
                    + "\(dataset.channelName(dataset.channels[e]))/\(dataset.revenue[e])/\(dataset.isOrder[e])"
            }
            let label = dataset.labels["rfm8"].map { $0[p] < 0 ? "-" : dataset.labelDictionary[Int($0[p])] } ?? "-"
            let clv = dataset.attributes["clv"].map { "\($0[p])" } ?? "-"
            return "\(dataset.personIds[p]) \(dataset.userIds[p] ?? "-") \(dataset.traits[p]) \(dataset.tags[p]) \(dataset.firstSeen[p]) "
                + "\(dataset.channelName(dataset.firstChannel[p])) \(events) \(label) \(clv)"
        }
    }

    static func workspace(id: Int64 = 7, salt: String = "salt") -> Workspace {
        Workspace(id: id, name: "acme", timeZone: "Asia/Shanghai", currency: "CNY", salt: salt, createdAt: 1_000)
    }

    @Test func aSavedDatasetReadsBackTheSame() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-snap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = DatasetSnapshotFiles(directory: directory)
        let live = Self.sample()
        let version = AnalyticsVersion(eventSeq: 14, peopleVersion: 3, labelsVersion: 2)
        try files.save(live, version: version, workspace: Self.workspace())
        let restored = try #require(files.load(Self.workspace(), logger: Self.logger))
        #expect(restored.version == version)
        #expect(Self.describe(restored.live.snapshot()) == Self.describe(live.snapshot()))
        #expect(restored.live.canonical == [3: 1])
        #expect(restored.live.lastSeq == 14)
        // Property values find their events after the restore (by store sequence).
        var reloaded = restored.live
        reloaded.loadProperty("sku", values: [(11, "a"), (12, "b")])
        let dataset = reloaded.snapshot()
        let skus = (0..<dataset.personCount).flatMap { p in
            (dataset.eventStart(p)..<dataset.eventEnd(p)).map { dataset.properties["sku"]?.value($0)?.scalarText ?? "-" }
        }
        // Person 1 (with 3 merged in): the order at 50 (seq 12 → "b"), the view at 500 (seq 10), 3's view at 700 (seq 13);
        // person 2: the order (seq 11 → "a") and the view (seq 14), both at 100, in arrival order.
        #expect(skus == ["b", "-", "-", "a", "-"])
    }

    @Test func damagedFilesAndOtherWorkspacesAreIgnored() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-snap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = DatasetSnapshotFiles(directory: directory)
        try files.save(Self.sample(), version: AnalyticsVersion(eventSeq: 14, peopleVersion: 3), workspace: Self.workspace())
        // The same id, created again (another salt): the old file is not this workspace's.
        #expect(files.load(Self.workspace(salt: "other"), logger: Self.logger) == nil)
        let path = files.path(7)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(files.load(Self.workspace(), logger: Self.logger) == nil)
        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: path))
        #expect(files.load(Self.workspace(), logger: Self.logger) == nil)
        files.remove(workspaceId: 7)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
