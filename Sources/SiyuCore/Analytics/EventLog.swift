/// Events in sequence order as the store hands them to analytics (columns), before they are
/// attributed to people and sorted into a ``Dataset``.
public struct EventLog: Sendable {
    public var seqs: [Int64] = []
    /// The person each event came in with (before merges).
    public var originPersons: [Int64] = []
    public var timestamps: [Int64] = []
    /// Index into ``names`` (-1: no name).
    public var nameCodes: [Int32] = []
    public var names: [String] = []
    public var types: [UInt8] = []
    /// Index into ``channels``.
    public var channelCodes: [Int32] = []
    public var channels: [String] = []
    /// Order amount in workspace minor units (0 for other events and other currencies).
    public var revenue: [Int64] = []
    public var isOrder: [Bool] = []

    public init() {}

    public var count: Int { seqs.count }

    /// Appends another log (later sequence numbers), re-coding its names and channels.
    public mutating func append(_ other: EventLog) {
        let nameMap = other.names.map { name in
            Int32(
                names.firstIndex(of: name)
                    ?? {
                        names.append(name)
                        return names.count - 1
                    }()
            )
        }
        let channelMap = other.channels.map { channel in
            Int32(
                channels.firstIndex(of: channel)
                    ?? {
                        channels.append(channel)
                        return channels.count - 1
                    }()
            )
        }
        seqs += other.seqs
        originPersons += other.originPersons
        timestamps += other.timestamps
        nameCodes += other.nameCodes.map { $0 < 0 ? -1 : nameMap[Int($0)] }
        types += other.types
        channelCodes += other.channelCodes.map { $0 < 0 ? -1 : channelMap[Int($0)] }
        revenue += other.revenue
        isOrder += other.isOrder
    }
}

extension Dataset {
    /// Builds a dataset from people and their events: each event goes to the canonical person of
    /// its origin person (`canonical`, identity when absent; events of unknown people are left out),
    /// people's events are sorted by time (then sequence), and first/last seen and channels are
    /// derived from the events.
    ///
    /// Runs in linear time plus sorting within people whose events arrived out of order.
    /// `rawToSorted` receives, for every event of the log, its index in the dataset (-1 when left out).
    public static func build(
        people: [DatasetBuilder.Person],
        events log: EventLog,
        canonical: [Int64: Int64],
        rawToSorted: inout [Int32]
    ) -> Dataset {
        var dataset = Dataset()
        let sortedPeople = people.sorted { $0.id < $1.id }
        let count = sortedPeople.count
        dataset.personIds = sortedPeople.map(\.id)
        dataset.userIds = sortedPeople.map(\.userId)
        dataset.traits = sortedPeople.map(\.traits)
        dataset.tags = sortedPeople.map(\.tags)
        dataset.identityKinds = sortedPeople.map(\.identityKinds)
        dataset.nameDictionary = log.names
        dataset.channelDictionary = log.channels
        var index: [Int64: Int32] = [:]
        index.reserveCapacity(count)
        for (position, id) in dataset.personIds.enumerated() { index[id] = Int32(position) }

        // Person index of every event, then a stable counting sort by person.
        let n = log.count
        var owner = [Int32](repeating: -1, count: n)
        var sizes = [Int32](repeating: 0, count: count + 1)
        for e in 0..<n {
            let origin = log.originPersons[e]
            if let p = index[canonical[origin] ?? origin] {
                owner[e] = p
                sizes[Int(p) + 1] += 1
            }
        }
        for p in 0..<count { sizes[p + 1] += sizes[p] }
        let offsets = sizes
        var cursor = sizes
        var order = [Int32](repeating: 0, count: Int(offsets[count]))
        for e in 0..<n where owner[e] >= 0 {
            let p = Int(owner[e])
            order[Int(cursor[p])] = Int32(e)
            cursor[p] += 1
        }
        // Within a person, events arrive mostly in time order; sort the few that do not.
        for p in 0..<count {
            let start = Int(offsets[p])
            let end = Int(offsets[p + 1])
            guard end - start > 1 else { continue }
            var sorted = true
            for i in (start + 1)..<end where log.timestamps[Int(order[i])] < log.timestamps[Int(order[i - 1])] {
                sorted = false
                break
            }
            if !sorted {
                let slice = order[start..<end].sorted { a, b in
                    let (ta, tb) = (log.timestamps[Int(a)], log.timestamps[Int(b)])
                    return ta != tb ? ta < tb : log.seqs[Int(a)] < log.seqs[Int(b)]
                }
                order.replaceSubrange(start..<end, with: slice)
            }
        }
        dataset.offsets = offsets
        dataset.timestamps = order.map { log.timestamps[Int($0)] }
        dataset.names = order.map { log.nameCodes[Int($0)] }
        dataset.types = order.map { log.types[Int($0)] }
        dataset.channels = order.map { log.channelCodes[Int($0)] }
        dataset.revenue = order.map { log.revenue[Int($0)] }
        dataset.isOrder = order.map { log.isOrder[Int($0)] }
        dataset.seqs = order.map { log.seqs[Int($0)] }
        rawToSorted = [Int32](repeating: -1, count: n)
        for (position, raw) in order.enumerated() { rawToSorted[Int(raw)] = Int32(position) }

        // First and last seen, and their channels, from the events (profiles of people without
        // events keep what the store said).
        dataset.firstSeen = sortedPeople.map { $0.firstSeen ?? .min }
        dataset.lastSeen = sortedPeople.map { $0.lastSeen ?? .min }
        var channelCodes: [String: Int32] = [:]
        for (code, channel) in log.channels.enumerated() { channelCodes[channel] = Int32(code) }
        dataset.firstChannel = sortedPeople.map { person in person.firstChannel.flatMap { channelCodes[$0] } ?? -1 }
        dataset.lastChannel = sortedPeople.map { person in person.lastChannel.flatMap { channelCodes[$0] } ?? -1 }
        for p in 0..<count where offsets[p + 1] > offsets[p] {
            let first = Int(offsets[p])
            let last = Int(offsets[p + 1]) - 1
            dataset.firstSeen[p] = dataset.timestamps[first]
            dataset.firstChannel[p] = dataset.channels[first]
            dataset.lastSeen[p] = dataset.timestamps[last]
            dataset.lastChannel[p] = dataset.channels[last]
        }
        return dataset
    }

    /// A property column from `(seq, value)` pairs in ascending sequence order, placed with
    /// `rawToSorted` (from ``build(people:events:canonical:rawToSorted:)``) over the log's `seqs`.
    public func propertyColumn(_ values: [(seq: Int64, value: JSONValue)], logSeqs: [Int64], rawToSorted: [Int32]) -> PropertyColumn {
        var column = [Int32](repeating: -1, count: eventCount)
        var dictionary: [JSONValue] = []
        var codes: [JSONValue: Int32] = [:]
        var raw = 0
        for (seq, value) in values {
            while raw < logSeqs.count, logSeqs[raw] < seq { raw += 1 }
            guard raw < logSeqs.count, logSeqs[raw] == seq else { continue }
            let position = rawToSorted[raw]
            guard position >= 0 else { continue }
            let code: Int32
            if let known = codes[value] {
                code = known
            } else {
                code = Int32(dictionary.count)
                dictionary.append(value)
                codes[value] = code
            }
            column[Int(position)] = code
        }
        return PropertyColumn(values: column, dictionary: dictionary)
    }
}
