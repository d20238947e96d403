/// How a value is compared in a condition.
public enum Comparison: String, Sendable, Codable, CaseIterable {
    case eq, neq, gt, gte, lt, lte
    /// Text contains (case-insensitive for ASCII letters).
    case contains
    case notContains
    /// Equals one of a list.
    case `in`
    case notIn
    case isSet
    case isNotSet
}

/// A condition on one key of an object (an event's properties or a person's traits).
public struct PropertyCondition: Sendable, Equatable {
    public var key: String
    public var op: Comparison
    /// The value compared with; a list for `in`/`notIn`; ignored for `isSet`/`isNotSet`.
    public var value: JSONValue

    public init(_ key: String, _ op: Comparison, _ value: JSONValue = .null) {
        self.key = key
        self.op = op
        self.value = value
    }

    /// Whether `actual` (the value found under the key, `nil` when absent) satisfies the condition.
    public func matches(_ actual: JSONValue?) -> Bool {
        switch op {
        case .isSet: return actual != nil && actual != .null
        case .isNotSet: return actual == nil || actual == .null
        default: break
        }
        guard let actual, actual != .null else { return op == .neq || op == .notContains || op == .notIn }
        switch op {
        case .eq: return Self.equal(actual, value)
        case .neq: return !Self.equal(actual, value)
        case .gt, .gte, .lt, .lte:
            guard let order = Self.order(actual, value) else { return false }
            switch op {
            case .gt: return order > 0
            case .gte: return order >= 0
            case .lt: return order < 0
            default: return order <= 0
            }
        case .contains, .notContains:
            guard let text = actual.scalarText, let needle = value.scalarText else { return op == .notContains }
            let found = Self.asciiLowercased(text).contains(Self.asciiLowercased(needle))
            return op == .contains ? found : !found
        case .in, .notIn:
            let list = value.arrayValue ?? [value]
            let found = list.contains { Self.equal(actual, $0) }
            return op == .in ? found : !found
        case .isSet, .isNotSet: return false
        }
    }

    /// Numbers compare as numbers (`1` equals `1.0` and `"1"`), everything else as text.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue ?? a.stringValue.flatMap(Double.init), let y = b.doubleValue ?? b.stringValue.flatMap(Double.init),
            a.doubleValue != nil || b.doubleValue != nil
        {
            return x == y
        }
        return a.scalarText == b.scalarText
    }

    /// Numeric order when both read as numbers, else text order; `nil` when either is not a scalar.
    static func order(_ a: JSONValue, _ b: JSONValue) -> Int? {
        if let x = a.doubleValue ?? a.stringValue.flatMap(Double.init), let y = b.doubleValue ?? b.stringValue.flatMap(Double.init) {
            return x < y ? -1 : (x > y ? 1 : 0)
        }
        guard let x = a.scalarText, let y = b.scalarText else { return nil }
        return x < y ? -1 : (x > y ? 1 : 0)
    }

    static func asciiLowercased(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
    }
}

/// Which events a step, a retention event or an aggregate counts: an event name (or any event)
/// with conditions on its properties.
public struct EventMatcher: Sendable, Equatable {
    /// The event name (track event, or page/screen name); `nil` matches every event.
    public var event: String?
    public var properties: [PropertyCondition]

    public init(_ event: String?, where properties: [PropertyCondition] = []) {
        self.event = event
        self.properties = properties
    }

    /// Property keys the matcher reads (their columns must be loaded in the dataset).
    public var propertyKeys: [String] { properties.map(\.key) }
}

/// An ``EventMatcher`` bound to a dataset's dictionaries, for fast per-event tests.
public struct CompiledMatcher: Sendable {
    /// `-2`: any name; `-3`: a name no event has (matches nothing).
    let name: Int32
    let conditions: [(PropertyCondition, PropertyColumn?)]
    /// Per property condition, which dictionary entries of its column satisfy it.
    let accepted: [[Bool]]

    public init(_ matcher: EventMatcher, in dataset: Dataset) {
        if let event = matcher.event {
            name = dataset.nameIndex(event) ?? -3
        } else {
            name = -2
        }
        conditions = matcher.properties.map { ($0, dataset.properties[$0.key]) }
        accepted = conditions.map { condition, column in column.map { $0.dictionary.map { condition.matches($0) } } ?? [] }
    }

    /// Whether the matcher can match anything at all.
    public var isSatisfiable: Bool { name != -3 }

    /// Whether event `index` of `dataset` matches.
    @inline(__always) public func matches(_ index: Int, in dataset: Dataset) -> Bool {
        if name == -3 { return false }
        if name >= 0 && dataset.names[index] != name { return false }
        for (position, (condition, column)) in conditions.enumerated() {
            if let column {
                let code = column.values[index]
                if code < 0 {
                    if !condition.matches(nil) { return false }
                } else if !accepted[position][Int(code)] {
                    return false
                }
            } else if !condition.matches(nil) {
                return false
            }
        }
        return true
    }
}

/// What results are split by.
/// The event property keys a query reads, which the dataset must load as columns: those of its
/// event matchers and filters, a property breakdown and a person rule.
func queryPropertyKeys(_ matchers: [EventMatcher], filters: [PropertyCondition], breakdown: Breakdown?, people: PersonRule?) -> [String] {
    var keys = matchers.flatMap(\.propertyKeys) + filters.map(\.key)
    if case .property(let key) = breakdown { keys.append(key) }
    if let people { keys += people.propertyKeys }
    return keys
}

public enum Breakdown: Sendable, Equatable {
    /// The channel of the event (for funnels: of the attributed step).
    case channel
    /// The person's first-touch channel.
    case firstTouchChannel
    /// The person's last-touch channel.
    case lastTouchChannel
    /// A person trait.
    case trait(String)
    /// An event property (for funnels: of the attributed step).
    case property(String)

    /// Label of a missing value.
    public static let noValue = "(none)"

    /// Whether the value comes from an event (rather than from the person).
    public var isEventLevel: Bool {
        switch self {
        case .channel, .property: return true
        default: return false
        }
    }

    /// The breakdown value of `person` (and, for event-level breakdowns, of `event`).
    public func value(person: Int, event: Int?, in dataset: Dataset) -> String {
        switch self {
        case .channel:
            guard let event else { return Self.noValue }
            return dataset.channelName(dataset.channels[event])
        case .firstTouchChannel: return dataset.channelName(dataset.firstChannel[person])
        case .lastTouchChannel: return dataset.channelName(dataset.lastChannel[person])
        case .trait(let key): return dataset.traits[person][key]?.scalarText ?? Self.noValue
        case .property(let key):
            guard let event, let value = dataset.properties[key]?.value(event) else { return Self.noValue }
            return value.scalarText ?? JSONWriter.string(value)
        }
    }
}

/// A range of instants `[from, to)`, UTC epoch milliseconds.
public struct TimeRange: Sendable, Equatable, Codable {
    public var from: Int64
    public var to: Int64

    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    @inline(__always) public func contains(_ instant: Int64) -> Bool { instant >= from && instant < to }

    /// The range of the same length just before this one.
    public var previous: TimeRange { TimeRange(from: from - (to - from), to: from) }
}
