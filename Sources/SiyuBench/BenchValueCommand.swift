import ArgumentParser
import Foundation
import SiyuCore
import SiyuDemo
import SiyuTools

extension BenchCommand {
    /// `siyu bench value`: BG/NBD and Gamma-Gamma fit times on CDNOW and on a million synthetic customers,
    /// against `lifetimes` measured in the same run.
    struct Value: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "value",
            abstract: "Time BG/NBD + Gamma-Gamma fits on CDNOW and a synthetic summary, and compare with lifetimes (Python).",
            discussion: """
                lifetimes runs from a virtual environment (.bench-env) created on first use with python3 -m venv and \
                pip install -r scripts/bench/requirements-value.txt. Run from the repository root (or pass the paths).
                """
        )

        @Option(help: "The CDNOW summary CSV (customer_id,frequency,recency,T,monetary_value).")
        var cdnow = "Tests/Fixtures/cdnow/cdnow_summary.csv"
        @Option(help: "Customers in the synthetic summary.") var customers = 1_000_000
        @Option(help: "Seed of the synthetic summary.") var seed: UInt64 = 2005
        @Option(name: .customLong("repeat"), help: "Fits per model on CDNOW; the best time is reported.") var repetitions = 5
        @Option(name: .customLong("repeat-large"), help: "Fits per model on the synthetic summary (both libraries).")
        var largeRepetitions = 2
        @Option(name: .customLong("lifetimes-repeat-large"), help: "Fits per model on the synthetic summary with lifetimes (minutes each).")
        var lifetimesLargeRepetitions = 1
        @Flag(name: .customLong("skip-lifetimes"), help: "Do not run Python.") var skipLifetimes = false
        @Flag(name: .customLong("skip-lifetimes-1m"), help: "Run lifetimes on CDNOW only.") var skipLifetimesLarge = false
        @Option(help: "The virtual environment for lifetimes.") var venv = ".bench-env"
        @Option(help: "The Python that creates the virtual environment.") var python = "python3"
        @Option(name: .customLong("lifetimes-script"), help: "The lifetimes side of the benchmark.")
        var lifetimesScript = "scripts/bench/lifetimes_value.py"
        @Option(help: "The pinned lifetimes dependencies.") var requirements = "scripts/bench/requirements-value.txt"

        func validate() throws {
            guard repetitions >= 1, largeRepetitions >= 1, lifetimesLargeRepetitions >= 1 else {
                throw ValidationError("--repeat, --repeat-large and --lifetimes-repeat-large must be at least 1")
            }
            guard customers >= 1_000 else { throw ValidationError("--customers must be at least 1000") }
        }

        func run() async throws {
            print(
                "Siyu customer-value benchmark — BG/NBD + Gamma-Gamma, best of \(repetitions) on CDNOW, of \(largeRepetitions) on the synthetic summary"
                    + " (lifetimes: \(lifetimesLargeRepetitions))"
            )
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
            guard FileManager.default.fileExists(atPath: cdnow) else {
                throw CommandFailure("no CDNOW summary at \(cdnow): run from the repository root or pass --cdnow FILE")
            }
            let cdnowCustomers: [CustomerSummary]
            do {
                cdnowCustomers = try CustomerSummaryCSV.parseSummaries(try readTextFile(cdnow))
            } catch let error as ValueModelError {
                throw CommandFailure("\(cdnow): \(error.message)")
            }
            var rows: [ValueBenchmark.Row] = []
            let cdnowName = "CDNOW (\(cdnowCustomers.count.formatted()))"
            let cdnowSiyu = try ValueBenchmark.fitSiyu(cdnowCustomers, repetitions: repetitions)
            print("\n\(cdnowName), Siyu:")
            cdnowSiyu.printDetails()

            print("\nGenerating \(customers.formatted()) synthetic customers (seed \(seed)) from \(SyntheticSummary.truthDescription)…")
            let synthetic = SyntheticSummary.generate(customers: customers, seed: seed)
            let syntheticName = "synthetic (\(customers.formatted()))"
            let syntheticSiyu = try ValueBenchmark.fitSiyu(synthetic, repetitions: largeRepetitions)
            print("\(syntheticName), Siyu:")
            syntheticSiyu.printDetails()
            SyntheticSummary.printRecovery(syntheticSiyu)

            var cdnowLifetimes: ValueBenchmark.Fits?
            var syntheticLifetimes: ValueBenchmark.Fits?
            if !skipLifetimes {
                let runner = LifetimesRunner(venv: venv, python: python, script: lifetimesScript, requirements: requirements)
                try runner.prepare()
                cdnowLifetimes = try runner.fit(summary: cdnow, repetitions: repetitions)
                print("\n\(cdnowName), lifetimes \(cdnowLifetimes?.version ?? ""):")
                cdnowLifetimes?.printDetails()
                if !skipLifetimesLarge {
                    let file = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-bench-value-\(UUID().uuidString).csv").path
                    defer { try? FileManager.default.removeItem(atPath: file) }
                    guard FileManager.default.createFile(atPath: file, contents: Data(SyntheticSummary.csv(synthetic).utf8)) else {
                        throw CommandFailure("cannot write \(file)")
                    }
                    print("\n\(syntheticName), lifetimes (this can take minutes; --skip-lifetimes-1m skips it):")
                    syntheticLifetimes = try runner.fit(summary: file, repetitions: lifetimesLargeRepetitions)
                    syntheticLifetimes?.printDetails()
                }
            }
            rows += ValueBenchmark.rows(dataSet: cdnowName, siyu: cdnowSiyu, lifetimes: cdnowLifetimes)
            rows += ValueBenchmark.rows(dataSet: syntheticName, siyu: syntheticSiyu, lifetimes: syntheticLifetimes)
            print("")
            print(ValueBenchmark.table(rows))
        }
    }
}

/// Fit timings and results of one library on one data set.
enum ValueBenchmark {
    /// One model's best time, parameters in the model's order and total log-likelihood.
    struct Fit {
        var seconds: Double
        var parameters: [(name: String, value: Double)]
        var logLikelihood: Double
        var standardErrors: [Double]?
    }

    /// BG/NBD and Gamma-Gamma on one data set.
    struct Fits {
        var purchases: Fit
        var spend: Fit
        var version = ""

        func printDetails() {
            for (model, fit) in [("BG/NBD", purchases), ("Gamma-Gamma", spend)] {
                let parameters = fit.parameters.map { "\($0.name) \(String(format: "%.6g", $0.value))" }.joined(separator: ", ")
                print(String(format: "  %-12@ %9.4f s   %@   log-likelihood %.4f", model, fit.seconds, parameters, fit.logLikelihood))
            }
        }
    }

    /// A line of the summary table.
    struct Row {
        var dataSet: String
        var model: String
        var siyu: Double
        var lifetimes: Double?
        /// Whether every parameter agrees with lifetimes' to 1e-3 relative; `nil` without lifetimes.
        var agree: Bool?
    }

    /// Best-of-N fits of BG/NBD and Gamma-Gamma with Siyu's models.
    static func fitSiyu(_ customers: [CustomerSummary], repetitions: Int) throws -> Fits {
        var purchases: Fit?
        var spend: Fit?
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            let (model, diagnostics) = try BetaGeometricNBD.fit(customers)
            let seconds = (ContinuousClock.now - start).seconds
            if seconds < purchases?.seconds ?? .infinity {
                purchases = Fit(
                    seconds: seconds,
                    parameters: [("r", model.r), ("alpha", model.alpha), ("a", model.a), ("b", model.b)],
                    logLikelihood: diagnostics.logLikelihood,
                    standardErrors: diagnostics.standardErrors
                )
            }
        }
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            let (model, diagnostics) = try GammaGamma.fit(customers)
            let seconds = (ContinuousClock.now - start).seconds
            if seconds < spend?.seconds ?? .infinity {
                spend = Fit(
                    seconds: seconds,
                    parameters: [("p", model.p), ("q", model.q), ("v", model.v)],
                    logLikelihood: diagnostics.logLikelihood,
                    standardErrors: diagnostics.standardErrors
                )
            }
        }
        guard let purchases, let spend else { throw CommandFailure("no fits were run") }
        return Fits(purchases: purchases, spend: spend)
    }

    /// Whether two parameter lists agree to `tolerance` relative, name by name.
    static func agree(_ x: [(name: String, value: Double)], _ y: [(name: String, value: Double)], tolerance: Double = 1e-3) -> Bool {
        x.count == y.count
            && zip(x, y).allSatisfy { a, b in a.name == b.name && abs(a.value - b.value) <= tolerance * abs(b.value) }
    }

    static func rows(dataSet: String, siyu: Fits, lifetimes: Fits?) -> [Row] {
        [
            Row(
                dataSet: dataSet,
                model: "BG/NBD",
                siyu: siyu.purchases.seconds,
                lifetimes: lifetimes?.purchases.seconds,
                agree: lifetimes.map { agree(siyu.purchases.parameters, $0.purchases.parameters) }
            ),
            Row(
                dataSet: dataSet,
                model: "Gamma-Gamma",
                siyu: siyu.spend.seconds,
                lifetimes: lifetimes?.spend.seconds,
                agree: lifetimes.map { agree(siyu.spend.parameters, $0.spend.parameters) }
            ),
        ]
    }

    /// The summary table in Markdown, as pasted into the docs.
    static func table(_ rows: [Row]) -> String {
        var lines = [
            "| data set | model | Siyu s | lifetimes s | Siyu/lifetimes | parameters agree (1e-3 rel.) |",
            "|---|---|---:|---:|---:|---|",
        ]
        for row in rows {
            let lifetimes = row.lifetimes.map { String(format: "%.4f", $0) } ?? "—"
            let ratio = row.lifetimes.map { String(format: "%.3f", row.siyu / $0) } ?? "—"
            let agree = row.agree.map { $0 ? "yes" : "no" } ?? "—"
            lines.append("| \(row.dataSet) | \(row.model) | \(String(format: "%.4f", row.siyu)) | \(lifetimes) | \(ratio) | \(agree) |")
        }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// A summary of customers drawn from known BG/NBD and Gamma-Gamma parameters, to check that the fit
/// recovers them at scale.
enum SyntheticSummary {
    /// The parameters the customers are drawn from: the published CDNOW estimates (Fader, Hardie & Lee 2005; note 025).
    static let truth = (bgnbd: BetaGeometricNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), spend: GammaGamma(p: 6.25, q: 3.74, v: 15.44))

    static let truthDescription = "BG/NBD r 0.243, alpha 4.414, a 0.793, b 2.426 and Gamma-Gamma p 6.25, q 3.74, v 15.44"

    /// Customers who made their first purchase uniformly over 12 weeks and are observed until week 39 (as CDNOW):
    /// each buys at a Poisson rate λ ~ Gamma(r, α) and drops out after each repeat purchase with probability
    /// p ~ Beta(a, b); repeat purchases average Gamma(p·x, ν)/x with ν ~ Gamma(q, v). Times are rounded to 1e-4 weeks.
    static func generate(customers count: Int, seed: UInt64) -> [CustomerSummary] {
        var random = DemoRandom(seed: seed)
        let (model, spend) = truth
        var customers: [CustomerSummary] = []
        customers.reserveCapacity(count)
        for i in 0..<count {
            let T = (10_000 * (27 + 12 * random.uniform())).rounded() / 10_000
            let rate = random.gamma(shape: model.r, scale: 1 / model.alpha)
            let x = random.gamma(shape: model.a, scale: 1)
            let dropout = x / (x + random.gamma(shape: model.b, scale: 1))
            var t = 0.0
            var frequency = 0.0
            var recency = 0.0
            while true {
                t += -Foundation.log(1 - random.uniform()) / rate
                let rounded = (10_000 * t).rounded() / 10_000
                guard rounded <= T else { break }
                frequency += 1
                recency = rounded
                if random.uniform() < dropout { break }
            }
            var monetary = 0.0
            if frequency > 0 {
                let nu = random.gamma(shape: spend.q, scale: 1 / spend.v)
                monetary = (10_000 * random.gamma(shape: spend.p * frequency, scale: 1 / nu) / frequency).rounded() / 10_000
                monetary = max(monetary, 0.0001)
            }
            customers.append(CustomerSummary(id: "\(i + 1)", frequency: frequency, recency: recency, T: T, monetaryValue: monetary))
        }
        return customers
    }

    /// The summary in CDNOW's layout; Swift's shortest round-trip formatting, so Python reads the same doubles.
    static func csv(_ customers: [CustomerSummary]) -> String {
        var out = "customer_id,frequency,recency,T,monetary_value\n"
        out.reserveCapacity(customers.count * 40)
        for c in customers { out += "\(c.id),\(Int(c.frequency)),\(c.recency),\(c.T),\(c.monetaryValue)\n" }
        return out
    }

    /// Prints each fitted parameter against the truth, in relative error and standard errors.
    static func printRecovery(_ fits: ValueBenchmark.Fits) {
        let expected = [
            ("r", truth.bgnbd.r), ("alpha", truth.bgnbd.alpha), ("a", truth.bgnbd.a), ("b", truth.bgnbd.b),
            ("p", truth.spend.p), ("q", truth.spend.q), ("v", truth.spend.v),
        ]
        let fitted = fits.purchases.parameters + fits.spend.parameters
        let errors =
            (fits.purchases.standardErrors ?? Array(repeating: .nan, count: 4)) + (fits.spend.standardErrors ?? Array(repeating: .nan, count: 3))
        var recovered = true
        var parts: [String] = []
        for ((name, truth), (fit, error)) in zip(expected, zip(fitted, errors)) {
            let z = abs(fit.value - truth) / error
            // Recovered: within 3 standard errors of the truth, or within 1% where the standard error is not available.
            let ok = z.isFinite ? z <= 3 : abs(fit.value - truth) <= 0.01 * truth
            recovered = recovered && ok
            parts.append(String(format: "%@ %.4g (true %.4g, %+.2f%%, %.1f SE)", name, fit.value, truth, 100 * (fit.value - truth) / truth, z))
        }
        print("  recovery: " + parts.joined(separator: "; "))
        print("  parameters recovered (each within 3 standard errors of the truth): \(recovered ? "yes" : "NO")")
    }
}

struct LifetimesRunner {
    var venv: String
    var python: String
    var script: String
    var requirements: String

    var venvPython: String { venv + "/bin/python" }

    /// Creates the virtual environment and installs the pinned requirements unless it is there already.
    func prepare() throws {
        guard FileManager.default.fileExists(atPath: script) else {
            throw CommandFailure("no lifetimes script at \(script): run from the repository root, pass --lifetimes-script, or use --skip-lifetimes")
        }
        if FileManager.default.isExecutableFile(atPath: venvPython),
            (try? Self.run(venvPython, ["-c", "import lifetimes"], captureOutput: true)) != nil
        {
            return
        }
        print("\nCreating \(venv) with \(python) and installing \(requirements) (first use only)…")
        _ = try Self.run(python, ["-m", "venv", venv], captureOutput: false)
        _ = try Self.run(venvPython, ["-m", "pip", "install", "--quiet", "-r", requirements], captureOutput: false)
    }

    /// Fits both models with lifetimes on a summary file.
    func fit(summary: String, repetitions: Int) throws -> ValueBenchmark.Fits {
        let output = try Self.run(venvPython, [script, "--summary", summary, "--repeat", "\(repetitions)"], captureOutput: true)
        let json: JSONValue
        do {
            json = try JSONParser.parse(output.split(separator: "\n").last.map(String.init) ?? "")
        } catch {
            throw CommandFailure("the lifetimes script printed no JSON result: \(error)")
        }
        func decode(_ key: String, _ names: [String]) throws -> ValueBenchmark.Fit {
            guard let model = json[key], let seconds = model["seconds"]?.doubleValue, let logLikelihood = model["logLikelihood"]?.doubleValue
            else { throw CommandFailure("the lifetimes result has no \(key)") }
            var parameters: [(name: String, value: Double)] = []
            for name in names {
                guard let value = model["parameters"]?[name]?.doubleValue else { throw CommandFailure("the lifetimes result has no \(key).\(name)") }
                parameters.append((name, value))
            }
            return ValueBenchmark.Fit(seconds: seconds, parameters: parameters, logLikelihood: logLikelihood)
        }
        let versions = json["versions"]
        let version = ["lifetimes", "numpy", "pandas", "scipy"].compactMap { name in versions?[name]?.stringValue.map { "\(name) \($0)" } }
        return ValueBenchmark.Fits(
            purchases: try decode("bgnbd", ["r", "alpha", "a", "b"]),
            spend: try decode("gammaGamma", ["p", "q", "v"]),
            version: "(" + version.joined(separator: ", ") + ")"
        )
    }

    /// Runs a program (looked up on PATH) to completion; throws when it fails.
    static func run(_ program: String, _ arguments: [String], captureOutput: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        if captureOutput {
            process.standardOutput = pipe
        } else {
            // pip's progress goes to standard error, so that standard output keeps only the results.
            process.standardOutput = FileHandle.standardError
        }
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot run \(program): \(error)")
        }
        let data = captureOutput ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("\(program) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
