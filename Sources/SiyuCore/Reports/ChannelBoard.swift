/// The campaign / channel board (wall screen): per channel and per KOL over a run of local days,
/// the people reached, new people, conversions, orders, revenue, cost where known, and the value
/// of the customers the channel brought, with a daily trend for sparklines.
///
/// Definitions (the KPI kernel's, see ``KPIQuery``, over the whole local days the range touches):
/// - **reach**: distinct people active in the channel on those days (any event but `identify`
///   and `alias`); the total counts each person once, however many channels they used.
/// - **new people**: first seen on those days, in the row of their first-touch channel;
///   **conversions**, **orders**, **revenue** (minor units): events of the channel on those days.
/// - **cost**: the channel's monthly cost prorated by ``CostProration``; `nil` when unknown.
///   **Cost per new person** = cost ÷ new people (minor units); **ROI** = (revenue − cost) ÷ cost;
///   **ROAS** (投产比) = revenue ÷ cost. The total's cost is the sum of the known costs, and its
///   ratios are given only when every row's cost is known.
/// - **customer value**: the sum and average of the `clv` attribute (``WorkspaceValue/Attribute/clv``,
///   in its own units: major units of the currency) over the people whose first-touch channel it
///   is — all of them, or only those new in the range (``CustomerScope``). People without the
///   attribute are left out of both; `nil` when no one has it.
/// - A channel is a **KOL** when its key starts with `kol:`. Rows are every channel with activity
///   in the range or a known cost, by revenue, then reach, most first.
public struct ChannelBoard: Sendable, Equatable, Codable {
    /// Whose customer value a row sums.
    public enum CustomerScope: String, Sendable, Codable {
        /// Every person first touched by the channel.
        case allTime
        /// Only those first seen in the range.
        case newInRange
    }

    /// One local day of a row's trend.
    public struct Day: Sendable, Equatable, Codable {
        public var day: Int
        public var label: String
        public var revenue: Int64
        public var newPeople: Int
    }

    /// One channel, KOL or the total.
    public struct Row: Sendable, Equatable, Codable {
        /// The channel key, or `all` for the total.
        public var channel: String
        /// The registered channel's name, else its key.
        public var name: String
        /// `nil` for the total.
        public var kind: ChannelKind?
        public var isKOL: Bool
        public var reach: Int
        public var newPeople: Int
        public var conversions: Int
        public var orders: Int
        public var revenue: Int64
        public var cost: Int64?
        public var costPerNewPerson: Double?
        public var roi: Double?
        public var roas: Double?
        /// People with a customer value, and the sum and average of it.
        public var valuedCustomers: Int
        public var customerValue: Double?
        public var averageCustomerValue: Double?
        public var trend: [Day]
    }

    public var firstDay: Int
    public var lastDay: Int
    public var total: Row
    /// Channels other than KOLs.
    public var channels: [Row]
    public var kols: [Row]

    /// The board of the local days `range` touches, from the dataset and the registered channels.
    public static func make(
        dataset: Dataset,
        range: TimeRange,
        calendar: LocalCalendar,
        channels registered: [Channel],
        mapping: KPIEventMapping = .segmentEcommerce,
        customers scope: CustomerScope = .allTime,
        now: Int64
    ) -> ChannelBoard {
        let firstDay = calendar.day(range.from)
        let lastDay = max(firstDay, calendar.day(range.to - 1))
        let days = TimeRange(from: calendar.start(ofDay: firstDay), to: calendar.start(ofDay: lastDay + 1))
        let query = KPIQuery(period: .day, range: days, mapping: mapping, byChannel: true)
        let result = KPIEngine(dataset: dataset, query: query, calendar: calendar, now: now).run()
        let tally = Tally(dataset: dataset, days: days, scope: scope)
        let known = Dictionary(registered.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let emptyTrend = (firstDay...lastDay).map { Day(day: $0, label: calendar.label(ofBucket: $0, .day), revenue: 0, newPeople: 0) }

        func row(_ key: String, _ series: KPIResult.Series?) -> Row {
            let channel = known[key]
            let isTotal = key == "all"
            let points = series?.points.filter { $0.bucket >= firstDay && $0.bucket <= lastDay } ?? []
            let trend =
                series == nil
                ? emptyTrend : points.map { Day(day: $0.bucket, label: $0.label, revenue: $0.values.revenue, newPeople: $0.values.newPeople) }
            let value = isTotal ? tally.totalValue : tally.value[key]
            var result = Row(
                channel: key,
                name: channel?.name ?? key,
                kind: isTotal ? nil : channel?.kind ?? (key.hasPrefix("kol:") ? ChannelKind.partner : ChannelKind.other),
                isKOL: !isTotal && key.hasPrefix("kol:"),
                reach: isTotal ? tally.totalReach : tally.reach[key] ?? 0,
                newPeople: points.reduce(0) { $0 + $1.values.newPeople },
                conversions: points.reduce(0) { $0 + $1.values.conversions },
                orders: points.reduce(0) { $0 + $1.values.orders },
                revenue: points.lazy.map(\.values.revenue).saturatedSum(),
                cost: channel?.monthlyCostMinor.map { CostProration.prorate(monthlyMinor: $0, firstDay: firstDay, lastDay: lastDay) },
                valuedCustomers: value?.count ?? 0,
                customerValue: value?.sum,
                averageCustomerValue: value.map { $0.sum / Double($0.count) },
                trend: trend
            )
            result.deriveRatios()
            return result
        }

        let bySeries = result.series.filter { $0.channel != "all" }
        var keys = bySeries.map(\.channel)
        keys += registered.filter { $0.monthlyCostMinor != nil && !keys.contains($0.key) }.map(\.key)
        let rows = keys.map { key in row(key, bySeries.first { $0.channel == key }) }
            .sorted { ($0.revenue, $0.reach, $1.channel) > ($1.revenue, $1.reach, $0.channel) }
        var total = row("all", result.series.first { $0.channel == "all" })
        let costs = rows.compactMap(\.cost)
        total.cost = costs.isEmpty ? nil : costs.reduce(0) { $0.addingReportingOverflow($1).overflow ? .max : $0 + $1 }
        total.deriveRatios()
        if costs.count < rows.count { (total.costPerNewPerson, total.roi, total.roas) = (nil, nil, nil) }
        return ChannelBoard(firstDay: firstDay, lastDay: lastDay, total: total, channels: rows.filter { !$0.isKOL }, kols: rows.filter(\.isKOL))
    }
}

extension ChannelBoard.Row {
    /// Cost per new person, ROI and ROAS from the counts and the cost (`nil` without a cost, or
    /// when what they divide by is zero).
    mutating func deriveRatios() {
        guard let cost else {
            (costPerNewPerson, roi, roas) = (nil, nil, nil)
            return
        }
        costPerNewPerson = newPeople > 0 ? Double(cost) / Double(newPeople) : nil
        roi = cost > 0 ? (Double(revenue) - Double(cost)) / Double(cost) : nil
        roas = cost > 0 ? Double(revenue) / Double(cost) : nil
    }
}
