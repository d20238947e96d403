import SiyuCore

/// Turns the channel board into the wall screen's tiles (`CampaignPage.Tile`), written for the reader's language, with
/// dark-theme sparklines of the last 14 days.
struct CampaignPresenter {
    let strings: StringTable
    let format: LocaleFormat
    let currency: String
    /// Display names of the workspace's channels by key.
    let channelNames: [String: String]
    /// Channel key (`all` for the total) → the daily trend the sparklines draw.
    let trends: [String: [ChannelBoard.Day]]

    /// The last `days` days of every row of a board, by channel key.
    static func trends(_ board: ChannelBoard, days: Int) -> [String: [ChannelBoard.Day]] {
        var trends: [String: [ChannelBoard.Day]] = [:]
        for row in [board.total] + board.channels + board.kols { trends[row.channel] = Array(row.trend.suffix(days)) }
        return trends
    }

    /// The figures across the top of the screen.
    func totals(_ row: ChannelBoard.Row) -> [CampaignPage.Figure] {
        var figures = [
            figure("reach", compact(row.reach), format.integer(row.reach)),
            figure("newPeople", compact(row.newPeople), format.integer(row.newPeople)),
            figure("conversions", compact(row.conversions), format.integer(row.conversions)),
            figure("revenue", money(row.revenue), money(row.revenue)),
        ]
        if let cost = row.cost { figures.append(figure("cost", money(cost), money(cost))) }
        if let roas = row.roas { figures.append(figure("roas", ratio(roas), ratio(roas))) }
        if let value = row.averageCustomerValue { figures.append(figure("clv", majorMoney(value), majorMoney(value))) }
        return figures
    }

    /// One channel's or KOL's tile.
    func tile(_ row: ChannelBoard.Row) -> CampaignPage.Tile {
        let name = channelName(row.channel, fallback: row.name)
        let trend = trends[row.channel] ?? []
        let format = self.format
        let currency = self.currency
        let revenueLine = Sparkline(
            title: strings.text("campaign.sparkRevenue", ["name": name]),
            values: trend.map { Double($0.revenue) },
            noDataText: strings.text("campaign.noTrend"),
            width: 220,
            height: 44,
            colorIndex: 0,
            theme: .dark,
            valueFormatter: { format.money(minorUnits: Int64($0.rounded()), currency: currency) }
        )
        let peopleLine = Sparkline(
            title: strings.text("campaign.sparkNewPeople", ["name": name]),
            values: trend.map { Double($0.newPeople) },
            noDataText: strings.text("campaign.noTrend"),
            width: 220,
            height: 44,
            colorIndex: 1,
            theme: .dark,
            valueFormatter: { format.integer(Int64($0.rounded())) }
        )
        let unknown = strings.text("campaign.unknown")
        return CampaignPage.Tile(
            key: row.channel,
            name: name,
            kind: row.kind.map { strings.text("campaign.kinds." + $0.rawValue) } ?? "",
            reach: compact(row.reach),
            reachExact: format.integer(row.reach),
            newPeople: compact(row.newPeople),
            newPeopleExact: format.integer(row.newPeople),
            conversions: compact(row.conversions),
            conversionsExact: format.integer(row.conversions),
            orders: format.integer(row.orders),
            revenue: money(row.revenue),
            cost: row.cost.map(money) ?? unknown,
            hasCost: row.cost != nil,
            costPerNewPerson: row.costPerNewPerson.map { money(Int64($0.rounded(.toNearestOrAwayFromZero))) } ?? "–",
            roi: row.roi.map { format.signedPercent($0) } ?? "–",
            roas: row.roas.map(ratio) ?? "–",
            roiTone: row.roi.map { $0 >= 0 ? "good" : "bad" } ?? "none",
            clv: row.averageCustomerValue.map(majorMoney) ?? "–",
            revenueSpark: revenueLine.svg(),
            newPeopleSpark: peopleLine.svg()
        )
    }

    func channelName(_ key: String, fallback: String) -> String {
        if key.isEmpty || key == "(none)" { return strings.text("campaign.noChannel") }
        return channelNames[key] ?? fallback
    }

    private func figure(_ key: String, _ value: String, _ exact: String) -> CampaignPage.Figure {
        CampaignPage.Figure(key: key, label: strings.text("campaign.figures." + key), value: value, exact: exact)
    }

    private func compact(_ count: Int) -> String { format.compact(Int64(count)) }

    private func money(_ minor: Int64) -> String { format.money(minorUnits: minor, currency: currency) }

    /// Money given in major units (the `clv` attribute's unit), rounded to the minor unit.
    private func majorMoney(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency.uppercased()) { scale *= 10 }
        let minor = (value * scale).rounded(.toNearestOrAwayFromZero)
        guard abs(minor) < 9e18 else { return "–" }
        return money(Int64(minor))
    }

    /// ROAS: `2.73×`.
    private func ratio(_ value: Double) -> String { format.decimal(value, digits: 2) + "×" }
}
