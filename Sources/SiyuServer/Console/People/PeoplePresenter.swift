import SiyuCore
import SiyuStore

/// Turns profiles, predicted values and events into the rows of the people pages
/// (`PeoplePage.Row`, `PeoplePage.Summary`, `PeoplePage.Value`, `PeoplePage.Event`).
struct PeoplePresenter {
    let fmt: PeopleFormat
    /// Display names of the workspace's channels by key.
    let names: [String: String]

    /// A row of the people table.
    func row(_ profile: PersonProfile, tags: [String]) -> PeoplePage.Row {
        let name = profile.traits["name"]?.scalarText
        return PeoplePage.Row(
            id: profile.id,
            href: "/console/people/\(profile.id)",
            display: name ?? profile.userId ?? "#\(profile.id)",
            userId: profile.userId ?? "",
            hasName: name != nil,
            firstChannel: fmt.channel(profile.firstChannel, names: names),
            lastSeen: fmt.time(profile.lastSeen),
            orders: fmt.format.integer(profile.orderCount),
            revenue: fmt.money(profile.revenueMinor),
            tags: tags.map { PeoplePage.Tag(tag: $0) }
        )
    }

    /// The person's row with when they were first and last seen, their last channel and events.
    func summary(_ profile: PersonProfile, tags: [String]) -> PeoplePage.Summary {
        let row = row(profile, tags: tags)
        return PeoplePage.Summary(
            id: row.id,
            href: row.href,
            display: row.display,
            userId: row.userId,
            hasName: row.hasName,
            firstChannel: row.firstChannel,
            lastSeen: fmt.time(profile.lastSeen),
            orders: row.orders,
            revenue: row.revenue,
            tags: row.tags,
            firstSeen: fmt.time(profile.firstSeen),
            lastChannel: fmt.channel(profile.lastChannel, names: names),
            events: fmt.format.integer(profile.eventCount)
        )
    }

    /// Predicted values from the model attributes, each in its unit.
    func values(_ values: [String: Double], strings: StringTable) -> [PeoplePage.Value] {
        values.keys.sorted().map { key in
            let value = values[key] ?? .nan
            let text: String
            switch key {
            case WorkspaceValue.Attribute.clv, WorkspaceValue.Attribute.expectedAverageValue: text = fmt.money(major: value)
            case WorkspaceValue.Attribute.probabilityAlive: text = fmt.format.percent(value)
            default: text = fmt.format.decimal(value, digits: 2)
            }
            let labelKey = "people.valueNames." + key
            let label = strings.text(labelKey)
            return PeoplePage.Value(name: label == labelKey ? key : label, value: text)
        }
    }

    /// A row of the timeline: name, channel, local time and a few key properties.
    func event(_ event: StoredEvent) -> PeoplePage.Event {
        let message = event.message
        let name = message.event ?? message.type.rawValue
        var details: [String] = []
        if let revenue = event.revenueMinor { details.append(fmt.money(revenue)) }
        let source = message.type == .identify ? message.traits : message.properties
        for key in source.keys.sorted() where details.count < 4 {
            guard key != "revenue", let text = source[key]?.scalarText, !text.isEmpty else { continue }
            details.append("\(key)=\(text.count > 40 ? String(text.prefix(40)) + "…" : text)")
        }
        return PeoplePage.Event(
            name: name,
            channel: fmt.channel(event.channel, names: names),
            time: fmt.time(message.timestamp),
            details: details.joined(separator: " · "),
            isOrder: message.flags.contains(.order)
        )
    }
}
