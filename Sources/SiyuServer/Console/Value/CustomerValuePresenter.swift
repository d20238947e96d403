import SiyuAPI
import SiyuCore
import SiyuStore

/// Turns the admin API's value summary (the contract's struct) and a stored fit into the customer-value page's values.
struct CustomerValuePresenter {
    let page: ValuePageContext
    let channelNames: [String: String]

    /// Churn bands as traffic lights: the page's own palette, green / yellow / red.
    static let bandTheme: ChartTheme = {
        var theme = ChartTheme.light
        theme.categorical = [ChartColor(rgb: 0x1A7F37), ChartColor(rgb: 0xD4A72C), ChartColor(rgb: 0xCF222E)]
        return theme
    }()

    /// Deciles (chart and table), churn bands (donut and counts) and value by first-touch channel.
    func summary(_ summary: Components.Schemas.ValueSummary) -> CustomerValuePage.Summary {
        let strings = page.strings
        let deciles = summary.deciles
        let customers = summary.customers
        let total = summary.totalCLV ?? 0
        func label(_ decile: Components.Schemas.ValueDecile) -> String { strings.text("value.decileLabel", ["n": String(decile.decile)]) }
        let decileChart =
            BarChart(
                title: strings.text("value.decilesTitle"),
                bars: deciles.map { BarChart.Bar(label: label($0), value: $0.meanCLV ?? .nan) },
                noDataText: strings.text("value.noData"),
                width: 640,
                height: 300,
                valueFormatter: page.majorMoneyFormatter
            ).svg()
        let decileRows = deciles.map { decile in
            CustomerValuePage.Decile(
                label: label(decile),
                people: page.integer(decile.people),
                mean: page.money(major: decile.meanCLV ?? .nan),
                minimum: page.money(major: decile.minCLV ?? .nan),
                total: page.money(major: decile.totalCLV ?? .nan),
                share: page.percent(decile.share ?? 0)
            )
        }
        let topDecile = deciles.first?.share.map { strings.text("value.topDecile", ["share": page.percent($0)]) }
        let bands = Self.bandCounts(summary.churnBands)
        let banded = bands.reduce(0) { $0 + $1.1 }
        let bandChart = donut(title: strings.text("value.bandsTitle"), bands: bands)
        // Recency bands, as of now, in the brand's repurchase interval.
        let recency = Self.bandCounts(summary.recencyBands)
        let recent = recency.reduce(0) { $0 + $1.1 }
        var recencyNote = strings.text("value.recency.none")
        var recencyChart: String?
        var recencyBands: [CustomerValuePage.Band] = []
        if let rule = summary.recencyRule, let cycle = rule.repurchaseCycleDays, let yellow = rule.yellowAfterDays, let red = rule.redAfterDays {
            recencyNote = strings.text(
                "value.recency.note",
                [
                    "cycle": page.format.decimal(cycle, digits: cycle.rounded() == cycle ? 0 : 1),
                    "yellow": page.format.decimal(yellow, digits: 0), "red": page.format.decimal(red, digits: 0),
                ]
            )
            recencyBands = recency.map { band(code: $0, people: $1, of: recent) }
            recencyChart = donut(title: strings.text("value.recency.chart"), bands: recency)
        }
        let channels = summary.byFirstChannel.map { entry -> (name: String, people: Int, mean: Double, total: Double, revenue: Int64) in
            let key = entry.channel
            let name = channelNames[key] ?? (key == "(none)" ? strings.text("valueFilters.noChannel") : key)
            return (name, entry.customers, entry.meanCLV ?? .nan, entry.totalCLV ?? .nan, entry.revenueSoFar.minorUnits)
        }
        let channelChart =
            BarChart(
                title: strings.text("value.channelsChart"),
                bars: channels.sorted { $0.mean > $1.mean }.map { BarChart.Bar(label: $0.name, value: $0.mean) },
                noDataText: strings.text("value.noData"),
                orientation: .horizontal,
                width: 640,
                height: max(160, Double(channels.count) * 34 + 60),
                valueFormatter: page.majorMoneyFormatter
            ).svg()
        return CustomerValuePage.Summary(
            customers: page.integer(customers),
            totalCLV: page.tileMoney(major: total),
            meanCLV: page.money(major: customers > 0 ? total / Double(customers) : 0),
            decileChart: decileChart,
            deciles: decileRows,
            topDecile: topDecile,
            bands: bands.map { band(code: $0, people: $1, of: banded) },
            bandChart: bandChart,
            recencyNote: recencyNote,
            hasRecencyBands: !recencyBands.isEmpty,
            recencyBands: recencyBands,
            recencyChart: recencyChart,
            channels: channels.map {
                CustomerValuePage.Channel(
                    name: $0.name,
                    people: page.integer($0.people),
                    mean: page.money(major: $0.mean),
                    total: page.money(major: $0.total),
                    revenue: page.money($0.revenue)
                )
            },
            channelChart: channelChart
        )
    }

    /// People per traffic-light band: green, yellow, red.
    static func bandCounts(_ bands: Components.Schemas.ValueBands) -> [(String, Int)] {
        [("green", bands.green), ("yellow", bands.yellow), ("red", bands.red)]
    }

    /// A donut of traffic-light bands with their total in the middle.
    func donut(title: String, bands: [(String, Int)]) -> String {
        let strings = page.strings
        return DonutChart(
            title: title,
            slices: bands.enumerated().map { index, band in
                DonutChart.Slice(label: strings.text("value.bands.\(band.0)"), value: Double(band.1), colorIndex: index)
            },
            centerText: page.format.compact(Int64(bands.reduce(0) { $0 + $1.1 })),
            centerSubtext: strings.text("value.customers"),
            noDataText: strings.text("value.noData"),
            width: 420,
            height: 200,
            theme: Self.bandTheme,
            valueFormatter: page.countFormatter,
            percentFormatter: page.percentFormatter
        ).svg()
    }

    /// One traffic-light band with its share of `total`.
    func band(code: String, people: Int, of total: Int) -> CustomerValuePage.Band {
        CustomerValuePage.Band(
            code: code,
            label: page.strings.text("value.bands.\(code)"),
            note: page.strings.text("value.bands.\(code)Note"),
            people: page.integer(people),
            share: page.percent(total > 0 ? Double(people) / Double(total) : 0)
        )
    }

    /// The stored fit: model, when, on how many customers, the holdout check and the warnings in plain words.
    func fit(_ record: ValueFitRecord) -> CustomerValuePage.Fit {
        let strings = page.strings
        let report = (try? JSONParser.parse(record.report)) ?? .null
        var holdoutCheck: CustomerValuePage.Holdout?
        if let holdout = report["holdout"], let predicted = holdout["predicted"]?.doubleValue, let actual = holdout["actual"]?.doubleValue {
            let error = actual == 0 ? 0 : (predicted - actual) / actual
            let key = abs(error) <= 0.1 ? "good" : abs(error) <= 0.2 ? "fair" : "poor"
            holdoutCheck = CustomerValuePage.Holdout(
                text: strings.text(
                    "value.holdout.text",
                    [
                        "predicted": page.format.decimal(predicted, digits: 0), "actual": page.format.decimal(actual, digits: 0),
                        "error": page.format.signedPercent(error),
                    ]
                ),
                verdict: strings.text("value.holdout." + key),
                quality: key
            )
        }
        var simpleSource: String?
        if report["recommendsSimpleFormula"]?.boolValue == true, let simple = report["simple"]?["value"]?.doubleValue {
            // The fit wrote the simple formula's value as every customer's CLV.
            simpleSource = strings.text("value.simpleSource", ["value": page.money(major: simple)])
        }
        let warnings = (report["warnings"]?.arrayValue ?? []).compactMap(\.stringValue).map { Self.warning($0, strings, page.format) }
        return CustomerValuePage.Fit(
            model: strings.text("value.models." + record.model),
            fittedAt: page.dayLabel(record.fittedAt),
            cutoff: page.dayLabel(record.cutoff - 1),
            customers: page.integer(record.customers),
            // A fit at the model's limit did not meet the gradient test but is used (its note says why).
            converged: (report["converged"]?.boolValue ?? true) || report["atBoundary"]?.boolValue == true,
            holdout: holdoutCheck,
            holdoutMissing: holdoutCheck == nil,
            simpleSource: simpleSource,
            warnings: warnings,
            hasWarnings: !warnings.isEmpty
        )
    }

    /// The simple formula's inputs for the form: what the last fit used, which of them the
    /// operator set (the saved `valueSimple` setting), and the value per customer.
    func simpleForm(_ record: ValueFitRecord?, saved: SimpleLifetimeValue.Inputs) -> CustomerValuePage.SimpleForm? {
        guard let record, let simple = (try? JSONParser.parse(record.report))?["simple"] else { return nil }
        let strings = page.strings
        func field(_ name: String, _ key: String, _ set: Double?, _ digits: Int, label: [String: String] = [:]) -> CustomerValuePage.Field {
            let used = simple[key]?.doubleValue ?? 0
            return CustomerValuePage.Field(
                name: name,
                label: strings.text("value.simple.\(name)", label),
                value: set.map { Self.plain($0) } ?? "",
                estimated: strings.text("value.simple.estimated", ["value": page.format.decimal(used, digits: digits)])
            )
        }
        return CustomerValuePage.SimpleForm(
            fields: [
                field("arpu", "averageRevenuePerUser", saved.averageRevenuePerUser, 2, label: ["currency": page.currency]),
                field("retention", "retentionRate", saved.retentionRate, 3),
                field("lifetime", "averageLifetime", saved.averageLifetime, 1),
                field("coefficient", "coefficient", saved.coefficient, 2),
            ],
            value: strings.text("value.simple.value", ["value": page.money(major: simple["value"]?.doubleValue ?? 0)]),
            hasSaved: !saved.isEmpty
        )
    }

    /// A number as a form field shows it: no grouping, no trailing zeros.
    static func plain(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A fit warning in the reader's language (the stored report keeps the English sentence).
    static func warning(_ text: String, _ strings: StringTable, _ format: LocaleFormat) -> String {
        let numbers = Self.numbers(in: text)
        if text.hasPrefix("thin data"), numbers.count >= 2 {
            return strings.text("value.warnings.thinData", ["count": format.integer(Int(numbers[0])), "minimum": format.integer(Int(numbers[1]))])
        }
        if text.contains("did not converge") { return strings.text("value.warnings.notConverged") }
        if text.contains("do not differ in how likely they are to stop buying"), let percent = numbers.first {
            return strings.text("value.warnings.sameDropout", ["percent": format.decimal(percent, digits: 1)])
        }
        if text.contains("correlated"), let r = numbers.first {
            return strings.text("value.warnings.spendCorrelated", ["r": format.decimal(text.contains("r = -") ? -r : r, digits: 2)])
        }
        if text.contains("misses holdout"), let percent = numbers.first {
            return strings.text("value.warnings.poorHoldout", ["percent": format.integer(Int(percent))])
        }
        if text.contains("spent nothing on their repeat purchases"), let count = numbers.first {
            return strings.text("value.warnings.nonPositiveSpend", ["count": format.integer(Int(count))])
        }
        if text.contains("no spend model") { return strings.text("value.warnings.noSpend") }
        return text
    }

    /// Why a fit could not be made, in the reader's language where the reason is a known one.
    static func reason(_ message: String, _ strings: StringTable) -> String {
        if message.contains("no orders") || message == "no purchases" { return strings.text("value.reasons.noOrders") }
        if message.contains("first time today") || message.contains("nothing to fit") || message.contains("no customer") {
            return strings.text("value.reasons.noHistory")
        }
        return message
    }

    /// The unsigned decimal numbers written in `text`, in order.
    static func numbers(in text: String) -> [Double] {
        var numbers: [Double] = []
        var current = ""
        for character in text + " " {
            if character.isASCII && (character.isNumber || (character == "." && !current.isEmpty)) {
                current.append(character)
            } else if !current.isEmpty {
                if let value = Double(current.hasSuffix(".") ? String(current.dropLast()) : current) { numbers.append(value) }
                current = ""
            }
        }
        return numbers
    }
}
