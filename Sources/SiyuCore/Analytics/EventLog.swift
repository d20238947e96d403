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
