import Foundation
import Testing

@testable import SiyuServer

/// One realistic chart of each kind, checked for well-formedness and determinism; with the
/// environment variable `SIYU_CHART_EXAMPLES` set to a folder, they are also written there as
/// `<name>.svg` for people to look at.
@Suite struct ChartExamples {
    /// Yuan with `万` above ten thousand: the kind of formatter the app passes in.
    static let yuan: ChartValueFormatter = { value in
        abs(value) >= 10_000
            ? "¥" + ChartFormat.decimal(value / 10_000, fractionDigits: 1) + "万" : "¥" + ChartFormat.decimal(value, fractionDigits: 2)
    }

    static let days = (1...14).map { "5月\($0)日" }

    static let examples: [(name: String, svg: String)] = [
        ("line", line(theme: .light)),
        ("line-dark", line(theme: .dark)),
        ("bar", BarChart(title: "各渠道收入", bars: channelBars, noDataText: "暂无数据", valueFormatter: yuan).svg()),
        ("bar-horizontal", BarChart(title: "各渠道收入", bars: channelBars, noDataText: "暂无数据", orientation: .horizontal, valueFormatter: yuan).svg()),
        ("bar-negative", BarChart(title: "净增用户", bars: netChange, noDataText: "暂无数据").svg()),
        ("stacked", stacked(percent: false)),
        ("stacked-percent", stacked(percent: true)),
        ("funnel", funnel(theme: .light)),
        ("funnel-dark", funnel(theme: .dark)),
        ("heatmap", heatMap(theme: .light)),
        ("heatmap-dark", heatMap(theme: .dark)),
        ("lorenz", lorenz),
        ("donut", donut),
        ("sparkline", Sparkline(title: "近 14 天订单", values: [12, 15, 11, 18, 22, 19, 25, 24, .nan, 28, 31, 27, 33, 36], noDataText: "").svg()),
        ("no-data", LineChart(title: "访问量", xLabels: [], series: [], noDataText: "所选时间段内暂无数据").svg()),
    ]

    /// Visitors over two weeks, the week before dashed, and a second series with a label to escape.
    static func line(theme: ChartTheme) -> String {
        let current: [Double] = [1200, 1350, 1280, 1610, 1720, 980, 870, 1500, 1580, 1490, 1800, 1920, 1100, 1010]
        let previous: [Double] = [1100, 1180, 1240, 1300, 1390, 900, 820, 1320, 1400, 1380, .nan, 1500, 950, 900]
        let orders: [Double] = [310, 340, 300, 420, 450, 260, 240, 390, 410, 380, 470, 520, 300, 280]
        return LineChart(
            title: "每日访客",
            xLabels: days,
            series: [
                .init(name: "访客", values: current),
                .init(name: "访客（上一周期）", values: previous, isComparison: true, colorIndex: 0),
                .init(name: "下单用户 <VIP & \"老客\">", values: orders),
            ],
            noDataText: "暂无数据",
            theme: theme
        ).svg()
    }

    static let channelBars: [BarChart.Bar] = [
        .init(label: "微信小程序", value: 128_400, href: "/channels/wechat"),
        .init(label: "抖音", value: 96_300),
        .init(label: "自然搜索 Organic search (Google, Baidu, Bing and others)", value: 54_210.5),
        .init(label: "小红书", value: 31_000),
        .init(label: "邮件", value: 8_450),
        .init(label: "其他", value: 2_100),
    ]

    static let netChange: [BarChart.Bar] = [
        .init(label: "1月", value: 120), .init(label: "2月", value: -37), .init(label: "3月", value: 87), .init(label: "4月", value: -12),
        .init(label: "5月", value: 0), .init(label: "6月", value: .nan), .init(label: "7月", value: 64),
    ]

    /// New, returning and re-activated customers' orders per week.
    static func stacked(percent: Bool) -> String {
        StackedBarChart(
            title: "新老客订单",
            categories: ["第 1 周", "第 2 周", "第 3 周", "第 4 周", "第 5 周", "第 6 周"],
            series: [
                .init(name: "新客", values: [120, 140, 90, 160, 180, 30]),
                .init(name: "回头客", values: [300, 320, 310, 340, 360, 40]),
                .init(name: "沉睡唤醒", values: [20, 35, 15, 40, 25, 5]),
            ],
            noDataText: "暂无数据",
            isPercentStacked: percent
        ).svg()
    }

    /// A four-step purchase funnel whose steps link to the people who reached them.
    static func funnel(theme: ChartTheme) -> String {
        FunnelChart(
            title: "购买漏斗",
            steps: [
                .init(label: "浏览商品", count: 18_240, href: "/people?funnel=3&step=0"),
                .init(label: "加入购物车", count: 6_120, href: "/people?funnel=3&step=1"),
                .init(label: "提交订单", count: 2_310, href: "/people?funnel=3&step=2"),
                .init(label: "支付成功", count: 1_874, href: "/people?funnel=3&step=3"),
            ],
            noDataText: "暂无数据",
            theme: theme
        ).svg()
    }

    /// Weekly cohorts with the periods they have not reached yet left empty.
    static func heatMap(theme: ChartTheme) -> String {
        let rows: [RetentionHeatMap.Row] = [
            .init(label: "4月1日 (1,204)", values: [1, 0.42, 0.31, 0.27, 0.22, 0.2, 0.18]),
            .init(label: "4月8日 (1,318)", values: [1, 0.45, 0.33, 0.26, 0.23, 0.21, nil]),
            .init(label: "4月15日 (987)", values: [1, 0.38, 0.29, 0.24, 0.2, nil, nil]),
            .init(label: "4月22日 (1,450)", values: [1, 0.47, 0.35, 0.3, nil, nil, nil]),
            .init(label: "4月29日 (1,122)", values: [1, 0.44, 0.32, nil, nil, nil, nil]),
            .init(label: "5月6日 (1,260)", values: [1, 0.4, nil, nil, nil, nil, nil]),
            .init(label: "5月13日 (640)", values: [1, nil, nil, nil, nil, nil, nil]),
        ]
        return RetentionHeatMap(
            title: "周留存",
            columnLabels: ["第 0 周", "第 1 周", "第 2 周", "第 3 周", "第 4 周", "第 5 周", "第 6 周"],
            rows: rows,
            noDataText: "暂无数据",
            colorScale: 0...0.5,
            theme: theme
        ).svg()
    }

    static let lorenz = LorenzChart(
        title: "收入集中度",
        points: (0...20).map { step in
            let x = Double(step) / 20
            return .init(x: x, y: x * x * x * 0.6 + x * x * 0.2 + x * 0.2)
        },
        caption: "Gini 0.43",
        xAxisTitle: "客户（按收入从低到高）",
        yAxisTitle: "累计收入占比",
        noDataText: "暂无数据"
    ).svg()

    static let donut = DonutChart(
        title: "设备分布",
        slices: [
            .init(label: "iOS", value: 5_230), .init(label: "Android", value: 4_870), .init(label: "桌面浏览器", value: 1_960),
            .init(label: "平板", value: 410), .init(label: "其他", value: 95),
        ],
        centerText: "1.26万",
        centerSubtext: "访客",
        noDataText: "暂无数据"
    ).svg()

    @Test func examplesAreWellFormedAndDeterministic() throws {
        for example in Self.examples {
            let root = try SVGParser.parse(example.svg)
            #expect(root.name == "svg" && root.attributes["role"] == "img", "\(example.name)")
            #expect(!example.svg.contains("nan") && !example.svg.contains("inf"), "\(example.name)")
        }
        #expect(Self.examples.map(\.svg) == Self.examples.map(\.svg))
        #expect(Self.line(theme: .light) == Self.line(theme: .light))
        guard let folder = ProcessInfo.processInfo.environment["SIYU_CHART_EXAMPLES"] else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for example in Self.examples {
            try example.svg.write(toFile: folder + "/" + example.name + ".svg", atomically: true, encoding: .utf8)
        }
    }
}
