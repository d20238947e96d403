import Foundation

@testable import SiyuCore

/// The CDNOW files under `Tests/Fixtures/cdnow/` (copied from `shared/data/cdnow/`, see its README):
/// the data and `golden.json`, the results of `lifetimes` 0.11.3 and the published papers.
enum CDNOW {
    /// `Tests/Fixtures/cdnow`, found from this file's real location (it may be reached through a symlink).
    static let directory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/cdnow")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Rows of a CSV file as dictionaries from header to field (the fixtures have no quoting).
    static func rows(_ name: String) throws -> [[String: String]] {
        let lines = try text(name).split(whereSeparator: \.isNewline).map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = lines[0]
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// A summary file (`customer_id,frequency,recency,T,monetary_value`).
    static func summaries(_ name: String = "cdnow_summary.csv") throws -> [CustomerSummary] {
        try rows(name).map {
            CustomerSummary(
                id: $0["customer_id"]!,
                frequency: Double($0["frequency"]!)!,
                recency: Double($0["recency"]!)!,
                T: Double($0["T"]!)!,
                monetaryValue: Double($0["monetary_value"]!)!
            )
        }
    }

    /// `golden.json` as nested dictionaries.
    static func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// A number at a path of keys in `golden.json`.
    static func golden(_ path: String...) throws -> Double {
        var node: Any = try golden()
        for key in path { node = (node as! [String: Any])[key]! }
        return (node as! NSNumber).doubleValue
    }

    /// An array of numbers at a path of keys in `golden.json`.
    static func goldenArray(_ path: String...) throws -> [Double] {
        var node: Any = try golden()
        for key in path { node = (node as! [String: Any])[key]! }
        return (node as! [Any]).map { ($0 as! NSNumber).doubleValue }
    }

    /// The customer ids with per-customer results in `golden.json`.
    static let goldenCustomers = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "157"]
}

/// |a − b| / |b|, or |a − b| when b is 0.
func relativeError(_ a: Double, _ b: Double) -> Double {
    b == 0 ? abs(a - b) : abs(a - b) / abs(b)
}
