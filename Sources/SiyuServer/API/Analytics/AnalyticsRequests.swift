import SiyuAPI
import SiyuCore

// The event-level analytics queries (docs/analytics.md) as the contract types them, into the
// kernels' queries: defaults, limits and the field of every mistake are stated here once.

extension Components.Schemas.FunnelRequest {
    func query(_ context: QueryContext) throws -> FunnelQuery {
        guard (2...20).contains(steps.count) else { throw QueryContext.fail("steps must be a list of 2 to 20 steps", "steps") }
        let steps = try steps.enumerated().map { index, step -> FunnelQuery.Step in
            let path = "steps[\(index)]"
            switch step {
            case .AnalyticsText(let name):
                return FunnelQuery.Step(try context.matcher(name, conditions: [], path))
            case .FunnelStepDetail(let detail):
                return FunnelQuery.Step(
                    try context.matcher(detail.event, any: detail.any, detail._where, path),
                    isOptional: detail.optional ?? false,
                    window: try detail.window.map { try context.duration($0, path + ".window") },
                    occurrence: try QueryContext.same(detail.occurrence ?? .any)
                )
            }
        }
        let exclusions = try (exclusions ?? []).enumerated().map { index, exclusion in
            let path = "exclusions[\(index)]"
            let matcher = try context.matcher(exclusion.event, any: exclusion.any, exclusion._where, path)
            return FunnelQuery.Exclusion(matcher, fromStep: exclusion.fromStep, toStep: exclusion.toStep)
        }
        let attribution: FunnelQuery.Attribution =
            switch attribution {
            case .none, .case1(.firstTouch): .firstTouch
            case .case1(.lastTouch): .lastTouch
            case .FunnelAttributionStep(let step): .step(step.step)
            }
        let query = FunnelQuery(
            steps: steps,
            range: try context.range(from: from, to: to),
            window: try window.map { try context.duration($0, "window") } ?? 7 * 86_400_000,
            order: try QueryContext.same(order ?? .ordered),
            exclusions: exclusions,
            breakdown: try context.breakdown(breakdown),
            attribution: attribution,
            people: try context.rule(people, "people"),
            eventFilters: try context.conditions(_where, "where"),
            trend: trend.map { $0 == .day ? Period.day : Period.week },
            histogramBins: try context.number(bins, "bins", 1...100) ?? 10
        )
        if let problem = query.problems().first { throw QueryContext.fail(problem, "steps") }
        return query
    }
}

extension Components.Schemas.FunnelPeopleRequest {
    /// The funnel these people are counted in.
    var funnel: Components.Schemas.FunnelRequest {
        .init(
            steps: steps,
            from: from,
            to: to,
            window: window,
            order: order,
            exclusions: exclusions,
            breakdown: breakdown,
            attribution: attribution,
            people: people,
            _where: _where
        )
    }

    /// `"step": k, "status": "dropped"` (reached step k−1, not k; the default) or `"reached"`.
    func step(steps: Int) throws -> (step: Int, status: FunnelStepStatus) {
        guard (0...(steps - 1)).contains(step) else { throw QueryContext.fail("step must be 0 to \(steps - 1)", "step") }
        let status: FunnelStepStatus = status == .reached ? .reached : .dropped
        if status == .dropped && step == 0 { throw QueryContext.fail("nobody drops at the first step; ask for step 1 or later", "step") }
        return (step, status)
    }
}

extension Components.Schemas.RetentionRequest {
    func query(_ context: QueryContext) throws -> RetentionQuery {
        let query = RetentionQuery(
            start: try context.matcher(start, "start"),
            returning: try context.matcher(_return, "return"),
            kind: kind == .recurring ? .recurring : .firstTime,
            period: try QueryContext.same(period ?? .week),
            range: try context.range(from: from, to: to, defaultDays: 84),
            periods: try context.number(periods, "periods", 1...400) ?? 12,
            criterion: criterion == .onOrAfter ? .onOrAfter : .on,
            minimumReturns: try context.number(minimumReturns, "minimumReturns", 1...1000) ?? 1,
            breakdown: try context.breakdown(breakdown),
            people: try context.rule(people, "people"),
            eventFilters: try context.conditions(_where, "where")
        )
        if let problem = query.problems().first { throw QueryContext.fail(problem, "periods") }
        return query
    }
}

extension Components.Schemas.StickinessRequest {
    func query(_ context: QueryContext) throws -> StickinessQuery {
        let query = StickinessQuery(
            event: try context.matcher(event, "event"),
            range: try context.range(from: from, to: to, defaultDays: 28),
            window: try QueryContext.same(window ?? .week),
            breakdown: try context.breakdown(breakdown),
            people: try context.rule(people, "people"),
            eventFilters: try context.conditions(_where, "where")
        )
        if let problem = query.problems().first { throw QueryContext.fail(problem, "window") }
        return query
    }
}

extension Components.Schemas.LifecycleRequest {
    func query(_ context: QueryContext) throws -> LifecycleQuery {
        let query = LifecycleQuery(
            event: try context.matcher(event, "event"),
            period: try QueryContext.same(period ?? .week),
            range: try context.range(from: from, to: to, defaultDays: 84),
            breakdown: try context.breakdown(breakdown),
            people: try context.rule(people, "people"),
            eventFilters: try context.conditions(_where, "where")
        )
        if let problem = query.problems().first { throw QueryContext.fail(problem, "period") }
        return query
    }
}
