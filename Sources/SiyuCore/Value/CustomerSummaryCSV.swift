/// Reads and writes the CSV layouts of the customer-value command: summaries in CDNOW's layout
/// (`customer_id,frequency,recency,T,monetary_value`), raw purchases, and predictions.
public enum CustomerSummaryCSV {
    /// The columns a summary file must have (any order; other columns are ignored).
    public static let summaryColumns = ["customer_id", "frequency", "recency", "T", "monetary_value"]

    /// Parses a summary file; throws ``ValueModelError`` naming the line and column of the first bad value.
    public static func parseSummaries(_ text: String) throws -> [CustomerSummary] {
        let records: [CSVRecord]
        do {
            records = try CSVReader.parse(text)
        } catch let error as CSVError {
            throw ValueModelError("not a readable CSV file: \(error)")
        }
        guard let header = records.first else {
            throw ValueModelError("the file is empty: expected a header \(summaryColumns.joined(separator: ","))")
        }
        let names = header.fields.map { $0.trimmedCSVField }
        var column: [String: Int] = [:]
        for name in summaryColumns {
            guard let i = names.firstIndex(of: name) else {
                throw ValueModelError(
                    "missing column \(name): the header must have \(summaryColumns.joined(separator: ",")) (found \(names.joined(separator: ",")))"
                )
            }
            column[name] = i
        }
        var customers: [CustomerSummary] = []
        for record in records.dropFirst() {
            if record.fields.allSatisfy({ $0.trimmedCSVField.isEmpty }) { continue }
            func field(_ name: String) -> String {
                let i = column[name]!
                return i < record.fields.count ? record.fields[i].trimmedCSVField : ""
            }
            func number(_ name: String) throws -> Double {
                let text = field(name)
                guard let value = Double(text), value.isFinite else {
                    throw ValueModelError("line \(record.line): \(name) '\(text)' is not a number")
                }
                guard value >= 0 else { throw ValueModelError("line \(record.line): \(name) \(text) is negative") }
                return value
            }
            let id = field("customer_id")
            guard !id.isEmpty else { throw ValueModelError("line \(record.line): customer_id is empty") }
            let summary = CustomerSummary(
                id: id,
                frequency: try number("frequency"),
                recency: try number("recency"),
                T: try number("T"),
                monetaryValue: try number("monetary_value")
            )
            guard summary.T > 0 else { throw ValueModelError("line \(record.line): T must be positive") }
            guard summary.recency <= summary.T else {
                throw ValueModelError("line \(record.line): recency \(summary.recency) is greater than T \(summary.T)")
            }
            guard summary.frequency > 0 || summary.recency == 0 else {
                throw ValueModelError("line \(record.line): recency must be 0 when frequency is 0")
            }
            customers.append(summary)
        }
        guard !customers.isEmpty else { throw ValueModelError("the file has a header but no customers") }
        return customers
    }

    /// Parses purchases with columns `customer_id`, `date` (ISO 8601) and optionally `amount`.
    public static func parsePurchases(_ text: String) throws -> [PurchaseRecord] {
        let records: [CSVRecord]
        do {
            records = try CSVReader.parse(text)
        } catch let error as CSVError {
            throw ValueModelError("not a readable CSV file: \(error)")
        }
        guard let header = records.first else { throw ValueModelError("the file is empty: expected a header customer_id,date,amount") }
        let names = header.fields.map { $0.trimmedCSVField }
        guard let idColumn = names.firstIndex(of: "customer_id"), let dateColumn = names.firstIndex(of: "date") else {
            throw ValueModelError(
                "missing column: the header must have customer_id,date and optionally amount (found \(names.joined(separator: ",")))"
            )
        }
        let amountColumn = names.firstIndex(of: "amount")
        var purchases: [PurchaseRecord] = []
        for record in records.dropFirst() {
            if record.fields.allSatisfy({ $0.trimmedCSVField.isEmpty }) { continue }
            let fields = record.fields.map { $0.trimmedCSVField }
            func field(_ i: Int) -> String { i < fields.count ? fields[i] : "" }
            guard !field(idColumn).isEmpty else { throw ValueModelError("line \(record.line): customer_id is empty") }
            guard let day = PurchaseRecord.day(field(dateColumn)) else {
                throw ValueModelError("line \(record.line): date '\(field(dateColumn))' is not an ISO 8601 date (YYYY-MM-DD)")
            }
            var amount = 0.0
            if let amountColumn {
                guard let value = Double(field(amountColumn)), value.isFinite else {
                    throw ValueModelError("line \(record.line): amount '\(field(amountColumn))' is not a number")
                }
                guard value >= 0 else { throw ValueModelError("line \(record.line): amount \(value) is negative") }
                amount = value
            }
            purchases.append(PurchaseRecord(customerId: field(idColumn), day: day, amount: amount))
        }
        guard !purchases.isEmpty else { throw ValueModelError("the file has a header but no purchases") }
        return purchases
    }

    /// `customer_id,expected_purchases,p_alive,expected_avg_value,clv` (the last two empty without a spend model).
    public static func predictionsCSV(_ predictions: [CustomerValuePrediction]) -> String {
        var out = "customer_id,expected_purchases,p_alive,expected_avg_value,clv\n"
        for p in predictions {
            out += CSVWriter.line([
                p.customerId, "\(p.expectedPurchases)", "\(p.probabilityAlive)", p.expectedAverageValue.map { "\($0)" } ?? "",
                p.lifetimeValue.map { "\($0)" } ?? "",
            ])
            out += "\n"
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and carriage returns.
    fileprivate var trimmedCSVField: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\r" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s.removeLast() }
        return String(s)
    }
}
