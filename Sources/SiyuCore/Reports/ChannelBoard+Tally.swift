extension ChannelBoard {
    /// What the board needs beyond the KPI kernel: distinct people reached per channel over the
    /// whole range, and the customer value of each first-touch channel.
    struct Tally {
        /// Channel key → people active in it.
        var reach: [String: Int] = [:]
        var totalReach = 0
        /// First-touch channel key → people with a value and its sum.
        var value: [String: (count: Int, sum: Double)] = [:]
        var totalValue: (count: Int, sum: Double)?

        private static let identify = UInt8(MessageType.identify.code)
        private static let alias = UInt8(MessageType.alias.code)

        /// One pass over the events of `days` and the people's `clv` attribute.
        init(dataset: Dataset, days: TimeRange, scope: CustomerScope) {
            let slots = dataset.channelDictionary.count + 1
            var reached = [Int](repeating: 0, count: slots)
            var lastCounted = [Int](repeating: -1, count: slots)
            var valueCount = [Int](repeating: 0, count: slots)
            var valueSum = [Double](repeating: 0, count: slots)
            let clv = dataset.attributes[WorkspaceValue.Attribute.clv]
            for person in 0..<dataset.personCount {
                var active = false
                var index = dataset.firstEvent(of: person, atOrAfter: days.from)
                while index < dataset.eventEnd(person) && dataset.timestamps[index] < days.to {
                    let type = dataset.types[index]
                    if type != Self.identify && type != Self.alias {
                        active = true
                        let slot = Int(dataset.channels[index]) + 1
                        if slot >= 0 && slot < slots && lastCounted[slot] != person {
                            lastCounted[slot] = person
                            reached[slot] += 1
                        }
                    }
                    index += 1
                }
                if active { totalReach += 1 }
                guard let clv, person < clv.count, clv[person].isFinite else { continue }
                if scope == .newInRange {
                    let recorded = dataset.firstSeen[person]
                    let start = dataset.eventStart(person)
                    let firstSeen: Int64? = recorded != .min ? recorded : (start < dataset.eventEnd(person) ? dataset.timestamps[start] : nil)
                    guard let firstSeen, days.contains(firstSeen) else { continue }
                }
                let slot = Int(dataset.firstChannel[person]) + 1
                guard slot >= 0 && slot < slots else { continue }
                valueCount[slot] += 1
                valueSum[slot] += clv[person]
            }
            for slot in 0..<slots {
                let key = dataset.channelName(Int32(slot - 1))
                if reached[slot] > 0 { reach[key] = reached[slot] }
                if valueCount[slot] > 0 { value[key] = (valueCount[slot], valueSum[slot]) }
            }
            let count = valueCount.reduce(0, +)
            totalValue = count > 0 ? (count, valueSum.reduce(0, +)) : nil
        }
    }
}
