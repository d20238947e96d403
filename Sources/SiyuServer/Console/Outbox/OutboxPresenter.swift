import SiyuCore
import SiyuStore

/// Turns outbox rows into the outbox page's rows, in the reader's language.
struct OutboxPresenter {
    let fmt: PeopleFormat

    func row(_ message: OutboxMessage, journeys: [Int64: String], canRun: Bool) -> OutboxPage.Row {
        let strings = fmt.strings
        let channelKey = "outbox.channels." + message.channel
        let channel = strings.text(channelKey)
        return OutboxPage.Row(
            id: message.id,
            created: fmt.time(message.createdAt),
            channel: channel == channelKey ? message.channel : channel,
            status: strings.text("outbox.status." + message.status.rawValue),
            statusKey: message.status.rawValue,
            attempts: fmt.format.integer(message.attempts),
            journey: message.journeyId.map { journeys[$0] ?? "#\($0)" },
            journeyHref: message.journeyId.map { "/console/journeys/\($0)" },
            personHref: message.personId.map { "/console/people/\($0)" },
            person: message.personId.map { "#\($0)" },
            lastError: message.lastError,
            response: message.response,
            key: message.key,
            delivered: fmt.time(message.deliveredAt),
            canRetry: canRun && message.status == .failed
        )
    }

    func filters(current: OutboxStatus?) -> [OutboxPage.Filter] {
        [OutboxPage.Filter(label: fmt.strings.text("outbox.all"), href: "/console/outbox", current: current == nil)]
            + OutboxStatus.allCases.map { status in
                OutboxPage.Filter(
                    label: fmt.strings.text("outbox.status." + status.rawValue),
                    href: "/console/outbox?status=" + status.rawValue,
                    current: current == status
                )
            }
    }
}
