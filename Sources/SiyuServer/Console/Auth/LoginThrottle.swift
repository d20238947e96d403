import Foundation

/// Slows down password guessing: after 5 failed logins for one e-mail address or from one client
/// address, further attempts are refused for a delay that doubles with each failure (15 s, 30 s,
/// 1 min, … at most 15 min). A key's failures are forgotten after 30 quiet minutes; a successful
/// login clears its e-mail address.
///
/// An attempt is reserved with ``begin(email:client:now:)`` *before* the password is hashed and
/// settled with ``end(email:client:succeeded:now:)`` after: attempts still being checked count
/// towards the limit, so 40 guesses sent at once get 5 checks, not 40.
public actor LoginThrottle {
    struct Record {
        var failures: Int
        var lastFailure: Int64
        /// Attempts reserved and not yet settled.
        var pending: Int = 0
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
        Self.keys(email, client).compactMap { wait(key: $0, now: now) }.max()
    }

    /// Reserves an attempt for this address and client: `nil` when it may go ahead (it then counts
    /// as in flight until ``end(email:client:succeeded:now:)``), else the milliseconds to wait.
    public func begin(email: String, client: String, now: Int64) -> Int64? {
        let keys = Self.keys(email, client)
        if let wait = keys.compactMap({ wait(key: $0, now: now) }).max() { return wait }
        for key in keys { records[key, default: Record(failures: 0, lastFailure: now)].pending += 1 }
        return nil
    }

    /// Settles an attempt reserved with ``begin(email:client:now:)``.
    public func end(email: String, client: String, succeeded: Bool, now: Int64) {
        for key in Self.keys(email, client) {
            guard var record = records[key] else { continue }
            record.pending = max(record.pending - 1, 0)
            records[key] = record
        }
        if succeeded { recordSuccess(email: email) } else { recordFailure(email: email, client: client, now: now) }
    }

    /// The wait for one key: the delay after its failures, and — since attempts in flight may fail
    /// too — the base delay while in-flight attempts would take it past the threshold.
    private func wait(key: String, now: Int64) -> Int64? {
        guard let record = current(key, now: now) else { return nil }
        if record.failures >= threshold {
            let remaining = record.lastFailure + delay(failures: record.failures) - now
            if remaining > 0 { return remaining }
            // Throttled keys get one attempt at a time.
            return record.pending > 0 ? baseDelayMillis : nil
        }
        return record.failures + record.pending >= threshold ? baseDelayMillis : nil
    }

    /// The pause after `failures` failures: the base delay at the threshold, doubling after, capped.
    func delay(failures: Int) -> Int64 {
        let doublings = min(failures - threshold, 20)
        return min(baseDelayMillis << Int64(max(doublings, 0)), maximumDelayMillis)
    }

    public func recordFailure(email: String, client: String, now: Int64) {
        for key in Self.keys(email, client) {
            var record = current(key, now: now) ?? Record(failures: 0, lastFailure: now)
            record.failures += 1
            record.lastFailure = now
            records[key] = record
        }
        if records.count > 50_000 { records = records.filter { $0.value.pending > 0 || now - $0.value.lastFailure < forgetAfterMillis } }
    }

    public func recordSuccess(email: String) {
        let key = Self.emailKey(email)
        guard let record = records[key] else { return }
        records[key] = record.pending > 0 ? Record(failures: 0, lastFailure: record.lastFailure, pending: record.pending) : nil
    }

    /// The record of a key, unless it has gone quiet long enough to be forgotten.
    private func current(_ key: String, now: Int64) -> Record? {
        guard let record = records[key] else { return nil }
        if record.pending == 0, now - record.lastFailure >= forgetAfterMillis {
            records[key] = nil
            return nil
        }
        return record
    }

    static func keys(_ email: String, _ client: String) -> [String] { [emailKey(email), clientKey(client)] }
    static func emailKey(_ email: String) -> String { "email:" + email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
    static func clientKey(_ client: String) -> String { "client:" + client }
}
