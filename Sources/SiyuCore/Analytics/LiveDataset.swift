import OrderedCollections

/// The analytics cache's writable side of a workspace's ``Dataset``: built once from the store,
/// then kept current by merging what changed — new events in time proportional to them, changed
/// people in time proportional to the people — while earlier ``snapshot()``s stay valid for the
/// requests that read them.
///
/// Each person's events occupy a run of slots with spare room after it: an event that arrives
/// after the person's last one goes into the spare room; otherwise (or when it is full) the run
/// moves to fresh slots at the end with room to grow by a quarter. Old runs become garbage that
/// a compaction (a rebuild of the slots, when the storage is full) reclaims; its cost is repaid by
/// the events that filled the storage, so merging stays proportional to the new events overall.
///
/// Not thread-safe: one writer (the cache's actor) mutates it; snapshots are values.
public struct LiveDataset: Sendable {
    /// The version being built; ``snapshot()`` hands it out.
    private var current = Dataset()
    /// Slots reserved for each person's run (≥ its count).
    private var capacities: [Int32] = []
    private var nameCodes: [String: Int32] = [:]
    private var channelCodes: [String: Int32] = [:]
    /// Amounts beyond 32 bits, by slot.
    private var large: [Int32: Int64] = [:]
    /// Store sequence numbers in arrival order (offsets from `seqBase`), each event's slot (-1 when
    /// left out), and each slot's arrival index: how property values find their events.
    private var seqBase: Int64 = 0
    private var arrivalSeqs: [UInt32] = []
    private var arrivalSlots: [Int32] = []
    private var slotArrivals: [Int32] = []
    /// Merged-away people and the person each belongs to now.
    public private(set) var canonical: [Int64: Int64] = [:]
    /// Slots no version of the current layout shows any more (moved runs, removed people).
    public private(set) var garbageSlots = 0
    /// Loaded property columns: their slots, values and the code of each value.
    private var properties: [String: PropertyStore] = [:]
    /// The largest store sequence number merged in.
    public private(set) var lastSeq: Int64 = 0
    /// How many times the slots were rebuilt to reclaim garbage or grow.
    public private(set) var compactions = 0
    /// Labels and model values by person id, to place again when people come and go.
    private var labelSource: [String: [Int64: String]] = [:]
    private var attributeSource: [String: [Int64: Double]] = [:]

    /// Most distinct event names and channels kept; beyond them events are counted under `(other)`.
    public static let maximumNames = 100_000
    public static let maximumChannels = 60_000
    /// The name and channel that stand for the ones beyond the limits.
    public static let otherName = "(other)"

    struct PropertyStore {
        var slots: PropertySlots
        var values: ValueStore
        var codes: [JSONValue: Int32]
    }

    public init() {}

    // MARK: - Building

    /// Builds from everything the store holds: canonical people, the events in sequence order (each
    /// goes to the canonical person of its origin person; events of unknown people are left out).
    public static func build(people: [DatasetBuilder.Person], events log: EventLog, canonical: [Int64: Int64]) -> LiveDataset {
        var live = LiveDataset()
        live.canonical = canonical
        live.seqBase = log.seqs.first ?? 0
        let sortedPeople = people.sorted { $0.id < $1.id }
        live.setPeople(sortedPeople)
        let nameMap = log.names.map { live.nameCode($0) }
        let channelMap = log.channels.map { live.channelCode($0) }
        let count = sortedPeople.count
        // Person index of every event, then a stable counting sort by person.
        let n = log.count
        var owner = [Int32](repeating: -1, count: n)
        var sizes = [Int32](repeating: 0, count: count + 1)
        var index: [Int64: Int32] = [:]
        index.reserveCapacity(count)
        for (position, person) in sortedPeople.enumerated() { index[person.id] = Int32(position) }
        for e in 0..<n {
            let origin = log.originPersons[e]
            if let p = index[canonical[origin] ?? origin] {
                owner[e] = p
                sizes[Int(p) + 1] += 1
            }
        }
        var order = [Int32](repeating: 0, count: n)
        var cursor = [Int32](repeating: 0, count: count + 1)
        for p in 0..<count { cursor[p + 1] = cursor[p] + sizes[p + 1] }
        let offsets = cursor
        for e in 0..<n where owner[e] >= 0 {
            let p = Int(owner[e])
            order[Int(cursor[p])] = Int32(e)
            cursor[p] += 1
        }
        var reserved = 0
        live.capacities = (0..<count).map { p in
            let capacity = Self.capacity(for: Int(sizes[p + 1]))
            reserved += capacity
            return Int32(capacity)
        }
        let slots = EventSlots(capacity: reserved + reserved / 4 + 1_024)
        live.slotArrivals = [Int32](repeating: -1, count: slots.capacity)
        live.arrivalSeqs = log.seqs.map { UInt32(clamping: $0 - live.seqBase) }
        live.arrivalSlots = [Int32](repeating: -1, count: n)
        var starts = [Int32](repeating: 0, count: count)
        var counts = [Int32](repeating: 0, count: count)
        for p in 0..<count {
            let start = Int(offsets[p])
            let end = Int(offsets[p + 1])
            var run = Array(order[start..<end])
            // Within a person, events arrive mostly in time order; sort the few that do not.
            if !zip(run, run.dropFirst()).allSatisfy({ log.timestamps[Int($0)] <= log.timestamps[Int($1)] }) {
                run.sort { a, b in
                    let (ta, tb) = (log.timestamps[Int(a)], log.timestamps[Int(b)])
                    return ta != tb ? ta < tb : a < b
                }
            }
            let first = slots.reserve(Int(live.capacities[p]))!
            starts[p] = Int32(first)
            counts[p] = Int32(run.count)
            for (offset, raw) in run.enumerated() {
                let e = Int(raw)
                live.writeEvent(
                    into: slots,
                    slot: first + offset,
                    timestamp: log.timestamps[e],
                    name: log.nameCodes[e] < 0 ? -1 : nameMap[Int(log.nameCodes[e])],
                    type: log.types[e],
                    channel: log.channelCodes[e] < 0 ? -1 : channelMap[Int(log.channelCodes[e])],
                    isOrder: log.isOrder[e],
                    revenue: log.revenue[e],
                    arrival: e
                )
            }
        }
        live.lastSeq = log.seqs.last ?? 0
        live.current.replaceSlots(slots, large: live.large)
        live.current.starts = starts
        live.current.counts = counts
        live.refreshEventCount()
        for p in 0..<count { live.deriveSeen(p, person: sortedPeople[p]) }
        return live
    }

    /// Slots reserved for a run of `count` events: a quarter more, at least two spare.
    static func capacity(for count: Int) -> Int {
        count == 0 ? 0 : count + max(2, count / 4)
    }

    /// The current version, for requests to read. Later changes do not show in it.
    public func snapshot() -> Dataset {
        var dataset = current
        for (key, store) in properties {
            dataset.properties[key] = PropertyColumn(slots: store.slots, store: store.values, count: store.values.count)
        }
        return dataset
    }

    /// Events in the current version.
    public var eventCount: Int { current.eventCount }
    public var personCount: Int { current.personCount }
    /// Slots of the storage in use (the current version's runs, their spare room and garbage).
    public var slotsInUse: Int { current.slots.used }

    /// Bytes held: slots and their property codes, arrival maps and per-person arrays (not the
    /// traits' contents).
    public var residentBytes: Int {
        let slotBytes = current.slots.capacity * (EventSlots.bytesPerSlot + 4 + 4 * properties.count)
        let arrivals = arrivalSeqs.count * 4 + arrivalSlots.count * 4
        let people = current.personCount * (8 + 4 + 4 + 4 + 8 + 8 + 4 + 4 + 8 * 4)
        return slotBytes + arrivals + people
    }

    // MARK: - Events

    /// Merges events that arrived after ``lastSeq`` (in sequence order). Events of people the
    /// dataset does not know (the caller applies people changes first) are left out.
    public mutating func append(_ log: EventLog) {
        let fresh = log.seqs.firstIndex { $0 > lastSeq } ?? log.count
        guard fresh < log.count else { return }
        if arrivalSeqs.isEmpty { seqBase = log.seqs[fresh] }
        let nameMap = log.names.map { nameCode($0) }
        let channelMap = log.channelCodes.isEmpty ? [] : log.channels.map { channelCode($0) }
        // The new events of each person, in arrival order.
        var byPerson: [Int: [Int]] = [:]
        var personOrder: [Int] = []
        let firstArrival = arrivalSeqs.count
        for e in fresh..<log.count {
            arrivalSeqs.append(UInt32(clamping: log.seqs[e] - seqBase))
            arrivalSlots.append(-1)
            let origin = log.originPersons[e]
            guard let p = current.personIndex(of: canonical[origin] ?? origin) else { continue }
            if byPerson[p] == nil { personOrder.append(p) }
            byPerson[p, default: []].append(e)
        }
        for p in personOrder {
            var events = byPerson[p] ?? []
            if !zip(events, events.dropFirst()).allSatisfy({ log.timestamps[$0] <= log.timestamps[$1] }) {
                events.sort { a, b in log.timestamps[a] != log.timestamps[b] ? log.timestamps[a] < log.timestamps[b] : a < b }
            }
            let count = Int(current.counts[p])
            let start = Int(current.starts[p])
            let fits = count + events.count <= Int(capacities[p])
            let inOrder = count == 0 || log.timestamps[events[0]] >= current.timestamps[start + count - 1]
            if !(fits && inOrder) { relocate(p, extra: events.count) }
            // Into the run: after the existing events, or merged with them when out of order.
            insert(events, of: log, nameMap: nameMap, channelMap: channelMap, firstArrival: firstArrival - fresh, into: p, inOrder: inOrder)
        }
        lastSeq = max(lastSeq, log.seqs[log.count - 1])
        current.replaceSlots(current.slots, large: large)
        refreshEventCount()
    }

    /// Writes a person's new events (sorted) into their run, which has room for them.
    private mutating func insert(
        _ events: [Int],
        of log: EventLog,
        nameMap: [Int32],
        channelMap: [Int32],
        firstArrival: Int,
        into p: Int,
        inOrder: Bool
    ) {
        let slots = current.slots
        let start = Int(current.starts[p])
        let count = Int(current.counts[p])
        func write(_ e: Int, _ slot: Int) {
            writeEvent(
                into: slots,
                slot: slot,
                timestamp: log.timestamps[e],
                name: log.nameCodes[e] < 0 ? -1 : nameMap[Int(log.nameCodes[e])],
                type: log.types[e],
                channel: log.channelCodes[e] < 0 ? -1 : channelMap[Int(log.channelCodes[e])],
                isOrder: log.isOrder[e],
                revenue: log.revenue[e],
                arrival: firstArrival + e
            )
        }
        if inOrder {
            for (offset, e) in events.enumerated() { write(e, start + count + offset) }
        } else {
            // The run was just moved to fresh slots (no version shows them yet): merge in place from the back.
            var existing = count - 1
            var incoming = events.count - 1
            var target = start + count + events.count - 1
            while incoming >= 0 {
                if existing >= 0 && slots.timestamps[start + existing] > log.timestamps[events[incoming]] {
                    moveSlot(start + existing, to: target)
                    existing -= 1
                } else {
                    write(events[incoming], target)
                    incoming -= 1
                }
                target -= 1
            }
        }
        current.counts[p] = Int32(count + events.count)
        deriveSeen(p, person: nil)
    }

    /// Moves person `p`'s run to fresh slots with room for `extra` more events (and a quarter).
    private mutating func relocate(_ p: Int, extra: Int) {
        let count = Int(current.counts[p])
        let capacity = Self.capacity(for: count + extra)
        var first = current.slots.reserve(capacity)
        if first == nil {
            compact(growingBy: capacity)
            first = current.slots.reserve(capacity)
        }
        guard let first else { preconditionFailure("the rebuilt slots have room for the run") }
        let start = Int(current.starts[p])
        for offset in 0..<count { copySlot(start + offset, to: first + offset) }
        garbageSlots += Int(capacities[p])
        current.starts[p] = Int32(first)
        capacities[p] = Int32(capacity)
    }

    /// Rebuilds the slots without garbage, with room for `extra` more events beyond every run's spare room.
    private mutating func compact(growingBy extra: Int) {
        let old = current.slots
        let oldArrivals = slotArrivals
        var reserved = 0
        for p in 0..<current.personCount {
            let capacity = Self.capacity(for: Int(current.counts[p]))
            capacities[p] = Int32(capacity)
            reserved += capacity
        }
        let slots = EventSlots(capacity: reserved + reserved / 2 + extra + 1_024)
        slotArrivals = [Int32](repeating: -1, count: slots.capacity)
        var newProperties: [String: PropertySlots] = [:]
        for key in properties.keys { newProperties[key] = PropertySlots(capacity: slots.capacity) }
        var newLarge: [Int32: Int64] = [:]
        for p in 0..<current.personCount {
            let first = slots.reserve(Int(capacities[p]))!
            let start = Int(current.starts[p])
            for offset in 0..<Int(current.counts[p]) {
                let from = start + offset
                let to = first + offset
                slots.copy(from, of: old, to: to)
                if let amount = large[Int32(from)] { newLarge[Int32(to)] = amount }
                let arrival = oldArrivals[from]
                slotArrivals[to] = arrival
                if arrival >= 0 { arrivalSlots[Int(arrival)] = Int32(to) }
                for (key, store) in properties { newProperties[key]?.write(to, code: store.slots.code(from)) }
            }
            current.starts[p] = Int32(first)
        }
        for (key, slots) in newProperties { properties[key]?.slots = slots }
        large = newLarge
        garbageSlots = 0
        compactions += 1
        current.replaceSlots(slots, large: large)
    }

    private mutating func writeEvent(
        into slots: EventSlots,
        slot: Int,
        timestamp: Int64,
        name: Int32,
        type: UInt8,
        channel: Int32,
        isOrder: Bool,
        revenue: Int64,
        arrival: Int
    ) {
        if slots.write(slot, timestamp: timestamp, name: name, type: type, channel: channel, isOrder: isOrder, revenue: revenue) {
            large[Int32(slot)] = revenue
        } else if large[Int32(slot)] != nil {
            large[Int32(slot)] = nil
        }
        slotArrivals[slot] = Int32(arrival)
        arrivalSlots[arrival] = Int32(slot)
        // A new event has no property values yet (they are placed when loaded); slots are fresh.
        for store in properties.values { store.slots.write(slot, code: -1) }
    }

    /// Copies a slot (event, amount, property codes, arrival) within the storage.
    private mutating func copySlot(_ from: Int, to: Int) {
        let slots = current.slots
        slots.copy(from, of: slots, to: to)
        if let amount = large[Int32(from)] { large[Int32(to)] = amount }
        let arrival = slotArrivals[from]
        slotArrivals[to] = arrival
        if arrival >= 0 { arrivalSlots[Int(arrival)] = Int32(to) }
        for store in properties.values { store.slots.write(to, code: store.slots.code(from)) }
    }

    /// ``copySlot(_:to:)`` for slots of a run no version shows yet.
    private mutating func moveSlot(_ from: Int, to: Int) { copySlot(from, to: to) }

    private mutating func refreshEventCount() {
        current.setEventCount(current.counts.reduce(0) { $0 + Int($1) })
    }

    // MARK: - People

    /// One person as the store has them now: `row` `nil` when gone (erased), `canonicalId` the
    /// person they belong to (themselves unless merged away).
    public struct PersonChange: Sendable {
        public var id: Int64
        public var canonicalId: Int64?
        public var row: DatasetBuilder.Person?

        public init(id: Int64, canonicalId: Int64?, row: DatasetBuilder.Person?) {
            self.id = id
            self.canonicalId = canonicalId
            self.row = row
        }
    }

    /// Applies changed people: new and edited people (traits, tags, identities, user id), people
    /// merged into others (their events join the survivor's run) and erased people. Answers
    /// `false` when a change cannot be merged (a merge undone: the events of the split person
    /// are inside the survivor's run) and the dataset must be built again.
    public mutating func apply(_ changes: [PersonChange]) -> Bool {
        guard !changes.isEmpty else { return true }
        var upserts: [Int64: DatasetBuilder.Person] = [:]
        var mergedInto: [Int64: Int64] = [:]
        var removed: Set<Int64> = []
        for change in changes {
            guard let canonicalId = change.canonicalId else {
                removed.insert(change.id)
                continue
            }
            if canonicalId == change.id {
                // Someone we knew as merged away is on their own again: a split.
                if canonical[change.id] != nil { return false }
                if let row = change.row { upserts[change.id] = row }
            } else {
                mergedInto[change.id] = canonicalId
            }
        }
        // New and edited people, in one pass over the (sorted) arrays.
        let inserted = upserts.values.filter { current.personIndex(of: $0.id) == nil }.sorted { $0.id < $1.id }
        for (id, row) in upserts {
            guard let p = current.personIndex(of: id) else { continue }
            current.userIds[p] = row.userId
            current.traits[p] = row.traits
            current.tags[p] = row.tags
            current.identityKinds[p] = row.identityKinds
            if current.counts[p] == 0 { deriveSeen(p, person: row) }
        }
        if !inserted.isEmpty { insertPeople(inserted) }
        // Merges: the loser's events move into the survivor's run; the loser leaves.
        for (loser, survivor) in mergedInto {
            canonical[loser] = survivor
            for (member, group) in canonical where group == loser { canonical[member] = survivor }
            guard let from = current.personIndex(of: loser) else { continue }
            guard let into = current.personIndex(of: survivor) else {
                removed.insert(loser)
                continue
            }
            mergeRuns(from, into: into)
            removed.insert(loser)
        }
        // Erased people: their slots become garbage, and their merged-away members go with them.
        for id in removed where mergedInto[id] == nil {
            for (member, group) in canonical where group == id { canonical[member] = nil }
            canonical[id] = nil
        }
        if !removed.isEmpty { removePeople(removed) }
        refreshEventCount()
        return true
    }

    /// Moves the events of person `from` into person `into`'s run, in time order.
    private mutating func mergeRuns(_ from: Int, into: Int) {
        let extra = Int(current.counts[from])
        guard extra > 0 else { return }
        relocate(into, extra: extra)
        let slots = current.slots
        let fromStart = Int(current.starts[from])
        let start = Int(current.starts[into])
        let count = Int(current.counts[into])
        var existing = count - 1
        var incoming = extra - 1
        var target = start + count + extra - 1
        // Equal times keep arrival order, as a build from scratch would.
        func later(_ a: Int, than b: Int) -> Bool {
            let (ta, tb) = (slots.timestamps[a], slots.timestamps[b])
            return ta != tb ? ta > tb : slotArrivals[a] > slotArrivals[b]
        }
        while incoming >= 0 {
            if existing >= 0 && later(start + existing, than: fromStart + incoming) {
                moveSlot(start + existing, to: target)
                existing -= 1
            } else {
                moveSlot(fromStart + incoming, to: target)
                incoming -= 1
            }
            target -= 1
        }
        current.counts[into] = Int32(count + extra)
        current.counts[from] = 0
        garbageSlots += Int(capacities[from])
        capacities[from] = 0
        deriveSeen(into, person: nil)
    }

    /// Inserts new people (sorted by id, none present) into the sorted arrays.
    private mutating func insertPeople(_ people: [DatasetBuilder.Person]) {
        // New people usually have the newest ids: they go at the end, in place.
        if let first = people.first, first.id > current.personIds.last ?? .min {
            let start = current.personCount
            var columns = Dataset.PeopleColumns()
            for person in people { columns.append(person: person, channel: { channelCode($0) }) }
            current.appendPeople(columns)
            capacities += [Int32](repeating: 0, count: people.count)
            extendLabels(from: start)
            for (offset, person) in people.enumerated() { deriveSeen(start + offset, person: person) }
            return
        }
        let old = current
        let oldCapacities = capacities
        var result = Dataset.PeopleColumns()
        var newCapacities: [Int32] = []
        var added: [Int] = []
        var origin: [Int32] = []
        var i = 0
        var j = 0
        while i < old.personCount || j < people.count {
            if j < people.count && (i == old.personCount || people[j].id < old.personIds[i]) {
                result.append(person: people[j], channel: { channelCode($0) })
                newCapacities.append(0)
                added.append(result.personIds.count - 1)
                origin.append(-1)
                j += 1
            } else {
                result.append(index: i, of: old)
                newCapacities.append(oldCapacities[i])
                origin.append(Int32(i))
                i += 1
            }
        }
        current.setPeople(result)
        capacities = newCapacities
        carryLabels(origin: origin)
        var byId: [Int64: DatasetBuilder.Person] = [:]
        for person in people { byId[person.id] = person }
        for p in added { deriveSeen(p, person: byId[current.personIds[p]]) }
    }

    /// Removes people (their slots become garbage).
    private mutating func removePeople(_ ids: Set<Int64>) {
        let old = current
        var result = Dataset.PeopleColumns()
        var newCapacities: [Int32] = []
        var origin: [Int32] = []
        for i in 0..<old.personCount {
            if ids.contains(old.personIds[i]) {
                garbageSlots += Int(capacities[i])
                continue
            }
            result.append(index: i, of: old)
            newCapacities.append(capacities[i])
            origin.append(Int32(i))
        }
        current.setPeople(result)
        capacities = newCapacities
        carryLabels(origin: origin)
    }

    /// Lengthens the label and model-value columns for the people appended at the end (from index
    /// `start`), giving them their values from the sources.
    private mutating func extendLabels(from start: Int) {
        let added = current.personCount - start
        for scheme in Array(current.labels.keys) { current.labels[scheme]! += [Int32](repeating: -1, count: added) }
        for name in Array(current.attributes.keys) { current.attributes[name]! += [Double](repeating: .nan, count: added) }
        fillFromSources(start..<current.personCount)
    }

    /// Moves the label and model-value columns to the new person indices: `origin[p]` is the old
    /// index of person `p`, or −1 for a new person, whose values (if any) come from the sources.
    /// Proportional to people × columns, without a search per value as ``placeLabels()`` does.
    private mutating func carryLabels(origin: [Int32]) {
        for (scheme, column) in current.labels {
            var moved = [Int32](repeating: -1, count: origin.count)
            for (p, o) in origin.enumerated() where o >= 0 { moved[p] = column[Int(o)] }
            current.labels[scheme] = moved
        }
        for (name, column) in current.attributes {
            var moved = [Double](repeating: .nan, count: origin.count)
            for (p, o) in origin.enumerated() where o >= 0 { moved[p] = column[Int(o)] }
            current.attributes[name] = moved
        }
        fillFromSources(origin.indices.filter { origin[$0] < 0 })
    }

    /// Gives new people (by index) their labels and model values from the sources.
    private mutating func fillFromSources(_ people: some Sequence<Int>) {
        let count = current.personCount
        for p in people {
            let id = current.personIds[p]
            for (scheme, values) in labelSource {
                guard let value = values[id] else { continue }
                let code: Int32
                if let known = current.labelDictionary.firstIndex(of: value) {
                    code = Int32(known)
                } else {
                    code = Int32(current.labelDictionary.count)
                    current.labelDictionary.append(value)
                }
                if current.labels[scheme] == nil { current.labels[scheme] = [Int32](repeating: -1, count: count) }
                current.labels[scheme]![p] = code
            }
            for (name, values) in attributeSource {
                guard let value = values[id] else { continue }
                if current.attributes[name] == nil { current.attributes[name] = [Double](repeating: .nan, count: count) }
                current.attributes[name]![p] = value
            }
        }
    }

    /// Replaces all people (a full build).
    private mutating func setPeople(_ people: [DatasetBuilder.Person]) {
        var columns = Dataset.PeopleColumns()
        for person in people { columns.append(person: person, channel: { channelCode($0) }) }
        current.setPeople(columns)
        capacities = [Int32](repeating: 0, count: people.count)
    }

    /// First and last seen and their channels from the person's events; a person without events
    /// keeps what the store says.
    private mutating func deriveSeen(_ p: Int, person: DatasetBuilder.Person?) {
        let count = Int(current.counts[p])
        if count > 0 {
            let first = Int(current.starts[p])
            let last = first + count - 1
            current.firstSeen[p] = current.timestamps[first]
            current.firstChannel[p] = current.channels[first]
            current.lastSeen[p] = current.timestamps[last]
            current.lastChannel[p] = current.channels[last]
        } else if let person {
            current.firstSeen[p] = person.firstSeen ?? .min
            current.lastSeen[p] = person.lastSeen ?? .min
            current.firstChannel[p] = person.firstChannel.map { channelCode($0) } ?? -1
            current.lastChannel[p] = person.lastChannel.map { channelCode($0) } ?? -1
        }
    }

    // MARK: - Labels and models

    /// Replaces the labels and model values (they are reloaded whole when they change).
    public mutating func setLabels(_ labels: [String: [Int64: String]], attributes: [String: [Int64: Double]]) {
        labelSource = labels
        attributeSource = attributes
        placeLabels()
    }

    /// Lays the labels and model values out by person index.
    private mutating func placeLabels() {
        let labels = labelSource
        let attributes = attributeSource
        current.labels = [:]
        current.labelDictionary = []
        for (scheme, values) in labels { current.setLabels(scheme, values) }
        current.attributes = [:]
        for (name, values) in attributes {
            var column = [Double](repeating: .nan, count: current.personCount)
            for (person, value) in values {
                if let index = current.personIndex(of: person) { column[index] = value }
            }
            current.attributes[name] = column
        }
    }

    // MARK: - Properties

    /// Keys whose columns are loaded (and kept current as events arrive).
    public var propertyKeys: [String] { Array(properties.keys) }

    /// Loads one property's values for every event (`(seq, value)` in ascending sequence order,
    /// only events having it).
    public mutating func loadProperty(_ key: String, values: [(seq: Int64, value: JSONValue)]) {
        properties[key] = PropertyStore(slots: PropertySlots(capacity: current.slots.capacity), values: ValueStore(), codes: [:])
        placeProperty(key, values: values)
    }

    /// Places values of a loaded property for events already merged in (those that arrived since
    /// it was loaded).
    public mutating func placeProperty(_ key: String, values: [(seq: Int64, value: JSONValue)]) {
        guard var store = properties[key] else { return }
        var arrival = 0
        for (seq, value) in values {
            guard seq >= seqBase, seq - seqBase <= Int64(UInt32.max) else { continue }
            let offset = UInt32(seq - seqBase)
            // Values come in sequence order: search forward from the last one.
            if arrival >= arrivalSeqs.count || arrivalSeqs[arrival] > offset { arrival = 0 }
            arrival = Self.lowerBound(arrivalSeqs, offset, from: arrival)
            guard arrival < arrivalSeqs.count, arrivalSeqs[arrival] == offset else { continue }
            let slot = arrivalSlots[arrival]
            guard slot >= 0 else { continue }
            let code: Int32
            if let known = store.codes[value] {
                code = known
            } else {
                code = store.values.append(value)
                store.codes[value] = code
            }
            store.slots.write(Int(slot), code: code)
        }
        properties[key] = store
    }

    /// Forgets loaded property columns (a key no query used for a while, say).
    public mutating func unloadProperty(_ key: String) { properties[key] = nil }

    static func lowerBound(_ array: [UInt32], _ value: UInt32, from start: Int) -> Int {
        var low = start
        var high = array.count
        // Gallop from `start`: values usually come close together.
        var step = 1
        while low + step < high, array[low + step] < value {
            low += step
            step *= 2
        }
        high = min(high, low + step + 1)
        while low < high {
            let middle = (low + high) / 2
            if array[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: - Dictionaries

    private mutating func nameCode(_ name: String) -> Int32 {
        if let code = nameCodes[name] { return code }
        let text = current.nameDictionary.count >= Self.maximumNames ? Self.otherName : name
        if let code = nameCodes[text] {
            nameCodes[name] = code
            return code
        }
        let code = Int32(current.nameDictionary.count)
        current.nameDictionary.append(text)
        nameCodes[text] = code
        return code
    }

    private mutating func channelCode(_ channel: String) -> Int32 {
        if let code = channelCodes[channel] { return code }
        let text = current.channelDictionary.count >= Self.maximumChannels ? Self.otherName : channel
        if let code = channelCodes[text] {
            channelCodes[channel] = code
            return code
        }
        let code = Int32(current.channelDictionary.count)
        current.channelDictionary.append(text)
        channelCodes[text] = code
        return code
    }
}

extension Dataset {
    /// The per-person arrays, built person by person.
    struct PeopleColumns {
        var personIds: [Int64] = []
        var starts: [Int32] = []
        var counts: [Int32] = []
        var firstSeen: [Int64] = []
        var lastSeen: [Int64] = []
        var firstChannel: [Int32] = []
        var lastChannel: [Int32] = []
        var userIds: [String?] = []
        var traits: [JSONObject] = []
        var tags: [[String]] = []
        var identityKinds: [[String]] = []

        mutating func append(person: DatasetBuilder.Person, channel: (String) -> Int32) {
            personIds.append(person.id)
            starts.append(0)
            counts.append(0)
            firstSeen.append(person.firstSeen ?? .min)
            lastSeen.append(person.lastSeen ?? .min)
            firstChannel.append(person.firstChannel.map(channel) ?? -1)
            lastChannel.append(person.lastChannel.map(channel) ?? -1)
            userIds.append(person.userId)
            traits.append(person.traits)
            tags.append(person.tags)
            identityKinds.append(person.identityKinds)
        }

        mutating func append(index i: Int, of dataset: Dataset) {
            personIds.append(dataset.personIds[i])
            starts.append(dataset.starts[i])
            counts.append(dataset.counts[i])
            firstSeen.append(dataset.firstSeen[i])
            lastSeen.append(dataset.lastSeen[i])
            firstChannel.append(dataset.firstChannel[i])
            lastChannel.append(dataset.lastChannel[i])
            userIds.append(dataset.userIds[i])
            traits.append(dataset.traits[i])
            tags.append(dataset.tags[i])
            identityKinds.append(dataset.identityKinds[i])
        }
    }

    /// Appends people after the last (their ids are larger), without events yet.
    mutating func appendPeople(_ columns: PeopleColumns) {
        personIds += columns.personIds
        starts += columns.starts
        counts += columns.counts
        firstSeen += columns.firstSeen
        lastSeen += columns.lastSeen
        firstChannel += columns.firstChannel
        lastChannel += columns.lastChannel
        userIds += columns.userIds
        traits += columns.traits
        tags += columns.tags
        identityKinds += columns.identityKinds
    }

    /// Replaces the people (labels and model values are reloaded by the caller when people change).
    mutating func setPeople(_ columns: PeopleColumns) {
        personIds = columns.personIds
        starts = columns.starts
        counts = columns.counts
        firstSeen = columns.firstSeen
        lastSeen = columns.lastSeen
        firstChannel = columns.firstChannel
        lastChannel = columns.lastChannel
        userIds = columns.userIds
        traits = columns.traits
        tags = columns.tags
        identityKinds = columns.identityKinds
    }
}

extension LiveDataset {
    /// Everything needed to restore a live dataset, without spare slots: what its snapshot file holds.
    public struct Image: Sendable {
        public var people: [DatasetBuilder.Person] = []
        /// Events per person, in person order; the event columns hold them person after person.
        public var counts: [Int32] = []
        public var timestamps: [Int64] = []
        public var names: [Int32] = []
        public var types: [UInt8] = []
        public var channels: [Int32] = []
        public var revenue: [Int64] = []
        public var isOrder: [Bool] = []
        public var nameDictionary: [String] = []
        public var channelDictionary: [String] = []
        public var canonical: [Int64: Int64] = [:]
        /// Arrival order: each event's store sequence (offset from `seqBase`) and its position in the columns (-1: left out).
        public var seqBase: Int64 = 0
        public var arrivalSeqs: [UInt32] = []
        public var arrivalPositions: [Int32] = []
        public var lastSeq: Int64 = 0
        /// Labels and model values by person id.
        public var labels: [String: [Int64: String]] = [:]
        public var attributes: [String: [Int64: Double]] = [:]

        public init() {}
    }

    /// The dataset without spare slots and garbage.
    public func image() -> Image {
        var image = Image()
        let dataset = current
        image.counts = dataset.counts
        image.nameDictionary = dataset.nameDictionary
        image.channelDictionary = dataset.channelDictionary
        image.canonical = canonical
        image.seqBase = seqBase
        image.arrivalSeqs = arrivalSeqs
        image.lastSeq = lastSeq
        image.labels = labelSource
        image.attributes = attributeSource
        image.people = (0..<dataset.personCount).map { p in
            DatasetBuilder.Person(
                id: dataset.personIds[p],
                firstSeen: dataset.firstSeen[p] == .min ? nil : dataset.firstSeen[p],
                lastSeen: dataset.lastSeen[p] == .min ? nil : dataset.lastSeen[p],
                firstChannel: dataset.firstChannel[p] < 0 ? nil : dataset.channelName(dataset.firstChannel[p]),
                lastChannel: dataset.lastChannel[p] < 0 ? nil : dataset.channelName(dataset.lastChannel[p]),
                userId: dataset.userIds[p],
                traits: dataset.traits[p],
                tags: dataset.tags[p],
                identityKinds: dataset.identityKinds[p]
            )
        }
        image.arrivalPositions = [Int32](repeating: -1, count: arrivalSeqs.count)
        let total = dataset.eventCount
        image.timestamps.reserveCapacity(total)
        image.names.reserveCapacity(total)
        image.types.reserveCapacity(total)
        image.channels.reserveCapacity(total)
        image.revenue.reserveCapacity(total)
        image.isOrder.reserveCapacity(total)
        for p in 0..<dataset.personCount {
            for slot in dataset.eventStart(p)..<dataset.eventEnd(p) {
                let arrival = slotArrivals[slot]
                if arrival >= 0 { image.arrivalPositions[Int(arrival)] = Int32(image.timestamps.count) }
                image.timestamps.append(dataset.timestamps[slot])
                image.names.append(dataset.names[slot])
                image.types.append(dataset.types[slot])
                image.channels.append(dataset.channels[slot])
                image.revenue.append(dataset.revenue[slot])
                image.isOrder.append(dataset.isOrder[slot])
            }
        }
        return image
    }

    /// Restores a dataset from its image, with fresh spare slots; labels and property columns are
    /// loaded afterwards, as after a build.
    public init(image: Image) {
        self.init()
        canonical = image.canonical
        seqBase = image.seqBase
        arrivalSeqs = image.arrivalSeqs
        lastSeq = image.lastSeq
        for name in image.nameDictionary { _ = nameCode(name) }
        for channel in image.channelDictionary { _ = channelCode(channel) }
        setPeople(image.people)
        let count = image.people.count
        var reserved = 0
        capacities = image.counts.map { events in
            let capacity = Self.capacity(for: Int(events))
            reserved += capacity
            return Int32(capacity)
        }
        let slots = EventSlots(capacity: reserved + reserved / 4 + 1_024)
        slotArrivals = [Int32](repeating: -1, count: slots.capacity)
        // The slot of every position of the image, person after person.
        var slotOfPosition = [Int32](repeating: -1, count: image.timestamps.count)
        var starts = [Int32](repeating: 0, count: count)
        var position = 0
        for p in 0..<count {
            let first = slots.reserve(Int(capacities[p]))!
            starts[p] = Int32(first)
            for offset in 0..<Int(image.counts[p]) {
                let slot = first + offset
                if slots.write(
                    slot,
                    timestamp: image.timestamps[position],
                    name: image.names[position],
                    type: image.types[position],
                    channel: image.channels[position],
                    isOrder: image.isOrder[position],
                    revenue: image.revenue[position]
                ) {
                    large[Int32(slot)] = image.revenue[position]
                }
                slotOfPosition[position] = Int32(slot)
                position += 1
            }
        }
        arrivalSlots = image.arrivalPositions.map { $0 < 0 ? -1 : slotOfPosition[Int($0)] }
        for (arrival, slot) in arrivalSlots.enumerated() where slot >= 0 { slotArrivals[Int(slot)] = Int32(arrival) }
        current.replaceSlots(slots, large: large)
        current.starts = starts
        current.counts = image.counts
        refreshEventCount()
        setLabels(image.labels, attributes: image.attributes)
    }
}
