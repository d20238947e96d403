/// Which event names count as exposures, clicks, interactions, conversions and key actions in
/// the KPI set: a workspace setting, with Segment's e-commerce spec as the default.
public struct KPIEventMapping: Sendable, Equatable, Codable {
    /// Something was shown to the person.
    public var exposures: [String]
    /// Whether every `page` and `screen` call also counts as an exposure.
    public var pageAndScreenAreExposures: Bool
    /// The person clicked something shown.
    public var clicks: [String]
    /// The person engaged with a product or the community short of buying.
    public var interactions: [String]
    /// The outcome the business wants.
    public var conversions: [String]
    /// What a new person must do to count as activated.
    public var keyActions: [String]

    public init(
        exposures: [String],
        pageAndScreenAreExposures: Bool = true,
        clicks: [String],
        interactions: [String],
        conversions: [String],
        keyActions: [String]
    ) {
        self.exposures = exposures
        self.pageAndScreenAreExposures = pageAndScreenAreExposures
        self.clicks = clicks
        self.interactions = interactions
        self.conversions = conversions
        self.keyActions = keyActions
    }

    /// Segment's e-commerce event names (plus `Group Joined` for community groups).
    public static let segmentEcommerce = KPIEventMapping(
        exposures: ["Product Viewed", "Product List Viewed", "Promotion Viewed"],
        pageAndScreenAreExposures: true,
        clicks: ["Product Clicked", "Promotion Clicked"],
        interactions: [
            "Product Added", "Product Added to Wishlist", "Product Shared", "Cart Shared", "Product Reviewed", "Coupon Entered",
            "Group Joined",
        ],
        conversions: ["Order Completed"],
        keyActions: ["Product Added", "Order Completed"]
    )

    private enum CodingKeys: String, CodingKey {
        case exposures, pageAndScreenAreExposures, clicks, interactions, conversions, keyActions
    }

    /// Decodes a workspace setting; a list left out keeps its Segment default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self.segmentEcommerce
        exposures = try container.decodeIfPresent([String].self, forKey: .exposures) ?? defaults.exposures
        pageAndScreenAreExposures =
            try container.decodeIfPresent(Bool.self, forKey: .pageAndScreenAreExposures) ?? defaults.pageAndScreenAreExposures
        clicks = try container.decodeIfPresent([String].self, forKey: .clicks) ?? defaults.clicks
        interactions = try container.decodeIfPresent([String].self, forKey: .interactions) ?? defaults.interactions
        conversions = try container.decodeIfPresent([String].self, forKey: .conversions) ?? defaults.conversions
        keyActions = try container.decodeIfPresent([String].self, forKey: .keyActions) ?? defaults.keyActions
    }
}

/// The operator's KPI set per local day, week or month, in total and by channel.
///
/// Definitions (quoted by docs/analytics.md; "active" means any event other than `identify` and
/// `alias`; a person or event counts in a channel's row by the event's channel column):
/// - **exposures**, **clicks**, **interactions**, **conversions**: events of the period whose
///   name is in the ``KPIEventMapping`` list (exposures also every page/screen call by default).
/// - **CTR** = clicks ÷ exposures.
/// - **conversion rate** = converting people (did a conversion event in the period) ÷ active
///   people of the period.
/// - **new people**: first seen in the period (the person's `firstSeen`, else their first
///   event); by channel, by first-touch channel.
/// - **activation rate** = new people who did a key action within `activationDays` × 24 h of
///   being first seen ÷ new people whose window has ended by `now`.
/// - **D1 / D7 retention** = new people active on the local day 1 / 7 days after the day they were
///   first seen (any channel) ÷ new people for whom that day has ended by `now`.
/// - **churn rate** = people active in the previous period and not in this one ÷ people active in
///   the previous period (by channel: active in that channel).
/// - **reactivation rate** = people silent at the period start (active before, but not on any of
///   the `silentDays` local days before the period) who are active in the period ÷ people silent
///   at the period start. By channel: those active in that channel ÷ all silent people.
/// - **orders**, **revenue** (minor units): order events of the period and their amounts.
/// - **AOV** = revenue ÷ orders.
/// - **repurchase rate** = buyers of the period whose orders ever, up to the period's end, number
///   two or more ÷ buyers of the period (two orders in one period count as a repurchase).
/// - **paying penetration** = buyers ÷ active people; **ARPU** = revenue ÷ active people.
///
/// Every period overlapping the range is computed over the whole local period. Each point also
/// carries the previous period's values and, for days, those of the same weekday a week before,
/// from which ``KPIValues/changes(from:)`` gives the period-over-period change.
public struct KPIQuery: Sendable, Equatable {
    /// `day`, `week` or `month`.
    public var period: Period
    public var range: TimeRange
    public var mapping: KPIEventMapping
    /// Also one series per channel (otherwise only the total).
    public var byChannel: Bool
    /// Days after first seen within which a key action activates a new person.
    public var activationDays: Int
    /// Days without activity after which a person is silent.
    public var silentDays: Int
    public var people: PersonRule?

    public init(
        period: Period = .day,
        range: TimeRange,
        mapping: KPIEventMapping = .segmentEcommerce,
        byChannel: Bool = true,
        activationDays: Int = 7,
        silentDays: Int = 30,
        people: PersonRule? = nil
    ) {
        self.period = period
        self.range = range
        self.mapping = mapping
        self.byChannel = byChannel
        self.activationDays = activationDays
        self.silentDays = silentDays
        self.people = people
    }

    public var propertyKeys: [String] { people?.propertyKeys ?? [] }

    /// Problems that make the query meaningless, in words for the caller (empty when valid).
    public func problems() -> [String] {
        var problems: [String] = []
        if ![.day, .week, .month].contains(period) { problems.append("KPI periods are days, weeks or months") }
        if range.to <= range.from { problems.append("the date range is empty") }
        if activationDays < 1 || activationDays > 90 { problems.append("activation days must be 1 to 90") }
        if silentDays < 1 || silentDays > 365 { problems.append("silent days must be 1 to 365") }
        return problems
    }
}

/// The answer to a ``KPIQuery``.
public struct KPIResult: Sendable, Equatable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        public var bucket: Int
        public var label: String
        public var values: KPIValues
        /// The period before.
        public var previous: KPIValues
        /// For days: the same weekday a week before.
        public var sameWeekdayLastWeek: KPIValues?
    }

    public struct Series: Sendable, Equatable, Codable {
        /// `all`, or a channel key (`(none)` for events without one).
        public var channel: String
        public var points: [Point]
    }

    /// The total first, then one series per channel (most active people first).
    public var series: [Series]
}

/// One period's KPIs, for all people or one channel: the counts, and the rates derived from them
/// (`nil` where the denominator is zero).
public struct KPIValues: Sendable, Equatable, Codable {
    public var exposures = 0
    public var clicks = 0
    public var interactions = 0
    public var conversions = 0
    public var activePeople = 0
    public var convertingPeople = 0
    public var newPeople = 0
    /// New people whose activation window has ended by `now`, and those of them activated.
    public var activationEligible = 0
    public var activatedPeople = 0
    /// New people whose day 1 (day 7) after first seen has ended, and those of them active on it.
    public var day1Eligible = 0
    public var day1Retained = 0
    public var day7Eligible = 0
    public var day7Retained = 0
    public var previousActivePeople = 0
    public var churnedPeople = 0
    public var silentPeople = 0
    public var reactivatedPeople = 0
    public var orders = 0
    /// Minor units of the workspace currency.
    public var revenue: Int64 = 0
    public var buyers = 0
    public var repeatBuyers = 0

    public init() {}

    /// Clicks ÷ exposures.
    public var ctr: Double? { Self.ratio(clicks, exposures) }
    /// Converting people ÷ active people.
    public var conversionRate: Double? { Self.ratio(convertingPeople, activePeople) }
    /// Activated new people ÷ new people whose activation window has ended.
    public var activationRate: Double? { Self.ratio(activatedPeople, activationEligible) }
    public var day1Retention: Double? { Self.ratio(day1Retained, day1Eligible) }
    public var day7Retention: Double? { Self.ratio(day7Retained, day7Eligible) }
    /// Churned people ÷ people active in the previous period.
    public var churnRate: Double? { Self.ratio(churnedPeople, previousActivePeople) }
    /// Reactivated people ÷ people silent at the period start.
    public var reactivationRate: Double? { Self.ratio(reactivatedPeople, silentPeople) }
    /// Revenue ÷ orders, minor units.
    public var averageOrderValue: Double? { orders == 0 ? nil : Double(revenue) / Double(orders) }
    /// Repeat buyers ÷ buyers.
    public var repurchaseRate: Double? { Self.ratio(repeatBuyers, buyers) }
    /// Buyers ÷ active people.
    public var payingPenetration: Double? { Self.ratio(buyers, activePeople) }
    /// Revenue ÷ active people, minor units.
    public var arpu: Double? { activePeople == 0 ? nil : Double(revenue) / Double(activePeople) }

    private static func ratio(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

    /// The value of one metric.
    public func value(_ metric: KPIMetric) -> Double? {
        switch metric {
        case .exposures: return Double(exposures)
        case .clicks: return Double(clicks)
        case .ctr: return ctr
        case .interactions: return Double(interactions)
        case .conversions: return Double(conversions)
        case .conversionRate: return conversionRate
        case .activePeople: return Double(activePeople)
        case .newPeople: return Double(newPeople)
        case .activationRate: return activationRate
        case .day1Retention: return day1Retention
        case .day7Retention: return day7Retention
        case .churnRate: return churnRate
        case .reactivationRate: return reactivationRate
        case .orders: return Double(orders)
        case .revenue: return Double(revenue)
        case .averageOrderValue: return averageOrderValue
        case .repurchaseRate: return repurchaseRate
        case .payingPenetration: return payingPenetration
        case .arpu: return arpu
        }
    }

    /// The change of every metric from `baseline` (the previous period, or the same weekday a
    /// week before) to these values.
    public func changes(from baseline: KPIValues) -> [KPIChange] {
        KPIMetric.allCases.map { KPIChange(metric: $0, current: value($0), baseline: baseline.value($0)) }
    }
}

/// The metrics of the KPI set, in the order an operator reads them.
public enum KPIMetric: String, Sendable, Codable, CaseIterable {
    case exposures, clicks, ctr, interactions, conversions, conversionRate, activePeople, newPeople, activationRate
    case day1Retention, day7Retention, churnRate, reactivationRate, orders, revenue, averageOrderValue, repurchaseRate
    case payingPenetration, arpu
}

/// How one metric moved between a baseline period and the current one.
public struct KPIChange: Sendable, Equatable, Codable {
    public var metric: KPIMetric
    public var current: Double?
    public var baseline: Double?

    public init(metric: KPIMetric, current: Double?, baseline: Double?) {
        self.metric = metric
        self.current = current
        self.baseline = baseline
    }

    /// Current − baseline (for rates: the change in points of the 0…1 scale).
    public var difference: Double? {
        guard let current, let baseline else { return nil }
        return current - baseline
    }

    /// (current − baseline) ÷ |baseline|; `nil` when the baseline is zero or missing.
    public var relative: Double? {
        guard let current, let baseline, baseline != 0 else { return nil }
        return (current - baseline) / abs(baseline)
    }
}

/// Computes the KPI set over a ``Dataset`` in one pass over each person's events.
public struct KPIEngine: Sendable {
    public let dataset: Dataset
    public let query: KPIQuery
    public let calendar: LocalCalendar
    public let now: Int64
    private let personFilter: PersonRuleEvaluator?
    /// Per event-name index: which mapping lists hold it (``Role`` bits).
    private let roles: [UInt8]

    private enum Role {
        static let exposure: UInt8 = 1
        static let click: UInt8 = 2
        static let interaction: UInt8 = 4
        static let conversion: UInt8 = 8
        static let keyAction: UInt8 = 16
    }

    public init(dataset: Dataset, query: KPIQuery, calendar: LocalCalendar, now: Int64) {
        self.dataset = dataset
        self.query = query
        self.calendar = calendar
        self.now = now
        personFilter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
        var roles = [UInt8](repeating: 0, count: dataset.nameDictionary.count)
        let lists: [(names: [String], role: UInt8)] = [
            (query.mapping.exposures, Role.exposure), (query.mapping.clicks, Role.click), (query.mapping.interactions, Role.interaction),
            (query.mapping.conversions, Role.conversion), (query.mapping.keyActions, Role.keyAction),
        ]
        for (names, role) in lists {
            for name in names { if let index = dataset.nameIndex(name) { roles[Int(index)] |= role } }
        }
        self.roles = roles
    }

    private static let identify = UInt8(MessageType.identify.code)
    private static let alias = UInt8(MessageType.alias.code)
    private static let page = UInt8(MessageType.page.code)
    private static let screen = UInt8(MessageType.screen.code)

    /// The periods computed: those of the range, after `lead + 1` earlier ones (baselines, and
    /// the period before the first baseline for its churn).
    struct Layout {
        var base: Int
        var count: Int
        var lead: Int
        /// Start instant of each period and of the one after the last.
        var starts: [Int64]
        /// Instant before which a person's last activity makes them silent at each period start.
        var silentCutoffs: [Int64]
    }

    func layout() -> Layout {
        let period = query.period
        let first = calendar.bucket(query.range.from, period)
        let last = max(first, calendar.bucket(query.range.to - 1, period))
        let lead = period == .day ? 7 : 1
        let base = first - lead - 1
        let count = last - base + 1
        let starts = (0...count).map { calendar.start(ofBucket: base + $0, period) }
        let silentCutoffs = (0..<count).map { calendar.start(ofDay: calendar.firstDay(ofBucket: base + $0, period) - query.silentDays) }
        return Layout(base: base, count: count, lead: lead, starts: starts, silentCutoffs: silentCutoffs)
    }

    /// Slots of a row: 0 all people, 1 events without a channel, `2 + c` channel `c`.
    private var slotCount: Int { dataset.channelDictionary.count + 2 }

    public func run() -> KPIResult {
        let layout = self.layout()
        let slots = slotCount
        var values = [KPIValues](repeating: KPIValues(), count: layout.count * slots)
        // Active in the period and in the one before, per row and slot.
        var continuing = [Int](repeating: 0, count: layout.count * slots)
        var state = PersonState(slots: slots)
        for person in 0..<dataset.personCount {
            if let personFilter, !personFilter.matches(person) { continue }
            accumulate(person, layout, &state, &values, &continuing)
        }
        for row in 0..<layout.count {
            let silent = values[row * slots].silentPeople
            for slot in 0..<slots {
                let cell = row * slots + slot
                values[cell].churnedPeople = values[cell].previousActivePeople - continuing[cell]
                values[cell].silentPeople = silent
            }
        }
        return assemble(values, layout)
    }

    /// Reused per-person buffers.
    private struct PersonState {
        var lastActiveRow: [Int]
        var lastConvertingRow: [Int]
        var lastBuyingRow: [Int]
        var buyingSlots: [Int] = []

        init(slots: Int) {
            lastActiveRow = [Int](repeating: -2, count: slots)
            lastConvertingRow = lastActiveRow
            lastBuyingRow = lastActiveRow
        }

        mutating func reset() {
            for slot in lastActiveRow.indices {
                lastActiveRow[slot] = -2
                lastConvertingRow[slot] = -2
                lastBuyingRow[slot] = -2
            }
            buyingSlots.removeAll(keepingCapacity: true)
        }
    }

    // One walk over a person's events, in time order.
    private func accumulate(_ person: Int, _ layout: Layout, _ state: inout PersonState, _ values: inout [KPIValues], _ continuing: inout [Int]) {
        let slots = slotCount
        let start = dataset.eventStart(person)
        let end = dataset.eventEnd(person)
        state.reset()
        let windowEnd = layout.starts[layout.count]

        // New person: first seen inside the computed periods.
        let recordedFirstSeen = dataset.firstSeen[person]
        let firstSeen: Int64? = recordedFirstSeen != .min ? recordedFirstSeen : (start < end ? dataset.timestamps[start] : nil)
        let firstSeenTime = firstSeen ?? .max
        var newRow = -1
        var scanEnd = windowEnd
        let day = 86_400_000 as Int64
        var activationEnd: Int64 = 0
        var firstDay = 0
        if let firstSeen, firstSeen >= layout.starts[0], firstSeen < windowEnd {
            newRow = calendar.bucket(firstSeen, query.period) - layout.base
            firstDay = calendar.day(firstSeen)
            activationEnd = firstSeen + Int64(query.activationDays) * day
            scanEnd = max(windowEnd, activationEnd, calendar.start(ofDay: firstDay + 8))
        }
        var activated = false
        var activeDay1 = false
        var activeDay7 = false

        var lastActivity: Int64?
        var nextSilentRow = 0
        var silentRow = -1
        var orderCount = 0
        var pendingRow = -1
        var cursor = 0

        // Events before the computed periods count only through the orders placed (a repeat buyer's
        // orders are counted since the first) and the last activity (who was silent when a period
        // began): both are read without the walk below, which starts at the first period.
        var index = start
        let first = dataset.firstEvent(of: person, atOrAfter: layout.starts[0])
        if first > start {
            for e in start..<first where dataset.isOrder[e] { orderCount += 1 }
            var e = first - 1
            while e >= start {
                let type = dataset.types[e]
                if type != Self.identify && type != Self.alias {
                    lastActivity = dataset.timestamps[e]
                    break
                }
                e -= 1
            }
            index = first
        }

        func flushRepeat() {
            if orderCount >= 2 { for slot in state.buyingSlots { values[pendingRow * slots + slot].repeatBuyers += 1 } }
            state.buyingSlots.removeAll(keepingCapacity: true)
            pendingRow = -1
        }

        while index < end {
            let time = dataset.timestamps[index]
            if time >= scanEnd { break }
            defer { index += 1 }
            let type = dataset.types[index]
            let isActivity = type != Self.identify && type != Self.alias
            let name = dataset.names[index]
            let role = name >= 0 ? roles[Int(name)] : 0

            if newRow >= 0 && time >= firstSeenTime {
                if role & Role.keyAction != 0 && time < activationEnd { activated = true }
                if isActivity {
                    let offset = calendar.day(time) - firstDay
                    if offset == 1 { activeDay1 = true } else if offset == 7 { activeDay7 = true }
                }
            }

            // Periods whose start has been reached: was the person silent when each began?
            if isActivity {
                while nextSilentRow < layout.count && layout.starts[nextSilentRow] <= time {
                    if let lastActivity, lastActivity < layout.silentCutoffs[nextSilentRow] {
                        values[nextSilentRow * slots].silentPeople += 1
                        silentRow = nextSilentRow
                    }
                    nextSilentRow += 1
                }
            }

            // The period of the event: events come in time order, so the cursor only moves forward.
            while cursor < layout.count && layout.starts[cursor + 1] <= time { cursor += 1 }
            let row = time < layout.starts[0] || cursor == layout.count ? -1 : cursor
            if pendingRow >= 0 && row != pendingRow { flushRepeat() }
            let isOrder = dataset.isOrder[index]
            if isOrder { orderCount += 1 }
            if isActivity { lastActivity = time }
            guard row >= 0 else { continue }

            let channelSlot = Int(dataset.channels[index]) + 2
            for pass in 0..<2 {
                let slot = pass == 0 ? 0 : channelSlot
                let cell = row * slots + slot
                if role & Role.exposure != 0 || (query.mapping.pageAndScreenAreExposures && (type == Self.page || type == Self.screen)) {
                    values[cell].exposures += 1
                }
                if role & Role.click != 0 { values[cell].clicks += 1 }
                if role & Role.interaction != 0 { values[cell].interactions += 1 }
                if role & Role.conversion != 0 {
                    values[cell].conversions += 1
                    if state.lastConvertingRow[slot] != row {
                        state.lastConvertingRow[slot] = row
                        values[cell].convertingPeople += 1
                    }
                }
                if isOrder {
                    values[cell].orders += 1
                    values[cell].revenue.addSaturated(dataset.revenue[index])
                    if state.lastBuyingRow[slot] != row {
                        state.lastBuyingRow[slot] = row
                        values[cell].buyers += 1
                        state.buyingSlots.append(slot)
                        pendingRow = row
                    }
                }
                if isActivity && state.lastActiveRow[slot] != row {
                    values[cell].activePeople += 1
                    if state.lastActiveRow[slot] == row - 1 { continuing[cell] += 1 }
                    if row + 1 < layout.count { values[cell + slots].previousActivePeople += 1 }
                    if silentRow == row { values[cell].reactivatedPeople += 1 }
                    state.lastActiveRow[slot] = row
                }
            }
        }
        if pendingRow >= 0 { flushRepeat() }
        // Periods that began after the person's last event.
        if let lastActivity {
            while nextSilentRow < layout.count {
                if lastActivity < layout.silentCutoffs[nextSilentRow] { values[nextSilentRow * slots].silentPeople += 1 }
                nextSilentRow += 1
            }
        }

        if newRow >= 0 {
            let channelSlot = Int(dataset.firstChannel[person]) + 2
            for slot in [0, channelSlot] {
                let cell = newRow * slots + slot
                values[cell].newPeople += 1
                if activationEnd <= now {
                    values[cell].activationEligible += 1
                    if activated { values[cell].activatedPeople += 1 }
                }
                if calendar.start(ofDay: firstDay + 2) <= now {
                    values[cell].day1Eligible += 1
                    if activeDay1 { values[cell].day1Retained += 1 }
                }
                if calendar.start(ofDay: firstDay + 8) <= now {
                    values[cell].day7Eligible += 1
                    if activeDay7 { values[cell].day7Retained += 1 }
                }
            }
        }
    }

    /// The series of the periods in the range, with their baselines.
    private func assemble(_ values: [KPIValues], _ layout: Layout) -> KPIResult {
        let slots = slotCount
        let rows = (layout.lead + 1)..<layout.count
        func series(_ slot: Int, _ channel: String) -> KPIResult.Series {
            KPIResult.Series(
                channel: channel,
                points: rows.map { row in
                    KPIResult.Point(
                        bucket: layout.base + row,
                        label: calendar.label(ofBucket: layout.base + row, query.period),
                        values: values[row * slots + slot],
                        previous: values[(row - 1) * slots + slot],
                        sameWeekdayLastWeek: query.period == .day ? values[(row - 7) * slots + slot] : nil
                    )
                }
            )
        }
        var result = [series(0, "all")]
        guard query.byChannel else { return KPIResult(series: result) }
        var channels: [(slot: Int, name: String, active: Int)] = []
        for slot in 1..<slots {
            let cells = rows.map { values[$0 * slots + slot] }
            let touched = cells.contains { $0.activePeople > 0 || $0.newPeople > 0 || $0.orders > 0 || $0.previousActivePeople > 0 }
            guard touched else { continue }
            let name = dataset.channelName(Int32(slot - 2))
            channels.append((slot, name, cells.reduce(0) { $0 + $1.activePeople }))
        }
        channels.sort { ($0.active, $1.name) > ($1.active, $0.name) }
        result += channels.map { series($0.slot, $0.name) }
        return KPIResult(series: result)
    }
}
