@_spi(Generated) package import OpenAPIRuntime

/// The body of `POST /api/v1/segments` and `PATCH /api/v1/segments/{id}` (the contract's
/// `SegmentCreate` and `SegmentUpdate`), written by hand: `refreshMinutes` absent (the default
/// schedule, or unchanged) differs from `null` (no schedule), which the generated optionals cannot
/// hold. Unknown fields are refused, as the contract's `additionalProperties: false` says; the
/// operation checks that a new segment has a name.
package struct SegmentFields: Codable, Hashable, Sendable {
    package var name: String?
    package var description: String?
    package var kind: Components.Schemas.SegmentKind?
    /// The person rule as JSON (read by the rule reader).
    package var rule: OpenAPIValueContainer?
    /// Absent: unchanged; `.some(nil)`: no schedule; `.some(n)`: every n minutes.
    package var refreshMinutes: Int??
    /// Accepted and ignored: a static segment's members are replaced with `POST /segments/{id}/members`.
    package var people: [Int64]?

    package init(
        name: String? = nil,
        description: String? = nil,
        kind: Components.Schemas.SegmentKind? = nil,
        rule: OpenAPIValueContainer? = nil,
        refreshMinutes: Int?? = nil,
        people: [Int64]? = nil
    ) {
        self.name = name
        self.description = description
        self.kind = kind
        self.rule = rule
        self.refreshMinutes = refreshMinutes
        self.people = people
    }

    enum CodingKeys: String, CodingKey {
        case name, description, kind, rule, refreshMinutes, people
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        kind = try container.decodeIfPresent(Components.Schemas.SegmentKind.self, forKey: .kind)
        rule = try container.decodeIfPresent(OpenAPIValueContainer.self, forKey: .rule)
        if container.contains(.refreshMinutes) {
            refreshMinutes = .some(try container.decodeIfPresent(Int.self, forKey: .refreshMinutes))
        }
        people = try container.decodeIfPresent([Int64].self, forKey: .people)
        try decoder.ensureNoAdditionalProperties(knownKeys: Set(CodingKeys.allStrings))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encodeIfPresent(rule, forKey: .rule)
        if let refreshMinutes { try container.encode(refreshMinutes, forKey: .refreshMinutes) }
        try container.encodeIfPresent(people, forKey: .people)
    }
}

extension SegmentFields.CodingKeys: CaseIterable {
    static var allStrings: [String] { allCases.map(\.rawValue) }
}
