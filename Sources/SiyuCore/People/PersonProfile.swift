import OrderedCollections

/// What Siyu knows about one person, folded from their events: the projection the people
/// pages, segments and reports read.
///
/// A profile is a pure function of the person's events (in timestamp order) and can always be
/// recomputed from them, which is how a merge is undone.
public struct PersonProfile: Sendable, Equatable {
    /// The person's id (the canonical id of a merged group).
    public var id: Int64
    /// When Siyu first created this person (server time).
    public var createdAt: Int64
    /// The user id of the group, once identified.
    public var userId: String?
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    public var firstChannel: String?
    public var lastChannel: String?
    public var eventCount: Int64
    public var orderCount: Int64
    /// Revenue from orders in the workspace currency, minor units.
    public var revenueMinor: Int64
    /// Latest value of each trait.
    public var traits: JSONObject
    /// When each trait got its current value (event time, epoch milliseconds).
    public var traitTimes: [String: Int64]

    public init(
        id: Int64,
        createdAt: Int64,
        userId: String? = nil,
        firstSeen: Int64? = nil,
        lastSeen: Int64? = nil,
        firstChannel: String? = nil,
        lastChannel: String? = nil,
        eventCount: Int64 = 0,
        orderCount: Int64 = 0,
        revenueMinor: Int64 = 0,
        traits: JSONObject = [:],
        traitTimes: [String: Int64] = [:]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.userId = userId
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.firstChannel = firstChannel
        self.lastChannel = lastChannel
        self.eventCount = eventCount
        self.orderCount = orderCount
        self.revenueMinor = revenueMinor
        self.traits = traits
        self.traitTimes = traitTimes
    }

    /// Whether the person has a user id (signed up or logged in somewhere).
    public var isIdentified: Bool { userId != nil }

    /// Folds one event into the profile.
    public mutating func apply(_ event: PreparedEvent) {
        var delta = ProfileDelta(personId: id)
        delta.add(event)
        apply(delta)
    }

    /// Sets traits that are newer than (or as new as) what the profile holds.
    public mutating func setTraits(_ newTraits: JSONObject, at time: Int64) {
        for (key, value) in newTraits where (traitTimes[key] ?? .min) <= time {
            traits[key] = value
            traitTimes[key] = time
        }
    }

    /// Sets traits each with its own time, keeping held values that are newer.
    public mutating func setTraits(_ newTraits: JSONObject, times: [String: Int64]) {
        for (key, value) in newTraits {
            let time = times[key] ?? .min
            if (traitTimes[key] ?? .min) <= time {
                traits[key] = value
                traitTimes[key] = time
            }
        }
    }

    /// The profile of two people found to be one: counts add up, the earliest first touch and
    /// the latest last touch win, and for each trait the most recently set value wins.
    public func merged(with other: PersonProfile, keepingId survivor: Int64) -> PersonProfile {
        var result = self
        result.id = survivor
        result.createdAt = min(createdAt, other.createdAt)
        result.userId = (survivor == other.id ? other.userId ?? userId : userId ?? other.userId)
        if let otherFirst = other.firstSeen, firstSeen == nil || otherFirst < firstSeen! {
            result.firstSeen = otherFirst
            result.firstChannel = other.firstChannel
        }
        if let otherLast = other.lastSeen, lastSeen == nil || otherLast > lastSeen! {
            result.lastSeen = otherLast
            result.lastChannel = other.lastChannel
        }
        result.eventCount += other.eventCount
        result.orderCount += other.orderCount
        result.revenueMinor = Money.clampedTotal(result.revenueMinor.addingSaturated(other.revenueMinor))
        for (key, value) in other.traits {
            let otherTime = other.traitTimes[key] ?? .min
            if let mine = traitTimes[key], mine > otherTime { continue }
            result.traits[key] = value
            result.traitTimes[key] = otherTime
        }
        return result
    }

    /// Rebuilds a profile from scratch from a person's events (any order).
    public static func rebuild(id: Int64, createdAt: Int64, events: [PreparedEvent]) -> PersonProfile {
        var profile = PersonProfile(id: id, createdAt: createdAt)
        for event in events.sorted(by: { ($0.message.timestamp, $0.message.receivedAt) < ($1.message.timestamp, $1.message.receivedAt) }) {
            profile.apply(event)
        }
        return profile
    }
}
