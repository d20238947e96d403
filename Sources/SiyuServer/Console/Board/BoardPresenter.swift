import SiyuCore
import SiyuStore

/// Turns the board's numbers and the latest events into the parts of `BoardPage.Model`, written
/// for the reader's language.
struct BoardPresenter {
    let strings: StringTable
    let format: LocaleFormat
    let currency: String
    let calendar: LocalCalendar
    /// Display names of the workspace's channels by key.
    let channelNames: [String: String]

    /// The tiles: today's value, and its change against yesterday and the same weekday last week.
    func tiles(_ board: RealtimeBoard) -> [BoardPage.Tile] {
        board.tiles.map { tile in
            BoardPage.Tile(
                key: tile.metric.rawValue,
                label: strings.text("board.metrics." + tile.metric.rawValue),
                today: value(tile.metric, tile.today, compact: true),
                todayExact: value(tile.metric, tile.today, compact: false),
                yesterday: value(tile.metric, tile.yesterday, compact: true),
                lastWeek: value(tile.metric, tile.lastWeek, compact: true),
                vsYesterday: change(tile.today, tile.yesterday),
                vsLastWeek: change(tile.today, tile.lastWeek)
            )
        }
    }

    /// Today's and yesterday's hours, midnight first; the hour now is marked `current`.
    func hours(_ board: RealtimeBoard) -> [BoardPage.Hour] {
        let current = board.hours.last { $0.today != nil }?.hour
        return board.hours.map { hour in
            let today = hour.today
            return BoardPage.Hour(
                hour: (hour.hour < 10 ? "0" : "") + "\(hour.hour):00",
                activeToday: today.map { format.integer($0.activePeople) } ?? "–",
                activeYesterday: format.integer(hour.yesterday.activePeople),
                conversionsToday: today.map { format.integer($0.conversions) } ?? "–",
                conversionsYesterday: format.integer(hour.yesterday.conversions),
                revenueToday: today.map { format.money(minorUnits: $0.revenue, currency: currency) } ?? "–",
                revenueYesterday: format.money(minorUnits: hour.yesterday.revenue, currency: currency),
                future: today == nil,
                current: hour.hour == current
            )
        }
    }

    /// Active people per hour, today (up to the hour now) against yesterday (dashed).
    func hourlyChart(_ board: RealtimeBoard) -> String {
        let format = self.format
        return LineChart(
            title: strings.text("board.hourly") + " · " + strings.text("board.metrics.activePeople"),
            xLabels: board.hours.map { ($0.hour < 10 ? "0" : "") + "\($0.hour)" },
            series: [
                LineChart.Series(name: strings.text("board.today"), values: board.hours.map { $0.today.map { Double($0.activePeople) } ?? .nan }),
                LineChart.Series(
                    name: strings.text("board.yesterday"),
                    values: board.hours.map { Double($0.yesterday.activePeople) },
                    isComparison: true,
                    colorIndex: 0
                ),
            ],
            noDataText: strings.text("board.emptyTitle"),
            width: 640,
            height: 260,
            valueFormatter: { value in value.isFinite ? format.compact(Int64(value.rounded())) : "–" }
        ).svg()
    }

    /// Today's channels, at most eight.
    func channels(_ board: RealtimeBoard) -> [BoardPage.Channel] {
        board.channels.prefix(8).map { row in
            BoardPage.Channel(
                name: channelName(row.key),
                active: format.integer(row.values.activePeople),
                share: board.activeToday > 0 ? format.percent(Double(row.values.activePeople) / Double(board.activeToday)) : "–",
                newPeople: format.integer(row.values.newPeople),
                conversions: format.integer(row.values.conversions),
                revenue: format.money(minorUnits: row.values.revenue, currency: currency)
            )
        }
    }

    /// The latest events as table rows.
    func events(_ events: [StoredEvent]) -> [BoardPage.Event] {
        events.map { event in
            let message = event.message
            let name: String
            switch message.type {
            case .track: name = message.event ?? "track"
            case .page, .screen: name = strings.text("board.live.pageView", ["name": message.event ?? ""])
            default: name = message.type.rawValue
            }
            var row = BoardPage.Event(
                time: clock(event.message.timestamp),
                event: name,
                person: message.userId ?? message.anonymousId.map { "~" + $0.prefix(10) } ?? "#\(event.personId)",
                channel: channelName(event.channel)
            )
            if let revenue = event.revenueMinor, revenue != 0 {
                row.revenue = format.money(minorUnits: revenue, currency: event.currency ?? currency)
            }
            return row
        }
    }

    /// Local wall-clock time of an instant: `14:05:09`.
    func clock(_ instant: Int64) -> String {
        let hourBucket = calendar.bucket(instant, .hour)
        let hour = hourBucket - calendar.firstDay(ofBucket: hourBucket, .hour) * 24
        let seconds = Int((instant - calendar.start(ofBucket: hourBucket, .hour)) / 1000)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(hour)):\(two(seconds / 60)):\(two(seconds % 60))"
    }

    func channelName(_ key: String) -> String {
        if key.isEmpty || key == "(none)" { return strings.text("board.noChannel") }
        return channelNames[key] ?? key
    }

    private func value(_ metric: RealtimeBoard.Metric, _ value: Int64, compact: Bool) -> String {
        if metric == .revenue { return format.money(minorUnits: value, currency: currency) }
        return compact ? format.compact(value) : format.integer(value)
    }

    /// `+12.0%` going `up`; "new" when there was nothing to compare with.
    private func change(_ current: Int64, _ baseline: Int64) -> ConsoleDelta {
        guard baseline != 0 else {
            return ConsoleDelta(text: current == 0 ? "–" : strings.text("board.new"), direction: "flat")
        }
        return ConsoleDelta(relative: Double(current - baseline) / Double(abs(baseline)), format: format)
    }
}
