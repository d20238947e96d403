import SiyuCore

/// The fields each analytics API query reads. A request naming any other field is refused with
/// 400 naming it: a field that is silently ignored (a `where` on a query that filters nothing, a
/// typo) would answer a different question than the one asked.
enum QueryFields {
    static let range: Set<String> = ["from", "to"]
    static let paging: Set<String> = ["limit", "cursor"]

    static let funnel: Set<String> =
        range.union(["steps", "window", "order", "exclusions", "breakdown", "attribution", "people", "where", "trend", "bins", "compare"])
    static let funnelPeople: Set<String> = funnel.union(paging).union(["step", "status"]).subtracting(["compare", "trend", "bins"])
    static let retention: Set<String> =
        range.union(["start", "return", "kind", "period", "periods", "criterion", "minimumReturns", "breakdown", "people", "where"])
    static let stickiness: Set<String> = range.union(["event", "window", "breakdown", "people", "where"])
    static let lifecycle: Set<String> = range.union(["event", "period", "breakdown", "people", "where"])
    static let kpis: Set<String> = range.union(["mapping", "period", "byChannel", "activationDays", "silentDays", "people"])
    static let rfm: Set<String> = range.union(["asOf", "breakdown", "people", "save"])
    static let rfmPeople: Set<String> = range.union(paging).union(["asOf", "breakdown", "people", "class", "segment"])
    static let concentration: Set<String> = range.union(["population", "people", "top", "points"])
    static let journey: Set<String> = ["stages", "people", "breakdown", "save"]
    static let tierMovements: Set<String> = range.union(["scheme"])

    /// A tier scheme's fields depend on its kind: pyramids rank revenue over a range, colours follow
    /// rules on recent behaviour, a ladder has rungs over a window of days.
    static func tiers(_ kind: TierScheme.Kind) -> Set<String> {
        let common: Set<String> = ["scheme", "people", "save"]
        switch kind {
        case .pyramid, .fiveThreeTwo: return common.union(range).union(["tiers"])
        case .colours: return common.union(["rules", "fallback"])
        case .ladder: return common.union(["rungs", "interactions", "windowDays"])
        }
    }
}

extension QueryReader {
    /// Refuses the first field of the body outside `fields`, naming it and the fields the query takes.
    func refuseUnknownFields(_ fields: Set<String>, query: String) throws {
        guard let key = body.keys.first(where: { !fields.contains($0) }) else { return }
        throw Self.fail("\(query) queries have no field `\(key)`; their fields are \(fields.sorted().joined(separator: ", "))", key)
    }
}
