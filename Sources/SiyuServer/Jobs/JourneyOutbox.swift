import SiyuCore
import SiyuStore

/// A journey action as an outbox row: its channel, what to do (JSON), and the key that makes it
/// happen once. The key names the instance (one journey, person and entry), the step the walk
/// started from and the action's place in that walk: the same walk repeated after a crash asks for
/// the same keys, which the outbox keeps once.
enum JourneyOutbox {
    static func draft(
        _ act: JourneyWalker.Act,
        journey: Journey,
        instance: JourneyInstance,
        index: Int,
        now: Int64,
        templateChannels: [Int64: MessageChannel] = [:]
    ) -> OutboxDraft {
        let key = "journey:\(journey.id):v\(journey.version):i\(instance.id):s\(instance.step):\(index):\(act.node)"
        var payload: JSONObject = [
            "journey": .int(journey.id), "version": .int(Int64(journey.version)), "node": .string(act.node),
            "person": .int(instance.personId), "entryKey": .string(instance.entryKey),
        ]
        let channel: String
        switch act.action {
        case .addTag(let tag):
            channel = "tag"
            payload["add"] = [.string(tag)]
        case .removeTag(let tag):
            channel = "tag"
            payload["remove"] = [.string(tag)]
        case .addToSegment(let id):
            channel = "segment"
            payload["segment"] = .int(id)
        case .staffTask(let title, let assignee, let minutes):
            channel = "task"
            payload["title"] = .string(title)
            payload["assignee"] = assignee.map(JSONValue.string) ?? .null
            payload["dueAt"] = .string(Timestamp.iso8601(now + Int64(minutes) * 60_000))
        case .webhook(let url):
            channel = "webhook"
            payload["url"] = .string(url)
        case .message(let message):
            // A template deleted before its first message: the row fails for good when delivered.
            channel = templateChannels[message.templateId]?.outboxChannel ?? "message"
            payload["template"] = .int(message.templateId)
            if let cap = message.cap {
                payload["cap"] = .object([
                    "perDay": cap.perDay.map { .int(Int64($0)) } ?? .null, "perWeek": cap.perWeek.map { .int(Int64($0)) } ?? .null,
                ])
            }
            payload["whenCapped"] = .string(message.deferWhenCapped ? "defer" : "skip")
            if let event = instance.entryEvent, case .object(let properties)? = try? JSONParser.parse(event) {
                payload["event"] = .object(properties)
            }
        }
        return OutboxDraft(
            key: key,
            channel: channel,
            payload: JSONWriter.string(.object(payload)),
            notBefore: now,
            journeyId: journey.id,
            personId: instance.personId
        )
    }
}

extension MessageChannel {
    /// The outbox channel of this channel's messages (caps count them by it); webhook messages are
    /// `webhookMessage`, apart from a journey's webhook calls.
    var outboxChannel: String {
        self == .webhook ? "webhookMessage" : rawValue
    }

    /// The message channel of an outbox channel; nil for actions (`task`, `tag`, `segment`, a
    /// journey's `webhook` call).
    init?(outboxChannel: String) {
        switch outboxChannel {
        case "webhookMessage": self = .webhook
        case "email", "sms", "wecomRobot": self.init(rawValue: outboxChannel)
        default: return nil
        }
    }
}
