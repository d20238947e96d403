import Foundation

/// Slows down password guessing: after 5 failed logins for one e-mail address or from one client
/// address, further attempts are refused for a delay that doubles with each failure (15 s, 30 s,
/// 1 min, … at most 15 min). A key's failures are forgotten after 30 quiet minutes; a successful
/// login clears its e-mail address.
public actor LoginThrottle {
    struct Record {
        var failures: Int
        var lastFailure: Int64
    }

    public let threshold: Int
    let baseDelayMillis: Int64
    let maximumDelayMillis: Int64
    let forgetAfterMillis: Int64
    private var records: [String: Record] = [:]

    public init(threshold: Int = 5, baseDelayMillis: Int64 = 15_000, maximumDelayMillis: Int64 = 900_000, forgetAfterMillis: Int64 = 1_800_000) {
        self.threshold = threshold
        self.baseDelayMillis = baseDelayMillis
        self.maximumDelayMillis = maximumDelayMillis
        self.forgetAfterMillis = forgetAfterMillis
    }

    /// Milliseconds to wait before another attempt for this address and client, or nil when one may try now.
    public func wait(email: String, client: String, now: Int64) -> Int64? {
        let waits = [Self.emailKey(email), Self.clientKey(client)].compactMap { key -> Int64? in
            guard let record = current(key, now: now), record.failures >= threshold else { return nil }
            let remaining = record.lastFailure + delay(failures: record.failures) - now
            return remaining > 0 ? remaining : nil
        }
        return waits.max()
    }

    /// The pause after `failures` failures: the base delay at the threshold, doubling after, capped.
    func delay(failures: Int) -> Int64 {
        let doublings = min(failures - threshold, 20)
        return min(baseDelayMillis << Int64(max(doublings, 0)), maximumDelayMillis)
    }

    public func recordFailure(email: String, client: String, now: Int64) {
        for key in [Self.emailKey(email), Self.clientKey(client)] {
            var record = current(key, now: now) ?? Record(failures: 0, lastFailure: now)
            record.failures += 1
            record.lastFailure = now
            records[key] = record
        }
        if records.count > 50_000 { records = records.filter { now - $0.value.lastFailure < forgetAfterMillis } }
    }

    public func recordSuccess(email: String) {
        records[Self.emailKey(email)] = nil
    }

    /// The record of a key, unless it has gone quiet long enough to be forgotten.
    private func current(_ key: String, now: Int64) -> Record? {
        guard let record = records[key] else { return nil }
        if now - record.lastFailure >= forgetAfterMillis {
            records[key] = nil
            return nil
        }
        return record
    }

    static func emailKey(_ email: String) -> String { "email:" + email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
    static func clientKey(_ client: String) -> String { "client:" + client }
}
