import Foundation
import SiyuCore
import SiyuStore
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A value shared between tasks behind a lock.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

/// Tests that run the real `siyu` binary on a real socket.
@Suite(.serialized) struct LiveServerTests {
    @Test func killMinus9LosesNothingThatWasAcknowledged() async throws {
        let directory = temporaryDirectory("siyu-kill9")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try JSONParser.parse(try ServerProcess.run(["workspace", "create", "durable", "--data-dir", directory, "--json"]))
        let writeKey = try #require(credentials["writeKey"]?.stringValue)
        let server = try ServerProcess(dataDirectory: directory, extraArguments: ["--rate-limit", "0"])

        // Four clients send 50-event batches as fast as they can; the server is killed mid-stream.
        let acknowledged = Locked<[String]>([])
        let failures = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    for batch in 0..<10_000 {
                        let ids = (0..<50).map { "c\(client)-b\(batch)-e\($0)" }
                        let items = ids.map { #"{"type":"track","event":"Tick","anonymousId":"device-\#(client)","messageId":"\#($0)"}"# }
                        let body = Data(("{\"batch\":[" + items.joined(separator: ",") + "]}").utf8)
                        do {
                            let (status, _) = try await HTTP.post(server.baseURL + "/v1/batch", body: body, writeKey: writeKey)
                            if status == 200 { acknowledged.withLock { $0.append(contentsOf: ids) } }
                        } catch {
                            failures.withLock { $0 += 1 }
                            return
                        }
                    }
                }
            }
            group.addTask {
                // Let at least 2,000 events be acknowledged, then kill without warning.
                while acknowledged.withLock({ $0.count }) < 2_000 { try? await Task.sleep(for: .milliseconds(5)) }
                server.kill9()
            }
        }
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count >= 2_000)

        let store = try SQLiteStore(directory: directory)
        let workspace = try #require(try await store.workspace(named: "durable"))
        var stored = Set<String>()
        var after: Int64 = 0
        while true {
            let page = try await store.events(workspaceId: workspace.id, afterSeq: after, since: nil, limit: 10_000)
            guard let last = page.last else { break }
            stored.formUnion(page.map(\.message.messageId))
            after = last.seq
        }
        let lost = acked.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events are missing, e.g. \(lost.prefix(3))")
    }

    @Test func realSegmentAndRudderStackSDKsDeliverTheirEvents() async throws {
        guard let python = ProcessInfo.processInfo.environment["SIYU_TEST_PYTHON"] else {
            if ProcessInfo.processInfo.environment["SIYU_TEST_REQUIRE_SDKS"] == "1" { Issue.record("SIYU_TEST_PYTHON is not set") }
            return
        }
        let directory = temporaryDirectory("siyu-sdk")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try JSONParser.parse(try ServerProcess.run(["workspace", "create", "sdk", "--data-dir", directory, "--json"]))
        let writeKey = try #require(credentials["writeKey"]?.stringValue)
        // A low rate limit makes the server answer some uploads with 429: the SDKs must retry them.
        let server = try ServerProcess(dataDirectory: directory, extraArguments: ["--rate-limit", "1"])

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Clients/sdk_clients.py"
        )
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, server.baseURL, writeKey]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SDK script failed: \(output)")
        // Graceful shutdown: SIGTERM commits what was acknowledged and exits cleanly.
        #expect(server.terminate() == 0)

        let store = try SQLiteStore(directory: directory)
        let workspace = try #require(try await store.workspace(named: "sdk"))
        let events = try await store.events(workspaceId: workspace.id, afterSeq: 0, since: nil, limit: 10_000)
        for prefix in ["seg", "rud"] {
            let mine = events.filter { $0.message.messageId.hasPrefix(prefix + "-") }
            // 250 views + identify, order, page, screen, group, alias, each exactly once.
            #expect(mine.count == 256, "\(prefix): \(mine.count) events")
            #expect(Set(mine.map(\.message.messageId)).count == mine.count)
            let person = try #require(
                try await store.personId(identity: IdentityKey(IdentityKey.userId, prefix + "-user"), workspaceId: workspace.id)
            )
            let profile = try #require(try await store.person(id: person, workspaceId: workspace.id))
            // The anonymous views merged into the user on identify.
            #expect(profile.eventCount == 256 && profile.orderCount == 1 && profile.revenueMinor == 8880)
            #expect(profile.traits["city"] == "上海" && profile.traits["email"] == .string(prefix.prefix(1) + "***@example.com"))
            #expect(profile.firstChannel == "douyin")
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.userId, prefix + "-old-id"), workspaceId: workspace.id) == person)
            let order = try #require(mine.first { $0.message.messageId == prefix + "-order" })
            #expect(order.message.sentAt != nil && order.message.originalTimestamp != nil)
            #expect(abs(order.message.timestamp - order.message.receivedAt) < 120_000)
        }
    }
}
