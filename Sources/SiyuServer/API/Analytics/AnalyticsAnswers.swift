import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// How the admin API answers a measured number: to six decimals, and none when it is not finite.
enum AnalyticsNumber {
    static func rounded(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return (value * 1_000_000).rounded() / 1_000_000
    }

    /// A number the contract always has (the engines answer 0 for an empty denominator).
    static func always(_ value: Double) -> Double { rounded(value) ?? 0 }

    /// A money amount given as a fraction of minor units (averages), in major units.
    static func amount(_ minor: Double?, _ currency: String) -> Double? {
        guard let minor, minor.isFinite else { return nil }
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return rounded(minor / scale)
    }
}

// The analytics kernels' results as the contract's answers. Money is `{"amount", "minorUnits",
// "currency"}` as everywhere in the API; rates are fractions (0.25 = 25 %), left out when undefined.

extension Components.Schemas.FunnelStepResult {
    static func steps(_ group: FunnelResult.Group, query: FunnelQuery) -> [Self] {
        let seconds = { (millis: Double?) in AnalyticsNumber.rounded(millis.map { $0 / 1000 }) }
        return group.steps.enumerated().map { index, step in
            .init(
                step: index,
                event: query.steps[index].matcher.event,
                optional: query.steps[index].isOptional,
                count: step.count,
                conversionFromStart: AnalyticsNumber.always(step.conversionFromStart),
                conversionFromPrevious: AnalyticsNumber.always(step.conversionFromPrevious),
                dropped: step.dropped,
                medianSeconds: seconds(step.medianTime),
                meanSeconds: seconds(step.meanTime),
                histogram: step.histogram.map {
                    .init(
                        fromSeconds: AnalyticsNumber.always(Double($0.from) / 1000),
                        toSeconds: AnalyticsNumber.always(Double($0.to) / 1000),
                        count: $0.count
                    )
                }
            )
        }
    }
}

extension Components.Schemas.FunnelAnswer {
    init(_ result: FunnelResult, query: FunnelQuery, previous: (result: FunnelResult, query: FunnelQuery)?) {
        self.init(
            steps: Components.Schemas.FunnelStepResult.steps(result.groups[0], query: query),
            breakdown: Self.breakdown(result, query: query),
            trend: result.trend.isEmpty
                ? nil
                : result.trend.map {
                    .init(period: $0.label, entered: $0.entered, converted: $0.converted, rate: AnalyticsNumber.always($0.rate))
                },
            previous: previous.map {
                .init(
                    steps: Components.Schemas.FunnelStepResult.steps($0.result.groups[0], query: $0.query),
                    breakdown: Self.breakdown($0.result, query: $0.query)
                )
            },
            from: Timestamp.iso8601(query.range.from),
            to: Timestamp.iso8601(query.range.to)
        )
    }

    static func breakdown(_ result: FunnelResult, query: FunnelQuery) -> [Components.Schemas.FunnelGroup]? {
        guard query.breakdown != nil else { return nil }
        return result.groups.dropFirst().map { .init(value: $0.value, steps: Components.Schemas.FunnelStepResult.steps($0, query: query)) }
    }
}

extension Components.Schemas.RetentionTable {
    init(_ table: RetentionResult.Table) {
        self.init(
            value: table.value,
            cohorts: table.cohorts.map { cohort in
                .init(
                    period: cohort.label,
                    size: cohort.size,
                    counts: cohort.counts,
                    rates: cohort.counts.map { count in
                        count.flatMap { cohort.size == 0 ? nil : AnalyticsNumber.rounded(Double($0) / Double(cohort.size)) }
                    }
                )
            },
            weighted: table.weighted.map(AnalyticsNumber.rounded),
            simple: table.simple.map(AnalyticsNumber.rounded)
        )
    }
}

extension Components.Schemas.RetentionAnswer {
    init(_ result: RetentionResult) {
        let all = Components.Schemas.RetentionTable(result.tables[0])
        self.init(
            cohorts: all.cohorts,
            weighted: all.weighted,
            simple: all.simple,
            summary: .init(
                day1: AnalyticsNumber.rounded(result.day1),
                day7: AnalyticsNumber.rounded(result.day7),
                day30: AnalyticsNumber.rounded(result.day30)
            ),
            breakdown: result.tables.count > 1 ? result.tables.dropFirst().map(Components.Schemas.RetentionTable.init) : nil
        )
    }
}

extension Components.Schemas.AnalyticsStatus {
    init(_ status: AnalyticsStatus) {
        let perEvent = { (bytes: Int) -> Double? in status.events > 0 ? AnalyticsNumber.rounded(Double(bytes) / Double(status.events)) : nil }
        self.init(
            events: Int64(status.events),
            people: Int64(status.people),
            eventColumnBytes: Int64(status.eventColumnBytes),
            eventColumnBytesPerEvent: perEvent(status.eventColumnBytes),
            residentBytes: Int64(status.residentBytes),
            residentBytesPerEvent: perEvent(status.residentBytes),
            slotsInUse: Int64(status.slotsInUse),
            garbageSlots: Int64(status.garbageSlots),
            compactions: Int64(status.compactions),
            builds: Int64(status.builds),
            merges: Int64(status.merges),
            lastMergeSeconds: AnalyticsNumber.rounded(status.lastMergeSeconds),
            lastBuildSeconds: AnalyticsNumber.rounded(status.lastBuildSeconds),
            loadedFromSnapshot: status.loadedFromSnapshot,
            eventSeq: status.version?.eventSeq,
            peopleVersion: status.version?.peopleVersion
        )
    }
}

extension Components.Schemas.StickinessAnswer {
    init(_ result: StickinessResult) {
        self.init(
            groups: result.groups.map { group in
                .init(
                    value: group.value,
                    windows: group.histograms.map {
                        .init(
                            label: $0.label,
                            days: $0.days,
                            people: $0.people,
                            counts: $0.counts,
                            atLeast: $0.atLeast,
                            meanDays: AnalyticsNumber.rounded($0.meanDays)
                        )
                    }
                )
            }
        )
    }
}

extension Components.Schemas.LifecycleAnswer {
    init(_ result: LifecycleResult) {
        self.init(
            groups: result.groups.map { group in
                .init(
                    value: group.value,
                    periods: group.points.map {
                        .init(
                            period: $0.label,
                            new: $0.new,
                            returning: $0.returning,
                            resurrecting: $0.resurrecting,
                            dormant: $0.dormant,
                            active: $0.active
                        )
                    }
                )
            }
        )
    }
}

extension Components.Schemas.KPIValues {
    /// The metrics whose values are money (minor units; answered in major units).
    static let moneyMetrics: Set<KPIMetric> = [.revenue, .averageOrderValue, .arpu]

    init(_ values: KPIValues, currency: String) {
        self.init()
        for metric in KPIMetric.allCases {
            let value = values.value(metric)
            self[keyPath: Self.field(metric)] =
                Self.moneyMetrics.contains(metric) ? AnalyticsNumber.amount(value, currency) : AnalyticsNumber.rounded(value)
        }
    }

    /// Each metric's relative change from `baseline`.
    init(_ values: KPIValues, changesFrom baseline: KPIValues) {
        self.init()
        for change in values.changes(from: baseline) { self[keyPath: Self.field(change.metric)] = AnalyticsNumber.rounded(change.relative) }
    }

    static func field(_ metric: KPIMetric) -> WritableKeyPath<Self, Double?> {
        switch metric {
        case .exposures: \.exposures
        case .clicks: \.clicks
        case .ctr: \.ctr
        case .interactions: \.interactions
        case .conversions: \.conversions
        case .conversionRate: \.conversionRate
        case .activePeople: \.activePeople
        case .newPeople: \.newPeople
        case .activationRate: \.activationRate
        case .day1Retention: \.day1Retention
        case .day7Retention: \.day7Retention
        case .churnRate: \.churnRate
        case .reactivationRate: \.reactivationRate
        case .orders: \.orders
        case .revenue: \.revenue
        case .averageOrderValue: \.averageOrderValue
        case .repurchaseRate: \.repurchaseRate
        case .payingPenetration: \.payingPenetration
        case .arpu: \.arpu
        }
    }
}

extension Components.Schemas.KPIAnswer {
    init(_ result: KPIResult, currency: String) {
        self.init(
            currency: currency,
            series: result.series.map { series in
                .init(
                    channel: series.channel,
                    points: series.points.map { point in
                        .init(
                            period: point.label,
                            values: .init(point.values, currency: currency),
                            previous: .init(point.previous, currency: currency),
                            changeVsPrevious: .init(point.values, changesFrom: point.previous),
                            sameWeekdayLastWeek: point.sameWeekdayLastWeek.map { .init($0, currency: currency) },
                            changeVsSameWeekdayLastWeek: point.sameWeekdayLastWeek.map { .init(point.values, changesFrom: $0) }
                        )
                    }
                )
            }
        )
    }
}

extension Components.Schemas.AnalyticsMoney {
    init(minorUnits: Int64, currency: String) { self.init(Money(minorUnits: minorUnits, currency: currency)) }
}

extension Components.Schemas.RFMAnswer {
    init(_ result: RFMResult, query: RFMQuery, currency: String, saved: Components.Schemas.RFMSaved?) {
        func dimension(_ dimension: RFMResult.Dimension) -> Components.Schemas.RFMDimension {
            .init(
                mean: AnalyticsNumber.rounded(dimension.mean),
                bands: dimension.bands.map { .init(score: $0.score, min: $0.min, max: $0.max, people: $0.people) }
            )
        }
        func summary(_ summary: RFMResult.ClassSummary) -> Components.Schemas.RFMClassSummary {
            .init(
                code: summary.code,
                english: summary.english,
                chinese: summary.chinese,
                people: summary.people,
                revenue: .init(minorUnits: summary.revenue, currency: currency),
                peopleShare: AnalyticsNumber.always(summary.peopleShare),
                revenueShare: AnalyticsNumber.always(summary.revenueShare)
            )
        }
        self.init(
            buyers: result.rows.count,
            recency: dimension(result.recency),
            frequency: dimension(result.frequency),
            monetary: dimension(result.monetary),
            groups: result.groups.map { group in
                .init(
                    value: group.value,
                    buyers: group.buyers,
                    revenue: .init(minorUnits: group.revenue, currency: currency),
                    segments: group.segments.map(summary),
                    classes: group.classes.map(summary)
                )
            },
            asOf: Timestamp.iso8601(query.asOf),
            saved: saved
        )
    }
}

extension Components.Schemas.TiersAnswer {
    init(_ assignment: TierAssignment, kind: TierScheme.Kind, currency: String, saved: Components.Schemas.TiersSaved?) {
        self.init(
            scheme: SchemePayload(rawValue: kind.rawValue) ?? .pyramid,
            people: assignment.assignments.count,
            tiers: assignment.tiers.map { tier in
                .init(
                    code: tier.code,
                    people: tier.people,
                    revenue: .init(minorUnits: tier.revenue, currency: currency),
                    peopleShare: AnalyticsNumber.always(tier.peopleShare),
                    revenueShare: AnalyticsNumber.always(tier.revenueShare)
                )
            },
            saved: saved
        )
    }
}

extension Components.Schemas.LabelMovement {
    init(_ movement: LabelMovement) { self.init(from: movement.from, to: movement.to, people: movement.people) }
}

extension Components.Schemas.ConcentrationAnswer {
    init(_ result: ConcentrationResult, currency: String) {
        self.init(
            people: result.people,
            buyers: result.buyers,
            revenue: .init(minorUnits: result.revenue, currency: currency),
            gini: AnalyticsNumber.always(result.gini),
            top: result.top.map {
                .init(
                    fraction: AnalyticsNumber.always($0.fraction),
                    people: $0.people,
                    revenue: .init(minorUnits: $0.revenue, currency: currency),
                    share: AnalyticsNumber.always($0.share)
                )
            },
            lorenz: result.lorenz.map { .init(population: AnalyticsNumber.always($0.population), revenue: AnalyticsNumber.always($0.revenue)) }
        )
    }
}

extension Components.Schemas.JourneyAnswer {
    init(_ result: JourneyResult, saved: Components.Schemas.JourneySaved?) {
        self.init(
            groups: result.groups.map { group in
                .init(
                    value: group.value,
                    people: group.people,
                    unreached: group.unreached,
                    stages: group.stages.map {
                        .init(
                            code: $0.code,
                            english: $0.english,
                            chinese: $0.chinese,
                            people: $0.people,
                            cumulative: $0.cumulative,
                            conversionFromPrevious: AnalyticsNumber.always($0.conversionFromPrevious),
                            conversionFromFirst: AnalyticsNumber.always($0.conversionFromFirst)
                        )
                    }
                )
            },
            saved: saved
        )
    }
}

extension Components.Schemas.AnalyticsPerson {
    /// Person `p` of the dataset as lists show them (funnel drop-outs, segment members, a rule's sample).
    init(_ dataset: Dataset, _ p: Int) {
        self.init(
            id: dataset.personIds[p],
            userId: dataset.userIds[p],
            name: dataset.traits[p]["name"].map(OpenAPIValueContainer.init),
            firstChannel: dataset.channelName(dataset.firstChannel[p]),
            lastSeen: dataset.lastSeen[p] == .min ? nil : Timestamp.iso8601(dataset.lastSeen[p])
        )
    }
}

extension TierMovements {
    /// The movements between tiers, largest first (people who stayed are not movements).
    var movements: [LabelMovement] {
        var movements: [LabelMovement] = []
        for (from, row) in matrix {
            for (to, people) in row where from != to {
                movements.append(LabelMovement(from: from == Self.noTier ? nil : from, to: to == Self.noTier ? nil : to, people: people))
            }
        }
        return movements.sorted { a, b in
            let left = (a.people, b.from ?? "", b.to ?? "")
            let right = (b.people, a.from ?? "", a.to ?? "")
            return left > right
        }
    }
}
