/// Event columns in fixed slots that are written once and never change afterwards.
///
/// Every ``Dataset`` version of a workspace shares one storage: a version shows each person's
/// events as a run of slots (`starts[p] ..< starts[p] + counts[p]`), and a newer version only
/// writes slots that no older version shows — the spare slots after a person's run, or fresh
/// slots at the end when a person's run moves. So the analytics cache can add new events in time
/// proportional to them while requests read older versions on other threads, without copying
/// the columns and without locks. Only the cache's single writer calls the `write…` methods.
///
/// A slot takes 19 bytes: the time (8), the event name's code (4), the order amount (4; larger
/// amounts live in the version's overflow table), the channel's code (2) and the call type with
/// the order flag (1).
public final class EventSlots: @unchecked Sendable {
    public let capacity: Int
    /// Slots handed out so far; the next free one. Written only by the writer.
    public private(set) var used: Int = 0
    @usableFromInline let timestamps: UnsafeMutablePointer<Int64>
    @usableFromInline let names: UnsafeMutablePointer<Int32>
    @usableFromInline let revenue: UnsafeMutablePointer<Int32>
    @usableFromInline let channels: UnsafeMutablePointer<UInt16>
    @usableFromInline let kinds: UnsafeMutablePointer<UInt8>

    /// Bytes per slot, for memory reports.
    public static let bytesPerSlot = 19
    /// Marks an amount that does not fit 32 bits: the version's overflow table holds it.
    public static let largeAmount = Int32.min
    /// The channel code of an event without a channel.
    public static let noChannel = UInt16.max
    /// The order flag in a slot's kind byte (the call type is in the low bits).
    public static let orderFlag: UInt8 = 0x80

    public init(capacity: Int) {
        let capacity = max(capacity, 16)
        self.capacity = capacity
        timestamps = LargeAllocation.allocate(Int64.self, capacity: capacity)
        names = LargeAllocation.allocate(Int32.self, capacity: capacity)
        revenue = LargeAllocation.allocate(Int32.self, capacity: capacity)
        channels = LargeAllocation.allocate(UInt16.self, capacity: capacity)
        kinds = LargeAllocation.allocate(UInt8.self, capacity: capacity)
    }

    deinit {
        LargeAllocation.free(timestamps, capacity: capacity)
        LargeAllocation.free(names, capacity: capacity)
        LargeAllocation.free(revenue, capacity: capacity)
        LargeAllocation.free(channels, capacity: capacity)
        LargeAllocation.free(kinds, capacity: capacity)
    }

    /// Reserves `count` fresh slots at the end; `nil` when the storage is full.
    public func reserve(_ count: Int) -> Int? {
        guard count <= capacity - used else { return nil }
        let first = used
        used += count
        return first
    }

    /// Writes one event into a slot no published version shows. Returns whether the amount was
    /// too large for the slot (the caller keeps it in its overflow table).
    @discardableResult
    public func write(_ slot: Int, timestamp: Int64, name: Int32, type: UInt8, channel: Int32, isOrder: Bool, revenue amount: Int64) -> Bool {
        timestamps[slot] = timestamp
        names[slot] = name
        channels[slot] = channel < 0 || channel >= Int32(EventSlots.noChannel) ? EventSlots.noChannel : UInt16(channel)
        kinds[slot] = (type & 0x7F) | (isOrder ? EventSlots.orderFlag : 0)
        if amount > Int64(Int32.min) && amount <= Int64(Int32.max) {
            revenue[slot] = Int32(amount)
            return false
        }
        revenue[slot] = EventSlots.largeAmount
        return true
    }

    /// Copies slot `from` (of this or another storage) into slot `to` of this one.
    public func copy(_ from: Int, of source: EventSlots, to: Int) {
        timestamps[to] = source.timestamps[from]
        names[to] = source.names[from]
        revenue[to] = source.revenue[from]
        channels[to] = source.channels[from]
        kinds[to] = source.kinds[from]
    }
}

/// A column of the events of a ``Dataset``, read by slot index.
public struct TimestampColumn: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Int64>
    @inlinable @inline(__always) public subscript(index: Int) -> Int64 { base[index] }
}

/// Event-name codes (`-1`: no name).
public struct NameColumn: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Int32>
    @inlinable @inline(__always) public subscript(index: Int) -> Int32 { base[index] }
}

/// Channel codes (`-1`: none).
public struct ChannelColumn: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<UInt16>
    @inlinable @inline(__always) public subscript(index: Int) -> Int32 {
        let code = base[index]
        return code == EventSlots.noChannel ? -1 : Int32(code)
    }
}

/// Call types (``MessageType/code``).
public struct TypeColumn: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<UInt8>
    @inlinable @inline(__always) public subscript(index: Int) -> UInt8 { base[index] & 0x7F }
}

/// Whether each event is an order.
public struct OrderColumn: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<UInt8>
    @inlinable @inline(__always) public subscript(index: Int) -> Bool { base[index] & EventSlots.orderFlag != 0 }
}

/// Order amounts in minor units of the workspace currency (0 for other events).
public struct RevenueColumn: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Int32>
    /// Amounts beyond 32 bits, by slot.
    @usableFromInline let large: [Int32: Int64]
    @inlinable @inline(__always) public subscript(index: Int) -> Int64 {
        let amount = base[index]
        return amount == EventSlots.largeAmount ? large[Int32(index)] ?? 0 : Int64(amount)
    }
}

/// The codes of one property per slot, written once like ``EventSlots`` (`-1`: the event lacks it).
public final class PropertySlots: @unchecked Sendable {
    public let capacity: Int
    @usableFromInline let codes: UnsafeMutablePointer<Int32>

    public init(capacity: Int) {
        self.capacity = max(capacity, 16)
        codes = .allocate(capacity: self.capacity)
        codes.initialize(repeating: -1, count: self.capacity)
    }

    deinit { codes.deallocate() }

    public func write(_ slot: Int, code: Int32) { codes[slot] = code }
    public func code(_ slot: Int) -> Int32 { codes[slot] }
}

/// The property codes of a dataset version, read by slot index.
public struct PropertyCodes: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Int32>
    @inlinable @inline(__always) public subscript(index: Int) -> Int32 { base[index] }
}

/// The distinct values of a property, append-only and shared between versions like the slots;
/// a version sees the first `count`.
public final class ValueStore: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<JSONValue>
    private var capacity: Int
    /// Older buffers and how many values each holds, kept alive while a version may still read them.
    private var retired: [(buffer: UnsafeMutablePointer<JSONValue>, count: Int)] = []
    public private(set) var count = 0

    public init(capacity: Int = 64) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
        for (buffer, count) in retired {
            buffer.deinitialize(count: count)
            buffer.deallocate()
        }
    }

    /// Appends a value and answers its code. A full buffer is copied into a larger one; the old
    /// one stays allocated and initialised so that readers of older versions never see it freed.
    public func append(_ value: JSONValue) -> Int32 {
        if count == capacity {
            let larger = UnsafeMutablePointer<JSONValue>.allocate(capacity: capacity * 2)
            larger.initialize(from: storage, count: count)
            retired.append((storage, count))
            storage = larger
            capacity *= 2
        }
        (storage + count).initialize(to: value)
        count += 1
        return Int32(count - 1)
    }

    /// The values a version sees.
    public func view(count: Int) -> PropertyDictionary { PropertyDictionary(base: storage, count: count, owner: self) }
}

/// The distinct values of a property as one version sees them.
public struct PropertyDictionary: RandomAccessCollection, @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<JSONValue>
    public let count: Int
    @usableFromInline let owner: ValueStore

    init(base: UnsafePointer<JSONValue>, count: Int, owner: ValueStore) {
        self.base = base
        self.count = count
        self.owner = owner
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    @inlinable public subscript(index: Int) -> JSONValue { base[index] }
}
