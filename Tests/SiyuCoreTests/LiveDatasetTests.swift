import Testing

@testable import SiyuCore

/// The live dataset, merged change by change, must equal a dataset built from scratch out of
/// everything seen so far — after every step, with earlier snapshots left as they were.
@Suite struct LiveDatasetTests {
    /// A small shop that changes the way a store would: people arrive, events arrive (some late,
    /// some for merged-away people), people merge and change traits and tags.
    struct Shop {
        var rows: [Int64: DatasetBuilder.Person] = [:]
        var canonical: [Int64: Int64] = [:]
        var log = EventLog()
        var skus: [(seq: Int64, value: JSONValue)] = []
        var nextPerson: Int64 = 1
        var nextSeq: Int64 = 1
        var random: UInt64
        /// Labels and model values as last evaluated (some for people who do not exist yet).
        var labels: [String: [Int64: String]] = [:]
        var attributes: [String: [Int64: Double]] = [:]

        init(seed: UInt64) { random = seed }

        mutating func next(_ bound: Int) -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((random >> 33) % UInt64(bound))
        }

        func group(_ id: Int64) -> Int64 { canonical[id] ?? id }

        /// Ids taken but not yet published (a store's transaction that commits late), and every published id.
        var heldBack: [Int64] = []
        var published: [Int64] = []

        /// Adds people; answers their changes. Now and then an id is held back and published later,
        /// after larger ones: that person lands between others.
        mutating func addPeople(_ count: Int) -> [LiveDataset.PersonChange] {
            var ids: [Int64] = []
            for _ in 0..<count {
                let id = nextPerson
                nextPerson += 1
                if next(5) == 0 { heldBack.append(id) } else { ids.append(id) }
            }
            if !heldBack.isEmpty && next(3) == 0 { ids.append(heldBack.removeFirst()) }
            return ids.map { id in
                let person = DatasetBuilder.Person(id: id, userId: next(2) == 0 ? "u\(id)" : nil, traits: ["city": .string(["上海", "北京"][next(2)])])
                rows[id] = person
                published.append(id)
                return LiveDataset.PersonChange(id: id, canonicalId: id, row: person)
            }
        }

        /// Events of random people (merged-away ones too), some out of time order.
        mutating func addEvents(_ count: Int) -> EventLog {
            var chunk = EventLog()
            chunk.names = ["view", "add", "Order Completed"]
            chunk.channels = ["douyin", "app", "zhihu"]
            for _ in 0..<count {
                guard !published.isEmpty else { break }
                let origin = published[next(published.count)]
                let seq = nextSeq
                nextSeq += 1
                let name = next(3)
                chunk.seqs.append(seq)
                chunk.originPersons.append(origin)
                // Mostly moving forward in time, sometimes an event from the past (a late SDK flush).
                chunk.timestamps.append(next(5) == 0 ? Int64(next(1_000)) : 1_000 + seq * 10 + Int64(next(7)))
                chunk.nameCodes.append(Int32(name))
                chunk.types.append(UInt8(next(3)))
                chunk.channelCodes.append(next(4) == 0 ? -1 : Int32(next(3)))
                chunk.isOrder.append(name == 2)
                // Now and then an amount beyond 32 bits.
                chunk.revenue.append(name == 2 ? (next(10) == 0 ? 5_000_000_000 + Int64(next(100)) : Int64(next(10_000))) : 0)
                if next(2) == 0 { skus.append((seq, .string("s\(next(5))"))) }
            }
            log.append(chunk)
            return chunk
        }

        /// Merges a random group into another; answers the changes a store would list.
        mutating func merge() -> [LiveDataset.PersonChange] {
            let groups = Array(Set(rows.keys)).sorted()
            guard groups.count >= 2 else { return [] }
            let survivor = groups[next(groups.count)]
            let loser = groups[next(groups.count)]
            guard survivor != loser else { return [] }
            var changes = [LiveDataset.PersonChange]()
            let members = [loser] + canonical.filter { $0.value == loser }.map(\.key)
            for member in members {
                canonical[member] = survivor
                changes.append(LiveDataset.PersonChange(id: member, canonicalId: survivor, row: nil))
            }
            var row = rows[survivor]!
            row.tags = Array(Set(row.tags + (rows[loser]?.tags ?? []))).sorted()
            rows[survivor] = row
            rows[loser] = nil
            changes.append(LiveDataset.PersonChange(id: survivor, canonicalId: survivor, row: row))
            return changes
        }

        mutating func retag() -> [LiveDataset.PersonChange] {
            let ids = Array(rows.keys).sorted()
            let id = ids[next(ids.count)]
            let tag = "vip\(next(3))"
            let level = Int64(next(5))
            rows[id]?.tags = [tag]
            rows[id]?.traits["level"] = .int(level)
            return [LiveDataset.PersonChange(id: id, canonicalId: id, row: rows[id])]
        }

        /// A fresh evaluation: a tier for every other person and a value for every third, up to a
        /// few ids beyond the people so far.
        mutating func evaluate() {
            let ids = (1..<(nextPerson + 3)).filter { _ in next(3) != 0 }
            labels = ["tier": Dictionary(uniqueKeysWithValues: ids.map { ($0, ["gold", "silver", "bronze"][next(3)]) })]
            attributes = ["clv": Dictionary(uniqueKeysWithValues: ids.filter { $0 % 3 == 0 }.map { ($0, Double(next(1_000))) })]
        }

        /// The dataset built from scratch, with the property column loaded.
        func reference() -> Dataset {
            var built = LiveDataset.build(people: Array(rows.values), events: log, canonical: canonical)
            built.loadProperty("sku", values: skus)
            built.setLabels(labels, attributes: attributes)
            return built.snapshot()
        }
    }

    /// Everything a kernel can read of one person, by value (codes turned back into strings).
    struct PersonView: Equatable, CustomStringConvertible {
        var id: Int64
        var events: [String]
        var seen: [String]
        var traits: JSONObject
        var tags: [String]
        var labels: [String]
        var description: String { "\(id): \(events) \(seen) \(traits) \(tags) \(labels)" }
    }

    static func view(_ dataset: Dataset) -> [PersonView] {
        (0..<dataset.personCount).map { p in
            let events = (dataset.eventStart(p)..<dataset.eventEnd(p)).map { e in
                let name = dataset.names[e] < 0 ? "-" : dataset.nameDictionary[Int(dataset.names[e])]
                let sku = dataset.properties["sku"]?.value(e)?.scalarText ?? "-"
                return
                    "\(dataset.timestamps[e]) \(name) \(dataset.types[e]) \(dataset.channelName(dataset.channels[e])) \(dataset.isOrder[e]) \(dataset.revenue[e]) \(sku)"
            }
            let seen = [
                "\(dataset.firstSeen[p])", "\(dataset.lastSeen[p])", dataset.channelName(dataset.firstChannel[p]),
                dataset.channelName(dataset.lastChannel[p]),
            ]
            let labels =
                dataset.labels.compactMap { scheme, column in column[p] < 0 ? nil : "\(scheme)=\(dataset.labelDictionary[Int(column[p])])" }
                + dataset.attributes.compactMap { name, column in column[p].isNaN ? nil : "\(name)=\(column[p])" }
            return PersonView(
                id: dataset.personIds[p],
                events: events,
                seen: seen,
                traits: dataset.traits[p],
                tags: dataset.tags[p],
                labels: labels.sorted()
            )
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func mergingChangesEqualsBuildingFromScratch(_ seed: UInt64) {
        var shop = Shop(seed: seed)
        var live = LiveDataset.build(people: [], events: EventLog(), canonical: [:])
        live.loadProperty("sku", values: [])
        var earlier: [(Dataset, [PersonView])] = []
        for step in 0..<60 {
            var changes: [LiveDataset.PersonChange] = shop.addPeople(1 + shop.next(4))
            switch shop.next(4) {
            case 0: changes += shop.merge()
            case 1: changes += shop.retag()
            default: break
            }
            let applied = live.apply(changes)
            #expect(applied)
            // Labels are evaluated now and then; in between, people come and go around them.
            if step % 7 == 0 {
                shop.evaluate()
                live.setLabels(shop.labels, attributes: shop.attributes)
            }
            let before = live.lastSeq
            let chunk = shop.addEvents(1 + shop.next(40))
            live.append(chunk)
            live.placeProperty("sku", values: shop.skus.filter { $0.seq > before })
            let snapshot = live.snapshot()
            let expected = Self.view(shop.reference())
            let actual = Self.view(snapshot)
            let same = actual == expected
            #expect(same, "step \(step): \(zip(actual, expected).first { $0 != $1 }.map { "\($0.0) ≠ \($0.1)" } ?? "people differ")")
            #expect(snapshot.eventCount == expected.reduce(0) { $0 + $1.events.count })
            if step % 10 == 0 { earlier.append((snapshot, actual)) }
        }
        // Later merges never touched what earlier snapshots show.
        for (snapshot, view) in earlier { #expect(Self.view(snapshot) == view) }
        #expect(live.compactions > 0 || live.garbageSlots > 0)
    }

    /// Appending a few events to a large dataset writes only those slots (no compaction, no copy
    /// of the columns): the slots in use grow by the events' spare room, not by the dataset.
    @Test func appendingTouchesOnlyTheNewEvents() {
        var shop = Shop(seed: 9)
        _ = shop.addPeople(2_000)
        _ = shop.addEvents(100_000)
        var live = LiveDataset.build(people: Array(shop.rows.values), events: shop.log, canonical: [:])
        live.loadProperty("sku", values: shop.skus)
        let used = live.slotsInUse
        let before = live.lastSeq
        let chunk = shop.addEvents(50)
        live.append(chunk)
        live.placeProperty("sku", values: shop.skus.filter { $0.seq > before })
        #expect(live.compactions == 0)
        // At most a moved run per new event, each run of a person with about 50 events.
        #expect(live.slotsInUse - used < 50 * 200)
        let same = Self.view(live.snapshot()) == Self.view(shop.reference())
        #expect(same)
    }

    @Test func aSplitAsksForARebuild() {
        let (a, b) = (DatasetBuilder.Person(id: 1), DatasetBuilder.Person(id: 2))
        var live = LiveDataset.build(people: [a, b], events: EventLog(), canonical: [:])
        let merged = live.apply([LiveDataset.PersonChange(id: 2, canonicalId: 1, row: nil), LiveDataset.PersonChange(id: 1, canonicalId: 1, row: a)])
        #expect(merged)
        #expect(live.canonical == [2: 1])
        #expect(live.snapshot().personIds == [1])
        // The merge undone: 2 is on their own again, and their events are inside 1's run.
        let split = live.apply([LiveDataset.PersonChange(id: 2, canonicalId: 2, row: b)])
        #expect(!split)
    }

    @Test func namesAndChannelsBeyondTheLimitsAreCountedAsOther() {
        var log = EventLog()
        log.names = (0..<(LiveDataset.maximumNames + 5)).map { "e\($0)" }
        for index in 0..<log.names.count {
            log.seqs.append(Int64(index + 1))
            log.originPersons.append(1)
            log.timestamps.append(Int64(index))
            log.nameCodes.append(Int32(index))
            log.types.append(0)
            log.channelCodes.append(-1)
            log.revenue.append(0)
            log.isOrder.append(false)
        }
        let dataset = LiveDataset.build(people: [DatasetBuilder.Person(id: 1)], events: log, canonical: [:]).snapshot()
        #expect(dataset.nameDictionary.count == LiveDataset.maximumNames + 1)
        #expect(dataset.nameDictionary.last == LiveDataset.otherName)
        #expect(dataset.eventCount == log.count)
    }
}
