import Foundation
import SiyuCore
import SiyuStore
import Testing

/// The `siyu` command line, run as a user runs it.
@Suite struct CommandLineTests {
    /// A store with a workspace `shop` and three events of two people, written by the store API.
    func seed(_ directory: String) async throws {
        let credentials = try JSONParser.parse(try ServerProcess.run(["workspace", "create", "shop", "--data-dir", directory, "--json"]))
        #expect(credentials["writeKey"]?.stringValue?.hasPrefix("wk_") == true)
        #expect(credentials["adminToken"]?.stringValue?.hasPrefix("sy_") == true)
        let store = try SQLiteStore(directory: directory)
        let workspace = try #require(try await store.workspace(named: "shop"))
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: "CNY", channels: try await store.channels(workspaceId: workspace.id)),
            extractor: Secrets.extractor(for: workspace)
        )
        // 2024-05-01T00:00:00Z, 2024-05-02T00:00:00Z, 2024-05-03T00:00:00Z.
        let day: Int64 = 86_400_000
        let messages = [
            Message(
                type: .identify,
                messageId: "m1",
                userId: "u1",
                traits: ["name": "王芳, \"Fang\""],
                timestamp: 1_714_521_600_000,
                receivedAt: 1_714_521_600_000
            ),
            Message(
                type: .track,
                messageId: "m2",
                userId: "u1",
                event: "Order Completed",
                properties: ["revenue": 99.9],
                context: ["channel": "douyin"],
                timestamp: 1_714_521_600_000 + day,
                receivedAt: 1_714_521_600_000 + day
            ),
            Message(
                type: .page,
                messageId: "m3",
                anonymousId: "a9",
                event: "Home",
                timestamp: 1_714_521_600_000 + 2 * day,
                receivedAt: 1_714_521_600_000 + 2 * day
            ),
        ]
        _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: messages.map(preparer.prepare))])
    }

    @Test func exportsEventsAsJSONLinesAndCSV() async throws {
        let directory = temporaryDirectory("siyu-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await seed(directory)
        let lines = try ServerProcess.run(["export", "events", "--workspace", "shop", "--format", "jsonl", "--data-dir", directory])
            .split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(lines.map { $0["messageId"] } == ["m1", "m2", "m3"])
        #expect(lines[1]["revenue"]?["amount"] == "99.90" && lines[1]["channel"] == "douyin")
        #expect(lines[0]["timestamp"] == "2024-05-01T00:00:00.000Z")
        // 2024-05-02 in Asia/Shanghai starts at 2024-05-01T16:00:00Z: events m2 and m3.
        let since = try ServerProcess.run(["export", "events", "--workspace", "shop", "--since", "2024-05-02", "--data-dir", directory])
        #expect(since.split(separator: "\n").count == 2)

        let csv = try ServerProcess.run(["export", "people", "--workspace", "shop", "--format", "csv", "--data-dir", directory])
        let rows = csv.split(separator: "\n")
        #expect(rows.first?.hasPrefix("personId,userId,createdAt") == true)
        #expect(rows.count == 3)
        // The comma and quotes of the name are quoted per RFC 4180: "{""name"":""王芳, \""Fang\""""}".
        #expect(csv.contains(#""{""name"":""王芳, \""Fang\""""}""#))
    }

    @Test func listsPausesResumesAndStopsJourneys() async throws {
        let directory = temporaryDirectory("siyu-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try ServerProcess.run(["workspace", "create", "shop", "--data-dir", directory])
        let id: Int64 = try await {
            let store = try SQLiteStore(directory: directory)
            let workspace = try #require(try await store.workspace(named: "shop"))
            let journey = try await store.createJourney(workspaceId: workspace.id, name: "关怀", definition: "{}")
            _ = try await store.publishJourney(id: journey.id, workspaceId: workspace.id)
            return journey.id
        }()
        let listed = try JSONParser.parse(try ServerProcess.run(["journeys", "list", "--workspace", "shop", "--json", "--data-dir", directory]))
        #expect(listed == [["id": .int(id), "name": "关怀", "status": "active", "version": 1]])
        #expect(try ServerProcess.run(["journeys", "pause", "\(id)", "--workspace", "shop", "--data-dir", directory]).contains("is paused"))
        #expect(try ServerProcess.run(["journeys", "resume", "\(id)", "--workspace", "shop", "--data-dir", directory]).contains("is active"))
        #expect(try ServerProcess.run(["journeys", "stop", "\(id)", "--workspace", "shop", "--data-dir", directory]).contains("is stopped"))
        // A stopped journey stays stopped; an unknown one is an error.
        #expect(throws: ProcessError.self) { try ServerProcess.run(["journeys", "resume", "\(id)", "--workspace", "shop", "--data-dir", directory]) }
        #expect(throws: ProcessError.self) { try ServerProcess.run(["journeys", "pause", "999", "--workspace", "shop", "--data-dir", directory]) }
    }

    @Test func refusesUnknownWorkspacesAndBadOptions() async throws {
        let directory = temporaryDirectory("siyu-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: ProcessError.self) { try ServerProcess.run(["export", "events", "--workspace", "nope", "--data-dir", directory]) }
        #expect(throws: ProcessError.self) { try ServerProcess.run(["workspace", "create", "bad name", "--data-dir", directory]) }
        #expect(throws: ProcessError.self) { try ServerProcess.run(["workspace", "create", "x", "--currency", "yuan", "--data-dir", directory]) }
        _ = try ServerProcess.run(["workspace", "create", "x", "--data-dir", directory])
        #expect(throws: ProcessError.self) { try ServerProcess.run(["workspace", "create", "x", "--data-dir", directory]) }
        #expect(throws: ProcessError.self) {
            try ServerProcess.run(["export", "events", "--workspace", "x", "--since", "last week", "--data-dir", directory])
        }
    }
}

/// `siyu import` next to a running server on the same store.
@Suite(.serialized) struct ImportCommandTests {
    @Test func importsWhileTheServerRunsAndReportsRefusedRows() async throws {
        let directory = temporaryDirectory("siyu-import")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try JSONParser.parse(try ServerProcess.run(["workspace", "create", "shop", "--data-dir", directory, "--json"]))
        let writeKey = try #require(credentials["writeKey"]?.stringValue)
        let server = try ServerProcess(dataDirectory: directory)
        let file = directory + "/orders.csv"
        // Semicolon-separated, explicit mapping; line 3 has no customer.
        let csv = "no;customer;paid;at\nB-1;c1;10.50;2024-05-01 12:00\nB-2;;20.00;2024-05-01 13:00\nB-3;c2;30.00;2024-05-02 08:00\n"
        #expect(FileManager.default.createFile(atPath: file, contents: Data(csv.utf8)))
        let arguments = [
            "import", "orders", file, "--workspace", "shop", "--delimiter", "semicolon", "--map", "orderId=no", "--map", "userId=customer",
            "--map", "revenue=paid", "--map", "timestamp=at", "--data-dir", directory,
        ]

        let (during, _) = try await HTTP.post(
            server.baseURL + "/v1/track",
            body: Data(#"{"userId": "c1", "event": "Product Viewed"}"#.utf8),
            writeKey: writeKey
        )
        let (status, output) = try ServerProcess.runWithStatus(arguments)
        let (after, _) = try await HTTP.post(
            server.baseURL + "/v1/track",
            body: Data(#"{"userId": "c2", "event": "Product Viewed"}"#.utf8),
            writeKey: writeKey
        )
        #expect(during == 200 && after == 200)
        // Exit status 2: the file was imported except for refused rows, listed in orders.csv.errors.csv.
        #expect(status == 2, "\(output)")
        #expect(output.contains("3 rows read: 2 imported, 1 rejected"))
        let errors = try String(contentsOfFile: file + ".errors.csv", encoding: .utf8)
        #expect(errors.contains("line,column,value,reason") && errors.contains("\r\n3,"))

        let (again, secondOutput) = try ServerProcess.runWithStatus(arguments)
        #expect(again == 2 && secondOutput.contains("0 stored, 2 already imported"))
        #expect(server.terminate() == 0)

        let store = try SQLiteStore(directory: directory)
        let workspace = try #require(try await store.workspace(named: "shop"))
        let c1 = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "c1"), workspaceId: workspace.id))
        let profile = try #require(try await store.person(id: c1, workspaceId: workspace.id))
        #expect(profile.orderCount == 1 && profile.revenueMinor == 1050 && profile.eventCount == 2)
        #expect(try await store.eventCount(workspaceId: workspace.id) == 4)
    }
}
