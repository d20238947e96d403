/// How the reports read each metric of the KPI set: which way is good, what kind of number it
/// is, and which count it rests on.
extension KPIMetric {
    /// Whether a rise is good news. Only churn is better lower.
    public var higherIsBetter: Bool { self != .churnRate }

    /// A share on the 0…1 scale (CTR, conversion, activation, retention, churn, reactivation,
    /// repurchase rates and paying penetration), whose changes also read in percentage points.
    public var isRate: Bool {
        switch self {
        case .ctr, .conversionRate, .activationRate, .day1Retention, .day7Retention, .churnRate, .reactivationRate, .repurchaseRate,
            .payingPenetration:
            return true
        default:
            return false
        }
    }

    /// An amount of money in minor units (revenue, AOV, ARPU).
    public var isMoney: Bool { self == .revenue || self == .averageOrderValue || self == .arpu }

    /// A count that adds up over periods (events, people, orders, revenue); the rest are ratios.
    public var isCount: Bool {
        switch self {
        case .exposures, .clicks, .interactions, .conversions, .activePeople, .newPeople, .orders, .revenue: return true
        default: return false
        }
    }

    /// The number of events or people the metric rests on: the count itself, or the
    /// denominator of a ratio (revenue rests on its orders). Reports ignore moves on tiny bases.
    public func base(in values: KPIValues) -> Int {
        switch self {
        case .exposures, .ctr: return values.exposures
        case .clicks: return values.clicks
        case .interactions: return values.interactions
        case .conversions: return values.conversions
        case .conversionRate, .activePeople, .payingPenetration, .arpu: return values.activePeople
        case .newPeople: return values.newPeople
        case .activationRate: return values.activationEligible
        case .day1Retention: return values.day1Eligible
        case .day7Retention: return values.day7Eligible
        case .churnRate: return values.previousActivePeople
        case .reactivationRate: return values.silentPeople
        case .orders, .revenue, .averageOrderValue: return values.orders
        case .repurchaseRate: return values.buyers
        }
    }
}

extension KPIValues {
    /// The counts of several periods added up (their rates then are the pooled rates: a quiet
    /// period weighs less than a busy one).
    public static func pooled(_ periods: [KPIValues]) -> KPIValues {
        var sum = KPIValues()
        for v in periods {
            sum.exposures += v.exposures
            sum.clicks += v.clicks
            sum.interactions += v.interactions
            sum.conversions += v.conversions
            sum.activePeople += v.activePeople
            sum.convertingPeople += v.convertingPeople
            sum.newPeople += v.newPeople
            sum.activationEligible += v.activationEligible
            sum.activatedPeople += v.activatedPeople
            sum.day1Eligible += v.day1Eligible
            sum.day1Retained += v.day1Retained
            sum.day7Eligible += v.day7Eligible
            sum.day7Retained += v.day7Retained
            sum.previousActivePeople += v.previousActivePeople
            sum.churnedPeople += v.churnedPeople
            sum.silentPeople += v.silentPeople
            sum.reactivatedPeople += v.reactivatedPeople
            sum.orders += v.orders
            sum.revenue.addSaturated(v.revenue)
            sum.buyers += v.buyers
            sum.repeatBuyers += v.repeatBuyers
        }
        return sum
    }
}
