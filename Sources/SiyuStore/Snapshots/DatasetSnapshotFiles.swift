import Foundation
import Logging
import SiyuCore

/// The analytics datasets saved beside the store (`<data-dir>/analytics/<workspace>.dataset`), so
/// that a restart reads columns from one file instead of rebuilding them from millions of rows,
/// then catches up with what the store got since.
///
/// A file names the store version it holds (event sequence, people and labels versions) and the
/// workspace it belongs to (id, creation time and a hash of its salt, so that a workspace deleted
/// and created again under the same id never reads the old one's file). Files are written to a
/// temporary name and renamed, so a crash leaves the previous file whole; a file that does not
/// read back (truncated, another format, a checksum mismatch) is ignored and the dataset built.
public struct DatasetSnapshotFiles: Sendable {
    public let directory: String

    /// The format written; files of other formats are ignored.
    static let format: UInt16 = 2
    static let magic = Array("SIYUDSET".utf8)

    public init(directory: String) {
        self.directory = directory
    }

    /// What a file was written from.
    public struct Header: Sendable, Equatable {
        public var workspaceId: Int64
        public var workspaceCreatedAt: Int64
        public var workspaceKey: String
        public var version: AnalyticsVersion
    }

    func path(_ workspaceId: Int64) -> String { (directory as NSString).appendingPathComponent("\(workspaceId).dataset") }

    /// A short, non-secret fingerprint of a workspace (its salt's hash).
    public static func key(of workspace: Workspace) -> String { String(Secrets.hashToken(workspace.salt).prefix(16)) }

    /// Writes a workspace's dataset at `version`.
    public func save(_ live: LiveDataset, version: AnalyticsVersion, workspace: Workspace) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let header = Header(
            workspaceId: workspace.id,
            workspaceCreatedAt: workspace.createdAt,
            workspaceKey: Self.key(of: workspace),
            version: version
        )
        let bytes = Self.encode(live.image(), header: header)
        let target = path(workspace.id)
        let temporary = target + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw StoreError.invalid("cannot write \(temporary)")
        }
        // rename(2) replaces the old file in one step: a reader sees the old file or the new one.
        guard rename(temporary, target) == 0 else { throw StoreError.invalid("cannot rename \(temporary) to \(target)") }
    }

    /// The dataset saved for `workspace`, if a whole file of this format written for it exists.
    public func load(_ workspace: Workspace, logger: Logger) -> (live: LiveDataset, version: AnalyticsVersion)? {
        let target = path(workspace.id)
        guard FileManager.default.fileExists(atPath: target) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: target), options: .alwaysMapped)
            let (header, image) = try data.withUnsafeBytes { try Self.decode($0) }
            guard header.workspaceId == workspace.id, header.workspaceCreatedAt == workspace.createdAt, header.workspaceKey == Self.key(of: workspace)
            else {
                logger.info("analytics snapshot belongs to another workspace; ignored", metadata: ["file": "\(target)"])
                return nil
            }
            return (LiveDataset(image: image), header.version)
        } catch {
            logger.warning("analytics snapshot unreadable; the dataset is built instead", metadata: ["file": "\(target)", "error": "\(error)"])
            return nil
        }
    }

    /// Removes a workspace's file (after the workspace is deleted).
    public func remove(workspaceId: Int64) {
        try? FileManager.default.removeItem(atPath: path(workspaceId))
    }

    // MARK: - Encoding

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ image: LiveDataset.Image, header: Header) -> [UInt8] {
        var out = FileWriter()
        out.bytes(magic)
        out.scalar(format)
        out.scalar(header.workspaceId)
        out.scalar(header.workspaceCreatedAt)
        out.string(header.workspaceKey)
        out.scalar(header.version.eventSeq)
        out.scalar(header.version.peopleVersion)
        out.scalar(header.version.labelsVersion)
        out.scalar(image.seqBase)
        out.scalar(image.lastSeq)
        out.strings(image.nameDictionary)
        out.strings(image.channelDictionary)
        var channelCodes: [String: Int32] = [:]
        for (code, channel) in image.channelDictionary.enumerated() { channelCodes[channel] = Int32(code) }
        // People.
        out.array(image.people.map(\.id))
        out.array(image.counts)
        out.array(image.people.map { $0.firstSeen ?? .min })
        out.array(image.people.map { $0.lastSeen ?? .min })
        out.array(image.people.map { $0.firstChannel.flatMap { channelCodes[$0] } ?? -1 })
        out.array(image.people.map { $0.lastChannel.flatMap { channelCodes[$0] } ?? -1 })
        for person in image.people {
            out.optionalString(person.userId)
            out.string(person.traits.isEmpty ? "" : JSONWriter.string(person.traits))
            out.strings(person.tags)
            out.strings(person.identityKinds)
        }
        // Events, person after person.
        out.array(image.timestamps)
        out.array(image.names)
        out.array(image.channels)
        out.array(image.revenue)
        out.array(image.types)
        out.array(image.isOrder.map { $0 ? UInt8(1) : 0 })
        out.array(image.arrivalSeqs)
        out.array(image.arrivalPositions)
        let merged = image.canonical.sorted { $0.key < $1.key }
        out.array(merged.map(\.key))
        out.array(merged.map(\.value))
        // Labels: per scheme its people, and each one's value as a code into the scheme's values.
        out.scalar(UInt32(image.labels.count))
        for (scheme, values) in image.labels.sorted(by: { $0.key < $1.key }) {
            let entries = values.sorted { $0.key < $1.key }
            let dictionary = Array(Set(entries.map(\.value))).sorted()
            var codes: [String: Int32] = [:]
            for (code, value) in dictionary.enumerated() { codes[value] = Int32(code) }
            out.string(scheme)
            out.strings(dictionary)
            out.array(entries.map(\.key))
            out.array(entries.map { codes[$0.value] ?? 0 })
        }
        out.scalar(UInt32(image.attributes.count))
        for (name, values) in image.attributes.sorted(by: { $0.key < $1.key }) {
            let entries = values.sorted { $0.key < $1.key }
            out.string(name)
            out.array(entries.map(\.key))
            out.array(entries.map(\.value.bitPattern))
        }
        out.scalar(FNV1a64.hash(out.buffer))
        return out.buffer
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws -> (Header, LiveDataset.Image) {
        guard raw.count >= magic.count + 8 else { throw Unreadable(description: "too short") }
        let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 8)])
        let stored = raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self)
        guard FNV1a64.hash(body) == stored else { throw Unreadable(description: "checksum mismatch") }
        var input = FileReader(raw: body)
        guard try input.bytes(magic.count) == magic else { throw Unreadable(description: "not a dataset file") }
        guard try input.scalar(UInt16.self) == format else { throw Unreadable(description: "another format") }
        let workspaceId = try input.scalar(Int64.self)
        let createdAt = try input.scalar(Int64.self)
        let key = try input.string()
        let version = AnalyticsVersion(
            eventSeq: try input.scalar(Int64.self),
            peopleVersion: try input.scalar(Int64.self),
            labelsVersion: try input.scalar(Int64.self)
        )
        var image = LiveDataset.Image()
        image.seqBase = try input.scalar(Int64.self)
        image.lastSeq = try input.scalar(Int64.self)
        image.nameDictionary = try input.strings()
        image.channelDictionary = try input.strings()
        let ids = try input.array(Int64.self)
        image.counts = try input.array(Int32.self)
        let firstSeen = try input.array(Int64.self)
        let lastSeen = try input.array(Int64.self)
        let firstChannel = try input.array(Int32.self)
        let lastChannel = try input.array(Int32.self)
        guard [image.counts.count, firstSeen.count, lastSeen.count, firstChannel.count, lastChannel.count].allSatisfy({ $0 == ids.count }) else {
            throw Unreadable(description: "people columns differ in length")
        }
        func channel(_ code: Int32) -> String? {
            code >= 0 && Int(code) < image.channelDictionary.count ? image.channelDictionary[Int(code)] : nil
        }
        image.people.reserveCapacity(ids.count)
        for index in ids.indices {
            let userId = try input.optionalString()
            let traitsText = try input.string()
            let traits = traitsText.isEmpty ? [:] : ((try? JSONParser.parse(traitsText))?.objectValue ?? [:])
            image.people.append(
                DatasetBuilder.Person(
                    id: ids[index],
                    firstSeen: firstSeen[index] == .min ? nil : firstSeen[index],
                    lastSeen: lastSeen[index] == .min ? nil : lastSeen[index],
                    firstChannel: channel(firstChannel[index]),
                    lastChannel: channel(lastChannel[index]),
                    userId: userId,
                    traits: traits,
                    tags: try input.strings(),
                    identityKinds: try input.strings()
                )
            )
        }
        image.timestamps = try input.array(Int64.self)
        image.names = try input.array(Int32.self)
        image.channels = try input.array(Int32.self)
        image.revenue = try input.array(Int64.self)
        image.types = try input.array(UInt8.self)
        image.isOrder = try input.array(UInt8.self).map { $0 != 0 }
        image.arrivalSeqs = try input.array(UInt32.self)
        image.arrivalPositions = try input.array(Int32.self)
        let events = image.timestamps.count
        guard [image.names.count, image.channels.count, image.revenue.count, image.types.count, image.isOrder.count].allSatisfy({ $0 == events }),
            image.counts.reduce(0, { $0 + Int($1) }) == events, image.arrivalSeqs.count == image.arrivalPositions.count,
            image.arrivalPositions.allSatisfy({ $0 < events }),
            image.names.allSatisfy({ $0 < Int32(image.nameDictionary.count) }),
            image.channels.allSatisfy({ $0 < Int32(image.channelDictionary.count) })
        else { throw Unreadable(description: "event columns do not fit together") }
        let mergedIds = try input.array(Int64.self)
        let canonicalIds = try input.array(Int64.self)
        guard mergedIds.count == canonicalIds.count else { throw Unreadable(description: "merged people do not fit together") }
        image.canonical = Dictionary(zip(mergedIds, canonicalIds), uniquingKeysWith: { first, _ in first })
        for _ in 0..<Int(try input.scalar(UInt32.self)) {
            let scheme = try input.string()
            let dictionary = try input.strings()
            let ids = try input.array(Int64.self)
            let codes = try input.array(Int32.self)
            guard ids.count == codes.count, codes.allSatisfy({ $0 >= 0 && Int($0) < dictionary.count }) else {
                throw Unreadable(description: "labels do not fit together")
            }
            image.labels[scheme] = Dictionary(zip(ids, codes.map { dictionary[Int($0)] }), uniquingKeysWith: { first, _ in first })
        }
        for _ in 0..<Int(try input.scalar(UInt32.self)) {
            let name = try input.string()
            let ids = try input.array(Int64.self)
            let bits = try input.array(UInt64.self)
            guard ids.count == bits.count else { throw Unreadable(description: "model values do not fit together") }
            image.attributes[name] = Dictionary(zip(ids, bits.map(Double.init(bitPattern:))), uniquingKeysWith: { first, _ in first })
        }
        guard input.isAtEnd else { throw Unreadable(description: "trailing bytes") }
        return (Header(workspaceId: workspaceId, workspaceCreatedAt: createdAt, workspaceKey: key, version: version), image)
    }
}

/// Little-endian binary output (the machines Siyu runs on are little-endian).
struct FileWriter {
    var buffer: [UInt8] = []

    mutating func bytes(_ bytes: [UInt8]) { buffer += bytes }

    mutating func scalar<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    mutating func array<T: FixedWidthInteger>(_ values: [T]) {
        scalar(UInt64(values.count))
        values.withUnsafeBytes { buffer.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        scalar(UInt32(utf8.count))
        buffer += utf8
    }

    mutating func optionalString(_ text: String?) {
        guard let text else {
            scalar(UInt32.max)
            return
        }
        string(text)
    }

    mutating func strings(_ texts: [String]) {
        scalar(UInt32(texts.count))
        for text in texts { string(text) }
    }
}

/// Reads what ``FileWriter`` wrote, refusing to read past the end.
struct FileReader {
    let raw: UnsafeRawBufferPointer
    var offset = 0

    var isAtEnd: Bool { offset == raw.count }

    mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= raw.count - offset else { throw DatasetSnapshotFiles.Unreadable(description: "truncated") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)])
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] { Array(try take(count)) }

    mutating func scalar<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    mutating func array<T: FixedWidthInteger>(_ type: T.Type) throws -> [T] {
        let count = try scalar(UInt64.self)
        guard count <= UInt64(raw.count) else { throw DatasetSnapshotFiles.Unreadable(description: "impossible length") }
        let bytes = try take(Int(count) * MemoryLayout<T>.stride)
        return [T](unsafeUninitializedCapacity: Int(count)) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
            initialized = Int(count)
        }
    }

    mutating func string() throws -> String {
        let count = try scalar(UInt32.self)
        return String(decoding: try take(Int(count)), as: UTF8.self)
    }

    mutating func optionalString() throws -> String? {
        let count = try scalar(UInt32.self)
        guard count != UInt32.max else { return nil }
        return String(decoding: try take(Int(count)), as: UTF8.self)
    }

    mutating func strings() throws -> [String] {
        let count = try scalar(UInt32.self)
        guard Int(count) <= raw.count - offset else { throw DatasetSnapshotFiles.Unreadable(description: "impossible length") }
        return try (0..<Int(count)).map { _ in try string() }
    }
}

/// A 64-bit checksum over bytes, eight at a time (FNV-1a's constants on words): catches a torn or
/// damaged file at memory speed.
enum FNV1a64 {
    static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { hash($0) } }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        let words = bytes.count / 8
        for index in 0..<words {
            value = (value ^ bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* 0x100_0000_01b3
        }
        for byte in bytes[(words * 8)...] { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return value
    }
}
