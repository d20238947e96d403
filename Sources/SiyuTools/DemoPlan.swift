import Foundation
import Logging
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore

/// What `siyu demo` does before serving: find or generate the demo workspace, issue a token.
public struct DemoPlan: Sendable {
    public var reset: Bool
    public var seed: UInt64
    public var people: Int
    public var days: Int
    public var passwordCost: UInt8 = 12

    /// The demo workspace's name.
    public static let workspaceName = "demo"

    public init(reset: Bool, seed: UInt64, people: Int, days: Int, passwordCost: UInt8 = 12) {
        self.reset = reset
        self.seed = seed
        self.people = people
        self.days = days
        self.passwordCost = passwordCost
    }

    /// The demo's console logins: documented in docs/analytics.md, the same on every run (override with SIYU_DEMO_PASSWORD).
    public static let ownerEmail = "demo@siyu.local"
    public static let viewerEmail = "viewer@siyu.local"
    public static var password: String {
        let override = ProcessInfo.processInfo.environment["SIYU_DEMO_PASSWORD"] ?? ""
        return override.count >= 10 ? override : "qinghe-demo"
    }

    public func prepare(_ store: any SiyuStore) async throws -> DemoCredentials {
        if let existing = try await store.workspace(named: Self.workspaceName) {
            if reset {
                printError("Deleting the demo workspace…")
                try await store.deleteWorkspace(id: existing.id)
            } else if try await store.eventCount(workspaceId: existing.id) > 0 {
                printError("Reusing the demo data in the store (run with --reset to generate it again).")
                try await completeDemo(store, existing)
                return try await credentials(store, existing, generated: nil)
            } else {
                // An earlier run stopped before storing anything: start over.
                try await store.deleteWorkspace(id: existing.id)
            }
        }
        _ = try await store.createWorkspace(name: Self.workspaceName, timeZone: "Asia/Shanghai", currency: "CNY")
        guard let workspace = try await store.workspace(named: Self.workspaceName) else { throw CommandFailure("the demo workspace vanished") }
        let summary = try await generate(store, workspace)
        try await completeDemo(store, workspace)
        return try await credentials(store, workspace, generated: summary)
    }

    /// Customer value, labels and sample segments for a new demo (once; see ``DemoSetup``).
    func completeDemo(_ store: any SiyuStore, _ workspace: Workspace) async throws {
        guard try await store.segments(workspaceId: workspace.id).isEmpty else { return }
        var logger = Logger(label: "siyu-demo")
        logger.logLevel = .warning
        printError("Fitting customer value, saving tiers, RFM classes and journey stages, creating sample segments…")
        try await DemoSetup.completeIfNew(store: store, workspace: workspace, now: SystemClock.nowMillis(), logger: logger)
    }

    /// Generates the brand into `workspace` with a progress bar.
    func generate(_ store: any SiyuStore, _ workspace: Workspace) async throws -> DemoBrand.Summary {
        // Whole days up to the start of the current hour, so that the brand looks alive today.
        let now = SystemClock.nowMillis()
        let brand = DemoBrand(endingAt: now - now % 3_600_000, people: people, days: days, seed: seed)
        for channel in brand.channels { try await store.saveChannel(channel, workspaceId: workspace.id) }
        let channels = try await store.channels(workspaceId: workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: workspace.currency, channels: channels),
            extractor: Secrets.extractor(for: workspace)
        )
        printError("Generating \(brand.name): \(people) people over \(days) days (seed \(seed))")
        let bar = ProgressBar("Demo brand", total: days)
        var batches = brand.batches(batchSize: 1_000)
        var progress: DemoBrand.Progress?
        // Three things at once on two cores: the store writes one batch while the next is generated
        // and prepared in two halves side by side. Batches are still stored one at a time, in order,
        // with the same boundaries.
        // Sign-up phone numbers as the brand's systems had them: loaded into the contact vault (profiles
        // keep them masked), so that the demo's SMS reach their people.
        var phones: [String: String] = [:]
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending: [Message] = []
            func write(_ messages: [Message]) async throws {
                for message in messages where message.type == .identify {
                    if let userId = message.userId, let phone = message.traits["phone"]?.stringValue { phones[userId] = phone }
                }
                let events = try await Self.prepare(messages, with: preparer)
                // The previous batch's write, if any (an empty group answers at once).
                _ = try await group.next()
                group.addTask { _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: events)]) }
            }
            while let (batch, current) = batches.next() {
                pending += batch
                progress = current
                if pending.count >= 5_000 {
                    try await write(pending)
                    pending = []
                    bar.update(current.day, note: "day \(current.day)/\(days), \(current.events) events, \(current.people) people")
                }
            }
            if !pending.isEmpty { try await write(pending) }
            try await group.waitForAll()
        }
        bar.finish(note: "\(progress?.events ?? 0) events, \(progress?.people ?? 0) people")
        try await DemoInbox.loadContacts(store: store, workspace: workspace, phones: phones, now: now)
        return batches.summary
    }

    /// `messages` prepared for storing, in order: the two halves side by side.
    static func prepare(_ messages: [Message], with preparer: EventPreparer) async throws -> [PreparedEvent] {
        let half = messages.count / 2
        async let first = messages[..<half].map { message throws(IngestError) in try preparer.prepare(message) }
        let second = try messages[half...].map { message throws(IngestError) in try preparer.prepare(message) }
        return try await first + second
    }

    func credentials(_ store: any SiyuStore, _ workspace: Workspace, generated: DemoBrand.Summary?) async throws -> DemoCredentials {
        var writeKey = try await store.writeKeys(workspaceId: workspace.id).first
        if writeKey == nil { writeKey = try await store.createWriteKey(workspaceId: workspace.id) }
        // A fresh token each run (the previous demo token is revoked): tokens are stored only hashed.
        let token = try await store.createAdminToken(workspaceId: workspace.id, name: "demo", replacing: true)
        let people = try await store.peopleCount(workspaceId: workspace.id)
        let events = try await store.eventCount(workspaceId: workspace.id)
        // The console logins, created or reset to the documented password on every run.
        let users = ConsoleUserAdmin(store: store, passwordCost: passwordCost)
        let password = Self.password
        _ = try await users.ensure(workspaceId: workspace.id, email: Self.ownerEmail, displayName: "Demo Owner", role: .owner, password: password)
        _ = try await users.ensure(workspaceId: workspace.id, email: Self.viewerEmail, displayName: "Demo Viewer", role: .viewer, password: password)
        return DemoCredentials(
            workspace: workspace.name,
            writeKey: writeKey ?? "",
            adminToken: token,
            people: people,
            events: events,
            summary: generated,
            consolePassword: password
        )
    }
}

/// What the demo prints once it serves.
public struct DemoCredentials: Sendable {
    public var workspace: String
    public var writeKey: String
    public var adminToken: String
    public var people: Int
    public var events: Int
    public var summary: DemoBrand.Summary?
    public var consolePassword: String

    public func banner(url: String?) -> String {
        var lines: [String] = []
        lines.append(url.map { "\nSiyu demo is running at \($0)" } ?? "\nSiyu demo data is ready")
        lines.append("  Workspace    \(workspace) — 青禾茶饮 Qinghe Tea: \(people) people, \(events) events")
        if let summary {
            let revenue = Money(minorUnits: summary.revenueMinor, currency: "CNY").decimalText
            lines.append("               \(summary.orders) orders from \(summary.buyers) buyers (\(summary.repeatBuyers) bought again), ¥\(revenue)")
        }
        lines.append("  Console      \(url.map { $0 + "/console" } ?? "/console")")
        lines.append("               owner   \(DemoPlan.ownerEmail)   password \(consolePassword)")
        lines.append("               viewer  \(DemoPlan.viewerEmail) password \(consolePassword)")
        lines.append("  Write key    \(writeKey)")
        lines.append("  Admin token  \(adminToken)")
        if let url {
            lines.append("")
            lines.append("Try:")
            lines.append("  curl -H 'Authorization: Bearer \(adminToken)' '\(url)/api/v1/people?limit=3'")
            lines.append("  curl -u '\(writeKey):' \(url)/v1/track -d '{\"userId\": \"u-1\", \"event\": \"Product Viewed\"}'")
            lines.append("Press Ctrl-C to stop.")
        }
        return lines.joined(separator: "\n")
    }
}
