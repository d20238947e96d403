import SiyuCore

/// Readers of the person-level and event-level analytics queries (see docs/analytics.md).
extension QueryReader {
    func stickiness() throws -> StickinessQuery {
        let query = StickinessQuery(
            event: try matcher(body["event"], path: "event"),
            range: try range(defaultDays: 28),
            window: try choice("window", default: StickinessQuery.Window.week),
            breakdown: try breakdown(body["breakdown"]),
            people: try people,
            eventFilters: try eventFilters
        )
        if let problem = query.problems().first { throw Self.fail(problem, "window") }
        return query
    }

    func lifecycle() throws -> LifecycleQuery {
        let query = LifecycleQuery(
            event: try matcher(body["event"], path: "event", required: false),
            period: try choice("period", default: Period.week),
            range: try range(defaultDays: 84),
            breakdown: try breakdown(body["breakdown"]),
            people: try people,
            eventFilters: try eventFilters
        )
        if let problem = query.problems().first { throw Self.fail(problem, "period") }
        return query
    }

    func kpis() throws -> KPIQuery {
        var mapping = KPIEventMapping.segmentEcommerce
        if let value = body["mapping"], !value.isNull {
            guard case .object(let object) = value else { throw Self.fail("mapping is an object of event-name lists", "mapping") }
            for (key, path) in [
                (\KPIEventMapping.exposures, "exposures"), (\.clicks, "clicks"), (\.interactions, "interactions"), (\.conversions, "conversions"),
                (\.keyActions, "keyActions"),
            ] {
                guard let list = object[path], !list.isNull else { continue }
                guard case .array(let items) = list, items.allSatisfy({ $0.stringValue != nil }) else {
                    throw Self.fail("\(path) is a list of event names", "mapping.\(path)")
                }
                mapping[keyPath: key] = items.compactMap(\.stringValue)
            }
            if let flag = try bool("pageAndScreenAreExposures", in: object, path: "mapping.") { mapping.pageAndScreenAreExposures = flag }
        }
        let query = KPIQuery(
            period: try choice("period", default: Period.day),
            range: try range(defaultDays: 14),
            mapping: mapping,
            byChannel: try bool("byChannel") ?? true,
            activationDays: try int("activationDays", range: 1...90) ?? 7,
            silentDays: try int("silentDays", range: 1...365) ?? 30,
            people: try people
        )
        if let problem = query.problems().first { throw Self.fail(problem, "period") }
        return query
    }

    func rfm() throws -> RFMQuery {
        let range = try range(defaultDays: 365)
        // Recency is measured at `asOf` (a date means the end of that day); by default the end of
        // the range, or now when the range runs into the future.
        let asOf = try instant("asOf", endOfDay: true) ?? min(range.to, now)
        let query = RFMQuery(range: range, asOf: asOf, breakdown: try breakdown(body["breakdown"]), people: try people)
        if asOf < range.from { throw Self.fail("asOf must not be before the start of the range", "asOf") }
        if let problem = query.problems().first { throw Self.fail(problem, "breakdown") }
        return query
    }

    func concentration() throws -> ConcentrationQuery {
        var query = ConcentrationQuery(
            range: try range(defaultDays: 365),
            population: try choice("population", default: ConcentrationQuery.Population.buyers),
            people: try people
        )
        if let value = body["top"], !value.isNull {
            guard case .array(let items) = value, !items.isEmpty, items.count <= 20,
                let fractions = Optional(items.compactMap(\.doubleValue)), fractions.count == items.count
            else { throw Self.fail("top is a list of fractions such as [0.01, 0.05, 0.1, 0.2]", "top") }
            query.topFractions = fractions
        }
        if let points = try int("points", range: 2...1001) { query.lorenzPoints = points }
        if let problem = query.problems().first { throw Self.fail(problem, "top") }
        return query
    }

    /// Journey stages: the defaults, or `"stages": [{"code", "english"?, "chinese"?, "rule"}]`.
    func journey() throws -> JourneyQuery {
        var query = JourneyQuery(people: try people, breakdown: try breakdown(body["breakdown"]))
        if let value = body["stages"], !value.isNull {
            guard case .array(let items) = value, (1...10).contains(items.count) else {
                throw Self.fail("stages is a list of 1 to 10 stages", "stages")
            }
            query.stages = try items.enumerated().map { index, item in
                let path = "stages[\(index)]"
                guard case .object(let object) = item, let code = object["code"]?.stringValue, !code.isEmpty else {
                    throw Self.fail("a stage is {\"code\", \"rule\"}", path)
                }
                guard let ruleValue = object["rule"] else { throw Self.fail("a stage needs a rule", path + ".rule") }
                return JourneyQuery.Stage(
                    code,
                    english: object["english"]?.stringValue ?? code,
                    chinese: object["chinese"]?.stringValue ?? code,
                    rule: try rule(ruleValue, path: path + ".rule")
                )
            }
        }
        if let problem = query.problems().first { throw Self.fail(problem, "stages") }
        return query
    }

    /// A tier scheme: `pyramid` (10/60/30 by default, or `"tiers": [{"code", "fraction"}]`),
    /// `fiveThreeTwo`, `colours` (defaults, or `"rules": [{"code", "rule"}]` + `"fallback"`) or
    /// `ladder` (defaults, or `"rungs": [{"code", "minimumRevenue", "minimumOrders", "minimumInteractions"}]`).
    func tierScheme() throws -> TierScheme {
        let scheme = try choice("scheme", default: TierScheme.Kind.pyramid)
        switch scheme {
        case .pyramid, .fiveThreeTwo:
            var pyramid =
                scheme == .pyramid ? ValuePyramid.standard(range: try range(defaultDays: 365)) : .fiveThreeTwo(range: try range(defaultDays: 365))
            pyramid.people = try people
            if let value = body["tiers"], !value.isNull {
                guard case .array(let items) = value, (2...10).contains(items.count) else {
                    throw Self.fail("tiers is a list of 2 to 10 {\"code\", \"fraction\"}", "tiers")
                }
                pyramid.tiers = try items.enumerated().map { index, item in
                    guard let code = item["code"]?.stringValue, !code.isEmpty, let fraction = item["fraction"]?.doubleValue else {
                        throw Self.fail("a tier is {\"code\", \"fraction\"}", "tiers[\(index)]")
                    }
                    return ValuePyramid.Tier(code, fraction)
                }
            }
            if let problem = pyramid.problems().first { throw Self.fail(problem, "tiers") }
            return TierScheme(kind: scheme, pyramid: pyramid)
        case .colours:
            var colours = IntentColours.standard
            colours.people = try people
            if let value = body["rules"], !value.isNull {
                guard case .array(let items) = value, (1...10).contains(items.count) else {
                    throw Self.fail("rules is a list of 1 to 10 {\"code\", \"rule\"}", "rules")
                }
                colours.rules = try items.enumerated().map { index, item in
                    guard let code = item["code"]?.stringValue, !code.isEmpty, let ruleValue = item["rule"] else {
                        throw Self.fail("a colour rule is {\"code\", \"rule\"}", "rules[\(index)]")
                    }
                    return IntentColours.Rule(code, try rule(ruleValue, path: "rules[\(index)].rule"))
                }
                colours.fallback = try string("fallback")
            }
            return TierScheme(kind: scheme, colours: colours)
        case .ladder:
            var ladder = ValueLadder.standard
            ladder.people = try people
            if let value = body["rungs"], !value.isNull {
                guard case .array(let items) = value, (1...10).contains(items.count) else {
                    throw Self.fail("rungs is a list of 1 to 10 rungs", "rungs")
                }
                ladder.rungs = try items.enumerated().map { index, item in
                    let path = "rungs[\(index)]"
                    guard case .object(let object) = item, let code = object["code"]?.stringValue, !code.isEmpty else {
                        throw Self.fail("a rung is {\"code\", \"minimumRevenue\", \"minimumOrders\", \"minimumInteractions\"}", path)
                    }
                    var revenue: Int64 = 0
                    if let amount = object["minimumRevenue"], !amount.isNull {
                        guard let minor = Money.minorUnits(amount, currency: workspace.currency) else {
                            throw Self.fail("minimumRevenue is an amount in \(workspace.currency), e.g. \"500.00\"", path + ".minimumRevenue")
                        }
                        revenue = minor
                    }
                    return ValueLadder.Rung(
                        code,
                        minimumRevenue: revenue,
                        minimumOrders: try int("minimumOrders", in: object, path: path + ".", range: 0...100_000) ?? 0,
                        minimumInteractions: try int("minimumInteractions", in: object, path: path + ".", range: 0...1_000_000) ?? 0
                    )
                }
            }
            if let interactions = body["interactions"], !interactions.isNull {
                ladder.interactions = try matcher(interactions, path: "interactions", required: false)
            }
            if let days = try int("windowDays", range: 1...3660) { ladder.window = .lastDays(days) }
            return TierScheme(kind: scheme, ladder: ladder)
        }
    }
}

extension QueryReader {
    /// Exactly one of `"class": "importantValue"` and `"segment": "atRisk"`.
    func rfmGroup() throws -> (RFMClass?, RFMSegment?) {
        let rfmClass = try string("class").map { code -> RFMClass in
            guard let value = RFMClass(rawValue: code) else { throw Self.fail("unknown RFM class `\(code)`", "class") }
            return value
        }
        let segment = try string("segment").map { code -> RFMSegment in
            guard let value = RFMSegment(rawValue: code) else { throw Self.fail("unknown RFM segment `\(code)`", "segment") }
            return value
        }
        guard (rfmClass == nil) != (segment == nil) else { throw Self.fail("give a class or a segment", "class") }
        return (rfmClass, segment)
    }
}
