import Foundation
import Testing

@testable import SiyuCore

/// The channel board over the week of May 6th–12th (d5–d11; `d` is May 1st + d, so d8 is May 9th).
@Suite struct ChannelBoardTests {
    typealias R = ReportFixture
    typealias K = KPISetTests
    typealias F = AnalyticsFixture

    /// | person | events | first touch | clv |
    /// |---|---|---|---|
    /// | 1 | view kol:lily d5 (new); order 100.00 on app d6 | kol:lily | 120 |
    /// | 2 | view kol:lily d6 (new); order 300.00 on kol:lily d8 | kol:lily | – |
    /// | 3 | view kol:lily d−10; view kol:lily d7 | kol:lily | 60 |
    /// | 4 | views on app d7 (new) and d8 | app | 30 |
    /// | 5 | view wechat d9 (new) | wechat | – |
    /// | 6 | view app d0 only, before the range | app | 90 |
    static func dataset(clv: [Double]? = [120, .nan, 60, 30, .nan, 90]) -> Dataset {
        var data = K.dataset([
            1: R.views(1, day: 5, "kol:lily") + [.order(K.noon(6), "app", 10000)],
            2: R.views(1, day: 6, "kol:lily") + [.order(K.noon(8), "kol:lily", 30000)],
            3: R.views(1, day: -10, "kol:lily") + R.views(1, day: 7, "kol:lily"),
            4: R.views(1, day: 7, "app") + R.views(1, day: 8, "app"),
            5: R.views(1, day: 9, "wechat"),
            6: R.views(1, day: 0, "app"),
        ])
        data.attributes[WorkspaceValue.Attribute.clv] = clv
        return data
    }

    static let channels = [
        // ¥3,000.00 and ¥3,100.00 a month.
        Channel(key: "kol:lily", name: "Lily 莉莉", kind: .partner, monthlyCostMinor: 300_000),
        Channel(key: "app", name: "App", kind: .privateDomain),
        Channel(key: "kol:mia", name: "Mia", kind: .partner, monthlyCostMinor: 310_000),
    ]

    func makeBoard(_ data: Dataset = ChannelBoardTests.dataset(), customers: ChannelBoard.CustomerScope = .allTime) -> ChannelBoard {
        // From 10:00 local on May 6th to 10:00 on May 12th: the whole days May 6th–12th.
        let range = TimeRange(from: F.t0 + 5 * F.day + 2 * F.hour, to: F.t0 + 11 * F.day + 2 * F.hour)
        return ChannelBoard.make(dataset: data, range: range, calendar: .shanghai, channels: Self.channels, customers: customers, now: K.may31)
    }

    @Test func kolRowWithProratedCost() throws {
        let board = makeBoard()
        #expect(board.lastDay - board.firstDay == 6)
        // Lily brought 300.00; Mia nothing but still costs.
        #expect(board.kols.map(\.channel) == ["kol:lily", "kol:mia"])
        let lily = try #require(board.kols.first)
        #expect(lily.name == "Lily 莉莉")
        #expect(lily.kind == .partner)
        // Reached 1, 2, 3; new 1 and 2; one order (person 2's) of 300.00, also the one conversion.
        #expect(lily.reach == 3)
        #expect(lily.newPeople == 2)
        #expect(lily.conversions == 1)
        #expect(lily.orders == 1)
        #expect(lily.revenue == 30000)
        // 7 days of May's 31: 300000 × 7 / 31 = 67741.94 → 67742 fen; per new person 33871.
        #expect(lily.cost == 67742)
        #expect(lily.costPerNewPerson == 33871)
        #expect(lily.roi == Double(30000 - 67742) / 67742)
        #expect(lily.roas == 30000.0 / 67742)
        // Customers first touched by Lily: 1 (120), 2 (no clv), 3 (60, first seen before the range).
        #expect(lily.valuedCustomers == 2)
        #expect(lily.customerValue == 180)
        #expect(lily.averageCustomerValue == 90)
        #expect(lily.trend.map(\.label) == ["2024-05-06", "2024-05-07", "2024-05-08", "2024-05-09", "2024-05-10", "2024-05-11", "2024-05-12"])
        // Person 2's order on d8, May 9th: the fourth day.
        #expect(lily.trend.map(\.revenue) == [0, 0, 0, 30000, 0, 0, 0])
        #expect(lily.trend.map(\.newPeople) == [1, 1, 0, 0, 0, 0, 0])
        // Mia: 310000 × 7 / 31 = 70000, nothing back: ROI −1, no one new to divide by.
        let mia = try #require(board.kols.last)
        #expect(mia.cost == 70000)
        #expect(mia.roi == -1)
        #expect(mia.costPerNewPerson == nil)
        #expect(mia.reach == 0)
        #expect(mia.customerValue == nil)
        #expect(mia.trend.count == 7)
    }

    @Test func channelsAndTotal() throws {
        let board = makeBoard()
        #expect(board.channels.map(\.channel) == ["app", "wechat"])
        let app = board.channels[0]
        // Person 1's order and person 4's views; person 4 new; no cost known.
        #expect(app.reach == 2)
        #expect(app.newPeople == 1)
        #expect(app.revenue == 10000)
        #expect(app.cost == nil)
        #expect(app.roi == nil)
        // First touched on app: 4 (30) and 6 (90, not active in the range).
        #expect(app.customerValue == 120)
        #expect(app.averageCustomerValue == 60)
        let wechat = board.channels[1]
        #expect(wechat.name == "wechat")
        #expect(wechat.kind == .other)
        #expect(wechat.valuedCustomers == 0)
        #expect(wechat.averageCustomerValue == nil)
        // Five people reached (person 1 on two channels counts once); 1, 2, 4, 5 new.
        #expect(board.total.reach == 5)
        #expect(board.total.newPeople == 4)
        #expect(board.total.revenue == 40000)
        // Known costs add up; with app's and wechat's unknown the total has no ROI.
        #expect(board.total.cost == 137_742)
        #expect(board.total.roi == nil)
        // clv 120 + 60 + 30 + 90 over 4 people.
        #expect(board.total.customerValue == 300)
        #expect(board.total.averageCustomerValue == 75)
    }

    @Test func customerValueOfNewPeopleOnlyOrNone() throws {
        let new = makeBoard(customers: .newInRange)
        // New in the range with a clv: 1 (Lily, 120) and 4 (app, 30).
        #expect(new.kols.first?.customerValue == 120)
        #expect(new.channels.first?.averageCustomerValue == 30)
        #expect(new.total.valuedCustomers == 2)
        #expect(new.total.customerValue == 150)
        // Before any customer-value fit there is no clv attribute at all.
        let none = makeBoard(Self.dataset(clv: nil))
        #expect(none.total.customerValue == nil)
        #expect(none.kols.allSatisfy { $0.averageCustomerValue == nil })
    }

    @Test func monthlyCostIsProratedByTheDaysOfEachMonth() {
        func cost(_ monthly: Int64, from: (Int, Int, Int), to: (Int, Int, Int)) -> Int64 {
            CostProration.prorate(
                monthlyMinor: monthly,
                firstDay: Timestamp.daysFromCivil(year: from.0, month: from.1, day: from.2),
                lastDay: Timestamp.daysFromCivil(year: to.0, month: to.1, day: to.2)
            )
        }
        // 7 days of May (31 days): 300000 × 7 / 31 = 67741.94; of June (30): 70000; of February 2024 (29): 290000 × 7 / 29.
        #expect(cost(300_000, from: (2024, 5, 6), to: (2024, 5, 12)) == 67742)
        #expect(cost(300_000, from: (2024, 6, 3), to: (2024, 6, 9)) == 70000)
        #expect(cost(290_000, from: (2024, 2, 23), to: (2024, 2, 29)) == 70000)
        // May 29th–June 4th: 3/31 of May (29032.26) + 4/30 of June (40000).
        #expect(cost(300_000, from: (2024, 5, 29), to: (2024, 6, 4)) == 69032)
        // Across a year end: December 31st and January 1st, 3100 / 31 each.
        #expect(cost(3100, from: (2024, 12, 31), to: (2025, 1, 1)) == 200)
        // 1 fen a month over 15 of June's 30 days is half a fen, rounded up; over 14 days, 0.47 rounds down.
        #expect(cost(1, from: (2024, 6, 1), to: (2024, 6, 15)) == 1)
        #expect(cost(1, from: (2024, 6, 1), to: (2024, 6, 14)) == 0)
        #expect(cost(300_000, from: (2024, 5, 6), to: (2024, 5, 5)) == 0)
    }
}
