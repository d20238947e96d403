import OrderedCollections
import SiyuCore

/// How the admin API answers a measured number: to six decimals, and none when it is not finite.
enum AnalyticsNumber {
    static func rounded(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return (value * 1_000_000).rounded() / 1_000_000
    }
}

/// JSON of analytics results, as the admin API answers them.
enum AnalyticsJSON {
    static func number(_ value: Double?) -> JSONValue { AnalyticsNumber.rounded(value).map(JSONValue.double) ?? .null }

    static func seconds(_ millis: Double?) -> JSONValue { number(millis.map { $0 / 1000 }) }

    static func funnel(_ result: FunnelResult, query: FunnelQuery) -> JSONValue {
        func steps(_ group: FunnelResult.Group) -> JSONValue {
            .array(
                group.steps.enumerated().map { index, step in
                    [
                        "step": .int(Int64(index)), "event": query.steps[index].matcher.event.map(JSONValue.string) ?? .null,
                        "optional": .bool(query.steps[index].isOptional), "count": .int(Int64(step.count)),
                        "conversionFromStart": number(step.conversionFromStart), "conversionFromPrevious": number(step.conversionFromPrevious),
                        "dropped": .int(Int64(step.dropped)), "medianSeconds": seconds(step.medianTime), "meanSeconds": seconds(step.meanTime),
                        "histogram": .array(
                            step.histogram.map {
                                [
                                    "fromSeconds": number(Double($0.from) / 1000), "toSeconds": number(Double($0.to) / 1000),
                                    "count": .int(Int64($0.count)),
                                ]
                            }
                        ),
                    ]
                }
            )
        }
        var object: JSONObject = ["steps": steps(result.groups[0])]
        if query.breakdown != nil {
            object["breakdown"] = .array(result.groups.dropFirst().map { ["value": .string($0.value), "steps": steps($0)] })
        }
        if !result.trend.isEmpty {
            object["trend"] = .array(
                result.trend.map {
                    [
                        "period": .string($0.label), "entered": .int(Int64($0.entered)), "converted": .int(Int64($0.converted)),
                        "rate": number($0.rate),
                    ]
                }
            )
        }
        return .object(object)
    }

    static func retention(_ result: RetentionResult) -> JSONValue {
        func table(_ table: RetentionResult.Table) -> JSONObject {
            [
                "cohorts": .array(
                    table.cohorts.map { cohort in
                        [
                            "period": .string(cohort.label), "size": .int(Int64(cohort.size)),
                            "counts": .array(cohort.counts.map { $0.map { .int(Int64($0)) } ?? .null }),
                            "rates": .array(
                                cohort.counts.map { count in
                                    count.map { cohort.size == 0 ? .null : number(Double($0) / Double(cohort.size)) } ?? .null
                                }
                            ),
                        ]
                    }
                ),
                "weighted": .array(table.weighted.map(number)), "simple": .array(table.simple.map(number)),
            ]
        }
        var object = table(result.tables[0])
        object["summary"] = ["day1": number(result.day1), "day7": number(result.day7), "day30": number(result.day30)]
        if result.tables.count > 1 {
            object["breakdown"] = .array(
                result.tables.dropFirst().map { t in
                    var entry = table(t)
                    entry["value"] = .string(t.value)
                    return .object(entry)
                }
            )
        }
        return .object(object)
    }

    /// A person in a list (funnel drop-outs, segment members).
    static func person(_ dataset: Dataset, _ p: Int, currency: String) -> JSONValue {
        var object: JSONObject = ["id": .int(dataset.personIds[p]), "userId": dataset.userIds[p].map(JSONValue.string) ?? .null]
        if let name = dataset.traits[p]["name"] { object["name"] = name }
        object["firstChannel"] = .string(dataset.channelName(dataset.firstChannel[p]))
        object["lastSeen"] = dataset.lastSeen[p] == .min ? .null : .string(Timestamp.iso8601(dataset.lastSeen[p]))
        return .object(object)
    }
}
