import Foundation

/// A delivery channel: hands one message to one provider and says what came of it.
///
/// `send` never throws: every way an attempt can end, including an invalid message or a bad configuration, is a
/// ``DeliveryOutcome`` the delivery job can act on. It is bounded in time by the sender's timeouts.
public protocol MessageSender<Message>: Sendable {
    /// The message this channel carries.
    associatedtype Message: Sendable

    /// Makes one attempt to deliver `message`.
    func send(_ message: Message, attempt: DeliveryAttempt) async -> DeliveryOutcome
}

/// Which outbox entry an attempt belongs to, so receivers can recognise a retry of something they already have.
public struct DeliveryAttempt: Sendable, Hashable, Codable {
    /// The same for every attempt at one outbox entry (`X-Siyu-Idempotency-Key`; the e-mail's Message-ID is derived
    /// from it): a receiver that has seen it may drop the message.
    public var idempotencyKey: String
    /// Unique to this attempt (`X-Siyu-Delivery`), for matching logs on both sides.
    public var deliveryId: String

    public init(idempotencyKey: String, deliveryId: String = UUID().uuidString.lowercased()) {
        self.idempotencyKey = idempotencyKey
        self.deliveryId = deliveryId
    }

    /// Why these ids cannot go into a header as they are, or nil when they can: printable ASCII, 1 to 200 characters.
    var problem: String? {
        for (name, value) in [("idempotency key", idempotencyKey), ("delivery id", deliveryId)] {
            guard (1...200).contains(value.utf8.count) else { return "the \(name) must be 1 to 200 characters" }
            guard value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                return "the \(name) may hold only printable ASCII without spaces or line breaks"
            }
        }
        return nil
    }
}
