import SiyuCore

/// The numbers of the real-time board (the desk screen), taken from the KPI kernel's answers:
/// today against yesterday and the same weekday last week, today and yesterday hour by hour, and
/// today's channels.
struct RealtimeBoard: Sendable {
    /// The metrics on the board's tiles, in reading order.
    enum Metric: String, CaseIterable, Sendable {
        case exposures, clicks, interactions, conversions, revenue, newPeople, activePeople

        func value(_ values: KPIValues) -> Int64 {
            switch self {
            case .exposures: return Int64(values.exposures)
            case .clicks: return Int64(values.clicks)
            case .interactions: return Int64(values.interactions)
            case .conversions: return Int64(values.conversions)
            case .revenue: return values.revenue
            case .newPeople: return Int64(values.newPeople)
            case .activePeople: return Int64(values.activePeople)
            }
        }
    }

    /// One metric today, yesterday (whole day) and on the same weekday last week (whole day).
    struct Tile: Sendable, Equatable {
        var metric: Metric
        var today: Int64
        var yesterday: Int64
        var lastWeek: Int64
    }

    /// One local hour of today (nil once it lies ahead) and of yesterday.
    struct Hour: Sendable {
        var hour: Int
        var today: KPIValues?
        var yesterday: KPIValues
    }

    /// A channel's KPIs today.
    struct ChannelRow: Sendable {
        var key: String
        var values: KPIValues
    }

    var tiles: [Tile]
    var hours: [Hour]
    /// Channels active today, most active people first.
    var channels: [ChannelRow]
    /// Today's total active people, for channel shares.
    var activeToday: Int

    /// Reads the board from a daily KPI answer for today (with its channel series) and an hourly one
    /// covering yesterday and today. `currentHour` is the local hour now (0–23).
    init(daily: KPIResult, hourly: KPIResult, calendar: LocalCalendar, today: Int, currentHour: Int) {
        let total = daily.series.first { $0.channel == "all" }?.points.last
        let values = total?.values ?? KPIValues()
        let yesterday = total?.previous ?? KPIValues()
        let lastWeek = total?.sameWeekdayLastWeek ?? KPIValues()
        tiles = Metric.allCases.map { Tile(metric: $0, today: $0.value(values), yesterday: $0.value(yesterday), lastWeek: $0.value(lastWeek)) }
        activeToday = values.activePeople

        var todayHours: [Int: KPIValues] = [:]
        var yesterdayHours: [Int: KPIValues] = [:]
        for point in hourly.series.first?.points ?? [] {
            let day = calendar.firstDay(ofBucket: point.bucket, .hour)
            let hour = point.bucket - day * 24
            if day == today { todayHours[hour] = point.values } else if day == today - 1 { yesterdayHours[hour] = point.values }
        }
        hours = (0..<24).map { hour in
            Hour(hour: hour, today: hour <= currentHour ? todayHours[hour] ?? KPIValues() : nil, yesterday: yesterdayHours[hour] ?? KPIValues())
        }

        channels = daily.series.filter { $0.channel != "all" }.compactMap { series in
            guard let point = series.points.last, point.values.activePeople > 0 || point.values.orders > 0 else { return nil }
            return ChannelRow(key: series.channel, values: point.values)
        }.sorted { ($0.values.activePeople, $0.values.revenue, $1.key) > ($1.values.activePeople, $1.values.revenue, $0.key) }
    }

    /// Whether anything happened today at all.
    var isEmptyToday: Bool { tiles.allSatisfy { $0.today == 0 } }
}
