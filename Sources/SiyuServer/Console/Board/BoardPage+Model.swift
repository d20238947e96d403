/// What `board.mustache` and its partials show, every value already formatted for the reader's language.
extension BoardPage {
    struct Model {
        /// Today's local date.
        var today: String
        /// The local time of the numbers.
        var updated: String
        var tiles: [Tile]
        var emptyToday: Bool
        /// The hourly chart and table (`board-hours.mustache`), already rendered.
        var hourlyChart: String
        var channels: [Channel]
        var hasChannels: Bool
        /// The latest events (`board-events.mustache`, also served alone to the page's script).
        var events: [Event]
        var emptyHint: String
        /// What journeys did today (the outbox's rows made since local midnight), in words.
        var journeyActions: String
    }

    /// A metric today, and its change against yesterday and the same weekday last week.
    struct Tile {
        var key: String
        var label: String
        var today: String
        var todayExact: String
        var yesterday: String
        var lastWeek: String
        var vsYesterday: ConsoleDelta
        var vsLastWeek: ConsoleDelta
    }

    /// What `board-hours.mustache` shows.
    struct Hours {
        var hours: [Hour]
        var chart: String
    }

    /// One local hour of today and of yesterday; hours ahead are `future`, the hour now `current`.
    struct Hour {
        var hour: String
        var activeToday: String
        var activeYesterday: String
        var conversionsToday: String
        var conversionsYesterday: String
        var revenueToday: String
        var revenueYesterday: String
        var future: Bool
        var current: Bool
    }

    struct Channel {
        var name: String
        var active: String
        var share: String
        var newPeople: String
        var conversions: String
        var revenue: String
    }

    /// What `board-events.mustache` shows.
    struct Events {
        var events: [Event]
    }

    struct Event {
        var time: String
        var event: String
        var person: String
        var channel: String
        /// Only for events that carry revenue.
        var revenue: String?
    }
}
