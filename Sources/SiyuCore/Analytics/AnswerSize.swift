/// How many cells an analytics answer will hold, estimated from the query and the dataset before
/// the kernel runs, so that a query whose answer would not fit ``QueryLimits/maximumAnswerCells``
/// is refused instead of filling the server's memory.
///
/// The estimates are upper bounds: every period of the range, every value the breakdown can take
/// in the dataset (plus the overall row).
public enum AnswerSize {
    /// An answer that would be larger than ``QueryLimits/maximumAnswerCells``.
    public struct TooLarge: Error, Sendable, Equatable, CustomStringConvertible {
        public var cells: Int
        public var limit: Int

        public var description: String {
            "the answer would hold about \(cells) cells; the limit is \(limit): "
                + "narrow the date range, choose a longer period, or a breakdown with fewer values"
        }
    }

    /// Throws ``TooLarge`` when `cells` is beyond the limit.
    public static func check(_ cells: Int, limit: Int = QueryLimits.maximumAnswerCells) throws(TooLarge) {
        if cells > limit { throw TooLarge(cells: cells, limit: limit) }
    }

    /// The product, held at `Int.max`.
    static func product(_ factors: Int...) -> Int {
        factors.reduce(1) { total, factor in
            let (result, overflow) = total.multipliedReportingOverflow(by: max(factor, 0))
            return overflow ? .max : result
        }
    }

    /// Most periods of a kind that start inside a range (months counted as 28 days, quarters as 89).
    public static func buckets(_ range: TimeRange, _ period: Period) -> Int {
        let shortest: Int64
        switch period {
        case .hour: shortest = 3_600_000
        case .day: shortest = 86_400_000 - 3_600_000  // a day that loses an hour to daylight saving
        case .week: shortest = 7 * 86_400_000 - 3_600_000
        case .month: shortest = 28 * 86_400_000 - 3_600_000
        case .quarter: shortest = 89 * 86_400_000 - 3_600_000
        }
        guard range.to > range.from else { return 1 }
        let (span, overflow) = range.to.subtractingReportingOverflow(range.from)
        guard !overflow else { return .max }
        return Int(span / shortest) + 2
    }

    /// Rows of a breakdown: every value it can take in the dataset, plus the overall row (1 without a breakdown).
    public static func groups(_ breakdown: Breakdown?, in dataset: Dataset) -> Int {
        guard let breakdown else { return 1 }
        switch breakdown {
        case .channel, .firstTouchChannel, .lastTouchChannel:
            return dataset.channelDictionary.count + 2
        case .property(let key):
            return (dataset.properties[key]?.dictionary.count ?? 0) + 2
        case .trait(let key):
            var values = Set<String>()
            for traits in dataset.traits {
                if let value = traits[key] { values.insert(value.scalarText ?? JSONWriter.string(value)) }
                if values.count > QueryLimits.maximumAnswerCells { break }
            }
            return values.count + 2
        }
    }
}

extension FunnelQuery {
    /// Steps × breakdown rows × (trend points + histogram bins + 1).
    public func answerCells(in dataset: Dataset) -> Int {
        let trendPoints = trend.map { AnswerSize.buckets(range, $0) } ?? 0
        return AnswerSize.product(steps.count, AnswerSize.groups(breakdown, in: dataset), trendPoints + histogramBins + 1)
    }
}

extension RetentionQuery {
    /// Cohorts × (periods + 1) × breakdown rows.
    public func answerCells(in dataset: Dataset) -> Int {
        AnswerSize.product(AnswerSize.buckets(range, period), periods + 1, AnswerSize.groups(breakdown, in: dataset))
    }
}

extension StickinessQuery {
    /// Windows × days of a window × breakdown rows.
    public func answerCells(in dataset: Dataset) -> Int {
        let windows: Int
        let days: Int
        switch window {
        case .week: (windows, days) = (AnswerSize.buckets(range, .week), 7)
        case .month: (windows, days) = (AnswerSize.buckets(range, .month), 31)
        case .range: (windows, days) = (1, AnswerSize.buckets(range, .day))
        }
        return AnswerSize.product(windows, days, AnswerSize.groups(breakdown, in: dataset))
    }
}

extension LifecycleQuery {
    /// Periods × 4 statuses × breakdown rows.
    public func answerCells(in dataset: Dataset) -> Int {
        AnswerSize.product(AnswerSize.buckets(range, period), 4, AnswerSize.groups(breakdown, in: dataset))
    }
}

extension KPIQuery {
    /// Periods × (channels + 1) × metrics.
    public func answerCells(in dataset: Dataset) -> Int {
        let rows = byChannel ? dataset.channelDictionary.count + 2 : 1
        return AnswerSize.product(AnswerSize.buckets(range, period), rows, KPIMetric.allCases.count)
    }
}

extension RFMQuery {
    /// Breakdown rows × (11 segments + 8 classes + 15 score bands).
    public func answerCells(in dataset: Dataset) -> Int {
        AnswerSize.product(AnswerSize.groups(breakdown, in: dataset), 11 + 8 + 15)
    }
}

extension JourneyQuery {
    /// Breakdown rows × stages.
    public func answerCells(in dataset: Dataset) -> Int {
        AnswerSize.product(AnswerSize.groups(breakdown, in: dataset), stages.count)
    }
}
