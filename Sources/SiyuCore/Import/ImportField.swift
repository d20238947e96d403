/// What a CSV file holds: one person per row, or one order per row.
public enum ImportKind: String, Sendable, CaseIterable, Codable {
    case people, orders
}

/// A value an import takes from a column.
///
/// People rows become `identify` calls, order rows `Order Completed` track calls; `trait(_:)`
/// and `property(_:)` carry any other column into traits or event properties as text.
public enum ImportField: Hashable, Sendable, CustomStringConvertible {
    case userId, anonymousId, email, phone, openid, unionid
    /// When the person signed up (people) or the order was placed (orders).
    case timestamp
    /// First-touch (people) or order channel key, e.g. `douyin`.
    case channel
    case orderId, revenue, currency, productId, sku, quantity, productName, category, price, status
    case trait(String)
    case property(String)

    /// Reads a field name as written in a mapping: `userId`, `user_id`, `createdAt`,
    /// `trait.会员等级`, `property.coupon`. Case and `_`/`-` are ignored except in trait and property names.
    public init?(name: String) {
        let trimmed = ImportValue.trim(name)
        if let dot = trimmed.firstIndex(of: ".") {
            let prefix = trimmed[..<dot].lowercased()
            let rest = ImportValue.trim(trimmed[trimmed.index(after: dot)...])
            guard !rest.isEmpty else { return nil }
            switch prefix {
            case "trait", "traits": self = .trait(rest)
            case "property", "properties": self = .property(rest)
            default: return nil
            }
            return
        }
        let key = trimmed.lowercased().filter { $0 != "_" && $0 != "-" }
        switch key {
        case "userid": self = .userId
        case "anonymousid": self = .anonymousId
        case "email": self = .email
        case "phone", "mobile": self = .phone
        case "openid": self = .openid
        case "unionid": self = .unionid
        case "timestamp", "createdat", "time", "date": self = .timestamp
        case "channel": self = .channel
        case "orderid": self = .orderId
        case "revenue", "amount": self = .revenue
        case "currency": self = .currency
        case "productid": self = .productId
        case "sku": self = .sku
        case "quantity": self = .quantity
        case "productname": self = .productName
        case "category": self = .category
        case "price": self = .price
        case "status": self = .status
        default: return nil
        }
    }

    /// The canonical spelling, as `init(name:)` reads it back.
    public var name: String {
        switch self {
        case .userId: return "userId"
        case .anonymousId: return "anonymousId"
        case .email: return "email"
        case .phone: return "phone"
        case .openid: return "openid"
        case .unionid: return "unionid"
        case .timestamp: return "timestamp"
        case .channel: return "channel"
        case .orderId: return "orderId"
        case .revenue: return "revenue"
        case .currency: return "currency"
        case .productId: return "productId"
        case .sku: return "sku"
        case .quantity: return "quantity"
        case .productName: return "productName"
        case .category: return "category"
        case .price: return "price"
        case .status: return "status"
        case .trait(let name): return "trait." + name
        case .property(let name): return "property." + name
        }
    }

    public var description: String { name }

    /// Fields that can name the person of a row, strongest first.
    public static let personKeys: [ImportField] = [.userId, .anonymousId, .unionid, .openid, .phone, .email]

    /// Whether the field means something in a file of `kind`.
    public func isAllowed(in kind: ImportKind) -> Bool {
        switch self {
        case .userId, .anonymousId, .email, .phone, .openid, .unionid, .timestamp, .channel: return true
        case .trait: return kind == .people
        case .orderId, .revenue, .currency, .productId, .sku, .quantity, .productName, .category, .price, .status, .property:
            return kind == .orders
        }
    }

    /// Trait names the import writes itself; mapping a `trait.` column onto one is refused.
    static let reservedTraits: Set<String> = ["email", "phone", "mobile", "openid", "unionid", "createdAt"]
    /// Property names the import writes itself.
    static let reservedProperties: Set<String> = ["order_id", "revenue", "currency", "products"]
}
