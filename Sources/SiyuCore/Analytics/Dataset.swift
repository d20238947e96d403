import OrderedCollections

/// A workspace's events and people as columns, the input of every analytics kernel.
///
/// People are numbered `0..<personCount` in ascending canonical person id; a person's events, in
/// time order, are the slots `eventStart(p)..<eventEnd(p)` of the shared ``EventSlots``. Slots of
/// different people need not be adjacent (a live dataset keeps spare slots after each run), so
/// kernels always go person by person. Strings (event names, channels) are dictionary-encoded as
/// `Int32` indexes (`-1`: none).
public struct Dataset: Sendable {
    // People.
    /// Canonical person ids, ascending.
    public var personIds: [Int64] = []
    /// First slot of each person's events, and how many there are.
    public var starts: [Int32] = []
    public var counts: [Int32] = []
    public var firstSeen: [Int64] = []
    public var lastSeen: [Int64] = []
    public var firstChannel: [Int32] = []
    public var lastChannel: [Int32] = []
    public var userIds: [String?] = []
    public var traits: [JSONObject] = []
    public var tags: [[String]] = []
    /// Identity kinds each person has (`user_id`, `phone`, `openid`, …).
    public var identityKinds: [[String]] = []
    /// Numeric attributes written by models (`clv`, `p_alive`, …) and labels written by
    /// evaluations (`rfm8`, `tier.pyramid`, …), by name.
    public var attributes: [String: [Double]] = [:]
    public var labels: [String: [Int32]] = [:]
    /// Strings of `labels` values.
    public var labelDictionary: [String] = []

    // Events.
    /// The slots this version reads (shared with the other versions of the workspace).
    public private(set) var slots: EventSlots
    public private(set) var timestamps: TimestampColumn
    public private(set) var names: NameColumn
    public private(set) var types: TypeColumn
    public private(set) var channels: ChannelColumn
    /// Order amount in minor units of the workspace currency; 0 for other events.
    public private(set) var revenue: RevenueColumn
    /// Whether each event is an order.
    public private(set) var isOrder: OrderColumn
    /// Events this version shows.
    public private(set) var eventCount: Int
    /// Event property columns loaded for the queries at hand, by property key.
    public var properties: [String: PropertyColumn] = [:]

    // Dictionaries.
    public var nameDictionary: [String] = []
    public var channelDictionary: [String] = []

    /// An empty dataset.
    public init() {
        self.init(slots: EventSlots(capacity: 16), largeAmounts: [:], eventCount: 0)
    }

    /// A dataset over `slots`; people and their runs are filled in by the builder.
    init(slots: EventSlots, largeAmounts: [Int32: Int64], eventCount: Int) {
        self.slots = slots
        timestamps = TimestampColumn(base: UnsafePointer(slots.timestamps))
        names = NameColumn(base: UnsafePointer(slots.names))
        types = TypeColumn(base: UnsafePointer(slots.kinds))
        channels = ChannelColumn(base: UnsafePointer(slots.channels))
        revenue = RevenueColumn(base: UnsafePointer(slots.revenue), large: largeAmounts)
        isOrder = OrderColumn(base: UnsafePointer(slots.kinds))
        self.eventCount = eventCount
    }

    /// Points the event columns at `slots` (after they were rebuilt) and the amounts beyond 32 bits at `large`.
    mutating func replaceSlots(_ slots: EventSlots, large: [Int32: Int64]) {
        self.slots = slots
        timestamps = TimestampColumn(base: UnsafePointer(slots.timestamps))
        names = NameColumn(base: UnsafePointer(slots.names))
        types = TypeColumn(base: UnsafePointer(slots.kinds))
        channels = ChannelColumn(base: UnsafePointer(slots.channels))
        revenue = RevenueColumn(base: UnsafePointer(slots.revenue), large: large)
        isOrder = OrderColumn(base: UnsafePointer(slots.kinds))
    }

    mutating func setEventCount(_ count: Int) { eventCount = count }

    public var personCount: Int { personIds.count }

    @inline(__always) public func eventStart(_ person: Int) -> Int { Int(starts[person]) }
    @inline(__always) public func eventEnd(_ person: Int) -> Int { Int(starts[person]) + Int(counts[person]) }

    /// The index of an event name, or `nil` when no event has it.
    public func nameIndex(_ name: String) -> Int32? { nameDictionary.firstIndex(of: name).map(Int32.init) }

    public func channelIndex(_ channel: String) -> Int32? { channelDictionary.firstIndex(of: channel).map(Int32.init) }

    /// The channel key of an index, `(none)` for `-1`.
    public func channelName(_ index: Int32) -> String {
        index >= 0 && Int(index) < channelDictionary.count ? channelDictionary[Int(index)] : "(none)"
    }

    /// The index of the first event of `person` at or after `time` (binary search).
    public func firstEvent(of person: Int, atOrAfter time: Int64) -> Int {
        var low = eventStart(person)
        var high = eventEnd(person)
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The person index of a canonical person id (binary search), if present.
    public func personIndex(of id: Int64) -> Int? {
        var low = 0
        var high = personIds.count
        while low < high {
            let middle = (low + high) / 2
            if personIds[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < personIds.count && personIds[low] == id ? low : nil
    }

    /// Memory the event columns of this version take: the slots it reads (not the spare ones).
    public var eventColumnBytes: Int { eventCount * EventSlots.bytesPerSlot }
}

/// One event property as a column: a dictionary index per event slot (`-1` when the event lacks it).
public struct PropertyColumn: Sendable {
    public let values: PropertyCodes
    public let dictionary: PropertyDictionary
    /// The storage the codes live in (kept alive with the column).
    let slots: PropertySlots

    /// A column over shared storage, showing the first `count` values of `store`.
    public init(slots: PropertySlots, store: ValueStore, count: Int) {
        self.slots = slots
        values = PropertyCodes(base: UnsafePointer(slots.codes))
        dictionary = store.view(count: count)
    }

    /// A column of its own from codes per slot and the values they stand for.
    public init(values codes: [Int32], dictionary values: [JSONValue]) {
        let slots = PropertySlots(capacity: codes.count)
        for (slot, code) in codes.enumerated() { slots.write(slot, code: code) }
        let store = ValueStore(capacity: values.count)
        for value in values { _ = store.append(value) }
        self.init(slots: slots, store: store, count: values.count)
    }

    /// The value of event `index`, if it has one.
    @inline(__always) public func value(_ index: Int) -> JSONValue? {
        let code = values[index]
        return code < 0 ? nil : dictionary[Int(code)]
    }
}

/// Builds a ``Dataset`` from rows in any order: people first, then events.
public struct DatasetBuilder {
    private var dataset = DatasetRows()
    private var nameIndex: [String: Int32] = [:]
    private var channelIndex: [String: Int32] = [:]
    private var personIndex: [Int64: Int32] = [:]
    private var eventPerson: [Int32] = []
    private var propertyBuilders: [String: (values: [Int32], index: [JSONValue: Int32], dictionary: [JSONValue])] = [:]

    public init() {}

    /// One person (canonical id) with their profile.
    public struct Person: Sendable {
        public var id: Int64
        public var firstSeen: Int64?
        public var lastSeen: Int64?
        public var firstChannel: String?
        public var lastChannel: String?
        public var userId: String?
        public var traits: JSONObject
        public var tags: [String]
        public var identityKinds: [String]

        public init(
            id: Int64,
            firstSeen: Int64? = nil,
            lastSeen: Int64? = nil,
            firstChannel: String? = nil,
            lastChannel: String? = nil,
            userId: String? = nil,
            traits: JSONObject = [:],
            tags: [String] = [],
            identityKinds: [String] = []
        ) {
            self.id = id
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.firstChannel = firstChannel
            self.lastChannel = lastChannel
            self.userId = userId
            self.traits = traits
            self.tags = tags
            self.identityKinds = identityKinds
        }
    }

    /// Adds the people (any order; ids must be distinct).
    public mutating func addPeople(_ people: [Person]) {
        for person in people.sorted(by: { $0.id < $1.id }) {
            personIndex[person.id] = Int32(dataset.personIds.count)
            dataset.personIds.append(person.id)
            dataset.firstSeen.append(person.firstSeen ?? .min)
            dataset.lastSeen.append(person.lastSeen ?? .min)
            dataset.firstChannel.append(person.firstChannel.map { channel($0) } ?? -1)
            dataset.lastChannel.append(person.lastChannel.map { channel($0) } ?? -1)
            dataset.userIds.append(person.userId)
            dataset.traits.append(person.traits)
            dataset.tags.append(person.tags)
            dataset.identityKinds.append(person.identityKinds)
        }
    }

    /// Adds one event of a (canonical) person added before; events of unknown people are ignored.
    public mutating func addEvent(
        person: Int64,
        timestamp: Int64,
        name: String?,
        type: MessageType,
        channel: String,
        revenue: Int64,
        isOrder: Bool,
        seq: Int64,
        properties: JSONObject? = nil
    ) {
        guard let index = personIndex[person] else { return }
        eventPerson.append(index)
        dataset.timestamps.append(timestamp)
        dataset.names.append(name.map { self.name($0) } ?? -1)
        dataset.types.append(UInt8(type.code))
        dataset.channels.append(self.channel(channel))
        dataset.revenue.append(revenue)
        dataset.isOrder.append(isOrder)
        dataset.seqs.append(seq)
        if let properties {
            let row = dataset.timestamps.count - 1
            for (key, value) in properties { setProperty(key, value, row: row) }
        }
    }

    private mutating func setProperty(_ key: String, _ value: JSONValue, row: Int) {
        var builder = propertyBuilders[key] ?? ([], [:], [])
        while builder.values.count < row { builder.values.append(-1) }
        let code: Int32
        if let known = builder.index[value] {
            code = known
        } else {
            code = Int32(builder.dictionary.count)
            builder.dictionary.append(value)
            builder.index[value] = code
        }
        builder.values.append(code)
        propertyBuilders[key] = builder
    }

    private mutating func name(_ text: String) -> Int32 {
        if let index = nameIndex[text] { return index }
        let index = Int32(dataset.nameDictionary.count)
        dataset.nameDictionary.append(text)
        nameIndex[text] = index
        return index
    }

    private mutating func channel(_ text: String) -> Int32 {
        if let index = channelIndex[text] { return index }
        let index = Int32(dataset.channelDictionary.count)
        dataset.channelDictionary.append(text)
        channelIndex[text] = index
        return index
    }

    /// The dataset, events sorted by person then time (then arrival), each person's run of slots
    /// right after the previous one's.
    public mutating func build() -> Dataset {
        let count = dataset.timestamps.count
        var order = Array(0..<count)
        order.sort { a, b in
            let pa = eventPerson[a]
            let pb = eventPerson[b]
            if pa != pb { return pa < pb }
            let ta = dataset.timestamps[a]
            let tb = dataset.timestamps[b]
            if ta != tb { return ta < tb }
            return dataset.seqs[a] < dataset.seqs[b]
        }
        let slots = EventSlots(capacity: count)
        _ = slots.reserve(count)
        var large: [Int32: Int64] = [:]
        for (slot, index) in order.enumerated() {
            let overflow = slots.write(
                slot,
                timestamp: dataset.timestamps[index],
                name: dataset.names[index],
                type: dataset.types[index],
                channel: dataset.channels[index],
                isOrder: dataset.isOrder[index],
                revenue: dataset.revenue[index]
            )
            if overflow { large[Int32(slot)] = dataset.revenue[index] }
        }
        var result = Dataset(slots: slots, largeAmounts: large, eventCount: count)
        result.personIds = dataset.personIds
        result.firstSeen = dataset.firstSeen
        result.lastSeen = dataset.lastSeen
        result.firstChannel = dataset.firstChannel
        result.lastChannel = dataset.lastChannel
        result.userIds = dataset.userIds
        result.traits = dataset.traits
        result.tags = dataset.tags
        result.identityKinds = dataset.identityKinds
        result.nameDictionary = dataset.nameDictionary
        result.channelDictionary = dataset.channelDictionary
        for (key, var builder) in propertyBuilders {
            while builder.values.count < count { builder.values.append(-1) }
            result.properties[key] = PropertyColumn(values: order.map { builder.values[$0] }, dictionary: builder.dictionary)
        }
        var counts = [Int32](repeating: 0, count: dataset.personIds.count)
        for index in order { counts[Int(eventPerson[index])] += 1 }
        var starts = [Int32](repeating: 0, count: dataset.personIds.count)
        var next: Int32 = 0
        for p in 0..<counts.count {
            starts[p] = next
            next += counts[p]
        }
        result.starts = starts
        result.counts = counts
        return result
    }
}

/// The rows ``DatasetBuilder`` collects before sorting them into slots.
struct DatasetRows {
    var personIds: [Int64] = []
    var firstSeen: [Int64] = []
    var lastSeen: [Int64] = []
    var firstChannel: [Int32] = []
    var lastChannel: [Int32] = []
    var userIds: [String?] = []
    var traits: [JSONObject] = []
    var tags: [[String]] = []
    var identityKinds: [[String]] = []
    var timestamps: [Int64] = []
    var names: [Int32] = []
    var types: [UInt8] = []
    var channels: [Int32] = []
    var revenue: [Int64] = []
    var isOrder: [Bool] = []
    var seqs: [Int64] = []
    var nameDictionary: [String] = []
    var channelDictionary: [String] = []
}
