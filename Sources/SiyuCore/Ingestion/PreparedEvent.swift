import OrderedCollections

/// Settings of a workspace that shape how its events are read.
public struct WorkspaceIngestSettings: Sendable {
    public var currency: String
    public var channels: [Channel]
    /// Track events that are orders (Segment e-commerce: `Order Completed`).
    public var orderEvents: Set<String>

    public init(currency: String = "CNY", channels: [Channel] = Channel.defaults, orderEvents: Set<String> = ["Order Completed"]) {
        self.currency = currency.uppercased()
        self.channels = channels
        self.orderEvents = orderEvents
    }
}

/// A validated message with what ingestion derives from it before identity resolution:
/// its identities, its channel and, for an order, its amount.
public struct PreparedEvent: Sendable, Equatable {
    public var message: Message
    /// Identities carried, strongest first.
    public var identities: [IdentityKey]
    public var channel: String
    public var isOrder: Bool
    /// Order amount in minor units of `currency`.
    public var revenueMinor: Int64?
    public var currency: String?
    /// The amount when `currency` is the workspace's (profiles add up only those).
    public var revenueInWorkspaceCurrency: Int64?
    /// The JSON columns, encoded where requests are handled in parallel rather than in the
    /// single writer (``EventPreparer`` fills it; `nil` means "encode when storing").
    public var encoded: EncodedEventJSON?

    public init(
        message: Message,
        identities: [IdentityKey],
        channel: String,
        isOrder: Bool = false,
        revenueMinor: Int64? = nil,
        currency: String? = nil,
        revenueInWorkspaceCurrency: Int64? = nil
    ) {
        self.message = message
        self.identities = identities
        self.channel = channel
        self.isOrder = isOrder
        self.revenueMinor = revenueMinor
        self.currency = currency
        self.revenueInWorkspaceCurrency = revenueInWorkspaceCurrency
    }
}

/// Turns validated messages into ``PreparedEvent``s for one workspace.
public struct EventPreparer: Sendable {
    public let settings: WorkspaceIngestSettings
    public let extractor: IdentityExtractor
    private let attribution: ChannelAttribution

    public init(settings: WorkspaceIngestSettings, extractor: IdentityExtractor) {
        self.settings = settings
        self.extractor = extractor
        self.attribution = ChannelAttribution(channels: settings.channels)
    }

    /// Derives identities, channel and order amount.
    ///
    /// - Throws: ``IngestError`` `invalid_amount` when an order's `revenue` (or `total`) is beyond
    ///   ``Money/maximumEventMinorUnits``: such an event is refused as an item error.
    public func prepare(_ message: Message) throws(IngestError) -> PreparedEvent {
        var message = message
        let identities = extractor.extract(&message)
        let channel = attribution.channel(of: message)
        var event = PreparedEvent(message: message, identities: identities, channel: channel)
        if message.type == .track, let name = message.event, settings.orderEvents.contains(name) {
            event.isOrder = true
            event.message.flags.insert(.order)
            let currency =
                (message.properties["currency"]?.stringValue).flatMap { Money.isCurrencyCode($0) ? $0.uppercased() : nil }
                ?? settings.currency
            // Segment e-commerce: `revenue` excludes shipping and tax; fall back to `total`.
            var amount: Int64?
            for field in ["revenue", "total"] {
                guard let value = message.properties[field] else { continue }
                switch Money.read(value, currency: currency) {
                case .amount(let minor): amount = minor
                case .notANumber: continue
                case .outOfRange:
                    throw IngestError(
                        "invalid_amount",
                        "an order amount may be at most \(Money.maximumEventMinorUnits) minor units either side of zero",
                        field: "properties.\(field)"
                    )
                }
                break
            }
            if let amount {
                event.revenueMinor = amount
                event.currency = currency
                if currency == settings.currency { event.revenueInWorkspaceCurrency = amount }
            }
        }
        event.encoded = EncodedEventJSON(event.message)
        return event
    }
}

/// The JSON text columns of a stored event.
public struct EncodedEventJSON: Sendable, Equatable {
    public var properties: String
    /// `nil` when there are no traits.
    public var traits: String?
    public var context: String
    /// `integrations`, `groupId` and `previousId`; `nil` when none is set.
    public var extra: String?

    public init(_ message: Message) {
        properties = JSONWriter.string(message.properties)
        traits = message.traits.isEmpty ? nil : JSONWriter.string(message.traits)
        context = JSONWriter.string(message.context)
        var extraObject = JSONObject()
        if !message.integrations.isEmpty { extraObject["integrations"] = .object(message.integrations) }
        if let groupId = message.groupId { extraObject["groupId"] = .string(groupId) }
        if let previousId = message.previousId { extraObject["previousId"] = .string(previousId) }
        extra = extraObject.isEmpty ? nil : JSONWriter.string(extraObject)
    }
}
