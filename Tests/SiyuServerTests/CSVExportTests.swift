import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

/// Every CSV the project writes goes through one writer: quoted where needed, and text a
/// spreadsheet would run as a formula neutralised with a leading `'`.
@Suite struct CSVExportTests {
    /// A user id and a name that a spreadsheet would run: `=HYPERLINK(…)` and `@SUM(…)`.
    static let formulaUser = #"=HYPERLINK("http://evil.example","x")"#

    @Test func apiPeopleListsAreStreamedWithFormulasNeutralised() async throws {
        try await ServerHarness.run { client, harness in
            // 5,000 buyers (more than two chunks of the stream), one of them with a formula as user id and name.
            var items = (0..<4_999).map { i in
                #"{"type": "track", "userId": "b\#(i)", "event": "Order Completed", "timestamp": "2024-04-30T10:00:00Z"}"#
            }
            items.append(
                #"{"type": "identify", "userId": "=HYPERLINK(\"http://evil.example\",\"x\")", "timestamp": "2024-04-30T09:00:00Z", "traits": {"name": "@SUM(1+1)"}}"#
            )
            items.append(
                #"{"type": "track", "userId": "=HYPERLINK(\"http://evil.example\",\"x\")", "event": "Order Completed", "timestamp": "2024-04-30T10:00:00Z"}"#
            )
            for chunk in stride(from: 0, to: items.count, by: 2_000) {
                let part = items[chunk..<min(chunk + 2_000, items.count)].joined(separator: ",")
                #expect(try await client.send("/v1/batch", #"{"batch": [\#(part)]}"#, harness).status == .ok)
            }
            var headers = harness.bearer
            headers[.contentType] = "application/json"
            let response = try await client.execute(
                uri: "/api/v1/analytics/funnel/people?format=csv",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: #"{"steps": ["Order Completed", "Never"], "step": 1, "from": "2024-04-01", "to": "2024-04-30"}"#)
            )
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            let bytes = Array(response.body.readableBytesView)
            #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
            #expect(lines.first == "personId,userId,name,firstChannel,lastSeen")
            #expect(lines.count == 1 + 5_000 + 1)  // header, one row per buyer, and the empty string after the last CRLF
            let evil = try #require(lines.first { $0.contains("HYPERLINK") })
            // `'` before the formula, then quoted for its quotes and comma.
            #expect(evil.contains(#","'=HYPERLINK(""http://evil.example"",""x"")",'@SUM(1+1),direct,"#))
        }
    }

    @Test func theCommandLineExportNeutralisesFormulas() async throws {
        let directory = temporaryDirectory("siyu-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try ServerProcess.run(["workspace", "create", "shop", "--data-dir", directory])
        let store = try SQLiteStore(directory: directory)
        let workspace = try #require(try await store.workspace(named: "shop"))
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: "CNY", channels: try await store.channels(workspaceId: workspace.id)),
            extractor: Secrets.extractor(for: workspace)
        )
        let message = Message(
            type: .track,
            messageId: "m1",
            userId: Self.formulaUser,
            event: "+cmd|' /C calc'!A0",
            timestamp: 1_714_521_600_000,
            receivedAt: 1_714_521_600_000
        )
        _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: [try preparer.prepare(message)])])
        let people = try ServerProcess.run(["export", "people", "--workspace", "shop", "--format", "csv", "--data-dir", directory])
        #expect(people.contains(#","'=HYPERLINK(""http://evil.example"",""x"")","#))
        let events = try ServerProcess.run(["export", "events", "--workspace", "shop", "--format", "csv", "--data-dir", directory])
        #expect(events.contains(#",track,'+cmd|' /C calc'!A0,"#))
        #expect(!events.contains(",=HYPERLINK") && !events.contains(",+cmd"))
    }
}
