@testable import SiyuCore

/// Hand-made datasets for the report tests, built with the KPI tests' helpers (events at local
/// noon of May 1st + `d` in Shanghai, plus a few minutes).
enum ReportFixture {
    typealias K = KPISetTests
    typealias F = AnalyticsFixture

    /// `count` product views on local day May 1st + `day`, a minute apart from `minute` after noon.
    static func views(_ count: Int, day: Int64, _ channel: String, minute: Int64 = 0) -> [K.E] {
        (0..<Int64(count)).map { .track("Product Viewed", K.noon(day) + minute + $0, channel) }
    }

    /// `count` product clicks on local day May 1st + `day`, from 100 minutes after noon.
    static func clicks(_ count: Int, day: Int64, _ channel: String) -> [K.E] {
        (0..<Int64(count)).map { .track("Product Clicked", K.noon(day) + 100 + $0, channel) }
    }

    /// The local day May 1st + `d` (Shanghai).
    static func day(_ d: Int64) -> Int { LocalCalendar.shanghai.day(F.t0 + d * F.day) }

    /// The daily report dataset. Day under test: Wednesday May 8th (d7); the day before is May
    /// 7th (d6), the same weekday last week May 1st (d0).
    ///
    /// | person | d0 | d6 | d7 |
    /// |---|---|---|---|
    /// | 1 | 10 views app | 20 views app, order 40.00 app | 23 views + 2 clicks app, order 50.00 app |
    /// | 2 | – | 1 view wechat | 2 views wechat, order 200.00 wechat |
    /// | 3 | – | – | Product Added app, then 1 view wechat (new, first touch app) |
    /// | 5, 6 | – | – | 1 view kol:lily each (new) |
    /// | 7 | – | – | 1 view douyin (new) |
    static let daily: Dataset = K.dataset([
        1: views(10, day: 0, "app") + views(20, day: 6, "app") + [.order(K.noon(6) + 30, "app", 4000)] + views(23, day: 7, "app")
            + clicks(2, day: 7, "app") + [.order(K.noon(7) + 40, "app", 5000)],
        2: views(1, day: 6, "wechat") + views(2, day: 7, "wechat") + [.order(K.noon(7) + 5, "wechat", 20000)],
        3: [.track("Product Added", K.noon(7), "app"), .track("Product Viewed", K.noon(7) + 1, "wechat")],
        5: views(1, day: 7, "kol:lily"),
        6: views(1, day: 7, "kol:lily"),
        7: views(1, day: 7, "douyin"),
    ])

    /// The daily report of May 8th from the KPI kernel.
    static func dailyReport(metrics: [KPIMetric] = KPIMetric.allCases) -> DailyReport? {
        let range = DailyReport.range(ofDay: day(7), calendar: .shanghai)
        let result = KPIEngine(dataset: daily, query: KPIQuery(period: .day, range: range), calendar: .shanghai, now: K.may31 + 30 * F.day).run()
        return DailyReport(result, day: day(7), metrics: metrics)
    }

    /// The weekly dataset: five weeks, W19 (May 6th) to W23 (June 3rd), events on each Wednesday
    /// (d7, d14, d21, d28, d35).
    ///
    /// | week | app (person 1) views / clicks | wechat (person 2) views / orders |
    /// |---|---|---|
    /// | W19 | 10 / 5 | 2 / – |
    /// | W20 | 20 / 5 | 2 / – |
    /// | W21 | 30 / 5 | 2 / – |
    /// | W22 | 40 / 5 | 2 / 100.00 |
    /// | W23 | 50 / 4 | 8 / 150.00 |
    static let weekly: Dataset = {
        var app: [K.E] = []
        var wechat: [K.E] = []
        for (week, (appViews, appClicks, wechatViews)) in [(10, 5, 2), (20, 5, 2), (30, 5, 2), (40, 5, 2), (50, 4, 8)].enumerated() {
            let wednesday = Int64(7 + 7 * week)
            app += ReportFixture.views(appViews, day: wednesday, "app") + ReportFixture.clicks(appClicks, day: wednesday, "app")
            wechat += ReportFixture.views(wechatViews, day: wednesday, "wechat")
        }
        wechat += [.order(K.noon(28) + 200, "wechat", 10000), .order(K.noon(35) + 200, "wechat", 15000)]
        return K.dataset([1: app, 2: wechat])
    }()

    /// The week of Monday June 3rd (d33).
    static let w23 = LocalCalendar.shanghai.bucket(F.t0 + 33 * F.day, .week)

    /// The weekly analysis of W23 from the KPI kernel.
    static func weeklyAnalysis(metrics: [KPIMetric] = KPIMetric.allCases, minimumBase: Double = 5, moverLimit: Int = 10) -> WeeklyAnalysis? {
        let range = WeeklyAnalysis.range(ofWeek: w23, calendar: .shanghai)
        let result = KPIEngine(dataset: weekly, query: KPIQuery(period: .week, range: range), calendar: .shanghai, now: K.may31 + 30 * F.day).run()
        return WeeklyAnalysis(result, week: w23, metrics: metrics, minimumBase: minimumBase, moverLimit: moverLimit)
    }
}
