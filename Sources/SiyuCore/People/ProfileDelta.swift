import OrderedCollections

/// The change a batch of events makes to one person's profile.
///
/// Every part combines commutatively (sums, earliest first touch, latest last touch, latest
/// trait by time), so deltas can be applied after merges, in any order, and the store can
/// apply most of them with arithmetic in SQL instead of reading the profile back.
public struct ProfileDelta: Sendable, Equatable {
    public var personId: Int64
    public var events: Int64 = 0
    public var orders: Int64 = 0
    /// Held within ``Money/maximumTotalMinorUnits``, as the profile's total is.
    public var revenueMinor: Int64 = 0
    public var firstSeen: Int64?
    public var firstChannel: String?
    public var lastSeen: Int64?
    public var lastChannel: String?
    /// A user id to record if the person has none yet.
    public var userId: String?
    /// Traits set by identify calls, with the time each was set.
    public var traits: JSONObject = [:]
    public var traitTimes: [String: Int64] = [:]

    public init(personId: Int64) {
        self.personId = personId
    }

    /// Adds one event.
    public mutating func add(_ event: PreparedEvent) {
        let time = event.message.timestamp
        events += 1
        if firstSeen == nil || time < firstSeen! {
            firstSeen = time
            firstChannel = event.channel
        }
        if lastSeen == nil || time >= lastSeen! {
            lastSeen = time
            lastChannel = event.channel
        }
        if event.isOrder {
            orders += 1
            revenueMinor = Money.clampedTotal(revenueMinor.addingSaturated(event.revenueInWorkspaceCurrency ?? 0))
        }
        if event.message.type == .identify {
            for (key, value) in event.message.traits where (traitTimes[key] ?? .min) <= time {
                traits[key] = value
                traitTimes[key] = time
            }
        }
        if userId == nil, let user = event.message.userId { userId = user }
    }

    /// Adds another delta (of a person merged into this one).
    public mutating func add(_ other: ProfileDelta) {
        events += other.events
        orders += other.orders
        revenueMinor = Money.clampedTotal(revenueMinor.addingSaturated(other.revenueMinor))
        if let time = other.firstSeen, firstSeen == nil || time < firstSeen! {
            firstSeen = time
            firstChannel = other.firstChannel
        }
        if let time = other.lastSeen, lastSeen == nil || time >= lastSeen! {
            lastSeen = time
            lastChannel = other.lastChannel
        }
        if userId == nil { userId = other.userId }
        for (key, value) in other.traits {
            let time = other.traitTimes[key] ?? .min
            if (traitTimes[key] ?? .min) <= time {
                traits[key] = value
                traitTimes[key] = time
            }
        }
    }

    public var hasTraits: Bool { !traits.isEmpty }
}

extension PersonProfile {
    /// Applies a delta: what the stores do in SQL, written once in Swift as the reference.
    public mutating func apply(_ delta: ProfileDelta) {
        eventCount += delta.events
        orderCount += delta.orders
        revenueMinor = Money.clampedTotal(revenueMinor.addingSaturated(delta.revenueMinor))
        if let time = delta.firstSeen, firstSeen == nil || time < firstSeen! {
            firstSeen = time
            firstChannel = delta.firstChannel
        }
        if let time = delta.lastSeen, lastSeen == nil || time >= lastSeen! {
            lastSeen = time
            lastChannel = delta.lastChannel
        }
        if userId == nil { userId = delta.userId }
        for (key, value) in delta.traits {
            let time = delta.traitTimes[key] ?? .min
            if (traitTimes[key] ?? .min) <= time {
                traits[key] = value
                traitTimes[key] = time
            }
        }
    }
}
