import SiyuCore
import SiyuStore

/// JSON of the person-level and event-level kernels. Money is `{"amount", "minorUnits",
/// "currency"}` as everywhere in the API; rates are fractions (0.25 = 25 %), `null` when undefined.
extension AnalyticsJSON {
    static func money(_ minor: Int64, _ currency: String) -> JSONValue { Money(minorUnits: minor, currency: currency).json }

    /// A money amount given as a fraction of minor units (averages), in major units.
    static func amount(_ minor: Double?, _ currency: String) -> JSONValue {
        guard let minor, minor.isFinite else { return .null }
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return number(minor / scale)
    }

    static func stickiness(_ result: StickinessResult) -> JSONValue {
        .object([
            "groups": .array(
                result.groups.map { group in
                    [
                        "value": .string(group.value),
                        "windows": .array(
                            group.histograms.map { histogram in
                                [
                                    "label": .string(histogram.label), "days": .int(Int64(histogram.days)),
                                    "people": .int(Int64(histogram.people)),
                                    "counts": .array(histogram.counts.map { .int(Int64($0)) }),
                                    "atLeast": .array(histogram.atLeast.map { .int(Int64($0)) }),
                                    "meanDays": number(histogram.meanDays),
                                ]
                            }
                        ),
                    ]
                }
            )
        ])
    }

    static func lifecycle(_ result: LifecycleResult) -> JSONValue {
        .object([
            "groups": .array(
                result.groups.map { group in
                    [
                        "value": .string(group.value),
                        "periods": .array(
                            group.points.map { point in
                                [
                                    "period": .string(point.label), "new": .int(Int64(point.new)), "returning": .int(Int64(point.returning)),
                                    "resurrecting": .int(Int64(point.resurrecting)), "dormant": .int(Int64(point.dormant)),
                                    "active": .int(Int64(point.active)),
                                ]
                            }
                        ),
                    ]
                }
            )
        ])
    }

    /// The metrics of ``KPIValues`` whose values are money (minor units).
    static let moneyMetrics: Set<KPIMetric> = [.revenue, .averageOrderValue, .arpu]

    static func kpiValues(_ values: KPIValues, currency: String) -> JSONValue {
        var object = JSONObject()
        for metric in KPIMetric.allCases {
            let value = values.value(metric)
            object[metric.rawValue] = moneyMetrics.contains(metric) ? amount(value, currency) : number(value)
        }
        return .object(object)
    }

    static func kpiChanges(_ values: KPIValues, from baseline: KPIValues) -> JSONValue {
        var object = JSONObject()
        for change in values.changes(from: baseline) { object[change.metric.rawValue] = number(change.relative) }
        return .object(object)
    }

    static func kpis(_ result: KPIResult, currency: String) -> JSONValue {
        .object([
            "currency": .string(currency),
            "series": .array(
                result.series.map { series in
                    [
                        "channel": .string(series.channel),
                        "points": .array(
                            series.points.map { point in
                                var object: JSONObject = [
                                    "period": .string(point.label),
                                    "values": kpiValues(point.values, currency: currency),
                                    "previous": kpiValues(point.previous, currency: currency),
                                    "changeVsPrevious": kpiChanges(point.values, from: point.previous),
                                ]
                                if let lastWeek = point.sameWeekdayLastWeek {
                                    object["sameWeekdayLastWeek"] = kpiValues(lastWeek, currency: currency)
                                    object["changeVsSameWeekdayLastWeek"] = kpiChanges(point.values, from: lastWeek)
                                }
                                return .object(object)
                            }
                        ),
                    ]
                }
            ),
        ])
    }

    static func classSummary(_ summary: RFMResult.ClassSummary, currency: String) -> JSONValue {
        [
            "code": .string(summary.code), "english": .string(summary.english), "chinese": .string(summary.chinese),
            "people": .int(Int64(summary.people)), "revenue": money(summary.revenue, currency),
            "peopleShare": number(summary.peopleShare), "revenueShare": number(summary.revenueShare),
        ]
    }

    static func rfm(_ result: RFMResult, currency: String) -> JSONValue {
        func dimension(_ dimension: RFMResult.Dimension) -> JSONValue {
            [
                "mean": number(dimension.mean),
                "bands": .array(
                    dimension.bands.map {
                        ["score": .int(Int64($0.score)), "min": .int($0.min), "max": .int($0.max), "people": .int(Int64($0.people))]
                    }
                ),
            ]
        }
        return .object([
            "buyers": .int(Int64(result.rows.count)),
            "recency": dimension(result.recency),
            "frequency": dimension(result.frequency),
            "monetary": dimension(result.monetary),
            "groups": .array(
                result.groups.map { group in
                    [
                        "value": .string(group.value), "buyers": .int(Int64(group.buyers)), "revenue": money(group.revenue, currency),
                        "segments": .array(group.segments.map { classSummary($0, currency: currency) }),
                        "classes": .array(group.classes.map { classSummary($0, currency: currency) }),
                    ]
                }
            ),
        ])
    }

    static func tiers(_ assignment: TierAssignment, currency: String) -> JSONValue {
        .object([
            "scheme": .string(assignment.scheme),
            "people": .int(Int64(assignment.assignments.count)),
            "tiers": .array(
                assignment.tiers.map { tier in
                    [
                        "code": .string(tier.code), "people": .int(Int64(tier.people)), "revenue": money(tier.revenue, currency),
                        "peopleShare": number(tier.peopleShare), "revenueShare": number(tier.revenueShare),
                    ]
                }
            ),
        ])
    }

    static func movements(_ movements: [LabelMovement]) -> JSONValue {
        .array(
            movements.map {
                ["from": $0.from.map(JSONValue.string) ?? .null, "to": $0.to.map(JSONValue.string) ?? .null, "people": .int(Int64($0.people))]
            }
        )
    }

    static func concentration(_ result: ConcentrationResult, currency: String) -> JSONValue {
        .object([
            "people": .int(Int64(result.people)), "buyers": .int(Int64(result.buyers)), "revenue": money(result.revenue, currency),
            "gini": number(result.gini),
            "top": .array(
                result.top.map {
                    [
                        "fraction": number($0.fraction), "people": .int(Int64($0.people)), "revenue": money($0.revenue, currency),
                        "share": number($0.share),
                    ]
                }
            ),
            "lorenz": .array(result.lorenz.map { ["population": number($0.population), "revenue": number($0.revenue)] }),
        ])
    }

    static func journey(_ result: JourneyResult) -> JSONValue {
        .object([
            "groups": .array(
                result.groups.map { group in
                    [
                        "value": .string(group.value), "people": .int(Int64(group.people)), "unreached": .int(Int64(group.unreached)),
                        "stages": .array(
                            group.stages.map { stage in
                                [
                                    "code": .string(stage.code), "english": .string(stage.english), "chinese": .string(stage.chinese),
                                    "people": .int(Int64(stage.people)), "cumulative": .int(Int64(stage.cumulative)),
                                    "conversionFromPrevious": number(stage.conversionFromPrevious),
                                    "conversionFromFirst": number(stage.conversionFromFirst),
                                ]
                            }
                        ),
                    ]
                }
            )
        ])
    }
}
