import Foundation
import SiyuCore
import Testing

/// `siyu value fit` run as an analyst runs it, checked against the CDNOW reference results in `golden.json`
/// (lifetimes 0.11.3, which reproduces Fader, Hardie & Lee 2005).
@Suite struct ValueCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cdnow")
    static let summary = fixtures.appendingPathComponent("cdnow_summary.csv").path

    /// The reference results: parameters, log-likelihoods and per-customer predictions.
    static func golden() throws -> JSONValue {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("golden.json"))
        return try JSONParser.parse(data)
    }

    /// Runs `siyu ARGS` to completion: exit status, standard output and standard error.
    static func siyu(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = try ServerProcess.binary
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Standard error is small (one message), so reading standard output first cannot deadlock.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Whether `value` is within `tolerance` (relative) of `expected`.
    static func close(_ value: Double?, _ expected: Double?, relative tolerance: Double) -> Bool {
        guard let value, let expected else { return false }
        return abs(value - expected) <= tolerance * abs(expected)
    }

    @Test func fitsCDNOWSummaryToThePublishedParametersAndWritesEveryCustomer() throws {
        let directory = temporaryDirectory("siyu-value")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/predictions.csv"
        let run = try Self.siyu([
            "value", "fit", "--from-summary", Self.summary, "--model", "bgnbd", "--spend", "gamma-gamma",
            "--horizon", "39", "--discount", "0.01", "--out", out, "--json",
        ])
        #expect(run.status == 0, "stderr: \(run.error)")
        let report = try JSONParser.parse(run.output)
        let golden = try Self.golden()

        // BG/NBD: r 0.2426, α 4.4135, a 0.7929, b 2.4258 (published: 0.243, 4.414, 0.793, 2.426); log-likelihood −9582.43.
        let bgnbd = golden["models"]?["BG/NBD"]
        for name in ["r", "alpha", "a", "b"] {
            let expected = bgnbd?["params"]?[name]?.doubleValue
            #expect(Self.close(report["parameters"]?[name]?.doubleValue, expected, relative: 1e-3), "\(name)")
            // The published values have three decimals: agreement to half a unit in the last place.
            let published = try #require(bgnbd?["published"]?["params"]?[name]?.doubleValue)
            #expect(abs((report["parameters"]?[name]?.doubleValue ?? .nan) - published) <= 0.0005, "\(name) published")
        }
        let logLikelihood = try #require(bgnbd?["log_likelihood_original_units_total"]?.doubleValue)
        #expect(abs((report["logLikelihood"]?.doubleValue ?? .nan) - logLikelihood) <= 0.01)
        let customers = try #require(golden["data"]?["n_customers"]?.int64Value)
        #expect(report["customers"]?.int64Value == customers)

        // Gamma-Gamma on the 946 repeat customers: p 6.2488, q 3.7446, v 15.4477.
        let spend = golden["models"]?["Gamma-Gamma"]
        for name in ["p", "q", "v"] {
            #expect(Self.close(report["spend"]?["parameters"]?[name]?.doubleValue, spend?["params"]?[name]?.doubleValue, relative: 1e-3), "\(name)")
        }
        let repeatCustomers = try #require(golden["data"]?["n_repeat_customers"]?.int64Value)
        #expect(report["spend"]?["customers"]?.int64Value == repeatCustomers)

        // One row per customer (2357 in CDNOW) after the header.
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 2357 + 1)
        #expect(lines.first == "customer_id,expected_purchases,p_alive,expected_avg_value,clv")
        for id in ["1", "157"] {
            let row = try #require(lines.first(where: { $0.hasPrefix(id + ",") })).split(separator: ",").map { Double($0) }
            let customer = golden["customers"]?[id]
            #expect(row.count == 5)
            guard row.count == 5 else { continue }
            // Customer 1 (x 2, tx 30.43, T 38.86): E[Y(39)] 1.2259, P(alive) 0.7266, E[M] 24.659, CLV (12 months, 1%) 36.278.
            #expect(Self.close(row[1], customer?["bgnbd_expected_purchases_39w"]?.doubleValue, relative: 1e-4), "customer \(id) purchases")
            #expect(Self.close(row[2], customer?["bgnbd_prob_alive"]?.doubleValue, relative: 1e-4), "customer \(id) P(alive)")
            #expect(Self.close(row[3], customer?["gg_expected_avg_profit"]?.doubleValue, relative: 1e-4), "customer \(id) average value")
            #expect(Self.close(row[4], customer?["clv_bgnbd_12m_disc0.01_freqW"]?.doubleValue, relative: 1e-4), "customer \(id) CLV")
        }
    }

    @Test(arguments: [
        // monetary_value is missing from the header.
        ("customer_id,frequency,recency,T\n1,2,30.43,38.86\n", "missing column monetary_value"),
        // A negative frequency on the second data line (line 3 of the file).
        ("customer_id,frequency,recency,T,monetary_value\n1,2,30.43,38.86,22.35\n2,-1,0,38.86,0\n", "line 3: frequency -1 is negative"),
    ])
    func refusesABadSummaryWithAClearMessageAndWritesNothing(file: String, message: String) throws {
        let directory = temporaryDirectory("siyu-value")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/summary.csv"
        let out = directory + "/predictions.csv"
        try file.write(toFile: input, atomically: true, encoding: .utf8)
        let run = try Self.siyu(["value", "fit", "--from-summary", input, "--out", out, "--json"])
        #expect(run.status != 0)
        #expect(run.error.contains(message), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
