import Testing

@testable import SiyuCore
@testable import SiyuDemo

@Suite struct DemoLiveTrafficTests {
    let traffic = DemoLiveTraffic(members: 24_000, eventsPerDay: 13_500, seed: 42)
    /// 2026-12-07T00:00:00+08:00.
    let midnight: Int64 = 1_796_572_800_000

    @Test func windowsAddUpAndRepeat() {
        let hour: Int64 = 3_600_000
        let whole = traffic.batchItems(from: midnight + 12 * hour, to: midnight + 14 * hour)
        let split =
            traffic.batchItems(from: midnight + 12 * hour, to: midnight + 13 * hour)
            + traffic.batchItems(from: midnight + 13 * hour, to: midnight + 14 * hour)
        // The same calls, with the same message ids, however the period is cut.
        #expect(split.map { $0["messageId"] } == whole.map { $0["messageId"] })
        #expect(traffic.batchItems(from: midnight + 12 * hour, to: midnight + 14 * hour) == whole)
        #expect(Set(whole.compactMap { $0["messageId"]?.stringValue }).count == whole.count)
    }

    @Test func aDayHasTheBrandsVolumeAndRhythm() {
        let hour: Int64 = 3_600_000
        let day = traffic.batchItems(from: midnight, to: midnight + 24 * hour)
        // 13,500 events a day on average: a day drawn from it is within 10 %.
        #expect(abs(Double(day.count) - 13_500) < 1_350, "\(day.count)")
        let night = traffic.batchItems(from: midnight + 3 * hour, to: midnight + 5 * hour).count
        let evening = traffic.batchItems(from: midnight + 20 * hour, to: midnight + 22 * hour).count
        #expect(evening > night * 8, "evening \(evening), night \(night)")
        let names = day.compactMap { $0["event"]?.stringValue }
        let orders = names.filter { $0 == "Order Completed" }.count
        #expect(names.contains("Product Clicked") && orders > 50)
        // Every order has an amount and an id.
        #expect(
            day.filter { $0["event"] == "Order Completed" }.allSatisfy { $0["properties"]?["revenue"] != nil && $0["properties"]?["order_id"] != nil }
        )
    }
}
