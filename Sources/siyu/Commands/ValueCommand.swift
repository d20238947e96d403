import ArgumentParser
import Foundation
import Logging
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTools

/// `siyu value`: customer-value models (CLV, P(alive), expected purchases).
struct ValueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "value",
        abstract: "Customer value: fit BG/NBD, Pareto/NBD or MBG/NBD with Gamma-Gamma and predict each customer's CLV.",
        subcommands: [ValueFitCommand.self]
    )
}

/// `siyu value fit --from-summary FILE.csv` or `--from-transactions FILE.csv`: fits and writes per-customer predictions.
struct ValueFitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a purchase model (and the Gamma-Gamma spend model) and predict each customer's value.",
        discussion: """
            --from-summary reads customer_id,frequency,recency,T,monetary_value (CDNOW's layout; time in any unit, weeks by default \
            for the CLV months). --from-transactions reads customer_id,date[,amount] and summarises it as lifetimes does; with \
            --calibration-end, purchases after that date are used to check the model (holdout report). --arpu, --retention, \
            --lifetime and --coefficient set the simple formula's inputs (the rest are estimated).
            The output file has customer_id,expected_purchases,p_alive,expected_avg_value,clv: expected purchases over --horizon \
            periods, and CLV over --months months discounted by --discount per month, as lifetimes' customer_lifetime_value.
            """
    )

    enum Model: String, ExpressibleByArgument, CaseIterable { case bgnbd, pareto, mbgnbd }
    enum Spend: String, ExpressibleByArgument, CaseIterable {
        case gammaGamma = "gamma-gamma"
        case none
    }
    enum Period: String, ExpressibleByArgument, CaseIterable { case day, week, month }
    enum Unit: String, ExpressibleByArgument, CaseIterable { case day, week, month, hour }

    @Option(name: .customLong("from-summary"), help: "A summary CSV: customer_id,frequency,recency,T,monetary_value.") var fromSummary: String?
    @Option(name: .customLong("from-transactions"), help: "A purchases CSV: customer_id,date[,amount].") var fromTransactions: String?
    @Option(help: "Fit on this workspace's orders in the store and write the predictions onto its people.") var workspace: String?
    @OptionGroup var store: StoreOptions
    @Option(help: "bgnbd, pareto or mbgnbd.") var model: Model = .bgnbd
    @Option(help: "gamma-gamma or none.") var spend: Spend = .gammaGamma
    @Option(help: "Periods ahead for expected purchases.") var horizon: Double = 39
    @Option(help: "Monthly discount rate for CLV.") var discount: Double = 0.01
    @Option(help: "Months of CLV.") var months: Int = 12
    @Option(name: .customLong("time-unit"), help: "The summaries' time unit, for CLV months: day, week, month or hour.") var timeUnit: Unit?
    @Option(help: "L2 penalty on the parameters, as lifetimes' penalizer_coef.") var penalizer: Double = 0
    @Option(help: "With --from-transactions: day, week or month periods.") var period: Period = .day
    @Option(help: "With --from-transactions: periods per model time unit (7 with days gives weeks).") var multiplier: Double = 1
    @Option(name: .customLong("calibration-end"), help: "With --from-transactions: fit on purchases up to this date (YYYY-MM-DD).")
    var calibrationEnd: String?
    @Option(help: "Simple formula: revenue per customer per time unit (estimated from the data when not given).") var arpu: Double?
    @Option(help: "Simple formula: share of customers who come back, 0 to 1.") var retention: Double?
    @Option(help: "Simple formula: time units a returning customer stays (weeks for a workspace).") var lifetime: Double?
    @Option(help: "Simple formula: multiplier such as the margin (default 1).") var coefficient: Double?
    @Option(help: "Write per-customer predictions to this CSV file.") var out: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        guard [fromSummary, fromTransactions, workspace].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --from-summary FILE, --from-transactions FILE or --workspace NAME")
        }
        guard horizon >= 0, horizon.isFinite else { throw ValidationError("--horizon must be a non-negative number") }
        guard discount > -1, discount.isFinite else { throw ValidationError("--discount must be a rate above -1 (0.01 is 1% a month)") }
        guard months >= 0 else { throw ValidationError("--months must not be negative") }
        guard penalizer >= 0, penalizer.isFinite else { throw ValidationError("--penalizer must not be negative") }
        guard multiplier > 0, multiplier.isFinite else { throw ValidationError("--multiplier must be positive") }
        if let problem = simpleInputs.problems().first {
            let option =
                ["averageRevenuePerUser": "arpu", "retentionRate": "retention", "averageLifetime": "lifetime"][problem.field] ?? problem.field
            throw ValidationError("--\(option): " + problem.message.replacingOccurrences(of: problem.field + " ", with: ""))
        }
    }

    /// The simple formula's inputs given on the command line.
    var simpleInputs: SimpleLifetimeValue.Inputs {
        SimpleLifetimeValue.Inputs(averageRevenuePerUser: arpu, retentionRate: retention, averageLifetime: lifetime, coefficient: coefficient)
    }

    func run() async throws {
        if let workspace { return try await fitWorkspace(workspace) }
        var request = CustomerValueFit.Request()
        request.model = PurchaseModelKind(rawValue: model.rawValue) ?? .bgnbd
        request.spend = spend == .gammaGamma
        request.horizon = horizon
        request.options = FitOptions(penalizer: penalizer)
        request.simpleInputs = simpleInputs
        let fit: CustomerValueFit
        do {
            if let fromSummary {
                let unit = LifetimeValueUnit(rawValue: (timeUnit ?? .week).rawValue) ?? .week
                request.lifetimeValue = CustomerLifetimeValue(months: months, discountRate: discount, unit: unit)
                fit = try CustomerValueFit.run(try CustomerSummaryCSV.parseSummaries(try Self.read(fromSummary)), request: request)
            } else {
                let file = fromTransactions ?? ""
                let summary = TransactionSummary(period: PurchasePeriod(rawValue: period.rawValue) ?? .day, multiplier: multiplier)
                // The model's time unit is `multiplier` periods: 7 days is a week, 1 week a week, 1 month a month.
                let days = (period == .day ? 1 : period == .week ? 7 : 30) * multiplier
                let unit: LifetimeValueUnit =
                    timeUnit.flatMap { LifetimeValueUnit(rawValue: $0.rawValue) } ?? (days >= 28 ? .month : days >= 7 ? .week : .day)
                request.lifetimeValue = CustomerLifetimeValue(months: months, discountRate: discount, unit: unit)
                var end: Int?
                if let calibrationEnd {
                    guard let day = PurchaseRecord.day(calibrationEnd) else {
                        throw CommandFailure("--calibration-end `\(calibrationEnd)` is not a date (YYYY-MM-DD)")
                    }
                    end = day
                }
                let purchases = try CustomerSummaryCSV.parsePurchases(try Self.read(file))
                fit = try CustomerValueFit.run(purchases: purchases, summary: summary, calibrationEnd: end, request: request)
            }
        } catch let error as ValueModelError {
            throw CommandFailure(error.message)
        }
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(CustomerSummaryCSV.predictionsCSV(fit.predictions).utf8)) else {
                throw CommandFailure("cannot write \(out)")
            }
        }
        print(json ? fit.jsonReport() : fit.textReport(), terminator: "")
        if !json, let out { print("Wrote \(fit.predictions.count) predictions to \(out)") }
    }

    /// `--workspace NAME`: the store's orders, with a progress display; predictions go onto people.
    func fitWorkspace(_ name: String) async throws {
        let (model, penalizer, json) = (PurchaseModelKind(rawValue: self.model.rawValue) ?? .bgnbd, self.penalizer, self.json)
        // Inputs given here are used for this fit; without any, the workspace's saved ones are.
        let simple = simpleInputs.isEmpty ? nil : simpleInputs
        var logger = Logger(label: "siyu")
        logger.logLevel = .warning
        let log = logger
        let record = try await store.open().withRunning { store in
            guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
            let bar = ProgressBar("Customer value", total: ValueFitting.Step.allCases.count)
            let fitting = ValueFitting(store: store, cache: AnalyticsCache(store: store, clock: SystemClock.nowMillis, logger: log))
            do {
                let record = try await fitting.run(
                    workspace: workspace,
                    now: SystemClock.nowMillis(),
                    model: model,
                    penalizer: penalizer,
                    simpleInputs: simple
                ) { step in
                    bar.update(step.rawValue - 1, note: step.note)
                }
                bar.finish(note: "\(record.customers) customers")
                return record
            } catch let error as APIError {
                throw CommandFailure(error.message)
            }
        }
        print(json ? record.report : Self.summary(record))
    }

    static func summary(_ record: ValueFitRecord) -> String {
        guard let report = try? JSONParser.parse(record.report) else { return record.report }
        var lines = ["\(record.model) fitted on \(record.customers) customers (orders before \(Timestamp.iso8601(record.cutoff)))"]
        for (name, value) in report["parameters"]?.objectValue ?? [:] { lines.append("  \(name)  \(value.doubleValue.map { String($0) } ?? "")") }
        if let ll = report["logLikelihood"]?.doubleValue { lines.append("  log-likelihood \(ll)") }
        for warning in report["warnings"]?.arrayValue ?? [] { lines.append("warning: \(warning.stringValue ?? JSONWriter.string(warning))") }
        if let holdout = report["holdout"], let predicted = holdout["predicted"]?.doubleValue, let actual = holdout["actual"]?.doubleValue {
            lines.append(
                "Holdout check: \(String(format: "%.1f", predicted)) repeat orders predicted for the held-out days, \(String(format: "%.1f", actual)) placed"
            )
        }
        if report["recommendsSimpleFormula"]?.boolValue == true, let simple = report["simple"]?["value"]?.doubleValue {
            lines.append("The model is not to be trusted: each buyer's CLV is the simple formula's \(String(format: "%.2f", simple)) instead.")
        }
        lines.append(
            "Predicted CLV (12 months), P(alive), expected orders in 90 days, the churn band and the recency band are on each buyer's profile."
        )
        return lines.joined(separator: "\n")
    }

    static func read(_ path: String) throws -> String { try readTextFile(path) }
}
