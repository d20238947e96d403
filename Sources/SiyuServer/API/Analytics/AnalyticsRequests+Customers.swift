import Foundation
import SiyuAPI
import SiyuCore

// The person-level analytics queries (docs/analytics.md) as the contract types them, into the
// kernels' queries, and the parts a saved setting fills in.

extension Components.Schemas.KPIRequest {
    /// The KPI set's query with `saved` (the workspace's `kpiMapping` setting) where the request gives no mapping.
    func query(_ context: QueryContext, saved: Components.Schemas.KPIEventMapping? = nil) throws -> KPIQuery {
        var mapping = KPIEventMapping.segmentEcommerce
        if let given = self.mapping ?? saved {
            for (key, list) in [
                (\KPIEventMapping.exposures, given.exposures), (\.clicks, given.clicks), (\.interactions, given.interactions),
                (\.conversions, given.conversions), (\.keyActions, given.keyActions),
            ] {
                if let list { mapping[keyPath: key] = list }
            }
            if let flag = given.pageAndScreenAreExposures { mapping.pageAndScreenAreExposures = flag }
        }
        let query = KPIQuery(
            period: try QueryContext.same(period ?? .day),
            range: try context.range(from: from, to: to, defaultDays: 14),
            mapping: mapping,
            byChannel: byChannel ?? true,
            activationDays: try context.number(activationDays, "activationDays", 1...90) ?? 7,
            silentDays: try context.number(silentDays, "silentDays", 1...365) ?? 30,
            people: try context.rule(people, "people")
        )
        if let problem = query.problems().first { throw QueryContext.fail(problem, "period") }
        return query
    }
}

extension Components.Schemas.RFMRequest {
    func query(_ context: QueryContext) throws -> RFMQuery {
        let range = try context.range(from: from, to: to, defaultDays: 365)
        // Recency is measured at `asOf` (a date means the end of that day); by default the end of
        // the range, or now when the range runs into the future.
        let asOf = try context.instant(asOf, "asOf", endOfDay: true) ?? min(range.to, context.now)
        if asOf < range.from { throw QueryContext.fail("asOf must not be before the start of the range", "asOf") }
        let query = RFMQuery(range: range, asOf: asOf, breakdown: try context.breakdown(breakdown), people: try context.rule(people, "people"))
        if let problem = query.problems().first { throw QueryContext.fail(problem, "breakdown") }
        return query
    }
}

extension Components.Schemas.RFMPeopleRequest {
    /// The RFM query whose buyers are listed.
    var rfm: Components.Schemas.RFMRequest { .init(from: from, to: to, asOf: asOf, breakdown: breakdown, people: people) }

    /// Exactly one of `"class": "importantValue"` and `"segment": "atRisk"`.
    func group() throws -> (RFMClass?, RFMSegment?) {
        guard (_class == nil) != (segment == nil) else { throw QueryContext.fail("give a class or a segment", "class") }
        return (try _class.map { try QueryContext.same($0) }, try segment.map { try QueryContext.same($0) })
    }
}

extension Components.Schemas.ConcentrationRequest {
    func query(_ context: QueryContext) throws -> ConcentrationQuery {
        var query = ConcentrationQuery(
            range: try context.range(from: from, to: to, defaultDays: 365),
            population: try QueryContext.same(population ?? .buyers),
            people: try context.rule(people, "people")
        )
        if let top {
            guard (1...20).contains(top.count) else { throw QueryContext.fail("top is a list of fractions such as [0.01, 0.05, 0.1, 0.2]", "top") }
            query.topFractions = top
        }
        if let points = try context.number(points, "points", 2...1001) { query.lorenzPoints = points }
        if let problem = query.problems().first { throw QueryContext.fail(problem, "top") }
        return query
    }
}

extension Components.Schemas.JourneyRequest {
    /// The fields a saved `journey` setting may hold: what it configures, never what a query does (`save`).
    static let settingFields: Set<String> = ["stages", "people", "breakdown"]

    /// This request with `saved` (the workspace's `journey` setting) filling the fields it leaves out.
    func filling(_ saved: Self?) -> Self {
        guard let saved else { return self }
        return .init(stages: stages ?? saved.stages, people: people ?? saved.people, breakdown: breakdown ?? saved.breakdown, save: save)
    }

    /// Journey stages: the defaults, or `"stages": [{"code", "english"?, "chinese"?, "rule"}]`.
    func query(_ context: QueryContext) throws -> JourneyQuery {
        var query = JourneyQuery(people: try context.rule(people, "people"), breakdown: try context.breakdown(breakdown))
        if let stages {
            guard (1...10).contains(stages.count) else { throw QueryContext.fail("stages is a list of 1 to 10 stages", "stages") }
            query.stages = try stages.enumerated().map { index, stage in
                let path = "stages[\(index)]"
                guard !stage.code.isEmpty else { throw QueryContext.fail("a stage is {\"code\", \"rule\"}", path) }
                return JourneyQuery.Stage(
                    stage.code,
                    english: stage.english ?? stage.code,
                    chinese: stage.chinese ?? stage.code,
                    rule: try context.rule(stage.rule, path + ".rule")
                )
            }
        }
        if let problem = query.problems().first { throw QueryContext.fail(problem, "stages") }
        return query
    }
}

extension TierScheme.Kind {
    /// The fields a scheme of this kind reads besides `scheme`, `people` and `save`: pyramids rank
    /// revenue over a range, colours follow rules on recent behaviour, a ladder has rungs over a window of days.
    var fields: Set<String> {
        switch self {
        case .pyramid, .fiveThreeTwo: ["from", "to", "tiers"]
        case .colours: ["rules", "fallback"]
        case .ladder: ["rungs", "interactions", "windowDays"]
        }
    }
}

extension Components.Schemas.TiersRequest {
    var kind: TierScheme.Kind { get throws { try QueryContext.same(scheme ?? .pyramid) } }

    /// Refuses the first field given that the scheme does not read, naming it.
    func refuseFieldsOutside(_ kind: TierScheme.Kind) throws {
        let given: [(String, Bool)] = [
            ("from", from != nil), ("to", to != nil), ("tiers", tiers != nil), ("rules", rules != nil), ("fallback", fallback != nil),
            ("rungs", rungs != nil), ("interactions", interactions != nil), ("windowDays", windowDays != nil),
        ]
        guard let (field, _) = given.first(where: { $0.1 && !kind.fields.contains($0.0) }) else { return }
        let fields = kind.fields.union(["scheme", "people", "save"]).sorted().joined(separator: ", ")
        throw QueryContext.fail("\(kind.rawValue) tier queries have no field `\(field)`; their fields are \(fields)", field)
    }

    /// This request with `saved` (the scheme's `tiers.<scheme>` setting) filling the fields it leaves out.
    func filling(_ saved: Self?) -> Self {
        guard let saved else { return self }
        return .init(
            scheme: scheme,
            people: people ?? saved.people,
            save: save,
            from: from ?? saved.from,
            to: to ?? saved.to,
            tiers: tiers ?? saved.tiers,
            rules: rules ?? saved.rules,
            fallback: fallback ?? saved.fallback,
            rungs: rungs ?? saved.rungs,
            interactions: interactions ?? saved.interactions,
            windowDays: windowDays ?? saved.windowDays
        )
    }

    /// A tier scheme: `pyramid` (10/60/30 by default, or `"tiers": [{"code", "fraction"}]`),
    /// `fiveThreeTwo`, `colours` (defaults, or `"rules": [{"code", "rule"}]` + `"fallback"`) or
    /// `ladder` (defaults, or `"rungs": [{"code", "minimumRevenue", "minimumOrders", "minimumInteractions"}]`).
    func scheme(_ context: QueryContext) throws -> TierScheme {
        let kind = try self.kind
        let people = try context.rule(people, "people")
        switch kind {
        case .pyramid, .fiveThreeTwo:
            let range = try context.range(from: from, to: to, defaultDays: 365)
            var pyramid = kind == .pyramid ? ValuePyramid.standard(range: range) : .fiveThreeTwo(range: range)
            pyramid.people = people
            if let tiers {
                guard (2...10).contains(tiers.count) else { throw QueryContext.fail("tiers is a list of 2 to 10 {\"code\", \"fraction\"}", "tiers") }
                pyramid.tiers = try tiers.enumerated().map { index, tier in
                    guard !tier.code.isEmpty else { throw QueryContext.fail("a tier is {\"code\", \"fraction\"}", "tiers[\(index)]") }
                    return ValuePyramid.Tier(tier.code, tier.fraction)
                }
            }
            if let problem = pyramid.problems().first { throw QueryContext.fail(problem, "tiers") }
            return TierScheme(kind: kind, pyramid: pyramid)
        case .colours:
            var colours = IntentColours.standard
            colours.people = people
            if let rules {
                guard (1...10).contains(rules.count) else { throw QueryContext.fail("rules is a list of 1 to 10 {\"code\", \"rule\"}", "rules") }
                colours.rules = try rules.enumerated().map { index, rule in
                    guard !rule.code.isEmpty else { throw QueryContext.fail("a colour rule is {\"code\", \"rule\"}", "rules[\(index)]") }
                    return IntentColours.Rule(rule.code, try context.rule(rule.rule, "rules[\(index)].rule"))
                }
                colours.fallback = fallback
            }
            return TierScheme(kind: kind, colours: colours)
        case .ladder:
            var ladder = ValueLadder.standard
            ladder.people = people
            if let rungs {
                guard (1...10).contains(rungs.count) else { throw QueryContext.fail("rungs is a list of 1 to 10 rungs", "rungs") }
                ladder.rungs = try rungs.enumerated().map { index, rung in
                    let path = "rungs[\(index)]"
                    guard !rung.code.isEmpty else {
                        throw QueryContext.fail("a rung is {\"code\", \"minimumRevenue\", \"minimumOrders\", \"minimumInteractions\"}", path)
                    }
                    return ValueLadder.Rung(
                        rung.code,
                        minimumRevenue: try rung.minimumRevenue.map { try context.amount($0, path + ".minimumRevenue") } ?? 0,
                        minimumOrders: try context.number(rung.minimumOrders, path + ".minimumOrders", 0...100_000) ?? 0,
                        minimumInteractions: try context.number(rung.minimumInteractions, path + ".minimumInteractions", 0...1_000_000) ?? 0
                    )
                }
            }
            if let interactions { ladder.interactions = try context.matcher(interactions, "interactions") }
            if let days = try context.number(windowDays, "windowDays", 1...3660) { ladder.window = .lastDays(days) }
            return TierScheme(kind: kind, ladder: ladder)
        }
    }
}

extension JSONValue {
    /// The value decoded as one of the contract's types (a saved setting read as the request it configures);
    /// a mistake is a 400 naming its field, as a request's would be.
    func decoded<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(JSONWriter.string(self).utf8))
        } catch let error as DecodingError {
            let (message, field) = APIError.describe(error, cause: "not valid")
            throw APIError(.badRequest, code: "invalid_request", message: message, field: field)
        }
    }
}
